//! The real client against the real reference server, started in-process on a free
//! loopback port.

use bhxh_cache::Cache;
use bhxh_central::{AppState, RunningServer, ServerConfig, seed_demo, start};
use bhxh_protocol::FaultSettings;
use bhxh_sync::{CentralClient, Credentials, Downloads, PullReport, SyncError, fetch_documents, pull_declarations};
use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

mod letters;
mod outbox;
mod round;
mod tls;
mod transport;

const OFFICE: &str = "07916";

fn officer() -> Credentials {
    Credentials::new("canbo.07916".into(), "demo".into())
}

fn server_state(dir: &Path, n: u64) -> AppState {
    let state =
        AppState::open(&ServerConfig { data_dir: dir.to_path_buf(), admin: true, faults: FaultSettings::default() })
            .expect("server state");
    seed_demo(&state, n, 11).expect("demo data");
    state
}

async fn serve(state: AppState) -> RunningServer {
    start("127.0.0.1:0".parse().expect("addr"), state).await.expect("server starts")
}

async fn logged_in(server: &RunningServer) -> CentralClient {
    let mut c = CentralClient::new(&server.url()).expect("client");
    c.login(&officer()).await.expect("login");
    c
}

fn server_ids(state: &AppState, office: &str) -> HashSet<String> {
    state.with_store(|s| s.page(office, 0, 100_000)).expect("page").into_iter().map(|(_, d)| d.id).collect()
}

/// Every document the cache lacks, whatever an officer would need.
async fn fetch_all(
    client: &CentralClient,
    cache: &bhxh_sync::SharedCache,
    report: &mut PullReport,
) -> Result<(), SyncError> {
    let todo = cache.lock().expect("lock").documents_to_fetch(true, u32::MAX).expect("todo");
    fetch_documents(client, cache, &Downloads::default(), todo, &anywhere(), report).await
}

/// No budget to keep to.
fn anywhere() -> bhxh_sync::Arrival {
    bhxh_sync::Arrival { budget: u64::MAX, keep: Default::default(), now: chrono::Utc::now() }
}

fn cached_ids(cache: &Mutex<Cache>) -> Vec<String> {
    cache.lock().expect("lock").queue(OFFICE).expect("queue").into_iter().map(|r| r.id).collect()
}

#[tokio::test]
async fn pulls_every_declaration_and_document_of_the_office() {
    let sdir = tempfile::tempdir().expect("tmp");
    let cdir = tempfile::tempdir().expect("tmp");
    let state = server_state(sdir.path(), 14);
    let server = serve(state.clone()).await;
    let client = logged_in(&server).await;
    let cache =
        std::sync::Arc::new(Mutex::new(Cache::open(cdir.path(), bhxh_cache::DataKey::generate()).expect("cache")));

    let mut report = pull_declarations(&client, &cache, OFFICE, 4).await.expect("pull");
    let expected = server_ids(&state, OFFICE);
    assert_eq!(report.declarations as usize, expected.len());
    assert_eq!(report.pages, expected.len().div_ceil(4) as u32);
    let ids = cached_ids(&cache);
    assert_eq!(ids.iter().cloned().collect::<HashSet<_>>(), expected);
    assert_eq!(ids.len(), expected.len());
    // Only the officer's office.
    assert!(ids.iter().all(|id| id.starts_with("07916-")));

    fetch_all(&client, &cache, &mut report).await.expect("documents");
    assert_eq!(report.documents_failed, 0);
    let rows = cache.lock().expect("lock").queue(OFFICE).expect("queue");
    assert!(rows.iter().all(|r| r.documents > 0 && r.documents == r.documents_stored));
    assert_eq!(report.documents_downloaded, rows.iter().map(|r| r.documents).sum::<u32>());

    // A second sync finds nothing new and downloads nothing.
    let mut again = pull_declarations(&client, &cache, OFFICE, 4).await.expect("pull");
    assert_eq!(again.declarations, 0);
    fetch_all(&client, &cache, &mut again).await.expect("documents");
    assert_eq!(again.documents_downloaded, 0);
    server.stop().await;
}

