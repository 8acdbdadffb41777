//! The texts an agent reads to a caller, kept as data (`assets/helpdesk-scripts.toml`,
//! editable without rebuilding) and chosen by the caller's case: the registration's
//! state, the account, the phone the caller uses, an email on file, adult or child.

use crate::DeclarationKind;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use ts_rs::TS;

/// Where the person's registration for electronic transactions stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RegistrationState {
    /// Never registered (no declaration, no account).
    None,
    Pending,
    Escalated,
    /// On hold: the office's rule wants the signed paper form, not yet arrived.
    WaitingPaper,
    Approved,
    Resubmit,
    Rejected,
}

/// The VssID / portal account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AccountState {
    None,
    Active,
    /// Five wrong passwords: locked for 15 minutes.
    Locked,
    /// Closed at the holder's request (Mẫu 01, ngừng sử dụng): registering again opens a new one.
    Stopped,
}

/// The person's latest request to change or stop their account (Mẫu 01), and
/// where it stands: what "I changed my phone" and "I want to stop" calls turn on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RequestState {
    #[default]
    None,
    AdjustPending,
    AdjustApproved,
    /// Rejected or sent back for re-submission.
    AdjustRefused,
    StopPending,
    StopApproved,
    StopRefused,
}

impl RequestState {
    /// The state of a request of `purpose` whose declaration stands at `status`.
    pub fn of(purpose: crate::Purpose, status: crate::DeclarationStatus) -> Self {
        use crate::DeclarationStatus as S;
        use crate::Purpose as P;
        match (purpose, status) {
            (P::Register, _) => RequestState::None,
            (P::Adjust, S::Pending | S::Escalated | S::OnHold) => RequestState::AdjustPending,
            (P::Adjust, S::Approved) => RequestState::AdjustApproved,
            (P::Adjust, S::Rejected | S::Resubmit) => RequestState::AdjustRefused,
            (P::Stop, S::Pending | S::Escalated | S::OnHold) => RequestState::StopPending,
            (P::Stop, S::Approved) => RequestState::StopApproved,
            (P::Stop, S::Rejected | S::Resubmit) => RequestState::StopRefused,
        }
    }
}

/// The phone the caller says they use, compared with the one on file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PhoneCheck {
    Unchecked,
    Match,
    Mismatch,
    NoPhone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
enum YesNo {
    Yes,
    No,
}

/// What the scripts are chosen by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFacts {
    pub registration: RegistrationState,
    pub account: AccountState,
    pub phone: PhoneCheck,
    pub email: bool,
    pub kind: DeclarationKind,
    pub request: RequestState,
}

/// Every key listed must hold; a key left out means "any".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Conditions {
    registration: Option<Vec<RegistrationState>>,
    account: Option<Vec<AccountState>>,
    phone: Option<Vec<PhoneCheck>>,
    email: Option<Vec<YesNo>>,
    kind: Option<Vec<DeclarationKind>>,
    request: Option<Vec<RequestState>>,
}

fn allows<T: PartialEq>(list: &Option<Vec<T>>, v: &T) -> bool {
    list.as_ref().is_none_or(|l| l.contains(v))
}

impl Conditions {
    fn hold(&self, f: &CaseFacts) -> bool {
        let email = if f.email { YesNo::Yes } else { YesNo::No };
        allows(&self.registration, &f.registration)
            && allows(&self.account, &f.account)
            && allows(&self.phone, &f.phone)
            && allows(&self.email, &email)
            && allows(&self.kind, &f.kind)
            && allows(&self.request, &f.request)
    }
}

