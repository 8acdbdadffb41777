//! The three photos of a declaration and its printed paper page on screen: in the
//! app's window (the officer clicks the declaration in the queue) and in headless
//! Chromium opening the same files from the disk (what an officer sees of the
//! photos in a browser without the network, the page as `pdftoppm` renders it:
//! Chromium's PDF viewer cannot be timed from a page). Both measured the same way,
//! in the page: from the click (the app) or the navigation (Chromium) to every
//! image decoded and two frames painted. Medians of several opens, and the ratio.
//!
//! Needs `apt-get install chromium chromium-driver poppler-utils`; then
//! `cargo build --release -p bhxh-desk -p bhxh-central` and
//! `BHXH_E2E_PROFILE=release cargo bench -p bhxh-e2e --bench peer_view [-- runs]`.

#[path = "../e2e/harness.rs"]
#[allow(dead_code)]
mod harness;

use harness::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// In the app: click the queue row `arguments[0]`, wait for its detail, its
/// `arguments[1]` images decoded and two frames; answer the milliseconds.
const APP_OPEN: &str = r#"
const [id, images, done] = arguments;
const t0 = performance.now();
document.querySelector(`[data-testid=queue-row][data-id='${id}'] td.name`).click();
const painted = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
(async () => {
  for (;;) {
    const d = document.querySelector('[data-testid=detail]');
    const imgs = Array.from(document.querySelectorAll('img[data-testid=doc-image]'));
    if (d && d.dataset.id === id && imgs.length >= images) {
      await Promise.allSettled(imgs.map(i => i.decode()));
      if (imgs.every(i => i.complete && i.naturalWidth > 0)) {
        await painted();
        done(performance.now() - t0);
        return;
      }
    }
    if (performance.now() - t0 > 30000) { done(-1); return; }
    await new Promise(r => requestAnimationFrame(r));
  }
})();
"#;

/// In Chromium: from the navigation's start to every image decoded and two frames.
const BROWSER_PAINTED: &str = r#"
const done = arguments[arguments.length - 1];
const imgs = Array.from(document.images);
Promise.allSettled(imgs.map(i => i.decode())).then(() =>
  requestAnimationFrame(() => requestAnimationFrame(() =>
    done([performance.now(), imgs.filter(i => i.complete && i.naturalWidth > 0).length]))));
"#;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(-1.0)
}

