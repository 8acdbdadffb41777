//! The reference server's SQLite file: accounts, tokens, declarations, documents.

use bhxh_domain::Outcome;
use bhxh_domain::{DeclarationStatus, DocumentKind, Role};
use bhxh_protocol::{
    Assignment, DecisionAnswer, DecisionRequest, Declaration, DeclarationFields, DocumentRef, ErrorBody,
    RecordedDecision, UserInfo,
};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};
use std::path::Path;

mod citizens;
pub use citizens::province_scope;
mod coverage;
mod paper_rules;
mod quotas;
pub use coverage::{LetterVoided, Unit};

const MIGRATIONS: &[M<'static>] = &[
    M::up(
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
    ),
    // Decisions, assignments, idempotency keys and the server's audit trail.
    M::up(
        "CREATE TABLE assignments (
        declaration_id TEXT PRIMARY KEY REFERENCES declarations(id),
        officer TEXT NOT NULL REFERENCES users(username),
        expires_at TEXT NOT NULL
    );
    -- Every decision ever recorded; the latest per declaration is the one in force
    -- (an escalated declaration gets a second one from the supervisor).
    CREATE TABLE decisions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        declaration_id TEXT NOT NULL REFERENCES declarations(id),
        outcome TEXT NOT NULL,
        reasons_json TEXT NOT NULL,
        note TEXT,
        paper_seen INTEGER NOT NULL,
        findings_json TEXT NOT NULL,
        officer TEXT NOT NULL REFERENCES users(username),
        decided_at TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        idempotency_key TEXT NOT NULL
    );
    CREATE INDEX decisions_declaration ON decisions(declaration_id, seq);
    CREATE UNIQUE INDEX decisions_key ON decisions(officer, idempotency_key);
    -- Keys are per officer; the stored answer is replayed for a repeated key.
    CREATE TABLE idempotency (
        officer TEXT NOT NULL,
        key TEXT NOT NULL,
        request_sha256 TEXT NOT NULL,
        state TEXT NOT NULL,            -- 'in_flight' | 'done'
        started_at TEXT NOT NULL,
        status INTEGER,
        answer_json TEXT,
        PRIMARY KEY (officer, key)
    );
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail TEXT NOT NULL
    );",
    ),
    // The citizens' register, the helpdesk's call log and its notes for officers.
    M::up(citizens::MIGRATION),
    // Daily decision quotas per officer, set by the supervisor.
    M::up(quotas::MIGRATION),
    // Employer units, the office's campaign, the register of outgoing letters.
    M::up(coverage::MIGRATION),
    // No salt or token of a number leaves the server any more; an account's lookups
    // cover its province unless it is given the whole country.
    M::up(
        "DROP TABLE office_salts;
        ALTER TABLE users ADD COLUMN lookup_scope TEXT NOT NULL DEFAULT 'province'
            CHECK (lookup_scope IN ('province', 'national'));",
    ),
    // "Wipe this account's data on every PC": honoured at each desk's next online login.
    M::up("ALTER TABLE users ADD COLUMN wipe_requested_at TEXT;"),
    // Where each desk's audit chain ended at its last sync (a cut end shows here).
    M::up(
        "CREATE TABLE audit_heads (
            username TEXT NOT NULL,
            cache_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            hash TEXT NOT NULL,
            reported_at TEXT NOT NULL,
            PRIMARY KEY (username, cache_id)
        );",
    ),
    // A letter number whose letter was never written is voided, not reused.
    M::up("ALTER TABLE letters ADD COLUMN voided_at TEXT; ALTER TABLE letters ADD COLUMN void_reason TEXT;"),
    // Adjustments and stops: a stopped account, the last password reset, benefit
    // claims in progress, and the account as it stood when each was decided.
    M::up(citizens::ACCOUNT_MIGRATION),
    // The office's paper-form rule (by purpose, kind and channel), set by its supervisor.
    M::up(paper_rules::MIGRATION),
];

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
    /// The server's clock (moved only by tests and demos).
    pub(crate) clock: bhxh_domain::Clock,
}

/// A document about to be attached to a new declaration.
pub struct NewDocument {
    pub kind: DocumentKind,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
}

