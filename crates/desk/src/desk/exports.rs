//! Where exports and letters go, and what is left of them there. They carry
//! citizens' names, so they never go inside the data folder (whose copy shows
//! no name): to the folder the supervisor chose on this PC, else to the one the
//! office's IT configured, else nowhere until one is chosen. Each file written is
//! listed with its age until it is deleted, from the list or by hand.

use super::{Desk, OpenSession};
use crate::access;
use crate::error::{AppError, ErrorCode};
use crate::ipc::{ExportFileView, ExportFolderView, ExportNameInput, OpenExportInput};
use bhxh_domain::clock::{office_day, office_text};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tracing::{info, warn};

/// The folder the person chose, per profile.
const FOLDER_META: &str = "exports.folder";
/// What this PC wrote there, newest last.
const FILES_META: &str = "exports.files";
/// The first versions' export folder, inside the data folder.
const OLD_EXPORTS: &str = "exports";
/// A listing that long is a forgotten folder, not a working set.
const MAX_RECORDS: usize = 500;
/// Older than this, a file is flagged: names of citizens kept for nothing.
pub const STALE_AFTER_DAYS: i64 = 7;

/// Asks the person for a folder: the native dialog in the window, a fixed
/// answer in tests. `None` when they cancel.
pub trait FolderPicker: Send + Sync {
    fn pick_folder(&self, title: &str, start: Option<&Path>) -> Option<PathBuf>;
}

/// The system's viewer (a letter's PDF, an export in the spreadsheet program) and file manager, as the shell
/// reaches them. The window names a listed file, never a path: only what this PC exported is opened.
pub trait FileOpener: Send + Sync {
    fn open(&self, path: &Path) -> Result<(), String>;
    /// Shows the file selected in its folder.
    fn reveal(&self, path: &Path) -> Result<(), String>;
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    folder: String,
    file: String,
    /// Which table or "letters".
    what: String,
    /// Unknown for a file moved from where an earlier version wrote it.
    rows: Option<u32>,
    written_at: i64,
}

impl Record {
    fn present(&self) -> bool {
        Path::new(&self.folder).join(&self.file).is_file()
    }
}

fn folder_reachable(folder: &str) -> bool {
    Path::new(folder).is_dir()
}

fn folder_error(vi: String, en: String) -> AppError {
    AppError::new(ErrorCode::Validation, vi, en)
}

/// A folder exports may go to: absolute, a folder, writable, and not inside the
/// data folder (nor the data folder itself).
pub(crate) fn check_folder(folder: &Path, data_dir: &Path) -> Result<PathBuf, AppError> {
    if !folder.is_absolute() {
        return Err(folder_error(
            format!("Thư mục {} không phải đường dẫn đầy đủ.", folder.display()),
            format!("The folder {} is not a full path.", folder.display()),
        ));
    }
    let real = folder.canonicalize().map_err(|e| {
        folder_error(
            format!("Không mở được thư mục {}: {e}", folder.display()),
            format!("Could not open the folder {}: {e}", folder.display()),
        )
    })?;
    if !real.is_dir() {
        return Err(folder_error(
            format!("{} không phải là thư mục.", folder.display()),
            format!("{} is not a folder.", folder.display()),
        ));
    }
    // The data folder may not exist yet in a test; compare with what it will be.
    let data = data_dir.canonicalize().unwrap_or_else(|_| data_dir.to_path_buf());
    if real.starts_with(&data) {
        return Err(folder_error(
            format!(
                "Không lưu tệp xuất trong thư mục dữ liệu của ứng dụng ({}): tệp xuất có tên công dân. Hãy chọn thư mục khác.",
                data.display()
            ),
            format!(
                "Exports may not go inside the app's data folder ({}): they carry citizens' names. Choose another folder.",
                data.display()
            ),
        ));
    }
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let probe = real.join(format!(".bhxh-desk-{}-{nanos}.tmp", std::process::id()));
    // Created new, so a link left under that name is never written through.
    let created = std::fs::OpenOptions::new().write(true).create_new(true).open(&probe);
    created.and_then(|_| std::fs::remove_file(&probe)).map_err(|e| {
        folder_error(
            format!("Không ghi được vào thư mục {}: {e}", real.display()),
            format!("Cannot write to the folder {}: {e}", real.display()),
        )
    })?;
    Ok(real)
}

