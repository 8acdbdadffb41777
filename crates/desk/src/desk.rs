//! The application state behind every command: the cache, the session, the link
//! to the central service.

use crate::access::{self, Access};
use crate::error::{AppError, ErrorCode};
use crate::ipc::*;
use crate::{offices, views};
use bhxh_cache::{Cache, PasswordChange, Profile, Profiles};
use bhxh_sync::{CentralClient, Credentials, PullReport, SyncError};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tracing::{info, instrument, warn};

mod decide;
mod helpdesk;
mod letters;
mod paper;
mod supervisor;

#[derive(Debug, Clone)]
pub struct DeskConfig {
    pub data_dir: PathBuf,
    /// What the login screen starts with (demo, scripts).
    pub default_central_url: Option<String>,
    pub default_username: Option<String>,
    pub default_password: Option<String>,
    /// Inactivity before the screen locks and documents are unloaded.
    pub idle_lock: Duration,
    /// Days a declaration's documents stay on this PC once its decision is on record.
    pub retention_days: u32,
    /// SHA-256 of the central service's certificate: with it, no other
    /// certificate is accepted, whoever signed it.
    pub central_cert_pin: Option<bhxh_sync::CertPin>,
    /// The office's clock: every "now" and "today" of the desk reads it.
    pub clock: bhxh_domain::Clock,
}

/// How old the helpdesk's directory copy may get before the background sync copies it again.
const DIRECTORY_EVERY: Duration = Duration::from_secs(15 * 60);
const DIRECTORY_PULLED_AT: &str = "directory.pulled_at";

/// Fifteen minutes, as the security rules ask; configurable per PC.
pub const DEFAULT_IDLE_LOCK: Duration = Duration::from_secs(15 * 60);

struct Session {
    info: SessionInfo,
    client: CentralClient,
    /// Kept in memory only, to log in again by itself when the network returns.
    credentials: Credentials,
    /// Whether the client holds a token the server accepted.
    authenticated: bool,
    /// Locked: the cache is closed (key dropped) until the password is entered.
    locked: bool,
    last_activity: Instant,
}

impl Session {
    fn new(info: SessionInfo, client: CentralClient, credentials: Credentials, authenticated: bool) -> Self {
        Self { info, client, credentials, authenticated, locked: false, last_activity: Instant::now() }
    }
}

#[derive(Default)]
struct LinkState {
    online: bool,
    syncing: bool,
    last_sync_at: Option<DateTime<Utc>>,
    sync_count: u32,
    last_error: Option<AppError>,
    last_attempt: Option<Instant>,
}

pub struct Desk {
    config: DeskConfig,
    profiles: Mutex<Profiles>,
    /// The logged-in officer's cache, open with their data key; `None` when
    /// nobody is logged in, so that logging out unloads every document.
    cache: RwLock<Option<Arc<Mutex<Cache>>>>,
    session: RwLock<Option<Session>>,
    link: Mutex<LinkState>,
    /// One sync at a time.
    sync_gate: tokio::sync::Mutex<()>,
    last_purge: Mutex<Option<Instant>>,
    /// A document analysis is running (one at a time, in the background).
    analysing: std::sync::atomic::AtomicBool,
    /// The office's working days: the shipped years, with the office's own files in their place.
    calendar: bhxh_domain::calendar::WorkCalendar,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Desk {
    pub fn open(config: DeskConfig) -> Result<Self, AppError> {
        let profiles = Profiles::open(&config.data_dir)?;
        Ok(Self {
            config,
            profiles: Mutex::new(profiles),
            cache: RwLock::new(None),
            session: RwLock::new(None),
            link: Mutex::new(LinkState::default()),
            sync_gate: tokio::sync::Mutex::new(()),
            last_purge: Mutex::new(None),
            analysing: std::sync::atomic::AtomicBool::new(false),
            calendar: crate::assets::work_calendar(),
        })
    }

    /// Now, on the desk's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.config.clock.now()
    }

    /// Today on the office's calendar.
    pub fn today(&self) -> chrono::NaiveDate {
        self.config.clock.today()
    }

    pub fn data_dir(&self) -> &Path {
        &self.config.data_dir
    }

