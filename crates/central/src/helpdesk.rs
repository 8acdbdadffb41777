//! The helpdesk's routes: the office directory (masked), the server-side lookup,
//! the phone diagnosis and the call log.
//!
//! Rules: any logged-in staff may look people up, read a card and check a phone,
//! among the people of their own province unless their account covers the country;
//! each of these answers in masked form only, is taken from the caller's budget
//! (`throttle::LOOKUPS`) and written to the audit log. The directory and the call
//! log of a person belong to the person's office: another office's staff get 403.

use crate::auth::Caller;
use crate::extract::ApiJson;
use crate::extract::{ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use bhxh_domain::helpdesk::LookupKey;
use bhxh_domain::{MaSoBhxh, PhoneVn, Role};
use bhxh_protocol::{
    CallList, CallRecord, CitizenEntry, DirectoryPage, LookupAnswer, LookupRequest, NewCall, PhoneCheckAnswer,
    PhoneCheckRequest,
};
use serde::Deserialize;

const STAFF: &[Role] = &[Role::Officer, Role::Supervisor, Role::Helpdesk];
pub const MAX_DIRECTORY_PAGE: u32 = 1000;
const LOOKUP_LIMIT: u32 = 20;

#[derive(Debug, Deserialize)]
pub struct DirectoryQuery {
    after: Option<String>,
    limit: Option<u32>,
}

pub async fn directory(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(office): ApiPath<String>,
    ApiQuery(q): ApiQuery<DirectoryQuery>,
) -> Result<Json<DirectoryPage>, ApiError> {
    caller.require_role(STAFF)?;
    caller.require_office(&office)?;
    crate::faults::injected_latency(&state).await;
    let limit = q.limit.unwrap_or(500).clamp(1, MAX_DIRECTORY_PAGE);
    let after = q.after.unwrap_or_default();
    let now = state.now();
    let mut items = state.with_store(|s| s.directory_page(&office, &after, limit + 1, now))?;
    let has_more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next_after = items.last().map(|e| e.ma_so_bhxh.to_string());
    Ok(Json(DirectoryPage { items, next_after, has_more }))
}

/// Takes one question from the caller's budget; the offices the caller may ask
/// about (`None`: the whole country).
fn admit_question(state: &AppState, caller: &Caller) -> Result<Option<String>, ApiError> {
    caller.require_role(STAFF)?;
    if let Err(wait) = state.lookups.take(&caller.0.username, state.now()) {
        tracing::warn!(user = %caller.0.username, "lookup budget spent");
        return Err(ApiError::rate_limited("too many lookups; slow down", wait));
    }
    let national = state.with_store(|s| s.national_lookup(&caller.0.username))?;
    Ok((!national).then(|| crate::db::province_scope(&caller.0.office_code)))
}

/// What a query asked for, for the audit log: the kinds of key, not the number.
fn query_kinds(raw: &str) -> String {
    let q = bhxh_domain::helpdesk::query::parse(raw);
    let mut kinds: Vec<&str> = q
        .keys
        .iter()
        .map(|k| match k {
            LookupKey::MaSo(_) => "ma_so",
            LookupKey::IdNumber(_) => "id",
            LookupKey::Phone(_) => "phone",
        })
        .collect();
    if q.name.is_some() {
        kinds.push("name");
    }
    kinds.join("+")
}

pub async fn lookup(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(q): ApiJson<LookupRequest>,
) -> Result<Json<LookupAnswer>, ApiError> {
    caller.require_role(STAFF)?;
    if q.q.chars().count() > 100 {
        return Err(ApiError::validation("query longer than 100 characters"));
    }
    let scope = admit_question(&state, &caller)?;
    let now = state.now();
    let items = state.with_store(|s| {
        let items = s.lookup(&q.q, scope.as_deref(), LOOKUP_LIMIT, now)?;
        let found: Vec<&str> = items.iter().map(|e| e.ma_so_bhxh.as_str()).collect();
        s.audit_now(now, &caller.0.username, "lookup", &found.join(","), &query_kinds(&q.q))?;
        Ok::<_, crate::db::StoreError>(items)
    })?;
    Ok(Json(LookupAnswer { items }))
}

/// The person, if the caller's scope reaches them (else "no such citizen", which
/// tells nothing about people elsewhere).
fn in_scope(state: &AppState, scope: Option<&str>, m: &MaSoBhxh) -> Result<(), ApiError> {
    let office = state.with_store(|s| s.citizen_office(m.as_str()))?;
    match (office, scope) {
        (Some(o), Some(scope)) if !scope.contains(&format!(",{o},")) => Err(ApiError::not_found("no such citizen")),
        (Some(_), _) => Ok(()),
        (None, _) => Err(ApiError::not_found("no such citizen")),
    }
}

fn ma_so(raw: &str) -> Result<MaSoBhxh, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found("no such citizen"))
}

