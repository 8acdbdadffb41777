//! Errors as the UI sees them: a stable code to switch on and a Vietnamese sentence.

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

/// Crosses IPC as `{ code, message }`; `message` is for people, in Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[ts(export)]
#[error("{code:?}: {message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
    pub fn not_logged_in() -> Self {
        Self::new(ErrorCode::Unauthorized, "Phiên làm việc đã kết thúc. Vui lòng đăng nhập lại.")
    }
    pub fn locked() -> Self {
        Self::new(ErrorCode::Locked, "Màn hình đã khóa. Nhập mật khẩu để tiếp tục.")
    }
    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden, "Tài khoản của bạn không có quyền thực hiện thao tác này.")
    }
}

impl From<CacheError> for AppError {
    fn from(e: CacheError) -> Self {
        tracing::error!(error = %e, "cache error");
        if e.is_disk_full() {
            return AppError::new(
                ErrorCode::Internal,
                "Ổ đĩa đầy: không ghi được vào máy. Những gì đã ghi trước đó vẫn được giữ nguyên; hãy giải phóng dung lượng rồi thử lại.",
            );
        }
        if e.is_read_only() {
            return AppError::new(
                ErrorCode::Internal,
                "Thư mục dữ liệu chỉ đọc hoặc không có quyền ghi. Những gì đã ghi trước đó vẫn được giữ nguyên; hãy báo bộ phận kỹ thuật.",
            );
        }
        match e {
            CacheError::MissingDocument(_) => AppError::new(ErrorCode::NotFound, "Tài liệu chưa có trên máy này."),
            CacheError::Integrity { .. } => AppError::new(
                ErrorCode::Internal,
                "Tệp tài liệu trên máy đã bị thay đổi hoặc hỏng; sẽ tải lại khi đồng bộ.",
            ),
            CacheError::Sealed { .. } => AppError::new(
                ErrorCode::Internal,
                "Dữ liệu mã hóa trên máy không mở được (bị thay đổi hoặc không thuộc tài khoản này); sẽ tải lại khi đồng bộ.",
            ),
            CacheError::Io { .. } => AppError::new(
                ErrorCode::Internal,
                "Không ghi/đọc được thư mục dữ liệu trên máy (đầy ổ đĩa hoặc không có quyền ghi).",
            ),
            _ => AppError::new(ErrorCode::Internal, "Lỗi dữ liệu trên máy. Vui lòng báo bộ phận kỹ thuật."),
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
            ),
            UnlockError::WrongPassword { attempts_left } => AppError::new(
                ErrorCode::Unauthorized,
                format!(
                    "Không kết nối được máy chủ, và mật khẩu không khớp với lần đăng nhập trước trên máy này. Còn {attempts_left} lần thử."
                ),
            ),
            UnlockError::Locked { until } => AppError::new(
                ErrorCode::Unauthorized,
                format!(
                    "Đã nhập sai mật khẩu {} lần. Vui lòng thử lại sau {}.",
                    bhxh_cache::profiles::MAX_FAILED_UNLOCKS,
                    crate::time::local_text(until)
                ),
            ),
            UnlockError::PasswordChanged => AppError::new(
                ErrorCode::PasswordChanged,
                "Mật khẩu của bạn đã được đổi trên hệ thống trung tâm. Dữ liệu trên máy này (kể cả các quyết định chưa gửi) vẫn khóa bằng mật khẩu cũ: hãy nhập mật khẩu cũ một lần để tiếp tục làm việc trên dữ liệu đó.",
            ),
            UnlockError::WrongPreviousPassword { attempts_left } => AppError::new(
                ErrorCode::PasswordChanged,
                format!("Mật khẩu cũ không đúng: dữ liệu trên máy chưa mở được. Còn {attempts_left} lần thử."),
            ),
            UnlockError::Cache(c) => c.into(),
        }
    }
}

impl From<SyncError> for AppError {
    fn from(e: SyncError) -> Self {
        tracing::warn!(error = %e, "central service error");
        match e {
            SyncError::Unreachable { .. } => {
                AppError::new(ErrorCode::Offline, "Không kết nối được máy chủ trung tâm. Đang làm việc ngoại tuyến.")
            }
            SyncError::BadCredentials => AppError::new(ErrorCode::Unauthorized, "Sai tên đăng nhập hoặc mật khẩu."),
            SyncError::Unauthorized { .. } => AppError::not_logged_in(),
            SyncError::Forbidden { .. } => AppError::forbidden(),
            SyncError::BadUrl(u) => AppError::new(ErrorCode::Validation, format!("Địa chỉ máy chủ không hợp lệ: {u}")),
            SyncError::PlainHttp(u) => AppError::new(
                ErrorCode::Validation,
                format!(
                    "Máy chủ {u} phải dùng kết nối bảo mật (https://). Chỉ máy chủ thử nghiệm trên chính máy này được dùng http://."
                ),
            ),
            SyncError::PinNeedsHttps(u) => AppError::new(
                ErrorCode::Validation,
                format!("Cấu hình ghim chứng chỉ máy chủ nhưng địa chỉ {u} không dùng https://."),
            ),
            // Not "offline": someone between this PC and the central service showed
            // another certificate. Nothing was sent; the officer must call IT.
            SyncError::CertificateMismatch { .. } => AppError::new(
                ErrorCode::Forbidden,
                "Chứng chỉ bảo mật của máy chủ trung tâm không đúng chứng chỉ đã cấu hình: có thể đường truyền đang bị can thiệp. Chưa gửi dữ liệu nào. Hãy báo bộ phận công nghệ thông tin.",
            ),
            SyncError::Malformed { request, .. } => AppError::new(
                ErrorCode::Internal,
                format!("Máy chủ trả về dữ liệu không hợp lệ ({request}). Dữ liệu trên máy được giữ nguyên."),
            ),
            SyncError::Http { request, status, .. } => AppError::new(
                ErrorCode::Internal,
                format!("Máy chủ báo lỗi {status} ({request}). Dữ liệu trên máy được giữ nguyên."),
            ),
            SyncError::Cache(c) => c.into(),
        }
    }
}
