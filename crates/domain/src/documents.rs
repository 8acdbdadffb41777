//! What the machine read from a declaration's documents: image quality measures
//! and flags, and the ID card's QR code. Computed by `bhxh-documents` when the
//! documents arrive; the checks turn them into findings.

use crate::DocumentKind;
use serde::{Deserialize, Serialize};

/// Why a photo may not be good enough to read. Each is an estimate from the
/// pixels, so it becomes a warning, never a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityFlag {
    Blurred,
    Dark,
    WashedOut,
    /// The card touches the photo's edges: a corner or side is probably cut off.
    CutOff,
    /// Far fewer pixels than a readable ID photo needs.
    Small,
}

/// Measures taken on a normalised greyscale copy (about 1000 px wide), so the
/// same photo gives the same figures whatever its resolution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageQuality {
    pub width: u32,
    pub height: u32,
    /// Variance of the Laplacian, normalised to a contrast of 100 levels: low means blurred.
    pub sharpness: f32,
    pub mean_luma: f32,
    /// 5th to 95th percentile of the luma: low means flat (dark or washed out).
    pub contrast: f32,
    pub flags: Vec<QualityFlag>,
}

/// What a look for the chip-CCCD QR code found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum QrReading {
    /// Not looked for (not a photo of an ID card).
    NotApplicable,
    /// A QR code was decoded; its text (personal data: stored sealed).
    Found { text: String },
    /// No QR code could be found or decoded.
    NotFound,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentFacts {
    pub kind: DocumentKind,
    /// `None` when the file could not be decoded (see `unreadable`).
    pub quality: Option<ImageQuality>,
    pub qr: QrReading,
    /// Why the file could not be read, in Vietnamese, for the officer.
    pub unreadable: Option<String>,
    /// The number and name read by OCR from an ID card's front that has no
    /// readable QR code (an old CMND, a worn CCCD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr: Option<crate::mau01::OcrReading>,
}

impl DocumentFacts {
    /// What OCR read on the ID card's front, when it was read.
    pub fn id_front_ocr(all: &[DocumentFacts]) -> Option<&crate::mau01::OcrReading> {
        all.iter().filter(|d| d.kind == DocumentKind::IdFront).find_map(|d| d.ocr.as_ref())
    }

    /// The first QR reading that parses as a chip-CCCD payload.
    pub fn cccd_qr(all: &[DocumentFacts]) -> Option<crate::QrPayload> {
        all.iter().find_map(|d| match &d.qr {
            QrReading::Found { text } => text.parse().ok(),
            _ => None,
        })
    }
}
