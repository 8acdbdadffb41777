//! What the helpdesk console sees. Built from the masked directory only: no type
//! here can carry a full phone, email or ID number.

use bhxh_domain::helpdesk::scripts::Choice;
use bhxh_domain::helpdesk::{AccountState, RegistrationState};
use bhxh_domain::{Channel, DeclarationKind, Text};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct LookupInput {
    pub query: String,
    /// Also ask the central service (every office); the UI asks once typing pauses.
    #[serde(default)]
    pub central: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PersonHit {
    pub ma_so_bhxh: String,
    pub full_name: String,
    pub birth_date: String,
    pub kind: DeclarationKind,
    pub office_code: String,
    pub office_name: Option<String>,
    pub registration_state: RegistrationState,
    pub account: AccountState,
    pub phone_masked: Option<String>,
    /// Found by an identifier typed in full (mã số, ID, phone), not by name.
    pub exact: bool,
    /// A person of another office (the central service's answer over the province).
    pub other_office: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct LookupResult {
    pub items: Vec<PersonHit>,
    /// The old 11-digit number the typed phone was read as.
    pub phone_rewritten_from: Option<String>,
    pub searched_central: bool,
    /// Why the central service could not be asked.
    pub central_error: Option<Text>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CardInput {
    pub ma_so_bhxh: String,
    /// The number the caller says they text from, for the 8079 diagnosis.
    #[serde(default)]
    pub phone: Option<String>,
}

/// The phone the caller uses, against what the 8079 service needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PhoneDiagnosis {
    /// Account exists and the number is the one on file: 8079 answers this phone.
    Match,
    /// Account exists, the number differs: the 8079 error's first cause.
    Mismatch,
    /// Account exists, no phone on file.
    NoPhoneOnFile,
    /// No account: the 8079 error's second cause (never registered / not approved yet).
    NotRegistered,
    /// Account exists, but only the central service can compare a phone with the one
    /// on file, and it did not answer: ask again once online.
    NeedsNetwork,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PhoneDiagnosisView {
    pub result: PhoneDiagnosis,
    /// The typed number as the check read it (old 11-digit numbers rewritten).
    pub phone_read_as: String,
    pub rewritten_from: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct HistoryLine {
    pub at: String,
    /// submitted | assigned | account_created | account_stopped | approve | resubmit | reject | escalate
    pub what: String,
    pub office_name: String,
    /// The reasons in the citizen-facing wording.
    pub reasons: Vec<String>,
    /// Which kind of declaration the step belongs to (register, adjust, stop).
    pub purpose: bhxh_domain::Purpose,
    /// An adjustment's changed fields (the UI names them in its language).
    pub changed: Vec<bhxh_domain::ChangedField>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ScriptView {
    pub id: String,
    pub title: String,
    pub topic: String,
    pub topic_label: String,
    /// Placeholders filled from the person's record.
    pub text: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CallView {
    pub id: String,
    pub at: String,
    pub agent_name: String,
    pub caller_name: String,
    pub topic_label: String,
    pub outcome_label: String,
    pub note: String,
    pub flag: Option<String>,
    /// Noted on this PC and not yet at the central service.
    pub pending: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CitizenCard {
    pub ma_so_bhxh: String,
    pub full_name: String,
    pub birth_date: String,
    pub sex_label: Text,
    pub kind: DeclarationKind,
    pub office_code: String,
    pub office_name: String,
    pub unit_code: Option<String>,
    pub parent_ma_so_bhxh: Option<String>,
    pub id_masked: Option<String>,
    pub phone_masked: Option<String>,
    pub email_masked: Option<String>,
    pub registration_state: RegistrationState,
    pub channel: Option<Channel>,
    pub submitted_at: Option<String>,
    pub account: AccountState,
    /// Local time the lock ends (HH:MM).
    pub locked_until: Option<String>,
    pub history: Vec<HistoryLine>,
    pub phone: Option<PhoneDiagnosisView>,
    pub scripts: Vec<ScriptView>,
    pub topics: Vec<Choice>,
    pub outcomes: Vec<Choice>,
    pub calls: Vec<CallView>,
    /// Read from the central service just now (else from this PC's directory copy).
    pub fresh: bool,
    /// The scripts file on disk has an error: the built-in scripts are shown.
    pub scripts_warning: Option<Text>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct LogCallInput {
    pub ma_so_bhxh: String,
    pub caller_name: String,
    pub topic: String,
    pub outcome: String,
    pub note: String,
    /// A line for the officers reviewing the person's open declaration.
    #[serde(default)]
    pub flag: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct LogCallResult {
    pub id: String,
    /// Already at the central service (else kept here until the next sync).
    pub delivered: bool,
}
