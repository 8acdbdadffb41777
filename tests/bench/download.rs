//! Documents an office can afford: one officer's PC syncing an office of N waiting
//! declarations (default 5,000) for the first time, the way every PC did before
//! (every waiting declaration's documents) and the way it does now (those the
//! officer holds and the next `documents_ahead` = 30 of the queue; the rest when
//! opened). Prints the bytes that crossed the line (the server's count), the disk
//! the documents take, the time to the first declaration ready to review (its
//! documents on the PC), the time for the whole round, and a declaration beyond
//! the plan opened: its documents on demand. Loopback is no district line: the
//! seconds a 10 Mbit/s line needs for those bytes are printed beside them.
//!
//! `cargo bench -p bhxh-e2e --bench download [-- N]` (the server's demo data for
//! 2N declarations, N per office, is generated first: minutes, and ≈ 0.6 MB × 2N of disk).

use bhxh_cache::DocumentPolicy;
use bhxh_central::{AppState, ServerConfig, seed_demo, start};
use bhxh_desk_core::ipc::LoginInput;
use bhxh_desk_core::{Desk, DeskConfig};
use bhxh_domain::DeclarationStatus;
use bhxh_protocol::FaultSettings;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const OFFICE: &str = "07916";
const OFFICER: &str = "canbo.07916";
/// Bits per second of the district line the estimates assume.
const LINE_BPS: f64 = 10_000_000.0;

fn desk(dir: &Path, policy: DocumentPolicy) -> Desk {
    Desk::open(DeskConfig {
        data_dir: dir.to_path_buf(),
        central_url: None,
        default_username: None,
        default_password: None,
        idle_lock: bhxh_desk_core::DEFAULT_IDLE_LOCK,
        retention_days: 7,
        max_offline_days: bhxh_desk_core::DEFAULT_MAX_OFFLINE_DAYS,
        document_policy: policy,
        export_dir: None,
        central_cert_pin: None,
        clock: bhxh_domain::Clock::System,
        office_code: None,
        deployment: Default::default(),
    })
    .expect("desk")
}

/// Bytes of the files under `dir`.
fn disk(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => disk(&e.path()),
            Ok(_) => e.metadata().map(|m| m.len()).unwrap_or(0),
            Err(_) => 0,
        })
        .sum()
}

fn mb(b: u64) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

struct Run {
    bytes: u64,
    documents: u32,
    disk: u64,
    first_ready: Duration,
    round: Duration,
}

