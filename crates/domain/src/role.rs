//! The three kinds of people who use the app. The Rust side checks the role on every command.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    Officer,
    Supervisor,
    Helpdesk,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Supervisor => "supervisor",
            Role::Helpdesk => "helpdesk",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "officer" => Some(Role::Officer),
            "supervisor" => Some(Role::Supervisor),
            "helpdesk" => Some(Role::Helpdesk),
            _ => None,
        }
    }
    /// Whether this role works through the review queue (and so pulls declarations
    /// and their documents into the cache).
    pub fn reviews_declarations(self) -> bool {
        matches!(self, Role::Officer | Role::Supervisor)
    }
}
