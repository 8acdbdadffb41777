/// Why talking to the central service failed. Every variant that came from a
/// request names it, so logs and the UI can say which one.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("central service unreachable ({request}): {detail}")]
    Unreachable { request: String, detail: String },
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("session expired or not logged in ({request})")]
    Unauthorized { request: String },
    #[error("not allowed ({request}): {message}")]
    Forbidden { request: String, message: String },
    #[error("{request} answered {status} {code}: {message}")]
    Http { request: String, status: u16, code: String, message: String },
    #[error("{request} answered something that is not a valid response: {detail}")]
    Malformed { request: String, detail: String },
    #[error("central URL {0:?} is not valid")]
    BadUrl(String),
    #[error("central URL {0:?} is plain HTTP to another machine; only https is allowed there")]
    PlainHttp(String),
    #[error("a certificate pin is configured but the central URL {0:?} is not https")]
    PinNeedsHttps(String),
    #[error("the central service presented a certificate other than the pinned one ({request}): nothing was sent")]
    CertificateMismatch { request: String },
    #[error("local cache: {0}")]
    Cache(#[from] bhxh_cache::CacheError),
    /// The runtime shut down before the cache work ran (the app is closing).
    #[error("the local cache work was stopped before it ran")]
    Interrupted,
}

impl SyncError {
    /// Network trouble that a later attempt may not have.
    pub fn is_offline(&self) -> bool {
        matches!(self, SyncError::Unreachable { .. })
    }
}
