//! Files an office may edit without a new build (helpdesk scripts, letter
//! templates): `$BHXH_ASSETS_DIR`, `assets/` beside the program, or `assets/` in the
//! working directory or one of its parents. Each caller keeps a built-in copy.

use std::path::PathBuf;

pub fn find(relative: &str) -> Option<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(d) = std::env::var_os("BHXH_ASSETS_DIR") {
        dirs.push(PathBuf::from(d));
    }
    if let Some(exe_dir) = std::env::current_exe().ok().and_then(|p| p.parent().map(|d| d.to_path_buf())) {
        dirs.push(exe_dir.join("assets"));
    }
    if let Ok(cwd) = std::env::current_dir() {
        dirs.extend(cwd.ancestors().map(|a| a.join("assets")));
    }
    dirs.into_iter().map(|d| d.join(relative)).find(|p| p.is_file())
}

/// The working-day calendar: the years shipped in the build, each replaced by the
/// office's own `holidays/<year>.tsv` where one is found. A file that does not parse
/// is left out with an error in the log (its year keeps the shipped days).
pub fn work_calendar() -> bhxh_domain::calendar::WorkCalendar {
    let mut cal = bhxh_domain::calendar::WorkCalendar::builtin().clone();
    for year in 2024..=2040 {
        let Some(path) = find(&format!("holidays/{year}.tsv")) else { continue };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                if let Err(e) = cal.set_year(year, &text) {
                    tracing::error!(file = %path.display(), error = %e, "holiday file refused");
                }
            }
            Err(e) => tracing::error!(file = %path.display(), error = %e, "holiday file unreadable"),
        }
    }
    cal
}
