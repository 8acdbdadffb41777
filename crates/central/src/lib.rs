//! The reference central server: a real HTTP server that speaks the documented API of the BHXH central service (see
//! `bhxh-protocol`'s `openapi.json`), backed by its own SQLite file, able to make demo data and to inject faults. The
//! desk's tests run against it, so it keeps the service's promises, not a mock's.
//!
//! - axum; accounts and bearer tokens (`auth`); the office tree (`assets/offices.tsv`); declarations paged by change
//!   sequence; documents with `Range`; submissions, checked by content signature.
//! - `decisions`: idempotency keys per officer (a replay gets the first answer, a key in flight 409, a key reused for
//!   another decision 422); the decision and its key's answer commit together, so a decision is recorded exactly once.
//!   Assignment leases.
//! - `channel`: a submission is filed only when signed by a channel (HMAC over channel, time and body, key in the
//!   data directory), and a person already in the register changes only when an officer's approval is recorded.
//! - `tls`: HTTPS from PEM files, or a self-signed certificate made once and kept in the data directory.
//! - `faults`: latency, 503, dropped connections, commit-then-drop, 429 with Retry-After, expired tokens; `/admin` only
//!   with `--admin`.
//! - `db/citizens.rs` + `helpdesk`: the citizens' register (accounts, locks), the masked directory, lookup, the phone
//!   check, calls and officers' notes. Contact details and ID numbers are masked before they leave the server, and
//!   nothing derived from a full number does: lookups and phone checks are answered here, within the caller's
//!   province, throttled per caller (`throttle`) and audited.
//! - `db/quotas.rs` + `supervisor`: daily quotas per office and officer.
//! - `db/coverage.rs` + `coverage`: employer units with their participants (listed to the office's desks, which check
//!   unit codes against them), the office's campaign (target, deadline, letter settings), coverage counted from the
//!   register, the office's register of outgoing letters (one number sequence per office and year, idempotent by the
//!   client's id), and handing a declaration to an officer.
//! - Every "now" comes from `AppState`'s clock (`serve` takes `BHXH_CLOCK_START`). [`routes::ROUTES`] is tested against
//!   `openapi.json`.

mod api;
mod auth;
pub mod channel;
mod coverage;
mod db;
mod decisions;
mod demo;
mod documents;
mod error;
pub mod extract;
mod faults;
mod helpdesk;
mod offices;
pub mod routes;
mod supervisor;
mod throttle;
mod tls;

pub use api::file_submission;
pub use db::{LetterVoided, Store};
pub use demo::{DEMO_USERS, REGISTER_BASE, register_person_has_account, register_size, seed_bulk, seed_demo};
pub use error::ApiError;
pub use tls::ServerTls;

use bhxh_protocol::FaultSettings;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// Options of `bhxh-central serve`.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub data_dir: PathBuf,
    /// Expose `/admin/*` (fault injection). Off unless asked for.
    pub admin: bool,
    pub faults: FaultSettings,
}

/// The admin token's file in the data directory (64 hex digits), written when the
/// server starts with `--admin`.
pub const ADMIN_TOKEN_FILE: &str = "admin.token";

/// The peer's address of a request (put in by the accept loop; the login budget).
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub std::net::IpAddr);

#[derive(Clone)]
pub struct AppState {
    pub(crate) store: Arc<Mutex<Store>>,
    pub(crate) blobs: PathBuf,
    pub faults: Arc<RwLock<FaultSettings>>,
    /// Every "now" of the server; days are the office's (`bhxh_domain::clock`).
    pub(crate) clock: bhxh_domain::Clock,
    /// Each caller's budget of lookups and phone checks.
    pub(crate) lookups: Arc<throttle::Throttle>,
    /// Wrong passwords per account, and logins per address.
    pub(crate) failed_logins: Arc<throttle::Throttle>,
    pub(crate) logins_from: Arc<throttle::Throttle>,
    /// Argon2 verifications at once: a flood of logins queues here instead of taking
    /// every core and all memory.
    pub(crate) password_checks: Arc<tokio::sync::Semaphore>,
    /// The bearer token of `/admin/*` (`admin.token` in the data directory), when on.
    pub(crate) admin_token: Option<Arc<String>>,
    /// The key the submission channels sign with (`channel.key` in the data directory).
    pub(crate) channel_key: Arc<Vec<u8>>,
    /// Signatures of the last minutes' submissions: a replayed request is refused.
    pub(crate) seen_signatures: Arc<Mutex<std::collections::HashMap<String, chrono::DateTime<chrono::Utc>>>>,
    /// Document bytes put on the wire since start (what a district line carries).
    pub(crate) document_bytes_sent: Arc<std::sync::atomic::AtomicU64>,
}

