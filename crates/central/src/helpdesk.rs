//! The helpdesk's routes: the office directory (masked, with lookup tokens), the
//! server-side lookup, the phone diagnosis and the call log.
//!
//! Rules: any logged-in staff may look people up and check a phone (both answer in
//! masked form only); the directory and the call log of a person belong to the
//! person's office: another office's staff get 403.

use crate::auth::Caller;
use crate::extract::ApiJson;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Path, Query, State};
use bhxh_domain::{MaSoBhxh, PhoneVn, Role};
use bhxh_protocol::{
    CallList, CallRecord, CitizenEntry, DirectoryPage, LookupAnswer, NewCall, PhoneCheckAnswer, PhoneCheckRequest,
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
    Path(office): Path<String>,
    Query(q): Query<DirectoryQuery>,
) -> Result<Json<DirectoryPage>, ApiError> {
    caller.require_role(STAFF)?;
    caller.require_office(&office)?;
    crate::faults::injected_latency(&state).await;
    let limit = q.limit.unwrap_or(500).clamp(1, MAX_DIRECTORY_PAGE);
    let after = q.after.unwrap_or_default();
    let now = state.now();
    let (salt, mut items) = state.with_store(|s| {
        Ok::<_, crate::db::StoreError>((s.office_salt(&office)?, s.directory_page(&office, &after, limit + 1, now)?))
    })?;
    let has_more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next_after = items.last().map(|e| e.ma_so_bhxh.to_string());
    Ok(Json(DirectoryPage { salt, items, next_after, has_more }))
}

#[derive(Debug, Deserialize)]
pub struct LookupQuery {
    q: String,
}

pub async fn lookup(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<LookupQuery>,
) -> Result<Json<LookupAnswer>, ApiError> {
    caller.require_role(STAFF)?;
    if q.q.chars().count() > 100 {
        return Err(ApiError::validation("query longer than 100 characters"));
    }
    let items = state.with_store(|s| s.lookup(&q.q, LOOKUP_LIMIT, state.now()))?;
    Ok(Json(LookupAnswer { items }))
}

fn ma_so(raw: &str) -> Result<MaSoBhxh, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found("no such citizen"))
}

pub async fn citizen(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Result<Json<CitizenEntry>, ApiError> {
    caller.require_role(STAFF)?;
    let m = ma_so(&raw)?;
    let entry = state
        .with_store(|s| s.citizen_entry(m.as_str(), state.now()))?
        .ok_or_else(|| ApiError::not_found("no such citizen"))?;
    Ok(Json(entry))
}

pub async fn phone_check(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
    ApiJson(req): ApiJson<PhoneCheckRequest>,
) -> Result<Json<PhoneCheckAnswer>, ApiError> {
    caller.require_role(STAFF)?;
    let m = ma_so(&raw)?;
    let phone = PhoneVn::parse(&req.phone).map_err(|e| ApiError::validation(format!("phone: {e}")))?.phone;
    let (result, registered) = state
        .with_store(|s| s.phone_check(&m, &phone, state.now()))?
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
    Path(raw): Path<String>,
) -> Result<Json<CallList>, ApiError> {
    caller.require_role(STAFF)?;
    let m = ma_so(&raw)?;
    own_office(&state, &caller, &m)?;
    Ok(Json(CallList { items: state.with_store(|s| s.calls_of(m.as_str()))? }))
}

pub async fn log_call(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
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
