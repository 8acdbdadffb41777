//! Request handlers. Each checks the caller, talks to the store, answers JSON.

use crate::auth::{self, Caller};
use crate::db::NewDocument;
use crate::extract::ApiJson;
use crate::extract::{ApiPath, ApiQuery};
use crate::{ApiError, AppState, documents, offices};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use bhxh_domain::Role;
use bhxh_protocol::{
    Cursor, DeclarationPage, FaultSettings, Health, LoginRequest, LoginResponse, OfficeList, Submission,
    SubmissionAccepted, UserInfo, error_code,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub const MAX_PAGE: u32 = 500;
pub const MAX_DOCUMENT_BYTES: usize = bhxh_protocol::MAX_DOCUMENT_BYTES as usize;
pub const MAX_DOCUMENTS: usize = 8;
const ALLOWED_TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp", "application/pdf"];

/// Ids travel in URLs; anything but letters, digits, `-` and `_` is not one of ours.
fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 80 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub async fn health() -> Json<Health> {
    Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() })
}

pub async fn openapi() -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], bhxh_protocol::OPENAPI_JSON).into_response()
}

pub async fn login(
    State(state): State<AppState>,
    peer: Option<axum::Extension<crate::PeerAddr>>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let now = state.now();
    let account = req.username.trim().to_lowercase();
    // Every login from an address counts; only wrong passwords count against an
    // account (so nobody can lock an officer out by guessing at their name).
    // This machine's own address is not counted: the demo, the tests' many desks and a
    // local reverse proxy all come from it (a proxy in front must be the one to count).
    if let Some(axum::Extension(crate::PeerAddr(ip))) = peer
        && !ip.is_loopback()
        && let Err(wait) = state.logins_from.take(&ip.to_string(), now)
    {
        tracing::warn!(%ip, "login budget of an address spent");
        return Err(ApiError::rate_limited("too many logins from this address; slow down", wait));
    }
    if let Err(wait) = state.failed_logins.allows(&account, now) {
        tracing::warn!(user = %account, "too many wrong passwords for an account");
        return Err(ApiError::rate_limited("too many wrong passwords for this account; wait", wait));
    }
    // Argon2 is deliberately slow: off the async workers, and a few at a time.
    let _permit = state.password_checks.clone().acquire_owned().await.map_err(ApiError::internal)?;
    let state2 = state.clone();
    let answer = tokio::task::spawn_blocking(move || auth::login(&state2, &req.username, &req.password))
        .await
        .map_err(ApiError::internal)?;
    if matches!(&answer, Err(e) if e.code == error_code::BAD_CREDENTIALS) {
        // Spent after the fact; the next attempt over budget is refused above.
        let _ = state.failed_logins.take(&account, now);
    }
    answer.map(Json)
}

pub async fn me(caller: Caller) -> Json<UserInfo> {
    Json(caller.0)
}

/// `PUT /v1/me/audit-head`: where the caller's audit chain on one PC ends now.
pub async fn audit_head(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(report): ApiJson<bhxh_protocol::AuditHeadReport>,
) -> Result<Json<bhxh_protocol::AuditHeadAnswer>, ApiError> {
    if uuid::Uuid::parse_str(&report.cache_id).is_err() {
        return Err(ApiError::validation("cache_id must be a UUID"));
    }
    if !report.head.well_formed() || report.acknowledged.as_ref().is_some_and(|a| !a.well_formed()) {
        return Err(ApiError::validation("a link is a row number from 1 and 64 lower-case hex digits"));
    }
    let answer = state.with_store(|s| s.report_audit_head(&caller.0.username, &report, state.now()))?;
    Ok(Json(answer))
}

pub async fn list_offices(_caller: Caller) -> Result<Json<OfficeList>, ApiError> {
    Ok(Json(OfficeList { offices: offices::all().map_err(ApiError::internal)? }))
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    cursor: Option<String>,
    limit: Option<u32>,
}

