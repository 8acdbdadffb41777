//! What a file is, from its first bytes: the file name and the declared content
//! type are whatever the sender said.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Pdf,
    /// iPhones save HEIC by default; `image` cannot decode it.
    Heic,
    Avif,
    Gif,
    Tiff,
    Bmp,
    Unknown,
}

impl Format {
    pub fn name_vi(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Webp => "WebP",
            Format::Pdf => "PDF",
            Format::Heic => "HEIC (ảnh iPhone)",
            Format::Avif => "AVIF",
            Format::Gif => "GIF",
            Format::Tiff => "TIFF",
            Format::Bmp => "BMP",
            Format::Unknown => "không xác định",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Format::Heic => "HEIC (iPhone photo)",
            Format::Unknown => "unknown",
            other => other.name_vi(),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Pdf => "application/pdf",
            Format::Heic => "image/heic",
            Format::Avif => "image/avif",
            Format::Gif => "image/gif",
            Format::Tiff => "image/tiff",
            Format::Bmp => "image/bmp",
            Format::Unknown => "application/octet-stream",
        }
    }

    /// Photo formats this crate decodes.
    pub fn is_photo(self) -> bool {
        matches!(self, Format::Jpeg | Format::Png | Format::Webp)
    }
}

pub fn sniff(bytes: &[u8]) -> Format {
    let starts = |p: &[u8]| bytes.starts_with(p);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        Format::Jpeg
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Format::Png
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Format::Webp
    } else if starts(b"%PDF-") {
        Format::Pdf
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        match &bytes[8..12] {
            b"avif" | b"avis" => Format::Avif,
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => Format::Heic,
            _ => Format::Unknown,
        }
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Format::Gif
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        Format::Tiff
    } else if starts(b"BM") && bytes.len() > 14 {
        Format::Bmp
    } else {
        Format::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_by_content() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Format::Jpeg);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Format::Png);
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Format::Webp);
        assert_eq!(sniff(b"%PDF-1.7\n"), Format::Pdf);
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Format::Heic);
        assert_eq!(sniff(b"\0\0\0\x18ftypmif1\0\0\0\0"), Format::Heic);
        assert_eq!(sniff(b"\0\0\0\x18ftypavif\0\0\0\0"), Format::Avif);
        assert_eq!(sniff(b"GIF89a...."), Format::Gif);
        assert_eq!(sniff(b"<html>"), Format::Unknown);
        assert_eq!(sniff(b""), Format::Unknown);
        assert!(crate::DocumentError::Unsupported(Format::Heic).message_vi().contains("HEIC"));
    }
}
