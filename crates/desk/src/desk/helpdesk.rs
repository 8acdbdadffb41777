//! The helpdesk console: the one search box, the person's card with the phone
//! diagnosis and the scripts for their case, and the call log. Everything here is
//! built from the masked directory; the helpdesk role reaches no declaration,
//! document or full identifier (see `access`).

use super::Desk;
use crate::access;
use crate::error::{AppError, ErrorCode};
use crate::ipc::{
    CallView, CardInput, CitizenCard, HistoryLine, LogCallInput, LogCallResult, LookupInput, LookupResult, PersonHit,
    PhoneDiagnosis, PhoneDiagnosisView, ScriptView,
};
use bhxh_domain::clock::office_text;
use bhxh_domain::helpdesk::{AccountState, CaseFacts, LookupKey, PhoneCheck, ScriptBook, fill};
use bhxh_domain::reference::ReferenceData;
use bhxh_domain::{ChangedField, MaSoBhxh, PhoneVn, Purpose, Text};
use bhxh_protocol::{CitizenEntry, NewCall, RegistrationEventKind};
use chrono_tz::Asia::Ho_Chi_Minh;
use std::collections::BTreeMap;
use std::time::Duration;
use tracing::{info, warn};

const BUILT_IN_SCRIPTS: &str = include_str!("../../../../assets/helpdesk-scripts.toml");
const SCRIPTS_FILE: &str = "helpdesk-scripts.toml";
/// The caller is on the line: the central service gets this long, then the local copy answers.
const CENTRAL_WAIT: Duration = Duration::from_secs(3);
const RESULTS: usize = 20;

/// A warning for the agent, in Vietnamese and in English.
pub(crate) struct Warning {
    pub vi: String,
    pub en: String,
}

/// The scripts: the edited file when it reads, else the built-in copy with a warning.
pub(crate) fn script_book() -> (ScriptBook, Option<Warning>) {
    if let Some(path) = crate::assets::find(SCRIPTS_FILE) {
        match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|t| ScriptBook::parse(&t).map_err(|e| e.to_string()))
        {
            Ok(book) => return (book, None),
            Err(e) => {
                warn!(path = %path.display(), error = %e, "helpdesk scripts file refused; using the built-in scripts");
                let warning = Warning {
                    vi: format!("Tệp kịch bản {} có lỗi ({e}); đang dùng bản kịch bản có sẵn.", path.display()),
                    en: format!("The scripts file {} has an error ({e}); using the built-in scripts.", path.display()),
                };
                return (builtin_book(), Some(warning));
            }
        }
    }
    (builtin_book(), None)
}

fn builtin_book() -> ScriptBook {
    // Checked by a test of bhxh-domain; an empty book would only show no scripts.
    ScriptBook::parse(BUILT_IN_SCRIPTS).unwrap_or(ScriptBook {
        version: 0,
        topics: vec![],
        outcomes: vec![],
        scripts: vec![],
    })
}

fn office_name(code: &str) -> String {
    crate::offices::current_name(code)
}

