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
mod time;
mod views;

/// The image sizes the document protocol serves.
pub use bhxh_documents::Size as ImageSize;
pub use bhxh_sync::CertPin;
pub use desk::{DEFAULT_IDLE_LOCK, Desk, DeskConfig};
pub use error::{AppError, ErrorCode};
