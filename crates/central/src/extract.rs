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
