#![no_main]
//! The chip-CCCD QR text as a camera might decode it: never a panic.

use bhxh_domain::QrPayload;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = text.parse::<QrPayload>();
});
