//! The front of an ID card read by OCR when it has no readable QR code (an old
//! 9-digit CMND has none; a worn CCCD's may not read): the number and the name,
//! each with its confidence and its box on the photo.
//!
//! Both card types print the number after "Số"/"SỐ" and the name after "Họ và
//! tên" (CCCD, on the next line) or "Họ tên" (CMND, on the same line after a
//! dotted leader), in capitals. Lines are found by those labels, values by their
//! shape; a guilloche or a desk in the photo reads as noise that matches neither.

use super::{OcrEngine, OcrLine, OcrPage, OcrWord, Steps};
use crate::DocumentError;
use bhxh_domain::fold::fold;
use bhxh_domain::mau01::{FormField, OcrField, OcrReading};
use image::DynamicImage;

/// Photos are read with their long side at most this many pixels: a card filling
/// a 2000 px photo prints its values about 35 px high, which Tesseract reads
/// well; a 12 MP photo read whole would take four times as long for nothing.
const PHOTO_LONG_SIDE: u32 = 2000;

/// Unlike a paper page, a card photo needs its contrast stretched: the old
/// CMND's guilloche crosses the values' lines and reads as letters otherwise (the
/// name on 2 of 4 generated CMND fronts reads only with it).
pub const PHOTO_STEPS: Steps = Steps { contrast: true, deskew: true, height: None };

/// Reads the number and the name on an ID card's front.
pub fn read_id_front(engine: &OcrEngine, photo: &DynamicImage) -> Result<OcrReading, DocumentError> {
    let _span = tracing::info_span!("ocr_id_front").entered();
    let rgb = if photo.width().max(photo.height()) > PHOTO_LONG_SIDE {
        crate::raster::resized_rgb(photo, PHOTO_LONG_SIDE)
    } else {
        photo.to_rgb8()
    };
    let page = engine.read(&rgb, PHOTO_STEPS)?;
    Ok(fields_of(&page, Some(engine)))
}

/// A CMND number has 9 digits, a CCCD number 12.
const ID_LENGTHS: &[usize] = &[9, 12];

/// The card's fields in what OCR read (with an engine, the number is read again
/// with digits only and is confident only when both readings agree).
pub fn fields_of(page: &OcrPage, engine: Option<&OcrEngine>) -> OcrReading {
    let mut fields = Vec::new();
    if let Some(words) = number(&page.lines) {
        let (value, conf) = (words.iter().map(|w| w.text.as_str()).collect::<String>(), min_conf(&words));
        let bbox = envelope(&words);
        let value: String = value.chars().filter(char::is_ascii_digit).collect();
        // Confident only when a digits-only re-read of the box agrees (see `cross_check`).
        let (value, conf) = match engine {
            Some(e) => super::cross_check((value, conf), e.digits_in(page, bbox), ID_LENGTHS),
            None => (value, conf),
        };
        fields.push(field(FormField::IdNumber, value, conf, page.source_box(bbox)));
    }
    if let Some(words) = name(&page.lines) {
        let value = words.iter().map(|w| strip(&w.text)).collect::<Vec<_>>().join(" ");
        fields.push(field(FormField::FullName, value, min_conf(&words), page.source_box(envelope(&words))));
    }
    OcrReading { mean_conf: page.mean_conf().round().clamp(0.0, 100.0) as u8, fields, skew_deg: page.prepared.skew_deg }
}

fn field(field: FormField, value: String, conf: f32, bbox: [f32; 4]) -> OcrField {
    OcrField { field, value, conf: conf.round().clamp(0.0, 100.0) as u8, bbox }
}

fn min_conf(words: &[&OcrWord]) -> f32 {
    words.iter().map(|w| w.conf).fold(100.0, f32::min)
}

fn envelope(words: &[&OcrWord]) -> [f32; 4] {
    let l = words.iter().map(|w| w.bbox[0]).fold(1.0, f32::min);
    let t = words.iter().map(|w| w.bbox[1]).fold(1.0, f32::min);
    let r = words.iter().map(|w| w.bbox[0] + w.bbox[2]).fold(0.0, f32::max);
    let b = words.iter().map(|w| w.bbox[1] + w.bbox[3]).fold(0.0, f32::max);
    [l, t, (r - l).max(0.0), (b - t).max(0.0)]
}

/// A word without the dots, commas and colons of a leader or a label around it.
fn strip(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_alphanumeric())
}

fn is_digits(word: &str) -> bool {
    let w = strip(word);
    !w.is_empty() && w.chars().all(|c| c.is_ascii_digit())
}

