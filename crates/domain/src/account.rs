//! What the register holds for an account: the values an adjustment or a stop is
//! checked against. The central service sends it with such a declaration; the
//! citizen's own word on what was "old" is compared with it, never trusted.

use crate::Sex;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AccountOnRecord {
    pub ma_so_bhxh: String,
    /// Registered for electronic transactions and not stopped.
    pub active: bool,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The province of the address on record.
    pub province: Option<String>,
    /// For a child's account: the parent's (or guardian's) mã số it goes through.
    pub parent_ma_so_bhxh: Option<String>,
    /// The last password reset (an account take-over often starts with one).
    pub password_reset_at: Option<DateTime<Utc>>,
    /// Other declarations of this account still waiting for a decision.
    pub pending_declarations: u32,
    /// Benefit claims in progress (sickness, maternity, pension…) on this mã số.
    pub pending_benefits: u32,
}

/// An open account the register holds with the phone a declaration gives: the
/// central service compares phones across its register (within the office's
/// province) and sends who else holds it, so an account registered years ago,
/// with no declaration in the office's cache, still counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PhoneHolder {
    pub ma_so_bhxh: String,
    /// For a child's account: the parent's (or guardian's) mã số it goes through.
    pub parent_ma_so_bhxh: Option<String>,
}
