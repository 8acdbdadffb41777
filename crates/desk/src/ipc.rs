//! Types that cross to the web UI. TypeScript twins are generated from these by
//! ts-rs (`cargo test` writes them to `ui/src/bindings/`): never edit those by hand.

use bhxh_domain::checks::{Finding, SuggestedOutcome};
use bhxh_domain::{Channel, DeclarationKind, DeclarationStatus, DocumentKind, Role, Text};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

mod helpdesk;
mod supervisor;
pub use helpdesk::*;
pub use supervisor::*;

pub use crate::desk::{AboutInfo, LOG_PREFIX, SupportBundle};

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LoginInput {
    pub central_url: String,
    pub username: String,
    pub password: String,
    /// The officer's answer after a login stopped with `PasswordChanged`.
    #[serde(default)]
    #[ts(optional)]
    pub password_changed: Option<PasswordChangedAnswer>,
}

impl LoginInput {
    pub fn new(central_url: &str, username: &str, password: &str) -> Self {
        Self {
            central_url: central_url.to_owned(),
            username: username.to_owned(),
            password: password.to_owned(),
            password_changed: None,
        }
    }
}

/// When the password was changed centrally, the data on this PC still opens only
/// with the previous one.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PasswordChangedAnswer {
    /// Keep working on the same data: it is locked again under the new password.
    Previous { previous_password: String },
    /// Forgotten: start with empty data; the old data stays on the PC, still locked.
    StartAfresh,
}

/// What the login screen starts with.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Prefill {
    pub central_url: String,
    /// The address is the office's configuration: shown, not edited.
    pub central_url_fixed: bool,
    pub username: String,
    pub password: String,
    /// IT's configuration file was refused: the login screen says why, and no one logs in.
    pub config_problem: Option<bhxh_domain::Text>,
}