fn records(s: &OpenSession) -> Result<Vec<Record>, AppError> {
    let stored = s.with_cache(|c| c.meta(FILES_META))?;
    Ok(stored.and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default())
}

fn save_records(s: &OpenSession, list: &[Record]) -> Result<(), AppError> {
    let json = serde_json::to_string(list).map_err(AppError::internal)?;
    s.with_cache(|c| c.set_meta(FILES_META, &json))
}

/// Writes `bytes` to a new file in `dir`: `stem.ext`, else `stem-2.ext`, … (two
/// exports in one second must not overwrite each other). The file is created
/// where nothing was, never through a link someone left under that name, and
/// readable by this user only: it carries citizens' names.
pub(super) fn write_new(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> Result<PathBuf, AppError> {
    use std::io::Write;
    let names = std::iter::once(format!("{stem}.{ext}")).chain((2u32..1000).map(|n| format!("{stem}-{n}.{ext}")));
    for name in names {
        let path = dir.join(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let failed = |e: std::io::Error| {
            AppError::new(
                ErrorCode::Internal,
                format!("Không ghi được tệp {}: {e}", path.display()),
                format!("Could not write the file {}: {e}", path.display()),
            )
        };
        let mut file = match options.open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(failed(e)),
        };
        return match file.write_all(bytes).and_then(|()| file.sync_all()) {
            Ok(()) => Ok(path),
            Err(e) => {
                // Ours, begun: not left half written.
                drop(file);
                let _ = std::fs::remove_file(&path);
                Err(failed(e))
            }
        };
    }
    Err(AppError::new(
        ErrorCode::Internal,
        format!("Thư mục {} đã có quá nhiều tệp tên {stem}.", dir.display()),
        format!("The folder {} has too many files named {stem}.", dir.display()),
    ))
}

/// Whole office days between the day a file was written and `today`: a file
/// written at 23:59 is a day old at 00:01, whatever the machine's zone.
fn age_days(today: chrono::NaiveDate, written_at: i64) -> i64 {
    let at = DateTime::<Utc>::from_timestamp(written_at, 0).unwrap_or_default();
    (today - office_day(at)).num_days().max(0)
}

/// What an old export held, from the name the first versions gave it.
fn old_kind(stem: &str) -> &'static str {
    ["officers", "backlog", "paper_by_unit", "units"]
        .into_iter()
        .find(|k| stem.starts_with(&format!("{k}-")))
        .unwrap_or(if stem.starts_with("cong-van-nhac-nho-") { "letters" } else { "old" })
}

fn age_text(days: i64) -> bhxh_domain::Text {
    match days {
        ..=0 => bhxh_domain::Text::new("hôm nay", "today"),
        1 => bhxh_domain::Text::new("hôm qua", "yesterday"),
        n => bhxh_domain::Text::new(format!("{n} ngày trước"), format!("{n} days ago")),
    }
}

impl Desk {
    /// The folder configured by the office's IT (`--export-dir`, `$BHXH_EXPORT_DIR`), if any.
    fn configured_export_dir(&self) -> Option<PathBuf> {
        self.config.export_dir.clone()
    }

    /// The shell's folder dialog (none in the headless commands and most tests).
    pub fn set_folder_picker(&self, picker: std::sync::Arc<dyn FolderPicker>) {
        *super::lock(&self.folder_picker) = Some(picker);
    }

    /// Where this session's exports go now, checked again each time (a USB
    /// folder may be gone): the chosen folder, else the configured one.
    pub(super) fn export_dir_of(&self, s: &OpenSession) -> Result<PathBuf, AppError> {
        let chosen = s.with_cache(|c| c.meta(FOLDER_META))?.filter(|f| !f.is_empty()).map(PathBuf::from);
        match chosen.or_else(|| self.configured_export_dir()) {
            Some(folder) => check_folder(&folder, &self.config.data_dir),
            None => Err(AppError::new(
                ErrorCode::Validation,
                "Chưa chọn thư mục lưu tệp xuất. Bấm \"Chọn thư mục…\" trong phần Tệp đã xuất.",
                "No folder for exports has been chosen. Press \"Choose folder…\" under Exported files.",
            )),
        }
    }

