//! The central service's client and the sync engine that fills the local cache. Errors name the request that failed
//! ([`SyncError`]), and "offline" is kept apart from a refusal so the desk knows when to work from its cache.
//!
//! - [`CentralClient`]: reqwest over rustls; plain HTTP only to loopback. With a configured [`CertPin`] only that
//!   certificate is accepted, whoever signed it, and a mismatch is its own error, not "offline".
//! - The pull: [`pull_declarations`] (paged, resumable) and [`fetch_documents`] (4 in parallel, each verified, a
//!   broken transfer continued with `Range` from the bytes [`Downloads`] kept in memory) of what
//!   [`plan_documents`] says this officer will need: those they hold and the next of the queue, under the store's
//!   budget; [`round::fetch_for`] for a declaration opened or taken whose documents are not here. One caller
//!   downloads a document at a time; room is made under the budget as each arrives.
//! - [`push`]: [`push_outbox`] sends the due decisions in batches of 50 (`POST /v1/decisions/batch`, each item under
//!   its own key, 2 requests in flight) and files each answer through the pure `plan()`: done, retry with exponential
//!   backoff and jitter, log in again, or refused. Sending an item twice is harmless: the server replays a key's
//!   answer.
//! - [`round`]: one whole round for a session behind [`round::SessionStore`] (the outbox, the pull, the documents,
//!   the units, the supervisor's figures; the helpdesk's calls and directory), logging in again once when the token
//!   is gone.
//! - Every cache call of a round runs on a blocking thread ([`on_cache`]), never on the runtime's few workers.
//! - [`audit_head`]: at the end of each round, where the cache's audit chain ends, for the central service to
//!   compare with the last report (a chain cut at its end shows there).
//! - [`helpdesk`]: [`pull_directory`] (paged, resumable, a full copy) and [`push_calls`] (each call under its own id).

pub mod audit_head;
mod cache_work;
mod client;
mod downloads;
mod error;
pub mod helpdesk;
pub mod letters;
mod pin;
mod pull;
pub mod push;
pub mod round;
mod supervisor;

pub use cache_work::{SharedCache, on_cache};
pub use client::{CentralClient, Credentials, same_server};
pub use downloads::{Downloads, Progress};
pub use error::SyncError;
pub use helpdesk::{CallsReport, DirectoryReport, pull_directory, push_calls};
pub use pin::{BadPin, CertPin};
pub use pull::{Arrival, PAGE_SIZE, PullReport, cursor_key, fetch_documents, plan_documents, pull_declarations};
pub use push::{PushReport, push_outbox};