impl AppState {
    pub fn open(config: &ServerConfig) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&config.data_dir)?;
        let blobs = config.data_dir.join("blobs");
        std::fs::create_dir_all(&blobs)?;
        let store = Store::open(&config.data_dir.join("central.sqlite3"))?;
        let channel_key = channel::load_or_create_key(&config.data_dir.join(channel::KEY_FILE))?;
        let admin_token = if config.admin {
            Some(Arc::new(hex::encode(channel::load_or_create_key(&config.data_dir.join(ADMIN_TOKEN_FILE))?)))
        } else {
            None
        };
        Ok(Self {
            store: Arc::new(Mutex::new(store)),
            blobs,
            faults: Arc::new(RwLock::new(config.faults.clone())),
            clock: bhxh_domain::Clock::System,
            lookups: Arc::new(throttle::Throttle::new(throttle::LOOKUPS)),
            failed_logins: Arc::new(throttle::Throttle::new(throttle::FAILED_LOGINS)),
            logins_from: Arc::new(throttle::Throttle::new(throttle::LOGINS_FROM)),
            password_checks: Arc::new(tokio::sync::Semaphore::new(2)),
            admin_token,
            channel_key: Arc::new(channel_key),
            seen_signatures: Arc::default(),
            document_bytes_sent: Arc::default(),
        })
    }

    /// The same server on another clock (`serve` takes `BHXH_CLOCK_START`), so a test
    /// can put the office at 00:01 on New Year's Day.
    pub fn with_clock(self, clock: bhxh_domain::Clock) -> Self {
        self.with_store(|s| s.clock = clock);
        Self { clock, ..self }
    }

    /// Document bytes sent since the server started (a cut transfer counts what left).
    pub fn document_bytes_sent(&self) -> u64 {
        self.document_bytes_sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub fn clock(&self) -> bhxh_domain::Clock {
        self.clock
    }

    /// The `/admin/*` bearer token, when the admin routes are on.
    pub fn admin_token(&self) -> Option<&str> {
        self.admin_token.as_deref().map(String::as_str)
    }

    /// The submission channels' key (tests and the `submit` command sign with it).
    pub fn channel_key(&self) -> &[u8] {
        &self.channel_key
    }

    /// Runs `f` with the database; a poisoned lock (a panicked handler) is still usable
    /// because every write is one SQLite transaction.
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// Sets `username`'s password and voids their tokens; false when there is no
    /// such account.
    pub fn set_password(&self, username: &str, password: &str) -> Result<bool, error::ApiError> {
        let hash = auth::hash_password(password)?;
        self.with_store(|s| s.set_password_hash(username, &hash)).map_err(error::ApiError::from)
    }

    pub fn blob_path(&self, sha256: &str) -> PathBuf {
        self.blobs.join(sha256)
    }

    pub fn blobs_dir(&self) -> &Path {
        &self.blobs
    }
}

/// A server bound to a port and serving in the background (tests, and `serve`).
///
/// Connections are served by tasks owned by the accept loop, so [`abort`](Self::abort)
/// drops every open connection mid-answer, as a killed process would.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    /// The certificate's SHA-256 when serving HTTPS.
    pub tls_fingerprint: Option<String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningServer {
    pub fn url(&self) -> String {
        let scheme = if self.tls_fingerprint.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Stops accepting, gives in-flight requests a moment to finish, then closes.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.task.await;
    }

    /// Stops at once: open connections are dropped mid-answer, as when the process dies.
    pub fn abort(self) {
        self.task.abort();
    }
}

pub async fn start(listen: SocketAddr, state: AppState) -> anyhow::Result<RunningServer> {
    start_with(listen, state, None).await
}

const TLS_HANDSHAKE: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves HTTPS with `tls`, plain HTTP without (loopback tests and the demo).
pub async fn start_with(listen: SocketAddr, state: AppState, tls: Option<ServerTls>) -> anyhow::Result<RunningServer> {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::service::TowerToHyperService;

    let tls_fingerprint = tls.as_ref().map(|t| t.fingerprint.clone());
    let acceptor = tls.map(|t| tokio_rustls::TlsAcceptor::from(t.config));

    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let app = routes::router(state.clone());
    let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                _ = &mut rx => break,
                accepted = listener.accept() => {
                    let (socket, peer) = match accepted {
                        Ok(a) => a,
                        Err(e) => {
                            tracing::warn!(error = %e, "accept failed");
                            continue;
                        }
                    };
                    let service = TowerToHyperService::new(tower::ServiceExt::map_request(
                        app.clone(),
                        move |mut req: axum::http::Request<hyper::body::Incoming>| {
                            req.extensions_mut().insert(PeerAddr(peer.ip()));
                            req
                        },
                    ));
                    let acceptor = acceptor.clone();
                    connections.spawn(async move {
                        let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                        // The handshake runs in the connection's task: a slow client holds up no one.
                        let served = match acceptor {
                            // A client that never says hello holds nothing past the timeout.
                            Some(a) => match tokio::time::timeout(TLS_HANDSHAKE, a.accept(socket)).await {
                                Ok(Ok(stream)) => builder.serve_connection(TokioIo::new(stream), service).await,
                                Ok(Err(e)) => {
                                    tracing::info!(error = %e, "TLS handshake failed");
                                    return;
                                }
                                Err(_) => {
                                    tracing::info!("TLS handshake timed out");
                                    return;
                                }
                            },
                            None => builder.serve_connection(TokioIo::new(socket), service).await,
                        };
                        if let Err(e) = served {
                            tracing::debug!(error = %e, "connection ended with an error");
                        }
                    });
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        // Idle keep-alive connections would wait forever: give requests a moment, then close.
        let _ = tokio::time::timeout(std::time::Duration::from_millis(500), async {
            while connections.join_next().await.is_some() {}
        })
        .await;
    });
    Ok(RunningServer { addr, state, tls_fingerprint, shutdown: Some(tx), task })
}
