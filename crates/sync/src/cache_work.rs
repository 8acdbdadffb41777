//! Cache work off the runtime's workers. SQLite, sealing and the checks run on a
//! blocking thread: the app's runtime has as many workers as the PC has cores (two
//! on an office PC), and a page of a pull held on one would keep the window's
//! other commands (its status poll, the next declaration) waiting behind it.

use crate::SyncError;
use bhxh_cache::{Cache, CacheError};
use std::sync::{Arc, Mutex};

/// A session's cache, shared by the window's commands and the session's tasks.
pub type SharedCache = Arc<Mutex<Cache>>;

/// Runs `f` on the cache on a blocking thread and waits for it. The thread holds
/// the cache only while `f` runs.
pub async fn on_cache<T, F>(cache: &SharedCache, f: F) -> Result<T, SyncError>
where
    T: Send + 'static,
    F: FnOnce(&mut Cache) -> Result<T, CacheError> + Send + 'static,
{
    let cache = Arc::clone(cache);
    let work = tokio::task::spawn_blocking(move || {
        let mut c = cache.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut c)
    });
    match work.await {
        Ok(result) => Ok(result?),
        // A panic in cache work is a bug: it stays a panic, as it was on the caller's thread.
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(SyncError::Interrupted),
    }
}
