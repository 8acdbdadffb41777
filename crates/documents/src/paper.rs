//! The pixels of a paper Mẫu 01 page: its QR code and the ink under its signer's
//! caption. The text rules (fields, matching, where the signing space is) are
//! `bhxh_domain::mau01`'s.

use bhxh_domain::mau01::signature::{self, PlacedWord, SigningSpace};
use bhxh_domain::mau01::{self, FormQr, PageReading, parse_text};
use image::{GrayImage, RgbImage};

/// Below this difference between the paper and the caption's print (grey levels)
/// the page is too faint to tell ink from paper.
const MIN_CONTRAST: f32 = 40.0;

fn pixel_box(page: &GrayImage, b: [f32; 4]) -> (u32, u32, u32, u32) {
    let (w, h) = (page.width() as f32, page.height() as f32);
    let x0 = (b[0] * w).clamp(0.0, w) as u32;
    let y0 = (b[1] * h).clamp(0.0, h) as u32;
    let x1 = ((b[0] + b[2]) * w).clamp(0.0, w) as u32;
    let y1 = ((b[1] + b[3]) * h).clamp(0.0, h) as u32;
    (x0, y0, x1, y1)
}

/// Grey level at `share` of the sorted levels in a box.
fn level(page: &GrayImage, b: [f32; 4], share: f32) -> Option<f32> {
    let (x0, y0, x1, y1) = pixel_box(page, b);
    let mut hist = [0u32; 256];
    let mut n = 0u32;
    for y in y0..y1 {
        for x in x0..x1 {
            hist[page.get_pixel(x, y).0[0] as usize] += 1;
            n += 1;
        }
    }
    if n == 0 {
        return None;
    }
    let target = (n as f32 * share) as u32;
    let mut seen = 0;
    hist.iter()
        .position(|c| {
            seen += c;
            seen > target
        })
        .map(|v| v as f32)
}

/// What the signing space holds: the share of its pixels (print left out) that
/// are ink, and the share that is at least a faint mark.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InkMeasure {
    /// Darker than the paper by 40 % of the way to the caption's print.
    pub ink: f32,
    /// Darker than the paper by more than its grain: a pen too faint to call ink
    /// (a drying ballpoint on a washed-out scan) still shows here.
    pub faint: f32,
}

/// The ink in the signing space, or `None` when the page is too faint to tell
/// print from paper. Printed words are left out, and so is a long thin horizontal
/// run (a ruled line to sign on). A lone dark pixel (dust, JPEG noise) does not
/// count: a mark needs two neighbours of its kind.
pub fn measure_ink(page: &GrayImage, space: &SigningSpace) -> Option<InkMeasure> {
    let paper = level(page, space.area, 0.5)?;
    // The paper's grain from its light side: ink, however much of it, is darker.
    let grain = level(page, space.area, 0.9)? - paper;
    let print = level(page, space.caption, 0.04)?;
    let contrast = paper - print;
    if contrast < MIN_CONTRAST {
        return None;
    }
    let ink_below = (paper - contrast * 0.4) as u8;
    let faint_below = ((paper - (grain * 3.0 + 6.0).max(contrast * 0.12)) as u8).max(ink_below);
    let (x0, y0, x1, y1) = pixel_box(page, space.area);
    let (w, h) = ((x1 - x0) as usize, (y1 - y0) as usize);
    if w == 0 || h == 0 {
        return None;
    }
    let at = |x: usize, y: usize| page.get_pixel(x0 + x as u32, y0 + y as u32).0[0];
    // Print left out: each printed word's box (a glyph's edge reaches a little past it).
    let mut skip = vec![false; w * h];
    for b in &space.printed {
        let pad = b[3] * 0.2;
        let (l, t, r, bt) = pixel_box(page, [b[0] - pad, b[1] - pad, b[2] + 2.0 * pad, b[3] + 2.0 * pad]);
        for y in t.max(y0)..bt.min(y1) {
            for x in l.max(x0)..r.min(x1) {
                skip[(y - y0) as usize * w + (x - x0) as usize] = true;
            }
        }
    }
    // A ruled line: a run of marks a quarter of the space wide, at most 3 px thick.
    let long = (w / 4).max(20);
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let start = x;
            while x < w && at(x, y) < faint_below {
                x += 1;
            }
            let thin = |x: usize| {
                let above = y >= 4 && at(x, y - 4) < faint_below;
                let below = y + 4 < h && at(x, y + 4) < faint_below;
                !(above || below)
            };
            if x - start >= long && (start..x).filter(|&x| thin(x)).count() * 10 >= (x - start) * 9 {
                for k in start..x {
                    skip[y * w + k] = true;
                }
            }
            x += 1;
        }
    }
    let marked = |x: usize, y: usize, t: u8| {
        at(x, y) < t && {
            let mut n = 0;
            for (dx, dy) in [(-1i64, -1i64), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)] {
                let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                if nx >= 0 && ny >= 0 && (nx as usize) < w && (ny as usize) < h && at(nx as usize, ny as usize) < t {
                    n += 1;
                }
            }
            n >= 2
        }
    };
    let (mut ink, mut faint, mut all) = (0u32, 0u32, 0u32);
    for y in 0..h {
        for x in 0..w {
            if skip[y * w + x] {
                continue;
            }
            all += 1;
            faint += u32::from(marked(x, y, faint_below));
            ink += u32::from(marked(x, y, ink_below));
        }
    }
    (all > 0).then(|| InkMeasure { ink: ink as f32 / all as f32, faint: faint as f32 / all as f32 })
}

