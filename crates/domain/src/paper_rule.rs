//! The office's paper-form rule: some offices record a declaration only once the
//! citizen's signed paper Mẫu 01 (with a copy of the ID) has come in through the
//! employer unit (the Đống Đa letter in the seeds); others accept the electronic
//! form alone. The central service keeps the rule per office, by purpose, kind and
//! channel; the desk and the server apply the same [`paper_admits`].

use crate::decision::Outcome;
use crate::declaration::{Channel, DeclarationKind, Purpose};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One kind of declaration the rule can name: "a child's registration sent from VssID".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PaperCase {
    pub purpose: Purpose,
    pub kind: DeclarationKind,
    pub channel: Channel,
}

impl PaperCase {
    /// Every case the rule can name, in the order a settings table lists them.
    pub fn all() -> Vec<PaperCase> {
        let mut out = Vec::new();
        for &purpose in Purpose::ALL {
            for &kind in DeclarationKind::ALL {
                for &channel in Channel::ALL {
                    out.push(PaperCase { purpose, kind, channel });
                }
            }
        }
        out
    }
}

/// Which declarations the office approves only with the signed paper form. The
/// default (nothing listed) accepts the electronic form alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PaperRule {
    pub required: Vec<PaperCase>,
}

impl PaperRule {
    pub fn requires(&self, case: PaperCase) -> bool {
        self.required.contains(&case)
    }

    /// Sorted, each case once: two rules that say the same compare equal.
    pub fn normalised(mut self) -> Self {
        self.required.sort();
        self.required.dedup();
        self
    }
}

/// What the deciding side can see of a declaration's paper form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaperShown {
    /// No matched page.
    Missing,
    /// A matched page whose signing space reads as empty.
    Unsigned,
    /// A matched page whose signing space the machine could not judge: the officer looks.
    Unread,
    /// A matched page that reads as signed.
    Signed,
    /// The pages are not here (the central service never holds them): the
    /// officer's "paper form seen" is what counts.
    NotHere,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PaperError {
    #[error("the office approves this kind of declaration only with its signed paper form, and none is matched")]
    Missing,
    #[error("the matched paper form reads as unsigned")]
    Unsigned,
    #[error("the paper form's signature must be confirmed as seen")]
    NotConfirmed,
    #[error("holding for the paper form applies only where the office's rule requires it")]
    HoldNotNeeded,
}

impl PaperError {
    pub fn message_vi(self) -> &'static str {
        match self {
            PaperError::Missing => {
                "Cơ quan chỉ duyệt loại tờ khai này khi đã nhận tờ khai giấy Mẫu 01 có chữ ký, mà chưa có trang nào được \
                 ghép. Hãy nhập tập tờ khai của đơn vị, hoặc chuyển sang “Chờ tờ khai giấy” (phím H)."
            }
            PaperError::Unsigned => {
                "Tờ khai giấy đã ghép chưa có chữ ký của người kê khai: chưa duyệt được. Hãy yêu cầu bổ sung hoặc chờ \
                 bản có chữ ký."
            }
            PaperError::NotConfirmed => {
                "Máy không đọc được ô chữ ký trên tờ khai giấy: hãy xem trang giấy và đánh dấu “Đã xem tờ khai giấy có \
                 chữ ký” trước khi duyệt."
            }
            PaperError::HoldNotNeeded => {
                "Cơ quan không yêu cầu tờ khai giấy cho loại tờ khai này nên không cần chờ: hãy duyệt hoặc yêu cầu bổ sung."
            }
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            PaperError::Missing => {
                "The office approves this kind of declaration only with its signed paper Mẫu 01, and no page is matched \
                 to it. Import the unit's stack, or put it on hold for the paper form (key H)."
            }
            PaperError::Unsigned => {
                "The matched paper form has no signature: it cannot be approved. Ask to re-submit or wait for a signed one."
            }
            PaperError::NotConfirmed => {
                "The machine could not read the signing space of the paper form: look at the page and tick “Signed paper \
                 form seen” before approving."
            }
            PaperError::HoldNotNeeded => {
                "The office does not require the paper form for this kind of declaration: there is nothing to wait for."
            }
        }
    }
}

