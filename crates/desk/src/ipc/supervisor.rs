//! What the supervisor's dashboard sees.

pub use bhxh_domain::stats::{Outlook, TrendPoint, UnitPaper};
use bhxh_domain::{DeclarationStatus, Text};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A range of days (`yyyy-mm-dd`, the office's calendar); today when absent.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct DashboardInput {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    /// The last this many days ending today (the presets), instead of `from` and `to`.
    #[serde(default)]
    pub days: Option<u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OfficerRow {
    pub username: String,
    pub display_name: String,
    pub approve: u32,
    pub resubmit: u32,
    pub reject: u32,
    pub escalate: u32,
    pub total: u32,
    /// The officer's own daily quota, if set (else the office's default applies).
    pub quota_per_day: Option<u32>,
    pub target: u32,
    pub attainment_percent: u32,
    pub median_seconds: Option<u32>,
    /// Declarations this officer holds right now.
    pub assigned_now: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BacklogRow {
    pub id: String,
    pub full_name: String,
    pub submitted_at: String,
    pub age_days: u32,
    pub status: DeclarationStatus,
    pub unit_code: Option<String>,
    pub paper: bool,
    /// Who holds it now (display name), if anyone.
    pub assigned_to: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Dashboard {
    /// When these figures were computed, and the sync they come from (local time).
    pub computed_at: String,
    pub synced_at: Option<String>,
    /// The range, dd/mm/yyyy, as the date fields show it.
    pub from: String,
    pub to: String,
    pub days: u32,
    /// Working days of the range: what each quota is multiplied by.
    pub working_days: u32,
    /// Per day of the range: a working day (false on weekends and holidays, where no quota is drawn).
    pub day_working: Vec<bool>,
    /// Said when a year of the range has no holiday file (only weekends and fixed dates counted).
    pub calendar_note: Option<Text>,
    pub default_quota: u32,
    pub officers: Vec<OfficerRow>,
    /// Waiting declarations per age bucket, in working days waited: none yet, 1–2, 3–5, more.
    pub by_age: Vec<u32>,
    pub escalated: u32,
    pub waiting: u32,
    /// Escalated first, then oldest first (the first 50).
    pub oldest: Vec<BacklogRow>,
    pub paper_by_unit: Vec<UnitPaper>,
    /// The days of the range (dd/mm) and each officer's decisions per day, in the
    /// order of `officers`.
    pub day_labels: Vec<String>,
    pub per_day: Vec<Vec<u32>>,
    /// Reasons given for re-submit and reject in the range, the most frequent first.
    pub reasons: Vec<ReasonCount>,
    /// The campaign and the units, from the central service's figures at `coverage_as_of`.
    pub campaign: Option<CampaignView>,
    pub coverage_as_of: Option<String>,
    /// Furthest behind first.
    pub units: Vec<UnitRow>,
    pub trend: Vec<TrendPoint>,
    /// Registrations, adjustments and stops apart: waiting now, decided in the range.
    pub purposes: Vec<PurposeRow>,
}

/// One kind of request (Mẫu 01: register, adjust, stop) in the office's figures.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PurposeRow {
    pub purpose: bhxh_domain::Purpose,
    pub waiting: u32,
    pub approve: u32,
    pub resubmit: u32,
    pub reject: u32,
    pub escalate: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReasonCount {
    pub code: String,
    /// The catalogue's label (the code when it left the catalogue).
    pub label: Text,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CampaignView {
    pub name: String,
    pub target_percent: u32,
    /// dd/mm/yyyy
    pub starts_on: String,
    pub deadline: String,
    /// Days from today to the deadline (negative once past).
    pub days_left: i32,
    pub directive: String,
    /// Units below target whose pace does not reach it (or past the deadline).
    pub units_behind: u32,
    /// Office-wide: participants with an account, of all participants.
    pub registered: u32,
    pub participants: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub participants: u32,
    pub approved: u32,
    pub pending: u32,
    pub rejected: u32,
    pub not_applied: u32,
    /// Tenths of a percent; None without participants.
    pub percent_tenths: Option<u32>,
    pub target_count: u32,
    pub short_by: u32,
    pub opened_last_week: u32,
    pub projected: u32,
    pub outlook: Outlook,
}

/// Reminder letters to units: the ones named, or every unit behind the target.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct LetterInput {
    /// Empty: every unit whose outlook is missed or will-miss.
    #[serde(default)]
    pub units: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct LetterResult {
    /// The PDF written (one file, a page set per letter).
    pub path: String,
    /// "12/BHXH-THU" per unit, in the order of the letters.
    pub letters: Vec<IssuedLetter>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IssuedLetter {
    pub unit_code: String,
    pub reference: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct HandOverInput {
    pub id: String,
    pub officer: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct QuotaInput {
    /// None: the office's default.
    #[serde(default)]
    pub officer: Option<String>,
    /// None: clear the officer's own quota (back to the default).
    #[serde(default)]
    pub per_day: Option<u32>,
}

/// The tables the overview exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum ExportTable {
    Officers,
    Backlog,
    PaperByUnit,
    Units,
}

impl ExportTable {
    /// The file name's first word and the audit's subject.
    pub fn code(self) -> &'static str {
        match self {
            ExportTable::Officers => "officers",
            ExportTable::Backlog => "backlog",
            ExportTable::PaperByUnit => "paper_by_unit",
            ExportTable::Units => "units",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// For Excel (what offices open).
    Xlsx,
    /// UTF-8 with a byte-order mark, for other tools.
    Csv,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ExportInput {
    pub table: ExportTable,
    pub format: ExportFormat,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    /// The last this many days ending today (the presets), instead of `from` and `to`.
    #[serde(default)]
    pub days: Option<u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ExportResult {
    pub path: String,
    pub rows: u32,
}

/// Where exports go and what this PC left there.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ExportFolderView {
    /// The folder exports go to now; `None` until one is chosen or configured.
    pub folder: Option<String>,
    /// The person chose it on this PC (else it is the configured one).
    pub chosen: bool,
    /// The folder the office's IT configured, if any.
    pub configured: Option<String>,
    /// Newest first.
    pub files: Vec<ExportFileView>,
    pub stale_after_days: u32,
    /// Files the first versions wrote inside the data folder (`exports/`), to
    /// move out to the export folder.
    pub old_in_data_folder: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ExportFileView {
    pub name: String,
    pub folder: String,
    /// The table's code, or `letters`.
    pub what: String,
    /// Unknown (`None`) for an export moved from where an earlier version wrote it.
    pub rows: Option<u32>,
    /// dd/mm/yyyy HH:MM, office time.
    pub written: String,
    /// Whole office days since it was written.
    #[ts(type = "number")]
    pub age_days: i64,
    pub age: Text,
    /// Kept longer than `stale_after_days`: names of citizens kept for nothing.
    pub stale: bool,
    /// The folder cannot be reached now (a USB stick taken out, a share down):
    /// the file stays listed, since it may still exist there.
    pub unreachable: bool,
}

/// One file of the list, by its name and folder as the list gave them.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ExportNameInput {
    pub name: String,
    pub folder: String,
}

/// A listed export to open in the system's viewer, or (`reveal`) to show in its folder.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct OpenExportInput {
    pub name: String,
    pub folder: String,
    #[serde(default)]
    pub reveal: bool,
}
