//! The window's title names the office and the officer while someone is logged
//! in (a supervisor walking past, or a screenshot in a support call, says whose
//! session it is); the shell shows it, the core says what it is.

use super::{Desk, SessionState, lock};
use crate::ipc::SessionInfo;
use std::sync::Arc;

/// The app's name, as the title says it with nobody logged in.
pub const APP_TITLE: &str = "BHXH – Duyệt đăng ký giao dịch điện tử";

/// Shows a title: the native window's in the app, a record in tests.
pub trait TitleSink: Send + Sync {
    fn set_title(&self, title: &str);
}

/// "BHXH – Duyệt … — [07916] BHXH Cơ sở Quận 6 — Trần Thị Thu Hà (canbo.07916)".
pub fn window_title(info: Option<&SessionInfo>) -> String {
    let Some(i) = info else { return APP_TITLE.to_owned() };
    let office = match &i.office_name {
        Some(name) => format!("[{}] {name}", i.office_code),
        None => format!("[{}]", i.office_code),
    };
    format!("{APP_TITLE} — {office} — {} ({})", i.display_name, i.username)
}

impl Desk {
    pub fn set_title_sink(&self, sink: Arc<dyn TitleSink>) {
        let title = window_title(self.state().info());
        sink.set_title(&title);
        *lock(&self.title_sink) = Some(sink);
    }

    /// Says the title for the session now in place; a locked session keeps its own
    /// (the lock screen names whose it is too).
    pub(super) fn show_title(&self, state: &SessionState) {
        if matches!(state, SessionState::Locked(_)) {
            return;
        }
        if let Some(sink) = lock(&self.title_sink).clone() {
            sink.set_title(&window_title(state.info()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bhxh_domain::Role;

    #[test]
    fn the_title_names_the_office_and_the_officer() {
        let info = SessionInfo {
            username: "canbo.07916".into(),
            display_name: "Trần Thị Thu Hà".into(),
            role: Role::Officer,
            office_code: "07916".into(),
            office_name: Some("BHXH Cơ sở Quận 6".into()),
            offline_login: false,
        };
        assert_eq!(window_title(None), APP_TITLE);
        assert_eq!(
            window_title(Some(&info)),
            "BHXH – Duyệt đăng ký giao dịch điện tử — [07916] BHXH Cơ sở Quận 6 — Trần Thị Thu Hà (canbo.07916)"
        );
        let unnamed = SessionInfo { office_name: None, ..info };
        assert!(window_title(Some(&unnamed)).ends_with("— [07916] — Trần Thị Thu Hà (canbo.07916)"));
    }
}
