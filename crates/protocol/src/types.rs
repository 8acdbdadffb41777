//! Request and response bodies. Field names are the wire names (snake_case JSON).

use bhxh_domain::{
    AccountOnRecord, Channel, DeclarationKind, DeclarationStatus, DocumentKind, FieldChange, MaSoBhxh, Purpose, Role,
};
pub use bhxh_domain::{IdDocumentType, Sex};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Every non-2xx answer carries this body. `code` is stable; `message` is English for logs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

/// Stable error codes of the API.
pub mod error_code {
    pub const UNAUTHORIZED: &str = "unauthorized";
    pub const BAD_CREDENTIALS: &str = "bad_credentials";
    pub const FORBIDDEN: &str = "forbidden";
    pub const NOT_FOUND: &str = "not_found";
    pub const NO_ROUTE: &str = "no_route";
    pub const VALIDATION: &str = "validation";
    pub const BAD_REQUEST: &str = "bad_request";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
    /// 409: the first request with this Idempotency-Key is still being processed.
    pub const IN_FLIGHT: &str = "in_flight";
    /// 422: this Idempotency-Key was used with a different body.
    pub const KEY_REUSED: &str = "idempotency_key_reused";
    /// 409: another officer holds the declaration's assignment.
    pub const ASSIGNED_TO_OTHER: &str = "assigned_to_other";
    /// 409: this signed submission was filed already (a replayed request).
    pub const REPLAYED: &str = "replayed";
    /// 429 with Retry-After.
    pub const RATE_LIMITED: &str = "rate_limited";
    /// 503: injected or real trouble; try again later.
    pub const UNAVAILABLE: &str = "unavailable";
    pub const RANGE_NOT_SATISFIABLE: &str = "range_not_satisfiable";
    pub const INTERNAL: &str = "internal";