pub async fn office_declarations(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(office): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    caller.require_role(&[Role::Officer, Role::Supervisor])?;
    caller.require_office(&office)?;
    crate::faults::injected_latency(&state).await;
    let cursor = match q.cursor.as_deref() {
        None | Some("") => Cursor::default(),
        Some(c) => Cursor::decode(c).map_err(|_| ApiError::validation("cursor is not one this server gave out"))?,
    };
    let limit = q.limit.unwrap_or(100).clamp(1, MAX_PAGE);
    // One more than asked tells whether another page follows.
    let mut rows = state.with_store(|s| s.page(&office, cursor.after_seq, limit + 1))?;
    let has_more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = rows.last().map(|(seq, _)| Cursor { after_seq: *seq }).unwrap_or(cursor);
    let page =
        DeclarationPage { items: rows.into_iter().map(|(_, d)| d).collect(), next_cursor: next.encode(), has_more };
    if state.faults.read().map(|f| f.malformed_pages).unwrap_or(false) {
        let body = serde_json::to_string(&page).map_err(ApiError::internal)?;
        let cut = body.len() / 2;
        let broken = body.get(..cut).unwrap_or("{").to_owned();
        return Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], broken).into_response());
    }
    Ok(Json(page).into_response())
}

pub async fn declaration(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<bhxh_protocol::Declaration>, ApiError> {
    // The helpdesk reads people through `/v1/citizens` (masked), never a declaration.
    caller.require_role(&[Role::Officer, Role::Supervisor])?;
    if !valid_id(&id) {
        return Err(ApiError::not_found("no such declaration"));
    }
    let d = state.with_store(|s| s.declaration(&id))?.ok_or_else(|| ApiError::not_found("no such declaration"))?;
    caller.require_office(&d.fields.office_code)?;
    Ok(Json(d))
}

pub async fn document(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    caller.require_role(&[Role::Officer, Role::Supervisor])?;
    if !valid_id(&id) {
        return Err(ApiError::not_found("no such document"));
    }
    let (doc, office) =
        state.with_store(|s| s.document(&id))?.ok_or_else(|| ApiError::not_found("no such document"))?;
    caller.require_office(&office)?;
    crate::faults::injected_latency(&state).await;
    let mut bytes = tokio::fs::read(state.blob_path(&doc.sha256)).await.map_err(ApiError::internal)?;
    if state.faults.read().map(|f| f.corrupt_documents).unwrap_or(false) {
        let mid = bytes.len() / 2;
        for b in bytes.iter_mut().skip(mid).take(64) {
            *b ^= 0x5A;
        }
    }
    let cut = state.faults.read().map(|f| f.cut_documents).unwrap_or(false);
    Ok(documents::respond(
        bytes,
        &doc.content_type,
        &doc.sha256,
        &headers,
        documents::Sending { cut, sent: &state.document_bytes_sent },
    ))
}

/// The content type the bytes' signature says, among the accepted ones.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// Files a declaration as the VssID app or the portal would send it.
/// `POST /v1/submissions`: only a channel's signed request files a declaration.
pub async fn submit(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<SubmissionAccepted>), ApiError> {
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json")));
    if !json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            error_code::UNSUPPORTED_MEDIA_TYPE,
            "expected Content-Type: application/json",
        ));
    }
    let channel = crate::channel::verify(&state, &headers, &body)?;
    let sub: Submission = serde_json::from_slice(&body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::validation(e.to_string()),
        _ => ApiError::new(StatusCode::BAD_REQUEST, error_code::BAD_REQUEST, e.to_string()),
    })?;
    tracing::info!(channel, "signed submission");
    let id = tokio::task::spawn_blocking(move || file_submission(&state, sub)).await.map_err(ApiError::internal)??;
    Ok((StatusCode::CREATED, Json(SubmissionAccepted { id })))
}

/// A character nobody types on purpose: controls (a CR/LF would reach a mail
/// header), and the invisible ones that reorder or hide text on screen.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Changes one adjustment may list (every field of Mẫu 01 that can change).
const MAX_CHANGES: usize = 8;