/// A topic of calls or an outcome of a call, as the agent picks it in the call log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Choice {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    pub id: String,
    pub title: String,
    pub topic: String,
    /// Lower first among the scripts that apply.
    pub priority: i32,
    #[serde(default)]
    when: Conditions,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptBook {
    pub version: u32,
    #[serde(rename = "topic")]
    pub topics: Vec<Choice>,
    #[serde(rename = "outcome")]
    pub outcomes: Vec<Choice>,
    #[serde(rename = "script")]
    pub scripts: Vec<Script>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptBookError {
    #[error("scripts file is not valid: {0}")]
    Syntax(String),
    #[error("script {0:?} appears twice")]
    DuplicateId(String),
    #[error("script {script:?} names unknown topic {topic:?}")]
    UnknownTopic { script: String, topic: String },
    #[error("script {script:?} uses unknown placeholder {{{placeholder}}}")]
    UnknownPlaceholder { script: String, placeholder: String },
}

/// The placeholders a script may use; each is filled from the person's record.
pub const PLACEHOLDERS: &[&str] = &[
    "ho_ten",
    "ma_so",
    "co_quan",
    "ngay_nop",
    "ngay_quyet_dinh",
    "ly_do",
    "email_an",
    "dien_thoai_an",
    "khoa_den",
    "ma_so_cha_me",
    "ngay_yeu_cau",
    "noi_dung_yeu_cau",
    "ngay_xu_ly_yeu_cau",
    "ly_do_yeu_cau",
    "ngay_ngung",
];

impl ScriptBook {
    /// Parses and checks a scripts file: an edited file with a typo is refused with
    /// the reason rather than read out wrong.
    pub fn parse(text: &str) -> Result<Self, ScriptBookError> {
        let book: ScriptBook = toml::from_str(text).map_err(|e| ScriptBookError::Syntax(e.to_string()))?;
        let topics: HashSet<&str> = book.topics.iter().map(|t| t.id.as_str()).collect();
        let mut seen = HashSet::new();
        for s in &book.scripts {
            if !seen.insert(s.id.as_str()) {
                return Err(ScriptBookError::DuplicateId(s.id.clone()));
            }
            if !topics.contains(s.topic.as_str()) {
                return Err(ScriptBookError::UnknownTopic { script: s.id.clone(), topic: s.topic.clone() });
            }
            if let Some(p) = crate::placeholders::names(&s.text).find(|p| !PLACEHOLDERS.contains(p)) {
                return Err(ScriptBookError::UnknownPlaceholder { script: s.id.clone(), placeholder: p.to_owned() });
            }
        }
        Ok(book)
    }

    /// The scripts that fit the case, best first (priority, then file order).
    pub fn select(&self, facts: &CaseFacts) -> Vec<&Script> {
        let mut out: Vec<&Script> = self.scripts.iter().filter(|s| s.when.hold(facts)).collect();
        out.sort_by_key(|s| s.priority);
        out
    }

    pub fn topic_label(&self, id: &str) -> Option<&str> {
        self.topics.iter().find(|t| t.id == id).map(|t| t.label.as_str())
    }
}

/// Fills `{name}` placeholders; one without a value is left visible as `[…]` so the
/// agent sees a gap instead of reading out a brace.
pub fn fill(text: &str, values: &BTreeMap<&str, String>) -> String {
    crate::placeholders::fill(text, |name| {
        PLACEHOLDERS
            .contains(&name)
            .then(|| values.get(name).filter(|v| !v.is_empty()).cloned().unwrap_or_else(|| "[…]".to_owned()))
    })
    .trim()
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOK: &str = r#"
version = 1
[[topic]]
id = "password"
label = "Quên mật khẩu"
[[outcome]]
id = "resolved"
label = "Đã hướng dẫn xong"
[[script]]
id = "sms"
title = "SMS"
topic = "password"
priority = 10
when = { account = ["active"], phone = ["match", "unchecked"] }
text = "Soạn BH MK {ma_so} gửi 8079."
[[script]]
id = "email"
title = "Email"
topic = "password"
priority = 5
when = { account = ["active"], email = ["yes"] }
text = "Mã OTP gửi về {email_an}."
[[script]]
id = "register"
title = "Đăng ký"
topic = "password"
priority = 1
when = { registration = ["none"] }
text = "Anh/chị {ho_ten} chưa đăng ký."
"#;

    fn facts() -> CaseFacts {
        CaseFacts {
            registration: RegistrationState::Approved,
            account: AccountState::Active,
            phone: PhoneCheck::Unchecked,
            email: false,
            kind: DeclarationKind::Adult,
            request: RequestState::None,
        }
    }

    fn ids(book: &ScriptBook, f: CaseFacts) -> Vec<&str> {
        book.select(&f).iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn scripts_are_chosen_by_the_case() {
        let book = ScriptBook::parse(BOOK).unwrap();
        assert_eq!(ids(&book, facts()), ["sms"]);
        assert_eq!(ids(&book, CaseFacts { email: true, ..facts() }), ["email", "sms"]);
        assert_eq!(ids(&book, CaseFacts { phone: PhoneCheck::Mismatch, ..facts() }), Vec::<&str>::new());
        assert_eq!(
            ids(&book, CaseFacts { registration: RegistrationState::None, account: AccountState::None, ..facts() }),
            ["register"]
        );
    }

    #[test]
    fn a_broken_file_is_refused_with_the_reason() {
        assert!(matches!(ScriptBook::parse("version = "), Err(ScriptBookError::Syntax(_))));
        let typo = BOOK.replace("{ma_so}", "{maso}");
        assert_eq!(
            ScriptBook::parse(&typo).unwrap_err(),
            ScriptBookError::UnknownPlaceholder { script: "sms".into(), placeholder: "maso".into() }
        );
        let bad_value = BOOK.replace(r#"["active"], phone"#, r#"["actve"], phone"#);
        assert!(matches!(ScriptBook::parse(&bad_value), Err(ScriptBookError::Syntax(_))));
        let twice = format!(
            "{BOOK}\n[[script]]\nid = \"sms\"\ntitle = \"x\"\ntopic = \"password\"\npriority = 1\ntext = \"x\"\n"
        );
        assert_eq!(ScriptBook::parse(&twice).unwrap_err(), ScriptBookError::DuplicateId("sms".into()));
    }

    #[test]
    fn placeholders_are_filled_and_gaps_stay_visible() {
        let mut v = BTreeMap::new();
        v.insert("ma_so", "7914820031".to_owned());
        assert_eq!(fill("Soạn BH MK {ma_so} gửi 8079.", &v), "Soạn BH MK 7914820031 gửi 8079.");
        assert_eq!(fill("Lý do: {ly_do}", &v), "Lý do: […]");
        assert_eq!(fill("a {not a placeholder} b", &v), "a {not a placeholder} b");
    }

    #[test]
    fn change_and_stop_calls_read_the_right_steps() {
        let book = ScriptBook::parse(include_str!("../../../../assets/helpdesk-scripts.toml")).unwrap();
        let pick = |request, account| ids(&book, CaseFacts { request, account, ..facts() });
        let waiting = pick(RequestState::AdjustPending, AccountState::Active);
        assert!(waiting.contains(&"phone_change_pending"), "{waiting:?}");
        assert!(!waiting.contains(&"phone_change"), "not sent to file the same change again");
        let refused = pick(RequestState::AdjustRefused, AccountState::Active);
        assert!(refused.contains(&"phone_change_refused") && refused.contains(&"phone_change"), "{refused:?}");
        let stopped = pick(RequestState::StopApproved, AccountState::Stopped);
        assert_eq!(stopped.first(), Some(&"account_stopped"), "{stopped:?}");
        assert!(!stopped.iter().any(|s| s.starts_with("password_") || *s == "stop_how"), "{stopped:?}");
        let asking = pick(RequestState::None, AccountState::Active);
        assert!(asking.contains(&"stop_how") && !asking.contains(&"stop_pending"), "{asking:?}");
        assert!(pick(RequestState::StopPending, AccountState::Active).contains(&"stop_pending"));
    }

    const REQUESTS: [RequestState; 7] = [
        RequestState::None,
        RequestState::AdjustPending,
        RequestState::AdjustApproved,
        RequestState::AdjustRefused,
        RequestState::StopPending,
        RequestState::StopApproved,
        RequestState::StopRefused,
    ];

    #[test]
    fn the_shipped_scripts_file_is_valid_and_covers_every_case() {
        let book = ScriptBook::parse(include_str!("../../../../assets/helpdesk-scripts.toml")).unwrap();
        use AccountState as A;
        use RegistrationState as R;
        for registration in [R::None, R::Pending, R::Escalated, R::WaitingPaper, R::Approved, R::Resubmit, R::Rejected]
        {
            for account in [A::None, A::Active, A::Locked, A::Stopped] {
                for phone in [PhoneCheck::Unchecked, PhoneCheck::Match, PhoneCheck::Mismatch, PhoneCheck::NoPhone] {
                    for email in [true, false] {
                        for kind in [DeclarationKind::Adult, DeclarationKind::Child] {
                            for request in REQUESTS {
                                let f = CaseFacts { registration, account, phone, email, kind, request };
                                assert!(!book.select(&f).is_empty(), "no script for {f:?}");
                            }
                        }
                    }
                }
            }
        }
    }
}
