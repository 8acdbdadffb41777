//! Is a photo good enough to read? Measured on a greyscale copy reduced to
//! 1000 px on its long side, so the figures do not depend on the camera.
//! The thresholds are calibrated on generated sharp / blurred / dark / cut-off
//! pairs (see `tests/quality.rs`), and every flag is a warning for the officer.

use crate::raster::{self, Photo};
use bhxh_domain::{DocumentKind, ImageQuality, QualityFlag};
use image::GrayImage;

pub const MEASURE_LONG_SIDE: u32 = 1000;
/// Contrast-normalised variance of the Laplacian below this: blurred. Generated
/// card photos measure 300–850 sharp, under 10 after a Gaussian blur of σ 4 px
/// at 2000 px, and 300–500 when only darkened (normalising keeps a dark but
/// sharp photo from counting as blurred).
pub const BLUR_BELOW: f32 = 60.0;
pub const DARK_MEAN_BELOW: f32 = 60.0;
pub const WASHED_OUT_MEAN_ABOVE: f32 = 215.0;
pub const FLAT_CONTRAST_BELOW: f32 = 40.0;
/// An ID card photo needs its long side at least this long to be read (a card
/// filling two-thirds of it then has ~4 px strokes on the ID number).
pub const ID_MIN_LONG_SIDE: u32 = 900;
pub const PORTRAIT_MIN_LONG_SIDE: u32 = 400;
/// Share of one edge of the photo that may look like the card before it counts as cut off.
pub const CUT_OFF_EDGE_SHARE: f32 = 0.3;

pub fn measure(photo: &Photo, kind: DocumentKind) -> ImageQuality {
    let gray = raster::resized_gray(&photo.image, MEASURE_LONG_SIDE);
    measure_gray(&gray, photo.width(), photo.height(), kind)
}

pub fn measure_gray(gray: &GrayImage, width: u32, height: u32, kind: DocumentKind) -> ImageQuality {
    let (mean_luma, p5, p95) = luma_stats(gray);
    let contrast = p95 - p5;
    // Edges scale with contrast: measure sharpness as if spread over 100 levels.
    let sharpness = laplacian_variance(gray) * (100.0 / contrast.max(10.0)).powi(2);
    let mut flags = Vec::new();
    // Blur matters where text must be read; a portrait is judged by eye (a smooth,
    // evenly lit face has little edge energy without being out of focus).
    if sharpness < BLUR_BELOW && kind != DocumentKind::Portrait {
        flags.push(QualityFlag::Blurred);
    }
    if mean_luma < DARK_MEAN_BELOW {
        flags.push(QualityFlag::Dark);
    } else if mean_luma > WASHED_OUT_MEAN_ABOVE || (contrast < FLAT_CONTRAST_BELOW && mean_luma > 150.0) {
        flags.push(QualityFlag::WashedOut);
    } else if contrast < FLAT_CONTRAST_BELOW && mean_luma < 100.0 {
        flags.push(QualityFlag::Dark);
    }
    let is_card = matches!(kind, DocumentKind::IdFront | DocumentKind::IdBack);
    let min_side = match kind {
        DocumentKind::Portrait => PORTRAIT_MIN_LONG_SIDE,
        DocumentKind::PaperForm => 0,
        _ => ID_MIN_LONG_SIDE,
    };
    if width.max(height) < min_side {
        flags.push(QualityFlag::Small);
    }
    if is_card && card_touches_edges(gray) {
        flags.push(QualityFlag::CutOff);
    }
    ImageQuality { width, height, sharpness, mean_luma, contrast, flags }
}

