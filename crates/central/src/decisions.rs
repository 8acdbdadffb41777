//! Decisions and assignments: `POST /v1/decisions` (idempotent per officer and
//! key), `POST`/`DELETE /v1/declarations/{id}/assignment`.

use crate::auth::Caller;
use crate::db::{KeyAnswer, KeyState, Recorded};
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::extract::ApiPath;
use crate::{AppState, faults};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bhxh_domain::reference::ReferenceData;
use bhxh_domain::{PaperCase, PaperShown, Role, paper_admits};
use bhxh_protocol::{
    AssignmentAnswer, DecisionAnswer, DecisionBatch, DecisionBatchAnswer, DecisionBatchItemAnswer, DecisionRequest,
    DecisionResult, ErrorBody, MAX_DECISION_BATCH, error_code,
};
use sha2::{Digest, Sha256};

/// How long a review lease lasts unless renewed (the desk renews while open).
pub const LEASE_MINUTES: i64 = 10;
/// A declaration a supervisor hands to an officer stays theirs for a working day.
pub const HAND_OVER_HOURS: i64 = 8;

fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::trim).ok_or_else(|| {
        ApiError::new(StatusCode::BAD_REQUEST, error_code::BAD_REQUEST, "Idempotency-Key header required")
    })?;
    if key.is_empty() || key.len() > 64 || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, error_code::BAD_REQUEST, "Idempotency-Key must be a UUID"));
    }
    Ok(key.to_owned())
}

fn json_response(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (status, [(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn refused(e: &ApiError) -> KeyAnswer {
    KeyAnswer::Refused {
        status: e.status.as_u16(),
        error: ErrorBody { code: e.code.to_owned(), message: e.message.clone() },
    }
}

fn replay(answer: &KeyAnswer) -> Response {
    json_response(answer.status(), answer.body_json())
}

pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> Result<Response, ApiError> {
    caller.require_role(&[Role::Officer, Role::Supervisor])?;
    let key = idempotency_key(&headers)?;
    let body = serde_json::to_vec(&req).map_err(ApiError::internal)?;
    let sha = hex::encode(Sha256::digest(&body));
    let officer = caller.0.username.clone();
    let now = state.now();
    match state.with_store(|s| s.begin_key(&officer, &key, &sha, now))? {
        KeyState::Replay(answer) => return Ok(replay(&answer)),
        KeyState::InFlight => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                error_code::IN_FLIGHT,
                "the first request with this key is still in progress",
            ));
        }
        KeyState::Reused => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                error_code::KEY_REUSED,
                "this Idempotency-Key was used with a different request",
            ));
        }
        KeyState::New => {}
    }
    faults::injected_latency(&state).await;
    let st = state.clone();
    let caller_info = caller.0.clone();
    let k = key.clone();
    let outcome =
        tokio::task::spawn_blocking(move || process(&st, &caller_info, &k, &req)).await.map_err(ApiError::internal)?;
    match outcome {
        Ok(answer) => {
            // "Committed, then the answer lost": the retry must get the replay.
            if faults::roll(&state, |f| f.commit_drop_percent) {
                faults::drop_connection();
            }
            Ok(replay(&answer))
        }
        Err(e) if e.status.is_client_error() => {
            // A refusal is final for this key: a retry gets the same one.
            state.with_store(|s| s.finish_key(&officer, &key, &refused(&e)))?;
            Err(e)
        }
        Err(e) => {
            let _ = state.with_store(|s| s.abandon_key(&officer, &key));
            Err(e)
        }
    }
}

/// Whether `req` may be recorded at all: the declaration exists in the caller's
/// office and the decision meets the catalogue's rules (the desk also asks for a
/// note when approving over a Block finding: the server does not know the findings).
fn check(store: &crate::Store, caller: &bhxh_protocol::UserInfo, req: &DecisionRequest) -> Result<(), ApiError> {
    let d = store
        .declaration(&req.declaration_id)?
        .ok_or_else(|| ApiError::not_found(format!("no declaration {}", req.declaration_id)))?;
    if d.fields.office_code != caller.office_code {
        return Err(ApiError::forbidden(format!("account is bound to office {}", caller.office_code)));
    }
    let normalised =
        req.draft.clone().validate(ReferenceData::get(), 0).map_err(|e| ApiError::validation(e.to_string()))?;
    if normalised.reasons != req.draft.reasons {
        return Err(ApiError::validation("reasons must be distinct"));
    }
    // The office's paper-form rule: the pages are on the officer's PC, never here,
    // so an approval where the rule applies stands on the officer's "seen".
    let case = PaperCase { purpose: d.fields.purpose, kind: d.fields.kind, channel: d.fields.channel };
    let required = store.paper_required(&d.fields.office_code, case)?;
    paper_admits(required, req.draft.outcome, PaperShown::NotHere, req.draft.paper_seen)
        .map_err(|e| ApiError::validation(e.to_string()))?;
    Ok(())
}

