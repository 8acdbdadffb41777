//! What was read from each document's pixels (quality, QR) and the derivatives
//! made from it. The cache only stores them; `bhxh-documents` computes them.

use crate::{Cache, CacheError, CachedDocument};
use bhxh_domain::DocumentFacts;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

/// A derivative to keep: its size name (`screen`, `thumb`, `page3`, …), pixels and bytes.
pub struct NewDerivative<'a> {
    pub size: &'a str,
    pub width: u32,
    pub height: u32,
    pub bytes: &'a [u8],
}

impl Cache {
    /// Stored documents not analysed yet, oldest declaration first.
    /// Oldest declarations first; an ID card's front after its back, so the
    /// front is read by OCR only when the back's QR code did not read.
    pub fn documents_to_analyse(&self, limit: u32) -> Result<Vec<CachedDocument>, CacheError> {
        let ids: Vec<String> = {
            let mut stmt = self.conn.prepare(
                "SELECT x.id FROM documents x JOIN declarations d ON d.id = x.declaration_id
                 WHERE x.state = 'stored' AND NOT EXISTS (SELECT 1 FROM document_facts f WHERE f.document_id = x.id)
                 ORDER BY d.submitted_at, x.declaration_id, x.kind = 'id_front', x.id LIMIT ?1",
            )?;
            stmt.query_map([limit], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(doc) = self.document(&id)? {
                out.push(doc);
            }
        }
        Ok(out)
    }

    /// Keeps a document's facts and derivatives (files first: a row never points
    /// at a missing file).
    pub fn save_analysis(
        &self,
        doc: &CachedDocument,
        facts: &DocumentFacts,
        derivatives: &[NewDerivative<'_>],
        now: DateTime<Utc>,
    ) -> Result<(), CacheError> {
        self.save_derivatives(&doc.sha256, derivatives)?;
        let json = serde_json::to_vec(facts).map_err(|e| CacheError::Corrupt(doc.id.clone(), e.to_string()))?;
        let sealed = self.key.seal(&crate::aad("facts", &doc.id), &json);
        self.conn.execute(
            "INSERT INTO document_facts(document_id, facts, analysed_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(document_id) DO UPDATE SET facts = ?2, analysed_at = ?3",
            params![doc.id, sealed, now.to_rfc3339()],
        )?;
        // What the pixels said feeds the declaration's checks.
        Self::mark_due(&self.conn, &doc.declaration_id)?;
        Ok(())
    }

    /// Keeps derivatives of the content `sha256` (the viewer's cold path makes them on demand).
    pub fn save_derivatives(&self, sha256: &str, derivatives: &[NewDerivative<'_>]) -> Result<(), CacheError> {
        for d in derivatives {
            self.store.put_derived(sha256, d.size, d.bytes)?;
        }
        let tag = self.content_tag(sha256);
        let tx = self.conn.unchecked_transaction()?;
        for d in derivatives {
            tx.execute(
                "INSERT INTO derivatives(content_tag, size, width, height) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(content_tag, size) DO UPDATE SET width = ?3, height = ?4",
                params![tag, d.size, d.width, d.height],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The facts of a declaration's analysed documents.
    pub fn document_facts(&self, declaration_id: &str) -> Result<Vec<DocumentFacts>, CacheError> {
        Ok(self.document_facts_by_id(declaration_id)?.into_iter().map(|(_, f)| f).collect())
    }

    /// The facts of a declaration's analysed documents, each with its document's id.
    pub fn document_facts_by_id(&self, declaration_id: &str) -> Result<Vec<(String, DocumentFacts)>, CacheError> {
        let rows: Vec<(String, Vec<u8>)> = {
            let mut stmt = self.conn.prepare(
                "SELECT f.document_id, f.facts FROM document_facts f JOIN documents x ON x.id = f.document_id
                 WHERE x.declaration_id = ?1 ORDER BY x.id",
            )?;
            stmt.query_map([declaration_id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?
        };
        rows.into_iter()
            .map(|(id, sealed)| {
                let plain = self.open_sealed("facts", &id, &sealed)?;
                let facts =
                    serde_json::from_slice(&plain).map_err(|e| CacheError::Corrupt(id.clone(), e.to_string()))?;
                Ok((id, facts))
            })
            .collect()
    }

    /// A derivative of the content `sha256`, if it was made.
    pub fn derivative(&self, sha256: &str, size: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let known: Option<i64> = self
            .conn
            .query_row(
                "SELECT 1 FROM derivatives WHERE content_tag = ?1 AND size = ?2",
                params![self.content_tag(sha256), size],
                |r| r.get(0),
            )
            .optional()?;
        if known.is_none() {
            return Ok(None);
        }
        self.store.get_derived(sha256, size)
    }

    /// Deletes every derivative of `sha256` (retention).
    pub(crate) fn remove_derivatives(&self, sha256: &str) -> Result<u32, CacheError> {
        let tag = self.content_tag(sha256);
        let sizes: Vec<String> = {
            let mut stmt = self.conn.prepare("SELECT size FROM derivatives WHERE content_tag = ?1")?;
            stmt.query_map([&tag], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        for size in &sizes {
            self.store.remove_derived(sha256, size)?;
        }
        self.conn.execute("DELETE FROM derivatives WHERE content_tag = ?1", [&tag])?;
        Ok(sizes.len() as u32)
    }
}