    /// Lists a file just written, so it shows with its age until deleted.
    pub(super) fn record_export(&self, s: &OpenSession, path: &Path, what: &str, rows: Option<u32>, at: DateTime<Utc>) {
        let (Some(folder), Some(file)) = (path.parent(), path.file_name()) else { return };
        let result = records(s).and_then(|mut list| {
            list.push(Record {
                folder: folder.display().to_string(),
                file: file.to_string_lossy().into_owned(),
                what: what.to_owned(),
                rows,
                written_at: at.timestamp(),
            });
            let excess = list.len().saturating_sub(MAX_RECORDS);
            list.drain(..excess);
            save_records(s, &list)
        });
        if let Err(e) = result {
            warn!(error = %e.message, "export not listed");
        }
    }

    fn folder_view(&self, s: &OpenSession) -> Result<ExportFolderView, AppError> {
        let chosen = s.with_cache(|c| c.meta(FOLDER_META))?.filter(|f| !f.is_empty());
        let configured = self.configured_export_dir().map(|p| p.display().to_string());
        let folder = chosen.clone().or(configured.clone());
        let list = records(s)?;
        // Files deleted by hand leave the list; those in a folder that cannot be
        // reached now stay (the stick comes back with the files on it).
        // Each folder is looked at once per listing: a share that hangs is asked
        // once, not twice for every file in it.
        let mut reachable: std::collections::HashMap<String, bool> = std::collections::HashMap::new();
        for r in &list {
            reachable.entry(r.folder.clone()).or_insert_with(|| folder_reachable(&r.folder));
        }
        let unreachable = |r: &Record| !reachable.get(&r.folder).copied().unwrap_or(false);
        let before = list.len();
        let kept: Vec<Record> = list.into_iter().filter(|r| unreachable(r) || r.present()).collect();
        if kept.len() != before {
            save_records(s, &kept)?;
        }
        let today = self.today();
        let files = kept
            .iter()
            .rev()
            .map(|r| {
                let at = DateTime::<Utc>::from_timestamp(r.written_at, 0).unwrap_or_default();
                let age_days = age_days(today, r.written_at);
                ExportFileView {
                    name: r.file.clone(),
                    folder: r.folder.clone(),
                    what: r.what.clone(),
                    rows: r.rows,
                    written: office_text(at),
                    age_days,
                    age: age_text(age_days),
                    stale: age_days >= STALE_AFTER_DAYS,
                    unreachable: unreachable(r),
                }
            })
            .collect();
        Ok(ExportFolderView {
            folder,
            chosen: chosen.is_some(),
            configured,
            files,
            stale_after_days: STALE_AFTER_DAYS as u32,
            old_in_data_folder: self.old_exports().len() as u32,
        })
    }

    pub fn export_folder(&self) -> Result<ExportFolderView, AppError> {
        let s = self.view::<access::Supervisor>()?;
        self.folder_view(&s)
    }

