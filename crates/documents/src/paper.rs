//! The pixels of a paper Mẫu 01 page: its QR code and the ink in its signature
//! box. The text rules (fields, matching) are `bhxh_domain::mau01`'s.

use bhxh_domain::mau01::{self, FormQr, PageReading, parse_text};
use image::{GrayImage, RgbImage};

/// Share of dark pixels inside the signature box of a page image. A scan may be
/// turned by a degree or two, so the box is read with a small inward margin.
pub fn ink_share(page: &GrayImage) -> f32 {
    let (w, h) = (page.width() as f32, page.height() as f32);
    let [l, t, r, b] = mau01::SIGNATURE_BOX;
    let margin = 0.01;
    let (x0, y0) = (((l + margin) * w) as u32, ((t + margin) * h) as u32);
    let (x1, y1) = ((((r - margin) * w) as u32).min(page.width()), (((b - margin) * h) as u32).min(page.height()));
    let (mut dark, mut all) = (0u32, 0u32);
    for y in y0..y1 {
        for x in x0..x1 {
            all += 1;
            dark += u32::from(page.get_pixel(x, y).0[0] < 110);
        }
    }
    dark as f32 / all.max(1) as f32
}

/// Everything readable on one rendered page and its text layer.
pub fn read_page(image: &RgbImage, text: &str) -> PageReading {
    let gray = image::DynamicImage::ImageRgb8(image.clone()).to_luma8();
    let mut reading = PageReading::default();
    parse_text(text, &mut reading);
    reading.qr = crate::qr::find_in_gray(gray.clone())
        .into_iter()
        .find_map(|t| FormQr::parse(&t))
        .map(|q| (q.declaration_id, q.ma_so));
    reading.ink_share = ink_share(&gray);
    reading.signed = Some(reading.ink_share >= mau01::SIGNED_INK_SHARE);
    reading
}
