//! The deployment configuration: what the office's IT sets for every PC, in one TOML file in the platform's
//! machine-wide place (`/etc/bhxh-desk/config.toml`; `%ProgramData%\bhxh-desk\config.toml` on Windows). A
//! development build also reads the person's own file (`bhxh-desk/config.toml` in the user's config folder) and lets
//! command-line flags win; a release build reads the machine's file only and, where that file sets a value, ignores
//! a flag for it (a shortcut someone edited must not send the password to another server). A malformed file is
//! refused whole, with its line and the reason: the desk then logs no one in rather than guess a server.

use crate::CertPin;
use bhxh_domain::Text;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;
use ts_rs::TS;

/// The file's name in its folder.
const FILE_NAME: &str = "config.toml";
/// The app's folder name (config, logs): the bundle identifier, as Tauri names the app's folders.
pub const APP_FOLDER: &str = "vn.bhxh.desk";
/// A development build's and the tests' stand-in for the platform's log folder (an installed app ignores it).
pub const LOG_DIR_ENV: &str = "BHXH_LOG_DIR";
/// A development build's and the tests' stand-in for the machine's file (a release build ignores it).
pub const MACHINE_FILE_ENV: &str = "BHXH_MACHINE_CONFIG";

/// Where a value came from, as the About dialog says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The app's own default.
    Default,
    /// The machine-wide file IT wrote.
    MachineFile,
    /// The person's own file (development builds only).
    UserFile,
    /// A command-line flag or its environment variable.
    CommandLine,
}

/// How much the log says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [LogLevel::Error, LogLevel::Warn, LogLevel::Info, LogLevel::Debug, LogLevel::Trace]
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// How the web view draws the window. `Gpu` (WebKit's own default): accelerated
/// compositing through the PC's OpenGL driver. `Software`: WebKit paints on the
/// CPU and hands finished frames over. Where the PC has no GPU driver (a virtual
/// machine, a remote desktop, these test machines) compositing runs on Mesa's
/// software GL: there `Software` was three times faster from a decision to the
/// next declaration painted and the web view held 170 MB less. It is not the
/// default because WebKitGTK's WebDriver hangs taking a screenshot in it (so the
/// window tests cannot run in it), a sign the path is less travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebRendering {
    Software,
    Gpu,
}

impl WebRendering {
    pub fn as_str(self) -> &'static str {
        match self {
            WebRendering::Software => "software",
            WebRendering::Gpu => "gpu",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [WebRendering::Software, WebRendering::Gpu].into_iter().find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// One value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Setting<T> {
    fn default(value: T) -> Self {
        Setting { value, source: Source::Default }
    }
}

/// What a command line (or its environment variables) says; `None` where it says nothing.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub central_url: Option<String>,
    pub central_cert_sha256: Option<CertPin>,
    pub office_code: Option<String>,
    pub idle_lock_minutes: Option<u32>,
    pub retention_days: Option<u32>,
    pub max_offline_days: Option<u32>,
    pub documents_ahead: Option<u32>,
    pub document_budget_mb: Option<u32>,
    pub export_dir: Option<PathBuf>,
    pub log_level: Option<LogLevel>,
    pub web_rendering: Option<WebRendering>,
}

/// The files looked at, in order: the machine's, then (development builds) the person's.
#[derive(Debug, Clone)]
pub struct ConfigFiles {
    pub machine: Option<PathBuf>,
    pub user: Option<PathBuf>,
    /// The machine's file is taken only as IT's: owned by root, writable by no one else (release builds).
    pub guard_machine: bool,
}

impl ConfigFiles {
    /// The platform's places. A release build has no per-person file.
    pub fn platform() -> Self {
        if !cfg!(debug_assertions) {
            return ConfigFiles { machine: machine_file(), user: None, guard_machine: true };
        }
        let machine = std::env::var_os(MACHINE_FILE_ENV).map(PathBuf::from).or_else(machine_file);
        ConfigFiles {
            machine,
            user: dirs::config_dir().map(|d| d.join("bhxh-desk").join(FILE_NAME)),
            guard_machine: false,
        }
    }
}

