//! The native folder dialog, opened from Rust only: the window asks the core
//! (`choose_export_folder`), the core asks this picker. The window itself gets
//! no dialog or file-system permission.

use std::path::{Path, PathBuf};
use tauri::{AppHandle, Manager};
use tauri_plugin_dialog::DialogExt;

pub struct NativePicker(pub AppHandle);

impl bhxh_desk_core::FolderPicker for NativePicker {
    fn pick_folder(&self, title: &str, start: Option<&Path>) -> Option<PathBuf> {
        let mut dialog = self.0.dialog().file().set_title(title);
        if let Some(dir) = start {
            dialog = dialog.set_directory(dir);
        }
        if let Some(window) = self.0.get_webview_window("main") {
            dialog = dialog.set_parent(&window);
        }
        // Called on a blocking command thread, never on GTK's: the dialog runs there.
        let picked = dialog.blocking_pick_folder()?;
        match picked.into_path() {
            Ok(p) => Some(p),
            Err(e) => {
                tracing::warn!(error = %e, "the folder dialog answered something that is not a path");
                None
            }
        }
    }
}
