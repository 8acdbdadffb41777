//! The system's viewer and file manager for the exports the core lists (`open_export`): Rust calls them with a
//! path the core checked; the window has no opener permission of its own.

use std::path::Path;

pub struct SystemOpener;

impl bhxh_desk_core::FileOpener for SystemOpener {
    fn open(&self, path: &Path) -> Result<(), String> {
        tauri_plugin_opener::open_path(path, None::<&str>).map_err(|e| e.to_string())
    }

    fn reveal(&self, path: &Path) -> Result<(), String> {
        tauri_plugin_opener::reveal_item_in_dir(path).map_err(|e| e.to_string())
    }
}