#[tokio::test]
async fn paging_neither_skips_nor_repeats_while_declarations_arrive() {
    let sdir = tempfile::tempdir().expect("tmp");
    let state = server_state(sdir.path(), 10);
    let server = serve(state.clone()).await;
    let client = logged_in(&server).await;
    let generator = bhxh_fixtures::Generator::new(99).expect("generator");
    let http = reqwest::Client::new();

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut next_index = 1_000;
    loop {
        let page = client.declarations_page(OFFICE, cursor.as_deref(), 2).await.expect("page");
        seen.extend(page.items.iter().map(|d| d.id.clone()));
        // New declarations for both offices arrive between pages.
        for _ in 0..2 {
            if next_index < 1_006 {
                let d = generator.declaration(next_index, chrono::Utc::now()).expect("gen");
                let body = serde_json::to_vec(&d.submission).expect("json");
                let key = server.state.channel_key();
                let resp = bhxh_central::channel::signed_submission(
                    &http,
                    &server.url(),
                    key,
                    "test",
                    server.state.now(),
                    body,
                )
                .send()
                .await
                .expect("post");
                assert_eq!(resp.status(), 201);
                next_index += 1;
            }
        }
        cursor = Some(page.next_cursor);
        if !page.has_more {
            break;
        }
    }
    let unique: HashSet<_> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no duplicates");
    assert_eq!(unique, server_ids(&state, OFFICE), "no gaps: everything that arrived during paging was seen");
    server.stop().await;
}

#[tokio::test]
async fn wrong_password_is_told_apart_from_no_network() {
    let sdir = tempfile::tempdir().expect("tmp");
    let server = serve(server_state(sdir.path(), 0)).await;
    let mut c = CentralClient::new(&server.url()).expect("client");
    let err = c.login(&Credentials::new("canbo.07916".into(), "sai".into())).await.expect_err("refused");
    assert!(matches!(err, SyncError::BadCredentials), "{err:?}");
    let err = c.login(&Credentials::new("khong.co".into(), "demo".into())).await.expect_err("refused");
    assert!(matches!(err, SyncError::BadCredentials), "{err:?}");
    let url = server.url();
    server.stop().await;
    let mut c = CentralClient::new(&url).expect("client");
    let err = c.login(&officer()).await.expect_err("offline");
    assert!(err.is_offline(), "{err:?}");
}

