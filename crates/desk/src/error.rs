//! Errors as the UI sees them: a stable code to switch on and one sentence per UI language.

use bhxh_cache::CacheError;
use bhxh_sync::SyncError;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub enum ErrorCode {
    Validation,
    NotFound,
    Conflict,
    Offline,
    Unauthorized,
    Forbidden,
    /// The session is locked: only `unlock`, `status` and `logout` answer.
    Locked,
    /// The central service accepted a changed password; the data on this PC
    /// opens with the previous one (the login screen asks for it).
    PasswordChanged,
    Internal,
}

/// Crosses IPC as `{ code, message: { vi, en } }`: the sentence for people in
/// Vietnamese (the default, which scripts and tests read) and in English, so the
/// UI shows the one of its language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[ts(export)]
#[error("{code:?}: {message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: bhxh_domain::Text,
}

impl AppError {
    /// Both sentences at once, so that no error reaches the English UI in Vietnamese only.
    pub fn new(code: ErrorCode, message: impl Into<String>, message_en: impl Into<String>) -> Self {
        Self { code, message: bhxh_domain::Text::new(message, message_en) }
    }
    pub fn not_logged_in() -> Self {
        Self::new(
            ErrorCode::Unauthorized,
            "Phiên làm việc đã kết thúc. Vui lòng đăng nhập lại.",
            "Your session has ended. Please log in again.",
        )
    }
    pub fn locked() -> Self {
        Self::new(
            ErrorCode::Locked,
            "Màn hình đã khóa. Nhập mật khẩu để tiếp tục.",
            "The screen is locked. Enter your password to continue.",
        )
    }
    /// A fault of the program itself (a value that would not serialise): its own
    /// technical text, the same in both languages, for the support staff.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        let text = e.to_string();
        Self::new(ErrorCode::Internal, text.clone(), text)
    }
    pub fn declaration_not_here() -> Self {
        Self::new(
            ErrorCode::NotFound,
            "Không tìm thấy tờ khai này trên máy.",
            "This declaration was not found on this PC.",
        )
    }
    pub fn forbidden() -> Self {
        Self::new(
            ErrorCode::Forbidden,
            "Tài khoản của bạn không có quyền thực hiện thao tác này.",
            "Your account is not allowed to do this.",
        )
    }
}

impl From<CacheError> for AppError {
    fn from(e: CacheError) -> Self {
        tracing::error!(error = %e, "cache error");
        if e.is_disk_full() {
            return AppError::new(
                ErrorCode::Internal,
                "Ổ đĩa đầy: không ghi được vào máy. Những gì đã ghi trước đó vẫn được giữ nguyên; hãy giải phóng dung lượng rồi thử lại.",
                "The disk is full: nothing could be written on this PC. What was saved before is kept; please free some space and try again.",
            );
        }
        if e.is_read_only() {
            return AppError::new(
                ErrorCode::Internal,
                "Thư mục dữ liệu chỉ đọc hoặc không có quyền ghi. Những gì đã ghi trước đó vẫn được giữ nguyên; hãy báo bộ phận kỹ thuật.",
                "The data folder is read-only or cannot be written to. What was saved before is kept; please tell technical support.",
            );
        }
        match e {
            CacheError::MissingDocument(_) => AppError::new(
                ErrorCode::NotFound,
                "Tài liệu chưa có trên máy này.",
                "This document is not on this PC yet.",
            ),
            CacheError::Integrity { .. } => AppError::new(
                ErrorCode::Internal,
                "Tệp tài liệu trên máy đã bị thay đổi hoặc hỏng; sẽ tải lại khi đồng bộ.",
                "The document file on this PC has been changed or damaged; it will be downloaded again at the next sync.",
            ),
            CacheError::Sealed { .. } => AppError::new(
                ErrorCode::Internal,
                "Dữ liệu mã hóa trên máy không mở được (bị thay đổi hoặc không thuộc tài khoản này); sẽ tải lại khi đồng bộ.",
                "Encrypted data on this PC could not be opened (changed, or not this account's); it will be downloaded again at the next sync.",
            ),
            CacheError::Io { .. } => AppError::new(
                ErrorCode::Internal,
                "Không ghi/đọc được thư mục dữ liệu trên máy (đầy ổ đĩa hoặc không có quyền ghi).",
                "Could not read or write the data folder on this PC (the disk is full or writing is not allowed).",
            ),
            _ => AppError::new(
                ErrorCode::Internal,
                "Lỗi dữ liệu trên máy. Vui lòng báo bộ phận kỹ thuật.",
                "Data error on this PC. Please tell technical support.",
            ),
        }
    }
}