fn date_text(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn hit(e: &CitizenEntry, exact: bool, own_office: &str) -> PersonHit {
    PersonHit {
        ma_so_bhxh: e.ma_so_bhxh.to_string(),
        full_name: e.full_name.clone(),
        birth_date: date_text(e.birth_date),
        kind: e.kind,
        office_code: e.office_code.clone(),
        office_name: Some(office_name(&e.office_code)),
        registration_state: e.registration_state,
        account: e.account,
        phone_masked: e.phone_masked.clone(),
        exact,
        other_office: e.office_code != own_office,
    }
}

fn reasons_text(codes: &[String]) -> Vec<String> {
    let data = ReferenceData::get();
    codes.iter().map(|c| data.reason(c).map(|r| r.citizen_vi.clone()).unwrap_or_else(|| c.clone())).collect()
}

fn history(e: &CitizenEntry) -> Vec<HistoryLine> {
    e.history
        .iter()
        .map(|h| HistoryLine {
            at: office_text(h.at),
            what: match h.what {
                RegistrationEventKind::Submitted => "submitted".to_owned(),
                RegistrationEventKind::Assigned => "assigned".to_owned(),
                RegistrationEventKind::AccountCreated => "account_created".to_owned(),
                RegistrationEventKind::AccountStopped => "account_stopped".to_owned(),
                RegistrationEventKind::Decided(o) => o.code().to_owned(),
            },
            office_name: office_name(&h.office_code),
            reasons: reasons_text(&h.reasons),
            purpose: h.purpose,
            changed: h.changed.clone(),
        })
        .collect()
}

/// The placeholders of the scripts, from the masked record.
fn placeholders(e: &CitizenEntry) -> BTreeMap<&'static str, String> {
    let mut v = BTreeMap::new();
    v.insert("ho_ten", e.full_name.clone());
    v.insert("ma_so", e.ma_so_bhxh.to_string());
    let office = e.registration.as_ref().map(|r| r.office_code.as_str()).unwrap_or(&e.office_code);
    v.insert("co_quan", office_name(office));
    if let Some(r) = &e.registration {
        v.insert("ngay_nop", r.submitted_at.with_timezone(&Ho_Chi_Minh).format("%d/%m/%Y").to_string());
    }
    let day = |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&Ho_Chi_Minh).format("%d/%m/%Y").to_string();
    let registration = |h: &&bhxh_protocol::RegistrationEvent| h.purpose == Purpose::Register;
    let decided = |h: &&bhxh_protocol::RegistrationEvent| matches!(h.what, RegistrationEventKind::Decided(_));
    if let Some(last) = e.history.iter().filter(registration).rev().find(decided) {
        v.insert("ngay_quyet_dinh", day(last.at));
        v.insert("ly_do", reasons_text(&last.reasons).join(" "));
    } else if let Some(acc) = e.history.iter().find(|h| h.what == RegistrationEventKind::AccountCreated) {
        v.insert("ngay_quyet_dinh", day(acc.at));
    }
    // The latest adjustment or stop: its day, what it changes, its decision.
    let request = |h: &&bhxh_protocol::RegistrationEvent| h.purpose != Purpose::Register;
    if let Some(sent) = e.history.iter().filter(request).rev().find(|h| h.what == RegistrationEventKind::Submitted) {
        v.insert("ngay_yeu_cau", day(sent.at));
        v.insert("noi_dung_yeu_cau", changed_text(&sent.changed).join(", "));
        if let Some(last) = e.history.iter().filter(request).filter(|h| h.at >= sent.at).rev().find(decided) {
            v.insert("ngay_xu_ly_yeu_cau", day(last.at));
            v.insert("ly_do_yeu_cau", reasons_text(&last.reasons).join(" "));
        }
    }
    if let Some(stop) = e.history.iter().rev().find(|h| h.what == RegistrationEventKind::AccountStopped) {
        v.insert("ngay_ngung", day(stop.at));
    }
    v.extend(e.email_masked.clone().map(|m| ("email_an", m)));
    v.extend(e.phone_masked.clone().map(|m| ("dien_thoai_an", m)));
    v.extend(e.account_locked_until.map(|t| ("khoa_den", t.with_timezone(&Ho_Chi_Minh).format("%H:%M").to_string())));
    v.extend(e.parent_ma_so_bhxh.as_ref().map(|p| ("ma_so_cha_me", p.to_string())));
    v
}

/// The changed fields as the agent reads them out ("số điện thoại").
fn changed_text(fields: &[ChangedField]) -> Vec<String> {
    fields.iter().map(|f| f.label_vi().to_owned()).collect()
}

fn diagnosis(e: &CitizenEntry, check: PhoneCheck) -> PhoneDiagnosis {
    match (e.account, check) {
        (AccountState::None | AccountState::Stopped, _) => PhoneDiagnosis::NotRegistered,
        (_, PhoneCheck::Match) => PhoneDiagnosis::Match,
        (_, PhoneCheck::NoPhone) => PhoneDiagnosis::NoPhoneOnFile,
        (_, PhoneCheck::Unchecked) => PhoneDiagnosis::NeedsNetwork,
        (_, PhoneCheck::Mismatch) => PhoneDiagnosis::Mismatch,
    }
}

