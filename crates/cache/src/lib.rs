//! The offline local cache: what an officer needs to keep working with the network
//! down. SQLite for metadata (one file), the document store for bytes.
//!
//! Invariant: every byte of a citizen's document is written and read through
//! [`store::DocumentStore`]; nothing else touches the documents folder, so
//! encryption at rest changes that one module.

mod accounts;
mod declarations;
mod error;
pub mod findings;
mod schema;
pub mod store;

pub use accounts::CachedAccount;
pub use declarations::{CachedDeclaration, CachedDocument, DocumentState, QueueRow};
pub use error::CacheError;
pub use store::DocumentStore;

use rusqlite::Connection;
use std::path::{Path, PathBuf};

pub struct Cache {
    conn: Connection,
    store: DocumentStore,
    dir: PathBuf,
}

impl Cache {
    /// Opens (creating if needed) the cache in `dir`: `cache.sqlite3` and `documents/`.
    pub fn open(dir: &Path) -> Result<Self, CacheError> {
        std::fs::create_dir_all(dir).map_err(|e| CacheError::Io { path: dir.to_path_buf(), source: e })?;
        let mut conn = Connection::open(dir.join("cache.sqlite3"))?;
        schema::prepare(&mut conn)?;
        let store = DocumentStore::open(&dir.join("documents"))?;
        Ok(Self { conn, store, dir: dir.to_path_buf() })
    }

    /// Whether a cache was ever created in `dir` (without creating one).
    pub fn exists(dir: &Path) -> bool {
        dir.join("cache.sqlite3").is_file()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn store(&self) -> &DocumentStore {
        &self.store
    }

    /// A value of the small key/value table (sync cursors, last sync time, …).
    pub fn meta(&self, key: &str) -> Result<Option<String>, CacheError> {
        use rusqlite::OptionalExtension;
        Ok(self.conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), CacheError> {
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
            [key, value],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
