//! The headless commands of `bhxh-desk` (`sync`, `queue`): same core, no window.

use crate::ipc::LoginInput;
use crate::{AppError, Desk, DeskConfig};
use bhxh_cache::{Cache, Profiles};
use serde::Serialize;
use std::path::Path;

/// A desk for one command: no window, the default lock and retention.
fn headless_desk(
    data_dir: &Path,
    central_cert_pin: Option<bhxh_sync::CertPin>,
    document_policy: bhxh_cache::DocumentPolicy,
) -> Result<Desk, AppError> {
    Desk::open(DeskConfig {
        data_dir: data_dir.to_path_buf(),
        central_url: None,
        default_username: None,
        default_password: None,
        idle_lock: crate::desk::DEFAULT_IDLE_LOCK,
        retention_days: bhxh_cache::retention::DEFAULT_KEEP_DAYS,
        max_offline_days: bhxh_cache::profiles::DEFAULT_MAX_OFFLINE_DAYS,
        document_policy,
        export_dir: None,
        central_cert_pin,
        clock: crate::desk_clock(),
        office_code: None,
        deployment: Default::default(),
    })
}

/// The officer's cache, opened with their password (offline, no session).
fn unlock_cache(data_dir: &Path, user: &str, password: &str) -> Result<Cache, AppError> {
    let profiles = Profiles::open(data_dir)?;
    let (_, key) = profiles.unlock_offline(
        user,
        password,
        crate::desk_clock().now(),
        bhxh_cache::profiles::DEFAULT_MAX_OFFLINE_DAYS,
    )?;
    Ok(Cache::open(&profiles.cache_dir(user)?, key)?)
}

/// `bhxh-desk sync`: logs in online, pulls, and says what it pulled (the documents
/// as IT's `documents_ahead` and `document_budget_mb` say).
pub async fn sync(
    central: &str,
    user: &str,
    password: &str,
    data_dir: &Path,
    central_cert_pin: Option<bhxh_sync::CertPin>,
    document_policy: bhxh_cache::DocumentPolicy,
) -> Result<String, AppError> {
    let desk = headless_desk(data_dir, central_cert_pin, document_policy)?;
    let session = desk.login(LoginInput::new(central, user, password)).await?;
    if session.offline_login {
        return Err(AppError::new(
            crate::ErrorCode::Offline,
            "Không kết nối được máy chủ trung tâm; chưa đồng bộ.",
            "Could not reach the central server; nothing was synced.",
        ));
    }
    let s = desk.sync_now().await?;
    if session.role == bhxh_domain::Role::Helpdesk {
        return Ok(format!(
            "copied the directory of office {}: {} people; delivered {} calls; {} ms",
            session.office_code, s.directory_people, s.calls_delivered, s.duration_ms
        ));
    }
    let started = std::time::Instant::now();
    let analysed = desk.analyse_pending()?;
    Ok(format!(
        "pulled {} declarations ({} new) for office {}; downloaded {} documents, {} failed; {} ms; analysed {} documents in {} ms",
        s.declarations,
        s.new_declarations,
        session.office_code,
        s.documents_downloaded,
        s.documents_failed,
        s.duration_ms,
        analysed,
        started.elapsed().as_millis()
    ))
}

#[derive(Debug, Serialize)]
pub struct QueueJsonRow {
    pub id: String,
    pub ma_so_bhxh: String,
    pub full_name: String,
    pub office_code: String,
    pub kind: bhxh_domain::DeclarationKind,
    pub channel: bhxh_domain::Channel,
    pub status: bhxh_domain::DeclarationStatus,
    pub submitted_at: String,
    pub documents: u32,
    pub documents_stored: u32,
    pub findings: Vec<FindingJson>,
    pub suggested_outcome: bhxh_domain::checks::SuggestedOutcome,
}

#[derive(Debug, Serialize)]
pub struct FindingJson {
    pub code: String,
    pub severity: bhxh_domain::checks::Severity,
    pub fields: Vec<String>,
    pub message_vi: String,
}

