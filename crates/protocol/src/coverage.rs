//! The registration campaign of an office and each employer unit's coverage
//! (`GET /v1/offices/{code}/coverage`), the office's register of outgoing letters
//! (`POST /v1/offices/{code}/letters`), and handing a declaration to an officer.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What the office was told to reach, by when, and how it signs its letters.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Campaign {
    pub name: String,
    /// Share of each unit's participants with an account, in whole percent.
    pub target_percent: u32,
    pub starts_on: NaiveDate,
    pub deadline: NaiveDate,
    /// The directive the campaign follows ("Công văn số 3644/UBND-BHXH ngày 27/04/2021 …").
    pub directive: String,
    /// The office as letters name it, its parent, and the place line ("Quận 6").
    pub office_name: String,
    pub parent_name: String,
    pub place: String,
    /// The symbol after the letter's number ("BHXH-THU" in "Số: 360/BHXH-THU").
    pub letter_symbol: String,
    /// Phone and desk units are told to call.
    pub contact: String,
    pub signer_title: String,
    pub signer_name: String,
}

/// One employer unit (đơn vị sử dụng lao động) of the office.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct UnitCoverage {
    pub code: String,
    pub name: String,
    /// Who letters are addressed to ("Giám đốc Công ty TNHH …").
    pub addressee: String,
    pub address: String,
    /// Workers the unit declares for BHXH/BHYT.
    pub participants: u32,
    /// Participants with an account (registered before or during the campaign).
    pub approved: u32,
    /// With a declaration waiting for a decision.
    pub pending: u32,
    /// Of those, on hold until their signed paper form comes in through the unit.
    #[serde(default)]
    pub waiting_paper: u32,
    /// Whose last declaration was rejected or sent back, with no account yet.
    pub rejected: u32,
    /// Accounts opened per day since the campaign started (days with none left out).
    pub opened_by_day: Vec<DayCount>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct DayCount {
    pub day: NaiveDate,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CoverageReport {
    pub office_code: String,
    pub as_of: DateTime<Utc>,
    /// None when the office runs no campaign.
    pub campaign: Option<Campaign>,
    pub units: Vec<UnitCoverage>,
}

/// `POST /v1/offices/{code}/letters`: take the next number of the office's register
/// of outgoing letters. `id` (a UUID the client makes) makes a retry get the same number.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LetterNumberRequest {
    pub id: String,
    pub unit_code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LetterNumber {
    pub id: String,
    pub unit_code: String,
    pub number: u32,
    pub year: i32,
    /// "360/BHXH-THU".
    pub reference: String,
    pub issued_by: String,
    pub issued_at: DateTime<Utc>,
    /// Set when the number was voided: its letter was never written (the register
    /// keeps the number, so the sequence shows no unexplained gap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided_at: Option<DateTime<Utc>>,
}

/// `POST /v1/offices/{code}/letters/{id}/void`: the number given to `id` was not
/// used (the letter's PDF could not be written); why, in a few words.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LetterVoid {
    pub reason: String,
}

/// `POST /v1/declarations/{id}/hand-over`: the supervisor gives a declaration to an
/// officer of the office (a lease in their name, whoever held it before).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HandOver {
    pub officer: String,
}

/// The employer units of an office (`GET /v1/offices/{code}/units`): what a
/// declaration's unit code is checked against.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct UnitList {
    pub office_code: String,
    pub units: Vec<UnitRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}