fn next_counter(tx: &Connection, name: &str) -> rusqlite::Result<i64> {
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
        Ok(Self { conn, clock: bhxh_domain::Clock::System })
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

    /// A changed password; the account's tokens are void. False when there is no such account.
    pub fn set_password_hash(&mut self, username: &str, password_hash: &str) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        let changed =
            tx.execute("UPDATE users SET password_hash = ?2 WHERE username = ?1", params![username, password_hash])?;
        tx.execute("DELETE FROM tokens WHERE username = ?1", params![username])?;
        tx.commit()?;
        Ok(changed == 1)
    }

    fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, String, String)> {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    }

    fn to_user(row: (String, String, String, String)) -> Result<UserInfo, StoreError> {
        let (username, display_name, role, office_code) = row;
        let role =
            Role::from_code(&role).ok_or_else(|| StoreError::Corrupt(username.clone(), format!("role {role}")))?;
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

    pub fn delete_token(&self, token: &str) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM tokens WHERE token = ?1", params![token])?;
        Ok(())
    }

    /// Asks every desk holding `username`'s data to wipe it at its next online login;
    /// false when there is no such account.
    pub fn request_wipe(&self, username: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE users SET wipe_requested_at = ?2 WHERE username = ?1",
            params![username, at.to_rfc3339()],
        )? == 1)
    }

    pub fn wipe_requested_at(&self, username: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let at: Option<Option<String>> = self
            .conn
            .query_row("SELECT wipe_requested_at FROM users WHERE username = ?1", params![username], |r| r.get(0))
            .optional()?;
        at.flatten()
            .map(|t| {
                DateTime::parse_from_rfc3339(&t)
                    .map(|d| d.with_timezone(&Utc))
                    .map_err(|e| StoreError::Corrupt(username.to_owned(), e.to_string()))
            })
            .transpose()
    }

    /// Whether `username`'s lookups cover the whole country (else their province).
    pub fn national_lookup(&self, username: &str) -> Result<bool, StoreError> {
        let scope: Option<String> = self
            .conn
            .query_row("SELECT lookup_scope FROM users WHERE username = ?1", params![username], |r| r.get(0))
            .optional()?;
        Ok(scope.as_deref() == Some("national"))
    }

    pub fn set_national_lookup(&self, username: &str, national: bool) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE users SET lookup_scope = ?2 WHERE username = ?1",
            params![username, if national { "national" } else { "province" }],
        )?;
        Ok(())
    }

    /// `actor`'s lines of the audit log, oldest first: (action, subject, detail).
    pub fn audit_of(&self, actor: &str) -> Result<Vec<(String, String, String)>, StoreError> {
        Ok(self
            .conn
            .prepare("SELECT action, subject, detail FROM audit WHERE actor = ?1 ORDER BY seq")?
            .query_map(params![actor], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// One line of the server's audit log, outside any other write.
    pub fn audit_now(
        &self,
        now: DateTime<Utc>,
        actor: &str,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        Ok(Self::audit(&self.conn, now, actor, action, subject, detail)?)
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
        let now = self.clock.now().to_rfc3339();
        tx.execute(
            "INSERT INTO declarations(id, office_code, change_seq, status, submitted_at, updated_at, fields_json, ma_so)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id,
                fields.office_code,
                seq,
                DeclarationStatus::Pending.code(),
                submitted_at.to_rfc3339(),
                now,
                json,
                fields.ma_so_bhxh.as_str()
            ],
        )?;
        Self::note_declarant(&tx, fields, submitted_at)?;
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
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (doc_id, kind, content_type, size, sha256) = row?;
            let kind = DocumentKind::from_code(&kind)
                .ok_or_else(|| StoreError::Corrupt(doc_id.clone(), format!("kind {kind}")))?;
            out.push(DocumentRef { id: doc_id, kind, content_type, size: size as u64, sha256 });
        }
        Ok(out)
    }

    fn declaration_from_row(&self, row: (String, String, String, String, String)) -> Result<Declaration, StoreError> {
        let (id, status, submitted_at, updated_at, json) = row;
        let corrupt = |what: String| StoreError::Corrupt(id.clone(), what);
        let fields: DeclarationFields = serde_json::from_str(&json).map_err(|e| corrupt(e.to_string()))?;
        let status = DeclarationStatus::from_code(&status).ok_or_else(|| corrupt(format!("status {status}")))?;
        let parse = |s: &str| {
            DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).map_err(|e| corrupt(e.to_string()))
        };
        Ok(Declaration {
            documents: self.documents_of(&id)?,
            assignment: self.assignment_of(&id, self.clock.now())?,
            decision: self.decision_of(&id)?,
            flags: self.flags_of(&id)?,
            account: self.account_for(&id, &fields)?,
            phone_holders: self.phone_holders_for(&fields)?,
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

/// A key's answer: what the first request with it got, and what every repeat gets
/// again. Kept typed from the decision to the reply; the database keeps its JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyAnswer {
    /// Recorded (201), or a duplicate or conflict of what was (200).
    Decided { status: u16, answer: DecisionAnswer },
    /// Refused for good (a 4xx): a retry gets the same refusal.
    Refused { status: u16, error: ErrorBody },
}

impl KeyAnswer {
    pub fn status(&self) -> u16 {
        match self {
            KeyAnswer::Decided { status, .. } | KeyAnswer::Refused { status, .. } => *status,
        }
    }

    /// The response body.
    pub fn body_json(&self) -> String {
        match self {
            KeyAnswer::Decided { answer, .. } => serde_json::to_string(answer),
            KeyAnswer::Refused { error, .. } => serde_json::to_string(error),
        }
        .unwrap_or_default()
    }

    fn from_stored(key: &str, status: u16, json: &str) -> Result<Self, StoreError> {
        let corrupt = |e: serde_json::Error| StoreError::Corrupt(format!("answer of key {key}"), e.to_string());
        Ok(if (200..300).contains(&status) {
            KeyAnswer::Decided { status, answer: serde_json::from_str(json).map_err(corrupt)? }
        } else {
            KeyAnswer::Refused { status, error: serde_json::from_str(json).map_err(corrupt)? }
        })
    }
}

/// How an Idempotency-Key stands when a request arrives with it.
#[derive(Debug, PartialEq, Eq)]
#[expect(clippy::large_enum_variant, reason = "one per request, matched at once: a box would only add an allocation")]
pub enum KeyState {
    /// First use (or an abandoned attempt): process the request.
    New,
    /// Processed: answer the same again.
    Replay(KeyAnswer),
    /// The first request with this key is still being processed.
    InFlight,
    /// Used before with a different body.
    Reused,
}

/// An attempt left in flight this long was cut off (the server stopped): take it over.
const ABANDONED_AFTER_SECS: i64 = 30;

/// What `record_decision` did.
pub enum Recorded {
    Accepted(RecordedDecision),
    Duplicate(RecordedDecision),
    ConflictDecision(RecordedDecision),
    ConflictAssignment(Assignment),
}

fn parse_time(what: &str, s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(what.to_owned(), e.to_string()))
}

type DecisionRow = (String, String, String, String, String, String, String, String);

impl Store {
    /// How `key` stands for `officer`'s request with body hash `sha` (reads only).
    fn key_state(&self, officer: &str, key: &str, sha: &str, now: DateTime<Utc>) -> Result<KeyState, StoreError> {
        let row: Option<(String, String, String, Option<i64>, Option<String>)> = self
            .conn
            .prepare_cached(
                "SELECT request_sha256, state, started_at, status, answer_json FROM idempotency WHERE officer = ?1 AND key = ?2",
            )?
            .query_row(params![officer, key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .optional()?;
        Ok(match row {
            Some((stored_sha, _, _, _, _)) if stored_sha != sha => KeyState::Reused,
            Some((_, state, _, Some(status), Some(answer_json))) if state == "done" => {
                KeyState::Replay(KeyAnswer::from_stored(key, status as u16, &answer_json)?)
            }
            Some((_, _, started, _, _))
                if (now - parse_time("idempotency", &started)?).num_seconds() < ABANDONED_AFTER_SECS =>
            {
                KeyState::InFlight
            }
            _ => KeyState::New,
        })
    }

    fn mark_key(
        &self,
        officer: &str,
        key: &str,
        sha: &str,
        now: DateTime<Utc>,
        done: Option<&KeyAnswer>,
    ) -> Result<(), StoreError> {
        self.conn.prepare_cached(
            "INSERT INTO idempotency(officer, key, request_sha256, state, started_at, status, answer_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(officer, key) DO UPDATE SET state = ?4, started_at = ?5, status = ?6, answer_json = ?7",
        )?
        .execute(params![
            officer,
            key,
            sha,
            if done.is_some() { "done" } else { "in_flight" },
            now.to_rfc3339(),
            done.map(KeyAnswer::status),
            done.map(KeyAnswer::body_json)
        ])?;
        Ok(())
    }

    /// Whether a request under `key` is being handled right now (for tests that
    /// must see the in-flight window, not guess at it).
    pub fn key_in_flight(&self, officer: &str, key: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT state = 'in_flight' FROM idempotency WHERE officer = ?1 AND key = ?2",
                params![officer, key],
                |r| r.get::<_, bool>(0),
            )
            .optional()?
            .unwrap_or(false))
    }

    /// Claims `key` for `officer`'s request with body hash `sha`.
    pub fn begin_key(
        &mut self,
        officer: &str,
        key: &str,
        sha: &str,
        now: DateTime<Utc>,
    ) -> Result<KeyState, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let state = self.key_state(officer, key, sha, now)?;
        if state == KeyState::New {
            self.mark_key(officer, key, sha, now, None)?;
        }
        tx.commit()?;
        Ok(state)
    }

    /// Several decisions of one officer in one transaction (one commit for the lot),
    /// each under its own key with the same rules as one at a time. `check` refuses
    /// a request before anything is recorded (kept as the key's answer). Returns
    /// each item's answer, in order.
    #[expect(
        clippy::too_many_arguments,
        reason = "the HTTP layer's rules and answers, passed in so the store knows no HTTP"
    )]
    pub fn record_batch(
        &mut self,
        caller: &UserInfo,
        items: &[(String, String, DecisionRequest)],
        now: DateTime<Utc>,
        check: impl Fn(&Store, &DecisionRequest) -> Result<(), KeyAnswer>,
        answer: impl Fn(&Recorded) -> KeyAnswer,
        in_flight: &KeyAnswer,
        reused: &KeyAnswer,
    ) -> Result<Vec<KeyAnswer>, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let mut out = Vec::with_capacity(items.len());
        for (key, sha, req) in items {
            let reply = match self.key_state(&caller.username, key, sha, now)? {
                KeyState::Replay(answer) => answer,
                KeyState::InFlight => in_flight.clone(),
                KeyState::Reused => reused.clone(),
                KeyState::New => {
                    let reply = match check(self, req) {
                        Err(refused) => refused,
                        Ok(()) => answer(&self.record_in(caller, key, req, now)?),
                    };
                    self.mark_key(&caller.username, key, sha, now, Some(&reply))?;
                    reply
                }
            };
            out.push(reply);
        }
        tx.commit()?;
        Ok(out)
    }

    /// Stores a final answer for a key whose request did not record a decision
    /// (refused): a retry gets the same refusal.
    pub fn finish_key(&self, officer: &str, key: &str, answer: &KeyAnswer) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE idempotency SET state = 'done', status = ?3, answer_json = ?4 WHERE officer = ?1 AND key = ?2",
            params![officer, key, answer.status(), answer.body_json()],
        )?;
        Ok(())
    }

    /// Forgets an attempt that failed for a passing reason (it may be tried again).
    pub fn abandon_key(&self, officer: &str, key: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM idempotency WHERE officer = ?1 AND key = ?2 AND state = 'in_flight'",
            params![officer, key],
        )?;
        Ok(())
    }

    fn decision_from(&self, row: DecisionRow) -> Result<RecordedDecision, StoreError> {
        let (declaration_id, outcome, reasons, officer, decided_at, recorded_at, key, officer_name) = row;
        let corrupt = |w: String| StoreError::Corrupt(declaration_id.clone(), w);
        Ok(RecordedDecision {
            outcome: Outcome::from_code(&outcome).ok_or_else(|| corrupt(format!("outcome {outcome}")))?,
            reasons: serde_json::from_str(&reasons).map_err(|e| corrupt(e.to_string()))?,
            decided_at: parse_time(&declaration_id, &decided_at)?,
            recorded_at: parse_time(&declaration_id, &recorded_at)?,
            declaration_id,
            officer,
            officer_name,
            idempotency_key: key,
        })
    }

    const DECISION_COLUMNS: &'static str =
        "d.declaration_id, d.outcome, d.reasons_json, d.officer, d.decided_at, d.recorded_at,
         d.idempotency_key, u.display_name";

    fn read_decision(r: &rusqlite::Row<'_>) -> rusqlite::Result<DecisionRow> {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
    }

    /// The decision in force on a declaration.
    pub fn decision_of(&self, id: &str) -> Result<Option<RecordedDecision>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {} FROM decisions d JOIN users u ON u.username = d.officer
             WHERE d.declaration_id = ?1 ORDER BY d.seq DESC LIMIT 1",
            Self::DECISION_COLUMNS
        ))?;
        let row = stmt.query_row(params![id], Self::read_decision).optional()?;
        row.map(|r| self.decision_from(r)).transpose()
    }

    /// Every decision ever recorded, oldest first.
    pub fn all_decisions(&self) -> Result<Vec<RecordedDecision>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {} FROM decisions d JOIN users u ON u.username = d.officer ORDER BY d.seq",
            Self::DECISION_COLUMNS
        ))?;
        let rows: Vec<DecisionRow> = stmt.query_map([], Self::read_decision)?.collect::<rusqlite::Result<_>>()?;
        rows.into_iter().map(|r| self.decision_from(r)).collect()
    }

    /// The live assignment of a declaration.
    pub fn assignment_of(&self, id: &str, now: DateTime<Utc>) -> Result<Option<Assignment>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.officer, u.display_name, a.expires_at FROM assignments a JOIN users u ON u.username = a.officer
             WHERE a.declaration_id = ?1",
        )?;
        let row: Option<(String, String, String)> =
            stmt.query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).optional()?;
        let Some((officer, officer_name, exp)) = row else { return Ok(None) };
        let expires_at = parse_time(id, &exp)?;
        Ok((expires_at > now).then(|| Assignment { declaration_id: id.to_owned(), officer, officer_name, expires_at }))
    }

    fn bump(tx: &Connection, id: &str, status: Option<DeclarationStatus>, now: DateTime<Utc>) -> rusqlite::Result<()> {
        // A change the offices' sync must see: a new place in the change order.
        let seq = next_counter(tx, "change_seq")?;
        match status {
            Some(st) => tx.execute(
                "UPDATE declarations SET change_seq = ?2, status = ?3, updated_at = ?4 WHERE id = ?1",
                params![id, seq, st.code(), now.to_rfc3339()],
            )?,
            None => tx.execute(
                "UPDATE declarations SET change_seq = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, seq, now.to_rfc3339()],
            )?,
        };
        Ok(())
    }

    /// Checks a desk's audit head against the last one this cache reported, keeps
    /// the new one, and writes a mismatch to the server's own audit log.
    pub fn report_audit_head(
        &mut self,
        username: &str,
        report: &bhxh_protocol::AuditHeadReport,
        now: DateTime<Utc>,
    ) -> Result<bhxh_protocol::AuditHeadAnswer, StoreError> {
        use bhxh_protocol::AuditLink;
        let tx = self.conn.unchecked_transaction()?;
        let known: Option<AuditLink> = tx
            .query_row(
                "SELECT seq, hash FROM audit_heads WHERE username = ?1 AND cache_id = ?2",
                params![username, report.cache_id],
                |r| Ok(AuditLink { seq: r.get(0)?, hash: r.get(1)? }),
            )
            .optional()?;
        let consistent = match &known {
            None => true,
            Some(k) => report.head.seq >= k.seq && report.acknowledged.as_ref() == Some(k),
        };
        if !consistent {
            let detail = format!(
                "known row {} {}; reported head {} {}, acknowledged {}",
                known.as_ref().map_or(0, |k| k.seq),
                known.as_ref().map_or("", |k| k.hash.as_str()),
                report.head.seq,
                report.head.hash,
                report.acknowledged.as_ref().map_or_else(|| "none".to_owned(), |a| format!("{} {}", a.seq, a.hash)),
            );
            tracing::warn!(user = %username, cache = %report.cache_id, %detail, "a desk's audit chain went back or changed");
            Self::audit(&tx, now, username, "audit_chain_mismatch", &report.cache_id, &detail)?;
        }
        tx.execute(
            "INSERT INTO audit_heads(username, cache_id, seq, hash, reported_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(username, cache_id) DO UPDATE SET seq = ?3, hash = ?4, reported_at = ?5",
            params![username, report.cache_id, report.head.seq, report.head.hash, now.to_rfc3339()],
        )?;
        tx.commit()?;
        Ok(bhxh_protocol::AuditHeadAnswer { consistent, known: report.head.clone() })
    }

    fn audit(
        tx: &Connection,
        now: DateTime<Utc>,
        actor: &str,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> rusqlite::Result<()> {
        tx.execute(
            "INSERT INTO audit(at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![now.to_rfc3339(), actor, action, subject, detail],
        )?;
        Ok(())
    }

    /// Takes or renews `officer`'s lease on a declaration; `Err` holds the other
    /// officer's live lease.
    pub fn assign(
        &mut self,
        officer: &UserInfo,
        id: &str,
        ttl: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<Result<Assignment, Assignment>, StoreError> {
        if let Some(a) = self.assignment_of(id, now)?
            && a.officer != officer.username
        {
            return Ok(Err(a));
        }
        let expires_at = now + ttl;
        let tx = self.conn.transaction()?;
        let renewed = tx
            .query_row("SELECT officer FROM assignments WHERE declaration_id = ?1", params![id], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .is_some_and(|o| o == officer.username);
        tx.execute(
            "INSERT INTO assignments(declaration_id, officer, expires_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(declaration_id) DO UPDATE SET officer = ?2, expires_at = ?3",
            params![id, officer.username, expires_at.to_rfc3339()],
        )?;
        if !renewed {
            Self::bump(&tx, id, None, now)?;
            Self::audit(&tx, now, &officer.username, "assign", id, &expires_at.to_rfc3339())?;
        }
        tx.commit()?;
        Ok(Ok(Assignment {
            declaration_id: id.to_owned(),
            officer: officer.username.clone(),
            officer_name: officer.display_name.clone(),
            expires_at,
        }))
    }

    /// Ends a lease: the holder's own, or anyone's by a supervisor (audited).
    pub fn release(
        &mut self,
        caller: &UserInfo,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Assignment>, StoreError> {
        let Some(a) = self.assignment_of(id, now)? else { return Ok(None) };
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM assignments WHERE declaration_id = ?1", params![id])?;
        Self::bump(&tx, id, None, now)?;
        let action = if a.officer == caller.username { "release" } else { "take_away" };
        Self::audit(&tx, now, &caller.username, action, id, &a.officer)?;
        tx.commit()?;
        Ok(Some(a))
    }

    /// A supervisor gives a declaration to one of the office's officers: a lease in
    /// their name, whoever held it before (audited with both names).
    pub fn hand_over(
        &mut self,
        supervisor: &UserInfo,
        id: &str,
        officer: &str,
        ttl: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<Assignment, StoreError> {
        let before = self.assignment_of(id, now)?.map(|a| a.officer).unwrap_or_default();
        let officer_name: String =
            self.conn.query_row("SELECT display_name FROM users WHERE username = ?1", [officer], |r| r.get(0))?;
        let expires_at = now + ttl;
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO assignments(declaration_id, officer, expires_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(declaration_id) DO UPDATE SET officer = ?2, expires_at = ?3",
            params![id, officer, expires_at.to_rfc3339()],
        )?;
        Self::bump(&tx, id, None, now)?;
        Self::audit(&tx, now, &supervisor.username, "hand_over", id, &format!("{before} -> {officer}"))?;
        tx.commit()?;
        Ok(Assignment { declaration_id: id.to_owned(), officer: officer.to_owned(), officer_name, expires_at })
    }

    /// Records `caller`'s decision under `key`, and the key's answer with it, in one
    /// transaction: a response lost after the commit is replayed, never re-applied.
    pub fn record_decision(
        &mut self,
        caller: &UserInfo,
        key: &str,
        req: &DecisionRequest,
        now: DateTime<Utc>,
        answer: impl FnOnce(&Recorded) -> KeyAnswer,
    ) -> Result<KeyAnswer, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let recorded = self.record_in(caller, key, req, now)?;
        let answer = answer(&recorded);
        self.finish_key(&caller.username, key, &answer)?;
        tx.commit()?;
        Ok(answer)
    }

    /// Whether the officer said the signed paper form was seen, in the declaration's
    /// latest decision.
    pub fn paper_seen_of(&self, declaration_id: &str) -> Result<Option<bool>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT paper_seen FROM decisions WHERE declaration_id = ?1 ORDER BY seq DESC LIMIT 1",
                [declaration_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// When a decision counts as made. The desk says when the officer decided (an
    /// offline decision is delivered hours later and belongs to its own day), but
    /// the server's clock has the last word: a time after the server's now, or
    /// before the declaration was submitted, is not believed and the decision
    /// counts from when it reached the server.
    fn plausible_decided_at(
        &self,
        declaration_id: &str,
        claimed: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, StoreError> {
        let submitted: Option<String> = self
            .conn
            .prepare_cached("SELECT submitted_at FROM declarations WHERE id = ?1")?
            .query_row(params![declaration_id], |r| r.get(0))
            .optional()?;
        let submitted = submitted.map(|t| parse_time(declaration_id, &t)).transpose()?;
        let plausible = claimed <= now && submitted.is_none_or(|s| claimed >= s);
        Ok(if plausible { claimed } else { now })
    }

    /// The decision rules, inside the caller's transaction.
    fn record_in(
        &self,
        caller: &UserInfo,
        key: &str,
        req: &DecisionRequest,
        now: DateTime<Utc>,
    ) -> Result<Recorded, StoreError> {
        let current = self.decision_of(&req.declaration_id)?;
        let holder = self.assignment_of(&req.declaration_id, now)?.filter(|a| a.officer != caller.username);
        // An escalation is the supervisor's to settle; a hold for the paper form is
        // settled by anyone of the office (the check made sure the caller is) once
        // the form arrives. Neither is final.
        let supersedes = current.as_ref().is_some_and(|c| match c.outcome {
            // A hold would hand an escalation back to every officer: the supervisor decides it.
            Outcome::Escalate => caller.role == bhxh_domain::Role::Supervisor && req.draft.outcome != Outcome::Hold,
            Outcome::Hold => req.draft.outcome != Outcome::Hold,
            _ => false,
        });
        let recorded = match (&current, &holder) {
            (Some(c), _) if !supersedes => {
                if c.officer == caller.username && c.outcome == req.draft.outcome && c.reasons == req.draft.reasons {
                    Recorded::Duplicate(c.clone())
                } else {
                    Recorded::ConflictDecision(c.clone())
                }
            }
            (_, Some(a)) if caller.role != bhxh_domain::Role::Supervisor => Recorded::ConflictAssignment(a.clone()),
            _ => Recorded::Accepted(RecordedDecision {
                declaration_id: req.declaration_id.clone(),
                outcome: req.draft.outcome,
                reasons: req.draft.reasons.clone(),
                officer: caller.username.clone(),
                officer_name: caller.display_name.clone(),
                decided_at: self.plausible_decided_at(&req.declaration_id, req.decided_at, now)?,
                recorded_at: now,
                idempotency_key: key.to_owned(),
            }),
        };
        if let Recorded::Accepted(d) = &recorded {
            let reasons = serde_json::to_string(&d.reasons)
                .map_err(|e| StoreError::Corrupt(d.declaration_id.clone(), e.to_string()))?;
            let findings = serde_json::to_string(&req.findings)
                .map_err(|e| StoreError::Corrupt(d.declaration_id.clone(), e.to_string()))?;
            self.conn.prepare_cached(
                "INSERT INTO decisions(declaration_id, outcome, reasons_json, note, paper_seen, findings_json, officer,
                    decided_at, recorded_at, idempotency_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                d.declaration_id,
                d.outcome.code(),
                reasons,
                req.draft.note,
                req.draft.paper_seen,
                findings,
                d.officer,
                d.decided_at.to_rfc3339(),
                now.to_rfc3339(),
                key
            ])?;
            self.conn
                .prepare_cached("DELETE FROM assignments WHERE declaration_id = ?1")?
                .execute(params![d.declaration_id])?;
            Self::bump(&self.conn, &d.declaration_id, Some(d.outcome.status()), now)?;
            // A supervisor reviews an escalated one against the account as it is then.
            if !matches!(d.outcome, Outcome::Escalate | Outcome::Hold) {
                Self::keep_account_as_decided(&self.conn, &d.declaration_id, now)?;
            }
            if d.outcome == Outcome::Approve {
                Self::apply_approval(&self.conn, &d.declaration_id, now)?;
            }
            Self::audit(&self.conn, now, &d.officer, "decide", &d.declaration_id, d.outcome.code())?;
        }
        Ok(recorded)
    }
}

impl From<StoreError> for crate::ApiError {
    fn from(e: StoreError) -> Self {
        crate::ApiError::internal(e)
    }
}