/// `bhxh-desk queue --json`: every declaration in `user`'s cache, oldest first
/// per office. The cache is encrypted: it opens with the officer's password.
pub fn queue_rows(data_dir: &Path, user: &str, password: &str) -> Result<Vec<QueueJsonRow>, AppError> {
    let no_cache = || {
        AppError::new(
            crate::ErrorCode::NotFound,
            "Thư mục dữ liệu chưa có bộ nhớ đệm của tài khoản này (chưa đồng bộ lần nào).",
            "The data folder has no cache for this account yet (never synced).",
        )
    };
    if !data_dir.join("profiles.sqlite3").is_file() {
        return Err(no_cache());
    }
    if Profiles::open(data_dir)?.profile(user)?.is_none() {
        return Err(no_cache());
    }
    let cache = unlock_cache(data_dir, user, password)?;
    let mut out = Vec::new();
    for office in cache.offices_cached()? {
        for r in cache.queue(&office)? {
            let (findings, suggested_outcome) = cache.findings(&r.id)?;
            out.push(QueueJsonRow {
                findings: findings
                    .into_iter()
                    .map(|f| FindingJson {
                        code: f.code,
                        severity: f.severity,
                        fields: f.fields,
                        message_vi: f.message.vi,
                    })
                    .collect(),
                suggested_outcome,
                id: r.id,
                ma_so_bhxh: r.ma_so_bhxh,
                full_name: r.full_name,
                office_code: r.office_code,
                kind: r.kind,
                channel: r.channel,
                status: r.status,
                submitted_at: r.submitted_at.to_rfc3339(),
                documents: r.documents,
                documents_stored: r.documents_stored,
            });
        }
    }
    Ok(out)
}

fn open_offline(data_dir: &Path, user: &str, password: &str) -> Result<Desk, AppError> {
    let desk = headless_desk(data_dir, None, Default::default())?;
    // No address: the profile's own (any other would be refused).
    desk.login_offline(LoginInput::new("", user, password))?;
    Ok(desk)
}

/// `bhxh-desk decide`: records a decision in the officer's cache, without the
/// network (the next `sync` delivers it). The same rules as in the window apply.
pub fn decide(
    data_dir: &Path,
    user: &str,
    password: &str,
    input: crate::ipc::DecideInput,
) -> Result<crate::ipc::DecisionReceipt, AppError> {
    open_offline(data_dir, user, password)?.decide(input)
}

/// `bhxh-desk outbox --json`: every decision recorded in the officer's cache with
/// its delivery state and the central service's answer.
pub fn outbox(data_dir: &Path, user: &str, password: &str) -> Result<Vec<bhxh_cache::OutboxRow>, AppError> {
    Ok(unlock_cache(data_dir, user, password)?.outbox()?)
}

/// `bhxh-desk audit verify`: checks the chain of an officer's audit log. Needs the
/// password: the links are keyed with a key derived from the officer's data key,
/// so that nobody without it can write a chain that holds.
pub fn audit_verify(data_dir: &Path, user: &str, password: &str) -> Result<bhxh_cache::audit::AuditReport, AppError> {
    let profiles = Profiles::open(data_dir)?;
    let db = profiles.cache_dir(user)?.join("cache.sqlite3");
    if !db.is_file() {
        return Err(AppError::new(
            crate::ErrorCode::NotFound,
            "Thư mục dữ liệu chưa có bộ nhớ đệm của tài khoản này.",
            "The data folder has no cache for this account yet.",
        ));
    }
    Ok(unlock_cache(data_dir, user, password)?.verify_audit()?)
}

/// `bhxh-desk retention`: which declarations' documents this PC holds and until
/// when; with `purge`, deletes those whose time is up (audited).
pub fn retention(
    data_dir: &Path,
    user: &str,
    password: &str,
    keep_days: u32,
    purge: bool,
) -> Result<(Vec<bhxh_cache::retention::Held>, (u32, u32)), AppError> {
    let mut cache = unlock_cache(data_dir, user, password)?;
    let purged = if purge { cache.purge_documents(user, keep_days, crate::desk_clock().now())? } else { (0, 0) };
    Ok((cache.held(keep_days)?, purged))
}

/// `bhxh-desk import-paper`: imports a PDF of paper Mẫu 01 forms into the
/// officer's cache (offline) and says how each page was matched.
pub fn import_paper(
    data_dir: &Path,
    user: &str,
    password: &str,
    file: &Path,
) -> Result<crate::ipc::ImportSummary, AppError> {
    let bytes = std::fs::read(file).map_err(|e| {
        tracing::warn!(error = %e, file = %file.display(), "paper file not readable");
        AppError::new(
            crate::ErrorCode::NotFound,
            format!("Không đọc được tệp {}.", file.display()),
            format!("Could not read the file {}.", file.display()),
        )
    })?;
    open_offline(data_dir, user, password)?.import_paper(&bytes)
}
