//! Paper Mẫu 01 vs declaration: mã số, name, ID number, phone, signature.

use super::{Context, Facts, Finding, Severity::*, field};
use crate::name::NameMatch;
use crate::{PersonName, PhoneVn};

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

pub fn check(f: &Facts<'_>, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    use crate::mau01::FormField;
    let Some(p) = ctx.paper else { return };
    let mismatch = |code: &str, fld: &str, form: FormField, vi: &str, en: &str| {
        if p.doubtful.contains(&form) {
            return Finding::new(
                code,
                Info,
                &[fld],
                format!(
                    "Máy đọc bản quét (OCR) thấy {vi} khác tờ khai điện tử nhưng không chắc chắn: hãy đối chiếu bản quét."
                ),
                format!("OCR read a different {en} on the scan, with low confidence: compare with the scan."),
            );
        }
        let (how_vi, how_en) =
            if p.by_ocr { (" (máy đọc từ bản quét)", " (read by OCR from the scan)") } else { ("", "") };
        Finding::new(
            code,
            Block,
            &[fld],
            format!("Tờ khai giấy ghi {vi} khác tờ khai điện tử{how_vi}."),
            format!("The paper form's {en} differs{how_en}."),
        )
        .reason("TO_KHAI_GIAY_KHONG_KHOP")
    };
    if let Some(m) = &p.ma_so
        && digits(m) != f.ma_so
    {
        out.push(mismatch(
            "paper.ma_so_mismatch",
            field::MA_SO,
            FormField::MaSo,
            "mã số BHXH",
            "social insurance number",
        ));
    }
    if let (Some(paper), Ok(declared)) =
        (p.full_name.as_deref().and_then(|n| n.parse::<PersonName>().ok()), f.full_name.parse::<PersonName>())
    {
        match declared.compare(&paper) {
            NameMatch::Equal | NameMatch::EqualIgnoringCase => {}
            NameMatch::Different => {
                out.push(mismatch("paper.name_mismatch", field::FULL_NAME, FormField::FullName, "họ tên", "name"));
            }
            // One mark is a different name in Vietnamese ("Ánh" is not "Anh"): the
            // officer sees both spellings. OCR drops and swaps marks on its own, so a
            // page it read only says so.
            NameMatch::DiffersOnlyInDiacritics => {
                let (severity, how_vi, how_en) = if p.by_ocr {
                    (Info, " (máy đọc từ bản quét, dấu có thể đọc sai)", " (read by OCR, which may misread marks)")
                } else {
                    (Warn, "", "")
                };
                let finding = Finding::new(
                    "paper.name_marks",
                    severity,
                    &[field::FULL_NAME],
                    format!(
                        "Họ tên trên tờ khai giấy khác dấu với tờ khai điện tử: giấy ghi “{paper}”, điện tử ghi “{declared}”{how_vi}."
                    ),
                    format!(
                        "The paper form spells the name with other marks: paper {:?}, declaration {:?}{how_en}.",
                        paper.as_str(),
                        declared.as_str()
                    ),
                );
                out.push(if p.by_ocr { finding } else { finding.reason("TO_KHAI_GIAY_KHONG_KHOP") });
            }
        }
    }
    if let (Some(paper), Some(declared)) = (&p.id_number, f.id_number)
        && digits(paper) != digits(declared)
    {
        out.push(mismatch("paper.id_mismatch", field::ID_NUMBER, FormField::IdNumber, "số giấy tờ", "ID number"));
    }
    if let Some(paper) = &p.phone
        && !PhoneVn::same(paper, f.phone)
    {
        out.push(mismatch("paper.phone_mismatch", field::PHONE, FormField::Phone, "số điện thoại", "phone"));
    }
    if p.signed.is_none() && (p.ma_so.is_some() || p.full_name.is_some() || p.by_ocr) {
        out.push(Finding::new(
            "paper.signature_unknown",
            Info,
            &[field::DOCUMENTS],
            "Máy không xác định được tờ khai giấy đã có chữ ký hay chưa: hãy xem chỗ ký trên tờ khai giấy.",
            "The machine could not tell whether the paper form is signed: look at the signing space on the form.",
        ));
    }
    if p.signed == Some(false) {
        out.push(
            Finding::new(
                "paper.unsigned",
                Block,
                &[field::DOCUMENTS],
                "Tờ khai giấy chưa có chữ ký.",
                "The paper form is not signed.",
            )
            .reason("TO_KHAI_GIAY_KHONG_KHOP"),
        );
    }
}