fn parse_ma_so(raw: &str) -> Result<MaSoBhxh, AppError> {
    raw.parse().map_err(|_| {
        AppError::new(
            ErrorCode::Validation,
            "Mã số BHXH phải gồm đúng 10 chữ số.",
            "The social insurance number must have exactly 10 digits.",
        )
    })
}

/// `what` names the text in Vietnamese and in English ("Ghi chú", "The note").
fn check_text((what, what_en): (&str, &str), text: &str, max: usize) -> Result<(), AppError> {
    if text.chars().count() > max {
        return Err(AppError::new(
            ErrorCode::Validation,
            format!("{what} dài quá {max} ký tự."),
            format!("{what_en} is longer than {max} characters."),
        ));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::new(
            ErrorCode::Validation,
            format!("{what} có ký tự điều khiển không hợp lệ."),
            format!("{what_en} contains control characters that are not allowed."),
        ));
    }
    Ok(())
}

impl Desk {
    /// The session's client for a question asked while the caller waits on the
    /// phone: a log-in again counts against the same short wait.
    async fn central_soon(&self, s: &super::OpenSession) -> Option<bhxh_sync::CentralClient> {
        tokio::time::timeout(CENTRAL_WAIT, self.central(s)).await.ok().flatten()
    }

    /// The search box: this office's directory copy first (works offline), then,
    /// when asked, the central service's lookup over every office.
    pub async fn lookup(&self, input: LookupInput) -> Result<LookupResult, AppError> {
        let s = self.view::<access::Helpdesk>()?;
        let raw = input.query.trim();
        check_text(("Nội dung tìm kiếm", "The search text"), raw, 100)?;
        let q = bhxh_domain::helpdesk::query::parse(raw);
        // The name index may be built on the first name typed: seconds on a large directory.
        let local = {
            let q = q.clone();
            s.on_cache(move |c| c.search_parsed(&q, RESULTS)).await?
        };
        let own = s.info.office_code.clone();
        let mut items: Vec<PersonHit> = local.iter().map(|h| hit(&h.entry, h.exact, &own)).collect();
        // A phone or ID number is answered only by the central service (this PC holds nothing that could).
        let needs_central = q.keys.iter().any(|k| !matches!(k, LookupKey::MaSo(_)));
        let mut result = LookupResult {
            items: Vec::new(),
            phone_rewritten_from: q.phone_rewritten_from.clone(),
            searched_central: false,
            central_error: None,
        };
        if input.central && !q.is_empty() {
            let answer = match self.central_soon(&s).await {
                None => Err(Text::new(
                    "Đang ngoại tuyến: chỉ tìm trong danh sách đã lưu trên máy.",
                    "Offline: searching only the list kept on this PC.",
                )),
                Some(client) => match tokio::time::timeout(CENTRAL_WAIT, client.lookup(raw)).await {
                    Ok(Ok(answer)) => Ok(answer),
                    Ok(Err(e)) => Err(AppError::from(e).message),
                    Err(_) => Err(Text::new(
                        "Máy chủ trung tâm trả lời chậm: chỉ hiện kết quả trên máy.",
                        "The central server is answering slowly: showing only the results on this PC.",
                    )),
                },
            };
            match answer {
                Ok(answer) => {
                    result.searched_central = true;
                    for e in answer.items {
                        if !items.iter().any(|h| h.ma_so_bhxh == e.ma_so_bhxh.as_str()) {
                            items.push(hit(&e, !q.keys.is_empty(), &own));
                        }
                    }
                }
                // The agent needs to know what to ask the caller instead.
                Err(why) if needs_central => {
                    result.central_error = Some(Text::new(
                        format!(
                            "{} Tìm theo số điện thoại hoặc số giấy tờ cần máy chủ trung tâm: hãy hỏi mã số BHXH, hoặc họ tên và năm sinh của người gọi.",
                            why.vi
                        ),
                        format!(
                            "{} A phone or ID number can only be looked up by the central server: ask the caller for their social insurance number, or their name and year of birth.",
                            why.en
                        ),
                    ));
                }
                Err(why) => result.central_error = Some(why),
            }
        }
        // Exact identifiers first, then this office's people, in the order found.
        items.sort_by_key(|h| (!h.exact, h.other_office));
        items.truncate(RESULTS);
        result.items = items;
        Ok(result)
    }

