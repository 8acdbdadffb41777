//! What a declaration is: its kind, the channel it came through, where it stands.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An adult registers for themselves; a child under 18 is registered through a
/// parent's (or guardian's) existing account with a birth certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DeclarationKind {
    Adult,
    Child,
}

/// What a Mẫu 01 asks for (its title names all three: "đăng ký sử dụng, điều
/// chỉnh thông tin và ngừng sử dụng phương thức giao dịch điện tử").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Purpose {
    /// Register an account for electronic transactions.
    #[default]
    Register,
    /// Change what the account has on record: phone, e-mail, ID document, address,
    /// a name (or birth date, sex) after a legal change.
    Adjust,
    /// Stop using electronic transactions: the account closes.
    Stop,
}

/// A field an adjustment changes. The declaration's own fields carry the new
/// values; the change says what was on record before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChangedField {
    Phone,
    Email,
    /// The ID document: a CCCD replacing a CMND, a new card, another number.
    IdDocument,
    Address,
    FullName,
    BirthDate,
    Sex,
    /// Never changed through Mẫu 01: a mã số is the account itself.
    MaSo,
}

impl ChangedField {
    /// As an officer or an agent says it ("số điện thoại").
    pub fn label_vi(self) -> &'static str {
        match self {
            ChangedField::Phone => "số điện thoại",
            ChangedField::Email => "e-mail",
            ChangedField::IdDocument => "số giấy tờ tùy thân",
            ChangedField::Address => "địa chỉ",
            ChangedField::FullName => "họ tên",
            ChangedField::BirthDate => "ngày sinh",
            ChangedField::Sex => "giới tính",
            ChangedField::MaSo => "mã số BHXH",
        }
    }
}

/// One change an adjustment asks for, as the citizen declared it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldChange {
    pub field: ChangedField,
    /// What the citizen says was on record.
    pub old: String,
    pub new: String,
}

/// Where the citizen filled the declaration in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
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
    /// Put on hold by the office: its paper-form rule wants the signed paper Mẫu 01,
    /// which has not arrived. Any officer of the office decides it once it does.
    OnHold,
}

impl DeclarationStatus {
    /// Still waiting for a final decision (the queue's, the backlog's, the
    /// duplicate check's "open").
    pub fn is_open(self) -> bool {
        matches!(self, DeclarationStatus::Pending | DeclarationStatus::Escalated | DeclarationStatus::OnHold)
    }
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
str_codes!(Purpose { Register => "register", Adjust => "adjust", Stop => "stop" });
str_codes!(ChangedField {
    Phone => "phone",
    Email => "email",
    IdDocument => "id_document",
    Address => "address",
    FullName => "full_name",
    BirthDate => "birth_date",
    Sex => "sex",
    MaSo => "ma_so",
});
str_codes!(DeclarationStatus {
    Pending => "pending",
    Approved => "approved",
    Resubmit => "resubmit",
    Rejected => "rejected",
    Escalated => "escalated",
    OnHold => "on_hold",
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
        for p in Purpose::ALL {
            assert_eq!(Purpose::from_code(p.code()), Some(*p));
            assert_eq!(serde_json::to_string(p).unwrap(), format!("\"{}\"", p.code()));
        }
        for f in ChangedField::ALL {
            assert_eq!(ChangedField::from_code(f.code()), Some(*f));
            assert_eq!(serde_json::to_string(f).unwrap(), format!("\"{}\"", f.code()));
        }
    }
}
