//! What a PC downloads: what its officer holds and the next of the queue at each
//! sync, the rest when opened; the top bar counts only that.

use super::{desk_with_policy, login, server};
use bhxh_cache::DocumentPolicy;
use bhxh_domain::DeclarationStatus;

#[tokio::test]
async fn a_sync_brings_the_next_of_the_queue_and_an_opened_declaration_comes_on_demand() {
    let sdir = tempfile::tempdir().expect("tmp");
    let ddir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 24).await;
    let d = desk_with_policy(ddir.path(), DocumentPolicy { ahead: 3, budget_bytes: 1 << 30 });
    d.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login");
    let summary = d.sync_now().await.expect("sync");
    let queue = d.queue().expect("queue");
    let waiting: Vec<_> = queue.iter().filter(|q| q.status == DeclarationStatus::Pending).collect();
    assert!(waiting.len() > 5, "an office with more waiting than it downloads ahead: {}", waiting.len());
    // The three oldest waiting ones, and nothing else.
    let stored: Vec<&str> = queue.iter().filter(|q| q.documents_stored > 0).map(|q| q.id.as_str()).collect();
    let first: Vec<&str> = waiting.iter().take(3).map(|q| q.id.as_str()).collect();
    assert_eq!(stored, first);
    assert!(waiting.iter().take(3).all(|q| q.documents_stored == q.documents));
    let ahead: u32 = waiting.iter().take(3).map(|q| q.documents).sum();
    assert_eq!(summary.documents_downloaded, ahead);
    let status = d.status().expect("status");
    assert_eq!((status.documents_total, status.documents_missing), (ahead, 0), "the bar counts what it downloads");

    // The officer opens the last one: it says its documents are not here, and they come now.
    let last = waiting.last().expect("one");
    let view = d.declaration(&last.id).expect("view");
    assert!(view.documents.iter().all(|doc| !doc.available && doc.downloadable));
    let got = d.download_documents(&last.id).await.expect("on demand");
    assert_eq!((got.downloaded, got.failed), (last.documents, 0));
    let p = d.download_progress(&last.id).expect("progress");
    assert!(!p.running && p.documents_done == p.documents && p.bytes_done == p.bytes && p.bytes > 0, "{p:?}");
    let view = d.declaration(&last.id).expect("view");
    assert!(view.documents.iter().all(|doc| doc.available));
    for doc in &view.documents {
        d.document_bytes(&doc.id).expect("shown");
    }
    // Nothing left to bring: a second ask is answered from here.
    let again = d.download_documents(&last.id).await.expect("nothing to do");
    assert_eq!(again.downloaded, 0);
    // Another office's declaration is as good as absent.
    assert!(d.download_documents("07920-000001").await.is_err());
    s.stop().await;
}

#[tokio::test]
async fn taking_declarations_for_offline_work_downloads_them_at_once() {
    let sdir = tempfile::tempdir().expect("tmp");
    let ddir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 24).await;
    let d = desk_with_policy(ddir.path(), DocumentPolicy { ahead: 0, budget_bytes: 1 << 30 });
    d.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login");
    let summary = d.sync_now().await.expect("sync");
    assert_eq!(summary.documents_downloaded, 0, "nothing ahead, nothing held");
    let took = d.take_batch(4).await.expect("take");
    assert_eq!(took.taken.len(), 4);
    assert!(took.message.vi.contains("mất mạng") && !took.message.vi.contains("chưa tải"), "{}", took.message.vi);
    let queue = d.queue().expect("queue");
    for id in &took.taken {
        let q = queue.iter().find(|q| &q.id == id).expect("in the queue");
        assert_eq!(q.documents_stored, q.documents, "{id}");
    }
    assert_eq!(queue.iter().filter(|q| q.documents_stored > 0).count(), 4);
    s.stop().await;
}
