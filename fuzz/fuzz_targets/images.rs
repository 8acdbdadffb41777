#![no_main]
//! What a citizen's phone, a broken upload or a hostile sender could hand the
//! desk as a photo: sniffed, decoded (with its pixel limit and EXIF turn),
//! measured, searched for a QR code, reduced to the viewer's copies — an error
//! or a result, never a panic and never an allocation past the limit.

use bhxh_documents::{Format, analyse, sniff};
use bhxh_domain::DocumentKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // PDFs go to the `pdf` target (PDFium is a separate library).
    if sniff(data) == Format::Pdf {
        return;
    }
    let a = analyse(DocumentKind::IdBack, data);
    // A file is either explained as unreadable or measured and reduced for the viewer.
    assert_eq!(a.facts.unreadable.is_some(), a.derivatives.is_empty(), "{:?}", a.facts);
    assert_eq!(a.facts.unreadable.is_some(), a.facts.quality.is_none(), "{:?}", a.facts);
});
