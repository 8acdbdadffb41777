//! Automatic checks: each rule in its own module, each producing `Finding`s. The
//! checks suggest; the officer decides.

mod address;
mod adjustment;
pub use adjustment::{ChangeLine, change_lines};
mod birth;
mod child;
mod duplicates;
mod email;
mod id_document;
mod id_ocr;
mod images;
mod ma_so;
mod name;
mod office;
mod paper;
mod phone;
mod qr;
mod registry;
mod requester;
mod stop;
mod unit;
mod verdict;

#[cfg(test)]
mod purpose_tests;
#[cfg(test)]
mod tests;

pub use adjustment::AFTER_RESET_DAYS;
pub use registry::{Registry, RegistryEntry};
pub use verdict::{SuggestedOutcome, Verdict, verdict};

use crate::mau01::PaperFields;
use crate::person::{IdDocumentType, Sex};
use crate::qr::QrPayload;
use crate::reference::ReferenceData;
use crate::{AccountOnRecord, DeclarationKind, DocumentKind, FieldChange, Purpose};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Severity {
    /// The officer must not approve without overriding it.
    Block,
    /// Look closer: something does not match what is expected.
    Warn,
    /// Worth knowing, not a problem.
    Info,
}

/// One thing a check noticed. `fields` names the declaration fields it concerns
/// (the UI shows it beside them); `reason` is the catalogue reason it suggests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub fields: Vec<String>,
    pub message: crate::Text,
    pub reason: Option<String>,
}

impl Finding {
    pub(crate) fn new(
        code: &str,
        severity: Severity,
        fields: &[&str],
        vi: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            code: code.to_owned(),
            severity,
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            message: crate::Text::new(vi, en),
            reason: None,
        }
    }

    pub(crate) fn reason(mut self, code: &str) -> Self {
        self.reason = Some(code.to_owned());
        self
    }
}

/// Field keys, shared with the UI (`field.<key>` in its dictionary).
pub mod field {
    pub const FULL_NAME: &str = "full_name";
    pub const MA_SO: &str = "ma_so_bhxh";
    pub const BIRTH_DATE: &str = "birth_date";
    pub const SEX: &str = "sex";
    pub const ID_NUMBER: &str = "id_number";
    pub const ADDRESS: &str = "address";
    pub const PHONE: &str = "phone";
    pub const EMAIL: &str = "email";
    pub const PARENT: &str = "parent_ma_so_bhxh";
    pub const OFFICE: &str = "office_code";
    pub const DOCUMENTS: &str = "documents";
    pub const BHYT: &str = "bhyt_code";
    pub const UNIT: &str = "unit_code";
}

/// What a declaration says, as plain values (the checks read, never parse twice).
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub id: &'a str,
    pub kind: DeclarationKind,
    /// Register, adjust or stop. For an adjustment the fields below hold the new values.
    pub purpose: Purpose,
    /// What an adjustment changes, as declared (empty otherwise).
    pub changes: &'a [FieldChange],
    pub ma_so: &'a str,
    pub bhyt_code: Option<&'a str>,
    pub full_name: &'a str,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub id_type: Option<IdDocumentType>,
    pub id_number: Option<&'a str>,
    pub province: &'a str,
    pub district: Option<&'a str>,
    pub commune: &'a str,
    pub phone: &'a str,
    pub email: Option<&'a str>,
    pub parent_ma_so: Option<&'a str>,
    pub office_code: &'a str,
    /// The employer unit as typed, when the declaration names one.
    pub unit_code: Option<&'a str>,
    pub submitted_on: NaiveDate,
    pub documents: &'a [DocumentKind],
}

/// What the checks may consult besides the declaration.
pub struct Context<'a> {
    pub reference: &'a ReferenceData,
    pub registry: &'a Registry,
    /// The QR code decoded from the ID card photo, when there is one.
    pub qr: Option<&'a QrPayload>,
    /// Fields read from the paper Mẫu 01, when it has been matched.
    pub paper: Option<&'a PaperFields>,
    /// What was read from the documents' pixels (quality, QR), when analysed.
    pub documents: &'a [crate::DocumentFacts],
    /// The receiving office's employer units, when the central service has listed them.
    pub units: Option<&'a crate::OfficeUnits>,
    /// What the register holds for the account an adjustment or a stop concerns.
    pub account: Option<&'a AccountOnRecord>,
    /// Other open accounts the register holds with the declared phone (the central
    /// service's answer; empty when it sent none).
    pub phone_holders: &'a [crate::PhoneHolder],
}

/// Runs every rule. Never panics, whatever the declaration holds.
pub fn run_all(f: &Facts<'_>, ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    ma_so::check(f, &mut out);
    birth::check(f, &mut out);
    id_document::check(f, ctx, &mut out);
    phone::check(f, ctx, &mut out);
    email::check(f, &mut out);
    name::check(f, ctx, &mut out);
    address::check(f, ctx, &mut out);
    office::check(f, ctx, &mut out);
    unit::check(f, ctx, &mut out);
    child::check(f, ctx, &mut out);
    duplicates::check(f, ctx, &mut out);
    images::check(f, ctx, &mut out);
    qr::check(f, ctx, &mut out);
    id_ocr::check(f, ctx, &mut out);
    paper::check(f, ctx, &mut out);
    adjustment::check(f, ctx, &mut out);
    stop::check(f, ctx, &mut out);
    out.sort_by_key(|x| x.severity);
    out
}
