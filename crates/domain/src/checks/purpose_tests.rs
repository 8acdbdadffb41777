//! Table tests for adjustments and stops: one clean request against its account on
//! record, then one change at a time and the findings it must (and must only) give.

use super::tests::entry;
use super::*;
use crate::{ChangedField, DeclarationStatus, FieldChange};
use chrono::{TimeZone, Utc};

const CARD: &[DocumentKind] = &[DocumentKind::Portrait, DocumentKind::IdFront, DocumentKind::IdBack];
const PORTRAIT: &[DocumentKind] = &[DocumentKind::Portrait];

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn record() -> AccountOnRecord {
    AccountOnRecord {
        ma_so_bhxh: "7914820031".into(),
        active: true,
        full_name: "Nguyễn Thị Ánh".into(),
        birth_date: d(1985, 5, 17),
        sex: Sex::Female,
        id_number: Some("079185000123".into()),
        phone: Some("0903123456".into()),
        email: Some("nguyenthianh85@example.com".into()),
        province: Some("Thành phố Hồ Chí Minh".into()),
        parent_ma_so_bhxh: None,
        password_reset_at: None,
        pending_declarations: 0,
        pending_benefits: 0,
    }
}

fn phone_change() -> Vec<FieldChange> {
    vec![FieldChange { field: ChangedField::Phone, old: "0903123456".into(), new: "0912345678".into() }]
}

/// A phone change as the citizen sends it: the declaration's phone is the new one.
fn adjust(changes: &[FieldChange]) -> Facts<'_> {
    Facts {
        id: "07916-000101",
        purpose: Purpose::Adjust,
        changes,
        phone: "0912345678",
        documents: CARD,
        ..super::tests::clean()
    }
}

fn codes_for(f: &Facts<'_>, account: Option<&AccountOnRecord>, registry: &Registry) -> Vec<String> {
    let ctx = Context {
        reference: crate::reference::ReferenceData::get(),
        registry,
        qr: None,
        paper: None,
        documents: &[],
        units: None,
        account,
        phone_holders: &[],
    };
    let mut codes: Vec<String> = run_all(f, &ctx).into_iter().map(|x| x.code).collect();
    codes.sort();
    codes
}

fn change(field: ChangedField, old: &str, new: &str) -> FieldChange {
    FieldChange { field, old: old.into(), new: new.into() }
}

#[test]
fn a_clean_phone_change_has_no_findings() {
    let changes = phone_change();
    assert_eq!(codes_for(&adjust(&changes), Some(&record()), &Registry::default()), Vec::<String>::new());
}

