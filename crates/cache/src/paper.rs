//! Paper Mẫu 01 stacks imported on this PC: the PDF (sealed in the store), each
//! page's reading and match, and the rendered pages. A page matched by the
//! machine or by hand gives its declaration the paper fields the checks compare.

use crate::analysis::NewDerivative;
use crate::{Cache, CacheError, audit};
use bhxh_domain::mau01::PaperFields;
use bhxh_domain::mau01::{MatchedBy, PageReading};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// One page as the import produced it.
pub struct NewPaperPage<'a> {
    pub reading: &'a PageReading,
    pub declaration_id: Option<&'a str>,
    pub matched_by: MatchedBy,
    pub candidates: &'a [String],
    /// The page rendered at screen size (JPEG).
    pub screen: NewDerivative<'a>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PaperPage {
    pub stack_sha256: String,
    pub page_index: u32,
    pub declaration_id: Option<String>,
    pub matched_by: MatchedBy,
    pub reading: PageReading,
    pub candidates: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PaperStack {
    pub sha256: String,
    pub pages: u32,
    pub bytes: u64,
    pub source: String,
    pub imported_by: String,
    pub imported_at: String,
}

fn page_key(sha: &str, index: u32) -> String {
    format!("{sha}:{index}")
}

/// The derivative name of page `index` of a stack.
pub fn page_size_name(index: u32) -> String {
    format!("page{index}")
}

