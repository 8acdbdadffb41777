//! The central service's client and the sync engine that fills the local cache.

mod client;
mod error;
pub mod helpdesk;
mod pin;
mod pull;
pub mod push;
mod supervisor;

pub use client::{CentralClient, Credentials};
pub use error::SyncError;
pub use helpdesk::{CallsReport, DirectoryReport, pull_directory, push_calls};
pub use pin::{BadPin, CertPin};
pub use pull::{PAGE_SIZE, PullReport, cursor_key, fetch_documents, pull_declarations};
pub use push::{PushReport, push_outbox};
