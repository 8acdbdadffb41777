//! Pull 10,000 declarations' metadata and push 10,000 decisions over loopback
//! against the real reference server; prints items per second and totals.
//! Goals on the office PCs' class of machine: each under 3 s.
//! `cargo bench -p bhxh-sync --bench sync` (N=… to change the count).

use bhxh_cache::{Cache, DataKey};
use bhxh_central::{AppState, ServerConfig, seed_bulk, seed_demo, start};
use bhxh_domain::{DecisionDraft, Outcome};
use bhxh_protocol::FaultSettings;
use bhxh_sync::{CentralClient, Credentials, pull_declarations, push_outbox};
use chrono::Utc;
use std::sync::Mutex;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let n: u64 = std::env::var("N").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let sdir = tempfile::tempdir()?;
    let cdir = tempfile::tempdir()?;
    let state = AppState::open(&ServerConfig {
        data_dir: sdir.path().to_path_buf(),
        admin: false,
        faults: FaultSettings::default(),
    })?;
    seed_demo(&state, 0, 1)?;
    let t = Instant::now();
    // The generator alternates the demo offices: half are 07916.
    let ids: Vec<String> =
        seed_bulk(&state, n * 2, 3, 0)?.into_iter().filter(|id| id.starts_with("07916")).take(n as usize).collect();
    eprintln!("seeded {} declarations for 07916 in {:.1} s", ids.len(), t.elapsed().as_secs_f64());
    rt.block_on(async {
        let server = start("127.0.0.1:0".parse()?, state.clone()).await?;
        let creds = Credentials::new("canbo.07916".into(), "demo".into());
        let mut client = CentralClient::new(&server.url())?;
        client.login(&creds).await?;
        let cache = std::sync::Arc::new(Mutex::new(Cache::open(cdir.path(), DataKey::generate())?));

        let t = Instant::now();
        let report = pull_declarations(&client, &cache, "07916", 500).await?;
        let pull = t.elapsed().as_secs_f64();
        println!(
            "pull:  {} declarations in {:.2} s = {:.0} per second ({} pages, checks re-run included)",
            report.declarations,
            pull,
            report.declarations as f64 / pull,
            report.pages
        );

        // What each pull re-ran before: the checks of every cached declaration.
        let t = Instant::now();
        let all = cache.lock().map_err(|_| anyhow::anyhow!("lock"))?.recheck_all()?;
        println!(
            "full re-check: {all} declarations in {:.3} s (what every pull ran before)",
            t.elapsed().as_secs_f64()
        );
        // Every row due at once (a new unit list marks all): the due-set walk at its widest.
        {
            let mut c = cache.lock().map_err(|_| anyhow::anyhow!("lock"))?;
            c.set_office_units(&bhxh_protocol::UnitList { office_code: "07916".into(), units: vec![] }, Utc::now())?;
            let t = Instant::now();
            let due = c.recheck_due()?;
            println!("due re-check, every row marked: {due} declarations in {:.3} s", t.elapsed().as_secs_f64());
        }
        // A day's trickle: 40 more submissions (half of them this office's), pulled on top.
        seed_bulk(&state, 40, 3, n * 2)?;
        let t = Instant::now();
        let more = pull_declarations(&client, &cache, "07916", 500).await?;
        println!(
            "incremental pull: {} new of {} cached in {:.3} s ({} re-checked)",
            more.new_declarations,
            report.declarations + more.new_declarations,
            t.elapsed().as_secs_f64(),
            more.rechecked
        );

        let draft = DecisionDraft {
            outcome: Outcome::Approve,
            reasons: vec![],
            note: Some("Đã đối chiếu".into()),
            paper_seen: true,
        };
        let t = Instant::now();
        for id in &ids {
            cache
                .lock()
                .map_err(|_| anyhow::anyhow!("lock"))?
                .record_decision("canbo.07916", id, &draft, &[], Utc::now())?
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        let record = t.elapsed().as_secs_f64();
        println!(
            "record: {} decisions in {:.2} s = {:.0} per second (decision + outbox + audit, one transaction each)",
            ids.len(),
            record,
            ids.len() as f64 / record
        );

        let t = Instant::now();
        let pushed = push_outbox(&mut client, &cache, &creds, bhxh_domain::Clock::System).await?;
        let push = t.elapsed().as_secs_f64();
        println!(
            "push:  {} decisions in {:.2} s = {:.0} per second ({} accepted)",
            pushed.attempts,
            push,
            pushed.attempts as f64 / push,
            pushed.accepted
        );
        anyhow::ensure!(pushed.accepted as usize == ids.len(), "every decision accepted");
        server.stop().await;
        Ok(())
    })
}
