//! Domain types and rules of bhxh-desk. No I/O: everything here is a value or a
//! pure function; reference data is compiled in from `assets/`.

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
pub mod person;
pub mod phone;
pub mod placeholders;
pub mod qr;
pub mod reference;
pub mod role;
pub mod stats;
pub mod unit_code;

#[cfg(test)]
mod proptests;

pub use bhyt::BhytCode;
pub use cccd::{Cccd, CccdStructure};
pub use clock::Clock;
pub use decision::{DecisionDraft, DecisionError, Outcome};
pub use declaration::{Channel, DeclarationKind, DeclarationStatus, DocumentKind};
pub use documents::{DocumentFacts, ImageQuality, QrReading, QualityFlag};
pub use email::Email;
pub use id_docs::{Cmnd, Passport};
pub use ids::{IdError, MaSoBhxh, OfficeCode};
pub use name::{NameMatch, PersonName};
pub use person::{IdDocumentType, Sex};
pub use phone::{ParsedPhone, PhoneVn};
pub use qr::QrPayload;
pub use role::Role;
pub use unit_code::{OfficeUnits, UnitCode, UnitCodeError};