#[test]
fn adjustments_one_change_one_finding() {
    let reset = |at| AccountOnRecord { password_reset_at: Some(at), ..record() };
    let utc = |y, m, day, h, min| Utc.with_ymd_and_hms(y, m, day, h, min, 0).single().expect("instant");
    type Row = (&'static str, Vec<FieldChange>, fn(&mut Facts<'_>), Option<AccountOnRecord>, &'static [&'static str]);
    let none: fn(&mut Facts<'_>) = |_| {};
    let back: fn(&mut Facts<'_>) = |f| f.phone = "0903123456";
    let new_id = || vec![change(ChangedField::IdDocument, "079185000123", "079185000777")];
    let hcm_to_hanoi: fn(&mut Facts<'_>) = |f| {
        f.province = "Thành phố Hà Nội";
        f.district = None;
        f.commune = "Phường Láng Hạ";
    };
    let rows: &[Row] = &[
        ("no account on record", phone_change(), none, None, &["adjust.no_account"]),
        (
            "a stopped account",
            phone_change(),
            none,
            Some(AccountOnRecord { active: false, ..record() }),
            &["adjust.no_account"],
        ),
        (
            "another person's account",
            phone_change(),
            none,
            Some(AccountOnRecord { ma_so_bhxh: "7900000009".into(), ..record() }),
            &["adjust.no_account"],
        ),
        ("nothing changes", vec![], back, Some(record()), &["adjust.nothing_changed"]),
        (
            "old and new the same, written apart",
            vec![change(ChangedField::Phone, "0903 123 456", "0903123456")],
            back,
            Some(record()),
            &["adjust.nothing_changed"],
        ),
        // What changes is what differs from the record, listed or not: the take-over
        // rules and the card see a phone put in the field without being listed.
        ("a new phone in the field, not listed", vec![], none, Some(record()), &["adjust.unlisted_change"]),
        (
            "a new phone, not listed, after a reset",
            vec![],
            none,
            Some(reset(utc(2021, 5, 9, 3, 0))),
            &["adjust.after_password_reset", "adjust.unlisted_change"],
        ),
        (
            "old phone not the record's",
            vec![change(ChangedField::Phone, "0903999999", "0912345678")],
            none,
            Some(record()),
            &["adjust.old_not_on_record"],
        ),
        (
            "the old 11-digit form of the record's phone",
            vec![change(ChangedField::Phone, "01203123456", "0912345678")],
            none,
            Some(AccountOnRecord { phone: Some("0703123456".into()), ..record() }),
            &[],
        ),
        (
            "new value is not the declaration's",
            phone_change(),
            |f| f.phone = "0912000000",
            Some(record()),
            &["adjust.new_differs"],
        ),
        (
            "a name differs from the record, not listed",
            phone_change(),
            |f| f.full_name = "Nguyễn Thị Anh",
            Some(record()),
            &["adjust.unlisted_change"],
        ),
        (
            "the record's name typed decomposed",
            phone_change(),
            |f| f.full_name = "Nguye\u{302}\u{303}n Thi\u{323} A\u{301}nh",
            Some(record()),
            &[],
        ),
        (
            "mã số listed as a change",
            vec![change(ChangedField::MaSo, "7914820031", "7914820032")],
            back,
            Some(record()),
            &["adjust.ma_so", "adjust.new_differs"],
        ),
        (
            "new CCCD without the card's photos",
            new_id(),
            |f| {
                f.phone = "0903123456";
                f.id_number = Some("079185000777");
                f.documents = PORTRAIT;
            },
            Some(record()),
            &["adjust.needs_document"],
        ),
        (
            "new CCCD with both sides",
            new_id(),
            |f| {
                f.phone = "0903123456";
                f.id_number = Some("079185000777");
            },
            Some(record()),
            &[],
        ),
        (
            "a new CCCD in the field, not listed, no card",
            vec![],
            |f| {
                f.phone = "0903123456";
                f.id_number = Some("079185000777");
                f.documents = PORTRAIT;
            },
            Some(record()),
            &["adjust.needs_document", "adjust.unlisted_change"],
        ),
        // The new values meet every rule a registration meets: a birth date the
        // CCCD's year digits do not fit is said by the CCCD rule.
        (
            "birth date changed, CCCD says 1985",
            vec![change(ChangedField::BirthDate, "17/05/1985", "17.05.1986")],
            |f| {
                f.phone = "0903123456";
                f.birth_date = d(1986, 5, 17);
            },
            Some(record()),
            &["cccd.year_mismatch"],
        ),
        (
            "sex changed without the card",
            vec![change(ChangedField::Sex, "Nữ", "Nam")],
            |f| {
                f.phone = "0903123456";
                f.sex = Sex::Male;
                f.documents = PORTRAIT;
            },
            Some(record()),
            &["adjust.needs_document", "cccd.sex_century_mismatch"],
        ),
        (
            "a phone change without the card",
            phone_change(),
            |f| f.documents = PORTRAIT,
            Some(record()),
            &["adjust.needs_document"],
        ),
        (
            "an address alone, no photos",
            vec![change(ChangedField::Address, "12 Hậu Giang, Phường 9", "30 Hậu Giang, Phường 9")],
            |f| {
                f.phone = "0903123456";
                f.documents = &[];
            },
            Some(record()),
            &[],
        ),
        // The take-over pattern, on the office's calendar days (Hà Nội): submitted 12/05/2021.
        (
            "reset 3 days before",
            phone_change(),
            none,
            Some(reset(utc(2021, 5, 9, 3, 0))),
            &["adjust.after_password_reset"],
        ),
        (
            "reset the same office day",
            phone_change(),
            none,
            Some(reset(utc(2021, 5, 11, 17, 30))),
            &["adjust.after_password_reset"],
        ),
        (
            "reset 05/05 00:30 in Hà Nội (17:30 UTC on 04/05): 7 days",
            phone_change(),
            none,
            Some(reset(utc(2021, 5, 4, 17, 30))),
            &["adjust.after_password_reset"],
        ),
        (
            "reset 04/05 23:59 in Hà Nội (16:59 UTC): 8 days",
            phone_change(),
            none,
            Some(reset(utc(2021, 5, 4, 16, 59))),
            &[],
        ),
        (
            "reset after the submission",
            phone_change(),
            none,
            Some(reset(utc(2021, 5, 13, 3, 0))),
            &["adjust.after_password_reset"],
        ),
        (
            "phone changed from another province",
            phone_change(),
            hcm_to_hanoi,
            Some(record()),
            &["adjust.other_province"],
        ),
        (
            "… with the address change declared too",
            {
                let mut c = phone_change();
                c.push(change(ChangedField::Address, "12 Hậu Giang, Quận 6, TP HCM", "Phường Láng Hạ, Hà Nội"));
                c
            },
            hcm_to_hanoi,
            Some(record()),
            &["adjust.other_province"],
        ),
        (
            "the record's province written short",
            phone_change(),
            none,
            Some(AccountOnRecord { province: Some("TP. Hồ Chí Minh".into()), ..record() }),
            &[],
        ),
        (
            "an e-mail change",
            vec![change(ChangedField::Email, "nguyenthianh85@example.com", "anh.nguyen@example.com")],
            |f| {
                f.phone = "0903123456";
                f.email = Some("anh.nguyen@example.com");
            },
            Some(record()),
            &[],
        ),
        (
            "a stranger adjusts an adult's account as a \"parent\"",
            phone_change(),
            |f| {
                f.kind = DeclarationKind::Child;
                f.parent_ma_so = Some("7900000077");
            },
            Some(record()),
            // No birth certificate either: the evidence a parent's change needs.
            &["adjust.needs_document", "adjust.requester", "child.parent_unverified", "child.too_old"],
        ),
    ];
    for (what, changes, edit, account, expected) in rows {
        let mut f = adjust(changes);
        edit(&mut f);
        let mut want: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        want.sort();
        assert_eq!(codes_for(&f, account.as_ref(), &Registry::default()), want, "{what}");
    }
}

/// The new phone meets the registration's phone rule: another person's account is a
/// Block; the family's phone is no clash.
#[test]
fn a_new_phone_on_another_account_is_taken() {
    let changes = phone_change();
    let f = adjust(&changes);
    let taken = Registry::new(vec![entry("x", "7900000009", "0912345678", DeclarationStatus::Approved)]);
    assert_eq!(codes_for(&f, Some(&record()), &taken), ["phone.taken"]);
    let own = Registry::new(vec![entry("x", "7914820031", "0912345678", DeclarationStatus::Approved)]);
    assert_eq!(codes_for(&f, Some(&record()), &own), Vec::<String>::new(), "the account's own number");
}

fn stop() -> Facts<'static> {
    Facts { id: "07916-000201", purpose: Purpose::Stop, phone: "0903123456", ..adjust(&[]) }
}

