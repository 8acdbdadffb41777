//! Which documents this PC holds: an office at campaign time has thousands of
//! declarations waiting (≈ 1 MB of photos each), and ten PCs downloading all of them
//! over a district line is gigabytes each. A PC holds what its officer will open:
//! the declarations they hold (taken, possibly for offline work), the next `ahead`
//! of the queue in its order, and what they open (downloaded then, on demand).
//!
//! The store has a budget: past it, documents of declarations still waiting that
//! are none of the above leave the PC, least recently used first, with what was
//! read from them (they download, and are read, again when opened; the findings
//! already made stay). Decided declarations are not evicted: retention removes them.

use crate::declarations::DocumentState;
use crate::{Cache, CacheError, CachedDocument};
use chrono::{DateTime, Utc};
use rusqlite::params;
use std::collections::HashSet;

/// How many of the queue's next declarations a PC downloads ahead (IT's `documents_ahead`).
pub const DEFAULT_AHEAD: u32 = 30;
/// The document store's budget in MB (IT's `document_budget_mb`).
pub const DEFAULT_BUDGET_MB: u32 = 2048;

/// What a PC downloads ahead and how much it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentPolicy {
    pub ahead: u32,
    pub budget_bytes: u64,
}

impl Default for DocumentPolicy {
    fn default() -> Self {
        DocumentPolicy { ahead: DEFAULT_AHEAD, budget_bytes: u64::from(DEFAULT_BUDGET_MB) * 1024 * 1024 }
    }
}

/// The declarations an officer will open, most wanted first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wanted {
    /// Held by this officer (a lease not yet expired), oldest first; then the next
    /// `ahead` of the queue.
    pub declarations: Vec<String>,
}

/// What an eviction did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evicted {
    pub documents: u32,
    pub bytes: u64,
}

/// A declaration still waits for a decision, and none was made on this PC (a hold
/// for the paper form is none). Matches the covering index's "waiting" statuses.
const UNDECIDED: &str = "d.status IN ('pending', 'escalated', 'on_hold')
    AND NOT EXISTS (SELECT 1 FROM decisions k JOIN outbox o ON o.key = k.key
                    WHERE k.declaration_id = d.id AND o.state != 'withdrawn' AND k.outcome != 'hold')";