impl Cache {
    /// Whether a stack with this content was imported already (importing twice changes nothing).
    pub fn paper_stack(&self, sha256: &str) -> Result<Option<PaperStack>, CacheError> {
        Ok(self
            .conn
            .query_row(
                "SELECT pages, bytes, source, imported_by, imported_at FROM paper_stacks WHERE content_tag = ?1",
                [self.content_tag(sha256)],
                |r| {
                    Ok(PaperStack {
                        sha256: sha256.to_owned(),
                        pages: r.get(0)?,
                        bytes: r.get::<_, i64>(1)? as u64,
                        source: r.get(2)?,
                        imported_by: r.get(3)?,
                        imported_at: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Keeps an imported stack: the PDF and page images first, then the rows and
    /// an audit entry in one transaction.
    pub fn save_paper_stack(
        &mut self,
        sha256: &str,
        pdf: &[u8],
        pages: &[NewPaperPage<'_>],
        source: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), CacheError> {
        self.store.put_verified(sha256, pdf)?;
        for (i, p) in pages.iter().enumerate() {
            self.store.put_derived(sha256, &page_size_name(i as u32), p.screen.bytes)?;
        }
        let sealed: Vec<Vec<u8>> = pages
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let json = serde_json::to_vec(p.reading)
                    .map_err(|e| CacheError::Corrupt(page_key(sha256, i as u32), e.to_string()))?;
                Ok(self.key.seal(&crate::aad("paper_reading", &page_key(sha256, i as u32)), &json))
            })
            .collect::<Result<_, CacheError>>()?;
        let matched = pages.iter().filter(|p| p.declaration_id.is_some()).count();
        let tag = self.content_tag(sha256);
        let content = self.seal_stack_content(&tag, sha256);
        let subject = self.paper_subject(sha256);
        self.durably(|c| {
            let tx = c.conn.transaction()?;
            tx.execute(
                "INSERT INTO paper_stacks(content_tag, content, pages, bytes, source, imported_by, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(content_tag) DO NOTHING",
                params![tag, content, pages.len() as u32, pdf.len() as i64, source, actor, now.to_rfc3339()],
            )?;
            for (i, (p, reading)) in pages.iter().zip(&sealed).enumerate() {
                let candidates = serde_json::to_string(p.candidates).unwrap_or_else(|_| "[]".into());
                tx.execute(
                    "INSERT INTO paper_pages(stack_tag, page_index, declaration_id, matched_by, reading, candidates_json, signed)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT(stack_tag, page_index) DO NOTHING",
                    params![tag, i as u32, p.declaration_id, p.matched_by.code(), reading, candidates, p.reading.signed],
                )?;
                if let Some(id) = p.declaration_id {
                    Self::mark_due(&tx, id)?;
                }
                tx.execute(
                    "INSERT INTO derivatives(content_tag, size, width, height) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(content_tag, size) DO UPDATE SET width = ?3, height = ?4",
                    params![tag, page_size_name(i as u32), p.screen.width, p.screen.height],
                )?;
            }
            let detail = format!("{} pages, {matched} matched; source {source}", pages.len());
            audit::append(&tx, &c.audit_key, now, actor, audit::Action::ImportPaper, &subject, &detail)?;
            tx.commit()?;
            Ok(())
        })
    }

    fn paper_pages_where(&self, clause: &str, arg: &str) -> Result<Vec<PaperPage>, CacheError> {
        // The stack imported first comes first (its page is the one the checks read).
        let sql = format!(
            "SELECT p.stack_tag, s.content, p.page_index, p.declaration_id, p.matched_by, p.reading, p.candidates_json
             FROM paper_pages p JOIN paper_stacks s ON s.content_tag = p.stack_tag
             WHERE {clause} ORDER BY s.imported_at, s.rowid, p.page_index"
        );
        type Row = (String, Option<Vec<u8>>, u32, Option<String>, String, Vec<u8>, String);
        let rows: Vec<Row> = {
            let mut stmt = self.conn.prepare(&sql)?;
            stmt.query_map([arg], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
            })?
            .collect::<rusqlite::Result<_>>()?
        };
        rows.into_iter()
            .map(|(tag, content, index, declaration_id, by, sealed, candidates)| {
                let sha = self.open_stack_content(&tag, content.as_deref())?;
                let key = page_key(&sha, index);
                let plain = self.open_sealed("paper_reading", &key, &sealed)?;
                let corrupt = |e: serde_json::Error| CacheError::Corrupt(key.clone(), e.to_string());
                Ok(PaperPage {
                    stack_sha256: sha,
                    page_index: index,
                    declaration_id,
                    matched_by: MatchedBy::from_code(&by).unwrap_or(MatchedBy::None),
                    reading: serde_json::from_slice(&plain).map_err(corrupt)?,
                    candidates: serde_json::from_str(&candidates).map_err(corrupt)?,
                })
            })
            .collect()
    }

    /// The pages matched to a declaration.
    pub fn paper_pages_of(&self, declaration_id: &str) -> Result<Vec<PaperPage>, CacheError> {
        self.paper_pages_where("p.declaration_id = ?1", declaration_id)
    }

    /// Every page of a stack.
    pub fn paper_stack_pages(&self, sha256: &str) -> Result<Vec<PaperPage>, CacheError> {
        self.paper_pages_where("p.stack_tag = ?1", &self.content_tag(sha256))
    }

    /// Declarations that already have a matched paper page.
    pub fn declarations_with_paper(&self) -> Result<Vec<String>, CacheError> {
        let mut stmt =
            self.conn.prepare("SELECT DISTINCT declaration_id FROM paper_pages WHERE declaration_id IS NOT NULL")?;
        Ok(stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
    }

    /// What the paper form says, for the checks: the first matched page's fields.
    pub fn paper_fields(&self, declaration_id: &str) -> Result<Option<PaperFields>, CacheError> {
        Ok(self.paper_pages_of(declaration_id)?.first().map(|p| p.reading.paper_fields()))
    }

    /// The officer matches a page by hand (or clears a wrong match with `None`); audited.
    pub fn match_paper_page(
        &mut self,
        sha256: &str,
        index: u32,
        declaration_id: Option<&str>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), CacheError> {
        let (tag, subject) = (self.content_tag(sha256), self.paper_subject(sha256));
        self.durably(|c| {
            let tx = c.conn.transaction()?;
            let by = if declaration_id.is_some() { MatchedBy::Hand } else { MatchedBy::None };
            // The page leaves its former declaration (whose checks read it) for the new one.
            let former: Option<Option<String>> = tx
                .query_row(
                    "SELECT declaration_id FROM paper_pages WHERE stack_tag = ?1 AND page_index = ?2",
                    params![tag, index],
                    |r| r.get(0),
                )
                .optional()?;
            for id in former.flatten().iter().map(String::as_str).chain(declaration_id) {
                Self::mark_due(&tx, id)?;
            }
            let n = tx.execute(
                "UPDATE paper_pages SET declaration_id = ?3, matched_by = ?4 WHERE stack_tag = ?1 AND page_index = ?2",
                params![tag, index, declaration_id, by.code()],
            )?;
            if n == 0 {
                return Err(CacheError::MissingDocument(page_key(sha256, index)));
            }
            let detail = format!("page {}: {}", index + 1, declaration_id.unwrap_or("(none)"));
            audit::append(&tx, &c.audit_key, now, actor, audit::Action::MatchPaper, &subject, &detail)?;
            tx.commit()?;
            Ok(())
        })
    }

    /// How the audit names a stack (by its tag: the chain holds no content digest).
    pub fn paper_subject(&self, sha256: &str) -> String {
        format!("paper:{}", self.content_tag(sha256))
    }

    /// The imported PDF's bytes.
    pub fn paper_stack_bytes(&self, sha256: &str) -> Result<Vec<u8>, CacheError> {
        self.store.get(sha256)
    }
}
