//! The ID number: shape per document type; for a CCCD, its province code is a
//! known one and its century/sex and year digits agree with the declaration
//! (warnings only: the structure is not guaranteed for cards issued under the 2024 law).

use super::{Context, Facts, Finding, Severity::*, field};
use crate::person::IdDocumentType;
use crate::{Cccd, Cmnd, DeclarationKind, DocumentKind, Passport};
use chrono::Datelike;

pub fn check(f: &Facts<'_>, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let (Some(kind), Some(number)) = (f.id_type, f.id_number.map(str::trim).filter(|n| !n.is_empty())) else {
        if f.kind == DeclarationKind::Adult {
            out.push(
                Finding::new(
                    "id.missing",
                    Block,
                    &[field::ID_NUMBER],
                    "Tờ khai thiếu số giấy tờ tùy thân.",
                    "The declaration has no identity document number.",
                )
                .reason("SO_GIAY_TO_SAI"),
            );
        }
        return;
    };
    match kind {
        IdDocumentType::Cccd => cccd(number, f, ctx, out),
        IdDocumentType::Cmnd => {
            if let Some(until) = ctx.reference.cmnd_valid_until.filter(|u| f.submitted_on > *u) {
                out.push(
                    Finding::new(
                        "cmnd.no_longer_valid",
                        Warn,
                        &[field::ID_NUMBER],
                        format!(
                            "CMND hết giá trị sử dụng sau ngày {} (Luật Căn cước 2023, Điều 46): người dân cần khai số định danh cá nhân (số CCCD).",
                            until.format("%d/%m/%Y")
                        ),
                        format!(
                            "A CMND is no longer valid after {} (Law on Identification 2023, art. 46): the citizen should declare the personal identification number (CCCD).",
                            until.format("%d/%m/%Y")
                        ),
                    )
                    .reason("CMND_HET_HIEU_LUC"),
                );
            }
            if number.parse::<Cmnd>().is_err() {
                out.push(
                    Finding::new(
                        "cmnd.shape",
                        Block,
                        &[field::ID_NUMBER],
                        "Số CMND phải gồm 9 (hoặc 12) chữ số.",
                        "An ID card (CMND) number has 9 (or 12) digits.",
                    )
                    .reason("SO_GIAY_TO_SAI"),
                );
            }
        }
        IdDocumentType::Passport => match number.parse::<Passport>() {
            Err(_) => out.push(
                Finding::new(
                    "passport.shape",
                    Block,
                    &[field::ID_NUMBER],
                    "Số hộ chiếu không đúng định dạng.",
                    "The passport number is not well formed.",
                )
                .reason("SO_GIAY_TO_SAI"),
            ),
            Ok(p) if !p.is_vietnamese_form() => out.push(Finding::new(
                "passport.foreign_form",
                Info,
                &[field::ID_NUMBER],
                "Số hộ chiếu không theo mẫu hộ chiếu Việt Nam (1 chữ cái + 7 chữ số): có thể là hộ chiếu nước ngoài.",
                "Not the Vietnamese passport form (1 letter + 7 digits): possibly a foreign passport.",
            )),
            Ok(_) => {}
        },
    }
    // An adult registers, or stops, showing their card. An adjustment asks for the new
    // card's photos when it changes what the card shows or the contact details
    // (`adjustment.rs`), not for an address alone.
    if f.kind == DeclarationKind::Adult && f.purpose != crate::Purpose::Adjust {
        for (doc, vi, en, reason) in [
            (DocumentKind::IdFront, "mặt trước", "front", "THIEU_MAT_TRUOC"),
            (DocumentKind::IdBack, "mặt sau", "back", "THIEU_MAT_SAU"),
        ] {
            if !f.documents.contains(&doc) && (kind != IdDocumentType::Passport || doc != DocumentKind::IdBack) {
                out.push(
                    Finding::new(
                        &format!("documents.missing_{}", doc.code()),
                        Block,
                        &[field::DOCUMENTS],
                        format!("Thiếu ảnh {vi} của giấy tờ tùy thân."),
                        format!("The photo of the ID document's {en} is missing."),
                    )
                    .reason(reason),
                );
            }
        }
        if !f.documents.contains(&DocumentKind::Portrait) {
            out.push(
                Finding::new(
                    "documents.missing_portrait",
                    Block,
                    &[field::DOCUMENTS],
                    "Thiếu ảnh chân dung.",
                    "The portrait photo is missing.",
                )
                .reason("ANH_CHAN_DUNG"),
            );
        }
    }
}

fn cccd(number: &str, f: &Facts<'_>, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Ok(c) = number.parse::<Cccd>() else {
        out.push(
            Finding::new(
                "cccd.shape",
                Block,
                &[field::ID_NUMBER],
                "Số CCCD phải gồm đúng 12 chữ số.",
                "A citizen ID (CCCD) number has exactly 12 digits.",
            )
            .reason("SO_GIAY_TO_SAI"),
        );
        return;
    };
    if !ctx.reference.cccd_provinces.contains_key(c.province_code()) {
        out.push(Finding::new(
            "cccd.province_unknown",
            Warn,
            &[field::ID_NUMBER],
            format!("Ba chữ số đầu của số CCCD ({}) không phải mã tỉnh nơi đăng ký khai sinh.", c.province_code()),
            format!("The CCCD's first three digits ({}) are not a province code.", c.province_code()),
        ));
    }
    let Some(s) = c.structure() else { return };
    let born = f.birth_date.year();
    let century_ok = (born / 100) * 100 == s.century;
    if s.sex != f.sex || !century_ok {
        out.push(
            Finding::new(
                "cccd.sex_century_mismatch",
                Warn,
                &[field::ID_NUMBER, field::SEX, field::BIRTH_DATE],
                format!(
                    "Chữ số thứ 4 của số CCCD cho biết {}, sinh {}–{}; tờ khai ghi {}, sinh năm {born}.",
                    s.sex.label_vi(),
                    s.century,
                    s.century + 99,
                    f.sex.label_vi()
                ),
                format!(
                    "The CCCD's 4th digit says {:?} born {}–{}; the declaration says {:?} born {born}.",
                    s.sex,
                    s.century,
                    s.century + 99,
                    f.sex
                ),
            )
            .reason(if s.sex != f.sex { "GIOI_TINH_SAI" } else { "NGAY_SINH_SAI" }),
        );
    }
    if s.birth_year % 100 != born % 100 {
        out.push(
            Finding::new(
                "cccd.year_mismatch",
                Warn,
                &[field::ID_NUMBER, field::BIRTH_DATE],
                format!("Chữ số thứ 5–6 của số CCCD ({:02}) không khớp năm sinh {born}.", s.birth_year % 100),
                format!("The CCCD's 5th–6th digits ({:02}) do not match the birth year {born}.", s.birth_year % 100),
            )
            .reason("NGAY_SINH_SAI"),
        );
    }
}