impl Cache {
    /// The declarations whose documents this officer will need: those they hold,
    /// then the first `ahead` of the queue (oldest first) that nobody else holds.
    pub fn wanted(&self, office: &str, me: &str, now: DateTime<Utc>, ahead: u32) -> Result<Wanted, CacheError> {
        let now = now.timestamp();
        // This officer's own rows do not use up the `ahead` places of the queue.
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id FROM (
                SELECT id, submitted_at, mine,
                    row_number() OVER (PARTITION BY mine ORDER BY submitted_at, id) AS n
                FROM (
                    SELECT d.id, d.submitted_at,
                        coalesce(d.assigned_to = ?2 AND d.assigned_until > ?3, 0) AS mine
                    FROM declarations d
                    WHERE d.office_code = ?1 AND {UNDECIDED}
                      AND NOT (d.assigned_to IS NOT NULL AND d.assigned_to != ?2
                               AND coalesce(d.assigned_until, 0) > ?3)))
             WHERE mine OR n <= ?4
             ORDER BY NOT mine, submitted_at, id"
        ))?;
        let declarations = stmt
            .query_map(params![office, me, now, i64::from(ahead)], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Wanted { declarations })
    }

    /// The documents of `declarations` not on this PC (missing, or failed: tried
    /// again), in the declarations' order.
    pub fn documents_missing_of(&self, declarations: &[String]) -> Result<Vec<CachedDocument>, CacheError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, declaration_id, kind, content_type, size, content, state, error FROM documents
             WHERE declaration_id = ?1 AND state IN ('missing', 'failed') ORDER BY rowid",
        )?;
        let mut out = Vec::new();
        for id in declarations {
            for row in stmt.query_map([id], crate::declarations::read_doc)? {
                out.push(self.doc_from_row(row?)?);
            }
        }
        Ok(out)
    }

    /// (documents, of them on this PC) for the wanted declarations: what the top bar's
    /// progress counts (a document this PC will not download is not "missing").
    pub fn wanted_counts(&self, wanted: &Wanted) -> Result<(u32, u32), CacheError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT count(*), coalesce(sum(state = 'stored'), 0) FROM documents WHERE declaration_id = ?1",
        )?;
        let (mut total, mut stored) = (0u32, 0u32);
        for id in &wanted.declarations {
            let (t, s): (u32, u32) = stmt.query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            total += t;
            stored += s;
        }
        Ok((total, stored))
    }

    /// Bytes of the documents on this PC, as their rows announce them (originals;
    /// derivatives are small and go with them). Summed as a float: a size a server
    /// announced absurdly cannot overflow it.
    pub fn stored_bytes(&self) -> Result<u64, CacheError> {
        let total: f64 =
            self.conn.query_row("SELECT total(size) FROM documents WHERE state = 'stored'", [], |r| r.get(0))?;
        Ok(if total.is_finite() && total > 0.0 { total.min(u64::MAX as f64) as u64 } else { 0 })
    }

    /// Notes that a document arrived or was looked at (the budget evicts the least
    /// recently used first).
    pub fn touch_document(&self, id: &str, now: DateTime<Utc>) -> Result<(), CacheError> {
        self.conn
            .prepare_cached("UPDATE documents SET used_at = ?2 WHERE id = ?1")?
            .execute(params![id, now.timestamp()])?;
        Ok(())
    }

    /// Notes that a declaration's documents were looked at (the budget evicts the
    /// least recently used first).
    pub fn touch_documents(&self, declaration_id: &str, now: DateTime<Utc>) -> Result<(), CacheError> {
        self.conn
            .prepare_cached("UPDATE documents SET used_at = ?2 WHERE declaration_id = ?1 AND state = 'stored'")?
            .execute(params![declaration_id, now.timestamp()])?;
        Ok(())
    }

    /// Frees room until `incoming` more bytes fit under `budget`: documents of
    /// undecided declarations not in `keep`, least recently used first. Returns
    /// what left and whether the room was made (it is not when what remains is
    /// kept, decided or wanted).
    pub fn make_room(
        &mut self,
        incoming: u64,
        budget: u64,
        keep: &HashSet<&str>,
    ) -> Result<(Evicted, bool), CacheError> {
        let mut stored = self.stored_bytes()?;
        let mut evicted = Evicted::default();
        if stored.saturating_add(incoming) <= budget {
            return Ok((evicted, true));
        }
        let candidates: Vec<(String, String, u64)> = {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT x.id, x.declaration_id, x.size FROM documents x JOIN declarations d ON d.id = x.declaration_id
                 WHERE x.state = 'stored' AND {UNDECIDED}
                 ORDER BY coalesce(x.used_at, 0), d.submitted_at DESC, x.rowid"
            ))?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64)))?
                .collect::<rusqlite::Result<_>>()?
        };
        for (doc, declaration, size) in candidates {
            if stored.saturating_add(incoming) <= budget {
                break;
            }
            if keep.contains(declaration.as_str()) {
                continue;
            }
            match self.evict_document(&doc) {
                Ok(()) => {}
                // One row that does not open keeps no other from leaving.
                Err(e @ (CacheError::Sealed { .. } | CacheError::Corrupt(..))) => {
                    tracing::error!(document = %doc, error = %e, "a document's row does not open: not evicted");
                    continue;
                }
                Err(e) => return Err(e),
            }
            stored = stored.saturating_sub(size);
            evicted.documents += 1;
            evicted.bytes += size;
        }
        if evicted.documents > 0 {
            tracing::info!(documents = evicted.documents, bytes = evicted.bytes, "documents evicted for the budget");
        }
        Ok((evicted, stored.saturating_add(incoming) <= budget))
    }

    /// Removes one document's file, derivatives and what was read from it; the row
    /// goes back to missing (downloaded, and read again, when wanted). What was read
    /// lives while the document does: retention never has to find it elsewhere.
    fn evict_document(&self, doc_id: &str) -> Result<(), CacheError> {
        let Some(doc) = self.document(doc_id)? else { return Ok(()) };
        if doc.state != DocumentState::Stored {
            return Ok(());
        }
        self.remove_content_unless_shared(doc_id, &self.content_tag(&doc.sha256), &doc.sha256)?;
        self.conn.execute("DELETE FROM document_facts WHERE document_id = ?1", [doc_id])?;
        self.conn.execute(
            "UPDATE documents SET state = ?2, error = NULL, used_at = NULL WHERE id = ?1",
            params![doc_id, DocumentState::Missing.code()],
        )?;
        Ok(())
    }
}
