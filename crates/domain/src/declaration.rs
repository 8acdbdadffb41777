//! What a declaration is: its kind, the channel it came through, where it stands.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An adult registers for themselves; a child under 18 is registered through a
/// parent's (or guardian's) existing account with a birth certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DeclarationKind {
    Adult,
    Child,
}

/// Where the citizen filled the declaration in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Channel {
    /// The VssID mobile app.
    App,
    /// The BHXH public-service web portal.
    Portal,
}

/// Where a declaration stands at the central service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DeclarationStatus {
    Pending,
    Approved,
    Resubmit,
    Rejected,
    Escalated,
}

/// The images (and later scans) attached to a declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DocumentKind {
    Portrait,
    IdFront,
    IdBack,
    BirthCertificate,
    PaperForm,
}

macro_rules! str_codes {
    ($ty:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];
            /// The stable code used in storage and on the wire.
            pub fn code(self) -> &'static str {
                match self { $($ty::$variant => $code),+ }
            }
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($ty::$variant),)+ _ => None }
            }
        }
    };
}

str_codes!(DeclarationKind { Adult => "adult", Child => "child" });
str_codes!(Channel { App => "app", Portal => "portal" });
str_codes!(DeclarationStatus {
    Pending => "pending",
    Approved => "approved",
    Resubmit => "resubmit",
    Rejected => "rejected",
    Escalated => "escalated",
});
str_codes!(DocumentKind {
    Portrait => "portrait",
    IdFront => "id_front",
    IdBack => "id_back",
    BirthCertificate => "birth_certificate",
    PaperForm => "paper_form",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::from_code(k.code()), Some(*k));
            assert_eq!(serde_json::to_string(k).unwrap(), format!("\"{}\"", k.code()));
        }
        for s in DeclarationStatus::ALL {
            assert_eq!(DeclarationStatus::from_code(s.code()), Some(*s));
            assert_eq!(serde_json::to_string(s).unwrap(), format!("\"{}\"", s.code()));
        }
        assert_eq!(Channel::from_code("fax"), None);
    }
}
