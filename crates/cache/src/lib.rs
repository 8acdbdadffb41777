//! The offline local cache: what an officer needs to keep working with the network down. One cache per officer
//! (`users/<name>/`): SQLite for metadata, the document store for bytes, everything personal sealed with the officer's
//! data key.
//!
//! Invariants: every byte of a citizen's document (originals and derivatives) is written and read through
//! [`store::DocumentStore`]; every personal column is written through [`crypto::DataKey::seal`], and the clear columns
//! hold only statuses, times, staff names, unit and reason codes; the data key exists on disk only wrapped under the
//! officer's password ([`profiles`]), and in memory only while the cache is open.
//!
//! - [`profiles`] (`profiles.sqlite3`): who logged in on this PC, and each officer's data key wrapped under
//!   Argon2id(password). The wrap is the password check, so an offline login needs no server and no password hash is
//!   stored; five wrong unlocks mean a 15-minute wait. After a password change at the central service the previous
//!   password wraps the same key again, or the old cache is set aside still sealed, never deleted.
//! - [`Cache`]: SQLite (rusqlite, `rusqlite_migration` with append-only migrations, WAL, `secure_delete`). Personal
//!   columns (declaration body, findings) are sealed by [`crypto`]: XChaCha20-Poly1305, a random nonce, bound to column
//!   and row so a value moved elsewhere fails to open. [`store::DocumentStore`]: sealed files named by a keyed hash,
//!   atomic writes, sha256 checked on every read. Rows name a content by a keyed tag ([`crypto::DataKey::content_tag`]),
//!   the digest itself sealed beside it: a copy of the database cannot confirm a photo it holds.
//! - `apply_page` moves a page's rows and the cursor in one transaction, so a cut-off sync resumes without gaps or
//!   duplicates. [`Cache::recheck_due`] ([`findings`]) re-runs the checks of the rows a pull, an analysis or a paper
//!   match changed and of the rows sharing a registry key with them (mã số, parent's mã số, phone, ID number; keyed
//!   with the data key in `registry_keys`), fed with the documents' facts (QR payload, quality) and the paper fields.
//! - [`outbox`]: a decision (UUIDv7 key, sent as its Idempotency-Key) is written with its outbox row and audit row in
//!   one transaction. [`audit`]: insert-only (triggers) and chained with keyed links; `verify` reports the first
//!   broken row, and the chain's head goes to the central service with each sync (a cut end shows there).
//!   [`retention`]: documents of declarations whose decision is on record leave the PC after N days, with their
//!   derivatives and what was read from them; the audit keeps the fact.
//!   [`document_plan`]: which documents a PC holds: the officer's held declarations and the next of the queue, the
//!   rest when opened; past the store's budget the least recently shown documents of undecided declarations leave
//!   (their facts stay), decided ones only by retention.
//! - [`analysis`]: per document the sealed `DocumentFacts` and the derivatives (sealed store files named by source hash
//!   and size); `bhxh-documents` computes them, the cache only keeps them. [`paper`]: imported PDF stacks and each page's
//!   sealed reading and match.
//! - [`directory`]: the helpdesk's copy of the office's citizens (entries arrive masked and are sealed all the same;
//!   lookup tokens re-keyed with the data key; a name index built in memory) and the outbox of calls.
//! - [`office_stats`]: the supervisor's figures read from the clear columns beside the sealed body (who decided what
//!   and when with which reason codes, who holds it, the employer unit), so a million decisions add up without opening
//!   a body.

pub mod analysis;
pub mod audit;
mod content;
pub mod crypto;
mod declarations;
pub mod directory;
pub mod document_plan;
mod error;
pub mod findings;
pub mod letters;
pub mod office_stats;
pub mod outbox;
pub mod paper;
pub mod profiles;
pub mod retention;
mod schema;
pub mod store;

pub use crypto::DataKey;
pub use declarations::{CachedDeclaration, CachedDocument, DocumentState, PaperSignature, QueueRow};
pub use directory::{DirectoryHit, NameIndex, PendingCall};
pub use document_plan::{DocumentPolicy, Evicted, Wanted};
pub use error::CacheError;
pub use outbox::{DecideError, OutboxItem, OutboxRow, OutboxState, Settle};
pub use profiles::{PasswordChange, Profile, Profiles, UnlockError};
pub use store::DocumentStore;

use rusqlite::Connection;
use std::path::{Path, PathBuf};

pub struct Cache {
    conn: Connection,
    store: DocumentStore,
    key: DataKey,
    /// Derived from `key`: the audit chain's links.
    audit_key: crypto::AuditKey,
    dir: PathBuf,
    /// The helpdesk's name index, built on the first name search.
    name_index: Option<directory::NameIndex>,
}

impl Cache {
    /// Opens (creating if needed) the cache in `dir`: `cache.sqlite3` and
    /// `documents/`, sealed with `key`.
    pub fn open(dir: &Path, key: DataKey) -> Result<Self, CacheError> {
        std::fs::create_dir_all(dir).map_err(|e| CacheError::Io { path: dir.to_path_buf(), source: e })?;
        let mut conn = Connection::open(dir.join("cache.sqlite3"))?;
        schema::prepare(&mut conn)?;
        let store = DocumentStore::open(&dir.join("documents"), key.clone())?;
        let audit_key = key.audit_key();
        let mut cache = Self { conn, store, key, audit_key, dir: dir.to_path_buf(), name_index: None };
        cache.check_key()?;
        cache.key_content_tags()?;
        cache.fill_clear_facts()?;
        cache.fill_call_keys()?;
        Ok(cache)
    }

    /// A cache opened with another officer's key must fail here, not on the
    /// first declaration: a sealed marker written when the cache was created.
    fn check_key(&self) -> Result<(), CacheError> {
        const AAD: &[u8] = b"cache key check";
        let sealed: Option<Vec<u8>> = {
            use rusqlite::OptionalExtension;
            self.conn.query_row("SELECT value FROM sealed_meta WHERE key = 'key_check'", [], |r| r.get(0)).optional()?
        };
        match sealed {
            Some(s) => {
                self.key.open(AAD, &s).map_err(|e| CacheError::Sealed { what: "cache key check".into(), source: e })?;
            }
            None => {
                self.conn.execute(
                    "INSERT INTO sealed_meta(key, value) VALUES ('key_check', ?1)",
                    [self.key.seal(AAD, b"bhxh-desk")],
                )?;
            }
        }
        Ok(())
    }

    fn open_sealed(&self, column: &str, id: &str, sealed: &[u8]) -> Result<Vec<u8>, CacheError> {
        self.key
            .open(&aad(column, id), sealed)
            .map_err(|e| CacheError::Sealed { what: format!("{column} of {id}"), source: e })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn store(&self) -> &DocumentStore {
        &self.store
    }

    /// Runs `f` with every commit flushed to disk before it returns: a decision the
    /// officer was told is recorded survives the PC being switched off a moment later.
    pub(crate) fn durably<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, CacheError>) -> Result<T, CacheError> {
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        let result = f(self);
        let restored = self.conn.pragma_update(None, "synchronous", "NORMAL");
        let value = result?;
        restored?;
        Ok(value)
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

/// What a sealed column value is bound to: its column and its row.
fn aad(column: &str, id: &str) -> Vec<u8> {
    format!("{column}\0{id}").into_bytes()
}

#[cfg(test)]
mod tests;
