//! Files an office may edit without a new build (helpdesk scripts, letter
//! templates): `$BHXH_ASSETS_DIR`, then the installed package's `assets/` (Tauri's
//! resource folder, which the shell names at start), or, in a development build not
//! installed, the checkout's `assets/`. Never the working directory nor its parents:
//! a folder the officer happens to be in must not supply the app's texts. Each caller
//! keeps a built-in copy.

use std::path::PathBuf;

/// Where `relative` may stand, in the order it is looked for.
fn candidates(relative: &str) -> impl Iterator<Item = PathBuf> {
    let mut dirs = Vec::new();
    // Not for an installed app: the office's texts come from the package (or IT's copy of it), not a shortcut's variable.
    if let Some(d) =
        std::env::var_os("BHXH_ASSETS_DIR").filter(|_| bhxh_documents::pdf::installed_resources().is_none())
    {
        dirs.push(PathBuf::from(d));
    }
    match bhxh_documents::pdf::installed_resources() {
        Some(installed) => dirs.push(installed.join("assets")),
        None if cfg!(debug_assertions) => {
            dirs.push(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets"));
        }
        None => {}
    }
    let relative = relative.to_owned();
    dirs.into_iter().map(move |d| d.join(&relative))
}

pub fn find(relative: &str) -> Option<PathBuf> {
    candidates(relative).find(|p| p.is_file())
}

/// The working-day calendar: the years shipped in the build, each replaced by the
/// office's own `holidays/<year>.tsv` where one is found. A file that does not parse
/// is left out with an error in the log (its year keeps the shipped days).
pub fn work_calendar() -> bhxh_domain::calendar::WorkCalendar {
    let mut cal = bhxh_domain::calendar::WorkCalendar::builtin().clone();
    let Some(dir) = candidates("holidays").find(|p| p.is_dir()) else { return cal };
    let Ok(entries) = std::fs::read_dir(&dir) else { return cal };
    for path in entries.flatten().map(|e| e.path()) {
        let year =
            path.extension().filter(|x| *x == "tsv").and(path.file_stem()).and_then(|s| s.to_str()?.parse().ok());
        let Some(year) = year else { continue };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                if let Err(e) = cal.set_year(year, &text) {
                    tracing::error!(file = %path.display(), error = %e, "holiday file refused");
                    cal.refuse(year, e.to_string());
                }
            }
            Err(e) => {
                tracing::error!(file = %path.display(), error = %e, "holiday file unreadable");
                cal.refuse(year, e.to_string());
            }
        }
    }
    cal
}

#[cfg(test)]
mod tests {
    const CHILD: &str = "BHXH_ASSETS_TEST_CHILD";
    const PLANTED: &str = "planted-by-a-stranger.tsv";

    /// Run in a child process started in a folder (and below a folder) where someone
    /// left an `assets/` and a `libpdfium.so`: neither is picked up. The working
    /// directory belongs to the whole process, so the test's own is not changed.
    #[test]
    fn nothing_is_loaded_from_the_working_directory_or_its_parents() {
        if let Some(planted) = std::env::var_os(CHILD) {
            assert_eq!(super::find(PLANTED), None, "an asset was taken from the working directory");
            let pdfium = bhxh_documents::pdf::locate_library();
            assert!(!pdfium.starts_with(&planted), "PDFium was taken from {}", pdfium.display());
            return;
        }
        let tmp = tempfile::tempdir().expect("tmp");
        let inner = tmp.path().join("inner");
        for dir in [tmp.path(), inner.as_path()] {
            std::fs::create_dir_all(dir.join("assets")).expect("dir");
            std::fs::write(dir.join("assets").join(PLANTED), "x\n").expect("plant");
            for name in ["libpdfium.so", "libpdfium.dylib", "pdfium.dll"] {
                std::fs::write(dir.join(name), b"not a library").expect("plant");
            }
        }
        let status = std::process::Command::new(std::env::current_exe().expect("exe"))
            .args(["--exact", "assets::tests::nothing_is_loaded_from_the_working_directory_or_its_parents"])
            .arg("--test-threads=1")
            .current_dir(&inner)
            .env(CHILD, tmp.path())
            .env_remove("BHXH_ASSETS_DIR")
            .env_remove(bhxh_documents::pdf::LIBRARY_DIR_ENV)
            .status()
            .expect("child");
        assert!(status.success(), "the child's checks failed");
    }
}
