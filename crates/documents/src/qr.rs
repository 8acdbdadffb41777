//! Finding and decoding a QR code in a photo or a rendered page. rqrr needs about
//! 3 px per module: the chip-CCCD code (version 7, 45 modules) on a card that
//! fills half of a 4000 px photo has ~10, so a 2000 px copy is tried first (4× fewer
//! pixels), then overlapping crops at full resolution for small or distant codes.

use crate::raster;
use image::{DynamicImage, GrayImage};
use tracing::debug;

pub const FIRST_TRY_LONG_SIDE: u32 = 2000;

/// Every QR text decoded in the image, in the order found.
fn decode_all(gray: GrayImage) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare(gray);
    prepared.detect_grids().into_iter().filter_map(|grid| grid.decode().ok().map(|(_, text)| text)).collect()
}

/// The QR texts in a photo; empty when none could be read.
pub fn find(image: &DynamicImage) -> Vec<String> {
    let long = image.width().max(image.height());
    let first = raster::resized_gray(image, FIRST_TRY_LONG_SIDE);
    let found = decode_all(first);
    if !found.is_empty() || long <= FIRST_TRY_LONG_SIDE {
        return found;
    }
    debug!(long, "no QR at 2000 px, trying full-resolution crops");
    let full = image.to_luma8();
    let (w, h) = full.dimensions();
    // Four overlapping crops of 60 % × 60 %: a code is whole in at least one.
    let (cw, ch) = (w * 3 / 5, h * 3 / 5);
    for (x, y) in [(0, 0), (w - cw, 0), (0, h - ch), (w - cw, h - ch)] {
        let crop = image::imageops::crop_imm(&full, x, y, cw, ch).to_image();
        let found = decode_all(crop);
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

/// The QR texts on a rendered page (already at screen resolution).
pub fn find_in_gray(gray: GrayImage) -> Vec<String> {
    decode_all(gray)
}
