//! The application state behind every command: the cache, the session, the link
//! to the central service.

use crate::access;
use crate::access::{Access, Who};
use crate::error::{AppError, ErrorCode};
use crate::ipc::*;
use crate::{offices, views};
use bhxh_cache::{Cache, PasswordChange, Profile, Profiles};
use bhxh_sync::{CentralClient, Credentials, SyncError};
use chrono::{DateTime, Utc};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use tracing::{info, instrument, warn};

mod about;
pub use about::{AboutInfo, LOG_PREFIX, SupportBundle};
mod decide;
mod downloads;
mod exports;
pub use exports::{FileOpener, FolderPicker};
mod helpdesk;
mod letters;
mod paper;
mod paper_rule;
mod supervisor;
mod window_title;
pub use window_title::{APP_TITLE, TitleSink, window_title};

#[derive(Debug, Clone)]
pub struct DeskConfig {
    pub data_dir: PathBuf,
    /// The central service, as the office's IT configured it: when set, the only
    /// server this desk logs in to (the login screen shows it, read-only).
    pub central_url: Option<String>,
    pub default_username: Option<String>,
    pub default_password: Option<String>,
    /// Inactivity before the screen locks and documents are unloaded.
    pub idle_lock: Duration,
    /// Days a declaration's documents stay on this PC once its decision is on record.
    pub retention_days: u32,
    /// Days the cache may be unlocked offline after the last online login.
    pub max_offline_days: u32,
    /// What this PC downloads ahead and how much of the disk its documents may take.
    pub document_policy: bhxh_cache::DocumentPolicy,
    /// The folder for exports and letters the office's IT configured (outside the
    /// data folder); each supervisor may choose another on this PC.
    pub export_dir: Option<PathBuf>,
    /// SHA-256 of the central service's certificate: with it, no other
    /// certificate is accepted, whoever signed it.
    pub central_cert_pin: Option<bhxh_sync::CertPin>,
    /// The office's clock: every "now" and "today" of the desk reads it.
    pub clock: bhxh_domain::Clock,
    /// The office this PC serves, as IT configured it: an account of another office is not logged in.
    pub office_code: Option<String>,
    /// Where each value came from, and a configuration file refused (then no one is logged in).
    pub deployment: crate::deployment::Report,
}

impl DeskConfig {
    /// The desk as IT deployed it (`deployment`), its data in `data_dir`; nothing prefilled.
    pub fn deployed(deployment: &crate::deployment::Deployment, data_dir: PathBuf) -> Self {
        let d = deployment;
        DeskConfig {
            data_dir,
            central_url: d.central_url.value.clone(),
            default_username: None,
            default_password: None,
            idle_lock: Duration::from_secs(u64::from(d.idle_lock_minutes.value) * 60),
            retention_days: d.retention_days.value,
            max_offline_days: d.max_offline_days.value,
            document_policy: bhxh_cache::DocumentPolicy {
                ahead: d.documents_ahead.value,
                budget_bytes: u64::from(d.document_budget_mb.value) * 1024 * 1024,
            },
            export_dir: d.export_dir.value.clone(),
            central_cert_pin: d.central_cert_sha256.value,
            clock: crate::desk_clock(),
            office_code: d.office_code.value.clone(),
            deployment: crate::deployment::Report::of(d),
        }
    }
}

/// How long a refused or failed log-in again keeps the desk from trying once more.
const LOGIN_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Fifteen minutes, as the security rules ask; configurable per PC.
pub const DEFAULT_IDLE_LOCK: Duration = Duration::from_secs(15 * 60);

/// Who is logged in while the screen is locked: no data key, no password, no token.
#[derive(Clone)]
struct Identity {
    info: SessionInfo,
    central_url: String,
}

impl bhxh_sync::round::SessionStore for OpenSession {
    fn cache(&self) -> &Arc<Mutex<Cache>> {
        &self.cache
    }
    fn credentials(&self) -> &Credentials {
        &self.credentials
    }
    fn office(&self) -> &str {
        &self.info.office_code
    }
    fn role(&self) -> bhxh_domain::Role {
        self.info.role
    }
    fn client(&self) -> (CentralClient, bool) {
        OpenSession::client(self)
    }
    fn keep_client(&self, client: &CentralClient) {
        self.store_client(client);
    }
    fn downloads(&self) -> &bhxh_sync::Downloads {
        &self.downloads
    }
    fn document_policy(&self) -> bhxh_cache::DocumentPolicy {
        self.document_policy
    }
}

/// The link to the central service of an open session.
struct Link {
    client: CentralClient,
    /// Whether the client holds a token the server accepted.
    authenticated: bool,
}

/// An unlocked session: the officer's cache open with their data key, the client
/// with its token, and the password to log in again when the network returns. It
/// is the only owner of each: locking or logging out drops it and cancels every
/// background task that works for it (analysis, an in-flight sync), so the key and
/// the password leave memory with it.
pub(crate) struct OpenSession {
    pub(crate) info: SessionInfo,
    central_url: String,
    cache: Arc<Mutex<Cache>>,
    link: Mutex<Link>,
    /// The same address without a token, for the background's health check.
    probe: CentralClient,
    /// Zeroised on drop.
    credentials: Credentials,
    cancel: CancellationToken,
    /// When a log-in again was last refused or failed: the next try waits a minute.
    login_failed_at: Mutex<Option<Instant>>,
    /// Whose documents this session has shown, so that each view is audited once.
    viewed: Mutex<Viewed>,
    /// Documents on their way (progress; broken transfers kept in memory to go on from).
    pub(crate) downloads: bhxh_sync::Downloads,
    document_policy: bhxh_cache::DocumentPolicy,
}