fn process(
    state: &AppState,
    caller: &bhxh_protocol::UserInfo,
    key: &str,
    req: &DecisionRequest,
) -> Result<KeyAnswer, ApiError> {
    state.with_store(|s| check(s, caller, req))?;
    Ok(state.with_store(|s| s.record_decision(caller, key, req, state.now(), answer_of))?)
}

fn answer_of(r: &Recorded) -> KeyAnswer {
    let (status, result, decision, assignment) = match r {
        Recorded::Accepted(d) => (201, DecisionResult::Accepted, Some(d.clone()), None),
        Recorded::Duplicate(d) => (200, DecisionResult::Duplicate, Some(d.clone()), None),
        Recorded::ConflictDecision(d) => (200, DecisionResult::Conflict, Some(d.clone()), None),
        Recorded::ConflictAssignment(a) => (200, DecisionResult::Conflict, None, Some(a.clone())),
    };
    KeyAnswer::Decided { status, answer: DecisionAnswer { result, decision, assignment } }
}

/// Several decisions in one request and one transaction: the way the desk's outbox
/// delivers a backlog quickly. Each item keeps its own key and gets the answer it
/// would get alone.
pub async fn decide_batch(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(batch): ApiJson<DecisionBatch>,
) -> Result<Json<DecisionBatchAnswer>, ApiError> {
    caller.require_role(&[Role::Officer, Role::Supervisor])?;
    if batch.items.is_empty() || batch.items.len() > MAX_DECISION_BATCH {
        return Err(ApiError::validation(format!("expected 1 to {MAX_DECISION_BATCH} items")));
    }
    let mut items = Vec::with_capacity(batch.items.len());
    for item in &batch.items {
        let key = &item.idempotency_key;
        if key.is_empty() || key.len() > 64 || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                error_code::BAD_REQUEST,
                format!("item key {key:?} is not a UUID"),
            ));
        }
        // The same hash a single request would store: one key, one body, either way.
        let body = serde_json::to_vec(&item.request).map_err(ApiError::internal)?;
        items.push((key.clone(), hex::encode(Sha256::digest(&body)), item.request.clone()));
    }
    faults::injected_latency(&state).await;
    let st = state.clone();
    let caller_info = caller.0.clone();
    #[expect(clippy::result_large_err, reason = "a refusal is the key's answer, kept as it is sent")]
    let replies = tokio::task::spawn_blocking(move || {
        let in_flight = refused(&ApiError::new(
            StatusCode::CONFLICT,
            error_code::IN_FLIGHT,
            "the first request with this key is still in progress",
        ));
        let reused = refused(&ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            error_code::KEY_REUSED,
            "this Idempotency-Key was used with a different request",
        ));
        st.with_store(|s| {
            s.record_batch(
                &caller_info,
                &items,
                st.now(),
                |store, req| check(store, &caller_info, req).map_err(|e| refused(&e)),
                answer_of,
                &in_flight,
                &reused,
            )
        })
        .map(|replies| items.into_iter().map(|(k, _, _)| k).zip(replies).collect::<Vec<_>>())
    })
    .await
    .map_err(ApiError::internal)??;
    if faults::roll(&state, |f| f.commit_drop_percent) {
        faults::drop_connection();
    }
    let items = replies
        .into_iter()
        .map(|(idempotency_key, reply)| match reply {
            KeyAnswer::Decided { status, answer } => {
                DecisionBatchItemAnswer { idempotency_key, status, answer: Some(answer), error: None }
            }
            KeyAnswer::Refused { status, error } => {
                DecisionBatchItemAnswer { idempotency_key, status, answer: None, error: Some(error) }
            }
        })
        .collect();
    Ok(Json(DecisionBatchAnswer { items }))
}

fn own_declaration(state: &AppState, caller: &Caller, id: &str) -> Result<(), ApiError> {
    let d =
        state.with_store(|s| s.declaration(id))?.ok_or_else(|| ApiError::not_found(format!("no declaration {id}")))?;
    caller.require_office(&d.fields.office_code)
}

pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AssignmentAnswer>, ApiError> {
    caller.require_role(&[Role::Officer, Role::Supervisor])?;
    own_declaration(&state, &caller, &id)?;
    let ttl = chrono::Duration::minutes(LEASE_MINUTES);
    let answer = match state.with_store(|s| s.assign(&caller.0, &id, ttl, state.now()))? {
        Ok(a) => AssignmentAnswer { granted: true, assignment: a },
        Err(other) => AssignmentAnswer { granted: false, assignment: other },
    };
    Ok(Json(answer))
}

/// Releases one's own lease; a supervisor may take anyone's away (audited).
pub async fn release(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_role(&[Role::Officer, Role::Supervisor])?;
    own_declaration(&state, &caller, &id)?;
    if let Some(a) = state.with_store(|s| s.assignment_of(&id, state.now()))?
        && a.officer != caller.0.username
        && caller.0.role != Role::Supervisor
    {
        return Err(ApiError::forbidden("only a supervisor may take an assignment away"));
    }
    state.with_store(|s| s.release(&caller.0, &id, state.now()))?;
    Ok(StatusCode::NO_CONTENT)
}