    /// Opens the folder dialog and keeps the answer for this person on this PC.
    pub fn choose_export_folder(&self) -> Result<ExportFolderView, AppError> {
        let s = self.view::<access::Supervisor>()?;
        let picker = super::lock(&self.folder_picker).clone().ok_or_else(|| {
            AppError::new(
                ErrorCode::Validation,
                "Máy này không mở được hộp chọn thư mục. Hãy nhờ bộ phận CNTT đặt thư mục xuất (BHXH_EXPORT_DIR).",
                "This PC cannot open a folder dialog. Ask IT to configure the export folder (BHXH_EXPORT_DIR).",
            )
        })?;
        let current = self.folder_view(&s)?.folder.map(PathBuf::from);
        let who = s.info.username.clone();
        // The dialog is modal and may stay open for minutes: the session is not
        // held meanwhile (a lock or a logout must not wait on it), and it is taken
        // again after, for the same person only.
        drop(s);
        let picked = picker.pick_folder("Chọn thư mục lưu tệp xuất", current.as_deref());
        let s = self.view::<access::Supervisor>()?;
        if s.info.username != who {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "Phiên làm việc đã đổi trong lúc chọn thư mục: hãy chọn lại.",
                "The session changed while the folder was being chosen: choose again.",
            ));
        }
        let Some(picked) = picked else {
            return self.folder_view(&s);
        };
        let folder = check_folder(&picked, &self.config.data_dir)?;
        let text = folder.display().to_string();
        let (actor, now) = (s.info.username.clone(), self.now());
        s.with_cache(|c| {
            c.set_meta(FOLDER_META, &text)?;
            c.audit(&actor, bhxh_cache::audit::Action::ExportFolder, "folder", &text, now)
        })?;
        info!(folder = %text, "export folder chosen");
        self.folder_view(&s)
    }

    /// Where the first versions wrote exports and letters: inside the data
    /// folder, shared by the profiles of this PC.
    fn old_exports(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(self.config.data_dir.join(OLD_EXPORTS)) else { return Vec::new() };
        let mut files: Vec<PathBuf> = entries
            .flatten()
            // The entry's own type: a link is not followed, nor moved.
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| ["csv", "xlsx", "pdf"].iter().any(|k| x == *k)))
            .collect();
        files.sort();
        files
    }

    /// Moves what the first versions left in the data folder's `exports/` to the
    /// export folder, each file listed with the day it was written, then removes
    /// the emptied folder. A file is removed only once its copy is written.
    pub fn move_old_exports(&self) -> Result<ExportFolderView, AppError> {
        let s = self.view::<access::Supervisor>()?;
        let old = self.old_exports();
        if old.is_empty() {
            return self.folder_view(&s);
        }
        let dest = self.export_dir_of(&s)?;
        let unreadable = |path: &Path, e: std::io::Error| {
            AppError::new(
                ErrorCode::Internal,
                format!("Không chuyển được tệp {}: {e}", path.display()),
                format!("Could not move the file {}: {e}", path.display()),
            )
        };
        let mut moved = 0u32;
        let result = old.iter().try_for_each(|path| {
            let (Some(stem), Some(ext)) =
                (path.file_stem().map(|s| s.to_string_lossy()), path.extension().map(|s| s.to_string_lossy()))
            else {
                return Ok(());
            };
            let (bytes, written_at) = read_no_follow(path).map_err(|e| unreadable(path, e))?;
            let written_at = written_at.map(DateTime::<Utc>::from).unwrap_or_else(|| self.now());
            let copy = write_new(&dest, &stem, &ext, &bytes)?;
            // One file in one place: the copy goes again if the original stays.
            if let Err(e) = std::fs::remove_file(path) {
                let _ = std::fs::remove_file(&copy);
                return Err(unreadable(path, e));
            }
            self.record_export(&s, &copy, old_kind(&stem), None, written_at);
            moved += 1;
            Ok(())
        });
        // Only when empty: anything else there is not ours to delete.
        let _ = std::fs::remove_dir(self.config.data_dir.join(OLD_EXPORTS));
        // What was moved is audited, the whole batch or the part before a failure.
        if moved > 0 {
            let (actor, now, to) = (s.info.username.clone(), self.now(), dest.display().to_string());
            s.with_cache(|c| {
                c.audit(
                    &actor,
                    bhxh_cache::audit::Action::MoveExports,
                    "folder",
                    &format!("{moved} files to {to}"),
                    now,
                )
            })?;
            info!(moved, "old exports moved out of the data folder");
        }
        result?;
        self.folder_view(&s)
    }

    /// The shell's viewer and file manager (none in the headless commands and most tests).
    pub fn set_file_opener(&self, opener: std::sync::Arc<dyn FileOpener>) {
        *super::lock(&self.file_opener) = Some(opener);
    }

    /// Opens one listed export in the system's viewer, or shows it in its folder.
    pub fn open_export(&self, input: OpenExportInput) -> Result<(), AppError> {
        let s = self.view::<access::Supervisor>()?;
        let list = records(&s)?;
        let record = list.iter().find(|r| r.file == input.name && r.folder == input.folder).ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                format!("Tệp {} không có trong danh sách tệp đã xuất.", input.name),
                format!("The file {} is not on the list of exports.", input.name),
            )
        })?;
        let path = Path::new(&record.folder).join(&record.file);
        // Only the regular file that was written: not a link someone put in its place.
        if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file()) {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!(
                    "Không tìm thấy tệp {} (đã bị xoá, di chuyển hoặc thư mục không truy cập được).",
                    path.display()
                ),
                format!("The file {} is not there (deleted, moved, or its folder cannot be reached).", path.display()),
            ));
        }
        let opener = super::lock(&self.file_opener).clone().ok_or_else(|| {
            AppError::new(
                ErrorCode::Validation,
                "Máy này không mở được tệp bằng chương trình của hệ thống.",
                "This PC cannot open files with the system's programs.",
            )
        })?;
        drop(s);
        let opened = if input.reveal { opener.reveal(&path) } else { opener.open(&path) };
        opened.map_err(|e| {
            warn!(error = %e, "the system could not open an export");
            AppError::new(
                ErrorCode::Internal,
                format!("Hệ thống không mở được tệp {}: {e}", path.display()),
                format!("The system could not open the file {}: {e}", path.display()),
            )
        })
    }

    /// Deletes one file this PC exported (only those on the list: the window
    /// names a file, never a path).
    pub fn delete_export(&self, input: ExportNameInput) -> Result<ExportFolderView, AppError> {
        let s = self.view::<access::Supervisor>()?;
        let mut list = records(&s)?;
        let at = list.iter().position(|r| r.file == input.name && r.folder == input.folder).ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                format!("Tệp {} không có trong danh sách tệp đã xuất.", input.name),
                format!("The file {} is not on the list of exports.", input.name),
            )
        })?;
        if !folder_reachable(&list[at].folder) {
            return Err(AppError::new(
                ErrorCode::Validation,
                format!(
                    "Không truy cập được thư mục {}: hãy cắm lại ổ USB hoặc kết nối ổ mạng rồi xoá.",
                    list[at].folder
                ),
                format!(
                    "The folder {} cannot be reached: plug the USB stick or the share back in, then delete.",
                    list[at].folder
                ),
            ));
        }
        let record = list.remove(at);
        let path = Path::new(&record.folder).join(&record.file);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(AppError::new(
                    ErrorCode::Internal,
                    format!("Không xoá được tệp {}: {e}", path.display()),
                    format!("Could not delete the file {}: {e}", path.display()),
                ));
            }
        }
        save_records(&s, &list)?;
        let (actor, now, file) = (s.info.username.clone(), self.now(), record.file.clone());
        s.with_cache(|c| c.audit(&actor, bhxh_cache::audit::Action::DeleteExport, &record.what, &file, now))?;
        info!(file = %record.file, "export deleted");
        self.folder_view(&s)
    }
}

