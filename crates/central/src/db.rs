//! The reference server's SQLite file: accounts, tokens, declarations, documents.

use bhxh_domain::{DeclarationStatus, DocumentKind, Role};
use bhxh_protocol::{Declaration, DeclarationFields, DocumentRef, UserInfo};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};
use std::path::Path;

const MIGRATIONS: &[M<'static>] = &[M::up(
    "CREATE TABLE users (
        username TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL,
        office_code TEXT NOT NULL,
        password_hash TEXT NOT NULL
    );
    CREATE TABLE tokens (
        token TEXT PRIMARY KEY,
        username TEXT NOT NULL REFERENCES users(username),
        expires_at TEXT NOT NULL
    );
    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    CREATE TABLE declarations (
        id TEXT PRIMARY KEY,
        office_code TEXT NOT NULL,
        -- Taken from the global counter on every insert or change: paging by it
        -- neither skips nor repeats rows while others arrive.
        change_seq INTEGER NOT NULL UNIQUE,
        status TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        fields_json TEXT NOT NULL
    );
    CREATE INDEX declarations_office_seq ON declarations(office_code, change_seq);
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        declaration_id TEXT NOT NULL REFERENCES declarations(id),
        kind TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL
    );
    CREATE INDEX documents_declaration ON documents(declaration_id);",
)];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
    #[error(transparent)]
    Migration(#[from] rusqlite_migration::Error),
    #[error("stored row {0} is not readable: {1}")]
    Corrupt(String, String),
}

pub struct Store {
    conn: Connection,
}

/// A document about to be attached to a new declaration.
pub struct NewDocument {
    pub kind: DocumentKind,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
}

fn next_counter(tx: &rusqlite::Transaction<'_>, name: &str) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO counters(name, value) VALUES (?1, 1)
         ON CONFLICT(name) DO UPDATE SET value = value + 1",
        params![name],
    )?;
    tx.query_row("SELECT value FROM counters WHERE name = ?1", params![name], |r| r.get(0))
}

