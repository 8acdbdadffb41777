//! What the paper-form test files share: the people whose forms are drawn, and
//! reading a stack as the app reads it.

use bhxh_documents::{ocr, paper, pdf};
use bhxh_domain::mau01::PageReading;
use bhxh_fixtures::Generator;
use chrono::{TimeZone, Utc};
use std::sync::Arc;

/// `n` adults of office 07916 with an ID number, from the generator with `seed`,
/// each with a declaration id.
pub fn people(seed: u64, n: usize) -> Vec<(String, bhxh_protocol::DeclarationFields)> {
    let g = Generator::new(seed).expect("generator");
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).single().expect("time");
    (0..400u64)
        .filter_map(|i| g.declared_person(i, now).ok())
        .filter(|p| p.fields.office_code == "07916" && p.fields.id_number.is_some())
        .take(n)
        .enumerate()
        .map(|(k, p)| (format!("07916-{:06}", k + 1), p.fields))
        .collect()
}

/// Each page rendered at about 200 dpi and read as the app reads a stack: its text
/// layer, else OCR.
pub fn read_all(pdf_bytes: Vec<u8>) -> Vec<PageReading> {
    let engine = pdf::engine().expect("PDFium (run scripts/setup, or set BHXH_PDFIUM_DIR)");
    let reader = ocr::engine().expect("Tesseract with tesseract-ocr-vie (run scripts/setup)");
    engine
        .pages(Arc::new(pdf_bytes), ocr::prep::A4_HEIGHT_200DPI, true)
        .expect("pages")
        .into_iter()
        .map(|p| {
            let p = p.expect("page");
            paper::read_page_with_ocr(&p.image, &p.text, &p.words, None, Some(reader))
        })
        .collect()
}