/// The machine-wide file: `/etc/bhxh-desk/config.toml`, `%ProgramData%\bhxh-desk\config.toml`,
/// `/Library/Application Support/bhxh-desk/config.toml`.
pub fn machine_file() -> Option<PathBuf> {
    if cfg!(windows) {
        let base = std::env::var_os("ProgramData").map_or_else(|| PathBuf::from(r"C:\ProgramData"), PathBuf::from);
        Some(base.join("bhxh-desk").join(FILE_NAME))
    } else if cfg!(target_os = "macos") {
        Some(PathBuf::from("/Library/Application Support/bhxh-desk").join(FILE_NAME))
    } else {
        Some(PathBuf::from("/etc/bhxh-desk").join(FILE_NAME))
    }
}

/// The platform's log folder (`~/.local/share/vn.bhxh.desk/logs`, `%LOCALAPPDATA%\vn.bhxh.desk\logs`,
/// `~/Library/Logs/vn.bhxh.desk`: where Tauri's `app_log_dir` points), or `$BHXH_LOG_DIR`.
pub fn log_dir() -> Option<PathBuf> {
    let installed = bhxh_documents::pdf::installed_resources().is_some();
    if let Some(d) = std::env::var_os(LOG_DIR_ENV).filter(|d| !d.is_empty() && !installed) {
        return Some(PathBuf::from(d));
    }
    if cfg!(target_os = "macos") {
        dirs::home_dir().map(|h| h.join("Library/Logs").join(APP_FOLDER))
    } else {
        dirs::data_local_dir().map(|d| d.join(APP_FOLDER).join("logs"))
    }
}

/// A file as it was found.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FileState {
    pub path: String,
    pub source: Source,
    /// `read`, `absent`, `refused`.
    pub state: String,
}

/// The desk's deployment: every value and where it came from.
#[derive(Debug, Clone)]
pub struct Deployment {
    pub central_url: Setting<Option<String>>,
    pub central_cert_sha256: Setting<Option<CertPin>>,
    pub office_code: Setting<Option<String>>,
    pub idle_lock_minutes: Setting<u32>,
    pub retention_days: Setting<u32>,
    pub max_offline_days: Setting<u32>,
    /// Declarations of the queue whose documents are downloaded ahead.
    pub documents_ahead: Setting<u32>,
    /// The document store's budget, in MB (least recently used undecided ones leave past it).
    pub document_budget_mb: Setting<u32>,
    pub export_dir: Setting<Option<PathBuf>>,
    pub log_level: Setting<LogLevel>,
    pub web_rendering: Setting<WebRendering>,
    pub files: Vec<FileState>,
    /// Flags a release build ignored because IT's file sets them (for the log).
    pub ignored_flags: Vec<&'static str>,
}

impl Default for Deployment {
    fn default() -> Self {
        Deployment {
            central_url: Setting::default(None),
            central_cert_sha256: Setting::default(None),
            office_code: Setting::default(None),
            idle_lock_minutes: Setting::default(15),
            retention_days: Setting::default(7),
            max_offline_days: Setting::default(crate::DEFAULT_MAX_OFFLINE_DAYS),
            documents_ahead: Setting::default(bhxh_cache::document_plan::DEFAULT_AHEAD),
            document_budget_mb: Setting::default(bhxh_cache::document_plan::DEFAULT_BUDGET_MB),
            export_dir: Setting::default(None),
            log_level: Setting::default(LogLevel::Info),
            web_rendering: Setting::default(WebRendering::Gpu),
            files: Vec::new(),
            ignored_flags: Vec::new(),
        }
    }
}

/// A configuration file that cannot be used: which, where, why. Shown in Vietnamese, logged in English.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", text.en)]
pub struct ConfigError {
    pub text: Text,
    /// The files looked at, the refused one last (`refused`).
    pub files: Vec<FileState>,
}

impl ConfigError {
    fn at(path: &Path, line: Option<usize>, vi: String, en: String) -> Self {
        let (where_vi, where_en) = match line {
            Some(n) => (format!("Tệp cấu hình {}, dòng {n}", path.display()), format!("{}, line {n}", path.display())),
            None => (format!("Tệp cấu hình {}", path.display()), path.display().to_string()),
        };
        ConfigError {
            text: Text::new(
                format!("{where_vi}: {vi}. Ứng dụng chưa dùng tệp này; hãy báo bộ phận công nghệ thông tin sửa lại."),
                format!("{where_en}: {en}. The file was not used; IT must correct it."),
            ),
            files: Vec::new(),
        }
    }
}

