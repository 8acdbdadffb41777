//! A fast start and a small footprint, from the real release app: the time from
//! launching it to its login screen, and from pressing Enter on the password to
//! an interactive queue of 1,000 cached declarations; the memory of the Rust
//! process and of the web view's processes, apart, at the login screen and with
//! the queue open. Medians over several launches.
//! `cargo build --release -p bhxh-desk -p bhxh-central`, then
//! `BHXH_E2E_PROFILE=release cargo bench -p bhxh-e2e --bench start [-- runs]`
//! (`BHXH_WEB_RENDERING=software` as IT's `web_rendering = "software"`).

#[path = "../e2e/harness.rs"]
#[allow(dead_code)]
mod harness;
#[path = "memory.rs"]
mod memory;

use harness::*;
use memory::{AppProcesses, Memory};

/// In the page: type the password, send the form, and wait until the queue has
/// `arguments[1]` rows listed (its count; a long queue keeps only the rows near the view in the page) and two
/// frames have been painted after them.
const LOGIN_AND_WAIT: &str = r#"
const [password, rows, done] = arguments;
const input = document.querySelector('#password');
input.value = password;
input.dispatchEvent(new Event('input', { bubbles: true }));
const t0 = performance.now();
input.form.requestSubmit();
const painted = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
(async () => {
  for (;;) {
    // A long queue keeps only the rows near the view in the page: its count says how many it lists.
    const count = document.querySelector('[data-testid=queue-count]');
    if (count && Number(count.dataset.shown) >= rows && document.querySelector('[data-testid=queue-row]')) {
      await painted();
      done(performance.now() - t0);
      return;
    }
    if (performance.now() - t0 > 60000) { done(-1); return; }
    await new Promise(r => requestAnimationFrame(r));
  }
})();
"#;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(-1.0)
}

fn median_memory(v: &[Memory]) -> Memory {
    Memory {
        rss_kb: median(v.iter().map(|m| m.rss_kb as f64).collect()) as u64,
        pss_kb: median(v.iter().map(|m| m.pss_kb as f64).collect()) as u64,
        anon_kb: median(v.iter().map(|m| m.anon_kb as f64).collect()) as u64,
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let runs: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(5);
    let bins = Binaries::locate();
    let work = tempdir("bench-start");
    // 2,000 declarations without documents, split between the demo's two offices (1,000 this
    // officer's: the queue the goal names), and the demo's 40 with documents to be opened.
    let seed = DEMO_SEED.to_string();
    let mut central = Central::start_with(
        &bins.central,
        &work.join("central"),
        None,
        &["--demo", "40", "--seed", &seed, "--bulk", "2000"],
    )
    .await;
    let data = work.join("desk");
    println!("{}", sync_headless(&bins.desk, &central.url, "canbo.07916", &data));
    let cached = count_cached(&bins, &data);
    println!("declarations of the office in the cache: {cached}");

    let (mut to_login, mut to_queue) = (Vec::new(), Vec::new());
    let (mut app_login, mut web_login, mut app_queue, mut web_queue) = (vec![], vec![], vec![], vec![]);
    for run in 0..runs {
        let (display, driver, client) = open_window(&bins.desk, &data, &central.url, "canbo.07916").await;
        let result = async {
            wait_for_element(&client, "#password").await?;
            let procs = AppProcesses::find(&bins.desk, &data).ok_or_else(|| anyhow::anyhow!("app process"))?;
            let age = procs.age_secs().unwrap_or(-1.0) * 1000.0;
            // The web view settles after its first paint: sample once it is idle.
            let _ = client
                .execute_async("const d = arguments[arguments.length - 1]; requestIdleCallback ? requestIdleCallback(() => d(0)) : setTimeout(() => d(0), 50);", vec![])
                .await;
            let procs = AppProcesses::find(&bins.desk, &data).ok_or_else(|| anyhow::anyhow!("app process"))?;
            let at_login = procs.sample();
            let v = client
                .execute_async(LOGIN_AND_WAIT, vec![serde_json::json!("demo"), serde_json::json!(cached)])
                .await?;
            let ms = v.as_f64().unwrap_or(-1.0);
            anyhow::ensure!(ms >= 0.0, "the queue did not show {cached} rows");
            let at_queue =
                AppProcesses::find(&bins.desk, &data).ok_or_else(|| anyhow::anyhow!("app process"))?.sample();
            Ok::<_, anyhow::Error>((age, ms, at_login, at_queue, procs.web.len()))
        }
        .await;
        let _ = client.close().await;
        drop(driver);
        drop(display);
        let (age, ms, at_login, at_queue, web) = result.expect("start benchmark");
        println!(
            "run {}: login screen {age:.0} ms after launch; queue of {cached} {ms:.0} ms after Enter; \
             at login: app {} / web view ({web} processes) {}; queue open: app {} / web view {}",
            run + 1,
            at_login.0,
            at_login.1,
            at_queue.0,
            at_queue.1
        );
        to_login.push(age);
        to_queue.push(ms);
        app_login.push(at_login.0);
        web_login.push(at_login.1);
        app_queue.push(at_queue.0);
        web_queue.push(at_queue.1);
    }
    central.kill();
    println!("launch → login screen: median {:.0} ms over {runs} launches", median(to_login));
    println!("Enter → interactive queue of {cached} cached declarations: median {:.0} ms", median(to_queue));
    println!(
        "memory at the login screen, medians: Rust process {}; web view {}",
        median_memory(&app_login),
        median_memory(&web_login)
    );
    println!(
        "memory with the queue open, medians: Rust process {}; web view {}",
        median_memory(&app_queue),
        median_memory(&web_queue)
    );
    let _ = std::fs::remove_dir_all(&work);
}

/// How many declarations the office's queue holds on this PC, as the headless `queue` lists them.
fn count_cached(bins: &Binaries, data: &std::path::Path) -> usize {
    let out = std::process::Command::new(&bins.desk)
        .args(["queue", "--user", "canbo.07916", "--password", "demo", "--data-dir"])
        .arg(data)
        .env_remove("DISPLAY")
        .output()
        .expect("bhxh-desk queue");
    assert!(out.status.success(), "queue: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.trim().is_empty()).count()
}
