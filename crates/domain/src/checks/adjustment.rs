//! An adjustment (Mẫu 01, "điều chỉnh thông tin") moves where the password SMS and
//! the OTP e-mails go: an account take-over starts with one, so it is reviewed as
//! seriously as a registration. The declaration's own fields carry the new values,
//! so the rules every declaration gets run on them: a new phone already on another
//! account is `phone.taken`, a new CCCD that does not fit the birth date and sex is
//! a `cccd.*` finding, a QR code that disagrees with the new name is `qr.*`. Here
//! is what only a change has, checked against the account on record, never against
//! the citizen's own word: what counts as changed is every field the declaration
//! gives otherwise than the record, listed as a change or not.

use super::{Context, Facts, Finding, Severity::*, field};
use crate::{AccountOnRecord, ChangedField, DocumentKind, FieldChange, PersonName, PhoneVn, Purpose};
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// A phone or e-mail changed within this many calendar days (Hà Nội) after a password
/// reset, or with a reset after the submission, gets a second look.
pub const AFTER_RESET_DAYS: i64 = 7;

/// The changes that need the new card's photos (both sides) and a portrait: what
/// the card shows, and where the password SMS and OTP e-mails go.
const NEED_CARD: [ChangedField; 6] = [
    ChangedField::IdDocument,
    ChangedField::FullName,
    ChangedField::BirthDate,
    ChangedField::Sex,
    ChangedField::Phone,
    ChangedField::Email,
];

/// The field key the UI shows a change beside.
pub(super) fn field_key(c: ChangedField) -> &'static str {
    match c {
        ChangedField::Phone => field::PHONE,
        ChangedField::Email => field::EMAIL,
        ChangedField::IdDocument => field::ID_NUMBER,
        ChangedField::Address => field::ADDRESS,
        ChangedField::FullName => field::FULL_NAME,
        ChangedField::BirthDate => field::BIRTH_DATE,
        ChangedField::Sex => field::SEX,
        ChangedField::MaSo => field::MA_SO,
    }
}

fn label_vi(c: ChangedField) -> &'static str {
    c.label_vi()
}

fn date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    ["%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"].into_iter().find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

/// The sex as one word whatever language or letter case it was written in.
fn sex_word(s: &str) -> String {
    match s.trim().to_lowercase().as_str() {
        "nam" | "male" | "m" => "male".into(),
        "nữ" | "nu" | "female" | "f" => "female".into(),
        other => other.to_owned(),
    }
}

/// Whether two values of `field` are the same value, however each was written
/// (spaces, letter case, an old 11-digit phone, a date as dd/mm/yyyy or ISO).
/// A name keeps its diacritics ("Đức" and "Dức" differ) but not its Unicode form.
pub(super) fn same(field: ChangedField, a: &str, b: &str) -> bool {
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    match field {
        ChangedField::Phone => match (PhoneVn::parse(a), PhoneVn::parse(b)) {
            (Ok(x), Ok(y)) => x.phone == y.phone,
            _ => words(a) == words(b),
        },
        ChangedField::BirthDate => match (date(a), date(b)) {
            (Some(x), Some(y)) => x == y,
            _ => words(a) == words(b),
        },
        ChangedField::Sex => sex_word(a) == sex_word(b),
        ChangedField::IdDocument | ChangedField::MaSo => {
            let digits = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
            digits(a) == digits(b)
        }
        ChangedField::FullName => match (a.parse::<PersonName>(), b.parse::<PersonName>()) {
            (Ok(x), Ok(y)) => matches!(x.compare(&y), crate::NameMatch::Equal | crate::NameMatch::EqualIgnoringCase),
            _ => words(a) == words(b),
        },
        ChangedField::Address => crate::reference::address_key(a) == crate::reference::address_key(b),
        ChangedField::Email => words(a) == words(b),
    }
}

/// What the register has for `field`, as text; `None` where it holds nothing to compare.
pub(super) fn on_record(acc: &AccountOnRecord, field: ChangedField) -> Option<String> {
    match field {
        ChangedField::Phone => acc.phone.clone(),
        ChangedField::Email => acc.email.clone(),
        ChangedField::IdDocument => acc.id_number.clone(),
        ChangedField::FullName => Some(acc.full_name.clone()),
        ChangedField::BirthDate => Some(acc.birth_date.format("%d/%m/%Y").to_string()),
        ChangedField::Sex => Some(acc.sex.label_vi().to_owned()),
        ChangedField::MaSo => Some(acc.ma_so_bhxh.clone()),
        // Addresses are written too many ways to compare as text (and renamed in 2025).
        ChangedField::Address => None,
    }
}

