//! The About dialog and the support bundle: what IT asks for on the phone (the version, the system, each setting and
//! where it came from) and the logs zipped for them. The bundle holds logs and versions only: no cache, no key, no
//! document; the logs themselves name no citizen (a window test reads every line for the demo people's identifiers).

use super::{Desk, SessionState, exports};
use crate::deployment::{FileState, SettingRow};
use crate::error::{AppError, ErrorCode};
use bhxh_domain::Text;
use serde::Serialize;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use tracing::{info, instrument, warn};
use ts_rs::TS;

/// A log file larger than this goes into the bundle cut to its last part (a log stuck in a loop).
const MAX_LOG_BYTES: u64 = 20 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AboutInfo {
    pub version: String,
    pub os: String,
    pub data_dir: String,
    pub log_dir: Option<String>,
    /// The installed package's resource folder; none when run from a checkout.
    pub resources: Option<String>,
    /// The PDFium library the PDF worker loads.
    pub pdfium: String,
    pub files: Vec<FileState>,
    pub settings: Vec<SettingRow>,
    /// The configuration file that was refused, and why.
    pub problem: Option<Text>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SupportBundle {
    pub path: String,
    /// Log files in it.
    pub logs: u32,
    pub bytes: u64,
}

/// The system as a support call names it: "Debian GNU/Linux 12 (bookworm), x86_64".
fn os_text() -> String {
    let arch = std::env::consts::ARCH;
    #[cfg(target_os = "linux")]
    {
        let pretty = std::fs::read_to_string("/etc/os-release").ok().and_then(|t| {
            t.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_owned()))
        });
        if let Some(p) = pretty {
            return format!("{p}, {arch}");
        }
    }
    format!("{}, {arch}", std::env::consts::OS)
}