impl Store {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Migrations::from_slice(MIGRATIONS).to_latest(&mut conn)?;
        Ok(Self { conn })
    }

    pub fn count_declarations(&self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row("SELECT count(*) FROM declarations", [], |r| r.get::<_, i64>(0))? as u64)
    }

    pub fn count_for_office(&self, office: &str) -> Result<u64, StoreError> {
        Ok(self.conn.query_row("SELECT count(*) FROM declarations WHERE office_code = ?1", params![office], |r| {
            r.get::<_, i64>(0)
        })? as u64)
    }

    pub fn upsert_user(&self, user: &UserInfo, password_hash: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO users(username, display_name, role, office_code, password_hash) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(username) DO UPDATE SET display_name = ?2, role = ?3, office_code = ?4, password_hash = ?5",
            params![user.username, user.display_name, user.role.code(), user.office_code, password_hash],
        )?;
        Ok(())
    }

    fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, String, String)> {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    }

    fn to_user(row: (String, String, String, String)) -> Result<UserInfo, StoreError> {
        let (username, display_name, role, office_code) = row;
        let role = Role::from_code(&role).ok_or_else(|| StoreError::Corrupt(username.clone(), format!("role {role}")))?;
        Ok(UserInfo { username, display_name, role, office_code })
    }

    /// The account and its password hash.
    pub fn user(&self, username: &str) -> Result<Option<(UserInfo, String)>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT username, display_name, role, office_code, password_hash FROM users WHERE username = ?1",
                params![username],
                |r| Ok((Self::user_from_row(r)?, r.get::<_, String>(4)?)),
            )
            .optional()?;
        row.map(|(u, h)| Ok((Self::to_user(u)?, h))).transpose()
    }

    pub fn insert_token(&self, token: &str, username: &str, expires_at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO tokens(token, username, expires_at) VALUES (?1, ?2, ?3)",
            params![token, username, expires_at.to_rfc3339()],
        )?;
        Ok(())
    }

    pub fn token_user(&self, token: &str) -> Result<Option<(UserInfo, DateTime<Utc>)>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT u.username, u.display_name, u.role, u.office_code, t.expires_at
                 FROM tokens t JOIN users u ON u.username = t.username WHERE t.token = ?1",
                params![token],
                |r| Ok((Self::user_from_row(r)?, r.get::<_, String>(4)?)),
            )
            .optional()?;
        let Some((u, exp)) = row else { return Ok(None) };
        let exp = DateTime::parse_from_rfc3339(&exp)
            .map_err(|e| StoreError::Corrupt("token".into(), e.to_string()))?
            .with_timezone(&Utc);
        Ok(Some((Self::to_user(u)?, exp)))
    }

    /// Files a new declaration; its id is `<office>-<number within the office>`.
    pub fn insert_declaration(
        &mut self,
        fields: &DeclarationFields,
        submitted_at: DateTime<Utc>,
        documents: &[NewDocument],
    ) -> Result<String, StoreError> {
        let tx = self.conn.transaction()?;
        let n = next_counter(&tx, &format!("declaration:{}", fields.office_code))?;
        let seq = next_counter(&tx, "change_seq")?;
        let id = format!("{}-{:06}", fields.office_code, n);
        let json = serde_json::to_string(fields).map_err(|e| StoreError::Corrupt(id.clone(), e.to_string()))?;
        let now = Utc::now().to_rfc3339();
        tx.execute(
            "INSERT INTO declarations(id, office_code, change_seq, status, submitted_at, updated_at, fields_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, fields.office_code, seq, DeclarationStatus::Pending.code(), submitted_at.to_rfc3339(), now, json],
        )?;
        for d in documents {
            tx.execute(
                "INSERT INTO documents(id, declaration_id, kind, content_type, size, sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![format!("{id}-{}", d.kind.code()), id, d.kind.code(), d.content_type, d.size as i64, d.sha256],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    fn documents_of(&self, id: &str) -> Result<Vec<DocumentRef>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, content_type, size, sha256 FROM documents WHERE declaration_id = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map(params![id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?, r.get::<_, String>(4)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (doc_id, kind, content_type, size, sha256) = row?;
            let kind = DocumentKind::from_code(&kind).ok_or_else(|| StoreError::Corrupt(doc_id.clone(), format!("kind {kind}")))?;
            out.push(DocumentRef { id: doc_id, kind, content_type, size: size as u64, sha256 });
        }
        Ok(out)
    }

    fn declaration_from_row(&self, row: (String, String, String, String, String)) -> Result<Declaration, StoreError> {
        let (id, status, submitted_at, updated_at, json) = row;
        let corrupt = |what: String| StoreError::Corrupt(id.clone(), what);
        let fields: DeclarationFields = serde_json::from_str(&json).map_err(|e| corrupt(e.to_string()))?;
        let status = DeclarationStatus::from_code(&status).ok_or_else(|| corrupt(format!("status {status}")))?;
        let parse = |s: &str| DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).map_err(|e| corrupt(e.to_string()));
        Ok(Declaration {
            documents: self.documents_of(&id)?,
            id: id.clone(),
            status,
            submitted_at: parse(&submitted_at)?,
            updated_at: parse(&updated_at)?,
            fields,
        })
    }

    /// Up to `limit` declarations of `office` changed after `after_seq`, in change order.
    pub fn page(&self, office: &str, after_seq: i64, limit: u32) -> Result<Vec<(i64, Declaration)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT change_seq, id, status, submitted_at, updated_at, fields_json FROM declarations
             WHERE office_code = ?1 AND change_seq > ?2 ORDER BY change_seq LIMIT ?3",
        )?;
        let rows: Vec<(i64, (String, String, String, String, String))> = stmt
            .query_map(params![office, after_seq, limit], |r| {
                Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            })?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter().map(|(seq, row)| Ok((seq, self.declaration_from_row(row)?))).collect()
    }

    pub fn declaration(&self, id: &str) -> Result<Option<Declaration>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT id, status, submitted_at, updated_at, fields_json FROM declarations WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        row.map(|r| self.declaration_from_row(r)).transpose()
    }

    /// A document and the office its declaration belongs to.
    pub fn document(&self, id: &str) -> Result<Option<(DocumentRef, String)>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT d.declaration_id, x.office_code FROM documents d JOIN declarations x ON x.id = d.declaration_id
                 WHERE d.id = ?1",
                params![id],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?;
        let Some((decl, office)) = row else { return Ok(None) };
        Ok(self.documents_of(&decl)?.into_iter().find(|d| d.id == id).map(|d| (d, office)))
    }
}

impl From<StoreError> for crate::ApiError {
    fn from(e: StoreError) -> Self {
        crate::ApiError::internal(e)
    }
}
