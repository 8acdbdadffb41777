//! `bhxhdoc://localhost/<document id>[?size=screen|thumb]` and
//! `bhxhdoc://localhost/paper/<sha256>/<page>`: document images for the web view,
//! straight from the cache's store (screen-size derivatives when asked), after the
//! session's role and office are checked. No base64 over IPC, no file paths
//! exposed to the page.

use bhxh_desk_core::ImageSize as Size;
use bhxh_desk_core::{Desk, ErrorCode};
use std::sync::Arc;
use tauri::http::{Request, Response, StatusCode, header};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

pub const SCHEME: &str = "bhxhdoc";

pub fn handle<R: Runtime>(ctx: UriSchemeContext<'_, R>, request: Request<Vec<u8>>, responder: UriSchemeResponder) {
    let desk = ctx.app_handle().state::<Arc<Desk>>().inner().clone();
    let path = request.uri().path().trim_start_matches('/').to_owned();
    let size = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("size=")))
        .and_then(Size::from_code);
    // Reading and hashing a photo takes a few milliseconds: keep it off the UI thread.
    std::thread::spawn(move || {
        let result = match path.strip_prefix("paper/").and_then(|rest| rest.split_once('/')) {
            Some((sha, page)) => match page.parse::<u32>() {
                Ok(page) => desk.paper_page_image(sha, page).map(|b| ("image/jpeg".to_owned(), b)),
                Err(_) => Err(bhxh_desk_core::AppError::new(
                    ErrorCode::NotFound,
                    "Không có trang này.",
                    "There is no such page.",
                )),
            },
            None => desk.document_image(&path, size),
        };
        let response = match result {
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
