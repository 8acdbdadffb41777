//! What the helpdesk may see of a citizen, and the call log. Contact details and ID
//! numbers leave the server masked, and nothing derived from a full number leaves it
//! either (no token, no hash, no salt): a number is looked up, or checked against
//! the one on file, by the server, which limits and records each question. A copy
//! of the directory can therefore be searched offline by mã số and by name only.

use bhxh_domain::helpdesk::{AccountState, PhoneCheck, RegistrationState, RequestState};
use bhxh_domain::{ChangedField, Channel, DeclarationKind, IdDocumentType, MaSoBhxh, Outcome, Purpose, Sex};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One step of a registration's history, as the helpdesk reads it out.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RegistrationEvent {
    pub at: DateTime<Utc>,
    pub what: RegistrationEventKind,
    pub office_code: String,
    /// Outcome events: the reason codes given.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// What the declaration asked for (absent: a registration).
    #[serde(default, skip_serializing_if = "is_register")]
    pub purpose: Purpose,
    /// An adjustment's changed fields (names only: the values stay at the server).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<ChangedField>,
}

fn is_register(p: &Purpose) -> bool {
    *p == Purpose::Register
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationEventKind {
    Submitted,
    /// An officer opened it for review.
    Assigned,
    Decided(Outcome),
    /// An account existed before the records of this system (registered earlier).
    AccountCreated,
    /// The account was closed at the holder's request.
    AccountStopped,
}

/// The person's latest declaration, if any.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RegistrationSummary {
    pub declaration_id: String,
    pub channel: Channel,
    pub submitted_at: DateTime<Utc>,
    pub office_code: String,
}

/// A citizen as the helpdesk may see them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CitizenEntry {
    pub ma_so_bhxh: MaSoBhxh,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub kind: DeclarationKind,
    /// The office the person belongs to (of the latest declaration, else of the register).
    pub office_code: String,
    pub unit_code: Option<String>,
    pub parent_ma_so_bhxh: Option<MaSoBhxh>,
    pub id_type: Option<IdDocumentType>,
    /// e.g. `*********678`.
    pub id_masked: Option<String>,
    /// e.g. `09xx xxx 123`.
    pub phone_masked: Option<String>,
    /// e.g. `n***@gmail.com`.
    pub email_masked: Option<String>,
    /// Where the latest registration stands (adjustments and stops aside).
    pub registration_state: RegistrationState,
    pub registration: Option<RegistrationSummary>,
    /// The latest adjustment or stop and where it stands.
    #[serde(default)]
    pub request: RequestState,
    pub history: Vec<RegistrationEvent>,
    pub account: AccountState,
    pub account_locked_until: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /v1/offices/{code}/directory`: the office's citizens, a page at a time in
/// mã số order (a full copy each sync: the directory is replaced, not merged).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DirectoryPage {
    pub items: Vec<CitizenEntry>,
    /// The last mã số of this page; pass as `after` for the next.
    pub next_after: Option<String>,
    pub has_more: bool,
}

/// `POST /v1/lookup`: the server's own search over the caller's province (a body,
/// not a query string: a phone number has no place in an address that proxies and
/// logs keep).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LookupRequest {
    pub q: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LookupAnswer {
    pub items: Vec<CitizenEntry>,
}

/// `POST /v1/citizens/{ma_so}/phone-check`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PhoneCheckRequest {
    pub phone: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PhoneCheckAnswer {
    pub result: PhoneCheck,
    /// Whether the person may receive SMS from 8079 at all (an account exists).
    pub registered: bool,
}

/// A call noted by a helpdesk agent. `id` is the client's UUID: sending the same
/// call twice records it once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NewCall {
    pub id: String,
    pub caller_name: String,
    pub topic: String,
    pub outcome: String,
    pub note: String,
    /// A line for the officers reviewing the person's pending declaration.
    pub flag: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CallRecord {
    pub id: String,
    pub ma_so_bhxh: MaSoBhxh,
    pub agent: String,
    pub agent_name: String,
    pub office_code: String,
    pub caller_name: String,
    pub topic: String,
    pub outcome: String,
    pub note: String,
    pub flag: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CallList {
    pub items: Vec<CallRecord>,
}

/// A helpdesk note on a declaration, shown to the officers who review it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HelpdeskFlag {
    pub call_id: String,
    pub at: DateTime<Utc>,
    pub agent_name: String,
    pub text: String,
}
