//! The JSON body extractor of every route: axum's, with its refusals (not JSON,
//! wrong content type, too large, wrong shape) answered as the API's `ErrorBody`
//! like every other error, instead of a bare text line.

use crate::error::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use bhxh_protocol::error_code;
use serde::de::DeserializeOwned;

pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(refusal(rejection)),
        }
    }
}

fn refusal(r: JsonRejection) -> ApiError {
    let detail = r.body_text();
    tracing::warn!(status = %r.status(), %detail, "request body refused");
    match r {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            error_code::UNSUPPORTED_MEDIA_TYPE,
            "expected Content-Type: application/json",
        ),
        JsonRejection::JsonSyntaxError(_) => ApiError::new(StatusCode::BAD_REQUEST, error_code::BAD_REQUEST, detail),
        JsonRejection::JsonDataError(_) => ApiError::validation(detail),
        _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, error_code::PAYLOAD_TOO_LARGE, "request body too large")
        }
        _ => ApiError::new(StatusCode::BAD_REQUEST, error_code::BAD_REQUEST, detail),
    }
}

/// A query string, its refusal answered as an `ErrorBody` (422: the request's
/// shape is right, a value is not).
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(r) => {
                let detail = r.body_text();
                tracing::warn!(%detail, "query refused");
                Err(ApiError::validation(detail))
            }
        }
    }
}

/// Path parameters, their refusal (not UTF-8 once decoded) answered as an `ErrorBody`.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> axum::extract::FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(r) => {
                let detail = r.body_text();
                tracing::warn!(%detail, "path refused");
                Err(ApiError::new(StatusCode::NOT_FOUND, error_code::NOT_FOUND, detail))
            }
        }
    }
}
