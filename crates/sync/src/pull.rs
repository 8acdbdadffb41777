//! Pulling an office's declarations and their documents into the cache.

use crate::{CentralClient, Downloads, SharedCache, SyncError, on_cache};
use bhxh_cache::{CachedDocument, DocumentPolicy};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use std::collections::HashSet;
use tracing::{info, instrument, warn};

/// Declarations per page: ~100 KB of JSON, a second on a slow district line.
pub const PAGE_SIZE: u32 = 100;
/// Documents one caller has under way (waiting for a slot, or for another caller's
/// transfer of the same document); transfers themselves are capped by the session's
/// slots ([`crate::downloads::TRANSFER_SLOTS`]).
const DOCUMENT_PARALLELISM: usize = 8;

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

/// The documents this officer will need and the PC lacks, most wanted first, and the
/// declarations they belong to (see
/// `bhxh_cache::document_plan`): room is made under the store's budget, and what
/// does not fit waits (it downloads when opened).
#[instrument(skip(cache, me))]
pub async fn plan_documents(
    cache: &SharedCache,
    office: &str,
    me: &str,
    now: DateTime<Utc>,
    policy: DocumentPolicy,
) -> Result<(Vec<CachedDocument>, Vec<String>), SyncError> {
    let (office, me) = (office.to_owned(), me.to_owned());
    on_cache(cache, move |c| {
        let wanted = c.wanted(&office, &me, now, policy.ahead)?;
        let mut docs = c.documents_missing_of(&wanted.declarations)?;
        let incoming = docs.iter().fold(0u64, |n, d| n.saturating_add(d.size));
        let keep: HashSet<&str> = wanted.declarations.iter().map(String::as_str).collect();
        let (_, fits) = c.make_room(incoming, policy.budget_bytes, &keep)?;
        if !fits {
            // Most wanted first, while they fit.
            let mut room = policy.budget_bytes.saturating_sub(c.stored_bytes()?);
            docs.retain(|d| {
                let take = d.size <= room;
                room = room.saturating_sub(if take { d.size } else { 0 });
                take
            });
            warn!(kept = docs.len(), "the document store's budget is full: fewer documents downloaded ahead");
        }
        Ok((docs, wanted.declarations))
    })
    .await
}

/// Where arriving documents go: room is made for each under the store's budget
/// (sparing `keep`: what this officer will need soon), and each counts as used `now`.
pub struct Arrival {
    pub budget: u64,
    pub keep: HashSet<String>,
    pub now: DateTime<Utc>,
}

/// Downloads `todo`, a few at a time (the session's transfer slots), each verified
/// against its sha256 and going on from where a broken transfer stopped; a document
/// another caller is downloading is waited for, not fetched twice. A document that fails is marked (and shown as
/// failed); the others go on. Network loss stops the run: the rest waits for the
/// next try.
#[instrument(skip_all, fields(documents = todo.len()))]
pub async fn fetch_documents(
    client: &CentralClient,
    cache: &SharedCache,
    downloads: &Downloads,
    todo: Vec<CachedDocument>,
    arrival: &Arrival,
    report: &mut PullReport,
) -> Result<(), SyncError> {
    downloads.expect(&todo);
    let keep = std::sync::Arc::new(arrival.keep.clone());
    let (budget, now) = (arrival.budget, arrival.now);
    let mut results = futures_util::stream::iter(todo.into_iter().map(|doc| async move {
        // Another caller downloading it (a round, the declaration opened): wait for it.
        let Some(ticket) = downloads.take(&doc.id).await else {
            downloads.wait_for(&doc.id).await;
            return (doc, Vec::new(), None);
        };
        let mut got = downloads.take_partial(&doc.id);
        let answer = client
            .document_into(&doc.id, &doc.sha256, &mut got, bhxh_protocol::MAX_DOCUMENT_BYTES, |n| {
                downloads.received(&doc.id, n);
            })
            .await;
        (doc, got, Some((ticket, answer)))
    }))
    .buffer_unordered(DOCUMENT_PARALLELISM);
    let mut offline: Option<SyncError> = None;
    while let Some((doc, bytes, taken)) = results.next().await {
        // The ticket ends the document's download when this arm is done with it (stored or marked).
        let Some((_ticket, answer)) = taken else { continue };
        match answer {
            Ok(announced) => {
                if announced.as_deref().is_some_and(|a| a != doc.sha256) {
                    warn!(doc = %doc.id, "server announced a different hash than the declaration lists");
                }
                let size = bytes.len() as u64;
                let id = doc.id.clone();
                let keep = std::sync::Arc::clone(&keep);
                // Sealing and writing a photo is the cache's work: off the runtime's workers.
                let stored = on_cache(cache, move |c| {
                    // Room for what arrived (not for what was announced), and only now that it is here.
                    let spare: HashSet<&str> = keep.iter().map(String::as_str).collect();
                    c.make_room(size, budget, &spare)?;
                    match c.save_document(&doc, &bytes) {
                        Ok(()) => {
                            c.touch_document(&doc.id, now)?;
                            Ok(true)
                        }
                        Err(bhxh_cache::CacheError::Integrity { expected, actual }) => {
                            warn!(doc = %doc.id, %expected, %actual, "document failed its hash check");
                            c.mark_document_failed(&doc.id, "integrity")?;
                            Ok(false)
                        }
                        Err(e) => Err(e),
                    }
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
                // What arrived stays for the next try, which asks only for the rest.
                downloads.keep_partial(&doc.id, bytes);
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