async fn wait_for(mut cond: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !cond() {
        assert!(std::time::Instant::now() < deadline, "condition not reached in 30 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_pull_cut_off_by_a_dying_server_completes_next_time_without_duplicates() {
    let sdir = tempfile::tempdir().expect("tmp");
    let cdir = tempfile::tempdir().expect("tmp");
    let state = server_state(sdir.path(), 24);
    state.faults.write().expect("faults").latency_ms = 150;
    let server = serve(state.clone()).await;
    let client = logged_in(&server).await;
    let cache =
        std::sync::Arc::new(Mutex::new(Cache::open(cdir.path(), bhxh_cache::DataKey::generate()).expect("cache")));

    let pulling = {
        let (client, cache) = (client.clone(), cache.clone());
        tokio::spawn(async move { pull_declarations(&client, &cache, OFFICE, 2).await })
    };
    // Kill the server once some, but not all, pages are in.
    wait_for(|| cached_ids(&cache).len() >= 4).await;
    server.abort();
    let first = pulling.await.expect("task");
    assert!(matches!(first, Err(ref e) if e.is_offline()), "{first:?}");
    let partial = cached_ids(&cache).len();
    let expected = server_ids(&state, OFFICE);
    assert!(partial < expected.len(), "the pull really was cut off");

    // The same data directory, a new process (port).
    state.faults.write().expect("faults").latency_ms = 0;
    let server = serve(state.clone()).await;
    let client = logged_in(&server).await;
    let mut report: PullReport = pull_declarations(&client, &cache, OFFICE, 2).await.expect("pull completes");
    fetch_all(&client, &cache, &mut report).await.expect("documents");
    let ids = cached_ids(&cache);
    assert_eq!(ids.len(), expected.len(), "no duplicates");
    assert_eq!(ids.into_iter().collect::<HashSet<_>>(), expected);
    assert_eq!(report.new_declarations as usize, expected.len() - partial);
    server.stop().await;
}

#[tokio::test]
async fn a_malformed_page_stops_the_sync_naming_the_request_and_keeps_the_cache() {
    let sdir = tempfile::tempdir().expect("tmp");
    let cdir = tempfile::tempdir().expect("tmp");
    let state = server_state(sdir.path(), 8);
    let server = serve(state.clone()).await;
    let client = logged_in(&server).await;
    let cache =
        std::sync::Arc::new(Mutex::new(Cache::open(cdir.path(), bhxh_cache::DataKey::generate()).expect("cache")));
    pull_declarations(&client, &cache, OFFICE, 100).await.expect("first pull");
    let before = cached_ids(&cache);
    let cursor_before = cache.lock().expect("lock").meta(&bhxh_sync::cursor_key(OFFICE)).expect("meta");

    let generator = bhxh_fixtures::Generator::new(5).expect("gen");
    let d = generator.declaration(2_000, chrono::Utc::now()).expect("gen");
    bhxh_central_submit(&server, &d.submission).await;
    state.faults.write().expect("faults").malformed_pages = true;
    let err = pull_declarations(&client, &cache, OFFICE, 100).await.expect_err("malformed");
    match &err {
        SyncError::Malformed { request, .. } => {
            assert!(request.contains("/v1/offices/07916/declarations"), "{request}");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
    assert_eq!(cached_ids(&cache), before);
    assert_eq!(cache.lock().expect("lock").meta(&bhxh_sync::cursor_key(OFFICE)).expect("meta"), cursor_before);
    server.stop().await;
}

#[tokio::test]
async fn a_corrupt_document_is_marked_and_the_rest_arrive() {
    let sdir = tempfile::tempdir().expect("tmp");
    let cdir = tempfile::tempdir().expect("tmp");
    let state = server_state(sdir.path(), 6);
    let server = serve(state.clone()).await;
    let client = logged_in(&server).await;
    let cache =
        std::sync::Arc::new(Mutex::new(Cache::open(cdir.path(), bhxh_cache::DataKey::generate()).expect("cache")));
    let mut report = pull_declarations(&client, &cache, OFFICE, 100).await.expect("pull");
    state.faults.write().expect("faults").corrupt_documents = true;
    fetch_all(&client, &cache, &mut report).await.expect("a bad file is not a failed sync");
    assert!(report.documents_failed > 0);
    assert_eq!(report.documents_downloaded, 0);
    state.faults.write().expect("faults").corrupt_documents = false;
    let mut report = PullReport::default();
    fetch_all(&client, &cache, &mut report).await.expect("retry");
    assert_eq!(report.documents_failed, 0);
    assert!(report.documents_downloaded > 0);
    server.stop().await;
}

#[tokio::test]
async fn a_broken_download_goes_on_from_where_it_stopped() {
    let sdir = tempfile::tempdir().expect("tmp");
    let cdir = tempfile::tempdir().expect("tmp");
    let state = server_state(sdir.path(), 3);
    let server = serve(state.clone()).await;
    let client = logged_in(&server).await;
    let cache =
        std::sync::Arc::new(Mutex::new(Cache::open(cdir.path(), bhxh_cache::DataKey::generate()).expect("cache")));
    pull_declarations(&client, &cache, OFFICE, 100).await.expect("pull");
    let todo = cache.lock().expect("lock").documents_to_fetch(true, u32::MAX).expect("todo");
    let whole: u64 = todo.iter().map(|d| d.size).sum();
    assert!(whole > 10_000, "photos of some size: {whole}");
    let downloads = Downloads::default();

    // The line drops half-way through every document.
    state.faults.write().expect("faults").cut_documents = true;
    let mut report = PullReport::default();
    let err = fetch_documents(&client, &cache, &downloads, todo.clone(), &anywhere(), &mut report)
        .await
        .expect_err("cut off");
    assert!(err.is_offline(), "a cut transfer is the network's trouble: {err:?}");
    assert_eq!(report.documents_downloaded, 0);
    let (first, kept) = (state.document_bytes_sent(), downloads.partial_bytes() as u64);
    assert!(kept > 0 && kept <= first, "what arrived is kept: {kept} of the {first} sent");

    // The line is back: only the rest crosses it, and every file is whole and verified.
    state.faults.write().expect("faults").cut_documents = false;
    let mut report = PullReport::default();
    fetch_documents(&client, &cache, &downloads, todo.clone(), &anywhere(), &mut report).await.expect("resumed");
    assert_eq!(report.documents_downloaded as usize, todo.len());
    assert_eq!(report.document_bytes, whole);
    assert_eq!(state.document_bytes_sent() - first, whole - kept, "only the rest crossed the line again");
    assert_eq!(downloads.partial_bytes(), 0);
    for doc in &todo {
        let (_, bytes) = cache.lock().expect("lock").document_bytes(&doc.id).expect("stored");
        assert_eq!(bytes.len() as u64, doc.size);
    }
    let p = downloads.progress(&todo[0].declaration_id).expect("progress");
    assert!(!p.running && p.bytes_done == p.bytes && p.documents_done == p.documents, "{p:?}");
    server.stop().await;
}

async fn bhxh_central_submit(server: &RunningServer, sub: &bhxh_protocol::Submission) {
    let body = serde_json::to_vec(sub).expect("json");
    let (key, now) = (server.state.channel_key(), server.state.now());
    let resp = bhxh_central::channel::signed_submission(&reqwest::Client::new(), &server.url(), key, "test", now, body)
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 201);
}

/// Cache work runs on blocking threads: while the cache is busy (held here by
/// another thread, as a long re-check or a document being sealed would), a pull
/// waiting for it leaves the runtime's only worker free for everything else.
#[test]
fn a_pull_waiting_for_a_busy_cache_leaves_the_runtime_free() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, mpsc};
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let sdir = tempfile::tempdir().expect("tmp");
    let cdir = tempfile::tempdir().expect("tmp");
    let state = server_state(sdir.path(), 6);
    let cache = Arc::new(Mutex::new(Cache::open(cdir.path(), bhxh_cache::DataKey::generate()).expect("cache")));
    let ticks = Arc::new(AtomicUsize::new(0));

    // Another thread takes the cache and keeps it until the runtime has shown it
    // still runs other tasks (or gives up after a long wait: the failure).
    let (held_tx, held_rx) = mpsc::channel();
    let holder = {
        let (cache, ticks) = (Arc::clone(&cache), Arc::clone(&ticks));
        std::thread::spawn(move || {
            let _busy = cache.lock().expect("lock");
            held_tx.send(()).expect("signal");
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            while ticks.load(Ordering::Acquire) < 3 && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            ticks.load(Ordering::Acquire) >= 3
        })
    };
    held_rx.recv().expect("the cache is held");

    let report = rt.block_on(async {
        let server = serve(state.clone()).await;
        let client = logged_in(&server).await;
        let pulling = {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move { pull_declarations(&client, &cache, OFFICE, 4).await })
        };
        // Other work on the same runtime: it must go on while the pull waits for the cache.
        let ticker = {
            let ticks = Arc::clone(&ticks);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    ticks.fetch_add(1, Ordering::AcqRel);
                }
            })
        };
        let report = pulling.await.expect("pull task").expect("pull");
        ticker.abort();
        server.stop().await;
        report
    });
    assert!(holder.join().expect("holder"), "the runtime stalled while the pull waited for the cache");
    assert_eq!(report.declarations as usize, server_ids(&state, OFFICE).len(), "and the pull finished after");
}
