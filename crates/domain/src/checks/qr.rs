//! QR vs declaration: CCCD number, name, birth date, sex. The QR's address dates
//! from the card's issue (pre-2025 names) and is never compared strictly.

use super::{Context, Facts, Finding, Severity::*, field};
use crate::PersonName;
use crate::name::NameMatch;

pub fn check(f: &Facts<'_>, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(qr) = ctx.qr else { return };
    let declared_id = f.id_number.map(|s| s.chars().filter(char::is_ascii_digit).collect::<String>());
    if declared_id.as_deref() != Some(qr.cccd.as_str()) && qr.old_cmnd.as_deref() != declared_id.as_deref() {
        out.push(
            Finding::new(
                "qr.id_mismatch",
                Block,
                &[field::ID_NUMBER],
                format!("Số CCCD trong mã QR ({}) khác số trên tờ khai.", qr.cccd),
                format!("The QR code's CCCD number ({}) differs from the declaration.", qr.cccd),
            )
            .reason("SO_GIAY_TO_SAI"),
        );
    }
    if let Ok(name) = f.full_name.parse::<PersonName>() {
        match name.compare(&qr.name) {
            NameMatch::Equal | NameMatch::EqualIgnoringCase => {}
            NameMatch::DiffersOnlyInDiacritics => out.push(
                Finding::new(
                    "qr.name_diacritics",
                    Warn,
                    &[field::FULL_NAME],
                    format!("Họ tên chỉ khác mã QR ở dấu: “{}” / “{}”.", name, qr.name),
                    format!(
                        "The name differs from the QR code only in diacritics: {:?} / {:?}.",
                        name.as_str(),
                        qr.name.as_str()
                    ),
                )
                .reason("TEN_KHONG_DAU"),
            ),
            NameMatch::Different => out.push(
                Finding::new(
                    "qr.name_mismatch",
                    Block,
                    &[field::FULL_NAME],
                    format!("Họ tên khác với mã QR trên thẻ: “{}”.", qr.name),
                    format!("The name differs from the card's QR code: {:?}.", qr.name.as_str()),
                )
                .reason("TEN_KHONG_KHOP"),
            ),
        }
    }
    if qr.birth_date != f.birth_date {
        out.push(
            Finding::new(
                "qr.birth_date_mismatch",
                Block,
                &[field::BIRTH_DATE],
                format!("Ngày sinh trong mã QR là {}.", qr.birth_date.format("%d/%m/%Y")),
                format!("The QR code gives the birth date {}.", qr.birth_date.format("%d/%m/%Y")),
            )
            .reason("NGAY_SINH_SAI"),
        );
    }
    if qr.sex != f.sex {
        out.push(
            Finding::new(
                "qr.sex_mismatch",
                Block,
                &[field::SEX],
                format!("Giới tính trong mã QR là {}.", qr.sex.label_vi()),
                format!("The QR code gives sex {:?}.", qr.sex),
            )
            .reason("GIOI_TINH_SAI"),
        );
    }
}
