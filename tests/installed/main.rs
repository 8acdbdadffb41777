//! The installed package, as an office PC runs it (issue 23): `scripts/package --debug` bundled the build the
//! tests made, `scripts/test` installed the `.deb` with apt (which pulled its dependencies), and this drives
//! `/usr/bin/bhxh-desk` started from an empty folder, with an empty HOME and none of the build's variables, against
//! a demo central server that `/etc/bhxh-desk/config.toml` names. It runs only where `BHXH_INSTALLED_APP` names
//! the installed program (`scripts/test` sets it after installing); elsewhere it says it did not run.

#[path = "../e2e/harness.rs"]
#[allow(dead_code)]
mod harness;

use anyhow::Context;
use harness::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

const CONFIG: &str = "/etc/bhxh-desk/config.toml";

/// IT's file for the test, and whatever stood there before put back afterwards.
struct MachineConfig {
    before: Option<Vec<u8>>,
}

impl MachineConfig {
    fn write(text: &str) -> Self {
        let before = std::fs::read(CONFIG).ok();
        std::fs::create_dir_all(Path::new(CONFIG).parent().expect("folder")).expect("mkdir /etc/bhxh-desk");
        std::fs::write(CONFIG, text).expect("write the machine's configuration");
        Self { before }
    }
}

impl Drop for MachineConfig {
    fn drop(&mut self) {
        match &self.before {
            Some(b) => {
                let _ = std::fs::write(CONFIG, b);
            }
            None => {
                let _ = std::fs::remove_file(CONFIG);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_installed_app_logs_in_shows_the_documents_and_decides() {
    let Some(app) = std::env::var_os("BHXH_INSTALLED_APP").map(PathBuf::from) else {
        eprintln!("not run: BHXH_INSTALLED_APP is not set (scripts/test sets it after installing the package)");
        return;
    };
    assert!(app.is_file(), "{} is not installed", app.display());
    let bins = Binaries::locate();
    let work = tempdir("installed");
    let mut central = Central::start(&bins.central, &work.join("central"), None, 12).await;
    let decls = central.declarations_of("canbo.07916", "07916").await;
    // One whose unit sent the paper form with it: its page is drawn by PDFium from the package.
    let with_paper = decls
        .iter()
        .find(|d| d.documents.iter().any(|x| x.kind == bhxh_domain::DocumentKind::PaperForm))
        .expect("the demo has a declaration with its paper form")
        .id
        .clone();
    let documents = decls.iter().find(|d| d.id == with_paper).map_or(0, |d| d.documents.len());
    let (home, empty, exports) = (work.join("home"), work.join("empty"), work.join("exports"));
    for d in [&home, &empty, &exports] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    let _config = MachineConfig::write(&format!(
        "central_url = \"{}\"\nexport_dir = \"{}\"\noffice_code = \"07916\"\nlog_level = \"info\"\n",
        central.url,
        exports.display()
    ));
    let display = Xvfb::start();
    let driver = TauriDriver::start_clean(&display, &empty, &home);
    let client = driver.session(&app, &[]).await;
    let shots = artifacts_dir();
    let outcome: anyhow::Result<()> = async {
        // Nothing is prefilled on a fresh PC: the server is IT's, shown read-only.
        let url = wait_for_element(&client, "#central-url").await?;
        wait_until(Duration::from_secs(30), || async {
            Ok(url.prop("value").await?.as_deref() == Some(central.url.as_str()))
        })
        .await
        .context("the configured server on the login screen")?;
        anyhow::ensure!(url.attr("readonly").await?.is_some(), "the configured address is read-only");
        wait_for_element(&client, "#username").await?.send_keys("canbo.07916").await?;
        wait_for_element(&client, "#password").await?.send_keys("demo").await?;
        click(&client, "#login-submit").await?;
        wait_for_queue_count(&client, decls.len()).await.context("the queue")?;

        click(&client, &format!("[data-testid=queue-row][data-id='{with_paper}'] td.name")).await?;
        wait_for_element(&client, "[data-testid=viewer][data-ready=true]").await.context("the viewer")?;
        let want = documents as u64;
        wait_until(Duration::from_secs(60), || async { all_images_loaded(&client, want).await })
            .await
            .with_context(|| format!("{want} documents drawn, the paper page among them"))?;
        save_screenshot(&client, &shots, "60-installed-app").await?;

        // Where the app took its files from: the package's resource folder, nothing of a checkout.
        click(&client, "[data-testid=about-open]").await?;
        wait_for_element(&client, "[data-testid=about]").await.context("the About dialog")?;
        save_screenshot(&client, &shots, "61-installed-about").await?;
        let resources = wait_for_element(&client, "[data-testid=about-resources]")
            .await
            .context("the resource folder in the About dialog")?
            .text()
            .await?;
        anyhow::ensure!(resources.contains("/usr/lib/bhxh-desk"), "resources from {resources}");
        let source = attr(&client, "[data-testid=about-settings] tr[data-key=central_url]", "data-source").await?;
        anyhow::ensure!(source.as_deref() == Some("machine_file"), "central_url from {source:?}");
        click(&client, "[data-testid=about-close]").await.context("closing the About dialog")?;

        // Refuse it, with a reason: recorded, delivered, on record at the central service.
        client.find(fantoccini::Locator::Css("body")).await?.send_keys("r").await?;
        wait_for_element(&client, "[data-testid=decision-form]").await.context("the decision form")?;
        click(&client, "[data-testid=reason]:not(:checked)").await.context("a reason")?;
        client.active_element().await?.send_keys("\u{e009}\u{e007}\u{e000}").await?;
        wait_until(Duration::from_secs(60), || async {
            Ok(central.status_of("canbo.07916", &with_paper).await == bhxh_domain::DeclarationStatus::Rejected)
        })
        .await
        .context("the decision on record centrally")?;
        Ok(())
    }
    .await;
    close_window(client, driver, display).await;
    central.kill();
    conclude("the installed app", outcome, &shots, &work);
}
