//! The supervisor's routes for the campaign: each unit's coverage, numbers from the
//! office's register of outgoing letters, and handing a declaration to an officer.

use crate::auth::Caller;
use crate::db::LetterVoided;
use crate::decisions::HAND_OVER_HOURS;
use crate::extract::ApiJson;
use crate::extract::ApiPath;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use bhxh_domain::Role;
use bhxh_protocol::{Assignment, CoverageReport, HandOver, LetterNumber, LetterNumberRequest};

/// Letters of an office without a campaign record carry the bare office symbol.
const DEFAULT_SYMBOL: &str = "BHXH";

pub async fn coverage(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(office): ApiPath<String>,
) -> Result<Json<CoverageReport>, ApiError> {
    caller.require_role(&[Role::Supervisor])?;
    caller.require_office(&office)?;
    Ok(Json(state.with_store(|s| s.coverage(&office, state.now()))?))
}

/// The office's employer units, for any role of the office: the desk checks a
/// declaration's unit code against them.
pub async fn units(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(office): ApiPath<String>,
) -> Result<Json<bhxh_protocol::UnitList>, ApiError> {
    caller.require_office(&office)?;
    let units = state.with_store(|s| s.units_of_office(&office))?;
    Ok(Json(bhxh_protocol::UnitList { office_code: office, units }))
}

pub async fn letter_number(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(office): ApiPath<String>,
    ApiJson(req): ApiJson<LetterNumberRequest>,
) -> Result<Json<LetterNumber>, ApiError> {
    caller.require_role(&[Role::Supervisor])?;
    caller.require_office(&office)?;
    if req.id.trim().is_empty() || req.id.len() > 64 {
        return Err(ApiError::validation("id must be 1 to 64 characters"));
    }
    if !state.with_store(|s| s.unit_of_office(&req.unit_code, &office))? {
        return Err(ApiError::validation(format!("{} is not a unit of office {office}", req.unit_code)));
    }
    let symbol =
        state.with_store(|s| s.campaign(&office))?.map_or_else(|| DEFAULT_SYMBOL.to_owned(), |c| c.letter_symbol);
    let number = state.with_store(|s| s.take_letter_number(&caller.0, &req, &symbol, state.now()))?;
    // Taken, then a slow answer: what a desk sees on a slow line.
    crate::faults::injected_latency(&state).await;
    Ok(Json(number))
}

pub async fn void_letter(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((office, id)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<bhxh_protocol::LetterVoid>,
) -> Result<Json<LetterNumber>, ApiError> {
    caller.require_role(&[Role::Supervisor])?;
    caller.require_office(&office)?;
    let reason = req.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 || reason.chars().any(char::is_control) {
        return Err(ApiError::validation("reason must be 1 to 200 characters without control characters"));
    }
    let symbol =
        state.with_store(|s| s.campaign(&office))?.map_or_else(|| DEFAULT_SYMBOL.to_owned(), |c| c.letter_symbol);
    match state.with_store(|s| s.void_letter(&caller.0, &office, &id, reason, &symbol, state.now()))? {
        LetterVoided::Voided(n) => Ok(Json(n)),
        LetterVoided::NotGiven => Err(ApiError::not_found(format!("office {office} gave no letter number to {id}"))),
        LetterVoided::NotYours => Err(ApiError::forbidden("a letter number is voided only by whoever took it")),
        LetterVoided::TooLate => Err(ApiError::forbidden("a letter number is voided only within an hour of taking it")),
    }
}

pub async fn hand_over(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<HandOver>,
) -> Result<Json<Assignment>, ApiError> {
    caller.require_role(&[Role::Supervisor])?;
    let d =
        state.with_store(|s| s.declaration(&id))?.ok_or_else(|| ApiError::not_found(format!("no declaration {id}")))?;
    caller.require_office(&d.fields.office_code)?;
    if !d.status.is_open() {
        return Err(ApiError::validation(format!("declaration {id} is already decided")));
    }
    if !state.with_store(|s| s.is_officer_of(&req.officer, &d.fields.office_code))? {
        return Err(ApiError::validation(format!(
            "{} is not an officer of office {}",
            req.officer, d.fields.office_code
        )));
    }
    let ttl = chrono::Duration::hours(HAND_OVER_HOURS);
    Ok(Json(state.with_store(|s| s.hand_over(&caller.0, &id, &req.officer, ttl, state.now()))?))
}
