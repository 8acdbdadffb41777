//! The native window's title, set from Rust when the session changes (the core
//! says what it is): the window itself gets no permission to set it.

use tauri::{AppHandle, Manager};

pub struct WindowTitle(pub AppHandle);

impl bhxh_desk_core::TitleSink for WindowTitle {
    fn set_title(&self, title: &str) {
        if let Some(window) = self.0.get_webview_window("main")
            && let Err(e) = window.set_title(title)
        {
            tracing::warn!(error = %e, "window title not set");
        }
    }
}