    /// The person's card: fresh from the central service when it answers in time,
    /// else this PC's copy; with the phone diagnosis when the caller's number is given.
    pub async fn citizen_card(&self, input: CardInput) -> Result<CitizenCard, AppError> {
        let s = self.view::<access::Helpdesk>()?;
        let ma_so = parse_ma_so(&input.ma_so_bhxh)?;
        let phone = match input.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => Some(
                PhoneVn::parse(p).map_err(|e| AppError::new(ErrorCode::Validation, e.message_vi(), e.message_en()))?,
            ),
            None => None,
        };
        let local = {
            let ma_so = ma_so.clone();
            s.on_cache(move |c| c.directory_entry(&ma_so)).await?
        };
        let client = self.central_soon(&s).await;
        let mut fresh = false;
        let mut entry = local;
        let mut server_calls = None;
        let mut server_check = None;
        if let Some(client) = &client {
            let ask = async {
                let entry = client.citizen(ma_so.as_str()).await?;
                let calls = if entry.office_code == s.info.office_code {
                    Some(client.calls(ma_so.as_str()).await?)
                } else {
                    None
                };
                let check = match &phone {
                    Some(p) => Some(client.phone_check(ma_so.as_str(), p.phone.as_str()).await?),
                    None => None,
                };
                Ok::<_, bhxh_sync::SyncError>((entry, calls, check))
            };
            match tokio::time::timeout(CENTRAL_WAIT, ask).await {
                Ok(Ok((e, calls, check))) => {
                    entry = Some(e);
                    fresh = true;
                    server_calls = calls;
                    server_check = check;
                }
                Ok(Err(e)) => warn!(error = %e, "card from the central service failed; using the local copy"),
                Err(_) => warn!("central service slow; card from the local copy"),
            }
        }
        let entry = entry.ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                "Không tìm thấy người có mã số BHXH này.",
                "No one with this social insurance number was found.",
            )
        })?;
        // Only the central service compares numbers; offline the check waits.
        let check = server_check.map_or(PhoneCheck::Unchecked, |answer| answer.result);
        let (book, scripts_warning) = script_book();
        let facts = CaseFacts {
            registration: entry.registration_state,
            account: entry.account,
            phone: if phone.is_some() && entry.phone_masked.is_none() { PhoneCheck::NoPhone } else { check },
            email: entry.email_masked.is_some(),
            kind: entry.kind,
            request: entry.request,
        };
        let values = placeholders(&entry);
        let scripts = book
            .select(&facts)
            .into_iter()
            .map(|sc| ScriptView {
                id: sc.id.clone(),
                title: sc.title.clone(),
                topic: sc.topic.clone(),
                topic_label: book.topic_label(&sc.topic).unwrap_or(&sc.topic).to_owned(),
                text: fill(&sc.text, &values),
            })
            .collect();
        let label = |list: &[bhxh_domain::helpdesk::scripts::Choice], id: &str| {
            list.iter().find(|c| c.id == id).map(|c| c.label.clone()).unwrap_or_else(|| id.to_owned())
        };
        let view = |call: &NewCall, agent_name: &str, pending: bool| CallView {
            id: call.id.clone(),
            at: office_text(call.at),
            agent_name: agent_name.to_owned(),
            caller_name: call.caller_name.clone(),
            topic_label: label(&book.topics, &call.topic),
            outcome_label: label(&book.outcomes, &call.outcome),
            note: call.note.clone(),
            flag: call.flag.clone(),
            pending,
        };
        // Calls noted here and not yet delivered, then the central service's log (which has the rest).
        let noted_here = {
            let ma_so = ma_so.clone();
            s.on_cache(move |c| c.calls_noted_here(&ma_so)).await?
        };
        let mut calls: Vec<CallView> = noted_here
            .iter()
            .filter(|p| !p.sent || server_calls.is_none())
            .map(|p| view(&p.call, &s.info.display_name, !p.sent))
            .collect();
        for c in server_calls.map(|l| l.items).unwrap_or_default() {
            if !calls.iter().any(|v| v.id == c.id) {
                let call = NewCall {
                    id: c.id,
                    caller_name: c.caller_name,
                    topic: c.topic,
                    outcome: c.outcome,
                    note: c.note,
                    flag: c.flag,
                    at: c.at,
                };
                calls.push(view(&call, &c.agent_name, false));
            }
        }
        Ok(CitizenCard {
            ma_so_bhxh: entry.ma_so_bhxh.to_string(),
            full_name: entry.full_name.clone(),
            birth_date: date_text(entry.birth_date),
            sex_label: Text::new(entry.sex.label_vi(), entry.sex.label_en()),
            kind: entry.kind,
            office_name: office_name(&entry.office_code),
            office_code: entry.office_code.clone(),
            unit_code: entry.unit_code.clone(),
            parent_ma_so_bhxh: entry.parent_ma_so_bhxh.as_ref().map(|p| p.to_string()),
            id_masked: entry.id_masked.clone(),
            phone_masked: entry.phone_masked.clone(),
            email_masked: entry.email_masked.clone(),
            registration_state: entry.registration_state,
            channel: entry.registration.as_ref().map(|r| r.channel),
            submitted_at: entry.registration.as_ref().map(|r| office_text(r.submitted_at)),
            account: entry.account,
            locked_until: entry.account_locked_until.map(|t| t.with_timezone(&Ho_Chi_Minh).format("%H:%M").to_string()),
            history: history(&entry),
            phone: phone.map(|p| PhoneDiagnosisView {
                result: diagnosis(&entry, facts.phone),
                phone_read_as: p.phone.to_string(),
                rewritten_from: p.rewritten_from,
            }),
            scripts,
            topics: book.topics.clone(),
            outcomes: book.outcomes.clone(),
            calls,
            fresh,
            scripts_warning: scripts_warning.map(|w| Text::new(w.vi, w.en)),
        })
    }

    /// Notes a call: on this PC first (sealed, audited), then at the central
    /// service at once when online, else with the next sync.
    pub async fn log_call(&self, input: LogCallInput) -> Result<LogCallResult, AppError> {
        let s = self.view::<access::Helpdesk>()?;
        let ma_so = parse_ma_so(&input.ma_so_bhxh)?;
        let (book, _) = script_book();
        if !book.topics.iter().any(|t| t.id == input.topic) {
            return Err(AppError::new(
                ErrorCode::Validation,
                "Chọn chủ đề cuộc gọi trong danh sách.",
                "Choose the call's topic from the list.",
            ));
        }
        if !book.outcomes.iter().any(|t| t.id == input.outcome) {
            return Err(AppError::new(
                ErrorCode::Validation,
                "Chọn kết quả cuộc gọi trong danh sách.",
                "Choose the call's outcome from the list.",
            ));
        }
        check_text(("Tên người gọi", "The caller's name"), &input.caller_name, 100)?;
        check_text(("Ghi chú", "The note"), &input.note, 2000)?;
        check_text(
            ("Lời nhắn cho cán bộ", "The message for the reviewing officer"),
            input.flag.as_deref().unwrap_or(""),
            500,
        )?;
        let call = NewCall {
            id: uuid::Uuid::now_v7().to_string(),
            caller_name: input.caller_name.trim().to_owned(),
            topic: input.topic,
            outcome: input.outcome,
            note: input.note.trim().to_owned(),
            flag: input.flag.map(|f| f.trim().to_owned()).filter(|f| !f.is_empty()),
            at: self.now(),
        };
        {
            let (agent, ma_so, call) = (s.info.username.clone(), ma_so.clone(), call.clone());
            s.on_cache(move |c| c.note_call(&agent, &ma_so, &call)).await?;
        }
        info!(call = %call.id, topic = %call.topic, "call noted");
        let mut delivered = false;
        if let Some(client) = self.central_soon(&s).await {
            match tokio::time::timeout(CENTRAL_WAIT, client.log_call(ma_so.as_str(), &call)).await {
                Ok(Ok(_)) => {
                    let (id, now) = (call.id.clone(), self.now());
                    s.on_cache(move |c| c.call_sent(&id, now)).await?;
                    delivered = true;
                }
                Ok(Err(e)) => warn!(error = %e, "call kept for the next sync"),
                Err(_) => warn!("central service slow; call kept for the next sync"),
            }
        }
        Ok(LogCallResult { id: call.id, delivered })
    }
}