fn child_stop(parent: &'static str, birth: NaiveDate, submitted: NaiveDate) -> Facts<'static> {
    Facts {
        kind: DeclarationKind::Child,
        ma_so: "7900000100",
        full_name: "Nguyễn Minh Đức",
        birth_date: birth,
        sex: Sex::Male,
        id_type: None,
        id_number: None,
        parent_ma_so: Some(parent),
        submitted_on: submitted,
        ..stop()
    }
}

fn child_record(parent: Option<&str>, birth: NaiveDate) -> AccountOnRecord {
    AccountOnRecord {
        ma_so_bhxh: "7900000100".into(),
        full_name: "Nguyễn Minh Đức".into(),
        birth_date: birth,
        sex: Sex::Male,
        id_number: None,
        parent_ma_so_bhxh: parent.map(str::to_owned),
        ..record()
    }
}

#[test]
fn stops_who_asks_and_what_waits() {
    // The parent's account, approved, on another phone than the child's record.
    let parents = Registry::new(vec![entry("p", "7914820031", "0911000000", DeclarationStatus::Approved)]);
    let kid = d(2015, 3, 2);
    let today = d(2025, 5, 12);
    // The holder of an account made for them as a child, asking with their own CCCD.
    let holder = |birth| Facts {
        id_type: Some(IdDocumentType::Cccd),
        id_number: Some("079207001234"),
        ..child_stop("7914820031", birth, today)
    };
    let rows: &[(&str, Facts<'static>, Option<AccountOnRecord>, &[&str])] = &[
        ("the holder stops their account", stop(), Some(record()), &[]),
        ("nothing to stop", stop(), None, &["stop.no_account"]),
        ("a stopped account", stop(), Some(AccountOnRecord { active: false, ..record() }), &["stop.no_account"]),
        // Knowing the mã số is not enough.
        (
            "a stranger who knows the mã số",
            Facts { full_name: "Trần Văn Bình", ..stop() },
            Some(record()),
            &["stop.identity"],
        ),
        (
            "a birth date not the record's",
            Facts { birth_date: d(1985, 5, 18), ..stop() },
            Some(record()),
            &["stop.identity"],
        ),
        (
            "an adult's stop without the card",
            Facts { documents: PORTRAIT, ..stop() },
            Some(record()),
            &["documents.missing_id_back", "documents.missing_id_front"],
        ),
        (
            "declarations waiting",
            stop(),
            Some(AccountOnRecord { pending_declarations: 2, ..record() }),
            &["stop.pending_declarations"],
        ),
        (
            "a benefit claim in progress",
            stop(),
            Some(AccountOnRecord { pending_benefits: 1, ..record() }),
            &["stop.pending_benefits"],
        ),
        (
            "the parent stops the child's account",
            child_stop("7914820031", kid, today),
            Some(child_record(Some("7914820031"), kid)),
            &[],
        ),
        (
            "another adult asks for the child",
            child_stop("7900000077", kid, today),
            Some(child_record(Some("7914820031"), kid)),
            &["child.parent_unverified", "stop.requester"],
        ),
        (
            "a parent asks for an account that is no child's",
            child_stop("7914820031", kid, today),
            Some(child_record(None, kid)),
            &["stop.requester"],
        ),
        (
            "the child asks for itself at 17",
            Facts { kind: DeclarationKind::Adult, parent_ma_so: None, ..holder(d(2007, 5, 13)) },
            Some(child_record(Some("7914820031"), d(2007, 5, 13))),
            &["stop.requester"],
        ),
        (
            "the holder asks on their 18th birthday",
            Facts { kind: DeclarationKind::Adult, parent_ma_so: None, ..holder(d(2007, 5, 12)) },
            Some(child_record(Some("7914820031"), d(2007, 5, 12))),
            &[],
        ),
        (
            "the parent asks once the child is 18",
            child_stop("7914820031", d(2007, 5, 12), today),
            Some(child_record(Some("7914820031"), d(2007, 5, 12))),
            &["child.too_old", "stop.requester"],
        ),
        // The age on record decides, not the one declared.
        (
            "the parent declares an 18-year-old younger",
            child_stop("7914820031", d(2010, 1, 1), today),
            Some(child_record(Some("7914820031"), d(2007, 5, 12))),
            &["stop.identity", "stop.requester"],
        ),
    ];
    for (what, f, account, expected) in rows {
        let mut want: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        want.sort();
        assert_eq!(codes_for(f, account.as_ref(), &parents), want, "{what}");
    }
}

/// A parent changes a child's account (the parent's new phone, where the child's
/// password SMS goes): the birth certificate is the evidence, not the child's card
/// (which a young child has not got), unless the change is the child's ID document.
#[test]
fn a_parent_changes_a_childs_account_with_the_birth_certificate() {
    const BIRTH: &[DocumentKind] = &[DocumentKind::BirthCertificate];
    const BIRTH_AND_CARD: &[DocumentKind] =
        &[DocumentKind::BirthCertificate, DocumentKind::IdFront, DocumentKind::IdBack];
    let parents = Registry::new(vec![entry("p", "7914820031", "0911000000", DeclarationStatus::Approved)]);
    let kid = d(2015, 3, 2);
    let today = d(2025, 5, 12);
    let on_record = AccountOnRecord { phone: Some("0911000000".into()), ..child_record(Some("7914820031"), kid) };
    let new_phone =
        vec![FieldChange { field: ChangedField::Phone, old: "0911000000".into(), new: "0912345678".into() }];
    let first_card =
        vec![FieldChange { field: ChangedField::IdDocument, old: String::new(), new: "079215001234".into() }];
    let child_adjust = |changes, documents| Facts {
        purpose: Purpose::Adjust,
        changes,
        phone: "0912345678",
        documents,
        ..child_stop("7914820031", kid, today)
    };
    let with_card = |changes, documents| Facts {
        id_type: Some(IdDocumentType::Cccd),
        id_number: Some("079215001234"),
        phone: "0911000000",
        ..child_adjust(changes, documents)
    };
    let rows: Vec<(&str, Facts<'_>, &[&str])> = vec![
        ("the parent's new phone, with the birth certificate", child_adjust(&new_phone, BIRTH), &[]),
        ("the parent's new phone, no document", child_adjust(&new_phone, &[]), &["adjust.needs_document"]),
        ("the child's first CCCD with its two sides", with_card(&first_card, BIRTH_AND_CARD), &[]),
        (
            "the child's first CCCD, the birth certificate alone",
            with_card(&first_card, BIRTH),
            &["adjust.needs_document"],
        ),
    ];
    for (what, f, expected) in rows {
        let got = codes_for(&f, Some(&on_record), &parents);
        let adjust: Vec<&str> = got.iter().map(String::as_str).filter(|c| c.starts_with("adjust.")).collect();
        assert_eq!(adjust, expected, "{what}: {got:?}");
    }
}

#[test]
fn each_new_reason_is_in_the_catalogue() {
    let reference = crate::reference::ReferenceData::get();
    for code in
        ["CHUA_CO_TAI_KHOAN", "DIEU_CHINH_KHONG_THAY_DOI", "THIEU_GIAY_TO_THAY_DOI", "NGUOI_YEU_CAU_KHONG_HOP_LE"]
    {
        assert!(reference.reason(code).is_some(), "{code} in reasons.tsv");
    }
}
