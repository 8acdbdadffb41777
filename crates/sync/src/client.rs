//! HTTP client of the central service API (see bhxh-protocol's openapi.json).

use crate::SyncError;
use crate::pin::CertPin;
use bhxh_protocol::{DeclarationPage, ErrorBody, LoginRequest, LoginResponse, OfficeList, error_code};
use reqwest::StatusCode;
use std::time::Duration;

/// A user name and password, wiped from memory when dropped; not `Clone`, so the
/// session that holds them is their only copy.
#[derive(zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct Credentials {
    username: String,
    password: String,
}

impl Credentials {
    pub fn new(username: String, password: String) -> Self {
        Self { username, password }
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    pub fn password(&self) -> &str {
        &self.password
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("username", &self.username).field("password", &"***").finish()
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[derive(Clone)]
pub struct CentralClient {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
    /// Whether the server's certificate is pinned (a refusal is then told apart).
    pinned: bool,
}

impl CentralClient {
    pub fn new(base_url: &str) -> Result<Self, SyncError> {
        Self::with_pin(base_url, None)
    }

    /// A client that, with a pin, accepts only the server certificate whose
    /// SHA-256 it is (and then needs https).
    pub fn with_pin(base_url: &str, pin: Option<CertPin>) -> Result<Self, SyncError> {
        let base = base_url.trim().trim_end_matches('/').to_owned();
        let parsed = reqwest::Url::parse(&base).map_err(|_| SyncError::BadUrl(base_url.to_owned()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(SyncError::BadUrl(base_url.to_owned()));
        }
        // Passwords, tokens and ID images cross this link: plain HTTP only to this PC.
        if parsed.scheme() == "http" && !is_loopback(&parsed) {
            return Err(SyncError::PlainHttp(base_url.to_owned()));
        }
        let setup = |detail: String| SyncError::Unreachable { request: "client".into(), detail };
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            // The password and the outbox go to this address and nowhere else: no
            // proxy from the environment, no redirect followed.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("bhxh-desk/", env!("CARGO_PKG_VERSION")));
        if let Some(pin) = pin {
            if parsed.scheme() != "https" {
                return Err(SyncError::PinNeedsHttps(base_url.to_owned()));
            }
            let tls = crate::pin::pinned_config(pin).map_err(|e| setup(e.to_string()))?;
            builder = builder.use_preconfigured_tls(tls);
        }
        let http = builder.build().map_err(|e| setup(e.to_string()))?;
        Ok(Self { base, http, token: None, pinned: pin.is_some() })
    }
}

/// Whether two central addresses name the same server (scheme, host, port, path;
/// letter case of the host and a trailing slash aside).
pub fn same_server(a: &str, b: &str) -> bool {
    let parse = |u: &str| reqwest::Url::parse(u.trim().trim_end_matches('/')).ok();
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => {
            a.scheme() == b.scheme()
                && a.host_str() == b.host_str()
                && a.port_or_known_default() == b.port_or_known_default()
                && a.path().trim_end_matches('/') == b.path().trim_end_matches('/')
        }
        _ => false,
    }
}

impl CentralClient {
    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub(crate) fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    pub fn set_token(&mut self, token: Option<String>) {
        self.token = token;
    }

    pub(crate) fn unreachable(&self, request: &str, e: reqwest::Error) -> SyncError {
        if self.pinned && crate::pin::refused_in(&e) {
            return SyncError::CertificateMismatch { request: request.to_owned() };
        }
        // The error's own URL may carry a query (a search); the request's name says enough.
        SyncError::Unreachable { request: request.to_owned(), detail: e.without_url().to_string() }
    }

    pub(crate) async fn error_from(request: &str, resp: reqwest::Response) -> SyncError {
        let status = resp.status();
        let body: Option<ErrorBody> = resp.json().await.ok();
        let (code, message) = body.map(|b| (b.code, b.message)).unwrap_or_else(|| ("".into(), status.to_string()));
        match status {
            StatusCode::UNAUTHORIZED if code == error_code::BAD_CREDENTIALS => SyncError::BadCredentials,
            StatusCode::UNAUTHORIZED => SyncError::Unauthorized { request: request.to_owned() },
            StatusCode::FORBIDDEN => SyncError::Forbidden { request: request.to_owned(), message },
            _ => SyncError::Http { request: request.to_owned(), status: status.as_u16(), code, message },
        }
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, SyncError> {
        self.json(reqwest::Method::GET, path).await
    }

    /// An authorised request whose answer is JSON; errors name the request.
    pub(crate) async fn json<T: serde::de::DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
    ) -> Result<T, SyncError> {
        self.json_with::<T, ()>(method, path, None).await
    }

    /// As [`Self::json`], with a JSON body.
    pub(crate) async fn json_with<T: serde::de::DeserializeOwned, B: serde::Serialize>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, SyncError> {
        // Errors name the request in logs: without its query, which may be a caller's phone or name.
        let request = format!("{method} {}", path.split('?').next().unwrap_or(path));
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.map_err(|e| self.unreachable(&request, e))?;
        if !resp.status().is_success() {
            return Err(Self::error_from(&request, resp).await);
        }
        let bytes = resp.bytes().await.map_err(|e| self.unreachable(&request, e))?;
        serde_json::from_slice(&bytes).map_err(|e| SyncError::Malformed { request, detail: e.to_string() })
    }

    pub async fn health(&self) -> Result<(), SyncError> {
        self.get_json::<bhxh_protocol::Health>("/health").await.map(|_| ())
    }

    /// Logs in and keeps the token for the following requests.
    pub async fn login(&mut self, creds: &Credentials) -> Result<LoginResponse, SyncError> {
        let request = "POST /v1/auth/login".to_owned();
        let resp = self
            .http
            .post(format!("{}/v1/auth/login", self.base))
            .json(&LoginRequest { username: creds.username.clone(), password: creds.password.clone() })
            .send()
            .await
            .map_err(|e| self.unreachable(&request, e))?;
        if !resp.status().is_success() {
            return Err(Self::error_from(&request, resp).await);
        }
        let bytes = resp.bytes().await.map_err(|e| self.unreachable(&request, e))?;
        let login: LoginResponse =
            serde_json::from_slice(&bytes).map_err(|e| SyncError::Malformed { request, detail: e.to_string() })?;
        self.token = Some(login.token.clone());
        Ok(login)
    }

    pub async fn offices(&self) -> Result<OfficeList, SyncError> {
        self.get_json("/v1/offices").await
    }

    /// The office's employer units, to check declarations' unit codes against.
    pub async fn units(&self, office: &str) -> Result<bhxh_protocol::UnitList, SyncError> {
        self.get_json(&format!("/v1/offices/{}/units", urlencode(office))).await
    }

    pub async fn declarations_page(
        &self,
        office: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<DeclarationPage, SyncError> {
        let mut path = format!("/v1/offices/{office}/declarations?limit={limit}");
        if let Some(c) = cursor {
            // Cursors are URL-safe base64, but do not rely on that.
            path.push_str("&cursor=");
            path.push_str(&urlencode(c));
        }
        self.get_json(&path).await
    }

    /// Takes or renews the review lease on a declaration.
    pub async fn assign(&self, id: &str) -> Result<bhxh_protocol::AssignmentAnswer, SyncError> {
        self.json(reqwest::Method::POST, &format!("/v1/declarations/{}/assignment", urlencode(id))).await
    }

    /// Downloads a document into `got`, going on after the bytes it already holds
    /// (`Range`, only while the server's copy is still `sha256`: `If-Range`); when the
    /// transfer breaks, `got` keeps what arrived, for the next try. More than `max`
    /// bytes is refused. `on_bytes` hears the bytes held so far. Returns the sha256
    /// the server announced.
    pub async fn document_into(
        &self,
        id: &str,
        sha256: &str,
        got: &mut Vec<u8>,
        max: u64,
        mut on_bytes: impl FnMut(u64),
    ) -> Result<Option<String>, SyncError> {
        let request = format!("GET /v1/documents/{id}");
        // A server that cannot continue (416, another start) gets one whole request.
        for _ in 0..2 {
            let held = got.len() as u64;
            let mut req = self.http.get(format!("{}/v1/documents/{}", self.base, urlencode(id)));
            if let Some(t) = &self.token {
                req = req.bearer_auth(t);
            }
            if held > 0 {
                req = req
                    .header(reqwest::header::RANGE, format!("bytes={held}-"))
                    .header(reqwest::header::IF_RANGE, format!("\"{sha256}\""));
            }
            let mut resp = req.send().await.map_err(|e| self.unreachable(&request, e))?;
            match resp.status() {
                StatusCode::PARTIAL_CONTENT if held > 0 && content_range_start(resp.headers()) == Some(held) => {
                    tracing::debug!(doc = %id, held, "download resumed");
                }
                StatusCode::OK => got.clear(),
                StatusCode::PARTIAL_CONTENT | StatusCode::RANGE_NOT_SATISFIABLE => {
                    got.clear();
                    continue;
                }
                s if s.is_success() => {
                    got.clear();
                    return Err(SyncError::Malformed { request, detail: format!("unexpected status {s}") });
                }
                _ => return Err(Self::error_from(&request, resp).await),
            }
            if resp.content_length().is_some_and(|n| (got.len() as u64).saturating_add(n) > max) {
                got.clear();
                return Err(SyncError::Malformed {
                    request,
                    detail: format!("longer than the {max} bytes a document may have"),
                });
            }
            let sha = resp
                .headers()
                .get(bhxh_protocol::CONTENT_SHA256_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            while let Some(chunk) = resp.chunk().await.map_err(|e| self.unreachable(&request, e))? {
                if got.len() as u64 + chunk.len() as u64 > max {
                    got.clear();
                    return Err(SyncError::Malformed {
                        request,
                        detail: format!("longer than the {max} bytes announced"),
                    });
                }
                got.extend_from_slice(&chunk);
                on_bytes(got.len() as u64);
            }
            return Ok(sha);
        }
        Err(SyncError::Malformed { request, detail: "the server could not continue the download".into() })
    }
}

/// Where a `206` answer's bytes start (`Content-Range: bytes START-END/LEN`).
fn content_range_start(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    let v = headers.get(reqwest::header::CONTENT_RANGE)?.to_str().ok()?;
    let range = v.trim().strip_prefix("bytes ")?;
    range.split_once('-')?.0.trim().parse().ok()
}

pub(crate) fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_server_whatever_the_writing() {
        assert!(same_server("https://BHXH.example.vn/", "https://bhxh.example.vn"));
        assert!(same_server("https://bhxh.example.vn:443/api/", "https://bhxh.example.vn/api"));
        assert!(same_server("http://127.0.0.1:8716", " http://127.0.0.1:8716/ "));
        assert!(!same_server("https://bhxh.example.vn", "http://bhxh.example.vn"));
        assert!(!same_server("https://bhxh.example.vn", "https://bhxh.example.vn.evil.test"));
        assert!(!same_server("http://127.0.0.1:8716", "http://127.0.0.1:8717"));
        assert!(!same_server("https://bhxh.example.vn/api", "https://bhxh.example.vn/other"));
        assert!(!same_server("không phải url", "không phải url"));
    }

    #[test]
    fn plain_http_only_to_this_pc() {
        for ok in [
            "http://127.0.0.1:8716",
            "http://localhost:1/",
            "http://[::1]:80",
            "https://bhxh.example.vn",
            "https://10.0.0.5",
        ] {
            assert!(CentralClient::new(ok).is_ok(), "{ok}");
        }
        for refused in ["http://bhxh.example.vn", "http://10.0.0.5:8716", "http://127.0.0.1.evil.example"] {
            assert!(matches!(CentralClient::new(refused), Err(SyncError::PlainHttp(_))), "{refused}");
        }
        for bad in ["ftp://127.0.0.1", "không phải url", "file:///etc/passwd"] {
            assert!(matches!(CentralClient::new(bad), Err(SyncError::BadUrl(_))), "{bad}");
        }
    }
}
