//! Document pixels for bhxh-desk: all pixel work of the app, and the only crate that links PDFium. No I/O besides the
//! PDFium library; the cache stores what this crate produces. Its calls block for long: callers run them off the UI
//! thread.
//!
//! - [`raster`]: format sniffed from the bytes, pixel limit checked before allocating, EXIF orientation applied,
//!   1600/256 px derivatives (`fast_image_resize`). [`quality`]: contrast-normalised Laplacian variance (blur), luma
//!   percentiles (dark, washed out), a card touching the edges (cut off); every flag only warns. [`qr`] (rqrr): the
//!   chip-CCCD QR code, tried at 2000 px first, then on full-resolution crops.
//! - [`pdf`]: PDFium runs in a worker process per document (`bhxh-pdf-worker`), limited in pages, memory, CPU and time;
//!   pages stream two at a time, each with its text layer's words and boxes.
//! - [`analyse()`]: one call per arriving document, giving `DocumentFacts` and the derivatives.
//! - [`ocr`]: Tesseract 5 with the Vietnamese model (the `tesseract` crate) on worker threads of its own, one engine
//!   each, OpenMP held to one thread per worker. `ocr::prep`: deskew by projection profile, optional contrast stretch,
//!   200 dpi. Words come with confidence and boxes; a number field that does not read as a number of its kind is read
//!   again in its box with digits only. [`ocr::id_card`]: an ID card's front without a readable QR (number and name);
//!   the number is confident only when the digits-only re-read agrees. The analysis reads a front only when the card's
//!   back gave no QR, and a blurred or small photo's reading never counts as confident.
//! - [`paper`]: the paper Mẫu 01 form: its QR; ink under the signer's caption, in the space `bhxh_domain::mau01`
//!   locates from the page's words; [`paper::read_pages`] reads image-only pages by OCR two at a time, each field with
//!   its confidence and box. The text rules themselves (fields, matching, the signing space) are pure and live in
//!   `bhxh_domain::mau01`.
//! - [`letter`]: the reminder letter as a PDF in the shape of a công văn (krilla, DejaVu Serif embedded, justified
//!   text, page numbers).

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
