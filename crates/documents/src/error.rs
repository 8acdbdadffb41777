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
    #[error("PDF of {pages} pages exceeds the limit of {limit}")]
    TooManyPages { pages: u32, limit: u32 },
    #[error("the PDF worker gave no answer within {seconds} s: killed")]
    PdfTooSlow { seconds: u64 },
    #[error("no PDF worker free within {seconds} s")]
    PdfBusy { seconds: u64 },
    #[error("the PDF worker failed: {0}")]
    PdfWorker(String),
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
            DocumentError::TooManyPages { pages, limit } => {
                format!("Tệp PDF có {pages} trang, quá giới hạn {limit} trang: không mở. Hãy tách thành nhiều tệp nhỏ hơn.")
            }
            DocumentError::PdfTooSlow { seconds } => {
                format!("Tệp PDF đọc quá {seconds} giây nên đã dừng (có thể là tệp hỏng hoặc độc hại). Các tệp khác vẫn dùng được.")
            }
            DocumentError::PdfBusy { .. } => {
                "Bộ đọc PDF đang bận với tệp khác (một chồng tờ khai đang được đọc). Hãy thử lại sau ít phút.".into()
            }
            DocumentError::PdfWorker(_) => {
                "Tệp PDF làm bộ đọc PDF dừng bất thường (có thể là tệp hỏng hoặc độc hại): không mở. Các tệp khác vẫn dùng được.".into()
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
            DocumentError::TooManyPages { pages, limit } => {
                format!("The PDF has {pages} pages, over the limit of {limit}: not opened. Please split it into smaller files.")
            }
            DocumentError::PdfTooSlow { seconds } => format!(
                "Reading the PDF took over {seconds} seconds and was stopped (it may be damaged or harmful). Other files still work."
            ),
            DocumentError::PdfBusy { .. } => {
                "The PDF reader is busy with another file (a stack of forms is being read). Please try again in a few minutes."
                    .into()
            }
            DocumentError::PdfWorker(_) => {
                "The PDF made the PDF reader stop (it may be damaged or harmful): not opened. Other files still work.".into()
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