/// Signed or not from the words of the page and its pixels (same coordinates):
/// `None` when no caption was found, there is no room under it, or the page is
/// too faint. Fills the reading's ink share and signing area.
pub fn read_signature(reading: &mut PageReading, page: &GrayImage, words: &[PlacedWord]) {
    let _span = tracing::debug_span!("read_signature", words = words.len()).entered();
    let Some(space) = signature::locate(words) else {
        reading.signed = None;
        return;
    };
    let ink = measure_ink(page, &space);
    tracing::debug!(?ink, "signing space measured");
    reading.ink_share = ink.map_or(0.0, |m| m.ink);
    reading.faint_share = ink.map_or(0.0, |m| m.faint);
    reading.signing_area = Some(space.area);
    reading.signed = mau01::signed_from_ink(ink.map(|m| (m.ink, m.faint)));
}

/// Everything readable on one rendered page and its text layer: fields, QR code,
/// and the signature when the text layer shows the signer's caption (an image-only
/// page learns it from OCR, in [`read_page_with_ocr`]).
pub fn read_page(image: &RgbImage, text: &str, words: &[PlacedWord]) -> PageReading {
    let gray = image::DynamicImage::ImageRgb8(image.clone()).to_luma8();
    let mut reading = PageReading::default();
    parse_text(text, &mut reading);
    reading.qr = crate::qr::find_in_gray(gray.clone())
        .into_iter()
        .find_map(|t| FormQr::parse(&t))
        .map(|q| (q.declaration_id, q.ma_so));
    read_signature(&mut reading, &gray, words);
    reading
}

