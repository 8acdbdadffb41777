//! `bhxhdoc://localhost/<document id>`: document bytes for the web view, straight
//! from the cache's store, after the session's role and office are checked. No
//! base64 over IPC, no file paths exposed to the page.

use bhxh_desk_core::{Desk, ErrorCode};
use std::sync::Arc;
use tauri::http::{Request, Response, StatusCode, header};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

pub const SCHEME: &str = "bhxhdoc";

pub fn handle<R: Runtime>(ctx: UriSchemeContext<'_, R>, request: Request<Vec<u8>>, responder: UriSchemeResponder) {
    let desk = ctx.app_handle().state::<Arc<Desk>>().inner().clone();
    let id = request.uri().path().trim_start_matches('/').to_owned();
    // Reading and hashing a photo takes a few milliseconds: keep it off the UI thread.
    std::thread::spawn(move || {
        let response = match desk.document_bytes(&id) {
            Ok((content_type, bytes)) => Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, content_type)
                .header(header::CACHE_CONTROL, "no-store")
                .body(bytes),
            Err(e) => {
                let status = match e.code {
                    ErrorCode::NotFound => StatusCode::NOT_FOUND,
                    ErrorCode::Forbidden | ErrorCode::Unauthorized | ErrorCode::Locked => StatusCode::FORBIDDEN,
                    _ => StatusCode::INTERNAL_SERVER_ERROR,
                };
                Response::builder()
                    .status(status)
                    .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
                    .body(e.message.into_bytes())
            }
        };
        match response {
            Ok(r) => responder.respond(r),
            Err(e) => tracing::error!(error = %e, "building a document response failed"),
        }
    });
}