/// How a citizen's documents reached the screen, for the audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shown {
    /// The officer opened the declaration: one row per opening, none for a refresh.
    Opened,
    /// An image was served (fetched ahead of the opening, or by a page that did
    /// not open the declaration): one row per session unless an opening covers it.
    Served,
}

#[derive(Default)]
struct Viewed {
    /// The declaration open on the screen (its opening audited).
    open: Option<String>,
    /// Every subject whose documents an audit row covers in this session.
    covered: std::collections::HashSet<String>,
}

impl Viewed {
    /// Whether showing `subject` this way needs an audit row; notes it as covered.
    fn needs_row(&mut self, subject: &str, how: Shown) -> bool {
        let needed = match how {
            Shown::Opened => self.open.as_deref() != Some(subject),
            Shown::Served => !self.covered.contains(subject),
        };
        if how == Shown::Opened {
            self.open = Some(subject.to_owned());
        }
        self.covered.insert(subject.to_owned());
        needed
    }
}

impl OpenSession {
    fn new(
        info: SessionInfo,
        central_url: String,
        cache: Cache,
        link: Link,
        credentials: Credentials,
        document_policy: bhxh_cache::DocumentPolicy,
    ) -> Arc<Self> {
        let mut probe = link.client.clone();
        probe.set_token(None);
        Arc::new(Self {
            info,
            central_url,
            cache: Arc::new(Mutex::new(cache)),
            probe,
            link: Mutex::new(link),
            credentials,
            cancel: CancellationToken::new(),
            login_failed_at: Mutex::new(None),
            viewed: Mutex::new(Viewed::default()),
            downloads: bhxh_sync::Downloads::default(),
            document_policy,
        })
    }

    pub(crate) fn cache(&self) -> &Arc<Mutex<Cache>> {
        &self.cache
    }

    /// Cache work from an `awaits` command: on a blocking thread (see [`off_runtime`]),
    /// the cache locked for the call.
    pub(crate) async fn on_cache<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Cache) -> Result<T, bhxh_cache::CacheError> + Send + 'static,
    ) -> Result<T, AppError> {
        let cache = Arc::clone(&self.cache);
        off_runtime(move || Ok(f(&mut lock(&cache))?)).await
    }

    /// Runs `f` on the session's cache, locked for the call.
    pub(crate) fn with_cache<T>(
        &self,
        f: impl FnOnce(&mut Cache) -> Result<T, bhxh_cache::CacheError>,
    ) -> Result<T, AppError> {
        Ok(f(&mut lock(&self.cache))?)
    }

    /// The client, if it holds a token the server accepted.
    fn authenticated_client(&self) -> Option<CentralClient> {
        let link = lock(&self.link);
        link.authenticated.then(|| link.client.clone())
    }

    fn client(&self) -> (CentralClient, bool) {
        let link = lock(&self.link);
        (link.client.clone(), link.authenticated)
    }

    /// Keeps the client that logged in again (its new token).
    fn store_client(&self, client: &CentralClient) {
        *lock(&self.link) = Link { client: client.clone(), authenticated: true };
    }

    fn identity(&self) -> Identity {
        Identity { info: self.info.clone(), central_url: self.central_url.clone() }
    }

    /// Writes the audit row for documents of `subject` (a declaration id, or
    /// `paper:<content tag>` for an unmatched page) reaching the screen, once per view.
    /// The row is written before the bytes leave: no image is shown unrecorded.
    pub(crate) fn audit_shown(&self, subject: &str, how: Shown, now: DateTime<Utc>) -> Result<(), AppError> {
        let mut viewed = lock(&self.viewed);
        if !viewed.needs_row(subject, how) {
            return Ok(());
        }
        let detail = match how {
            Shown::Opened => "",
            Shown::Served => "served",
        };
        let written = lock(&self.cache).audit(
            &self.info.username,
            bhxh_cache::audit::Action::ViewDocuments,
            subject,
            detail,
            now,
        );
        if written.is_err() {
            // Not covered after all: the next showing tries the row again.
            viewed.covered.remove(subject);
            if how == Shown::Opened {
                viewed.open = None;
            }
        }
        Ok(written?)
    }
}

/// The session as one value: nobody, somebody behind the lock screen, or an open session.
enum SessionState {
    LoggedOut,
    Locked(Identity),
    Open(Arc<OpenSession>),
}

impl SessionState {
    fn info(&self) -> Option<&SessionInfo> {
        match self {
            SessionState::LoggedOut => None,
            SessionState::Locked(id) => Some(&id.info),
            SessionState::Open(s) => Some(&s.info),
        }
    }
}

/// An open session seen by a command that `W` admits: the view a command works on.
pub(crate) struct View<W> {
    session: Arc<OpenSession>,
    who: PhantomData<W>,
}

impl<W> View<W> {
    /// The session itself, for work that outlives the borrow (a blocking task).
    pub(crate) fn shared(&self) -> Arc<OpenSession> {
        Arc::clone(&self.session)
    }
}

