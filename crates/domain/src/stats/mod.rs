//! The supervisor's figures, computed from plain facts (no I/O, no clock): the
//! caller turns cached declarations into facts on the office's calendar, and these
//! functions count. Each has tests with known answers.

pub mod backlog;
pub mod quotas;

pub use backlog::{AgeBucket, Backlog, UnitPaper, Waiting, backlog};
pub use quotas::{DecisionFact, OfficerFigures, Quotas, officer_figures};