/// Runs of consecutive digit words on a line ("079 181 403642").
fn digit_runs(line: &OcrLine) -> Vec<Vec<&OcrWord>> {
    let mut runs: Vec<Vec<&OcrWord>> = Vec::new();
    let mut run: Vec<&OcrWord> = Vec::new();
    for w in &line.words {
        if is_digits(&w.text) {
            run.push(w);
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// The trailing run of capital words of a line: the label's "Họ" is not all capitals.
fn capitals(line: &OcrLine) -> Vec<&OcrWord> {
    let mut run: Vec<&OcrWord> = line.words.iter().rev().take_while(|w| is_capital_word(&w.text)).collect();
    run.reverse();
    run
}

/// The card number: 9 or 12 digits (possibly printed in groups) after "Số" on its
/// line; failing a label, the first run of digits of that length on the card.
fn number(lines: &[OcrLine]) -> Option<Vec<&OcrWord>> {
    let len = |run: &[&OcrWord]| run.iter().map(|w| strip(&w.text).len()).sum::<usize>();
    let labelled = |line: &OcrLine| {
        line.words.first().is_some_and(|w| {
            let f = fold(strip(&w.text));
            f == "so" || f.starts_with("so/") || f == "no"
        })
    };
    let mut fallback = None;
    for line in lines {
        for run in digit_runs(line) {
            // Eight to thirteen digits: a misread digit or a lost one is for the re-read to mend.
            if (8..=13).contains(&len(&run)) {
                if labelled(line) {
                    return Some(run);
                }
                fallback.get_or_insert(run);
            }
        }
    }
    fallback
}

/// Whether a word is part of a name printed in capitals ("NGUYỄN", "THỊ").
fn is_capital_word(word: &str) -> bool {
    let w = strip(word);
    w.chars().count() >= 1 && w.chars().all(|c| c.is_alphabetic() && !c.is_lowercase())
}

/// The name: the capitals after the "Họ tên" / "Họ và tên" label on its line, or
/// the next line when the label stands alone (the CCCD's "Họ và tên / Full name:").
fn name(lines: &[OcrLine]) -> Option<Vec<&OcrWord>> {
    for (i, line) in lines.iter().enumerate() {
        let text = fold(&line.text());
        let text = text.trim_start_matches(|c: char| !c.is_alphanumeric());
        if !(text.starts_with("ho ten") || text.starts_with("ho va ten") || text.starts_with("ho ten,")) {
            continue;
        }
        let same = capitals(line);
        if same.len() >= 2 {
            return Some(same);
        }
        let next = lines.get(i + 1).map(capitals).unwrap_or_default();
        if next.len() >= 2 && next.len() == lines[i + 1].words.len() {
            return Some(next);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocr::Prepared;
    use std::sync::Arc;

    fn line(words: &[(&str, f32)], top: f32) -> OcrLine {
        let mut x = 0.1;
        OcrLine {
            words: words
                .iter()
                .map(|(t, c)| {
                    let w = OcrWord { text: (*t).into(), conf: *c, bbox: [x, top, 0.05, 0.03] };
                    x += 0.06;
                    w
                })
                .collect(),
        }
    }

    fn page(lines: Vec<OcrLine>) -> OcrPage {
        OcrPage {
            lines,
            prepared: Prepared { skew_deg: 0.0, scale: 1.0 },
            width: 2000,
            height: 1500,
            image: Arc::new(image::GrayImage::new(1, 1)),
        }
    }

    #[test]
    fn an_old_cmnd_front_as_tesseract_reads_it() {
        let p = page(vec![
            line(&[("CỘNG", 95.0), ("HÒA", 95.0), ("XÃ", 94.0), ("HỘI", 95.0)], 0.05),
            line(&[("GIẤY", 93.0), ("CHỨNG", 93.0), ("MINH", 93.0), ("NHÂN", 92.0), ("DÂN", 92.0)], 0.15),
            line(&[("SỐ", 90.0), ("791203127", 88.0)], 0.2),
            line(
                &[("Họ", 91.0), ("tên......................", 60.0), ("PHẠM", 90.0), ("QUỐC", 89.0), ("KHANG", 91.0)],
                0.3,
            ),
            line(&[("Sinh", 80.0), ("mgay", 20.0), ("11121907", 30.0)], 0.4),
        ]);
        let r = fields_of(&p, None);
        let get = |f| r.field(f).map(|x| (x.value.as_str(), x.conf));
        assert_eq!(get(FormField::IdNumber), Some(("791203127", 88)), "the birth date's digits are not the number");
        assert_eq!(get(FormField::FullName), Some(("PHẠM QUỐC KHANG", 89)));
        let b = r.field(FormField::FullName).map(|x| x.bbox).unwrap_or_default();
        assert!((b[0] - 0.22).abs() < 1e-4 && (b[2] - 0.17).abs() < 1e-4, "the box holds the name's words only: {b:?}");
    }

    #[test]
    fn a_cccd_front_with_the_name_on_the_next_line_and_a_grouped_number() {
        let p = page(vec![
            line(&[("CĂN", 95.0), ("CƯỚC", 95.0), ("CÔNG", 95.0), ("DÂN", 95.0)], 0.1),
            line(&[("Số/No.:", 92.0), ("079", 90.0), ("181", 85.0), ("403642", 91.0)], 0.2),
            line(&[("Họ", 93.0), ("và", 93.0), ("tên", 93.0), ("/", 90.0), ("Full", 92.0), ("name:", 92.0)], 0.3),
            line(&[("NGUYỄN", 91.0), ("THANH", 92.0), ("DUNG", 93.0)], 0.35),
        ]);
        let r = fields_of(&p, None);
        assert_eq!(r.field(FormField::IdNumber).map(|x| x.value.as_str()), Some("079181403642"));
        assert_eq!(r.field(FormField::IdNumber).map(|x| x.conf), Some(85));
        assert_eq!(r.field(FormField::FullName).map(|x| x.value.as_str()), Some("NGUYỄN THANH DUNG"));
    }

    #[test]
    fn noise_is_neither_a_number_nor_a_name() {
        let p = page(vec![
            line(&[("PS:", 30.0), ("Làn?”", 20.0), ("vn", 10.0)], 0.1),
            line(&[("Họ", 91.0), ("tên", 60.0), ("ooo", 20.0)], 0.3),
            line(&[("Quận", 90.0), ("6,", 80.0), ("Thành", 90.0)], 0.4),
        ]);
        let r = fields_of(&p, None);
        assert!(r.fields.is_empty(), "{:?}", r.fields);
    }
}