impl<W> std::ops::Deref for View<W> {
    type Target = OpenSession;
    fn deref(&self) -> &OpenSession {
        &self.session
    }
}

/// What a test can see of a session after it is locked: whether anything still
/// holds its cache or the session itself.
pub struct SessionWatch {
    session: Weak<OpenSession>,
    cache: Weak<Mutex<Cache>>,
}

impl SessionWatch {
    /// Whether the session or its cache is still held by someone (a task, a command).
    pub fn alive(&self) -> bool {
        self.session.strong_count() > 0 || self.cache.strong_count() > 0
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
    profiles: Arc<Mutex<Profiles>>,
    session: RwLock<SessionState>,
    /// The person's last own input (the window's `activity`), or the opening of the session.
    last_activity: Mutex<Instant>,
    link: Mutex<LinkState>,
    /// One sync at a time.
    sync_gate: tokio::sync::Mutex<()>,
    /// A document analysis is running (one at a time on this PC, whichever session started it).
    analysing: Arc<AtomicBool>,
    last_purge: Mutex<Option<Instant>>,
    /// The office's working days: the shipped years, with the office's own files in their place.
    calendar: Arc<bhxh_domain::calendar::WorkCalendar>,
    /// The window's folder dialog, set by the shell.
    folder_picker: Mutex<Option<Arc<dyn exports::FolderPicker>>>,
    file_opener: Mutex<Option<Arc<dyn exports::FileOpener>>>,
    /// The window's title, set by the shell.
    title_sink: Mutex<Option<Arc<dyn window_title::TitleSink>>>,
    /// One decode per document at a time (the screen and the thumbnail asked together).
    decoding: crate::images::KeyedLocks,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `f` on a blocking thread and waits for it. What an `awaits` command does
/// besides waiting on the network (cache work, deriving a key from a password, a
/// PDF) must not hold one of the runtime's workers: there are as many as the PC
/// has cores, and the window's other commands wait on them.
pub(crate) async fn off_runtime<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        // A panic is a bug: it stays one, as it was on the caller's thread.
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(SyncError::Interrupted.into()),
    }
}

/// Opens a profile's cache with the password alone (no central service): the
/// offline log-in's slow part (the key is derived from the password).
fn unlock_offline(
    profiles: &Mutex<Profiles>,
    credentials: &Credentials,
    now: DateTime<Utc>,
    max_offline_days: u32,
) -> Result<(Profile, Cache), AppError> {
    let profiles = lock(profiles);
    let (account, key) =
        profiles.unlock_offline(credentials.username(), credentials.password(), now, max_offline_days)?;
    let mut cache = Cache::open(&profiles.cache_dir(&account.username)?, key)?;
    cache.audit(&account.username, bhxh_cache::audit::Action::Login, &account.office_code, "offline", now)?;
    Ok((account, cache))
}

