//! The summary an officer sees first: what blocks, what to look at, and a
//! suggested outcome to confirm or override. The app never decides by itself.

use super::{Finding, Severity};
use crate::reference::{ReasonKind, ReferenceData};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[ts(export)]
pub enum SuggestedOutcome {
    Approve,
    Resubmit {
        reasons: Vec<String>,
    },
    Reject {
        reasons: Vec<String>,
    },
    /// Something blocks but no catalogue reason fits: the officer must judge.
    Review,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Verdict {
    pub blocks: u32,
    pub warnings: u32,
    pub suggested: SuggestedOutcome,
}

/// Blocking findings drive the suggestion: any reject reason → reject; else any
/// re-submit reason → ask to re-submit; warnings alone → approve after a look.
pub fn verdict(findings: &[Finding], reference: &ReferenceData) -> Verdict {
    let blocks: Vec<&Finding> = findings.iter().filter(|f| f.severity == Severity::Block).collect();
    let warnings = findings.iter().filter(|f| f.severity == Severity::Warn).count() as u32;
    let mut reject = Vec::new();
    let mut resubmit = Vec::new();
    for f in &blocks {
        if let Some(reason) = f.reason.as_deref().and_then(|r| reference.reason(r)) {
            let list = if reason.kind == ReasonKind::Reject { &mut reject } else { &mut resubmit };
            if !list.contains(&reason.code) {
                list.push(reason.code.clone());
            }
        }
    }
    let suggested = if !reject.is_empty() {
        SuggestedOutcome::Reject { reasons: reject }
    } else if !resubmit.is_empty() {
        SuggestedOutcome::Resubmit { reasons: resubmit }
    } else if !blocks.is_empty() {
        SuggestedOutcome::Review
    } else {
        SuggestedOutcome::Approve
    };
    Verdict { blocks: blocks.len() as u32, warnings, suggested }
}
