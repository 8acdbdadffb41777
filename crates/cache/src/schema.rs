//! The cache's schema, as migrations. Never edit a released migration: add one.

use crate::CacheError;
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

// Each officer's cache is a new file under `users/<name>/` (the encrypted layout
// started over from an empty schema; the unencrypted one is removed by `profiles`).
const MIGRATIONS: &[M<'static>] = &[M::up(
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    -- Small values sealed with the data key (the key check, …).
    CREATE TABLE sealed_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
    -- Columns in the clear are what the queue sorts and filters by and hold nothing
    -- about the person; the declaration itself and its findings are sealed.
    CREATE TABLE declarations (
        id TEXT PRIMARY KEY,
        office_code TEXT NOT NULL,
        status TEXT NOT NULL,
        kind TEXT NOT NULL,
        channel TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        pulled_at TEXT NOT NULL,
        -- bhxh_protocol::Declaration as JSON, sealed (column 'body').
        body BLOB NOT NULL,
        -- Vec<Finding> as JSON, sealed (column 'findings'); NULL until checked.
        findings BLOB,
        blocks INTEGER NOT NULL DEFAULT 0,
        warnings INTEGER NOT NULL DEFAULT 0,
        -- SuggestedOutcome: an outcome and reason codes, nothing personal.
        suggested_json TEXT NOT NULL DEFAULT '{\"outcome\":\"review\"}'
    );
    CREATE INDEX declarations_office_submitted ON declarations(office_code, submitted_at);
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        declaration_id TEXT NOT NULL REFERENCES declarations(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        -- 'missing' until downloaded and verified, then 'stored'; 'failed' with an error.
        state TEXT NOT NULL DEFAULT 'missing',
        error TEXT
    );
    CREATE INDEX documents_declaration ON documents(declaration_id);
    CREATE INDEX documents_state ON documents(state);",
)];

pub fn prepare(conn: &mut Connection) -> Result<(), CacheError> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Deleted rows are overwritten, not left in free pages.
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Migrations::from_slice(MIGRATIONS).to_latest(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(rusqlite_migration::Migrations::from_slice(super::MIGRATIONS).validate().is_ok());
    }
}
