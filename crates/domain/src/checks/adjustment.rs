//! An adjustment (Mẫu 01, "điều chỉnh thông tin") moves where the password SMS and
//! the OTP e-mails go: an account take-over starts with one, so it is reviewed as
//! seriously as a registration. The declaration's own fields carry the new values,
//! so the rules every declaration gets run on them: a new phone already on another
//! account is `phone.taken`, a new CCCD that does not fit the birth date and sex is
//! an `id.*` finding, a QR code that disagrees with the new name is `qr.*`. Here is
//! what only a change has, checked against the account on record, never against
//! the citizen's own word for what was "old".

use super::{Context, Facts, Finding, Severity::*, field};
use crate::{AccountOnRecord, ChangedField, DocumentKind, FieldChange, PhoneVn, Purpose};
use chrono::NaiveDate;

/// A phone or e-mail changed within this many days of a password reset gets a second look.
pub const AFTER_RESET_DAYS: i64 = 7;

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
    match c {
        ChangedField::Phone => "số điện thoại",
        ChangedField::Email => "e-mail",
        ChangedField::IdDocument => "số giấy tờ tùy thân",
        ChangedField::Address => "địa chỉ",
        ChangedField::FullName => "họ tên",
        ChangedField::BirthDate => "ngày sinh",
        ChangedField::Sex => "giới tính",
        ChangedField::MaSo => "mã số BHXH",
    }
}

fn date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%d/%m/%Y").or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d")).ok()
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
/// A name keeps its diacritics: "Đức" and "Dức" differ.
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
        ChangedField::Email | ChangedField::FullName | ChangedField::Address => words(a) == words(b),
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
    let Some(acc) = ctx.account.filter(|a| a.active && a.ma_so_bhxh == f.ma_so) else {
        out.push(no_account());
        return;
    };
    let real: Vec<&FieldChange> = f.changes.iter().filter(|c| !same(c.field, &c.old, &c.new)).collect();
    if real.is_empty() {
        out.push(
            Finding::new(
                "adjust.nothing_changed",
                Block,
                &[],
                "Tờ khai điều chỉnh không nêu thông tin nào thay đổi (giá trị mới giống giá trị cũ).",
                "The adjustment names no change (each new value equals the old one).",
            )
            .reason("DIEU_CHINH_KHONG_THAY_DOI"),
        );
    }
    let changes = |field: ChangedField| real.iter().any(|c| c.field == field);
    if changes(ChangedField::MaSo) {
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
    // A new ID number, or a name, birth date or sex after a legal change: the new
    // card's photos are the evidence (its QR code shows the new values).
    let photos = f.documents.contains(&DocumentKind::IdFront) && f.documents.contains(&DocumentKind::IdBack);
    let needs_card: Vec<ChangedField> =
        [ChangedField::IdDocument, ChangedField::FullName, ChangedField::BirthDate, ChangedField::Sex]
            .into_iter()
            .filter(|c| changes(*c))
            .collect();
    if !needs_card.is_empty() && !photos {
        let what: Vec<&str> = needs_card.iter().map(|c| label_vi(*c)).collect();
        let keys: Vec<&str> = needs_card.iter().map(|c| field_key(*c)).collect();
        out.push(
            Finding::new(
                "adjust.needs_document",
                Block,
                &keys,
                format!(
                    "Điều chỉnh {} cần ảnh hai mặt giấy tờ tùy thân mới ghi thông tin mới; tờ khai chưa có đủ.",
                    what.join(", ")
                ),
                "This change needs photos of both sides of the new ID document showing the new values; they are missing.",
            )
            .reason("THIEU_GIAY_TO_THAY_DOI"),
        );
    }
    for c in &real {
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
    // A field that differs from the record without being declared as a change.
    let unlisted: Vec<ChangedField> = ChangedField::ALL
        .iter()
        .copied()
        .filter(|c| *c != ChangedField::MaSo && !changes(*c))
        .filter(|c| match (on_record(acc, *c), declared(f, *c)) {
            (Some(record), Some(now)) => !same(*c, &record, &now),
            _ => false,
        })
        .collect();
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
    let contact = changes(ChangedField::Phone) || changes(ChangedField::Email);
    if contact
        && let Some(reset) = acc.password_reset_at.map(crate::clock::office_day)
        && (0..=AFTER_RESET_DAYS).contains(&(f.submitted_on - reset).num_days())
    {
        out.push(Finding::new(
            "adjust.after_password_reset",
            Warn,
            &[field::PHONE, field::EMAIL],
            format!(
                "Đổi số điện thoại/e-mail {} ngày sau khi đặt lại mật khẩu (ngày {}): dấu hiệu hay gặp khi chiếm tài khoản, cần xem kỹ.",
                (f.submitted_on - reset).num_days(),
                reset.format("%d/%m/%Y")
            ),
            format!(
                "Phone or e-mail changed {} days after a password reset: a common account take-over pattern; look closely.",
                (f.submitted_on - reset).num_days()
            ),
        ));
    }
    if changes(ChangedField::Phone)
        && !changes(ChangedField::Address)
        && let Some(province) = acc.province.as_deref()
        && !same(ChangedField::Address, province, f.province)
    {
        out.push(Finding::new(
            "adjust.other_province",
            Warn,
            &[field::PHONE, field::ADDRESS],
            format!("Đổi số điện thoại với địa chỉ ở {} trong khi hồ sơ ở {province}, mà không khai đổi địa chỉ.", f.province),
            "The phone is changed from an address in another province than the record's, with no address change declared.",
        ));
    }
}