    /// Every code, as `openapi.json`'s `ErrorBody` lists them (a test holds the two together).
    pub const ALL: &[&str] = &[
        UNAUTHORIZED,
        BAD_CREDENTIALS,
        FORBIDDEN,
        NOT_FOUND,
        NO_ROUTE,
        VALIDATION,
        BAD_REQUEST,
        UNSUPPORTED_MEDIA_TYPE,
        PAYLOAD_TOO_LARGE,
        IN_FLIGHT,
        KEY_REUSED,
        ASSIGNED_TO_OTHER,
        REPLAYED,
        RATE_LIMITED,
        UNAVAILABLE,
        RANGE_NOT_SATISFIABLE,
        INTERNAL,
    ];
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct UserInfo {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Every account is bound to exactly one office.
    pub office_code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Bearer token for the `Authorization` header.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserInfo,
    /// Set when the account's data on every PC must be destroyed (a lost or handed-on
    /// PC): a desk whose data predates it wipes them before going on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wipe_requested_at: Option<DateTime<Utc>>,
}

/// A name an office has carried over a period (offices were renamed in 2025).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OfficeName {
    pub name: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Office {
    pub code: String,
    pub parent_code: Option<String>,
    pub names: Vec<OfficeName>,
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OfficeList {
    pub offices: Vec<Office>,
}

/// A contact address. Declarations before 1 July 2025 carry three levels
/// (province, district, commune); later ones two (province, commune).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Address {
    pub province: String,
    pub district: Option<String>,
    pub commune: String,
    /// House number, street, hamlet.
    pub street: String,
}

/// The declaration fields as the citizen typed them (Tờ khai Mẫu 01).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeclarationFields {
    pub kind: DeclarationKind,
    pub channel: Channel,
    pub office_code: String,
    pub ma_so_bhxh: MaSoBhxh,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    /// Absent for a child without an ID card.
    pub id_type: Option<IdDocumentType>,
    pub id_number: Option<String>,
    pub address: Address,
    pub phone: String,
    pub email: Option<String>,
    /// For a child: the parent's or guardian's mã số BHXH (the account it goes through).
    pub parent_ma_so_bhxh: Option<MaSoBhxh>,
    /// The employer unit (or school) the paper form travels through, e.g. `SQ0007Q`.
    pub unit_code: Option<String>,
    /// Register (absent on the wire), adjust or stop. For an adjustment the fields
    /// above carry the values asked for; `changes` says what was on record before.
    #[serde(default, skip_serializing_if = "is_register")]
    pub purpose: Purpose,
    /// An adjustment's changes as the citizen listed them (old and new value).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<FieldChange>,
    /// The reason the citizen gave for an adjustment or a stop ("đổi số điện thoại").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

fn is_register(p: &Purpose) -> bool {
    *p == Purpose::Register
}

impl DeclarationFields {
    /// What a paper form page is matched against: this declaration's identifying fields.
    pub fn candidate(&self, declaration_id: &str) -> bhxh_domain::mau01::Candidate {
        bhxh_domain::mau01::Candidate {
            declaration_id: declaration_id.to_owned(),
            ma_so: self.ma_so_bhxh.to_string(),
            full_name: self.full_name.clone(),
            id_number: self.id_number.clone(),
            phone: self.phone.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DocumentRef {
    pub id: String,
    pub kind: DocumentKind,
    pub content_type: String,
    pub size: u64,
    /// Lowercase hex sha256 of the whole content.
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Declaration {
    pub id: String,
    pub status: DeclarationStatus,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(flatten)]
    pub fields: DeclarationFields,
    pub documents: Vec<DocumentRef>,
    /// Who is reviewing it now (a lease), if anyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Assignment>,
    /// The decision on record, once there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<RecordedDecision>,
    /// Notes from the helpdesk for the reviewing officer ("caller says the photo was re-sent").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<crate::HelpdeskFlag>,
    /// For an adjustment or a stop: the account as the register holds it (as it
    /// stood when decided, once decided). The citizen's "old" values are checked
    /// against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountOnRecord>,
    /// Other open accounts of the register (in the office's province) with the
    /// declared phone: what the office's own declarations cannot show.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phone_holders: Vec<bhxh_domain::PhoneHolder>,
}

/// A lease on a declaration for one officer's review.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Assignment {
    pub declaration_id: String,
    pub officer: String,
    pub officer_name: String,
    pub expires_at: DateTime<Utc>,
}

/// The answer to taking (or renewing) an assignment: granted with our lease, or
/// not, with the other officer's.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AssignmentAnswer {
    pub granted: bool,
    pub assignment: Assignment,
}

/// POST /v1/decisions, with the outbox item's UUIDv7 as `Idempotency-Key`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DecisionRequest {
    pub declaration_id: String,
    /// What the officer chose (outcome, reasons, note, paper seen), at the top level of the JSON.
    #[serde(flatten)]
    pub draft: bhxh_domain::DecisionDraft,
    /// When the officer decided (possibly offline, long before it was sent). The
    /// server keeps it only between the declaration's submission and its own now;
    /// otherwise the decision counts from when it reached the server.
    pub decided_at: DateTime<Utc>,
    /// The codes of the checks' findings the officer saw when deciding.
    #[serde(default)]
    pub findings: Vec<String>,
}

/// POST /v1/decisions/batch: several decisions of the caller, each under its own
/// key, recorded in one transaction; each item answered as `POST /v1/decisions` would.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DecisionBatch {
    pub items: Vec<DecisionBatchItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DecisionBatchItem {
    pub idempotency_key: String,
    pub request: DecisionRequest,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DecisionBatchAnswer {
    pub items: Vec<DecisionBatchItemAnswer>,
}

/// One item's answer: the status `POST /v1/decisions` would have given, with its
/// body as `answer` (2xx) or `error`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DecisionBatchItemAnswer {
    pub idempotency_key: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<DecisionAnswer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

/// Items per batch at most.
pub const MAX_DECISION_BATCH: usize = 100;

/// A decision as the central service recorded it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RecordedDecision {
    pub declaration_id: String,
    pub outcome: bhxh_domain::Outcome,
    pub reasons: Vec<String>,
    pub officer: String,
    pub officer_name: String,
    pub decided_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub idempotency_key: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DecisionResult {
    /// Recorded now.
    Accepted,
    /// The same decision was already on record (a retry, or the same outcome sent again).
    Duplicate,
    /// Someone else's decision is on record (or another officer holds the
    /// assignment): `decision` is theirs; nothing was overwritten.
    Conflict,
}

/// The answer to a decision; replayed verbatim for a repeated Idempotency-Key.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DecisionAnswer {
    pub result: DecisionResult,
    /// The decision on record (ours, or the conflicting one).
    #[serde(default)]
    pub decision: Option<RecordedDecision>,
    /// For a conflict with an assignment: who holds it.
    #[serde(default)]
    pub assignment: Option<Assignment>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeclarationPage {
    pub items: Vec<Declaration>,
    /// Position after the last item of this page; send it back to continue. Always
    /// present, so a client that reached the end can later ask for what is new.
    pub next_cursor: String,
    pub has_more: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubmittedDocument {
    pub kind: DocumentKind,
    pub content_type: String,
    /// Standard base64 of the file's bytes.
    pub data_base64: String,
}

/// What the VssID app or the portal sends when a citizen submits a declaration.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Submission {
    #[serde(flatten)]
    pub fields: DeclarationFields,
    /// When the citizen submitted; the server's clock when absent. Refused when more
    /// than 5 minutes ahead of the server's clock; never kept later than its now.
    pub submitted_at: Option<DateTime<Utc>>,
    pub documents: Vec<SubmittedDocument>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubmissionAccepted {
    pub id: String,
}

/// Faults the reference server can inject (admin endpoint, enabled by a flag).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct FaultSettings {
    /// Answer declaration pages with a body that is not valid JSON.
    #[serde(default)]
    pub malformed_pages: bool,
    /// Serve document bytes with their middle bytes flipped (hash no longer matches).
    #[serde(default)]
    pub corrupt_documents: bool,
    /// Send half of each document's bytes (of a whole file or of a range), then
    /// break the connection: a line that drops mid-download.
    #[serde(default)]
    pub cut_documents: bool,
    /// Added delay before answering pages, documents, decisions and letter numbers, in milliseconds.
    #[serde(default)]
    pub latency_ms: u64,
    /// Share of API requests (percent) answered 503 before doing anything.
    #[serde(default)]
    pub error_percent: u8,
    /// Share of API requests whose connection is dropped before doing anything.
    #[serde(default)]
    pub drop_percent: u8,
    /// Share of decisions recorded and committed, then the connection dropped
    /// before the answer leaves.
    #[serde(default)]
    pub commit_drop_percent: u8,
    /// Share of API requests answered 429 with `Retry-After: 1`.
    #[serde(default)]
    pub throttle_percent: u8,
    /// Share of authenticated requests whose token is expired on the spot (401).
    #[serde(default)]
    pub expire_token_percent: u8,
}

/// `GET /v1/offices/{code}/quotas`: decisions per officer per day.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct QuotaList {
    pub default_per_day: u32,
    /// Every officer of the office; `per_day` None follows the default.
    pub officers: Vec<OfficerQuota>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OfficerQuota {
    pub username: String,
    pub display_name: String,
    pub per_day: Option<u32>,
}

/// `PUT /v1/offices/{code}/quotas` (supervisor): one quota. `officer` None sets the
/// office's default; `per_day` None clears an officer's own quota.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct QuotaUpdate {
    pub officer: Option<String>,
    pub per_day: Option<u32>,
}

/// `GET`/`PUT /v1/offices/{code}/paper-rule`: which declarations the office records
/// only with the signed paper Mẫu 01. Its staff read it (the desk keeps it for
/// offline work); only its supervisor sets it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PaperRuleState {
    pub office_code: String,
    pub rule: bhxh_domain::PaperRule,
    /// Who last set it and when; none while the office never set one.
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}