/// The OCR words of a page as placed words (fractions of the prepared page).
pub fn ocr_words(page: &crate::ocr::OcrPage) -> Vec<PlacedWord> {
    page.lines
        .iter()
        .flat_map(|l| &l.words)
        .map(|w| PlacedWord { text: w.text.clone(), bbox: w.bbox, conf: w.conf.round().clamp(0.0, 100.0) as u8 })
        .collect()
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
    words: &[PlacedWord],
    hi_res: Option<&RgbImage>,
    ocr: Option<&crate::ocr::OcrEngine>,
) -> PageReading {
    let mut reading = read_page(image, text, words);
    if reading.has_text {
        return reading;
    }
    if let Some(engine) = ocr {
        match engine.read(hi_res.unwrap_or(image), crate::ocr::Steps::PAGE) {
            Ok(page) => {
                apply_ocr(&mut reading, &page, Some(engine));
                // The boxes are on the prepared (straightened) page: so is the ink.
                read_signature(&mut reading, &page.image, &ocr_words(&page));
                // Drawn on the page as scanned.
                reading.signing_area = reading.signing_area.map(|a| page.source_box(a));
            }
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
                    scope.spawn(move || {
                        page.map(|p| (read_page_with_ocr(&p.image, &p.text, &p.words, None, ocr), p.image))
                    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// A 600×800 page of paper at `paper` grey with a caption of print at `print`
    /// and its signing space below.
    fn page(paper: u8, print: u8) -> (GrayImage, SigningSpace) {
        let mut img = GrayImage::from_pixel(600, 800, Luma([paper]));
        for y in 400..412 {
            for x in 300..420 {
                if (x + y) % 3 != 0 {
                    img.put_pixel(x, y, Luma([print]));
                }
            }
        }
        let space = SigningSpace {
            caption: [0.5, 0.5, 0.2, 0.015],
            area: [0.45, 0.52, 0.3, 0.08],
            printed: vec![[0.5, 0.5, 0.2, 0.015]],
        };
        (img, space)
    }

    fn stroke(img: &mut GrayImage, x0: u32, x1: u32, y0: u32, y1: u32, grey: u8) {
        for y in y0..y1 {
            for x in x0..x1 {
                img.put_pixel(x, y, Luma([grey]));
            }
        }
    }

    fn judge(img: &GrayImage, space: &SigningSpace) -> Option<bool> {
        mau01::signed_from_ink(measure_ink(img, space).map(|m| (m.ink, m.faint)))
    }

    #[test]
    fn a_signature_filling_a_tight_space_is_signed() {
        // The space is 180×64 px; a felt pen covers a third of it.
        let (mut img, space) = page(235, 40);
        stroke(&mut img, 275, 445, 420, 445, 30);
        let m = measure_ink(&img, &space).expect("readable");
        assert!(m.ink > 0.2, "{m:?}");
        assert_eq!(judge(&img, &space), Some(true));
    }

    #[test]
    fn a_ruled_line_or_an_empty_space_is_unsigned() {
        let (mut img, space) = page(235, 40);
        assert_eq!(judge(&img, &space), Some(false));
        // A 2 px rule across the space to sign on.
        stroke(&mut img, 270, 450, 460, 462, 40);
        assert_eq!(judge(&img, &space), Some(false));
        // A stroke through the rule is still a signature.
        stroke(&mut img, 330, 334, 425, 475, 40);
        stroke(&mut img, 300, 400, 440, 443, 40);
        assert_eq!(judge(&img, &space), Some(true));
    }

    #[test]
    fn a_faint_pen_is_not_called_unsigned_and_a_washed_out_page_is_not_judged() {
        let (mut img, space) = page(240, 30);
        // A pale ballpoint, 35 levels under the paper: not ink, but a mark.
        stroke(&mut img, 290, 420, 440, 442, 205);
        stroke(&mut img, 300, 302, 425, 460, 205);
        let m = measure_ink(&img, &space).expect("readable");
        assert!(m.ink < mau01::EMPTY_INK_SHARE && m.faint > mau01::SIGNED_INK_SHARE, "{m:?}");
        assert_eq!(judge(&img, &space), None);
        // Print hardly darker than the paper: nothing can be told.
        let (img, space) = page(200, 180);
        assert_eq!(measure_ink(&img, &space), None);
    }

    #[test]
    fn scattered_dust_is_not_a_signature() {
        let (mut img, space) = page(235, 40);
        for k in 0..60u32 {
            img.put_pixel(275 + (k * 37) % 170, 420 + (k * 53) % 60, Luma([20]));
        }
        assert_eq!(judge(&img, &space), Some(false));
    }
}
