//! The routing table. `ROUTES` is the list the OpenAPI document must agree with.

use crate::supervisor;
use crate::{AppState, api, coverage, decisions, faults, helpdesk};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};

/// Every (method, path) the server answers, in OpenAPI path syntax.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/health"),
    ("get", "/openapi.json"),
    ("post", "/v1/auth/login"),
    ("get", "/v1/me"),
    ("put", "/v1/me/audit-head"),
    ("get", "/v1/offices"),
    ("get", "/v1/offices/{code}/declarations"),
    ("get", "/v1/declarations/{id}"),
    ("get", "/v1/documents/{id}"),
    ("post", "/v1/submissions"),
    ("post", "/v1/decisions"),
    ("post", "/v1/decisions/batch"),
    ("post", "/v1/declarations/{id}/assignment"),
    ("delete", "/v1/declarations/{id}/assignment"),
    ("get", "/v1/offices/{code}/directory"),
    ("post", "/v1/lookup"),
    ("get", "/v1/citizens/{ma_so}"),
    ("post", "/v1/citizens/{ma_so}/phone-check"),
    ("get", "/v1/citizens/{ma_so}/calls"),
    ("post", "/v1/citizens/{ma_so}/calls"),
    ("get", "/v1/offices/{code}/quotas"),
    ("put", "/v1/offices/{code}/quotas"),
    ("get", "/v1/offices/{code}/paper-rule"),
    ("put", "/v1/offices/{code}/paper-rule"),
    ("get", "/v1/offices/{code}/coverage"),
    ("get", "/v1/offices/{code}/units"),
    ("post", "/v1/offices/{code}/letters"),
    ("post", "/v1/offices/{code}/letters/{id}/void"),
    ("post", "/v1/declarations/{id}/hand-over"),
    ("get", "/admin/faults"),
    ("put", "/admin/faults"),
    ("put", "/admin/users/{username}/password"),
    ("put", "/admin/users/{username}/wipe"),
];

/// Any other body: a batch of 100 decisions is a few tens of KB.
const API_BODY_LIMIT: usize = 1024 * 1024;

/// A submission carries its photos as base64: a few phone photos fit in 64 MB.
const SUBMISSION_BODY_LIMIT: usize = 64 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    // The API proper: where the injected faults strike.
    let v1 = Router::new()
        .route("/v1/auth/login", post(api::login))
        .route("/v1/me", get(api::me))
        .route("/v1/me/audit-head", put(api::audit_head))
        .route("/v1/offices", get(api::list_offices))
        .route("/v1/offices/{code}/declarations", get(api::office_declarations))
        .route("/v1/declarations/{id}", get(api::declaration))
        .route("/v1/documents/{id}", get(api::document))
        .route("/v1/submissions", post(api::submit).layer(DefaultBodyLimit::max(SUBMISSION_BODY_LIMIT)))
        .route("/v1/decisions", post(decisions::decide))
        .route("/v1/decisions/batch", post(decisions::decide_batch))
        .route("/v1/declarations/{id}/assignment", post(decisions::assign).delete(decisions::release))
        .route("/v1/offices/{code}/directory", get(helpdesk::directory))
        .route("/v1/lookup", post(helpdesk::lookup))
        .route("/v1/citizens/{ma_so}", get(helpdesk::citizen))
        .route("/v1/citizens/{ma_so}/phone-check", post(helpdesk::phone_check))
        .route("/v1/citizens/{ma_so}/calls", get(helpdesk::calls).post(helpdesk::log_call))
        .route("/v1/offices/{code}/quotas", get(supervisor::quotas).put(supervisor::set_quota))
        .route("/v1/offices/{code}/paper-rule", get(supervisor::paper_rule).put(supervisor::set_paper_rule))
        .route("/v1/offices/{code}/coverage", get(coverage::coverage))
        .route("/v1/offices/{code}/units", get(coverage::units))
        .route("/v1/offices/{code}/letters", post(coverage::letter_number))
        .route("/v1/offices/{code}/letters/{id}/void", post(coverage::void_letter))
        .route("/v1/declarations/{id}/hand-over", post(coverage::hand_over))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), faults::before_handler));
    Router::new()
        .route("/health", get(api::health))
        .route("/openapi.json", get(api::openapi))
        .merge(v1)
        .route("/admin/faults", get(api::get_faults).put(api::put_faults))
        .route("/admin/users/{username}/password", put(api::put_password))
        .route("/admin/users/{username}/wipe", put(api::put_wipe))
        // Every body is small but a submission's (its own limit above wins).
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT))
        .fallback(api::no_route)
        .method_not_allowed_fallback(api::no_route)
        .with_state(state)
}