impl Deployment {
    /// The platform's files and `overrides`, as this build reads them.
    pub fn load(overrides: Overrides) -> Result<Self, ConfigError> {
        Self::load_from(&ConfigFiles::platform(), overrides, !cfg!(debug_assertions))
    }

    /// `files` and `overrides`; `release` makes the machine's file win over a flag.
    pub fn load_from(files: &ConfigFiles, overrides: Overrides, release: bool) -> Result<Self, ConfigError> {
        let mut d = Deployment::default();
        for (path, source) in [(&files.machine, Source::MachineFile), (&files.user, Source::UserFile)] {
            let Some(path) = path else { continue };
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    d.files.push(FileState { path: path.display().to_string(), source, state: "absent".into() });
                    continue;
                }
                Err(e) => {
                    let mut err =
                        ConfigError::at(path, None, format!("không đọc được ({e})"), format!("cannot be read ({e})"));
                    err.files = d.files.clone();
                    err.files.push(FileState { path: path.display().to_string(), source, state: "refused".into() });
                    return Err(err);
                }
            };
            let refused = |mut e: ConfigError, files: &[FileState]| {
                e.files = files.to_vec();
                e.files.push(FileState { path: path.display().to_string(), source, state: "refused".into() });
                e
            };
            if files.guard_machine && source == Source::MachineFile {
                guarded(path).map_err(|e| refused(e, &d.files))?;
            }
            d.apply_file(path, &text, source).map_err(|e| refused(e, &d.files))?;
            d.files.push(FileState { path: path.display().to_string(), source, state: "read".into() });
        }
        d.apply_overrides(overrides, release);
        Ok(d)
    }

    fn apply_overrides(&mut self, o: Overrides, release: bool) {
        let ignored = &mut self.ignored_flags;
        fn take<T>(
            setting: &mut Setting<T>,
            flag: Option<T>,
            name: &'static str,
            release: bool,
            ignored: &mut Vec<&'static str>,
        ) {
            let Some(value) = flag else { return };
            if release && setting.source == Source::MachineFile {
                ignored.push(name);
                return;
            }
            *setting = Setting { value, source: Source::CommandLine };
        }
        take(&mut self.central_url, o.central_url.map(Some), "central_url", release, ignored);
        take(&mut self.central_cert_sha256, o.central_cert_sha256.map(Some), "central_cert_sha256", release, ignored);
        take(&mut self.office_code, o.office_code.map(Some), "office_code", release, ignored);
        take(&mut self.idle_lock_minutes, o.idle_lock_minutes, "idle_lock_minutes", release, ignored);
        take(&mut self.retention_days, o.retention_days, "retention_days", release, ignored);
        take(&mut self.max_offline_days, o.max_offline_days, "max_offline_days", release, ignored);
        take(&mut self.documents_ahead, o.documents_ahead, "documents_ahead", release, ignored);
        take(&mut self.document_budget_mb, o.document_budget_mb, "document_budget_mb", release, ignored);
        take(&mut self.export_dir, o.export_dir.map(Some), "export_dir", release, ignored);
        take(&mut self.log_level, o.log_level, "log_level", release, ignored);
        take(&mut self.web_rendering, o.web_rendering, "web_rendering", release, ignored);
    }

    fn apply_file(&mut self, path: &Path, text: &str, source: Source) -> Result<(), ConfigError> {
        let line_of =
            |offset: usize| text.as_bytes()[..offset.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1;
        let table: BTreeMap<Spanned<String>, Spanned<toml::Value>> = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(s.start));
            let detail = e.message().trim().to_owned();
            ConfigError::at(
                path,
                line,
                format!("không đúng cú pháp TOML ({detail})"),
                format!("not valid TOML ({detail})"),
            )
        })?;
        for (key, value) in table {
            let line = line_of(value.span().start);
            let bad = |vi: &str, en: &str| {
                ConfigError::at(
                    path,
                    Some(line),
                    format!("giá trị của `{}` {vi}", key.get_ref()),
                    format!("`{}` {en}", key.get_ref()),
                )
            };
            match key.get_ref().as_str() {
                "central_url" => {
                    let url = string(&value)
                        .ok_or_else(|| bad("phải là một chuỗi trong ngoặc kép", "must be a quoted string"))?;
                    check_url(url).map_err(|(vi, en)| bad(&vi, &en))?;
                    self.central_url = Setting { value: Some(url.trim().to_owned()), source };
                }
                "central_cert_sha256" => {
                    let pin = string(&value).and_then(|s| s.parse::<CertPin>().ok()).ok_or_else(|| {
                        bad(
                            "phải là mã SHA-256 của chứng chỉ: 64 chữ số hệ 16 (cho phép dấu hai chấm)",
                            "must be the certificate's SHA-256: 64 hex digits (colons allowed)",
                        )
                    })?;
                    self.central_cert_sha256 = Setting { value: Some(pin), source };
                }
                "office_code" => {
                    let code = string(&value).map(str::trim).unwrap_or_default();
                    let known = bhxh_domain::reference::ReferenceData::get().offices.iter().any(|o| o.code == code);
                    if !known {
                        return Err(bad(
                            "không phải mã cơ quan BHXH có trong danh mục (assets/offices.tsv)",
                            "is not a BHXH office code of the office list (assets/offices.tsv)",
                        ));
                    }
                    self.office_code = Setting { value: Some(code.to_owned()), source };
                }
                "idle_lock_minutes" => {
                    self.idle_lock_minutes =
                        Setting { value: number(&value, 1, 240).map_err(|(vi, en)| bad(&vi, &en))?, source };
                }
                "retention_days" => {
                    self.retention_days =
                        Setting { value: number(&value, 0, 365).map_err(|(vi, en)| bad(&vi, &en))?, source };
                }
                "max_offline_days" => {
                    self.max_offline_days =
                        Setting { value: number(&value, 0, 90).map_err(|(vi, en)| bad(&vi, &en))?, source };
                }
                "documents_ahead" => {
                    self.documents_ahead =
                        Setting { value: number(&value, 0, 1000).map_err(|(vi, en)| bad(&vi, &en))?, source };
                }
                "document_budget_mb" => {
                    self.document_budget_mb =
                        Setting { value: number(&value, 100, 1_000_000).map_err(|(vi, en)| bad(&vi, &en))?, source };
                }
                "export_dir" => {
                    let dir =
                        string(&value).map(str::trim).filter(|s| Path::new(s).is_absolute()).ok_or_else(|| {
                            bad("phải là đường dẫn đầy đủ của một thư mục", "must be an absolute folder path")
                        })?;
                    self.export_dir = Setting { value: Some(PathBuf::from(dir)), source };
                }
                "log_level" => {
                    let level = string(&value).and_then(LogLevel::parse).ok_or_else(|| {
                        bad(
                            "phải là một trong \"error\", \"warn\", \"info\", \"debug\", \"trace\"",
                            "must be one of \"error\", \"warn\", \"info\", \"debug\", \"trace\"",
                        )
                    })?;
                    self.log_level = Setting { value: level, source };
                }
                "web_rendering" => {
                    let how = string(&value)
                        .and_then(WebRendering::parse)
                        .ok_or_else(|| bad("phải là \"software\" hoặc \"gpu\"", "must be \"software\" or \"gpu\""))?;
                    self.web_rendering = Setting { value: how, source };
                }
                other => {
                    return Err(ConfigError::at(
                        path,
                        Some(line_of(key.span().start)),
                        format!("khóa `{other}` không có trong cấu hình (các khóa: {})", KEYS.join(", ")),
                        format!("unknown key `{other}` (the keys: {})", KEYS.join(", ")),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Each value as the About dialog shows it, in the file's key order.
    pub fn rows(&self) -> Vec<SettingRow> {
        fn row(key: &str, value: String, source: Source) -> SettingRow {
            SettingRow { key: key.to_owned(), value, source }
        }
        let or_none = |v: Option<String>| v.unwrap_or_default();
        vec![
            row("central_url", or_none(self.central_url.value.clone()), self.central_url.source),
            row(
                "central_cert_sha256",
                or_none(self.central_cert_sha256.value.map(|p| p.to_string())),
                self.central_cert_sha256.source,
            ),
            row("office_code", or_none(self.office_code.value.clone()), self.office_code.source),
            row("idle_lock_minutes", self.idle_lock_minutes.value.to_string(), self.idle_lock_minutes.source),
            row("retention_days", self.retention_days.value.to_string(), self.retention_days.source),
            row("max_offline_days", self.max_offline_days.value.to_string(), self.max_offline_days.source),
            row("documents_ahead", self.documents_ahead.value.to_string(), self.documents_ahead.source),
            row("document_budget_mb", self.document_budget_mb.value.to_string(), self.document_budget_mb.source),
            row(
                "export_dir",
                or_none(self.export_dir.value.as_ref().map(|p| p.display().to_string())),
                self.export_dir.source,
            ),
            row("log_level", self.log_level.value.as_str().to_owned(), self.log_level.source),
            row("web_rendering", self.web_rendering.value.as_str().to_owned(), self.web_rendering.source),
        ]
    }
}

const KEYS: [&str; 11] = [
    "central_url",
    "central_cert_sha256",
    "office_code",
    "idle_lock_minutes",
    "retention_days",
    "max_offline_days",
    "documents_ahead",
    "document_budget_mb",
    "export_dir",
    "log_level",
    "web_rendering",
];

/// One line of the About dialog's configuration table.
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
#[ts(export)]
pub struct SettingRow {
    pub key: String,
    /// Empty when not set.
    pub value: String,
    pub source: Source,
}

/// What the desk keeps of its deployment to show it: each value and its source, the files, a refusal.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub rows: Vec<SettingRow>,
    pub files: Vec<FileState>,
    /// A configuration file that was refused: no one is logged in until IT corrects it.
    pub problem: Option<Text>,
    pub log_dir: Option<PathBuf>,
}

impl Report {
    pub fn of(d: &Deployment) -> Self {
        Report { rows: d.rows(), files: d.files.clone(), problem: None, log_dir: log_dir() }
    }

    /// The defaults shown, the refusal said.
    pub fn refused(e: &ConfigError) -> Self {
        Report { problem: Some(e.text.clone()), files: e.files.clone(), ..Report::of(&Deployment::default()) }
    }
}

fn string(v: &Spanned<toml::Value>) -> Option<&str> {
    v.get_ref().as_str()
}

fn number(v: &Spanned<toml::Value>, min: u32, max: u32) -> Result<u32, (String, String)> {
    v.get_ref().as_integer().and_then(|n| u32::try_from(n).ok()).filter(|n| (min..=max).contains(n)).ok_or_else(|| {
        (
            format!("phải là một số nguyên từ {min} đến {max} (không đặt trong ngoặc kép)"),
            format!("must be a whole number from {min} to {max} (unquoted)"),
        )
    })
}

/// An address the desk can log in to: `http(s)://host[:port][/path]`, nothing else.
fn check_url(raw: &str) -> Result<(), (String, String)> {
    let bad = || {
        (
            format!("phải là địa chỉ http:// hoặc https:// của máy chủ trung tâm, không phải \"{raw}\""),
            format!("must be the central server's http:// or https:// address, not \"{raw}\""),
        )
    };
    let url = url::Url::parse(raw.trim()).map_err(|_| bad())?;
    let ok = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    if !ok {
        return Err(bad());
    }
    // Plain HTTP only to this PC (the demo); the password crosses no network unencrypted.
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if url.scheme() == "http" && !loopback {
        return Err((
            format!("phải dùng https:// (http:// chỉ dùng cho máy chủ chạy trên chính máy này), không phải \"{raw}\""),
            format!("must use https:// (http:// only for a server on this very PC), not \"{raw}\""),
        ));
    }
    Ok(())
}

/// IT's file, as only IT may have written it: owned by the administrator (root) and writable by no one else, in a
/// folder no one else may write to. An officer's own file in its place would send the password elsewhere.
#[cfg(unix)]
fn guarded(path: &Path) -> Result<(), ConfigError> {
    use std::os::unix::fs::MetadataExt;
    for p in [Some(path), path.parent()].into_iter().flatten() {
        let open = std::fs::metadata(p).map(|m| m.uid() != 0 || m.mode() & 0o022 != 0).unwrap_or(true);
        if open {
            return Err(ConfigError::at(
                path,
                None,
                format!(
                    "{} phải thuộc quyền quản trị (root) và không ai khác được ghi (chmod 644 cho tệp, 755 cho thư mục)",
                    p.display()
                ),
                format!(
                    "{} must be owned by root and writable by no one else (mode 644 file, 755 folder)",
                    p.display()
                ),
            ));
        }
    }
    Ok(())
}

/// On Windows the installer makes the folder writable by administrators only (docs/windows.md); not checked here.
#[cfg(not(unix))]
fn guarded(_path: &Path) -> Result<(), ConfigError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIN: &str = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

    fn files(machine: Option<&str>, user: Option<&str>) -> (tempfile::TempDir, ConfigFiles) {
        let dir = tempfile::tempdir().expect("tmp");
        let write = |name: &str, text: Option<&str>| {
            let p = dir.path().join(name);
            if let Some(t) = text {
                std::fs::write(&p, t).expect("write");
            }
            Some(p)
        };
        let files = ConfigFiles {
            machine: write("machine.toml", machine),
            user: write("user.toml", user),
            guard_machine: false,
        };
        (dir, files)
    }

    #[test]
    fn the_machines_file_sets_every_value_and_says_so() {
        let text = format!(
            "# BHXH quận 1\ncentral_url = \"https://trungtam.bhxh.example:8443\"\ncentral_cert_sha256 = \"{PIN}\"\n\
             office_code = \"07906\"\nidle_lock_minutes = 5\nretention_days = 3\nmax_offline_days = 2\n\
             documents_ahead = 0\ndocument_budget_mb = 500\n\
             export_dir = \"/srv/xuat\"\nlog_level = \"debug\"\nweb_rendering = \"software\"\n"
        );
        let (_d, f) = files(Some(&text), None);
        let d = Deployment::load_from(&f, Overrides::default(), true).expect("loads");
        assert_eq!(d.central_url.value.as_deref(), Some("https://trungtam.bhxh.example:8443"));
        assert_eq!(d.central_url.source, Source::MachineFile);
        assert_eq!(d.central_cert_sha256.value, Some(PIN.parse().expect("pin")));
        assert_eq!(d.office_code.value.as_deref(), Some("07906"));
        assert_eq!((d.idle_lock_minutes.value, d.retention_days.value, d.max_offline_days.value), (5, 3, 2));
        assert_eq!((d.documents_ahead.value, d.document_budget_mb.value), (0, 500));
        assert_eq!(d.export_dir.value, Some(PathBuf::from("/srv/xuat")));
        assert_eq!(d.log_level.value, LogLevel::Debug);
        assert_eq!(d.web_rendering.value, WebRendering::Software);
        assert!(d.rows().iter().all(|r| r.source == Source::MachineFile), "{:?}", d.rows());
        assert_eq!(d.files.iter().map(|f| f.state.as_str()).collect::<Vec<_>>(), ["read", "absent"]);
    }

    #[test]
    fn without_files_the_defaults_stand() {
        let (_d, f) = files(None, None);
        let d = Deployment::load_from(&f, Overrides::default(), true).expect("loads");
        assert!(d.rows().iter().all(|r| r.source == Source::Default));
        assert_eq!(d.idle_lock_minutes.value, 15);
        assert_eq!(d.central_url.value, None);
    }

    /// Who wins, by build: a development build takes the flag; a release build keeps IT's value
    /// and takes a flag only for what the file leaves unset.
    #[test]
    fn flags_win_in_development_and_yield_to_it_in_a_release() {
        let (_d, f) = files(Some("central_url = \"https://it.example\"\n"), Some("idle_lock_minutes = 3\n"));
        let flags = || Overrides {
            central_url: Some("http://127.0.0.1:9".into()),
            retention_days: Some(1),
            ..Overrides::default()
        };
        let dev = Deployment::load_from(&f, flags(), false).expect("dev");
        assert_eq!(dev.central_url.value.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(dev.central_url.source, Source::CommandLine);
        assert_eq!((dev.idle_lock_minutes.value, dev.idle_lock_minutes.source), (3, Source::UserFile));
        let release = Deployment::load_from(&f, flags(), true).expect("release");
        assert_eq!(release.central_url.value.as_deref(), Some("https://it.example"));
        assert_eq!(release.central_url.source, Source::MachineFile);
        assert_eq!(release.ignored_flags, ["central_url"]);
        assert_eq!((release.retention_days.value, release.retention_days.source), (1, Source::CommandLine));
        // The platform's places: a release build reads no one's own file.
        if !cfg!(debug_assertions) {
            assert!(ConfigFiles::platform().user.is_none());
        }
    }

    /// A release build takes the machine's file only as IT left it: root's, writable by no one else.
    #[cfg(unix)]
    #[test]
    fn a_machine_file_others_may_write_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, mut f) = files(Some("central_url = \"https://it.example\"\n"), None);
        f.guard_machine = true;
        let machine = f.machine.clone().expect("path");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod dir");
        std::fs::set_permissions(&machine, std::fs::Permissions::from_mode(0o666)).expect("chmod");
        let err = Deployment::load_from(&f, Overrides::default(), true).expect_err("writable by others");
        assert!(err.text.vi.contains("phải thuộc quyền quản trị (root)"), "{}", err.text.vi);
        assert_eq!(err.files.last().map(|f| f.state.as_str()), Some("refused"));
        std::fs::set_permissions(&machine, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let as_root =
            std::fs::metadata(&machine).map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0).unwrap_or(false);
        let loaded = Deployment::load_from(&f, Overrides::default(), true);
        // Only root's own file passes (CI runs as root; elsewhere the file is the tester's, and refused).
        assert_eq!(loaded.is_ok(), as_root, "{:?}", loaded.err());
    }

    /// The example IT starts from (`assets/config.example.toml`) is a file the app takes.
    #[test]
    fn the_shipped_example_is_valid() {
        let (_d, f) = files(Some(include_str!("../../../assets/config.example.toml")), None);
        let d = Deployment::load_from(&f, Overrides::default(), true).expect("the example loads");
        assert_eq!(d.central_url.source, Source::MachineFile);
    }

    /// A malformed file: refused with its line and the reason, in Vietnamese for the window.
    #[test]
    fn a_malformed_file_is_refused_with_its_line_and_reason() {
        let cases: &[(&str, usize, &str)] = &[
            (
                "central_url = \"https://a.example\"\ncentrl_url = \"x\"\n",
                2,
                "khóa `centrl_url` không có trong cấu hình",
            ),
            ("\n\nidle_lock_minutes = \"15\"\n", 3, "phải là một số nguyên từ 1 đến 240"),
            ("idle_lock_minutes = 0\n", 1, "phải là một số nguyên từ 1 đến 240"),
            ("max_offline_days = 91\n", 1, "từ 0 đến 90"),
            ("retention_days = -1\n", 1, "từ 0 đến 365"),
            ("documents_ahead = 1001\n", 1, "từ 0 đến 1000"),
            ("document_budget_mb = 10\n", 1, "từ 100 đến 1000000"),
            ("central_url = \"ftp://a.example\"\n", 1, "phải là địa chỉ http:// hoặc https://"),
            ("central_url = \"https://user:pw@a.example\"\n", 1, "phải là địa chỉ http:// hoặc https://"),
            ("central_url = \"http://trungtam.bhxh.example\"\n", 1, "phải dùng https://"),
            ("central_cert_sha256 = \"abcd\"\n", 1, "64 chữ số hệ 16"),
            ("office_code = \"99999\"\n", 1, "không phải mã cơ quan BHXH"),
            ("export_dir = \"xuat\"\n", 1, "đường dẫn đầy đủ"),
            ("log_level = \"loud\"\n", 1, "phải là một trong"),
            ("\nweb_rendering = \"opengl\"\n", 2, "phải là \"software\" hoặc \"gpu\""),
            ("# IT\ncentral_url = https://a.example\n", 2, "không đúng cú pháp TOML"),
            (
                "central_url = \"https://a.example\"\ncentral_url = \"https://b.example\"\n",
                2,
                "không đúng cú pháp TOML",
            ),
            ("[server]\nurl = \"https://a.example\"\n", 1, "khóa `server` không có trong cấu hình"),
        ];
        for (text, line, reason) in cases {
            let (_d, f) = files(Some(text), None);
            let err = Deployment::load_from(&f, Overrides::default(), true).expect_err(text);
            let vi = &err.text.vi;
            assert!(vi.contains(&format!("dòng {line}:")), "{text:?}: {vi}");
            assert!(vi.contains(reason), "{text:?}: {vi}");
            assert!(vi.contains("machine.toml"), "{text:?} names the file: {vi}");
            assert!(err.text.en.contains(&format!("line {line}")), "{text:?}: {}", err.text.en);
        }
    }
}
