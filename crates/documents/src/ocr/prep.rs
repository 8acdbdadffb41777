//! Making a scan readable before OCR: greyscale, contrast stretched between the
//! paper and the ink, the page turned straight (projection-profile deskew), and
//! the resolution brought to about 200 dpi. Each step is measured in the OCR
//! benchmark on the generated variants; a step that does not help is switched off
//! there, not here.

use image::{GrayImage, Luma, RgbImage};

/// What was done to a page, so boxes found on the prepared image can be mapped
/// back onto the page the officer sees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prepared {
    /// Degrees the page was turned back by (positive: it was turned clockwise).
    pub skew_deg: f32,
    /// Prepared pixels per source pixel.
    pub scale: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Steps {
    pub contrast: bool,
    pub deskew: bool,
    /// Height the page is brought to (an A4 page at 200 dpi is 2339 px high).
    pub height: Option<u32>,
}

impl Steps {
    pub const ALL: Steps = Steps { contrast: true, deskew: true, height: Some(A4_HEIGHT_200DPI) };
    pub const NONE: Steps = Steps { contrast: false, deskew: false, height: None };
    /// What the app uses for a page, from the benchmark on the generated variants
    /// (`cargo bench -p bhxh-documents --bench ocr`): deskew is what a turned page
    /// needs (a 14° page reads 0 of 4 without it, 4 of 4 with it); contrast
    /// stretching changed nothing on any variant, faint pages included, so it is off.
    pub const PAGE: Steps = Steps { contrast: false, deskew: true, height: Some(A4_HEIGHT_200DPI) };
}

pub const A4_HEIGHT_200DPI: u32 = 2339;
/// Pages are turned back only when the estimate is at least this far off: below
/// it Tesseract reads as well, and a turn blurs the glyphs a little.
const MIN_SKEW_DEG: f32 = 0.4;
/// Scans are not turned by more than this (a page fed sideways is another matter).
const MAX_SKEW_DEG: f32 = 20.0;

pub fn prepare(rgb: &RgbImage, steps: Steps) -> (GrayImage, Prepared) {
    let mut gray = image::DynamicImage::ImageRgb8(rgb.clone()).to_luma8();
    let mut scale = 1.0;
    if let Some(h) = steps.height
        && gray.height() != h
        && gray.height() > 0
    {
        scale = h as f32 / gray.height() as f32;
        let w = ((gray.width() as f32 * scale).round() as u32).max(1);
        gray = image::imageops::resize(&gray, w, h, image::imageops::FilterType::Triangle);
    }
    if steps.contrast {
        stretch_contrast(&mut gray);
    }
    let mut skew_deg = 0.0;
    if steps.deskew {
        let estimate = estimate_skew(&gray);
        if estimate.abs() >= MIN_SKEW_DEG {
            gray = rotate(&gray, -estimate);
            skew_deg = estimate;
        }
    }
    (gray, Prepared { skew_deg, scale })
}