    /// The open cache of the session; documents and declarations exist for the
    /// app only through it.
    fn cache(&self) -> Result<Arc<Mutex<Cache>>, AppError> {
        self.cache.read().unwrap_or_else(|p| p.into_inner()).clone().ok_or_else(AppError::not_logged_in)
    }

    /// Runs `f` on the session's cache, locked for the call.
    fn with_cache<T>(&self, f: impl FnOnce(&mut Cache) -> Result<T, bhxh_cache::CacheError>) -> Result<T, AppError> {
        let cache = self.cache()?;
        let mut guard = lock(&cache);
        Ok(f(&mut guard)?)
    }

    pub fn prefill(&self) -> Result<Prefill, AppError> {
        let last = lock(&self.profiles).last_profile()?.map(|p| (p.username, p.central_url));
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
            return Err(AppError::new(
                ErrorCode::Validation,
                "Vui lòng nhập tên đăng nhập và mật khẩu.",
                "Please enter your user name and password.",
            ));
        }
        // User names become folder names on this PC; nothing odd gets that far.
        if !bhxh_cache::profiles::valid_username(&username) {
            return Err(AppError::new(
                ErrorCode::Validation,
                "Tên đăng nhập chỉ gồm chữ cái không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch ngang (tối đa 64 ký tự).",
                "A user name may contain only letters without diacritics, digits, dots, underscores or hyphens (at most 64 characters).",
            ));
        }
        if input.password.chars().count() > 256 {
            return Err(AppError::new(
                ErrorCode::Validation,
                "Mật khẩu dài quá 256 ký tự.",
                "The password is longer than 256 characters.",
            ));
        }
        let mut client = CentralClient::with_pin(&input.central_url, self.config.central_cert_pin)?;
        let credentials = Credentials { username: username.clone(), password: input.password.clone() };
        match client.login(&credentials).await {
            Ok(resp) => {
                // The office tree travels with the cache: names are shown offline too.
                let offices = client.offices().await.map(|l| l.offices).unwrap_or_default();
                // The office's units, to check unit codes against; without them the
                // check says nothing rather than guess.
                let units = match client.units(&resp.user.office_code).await {
                    Ok(u) => Some(u),
                    Err(e) => {
                        warn!(error = %e, "office units not listed");
                        None
                    }
                };
                let office_name = offices::name_on(&offices, &resp.user.office_code, self.today());
                let account = Profile {
                    username: resp.user.username.clone(),
                    central_url: client.base_url().to_owned(),
                    display_name: resp.user.display_name.clone(),
                    role: resp.user.role,
                    office_code: resp.user.office_code.clone(),
                    last_login_at: self.now(),
                };
                let mut cache = {
                    let profiles = lock(&self.profiles);
                    let change = match &input.password_changed {
                        None => PasswordChange::Ask,
                        Some(PasswordChangedAnswer::Previous { previous_password }) => {
                            PasswordChange::Previous(previous_password)
                        }
                        Some(PasswordChangedAnswer::StartAfresh) => PasswordChange::StartAfresh,
                    };
                    let key = profiles.key_after_online_login(&account, &input.password, change, self.now())?;
                    Cache::open(&profiles.cache_dir(&account.username)?, key)?
                };
                let how = match input.password_changed {
                    None => "online",
                    Some(PasswordChangedAnswer::Previous { .. }) => "online; password changed, data key wrapped again",
                    Some(PasswordChangedAnswer::StartAfresh) => "online; password changed, previous data set aside",
                };
                cache.audit(
                    &account.username,
                    bhxh_cache::audit::action::LOGIN,
                    &account.office_code,
                    how,
                    self.now(),
                )?;
                if !offices.is_empty() {
                    let json = serde_json::to_string(&offices).map_err(AppError::internal)?;
                    cache.set_meta(offices::META_KEY, &json)?;
                }
                if let Some(units) = units.filter(|u| u.office_code == account.office_code) {
                    cache.set_office_units(&units, self.now())?;
                }
                self.set_cache(Some(cache));
                let info = SessionInfo {
                    username: account.username,
                    display_name: account.display_name,
                    role: account.role,
                    office_code: account.office_code,
                    office_name,
                    offline_login: false,
                };
                self.set_session(Session::new(info.clone(), client, credentials, true), true);
                info!("logged in online");
                Ok(info)
            }
            Err(e) if e.is_offline() => {
                warn!(error = %e, "central unreachable; trying offline unlock");
                self.open_offline(client, credentials)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Opens the officer's cache without the central service (the password opens
    /// the data key); scripts use it directly, the login falls back to it.
    pub fn login_offline(&self, input: LoginInput) -> Result<SessionInfo, AppError> {
        let client = CentralClient::with_pin(&input.central_url, self.config.central_cert_pin)?;
        let credentials = Credentials { username: input.username.trim().to_owned(), password: input.password };
        self.open_offline(client, credentials)
    }

    fn open_offline(&self, client: CentralClient, credentials: Credentials) -> Result<SessionInfo, AppError> {
        let (account, mut cache) = {
            let profiles = lock(&self.profiles);
            let (account, key) = profiles.unlock_offline(&credentials.username, &credentials.password, self.now())?;
            let cache = Cache::open(&profiles.cache_dir(&account.username)?, key)?;
            (account, cache)
        };
        cache.audit(
            &account.username,
            bhxh_cache::audit::action::LOGIN,
            &account.office_code,
            "offline",
            self.now(),
        )?;
        let office_name = offices::name_on(&offices::cached(&cache), &account.office_code, self.today());
        self.set_cache(Some(cache));
        let info = SessionInfo {
            username: account.username,
            display_name: account.display_name,
            role: account.role,
            office_code: account.office_code,
            office_name,
            offline_login: true,
        };
        self.set_session(Session::new(info.clone(), client, credentials, false), false);
        info!("unlocked offline from the cache");
        Ok(info)
    }

    fn set_session(&self, session: Session, online: bool) {
        *self.session.write().unwrap_or_else(|p| p.into_inner()) = Some(session);
        let mut link = lock(&self.link);
        *link = LinkState { online, ..LinkState::default() };
    }

    fn set_cache(&self, cache: Option<Cache>) {
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = cache.map(|c| Arc::new(Mutex::new(c)));
    }

    pub fn logout(&self) {
        *self.session.write().unwrap_or_else(|p| p.into_inner()) = None;
        self.set_cache(None);
        *lock(&self.link) = LinkState::default();
    }

    fn session_info(&self) -> Option<SessionInfo> {
        self.session.read().unwrap_or_else(|p| p.into_inner()).as_ref().map(|s| s.info.clone())
    }

    /// The session, if `command`'s rule lets it through; counts as activity. A
    /// command without a rule is refused.
    fn session_for(&self, command: &str) -> Result<SessionInfo, AppError> {
        let Some(rule) = access::rule(command) else {
            tracing::error!(command, "command without an access rule refused");
            return Err(AppError::forbidden());
        };
        let mut guard = self.session.write().unwrap_or_else(|p| p.into_inner());
        let s = guard.as_mut().ok_or_else(AppError::not_logged_in)?;
        if s.locked {
            return Err(AppError::locked());
        }
        match rule {
            Access::Anyone | Access::Session => {}
            Access::Roles(roles) if roles.contains(&s.info.role) => {}
            Access::Roles(_) => {
                warn!(command, role = s.info.role.code(), "refused by role");
                return Err(AppError::forbidden());
            }
        }
        s.last_activity = Instant::now();
        Ok(s.info.clone())
    }

    /// Locks the session: the cache closes and its key is dropped from memory.
    pub fn lock(&self) -> Result<(), AppError> {
        let mut guard = self.session.write().unwrap_or_else(|p| p.into_inner());
        let s = guard.as_mut().ok_or_else(AppError::not_logged_in)?;
        if !s.locked {
            s.locked = true;
            info!(user = %s.info.username, "session locked");
        }
        drop(guard);
        self.set_cache(None);
        Ok(())
    }

    /// Unlocks with the officer's password, checked against the wrapped data key
    /// (five wrong tries wait, as for the offline login).
    pub fn unlock(&self, password: &str) -> Result<(), AppError> {
        let username = {
            let guard = self.session.read().unwrap_or_else(|p| p.into_inner());
            let s = guard.as_ref().ok_or_else(AppError::not_logged_in)?;
            if !s.locked {
                return Ok(());
            }
            s.info.username.clone()
        };
        let cache = {
            let profiles = lock(&self.profiles);
            let (_, key) = profiles.unlock_offline(&username, password, self.now()).map_err(|e| match e {
                bhxh_cache::UnlockError::WrongPassword { attempts_left } => AppError::new(
                    ErrorCode::Unauthorized,
                    format!("Mật khẩu không đúng. Còn {attempts_left} lần thử."),
                    format!("Wrong password. {attempts_left} {} left.", crate::error::tries(attempts_left)),
                ),
                other => other.into(),
            })?;
            let mut cache = Cache::open(&profiles.cache_dir(&username)?, key)?;
            cache.audit(&username, bhxh_cache::audit::action::UNLOCK, "", "", self.now())?;
            cache
        };
        self.set_cache(Some(cache));
        if let Some(s) = self.session.write().unwrap_or_else(|p| p.into_inner()).as_mut() {
            s.locked = false;
            s.last_activity = Instant::now();
        }
        info!(user = %username, "session unlocked");
        Ok(())
    }

    /// Deletes the documents whose retention time is up, at most once an hour.
    pub fn purge_if_due(&self) {
        let due = lock(&self.last_purge).is_none_or(|t| t.elapsed() >= Duration::from_secs(3600));
        let (Some(info), Ok(cache)) = (self.session_info(), self.cache()) else { return };
        if !due || self.is_locked() {
            return;
        }
        *lock(&self.last_purge) = Some(Instant::now());
        match lock(&cache).purge_documents(&info.username, self.config.retention_days, self.now()) {
            Ok((0, _)) => {}
            Ok((declarations, files)) => info!(declarations, files, "documents past their retention time deleted"),
            Err(e) => warn!(error = %e, "retention purge failed; will try again"),
        }
    }

    /// Locks when the officer has been idle for the configured time (called by
    /// the background task each tick).
    pub fn lock_if_idle(&self) {
        let idle = self
            .session
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .is_some_and(|s| !s.locked && s.last_activity.elapsed() >= self.config.idle_lock);
        if idle {
            let _ = self.lock();
        }
    }

    fn is_locked(&self) -> bool {
        self.session.read().unwrap_or_else(|p| p.into_inner()).as_ref().is_some_and(|s| s.locked)
    }

    /// Polled by the UI every few seconds: not activity, and answers while locked.
    pub fn status(&self) -> Result<StatusInfo, AppError> {
        let session = self.session_info();
        let locked = self.is_locked();
        let (queue_count, documents_total, documents_missing) = match &session {
            Some(s) if s.role.reviews_declarations() && !locked => {
                self.with_cache(|c| c.queue_counts(&s.office_code))?
            }
            _ => (0, 0, 0),
        };
        let (outbox_waiting, outbox_attention) = match (&session, locked) {
            (Some(s), false) if s.role.reviews_declarations() => self.with_cache(|c| c.outbox_counts())?,
            _ => (0, 0),
        };
        let calls_waiting = match (&session, locked) {
            (Some(s), false) if s.role == bhxh_domain::Role::Helpdesk => self.with_cache(|c| c.calls_waiting())?,
            _ => 0,
        };
        let link = lock(&self.link);
        Ok(StatusInfo {
            outbox_waiting,
            outbox_attention,
            session,
            online: link.online,
            syncing: link.syncing,
            last_sync_at: link.last_sync_at.map(bhxh_domain::clock::office_text),
            sync_count: link.sync_count,
            last_error: link.last_error.as_ref().map(|e| e.message.clone()),
            last_error_en: link.last_error.as_ref().map(|e| e.message_en.clone()),
            queue_count,
            documents_total,
            documents_missing,
            locked,
            idle_lock_minutes: (self.config.idle_lock.as_secs() / 60) as u32,
            calls_waiting,
            office_now: bhxh_domain::clock::office_text(self.now()),
        })
    }

    pub fn queue(&self) -> Result<Vec<QueueItem>, AppError> {
        let s = self.session_for("queue")?;
        let now = self.now();
        let cache = self.cache()?;
        let rows = lock(&cache).queue(&s.office_code)?;
        Ok(rows.into_iter().map(|r| views::queue_item(r, &s.username, now, &self.calendar)).collect())
    }

    pub fn declaration(&self, id: &str) -> Result<DeclarationView, AppError> {
        let s = self.session_for("declaration")?;
        let cache = self.cache()?;
        let found = lock(&cache).declaration(id)?;
        let c = found.ok_or_else(AppError::declaration_not_here)?;
        // Another office's declaration is as good as absent.
        if c.declaration.fields.office_code != s.office_code {
            return Err(AppError::declaration_not_here());
        }
        let (offices, (findings, suggested), facts, paper_pages) = {
            let mut cache = lock(&cache);
            if !c.documents.is_empty() {
                cache.audit(&s.username, bhxh_cache::audit::action::VIEW_DOCUMENTS, id, "", self.now())?;
            }
            (offices::cached(&cache), cache.findings(id)?, cache.document_facts_by_id(id)?, cache.paper_pages_of(id)?)
        };
        let qr = bhxh_domain::DocumentFacts::cccd_qr(&facts.iter().map(|(_, f)| f.clone()).collect::<Vec<_>>());
        let paper = paper_pages.first().map(|p| p.reading.paper_fields());
        let now = self.now();
        let assigned = c.declaration.assignment.as_ref().filter(|a| a.officer != s.username && a.expires_at > now);
        let assigned_to =
            assigned.map(|a| format!("{} (đến {})", a.officer_name, bhxh_domain::clock::office_text(a.expires_at)));
        let assigned_to_en =
            assigned.map(|a| format!("{} (until {})", a.officer_name, bhxh_domain::clock::office_text(a.expires_at)));
        let mut view = views::declaration_view(c, findings, suggested, &offices, now, &self.calendar);
        views::read_elsewhere(&mut view.fields, qr.as_ref(), paper.as_ref());
        // The same readings the checks used: the first matched page's, the front's when no QR read.
        let mut read = Vec::new();
        if let Some(p) = paper_pages.first() {
            if let Some(o) = &p.reading.ocr {
                read.push(views::OcrSource {
                    source: "ocr_paper",
                    doc: format!("paper:{}:{}", p.stack_sha256, p.page_index),
                    reading: o,
                });
            }
        }
        if qr.is_none() {
            if let Some((doc, o)) = facts.iter().find_map(|(doc, f)| {
                f.ocr.as_ref().filter(|_| f.kind == bhxh_domain::DocumentKind::IdFront).map(|o| (doc, o))
            }) {
                read.push(views::OcrSource { source: "ocr_id", doc: doc.clone(), reading: o });
            }
        }
        views::read_by_ocr(&mut view.fields, &read);
        view.local_decision = self.local_decision(&s.username, id)?;
        view.assigned_to = assigned_to;
        view.assigned_to_en = assigned_to_en;
        view.paper_pages = paper_pages
            .into_iter()
            .map(|p| PaperPageRef {
                sha256: p.stack_sha256,
                page_index: p.page_index,
                matched_by: p.matched_by.code().to_owned(),
                signed: p.reading.signed,
                signing_area: p.reading.signing_area,
            })
            .collect();
        Ok(view)
    }

    /// Bytes and content type of a cached document, for the document protocol.
    pub fn document_bytes(&self, id: &str) -> Result<(String, Vec<u8>), AppError> {
        self.owned_document(id)?;
        let (doc, bytes) = self.with_cache(|c| c.document_bytes(id))?;
        Ok((doc.content_type, bytes))
    }

    /// A document's row, once the session's role and office are checked (another
    /// office's document is as good as absent).
    pub(crate) fn owned_document(&self, id: &str) -> Result<bhxh_cache::CachedDocument, AppError> {
        let s = self.session_for("document")?;
        let cache = self.cache()?;
        let cache = lock(&cache);
        let no_such = || AppError::new(ErrorCode::NotFound, "Không có tài liệu này.", "There is no such document.");
        let doc = cache.document(id)?.ok_or_else(no_such)?;
        if cache.office_of(&doc.declaration_id)?.as_deref() != Some(s.office_code.as_str()) {
            return Err(no_such());
        }
        Ok(doc)
    }

    /// Pulls the office's declarations and missing documents. Marks the link
    /// offline on network errors; logs in again by itself when the token is gone.
    /// The officer's "sync now".
    pub async fn sync_now(&self) -> Result<SyncSummary, AppError> {
        self.session_for("sync_now")?;
        self.sync(true).await
    }

    /// A sync, from the officer (`manual`) or the background task (which is not activity).
    #[instrument(skip(self))]
    async fn sync(&self, manual: bool) -> Result<SyncSummary, AppError> {
        let _gate = self.sync_gate.lock().await;
        let started = Instant::now();
        let (mut client, credentials, office, authenticated, role) = {
            let guard = self.session.read().unwrap_or_else(|p| p.into_inner());
            let s = guard.as_ref().ok_or_else(AppError::not_logged_in)?;
            if s.locked {
                return Err(AppError::locked());
            }
            (s.client.clone(), s.credentials.clone(), s.info.office_code.clone(), s.authenticated, s.info.role)
        };
        {
            let mut link = lock(&self.link);
            link.syncing = true;
            link.last_attempt = Some(Instant::now());
        }
        let result = if !role.reviews_declarations() {
            self.sync_directory(&mut client, &credentials, &office, authenticated, manual).await
        } else {
            self.sync_with(&mut client, &credentials, &office, authenticated, role).await.map(|(report, pushed)| {
                SyncSummary {
                    decisions_delivered: pushed.accepted + pushed.duplicate + pushed.conflict,
                    decisions_conflicting: pushed.conflict,
                    decisions_refused: pushed.refused,
                    declarations: report.declarations,
                    new_declarations: report.new_declarations,
                    documents_downloaded: report.documents_downloaded,
                    documents_failed: report.documents_failed,
                    directory_people: 0,
                    calls_delivered: 0,
                    duration_ms: 0,
                }
            })
        };
        let mut link = lock(&self.link);
        link.syncing = false;
        match result {
            Ok(summary) => {
                link.online = true;
                link.last_sync_at = Some(self.now());
                link.sync_count = link.sync_count.wrapping_add(1);
                link.last_error = None;
                Ok(SyncSummary { duration_ms: started.elapsed().as_millis() as u32, ..summary })
            }
            Err(e) => {
                link.online = !e.is_offline();
                let app: AppError = e.into();
                link.last_error = Some(app.clone());
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
        role: bhxh_domain::Role,
    ) -> Result<(PullReport, bhxh_sync::PushReport), SyncError> {
        if !authenticated {
            client.login(credentials).await?;
            self.store_client(client);
        }
        // Logged out meanwhile: nothing to sync into.
        let cache = self.cache().map_err(|_| SyncError::Unauthorized { request: "sync".into() })?;
        // Decisions first: they are the officer's work; the pull then shows their effect.
        let pushed = bhxh_sync::push_outbox(client, &cache, credentials, self.config.clock).await?;
        self.store_client(client);
        let mut report = match bhxh_sync::pull_declarations(client, &cache, office, bhxh_sync::PAGE_SIZE).await {
            Err(SyncError::Unauthorized { .. }) => {
                // Token expired (or the server forgot it): once more with a fresh one.
                client.login(credentials).await?;
                self.store_client(client);
                bhxh_sync::pull_declarations(client, &cache, office, bhxh_sync::PAGE_SIZE).await?
            }
            other => other?,
        };
        bhxh_sync::fetch_documents(client, &cache, &mut report).await?;
        self.refresh_office_units(client, &cache, office).await;
        if role == bhxh_domain::Role::Supervisor {
            // The dashboard works offline from the last sync: keep the quotas with the declarations.
            let quotas = client.quotas(office).await?;
            let json = serde_json::to_string(&quotas).map_err(|e| SyncError::Malformed {
                request: "GET /v1/offices/{code}/quotas".into(),
                detail: e.to_string(),
            })?;
            lock(&cache).set_meta(supervisor::QUOTAS_META, &json)?;
            // Units and the campaign: employers' figures, nothing about a person.
            let coverage = client.coverage(office).await?;
            let json = serde_json::to_string(&coverage).map_err(|e| SyncError::Malformed {
                request: "GET /v1/offices/{code}/coverage".into(),
                detail: e.to_string(),
            })?;
            lock(&cache).set_meta(supervisor::COVERAGE_META, &json)?;
        }
        Ok((report, pushed))
    }

    /// The office's units again when the list is a day old (a unit opens or closes
    /// now and then); a failure leaves the old list and the round goes on.
    async fn refresh_office_units(&self, client: &CentralClient, cache: &Arc<Mutex<Cache>>, office: &str) {
        let listed_at = lock(cache).office_units_listed_at().ok().flatten();
        if listed_at.is_some_and(|t| self.now().signed_duration_since(t) < chrono::TimeDelta::hours(24)) {
            return;
        }
        match client.units(office).await {
            Ok(list) if list.office_code == office => {
                if let Err(e) = lock(cache).set_office_units(&list, self.now()) {
                    warn!(error = %e, "office units not kept");
                }
            }
            Ok(_) => warn!("office units answered for another office"),
            Err(e) => warn!(error = %e, "office units not listed"),
        }
    }

    /// The helpdesk's sync: the calls noted here first, then the office's directory
    /// (a full copy: on the agent's "sync", else when the copy is older than
    /// [`DIRECTORY_EVERY`]). The name index is rebuilt off the caller's path afterwards,
    /// so the first name typed does not wait for it.
    async fn sync_directory(
        &self,
        client: &mut CentralClient,
        credentials: &Credentials,
        office: &str,
        authenticated: bool,
        manual: bool,
    ) -> Result<SyncSummary, SyncError> {
        if !authenticated {
            client.login(credentials).await?;
            self.store_client(client);
        }
        let cache = self.cache().map_err(|_| SyncError::Unauthorized { request: "sync".into() })?;
        let calls = match bhxh_sync::push_calls(client, &cache, self.config.clock).await {
            Err(SyncError::Unauthorized { .. }) => {
                client.login(credentials).await?;
                self.store_client(client);
                bhxh_sync::push_calls(client, &cache, self.config.clock).await?
            }
            other => other?,
        };
        let pulled_at = lock(&cache).meta(DIRECTORY_PULLED_AT)?.and_then(|t| DateTime::parse_from_rfc3339(&t).ok());
        let due = pulled_at
            .is_none_or(|t| self.now().signed_duration_since(t).to_std().is_ok_and(|age| age >= DIRECTORY_EVERY));
        let mut directory = bhxh_sync::DirectoryReport::default();
        if manual || due {
            directory = bhxh_sync::pull_directory(client, &cache, office).await?;
            lock(&cache).set_meta(DIRECTORY_PULLED_AT, &self.now().to_rfc3339())?;
            let warm = Arc::clone(&cache);
            tokio::task::spawn_blocking(move || {
                if let Err(e) = lock(&warm).ensure_name_index() {
                    warn!(error = %e, "name index not built");
                }
            });
        }
        Ok(SyncSummary {
            decisions_delivered: 0,
            decisions_conflicting: 0,
            decisions_refused: 0,
            declarations: 0,
            new_declarations: 0,
            documents_downloaded: 0,
            documents_failed: 0,
            directory_people: directory.people,
            calls_delivered: calls.delivered,
            duration_ms: 0,
        })
    }

    /// The session's client, if it holds a token the server accepted.
    fn authenticated_client(&self) -> Option<CentralClient> {
        let guard = self.session.read().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().filter(|s| s.authenticated).map(|s| s.client.clone())
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
    /// Analyses newly arrived documents on a blocking thread, unless a run is
    /// already going: the officer never waits for it.
    fn spawn_analysis(self: &Arc<Self>) {
        use std::sync::atomic::Ordering;
        if self.is_locked() || self.analysing.swap(true, Ordering::AcqRel) {
            return;
        }
        let desk = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            if let Err(e) = desk.analyse_pending() {
                warn!(error = %e.message, "document analysis stopped");
            }
            desk.analysing.store(false, Ordering::Release);
        });
    }

    pub async fn run_background(self: Arc<Self>, every: Duration, sync_every: Duration) {
        loop {
            tokio::time::sleep(every).await;
            self.lock_if_idle();
            self.purge_if_due();
            self.spawn_analysis();
            if self.session_info().is_none() || self.is_locked() {
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
            let waiting = self.with_cache(|c| Ok(c.outbox_counts()?.0 + c.calls_waiting()?)).is_ok_and(|w| w > 0);
            if !was_online || due || waiting {
                let _ = self.sync(false).await;
            }
        }
    }
}
