//! The central service's client and the sync engine that fills the local cache.

mod client;
mod error;
mod pull;
pub mod push;

pub use client::{CentralClient, Credentials};
pub use error::SyncError;
pub use pull::{PAGE_SIZE, PullReport, cursor_key, fetch_documents, pull_declarations};
pub use push::{PushReport, push_outbox};
