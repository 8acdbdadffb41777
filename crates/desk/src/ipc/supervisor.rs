//! What the supervisor's dashboard sees.

use bhxh_domain::DeclarationStatus;
pub use bhxh_domain::stats::UnitPaper;
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
    pub from: String,
    pub to: String,
    pub days: u32,
    pub default_quota: u32,
    pub officers: Vec<OfficerRow>,
    /// Waiting declarations per age bucket: today, 1–2 days, 3–5, more.
    pub by_age: Vec<u32>,
    pub escalated: u32,
    pub waiting: u32,
    /// Escalated first, then oldest first (the first 50).
    pub oldest: Vec<BacklogRow>,
    pub paper_by_unit: Vec<UnitPaper>,
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

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ExportInput {
    /// officers | backlog | paper_by_unit
    pub table: String,
    /// xlsx | csv
    pub format: String,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ExportResult {
    pub path: String,
    pub rows: u32,
}
