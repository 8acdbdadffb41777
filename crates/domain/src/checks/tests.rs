//! Table tests: one clean declaration, then one change at a time and the finding
//! it must (and must only) produce.

use super::*;
use crate::{DeclarationStatus, DocumentKind};

const ADULT_DOCS: &[DocumentKind] = &[DocumentKind::Portrait, DocumentKind::IdFront, DocumentKind::IdBack];
const CHILD_DOCS: &[DocumentKind] = &[DocumentKind::BirthCertificate];

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

pub(super) fn clean() -> Facts<'static> {
    Facts {
        id: "07916-000001",
        kind: DeclarationKind::Adult,
        purpose: Purpose::Register,
        changes: &[],
        ma_so: "7914820031",
        bhyt_code: None,
        full_name: "Nguyễn Thị Ánh",
        birth_date: d(1985, 5, 17),
        sex: Sex::Female,
        id_type: Some(IdDocumentType::Cccd),
        id_number: Some("079185000123"),
        province: "Thành phố Hồ Chí Minh",
        district: Some("Quận 6"),
        commune: "Phường 9",
        phone: "0903123456",
        email: Some("nguyenthianh85@example.com"),
        parent_ma_so: None,
        office_code: "07916",
        unit_code: None,
        submitted_on: d(2021, 5, 12),
        documents: ADULT_DOCS,
    }
}

/// Nobody else's declaration: the registry of an office with an empty queue.
static NOBODY: std::sync::LazyLock<Registry> = std::sync::LazyLock::new(Registry::default);

/// The checks' context with nothing but `registry`: no documents read, no units,
/// no account, no phone holders.
fn context(registry: &Registry) -> Context<'_> {
    Context {
        reference: ReferenceData::get(),
        registry,
        qr: None,
        paper: None,
        documents: &[],
        units: None,
        account: None,
        phone_holders: &[],
    }
}

fn codes_with(f: &Facts<'_>, registry: &Registry, qr: Option<&QrPayload>, paper: Option<&PaperFields>) -> Vec<String> {
    let ctx = Context { qr, paper, ..context(registry) };
    run_all(f, &ctx).into_iter().map(|x| x.code).collect()
}

fn codes(f: &Facts<'_>) -> Vec<String> {
    codes_with(f, &Registry::default(), None, None)
}

#[test]
fn a_clean_declaration_has_no_findings() {
    assert_eq!(codes(&clean()), Vec::<String>::new());
}

