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
    let origin = app_origin.clone();
    let submitted = pool.submit(move || {
        let Some(responder) = responder_slot.lock().unwrap_or_else(|p| p.into_inner()).take() else { return };
        // Whatever happens while reading, the page gets an answer: a request left
        // unanswered would keep its image spinning for ever.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read(&desk, &path, size)));
        let (status, content_type, body) = match result {
            Ok(Ok((content_type, bytes))) => (StatusCode::OK, content_type, bytes),
            Ok(Err(e)) => {
                let status = match e.code {
                    ErrorCode::NotFound => StatusCode::NOT_FOUND,
                    ErrorCode::Forbidden | ErrorCode::Unauthorized | ErrorCode::Locked => StatusCode::FORBIDDEN,
                    _ => StatusCode::INTERNAL_SERVER_ERROR,
                };
                (status, TEXT.to_owned(), e.message.vi.into_bytes())
            }
            Err(_) => {
                tracing::error!(path = %path, "reading a document image panicked");
                let vi = "Không hiển thị được ảnh này do lỗi của ứng dụng. Hãy mở lại hồ sơ.";
                (StatusCode::INTERNAL_SERVER_ERROR, TEXT.to_owned(), vi.as_bytes().to_vec())
            }
        };
        respond(responder, status, &content_type, body, origin.as_deref());
    });
    if submitted.is_err() {
        tracing::warn!("image requests queue full: answered busy");
        if let Some(responder) = busy.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let vi = "Đang tải nhiều ảnh cùng lúc, ảnh sẽ được tải lại.";
            respond(responder, StatusCode::SERVICE_UNAVAILABLE, TEXT, vi.as_bytes().to_vec(), app_origin.as_deref());
        }
    }
}

const TEXT: &str = "text/plain; charset=utf-8";

fn read(desk: &Desk, path: &str, size: Option<Size>) -> Result<(String, Vec<u8>), bhxh_desk_core::AppError> {
    match path.strip_prefix("paper/").and_then(|rest| rest.split_once('/')) {
        Some((sha, page)) => match page.parse::<u32>() {
            Ok(page) => desk.paper_page_image(sha, page).map(|b| ("image/jpeg".to_owned(), b)),
            Err(_) => {
                Err(bhxh_desk_core::AppError::new(ErrorCode::NotFound, "Không có trang này.", "There is no such page."))
            }
        },
        None => desk.document_image(path, size),
    }
}

/// Every answer carries the CORS grant for the app's own page, errors and "busy"
/// included: without it the page's fetch sees a network error, not the status it
/// should act on (a 503 is asked again).
fn respond(responder: UriSchemeResponder, status: StatusCode, content_type: &str, body: Vec<u8>, origin: Option<&str>) {
    let mut r = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "no-store");
    if status == StatusCode::SERVICE_UNAVAILABLE {
        r = r.header(header::RETRY_AFTER, "1");
    }
    if let Some(origin) = origin {
        r = r.header(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin).header(header::VARY, "Origin");
    }
    match r.body(body) {
        Ok(r) => responder.respond(r),
        Err(e) => tracing::error!(error = %e, "building a document response failed"),
    }
}
