//! Retention: citizens' documents stay on an office PC only while they are needed.
//! Once the decision on a declaration is on record centrally — this officer's,
//! accepted, or anyone's, as the last sync saw it — and a number of days has
//! passed, its document files are deleted; the audit log keeps the fact, not the
//! image. The declaration row stays (sealed) for the history and the helpdesk.

use crate::declarations::DocumentState;
use crate::{Cache, CacheError, audit};
use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use serde::Serialize;

/// Days documents are kept after the decision is on record (configurable).
pub const DEFAULT_KEEP_DAYS: u32 = 7;

/// One declaration whose documents are on this PC, and until when.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Held {
    pub declaration_id: String,
    pub documents: u32,
    pub bytes: u64,
    /// When the decision went on record (None: not decided yet — kept while pending).
    pub decided_on_record_at: Option<DateTime<Utc>>,
    /// When the documents will be deleted (None: kept while the declaration waits).
    pub purge_after: Option<DateTime<Utc>>,
}

fn parse(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|d| d.with_timezone(&Utc))
}

impl Cache {
    /// When each declaration's decision went on record: this PC's accepted or
    /// duplicate delivery, or else the central status change the last sync saw.
    fn on_record(&self) -> Result<Vec<(String, u32, u64, Option<DateTime<Utc>>)>, CacheError> {
        let mut stmt = self.conn.prepare(
            "SELECT d.id, count(x.id), coalesce(sum(x.size), 0),
                (SELECT max(o.updated_at) FROM decisions k JOIN outbox o ON o.key = k.key
                 WHERE k.declaration_id = d.id AND o.state IN ('accepted', 'duplicate')),
                CASE WHEN d.status IN ('approved', 'resubmit', 'rejected') THEN d.updated_at END
             FROM declarations d JOIN documents x ON x.declaration_id = d.id AND x.state = 'stored'
             GROUP BY d.id ORDER BY d.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, n, bytes, mine, central) = row?;
            let at = mine.as_deref().and_then(parse).or_else(|| central.as_deref().and_then(parse));
            out.push((id, n, bytes as u64, at));
        }
        Ok(out)
    }

    /// What documents this PC holds and for how long.
    pub fn held(&self, keep_days: u32) -> Result<Vec<Held>, CacheError> {
        Ok(self
            .on_record()?
            .into_iter()
            .map(|(declaration_id, documents, bytes, at)| Held {
                declaration_id,
                documents,
                bytes,
                decided_on_record_at: at,
                purge_after: at.map(|t| t + Duration::days(i64::from(keep_days))),
            })
            .collect())
    }

    /// Deletes the documents whose time is up; returns (declarations, files deleted).
    pub fn purge_documents(
        &mut self,
        actor: &str,
        keep_days: u32,
        now: DateTime<Utc>,
    ) -> Result<(u32, u32), CacheError> {
        let due: Vec<Held> =
            self.held(keep_days)?.into_iter().filter(|h| h.purge_after.is_some_and(|t| t <= now)).collect();
        let (mut declarations, mut files) = (0, 0);
        for h in due {
            let docs: Vec<(String, String, Option<Vec<u8>>)> = {
                let mut stmt = self.conn.prepare(
                    "SELECT id, content_tag, content FROM documents WHERE declaration_id = ?1 AND state = 'stored'",
                )?;
                stmt.query_map([&h.declaration_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<rusqlite::Result<_>>()?
            };
            for (doc_id, tag, content) in &docs {
                let sha = &match self.open_document_content(doc_id, content.as_deref()) {
                    Ok(sha) => sha,
                    // One unreadable row does not keep the others' time from coming.
                    Err(e) => {
                        tracing::error!(document = %doc_id, error = %e, "a document's content does not open: not purged");
                        continue;
                    }
                };
                files += self.remove_content_unless_shared(doc_id, tag, sha)?;
                // What was read from the image (the QR's text) goes with it.
                self.conn.execute("DELETE FROM document_facts WHERE document_id = ?1", [doc_id])?;
                self.conn.execute(
                    "UPDATE documents SET state = ?2 WHERE id = ?1",
                    params![doc_id, DocumentState::Purged.code()],
                )?;
            }
            let detail = format!(
                "{} documents; decision on record {}",
                docs.len(),
                h.decided_on_record_at.map(|t| t.to_rfc3339()).unwrap_or_default()
            );
            self.audit(actor, audit::Action::Purge, &h.declaration_id, &detail, now)?;
            declarations += 1;
        }
        files += self.purge_paper_stacks(actor, keep_days, now)?;
        Ok((declarations, files))
    }

    /// When the decision on a declaration went on record (this PC's delivery, or
    /// the central status the last sync saw), whether or not documents remain.
    fn decided_on_record(&self, declaration_id: &str) -> Result<Option<DateTime<Utc>>, CacheError> {
        let (mine, central): (Option<String>, Option<String>) = self.conn.query_row(
            "SELECT (SELECT max(o.updated_at) FROM decisions k JOIN outbox o ON o.key = k.key
                     WHERE k.declaration_id = d.id AND o.state IN ('accepted', 'duplicate')),
                    CASE WHEN d.status IN ('approved', 'resubmit', 'rejected') THEN d.updated_at END
             FROM declarations d WHERE d.id = ?1",
            [declaration_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(mine.as_deref().and_then(parse).or_else(|| central.as_deref().and_then(parse)))
    }

    /// Imported paper stacks leave the PC once imported `keep_days` ago with every
    /// page matched to a declaration whose decision has been on record as long. A
    /// page nobody matched keeps its stack: the officer still has to place it.
    fn purge_paper_stacks(&mut self, actor: &str, keep_days: u32, now: DateTime<Utc>) -> Result<u32, CacheError> {
        let keep = Duration::days(i64::from(keep_days));
        let stacks: Vec<(String, Option<Vec<u8>>, String)> = {
            let mut stmt = self.conn.prepare("SELECT content_tag, content, imported_at FROM paper_stacks")?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?
        };
        let mut files = 0;
        'stacks: for (tag, content, imported_at) in stacks {
            if parse(&imported_at).is_none_or(|t| t + keep > now) {
                continue;
            }
            let pages: Vec<Option<String>> = {
                let mut stmt = self.conn.prepare("SELECT declaration_id FROM paper_pages WHERE stack_tag = ?1")?;
                stmt.query_map([&tag], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
            };
            for page in &pages {
                let Some(id) = page else { continue 'stacks };
                if self.decided_on_record(id)?.is_none_or(|t| t + keep > now) {
                    continue 'stacks;
                }
            }
            // The same PDF may still be a stored document of a declaration (sent with it).
            let sha = self.open_stack_content(&tag, content.as_deref())?;
            let still_document: i64 = self.conn.query_row(
                "SELECT count(*) FROM documents WHERE content_tag = ?1 AND state = 'stored'",
                [&tag],
                |r| r.get(0),
            )?;
            if still_document == 0 {
                self.store.remove(&sha)?;
                files += 1;
            }
            files += self.remove_derivatives(&sha)?;
            let detail = format!("paper stack of {} pages", pages.len());
            let subject = self.paper_subject(&sha);
            self.durably(|c| {
                let tx = c.conn.transaction()?;
                tx.execute("DELETE FROM paper_stacks WHERE content_tag = ?1", [&tag])?;
                audit::append(&tx, &c.audit_key, now, actor, audit::Action::Purge, &subject, &detail)?;
                tx.commit()?;
                Ok(())
            })?;
        }
        Ok(files)
    }
}