#[test]
fn one_change_one_finding() {
    type Change = fn(&mut Facts<'static>);
    let table: &[(&str, Change, &[&str])] = &[
        ("mã số 9 digits", |f| f.ma_so = "791482003", &["ma_so.shape"]),
        ("BHYT code of another mã số", |f| f.bhyt_code = Some("DN4797914820032"), &["ma_so.bhyt_mismatch"]),
        ("BHYT code of this mã số", |f| f.bhyt_code = Some("DN4797914820031"), &[]),
        ("new-style BHYT code", |f| f.bhyt_code = Some("7914820031"), &[]),
        ("BHYT code garbage", |f| f.bhyt_code = Some("XYZ"), &["bhyt.shape"]),
        ("CCCD 11 digits", |f| f.id_number = Some("07918500012"), &["cccd.shape"]),
        ("CCCD unknown province", |f| f.id_number = Some("099185000123"), &["cccd.province_unknown"]),
        ("CCCD says male", |f| f.id_number = Some("079085000123"), &["cccd.sex_century_mismatch"]),
        ("CCCD says born 2000s", |f| f.id_number = Some("079385000123"), &["cccd.sex_century_mismatch"]),
        ("CCCD year digits", |f| f.id_number = Some("079186000123"), &["cccd.year_mismatch"]),
        (
            "CMND 9 digits",
            |f| {
                f.id_type = Some(IdDocumentType::Cmnd);
                f.id_number = Some("025123456");
            },
            &[],
        ),
        (
            "CMND 10 digits",
            |f| {
                f.id_type = Some(IdDocumentType::Cmnd);
                f.id_number = Some("0251234567");
            },
            &["cmnd.shape"],
        ),
        (
            "Vietnamese passport",
            |f| {
                f.id_type = Some(IdDocumentType::Passport);
                f.id_number = Some("C1234567");
            },
            &[],
        ),
        (
            "bad passport",
            |f| {
                f.id_type = Some(IdDocumentType::Passport);
                f.id_number = Some("C12");
            },
            &["passport.shape"],
        ),
        ("no ID number", |f| f.id_number = None, &["id.missing"]),
        (
            "no ID back photo",
            |f| f.documents = &[DocumentKind::Portrait, DocumentKind::IdFront],
            &["documents.missing_id_back"],
        ),
        (
            "no portrait",
            |f| f.documents = &[DocumentKind::IdFront, DocumentKind::IdBack],
            &["documents.missing_portrait"],
        ),
        ("landline", |f| f.phone = "02838920913", &["phone.invalid"]),
        ("old 11-digit phone", |f| f.phone = "01689123456", &["phone.renumbered"]),
        ("+84 phone", |f| f.phone = "+84 903 123 456", &[]),
        ("bad email", |f| f.email = Some("anh@gmail"), &["email.invalid"]),
        ("no email", |f| f.email = None, &["email.missing"]),
        ("name without marks", |f| f.full_name = "Nguyen Thi Anh", &["name.no_diacritics"]),
        ("name with digits", |f| f.full_name = "Nguyễn Thị Ánh 2", &["name.invalid"]),
        ("unknown commune", |f| f.commune = "Phường 99", &["address.commune_unknown"]),
        ("unknown district", |f| f.district = Some("Quận 99"), &["address.district_unknown"]),
        ("unknown province", |f| f.province = "Tỉnh Sài Gòn Cũ", &["address.province_unknown"]),
        (
            "ASCII address",
            |f| {
                f.province = "TP Ho Chi Minh";
                f.district = Some("quan 6");
                f.commune = "phuong 9";
            },
            &[],
        ),
        (
            "two-level address after the reform",
            |f| {
                f.submitted_on = d(2026, 11, 20);
                f.district = None;
                f.commune = "Phường Bình Tây";
            },
            &[],
        ),
        (
            "three-level address name after the reform",
            |f| {
                f.submitted_on = d(2026, 11, 20);
                f.commune = "Phường 9";
            },
            &["address.commune_unknown"],
        ),
        (
            "address outside the office's district",
            |f| {
                f.district = Some("Quận 5");
                f.commune = "Phường 1";
            },
            &["office.outside_area"],
        ),
        ("unknown office", |f| f.office_code = "07999", &["office.unknown"]),
    ];
    for (what, change, want) in table {
        let mut f = clean();
        change(&mut f);
        assert_eq!(codes(&f), want.iter().map(|s| s.to_string()).collect::<Vec<_>>(), "{what}");
    }
}

pub(super) fn entry(id: &str, ma_so: &str, phone: &str, status: DeclarationStatus) -> RegistryEntry {
    RegistryEntry {
        declaration_id: id.into(),
        ma_so: ma_so.into(),
        id_number: None,
        phone: Some(phone.into()),
        birth_date: Some(d(1980, 1, 1)),
        status,
        is_child: false,
        parent_ma_so: None,
    }
}

#[test]
fn one_phone_one_ma_so() {
    let f = clean();
    let r = Registry::new(vec![entry("07916-000009", "7900000009", "090.312.3456", DeclarationStatus::Approved)]);
    assert_eq!(codes_with(&f, &r, None, None), ["phone.taken"]);
    // Its own earlier declaration, or a rejected one, does not count.
    let r = Registry::new(vec![
        entry("07916-000001", "7914820031", "0903123456", DeclarationStatus::Pending),
        entry("07916-000002", "7900000002", "0903123456", DeclarationStatus::Rejected),
    ]);
    assert_eq!(codes_with(&f, &r, None, None), Vec::<String>::new());
    // The old 11-digit form of the same number is the same number.
    let r = Registry::new(vec![entry("x", "7900000009", "01689123456", DeclarationStatus::Approved)]);
    let mut f2 = clean();
    f2.phone = "0389123456";
    assert_eq!(codes_with(&f2, &r, None, None), ["phone.taken"]);
}

#[test]
fn duplicates() {
    let f = clean();
    let r = Registry::new(vec![entry("07916-000005", "7914820031", "0911111111", DeclarationStatus::Pending)]);
    assert_eq!(codes_with(&f, &r, None, None), ["duplicate.pending_ma_so"]);
    let mut other = entry("07916-000006", "7900000006", "0911111112", DeclarationStatus::Approved);
    other.id_number = Some("079185000123".into());
    let r = Registry::new(vec![other]);
    assert_eq!(codes_with(&f, &r, None, None), ["duplicate.id_other_ma_so"]);
}

#[test]
fn children() {
    let child = || Facts {
        kind: DeclarationKind::Child,
        ma_so: "7900000100",
        full_name: "Nguyễn Minh Đức",
        birth_date: d(2015, 3, 2),
        sex: Sex::Male,
        id_type: None,
        id_number: None,
        parent_ma_so: Some("7914820031"),
        documents: CHILD_DOCS,
        ..clean()
    };
    assert_eq!(codes(&child()), ["child.parent_unverified"]);
    let approved = Registry::new(vec![entry("p", "7914820031", "0903123456", DeclarationStatus::Approved)]);
    assert_eq!(codes_with(&child(), &approved, None, None), ["phone.family"], "the parent's phone is the family's");
    // The parent's account on another phone, for the rules below.
    let approved = Registry::new(vec![entry("p", "7914820031", "0911000000", DeclarationStatus::Approved)]);
    let pending = Registry::new(vec![entry("p", "7914820031", "0911000000", DeclarationStatus::Pending)]);
    assert_eq!(codes_with(&child(), &pending, None, None), ["child.parent_not_approved"]);
    let mut f = child();
    f.birth_date = d(2003, 1, 1);
    assert_eq!(codes_with(&f, &approved, None, None), ["child.too_old"]);
    let mut f = child();
    f.documents = &[];
    assert_eq!(codes_with(&f, &approved, None, None), ["child.no_birth_certificate"]);
    let mut f = child();
    f.parent_ma_so = Some("7900000100");
    assert_eq!(codes(&f), ["child.parent_is_child"]);
    let mut f = child();
    f.parent_ma_so = None;
    assert_eq!(codes(&f), ["child.parent_missing"]);
    let mut young = entry("p", "7914820031", "0911000000", DeclarationStatus::Approved);
    young.birth_date = Some(d(2005, 1, 1));
    assert_eq!(codes_with(&child(), &Registry::new(vec![young]), None, None), ["child.parent_age_gap"]);
}

#[test]
fn qr_against_the_declaration() {
    let f = clean();
    let qr = |text: &str| text.parse::<QrPayload>().expect("qr");
    let same = qr("079185000123|025123456|Nguyễn Thị Ánh|17051985|Nữ|12 Hậu Giang, Phường 11, Quận 6|20042021");
    assert_eq!(codes_with(&f, &Registry::default(), Some(&same), None), Vec::<String>::new());
    let upper = qr("079185000123||NGUYỄN THỊ ÁNH|17051985|Nữ|Địa chỉ cũ|20042021");
    assert_eq!(
        codes_with(&f, &Registry::default(), Some(&upper), None),
        Vec::<String>::new(),
        "case and old address do not matter"
    );
    let marks = qr("079185000123||Nguyễn Thị Anh|17051985|Nữ|x|20042021");
    assert_eq!(codes_with(&f, &Registry::default(), Some(&marks), None), ["qr.name_diacritics"]);
    let other = qr("079185000124||Trần Thị Ánh|18051985|Nam|x|20042021");
    assert_eq!(
        codes_with(&f, &Registry::default(), Some(&other), None),
        ["qr.id_mismatch", "qr.name_mismatch", "qr.birth_date_mismatch", "qr.sex_mismatch"]
    );
}

#[test]
fn paper_form_against_the_declaration() {
    let f = clean();
    let ok = PaperFields {
        ma_so: Some("79 1482 0031".into()),
        full_name: Some("NGUYỄN THỊ ÁNH".into()),
        id_number: Some("079 185 000 123".into()),
        phone: Some("+84903123456".into()),
        signed: Some(true),
        by_ocr: false,
        doubtful: vec![],
    };
    assert_eq!(codes_with(&f, &Registry::default(), None, Some(&ok)), Vec::<String>::new());
    let bad = PaperFields {
        ma_so: Some("7914820032".into()),
        full_name: Some("Nguyễn Thị Ánh Hồng".into()),
        signed: Some(false),
        ..ok.clone()
    };
    assert_eq!(
        codes_with(&f, &Registry::default(), None, Some(&bad)),
        ["paper.ma_so_mismatch", "paper.name_mismatch", "paper.unsigned"]
    );
    // Read by OCR: a confident difference still blocks (and says how it was read);
    // a doubtful one is only a note, never a Block on its own.
    use crate::mau01::FormField;
    let ocr = PaperFields { by_ocr: true, doubtful: vec![FormField::FullName], ..bad };
    let ctx = Context { paper: Some(&ocr), ..context(&NOBODY) };
    let found = run_all(&f, &ctx);
    let severity = |code: &str| found.iter().find(|x| x.code == code).map(|x| x.severity);
    assert_eq!(severity("paper.ma_so_mismatch"), Some(Severity::Block));
    assert_eq!(severity("paper.name_mismatch"), Some(Severity::Info));
    assert!(found.iter().any(|x| x.code == "paper.ma_so_mismatch" && x.message.vi.contains("máy đọc từ bản quét")));
}

/// The paper's name against the declared "Nguyễn Thị Ánh", with its marks: what
/// a form printed or typed says is compared letter and mark; OCR's reading of marks
/// is only a note.
#[test]
fn paper_name_is_compared_with_its_marks() {
    use Severity::*;
    let f = clean();
    let cases: &[(&str, bool, Option<(&str, Severity)>)] = &[
        ("Nguyễn Thị Ánh", false, None),
        ("NGUYỄN THỊ ÁNH", false, None),
        ("  nguyễn  thị ánh ", false, None),
        ("Nguyễn Thị Anh", false, Some(("paper.name_marks", Warn))),
        ("Nguyễn Thị Ảnh", false, Some(("paper.name_marks", Warn))),
        ("Nguyên Thị Ánh", false, Some(("paper.name_marks", Warn))),
        ("NGUYEN THI ANH", false, Some(("paper.name_marks", Warn))),
        ("Nguyễn Thị Anh", true, Some(("paper.name_marks", Info))),
        ("Nguyễn Thị Ánh Hồng", false, Some(("paper.name_mismatch", Block))),
        ("Nguyễn Thị Ánh Hồng", true, Some(("paper.name_mismatch", Block))),
    ];
    for (paper_name, by_ocr, expected) in cases {
        let p = PaperFields {
            full_name: Some((*paper_name).into()),
            signed: Some(true),
            by_ocr: *by_ocr,
            ..Default::default()
        };
        let ctx = Context { paper: Some(&p), ..context(&NOBODY) };
        let found: Vec<_> = run_all(&f, &ctx).into_iter().filter(|x| x.code.starts_with("paper.name")).collect();
        let got = found.first().map(|x| (x.code.as_str(), x.severity));
        assert_eq!(got, *expected, "{paper_name:?} (OCR: {by_ocr})");
        if let Some(x) = found.first().filter(|x| x.code == "paper.name_marks") {
            // Both spellings, so the officer need not look for the difference.
            assert!(
                x.message.vi.contains(paper_name.trim()) && x.message.vi.contains("Nguyễn Thị Ánh"),
                "{}",
                x.message.vi
            );
            assert_eq!(x.reason.is_some(), !by_ocr);
        }
    }
}

/// A form whose signing space could not be read says so (Info), never "unsigned".
#[test]
fn an_unreadable_signing_space_is_said_not_guessed() {
    let f = clean();
    let p = PaperFields { ma_so: Some("7914820031".into()), signed: None, ..Default::default() };
    assert_eq!(codes_with(&f, &Registry::default(), None, Some(&p)), ["paper.signature_unknown"]);
}

#[test]
fn suggestions_follow_the_blocking_reasons() {
    let reference = ReferenceData::get();
    let run = |f: &Facts<'_>, r: &Registry| verdict(&run_all(f, &context(r)), reference);
    assert_eq!(run(&clean(), &Registry::default()).suggested, SuggestedOutcome::Approve);
    let mut f = clean();
    f.documents = &[DocumentKind::Portrait, DocumentKind::IdFront];
    assert_eq!(
        run(&f, &Registry::default()).suggested,
        SuggestedOutcome::Resubmit { reasons: vec!["THIEU_MAT_SAU".into()] }
    );
    let r = Registry::new(vec![entry("x", "7900000009", "0903123456", DeclarationStatus::Approved)]);
    let v = run(&f, &r);
    assert_eq!(v.suggested, SuggestedOutcome::Reject { reasons: vec!["SDT_DA_DANG_KY".into()] });
    assert_eq!(v.blocks, 2);
    let mut f = clean();
    f.id_number = Some("079086000123");
    let v = run(&f, &Registry::default());
    assert_eq!((v.blocks, v.warnings, v.suggested), (0, 2, SuggestedOutcome::Approve), "warnings alone never block");
}

#[test]
fn document_facts_become_warnings_and_an_honest_no_qr() {
    use crate::{DocumentFacts, ImageQuality, QrReading, QualityFlag};
    let f = clean();
    let quality = |flags: Vec<QualityFlag>| ImageQuality {
        width: 2000,
        height: 1500,
        sharpness: 10.0,
        mean_luma: 40.0,
        contrast: 30.0,
        flags,
    };
    let docs = vec![
        DocumentFacts {
            kind: DocumentKind::IdFront,
            quality: Some(quality(vec![QualityFlag::Blurred, QualityFlag::Dark])),
            qr: QrReading::NotFound,
            unreadable: None,
            ocr: None,
        },
        DocumentFacts {
            kind: DocumentKind::IdBack,
            quality: None,
            qr: QrReading::NotFound,
            unreadable: Some("tệp bị cắt cụt".into()),
            ocr: None,
        },
    ];
    let ctx = Context { documents: &docs, ..context(&NOBODY) };
    let found = run_all(&f, &ctx);
    let codes: Vec<&str> = found.iter().map(|x| x.code.as_str()).collect();
    for code in ["image.blurred.id_front", "image.dark.id_front", "image.unreadable.id_back", "qr.not_found"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    assert!(found.iter().all(|x| x.severity != Severity::Block), "pixel estimates never block: {found:?}");

    // A QR that was read and parsed: no "not found".
    let qr: QrPayload = "079185000123||Nguyễn Thị Ánh|17051985|Nữ|TP Hồ Chí Minh|20042021".parse().expect("qr");
    let ctx = Context { qr: Some(&qr), ..ctx };
    assert!(!run_all(&f, &ctx).iter().any(|x| x.code.starts_with("qr.not_")));
}

#[test]
fn an_id_front_read_by_ocr_is_compared_when_there_is_no_qr() {
    use crate::mau01::{FormField, OcrField, OcrReading};
    use crate::{DocumentFacts, QrReading};
    let front = |number: (&str, u8), name: (&str, u8)| {
        let field = |field, (value, conf): (&str, u8)| OcrField { field, value: value.into(), conf, bbox: [0.0; 4] };
        vec![DocumentFacts {
            kind: DocumentKind::IdFront,
            quality: None,
            qr: QrReading::NotFound,
            unreadable: None,
            ocr: Some(OcrReading {
                mean_conf: 85,
                fields: vec![field(FormField::IdNumber, number), field(FormField::FullName, name)],
                skew_deg: 0.0,
            }),
        }]
    };
    let f = clean();
    let run = |docs: &[DocumentFacts], qr: Option<&QrPayload>| -> Vec<(String, Severity)> {
        let ctx = Context { qr, documents: docs, ..context(&NOBODY) };
        run_all(&f, &ctx).into_iter().filter(|x| x.code.starts_with("id_ocr.")).map(|x| (x.code, x.severity)).collect()
    };
    let agree = front(("079185000123", 92), ("NGUYỄN THỊ ÁNH", 88));
    assert_eq!(run(&agree, None), vec![], "the card's capitals are the declared name");
    let other = front(("079185000124", 92), ("NGUYỄN THỊ ÁNH", 88));
    assert_eq!(run(&other, None), vec![("id_ocr.number_mismatch".into(), Severity::Block)]);
    // Unsure: a note, never a Block.
    let unsure = front(("079185000124", 41), ("TRẦN VĂN BÌNH", 35));
    assert_eq!(
        run(&unsure, None),
        vec![("id_ocr.number_doubtful".into(), Severity::Info), ("id_ocr.name_doubtful".into(), Severity::Info)]
    );
    let accents = front(("079185000123", 90), ("NGUYEN THI ANH", 90));
    assert_eq!(run(&accents, None), vec![("id_ocr.name_diacritics".into(), Severity::Info)]);
    let name = front(("079185000123", 90), ("TRẦN VĂN BÌNH", 90));
    assert_eq!(run(&name, None), vec![("id_ocr.name_mismatch".into(), Severity::Block)]);
    // A passport's other numbers are not its number.
    let passport = Facts { id_type: Some(IdDocumentType::Passport), id_number: Some("B1234567"), ..clean() };
    let ctx = Context { documents: &other, ..context(&NOBODY) };
    assert!(!run_all(&passport, &ctx).iter().any(|x| x.code.starts_with("id_ocr.number")));
    // A readable QR code is the better reading: OCR is not consulted.
    let qr: QrPayload = "079185000123||Nguyễn Thị Ánh|17051985|Nữ|TP Hồ Chí Minh|20042021".parse().expect("qr");
    assert_eq!(run(&other, Some(&qr)), vec![]);
}

/// The phone rule for families sharing a parent's phone and for declarations still
/// waiting: an account on record is a Block, another waiting declaration a Warn.
#[test]
fn phones_of_families_and_of_waiting_declarations() {
    use DeclarationStatus::*;
    const PARENT: &str = "7914820031"; // clean()'s mã số: the parent
    const PHONE: &str = "0903123456";
    let child = |id: &'static str, ma_so: &'static str, parent: &'static str| Facts {
        id,
        kind: DeclarationKind::Child,
        ma_so,
        full_name: "Nguyễn Minh Đức",
        birth_date: d(2015, 3, 2),
        sex: Sex::Male,
        id_type: None,
        id_number: None,
        parent_ma_so: Some(parent),
        documents: CHILD_DOCS,
        ..clean()
    };
    let other = |id: &str, ma_so: &str, status| entry(id, ma_so, PHONE, status);
    let kid = |id: &str, ma_so: &str, parent: &str, status| RegistryEntry {
        is_child: true,
        parent_ma_so: Some(parent.into()),
        birth_date: Some(d(2017, 6, 1)),
        ..other(id, ma_so, status)
    };
    let adult = clean();
    let first = child("07916-000101", "7900000101", PARENT);
    let guarded = child("07916-000103", "7900000103", "7900000777");
    let of_a_child = child("07916-000105", "7900000105", "7900000101");
    let cases: Vec<(&str, &Facts<'_>, Vec<RegistryEntry>, &[&str])> = vec![
        ("child, parent approved", &first, vec![other("p", PARENT, Approved)], &["phone.family"]),
        ("child, parent still waiting", &first, vec![other("p", PARENT, Pending)], &["phone.family"]),
        ("child, guardian approved", &guarded, vec![other("g", "7900000777", Approved)], &["phone.family"]),
        ("parent, own child waiting", &adult, vec![kid("c1", "7900000101", PARENT, Pending)], &["phone.family"]),
        ("parent, own child approved", &adult, vec![kid("c1", "7900000101", PARENT, Approved)], &["phone.family"]),
        (
            "parent, three children",
            &adult,
            vec![
                kid("c1", "7900000101", PARENT, Approved),
                kid("c2", "7900000102", PARENT, Pending),
                kid("c3", "7900000104", PARENT, Escalated),
            ],
            &["phone.family"],
        ),
        (
            "child, a sibling waiting and one approved",
            &first,
            vec![
                other("p", PARENT, Approved),
                kid("c2", "7900000102", PARENT, Pending),
                kid("c3", "7900000104", PARENT, Approved),
            ],
            &["phone.family"],
        ),
        ("adult, a stranger's account", &adult, vec![other("x", "7900000009", Approved)], &["phone.taken"]),
        ("adult, a stranger waiting", &adult, vec![other("x", "7900000009", Pending)], &["phone.shared_pending"]),
        ("adult, a stranger escalated", &adult, vec![other("x", "7900000009", Escalated)], &["phone.shared_pending"]),
        (
            "adult, a stranger asked to re-submit",
            &adult,
            vec![other("x", "7900000009", Resubmit)],
            &["phone.shared_pending"],
        ),
        ("adult, a stranger rejected", &adult, vec![other("x", "7900000009", Rejected)], &[]),
        (
            "adult, a stranger's child waiting",
            &adult,
            vec![kid("k", "7900000201", "7900000200", Pending)],
            &["phone.shared_pending"],
        ),
        (
            "child, the parent and a stranger's account",
            &first,
            vec![other("p", PARENT, Approved), other("x", "7900000009", Approved)],
            &["phone.taken", "phone.family"],
        ),
        (
            "child naming another child as parent: no family",
            &of_a_child,
            vec![kid("c1", "7900000101", PARENT, Approved)],
            &["phone.taken"],
        ),
        (
            "adult, an account and a waiting one",
            &adult,
            vec![other("x", "7900000009", Approved), other("y", "7900000010", Pending)],
            &["phone.taken", "phone.shared_pending"],
        ),
    ];
    for (what, f, entries, want) in cases {
        let found = codes_with(f, &Registry::new(entries), None, None);
        let phone: Vec<&str> = found.iter().map(String::as_str).filter(|c| c.starts_with("phone.")).collect();
        assert_eq!(phone, want, "{what}");
    }
    // The same rule for accounts the register holds that the office has no
    // declaration of (the central service's answer, compared across its register).
    let holder = |ma_so: &str, parent: Option<&str>| crate::PhoneHolder {
        ma_so_bhxh: ma_so.into(),
        parent_ma_so_bhxh: parent.map(Into::into),
    };
    let held: Vec<(&str, &Facts<'_>, Vec<crate::PhoneHolder>, &[&str])> = vec![
        ("adult, a stranger's old account", &adult, vec![holder("7900000009", None)], &["phone.taken"]),
        ("adult, its own account", &adult, vec![holder(PARENT, None)], &[]),
        ("child, the parent's account", &first, vec![holder(PARENT, None)], &["phone.family"]),
        ("parent, a child's account", &adult, vec![holder("7900000101", Some(PARENT))], &["phone.family"]),
        ("child, a sibling's account", &first, vec![holder("7900000102", Some(PARENT))], &["phone.family"]),
        ("child, another family's child", &first, vec![holder("7900000202", Some("7900000200"))], &["phone.taken"]),
        (
            "child naming another child as parent: no family",
            &of_a_child,
            vec![holder("7900000101", Some(PARENT))],
            &["phone.taken"],
        ),
        (
            "child, the parent and a stranger",
            &first,
            vec![holder(PARENT, None), holder("7900000009", None)],
            &["phone.taken", "phone.family"],
        ),
    ];
    for (what, f, holders, want) in held {
        let ctx = Context { phone_holders: &holders, ..context(&NOBODY) };
        let found: Vec<String> = run_all(f, &ctx).into_iter().map(|x| x.code).collect();
        let phone: Vec<&str> = found.iter().map(String::as_str).filter(|c| c.starts_with("phone.")).collect();
        assert_eq!(phone, want, "{what}");
    }
}

/// Two strangers' declarations waiting with one phone: a Warn on both, naming the
/// other, and neither is suggested a rejection for the other's declaration.
#[test]
fn a_phone_two_waiting_declarations_give_is_a_warning_on_both() {
    let reference = ReferenceData::get();
    let a = clean();
    let b = Facts { id: "07916-000002", ma_so: "7900000009", full_name: "Trần Văn Bình", ..clean() };
    let registry = Registry::new(vec![
        entry(a.id, a.ma_so, a.phone, DeclarationStatus::Pending),
        entry(b.id, b.ma_so, b.phone, DeclarationStatus::Pending),
    ]);
    for (me, them) in [(&a, &b), (&b, &a)] {
        let ctx = context(&registry);
        let found = run_all(me, &ctx);
        let warn = found.iter().find(|x| x.code == "phone.shared_pending").expect("a warning");
        assert_eq!(warn.severity, Severity::Warn);
        assert!(warn.message.vi.contains(them.id), "{}", warn.message.vi);
        assert_ne!(
            verdict(&found, reference).suggested,
            SuggestedOutcome::Reject { reasons: vec!["SDT_DA_DANG_KY".into()] }
        );
        assert_eq!(verdict(&found, reference).suggested, SuggestedOutcome::Approve);
    }
}

#[test]
fn birth_dates_that_cannot_be() {
    let cases = [
        // (birth, submitted, finding)
        (d(2021, 5, 12), d(2021, 5, 12), None),
        (d(2021, 5, 13), d(2021, 5, 12), Some("birth.after_submission")),
        (d(2030, 1, 1), d(2021, 5, 12), Some("birth.after_submission")),
        (d(1901, 5, 12), d(2021, 5, 12), None),
        (d(1901, 5, 11), d(2021, 5, 12), Some("birth.too_old")),
        (d(1900, 1, 1), d(2021, 5, 12), Some("birth.too_old")),
        (d(1904, 2, 29), d(2024, 2, 29), None),
        (d(1904, 2, 28), d(2024, 2, 29), Some("birth.too_old")),
    ];
    for (birth, sent, want) in cases {
        let f = Facts { birth_date: birth, submitted_on: sent, id_type: None, id_number: None, ..clean() };
        let found: Vec<String> = codes(&f).into_iter().filter(|c| c.starts_with("birth.")).collect();
        assert_eq!(found, want.map(String::from).into_iter().collect::<Vec<_>>(), "born {birth}, sent {sent}");
    }
    let f = Facts { birth_date: d(2030, 1, 1), id_type: None, id_number: None, ..clean() };
    let ctx = context(&NOBODY);
    let x = run_all(&f, &ctx).into_iter().find(|x| x.code == "birth.after_submission").expect("finding");
    assert_eq!((x.severity, x.reason.as_deref()), (Severity::Block, Some("NGAY_SINH_SAI")));
    assert!(x.message.vi.contains("01/01/2030"), "{}", x.message.vi);
}

/// CMND cards stopped being valid on 31/12/2024 (Luật Căn cước 2023, art. 46).
#[test]
fn a_cmnd_after_2024_is_a_warning_that_asks_for_the_cccd() {
    let reference = ReferenceData::get();
    let cases = [(d(2024, 12, 31), false), (d(2025, 1, 1), true), (d(2026, 12, 3), true), (d(2021, 5, 12), false)];
    for (sent, warned) in cases {
        let f =
            Facts { id_type: Some(IdDocumentType::Cmnd), id_number: Some("025123456"), submitted_on: sent, ..clean() };
        let found = run_all(&f, &context(&NOBODY));
        let x = found.iter().find(|x| x.code == "cmnd.no_longer_valid");
        assert_eq!(x.is_some(), warned, "sent {sent}");
        if let Some(x) = x {
            assert_eq!((x.severity, x.reason.as_deref()), (Severity::Warn, Some("CMND_HET_HIEU_LUC")));
            let reason = reference.reason("CMND_HET_HIEU_LUC").expect("in reasons.tsv");
            assert!(reason.citizen_vi.contains("định danh cá nhân"), "{}", reason.citizen_vi);
        }
    }
}

/// Each finding's reason says what the finding is about.
#[test]
fn every_finding_suggests_the_reason_that_fits_it() {
    let reference = ReferenceData::get();
    let reason_of = |f: &Facts<'_>, qr: Option<&QrPayload>, code: &str| {
        let ctx = Context { qr, ..context(&NOBODY) };
        run_all(f, &ctx).into_iter().find(|x| x.code == code).and_then(|x| x.reason)
    };
    let no_front = Facts { documents: &[DocumentKind::Portrait, DocumentKind::IdBack], ..clean() };
    assert_eq!(reason_of(&no_front, None, "documents.missing_id_front").as_deref(), Some("THIEU_MAT_TRUOC"));
    let no_back = Facts { documents: &[DocumentKind::Portrait, DocumentKind::IdFront], ..clean() };
    assert_eq!(reason_of(&no_back, None, "documents.missing_id_back").as_deref(), Some("THIEU_MAT_SAU"));
    let qr: QrPayload = "079185000123||Nguyễn Thị Ánh|17051985|Nam|x|20042021".parse().expect("qr");
    assert_eq!(reason_of(&clean(), Some(&qr), "qr.sex_mismatch").as_deref(), Some("GIOI_TINH_SAI"));
    let qr: QrPayload = "079185000123||Nguyễn Thị Ánh|18051985|Nữ|x|20042021".parse().expect("qr");
    assert_eq!(reason_of(&clean(), Some(&qr), "qr.birth_date_mismatch").as_deref(), Some("NGAY_SINH_SAI"));
    let male = Facts { sex: Sex::Male, ..clean() };
    assert_eq!(reason_of(&male, None, "cccd.sex_century_mismatch").as_deref(), Some("GIOI_TINH_SAI"));
    for code in ["THIEU_MAT_TRUOC", "GIOI_TINH_SAI", "CMND_HET_HIEU_LUC", "MA_DON_VI_SAI"] {
        assert!(reference.reason(code).is_some(), "{code} in reasons.tsv");
    }
}