/// Levels between the darkest and lightest percent of the page spread over the
/// whole range: faint toner on grey paper becomes black on white.
pub fn stretch_contrast(gray: &mut GrayImage) {
    let mut hist = [0u64; 256];
    for p in gray.pixels() {
        hist[p.0[0] as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return;
    }
    let at = |share: f64| {
        let target = (total as f64 * share) as u64;
        let mut seen = 0;
        for (level, n) in hist.iter().enumerate() {
            seen += n;
            if seen > target {
                return level as f32;
            }
        }
        255.0
    };
    let (lo, hi) = (at(0.01), at(0.99));
    if hi - lo < 8.0 {
        return; // a blank page: nothing to stretch
    }
    let lut: Vec<u8> = (0..256).map(|v| ((v as f32 - lo) * 255.0 / (hi - lo)).clamp(0.0, 255.0) as u8).collect();
    for p in gray.pixels_mut() {
        p.0[0] = lut[p.0[0] as usize];
    }
}

/// The angle (degrees, positive = turned clockwise) at which the page's dark
/// pixels fall into the sharpest rows: text lines are straight there. Measured on
/// a reduced copy, coarse then fine.
pub fn estimate_skew(gray: &GrayImage) -> f32 {
    let small_h = 900u32.min(gray.height().max(1));
    let factor = small_h as f32 / gray.height().max(1) as f32;
    let small_w = ((gray.width() as f32 * factor) as u32).max(1);
    let small = image::imageops::resize(gray, small_w, small_h, image::imageops::FilterType::Triangle);
    let mean = small.pixels().map(|p| u64::from(p.0[0])).sum::<u64>() as f32 / (small_w * small_h) as f32;
    let threshold = (mean * 0.75) as u8;
    let dark: Vec<(f32, f32)> =
        small.enumerate_pixels().filter(|(_, _, p)| p.0[0] < threshold).map(|(x, y, _)| (x as f32, y as f32)).collect();
    if dark.len() < 200 {
        return 0.0;
    }
    let rows = (small_h as f32 * 1.5) as usize + small_w as usize;
    let score = |deg: f32| {
        let (sin, cos) = deg.to_radians().sin_cos();
        let mut hist = vec![0u32; rows];
        let offset = small_w as f32 * sin.abs();
        for (x, y) in &dark {
            // The row this pixel falls in once the page is turned back by `deg`.
            let r = (y * cos - x * sin + offset).round();
            if r >= 0.0 && (r as usize) < rows {
                hist[r as usize] += 1;
            }
        }
        hist.windows(2).map(|w| (i64::from(w[1]) - i64::from(w[0])).pow(2)).sum::<i64>()
    };
    let best = |from: f32, to: f32, step: f32| {
        let mut a = from;
        let mut best = (0.0f32, i64::MIN);
        while a <= to + 1e-3 {
            let s = score(a);
            if s > best.1 {
                best = (a, s);
            }
            a += step;
        }
        best.0
    };
    let coarse = best(-MAX_SKEW_DEG, MAX_SKEW_DEG, 0.5);
    best(coarse - 0.5, coarse + 0.5, 0.1)
}

/// Turns the image by `deg` degrees about its centre (bilinear), corners white.
pub fn rotate(src: &GrayImage, deg: f32) -> GrayImage {
    let (w, h) = src.dimensions();
    if w < 2 || h < 2 {
        return src.clone();
    }
    let (sin, cos) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    GrayImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let (sx, sy) = (cos * dx + sin * dy + cx, -sin * dx + cos * dy + cy);
        if sx < 0.0 || sy < 0.0 || sx >= (w - 1) as f32 || sy >= (h - 1) as f32 {
            return Luma([255]);
        }
        let (x0, y0) = (sx as u32, sy as u32);
        let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
        let p = |x, y| f32::from(src.get_pixel(x, y).0[0]);
        let top = p(x0, y0) * (1.0 - fx) + p(x0 + 1, y0) * fx;
        let bottom = p(x0, y0 + 1) * (1.0 - fx) + p(x0 + 1, y0 + 1) * fx;
        Luma([(top * (1.0 - fy) + bottom * fy).round() as u8])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of "text" (dark dashes) on white, turned by `deg`.
    fn lined_page(deg: f32) -> GrayImage {
        let page = GrayImage::from_fn(800, 1100, |x, y| {
            let in_line = (y % 40) < 8 && (100..700).contains(&x) && (x / 12) % 5 != 0;
            Luma([if in_line { 20 } else { 245 }])
        });
        rotate(&page, deg)
    }

    #[test]
    fn the_skew_of_a_turned_page_is_found() {
        for deg in [0.0f32, 2.0, -3.5, 7.0, 14.0] {
            let found = estimate_skew(&lined_page(deg));
            assert!((found - deg).abs() <= 0.3, "turned {deg}°, estimated {found}°");
        }
        // A blank page has no skew to find.
        assert_eq!(estimate_skew(&GrayImage::from_pixel(300, 400, Luma([250]))), 0.0);
    }

    #[test]
    fn faint_pages_are_stretched_and_blank_ones_left_alone() {
        let mut faint = GrayImage::from_fn(100, 100, |x, _| Luma([if x < 10 { 150 } else { 200 }]));
        stretch_contrast(&mut faint);
        assert_eq!(faint.get_pixel(0, 0).0[0], 0);
        assert_eq!(faint.get_pixel(50, 0).0[0], 255);
        let mut blank = GrayImage::from_pixel(10, 10, Luma([230]));
        stretch_contrast(&mut blank);
        assert_eq!(blank.get_pixel(0, 0).0[0], 230);
    }

    #[test]
    fn preparing_brings_the_page_to_200_dpi_and_straight() {
        let rgb = image::DynamicImage::ImageLuma8(lined_page(5.0)).to_rgb8();
        let (gray, p) = prepare(&rgb, Steps::ALL);
        assert_eq!(gray.height(), A4_HEIGHT_200DPI);
        assert!((p.skew_deg - 5.0).abs() <= 0.3, "{p:?}");
        assert!((p.scale - A4_HEIGHT_200DPI as f32 / 1100.0).abs() < 1e-3);
        let (_, none) = prepare(&rgb, Steps::NONE);
        assert_eq!(none, Prepared { skew_deg: 0.0, scale: 1.0 });
    }
}
