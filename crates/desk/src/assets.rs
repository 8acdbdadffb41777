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
