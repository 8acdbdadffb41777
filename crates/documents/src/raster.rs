//! Photos: decoded from their content (never from the file name), with a pixel
//! limit checked before any pixel is allocated, turned the right way up from the
//! EXIF orientation, and reduced to screen-size derivatives.

use crate::{DocumentError, Format, sniff};
use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, GrayImage, ImageDecoder, ImageReader, Limits, RgbImage};
use std::io::Cursor;

/// 60 megapixels: above every phone camera in use (12–50 MP) and far below what a
/// decompression bomb asks for (a few KB claiming 50,000 × 50,000 px).
pub const MAX_PIXELS: u64 = 60_000_000;

/// The sizes the viewer asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Size {
    /// Long side 1600 px: a full screen at 1080p, enough to read an ID card.
    Screen,
    /// Long side 256 px: the queue's and the viewer's strip of thumbnails.
    Thumb,
}

impl Size {
    pub fn long_side(self) -> u32 {
        match self {
            Size::Screen => 1600,
            Size::Thumb => 256,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Size::Screen => "screen",
            Size::Thumb => "thumb",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "screen" => Some(Size::Screen),
            "thumb" => Some(Size::Thumb),
            _ => None,
        }
    }
}

/// A decoded photo, upright.
pub struct Photo {
    pub image: DynamicImage,
    pub format: Format,
}

impl Photo {
    /// A PDF page the worker rendered, to make its derivatives like a photo's.
    pub fn from_pdf_page(page: image::RgbImage) -> Self {
        Photo { image: DynamicImage::ImageRgb8(page), format: Format::Pdf }
    }

    pub fn width(&self) -> u32 {
        self.image.width()
    }

    pub fn height(&self) -> u32 {
        self.image.height()
    }
}

/// Decodes JPEG, PNG or WebP; refuses anything else by name, bombs by size,
/// and damaged files with a clear error.
pub fn decode(bytes: &[u8]) -> Result<Photo, DocumentError> {
    if bytes.is_empty() {
        return Err(DocumentError::Empty);
    }
    let format = sniff(bytes);
    let image_format = match format {
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Png => image::ImageFormat::Png,
        Format::Webp => image::ImageFormat::WebP,
        other => return Err(DocumentError::Unsupported(other)),
    };
    let corrupt = |e: image::ImageError| DocumentError::Corrupt { format, detail: e.to_string() };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4 + (64 << 20));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(DocumentError::TooLarge { width, height, limit: MAX_PIXELS });
    }
    // A broken EXIF block is no reason to refuse the picture: show it as stored.
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    image.apply_orientation(orientation);
    if truncated_jpeg(format, bytes) {
        return Err(DocumentError::Corrupt { format, detail: "no end-of-image marker".into() });
    }
    Ok(Photo { image, format })
}

/// zune-jpeg fills a cut-off file's missing rows with grey instead of failing;
/// a complete JPEG ends with EOI (FF D9), possibly followed by padding.
fn truncated_jpeg(format: Format, bytes: &[u8]) -> bool {
    format == Format::Jpeg && {
        let tail = &bytes[bytes.len().saturating_sub(4096)..];
        !tail.windows(2).any(|w| w == [0xFF, 0xD9])
    }
}

/// Width and height that fit `long_side`, never enlarging.
pub fn fit(width: u32, height: u32, long_side: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= long_side || long == 0 {
        return (width.max(1), height.max(1));
    }
    let scale = f64::from(long_side) / f64::from(long);
    (((f64::from(width) * scale).round() as u32).max(1), ((f64::from(height) * scale).round() as u32).max(1))
}

fn options() -> ResizeOptions {
    ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear))
}

/// `rgb` reduced to fit `long_side` (unchanged when it already fits).
pub fn fit_rgb(rgb: RgbImage, long_side: u32) -> RgbImage {
    if rgb.width().max(rgb.height()) <= long_side {
        return rgb;
    }
    resized_rgb(&DynamicImage::ImageRgb8(rgb), long_side)
}

/// The photo reduced to fit `long_side` (colour).
pub fn resized_rgb(image: &DynamicImage, long_side: u32) -> RgbImage {
    let rgb: std::borrow::Cow<'_, RgbImage> = match image {
        DynamicImage::ImageRgb8(x) => std::borrow::Cow::Borrowed(x),
        other => std::borrow::Cow::Owned(other.to_rgb8()),
    };
    let (w, h) = fit(rgb.width(), rgb.height(), long_side);
    if (w, h) == rgb.dimensions() {
        return rgb.into_owned();
    }
    resize_to(rgb.as_ref(), w, h)
}

fn resize_to(src: &RgbImage, w: u32, h: u32) -> RgbImage {
    let mut dst = RgbImage::new(w, h);
    // Both buffers are RGB8 of the stated sizes: the resizer cannot refuse them.
    if Resizer::new().resize(src, &mut dst, &options()).is_err() {
        return image::imageops::thumbnail(src, w, h);
    }
    dst
}

