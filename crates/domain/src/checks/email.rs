//! Email: optional, but when given it must look like an address (OTPs go there).

use super::{Facts, Finding, Severity::*, field};
use crate::Email;

pub fn check(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let Some(raw) = f.email.map(str::trim).filter(|e| !e.is_empty()) else {
        out.push(Finding::new(
            "email.missing",
            Info,
            &[field::EMAIL],
            "Không có thư điện tử: người dân sẽ không tự lấy lại mật khẩu qua email được.",
            "No email: the citizen cannot recover the password by email.",
        ));
        return;
    };
    if let Err(e) = raw.parse::<Email>() {
        out.push(Finding::new("email.invalid", Warn, &[field::EMAIL], e.message_vi(), e.to_string()));
    }
}
