//! The cache's schema, as migrations. Never edit a released migration: add one.

use crate::CacheError;
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

const MIGRATIONS: &[M<'static>] = &[
    M::up(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    -- Who has logged in on this PC: enough to unlock offline. Never the password.
    CREATE TABLE accounts (
        username TEXT PRIMARY KEY,
        central_url TEXT NOT NULL,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL,
        office_code TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        last_login_at TEXT NOT NULL
    );
    CREATE TABLE declarations (
        id TEXT PRIMARY KEY,
        office_code TEXT NOT NULL,
        status TEXT NOT NULL,
        kind TEXT NOT NULL,
        channel TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        -- The declaration as the central service sent it (bhxh_protocol::Declaration).
        body_json TEXT NOT NULL,
        pulled_at TEXT NOT NULL
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
    ),
    // The automatic checks' results, stored so the queue can filter and sort by them.
    M::up(
        "ALTER TABLE declarations ADD COLUMN findings_json TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE declarations ADD COLUMN blocks INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE declarations ADD COLUMN warnings INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE declarations ADD COLUMN suggested_json TEXT NOT NULL DEFAULT '{\"outcome\":\"review\"}';",
    ),
];

pub fn prepare(conn: &mut Connection) -> Result<(), CacheError> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
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