/// The photo in greyscale, reduced to fit `long_side`.
pub fn resized_gray(image: &DynamicImage, long_side: u32) -> GrayImage {
    let gray = image.to_luma8();
    let (w, h) = fit(gray.width(), gray.height(), long_side);
    if (w, h) == gray.dimensions() {
        return gray;
    }
    let mut dst = GrayImage::new(w, h);
    if Resizer::new().resize(&gray, &mut dst, &options()).is_err() {
        return image::imageops::thumbnail(&gray, w, h);
    }
    dst
}

/// A derivative ready to serve: JPEG bytes and their size.
#[derive(Debug, Clone)]
pub struct Derivative {
    pub size: Size,
    pub width: u32,
    pub height: u32,
    pub jpeg: Vec<u8>,
}

pub fn encode_jpeg(rgb: &RgbImage, quality: u8) -> Result<Vec<u8>, DocumentError> {
    let mut out = Vec::with_capacity((rgb.width() * rgb.height() / 6) as usize);
    let (w, h) = (
        u16::try_from(rgb.width()).map_err(|_| DocumentError::Encode("width".into()))?,
        u16::try_from(rgb.height()).map_err(|_| DocumentError::Encode("height".into()))?,
    );
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(rgb.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| DocumentError::Encode(e.to_string()))?;
    Ok(out)
}

/// The screen-size and thumbnail derivatives of a decoded photo.
pub fn derivatives(photo: &Photo) -> Result<Vec<Derivative>, DocumentError> {
    let screen = resized_rgb(&photo.image, Size::Screen.long_side());
    // From the screen copy: a sixth of the pixels to read.
    let (w, h) = fit(screen.width(), screen.height(), Size::Thumb.long_side());
    let thumb = resize_to(&screen, w, h);
    Ok(vec![
        Derivative {
            size: Size::Screen,
            width: screen.width(),
            height: screen.height(),
            jpeg: encode_jpeg(&screen, 85)?,
        },
        Derivative { size: Size::Thumb, width: thumb.width(), height: thumb.height(), jpeg: encode_jpeg(&thumb, 80)? },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg_of(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
        encode_jpeg(&img, 90).expect("encode")
    }

    #[test]
    fn fit_keeps_the_aspect_and_never_enlarges() {
        assert_eq!(fit(4000, 3000, 1600), (1600, 1200));
        assert_eq!(fit(3000, 4000, 1600), (1200, 1600));
        assert_eq!(fit(800, 600, 1600), (800, 600));
        assert_eq!(fit(0, 0, 1600), (1, 1));
    }

    #[test]
    fn decodes_and_makes_derivatives() {
        let photo = decode(&jpeg_of(2400, 1800)).expect("decode");
        assert_eq!((photo.width(), photo.height()), (2400, 1800));
        let d = derivatives(&photo).expect("derivatives");
        assert_eq!((d[0].width, d[0].height), (1600, 1200));
        assert_eq!((d[1].width, d[1].height), (256, 192));
        assert_eq!(sniff(&d[0].jpeg), Format::Jpeg);
    }

    #[test]
    fn decodes_png_and_webp_too() {
        let img = RgbImage::from_fn(320, 200, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 40]));
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(img.clone())
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("png");
        let mut webp = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
            .encode(img.as_raw(), 320, 200, image::ExtendedColorType::Rgb8)
            .expect("webp");
        for (bytes, format) in [(png, Format::Png), (webp, Format::Webp)] {
            let p = decode(&bytes).expect("decode");
            assert_eq!((p.format, p.width(), p.height()), (format, 320, 200));
        }
    }

    #[test]
    fn refuses_truncated_empty_and_unknown() {
        let full = jpeg_of(600, 400);
        let cut = &full[..full.len() / 2];
        assert!(matches!(decode(cut), Err(DocumentError::Corrupt { format: Format::Jpeg, .. })));
        assert!(matches!(decode(&[]), Err(DocumentError::Empty)));
        assert!(matches!(decode(b"<html>hello</html>"), Err(DocumentError::Unsupported(Format::Unknown))));
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        let e = decode(heic).err().expect("heic refused");
        assert!(e.message_vi().contains("HEIC"), "{}", e.message_vi());
    }

    #[test]
    fn refuses_a_decompression_bomb_before_allocating() {
        // A valid PNG header claiming 40,000 × 40,000 px, with almost no data.
        let mut png = Vec::new();
        {
            let mut enc = png_header(40_000, 40_000);
            png.append(&mut enc);
        }
        match decode(&png) {
            Err(DocumentError::TooLarge { width: 40_000, height: 40_000, .. }) => {}
            other => panic!("expected TooLarge, got {:?}", other.map(|p| p.width())),
        }
    }

    /// PNG signature and IHDR chunk (with its CRC) for an 8-bit greyscale image.
    fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&w.to_be_bytes());
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        out.extend_from_slice(&13u32.to_be_bytes());
        out.extend_from_slice(&ihdr);
        out.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        // The start of a data chunk: decoders read up to it before the size is known.
        let idat = b"IDAT\x78\x9c".to_vec();
        out.extend_from_slice(&2u32.to_be_bytes());
        out.extend_from_slice(&idat);
        out.extend_from_slice(&crc32(&idat).to_be_bytes());
        out
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
}
