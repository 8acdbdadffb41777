//! How rows name a content (a document, a paper stack, their derivatives): by a
//! keyed tag, equal for equal contents, with the SHA-256 the store verifies
//! against sealed beside it. A clear digest would let whoever copies the
//! database confirm that this PC holds a photo or a PDF they already have.

use crate::{Cache, CacheError};
use rusqlite::params;

/// Set once every row names its content by a tag (see the schema's migration).
const KEYED: &str = "content.keyed";

const DOCUMENT: &str = "document_content";
const STACK: &str = "stack_content";

impl Cache {
    pub(crate) fn content_tag(&self, sha256: &str) -> String {
        self.key.content_tag(sha256)
    }

    /// Deletes the file of `doc_id`'s content and its derivatives, unless another
    /// stored document holds the same content (the store is content-addressed).
    /// Returns the files deleted.
    pub(crate) fn remove_content_unless_shared(
        &self,
        doc_id: &str,
        tag: &str,
        sha256: &str,
    ) -> Result<u32, CacheError> {
        let shared: i64 = self.conn.query_row(
            "SELECT count(*) FROM documents WHERE content_tag = ?1 AND state = 'stored' AND id != ?2",
            params![tag, doc_id],
            |r| r.get(0),
        )?;
        if shared > 0 {
            return Ok(0);
        }
        self.store.remove(sha256)?;
        Ok(1 + self.remove_derivatives(sha256)?)
    }

    /// A document's digest, sealed to its row.
    pub(crate) fn seal_document_content(&self, document_id: &str, sha256: &str) -> Vec<u8> {
        self.key.seal(&crate::aad(DOCUMENT, document_id), sha256.as_bytes())
    }

    pub(crate) fn open_document_content(&self, document_id: &str, sealed: Option<&[u8]>) -> Result<String, CacheError> {
        self.open_content(DOCUMENT, document_id, sealed)
    }

    /// A paper stack's digest, sealed to its tag.
    pub(crate) fn seal_stack_content(&self, tag: &str, sha256: &str) -> Vec<u8> {
        self.key.seal(&crate::aad(STACK, tag), sha256.as_bytes())
    }

    pub(crate) fn open_stack_content(&self, tag: &str, sealed: Option<&[u8]>) -> Result<String, CacheError> {
        self.open_content(STACK, tag, sealed)
    }

    fn open_content(&self, column: &str, owner: &str, sealed: Option<&[u8]>) -> Result<String, CacheError> {
        let corrupt = || CacheError::Corrupt(owner.to_owned(), format!("{column}: no digest"));
        let plain = self.open_sealed(column, owner, sealed.ok_or_else(corrupt)?)?;
        // Not checked for form here: the store refuses a digest that is not one.
        String::from_utf8(plain).map_err(|_| corrupt())
    }

    /// Rewrites, once and in one transaction, the rows an older cache wrote with
    /// the clear digest; then moves the WAL into the file so no copy of the old
    /// rows lingers there.
    pub(crate) fn key_content_tags(&mut self) -> Result<(), CacheError> {
        if self.meta(KEYED)?.is_some() {
            return Ok(());
        }
        let key = &self.key;
        let tx = self.conn.transaction()?;
        // A stack's tag is the key its pages point at: both change in this transaction.
        tx.pragma_update(None, "defer_foreign_keys", "ON")?;
        let documents: Vec<(String, String)> = tx
            .prepare("SELECT id, content_tag FROM documents WHERE content IS NULL")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut rewritten = documents.len();
        for (id, sha) in &documents {
            tx.execute(
                "UPDATE documents SET content_tag = ?2, content = ?3 WHERE id = ?1",
                params![id, key.content_tag(sha), key.seal(&crate::aad(DOCUMENT, id), sha.as_bytes())],
            )?;
        }
        let stacks: Vec<String> = tx
            .prepare("SELECT content_tag FROM paper_stacks WHERE content IS NULL")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        rewritten += stacks.len();
        for sha in &stacks {
            let tag = key.content_tag(sha);
            tx.execute(
                "UPDATE paper_stacks SET content_tag = ?2, content = ?3 WHERE content_tag = ?1",
                params![sha, tag, key.seal(&crate::aad(STACK, &tag), sha.as_bytes())],
            )?;
            tx.execute("UPDATE paper_pages SET stack_tag = ?2 WHERE stack_tag = ?1", params![sha, tag])?;
        }
        let derived: Vec<String> = tx
            .prepare("SELECT DISTINCT content_tag FROM derivatives")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        rewritten += derived.len();
        for sha in &derived {
            tx.execute(
                "UPDATE derivatives SET content_tag = ?2 WHERE content_tag = ?1",
                params![sha, key.content_tag(sha)],
            )?;
        }
        if !stacks.is_empty() {
            // Pages are now read in import order: the form a declaration's checks read may differ.
            tx.execute(
                "UPDATE declarations SET recheck = 1
                 WHERE id IN (SELECT declaration_id FROM paper_pages WHERE declaration_id IS NOT NULL)",
                [],
            )?;
        }
        tx.execute("INSERT INTO meta(key, value) VALUES (?1, '1')", [KEYED])?;
        tx.commit()?;
        if rewritten > 0 {
            tracing::info!(rows = rewritten, "content digests replaced by keyed tags");
            let busy: i64 = self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
            if busy != 0 {
                tracing::warn!("the log still holds the old rows until the next checkpoint");
            }
        }
        Ok(())
    }
}