impl Desk {
    pub fn open(config: DeskConfig) -> Result<Self, AppError> {
        let profiles = Profiles::open(&config.data_dir)?;
        Ok(Self {
            config,
            profiles: Arc::new(Mutex::new(profiles)),
            session: RwLock::new(SessionState::LoggedOut),
            last_activity: Mutex::new(Instant::now()),
            link: Mutex::new(LinkState::default()),
            sync_gate: tokio::sync::Mutex::new(()),
            analysing: Arc::new(AtomicBool::new(false)),
            last_purge: Mutex::new(None),
            calendar: Arc::new(crate::assets::work_calendar()),
            folder_picker: Mutex::new(None),
            file_opener: Mutex::new(None),
            title_sink: Mutex::new(None),
            decoding: crate::images::KeyedLocks::default(),
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

    fn state(&self) -> std::sync::RwLockReadGuard<'_, SessionState> {
        self.session.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The open session, whoever it is (background work; commands use [`Desk::view`]).
    fn open_session(&self) -> Result<Arc<OpenSession>, AppError> {
        match &*self.state() {
            SessionState::Open(s) => Ok(Arc::clone(s)),
            SessionState::Locked(_) => Err(AppError::locked()),
            SessionState::LoggedOut => Err(AppError::not_logged_in()),
        }
    }

    /// The open session as a command that `W` admits sees it.
    pub(crate) fn view<W: Who>(&self) -> Result<View<W>, AppError> {
        let session = self.open_session()?;
        match W::ACCESS {
            Access::Roles(roles) if !roles.contains(&session.info.role) => {
                warn!(role = session.info.role.code(), "refused by role");
                return Err(AppError::forbidden());
            }
            _ => {}
        }
        Ok(View { session, who: PhantomData })
    }

    /// The session's client for a question asked while the officer waits: `None`
    /// when the link is down. A session unlocked or opened offline logs in first
    /// (its token left with the lock).
    pub(crate) async fn central(&self, s: &OpenSession) -> Option<CentralClient> {
        if !lock(&self.link).online {
            return None;
        }
        if let Some(client) = s.authenticated_client() {
            return Some(client);
        }
        // A refused password must not be tried again on every click (the server counts failures).
        if lock(&s.login_failed_at).is_some_and(|t| t.elapsed() < LOGIN_RETRY_AFTER) {
            return None;
        }
        let (mut client, _) = s.client();
        match client.login(&s.credentials).await {
            Ok(_) => {
                s.store_client(&client);
                *lock(&s.login_failed_at) = None;
                Some(client)
            }
            Err(e) => {
                warn!(error = %e, "log-in again refused or failed");
                *lock(&s.login_failed_at) = Some(Instant::now());
                None
            }
        }
    }

    /// Runs a command's wait on the central service, cut short when the session it
    /// was admitted for is locked or closed (the login screen's calls run whole).
    pub(crate) async fn until_closed<T>(
        &self,
        access: Access,
        work: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let token = match (access, &*self.state()) {
            (Access::Session | Access::Roles(_), SessionState::Open(s)) => Some(s.cancel.clone()),
            _ => None,
        };
        let Some(token) = token else { return work.await };
        tokio::select! {
            r = work => r,
            () = token.cancelled() => Err(AppError::locked()),
        }
    }

    /// A client for the health check: the session's address and pin, no token.
    fn health_probe(&self) -> Option<CentralClient> {
        match &*self.state() {
            SessionState::Open(s) => Some(s.probe.clone()),
            _ => None,
        }
    }

    /// What a test watches to see a locked session's data leave memory.
    #[doc(hidden)]
    pub fn watch_session(&self) -> Option<SessionWatch> {
        match &*self.state() {
            SessionState::Open(s) => Some(SessionWatch { session: Arc::downgrade(s), cache: Arc::downgrade(&s.cache) }),
            _ => None,
        }
    }

    pub fn prefill(&self) -> Result<Prefill, AppError> {
        let last = lock(&self.profiles).last_profile()?.map(|p| (p.username, p.central_url));
        Ok(Prefill {
            central_url: self
                .config
                .central_url
                .clone()
                .or_else(|| last.as_ref().map(|l| l.1.clone()))
                .unwrap_or_else(|| "http://127.0.0.1:8716".to_owned()),
            central_url_fixed: self.config.central_url.is_some(),
            username: self.config.default_username.clone().or(last.map(|l| l.0)).unwrap_or_default(),
            password: self.config.default_password.clone().unwrap_or_default(),
            config_problem: self.config.deployment.problem.clone(),
        })
    }

    /// The server `username` may log in to: the configured one (an address typed
    /// against it is refused), and a profile's own (whoever answers at another
    /// address gets neither the password nor the outbox, and cannot re-wrap or set
    /// aside this PC's data). A user without a profile here may name a server only
    /// where none is configured (a developer's or a test's desk).
    fn server_for(&self, typed: &str, username: &str) -> Result<String, AppError> {
        let typed = typed.trim();
        let refused = |server: &str| {
            warn!(typed, "login refused: not the configured or the profile's central server");
            AppError::new(
                ErrorCode::Forbidden,
                format!(
                    "Địa chỉ máy chủ {typed} không phải máy chủ trung tâm đã cấu hình cho máy này ({server}). Chưa gửi mật khẩu. Hãy liên hệ bộ phận công nghệ thông tin nếu địa chỉ máy chủ đã thay đổi."
                ),
                format!(
                    "The server address {typed} is not the central server configured for this PC ({server}). The password was not sent. Please contact the IT department if the server's address has changed."
                ),
            )
        };
        let profile = lock(&self.profiles).profile(username)?;
        let chosen = match (&self.config.central_url, &profile) {
            (Some(configured), _) if !typed.is_empty() && !bhxh_sync::same_server(typed, configured) => {
                return Err(refused(configured));
            }
            (Some(configured), _) => configured.clone(),
            // Nothing typed: the profile's own server (the headless commands, an emptied field).
            (None, Some(p)) if typed.is_empty() => p.central_url.clone(),
            (None, _) => typed.to_owned(),
        };
        if let Some(p) = &profile
            && !bhxh_sync::same_server(&chosen, &p.central_url)
        {
            return Err(refused(&p.central_url));
        }
        Ok(chosen)
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
        self.configuration_usable()?;
        let server = self.server_for(&input.central_url, &username)?;
        let mut client = CentralClient::with_pin(&server, self.config.central_cert_pin)?;
        let credentials = Credentials::new(username.clone(), input.password.clone());
        match client.login(&credentials).await {
            Ok(resp) => {
                self.serves_office(&resp.user.office_code)?;
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
                // The key is derived from the password (Argon2) and the cache opened
                // and migrated: seconds on an old PC, off the runtime's workers.
                let (profiles, now) = (Arc::clone(&self.profiles), self.now());
                let wipe_requested_at = resp.wipe_requested_at;
                let (account, cache, credentials) = off_runtime(move || {
                    let profiles = lock(&profiles);
                    // The central service asked for this account's data on every PC to go
                    // (a lost or handed-on PC): data older than the request is destroyed,
                    // unsent decisions included, before a fresh cache starts.
                    let requested = wipe_requested_at.map(|at| at.to_rfc3339());
                    let wiped = match &requested {
                        Some(at) if profiles.wipe_due(&account.username, at)? => {
                            warn!(requested = %at, "the central service asked for this account's data to be wiped");
                            profiles.wipe(&account.username)?;
                            true
                        }
                        _ => false,
                    };
                    let change = match &input.password_changed {
                        None => PasswordChange::Ask,
                        Some(PasswordChangedAnswer::Previous { previous_password }) => {
                            PasswordChange::Previous(previous_password)
                        }
                        Some(PasswordChangedAnswer::StartAfresh) => PasswordChange::StartAfresh,
                    };
                    let key = profiles.key_after_online_login(&account, credentials.password(), change, now)?;
                    let mut cache = Cache::open(&profiles.cache_dir(&account.username)?, key)?;
                    if let Some(at) = &requested {
                        profiles.wipe_honoured(&account.username, at)?;
                    }
                    let how = match input.password_changed {
                        None => "online",
                        Some(PasswordChangedAnswer::Previous { .. }) => {
                            "online; password changed, data key wrapped again"
                        }
                        Some(PasswordChangedAnswer::StartAfresh) => "online; password changed, previous data set aside",
                    };
                    let how = if wiped { "online; earlier data wiped at the central service's request" } else { how };
                    cache.audit(&account.username, bhxh_cache::audit::Action::Login, &account.office_code, how, now)?;
                    if !offices.is_empty() {
                        let json = serde_json::to_string(&offices).map_err(AppError::internal)?;
                        cache.set_meta(offices::META_KEY, &json)?;
                    }
                    if let Some(units) = units.filter(|u| u.office_code == account.office_code) {
                        cache.set_office_units(&units, now)?;
                    }
                    Ok((account, cache, credentials))
                })
                .await?;
                let info = SessionInfo {
                    username: account.username,
                    display_name: account.display_name,
                    role: account.role,
                    office_code: account.office_code,
                    office_name,
                    offline_login: false,
                };
                let central_url = client.base_url().to_owned();
                let link = Link { client, authenticated: true };
                self.set_open(
                    OpenSession::new(info.clone(), central_url, cache, link, credentials, self.config.document_policy),
                    true,
                );
                info!("logged in online");
                Ok(info)
            }
            Err(e) if e.is_offline() => {
                warn!(error = %e, "central unreachable; trying offline unlock");
                // Refused before the data is opened (and an opening audited) for an office this PC does not serve.
                if let Some(p) = lock(&self.profiles).profile(&username)? {
                    self.serves_office(&p.office_code)?;
                }
                let (profiles, now, max_offline_days) =
                    (Arc::clone(&self.profiles), self.now(), self.config.max_offline_days);
                let (account, cache, credentials) = off_runtime(move || {
                    let (account, cache) = unlock_offline(&profiles, &credentials, now, max_offline_days)?;
                    Ok((account, cache, credentials))
                })
                .await?;
                self.serves_office(&account.office_code)?;
                Ok(self.open_offline(client, account, cache, credentials))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Opens the officer's cache without the central service (the password opens
    /// the data key); scripts use it directly, the login falls back to it.
    pub fn login_offline(&self, input: LoginInput) -> Result<SessionInfo, AppError> {
        // A typed address other than the profile's is refused; the session then talks
        // only to the profile's server.
        self.configuration_usable()?;
        self.server_for(&input.central_url, input.username.trim())?;
        if let Some(p) = lock(&self.profiles).profile(input.username.trim())? {
            self.serves_office(&p.office_code)?;
        }
        let credentials = Credentials::new(input.username.trim().to_owned(), input.password);
        let (account, cache) = unlock_offline(&self.profiles, &credentials, self.now(), self.config.max_offline_days)?;
        self.serves_office(&account.office_code)?;
        let server = self.config.central_url.clone().unwrap_or_else(|| account.central_url.clone());
        let client = CentralClient::with_pin(&server, self.config.central_cert_pin)?;
        Ok(self.open_offline(client, account, cache, credentials))
    }

    fn open_offline(
        &self,
        client: CentralClient,
        account: Profile,
        cache: Cache,
        credentials: Credentials,
    ) -> SessionInfo {
        let office_name = offices::name_on(&offices::cached(&cache), &account.office_code, self.today());
        let info = SessionInfo {
            username: account.username,
            display_name: account.display_name,
            role: account.role,
            office_code: account.office_code,
            office_name,
            offline_login: true,
        };
        let central_url = client.base_url().to_owned();
        let link = Link { client, authenticated: false };
        self.set_open(
            OpenSession::new(info.clone(), central_url, cache, link, credentials, self.config.document_policy),
            false,
        );
        info!("unlocked offline from the cache");
        info
    }

    fn set_open(&self, session: Arc<OpenSession>, online: bool) {
        // Fresh before the session shows: the idle check must not see the last session's idle time.
        *lock(&self.last_activity) = Instant::now();
        *lock(&self.link) = LinkState { online, ..LinkState::default() };
        self.replace_state(SessionState::Open(session));
    }

    /// Puts `next` in place of the session and, if that closes an open one, cancels
    /// its tasks; the old session is dropped here, or by the last task to let go.
    fn replace_state(&self, next: SessionState) {
        self.show_title(&next);
        let previous = std::mem::replace(&mut *self.session.write().unwrap_or_else(|p| p.into_inner()), next);
        if let SessionState::Open(s) = previous {
            s.cancel.cancel();
        }
    }

    pub fn logout(&self) {
        self.replace_state(SessionState::LoggedOut);
        *lock(&self.link) = LinkState::default();
    }

    /// The gate of every command: whether `access` lets the caller through, and
    /// the session's identity if someone is logged in. A call is not activity: the
    /// window calls commands on its own (status, renewals, prefetch), and an officer
    /// who walked away must still be locked out.
    pub(crate) fn admit(&self, access: Access, command: &str) -> Result<Option<SessionInfo>, AppError> {
        let state = self.state();
        let info = match (&*state, access) {
            (SessionState::LoggedOut, Access::Anyone) => return Ok(None),
            (SessionState::LoggedOut, _) => return Err(AppError::not_logged_in()),
            (s, Access::Anyone | Access::Identified) => return Ok(s.info().cloned()),
            (SessionState::Locked(_), _) => return Err(AppError::locked()),
            (SessionState::Open(s), Access::Roles(roles)) if !roles.contains(&s.info.role) => {
                warn!(command, role = s.info.role.code(), "refused by role");
                return Err(AppError::forbidden());
            }
            (SessionState::Open(s), _) => s.info.clone(),
        };
        Ok(Some(info))
    }

    /// Locks the session: the open session is dropped (the cache closes, the key,
    /// the password and the token leave memory) and its background tasks stop.
    pub fn lock(&self) -> Result<(), AppError> {
        // Looked at and changed under one guard: a lock racing a logout or a new
        // login must not bring the old session's lock screen back.
        let previous = {
            let mut state = self.session.write().unwrap_or_else(|p| p.into_inner());
            let identity = match &*state {
                SessionState::LoggedOut => return Err(AppError::not_logged_in()),
                SessionState::Locked(_) => return Ok(()),
                SessionState::Open(s) => s.identity(),
            };
            info!(user = %identity.info.username, "session locked");
            std::mem::replace(&mut *state, SessionState::Locked(identity))
        };
        if let SessionState::Open(s) = previous {
            s.cancel.cancel();
        }
        Ok(())
    }

    /// Unlocks with the officer's password, checked against the wrapped data key
    /// (five wrong tries wait, as for the offline login). The client logs in again
    /// at the next sync.
    pub fn unlock(&self, password: &str) -> Result<(), AppError> {
        let identity = match &*self.state() {
            SessionState::LoggedOut => return Err(AppError::not_logged_in()),
            SessionState::Open(_) => return Ok(()),
            SessionState::Locked(identity) => identity.clone(),
        };
        let username = identity.info.username.clone();
        let cache = {
            let profiles = lock(&self.profiles);
            let (_, key) = profiles
                .unlock_offline(&username, password, self.now(), self.config.max_offline_days)
                .map_err(|e| match e {
                    bhxh_cache::UnlockError::WrongPassword { attempts_left } => AppError::new(
                        ErrorCode::Unauthorized,
                        format!("Mật khẩu không đúng. Còn {attempts_left} lần thử."),
                        format!("Wrong password. {attempts_left} {} left.", crate::error::tries(attempts_left)),
                    ),
                    other => other.into(),
                })?;
            let mut cache = Cache::open(&profiles.cache_dir(&username)?, key)?;
            cache.audit(&username, bhxh_cache::audit::Action::Unlock, "", "", self.now())?;
            cache
        };
        let client = CentralClient::with_pin(&identity.central_url, self.config.central_cert_pin)?;
        let credentials = Credentials::new(username.clone(), password.to_owned());
        let session = OpenSession::new(
            identity.info,
            identity.central_url,
            cache,
            Link { client, authenticated: false },
            credentials,
            self.config.document_policy,
        );
        *lock(&self.last_activity) = Instant::now();
        {
            let mut state = self.session.write().unwrap_or_else(|p| p.into_inner());
            match &*state {
                SessionState::Locked(id) if id.info.username == username => *state = SessionState::Open(session),
                // Unlocked meanwhile by the same person (a second click): done.
                SessionState::Open(s) if s.info.username == username => return Ok(()),
                // Logged out (or someone else) meanwhile: the unlock does not bring it back.
                _ => return Err(AppError::not_logged_in()),
            }
        }
        info!(user = %username, "session unlocked");
        Ok(())
    }

    /// Deletes the documents whose retention time is up, at most once an hour.
    pub fn purge_if_due(&self) {
        let due = lock(&self.last_purge).is_none_or(|t| t.elapsed() >= Duration::from_secs(3600));
        let Ok(s) = self.open_session() else { return };
        if !due {
            return;
        }
        *lock(&self.last_purge) = Some(Instant::now());
        match lock(&s.cache).purge_documents(&s.info.username, self.config.retention_days, self.now()) {
            Ok((0, _)) => {}
            Ok((declarations, files)) => info!(declarations, files, "documents past their retention time deleted"),
            Err(e) => warn!(error = %e, "retention purge failed; will try again"),
        }
    }

    /// The person's own input reached the window: the idle lock starts over.
    pub fn activity(&self) -> Result<(), AppError> {
        *lock(&self.last_activity) = Instant::now();
        Ok(())
    }

    /// Locks when the officer has been idle for the configured time (called by
    /// the background task each tick).
    pub fn lock_if_idle(&self) {
        let open = matches!(&*self.state(), SessionState::Open(_));
        if open && lock(&self.last_activity).elapsed() >= self.config.idle_lock {
            let _ = self.lock();
        }
    }

    /// Polled by the UI every few seconds: not activity, and answers while locked.
    pub fn status(&self) -> Result<StatusInfo, AppError> {
        let (session, open) = match &*self.state() {
            SessionState::LoggedOut => (None, None),
            SessionState::Locked(id) => (Some(id.info.clone()), None),
            SessionState::Open(s) => (Some(s.info.clone()), Some(Arc::clone(s))),
        };
        let locked = session.is_some() && open.is_none();
        let (mut queue_count, mut documents_total, mut documents_missing) = (0, 0, 0);
        let (mut outbox_waiting, mut outbox_attention, mut calls_waiting) = (0, 0, 0);
        if let Some(s) = &open {
            let c = lock(&s.cache);
            if s.info.role.reviews_declarations() {
                queue_count = c.queue_count(&s.info.office_code)?;
                // The bar counts what this PC downloads (held, next in the queue), not the whole office.
                let now = self.now();
                let wanted = c.wanted(&s.info.office_code, &s.info.username, now, self.config.document_policy.ahead)?;
                let stored;
                (documents_total, stored) = c.wanted_counts(&wanted)?;
                documents_missing = documents_total - stored;
                (outbox_waiting, outbox_attention) = c.outbox_counts()?;
            }
            if s.info.role == bhxh_domain::Role::Helpdesk {
                calls_waiting = c.calls_waiting()?;
            }
        }
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
        let s = self.view::<access::Reviewer>()?;
        let now = self.now();
        let cache = s.cache();
        let rows = lock(cache).queue(&s.info.office_code)?;
        Ok(rows.into_iter().map(|r| views::queue_item(r, &s.info.username, now, &self.calendar)).collect())
    }

    /// The declaration on screen: its opening is audited (once; a refresh is not).
    pub fn declaration(&self, id: &str) -> Result<DeclarationView, AppError> {
        self.declaration_view(id, true)
    }

    /// The next declaration's view, loaded while the officer reads the one before it:
    /// nothing is shown yet, so no opening is audited and the one on screen stays the
    /// open one (the screen asks `declaration` when it shows it). No document bytes.
    pub fn declaration_ahead(&self, id: &str) -> Result<DeclarationView, AppError> {
        self.declaration_view(id, false)
    }

    fn declaration_view(&self, id: &str, shown: bool) -> Result<DeclarationView, AppError> {
        let s = self.view::<access::Reviewer>()?;
        let cache = s.cache();
        let found = lock(cache).declaration(id)?;
        let c = found.ok_or_else(AppError::declaration_not_here)?;
        // Another office's declaration is as good as absent.
        if c.declaration.fields.office_code != s.info.office_code {
            return Err(AppError::declaration_not_here());
        }
        if shown && !c.documents.is_empty() {
            s.audit_shown(id, Shown::Opened, self.now())?;
        }
        let (offices, (findings, suggested), facts, paper_pages, paper_required) = {
            let cache = lock(cache);
            (
                offices::cached(&cache),
                cache.findings(id)?,
                cache.document_facts_by_id(id)?,
                cache.paper_pages_of(id)?,
                paper_rule::required(&cache, &c.declaration.fields)?,
            )
        };
        let qr = bhxh_domain::DocumentFacts::cccd_qr(&facts.iter().map(|(_, f)| f.clone()).collect::<Vec<_>>());
        let paper = paper_pages.first().map(|p| p.reading.paper_fields());
        let now = self.now();
        let assigned = c.declaration.assignment.as_ref().filter(|a| a.officer != s.info.username && a.expires_at > now);
        let assigned_to = assigned.map(|a| {
            let until = bhxh_domain::clock::office_text(a.expires_at);
            bhxh_domain::Text::new(
                format!("{} (đến {until})", a.officer_name),
                format!("{} (until {until})", a.officer_name),
            )
        });
        let mut view = views::declaration_view(c, findings, suggested, &offices, now, &self.calendar);
        views::read_elsewhere(&mut view.fields, qr.as_ref(), paper.as_ref());
        // The same readings the checks used: the first matched page's, the front's when no QR read.
        let mut read = Vec::new();
        if let Some(p) = paper_pages.first()
            && let Some(o) = &p.reading.ocr
        {
            read.push(views::OcrSource {
                source: "ocr_paper",
                doc: format!("paper:{}:{}", p.stack_sha256, p.page_index),
                reading: o,
            });
        }
        if qr.is_none()
            && let Some((doc, o)) = facts.iter().find_map(|(doc, f)| {
                f.ocr.as_ref().filter(|_| f.kind == bhxh_domain::DocumentKind::IdFront).map(|o| (doc, o))
            })
        {
            read.push(views::OcrSource { source: "ocr_id", doc: doc.clone(), reading: o });
        }
        views::read_by_ocr(&mut view.fields, &read);
        view.local_decision = Self::local_decision(cache, &s.info.username, id)?;
        view.paper_required = paper_required;
        view.assigned_to = assigned_to;
        view.paper_pages = paper_pages
            .into_iter()
            .map(|p| PaperPageRef {
                sha256: p.stack_sha256,
                page_index: p.page_index,
                matched_by: p.matched_by,
                signed: p.reading.signed,
                signing_area: p.reading.signing_area,
            })
            .collect();
        Ok(view)
    }

    /// Bytes and content type of a cached document, for the document protocol.
    pub fn document_bytes(&self, id: &str) -> Result<(String, Vec<u8>), AppError> {
        let (s, _) = self.owned_document(id)?;
        let (doc, bytes) = s.with_cache(|c| c.document_bytes(id))?;
        Ok((doc.content_type, bytes))
    }

    /// A document's row, once the session's role and office are checked (another
    /// office's document is as good as absent).
    pub(crate) fn owned_document(
        &self,
        id: &str,
    ) -> Result<(View<access::Reviewer>, bhxh_cache::CachedDocument), AppError> {
        let s = self.view::<access::Reviewer>()?;
        let no_such = || AppError::new(ErrorCode::NotFound, "Không có tài liệu này.", "There is no such document.");
        let doc = {
            let cache = lock(s.cache());
            let doc = cache.document(id)?.ok_or_else(no_such)?;
            if cache.office_of(&doc.declaration_id)?.as_deref() != Some(s.info.office_code.as_str()) {
                return Err(no_such());
            }
            doc
        };
        s.audit_shown(&doc.declaration_id, Shown::Served, self.now())?;
        // Shown now: the last to leave when the store's budget is full (a failed note
        // of it keeps no image from the screen).
        if let Err(e) = lock(s.cache()).touch_documents(&doc.declaration_id, self.now()) {
            warn!(error = %e, "document use not noted");
        }
        Ok((s, doc))
    }

    /// Pulls the office's declarations and missing documents. Marks the link
    /// offline on network errors; logs in again by itself when the token is gone.
    /// The officer's "sync now".
    pub async fn sync_now(&self) -> Result<SyncSummary, AppError> {
        self.view::<access::Session>()?;
        self.sync(true).await
    }

    /// A sync, from the officer (`manual`) or the background task (which is not
    /// activity). It works for the session open when it starts: a lock or a logout
    /// cancels it, and it lets go of the session at once.
    #[instrument(skip(self))]
    async fn sync(&self, manual: bool) -> Result<SyncSummary, AppError> {
        let _gate = self.sync_gate.lock().await;
        let started = Instant::now();
        let s = self.open_session()?;
        {
            let mut link = lock(&self.link);
            link.syncing = true;
            link.last_attempt = Some(Instant::now());
        }
        let (cancel, this_session) = (s.cancel.clone(), Arc::downgrade(&s));
        let round = async move {
            let report = bhxh_sync::round::run_round(&*s, self.config.clock, manual).await?;
            if let bhxh_sync::round::RoundReport::Helpdesk { directory: Some(_), .. } = &report {
                // The name index is rebuilt off the caller's path, so the first name typed does not wait for it.
                let (warm, cancel) = (Arc::clone(&s.cache), s.cancel.clone());
                tokio::task::spawn_blocking(move || {
                    if cancel.is_cancelled() {
                        return;
                    }
                    if let Err(e) = lock(&warm).ensure_name_index() {
                        warn!(error = %e, "name index not built");
                    }
                });
            }
            Ok::<_, SyncError>(views::sync_summary(report))
        };
        let result = tokio::select! {
            r = round => Some(r),
            () = cancel.cancelled() => None,
        };
        let current =
            matches!(&*self.state(), SessionState::Open(s) if Weak::ptr_eq(&Arc::downgrade(s), &this_session));
        let Some(result) = result.filter(|_| current) else {
            // The round worked for a session that is gone: what it learnt is not the next session's.
            info!("sync stopped: the session was locked or closed");
            lock(&self.link).syncing = false;
            return Err(if self.state().info().is_some() { AppError::locked() } else { AppError::not_logged_in() });
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

    /// Runs for the life of the app: while someone is logged in, watches the link
    /// to the central service (a cheap health check per tick) and syncs, so the
    /// app notices a lost network within a tick and reconnects by itself.
    /// Analyses newly arrived documents on a blocking thread, unless a run is
    /// already going: the officer never waits for it.
    fn spawn_analysis(self: &Arc<Self>) {
        use std::sync::atomic::Ordering;
        // The cache, the actor and the session's token: never the credentials.
        let Ok(work) = self.open_session().map(|s| paper::Work::of(&s)) else { return };
        if self.analysing.swap(true, Ordering::AcqRel) {
            return;
        }
        let (desk, analysing) = (Arc::clone(self), Arc::clone(&self.analysing));
        tokio::task::spawn_blocking(move || {
            if let Err(e) = desk.analyse(&work) {
                warn!(error = %e.message, "document analysis stopped");
            }
            drop(work);
            analysing.store(false, Ordering::Release);
        });
    }

    pub async fn run_background(self: Arc<Self>, every: Duration, sync_every: Duration) {
        loop {
            tokio::time::sleep(every).await;
            self.lock_if_idle();
            {
                // Deleting files: a blocking thread's work, not a runtime worker's.
                let desk = Arc::clone(&self);
                if let Err(e) = tokio::task::spawn_blocking(move || desk.purge_if_due()).await
                    && e.is_panic()
                {
                    std::panic::resume_unwind(e.into_panic());
                }
            }
            self.spawn_analysis();
            if self.open_session().is_err() {
                continue;
            }
            let (was_online, syncing, due) = {
                let link = lock(&self.link);
                (link.online, link.syncing, link.last_attempt.is_none_or(|t| t.elapsed() >= sync_every))
            };
            if syncing {
                continue;
            }
            // A client of the link's address, without the session's token.
            let Some(probe) = self.health_probe() else { continue };
            let reachable = probe.health().await.is_ok();
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
            // A decision in backoff waits for its time: only what is due starts a round.
            let now = self.now();
            let waiting = match self.open_session() {
                Ok(s) => s.on_cache(move |c| Ok(c.outbox_due(now)? + c.calls_waiting()?)).await.is_ok_and(|w| w > 0),
                Err(_) => false,
            };
            if !was_online || due || waiting {
                let _ = self.sync(false).await;
            }
        }
    }
}
