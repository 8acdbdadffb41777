//! Document download with `Range` support (single ranges, as resumable clients send).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bhxh_protocol::{CONTENT_SHA256_HEADER, error_code};

use crate::ApiError;

/// A parsed `Range: bytes=…` header, resolved against the content length.
#[derive(Debug, PartialEq, Eq)]
pub enum RangeSpec {
    Full,
    Partial { start: u64, end_inclusive: u64 },
    Unsatisfiable,
}

pub fn parse_range(header: Option<&str>, len: u64) -> RangeSpec {
    let Some(h) = header else { return RangeSpec::Full };
    let Some(spec) = h.trim().strip_prefix("bytes=") else { return RangeSpec::Full };
    // Multiple ranges are legal but no client of ours sends them: answer with the whole file.
    if spec.contains(',') {
        return RangeSpec::Full;
    }
    let Some((a, b)) = spec.split_once('-') else { return RangeSpec::Full };
    let (a, b) = (a.trim(), b.trim());
    let range = match (a.is_empty(), b.is_empty()) {
        (true, true) => return RangeSpec::Full,
        (true, false) => match b.parse::<u64>() {
            Ok(0) => return RangeSpec::Unsatisfiable,
            Ok(n) => (len.saturating_sub(n), len.saturating_sub(1)),
            Err(_) => return RangeSpec::Full,
        },
        (false, _) => {
            let Ok(start) = a.parse::<u64>() else { return RangeSpec::Full };
            let end = if b.is_empty() {
                len.saturating_sub(1)
            } else {
                match b.parse::<u64>() {
                    Ok(e) if e >= start => e.min(len.saturating_sub(1)),
                    _ => return RangeSpec::Full,
                }
            };
            (start, end)
        }
    };
    if len == 0 || range.0 >= len {
        return RangeSpec::Unsatisfiable;
    }
    RangeSpec::Partial { start: range.0, end_inclusive: range.1 }
}

/// How the bytes leave: counted, and cut half-way when that fault is on.
pub struct Sending<'a> {
    pub cut: bool,
    pub sent: &'a std::sync::atomic::AtomicU64,
}

impl Sending<'_> {
    /// The body for `bytes`: whole, or half of it and then an error, which makes the
    /// server break the connection (the announced length is never reached).
    fn body(&self, bytes: Vec<u8>, headers: &mut HeaderMap) -> axum::body::Body {
        let len = bytes.len();
        if let Ok(v) = HeaderValue::from_str(&len.to_string()) {
            headers.insert(header::CONTENT_LENGTH, v);
        }
        if !self.cut || len < 2 {
            self.sent.fetch_add(len as u64, std::sync::atomic::Ordering::Relaxed);
            return axum::body::Body::from(bytes);
        }
        let half = bytes[..len / 2].to_vec();
        self.sent.fetch_add(half.len() as u64, std::sync::atomic::Ordering::Relaxed);
        // The half is written out before the break: the server flushes while the
        // body is pending, and an error on the next poll drops what was unflushed.
        let parts = futures_util::stream::unfold(Some(half), |half| async move {
            match half {
                Some(h) => Some((Ok(h), None)),
                None => {
                    for _ in 0..8 {
                        tokio::task::yield_now().await;
                    }
                    Some((Err(std::io::Error::other("injected fault: document cut off")), None))
                }
            }
        });
        axum::body::Body::from_stream(parts)
    }
}

pub fn respond(
    bytes: Vec<u8>,
    content_type: &str,
    sha256: &str,
    request: &HeaderMap,
    sending: Sending<'_>,
) -> Response {
    let len = bytes.len() as u64;
    let range = parse_range(request.get(header::RANGE).and_then(|v| v.to_str().ok()), len);
    let mut headers = HeaderMap::new();
    let ct = HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, ct);
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(v) = HeaderValue::from_str(sha256) {
        headers.insert(CONTENT_SHA256_HEADER, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{sha256}\"")) {
        headers.insert(header::ETAG, v);
    }
    match range {
        RangeSpec::Full => {
            let body = sending.body(bytes, &mut headers);
            (StatusCode::OK, headers, body).into_response()
        }
        RangeSpec::Partial { start, end_inclusive } => {
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end_inclusive}/{len}")) {
                headers.insert(header::CONTENT_RANGE, v);
            }
            let slice = bytes[start as usize..=end_inclusive as usize].to_vec();
            let body = sending.body(slice, &mut headers);
            (StatusCode::PARTIAL_CONTENT, headers, body).into_response()
        }
        RangeSpec::Unsatisfiable => {
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                headers.insert(header::CONTENT_RANGE, v);
            }
            let mut r = ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                error_code::RANGE_NOT_SATISFIABLE,
                "range not satisfiable",
            )
            .into_response();
            r.headers_mut().extend(headers);
            r
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(h: Option<&str>, len: u64, expected: RangeSpec) {
        assert_eq!(parse_range(h, len), expected, "{h:?} of {len}");
    }

    #[test]
    fn range_table() {
        use RangeSpec::*;
        check(None, 100, Full);
        check(Some("bytes=0-9"), 100, Partial { start: 0, end_inclusive: 9 });
        check(Some("bytes=90-"), 100, Partial { start: 90, end_inclusive: 99 });
        check(Some("bytes=90-500"), 100, Partial { start: 90, end_inclusive: 99 });
        check(Some("bytes=-10"), 100, Partial { start: 90, end_inclusive: 99 });
        check(Some("bytes=-500"), 100, Partial { start: 0, end_inclusive: 99 });
        check(Some("bytes=100-"), 100, Unsatisfiable);
        check(Some("bytes=-0"), 100, Unsatisfiable);
        check(Some("bytes=5-2"), 100, Full);
        check(Some("bytes=0-1,5-6"), 100, Full);
        check(Some("items=0-1"), 100, Full);
        check(Some("bytes=x-y"), 100, Full);
        check(Some("bytes=0-"), 0, Unsatisfiable);
    }
}