/// A fresh PC: log in, one sync round, while a watcher notes when the oldest waiting
/// declaration's documents are all here.
async fn first_sync(
    url: &str,
    state: &AppState,
    policy: DocumentPolicy,
    first: &str,
) -> (Run, Arc<Desk>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tmp");
    let d = Arc::new(desk(dir.path(), policy));
    d.login(LoginInput::new(url, OFFICER, "demo")).await.expect("login");
    let sent = state.document_bytes_sent();
    let started = Instant::now();
    let watcher = {
        let (d, first) = (Arc::clone(&d), first.to_owned());
        tokio::spawn(async move {
            loop {
                let ready = tokio::task::spawn_blocking({
                    let (d, first) = (Arc::clone(&d), first.clone());
                    move || d.declaration_ahead(&first).is_ok_and(|v| v.documents.iter().all(|x| x.available))
                })
                .await
                .unwrap_or(false);
                if ready {
                    return started.elapsed();
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let summary = d.sync_now().await.expect("sync");
    let round = started.elapsed();
    let first_ready = watcher.await.expect("watcher");
    let run = Run {
        bytes: state.document_bytes_sent() - sent,
        documents: summary.documents_downloaded,
        disk: disk(&dir.path().join("users")),
        first_ready,
        round,
    };
    (run, d, dir)
}

fn print(name: &str, r: &Run) {
    println!(
        "{name:<34} {:>9.1} MB on the line ({:>5.0} s at 10 Mbit/s)  {:>6} documents  {:>9.1} MB on disk  first ready {:>7.0} ms  round {:>8.0} ms",
        mb(r.bytes),
        r.bytes as f64 * 8.0 / LINE_BPS,
        r.documents,
        mb(r.disk),
        r.first_ready.as_secs_f64() * 1000.0,
        r.round.as_secs_f64() * 1000.0,
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(5_000);
    let sdir = tempfile::tempdir().expect("tmp");
    let state = AppState::open(&ServerConfig {
        data_dir: sdir.path().to_path_buf(),
        admin: false,
        faults: FaultSettings::default(),
    })
    .expect("server");
    let seeded = Instant::now();
    // The demo's two offices take turns: 2N declarations are N in this one. In
    // steps: the generator holds each step's photos in memory until it files them.
    let mut have = 0;
    while have < 2 * n {
        have = (have + 1_000).min(2 * n);
        seed_demo(&state, have, 7).expect("demo data");
    }
    println!("server: {} declarations generated in {:.0} s", 2 * n, seeded.elapsed().as_secs_f64());
    let mut waiting: Vec<_> = state
        .with_store(|s| s.page(OFFICE, 0, u32::MAX))
        .expect("page")
        .into_iter()
        .map(|(_, d)| d)
        .filter(|d| d.status == DeclarationStatus::Pending)
        .collect();
    waiting.sort_by(|a, b| (a.submitted_at, &a.id).cmp(&(b.submitted_at, &b.id)));
    let office_bytes: u64 = waiting.iter().flat_map(|d| &d.documents).map(|x| x.size).sum();
    println!(
        "office {OFFICE}: {} waiting declarations, {:.1} MB of documents ({:.2} MB each)",
        waiting.len(),
        mb(office_bytes),
        mb(office_bytes) / waiting.len().max(1) as f64
    );
    let first = waiting.first().expect("a waiting declaration").id.clone();
    let server = start("127.0.0.1:0".parse().expect("addr"), state.clone()).await.expect("server starts");
    let url = server.url();

    // Before: every waiting declaration's documents, as every PC downloaded them.
    let everything = DocumentPolicy { ahead: u32::MAX, budget_bytes: u64::MAX };
    let (before, d, dir) = first_sync(&url, &state, everything, &first).await;
    d.logout();
    drop((d, dir));
    // After: held + the next 30, under the default budget.
    let (after, d, _dir) = first_sync(&url, &state, DocumentPolicy::default(), &first).await;
    println!();
    print("before (every waiting declaration)", &before);
    print("after (the next 30)", &after);
    println!(
        "after/before: bytes {:.4}, disk {:.4}, first ready {:.2}, round {:.2}",
        after.bytes as f64 / before.bytes.max(1) as f64,
        after.disk as f64 / before.disk.max(1) as f64,
        after.first_ready.as_secs_f64() / before.first_ready.as_secs_f64().max(1e-9),
        after.round.as_secs_f64() / before.round.as_secs_f64().max(1e-9),
    );

    // Declarations beyond the plan, opened: their documents on demand (the progress bar's wait).
    let mut times = Vec::new();
    let mut bytes = Vec::new();
    for decl in waiting.iter().skip(waiting.len() / 2).take(15) {
        let sent = state.document_bytes_sent();
        let t = Instant::now();
        let got = d.download_documents(&decl.id).await.expect("on demand");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        bytes.push(state.document_bytes_sent() - sent);
        assert!(got.downloaded > 0, "{} came on demand", decl.id);
    }
    times.sort_by(f64::total_cmp);
    bytes.sort_unstable();
    let (t, b) = (times[times.len() / 2], bytes[bytes.len() / 2]);
    println!(
        "opened beyond the plan, on demand ({} declarations): median {:.0} ms on loopback, {:.2} MB ({:.1} s at 10 Mbit/s)",
        times.len(),
        t,
        mb(b),
        b as f64 * 8.0 / LINE_BPS
    );
    d.logout();
    server.stop().await;
}