/// What the declaration itself says for `field` (the new value).
fn declared(f: &Facts<'_>, field: ChangedField) -> Option<String> {
    match field {
        ChangedField::Phone => Some(f.phone.to_owned()),
        ChangedField::Email => f.email.map(str::to_owned),
        ChangedField::IdDocument => f.id_number.map(str::to_owned),
        ChangedField::FullName => Some(f.full_name.to_owned()),
        ChangedField::BirthDate => Some(f.birth_date.format("%d/%m/%Y").to_string()),
        ChangedField::Sex => Some(f.sex.label_vi().to_owned()),
        ChangedField::MaSo => Some(f.ma_so.to_owned()),
        ChangedField::Address => None,
    }
}

/// One line of an adjustment's review: a field that changes, with what the record
/// holds, what the citizen said was there, and the new value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeLine {
    pub field: ChangedField,
    /// The checks' field key (`phone`, `id_number`…): where the line sits in the form.
    pub key: &'static str,
    pub on_record: Option<String>,
    /// What the citizen declared as the old value (listed changes only).
    pub declared_old: Option<String>,
    pub new: Option<String>,
    /// Listed by the citizen as a change (else found by comparing with the record).
    pub listed: bool,
}

/// What an adjustment changes, listed by the citizen or found against the record, in
/// the order of [`ChangedField::ALL`]. Empty for anything but an adjustment.
pub fn change_lines(f: &Facts<'_>, acc: Option<&AccountOnRecord>) -> Vec<ChangeLine> {
    if f.purpose != Purpose::Adjust {
        return Vec::new();
    }
    let mut out = Vec::new();
    for &c in ChangedField::ALL {
        let listed = f.changes.iter().find(|l| l.field == c && !same(c, &l.old, &l.new));
        let record = acc.and_then(|a| on_record(a, c));
        let now = declared(f, c);
        let differs = matches!((&record, &now), (Some(r), Some(n)) if !same(c, r, n));
        if listed.is_none() && (!differs || c == ChangedField::MaSo) {
            continue;
        }
        out.push(ChangeLine {
            field: c,
            key: field_key(c),
            on_record: record,
            declared_old: listed.map(|l| l.old.clone()),
            new: now.or_else(|| listed.map(|l| l.new.clone())),
            listed: listed.is_some(),
        });
    }
    out
}

fn no_account() -> Finding {
    Finding::new(
        "adjust.no_account",
        Block,
        &[field::MA_SO],
        "Mã số BHXH này chưa có tài khoản giao dịch điện tử đang dùng: không điều chỉnh được, người dân cần đăng ký mới.",
        "This social insurance number has no active e-transaction account: nothing to adjust; the citizen must register.",
    )
    .reason("CHUA_CO_TAI_KHOAN")
}

