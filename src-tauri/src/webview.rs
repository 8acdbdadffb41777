//! How WebKitGTK draws this window: chosen by IT, read by WebKit from its
//! environment once, so set before GTK starts. WebView2 on Windows chooses for itself.
//! (WebKit's "document viewer" cache model was tried to hold less memory: the web
//! view held 25 MB less after 100 reviews, but each next declaration's images were
//! decoded again when shown, 34 ms more from a decision to the next one painted.)

use bhxh_desk_core::deployment::WebRendering;

/// Tells WebKitGTK how to draw. A variable already set by whoever started the app
/// (IT's wrapper, a developer) is left as it is.
pub fn choose_rendering(how: WebRendering) {
    #[cfg(target_os = "linux")]
    {
        const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
        if how == WebRendering::Software && std::env::var_os(VAR).is_none() {
            // SAFETY: called from `main` before the first thread is started (the log
            // writer, the async runtime and GTK come after), so nothing reads the
            // environment concurrently.
            unsafe { std::env::set_var(VAR, "1") };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = how;
}