/// The page of the printed form as an image, as `pdftoppm` makes it (1600 px wide, the app's page size).
fn page_jpeg(pdf: &Path, out_stem: &Path) -> std::path::PathBuf {
    let ok = Command::new("pdftoppm")
        .args(["-jpeg", "-singlefile", "-f", "1", "-l", "1", "-scale-to-x", "1600", "-scale-to-y", "-1"])
        .arg(pdf)
        .arg(out_stem)
        .status()
        .expect("pdftoppm (apt-get install poppler-utils)");
    assert!(ok.success(), "pdftoppm failed");
    out_stem.with_extension("jpg")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let runs: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(7);
    let bins = Binaries::locate();
    let work = tempdir("bench-peer-view");
    let mut central = Central::start(&bins.central, &work.join("central"), None, 40).await;
    let decls = central.declarations_of("canbo.07916", "07916").await;
    // Adults with three photos and no form sent with them: their printed form is imported.
    let photos = |d: &bhxh_protocol::Declaration| {
        d.documents.iter().filter(|x| x.content_type.starts_with("image/")).count() == 3
            && d.documents.len() == 3
            && d.fields.kind == bhxh_domain::DeclarationKind::Adult
    };
    let mut chosen: Vec<&bhxh_protocol::Declaration> = decls.iter().filter(|d| photos(d)).take(2).collect();
    assert_eq!(chosen.len(), 2, "two adults with three photos");
    // The other one after the target in the queue (oldest first): opening it loads
    // the one after it ahead, never the target.
    chosen.sort_by_key(|d| (d.submitted_at, d.id.clone()));
    let (target, other) = (chosen[0], chosen[1]);

    // The same files for both: the photos as the citizen sent them, the printed form.
    let files = work.join("files");
    std::fs::create_dir_all(&files).expect("files");
    let mut names = Vec::new();
    for (i, doc) in target.documents.iter().enumerate() {
        let name = format!("photo{i}.jpg");
        std::fs::write(files.join(&name), central.document_bytes("canbo.07916", &doc.id).await).expect("photo");
        names.push(name);
    }
    let pdf = {
        use bhxh_fixtures::forms::{FormData, FormVariant, stack_pdf};
        use rand::SeedableRng;
        let fonts = bhxh_fixtures::Fonts::load_system().expect("fonts");
        let forms: Vec<(FormData<'_>, FormVariant)> = [target, other]
            .iter()
            .map(|d| {
                (
                    FormData { declaration_id: &d.id, fields: &d.fields, office_name: "BHXH Quận 6" },
                    FormVariant::PRINTED,
                )
            })
            .collect();
        stack_pdf(&mut rand::rngs::StdRng::seed_from_u64(3), &fonts, &forms).expect("form")
    };
    let pdf_path = files.join("mau01.pdf");
    std::fs::write(&pdf_path, &pdf).expect("pdf");
    let page = page_jpeg(&pdf_path, &files.join("page"));
    names.push(page.file_name().expect("name").to_string_lossy().into_owned());

    // The app: synced, the form imported, the window open on the queue.
    let data = work.join("desk");
    println!("{}", sync_headless(&bins.desk, &central.url, "canbo.07916", &data));
    let import = Command::new(&bins.desk)
        .args(["import-paper"])
        .arg(&pdf_path)
        .args(["--user", "canbo.07916", "--password", "demo", "--data-dir"])
        .arg(&data)
        .env_remove("DISPLAY")
        .output()
        .expect("import-paper");
    assert!(import.status.success(), "import: {}", String::from_utf8_lossy(&import.stderr));
    println!("{}", String::from_utf8_lossy(&import.stdout).trim());
    let (display, driver, client) = open_window(&bins.desk, &data, &central.url, "canbo.07916").await;
    let app = async {
        let password = wait_for_element(&client, "#password").await?;
        password.send_keys("demo\u{e007}").await?;
        wait_for_element(&client, &format!("[data-testid=queue-row][data-id='{}']", target.id)).await?;
        let mut times = Vec::new();
        // Warm once (the screen-size copies are made at the first view, as on an office PC).
        for i in 0..=runs {
            // Another declaration first (not the one before it: nothing of the target loaded ahead).
            let v = client.execute_async(APP_OPEN, vec![other.id.clone().into(), 4.into()]).await?;
            anyhow::ensure!(v.as_f64().is_some_and(|t| t >= 0.0), "the other declaration did not show");
            let v = client.execute_async(APP_OPEN, vec![target.id.clone().into(), 4.into()]).await?;
            let ms = v.as_f64().unwrap_or(-1.0);
            anyhow::ensure!(ms >= 0.0, "the declaration did not show its photos and page");
            if i > 0 {
                times.push(ms);
            }
        }
        Ok::<_, anyhow::Error>(times)
    }
    .await;
    let _ = client.close().await;
    drop(driver);
    drop(display);
    central.kill();
    let app = app.expect("the app's window");

    // Chromium, headless, the same four files side by side.
    let html = format!(
        "<!doctype html><meta charset=utf-8><style>body{{margin:0;display:grid;grid-template-columns:1fr 1fr;gap:4px;height:100vh}}\
         img{{width:100%;height:48vh;object-fit:contain}}</style>{}",
        names.iter().map(|n| format!("<img src=\"{n}\">")).collect::<String>()
    );
    std::fs::write(files.join("view.html"), html).expect("html");
    let [port] = free_ports::<1>();
    let mut chromedriver = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (apt-get install chromium-driver)");
    let url = format!("http://127.0.0.1:{port}");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({"args": ["--headless=new", "--window-size=1366,768", "--no-sandbox", "--allow-file-access-from-files"]}),
    );
    let browser = {
        let mut tries = 0;
        loop {
            match fantoccini::ClientBuilder::rustls().expect("tls").capabilities(caps.clone()).connect(&url).await {
                Ok(c) => break c,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("chromedriver: {e}"),
            }
        }
    };
    let file_url = format!("file://{}", files.join("view.html").display());
    let mut chromium = Vec::new();
    for i in 0..=runs {
        browser.goto("about:blank").await.expect("blank");
        browser.goto(&format!("{file_url}?run={i}")).await.expect("open");
        let v = browser.execute_async(BROWSER_PAINTED, vec![]).await.expect("measure");
        let (ms, shown) = (v[0].as_f64().unwrap_or(-1.0), v[1].as_u64().unwrap_or(0));
        assert_eq!(shown, 4, "Chromium shows the four images");
        if i > 0 {
            chromium.push(ms);
        }
    }
    let _ = browser.close().await;
    let _ = chromedriver.kill();
    let _ = chromedriver.wait();

    let (a, c) = (median(app), median(chromium));
    println!(
        "three photos and the paper page on screen, median of {runs}: the app (click in the queue → painted) {a:.0} ms, \
         headless Chromium (navigation → painted, the page from pdftoppm) {c:.0} ms, app/Chromium {:.2}",
        a / c
    );
    let _ = std::fs::remove_dir_all(&work);
}
