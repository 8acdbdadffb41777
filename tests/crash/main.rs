//! Crash safety: real `bhxh-desk` processes deciding and syncing against a real
//! `bhxh-central`, killed with SIGKILL at random moments and started again. At the
//! end every decision the desk recorded is on the server exactly once, and nothing
//! it did not record is there. `BHXH_CRASH_CYCLES` (default 100) and
//! `BHXH_CRASH_SEED` reproduce a run; `scripts/soak-crash` runs 1,000 cycles.

#[allow(dead_code)]
#[path = "../e2e/harness.rs"]
mod harness;

use harness::{Binaries, Central, tempdir};
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const USER: &str = "canbo.07916";

fn desk(bins: &Binaries, dir: &str, args: &[&str]) -> Command {
    let mut c = Command::new(&bins.desk);
    c.args(args).args(["--data-dir", dir]).env("BHXH_USER", USER).env("BHXH_PASSWORD", "demo").env_remove("DISPLAY");
    c
}

fn run(mut c: Command) -> Output {
    c.output().expect("run bhxh-desk")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_random_moments_nothing_is_lost_or_sent_twice() {
    let cycles: usize = std::env::var("BHXH_CRASH_CYCLES").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let seed: u64 = std::env::var("BHXH_CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(7)
    });
    eprintln!("crash test: {cycles} cycles, BHXH_CRASH_SEED={seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let bins = Binaries::locate();
    let work = tempdir("crash");
    let central_dir = work.join("central");
    // Declarations without photos: this test is about decisions.
    let bulk = (cycles * 3 + 30).to_string();
    let central = Central::start_with(&bins.central, &central_dir, None, &["--bulk", &bulk]).await;
    let dir = work.join("desk").display().to_string();
    let sync = |bins: &Binaries| {
        let mut c = desk(bins, &dir, &["sync", "--central", &central.url]);
        c.stdout(Stdio::null()).stderr(Stdio::null());
        c
    };
    let first = run(sync(&bins));
    assert!(first.status.success(), "first sync: {}", String::from_utf8_lossy(&first.stderr));
    let queue = json(&run(desk(&bins, &dir, &["queue", "--json"])));
    let ids: Vec<String> =
        queue.as_array().expect("rows").iter().map(|r| r["id"].as_str().expect("id").to_owned()).collect();
    assert!(ids.len() > cycles, "{} declarations for {cycles} cycles", ids.len());
    let decide = |bins: &Binaries, id: &str, outcome: &str| {
        let mut c = desk(bins, &dir, &["decide", "--id", id, "--outcome", outcome, "--note", "Đã đối chiếu bản giấy"]);
        c.stdout(Stdio::null()).stderr(Stdio::null());
        c
    };

    // How long each command takes on this machine, run to its end once: the kill
    // moments are drawn over that span, so a slow or busy machine gets kills all
    // through a command's life too, not only before it has done anything.
    let timed = |mut c: Command| {
        let started = Instant::now();
        c.stderr(Stdio::piped());
        let out = run(c);
        assert!(out.status.success(), "calibration: {}", String::from_utf8_lossy(&out.stderr));
        started.elapsed()
    };
    let decide_takes = timed(decide(&bins, &ids[0], "approve"));
    let sync_takes = timed(sync(&bins));
    eprintln!("a decision takes {decide_takes:?}, a sync {sync_takes:?}");
    let span = |d: Duration| (d.as_millis() as u64 * 2).max(50);

    let (mut next, mut kills, mut finished) = (1usize, 0u32, 0u32);
    for _ in 0..cycles {
        let deciding = rng.random_bool(0.6);
        let (mut cmd, takes) = if deciding {
            let id = ids[next].clone();
            next += 1;
            let outcome = ["approve", "escalate"][rng.random_range(0..2)];
            (decide(&bins, &id, outcome), decide_takes)
        } else {
            (sync(&bins), sync_takes)
        };
        let mut child = cmd.spawn().expect("spawn bhxh-desk");
        // The moment of the kill is the point of the test: anywhere from before the
        // cache opens to after the last answer.
        let deadline = Instant::now() + Duration::from_millis(rng.random_range(0..span(takes)));
        while Instant::now() < deadline {
            if child.try_wait().expect("try_wait").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        if child.try_wait().expect("try_wait").is_none() {
            child.kill().expect("SIGKILL");
            kills += 1;
        } else {
            finished += 1;
        }
        let _ = child.wait();
    }
    eprintln!("{kills} processes killed, {finished} finished by themselves, {} decisions attempted", next - 1);

    // Deliver what is left; the outbox must empty.
    let started = Instant::now();
    let rows = loop {
        let _ = run(sync(&bins));
        let rows = json(&run(desk(&bins, &dir, &["outbox", "--json"])));
        let waiting = rows.as_array().expect("rows").iter().filter(|r| r["state"] == "waiting").count();
        if waiting == 0 {
            break rows;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "{waiting} still waiting");
        std::thread::sleep(Duration::from_millis(200));
    };
    let client: BTreeMap<String, String> = rows
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            assert_eq!(r["state"], "accepted", "{r}");
            (r["key"].as_str().expect("key").to_owned(), r["declaration_id"].as_str().expect("id").to_owned())
        })
        .collect();
    assert!(!client.is_empty(), "some decisions were recorded");
    let out = Command::new(&bins.central)
        .args(["decisions", "--json", "--data"])
        .arg(&central_dir)
        .output()
        .expect("decisions");
    let server = json(&out);
    let server_rows = server.as_array().expect("decisions");
    let server_keys: BTreeMap<String, String> = server_rows
        .iter()
        .map(|d| {
            (
                d["idempotency_key"].as_str().expect("key").to_owned(),
                d["declaration_id"].as_str().expect("id").to_owned(),
            )
        })
        .collect();
    assert_eq!(server_rows.len(), server_keys.len(), "a key recorded twice");
    assert_eq!(server_keys, client, "the server holds exactly the desk's decisions");
    let decided: BTreeSet<&String> = server_keys.values().collect();
    assert_eq!(decided.len(), server_keys.len(), "a declaration decided twice");
    let audit = run(desk(&bins, &dir, &["audit", "verify"]));
    assert!(audit.status.success(), "audit: {}", String::from_utf8_lossy(&audit.stdout));
    eprintln!("{} decisions, each on the server once", client.len());
    drop(central);
    let _ = std::fs::remove_dir_all(&work);
}
