//! What the desk application does, without a window: log in (online or offline), sync, list the queue, open a
//! declaration, decide, hand out document bytes. The Tauri shell and the headless CLI are thin callers of [`Desk`];
//! nothing here knows Tauri, so every command can be driven by a test.
//!
//! **Commands.** Each command is declared once, in `command_table.rs`: a [`command_table!`] callback macro giving its
//! name, input, output, who may call it (the [`access`] kinds `Anyone`, `Identified`, `Session`, `Reviewer`,
//! `Supervisor`, `Helpdesk`), how it runs (`blocking`, `awaits` the central service, or `raw` bytes from the window)
//! and the [`Desk`] call behind it. Everything else is generated from that table, so a command cannot exist in one
//! place and be missing (or ungated) in another: in [`api`] the typed functions, [`api::COMMANDS`], the access rule and
//! [`api::invoke`] (any command by name, JSON in and out: what the window's calls do, and what the role-matrix test
//! drives); the UI's `CommandSchema` (ts-rs); and in `src-tauri` the Tauri commands, their handler, the per-command
//! permissions and the window's capability. [`access::rule`] answers for any name, deny by default (the document
//! protocol's rule is [`access::DOCUMENT`]). Adding a command: one line in the table and its `Desk` method.
//!
//! **The session is a value**: `SessionState` is `LoggedOut`, `Locked(Identity)` or `Open(Arc<OpenSession>)`.
//! `OpenSession` is the only owner of the officer's open cache (with its data key), the central client with its token,
//! and the credentials (`bhxh_sync::Credentials`: zeroised on drop, not `Clone`), plus a cancellation token that every
//! background task of the session holds (analysis, an in-flight sync). Locking or logging out replaces the state and
//! cancels the token, so the key, the password and the token leave memory; a test checks through weak references that
//! nothing still holds the cache after a lock. Unlocking opens a new session from the password (checked against the
//! wrapped key; five wrong tries wait); the client logs in again when first needed. A command gets a view of the open
//! session for its role (`Desk::view::<access::Reviewer>()`), a type rather than a rule looked up by name.
//!
//! - [`Desk`]: login online or offline (opening the officer's cache with their key), idle or manual lock, `sync_now`,
//!   the queue and declaration views, document bytes, and the background task: it watches the link to the central
//!   service (a cheap health check per tick), syncs, and locks when idle.
//! - `desk/paper.rs`: analysis of arrived documents on a blocking thread, one at a time (an office PC has two cores and
//!   the window keeps one), stopping when the session closes; the viewer's derivatives, made on demand when not
//!   prefetched; paper Mẫu 01 import and matching by hand. `desk/decide.rs`: decide, withdraw while never sent,
//!   acknowledge. `desk/helpdesk.rs`: the helpdesk console, built from the masked directory only.
//! - [`figures`]: the supervisor's dashboard from the cache and the last coverage report (public for its benchmark).
//!   `desk/supervisor.rs`: quotas, take away, hand over, exports. `desk/letters.rs`: fresh coverage and a number per
//!   letter from the central service, one PDF per batch, each letter audited. `assets::find` locates the files an
//!   office may edit without a new build (helpdesk scripts, letter templates).
//! - [`ipc`]: the types the UI sees (ts-rs generates `ui/src/bindings/`), and [`AppError`] `{code, message}`. The
//!   Rust side's words reach the UI as one `bhxh_domain::Text {vi, en}` (a field's value too: a word of the app in
//!   both languages, the citizen's own data the same in both; the UI's `tx` picks), except what citizens hear or
//!   receive (`citizen_vi`, the helpdesk scripts file), which stays Vietnamese.

pub mod access;
pub mod api;
mod assets;
mod command_table;
pub mod deployment;
mod desk;
mod error;
pub mod export;
pub mod figures;
pub mod headless;
pub mod images;
pub mod ipc;
mod offices;
mod views;

pub use bhxh_cache::profiles::DEFAULT_MAX_OFFLINE_DAYS;
/// The image sizes the document protocol serves.
pub use bhxh_documents::Size as ImageSize;
pub use bhxh_sync::{CertPin, same_server};
pub use desk::{APP_TITLE, DEFAULT_IDLE_LOCK, Desk, DeskConfig, FileOpener, FolderPicker, TitleSink, window_title};
pub use error::{AppError, ErrorCode};

/// The installed package's resource folder (Tauri's), when the shell found the package's `assets/` there: the app's
/// files (assets, PDFium) are then taken from it and from nowhere else.
pub fn use_installed_resources(dir: std::path::PathBuf) {
    bhxh_documents::pdf::use_installed_resources(dir);
}

/// The desk's clock: the machine's, or in a debug build `BHXH_CLOCK_START` (an RFC 3339
/// instant the clock starts from), so the window tests can put the office at 00:01 on
/// New Year's Day while the machine runs on UTC. A release build never moves its clock:
/// decisions carry their time, and an officer must not be able to date them.
pub fn desk_clock() -> bhxh_domain::Clock {
    let raw = std::env::var(bhxh_domain::clock::CLOCK_START_VAR).ok();
    match bhxh_domain::Clock::from_start_var(raw.as_deref()) {
        Ok(bhxh_domain::Clock::System) => bhxh_domain::Clock::System,
        Ok(_) if !cfg!(debug_assertions) => {
            tracing::warn!("{} is ignored by a release build", bhxh_domain::clock::CLOCK_START_VAR);
            bhxh_domain::Clock::System
        }
        Ok(moved) => {
            tracing::warn!(start = ?raw, "the desk's clock is moved (a test run)");
            moved
        }
        Err(e) => {
            tracing::error!(error = %e, "clock start not understood; using the machine's clock");
            bhxh_domain::Clock::System
        }
    }
}
