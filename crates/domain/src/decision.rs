//! An officer's decision on a declaration, and the rules a decision must meet
//! before it is recorded (the same rules on the desk and on the central server).

use crate::DeclarationStatus;
use crate::reference::{ReasonKind, ReferenceData};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Outcome {
    Approve,
    /// Ask to re-submit: the citizen is told what to fix.
    Resubmit,
    Reject,
    /// Hand to the supervisor with a note.
    Escalate,
    /// Wait for the signed paper form the office's rule requires: not final, any
    /// officer of the office decides it when the form arrives.
    Hold,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Approve => "approve",
            Outcome::Resubmit => "resubmit",
            Outcome::Reject => "reject",
            Outcome::Escalate => "escalate",
            Outcome::Hold => "hold",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Some(match s {
            "approve" => Outcome::Approve,
            "resubmit" => Outcome::Resubmit,
            "reject" => Outcome::Reject,
            "escalate" => Outcome::Escalate,
            "hold" => Outcome::Hold,
            _ => return None,
        })
    }
    /// The declaration's status once the central service records this outcome.
    pub fn status(self) -> DeclarationStatus {
        match self {
            Outcome::Approve => DeclarationStatus::Approved,
            Outcome::Resubmit => DeclarationStatus::Resubmit,
            Outcome::Reject => DeclarationStatus::Rejected,
            Outcome::Escalate => DeclarationStatus::Escalated,
            Outcome::Hold => DeclarationStatus::OnHold,
        }
    }
    pub fn label_vi(self) -> &'static str {
        match self {
            Outcome::Approve => "Duyệt",
            Outcome::Resubmit => "Yêu cầu bổ sung",
            Outcome::Reject => "Từ chối",
            Outcome::Escalate => "Chuyển lãnh đạo",
            Outcome::Hold => "Chờ tờ khai giấy",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Outcome::Approve => "Approve",
            Outcome::Resubmit => "Ask to re-submit",
            Outcome::Reject => "Reject",
            Outcome::Escalate => "Escalate",
            Outcome::Hold => "Hold for the paper form",
        }
    }
}

pub const MAX_NOTE_CHARS: usize = 1000;
pub const MAX_REASONS: usize = 10;

/// What the officer chose, before it is recorded; the window's input and the
/// central service's request carry it flattened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DecisionDraft {
    pub outcome: Outcome,
    #[serde(default)]
    pub reasons: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Whether the signed paper Mẫu 01 was seen (the desk sets it itself when a
    /// matched page reads as signed).
    #[serde(default)]
    pub paper_seen: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    #[error("{0:?} needs at least one reason code")]
    ReasonsRequired(Outcome),
    #[error("reason {0:?} is not in the catalogue")]
    UnknownReason(String),
    #[error("reason {code:?} is a {kind:?} reason, not for {outcome:?}")]
    WrongReasonKind { code: String, kind: ReasonKind, outcome: Outcome },
    #[error("{0:?} takes no reason codes")]
    NoReasonsExpected(Outcome),
    #[error("too many reasons")]
    TooManyReasons,
    #[error("escalating needs a note for the supervisor")]
    NoteRequired,
    #[error("approving a declaration with blocking findings needs a note")]
    OverrideNeedsNote,
    #[error("note longer than {MAX_NOTE_CHARS} characters or with control characters")]
    BadNote,
}

impl DecisionError {
    pub fn message_vi(&self) -> String {
        match self {
            DecisionError::ReasonsRequired(o) => format!("“{}” cần chọn ít nhất một lý do.", o.label_vi()),
            DecisionError::UnknownReason(c) => format!("Lý do “{c}” không có trong danh mục."),
            DecisionError::WrongReasonKind { code, outcome, .. } => {
                format!("Lý do “{code}” không dùng cho “{}”.", outcome.label_vi())
            }
            DecisionError::NoReasonsExpected(o) => format!("“{}” không kèm lý do.", o.label_vi()),
            DecisionError::TooManyReasons => format!("Chọn tối đa {MAX_REASONS} lý do."),
            DecisionError::NoteRequired => "Chuyển lãnh đạo cần ghi chú nội dung cần xin ý kiến.".into(),
            DecisionError::OverrideNeedsNote => {
                "Tờ khai có lỗi nghiêm trọng: muốn duyệt vẫn phải ghi chú lý do đã kiểm tra và chấp nhận.".into()
            }
            DecisionError::BadNote => format!("Ghi chú dài quá {MAX_NOTE_CHARS} ký tự hoặc có ký tự điều khiển."),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            DecisionError::ReasonsRequired(o) => format!("“{}” needs at least one reason.", o.label_en()),
            DecisionError::UnknownReason(c) => format!("Reason “{c}” is not in the catalogue."),
            DecisionError::WrongReasonKind { code, outcome, .. } => {
                format!("Reason “{code}” cannot be used for “{}”.", outcome.label_en())
            }
            DecisionError::NoReasonsExpected(o) => format!("“{}” takes no reasons.", o.label_en()),
            DecisionError::TooManyReasons => format!("Choose at most {MAX_REASONS} reasons."),
            DecisionError::NoteRequired => "Escalating needs a note saying what the supervisor should decide.".into(),
            DecisionError::OverrideNeedsNote => {
                "This declaration has serious errors: to approve it anyway, note why you checked and accepted it."
                    .into()
            }
            DecisionError::BadNote => {
                format!("The note is longer than {MAX_NOTE_CHARS} characters or contains control characters.")
            }
        }
    }
}