impl Desk {
    pub fn about(&self) -> AboutInfo {
        let d = &self.config.deployment;
        AboutInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            os: os_text(),
            data_dir: self.config.data_dir.display().to_string(),
            log_dir: d.log_dir.as_ref().map(|p| p.display().to_string()),
            resources: bhxh_documents::pdf::installed_resources().map(|p| p.display().to_string()),
            pdfium: bhxh_documents::pdf::locate_library().display().to_string(),
            files: d.files.clone(),
            settings: d.rows.clone(),
            problem: d.problem.clone(),
        }
    }

    /// No one logs in while IT's configuration file is refused: the desk would not know which server it may
    /// send a password to.
    pub(super) fn configuration_usable(&self) -> Result<(), AppError> {
        match &self.config.deployment.problem {
            None => Ok(()),
            Some(t) => Err(AppError::new(ErrorCode::Forbidden, t.vi.clone(), t.en.clone())),
        }
    }

    /// An account of another office than the one IT set up this PC for is not logged in here.
    pub(super) fn serves_office(&self, office_code: &str) -> Result<(), AppError> {
        match &self.config.office_code {
            Some(ours) if ours != office_code => {
                warn!(configured = %ours, account = %office_code, "login refused: the account belongs to another office");
                Err(AppError::new(
                    ErrorCode::Forbidden,
                    format!(
                        "Tài khoản này thuộc cơ quan BHXH mã {office_code}; máy này được cài đặt cho cơ quan mã {ours}. Hãy đăng nhập trên máy của cơ quan mình hoặc liên hệ bộ phận công nghệ thông tin."
                    ),
                    format!(
                        "This account belongs to BHXH office {office_code}; this PC is set up for office {ours}. Log in on your own office's PC or contact IT."
                    ),
                ))
            }
            _ => Ok(()),
        }
    }

    /// Zips the log files and the About text into the export folder: the session's folder, else IT's, else the
    /// one the person picks now.
    #[instrument(skip(self))]
    pub fn support_bundle(&self) -> Result<SupportBundle, AppError> {
        let folder = self.bundle_folder()?;
        let now = self.now();
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let broke = |e: &dyn std::fmt::Display| {
            AppError::new(
                ErrorCode::Internal,
                format!("Không tạo được gói nhật ký: {e}"),
                format!("The support bundle could not be made: {e}"),
            )
        };
        let about = self.about_text(now);
        zip.start_file("thong-tin.txt", options).map_err(|e| broke(&e))?;
        zip.write_all(about.as_bytes()).map_err(|e| broke(&e))?;
        let mut logs = 0u32;
        for path in self.log_files() {
            let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else { continue };
            let bytes = match read_tail(&path, MAX_LOG_BYTES) {
                Ok(b) => b,
                Err(e) => {
                    warn!(file = %name, error = %e, "log file left out of the support bundle");
                    continue;
                }
            };
            zip.start_file(format!("logs/{name}"), options).map_err(|e| broke(&e))?;
            zip.write_all(&bytes).map_err(|e| broke(&e))?;
            logs += 1;
        }
        let bytes = zip.finish().map_err(|e| broke(&e))?.into_inner();
        let stem =
            format!("nhat-ky-ho-tro-{}", now.with_timezone(&bhxh_domain::clock::OFFICE_TZ).format("%Y%m%d-%H%M"));
        let path = exports::write_new(&folder, &stem, "zip", &bytes)?;
        info!(logs, bytes = bytes.len(), "support bundle written");
        Ok(SupportBundle { path: path.display().to_string(), logs, bytes: bytes.len() as u64 })
    }

    fn bundle_folder(&self) -> Result<PathBuf, AppError> {
        let open = match &*self.state() {
            SessionState::Open(s) => Some(std::sync::Arc::clone(s)),
            _ => None,
        };
        if let Some(s) = &open
            && let Ok(dir) = self.export_dir_of(s)
        {
            return Ok(dir);
        }
        let folder = match self.config.export_dir.clone() {
            Some(f) => f,
            // Without a session (the login screen) only IT's folder: a passer-by does not carry the logs away.
            None if open.is_none() => {
                return Err(AppError::new(
                    ErrorCode::Validation,
                    "Chưa đăng nhập và chưa có thư mục xuất do bộ phận CNTT đặt (export_dir): hãy đăng nhập rồi gửi lại, hoặc nhờ CNTT đặt export_dir.",
                    "Not logged in and no export folder set by IT (export_dir): log in and send again, or ask IT to set export_dir.",
                ));
            }
            None => {
                let picker = super::lock(&self.folder_picker).clone().ok_or_else(|| {
                    AppError::new(
                        ErrorCode::Validation,
                        "Chưa có thư mục lưu tệp xuất: hãy nhờ bộ phận CNTT đặt export_dir trong tệp cấu hình.",
                        "No export folder: ask IT to set export_dir in the configuration file.",
                    )
                })?;
                picker.pick_folder("Chọn thư mục lưu gói nhật ký hỗ trợ", None).ok_or_else(|| {
                    AppError::new(ErrorCode::Validation, "Chưa chọn thư mục.", "No folder was chosen.")
                })?
            }
        };
        exports::check_folder(&folder, &self.config.data_dir)
    }

    /// The log files of this app in the log folder (regular files only, never through a link).
    fn log_files(&self) -> Vec<PathBuf> {
        let Some(dir) = &self.config.deployment.log_dir else { return Vec::new() };
        let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(LOG_PREFIX)))
            .collect();
        files.sort();
        files
    }

    fn about_text(&self, now: chrono::DateTime<chrono::Utc>) -> String {
        let a = self.about();
        let mut t = format!(
            "bhxh-desk {}\nHệ điều hành: {}\nLúc: {}\nThư mục dữ liệu: {}\nThư mục nhật ký: {}\nTài nguyên: {}\nPDFium: {}\n\nCấu hình:\n",
            a.version,
            a.os,
            bhxh_domain::clock::office_text(now),
            a.data_dir,
            a.log_dir.unwrap_or_default(),
            a.resources.unwrap_or_else(|| "(bản chạy từ mã nguồn)".to_owned()),
            a.pdfium
        );
        for r in &a.settings {
            t.push_str(&format!("  {} = {:?}  ({:?})\n", r.key, r.value, r.source));
        }
        for f in &a.files {
            t.push_str(&format!("Tệp {} ({:?}): {}\n", f.path, f.source, f.state));
        }
        if let Some(p) = a.problem {
            t.push_str(&format!("\nLỗi cấu hình: {}\n", p.vi));
        }
        t
    }
}

/// The prefix of the app's log files (`bhxh-desk.2026-12-05.log`).
pub const LOG_PREFIX: &str = "bhxh-desk";

/// The file's last `max` bytes (all of it when smaller).
fn read_tail(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Seek;
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    if len > max {
        f.seek(std::io::SeekFrom::Start(len - max))?;
    }
    let mut bytes = Vec::new();
    f.take(max).read_to_end(&mut bytes)?;
    Ok(bytes)
}
