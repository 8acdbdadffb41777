//! Downloads under way, for a session: what each declaration's documents have
//! received (the window's progress bar), and the bytes of transfers that broke, so
//! the next try asks only for the rest (`Range`).
//!
//! Broken transfers are kept in memory, never on disk: the store holds only sealed,
//! verified documents. They go with the session (a lock or a logout drops them).
//!
//! A document is downloaded by one caller at a time (a round, the declaration
//! opened, the one loaded ahead may all want it): the others wait for it. A caller
//! takes a document only when it starts on it, and every caller shares the same few
//! transfer slots: the declaration the officer opens starts as soon as a slot frees,
//! not after the rest of a round's plan.

use bhxh_cache::CachedDocument;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// At most this many bytes of broken transfers are kept (a few photos): beyond it
/// a transfer that breaks starts again next time.
const PARTIAL_BUDGET: usize = 32 * 1024 * 1024;
/// Transfers at once, whoever asked: enough to fill a district office's line, few
/// enough not to starve the officer's own work.
pub const TRANSFER_SLOTS: usize = 4;

/// One declaration's documents on their way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub documents: u32,
    pub documents_done: u32,
    pub bytes: u64,
    pub bytes_done: u64,
    /// Still downloading (false once every document arrived or failed).
    pub running: bool,
}

struct Entry {
    declaration: String,
    size: u64,
    received: u64,
    done: bool,
}

#[derive(Default)]
struct Inner {
    partial: HashMap<String, Vec<u8>>,
    /// Every document asked for (per document id), until its declaration's bar is over.
    entries: HashMap<String, Entry>,
    /// The documents a caller is downloading now.
    running: HashSet<String>,
}

pub struct Downloads {
    inner: Mutex<Inner>,
    /// Told each time a document's download ends.
    ended: tokio::sync::Notify,
    slots: tokio::sync::Semaphore,
}

impl Default for Downloads {
    fn default() -> Self {
        Downloads {
            inner: Mutex::default(),
            ended: tokio::sync::Notify::new(),
            slots: tokio::sync::Semaphore::new(TRANSFER_SLOTS),
        }
    }
}

/// One document a caller is downloading, in one of the slots: whatever happens to
/// the call (an answer, an error, a lock that cancels it), it ends with the ticket.
pub(crate) struct Ticket<'a> {
    downloads: &'a Downloads,
    id: String,
    _slot: tokio::sync::SemaphorePermit<'a>,
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.downloads.finished(&self.id);
    }
}

impl Downloads {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `docs` are wanted: their declarations' bars count them from now.
    pub(crate) fn expect(&self, docs: &[CachedDocument]) {
        let mut inner = self.inner();
        // A bar that is over is kept until the next batch only (the window polls while it runs).
        let open: HashSet<String> = inner.entries.values().filter(|e| !e.done).map(|e| e.declaration.clone()).collect();
        inner.entries.retain(|_, e| open.contains(&e.declaration));
        for doc in docs {
            let e = inner.entries.entry(doc.id.clone()).or_insert(Entry {
                declaration: doc.declaration_id.clone(),
                size: doc.size,
                received: 0,
                done: false,
            });
            if e.done {
                (e.received, e.done) = (0, false);
            }
        }
    }

