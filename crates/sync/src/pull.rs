//! Pulling an office's declarations and their documents into the cache.

use crate::{CentralClient, SharedCache, SyncError, on_cache};
use futures_util::StreamExt;
use tracing::{info, instrument, warn};

/// Declarations per page: ~100 KB of JSON, a second on a slow district line.
pub const PAGE_SIZE: u32 = 100;
/// Documents downloaded at once: enough to fill a district office's line, few
/// enough not to starve the officer's own work.
const DOCUMENT_PARALLELISM: usize = 4;

#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PullReport {
    pub pages: u32,
    pub declarations: u32,
    pub new_declarations: u32,
    pub documents_downloaded: u32,
    pub document_bytes: u64,
    pub documents_failed: u32,
    /// Declarations whose checks were re-run: the pulled ones and those sharing a key with them.
    pub rechecked: u32,
}

pub fn cursor_key(office: &str) -> String {
    format!("cursor:declarations:{office}")
}

/// Pages through the office's declarations from the stored cursor. Each page is
/// applied with the cursor move in one transaction; an error stops the pull and
/// leaves the cache as it was after the last applied page.
#[instrument(skip(client, cache), fields(office))]
pub async fn pull_declarations(
    client: &CentralClient,
    cache: &SharedCache,
    office: &str,
    page_size: u32,
) -> Result<PullReport, SyncError> {
    let key = cursor_key(office);
    let mut report = PullReport::default();
    let mut cursor = on_cache(cache, {
        let key = key.clone();
        move |c| c.meta(&key)
    })
    .await?;
    loop {
        let page = client.declarations_page(office, cursor.as_deref(), page_size).await?;
        let n = page.items.len() as u32;
        let new = on_cache(cache, {
            let (items, key, next) = (page.items, key.clone(), page.next_cursor.clone());
            move |c| c.apply_page(&items, &key, &next)
        })
        .await?;
        report.pages += 1;
        report.declarations += n;
        report.new_declarations += new as u32;
        cursor = Some(page.next_cursor);
        if !page.has_more || n == 0 {
            break;
        }
    }
    if report.declarations > 0 {
        // New rows can change older rows' findings (a shared phone, a duplicate ID).
        report.rechecked = on_cache(cache, bhxh_cache::Cache::recheck_due).await? as u32;
    }
    info!(
        pages = report.pages,
        declarations = report.declarations,
        new = report.new_declarations,
        "declarations pulled"
    );
    Ok(report)
}

/// Downloads every document the cache lacks, a few at a time, verifying each
/// against its sha256. A document that fails is marked (and shown as failed); the
/// others go on. Network loss stops the run: the rest waits for the next sync.
#[instrument(skip(client, cache))]
pub async fn fetch_documents(
    client: &CentralClient,
    cache: &SharedCache,
    report: &mut PullReport,
) -> Result<(), SyncError> {
    let todo = on_cache(cache, |c| c.documents_to_fetch(true, u32::MAX)).await?;
    let mut results = futures_util::stream::iter(todo.into_iter().map(|doc| async move {
        let got = client.document(&doc.id).await;
        (doc, got)
    }))
    .buffer_unordered(DOCUMENT_PARALLELISM);
    let mut offline: Option<SyncError> = None;
    while let Some((doc, got)) = results.next().await {
        match got {
            Ok((bytes, announced)) => {
                if announced.as_deref().is_some_and(|a| a != doc.sha256) {
                    warn!(doc = %doc.id, "server announced a different hash than the declaration lists");
                }
                let size = bytes.len() as u64;
                let id = doc.id.clone();
                // Sealing and writing a photo is the cache's work: off the runtime's workers.
                let stored = on_cache(cache, move |c| match c.save_document(&doc, &bytes) {
                    Ok(()) => Ok(true),
                    Err(bhxh_cache::CacheError::Integrity { expected, actual }) => {
                        warn!(doc = %doc.id, %expected, %actual, "document failed its hash check");
                        c.mark_document_failed(&doc.id, "integrity")?;
                        Ok(false)
                    }
                    Err(e) => Err(e),
                })
                .await?;
                if stored {
                    report.documents_downloaded += 1;
                    report.document_bytes += size;
                } else {
                    tracing::debug!(doc = %id, "document marked failed");
                    report.documents_failed += 1;
                }
            }
            Err(e) if e.is_offline() => {
                offline.get_or_insert(e);
            }
            Err(e @ (SyncError::Unauthorized { .. } | SyncError::Cache(_))) => return Err(e),
            Err(e) => {
                warn!(doc = %doc.id, error = %e, "document download failed");
                on_cache(cache, move |c| c.mark_document_failed(&doc.id, "download")).await?;
                report.documents_failed += 1;
            }
        }
    }
    match offline {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