pub fn file_submission(state: &AppState, mut sub: Submission) -> Result<String, ApiError> {
    // Names are letters only: markup, quotes-and-semicolons never reach the store as
    // a name, and invisible marks are dropped (NFC, single spaces).
    let name = sub
        .fields
        .full_name
        .parse::<bhxh_domain::PersonName>()
        .map_err(|e| ApiError::validation(format!("full_name: {e}")))?;
    sub.fields.full_name = name.to_string();
    // The unit code reaches employers' spreadsheets: its shape, or nothing.
    if let Some(unit) = sub.fields.unit_code.take()
        && !unit.trim().is_empty()
    {
        let code =
            unit.parse::<bhxh_domain::UnitCode>().map_err(|e| ApiError::validation(format!("unit_code: {e}")))?;
        sub.fields.unit_code = Some(code.to_string());
    }
    let f = &sub.fields;
    for (what, text, max) in [
        ("address.province", f.address.province.as_str(), 100),
        ("address.commune", f.address.commune.as_str(), 100),
        ("address.street", f.address.street.as_str(), 200),
        ("phone", f.phone.as_str(), 30),
    ] {
        if text.chars().count() > max || text.chars().any(|c| c.is_control()) {
            return Err(ApiError::validation(format!(
                "{what}: longer than {max} characters or has control characters"
            )));
        }
    }
    if f.phone.trim().is_empty() {
        return Err(ApiError::validation("phone is required"));
    }
    if f.purpose != bhxh_domain::Purpose::Adjust && !f.changes.is_empty() {
        return Err(ApiError::validation("changes are listed only on an adjustment"));
    }
    if f.changes.len() > MAX_CHANGES {
        return Err(ApiError::validation(format!("at most {MAX_CHANGES} changes")));
    }
    let mut listed = std::collections::BTreeSet::new();
    for c in &f.changes {
        if c.field == bhxh_domain::ChangedField::MaSo {
            return Err(ApiError::validation("changes: a mã số BHXH is not changed through Mẫu 01"));
        }
        if !listed.insert(c.field) {
            return Err(ApiError::validation(format!("changes: {} listed twice", c.field.code())));
        }
    }
    let change_texts =
        f.changes.iter().flat_map(|c| [("changes.old", c.old.as_str()), ("changes.new", c.new.as_str())]);
    let free_texts =
        [("reason", f.reason.as_deref()), ("email", f.email.as_deref()), ("id_number", f.id_number.as_deref())];
    for (what, text) in change_texts.chain(free_texts.into_iter().filter_map(|(w, t)| t.map(|t| (w, t)))) {
        if text.chars().count() > 300 || text.chars().any(hidden) {
            return Err(ApiError::validation(format!(
                "{what}: longer than 300 characters or has control or invisible characters"
            )));
        }
    }
    let known = offices::all().map_err(ApiError::internal)?;
    if !known.iter().any(|o| o.code == f.office_code && o.parent_code.is_some()) {
        return Err(ApiError::validation(format!("unknown receiving office {:?}", f.office_code)));
    }
    if sub.documents.is_empty() || sub.documents.len() > MAX_DOCUMENTS {
        return Err(ApiError::validation(format!("expected 1 to {MAX_DOCUMENTS} documents")));
    }
    let mut new_docs = Vec::new();
    for (i, d) in sub.documents.iter().enumerate() {
        if !ALLOWED_TYPES.contains(&d.content_type.as_str()) {
            return Err(ApiError::validation(format!("document {i}: content type {:?} not accepted", d.content_type)));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(d.data_base64.as_bytes())
            .map_err(|e| ApiError::validation(format!("document {i}: not base64: {e}")))?;
        if bytes.is_empty() || bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(ApiError::validation(format!("document {i}: size {} out of bounds", bytes.len())));
        }
        // The bytes must be what the content type says: a renamed file is refused here,
        // not discovered by an officer's viewer.
        match sniff(&bytes) {
            Some(t) if t == d.content_type => {}
            found => {
                return Err(ApiError::validation(format!(
                    "document {i}: declared {:?} but the content is {}",
                    d.content_type,
                    found.unwrap_or("not an image or PDF")
                )));
            }
        }
        let sha = hex::encode(Sha256::digest(&bytes));
        new_docs.push((
            NewDocument { kind: d.kind, content_type: d.content_type.clone(), size: bytes.len() as u64, sha256: sha },
            bytes,
        ));
    }
    // Only a submission valid in every part writes anything.
    for (doc, bytes) in &new_docs {
        let path = state.blob_path(&doc.sha256);
        if !path.exists() {
            let tmp = state.blobs_dir().join(format!(".{}.{}", doc.sha256, uuid::Uuid::new_v4().simple()));
            std::fs::write(&tmp, bytes).map_err(ApiError::internal)?;
            std::fs::rename(&tmp, &path).map_err(ApiError::internal)?;
        }
    }
    let new_docs: Vec<NewDocument> = new_docs.into_iter().map(|(d, _)| d).collect();
    // The channel says when the citizen submitted (its queue may deliver later); a
    // time ahead of the server's clock is not believed beyond a few minutes' skew,
    // and what is believed is never after the server's now.
    let now = state.now();
    let submitted_at = match sub.submitted_at {
        Some(t) if t > now + chrono::TimeDelta::minutes(SUBMITTED_AT_SKEW_MINUTES) => {
            return Err(ApiError::validation(format!("submitted_at {t} is ahead of the server's clock ({now})")));
        }
        Some(t) => t.min(now),
        None => now,
    };
    Ok(state.with_store(|s| s.insert_declaration(&sub.fields, submitted_at, &new_docs))?)
}