#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
#[ts(export)]
pub struct SessionInfo {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub office_code: String,
    pub office_name: Option<String>,
    /// Unlocked from the cache without the central service.
    pub offline_login: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StatusInfo {
    pub session: Option<SessionInfo>,
    pub online: bool,
    pub syncing: bool,
    /// Local time text of the last successful sync.
    pub last_sync_at: Option<String>,
    /// Successful syncs since login: the UI reloads the queue when it moves.
    pub sync_count: u32,
    /// The last sync's error.
    pub last_error: Option<Text>,
    pub queue_count: u32,
    /// Documents of the queue, and how many are not on this PC yet (the progress bar).
    pub documents_total: u32,
    pub documents_missing: u32,
    /// Locked after idle time (or by the officer): the screen is covered and the
    /// documents unloaded until the password is entered again.
    pub locked: bool,
    /// Minutes without activity before the lock.
    pub idle_lock_minutes: u32,
    /// Decisions not yet answered by the central service.
    pub outbox_waiting: u32,
    /// Conflicts and refusals the officer has not acknowledged.
    pub outbox_attention: u32,
    /// Helpdesk: calls noted here and not yet at the central service.
    pub calls_waiting: u32,
    /// The office's time now (dd/mm/yyyy hh:mm), from the desk's clock: the
    /// watermark's time, never the web view's.
    pub office_now: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncSummary {
    /// Decisions the central service answered in this sync (accepted, duplicate, conflict).
    pub decisions_delivered: u32,
    pub decisions_conflicting: u32,
    pub decisions_refused: u32,
    pub declarations: u32,
    pub new_declarations: u32,
    pub documents_downloaded: u32,
    pub documents_failed: u32,
    /// Helpdesk: people in the office's directory copy, and calls delivered.
    pub directory_people: u32,
    pub calls_delivered: u32,
    pub duration_ms: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct QueueItem {
    pub id: String,
    pub ma_so_bhxh: String,
    pub full_name: String,
    pub kind: DeclarationKind,
    /// Register, adjust or stop.
    pub purpose: bhxh_domain::Purpose,
    pub channel: Channel,
    pub status: DeclarationStatus,
    /// Waiting for its signed paper form: on hold centrally, or from this PC.
    pub on_hold: bool,
    pub submitted_at: String,
    pub age_days: u32,
    pub documents: u32,
    pub documents_stored: u32,
    pub blocks: u32,
    pub warnings: u32,
    /// Delivery of this PC's decision on it.
    pub sync_state: Option<bhxh_cache::OutboxState>,
    /// For the search box (the officer sees them in the declaration anyway).
    pub id_number: Option<String>,
    pub phone: String,
    /// The matched paper form: signed | unsigned | unknown (the machine could not
    /// tell); `None` when none has arrived.
    pub paper: Option<String>,
    /// Who holds it now: me | other; `None` when free.
    pub assigned: Option<String>,
    /// Notes from the helpdesk ("caller says the photo was re-sent").
    pub flags: u32,
    /// Its documents' ids: the screen loads the next declaration's images while
    /// the officer looks at this one.
    pub document_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FieldView {
    /// Dictionary key of the label (`field.*`).
    pub key: String,
    /// The checks' name for the field: findings whose `fields` hold it sit beside it.
    pub field: String,
    /// A word of the app in both languages ("Nữ" / "Female"); the citizen's own
    /// data reads the same in both.
    pub value: Text,
    /// What the card's QR code or the paper form says instead, where it differs.
    pub elsewhere: Vec<ReadValue>,
}

/// A value read from a document: from the card's QR code or a paper form's text
/// where it differs from the declared one; read by OCR always (the officer
/// confirms it on the scan), with its confidence and where it is.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReadValue {
    /// qr | paper | ocr_paper (a scanned paper form) | ocr_id (an ID card's front)
    pub source: String,
    /// As `FieldView::value`.
    pub value: Text,
    /// OCR's confidence, 0–100; `None` when not read by OCR.
    pub conf: Option<u8>,
    /// Below the confidence the checks lean on: shown as doubtful.
    pub doubtful: bool,
    /// Whether it agrees with the declared value.
    pub same: bool,
    /// Where it was read, for the viewer to show.
    pub spot: Option<ReadSpot>,
}

/// A value's place on a document the viewer shows.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReadSpot {
    /// The viewer's key of the document: a document id, or `paper:<sha256>:<page>`.
    pub doc: String,
    /// Left, top, width, height in fractions of the image.
    pub bbox: [f32; 4],
    /// Degrees the text runs turned clockwise on the image (a scan fed askew).
    pub angle: f32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DocumentView {
    pub id: String,
    pub kind: DocumentKind,
    pub available: bool,
    /// Not on this PC but to be had from the central service (not downloaded ahead,
    /// let go for the disk budget, or failed): the screen asks for it when shown.
    pub downloadable: bool,
    /// Why the document cannot be shown.
    pub error: Option<Text>,
    /// A PDF (the viewer shows its rendered first page) rather than a photo.
    pub is_pdf: bool,
}

/// A paper Mẫu 01 page matched to the declaration (its image:
/// `bhxhdoc://localhost/paper/<sha256>/<page_index>`).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PaperPageRef {
    pub sha256: String,
    pub page_index: u32,
    pub matched_by: bhxh_domain::mau01::MatchedBy,
    pub signed: Option<bool>,
    /// Where the machine looked for the signature (left, top, width, height in
    /// fractions of the page), so the officer sees what "signed" was judged on.
    pub signing_area: Option<[f32; 4]>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CandidateView {
    pub id: String,
    pub full_name: String,
    pub ma_so_bhxh: String,
}

/// One page of an imported stack and what it was matched to.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PaperPageView {
    pub page_index: u32,
    pub declaration_id: Option<String>,
    pub full_name: Option<String>,
    pub matched_by: bhxh_domain::mau01::MatchedBy,
    pub signed: Option<bool>,
    /// An image-only page read by OCR: the mean confidence of its words (0–100).
    pub ocr_conf: Option<u8>,
    /// For an unmatched page: the likeliest declarations, best first.
    pub candidates: Vec<CandidateView>,
    /// The paper-vs-declaration findings of the matched declaration.
    pub findings: Vec<Text>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportSummary {
    pub sha256: String,
    pub pages: u32,
    pub matched_qr: u32,
    pub matched_text: u32,
    pub need_hand: u32,
    /// The same file was imported before: nothing changed.
    pub already_imported: bool,
    /// The employer unit most of the matched forms belong to.
    pub unit_code: Option<String>,
    /// That unit's declarations in the queue that still have no paper form.
    pub unit_missing_forms: u32,
    pub rows: Vec<PaperPageView>,
    pub duration_ms: u32,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct StackInput {
    pub sha256: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct MatchPaperInput {
    pub sha256: String,
    pub page_index: u32,
    /// `None` clears a wrong match.
    pub declaration_id: Option<String>,
}

/// How an officer arranges the document viewer, kept in their cache on this PC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ViewerPrefs {
    /// side | single
    pub layout: String,
    pub focus: u32,
    pub brightness: f32,
    pub contrast: f32,
}

impl Default for ViewerPrefs {
    fn default() -> Self {
        Self { layout: "side".into(), focus: 0, brightness: 1.0, contrast: 1.0 }
    }
}

impl ViewerPrefs {
    /// Within what the viewer offers, whatever was stored or sent.
    pub fn sanitised(self) -> Self {
        let finite = |v: f32, lo: f32, hi: f32| if v.is_finite() { v.clamp(lo, hi) } else { 1.0 };
        Self {
            layout: if self.layout == "single" { "single".into() } else { "side".into() },
            focus: self.focus.min(9),
            brightness: finite(self.brightness, 0.3, 3.0),
            contrast: finite(self.contrast, 0.3, 3.0),
        }
    }
}

/// For scripts and the role-matrix test; the window sends the file's bytes raw.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ImportPaperInput {
    pub pdf: Vec<u8>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DeclarationView {
    pub id: String,
    pub full_name: String,
    pub kind: DeclarationKind,
    pub channel: Channel,
    pub status: DeclarationStatus,
    pub submitted_at: String,
    pub age_days: u32,
    pub fields: Vec<FieldView>,
    pub documents: Vec<DocumentView>,
    /// The automatic checks' findings, Block first.
    pub findings: Vec<Finding>,
    pub suggested: SuggestedOutcome,
    /// The reasons to tick when sending it back (the suggestion's, then the
    /// warnings'), with their catalogue wording.
    pub suggested_reasons: Vec<ReasonView>,
    /// This officer's standing decision on it from this PC, if any.
    pub local_decision: Option<OutboxView>,
    /// Who else is reviewing it (a live lease), as the last sync saw it:
    /// "name (until time)".
    pub assigned_to: Option<Text>,
    /// Pages of imported or attached paper forms matched to it.
    pub paper_pages: Vec<PaperPageRef>,
    /// What the helpdesk heard from the citizen on the phone, for the reviewer.
    pub helpdesk_notes: Vec<HelpdeskNote>,
    /// Register, adjust or stop.
    pub purpose: bhxh_domain::Purpose,
    /// The citizen's reason for an adjustment or a stop, as typed.
    pub reason: Option<String>,
    /// An adjustment's changes: old beside new.
    pub changes: Vec<ChangeView>,
    /// For an adjustment or a stop: the account the register holds.
    pub account: Option<AccountView>,
    /// The office approves this kind only with its signed paper form (its rule as
    /// the last sync saw it): approving needs a matched page, holding is offered.
    pub paper_required: bool,
}

pub use bhxh_domain::{PaperCase, PaperRule};

/// The office's paper-form rule, for the officer's line and the supervisor's settings.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PaperRuleView {
    pub rule: PaperRule,
    /// Who set it and when (office time); none while the office never set one.
    pub set_by: Option<String>,
    pub set_at: Option<String>,
    /// Every case a rule can name, in the settings table's order.
    pub cases: Vec<PaperCase>,
    /// False before this PC's first online sync: the rule is not known yet.
    pub known: bool,
}

/// One changed field of an adjustment, old beside new.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ChangeView {
    /// The checks' field key (`phone`, `id_number`…): the form's line it concerns.
    pub field: String,
    /// Dictionary key of its label (`field.*`).
    pub key: String,
    /// What the register holds (None: nothing to compare, as for an address).
    pub on_record: Option<String>,
    /// What the citizen wrote as the old value, when listed.
    pub declared_old: Option<String>,
    pub new: Option<String>,
    /// Listed by the citizen as a change; else found by comparing with the record.
    pub listed: bool,
}

/// The account an adjustment or a stop is about, as the register holds it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AccountView {
    pub active: bool,
    /// The last password reset, office day and time.
    pub password_reset_at: Option<String>,
    pub pending_declarations: u32,
    pub pending_benefits: u32,
    pub province: Option<String>,
    /// A child's account: the parent's mã số it goes through.
    pub parent_ma_so_bhxh: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct HelpdeskNote {
    pub at: String,
    pub agent_name: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReasonView {
    pub code: String,
    /// resubmit | reject
    pub kind: bhxh_domain::reference::ReasonKind,
    pub label: Text,
    /// The sentence the citizen receives: Vietnamese only, whatever the officer's UI language.
    pub citizen_vi: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IdInput {
    pub id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DecideInput {
    pub id: String,
    #[serde(flatten)]
    #[ts(flatten)]
    pub draft: bhxh_domain::DecisionDraft,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DecisionReceipt {
    /// The outbox item's key (UUIDv7), also its Idempotency-Key.
    pub key: String,
    pub declaration_id: String,
    pub outcome: bhxh_domain::Outcome,
}

/// Opening a declaration for review takes it (a lease on the central service,
/// renewed while it stays open).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TakeResult {
    /// False when another officer holds it: `holder` says who, until when.
    pub granted: bool,
    pub holder: Option<Text>,
    /// Whether the central service confirmed it (false offline: taken on this PC only,
    /// confirmed on reconnect or answered as a conflict when the decision is sent).
    pub confirmed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TakeBatchInput {
    pub count: u32,
}

/// What a download on demand brought.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DownloadAnswer {
    pub downloaded: u32,
    pub failed: u32,
    /// Still not on this PC afterwards (failed here or in another download of them).
    pub missing: u32,
}

/// A declaration's documents on their way to this PC (bytes as numbers: a
/// declaration's photos are a few MB).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DownloadProgress {
    pub documents: u32,
    pub documents_done: u32,
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(type = "number")]
    pub bytes_done: u64,
    pub running: bool,
}

/// "Take N for offline work": the oldest pending declarations nobody holds,
/// assigned to this officer, their documents downloaded at once.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TakeBatchResult {
    pub taken: Vec<String>,
    /// Held by another officer: skipped.
    pub held_by_others: u32,
    /// False when offline: taken on this PC only, settled when the decisions are sent.
    pub confirmed: bool,
    pub message: Text,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct KeyInput {
    pub key: String,
}

/// One decision made on this PC and how its delivery stands.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OutboxView {
    pub key: String,
    pub declaration_id: String,
    pub full_name: String,
    pub outcome: bhxh_domain::Outcome,
    pub reasons: Vec<String>,
    /// Local time text.
    pub decided_at: String,
    pub state: bhxh_cache::OutboxState,
    pub attempts: u32,
    /// Why it is still waiting, or why it was refused (English detail for support).
    pub last_error: Option<String>,
    /// For a conflict: who decided (or holds the assignment), and what.
    pub conflict_with: Option<String>,
    pub conflict_outcome: Option<bhxh_domain::Outcome>,
    /// The sentence to show the officer.
    pub message: Text,
    pub acknowledged: bool,
    /// Whether it may still be withdrawn (never sent).
    pub withdrawable: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UnlockInput {
    pub password: String,
}

impl From<Vec<u8>> for ImportPaperInput {
    fn from(pdf: Vec<u8>) -> Self {
        Self { pdf }
    }
}
