//! Downloads under way, for a session: what each declaration's documents have
//! received (the window's progress bar), and the bytes of transfers that broke, so
//! the next try asks only for the rest (`Range`).
//!
//! Broken transfers are kept in memory, never on disk: the store holds only sealed,
//! verified documents. They go with the session (a lock or a logout drops them).
//!
//! A document is downloaded by one caller at a time (a round, the declaration
//! opened, the one loaded ahead may all want it): the others wait for it.

use bhxh_cache::CachedDocument;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;

/// At most this many bytes of broken transfers are kept (a few photos): beyond it
/// a transfer that breaks starts again next time.
const PARTIAL_BUDGET: usize = 32 * 1024 * 1024;

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

#[derive(Default)]
struct Inner {
    partial: HashMap<String, Vec<u8>>,
    /// Per declaration.
    progress: HashMap<String, Progress>,
    /// The documents on their way: (declaration, bytes so far).
    received: HashMap<String, (String, u64)>,
}

#[derive(Default)]
pub struct Downloads {
    inner: Mutex<Inner>,
    /// Told each time a document's download ends.
    ended: tokio::sync::Notify,
}

/// Documents a caller downloads: whatever happens to the call (an error, a lock
/// that cancels it), they end with it.
pub(crate) struct Claim<'a> {
    downloads: &'a Downloads,
    ids: Vec<String>,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        for id in &self.ids {
            self.downloads.finished(id);
        }
    }
}

impl Downloads {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the documents nobody is downloading yet; returns them (with the claim
    /// that ends them) and the ids of those another caller is downloading.
    pub(crate) fn claim(&self, docs: Vec<CachedDocument>) -> (Vec<CachedDocument>, Claim<'_>, Vec<String>) {
        let mut inner = self.inner();
        // Finished entries are kept until the next batch only (the window polls while it runs).
        inner.progress.retain(|_, p| p.running);
        let (mut mine, mut elsewhere) = (Vec::new(), Vec::new());
        for doc in docs {
            if inner.received.contains_key(&doc.id) {
                elsewhere.push(doc.id);
                continue;
            }
            inner.received.insert(doc.id.clone(), (doc.declaration_id.clone(), 0));
            let p = inner.progress.entry(doc.declaration_id.clone()).or_default();
            p.running = true;
            p.documents += 1;
            p.bytes = p.bytes.saturating_add(doc.size);
            mine.push(doc);
        }
        let claim = Claim { downloads: self, ids: mine.iter().map(|d| d.id.clone()).collect() };
        (mine, claim, elsewhere)
    }

    /// Waits until none of `ids` is downloading any more (by another caller).
    pub(crate) async fn wait_for(&self, ids: &[String]) {
        loop {
            let ended = self.ended.notified();
            tokio::pin!(ended);
            // Listening before looking: an end between the two is not missed.
            ended.as_mut().enable();
            if !ids.iter().any(|id| self.inner().received.contains_key(id)) {
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
        let mut inner = self.inner();
        let Some((declaration, before)) = inner.received.get_mut(doc) else { return };
        let delta = bytes.saturating_sub(*before);
        *before = bytes.max(*before);
        let declaration = declaration.clone();
        if let Some(p) = inner.progress.get_mut(&declaration) {
            p.bytes_done = (p.bytes_done + delta).min(p.bytes);
        }
    }

    /// `doc` is over (arrived, or failed: the bar still moves on).
    pub(crate) fn finished(&self, doc: &str) {
        let mut inner = self.inner();
        let Some((declaration, _)) = inner.received.remove(doc) else { return };
        self.ended.notify_waiters();
        let still = inner.received.values().any(|(d, _)| *d == declaration);
        if let Some(p) = inner.progress.get_mut(&declaration) {
            p.documents_done = (p.documents_done + 1).min(p.documents);
            if !still {
                p.running = false;
                p.bytes_done = p.bytes;
            }
        }
    }

    /// Where a declaration's documents are, if they are downloading or just did.
    pub fn progress(&self, declaration: &str) -> Option<Progress> {
        self.inner().progress.get(declaration).copied()
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

    #[test]
    fn a_declarations_bar_adds_its_documents_up() {
        let d = Downloads::default();
        let (mine, claim, elsewhere) = d.claim(vec![doc("a", "D1", 100), doc("b", "D1", 300)]);
        assert_eq!((mine.len(), elsewhere.len()), (2, 0));
        // A second caller gets none of them: it waits for the first.
        let (again, _none, theirs) = d.claim(vec![doc("a", "D1", 100)]);
        assert!(again.is_empty());
        assert_eq!(theirs, ["a"]);
        d.received("a", 50);
        d.received("b", 100);
        assert_eq!(
            d.progress("D1"),
            Some(Progress { documents: 2, documents_done: 0, bytes: 400, bytes_done: 150, running: true })
        );
        d.received("a", 100);
        d.finished("a");
        assert_eq!(d.progress("D1").map(|p| (p.documents_done, p.bytes_done, p.running)), Some((1, 200, true)));
        d.finished("b");
        assert_eq!(d.progress("D1").map(|p| (p.documents_done, p.bytes_done, p.running)), Some((2, 400, false)));
        drop(claim);
        // The next batch forgets the finished bar; an unknown document changes nothing.
        let (_, claim, _) = d.claim(vec![doc("c", "D2", 10)]);
        d.received("zzz", 5);
        assert_eq!(d.progress("D1"), None);
        assert!(d.progress("D2").is_some_and(|p| p.running));
        // A call that ends without finishing its documents (an error, a lock) ends them all.
        drop(claim);
        assert!(d.progress("D2").is_some_and(|p| !p.running));
    }

    #[tokio::test]
    async fn a_second_caller_waits_for_the_first_to_finish() {
        let d = std::sync::Arc::new(Downloads::default());
        let (_, claim, _) = d.claim(vec![doc("a", "D1", 100)]);
        let (_, _none, theirs) = d.claim(vec![doc("a", "D1", 100)]);
        let waiter = {
            let d = std::sync::Arc::clone(&d);
            tokio::spawn(async move { d.wait_for(&theirs).await })
        };
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        drop(claim);
        waiter.await.expect("the wait ends with the download");
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
