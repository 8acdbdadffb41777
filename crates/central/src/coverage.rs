//! The supervisor's routes for the campaign: each unit's coverage, numbers from the
//! office's register of outgoing letters, and handing a declaration to an officer.

use crate::auth::Caller;
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
    Ok(Json(state.with_store(|s| s.take_letter_number(&caller.0, &req, &symbol, state.now()))?))
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
    if !matches!(d.status, bhxh_domain::DeclarationStatus::Pending | bhxh_domain::DeclarationStatus::Escalated) {
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
