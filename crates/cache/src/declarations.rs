//! Declarations and their document rows as pulled from the central service.

use crate::{Cache, CacheError};
use bhxh_domain::{Channel, DeclarationKind, DeclarationStatus, DocumentKind, Purpose};
use bhxh_protocol::Declaration;
use chrono::{DateTime, Utc};
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{OptionalExtension, params, params_from_iter};
use serde::Serialize;

/// One line of the queue: what the list shows without opening the declaration.
/// Whether a declaration's matched paper form is signed, as read from its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaperSignature {
    Signed,
    Unsigned,
    /// The signing space could not be read (no caption found, too faint): the officer looks.
    Unknown,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct QueueRow {
    pub id: String,
    pub ma_so_bhxh: String,
    pub full_name: String,
    pub office_code: String,
    pub kind: DeclarationKind,
    /// Register, adjust or stop.
    pub purpose: Purpose,
    pub channel: Channel,
    pub status: DeclarationStatus,
    /// Put on hold for its paper form from this PC (the central status follows
    /// once the hold is delivered).
    pub held_here: bool,
    pub submitted_at: DateTime<Utc>,
    pub documents: u32,
    pub documents_stored: u32,
    pub blocks: u32,
    pub warnings: u32,
    /// Delivery state of this PC's standing decision on it, if any (a hold for the
    /// paper form is no decision yet: see `held_here`).
    pub sync_state: Option<crate::OutboxState>,
    /// Searchable from the queue: the ID number and the phone.
    pub id_number: Option<String>,
    pub phone: String,
    /// A matched paper form: whether it is signed as far as the machine could
    /// tell; `None` when none has arrived.
    pub paper_signed: Option<PaperSignature>,
    /// Who holds it and until when, as the last sync saw it.
    pub assignment: Option<(String, DateTime<Utc>)>,
    /// Notes left by the helpdesk for the reviewing officer.
    pub flags: u32,
    /// Its documents, so the screen can load the next declaration's images ahead.
    pub document_ids: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentState {
    Missing,
    Stored,
    Failed,
    /// Removed from this PC by the retention rule (the decision is on record centrally).
    Purged,
}

impl DocumentState {
    pub fn code(self) -> &'static str {
        match self {
            DocumentState::Missing => "missing",
            DocumentState::Stored => "stored",
            DocumentState::Failed => "failed",
            DocumentState::Purged => "purged",
        }
    }
    fn from_code(s: &str) -> Option<Self> {
        match s {
            "missing" => Some(DocumentState::Missing),
            "stored" => Some(DocumentState::Stored),
            "failed" => Some(DocumentState::Failed),
            "purged" => Some(DocumentState::Purged),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedDocument {
    pub id: String,
    pub declaration_id: String,
    pub kind: DocumentKind,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub state: DocumentState,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CachedDeclaration {
    pub declaration: Declaration,
    pub documents: Vec<CachedDocument>,
}

type DocRow = (String, String, String, String, i64, Option<Vec<u8>>, String, Option<String>);

const DOC_COLUMNS: &str = "id, declaration_id, kind, content_type, size, content, state, error";

pub(crate) fn read_doc(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
}

impl Cache {
    pub(crate) fn doc_from_row(&self, row: DocRow) -> Result<CachedDocument, CacheError> {
        let (id, declaration_id, kind, content_type, size, content, state, error) = row;
        Ok(CachedDocument {
            kind: DocumentKind::from_code(&kind)
                .ok_or_else(|| CacheError::Corrupt(id.clone(), format!("kind {kind}")))?,
            state: DocumentState::from_code(&state)
                .ok_or_else(|| CacheError::Corrupt(id.clone(), format!("state {state}")))?,
            sha256: self.open_document_content(&id, content.as_deref())?,
            id,
            declaration_id,
            content_type,
            size: size as u64,
            error,
        })
    }

    /// A declaration from its sealed `body` column.
    pub(crate) fn open_body(&self, id: &str, sealed: &[u8]) -> Result<Declaration, CacheError> {
        let json = self.open_sealed("body", id, sealed)?;
        serde_json::from_slice(&json).map_err(|e| CacheError::Corrupt(id.to_owned(), e.to_string()))
    }

    /// Applies one page from the central service and moves the cursor, in one
    /// transaction: a sync cut off anywhere resumes from the last applied page and
    /// re-applying a page changes nothing.
    pub fn apply_page(
        &mut self,
        items: &[Declaration],
        cursor_key: &str,
        next_cursor: &str,
    ) -> Result<usize, CacheError> {
        // Sealed before the transaction borrows the connection.
        let contents: Vec<(String, Vec<u8>)> = items
            .iter()
            .flat_map(|d| &d.documents)
            .map(|doc| (self.content_tag(&doc.sha256), self.seal_document_content(&doc.id, &doc.sha256)))
            .collect();
        let mut contents = contents.iter();
        let key = &self.key;
        let tx = self.conn.transaction()?;
        let now = Utc::now().to_rfc3339();
        let mut new_rows = 0;
        for d in items {
            let body = serde_json::to_vec(d).map_err(|e| CacheError::Corrupt(d.id.clone(), e.to_string()))?;
            let body = key.seal(&crate::aad("body", &d.id), &body);
            let existed: bool =
                tx.query_row("SELECT 1 FROM declarations WHERE id = ?1", [&d.id], |_| Ok(())).optional()?.is_some();
            if !existed {
                new_rows += 1;
            }
            // One write per row: the body, the clear facts the office's figures
            // count, and the due mark (each extra UPDATE would rewrite the sealed body).
            let row = [
                text(&d.id),
                text(&d.fields.office_code),
                text(d.status.code()),
                text(d.fields.kind.code()),
                text(d.fields.channel.code()),
                ToSqlOutput::Owned(Value::Text(d.submitted_at.to_rfc3339())),
                ToSqlOutput::Owned(Value::Text(d.updated_at.to_rfc3339())),
                ToSqlOutput::Borrowed(ValueRef::Blob(&body)),
                text(&now),
            ];
            tx.prepare_cached(
                "INSERT INTO declarations(id, office_code, status, kind, channel, submitted_at, updated_at, body,
                    pulled_at, unit_code, decided_by, decided_by_name, decided_outcome, decided_at, assigned_to,
                    assigned_name, assigned_until, decided_reasons, purpose, facts_v, keys_v, recheck)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, 1, 1, 1)
                 ON CONFLICT(id) DO UPDATE SET office_code = ?2, status = ?3, kind = ?4, channel = ?5,
                    submitted_at = ?6, updated_at = ?7, body = ?8, pulled_at = ?9, unit_code = ?10,
                    decided_by = ?11, decided_by_name = ?12, decided_outcome = ?13, decided_at = ?14,
                    assigned_to = ?15, assigned_name = ?16, assigned_until = ?17, decided_reasons = ?18,
                    purpose = ?19, facts_v = 1, keys_v = 1, recheck = 1",
            )?
            .execute(params_from_iter(row.into_iter().chain(clear_facts(d))))?;
            crate::findings::write_registry_keys(&tx, key, d, existed)?;
            for doc in &d.documents {
                let (tag, content) =
                    contents.next().ok_or_else(|| CacheError::Corrupt(doc.id.clone(), "content".into()))?;
                // A changed tag means new content: download it again.
                tx.prepare_cached(
                    "INSERT INTO documents(id, declaration_id, kind, content_type, size, content_tag, content, state)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'missing')
                     ON CONFLICT(id) DO UPDATE SET kind = ?3, content_type = ?4, size = ?5,
                        state = CASE WHEN content_tag = ?6 THEN state ELSE 'missing' END,
                        error = CASE WHEN content_tag = ?6 THEN error ELSE NULL END,
                        content_tag = ?6, content = ?7",
                )?
                .execute(params![
                    doc.id,
                    d.id,
                    doc.kind.code(),
                    doc.content_type,
                    // A size no server should announce is kept as the largest there is, not wrapped.
                    i64::try_from(doc.size).unwrap_or(i64::MAX),
                    tag,
                    content
                ])?;
            }
        }
        tx.execute(
            "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
            [cursor_key, next_cursor],
        )?;
        tx.commit()?;
        Ok(new_rows)
    }

    pub fn queue(&self, office: &str) -> Result<Vec<QueueRow>, CacheError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.body,
                (SELECT count(*) FROM documents x WHERE x.declaration_id = d.id),
                (SELECT count(*) FROM documents x WHERE x.declaration_id = d.id AND x.state = 'stored'),
                d.blocks, d.warnings,
                (SELECT o.state FROM decisions x JOIN outbox o ON o.key = x.key
                 WHERE x.declaration_id = d.id AND o.state != 'withdrawn' AND x.outcome != 'hold'
                 ORDER BY x.key DESC LIMIT 1),
                (SELECT count(*) FROM paper_pages p WHERE p.declaration_id = d.id),
                (SELECT max(CASE p.signed WHEN 1 THEN 2 WHEN 0 THEN 0 ELSE 1 END)
                 FROM paper_pages p WHERE p.declaration_id = d.id),
                d.status IN ('pending', 'on_hold') AND coalesce((SELECT x.outcome = 'hold' AND o.state IN ('waiting', 'accepted', 'duplicate')
                 FROM decisions x JOIN outbox o ON o.key = x.key
                 WHERE x.declaration_id = d.id AND o.state != 'withdrawn' ORDER BY x.rowid DESC LIMIT 1), 0)
             FROM declarations d WHERE d.office_code = ?1 ORDER BY d.submitted_at, d.id",
        )?;
        let rows = stmt.query_map([office], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, Option<i64>>(8)?,
                r.get::<_, bool>(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, body, docs, stored, blocks, warnings, sync_state, pages, signed, held_here) = row?;
            let d = self.open_body(&id, &body)?;
            out.push(QueueRow {
                id,
                ma_so_bhxh: d.fields.ma_so_bhxh.to_string(),
                full_name: d.fields.full_name,
                office_code: d.fields.office_code,
                kind: d.fields.kind,
                purpose: d.fields.purpose,
                channel: d.fields.channel,
                status: d.status,
                held_here,
                submitted_at: d.submitted_at,
                documents: docs as u32,
                documents_stored: stored as u32,
                blocks: blocks as u32,
                warnings: warnings as u32,
                sync_state: sync_state.as_deref().and_then(crate::OutboxState::from_code),
                id_number: d.fields.id_number,
                phone: d.fields.phone,
                // One signed page is enough; a page the machine could not judge is never "unsigned".
                paper_signed: (pages > 0).then_some(match signed {
                    Some(2) => PaperSignature::Signed,
                    Some(0) => PaperSignature::Unsigned,
                    _ => PaperSignature::Unknown,
                }),
                assignment: d.assignment.map(|a| (a.officer, a.expires_at)),
                flags: d.flags.len() as u32,
                document_ids: d.documents.into_iter().map(|doc| doc.id).collect(),
            });
        }
        Ok(out)
    }

    /// How many declarations of an office are cached, from the clear column alone:
    /// the status bar asks every two seconds (its document counts are the plan's,
    /// `wanted_counts`, not the whole office's).
    pub fn queue_count(&self, office: &str) -> Result<u32, CacheError> {
        Ok(self.conn.query_row("SELECT count(*) FROM declarations WHERE office_code = ?1", [office], |r| r.get(0))?)
    }

    /// Every cached declaration, whatever the office (for the headless `queue` command).
    pub fn offices_cached(&self) -> Result<Vec<String>, CacheError> {
        let mut stmt = self.conn.prepare("SELECT DISTINCT office_code FROM declarations ORDER BY office_code")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn declaration(&self, id: &str) -> Result<Option<CachedDeclaration>, CacheError> {
        let body: Option<Vec<u8>> =
            self.conn.query_row("SELECT body FROM declarations WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        let Some(body) = body else { return Ok(None) };
        let declaration = self.open_body(id, &body)?;
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {DOC_COLUMNS} FROM documents WHERE declaration_id = ?1 ORDER BY rowid"))?;
        let documents = stmt
            .query_map([id], read_doc)?
            .map(|r| r.map_err(CacheError::from).and_then(|row| self.doc_from_row(row)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(CachedDeclaration { declaration, documents }))
    }

    /// The office a declaration belongs to, from its clear column (no decryption):
    /// what every document request checks.
    pub fn office_of(&self, declaration_id: &str) -> Result<Option<String>, CacheError> {
        Ok(self
            .conn
            .query_row("SELECT office_code FROM declarations WHERE id = ?1", [declaration_id], |r| r.get(0))
            .optional()?)
    }

    pub fn document(&self, id: &str) -> Result<Option<CachedDocument>, CacheError> {
        let row = self
            .conn
            .query_row(&format!("SELECT {DOC_COLUMNS} FROM documents WHERE id = ?1"), [id], read_doc)
            .optional()?;
        row.map(|row| self.doc_from_row(row)).transpose()
    }

    /// Documents not yet in the store, oldest declaration first.
    pub fn documents_to_fetch(&self, include_failed: bool, limit: u32) -> Result<Vec<CachedDocument>, CacheError> {
        let states = if include_failed { "('missing', 'failed')" } else { "('missing')" };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT x.id, x.declaration_id, x.kind, x.content_type, x.size, x.content, x.state, x.error
             FROM documents x JOIN declarations d ON d.id = x.declaration_id
             WHERE x.state IN {states} ORDER BY d.submitted_at, x.rowid LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit], read_doc)?;
        rows.map(|r| r.map_err(CacheError::from).and_then(|row| self.doc_from_row(row))).collect()
    }

    /// Records a document's bytes: through the store (verified), then marks the row.
    pub fn save_document(&self, doc: &CachedDocument, bytes: &[u8]) -> Result<(), CacheError> {
        self.store.put_verified(&doc.sha256, bytes)?;
        self.conn.execute(
            "UPDATE documents SET state = ?2, error = NULL WHERE id = ?1",
            params![doc.id, DocumentState::Stored.code()],
        )?;
        Ok(())
    }

    pub fn mark_document_failed(&self, id: &str, error: &str) -> Result<(), CacheError> {
        self.conn.execute(
            "UPDATE documents SET state = ?2, error = ?3 WHERE id = ?1",
            params![id, DocumentState::Failed.code(), error],
        )?;
        Ok(())
    }

    /// The verified bytes of a cached document.
    pub fn document_bytes(&self, id: &str) -> Result<(CachedDocument, Vec<u8>), CacheError> {
        let doc = self.document(id)?.ok_or_else(|| CacheError::MissingDocument(id.to_owned()))?;
        if doc.state != DocumentState::Stored {
            return Err(CacheError::MissingDocument(id.to_owned()));
        }
        let bytes = self.store.get(&doc.sha256)?;
        Ok((doc, bytes))
    }

    /// The office's declarations that have a paper form page matched, from the clear
    /// columns (what the queue's paper mark says, without opening any body).
    pub fn with_paper_form(&self, office: &str) -> Result<std::collections::HashSet<String>, CacheError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT p.declaration_id FROM paper_pages p JOIN declarations d ON d.id = p.declaration_id
             WHERE d.office_code = ?1",
        )?;
        let ids = stmt.query_map([office], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// Every cached declaration of an office (decrypted): what paper pages are matched against.
    pub fn declarations_of(&self, office: &str) -> Result<Vec<Declaration>, CacheError> {
        let rows: Vec<(String, Vec<u8>)> = {
            let mut stmt = self
                .conn
                .prepare("SELECT id, body FROM declarations WHERE office_code = ?1 ORDER BY submitted_at, id")?;
            stmt.query_map([office], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?
        };
        rows.into_iter().map(|(id, body)| self.open_body(&id, &body)).collect()
    }

    pub fn count_declarations(&self) -> Result<u64, CacheError> {
        Ok(self.conn.query_row("SELECT count(*) FROM declarations", [], |r| r.get::<_, i64>(0))? as u64)
    }
}

/// The columns the supervisor's figures read without opening the body (see the
/// migration that added them).
/// The clear columns beside the sealed body, in the order both writers name them:
/// unit, who decided (user, name), outcome, when, who holds it (user, name), until
/// when, reason codes, what it asks for (register, adjust, stop). Staff, codes and
/// times only: nothing about the citizen.
fn clear_facts(d: &Declaration) -> [ToSqlOutput<'_>; 10] {
    let int = |n: Option<i64>| ToSqlOutput::Owned(n.map_or(Value::Null, Value::Integer));
    let decision = d.decision.as_ref();
    let assignment = d.assignment.as_ref();
    [
        opt(d.fields.unit_code.as_deref()),
        opt(decision.map(|r| r.officer.as_str())),
        opt(decision.map(|r| r.officer_name.as_str())),
        opt(decision.map(|r| r.outcome.code())),
        int(decision.map(|r| r.decided_at.timestamp())),
        opt(assignment.map(|a| a.officer.as_str())),
        opt(assignment.map(|a| a.officer_name.as_str())),
        int(assignment.map(|a| a.expires_at.timestamp())),
        ToSqlOutput::Owned(
            decision.map_or(Value::Null, |r| {
                Value::Text(serde_json::to_string(&r.reasons).unwrap_or_else(|_| "[]".into()))
            }),
        ),
        text(d.fields.purpose.code()),
    ]
}

fn opt(s: Option<&str>) -> ToSqlOutput<'_> {
    s.map_or(ToSqlOutput::Owned(Value::Null), text)
}

/// A borrowed text parameter (a pull writes thousands of rows: no copies).
fn text(s: &str) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes()))
}

pub(crate) fn write_clear_facts(conn: &rusqlite::Connection, d: &Declaration) -> Result<(), CacheError> {
    conn.execute(
        "UPDATE declarations SET unit_code = ?2, decided_by = ?3, decided_by_name = ?4, decided_outcome = ?5,
            decided_at = ?6, assigned_to = ?7, assigned_name = ?8, assigned_until = ?9, decided_reasons = ?10,
            purpose = ?11, facts_v = 1
         WHERE id = ?1",
        params_from_iter(std::iter::once(text(&d.id)).chain(clear_facts(d))),
    )?;
    Ok(())
}
