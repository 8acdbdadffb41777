//! Inside the PDF worker process: PDFium renders pages and reads their text
//! layer. Nothing here runs in the app's own process (see `super::worker`).

use super::wire::{Reply, Request, WireError, WireWord, write_frame};
use bhxh_domain::mau01::signature::{PlacedWord, TEXT_LAYER_CONF};
use image::RgbImage;
use pdfium_render::prelude::*;
use std::io::{self, Write};
use tracing::{info_span, warn};

/// Words past this on one page are not kept: no form has them, and a page made
/// of millions must not fill the memory.
const MAX_PAGE_WORDS: usize = 20_000;

/// Confidence given to a word of an invisible text layer: a scanner's own OCR
/// laid over its image, trusted as much as ours, not as print.
const INVISIBLE_TEXT_CONF: u8 = 85;

/// The words of a page's text layer with their boxes in fractions of the page as
/// rendered. PDFium gives characters; a word ends at a space, a line break, or a
/// gap wider than half the character's height. A turned page (`/Rotate`) gives
/// none: its boxes would not land where the pixels are, and the signature is then
/// "could not tell".
fn placed_words(page: &PdfPage<'_>, text: &PdfPageText<'_>) -> Vec<PlacedWord> {
    let (pw, ph) = (page.width().value, page.height().value);
    if pw <= 0.0 || ph <= 0.0 || !matches!(page.rotation(), Ok(PdfPageRenderRotation::None)) {
        return Vec::new();
    }
    // The visible box may not start at the origin.
    let (x0, y0) = page
        .boundaries()
        .crop()
        .or_else(|_| page.boundaries().media())
        .map(|b| (b.bounds.left().value, b.bounds.bottom().value))
        .unwrap_or((0.0, 0.0));
    let mut words = Vec::new();
    let mut word = String::new();
    let mut conf = TEXT_LAYER_CONF;
    let mut bounds: Option<[f32; 4]> = None; // left, bottom, right, top in points
    let mut flush = |word: &mut String, bounds: &mut Option<[f32; 4]>, conf: &mut u8| {
        if let Some([l, b, r, t]) = bounds.take()
            && !word.trim().is_empty()
            && words.len() < MAX_PAGE_WORDS
        {
            let (l, r, b, t) = (l - x0, r - x0, b - y0, t - y0);
            words.push(PlacedWord {
                text: std::mem::take(word),
                bbox: [l / pw, 1.0 - t / ph, (r - l) / pw, (t - b) / ph],
                conf: *conf,
            });
        }
        word.clear();
        *conf = TEXT_LAYER_CONF;
    };
    for ch in text.chars().iter() {
        let Some(c) = ch.unicode_char() else { continue };
        if c.is_whitespace() || c.is_control() {
            flush(&mut word, &mut bounds, &mut conf);
            continue;
        }
        if matches!(ch.render_mode(), Ok(PdfPageTextRenderMode::Invisible)) {
            conf = conf.min(INVISIBLE_TEXT_CONF);
        }
        let Ok(rect) = ch.loose_bounds() else { continue };
        let (l, b, r, t) = (rect.left().value, rect.bottom().value, rect.right().value, rect.top().value);
        if let Some([_, pb, pr, pt]) = bounds {
            let height = (pt - pb).max(t - b).max(1.0);
            let mid = (b + t) / 2.0;
            if l - pr > height * 0.5 || l < pr - height * 2.0 || mid < pb || mid > pt {
                flush(&mut word, &mut bounds, &mut conf);
            }
        }
        bounds = Some(match bounds {
            Some([pl, pb, pr, pt]) => [pl.min(l), pb.min(b), pr.max(r), pt.max(t)],
            None => [l, b, r, t],
        });
        word.push(c);
    }
    flush(&mut word, &mut bounds, &mut conf);
    words
}

fn config(long_side: u32) -> PdfRenderConfig {
    let side = long_side.min(i32::MAX as u32) as i32;
    PdfRenderConfig::new().set_target_width(side).set_maximum_height(side).set_maximum_width(side)
}

fn pdf_detail(e: &PdfiumError) -> WireError {
    WireError::Pdf { detail: e.to_string() }
}

fn rendered(page: &PdfPage<'_>, long_side: u32) -> Result<RgbImage, WireError> {
    let bitmap = page.render_with_config(&config(long_side)).map_err(|e| pdf_detail(&e))?;
    Ok(bitmap.as_image().map_err(|e| pdf_detail(&e))?.to_rgb8())
}

fn page_frame(
    out: &mut impl Write,
    index: u32,
    pages: u32,
    image: &RgbImage,
    text: String,
    words: Vec<PlacedWord>,
) -> io::Result<()> {
    let words: Vec<WireWord> = words.into_iter().map(|w| (w.text, w.bbox, w.conf)).collect();
    let reply = Reply::Page { index, pages, width: image.width(), height: image.height(), text, words };
    write_frame(out, &reply, image.as_raw())
}

fn error_frame(out: &mut impl Write, error: WireError) -> io::Result<()> {
    write_frame(out, &Reply::Error { error }, &[])
}

/// Answers one request about `bytes` on `out`: its frames, then `Done`.
pub fn serve(pdfium: &Pdfium, request: Request, bytes: &[u8], out: &mut impl Write) -> io::Result<()> {
    let doc = match pdfium.load_pdf_from_byte_slice(bytes, None) {
        Ok(d) => d,
        Err(e) => return error_frame(out, pdf_detail(&e)),
    };
    let pages = doc.pages().len().max(0) as u32;
    match request {
        Request::PageCount => write_frame(out, &Reply::Count { pages }, &[])?,
        Request::RenderPage { index, long_side } => {
            let _span = info_span!("render_page", index, long_side).entered();
            let page = i32::try_from(index).ok().and_then(|i| doc.pages().get(i).ok());
            let Some(page) = page else {
                return error_frame(out, WireError::NoSuchPage { page: index + 1, pages });
            };
            match rendered(&page, long_side) {
                Ok(image) => page_frame(out, index, pages, &image, String::new(), Vec::new())?,
                Err(e) => return error_frame(out, e),
            }
        }
        Request::Pages { long_side, max_pages } => {
            let _span = info_span!("pdf_pages", long_side, pages).entered();
            if pages > max_pages {
                return error_frame(out, WireError::TooManyPages { pages, limit: max_pages });
            }
            for (index, page) in doc.pages().iter().enumerate() {
                let (text, words) = match page.text() {
                    Ok(t) => (t.all(), placed_words(&page, &t)),
                    Err(e) => {
                        warn!(error = %e, index, "no text layer read");
                        (String::new(), Vec::new())
                    }
                };
                match rendered(&page, long_side) {
                    Ok(image) => page_frame(out, index as u32, pages, &image, text, words)?,
                    Err(e) => return error_frame(out, e),
                }
            }
        }
    }
    write_frame(out, &Reply::Done, &[])
}