/// A regular file's bytes and modification time, read through one handle opened
/// without following a link: a file swapped for a link after it was listed is
/// refused, not read through.
fn read_no_follow(path: &Path) -> std::io::Result<(Vec<u8>, Option<std::time::SystemTime>)> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let mut file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(64 << 20) as usize);
    file.read_to_end(&mut bytes)?;
    Ok((bytes, meta.modified().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn utc(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).expect("time").timestamp()
    }

    /// The office's days, not the machine's (UTC) ones.
    #[test]
    fn an_export_ages_by_office_days() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("day");
        let cases = [
            // written (UTC)            today (office)     days  text
            ("2026-12-31T16:59:00Z", day(2026, 12, 31), 0, "hôm nay"), // 23:59 on 31/12 office time
            ("2026-12-31T16:59:00Z", day(2027, 1, 1), 1, "hôm qua"),   // read at 00:01 on 1/1
            ("2026-12-31T17:01:00Z", day(2027, 1, 1), 0, "hôm nay"),   // 00:01 on 1/1 office, still 31/12 in UTC
            ("2026-12-24T17:01:00Z", day(2027, 1, 1), 7, "7 ngày trước"),
            // A clock set back: never a negative age.
            ("2027-01-02T03:00:00Z", day(2027, 1, 1), 0, "hôm nay"),
        ];
        for (written, today, days, text) in cases {
            let n = age_days(today, utc(written));
            assert_eq!((n, age_text(n).vi.as_str()), (days, text), "{written} on {today}");
        }
        assert!(age_days(day(2027, 1, 1), utc("2026-12-24T17:01:00Z")) >= STALE_AFTER_DAYS);
    }

    #[test]
    fn a_second_export_in_the_same_second_gets_its_own_name() {
        let dir = tempfile::tempdir().expect("tmp");
        let first = write_new(dir.path(), "backlog-07916-20270101-000100", "csv", b"1").expect("first");
        let second = write_new(dir.path(), "backlog-07916-20270101-000100", "csv", b"2").expect("second");
        assert_ne!(first, second);
        assert!(second.to_string_lossy().ends_with("-000100-2.csv"));
        assert_eq!(std::fs::read(&first).expect("read"), b"1", "the first is untouched");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&second).expect("meta").permissions().mode();
            assert_eq!(mode & 0o077, 0, "readable by its owner only: {mode:o}");
        }
    }

    #[test]
    fn an_old_export_is_known_by_its_name() {
        assert_eq!(old_kind("backlog-07916-20261120-100000"), "backlog");
        assert_eq!(old_kind("paper_by_unit-07916-20261120-100000"), "paper_by_unit");
        assert_eq!(old_kind("cong-van-nhac-nho-07916-20261121-090000"), "letters");
        assert_eq!(old_kind("unitsX-07916"), "old");
        assert_eq!(old_kind("officers"), "old");
    }

    #[cfg(unix)]
    #[test]
    fn an_old_export_swapped_for_a_link_or_a_pipe_is_not_read() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("a.csv");
        std::fs::write(&file, b"ma_so;ten").expect("write");
        let (bytes, at) = read_no_follow(&file).expect("a regular file");
        assert_eq!((bytes.as_slice(), at.is_some()), (&b"ma_so;ten"[..], true));
        let link = dir.path().join("b.csv");
        std::os::unix::fs::symlink(&file, &link).expect("link");
        assert!(read_no_follow(&link).is_err(), "a link is not followed");
        let fifo = dir.path().join("c.csv");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("path");
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(read_no_follow(&fifo).is_err(), "a pipe neither blocks nor is read");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_left_under_the_next_name_is_never_written_through() {
        let dir = tempfile::tempdir().expect("tmp");
        let elsewhere = tempfile::tempdir().expect("tmp");
        let target = elsewhere.path().join("victim.txt");
        std::fs::write(&target, b"keep").expect("write");
        let stem = "backlog-07916-20270101-000100";
        // One link to a file that exists, one dangling: neither is followed.
        std::os::unix::fs::symlink(&target, dir.path().join(format!("{stem}.csv"))).expect("symlink");
        std::os::unix::fs::symlink(elsewhere.path().join("new.txt"), dir.path().join(format!("{stem}-2.csv")))
            .expect("symlink");
        let path = write_new(dir.path(), stem, "csv", b"export").expect("written");
        assert!(path.to_string_lossy().ends_with("-000100-3.csv"), "{}", path.display());
        assert_eq!(std::fs::read(&target).expect("read"), b"keep");
        assert!(!elsewhere.path().join("new.txt").exists());
        assert!(!std::fs::symlink_metadata(&path).expect("meta").file_type().is_symlink());
    }

    #[cfg(unix)]
    #[test]
    fn the_data_folder_and_what_is_inside_are_refused() {
        let data = tempfile::tempdir().expect("tmp");
        let inside = data.path().join("a").join("b");
        std::fs::create_dir_all(&inside).expect("mkdir");
        assert!(check_folder(data.path(), data.path()).is_err());
        assert!(check_folder(&inside, data.path()).is_err());
        // Through a symbolic link too: the real path is compared.
        let other = tempfile::tempdir().expect("tmp");
        let link = other.path().join("link");
        std::os::unix::fs::symlink(&inside, &link).expect("symlink");
        assert!(check_folder(&link, data.path()).is_err());
        assert!(check_folder(other.path(), data.path()).is_ok());
        assert!(check_folder(Path::new("relative"), data.path()).is_err());
    }
}
