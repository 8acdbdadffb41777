//! What the desk application does, without a window: log in (online or offline),
//! sync, list the queue, open a declaration, hand out document bytes. The Tauri
//! commands and the headless CLI are thin callers of [`Desk`].

pub mod access;
mod assets;
mod desk;
pub mod dispatch;
mod error;
pub mod export;
pub mod figures;
pub mod headless;
pub mod ipc;
mod offices;
mod views;

/// The image sizes the document protocol serves.
pub use bhxh_documents::Size as ImageSize;
pub use bhxh_sync::CertPin;
pub use desk::{DEFAULT_IDLE_LOCK, Desk, DeskConfig};
pub use error::{AppError, ErrorCode};

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
