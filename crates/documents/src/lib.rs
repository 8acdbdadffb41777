//! Document pixels for bhxh-desk: photos decoded the right way up with a pixel
//! limit, screen-size derivatives, quality measures, the chip-CCCD QR code, and
//! PDFs (rendered and read by PDFium on one worker thread). No I/O besides the
//! PDFium library; the cache stores what this crate produces.

mod analyse;
mod error;
pub mod letter;
pub mod ocr;
pub mod paper;
pub mod pdf;
pub mod qr;
pub mod quality;
pub mod raster;
mod sniff;

pub use analyse::{Analysis, Options as AnalyseOptions, analyse, analyse_with};
pub use error::DocumentError;
pub use raster::{Derivative, Size};
pub use sniff::{Format, sniff};
