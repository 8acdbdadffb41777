//! The pixels of a paper Mẫu 01 page: its QR code and the ink in its signature
//! box. The text rules (fields, matching) are `bhxh_domain::mau01`'s.

use bhxh_domain::mau01::{self, FormQr, PageReading, parse_text};
use image::{GrayImage, RgbImage};

/// Share of dark pixels inside the signature box of a page image. A scan may be
/// turned by a degree or two, so the box is read with a small inward margin.
pub fn ink_share(page: &GrayImage) -> f32 {
    let (w, h) = (page.width() as f32, page.height() as f32);
    let [l, t, r, b] = mau01::SIGNATURE_BOX;
    let margin = 0.01;
    let (x0, y0) = (((l + margin) * w) as u32, ((t + margin) * h) as u32);
    let (x1, y1) = ((((r - margin) * w) as u32).min(page.width()), (((b - margin) * h) as u32).min(page.height()));
    let (mut dark, mut all) = (0u32, 0u32);
    for y in y0..y1 {
        for x in x0..x1 {
            all += 1;
            dark += u32::from(page.get_pixel(x, y).0[0] < 110);
        }
    }
    dark as f32 / all.max(1) as f32
}

/// Everything readable on one rendered page and its text layer.
pub fn read_page(image: &RgbImage, text: &str) -> PageReading {
    let gray = image::DynamicImage::ImageRgb8(image.clone()).to_luma8();
    let mut reading = PageReading::default();
    parse_text(text, &mut reading);
    reading.qr = crate::qr::find_in_gray(gray.clone())
        .into_iter()
        .find_map(|t| FormQr::parse(&t))
        .map(|q| (q.declaration_id, q.ma_so));
    reading.ink_share = ink_share(&gray);
    reading.signed = Some(reading.ink_share >= mau01::SIGNED_INK_SHARE);
    reading
}

/// Fields of an image-only page read by OCR: lines `N. Label: value` as on a text
/// layer, each value kept with the lowest confidence of its words and its box on
/// the page as scanned.
/// With an engine, number fields that do not read as a number of their kind are
/// read again in their box with digits only.
pub fn apply_ocr(reading: &mut PageReading, page: &crate::ocr::OcrPage, engine: Option<&crate::ocr::OcrEngine>) {
    use bhxh_domain::mau01::{FormField, OcrField, OcrReading};
    let mut fields = Vec::new();
    for line in &page.lines {
        let Some(colon) = line.words.iter().position(|w| w.text.contains(':')) else { continue };
        let label: Vec<&str> = line.words[..=colon].iter().map(|w| w.text.as_str()).collect();
        let label = label.join(" ");
        let Some((label, first)) = label.split_once(':') else { continue };
        let Some(field) = FormField::of_label(label) else { continue };
        let mut value: Vec<&crate::ocr::OcrWord> = line.words[colon + 1..].iter().collect();
        let first = first.trim();
        let mut text: Vec<&str> = if first.is_empty() { vec![] } else { vec![first] };
        if !first.is_empty() {
            value.insert(0, &line.words[colon]);
        }
        text.extend(line.words[colon + 1..].iter().map(|w| w.text.as_str()));
        let text = text.join(" ");
        if value.is_empty() || text.trim().is_empty() {
            continue;
        }
        let conf = value.iter().map(|w| w.conf).fold(100.0f32, f32::min);
        let (l, t) = value.iter().fold((1.0f32, 1.0f32), |(l, t), w| (l.min(w.bbox[0]), t.min(w.bbox[1])));
        let (r, b) = value
            .iter()
            .fold((0.0f32, 0.0f32), |(r, b), w| (r.max(w.bbox[0] + w.bbox[2]), b.max(w.bbox[1] + w.bbox[3])));
        // A passport number has letters and a phone may be written +84: those stay as read.
        let lengths: &[usize] = match field {
            FormField::MaSo => &[10],
            FormField::IdNumber if !text.chars().any(char::is_alphabetic) => &[9, 12],
            FormField::Phone if !text.trim_start().starts_with('+') => &[10],
            _ => &[],
        };
        let (text, conf) = match engine {
            Some(engine) if !lengths.is_empty() => {
                engine.reread_number(page, [l, t, r - l, b - t], &text, conf, lengths)
            }
            _ => (text, conf),
        };
        reading.set_read(field, &text);
        if !fields.iter().any(|f: &OcrField| f.field == field) {
            fields.push(OcrField {
                field,
                value: text.trim().to_owned(),
                conf: conf.round().clamp(0.0, 100.0) as u8,
                bbox: page.source_box([l, t, r - l, b - t]),
            });
        }
    }
    reading.ocr = Some(OcrReading {
        mean_conf: page.mean_conf().round().clamp(0.0, 100.0) as u8,
        fields,
        skew_deg: page.prepared.skew_deg,
    });
}

/// A page as [`read_page`] reads it, and, when it has no text layer, its fields
/// read by OCR from `hi_res` (the page rendered at about 200 dpi; `image` is used
/// when none is given). Without an OCR engine the page stays to be matched by hand.
pub fn read_page_with_ocr(
    image: &RgbImage,
    text: &str,
    hi_res: Option<&RgbImage>,
    ocr: Option<&crate::ocr::OcrEngine>,
) -> PageReading {
    let mut reading = read_page(image, text);
    if reading.has_text {
        return reading;
    }
    if let Some(engine) = ocr {
        match engine.read(hi_res.unwrap_or(image), crate::ocr::Steps::PAGE) {
            Ok(page) => apply_ocr(&mut reading, &page, Some(engine)),
            Err(e) => tracing::warn!(error = %e, "OCR of an image-only page failed"),
        }
    }
    reading
}

/// Every page of a rendered stack read as [`read_page_with_ocr`] reads it, two
/// pages at a time (OCR has a worker per core), handed to `each` in page order with
/// its image; at most two pages are held at once.
pub fn read_pages<E>(
    pages: std::sync::mpsc::Receiver<Result<crate::pdf::Page, crate::DocumentError>>,
    ocr: Option<&crate::ocr::OcrEngine>,
    mut each: impl FnMut(Result<(PageReading, RgbImage), crate::DocumentError>) -> Result<(), E>,
) -> Result<(), E> {
    let mut pages = pages.into_iter();
    loop {
        let batch: Vec<_> = pages.by_ref().take(2).collect();
        if batch.is_empty() {
            return Ok(());
        }
        let read: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .into_iter()
                .map(|page| {
                    scope.spawn(move || page.map(|p| (read_page_with_ocr(&p.image, &p.text, None, ocr), p.image)))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(crate::DocumentError::Ocr("a page reader panicked".into()))))
                .collect()
        });
        for r in read {
            each(r)?;
        }
    }
}
