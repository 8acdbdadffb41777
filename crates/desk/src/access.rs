//! Who may call what. One rule per command, looked up by every command before it
//! touches data; a command without a rule is refused (deny by default), and the
//! role-matrix test fails until the new command has one.

use bhxh_domain::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Before login: the login screen's own calls.
    Anyone,
    /// Any logged-in person, whatever the role.
    Session,
    /// Logged in with one of these roles; data limited to the session's office.
    Roles(&'static [Role]),
}

const REVIEWERS: &[Role] = &[Role::Officer, Role::Supervisor];

/// The rule of `command` (an IPC command of [`crate::ipc::COMMANDS`], or
/// `document` for the document protocol).
pub fn rule(command: &str) -> Option<Access> {
    Some(match command {
        // The login screen's calls; `status` says who is logged in (if anyone).
        "prefill" | "login" | "status" | "logout" => Access::Anyone,
        "lock" | "unlock" | "viewer_prefs" | "set_viewer_prefs" => Access::Session,
        // Each role syncs what it works on: reviewers the declarations, the helpdesk the directory.
        "sync_now" => Access::Session,
        "queue" | "declaration" | "document" | "decide" | "withdraw" | "outbox" | "acknowledge" | "reasons"
        | "take" | "take_batch" | "import_paper" | "paper_stack" | "match_paper" => Access::Roles(REVIEWERS),
        // The helpdesk console works on the masked directory only.
        "lookup" | "citizen_card" | "log_call" => Access::Roles(&[Role::Helpdesk]),
        // The dashboard: the supervisor's alone (officers cannot open it).
        "dashboard" | "set_quota" | "export_table" | "take_away" | "hand_over" | "reminder_letters" => {
            Access::Roles(&[Role::Supervisor])
        }
        _ => return None,
    })
}
