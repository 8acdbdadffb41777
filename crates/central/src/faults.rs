//! Fault injection: the ways a real network and a real central service fail,
//! on demand (`--fault …` at start, `PUT /admin/faults` at run time with `--admin`).

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bhxh_protocol::{FaultSettings, error_code};
use rand::Rng;

/// Whether this request gets the fault whose share `pick` returns (percent).
pub fn roll(state: &AppState, pick: impl Fn(&FaultSettings) -> u8) -> bool {
    let p = state.faults.read().map(|f| pick(&f)).unwrap_or(0);
    p > 0 && rand::rng().random_range(0..100u8) < p
}

pub async fn injected_latency(state: &AppState) {
    let ms = state.faults.read().map(|f| f.latency_ms).unwrap_or(0);
    if ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
}

/// Ends the connection without an answer. The panic unwinds the connection's task
/// only (HTTP/1 serves a request inside it), which closes the socket; the payload
/// is not a bug report, so the panic hook is not run.
pub fn drop_connection() -> ! {
    std::panic::resume_unwind(Box::new("injected fault: connection dropped"))
}

/// Before any API handler: 503s, 429s, dropped connections, expired tokens.
pub async fn before_handler(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if roll(&state, |f| f.error_percent) {
        return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, error_code::UNAVAILABLE, "injected fault: unavailable")
            .into_response();
    }
    if roll(&state, |f| f.throttle_percent) {
        let mut r = ApiError::new(StatusCode::TOO_MANY_REQUESTS, error_code::RATE_LIMITED, "injected fault: slow down")
            .into_response();
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return r;
    }
    if roll(&state, |f| f.drop_percent) {
        drop_connection();
    }
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    if let Some(token) = token
        && roll(&state, |f| f.expire_token_percent)
    {
        let _ = state.with_store(|s| s.delete_token(&token));
        return ApiError::unauthorized("token expired").into_response();
    }
    next.run(req).await
}