impl From<bhxh_cache::UnlockError> for AppError {
    fn from(e: bhxh_cache::UnlockError) -> Self {
        use bhxh_cache::UnlockError;
        tracing::warn!(error = %e, "offline unlock refused");
        match e {
            UnlockError::NoProfile(_) => AppError::new(
                ErrorCode::Offline,
                "Không kết nối được máy chủ và tài khoản này chưa từng đăng nhập trên máy này. Lần đăng nhập đầu tiên cần có mạng.",
                "Could not reach the server, and this account has never logged in on this PC. The first login needs a network connection.",
            ),
            UnlockError::WrongPassword { attempts_left } => AppError::new(
                ErrorCode::Unauthorized,
                format!(
                    "Không kết nối được máy chủ, và mật khẩu không khớp với lần đăng nhập trước trên máy này. Còn {attempts_left} lần thử."
                ),
                format!(
                    "Could not reach the server, and the password does not match the last login on this PC. {attempts_left} {} left.",
                    tries(attempts_left)
                ),
            ),
            UnlockError::Locked { until } => AppError::new(
                ErrorCode::Unauthorized,
                format!(
                    "Đã nhập sai mật khẩu {} lần. Vui lòng thử lại sau {}.",
                    bhxh_cache::profiles::MAX_FAILED_UNLOCKS,
                    bhxh_domain::clock::office_text(until)
                ),
                format!(
                    "A wrong password was entered {} times. Please try again after {}.",
                    bhxh_cache::profiles::MAX_FAILED_UNLOCKS,
                    bhxh_domain::clock::office_text(until)
                ),
            ),
            UnlockError::TooLongOffline { since, days } => AppError::new(
                ErrorCode::Offline,
                format!(
                    "Lần đăng nhập trực tuyến gần nhất là {}: quá {days} ngày, dữ liệu trên máy không mở được khi ngoại tuyến. Hãy kết nối mạng và đăng nhập lại; dữ liệu và các quyết định chưa gửi vẫn được giữ.",
                    bhxh_domain::clock::office_text(since)
                ),
                format!(
                    "The last online login was at {}: more than {days} days ago, so the data on this PC does not open offline. Connect to the network and log in again; the data and unsent decisions are kept.",
                    bhxh_domain::clock::office_text(since)
                ),
            ),
            UnlockError::ClockBehind { since, now } => AppError::new(
                ErrorCode::Validation,
                format!(
                    "Đồng hồ máy tính đang chỉ {}, trước lần đăng nhập trực tuyến gần nhất ({}). Hãy chỉnh lại giờ của máy rồi đăng nhập lại.",
                    bhxh_domain::clock::office_text(now),
                    bhxh_domain::clock::office_text(since)
                ),
                format!(
                    "The PC's clock reads {}, before the last online login ({}). Set the PC's time right and log in again.",
                    bhxh_domain::clock::office_text(now),
                    bhxh_domain::clock::office_text(since)
                ),
            ),
            UnlockError::PasswordChanged => AppError::new(
                ErrorCode::PasswordChanged,
                "Mật khẩu của bạn đã được đổi trên hệ thống trung tâm. Dữ liệu trên máy này (kể cả các quyết định chưa gửi) vẫn khóa bằng mật khẩu cũ: hãy nhập mật khẩu cũ một lần để tiếp tục làm việc trên dữ liệu đó.",
                "Your password was changed at the central service. The data on this PC (including decisions not yet sent) is still locked with the previous password: enter the previous password once to keep working on it.",
            ),
            UnlockError::WrongPreviousPassword { attempts_left } => AppError::new(
                ErrorCode::PasswordChanged,
                format!("Mật khẩu cũ không đúng: dữ liệu trên máy chưa mở được. Còn {attempts_left} lần thử."),
                format!(
                    "The previous password is wrong: the data on this PC is still locked. {attempts_left} {} left.",
                    tries(attempts_left)
                ),
            ),
            UnlockError::Cache(c) => c.into(),
        }
    }
}