impl DecisionDraft {
    /// Checks the draft; `blocks` is how many Block findings the declaration has now.
    /// Returns the draft normalised (reasons de-duplicated, note trimmed, empty → none).
    pub fn validate(mut self, reference: &ReferenceData, blocks: u32) -> Result<Self, DecisionError> {
        self.note = self.note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        if let Some(n) = &self.note
            && (n.chars().count() > MAX_NOTE_CHARS || n.chars().any(|c| c.is_control() && c != '\n'))
        {
            return Err(DecisionError::BadNote);
        }
        let mut seen = std::collections::BTreeSet::new();
        self.reasons.retain(|r| seen.insert(r.clone()));
        if self.reasons.len() > MAX_REASONS {
            return Err(DecisionError::TooManyReasons);
        }
        let wanted = match self.outcome {
            Outcome::Resubmit => Some(ReasonKind::Resubmit),
            Outcome::Reject => Some(ReasonKind::Reject),
            Outcome::Approve | Outcome::Escalate | Outcome::Hold => None,
        };
        match wanted {
            Some(kind) => {
                if self.reasons.is_empty() {
                    return Err(DecisionError::ReasonsRequired(self.outcome));
                }
                for code in &self.reasons {
                    let r = reference.reason(code).ok_or_else(|| DecisionError::UnknownReason(code.clone()))?;
                    if r.kind != kind {
                        return Err(DecisionError::WrongReasonKind {
                            code: code.clone(),
                            kind: r.kind,
                            outcome: self.outcome,
                        });
                    }
                }
            }
            None if !self.reasons.is_empty() => return Err(DecisionError::NoReasonsExpected(self.outcome)),
            None => {}
        }
        if self.outcome == Outcome::Escalate && self.note.is_none() {
            return Err(DecisionError::NoteRequired);
        }
        if self.outcome == Outcome::Approve && blocks > 0 && self.note.is_none() {
            return Err(DecisionError::OverrideNeedsNote);
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(outcome: Outcome, reasons: &[&str], note: Option<&str>) -> DecisionDraft {
        DecisionDraft {
            outcome,
            reasons: reasons.iter().map(|s| s.to_string()).collect(),
            note: note.map(Into::into),
            paper_seen: true,
        }
    }

    #[test]
    fn decision_rules_table() {
        let r = ReferenceData::get();
        let resubmit =
            r.reasons.iter().find(|x| x.kind == ReasonKind::Resubmit).expect("a resubmit reason").code.clone();
        let reject = r.reasons.iter().find(|x| x.kind == ReasonKind::Reject).expect("a reject reason").code.clone();
        use DecisionError as E;
        let cases: Vec<(DecisionDraft, u32, Result<(), E>)> = vec![
            (draft(Outcome::Approve, &[], None), 0, Ok(())),
            (draft(Outcome::Approve, &[], None), 1, Err(E::OverrideNeedsNote)),
            (draft(Outcome::Approve, &[], Some("  ")), 1, Err(E::OverrideNeedsNote)),
            (draft(Outcome::Approve, &[], Some("Đã gọi điện xác minh")), 1, Ok(())),
            (draft(Outcome::Approve, &[&resubmit], None), 0, Err(E::NoReasonsExpected(Outcome::Approve))),
            (draft(Outcome::Resubmit, &[], None), 0, Err(E::ReasonsRequired(Outcome::Resubmit))),
            (draft(Outcome::Resubmit, &[&resubmit, &resubmit], None), 0, Ok(())),
            (draft(Outcome::Resubmit, &["KHONG_CO"], None), 0, Err(E::UnknownReason("KHONG_CO".into()))),
            (
                draft(Outcome::Resubmit, &[&reject], None),
                0,
                Err(E::WrongReasonKind { code: reject.clone(), kind: ReasonKind::Reject, outcome: Outcome::Resubmit }),
            ),
            (draft(Outcome::Reject, &[&reject], Some("x")), 0, Ok(())),
            (draft(Outcome::Escalate, &[], None), 0, Err(E::NoteRequired)),
            (draft(Outcome::Escalate, &[], Some("Xin ý kiến: ảnh CCCD mờ")), 0, Ok(())),
            (draft(Outcome::Escalate, &[], Some(&"x".repeat(MAX_NOTE_CHARS + 1))), 0, Err(E::BadNote)),
            (draft(Outcome::Escalate, &[], Some("a\u{0007}b")), 0, Err(E::BadNote)),
            (draft(Outcome::Hold, &[], None), 0, Ok(())),
            (draft(Outcome::Hold, &[], None), 2, Ok(())),
            (draft(Outcome::Hold, &[&resubmit], None), 0, Err(E::NoReasonsExpected(Outcome::Hold))),
        ];
        for (d, blocks, want) in cases {
            let got = d.clone().validate(r, blocks).map(|_| ());
            assert_eq!(got, want, "{d:?} with {blocks} blocks");
            if let Err(e) = got {
                assert!(!e.message_vi().is_empty());
            }
        }
        let normalised =
            draft(Outcome::Resubmit, &[&resubmit, &resubmit], Some("  ghi chú ")).validate(r, 0).expect("valid");
        assert_eq!(normalised.reasons.len(), 1);
        assert_eq!(normalised.note.as_deref(), Some("ghi chú"));
    }
}