/// Whether `outcome` may be recorded under the rule. Only an approval needs the
/// paper where the rule applies; holding is only for where it applies (anywhere
/// else it would park a declaration for a form nobody will send).
pub fn paper_admits(required: bool, outcome: Outcome, shown: PaperShown, paper_seen: bool) -> Result<(), PaperError> {
    match outcome {
        Outcome::Hold if !required => Err(PaperError::HoldNotNeeded),
        Outcome::Approve if required => match shown {
            PaperShown::Signed => Ok(()),
            PaperShown::Missing => Err(PaperError::Missing),
            PaperShown::Unsigned => Err(PaperError::Unsigned),
            PaperShown::Unread | PaperShown::NotHere if paper_seen => Ok(()),
            PaperShown::Unread => Err(PaperError::NotConfirmed),
            PaperShown::NotHere => Err(PaperError::Missing),
        },
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_rule_table() {
        use Outcome as O;
        use PaperError as E;
        use PaperShown as S;
        // (rule applies, outcome, what is shown, "seen" ticked) → verdict
        let cases: &[(bool, O, S, bool, Result<(), E>)] = &[
            // Offices without the rule: approve on the electronic form, nothing to hold for.
            (false, O::Approve, S::Missing, false, Ok(())),
            (false, O::Approve, S::Unsigned, false, Ok(())),
            (false, O::Hold, S::Missing, false, Err(E::HoldNotNeeded)),
            (false, O::Reject, S::Missing, false, Ok(())),
            // With the rule: a signed page approves, nothing else does by itself.
            (true, O::Approve, S::Signed, false, Ok(())),
            (true, O::Approve, S::Missing, false, Err(E::Missing)),
            (true, O::Approve, S::Missing, true, Err(E::Missing)),
            (true, O::Approve, S::Unsigned, true, Err(E::Unsigned)),
            (true, O::Approve, S::Unread, false, Err(E::NotConfirmed)),
            (true, O::Approve, S::Unread, true, Ok(())),
            // The server holds no pages: the officer's confirmation is what it has.
            (true, O::Approve, S::NotHere, true, Ok(())),
            (true, O::Approve, S::NotHere, false, Err(E::Missing)),
            // Holding, re-submitting, rejecting, escalating need no paper.
            (true, O::Hold, S::Missing, false, Ok(())),
            (true, O::Hold, S::Signed, false, Ok(())),
            (true, O::Resubmit, S::Missing, false, Ok(())),
            (true, O::Reject, S::Unsigned, false, Ok(())),
            (true, O::Escalate, S::Missing, false, Ok(())),
        ];
        for &(required, outcome, shown, seen, want) in cases {
            let got = paper_admits(required, outcome, shown, seen);
            assert_eq!(got, want, "rule {required}, {outcome:?}, {shown:?}, seen {seen}");
            if let Err(e) = got {
                assert!(!e.message_vi().is_empty() && !e.message_en().is_empty());
            }
        }
    }

    #[test]
    fn rule_names_each_case_apart() {
        let child_app = PaperCase { purpose: Purpose::Register, kind: DeclarationKind::Child, channel: Channel::App };
        let rule = PaperRule { required: vec![child_app, child_app] }.normalised();
        assert_eq!(rule.required.len(), 1);
        assert!(rule.requires(child_app));
        for other in PaperCase::all().into_iter().filter(|c| *c != child_app) {
            assert!(!rule.requires(other), "{other:?}");
        }
        assert_eq!(PaperCase::all().len(), 12);
        let json = serde_json::to_string(&rule).expect("json");
        assert_eq!(json, r#"{"required":[{"purpose":"register","kind":"child","channel":"app"}]}"#);
        assert!(!PaperRule::default().requires(child_app));
    }
}