pub fn check(f: &Facts<'_>, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if f.purpose != Purpose::Adjust {
        return;
    }
    let Some(acc) = super::requester::active_account(f, ctx.account) else {
        out.push(no_account());
        return;
    };
    super::requester::check(f, acc, "adjust", out);
    let listed: Vec<&FieldChange> = f.changes.iter().filter(|c| !same(c.field, &c.old, &c.new)).collect();
    let differs_from_record = |c: ChangedField| match (on_record(acc, c), declared(f, c)) {
        (Some(record), Some(now)) => !same(c, &record, &now),
        _ => false,
    };
    // What changes is what the declaration gives otherwise than the record, listed or not.
    let unlisted: BTreeSet<ChangedField> = ChangedField::ALL
        .iter()
        .copied()
        .filter(|c| *c != ChangedField::MaSo && !listed.iter().any(|l| l.field == *c) && differs_from_record(*c))
        .collect();
    let changed: BTreeSet<ChangedField> = listed.iter().map(|c| c.field).chain(unlisted.iter().copied()).collect();
    if changed.is_empty() {
        out.push(
            Finding::new(
                "adjust.nothing_changed",
                Block,
                &[],
                "Tờ khai điều chỉnh không thay đổi thông tin nào so với hồ sơ.",
                "The adjustment changes nothing the record holds.",
            )
            .reason("DIEU_CHINH_KHONG_THAY_DOI"),
        );
    }
    if changed.contains(&ChangedField::MaSo) {
        out.push(
            Finding::new(
                "adjust.ma_so",
                Block,
                &[field::MA_SO],
                "Mã số BHXH không điều chỉnh qua Mẫu 01: mỗi mã số là một tài khoản.",
                "A social insurance number is not changed through Form 01: each number is its own account.",
            )
            .reason("MA_SO_SAI"),
        );
    }
    // What the card shows, and where the password goes: the new card's photos and
    // a portrait are the evidence (its QR code shows the new values). A child's
    // account is changed by the parent it goes through: the birth certificate (the
    // relation, and the child's name, birth date and sex) is the evidence, and the
    // child's own card's two sides when the change is the child's ID document.
    let child = f.kind == crate::DeclarationKind::Child;
    let card: &[DocumentKind] = match (child, changed.contains(&ChangedField::IdDocument)) {
        (false, _) => &[DocumentKind::IdFront, DocumentKind::IdBack, DocumentKind::Portrait],
        (true, false) => &[DocumentKind::BirthCertificate],
        (true, true) => &[DocumentKind::BirthCertificate, DocumentKind::IdFront, DocumentKind::IdBack],
    };
    let needs_card: Vec<ChangedField> = NEED_CARD.into_iter().filter(|c| changed.contains(c)).collect();
    if !needs_card.is_empty() && !card.iter().all(|d| f.documents.contains(d)) {
        let what: Vec<&str> = needs_card.iter().map(|c| label_vi(*c)).collect();
        let keys: Vec<&str> = needs_card.iter().map(|c| field_key(*c)).collect();
        let (vi, en) = if child {
            (
                format!(
                    "Điều chỉnh {} cho con cần ảnh giấy khai sinh của con (và ảnh hai mặt thẻ của con khi đổi giấy tờ tùy thân); tờ khai chưa có đủ.",
                    what.join(", ")
                ),
                "This change to a child's account needs the child's birth certificate (and both sides of the child's card when the ID document changes); they are missing.",
            )
        } else {
            (
                format!(
                    "Điều chỉnh {} cần ảnh hai mặt giấy tờ tùy thân (ghi thông tin mới) và ảnh chân dung; tờ khai chưa có đủ.",
                    what.join(", ")
                ),
                "This change needs photos of both sides of the ID document (showing the new values) and a portrait; they are missing.",
            )
        };
        out.push(Finding::new("adjust.needs_document", Block, &keys, vi, en).reason("THIEU_GIAY_TO_THAY_DOI"));
    }
    for c in &listed {
        let key = field_key(c.field);
        if let Some(record) = on_record(acc, c.field)
            && !same(c.field, &c.old, &record)
        {
            out.push(Finding::new(
                "adjust.old_not_on_record",
                Warn,
                &[key],
                format!("Giá trị cũ khai là \u{201c}{}\u{201d} nhưng hồ sơ ghi \u{201c}{record}\u{201d}.", c.old),
                format!("The declared old value \u{201c}{}\u{201d} is not what the record holds (\u{201c}{record}\u{201d}).", c.old),
            ));
        }
        if let Some(now) = declared(f, c.field)
            && !same(c.field, &c.new, &now)
        {
            out.push(Finding::new(
                "adjust.new_differs",
                Warn,
                &[key],
                format!("Giá trị mới khai là \u{201c}{}\u{201d} nhưng tờ khai ghi \u{201c}{now}\u{201d}.", c.new),
                format!("The declared new value \u{201c}{}\u{201d} differs from the declaration's field (\u{201c}{now}\u{201d}).", c.new),
            ));
        }
    }
    if !unlisted.is_empty() {
        let what: Vec<&str> = unlisted.iter().map(|c| label_vi(*c)).collect();
        let keys: Vec<&str> = unlisted.iter().map(|c| field_key(*c)).collect();
        out.push(Finding::new(
            "adjust.unlisted_change",
            Warn,
            &keys,
            format!("Khác với hồ sơ nhưng không khai là điều chỉnh: {}.", what.join(", ")),
            "Differs from the record without being declared as a change.",
        ));
    }
    let contact = changed.contains(&ChangedField::Phone) || changed.contains(&ChangedField::Email);
    if contact
        && let Some(reset) = acc.password_reset_at.map(crate::clock::office_day)
        && (f.submitted_on - reset).num_days() <= AFTER_RESET_DAYS
    {
        out.push(Finding::new(
            "adjust.after_password_reset",
            Warn,
            &[field::PHONE, field::EMAIL],
            format!(
                "Đổi số điện thoại/e-mail gần lần đặt lại mật khẩu ngày {} (tờ khai nộp ngày {}): dấu hiệu hay gặp khi chiếm tài khoản, cần xem kỹ.",
                reset.format("%d/%m/%Y"),
                f.submitted_on.format("%d/%m/%Y")
            ),
            "Phone or e-mail changed close to a password reset: a common account take-over pattern; look closely.",
        ));
    }
    if contact
        && let Some(province) = acc.province.as_deref()
        && !same(ChangedField::Address, province, f.province)
    {
        let moved = if changed.contains(&ChangedField::Address) { " (có khai đổi địa chỉ)" } else { "" };
        out.push(Finding::new(
            "adjust.other_province",
            Warn,
            &[field::PHONE, field::ADDRESS],
            format!("Đổi số điện thoại/e-mail với địa chỉ ở {} trong khi hồ sơ ở {province}{moved}.", f.province),
            "The contact details change with an address in another province than the record's.",
        ));
    }
}
