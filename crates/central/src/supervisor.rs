//! The supervisor's routes: daily quotas and the paper-form rule (the office's
//! staff read them; only its supervisor sets them).

use crate::auth::Caller;
use crate::extract::ApiJson;
use crate::extract::ApiPath;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use bhxh_domain::PaperRule;
use bhxh_domain::Role;
use bhxh_protocol::{PaperRuleState, QuotaList, QuotaUpdate};

/// More than anyone decides in a day: a typo, not a quota.
const MAX_PER_DAY: u32 = 1000;

pub async fn quotas(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(office): ApiPath<String>,
) -> Result<Json<QuotaList>, ApiError> {
    caller.require_role(&[Role::Officer, Role::Supervisor])?;
    caller.require_office(&office)?;
    Ok(Json(state.with_store(|s| s.quotas(&office))?))
}

pub async fn set_quota(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(office): ApiPath<String>,
    ApiJson(update): ApiJson<QuotaUpdate>,
) -> Result<Json<QuotaList>, ApiError> {
    caller.require_role(&[Role::Supervisor])?;
    caller.require_office(&office)?;
    if update.per_day.is_some_and(|q| q > MAX_PER_DAY) {
        return Err(ApiError::validation(format!("per_day above {MAX_PER_DAY}")));
    }
    if update.officer.is_none() && update.per_day.is_none() {
        return Err(ApiError::validation("the office's default quota cannot be cleared"));
    }
    if let Some(o) = &update.officer
        && !state.with_store(|s| s.is_officer_of(o, &office))?
    {
        return Err(ApiError::validation(format!("{o} is not an officer of office {office}")));
    }
    let list = state.with_store(|s| {
        s.set_quota(&caller.0, update.officer.as_deref(), update.per_day, state.now())?;
        s.quotas(&office)
    })?;
    Ok(Json(list))
}

pub async fn paper_rule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(office): ApiPath<String>,
) -> Result<Json<PaperRuleState>, ApiError> {
    caller.require_role(&[Role::Officer, Role::Supervisor])?;
    caller.require_office(&office)?;
    Ok(Json(state.with_store(|s| s.paper_rule(&office))?))
}

pub async fn set_paper_rule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(office): ApiPath<String>,
    ApiJson(rule): ApiJson<PaperRule>,
) -> Result<Json<PaperRuleState>, ApiError> {
    caller.require_role(&[Role::Supervisor])?;
    caller.require_office(&office)?;
    // Each case once: more entries than there are cases is not a rule but a mistake.
    if rule.required.len() > bhxh_domain::PaperCase::all().len() {
        return Err(ApiError::validation("more cases than a rule can name"));
    }
    Ok(Json(state.with_store(|s| s.set_paper_rule(&caller.0, rule, state.now()))?))
}
