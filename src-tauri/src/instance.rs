//! One window per user and data folder: a second launch hands over to the first, which comes to the front, and
//! exits. Two windows on one cache would each think they hold it. The D-Bus name (Linux) is the app's identifier
//! and a digest of the data folder: in an office the folder is the user's own, so this is one instance per user;
//! the demo and the tests, each with its own folder, do not meet. Without a session bus there is nothing to ask
//! and the app starts normally.

use sha2::{Digest, Sha256};
use std::path::Path;
use tauri::{AppHandle, Manager, Runtime};

pub fn plugin<R: Runtime>(data_dir: Option<&Path>) -> tauri::plugin::TauriPlugin<R> {
    let mut builder = tauri_plugin_single_instance::Builder::new().callback(|app: &AppHandle<R>, _argv, _cwd| {
        // The second launch's arguments are not used: a shortcut must not change this window's server or user.
        tracing::info!("a second launch handed over: the window is brought forward");
        bring_forward(app);
    });
    if let Some(dir) = data_dir {
        // One folder, however it was written (relative, a trailing slash, through a link).
        let dir = dir.canonicalize().or_else(|_| std::path::absolute(dir)).unwrap_or_else(|_| dir.to_path_buf());
        let digest = Sha256::digest(dir.as_os_str().as_encoded_bytes());
        builder = builder.dbus_id(format!("vn.bhxh.desk.d{}", hex::encode(&digest[..6])));
    }
    builder.build()
}

fn bring_forward<R: Runtime>(app: &AppHandle<R>) {
    let Some(window) = app.get_webview_window("main") else { return };
    for (what, result) in [("unminimize", window.unminimize()), ("show", window.show()), ("focus", window.set_focus())]
    {
        if let Err(e) = result {
            tracing::warn!(error = %e, what, "the window could not be brought forward");
        }
    }
}
