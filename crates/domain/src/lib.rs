//! Domain types and rules of bhxh-desk. No I/O: everything here is a value or a pure function, so the desk, the
//! reference server, the generator and the tests share one reading of the rules. Reference data lives in `assets/`
//! files (each names its source), compiled in and parsed once ([`mod@reference`]), not in code.
//!
//! - Identifiers and contact details are parsers that never hold an invalid value, so nothing downstream checks them
//!   again: [`MaSoBhxh`], [`BhytCode`], [`Cccd`] (and its `structure()`), [`Cmnd`], [`Passport`], [`PhoneVn`] (rewrites
//!   the old 01xx numbers), [`Email`], [`PersonName`] (and `compare()`), [`OfficeCode`], [`QrPayload`].
//! - [`clock`]: the office's one clock. A [`Clock`] value (the machine's, shifted for tests, or frozen) whose days are
//!   Asia/Ho_Chi_Minh days (`office_day`, `day_start`, typed dd/mm/yyyy days): a day counted any other way is wrong for
//!   seven hours of every night.
//! - [`calendar`]: `WorkCalendar`, the office's working days (weekends, the holidays and make-up Saturdays of
//!   `assets/holidays/<year>.tsv`) and the working days a declaration has waited.
//! - [`fold`]: Vietnamese folding for search. [`helpdesk`]: `query` (what the one search box means), `mask`, and
//!   `scripts` (the helpdesk scripts file parsed, checked, and chosen by the caller's case).
//! - [`stats`]: the supervisor's figures from plain facts, so the desk and its benchmark compute them the same way:
//!   backlog by age, decisions against quotas per day, reasons, each unit's coverage against the campaign's target with
//!   the last week's pace projected to the deadline, the office's trend. [`letters`]: the reminder letter's template
//!   (`assets/letters/`) and its text filled from a unit's figures.
//! - [`checks`]: one module per rule, each giving [`checks::Finding`]s; `verdict()` turns them into a
//!   `SuggestedOutcome` (the checks only suggest, the officer decides). A `Registry` of the other declarations serves
//!   the phone and duplicate rules. What OCR read (a paper form, an ID card's front) blocks only when confident
//!   (`mau01::OCR_CONFIDENT`); below that it is a note. A Mẫu 01 registers, adjusts or stops ([`Purpose`]): an
//!   adjustment's new values meet every registration rule, and `checks::adjustment` / `checks::stop` compare the
//!   request with the [`AccountOnRecord`] (what was "old", who asks, a phone changed just after a password reset).
//! - [`mau01`]: the text rules of the paper Mẫu 01 form, pure so that the reader (`bhxh-documents`) and the generator
//!   (`bhxh-fixtures`) share them: its fields; matching a page to its declaration by QR, by text or among candidates (a
//!   page read by OCR matches only when two confident fields agree); and where the signing space is
//!   (`mau01::signature`, located from the page's words).

pub mod account;
pub mod bhyt;
pub mod calendar;
pub mod cccd;
pub mod checks;
pub mod clock;
pub mod decision;
pub mod declaration;
pub mod documents;
pub mod email;
pub mod fold;
pub mod helpdesk;
pub mod id_docs;
pub mod ids;
pub mod letters;
pub mod mau01;
pub mod name;
pub mod paper_rule;
pub mod person;
pub mod phone;
pub mod placeholders;
pub mod qr;
pub mod reference;
pub mod role;
pub mod stats;
pub mod text;
pub mod unit_code;

#[cfg(test)]
mod proptests;

pub use account::{AccountOnRecord, PhoneHolder};
pub use bhyt::BhytCode;
pub use cccd::{Cccd, CccdStructure};
pub use clock::Clock;
pub use decision::{DecisionDraft, DecisionError, Outcome};
pub use declaration::{ChangedField, Channel, DeclarationKind, DeclarationStatus, DocumentKind, FieldChange, Purpose};
pub use documents::{DocumentFacts, ImageQuality, QrReading, QualityFlag};
pub use email::Email;
pub use id_docs::{Cmnd, Passport};
pub use ids::{IdError, MaSoBhxh, OfficeCode};
pub use name::{NameMatch, PersonName};
pub use paper_rule::{PaperCase, PaperError, PaperRule, PaperShown, paper_admits};
pub use person::{IdDocumentType, Sex};
pub use phone::{ParsedPhone, PhoneVn};
pub use qr::QrPayload;
pub use role::Role;
pub use text::Text;
pub use unit_code::{OfficeUnits, UnitCode, UnitCodeError};
