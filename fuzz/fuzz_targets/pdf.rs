#![no_main]
//! A paper-form stack as an employer unit's scanner (or anyone) could produce it:
//! PDFium opens it on its own thread, pages are counted, rendered and read (QR,
//! signature ink, text-layer fields) — an error or a reading, never a panic.
//! Needs `libpdfium.so`: `BHXH_PDFIUM_DIR=$PWD/../.local/pdfium`.

use bhxh_documents::{paper, pdf};
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    // Without the library every input would pass untested.
    let engine = pdf::engine().expect("libpdfium.so: set BHXH_PDFIUM_DIR");
    let Ok(pages) = engine.pages(Arc::new(data.to_vec()), 800) else { return };
    // At most a few pages: a fuzzer's thousand-page file is the bad-input suite's.
    for page in pages.into_iter().take(3) {
        if let Ok(p) = page {
            let _ = paper::read_page(&p.image, &p.text, &p.words);
        }
    }
});
