//! The application state behind every command: the cache, the session, the link
//! to the central service.

use crate::error::{AppError, ErrorCode};
use crate::ipc::*;
use crate::{offices, time, views};
use bhxh_cache::{Cache, CachedAccount};
use bhxh_sync::{CentralClient, Credentials, PullReport, SyncError};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tracing::{info, instrument, warn};

#[derive(Debug, Clone)]
pub struct DeskConfig {
    pub data_dir: PathBuf,
    /// What the login screen starts with (demo, scripts).
    pub default_central_url: Option<String>,
    pub default_username: Option<String>,
    pub default_password: Option<String>,
}

struct Session {
    info: SessionInfo,
    client: CentralClient,
    /// Kept in memory only, to log in again by itself when the network returns.
    credentials: Credentials,
    /// Whether the client holds a token the server accepted.
    authenticated: bool,
}

#[derive(Default)]
struct LinkState {
    online: bool,
    syncing: bool,
    last_sync_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    last_attempt: Option<Instant>,
}

pub struct Desk {
    config: DeskConfig,
    cache: Arc<Mutex<Cache>>,
    session: RwLock<Option<Session>>,
    link: Mutex<LinkState>,
    /// One sync at a time.
    sync_gate: tokio::sync::Mutex<()>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Desk {
    pub fn open(config: DeskConfig) -> Result<Self, AppError> {
        let cache = Cache::open(&config.data_dir)?;
        Ok(Self {
            config,
            cache: Arc::new(Mutex::new(cache)),
            session: RwLock::new(None),
            link: Mutex::new(LinkState::default()),
            sync_gate: tokio::sync::Mutex::new(()),
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.config.data_dir
    }

    pub fn prefill(&self) -> Result<Prefill, AppError> {
        let last = lock(&self.cache).last_account()?;
        Ok(Prefill {
            central_url: self
                .config
                .default_central_url
                .clone()
                .or_else(|| last.as_ref().map(|l| l.1.clone()))
                .unwrap_or_else(|| "http://127.0.0.1:8716".to_owned()),
            username: self.config.default_username.clone().or(last.map(|l| l.0)).unwrap_or_default(),
            password: self.config.default_password.clone().unwrap_or_default(),
        })
    }

    #[instrument(skip(self, input), fields(user = %input.username))]
    pub async fn login(&self, input: LoginInput) -> Result<SessionInfo, AppError> {
        let username = input.username.trim().to_owned();
        if username.is_empty() || input.password.is_empty() {
            return Err(AppError::new(ErrorCode::Validation, "Vui lòng nhập tên đăng nhập và mật khẩu."));
        }
        let mut client = CentralClient::new(&input.central_url)?;
        let credentials = Credentials { username: username.clone(), password: input.password.clone() };
        match client.login(&credentials).await {
            Ok(resp) => {
                // The office tree travels with the cache: names are shown offline too.
                let offices = client.offices().await.map(|l| l.offices).unwrap_or_default();
                let office_name = offices::name_on(&offices, &resp.user.office_code, Utc::now().date_naive());
                let account = CachedAccount {
                    username: resp.user.username.clone(),
                    central_url: client.base_url().to_owned(),
                    display_name: resp.user.display_name.clone(),
                    role: resp.user.role,
                    office_code: resp.user.office_code.clone(),
                    last_login_at: Utc::now(),
                };
                lock(&self.cache).remember_login(&account, &input.password)?;
                if !offices.is_empty() {
                    let json = serde_json::to_string(&offices).map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
                    lock(&self.cache).set_meta(offices::META_KEY, &json)?;
                }
                let info = SessionInfo {
                    username: account.username,
                    display_name: account.display_name,
                    role: account.role,
                    office_code: account.office_code,
                    office_name,
                    offline_login: false,
                };
                self.set_session(Session { info: info.clone(), client, credentials, authenticated: true }, true);
                info!("logged in online");
                Ok(info)
            }
            Err(e) if e.is_offline() => {
                warn!(error = %e, "central unreachable; trying offline unlock");
                let cache = lock(&self.cache);
                let account = cache.verify_offline(&username, &input.password)?;
                let Some(account) = account else {
                    let known = cache.last_account()?.is_some();
                    return Err(if known {
                        AppError::new(
                            ErrorCode::Unauthorized,
                            "Không kết nối được máy chủ, và mật khẩu không khớp với lần đăng nhập trước trên máy này.",
                        )
                    } else {
                        AppError::new(
                            ErrorCode::Offline,
                            "Không kết nối được máy chủ và máy này chưa có dữ liệu. Lần đăng nhập đầu tiên cần có mạng.",
                        )
                    });
                };
                let office_name =
                    offices::name_on(&offices::cached(&cache), &account.office_code, Utc::now().date_naive());
                drop(cache);
                let info = SessionInfo {
                    username: account.username,
                    display_name: account.display_name,
                    role: account.role,
                    office_code: account.office_code,
                    office_name,
                    offline_login: true,
                };
                self.set_session(Session { info: info.clone(), client, credentials, authenticated: false }, false);
                info!("unlocked offline from the cache");
                Ok(info)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn set_session(&self, session: Session, online: bool) {
        *self.session.write().unwrap_or_else(|p| p.into_inner()) = Some(session);
        let mut link = lock(&self.link);
        *link = LinkState { online, ..LinkState::default() };
    }

    pub fn logout(&self) {
        *self.session.write().unwrap_or_else(|p| p.into_inner()) = None;
        *lock(&self.link) = LinkState::default();
    }

    fn session_info(&self) -> Option<SessionInfo> {
        self.session.read().unwrap_or_else(|p| p.into_inner()).as_ref().map(|s| s.info.clone())
    }

    /// The session, if its role may review declarations.
    fn reviewer(&self) -> Result<SessionInfo, AppError> {
        let info = self.session_info().ok_or_else(AppError::not_logged_in)?;
        if !info.role.reviews_declarations() {
            return Err(AppError::forbidden());
        }
        Ok(info)
    }

    pub fn status(&self) -> Result<StatusInfo, AppError> {
        let session = self.session_info();
        let (queue_count, documents_missing) = match &session {
            Some(s) if s.role.reviews_declarations() => {
                let cache = lock(&self.cache);
                let q = cache.queue(&s.office_code)?;
                let missing = q.iter().map(|r| r.documents.saturating_sub(r.documents_stored)).sum();
                (q.len() as u32, missing)
            }
            _ => (0, 0),
        };
        let link = lock(&self.link);
        Ok(StatusInfo {
            session,
            online: link.online,
            syncing: link.syncing,
            last_sync_at: link.last_sync_at.map(time::local_text),
            last_error: link.last_error.clone(),
            queue_count,
            documents_missing,
        })
    }

    pub fn queue(&self) -> Result<Vec<QueueItem>, AppError> {
        let s = self.reviewer()?;
        let now = Utc::now();
        Ok(lock(&self.cache).queue(&s.office_code)?.into_iter().map(|r| views::queue_item(r, now)).collect())
    }

    pub fn declaration(&self, id: &str) -> Result<DeclarationView, AppError> {
        let s = self.reviewer()?;
        let found = lock(&self.cache).declaration(id)?;
        let c = found.ok_or_else(|| AppError::new(ErrorCode::NotFound, "Không tìm thấy tờ khai này trên máy."))?;
        // Another office's declaration is as good as absent.
        if c.declaration.fields.office_code != s.office_code {
            return Err(AppError::new(ErrorCode::NotFound, "Không tìm thấy tờ khai này trên máy."));
        }
        let (offices, (findings, suggested)) = {
            let cache = lock(&self.cache);
            (offices::cached(&cache), cache.findings(id)?)
        };
        Ok(views::declaration_view(c, findings, suggested, &offices, Utc::now()))
    }

    /// Bytes and content type of a cached document, for the document protocol.
    pub fn document_bytes(&self, id: &str) -> Result<(String, Vec<u8>), AppError> {
        let s = self.reviewer()?;
        let cache = lock(&self.cache);
        let doc = cache.document(id)?.ok_or_else(|| AppError::new(ErrorCode::NotFound, "Không có tài liệu này."))?;
        let owner = cache.declaration(&doc.declaration_id)?;
        if owner.is_none_or(|o| o.declaration.fields.office_code != s.office_code) {
            return Err(AppError::new(ErrorCode::NotFound, "Không có tài liệu này."));
        }
        let (doc, bytes) = cache.document_bytes(id)?;
        Ok((doc.content_type, bytes))
    }

    /// Pulls the office's declarations and missing documents. Marks the link
    /// offline on network errors; logs in again by itself when the token is gone.
    #[instrument(skip(self))]
    pub async fn sync_now(&self) -> Result<SyncSummary, AppError> {
        let _gate = self.sync_gate.lock().await;
        let started = Instant::now();
        let (mut client, credentials, office, authenticated) = {
            let guard = self.session.read().unwrap_or_else(|p| p.into_inner());
            let s = guard.as_ref().ok_or_else(AppError::not_logged_in)?;
            if !s.info.role.reviews_declarations() {
                return Err(AppError::forbidden());
            }
            (s.client.clone(), s.credentials.clone(), s.info.office_code.clone(), s.authenticated)
        };
        {
            let mut link = lock(&self.link);
            link.syncing = true;
            link.last_attempt = Some(Instant::now());
        }
        let result = self.sync_with(&mut client, &credentials, &office, authenticated).await;
        let mut link = lock(&self.link);
        link.syncing = false;
        match result {
            Ok(report) => {
                link.online = true;
                link.last_sync_at = Some(Utc::now());
                link.last_error = None;
                Ok(SyncSummary {
                    declarations: report.declarations,
                    new_declarations: report.new_declarations,
                    documents_downloaded: report.documents_downloaded,
                    documents_failed: report.documents_failed,
                    duration_ms: started.elapsed().as_millis() as u32,
                })
            }
            Err(e) => {
                link.online = !e.is_offline();
                let app: AppError = e.into();
                link.last_error = Some(app.message.clone());
                Err(app)
            }
        }
    }

    async fn sync_with(
        &self,
        client: &mut CentralClient,
        credentials: &Credentials,
        office: &str,
        authenticated: bool,
    ) -> Result<PullReport, SyncError> {
        if !authenticated {
            client.login(credentials).await?;
            self.store_client(client);
        }
        let mut report = match bhxh_sync::pull_declarations(client, &self.cache, office, bhxh_sync::PAGE_SIZE).await {
            Err(SyncError::Unauthorized { .. }) => {
                // Token expired (or the server forgot it): once more with a fresh one.
                client.login(credentials).await?;
                self.store_client(client);
                bhxh_sync::pull_declarations(client, &self.cache, office, bhxh_sync::PAGE_SIZE).await?
            }
            other => other?,
        };
        bhxh_sync::fetch_documents(client, &self.cache, &mut report).await?;
        Ok(report)
    }

    fn store_client(&self, client: &CentralClient) {
        if let Some(s) = self.session.write().unwrap_or_else(|p| p.into_inner()).as_mut() {
            s.client = client.clone();
            s.authenticated = true;
        }
    }

    /// Runs for the life of the app: while someone is logged in, watches the link
    /// to the central service (a cheap health check per tick) and syncs, so the
    /// app notices a lost network within a tick and reconnects by itself.
    pub async fn run_background(self: Arc<Self>, every: Duration, sync_every: Duration) {
        loop {
            tokio::time::sleep(every).await;
            let Some(info) = self.session_info() else { continue };
            if !info.role.reviews_declarations() {
                continue;
            }
            let client = self.session.read().unwrap_or_else(|p| p.into_inner()).as_ref().map(|s| s.client.clone());
            let Some(client) = client else { continue };
            let (was_online, syncing, due) = {
                let link = lock(&self.link);
                (link.online, link.syncing, link.last_attempt.is_none_or(|t| t.elapsed() >= sync_every))
            };
            if syncing {
                continue;
            }
            let reachable = client.health().await.is_ok();
            if !reachable {
                if was_online {
                    warn!("central service unreachable; working offline");
                }
                let mut link = lock(&self.link);
                link.online = false;
                continue;
            }
            if !was_online {
                info!("central service reachable again; syncing");
            }
            if !was_online || due {
                let _ = self.sync_now().await;
            }
        }
    }
}