pub async fn citizen(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<CitizenEntry>, ApiError> {
    caller.require_role(STAFF)?;
    let m = ma_so(&raw)?;
    let scope = admit_question(&state, &caller)?;
    in_scope(&state, scope.as_deref(), &m)?;
    let now = state.now();
    let entry = state
        .with_store(|s| {
            s.audit_now(now, &caller.0.username, "card", m.as_str(), "")?;
            s.citizen_entry(m.as_str(), now)
        })?
        .ok_or_else(|| ApiError::not_found("no such citizen"))?;
    Ok(Json(entry))
}

pub async fn phone_check(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(raw): ApiPath<String>,
    ApiJson(req): ApiJson<PhoneCheckRequest>,
) -> Result<Json<PhoneCheckAnswer>, ApiError> {
    caller.require_role(STAFF)?;
    let m = ma_so(&raw)?;
    let phone = PhoneVn::parse(&req.phone).map_err(|e| ApiError::validation(format!("phone: {e}")))?.phone;
    let scope = admit_question(&state, &caller)?;
    in_scope(&state, scope.as_deref(), &m)?;
    let now = state.now();
    let (result, registered) = state
        .with_store(|s| {
            let answer = s.phone_check(&m, &phone, now)?;
            if let Some((result, _)) = &answer {
                s.audit_now(now, &caller.0.username, "phone_check", m.as_str(), &format!("{result:?}"))?;
            }
            Ok::<_, crate::db::StoreError>(answer)
        })?
        .ok_or_else(|| ApiError::not_found("no such citizen"))?;
    Ok(Json(PhoneCheckAnswer { result, registered }))
}

/// The person's office, which must be the caller's.
fn own_office(state: &AppState, caller: &Caller, m: &MaSoBhxh) -> Result<String, ApiError> {
    let office =
        state.with_store(|s| s.citizen_office(m.as_str()))?.ok_or_else(|| ApiError::not_found("no such citizen"))?;
    caller.require_office(&office)?;
    Ok(office)
}

pub async fn calls(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<CallList>, ApiError> {
    caller.require_role(STAFF)?;
    let m = ma_so(&raw)?;
    own_office(&state, &caller, &m)?;
    Ok(Json(CallList { items: state.with_store(|s| s.calls_of(m.as_str()))? }))
}

pub async fn log_call(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(raw): ApiPath<String>,
    ApiJson(call): ApiJson<NewCall>,
) -> Result<Json<CallRecord>, ApiError> {
    caller.require_role(&[Role::Helpdesk, Role::Supervisor])?;
    let m = ma_so(&raw)?;
    let office = own_office(&state, &caller, &m)?;
    if uuid::Uuid::parse_str(&call.id).is_err() {
        return Err(ApiError::validation("id must be a UUID"));
    }
    for (what, text, max) in [
        ("caller_name", call.caller_name.as_str(), 100),
        ("topic", call.topic.as_str(), 40),
        ("outcome", call.outcome.as_str(), 40),
        ("note", call.note.as_str(), 2000),
        ("flag", call.flag.as_deref().unwrap_or(""), 500),
    ] {
        if text.chars().count() > max || text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(ApiError::validation(format!(
                "{what}: longer than {max} characters or has control characters"
            )));
        }
    }
    let record = state.with_store(|s| s.record_call(&caller.0, &m, &office, &call, state.now()))?;
    Ok(Json(record))
}
