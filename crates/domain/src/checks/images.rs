//! The documents' pixels: photos too blurred, dark or cut off to read, files that
//! do not open, and whether the chip-CCCD's QR code was found. The measures are
//! estimates, so they warn; the officer looks and decides.

use super::{Context, Facts, Finding, Severity::*, field};
use crate::{DocumentKind, IdDocumentType, QrReading, QualityFlag};

fn kind_vi(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Portrait => "Ảnh chân dung",
        DocumentKind::IdFront => "Ảnh mặt trước giấy tờ",
        DocumentKind::IdBack => "Ảnh mặt sau giấy tờ",
        DocumentKind::BirthCertificate => "Ảnh giấy khai sinh",
        DocumentKind::PaperForm => "Bản quét tờ khai giấy",
    }
}

pub fn check(f: &Facts<'_>, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for d in ctx.documents {
        let what = kind_vi(d.kind);
        let code = d.kind.code();
        if let Some(why) = &d.unreadable {
            out.push(
                Finding::new(
                    &format!("image.unreadable.{code}"),
                    Warn,
                    &[field::DOCUMENTS],
                    format!("{what} không mở được: {why}"),
                    format!("The {code} file cannot be opened."),
                )
                .reason("ANH_MO"),
            );
            continue;
        }
        let Some(q) = &d.quality else { continue };
        for flag in &q.flags {
            let (suffix, vi, en, reason) = match flag {
                QualityFlag::Blurred => ("blurred", "có vẻ bị mờ", "looks blurred", "ANH_MO"),
                QualityFlag::Dark => ("dark", "quá tối", "is too dark", "ANH_TOI"),
                QualityFlag::WashedOut => ("washed_out", "bị lóa, nhạt", "is washed out", "ANH_TOI"),
                QualityFlag::CutOff => ("cut_off", "có thể không đủ bốn góc", "may be cut off", "ANH_THIEU_GOC"),
                QualityFlag::Small => (
                    "small",
                    "quá nhỏ để đọc rõ",
                    "is too small to read",
                    if d.kind == DocumentKind::Portrait { "ANH_CHAN_DUNG" } else { "ANH_MO" },
                ),
            };
            out.push(
                Finding::new(
                    &format!("image.{suffix}.{code}"),
                    Warn,
                    &[field::DOCUMENTS],
                    format!("{what} {vi} ({}×{} điểm ảnh).", q.width, q.height),
                    format!("The {code} photo {en} ({}×{} px).", q.width, q.height),
                )
                .reason(reason),
            );
        }
    }
    // Only a chip CCCD carries the QR code; say honestly when none was read.
    let looked: Vec<_> = ctx.documents.iter().filter(|d| d.qr != QrReading::NotApplicable).collect();
    if f.id_type == Some(IdDocumentType::Cccd) && !looked.is_empty() && ctx.qr.is_none() {
        let found_other = looked.iter().any(|d| matches!(d.qr, QrReading::Found { .. }));
        out.push(if found_other {
            Finding::new(
                "qr.not_cccd",
                Warn,
                &[field::ID_NUMBER],
                "Ảnh thẻ có mã QR nhưng không phải mã QR của thẻ CCCD: đối chiếu bằng mắt.",
                "A QR code was read but it is not a chip-CCCD payload: compare by eye.",
            )
        } else {
            Finding::new(
                "qr.not_found",
                Info,
                &[field::ID_NUMBER],
                "Không tìm thấy mã QR trên ảnh thẻ (thẻ không gắn chip hoặc ảnh không đọc được): đối chiếu bằng mắt.",
                "No QR code found on the card photos (card without chip, or unreadable): compare by eye.",
            )
        });
    }
}