    /// A transfer slot, then the document unless another caller is downloading it
    /// (`None`: wait for it with [`Self::wait_for`]).
    pub(crate) async fn take(&self, id: &str) -> Option<Ticket<'_>> {
        // Never closed: an error here is impossible, and no slot means no transfer.
        let slot = self.slots.acquire().await.ok()?;
        if !self.inner().running.insert(id.to_owned()) {
            return None;
        }
        Some(Ticket { downloads: self, id: id.to_owned(), _slot: slot })
    }

    /// Waits until no caller is downloading `id`.
    pub(crate) async fn wait_for(&self, id: &str) {
        loop {
            let ended = self.ended.notified();
            tokio::pin!(ended);
            // Listening before looking: an end between the two is not missed.
            ended.as_mut().enable();
            if !self.inner().running.contains(id) {
                return;
            }
            ended.await;
        }
    }

    /// What a transfer broke off at, taken to go on from (empty when none).
    pub(crate) fn take_partial(&self, doc: &str) -> Vec<u8> {
        self.inner().partial.remove(doc).unwrap_or_default()
    }

    /// Keeps a broken transfer's bytes for the next try, while they fit.
    pub(crate) fn keep_partial(&self, doc: &str, bytes: Vec<u8>) {
        let mut inner = self.inner();
        let held: usize = inner.partial.values().map(Vec::len).sum();
        if !bytes.is_empty() && held + bytes.len() <= PARTIAL_BUDGET {
            inner.partial.insert(doc.to_owned(), bytes);
        }
    }

    /// `bytes` of `doc` have arrived so far.
    pub(crate) fn received(&self, doc: &str, bytes: u64) {
        if let Some(e) = self.inner().entries.get_mut(doc) {
            e.received = bytes.min(e.size);
        }
    }

    /// `doc` is over (stored, or failed: the bar still moves on).
    fn finished(&self, doc: &str) {
        let mut inner = self.inner();
        inner.running.remove(doc);
        if let Some(e) = inner.entries.get_mut(doc) {
            (e.received, e.done) = (e.size, true);
        }
        self.ended.notify_waiters();
    }

    /// Where a declaration's documents are, if they are downloading or just did.
    pub fn progress(&self, declaration: &str) -> Option<Progress> {
        let inner = self.inner();
        let mut p = Progress::default();
        for e in inner.entries.values().filter(|e| e.declaration == declaration) {
            p.documents += 1;
            p.documents_done += u32::from(e.done);
            p.bytes = p.bytes.saturating_add(e.size);
            p.bytes_done = p.bytes_done.saturating_add(e.received);
            p.running |= !e.done;
        }
        (p.documents > 0).then_some(p)
    }

    /// Bytes of broken transfers held (for tests and the log).
    pub fn partial_bytes(&self) -> usize {
        self.inner().partial.values().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, declaration: &str, size: u64) -> CachedDocument {
        CachedDocument {
            id: id.into(),
            declaration_id: declaration.into(),
            kind: bhxh_domain::DocumentKind::Portrait,
            content_type: "image/jpeg".into(),
            size,
            sha256: String::new(),
            state: bhxh_cache::DocumentState::Missing,
            error: None,
        }
    }

    #[tokio::test]
    async fn a_declarations_bar_adds_its_documents_up() {
        let d = Downloads::default();
        d.expect(&[doc("a", "D1", 100), doc("b", "D1", 300)]);
        let a = d.take("a").await.expect("nobody has it");
        // A second caller does not get it: it waits for the first.
        assert!(d.take("a").await.is_none());
        let b = d.take("b").await.expect("nobody has it");
        d.received("a", 50);
        d.received("b", 100);
        assert_eq!(
            d.progress("D1"),
            Some(Progress { documents: 2, documents_done: 0, bytes: 400, bytes_done: 150, running: true })
        );
        drop(a);
        assert_eq!(d.progress("D1").map(|p| (p.documents_done, p.bytes_done, p.running)), Some((1, 200, true)));
        drop(b);
        assert_eq!(d.progress("D1").map(|p| (p.documents_done, p.bytes_done, p.running)), Some((2, 400, false)));
        // The next batch forgets the finished bar; an unknown document changes nothing.
        d.expect(&[doc("c", "D2", 10)]);
        d.received("zzz", 5);
        assert_eq!(d.progress("D1"), None);
        assert!(d.progress("D2").is_some_and(|p| p.running));
        // Asked again (it failed, or left the PC): the bar starts over.
        let c = d.take("c").await.expect("free");
        drop(c);
        d.expect(&[doc("c", "D2", 10)]);
        assert!(d.progress("D2").is_some_and(|p| p.running && p.bytes_done == 0));
    }

    #[tokio::test]
    async fn a_second_caller_waits_for_the_first_to_finish() {
        let d = std::sync::Arc::new(Downloads::default());
        let ticket = d.take("a").await.expect("free");
        assert!(d.take("a").await.is_none());
        let waiter = {
            let d = std::sync::Arc::clone(&d);
            tokio::spawn(async move { d.wait_for("a").await })
        };
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        drop(ticket);
        waiter.await.expect("the wait ends with the download");
    }

    #[tokio::test]
    async fn every_caller_shares_the_same_slots() {
        let d = Downloads::default();
        let mut held = Vec::new();
        for i in 0..TRANSFER_SLOTS {
            held.push(d.take(&format!("d{i}")).await.expect("a slot"));
        }
        assert!(d.slots.try_acquire().is_err(), "no slot while {TRANSFER_SLOTS} transfers run");
        held.pop();
        assert!(d.take("more").await.is_some(), "a slot once one ends");
    }

    #[test]
    fn broken_transfers_are_kept_within_their_budget() {
        let d = Downloads::default();
        d.keep_partial("a", vec![1; 10]);
        assert_eq!(d.partial_bytes(), 10);
        d.keep_partial("b", vec![1; PARTIAL_BUDGET]);
        assert_eq!(d.partial_bytes(), 10, "past the budget a transfer starts again");
        assert_eq!(d.take_partial("a").len(), 10);
        assert!(d.take_partial("a").is_empty());
    }
}
