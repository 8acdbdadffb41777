//! What happens to a document when it arrives: decoded once, measured, searched
//! for a QR code (ID card photos), and reduced to the derivatives the viewer
//! shows. A PDF gets its first page rendered for the same derivatives.

use crate::raster::{self, Derivative, Size};
use crate::{DocumentError, Format, pdf, quality, sniff};
use bhxh_domain::{DocumentFacts, DocumentKind, QrReading};
use std::sync::Arc;
use tracing::info_span;

pub struct Analysis {
    pub facts: DocumentFacts,
    pub derivatives: Vec<Derivative>,
}

pub fn analyse(kind: DocumentKind, bytes: &[u8]) -> Analysis {
    let _span = info_span!("analyse_document", kind = kind.code(), len = bytes.len()).entered();
    let result = match sniff(bytes) {
        Format::Pdf => analyse_pdf(kind, bytes),
        _ => analyse_photo(kind, bytes),
    };
    result.unwrap_or_else(|e| {
        tracing::warn!(error = %e, kind = kind.code(), "document could not be analysed");
        Analysis {
            facts: DocumentFacts {
                kind,
                quality: None,
                qr: QrReading::NotApplicable,
                unreadable: Some(e.message_vi()),
            },
            derivatives: Vec::new(),
        }
    })
}

fn analyse_photo(kind: DocumentKind, bytes: &[u8]) -> Result<Analysis, DocumentError> {
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
    let derivatives = raster::derivatives(&photo)?;
    Ok(Analysis { facts: DocumentFacts { kind, quality: Some(quality), qr, unreadable: None }, derivatives })
}

fn analyse_pdf(kind: DocumentKind, bytes: &[u8]) -> Result<Analysis, DocumentError> {
    let first = pdf::engine()?.render_page(Arc::new(bytes.to_vec()), 0, Size::Screen.long_side())?;
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
        facts: DocumentFacts { kind, quality: None, qr: QrReading::NotApplicable, unreadable: None },
        derivatives,
    })
}
