use crate::Format;

/// Why a document cannot be used. `message_vi` and `message_en` are what the officer reads; the
/// `Display` text goes to the logs.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("empty file")]
    Empty,
    #[error("unsupported format: {0:?}")]
    Unsupported(Format),
    #[error("image of {width}×{height} px exceeds the limit of {limit} pixels")]
    TooLarge { width: u32, height: u32, limit: u64 },
    #[error("corrupt or truncated {format:?}: {detail}")]
    Corrupt { format: Format, detail: String },
    #[error("PDF: {0}")]
    Pdf(String),
    #[error("PDF page {page} does not exist (the document has {pages})")]
    NoSuchPage { page: u32, pages: u32 },
    #[error("PDFium is not available: {0}")]
    PdfiumUnavailable(String),
    #[error("encoding a derivative failed: {0}")]
    Encode(String),
    #[error("OCR is not available: {0}")]
    OcrUnavailable(String),
    #[error("OCR failed: {0}")]
    Ocr(String),
}

impl DocumentError {
    pub fn message_vi(&self) -> String {
        match self {
            DocumentError::Empty => "Tệp rỗng, không có nội dung.".into(),
            DocumentError::Unsupported(f) => {
                format!("Định dạng {} không được hỗ trợ. Hãy dùng ảnh JPEG, PNG, WebP hoặc tệp PDF.", f.name_vi())
            }
            DocumentError::TooLarge { width, height, .. } => {
                format!("Ảnh quá lớn ({width}×{height} điểm ảnh), có thể là tệp độc hại: không mở.")
            }
            DocumentError::Corrupt { format, .. } => {
                format!("Tệp {} bị hỏng hoặc tải về không trọn vẹn.", format.name_vi())
            }
            DocumentError::Pdf(_) => "Tệp PDF bị hỏng hoặc không đọc được.".into(),
            DocumentError::NoSuchPage { page, pages } => {
                format!("Tệp PDF không có trang {page} (chỉ có {pages} trang).")
            }
            DocumentError::PdfiumUnavailable(_) => {
                "Thiếu thư viện đọc PDF (PDFium) trên máy: hãy cài đặt lại ứng dụng.".into()
            }
            DocumentError::Encode(_) => "Không tạo được ảnh xem trước.".into(),
            DocumentError::OcrUnavailable(_) => {
                "Thiếu bộ đọc chữ (Tesseract tiếng Việt) trên máy: trang quét chỉ khớp được bằng tay.".into()
            }
            DocumentError::Ocr(_) => "Không đọc được chữ trên trang quét này.".into(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            DocumentError::Empty => "The file is empty.".into(),
            DocumentError::Unsupported(f) => {
                format!("The {} format is not supported. Please use a JPEG, PNG or WebP photo, or a PDF file.", f.name_en())
            }
            DocumentError::TooLarge { width, height, .. } => {
                format!("The image is too large ({width}×{height} pixels) and may be harmful: not opened.")
            }
            DocumentError::Corrupt { format, .. } => {
                format!("The {} file is damaged or was not downloaded completely.", format.name_en())
            }
            DocumentError::Pdf(_) => "The PDF file is damaged or cannot be read.".into(),
            DocumentError::NoSuchPage { page, pages } => {
                format!("The PDF file has no page {page} (it has only {pages}).")
            }
            DocumentError::PdfiumUnavailable(_) => {
                "The PDF reader library (PDFium) is missing on this PC: please reinstall the app.".into()
            }
            DocumentError::Encode(_) => "Could not make the preview image.".into(),
            DocumentError::OcrUnavailable(_) => {
                "The text reader (Tesseract with Vietnamese) is missing on this PC: scanned pages can only be matched by hand."
                    .into()
            }
            DocumentError::Ocr(_) => "Could not read the text on this scanned page.".into(),
        }
    }
}