/// Variance of the 4-neighbour Laplacian: edges make it large, blur flattens it.
pub fn laplacian_variance(g: &GrayImage) -> f32 {
    let (w, h) = (g.width() as usize, g.height() as usize);
    if w < 3 || h < 3 {
        return 0.0;
    }
    let px = g.as_raw();
    let (mut sum, mut sum2, mut n) = (0f64, 0f64, 0f64);
    for y in 1..h - 1 {
        let row = y * w;
        for x in 1..w - 1 {
            let c = i32::from(px[row + x]);
            let l = i32::from(px[row + x - 1])
                + i32::from(px[row + x + 1])
                + i32::from(px[row - w + x])
                + i32::from(px[row + w + x])
                - 4 * c;
            let l = f64::from(l);
            sum += l;
            sum2 += l * l;
            n += 1.0;
        }
    }
    let mean = sum / n;
    (sum2 / n - mean * mean) as f32
}

/// Mean, 5th and 95th percentile of the luma.
fn luma_stats(g: &GrayImage) -> (f32, f32, f32) {
    let mut hist = [0u64; 256];
    for &p in g.as_raw() {
        hist[p as usize] += 1;
    }
    let n: u64 = hist.iter().sum();
    if n == 0 {
        return (0.0, 0.0, 0.0);
    }
    let mean = hist.iter().enumerate().map(|(v, c)| v as f64 * *c as f64).sum::<f64>() / n as f64;
    let percentile = |p: f64| {
        let target = (p * n as f64).ceil() as u64;
        let mut acc = 0;
        for (v, c) in hist.iter().enumerate() {
            acc += c;
            if acc >= target.max(1) {
                return v as f32;
            }
        }
        255.0
    };
    (mean as f32, percentile(0.05), percentile(0.95))
}

/// The card is the uniform surface in the middle of the photo; a photo taken
/// properly shows a margin of something else all around it. When a long stretch
/// of an edge has the card's tone, the card runs off the photo there.
pub fn card_touches_edges(g: &GrayImage) -> bool {
    let (w, h) = g.dimensions();
    if w < 20 || h < 20 {
        return false;
    }
    // The card's tone: the median of the central region.
    let mut centre: Vec<u8> = Vec::new();
    for y in h * 2 / 5..h * 3 / 5 {
        for x in w * 2 / 5..w * 3 / 5 {
            centre.push(g.get_pixel(x, y).0[0]);
        }
    }
    centre.sort_unstable();
    let card = i16::from(centre[centre.len() / 2]);
    let like = |x: u32, y: u32| (i16::from(g.get_pixel(x, y).0[0]) - card).abs() <= 16;
    // Two pixels in from the edge, where JPEG and lens artefacts have faded.
    let share = |points: &mut dyn Iterator<Item = (u32, u32)>| {
        let (mut hit, mut all) = (0u32, 0u32);
        for (x, y) in points {
            all += 1;
            hit += u32::from(like(x, y));
        }
        hit as f32 / all.max(1) as f32
    };
    let edges = [
        share(&mut (0..w).map(|x| (x, 2))),
        share(&mut (0..w).map(|x| (x, h - 3))),
        share(&mut (0..h).map(|y| (2, y))),
        share(&mut (0..h).map(|y| (w - 3, y))),
    ];
    edges.iter().any(|s| *s > CUT_OFF_EDGE_SHARE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_image_is_blurred_and_sharp_edges_are_not() {
        let flat = GrayImage::from_pixel(200, 100, image::Luma([128]));
        assert!(laplacian_variance(&flat) < 1.0);
        let checker =
            GrayImage::from_fn(200, 100, |x, y| image::Luma([if (x / 4 + y / 4) % 2 == 0 { 20 } else { 230 }]));
        assert!(laplacian_variance(&checker) > 1000.0);
    }

    #[test]
    fn a_card_with_a_margin_is_in_frame_and_one_filling_the_photo_is_not() {
        let framed = GrayImage::from_fn(400, 300, |x, y| {
            image::Luma([if (40..360).contains(&x) && (40..260).contains(&y) { 220 } else { 90 }])
        });
        assert!(!card_touches_edges(&framed));
        let cut = GrayImage::from_fn(400, 300, |x, y| {
            image::Luma([if (40..400).contains(&x) && (40..260).contains(&y) { 220 } else { 90 }])
        });
        assert!(card_touches_edges(&cut));
    }
}
