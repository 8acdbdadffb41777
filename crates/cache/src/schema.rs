//! The cache's schema, as migrations. Never edit a released migration: add one.

use crate::CacheError;
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

// Each officer's cache is a new file under `users/<name>/` (the encrypted layout
// started over from an empty schema; the unencrypted one is removed by `profiles`).
const MIGRATIONS: &[M<'static>] = &[
M::up(
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
),
// The officer's decisions, the outbox that delivers them, and the audit chain.
M::up(
    "CREATE TABLE decisions (
        -- UUIDv7, sent as the Idempotency-Key: time-ordered, unique without a server.
        key TEXT PRIMARY KEY,
        declaration_id TEXT NOT NULL,
        officer TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reasons_json TEXT NOT NULL,
        -- The officer's note, sealed (column 'note'): it may quote the citizen.
        note BLOB,
        paper_seen INTEGER NOT NULL,
        -- Finding codes seen when deciding.
        findings_json TEXT NOT NULL,
        decided_at TEXT NOT NULL
    );
    CREATE INDEX decisions_declaration ON decisions(declaration_id);
    CREATE TABLE outbox (
        key TEXT PRIMARY KEY REFERENCES decisions(key),
        -- waiting | accepted | duplicate | conflict | rejected | withdrawn
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        -- The central service's answer (DecisionAnswer, or ErrorBody when rejected).
        answer_json TEXT,
        acknowledged_at TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
    -- Insert-only and hash-chained: each row carries the hash of the one before.
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is insert-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is insert-only'); END;",
),
// What was read from the documents' pixels, the derivatives the viewer shows, and
// the paper Mẫu 01 stacks imported on this PC with each page's match.
M::up(
    "CREATE TABLE document_facts (
        document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        -- bhxh_domain::DocumentFacts as JSON, sealed (column 'facts'): the QR text is personal.
        facts BLOB NOT NULL,
        analysed_at TEXT NOT NULL
    );
    -- Derivatives are sealed files in the store, named by (source sha256, size).
    CREATE TABLE derivatives (
        sha256 TEXT NOT NULL,
        size TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        PRIMARY KEY (sha256, size)
    );
    CREATE TABLE paper_stacks (
        -- The PDF, a sealed file in the store.
        sha256 TEXT PRIMARY KEY,
        pages INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        -- 'file' (imported here) or the central document id it came with.
        source TEXT NOT NULL,
        imported_by TEXT NOT NULL,
        imported_at TEXT NOT NULL
    );
    CREATE TABLE paper_pages (
        stack_sha256 TEXT NOT NULL REFERENCES paper_stacks(sha256) ON DELETE CASCADE,
        page_index INTEGER NOT NULL,
        declaration_id TEXT,
        -- qr | text | hand | none
        matched_by TEXT NOT NULL,
        -- bhxh_domain::mau01::PageReading as JSON, sealed (column 'paper_reading').
        reading BLOB NOT NULL,
        candidates_json TEXT NOT NULL,
        signed INTEGER,
        PRIMARY KEY (stack_sha256, page_index)
    );
    CREATE INDEX paper_pages_declaration ON paper_pages(declaration_id);",
),
// The helpdesk's directory of the office's citizens (masked, sealed) with its
// lookup index, and the calls noted here until the central service has them.
M::up(
    "CREATE TABLE directory (
        row INTEGER PRIMARY KEY,
        -- index_token of the mã số (see directory.rs): the row's key, meaningless without the data key.
        ma_so_key TEXT NOT NULL UNIQUE,
        -- bhxh_protocol::CitizenEntry as JSON, sealed (column 'directory').
        body BLOB NOT NULL,
        -- 'folded name<TAB>birth year', sealed (column 'directory_name'): the name index is built in memory.
        name_key BLOB NOT NULL,
        generation INTEGER NOT NULL
    );
    CREATE TABLE directory_tokens (
        token TEXT NOT NULL,
        row INTEGER NOT NULL REFERENCES directory(row) ON DELETE CASCADE,
        PRIMARY KEY (token, row)
    ) WITHOUT ROWID;
    CREATE INDEX directory_tokens_row ON directory_tokens(row);
    CREATE TABLE calls_outbox (
        id TEXT PRIMARY KEY,
        -- (mã số, bhxh_protocol::NewCall) as JSON, sealed (column 'call').
        body BLOB NOT NULL,
        ma_so_key TEXT NOT NULL,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    );
    CREATE INDEX calls_outbox_due ON calls_outbox(sent_at, created_at);",
),
// The supervisor's figures over a whole office (a million decisions) cannot open
// every sealed body: who decided what and when, who holds it, and the employer unit
// are kept in the clear beside the sealed body. Staff names and unit codes, nothing
// about the person. `facts_v` 0 marks rows written before this column set existed:
// `Cache::open` fills them from the sealed body once.
M::up(
    "ALTER TABLE declarations ADD COLUMN unit_code TEXT;
    ALTER TABLE declarations ADD COLUMN decided_by TEXT;
    ALTER TABLE declarations ADD COLUMN decided_by_name TEXT;
    ALTER TABLE declarations ADD COLUMN decided_outcome TEXT;
    -- The catalogue's reason codes as a JSON array.
    ALTER TABLE declarations ADD COLUMN decided_reasons TEXT;
    -- Unix seconds.
    ALTER TABLE declarations ADD COLUMN decided_at INTEGER;
    ALTER TABLE declarations ADD COLUMN assigned_to TEXT;
    ALTER TABLE declarations ADD COLUMN assigned_name TEXT;
    ALTER TABLE declarations ADD COLUMN assigned_until INTEGER;
    ALTER TABLE declarations ADD COLUMN facts_v INTEGER NOT NULL DEFAULT 0;
    -- Covering indexes: rows carry a sealed body of a kilobyte or more, so the
    -- figures read only index pages (a year's decisions, the waiting, the held).
    CREATE INDEX declarations_office_decided
        ON declarations(office_code, decided_at, decided_by, decided_by_name, decided_outcome, decided_reasons)
        WHERE decided_at IS NOT NULL;
    CREATE INDEX declarations_office_waiting
        ON declarations(office_code, status, submitted_at, id, unit_code, assigned_until, assigned_to, assigned_name)
        WHERE status IN ('pending', 'escalated');
    CREATE INDEX declarations_office_held ON declarations(office_code, assigned_until, assigned_to, assigned_name)
        WHERE assigned_until IS NOT NULL;",
),
// Re-checking what a pull changed, not the whole office. A declaration's findings
// depend on the declarations sharing a key with it (its mã số, its parent's, its
// phone, its ID number): `registry_keys` holds those keys, keyed with the data key
// (they say nothing without it), so the neighbours of a change are found without
// opening every body. `recheck` marks the rows whose findings are due; `keys_v` 0
// marks rows whose keys were never written (the first re-check writes them).
M::up(
    "CREATE TABLE registry_keys (
        declaration_id TEXT NOT NULL REFERENCES declarations(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        PRIMARY KEY (declaration_id, key)
    ) WITHOUT ROWID;
    CREATE INDEX registry_keys_key ON registry_keys(key, declaration_id);
    ALTER TABLE declarations ADD COLUMN recheck INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE declarations ADD COLUMN keys_v INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX declarations_recheck ON declarations(id) WHERE recheck = 1;",
),
// The citizen's name as decided on, sealed with the decision: the outbox list
// shows it without opening each declaration's body (NULL on older rows: read from
// the body then).
M::up("ALTER TABLE decisions ADD COLUMN citizen_name BLOB;"),
// The directory's rows were keyed, and its numbers indexed, by tokens salted with a
// salt the server sent: a copy with the key could test every phone a mask leaves.
// Rows are now keyed by the mã số alone (re-pulled at the next sync); calls noted
// here get their new key from their sealed body when the cache opens.
M::up(
    "DROP TABLE directory_tokens;
    DELETE FROM directory;
    DELETE FROM sealed_meta WHERE key = 'directory.salt';
    DELETE FROM meta WHERE key IN ('directory.generation', 'directory.after');
    UPDATE calls_outbox SET ma_so_key = '';",
),
// The audit chain keyed: rows from here carry an HMAC link (`keyed = 1`); the
// rows before keep their SHA-256 links and may only come first.
M::up("ALTER TABLE audit ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0;"),
// A content's SHA-256 in the clear lets whoever copies the database confirm that
// this PC holds a photo or PDF they have: rows now name a content by a keyed tag,
// and the digest the store verifies against is sealed beside it. Rows of an older
// cache are rewritten by `Cache::key_content_tags` the first time the key opens it.
M::up(
    "ALTER TABLE documents RENAME COLUMN sha256 TO content_tag;
    ALTER TABLE documents ADD COLUMN content BLOB;
    ALTER TABLE derivatives RENAME COLUMN sha256 TO content_tag;
    ALTER TABLE paper_stacks RENAME COLUMN sha256 TO content_tag;
    ALTER TABLE paper_stacks ADD COLUMN content BLOB;
    ALTER TABLE paper_pages RENAME COLUMN stack_sha256 TO stack_tag;",
),
// Letter numbers asked of the register and not yet in a written letter (see
// `letters`): voided at once or at a later sync, never left taken without a letter.
M::up(
    "CREATE TABLE letter_numbers (
        id TEXT PRIMARY KEY,
        unit_code TEXT NOT NULL,
        asked_at TEXT NOT NULL,
        reason TEXT
    );",
),
// What each declaration asks for (register, adjust, stop): a clear fact the
// supervisor's figures count; rows cached before it were all registrations.
M::up("ALTER TABLE declarations ADD COLUMN purpose TEXT NOT NULL DEFAULT 'register';"),
// A declaration on hold for its paper form still waits: the supervisor's figures
// read it from the same covering index.
M::up(
    "DROP INDEX declarations_office_waiting;
    CREATE INDEX declarations_office_waiting
        ON declarations(office_code, status, submitted_at, id, unit_code, assigned_until, assigned_to, assigned_name)
        WHERE status IN ('pending', 'escalated', 'on_hold');",
),
// When a document was last shown (unix seconds): the document store's budget
// evicts the least recently used of the undecided declarations' documents.
M::up("ALTER TABLE documents ADD COLUMN used_at INTEGER;"),
];

pub fn prepare(conn: &mut Connection) -> Result<(), CacheError> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // NORMAL for what the central service can send again (pages, documents): in WAL
    // mode a power cut may undo the last commits, never tear them. The officer's own
    // work is written FULL (see `Cache::durably`).
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