/// How far ahead of the server's clock a channel's `submitted_at` may be (its clock's drift).
const SUBMITTED_AT_SKEW_MINUTES: i64 = 5;

/// The admin routes: on only with `--admin`, and only for the bearer of the token
/// in the data directory's `admin.token` (compared in constant time).
fn require_admin(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = state.admin_token.as_deref() else {
        return Err(ApiError::forbidden("admin endpoints are off; start the server with --admin"));
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    let same =
        given.len() == token.len() && given.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if same {
        Ok(())
    } else {
        Err(ApiError::unauthorized("the admin token (admin.token in the data directory) is required"))
    }
}

pub async fn get_faults(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<FaultSettings>, ApiError> {
    require_admin(&state, &headers)?;
    Ok(Json(state.faults.read().map(|f| f.clone()).unwrap_or_default()))
}

pub async fn put_faults(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(new): ApiJson<FaultSettings>,
) -> Result<Json<FaultSettings>, ApiError> {
    require_admin(&state, &headers)?;
    if let Ok(mut f) = state.faults.write() {
        *f = new.clone();
    }
    tracing::warn!(?new, "fault injection changed");
    Ok(Json(new))
}

#[derive(serde::Deserialize)]
pub struct NewPassword {
    password: String,
}

/// What the real service's portal does when an officer changes their password:
/// the new one is in force and the old tokens are void (tests and demos use it to
/// show the desk's previous-password prompt).
pub async fn put_password(
    State(state): State<AppState>,
    ApiPath(username): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(new): ApiJson<NewPassword>,
) -> Result<StatusCode, ApiError> {
    require_admin(&state, &headers)?;
    if new.password.is_empty() || new.password.chars().count() > 256 {
        return Err(ApiError::validation("password must be 1 to 256 characters"));
    }
    tokio::task::spawn_blocking(move || {
        if state.set_password(&username, &new.password)? {
            tracing::warn!(user = %username, "password changed through /admin");
            Ok(StatusCode::NO_CONTENT)
        } else {
            Err(ApiError::not_found("no such account"))
        }
    })
    .await
    .map_err(ApiError::internal)?
}

/// `PUT /admin/users/{username}/wipe`: every desk holding the account's data wipes
/// it at its next online login (a lost PC, an officer who left).
pub async fn put_wipe(
    State(state): State<AppState>,
    ApiPath(username): ApiPath<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    require_admin(&state, &headers)?;
    if state.with_store(|s| s.request_wipe(&username, state.now()))? {
        tracing::warn!(user = %username, "wipe of the desks' data requested through /admin");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("no such account"))
    }
}

pub async fn no_route() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, bhxh_protocol::error_code::NO_ROUTE, "no such route")
}