impl From<SyncError> for AppError {
    fn from(e: SyncError) -> Self {
        tracing::warn!(error = %e, "central service error");
        match e {
            SyncError::Unreachable { .. } => AppError::new(
                ErrorCode::Offline,
                "Không kết nối được máy chủ trung tâm. Đang làm việc ngoại tuyến.",
                "Could not reach the central server. Working offline.",
            ),
            SyncError::BadCredentials => AppError::new(
                ErrorCode::Unauthorized,
                "Sai tên đăng nhập hoặc mật khẩu.",
                "Wrong user name or password.",
            ),
            SyncError::Unauthorized { .. } => AppError::not_logged_in(),
            SyncError::Forbidden { .. } => AppError::forbidden(),
            SyncError::BadUrl(u) => AppError::new(
                ErrorCode::Validation,
                format!("Địa chỉ máy chủ không hợp lệ: {u}"),
                format!("The server address is not valid: {u}"),
            ),
            SyncError::PlainHttp(u) => AppError::new(
                ErrorCode::Validation,
                format!(
                    "Máy chủ {u} phải dùng kết nối bảo mật (https://). Chỉ máy chủ thử nghiệm trên chính máy này được dùng http://."
                ),
                format!(
                    "The server {u} must use a secure connection (https://). Only a test server on this same PC may use http://."
                ),
            ),
            SyncError::PinNeedsHttps(u) => AppError::new(
                ErrorCode::Validation,
                format!("Cấu hình ghim chứng chỉ máy chủ nhưng địa chỉ {u} không dùng https://."),
                format!("A server certificate pin is configured, but the address {u} does not use https://."),
            ),
            // Not "offline": someone between this PC and the central service showed
            // another certificate. Nothing was sent; the officer must call IT.
            SyncError::CertificateMismatch { .. } => AppError::new(
                ErrorCode::Forbidden,
                "Chứng chỉ bảo mật của máy chủ trung tâm không đúng chứng chỉ đã cấu hình: có thể đường truyền đang bị can thiệp. Chưa gửi dữ liệu nào. Hãy báo bộ phận công nghệ thông tin.",
                "The central server's security certificate is not the configured one: the connection may be intercepted. Nothing was sent. Please tell the IT department.",
            ),
            SyncError::Malformed { request, .. } => AppError::new(
                ErrorCode::Internal,
                format!("Máy chủ trả về dữ liệu không hợp lệ ({request}). Dữ liệu trên máy được giữ nguyên."),
                format!("The server sent back invalid data ({request}). The data on this PC is unchanged."),
            ),
            // The central service counts each agent's lookups and phone checks.
            SyncError::Http { status: 429, .. } => AppError::new(
                ErrorCode::Conflict,
                "Đã tra cứu quá nhiều lần trong thời gian ngắn. Vui lòng đợi ít phút rồi thử lại.",
                "Too many lookups in a short time. Please wait a few minutes and try again.",
            ),
            SyncError::Http { request, status, .. } => AppError::new(
                ErrorCode::Internal,
                format!("Máy chủ báo lỗi {status} ({request}). Dữ liệu trên máy được giữ nguyên."),
                format!("The server reported error {status} ({request}). The data on this PC is unchanged."),
            ),
            SyncError::Cache(c) => c.into(),
            SyncError::Interrupted => AppError::new(
                ErrorCode::Internal,
                "Ứng dụng đang đóng: việc trên dữ liệu của máy bị dừng trước khi chạy. Dữ liệu được giữ nguyên.",
                "The app is closing: the work on this PC's data stopped before it ran. The data is unchanged.",
            ),
        }
    }
}

/// "1 try" / "4 tries": English counts its nouns, Vietnamese does not.
pub(crate) fn tries(n: u32) -> &'static str {
    if n == 1 { "try" } else { "tries" }
}
