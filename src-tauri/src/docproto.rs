//! `bhxhdoc://localhost/<document id>[?size=screen|thumb]` and
//! `bhxhdoc://localhost/paper/<sha256>/<page>`: document images for the web view,
//! straight from the cache's store (screen-size derivatives when asked), after the
//! session's role and office are checked. No base64 over IPC, no file paths
//! exposed to the page.

use bhxh_desk_core::ImageSize as Size;
use bhxh_desk_core::images::ImagePool;
use bhxh_desk_core::{Desk, ErrorCode};
use std::sync::{Arc, Mutex};
use tauri::http::{Request, Response, StatusCode, header};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

pub const SCHEME: &str = "bhxhdoc";

/// Where the app's own page is served from (Linux and macOS; Windows).
const APP_ORIGINS: &[&str] = &["tauri://localhost", "http://tauri.localhost"];

pub fn handle<R: Runtime>(ctx: UriSchemeContext<'_, R>, request: Request<Vec<u8>>, responder: UriSchemeResponder) {
    let desk = ctx.app_handle().state::<Arc<Desk>>().inner().clone();
    // The screen fetches the next declaration's images ahead (`ui/src/lib/prefetch.ts`);
    // a fetch across schemes needs CORS, granted to the app's own page and nothing else.
    let app_origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .filter(|o| APP_ORIGINS.contains(o))
        .map(str::to_owned);
    let path = request.uri().path().trim_start_matches('/').to_owned();
    let size = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("size=")))
        .and_then(Size::from_code);
    // Reading and decoding a photo takes milliseconds to a second: off the UI thread,
    // on the app's few image threads (a burst of requests waits, it does not multiply).
    let pool = ctx.app_handle().state::<Arc<ImagePool>>().inner().clone();
    let busy = Arc::new(Mutex::new(Some(responder)));
    let responder_slot = Arc::clone(&busy);
    let submitted = pool.submit(move || {
        let Some(responder) = responder_slot.lock().unwrap_or_else(|p| p.into_inner()).take() else { return };
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
            Ok((content_type, bytes)) => {
                let mut r = Response::builder()
                    .status(StatusCode::OK)
                    .header(header::CONTENT_TYPE, content_type)
                    .header(header::CACHE_CONTROL, "no-store");
                if let Some(origin) = &app_origin {
                    r = r.header(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin).header(header::VARY, "Origin");
                }
                r.body(bytes)
            }
            Err(e) => {
                let status = match e.code {
                    ErrorCode::NotFound => StatusCode::NOT_FOUND,
                    ErrorCode::Forbidden | ErrorCode::Unauthorized | ErrorCode::Locked => StatusCode::FORBIDDEN,
                    _ => StatusCode::INTERNAL_SERVER_ERROR,
                };
                Response::builder()
                    .status(status)
                    .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
                    .body(e.message.vi.into_bytes())
            }
        };
        match response {
            Ok(r) => responder.respond(r),
            Err(e) => tracing::error!(error = %e, "building a document response failed"),
        }
    });
    if submitted.is_err() {
        tracing::warn!("image requests queue full: answered busy");
        if let Some(responder) = busy.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let r = Response::builder()
                .status(StatusCode::SERVICE_UNAVAILABLE)
                .header(header::RETRY_AFTER, "1")
                .body(Vec::new());
            if let Ok(r) = r {
                responder.respond(r);
            }
        }
    }
}
