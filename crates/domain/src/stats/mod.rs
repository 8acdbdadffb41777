//! The supervisor's figures, computed from plain facts (no I/O, no clock): the
//! caller turns cached declarations and the central service's unit figures into
//! facts on the office's calendar, and these functions count. Each has tests with
//! known answers.

pub mod backlog;
pub mod coverage;
pub mod quotas;

pub use backlog::{AgeBucket, Backlog, UnitPaper, Waiting, backlog};
pub use coverage::{Outlook, TrendPoint, UnitFacts, UnitStanding, standings, trend, whole_percent};
pub use quotas::{DecisionFact, OfficerFigures, Quotas, officer_figures, per_day, reason_counts};
