//! Who may call what. The command table (`command_table.rs`) names one of the
//! callers below for every command; every call passes through that gate before it
//! touches data, and a name outside the table is refused (deny by default).

use bhxh_domain::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Before login: the login screen's own calls.
    Anyone,
    /// Logged in, the screen locked or not (to lock it, or to unlock it).
    Identified,
    /// An open session, whatever the role.
    Session,
    /// An open session with one of these roles; data limited to the session's office.
    Roles(&'static [Role]),
}

/// A kind of caller a command admits (the table's "who" column).
pub trait Who {
    const ACCESS: Access;
}

macro_rules! who {
    ($($(#[$m:meta])* $name:ident => $access:expr;)*) => {
        $($(#[$m])* pub enum $name {}
        impl Who for $name {
            const ACCESS: Access = $access;
        })*
    };
}

who! {
    /// The login screen.
    Anyone => Access::Anyone;
    /// Whoever logged in, locked or not.
    Identified => Access::Identified;
    /// Any open session.
    Session => Access::Session;
    /// Those who review declarations: officers and supervisors.
    Reviewer => Access::Roles(REVIEWERS);
    Supervisor => Access::Roles(&[Role::Supervisor]);
    Helpdesk => Access::Roles(&[Role::Helpdesk]);
}

const REVIEWERS: &[Role] = &[Role::Officer, Role::Supervisor];

/// The document protocol (images and paper pages): not an IPC command, same gate.
pub const DOCUMENT: Access = Access::Roles(REVIEWERS);

/// The rule of `command` (an IPC command of the table, or `document` for the
/// document protocol).
pub fn rule(command: &str) -> Option<Access> {
    if command == "document" { Some(DOCUMENT) } else { crate::api::rule(command) }
}