/// The employer unit code: shape, spreadsheet formulas, and whether the unit is one
/// of the receiving office's (only when the office's list is known).
#[test]
fn the_employer_unit_code_is_checked() {
    use crate::{OfficeUnits, UnitCode};
    let units = OfficeUnits {
        office_code: "07916".into(),
        codes: ["SQ0007Q", "SQ0112Q"].iter().map(|c| c.parse::<UnitCode>().expect("code")).collect(),
    };
    let other_office = OfficeUnits { office_code: "07920".into(), ..units.clone() };
    let empty = OfficeUnits { office_code: "07916".into(), codes: Default::default() };
    // (unit as typed, the office's list, the finding)
    let cases: &[(Option<&str>, Option<&OfficeUnits>, Option<&str>)] = &[
        (None, Some(&units), None),
        (Some("SQ0007Q"), Some(&units), None),
        (Some(" sq0112q "), Some(&units), None),
        (Some("SQ0007Q"), None, None),
        (Some("TQ0045Q"), Some(&units), Some("unit.other_office")),
        (Some("YC0018C"), Some(&units), Some("unit.other_office")),
        // A list of another office, or an empty list, says nothing about this one.
        (Some("YC0018C"), Some(&other_office), None),
        (Some("YC0018C"), Some(&empty), None),
        (Some("SQ007Q"), Some(&units), Some("unit.malformed")),
        (Some("SQ0007Q;DROP"), None, Some("unit.malformed")),
        (Some("=HYPERLINK(\"http://x\",\"SQ0007Q\")"), Some(&units), Some("unit.malformed")),
        (Some("@SUM(1+1)"), None, Some("unit.malformed")),
        (Some(""), Some(&units), None),
        (Some("   "), None, None),
    ];
    for (typed, list, expected) in cases {
        let f = Facts { unit_code: *typed, ..clean() };
        let ctx = Context { units: *list, ..context(&NOBODY) };
        let found: Vec<_> = run_all(&f, &ctx).into_iter().filter(|x| x.code.starts_with("unit.")).collect();
        assert_eq!(found.first().map(|x| x.code.as_str()), *expected, "{typed:?}");
        if let Some(x) = found.first() {
            assert_eq!((x.severity, x.reason.as_deref()), (Severity::Warn, Some("MA_DON_VI_SAI")), "{typed:?}");
            assert!(!x.message.vi.contains('\t') && x.message.vi.chars().count() < 260, "{}", x.message.vi);
        }
    }
    let formula = Facts { unit_code: Some("=1+1"), ..clean() };
    let ctx = context(&NOBODY);
    let x = run_all(&formula, &ctx).into_iter().find(|x| x.code == "unit.malformed").expect("finding");
    assert!(x.message.vi.contains("công thức"), "{}", x.message.vi);
}
