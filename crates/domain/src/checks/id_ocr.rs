//! ID card front read by OCR vs declaration: number and name. Only when the card
//! has no readable QR code (an old CMND, a worn CCCD): the QR is the better
//! reading. A value read with little confidence is a note, never a Block.

use super::{Context, Facts, Finding, Severity::*, field};
use crate::mau01::{FormField, OCR_CONFIDENT};
use crate::name::NameMatch;
use crate::person::IdDocumentType;
use crate::{DocumentFacts, PersonName};

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

pub fn check(f: &Facts<'_>, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if ctx.qr.is_some() {
        return;
    }
    let Some(read) = DocumentFacts::id_front_ocr(ctx.documents) else { return };
    let doubtful = |conf: u8, code: &str, fld: &str, vi: &str, en: &str, value: &str| {
        Finding::new(
            code,
            Info,
            &[fld],
            format!(
                "Máy đọc ảnh mặt trước giấy tờ (OCR) thấy {vi} “{value}” khác tờ khai nhưng không chắc chắn (độ tin cậy {conf} %): hãy đối chiếu ảnh."
            ),
            format!(
                "OCR read the ID card's {en} as {value:?}, with low confidence ({conf} %): compare with the photo."
            ),
        )
    };
    // A passport's data page has no QR either, but other numbers (a 12-digit
    // personal number): only a CCCD's or CMND's number is compared.
    let card = matches!(f.id_type, Some(IdDocumentType::Cccd | IdDocumentType::Cmnd));
    if let (true, Some(number), Some(declared)) = (card, read.field(FormField::IdNumber), f.id_number)
        && digits(&number.value) != digits(declared)
    {
        out.push(if number.conf < OCR_CONFIDENT {
            doubtful(number.conf, "id_ocr.number_doubtful", field::ID_NUMBER, "số", "number", &number.value)
        } else {
            Finding::new(
                "id_ocr.number_mismatch",
                Block,
                &[field::ID_NUMBER],
                format!("Số trên ảnh mặt trước giấy tờ là {} (máy đọc), khác số trên tờ khai.", number.value),
                format!("The ID card's front reads {} (by OCR), not the declared number.", number.value),
            )
            .reason("SO_GIAY_TO_SAI")
        });
    }
    let Some(name) = read.field(FormField::FullName) else { return };
    let (Ok(declared), Ok(on_card)) = (f.full_name.parse::<PersonName>(), name.value.parse::<PersonName>()) else {
        return;
    };
    let sure = name.conf >= OCR_CONFIDENT;
    match declared.compare(&on_card) {
        NameMatch::Equal | NameMatch::EqualIgnoringCase => {}
        _ if !sure => {
            out.push(doubtful(name.conf, "id_ocr.name_doubtful", field::FULL_NAME, "họ tên", "name", &name.value));
        }
        // Diacritics are what OCR misreads most (a dot under "Ạ" lost in the
        // print): a note to look, not a warning.
        NameMatch::DiffersOnlyInDiacritics => out.push(Finding::new(
            "id_ocr.name_diacritics",
            Info,
            &[field::FULL_NAME],
            format!("Máy đọc họ tên trên ảnh mặt trước giấy tờ là “{on_card}”: chỉ khác tờ khai ở dấu, hãy nhìn ảnh."),
            format!("OCR reads the ID card's name as {on_card:?}: it differs only in diacritics; look at the photo."),
        )),
        NameMatch::Different => out.push(
            Finding::new(
                "id_ocr.name_mismatch",
                Block,
                &[field::FULL_NAME],
                format!("Họ tên trên ảnh mặt trước giấy tờ là “{on_card}” (máy đọc), khác tờ khai."),
                format!("The ID card's front reads the name {on_card:?} (by OCR), not the declared one."),
            )
            .reason("TEN_KHONG_KHOP"),
        ),
    }
}
