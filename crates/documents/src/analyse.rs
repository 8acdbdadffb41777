//! What happens to a document when it arrives: decoded once, measured, searched
//! for a QR code (ID card photos), and reduced to the derivatives the viewer
//! shows. A PDF gets its first page rendered for the same derivatives.

use crate::raster::{self, Derivative, Size};
use crate::{DocumentError, Format, pdf, quality, sniff};
use bhxh_domain::{DocumentFacts, DocumentKind, QrReading, QualityFlag};
use std::sync::Arc;
use tracing::info_span;

pub struct Analysis {
    pub facts: DocumentFacts,
    pub derivatives: Vec<Derivative>,
}

/// What to do besides the usual for one document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Read an ID card's front by OCR when it shows no QR code (the caller knows
    /// whether the card's back has one: then this is half a second for nothing).
    pub read_id_front: bool,
}

pub fn analyse(kind: DocumentKind, bytes: &[u8]) -> Analysis {
    analyse_with(kind, bytes, Options::default())
}

pub fn analyse_with(kind: DocumentKind, bytes: &[u8], options: Options) -> Analysis {
    let _span = info_span!("analyse_document", kind = kind.code(), len = bytes.len()).entered();
    let result = match sniff(bytes) {
        Format::Pdf => analyse_pdf(kind, bytes),
        _ => analyse_photo(kind, bytes, options),
    };
    result.unwrap_or_else(|e| {
        tracing::warn!(error = %e, kind = kind.code(), "document could not be analysed");
        Analysis {
            facts: DocumentFacts {
                kind,
                quality: None,
                qr: QrReading::NotApplicable,
                unreadable: Some(e.message_vi()),
                ocr: None,
            },
            derivatives: Vec::new(),
        }
    })
}

fn analyse_photo(kind: DocumentKind, bytes: &[u8], options: Options) -> Result<Analysis, DocumentError> {
    let photo = raster::decode(bytes)?;
    let quality = quality::measure(&photo, kind);
    let qr = if matches!(kind, DocumentKind::IdFront | DocumentKind::IdBack) {
        match crate::qr::find(&photo.image).into_iter().next() {
            Some(text) => QrReading::Found { text },
            None => QrReading::NotFound,
        }
    } else {
        QrReading::NotApplicable
    };
    let ocr = if kind == DocumentKind::IdFront && options.read_id_front && qr == QrReading::NotFound {
        // Without Tesseract the card is compared by eye, as before.
        match crate::ocr::engine().and_then(|e| crate::ocr::id_card::read_id_front(e, &photo.image)) {
            // What a photo the checks call blurred or too small reads is a hint, never
            // a Block: Tesseract is sure of digits a blur has merged.
            Ok(mut r) if quality.flags.iter().any(|f| matches!(f, QualityFlag::Blurred | QualityFlag::Small)) => {
                for f in &mut r.fields {
                    f.conf = f.conf.min(bhxh_domain::mau01::OCR_CONFIDENT - 1);
                }
                Some(r)
            }
            Ok(r) => Some(r),
            Err(e) => {
                tracing::warn!(error = %e, "the ID card's front could not be read by OCR");
                None
            }
        }
    } else {
        None
    };
    let derivatives = raster::derivatives(&photo)?;
    Ok(Analysis { facts: DocumentFacts { kind, quality: Some(quality), qr, unreadable: None, ocr }, derivatives })
}

fn analyse_pdf(kind: DocumentKind, bytes: &[u8]) -> Result<Analysis, DocumentError> {
    let first = pdf::engine()?.render_page_patiently(Arc::new(bytes.to_vec()), 0, Size::Screen.long_side())?;
    let thumb = raster::resized_rgb(&image::DynamicImage::ImageRgb8(first.clone()), Size::Thumb.long_side());
    let derivatives = vec![
        Derivative {
            size: Size::Screen,
            width: first.width(),
            height: first.height(),
            jpeg: raster::encode_jpeg(&first, 85)?,
        },
        Derivative {
            size: Size::Thumb,
            width: thumb.width(),
            height: thumb.height(),
            jpeg: raster::encode_jpeg(&thumb, 80)?,
        },
    ];
    Ok(Analysis {
        facts: DocumentFacts { kind, quality: None, qr: QrReading::NotApplicable, unreadable: None, ocr: None },
        derivatives,
    })
}
