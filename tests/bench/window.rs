//! From the real window: the time from pressing A (and Enter to record) to the
//! next declaration fully painted, images included, with the documents
//! prefetched. Median over 50 declarations (goal: median ≤ 100 ms, p90 ≤ 150 ms),
//! where the time goes (fields, images in the page, loaded, decoded, painted; the
//! same from Enter), and the app's memory after the 1st, 100th and 200th review
//! when run over 200 (`-- 200`): the leak test.
//! Drives the debug app built by `cargo build --workspace`, or the release one
//! with `BHXH_E2E_PROFILE=release` (after `cargo build --release -p bhxh-desk -p bhxh-central`);
//! `BHXH_WEB_RENDERING=software` draws the window as IT's `web_rendering = "software"` does:
//! `cargo bench -p bhxh-e2e --bench window [-- N]`

#[path = "../e2e/harness.rs"]
#[allow(dead_code)]
mod harness;
#[path = "memory.rs"]
#[allow(dead_code)]
mod memory;

use harness::*;
use memory::AppProcesses;
use std::time::Duration;

/// Runs in the page: press A, then Enter where the focus went, and wait until
/// another declaration is on screen with every image decoded and painted.
const PRESS_A_AND_WAIT: &str = r#"
const done = arguments[arguments.length - 1];
const detail = () => document.querySelector('[data-testid=detail]');
const before = detail() && detail().dataset.id;
const t0 = performance.now();
window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true }));
const painted = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
(async () => {
  await new Promise(r => setTimeout(r, 0));
  await painted();
  const target = document.activeElement || document.body;
  const enter = performance.now() - t0;
  target.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true }));
  let fields = 0, present = 0;
  for (;;) {
    const d = detail();
    if (!fields && d && d.dataset.id !== before) fields = performance.now() - t0;
    const imgs = Array.from(document.querySelectorAll('img[data-testid=doc-image]'));
    if (!present && d && d.dataset.id !== before && imgs.length > 0) present = performance.now() - t0;
    if (d && d.dataset.id !== before && imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0)) {
      const complete = performance.now() - t0;
      await Promise.allSettled(imgs.map(i => i.decode()));
      const decoded = performance.now() - t0;
      await painted();
      window.__steps = (window.__steps || []).concat([[fields, present, complete, decoded, performance.now() - t0, performance.now() - t0 - enter, fields - enter]]);
      done([performance.now() - t0, fields, imgs.filter(i => i.src.startsWith('blob:')).length, imgs.length]);
      return;
    }
    if (performance.now() - t0 > 10000) {
      done([-1, 0]);
      return;
    }
    await new Promise(r => requestAnimationFrame(r));
  }
})();
"#;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(50);
    let bins = Binaries::locate();
    let work = tempdir("bench-window");
    let mut central = Central::start(&bins.central, &work.join("central"), None, 4 * n as u64 + 20).await;
    let data = work.join("desk");
    // Prefetch first: the headless sync pulls and analyses everything (derivatives made).
    println!("{}", sync_headless(&bins.desk, &central.url, "canbo.07916", &data));

    let (display, driver, client) = open_window(&bins.desk, &data, &central.url, "canbo.07916").await;
    let result = async {
        let password = wait_for_element(&client, "#password").await?;
        password.send_keys("demo\u{e007}").await?;
        wait_until(Duration::from_secs(60), || async {
            Ok(client.find_all(fantoccini::Locator::Css("[data-testid=queue-row]")).await?.len() > n)
        })
        .await?;
        // Declarations without a Block finding: A then Enter records at once (no note needed).
        wait_for_element(&client, "[data-testid=filter-checks]").await?.select_by_value("clean").await?;
        wait_until(Duration::from_secs(10), || async {
            Ok(client.find_all(fantoccini::Locator::Css("[data-testid=queue-row]")).await?.len() > n)
        })
        .await?;
        click(&client, "[data-testid=queue-row] td.name").await?;
        wait_until(Duration::from_secs(20), || async { all_images_loaded(&client, 1).await }).await?;
        // Experiments: BHXH_BENCH_CSS adds a style sheet (e.g. hiding the watermark) to see what painting costs.
        if let Ok(css) = std::env::var("BHXH_BENCH_CSS") {
            client
                .execute(
                    "const s = document.createElement('style'); s.textContent = arguments[0]; document.head.appendChild(s);",
                    vec![serde_json::Value::String(css)],
                )
                .await?;
        }
        let (mut times, mut fields) = (Vec::new(), Vec::new());
        let (mut ahead, mut shown) = (0u64, 0u64);
        let mut memory = Vec::new();
        for i in 0..n {
            // The officer reads the declaration for a few seconds; meanwhile the
            // next one's images load. Wait for that, as the officer would not notice.
            wait_until(Duration::from_secs(20), || async {
                Ok(attr(&client, "main", "data-prefetch").await?.as_deref() == Some("ready"))
            })
            .await?;
            let v = client.execute_async(PRESS_A_AND_WAIT, vec![]).await?;
            let ms = v[0].as_f64().unwrap_or(-1.0);
            anyhow::ensure!(ms >= 0.0, "the next declaration did not appear");
            times.push(ms);
            fields.push(v[1].as_f64().unwrap_or(0.0));
            ahead += v[2].as_u64().unwrap_or(0);
            shown += v[3].as_u64().unwrap_or(0);
            if [1, 100, 200].contains(&(i + 1))
                && let Some(procs) = AppProcesses::find(&bins.desk, &data)
            {
                let (app, web) = procs.sample();
                println!("after {} reviews: Rust process {app}; web view {web}", i + 1);
                memory.push((i + 1, app, web));
            }
        }
        if let [.., (100, a100, w100), (200, a200, w200)] = memory[..] {
            let mb = |after: u64, before: u64| (after as f64 - before as f64) / 1024.0;
            println!(
                "from the 100th to the 200th review: Rust process RSS {:+.1} MB (anonymous {:+.1} MB), web view RSS {:+.1} MB (anonymous {:+.1} MB)",
                mb(a200.rss_kb, a100.rss_kb),
                mb(a200.anon_kb, a100.anon_kb),
                mb(w200.rss_kb, w100.rss_kb),
                mb(w200.anon_kb, w100.anon_kb)
            );
        }
        let idle = client
            .execute_async(
                "const done = arguments[arguments.length - 1]; const t0 = performance.now(); \
                 requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));",
                vec![],
            )
            .await?;
        println!("two frames with nothing to paint: {:.0} ms", idle.as_f64().unwrap_or(-1.0));
        let steps = client.execute("return window.__steps || []", vec![]).await?;
        if let Some(rows) = steps.as_array() {
            let col = |k: usize| {
                let mut v: Vec<f64> = rows.iter().filter_map(|r| r.get(k).and_then(|x| x.as_f64())).collect();
                v.sort_by(f64::total_cmp);
                v.get(v.len() / 2).copied().unwrap_or(-1.0)
            };
            println!(
                "medians from pressing A: fields {:.0} ms, images in the page {:.0} ms, loaded {:.0} ms, decoded {:.0} ms, painted {:.0} ms",
                col(0), col(1), col(2), col(3), col(4)
            );
            println!(
                "medians from Enter (the form open): fields {:.0} ms, painted {:.0} ms",
                col(6), col(5)
            );
        }
        Ok::<_, anyhow::Error>((times, fields, ahead, shown))
    }
    .await;
    let _ = client.close().await;
    drop(driver);
    drop(display);
    central.kill();
    let (mut times, mut fields, ahead, shown) = result.expect("window benchmark");
    println!("images painted from memory loaded ahead: {ahead} of {shown}");
    fields.sort_by(f64::total_cmp);
    println!(
        "press A → the next declaration's fields on screen (decision recorded, view loaded): median {:.0} ms",
        fields[fields.len() / 2]
    );
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let p90 = times[times.len() * 9 / 10];
    println!(
        "press A → next declaration painted (images included, prefetched), {} declarations: median {median:.0} ms, p90 {p90:.0} ms, max {:.0} ms",
        times.len(),
        times[times.len() - 1]
    );
    let _ = std::fs::remove_dir_all(&work);
}
