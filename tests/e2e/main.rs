//! The real app window (tauri-driver + WebKitWebDriver under Xvfb) against the real
//! reference central server. Needs `scripts/setup` and a built app
//! (`cargo build -p bhxh-desk -p bhxh-central`); `scripts/test` does both.

mod harness;

use anyhow::Context;
use harness::*;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officer_logs_in_sees_the_queue_opens_a_declaration_and_works_offline() {
    let bins = Binaries::locate();
    let work = tempdir("e2e");
    let central_data = work.join("central");
    let mut central = Central::start(&bins.central, &central_data, None, 30).await;
    let expected = central.count_for("canbo.07916", "07916").await;
    assert!(expected > 0);

    let app_data = work.join("desk");
    let (display, driver, client) = open_window(&bins.desk, &app_data, &central.url, "canbo.07916").await;
    let shots = artifacts_dir();

    let outcome = async {
        // Wrong password: a Vietnamese message, still on the login screen.
        let password = wait_for_element(&client, "#password").await?;
        password.send_keys("sai-mat-khau").await?;
        click(&client, "#login-submit").await?;
        let err = wait_for_element(&client, "[data-testid=login-error]").await?;
        let text = err.text().await?;
        anyhow::ensure!(text.contains("Sai tên đăng nhập hoặc mật khẩu"), "login error was {text:?}");
        save_screenshot(&client, &shots, "01-login-wrong-password").await?;

        let password = wait_for_element(&client, "#password").await?;
        password.clear().await?;
        password.send_keys("demo").await?;
        click(&client, "#login-submit").await?;

        // The queue shows exactly what the server holds for the office.
        wait_for_queue_count(&client, expected).await?;
        let rows = client.find_all(fantoccini::Locator::Css("[data-testid=queue-row]")).await?;
        anyhow::ensure!(rows.len() == expected, "{} rows for {expected} declarations", rows.len());
        // Documents are downloaded in the same sync.
        wait_until(Duration::from_secs(60), || async {
            Ok(text_of(&client, "[data-testid=sync-state]").await?.contains("Đồng bộ lần cuối")
                && !text_of(&client, "[data-testid=sync-state]").await?.contains("tệp chưa tải"))
        })
        .await?;
        save_screenshot(&client, &shots, "02-queue").await?;

        // Search without diacritics finds the name with them.
        let name = text_of(&client, "[data-testid=queue-row]:nth-child(3) td.name").await?;
        let folded = bhxh_domain::fold::fold(name.trim());
        let search = wait_for_element(&client, "[data-testid=queue-search]").await?;
        search.send_keys(&folded).await?;
        wait_until(Duration::from_secs(10), || async {
            let rows = client.find_all(fantoccini::Locator::Css("[data-testid=queue-row] td.name")).await?;
            let mut all = !rows.is_empty() && rows.len() < expected;
            for r in rows {
                all &= bhxh_domain::fold::fold(&r.text().await?).contains(&folded);
            }
            Ok(all)
        })
        .await?;
        save_screenshot(&client, &shots, "02b-search").await?;
        search.clear().await?;
        search.send_keys(" ").await?;
        wait_until(Duration::from_secs(10), || async {
            Ok(client.find_all(fantoccini::Locator::Css("[data-testid=queue-row]")).await?.len() == expected)
        })
        .await?;

        // Open an adult's declaration: its three images load.
        click(&client, "[data-testid=queue-row][data-kind=adult] td.name").await?;
        wait_for_element(&client, "[data-testid=detail]").await?;
        wait_until(Duration::from_secs(20), || async { all_images_loaded(&client, 3).await }).await?;
        let name = text_of(&client, "[data-field='field.full_name']").await?;
        anyhow::ensure!(!name.trim().is_empty(), "the declaration shows its name");
        // The automatic checks' suggestion is on screen; the officer decides.
        let verdict = text_of(&client, "[data-testid=verdict]").await?;
        anyhow::ensure!(verdict.contains("Đề xuất"), "verdict shown: {verdict:?}");
        save_screenshot(&client, &shots, "03-declaration").await?;

        // A declaration the checks flagged shows its findings beside the fields.
        let flagged = "[data-testid=queue-row]:has([data-testid=queue-checks]:not([data-warnings='0']))";
        let flagged_id =
            client.find(fantoccini::Locator::Css(flagged)).await?.attr("data-id").await?.unwrap_or_default();
        click(&client, &format!("{flagged} td.name")).await?;
        wait_until(Duration::from_secs(10), || async {
            Ok(attr(&client, "[data-testid=detail]", "data-id").await?.as_deref() == Some(flagged_id.as_str()))
        })
        .await?;
        let text = text_of(&client, "[data-field] [data-testid=finding]").await?;
        anyhow::ensure!(text.contains("Cảnh báo") || text.contains("Lỗi nghiêm trọng"), "finding text {text:?}");
        wait_until(Duration::from_secs(20), || async { all_images_loaded(&client, 3).await }).await?;
        save_screenshot(&client, &shots, "03b-findings").await?;

        // Central goes away: the banner appears, the cached declaration still opens.
        central.kill();
        wait_for_element(&client, "[data-testid=offline-banner]").await?;
        click_nth(&client, "[data-testid=queue-row][data-kind=adult] td.name", 1).await?;
        wait_until(Duration::from_secs(20), || async { all_images_loaded(&client, 3).await }).await?;
        save_screenshot(&client, &shots, "04-offline").await?;

        // It comes back on the same address: the app reconnects by itself. (With
        // `--admin`, to change the officer's password at the end.)
        let seed = harness::DEMO_SEED.to_string();
        central = Central::start_with(
            &bins.central,
            &central_data,
            Some(central.port),
            &["--demo", "30", "--seed", &seed, "--admin"],
        )
        .await;
        wait_until(Duration::from_secs(30), || async {
            Ok(client.find_all(fantoccini::Locator::Css("[data-testid=offline-banner]")).await?.is_empty())
        })
        .await?;
        save_screenshot(&client, &shots, "05-reconnected").await?;

        // Deciding by keyboard: E opens "escalate", a note, Enter records it; the
        // next declaration is on screen and the outbox delivers it by itself.
        let rows = client.find_all(fantoccini::Locator::Css("[data-testid=queue-row]")).await?;
        let first_id = rows.get(2).context("a third row")?.attr("data-id").await?.unwrap_or_default();
        click_nth(&client, "[data-testid=queue-row] td.name", 2).await.context("opening the third row")?;
        // The detail is rebuilt for the new declaration: wait for it, never read a stale one.
        wait_until(Duration::from_secs(10), || async {
            Ok(attr(&client, "[data-testid=detail]", "data-id").await?.as_deref() == Some(first_id.as_str()))
        })
        .await?;
        client.find(fantoccini::Locator::Css("body")).await?.send_keys("e").await.context("pressing E")?;
        let note = wait_for_element(&client, "[data-testid=decision-note]").await?;
        note.send_keys("Ảnh CCCD hơi tối, xin ý kiến lãnh đạo").await.context("typing the note")?;
        click(&client, "[data-testid=decision-submit]").await.context("recording the decision")?;
        wait_until(Duration::from_secs(10), || async {
            Ok(attr(&client, "[data-testid=detail]", "data-id").await?.is_some_and(|id| id != first_id))
        })
        .await?;
        anyhow::ensure!(
            client.find_all(fantoccini::Locator::Css("[data-testid=decision-form]")).await?.is_empty(),
            "the next declaration opens without a decision form"
        );
        let row = format!("[data-testid=queue-row][data-id='{first_id}']");
        wait_until(Duration::from_secs(30), || async {
            Ok(attr(&client, &row, "data-sync").await?.as_deref() == Some("accepted"))
        })
        .await?;
        save_screenshot(&client, &shots, "07-decided").await?;

        // Another officer decides a declaration first; this officer, not yet
        // synced, decides it too: the outbox comes back with a conflict naming them.
        // The newest clean, undecided declaration: this officer never opened it, so
        // holds no lease on it (opening takes one).
        let candidates = client
            .find_all(fantoccini::Locator::Css("[data-testid=queue-row][data-sync='']:has([data-blocks='0'])"))
            .await?;
        let target = candidates.last().expect("an undecided clean row").attr("data-id").await?.expect("data-id");
        central.decide_as("canbo2.07916", &target, "approve").await;
        // The row may sit below the fold of the queue's own scroll area.
        let js = format!("document.querySelector(\"[data-testid=queue-row][data-id='{target}'] td.name\").click();");
        client.execute(&js, vec![]).await?;
        wait_until(Duration::from_secs(10), || async {
            Ok(attr(&client, "[data-testid=detail]", "data-id").await?.as_deref() == Some(target.as_str()))
        })
        .await?;
        click(&client, "[data-testid=decide-approve]").await?;
        click(&client, "[data-testid=decision-submit]").await?;
        wait_until(Duration::from_secs(30), || async {
            Ok(attr(&client, "[data-testid=outbox-button]", "data-attention").await?.as_deref() == Some("1"))
        })
        .await?;
        click(&client, "[data-testid=outbox-button]").await?;
        let conflict = wait_for_element(&client, "[data-testid=outbox-row][data-state=conflict]").await?.text().await?;
        anyhow::ensure!(conflict.contains("Lê Văn Đức") && conflict.contains("Duyệt"), "conflict row {conflict:?}");
        save_screenshot(&client, &shots, "08-conflict").await?;
        click(&client, "[data-testid=acknowledge]").await?;
        wait_until(Duration::from_secs(10), || async {
            Ok(attr(&client, "[data-testid=outbox-button]", "data-attention").await?.as_deref() == Some("0"))
        })
        .await?;
        click(&client, "[data-testid=outbox-button]").await?;

        // Lock: the documents leave the page; a wrong password is refused; the
        // right one brings the queue back.
        click(&client, "[data-testid=lock-button]").await?;
        wait_for_element(&client, "[data-testid=lock-screen]").await?;
        anyhow::ensure!(loaded_images(&client).await? == 0, "no document stays on the page while locked");
        anyhow::ensure!(client.find_all(fantoccini::Locator::Css("[data-testid=queue-row]")).await?.is_empty());
        let pw = wait_for_element(&client, "[data-testid=unlock-password]").await?;
        pw.send_keys("sai").await?;
        click(&client, "[data-testid=unlock-submit]").await?;
        let err = wait_for_element(&client, "[data-testid=unlock-error]").await?.text().await?;
        anyhow::ensure!(err.contains("Còn 4 lần thử"), "unlock error {err:?}");
        save_screenshot(&client, &shots, "06-locked").await?;
        let pw = wait_for_element(&client, "[data-testid=unlock-password]").await?;
        pw.clear().await?;
        pw.send_keys("demo").await?;
        click(&client, "[data-testid=unlock-submit]").await?;
        wait_until(Duration::from_secs(20), || async {
            Ok(client.find_all(fantoccini::Locator::Css("[data-testid=queue-row]")).await?.len() == expected)
        })
        .await?;

        // The password is changed on the central portal: the next login asks once for
        // the previous one and opens the same data (nothing downloaded again, nothing lost).
        central.set_password("canbo.07916", "Mat-khau-moi-2026").await;
        click(&client, "[data-testid=logout]").await?;
        let password = wait_for_element(&client, "#password").await?;
        password.clear().await?;
        password.send_keys("Mat-khau-moi-2026").await?;
        click(&client, "#login-submit").await?;
        let said = wait_for_element(&client, "[data-testid=password-changed]").await?.text().await?;
        anyhow::ensure!(said.contains("mật khẩu cũ"), "password-changed text {said:?}");
        let previous = wait_for_element(&client, "#previous-password").await?;
        previous.send_keys("sai").await?;
        client.find(fantoccini::Locator::Css("#previous-password")).await?.send_keys("\u{E007}").await?;
        let err = wait_for_element(&client, "[data-testid=login-error]").await?.text().await?;
        anyhow::ensure!(err.contains("Còn 4 lần thử"), "wrong previous password said {err:?}");
        click(&client, "#forgot-previous").await?;
        wait_for_element(&client, "[data-testid=afresh-warning]").await?;
        save_screenshot(&client, &shots, "09-password-changed").await?;
        let previous = wait_for_element(&client, "#previous-password").await?;
        previous.clear().await?;
        previous.send_keys("demo").await?;
        client.find(fantoccini::Locator::Css("#previous-password")).await?.send_keys("\u{E007}").await?;
        wait_until(Duration::from_secs(20), || async {
            Ok(client.find_all(fantoccini::Locator::Css("[data-testid=queue-row]")).await?.len() == expected)
        })
        .await?;
        Ok::<_, anyhow::Error>(())
    }
    .await;

    close_window(client, driver, display).await;
    central.kill();
    conclude("end-to-end scenario", outcome, &shots, &work);
}

/// An officer who walks away with a citizen's ID on screen. With a one-minute lock
/// and nothing touched after opening a declaration, the lock screen covers the
/// window and no document image is left on the page, although the window kept
/// calling the app by itself all along (its status every two seconds, the queue
/// after the background sync, the prefetch): only the person's own input keeps the
/// lock away.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_who_walks_away_is_locked_out_while_the_window_keeps_working() {
    let bins = Binaries::locate();
    let work = tempdir("e2e-idle");
    let mut central = Central::start(&bins.central, &work.join("central"), None, 8).await;
    let expected = central.count_for("canbo.07916", "07916").await;
    let (display, driver, client) =
        open_window_with(&bins.desk, &work.join("desk"), &central.url, "canbo.07916", &["--idle-lock-minutes", "1"])
            .await;
    let shots = artifacts_dir();

    let outcome = async {
        log_in(&client).await?;
        wait_for_queue_count(&client, expected).await?;
        // The click is the person's last input: the minute counts from it.
        let opened = std::time::Instant::now();
        click(&client, "[data-testid=queue-row][data-kind=adult] td.name").await?;
        wait_until(Duration::from_secs(50), || async { all_images_loaded(&client, 3).await }).await?;
        // Hands off from here: the test only looks.
        wait_until(Duration::from_secs(150), || async {
            Ok(!client.find_all(fantoccini::Locator::Css("[data-testid=lock-screen]")).await?.is_empty())
        })
        .await
        .context("the lock screen never came")?;
        let idle = opened.elapsed();
        anyhow::ensure!(idle >= Duration::from_secs(58), "locked after {idle:?}, before the minute was up");
        let documents: u64 = client
            .execute(
                "return document.querySelectorAll('img[data-testid=doc-image], img[src*=\"bhxhdoc\"]').length;",
                vec![],
            )
            .await?
            .as_u64()
            .unwrap_or(u64::MAX);
        anyhow::ensure!(documents == 0, "{documents} document images left on the locked page");
        save_screenshot(&client, &shots, "idle-locked").await?;
        // The password opens the same session again.
        let unlock = wait_for_element(&client, "[data-testid=unlock-password]").await?;
        unlock.send_keys("demo").await?;
        click(&client, "[data-testid=unlock-submit]").await?;
        wait_for_queue_count(&client, expected).await?;
        Ok::<_, anyhow::Error>(())
    }
    .await;

    close_window(client, driver, display).await;
    central.kill();
    conclude("idle-lock scenario", outcome, &shots, &work);
}

/// A unit's stack: printed forms with their QR code for the first three adults, a
/// scan fed in askew (to match by hand) for the fourth, an image-only scan for the
/// fifth (read by OCR).
fn paper_stack(decls: &[bhxh_protocol::Declaration]) -> (Vec<u8>, Vec<String>) {
    use bhxh_fixtures::forms::{FormData, FormVariant, stack_pdf};
    use rand::SeedableRng;
    // Adults whose unit did not already send the form with the declaration.
    let adults: Vec<&bhxh_protocol::Declaration> = decls
        .iter()
        .filter(|d| d.fields.kind == bhxh_domain::DeclarationKind::Adult)
        .filter(|d| d.documents.iter().all(|x| x.kind != bhxh_domain::DocumentKind::PaperForm))
        .take(5)
        .collect();
    assert_eq!(adults.len(), 5, "the demo has five adults");
    let forms: Vec<(FormData<'_>, FormVariant)> = adults
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let variant = match i {
                0..3 => FormVariant::PRINTED,
                3 => FormVariant { scanned: true, with_qr: false, rotation_deg: 35.0, ..FormVariant::PRINTED },
                _ => FormVariant { scanned: true, with_qr: false, rotation_deg: 2.5, ..FormVariant::PRINTED },
            };
            (FormData { declaration_id: &d.id, fields: &d.fields, office_name: "BHXH Quận 6" }, variant)
        })
        .collect();
    let fonts = bhxh_fixtures::Fonts::load_system().expect("fonts");
    let pdf = stack_pdf(&mut rand::rngs::StdRng::seed_from_u64(9), &fonts, &forms).expect("stack");
    (pdf, adults.iter().map(|d| d.id.clone()).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officer_imports_a_paper_stack_and_reviews_it_beside_the_declaration() {
    let bins = Binaries::locate();
    let work = tempdir("e2e-paper");
    let mut central = Central::start(&bins.central, &work.join("central"), None, 24).await;
    let decls = central.declarations_of("canbo.07916", "07916").await;
    let (pdf, ids) = paper_stack(&decls);
    let pdf_path = work.join("don-vi-SQ0007Q.pdf");
    std::fs::write(&pdf_path, &pdf).expect("write stack");

    let (display, driver, client) = open_window(&bins.desk, &work.join("desk"), &central.url, "canbo.07916").await;
    let shots = artifacts_dir();
    let outcome = async {
        log_in(&client).await?;
        wait_for_queue_count(&client, decls.len()).await?;

        // The stack, from the file picker: three pages match by their QR code, the
        // image-only scan by what OCR read on it, the askew scan waits for a hand.
        click(&client, "[data-testid=import-button]").await?;
        let input = wait_for_element(&client, "[data-testid=paper-file]").await.context("[data-testid=paper-file]")?;
        input.send_keys(&pdf_path.display().to_string()).await?;
        wait_until(Duration::from_secs(60), || async {
            Ok(attr(&client, "[data-testid=import-summary]", "data-pages").await?.as_deref() == Some("5"))
        })
        .await?;
        let qr = attr(&client, "[data-testid=import-summary]", "data-qr").await?;
        let hand = attr(&client, "[data-testid=import-summary]", "data-hand").await?;
        anyhow::ensure!(qr.as_deref() == Some("3") && hand.as_deref() == Some("1"), "qr {qr:?}, hand {hand:?}");
        let by_ocr =
            client.find_all(fantoccini::Locator::Css("[data-testid=import-row][data-matched-by=text]")).await?;
        anyhow::ensure!(by_ocr.len() == 1, "the image-only scan matched by OCR: {}", by_ocr.len());
        save_screenshot(&client, &shots, "10-paper-import").await?;

        // The officer picks the right declaration for the scan.
        let select = wait_for_element(&client, "[data-testid=import-row][data-matched-by=none] select")
            .await
            .context("[data-testid=import-row][data-matched-by=none] select")?;
        select.select_by_value(&ids[3]).await?;
        click(&client, "[data-testid=import-row][data-matched-by=none] [data-testid=hand-match]").await?;
        wait_until(Duration::from_secs(10), || async {
            Ok(client.find_all(fantoccini::Locator::Css("[data-testid=import-row][data-matched-by=hand]")).await?.len()
                == 1)
        })
        .await?;
        save_screenshot(&client, &shots, "11-paper-matched-by-hand").await?;
        click(&client, "[data-testid=paper-import] header button").await?;

        // The queue's paper filter now shows the four (and any form sent with a declaration).
        let paper =
            wait_for_element(&client, "[data-testid=filter-paper]").await.context("[data-testid=filter-paper]")?;
        paper.select_by_value("received").await?;
        wait_until(Duration::from_secs(10), || async {
            let rows = client.find_all(fantoccini::Locator::Css("[data-testid=queue-row]")).await?;
            let mut ids_shown = Vec::new();
            for r in &rows {
                if r.attr("data-paper").await?.unwrap_or_default().is_empty() {
                    return Ok(false);
                }
                ids_shown.push(r.attr("data-id").await?.unwrap_or_default());
            }
            Ok(ids.iter().all(|id| ids_shown.contains(id)))
        })
        .await?;
        save_screenshot(&client, &shots, "11b-filter-paper-received").await?;
        paper.select_by_value("all").await?;
        click(&client, &format!("[data-testid=queue-row][data-id='{}'] td.name", ids[3])).await?;
        click(&client, "[data-testid=import-button]").await?;
        wait_for_element(&client, "[data-testid=paper-file]").await.context("[data-testid=paper-file]")?;
        let input = wait_for_element(&client, "[data-testid=paper-file]").await.context("[data-testid=paper-file]")?;
        input.send_keys(&pdf_path.display().to_string()).await?;
        wait_for_element(&client, "[data-testid=import-summary][data-hand='0']")
            .await
            .context("[data-testid=import-summary][data-hand='0']")?;

        // From the summary to the declaration: its photos and its paper page side by side.
        click(&client, "[data-testid=import-row][data-matched-by=qr] button.link").await?;
        wait_until(Duration::from_secs(10), || async {
            Ok(attr(&client, "[data-testid=detail]", "data-id").await?.as_deref() == Some(ids[0].as_str()))
        })
        .await?;
        wait_for_element(&client, "[data-testid=viewer][data-ready=true][data-layout=side]")
            .await
            .context("[data-testid=viewer][data-ready=true][data-layout=side]")?;
        wait_until(Duration::from_secs(30), || async { Ok(loaded_images(&client).await? == 4) }).await?;
        let note = text_of(&client, "[data-testid=paper-note]").await?;
        anyhow::ensure!(note.contains("mã QR"), "paper page note {note:?}");
        save_screenshot(&client, &shots, "12-declaration-with-paper-form").await?;

        // One large with V; the arrangement stays for the next declaration.
        client.find(fantoccini::Locator::Css("body")).await?.send_keys("v").await?;
        wait_until(Duration::from_secs(5), || async {
            Ok(attr(&client, "[data-testid=viewer]", "data-layout").await?.as_deref() == Some("single"))
        })
        .await?;
        client.find(fantoccini::Locator::Css("body")).await?.send_keys("4").await?;
        wait_until(Duration::from_secs(20), || async { Ok(loaded_images(&client).await? == 1) }).await?;
        save_screenshot(&client, &shots, "13-paper-form-large").await?;
        click(&client, &format!("[data-testid=queue-row][data-id='{}'] td.name", ids[1])).await?;
        wait_until(Duration::from_secs(10), || async {
            Ok(attr(&client, "[data-testid=detail]", "data-id").await?.as_deref() == Some(ids[1].as_str()))
        })
        .await?;
        wait_for_element(&client, "[data-testid=viewer][data-ready=true]")
            .await
            .context("[data-testid=viewer][data-ready=true]")?;
        let layout = attr(&client, "[data-testid=viewer]", "data-layout").await?;
        anyhow::ensure!(layout.as_deref() == Some("single"), "layout remembered: {layout:?}");
        wait_until(Duration::from_secs(20), || async { Ok(loaded_images(&client).await? == 1) }).await?;
        save_screenshot(&client, &shots, "14-next-declaration-single").await?;

        // The image-only scan: what OCR read sits beside each field, agreeing or not,
        // with its confidence; a click brings the scan forward zoomed to the value's box.
        open_declaration(&client, &ids[4]).await?;
        let ma_so = "[data-field='field.ma_so_bhxh'] [data-testid=elsewhere][data-source=ocr_paper]";
        let read = wait_for_element(&client, ma_so).await.context(ma_so)?;
        anyhow::ensure!(read.attr("data-same").await?.as_deref() == Some("true"), "the mã số read agrees");
        let shown = client.find_all(fantoccini::Locator::Css("[data-testid=elsewhere][data-source=ocr_paper]")).await?;
        anyhow::ensure!(shown.len() >= 4, "name, mã số, ID number and phone read: {}", shown.len());
        read.click().await?;
        wait_for_element(&client, "[data-testid=ocr-box]").await.context("[data-testid=ocr-box]")?;
        wait_until(Duration::from_secs(20), || async { Ok(loaded_images(&client).await? == 1) }).await?;
        save_screenshot(&client, &shots, "14b-ocr-value-on-scan").await?;

        // An old CMND has no QR code: its front is read by OCR when it arrives (in
        // the background) and compared the same way.
        let cmnd = decls
            .iter()
            .find(|d| d.fields.id_type == Some(bhxh_protocol::IdDocumentType::Cmnd))
            .context("the demo office has an old CMND holder")?;
        let card = "[data-field='field.cmnd'] [data-testid=elsewhere][data-source=ocr_id]";
        wait_until(Duration::from_secs(90), || async {
            // The view is read when opened: open it again until the front has been read.
            open_declaration(&client, &ids[0]).await?;
            open_declaration(&client, &cmnd.id).await?;
            Ok(!client.find_all(fantoccini::Locator::Css(card)).await?.is_empty())
        })
        .await?;
        let read = wait_for_element(&client, card).await.context(card)?;
        anyhow::ensure!(read.attr("data-same").await?.as_deref() == Some("true"), "the CMND number read agrees");
        read.click().await?;
        wait_for_element(&client, "[data-testid=ocr-box]").await.context("[data-testid=ocr-box] on the card")?;
        wait_until(Duration::from_secs(20), || async { Ok(loaded_images(&client).await? == 1) }).await?;
        save_screenshot(&client, &shots, "14c-ocr-id-front").await?;

        // Batch approval lists only clean declarations with a signed paper form;
        // each ticked one becomes its own decision.
        click(&client, "[data-testid=batch-open]").await?;
        wait_for_element(&client, "[data-testid=batch]").await.context("batch dialog")?;
        let rows = client.find_all(fantoccini::Locator::Css("[data-testid=batch-row]")).await?;
        let mut batch_ids = Vec::new();
        for r in &rows {
            batch_ids.push(r.attr("data-id").await?.unwrap_or_default());
        }
        // Forms matched here qualify, and so may those the unit sent with the
        // declaration (read when they arrive, in the background): nothing else.
        let attached: Vec<&str> = decls
            .iter()
            .filter(|d| d.documents.iter().any(|x| x.kind == bhxh_domain::DocumentKind::PaperForm))
            .map(|d| d.id.as_str())
            .collect();
        anyhow::ensure!(
            batch_ids.iter().all(|id| ids.contains(id) || attached.contains(&id.as_str())),
            "only the forms matched here or sent with the declaration qualify: {batch_ids:?}"
        );
        save_screenshot(&client, &shots, "16-batch").await?;
        if !batch_ids.is_empty() {
            click(&client, "[data-testid=batch-approve]").await?;
            let done = wait_for_element(&client, "[data-testid=batch-result]").await.context("batch result")?;
            anyhow::ensure!(
                done.attr("data-done").await? == Some(batch_ids.len().to_string()),
                "every ticked one recorded"
            );
            for id in &batch_ids {
                let row = format!("[data-testid=queue-row][data-id='{id}']");
                wait_until(Duration::from_secs(30), || async {
                    Ok(attr(&client, &row, "data-sync").await?.is_some_and(|s| s == "waiting" || s == "accepted"))
                })
                .await?;
            }
        }
        client.find(fantoccini::Locator::Css("[data-testid=batch] header button")).await?.click().await?;

        // "?" lists the keys; Esc closes the list.
        client.find(fantoccini::Locator::Css("body")).await?.send_keys("?").await?;
        let help = wait_for_element(&client, "[data-testid=help]").await.context("[data-testid=help]")?.text().await?;
        anyhow::ensure!(help.contains("Phím tắt") && help.contains("Duyệt"), "help {help:?}");
        save_screenshot(&client, &shots, "15-help").await?;
        client.find(fantoccini::Locator::Css("body")).await?.send_keys("\u{e00c}").await?;
        wait_until(Duration::from_secs(5), || async {
            Ok(client.find_all(fantoccini::Locator::Css("[data-testid=help]")).await?.is_empty())
        })
        .await?;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    close_window(client, driver, display).await;
    central.kill();
    conclude("paper scenario", outcome, &shots, &work);
}

/// Clicks a declaration in the queue and waits until it is on screen.
async fn open_declaration(client: &fantoccini::Client, id: &str) -> anyhow::Result<()> {
    click(client, &format!("[data-testid=queue-row][data-id='{id}'] td.name")).await?;
    wait_until(Duration::from_secs(10), || async {
        Ok(attr(client, "[data-testid=detail]", "data-id").await?.as_deref() == Some(id))
    })
    .await?;
    wait_for_element(client, "[data-testid=viewer][data-ready=true]")
        .await
        .context("[data-testid=viewer][data-ready=true]")?;
    Ok(())
}

/// Decides the declaration on screen with the keyboard: the outcome's key, at
/// least `reasons` reasons ticked, an optional note, then Enter (Ctrl+Enter from
/// the note). Returns its id once the next declaration is on screen.
async fn decide_by_keys(
    client: &fantoccini::Client,
    key: &str,
    reasons: usize,
    note: Option<&str>,
) -> anyhow::Result<String> {
    let id = attr(client, "[data-testid=detail]", "data-id").await?.context("a declaration on screen")?;
    client.find(fantoccini::Locator::Css("body")).await?.send_keys(key).await.context("the outcome key")?;
    wait_for_element(client, "[data-testid=decision-form]").await.context("the decision form")?;
    for _ in 0..reasons {
        let ticked = client.find_all(fantoccini::Locator::Css("[data-testid=reason]:checked")).await?.len();
        if ticked >= reasons {
            break;
        }
        click(client, "[data-testid=reason]:not(:checked)").await.context("ticking a reason")?;
    }
    // Ctrl+Enter records from wherever the focus is (the note, the submit button).
    let chord = "\u{e009}\u{e007}\u{e000}";
    match note {
        Some(text) => {
            let area = wait_for_element(client, "[data-testid=decision-note]").await?;
            area.send_keys(text).await.context("typing the note")?;
            area.send_keys(chord).await.context("Ctrl+Enter")?;
        }
        None => client.active_element().await?.send_keys(chord).await.context("Ctrl+Enter")?,
    }
    wait_until(Duration::from_secs(10), || async {
        Ok(attr(client, "[data-testid=detail]", "data-id").await?.is_some_and(|now| now != id))
    })
    .await
    .context("the next declaration on screen")?;
    Ok(id)
}

async fn sync_state(client: &fantoccini::Client, id: &str) -> anyhow::Result<String> {
    Ok(attr(client, &format!("[data-testid=queue-row][data-id='{id}']"), "data-sync").await?.unwrap_or_default())
}

/// Keys typed wherever the focus is, as a person at the keyboard types them.
async fn press(client: &fantoccini::Client, keys: &str) -> anyhow::Result<()> {
    client.active_element().await?.send_keys(keys).await.with_context(|| format!("pressing {keys:?}"))?;
    Ok(())
}

/// The screen moves to the next declaration as soon as a decision is sent, before
/// the desk has written it to disk. When the desk then refuses it (here: another
/// officer holds the declaration on the central service, which the last sync
/// brought), the declaration comes back on screen with the form as the officer
/// left it (outcome, note) and the reason; nothing is recorded for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_refused_after_the_screen_moved_on_comes_back_with_its_form() {
    let bins = Binaries::locate();
    let work = tempdir("e2e-returned");
    let mut central = Central::start(&bins.central, &work.join("central"), None, 14).await;
    let theirs: Vec<String> =
        central.declarations_of("canbo.07916", "07916").await.into_iter().take(2).map(|d| d.id).collect();
    assert_eq!(theirs.len(), 2, "two declarations of the office");
    for id in &theirs {
        central.take_as("canbo2.07916", id).await;
    }
    let expected = central.count_for("canbo.07916", "07916").await;
    let (display, driver, client) = open_window(&bins.desk, &work.join("desk"), &central.url, "canbo.07916").await;
    let shots = artifacts_dir();
    let outcome = async {
        log_in(&client).await?;
        wait_for_queue_count(&client, expected).await?;
        // One of the two that is not the last row: after it, the screen has somewhere to go.
        let last = attr(&client, "[data-testid=queue-row]:last-child", "data-id").await?.unwrap_or_default();
        let id = theirs.iter().find(|t| **t != last).context("a held declaration before the last row")?.clone();
        open_declaration(&client, &id).await?;
        client.find(fantoccini::Locator::Css("body")).await?.send_keys("a").await?;
        let note = "Đã gọi điện xác minh với người dân";
        let area = wait_for_element(&client, "[data-testid=decision-note]").await.context("the approval form")?;
        area.send_keys(note).await?;
        // Every declaration the detail shows from here on, in order.
        client
            .execute(
                "window.__shown = []; const rec = () => { const d = document.querySelector('[data-testid=detail]'); \
                 const v = d && d.dataset.id; if (v && window.__shown[window.__shown.length - 1] !== v) window.__shown.push(v); }; \
                 rec(); new MutationObserver(rec).observe(document.body, { subtree: true, childList: true, attributes: true });",
                vec![],
            )
            .await?;
        area.send_keys("\u{e009}\u{e007}\u{e000}").await.context("Ctrl+Enter")?;
        // Back on screen, the form as it was, and why.
        wait_until(Duration::from_secs(10), || async {
            let shown = attr(&client, "[data-testid=detail]", "data-id").await?;
            let error = client.find_all(fantoccini::Locator::Css("[data-testid=decision-error]")).await?;
            Ok(shown.as_deref() == Some(id.as_str()) && !error.is_empty())
        })
        .await
        .context("the refused declaration back on screen with its error")?;
        let shown = client.execute("return window.__shown", vec![]).await?;
        let shown: Vec<String> = serde_json::from_value(shown)?;
        anyhow::ensure!(
            shown.len() >= 3 && shown.first() == Some(&id) && shown.last() == Some(&id) && shown[1] != id,
            "the screen went on to the next declaration before the refusal brought this one back: {shown:?}"
        );
        let error = text_of(&client, "[data-testid=decision-error]").await?;
        anyhow::ensure!(error.contains("Lê Văn Đức"), "the reason names who holds it: {error}");
        let kept = client.find(fantoccini::Locator::Css("[data-testid=decision-note]")).await?.prop("value").await?;
        anyhow::ensure!(kept.as_deref() == Some(note), "the note given back: {kept:?}");
        anyhow::ensure!(sync_state(&client, &id).await?.is_empty(), "nothing recorded for {id}");
        save_screenshot(&client, &shots, "26-decision-returned").await?;
        Ok(())
    }
    .await;
    close_window(client, driver, display).await;
    central.kill();
    conclude("decision returned", outcome, &shots, &work);
}

/// A PC set to download nothing ahead: a declaration opened brings its documents
/// then, with a progress bar over the viewer; offline, the bar says why and offers
/// to try again, and the images come once the network is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declaration_not_downloaded_ahead_comes_when_opened_with_a_progress_bar() {
    let bins = Binaries::locate();
    let work = tempdir("e2e-on-demand");
    // Slow enough for the bar to be seen: every document takes two seconds to start.
    let mut central = Central::start_with(
        &bins.central,
        &work.join("central"),
        None,
        &["--demo", "14", "--seed", &DEMO_SEED.to_string(), "--latency-ms", "2000"],
    )
    .await;
    let expected = central.count_for("canbo.07916", "07916").await;
    let (display, driver, client) =
        open_window_with(&bins.desk, &work.join("desk"), &central.url, "canbo.07916", &["--documents-ahead", "0"])
            .await;
    let shots = artifacts_dir();
    let outcome = async {
        log_in(&client).await?;
        wait_for_queue_count(&client, expected).await?;
        let ids: Vec<String> = {
            let rows = client.find_all(fantoccini::Locator::Css("[data-testid=queue-row]")).await?;
            let mut ids = Vec::new();
            for r in rows {
                ids.push(r.attr("data-id").await?.unwrap_or_default());
            }
            ids
        };
        anyhow::ensure!(ids.len() >= 4, "a queue to open: {ids:?}");
        open_declaration(&client, &ids[2]).await?;
        wait_for_element(&client, "[data-testid=doc-download][data-running=true]").await.context("the progress bar")?;
        save_screenshot(&client, &shots, "28-documents-on-demand").await?;
        wait_until(Duration::from_secs(30), || async {
            let bar = client.find_all(fantoccini::Locator::Css("[data-testid=doc-download]")).await?;
            Ok(bar.is_empty() && all_images_loaded(&client, 3).await?)
        })
        .await
        .context("the documents on screen once downloaded")?;

        // The line goes down: another declaration says why it has no images and waits.
        central.kill();
        open_declaration(&client, &ids[0]).await?;
        let error = wait_for_element(&client, "[data-testid=doc-download-error]").await.context("offline")?;
        let text = error.text().await?;
        anyhow::ensure!(text.contains("không kết nối được máy chủ trung tâm"), "{text}");
        wait_for_element(&client, "[data-testid=doc-download-retry]").await?;
        anyhow::ensure!(
            !client.find_all(fantoccini::Locator::Css("[data-testid=doc-placeholder]")).await?.is_empty(),
            "each missing document says it is not on this PC"
        );
        save_screenshot(&client, &shots, "29-documents-offline").await?;

        // Back on the same address: "Thử lại" brings them.
        central = Central::start_with(
            &bins.central,
            &work.join("central"),
            Some(central.port),
            &["--seed", &DEMO_SEED.to_string()],
        )
        .await;
        click(&client, "[data-testid=doc-download-retry]").await?;
        wait_until(Duration::from_secs(30), || async {
            let bar = client.find_all(fantoccini::Locator::Css("[data-testid=doc-download]")).await?;
            Ok(bar.is_empty() && all_images_loaded(&client, 3).await?)
        })
        .await
        .context("the documents after trying again")?;
        Ok(())
    }
    .await;
    close_window(client, driver, display).await;
    central.kill();
    conclude("documents on demand", outcome, &shots, &work);
}

/// A campaign's queue: hundreds of declarations listed, only those near the view in
/// the page; scrolling brings the others, and the keys reach a row scrolled away.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_queue_keeps_only_the_rows_near_the_view_and_scrolls_to_the_one_chosen() {
    let bins = Binaries::locate();
    let work = tempdir("e2e-long-queue");
    let mut central = Central::start_with(
        &bins.central,
        &work.join("central"),
        None,
        &["--demo", "2", "--bulk", "700", "--seed", &DEMO_SEED.to_string()],
    )
    .await;
    let expected = central.count_for("canbo.07916", "07916").await;
    assert!(expected > 300, "a long queue: {expected}");
    let (display, driver, client) = open_window(&bins.desk, &work.join("desk"), &central.url, "canbo.07916").await;
    let shots = artifacts_dir();
    let outcome = async {
        log_in(&client).await?;
        wait_for_queue_count(&client, expected).await?;
        let in_page = client.find_all(fantoccini::Locator::Css("[data-testid=queue-row]")).await?.len();
        anyhow::ensure!(in_page > 10 && in_page < 200, "{in_page} of {expected} rows in the page");
        let ids = |c: &fantoccini::Client| {
            let c = c.clone();
            async move {
                let v = c
                    .execute("return Array.from(document.querySelectorAll('[data-testid=queue-row]')).map(r => r.dataset.id)", vec![])
                    .await?;
                Ok::<Vec<String>, anyhow::Error>(serde_json::from_value(v)?)
            }
        };
        let top = ids(&client).await.context("the rows' ids")?;
        // The wheel to the end: the last rows come into the page, the first ones leave it.
        client
            .execute("const s = document.querySelector('.queue .scroll'); s.scrollTop = s.scrollHeight;", vec![])
            .await
            .context("scrolling to the end")?;
        wait_until(Duration::from_secs(10), || async {
            let now = ids(&client).await?;
            Ok(!now.is_empty() && !now.contains(&top[0])
                && client.find_all(fantoccini::Locator::Css("tr.spacer:last-child")).await?.is_empty())
        })
        .await
        .context("the end of the queue in the page")?;
        let bottom = ids(&client).await?;
        let last = bottom.last().context("a last row")?.clone();
        let before_last = bottom[bottom.len() - 2].clone();
        // Clicked where it is (the page's own click: the row sits at the scrolled end).
        client
            .execute(
                "document.querySelector(`[data-testid=queue-row][data-id='${arguments[0]}'] td.name`).click()",
                vec![last.clone().into()],
            )
            .await
            .context("clicking the last row")?;
        wait_until(Duration::from_secs(10), || async {
            Ok(attr(&client, "[data-testid=detail]", "data-id").await?.as_deref() == Some(last.as_str()))
        })
        .await
        .context("the last row opened")?;
        save_screenshot(&client, &shots, "36-long-queue-end").await?;
        // Back to the top with the wheel, then K: the row above the open one, far
        // from the view, is scrolled to and opened.
        client
            .execute("document.querySelector('.queue .scroll').scrollTop = 0;", vec![])
            .await
            .context("scrolling to the top")?;
        wait_until(Duration::from_secs(10), || async { Ok(ids(&client).await?.contains(&top[0])) }).await?;
        // And it stays there: the open row does not pull the list back to itself.
        client
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 requestAnimationFrame(() => requestAnimationFrame(() => done()));",
                vec![],
            )
            .await?;
        let still = ids(&client).await?;
        anyhow::ensure!(
            still.contains(&top[0]) && !still.contains(&last),
            "the wheel's position held while a row far away is open"
        );
        client.find(fantoccini::Locator::Css("body")).await?.send_keys("k").await?;
        wait_until(Duration::from_secs(10), || async {
            let shown = attr(&client, "[data-testid=detail]", "data-id").await?;
            let selected = attr(&client, "[data-testid=queue-row].selected", "data-id").await?;
            Ok(shown.as_deref() == Some(before_last.as_str()) && selected.as_deref() == Some(before_last.as_str()))
        })
        .await
        .context("K reaches the row above, scrolled back into the page")?;
        Ok(())
    }
    .await;
    close_window(client, driver, display).await;
    central.kill();
    conclude("long queue", outcome, &shots, &work);
}

/// "Done when" of the review screen: a reviewer processes the demo queue without
/// touching the mouse. Log in, then each declaration in turn: a clean one approved
/// with A, Enter; one with a warning sent back with S, one with a blocking finding
/// rejected with R — a reason (the one the checks suggest, or the first with Tab,
/// Space), Enter. Only keys reach the window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviewer_processes_the_demo_queue_without_the_mouse() {
    let bins = Binaries::locate();
    let work = tempdir("e2e-nomouse");
    let central_data = work.join("central");
    let mut central = Central::start(&bins.central, &central_data, None, 30).await;
    let expected = central.count_for("canbo.07916", "07916").await;
    let (display, driver, client) = open_window(&bins.desk, &work.join("desk"), &central.url, "canbo.07916").await;
    let shots = artifacts_dir();
    let outcome = async {
        // The user name is filled in: the focus waits in the password field.
        wait_until(Duration::from_secs(20), || async {
            Ok(client.active_element().await?.attr("id").await?.as_deref() == Some("password"))
        })
        .await
        .context("the focus in the password field")?;
        press(&client, "demo\u{e007}").await?;
        wait_for_queue_count(&client, expected).await?;
        press(&client, "j").await?;
        let mut decided: Vec<(String, &str)> = Vec::new();
        for _ in 0..expected * 2 {
            let id = wait_for_element(&client, "[data-testid=detail]")
                .await?
                .attr("data-id")
                .await?
                .context("a declaration on screen")?;
            let row = format!("[data-testid=queue-row][data-id='{id}']");
            let open = attr(&client, &row, "data-sync").await?.unwrap_or_default().is_empty()
                && !client.find_all(fantoccini::Locator::Css("[data-testid=decide-approve]")).await?.is_empty();
            if !open {
                // Decided already, or not this officer's to decide: on to the next one.
                press(&client, "j").await?;
                let moved = wait_until(Duration::from_secs(3), || async {
                    Ok(attr(&client, "[data-testid=detail]", "data-id").await?.is_some_and(|now| now != id))
                })
                .await;
                if moved.is_err() {
                    break;
                }
                continue;
            }
            let checks = format!("{row} [data-testid=queue-checks]");
            let blocks = attr(&client, &checks, "data-blocks").await?.unwrap_or_default();
            let warnings = attr(&client, &checks, "data-warnings").await?.unwrap_or_default();
            if blocks == "0" && warnings == "0" {
                press(&client, "a").await?;
                wait_for_element(&client, "[data-testid=decision-form]").await.context("the approval form")?;
                press(&client, "\u{e007}").await?;
                eprintln!("{id}: approve by keys");
                decided.push((id.clone(), "approve"));
            } else {
                // A blocking finding: reject; a warning: ask to re-submit. The reasons
                // the checks suggest are ticked already; else Tab to the first, Space.
                let (key, outcome) = if blocks == "0" { ("s", "resubmit") } else { ("r", "reject") };
                press(&client, key).await?;
                wait_for_element(&client, "[data-testid=reason-filter]").await.context("the reason picker")?;
                if client.find_all(fantoccini::Locator::Css("[data-testid=reason]:checked")).await?.is_empty() {
                    // Tab moves from where the focus is: wait until the form has taken it
                    // and its reasons are listed (under load the keys can come first).
                    wait_until(Duration::from_secs(10), || async {
                        let focused = client.active_element().await?.attr("data-testid").await?;
                        let listed = client.find_all(fantoccini::Locator::Css("[data-testid=reason]")).await?.len();
                        Ok(focused.as_deref() == Some("reason-filter") && listed > 0)
                    })
                    .await
                    .context("the focus in the reason filter, the reasons listed")?;
                    press(&client, "\u{e004}").await?;
                    press(&client, " ").await?;
                    if wait_for_element(&client, "[data-testid=reason]:checked").await.is_err() {
                        save_screenshot(&client, &shots, "25-keyboard-reasons-failed").await?;
                        anyhow::bail!("a reason ticked by Space ({id})");
                    }
                }
                if decided.iter().all(|(_, o)| *o == "approve") {
                    save_screenshot(&client, &shots, "25-keyboard-reasons").await?;
                }
                press(&client, "\u{e007}").await?;
                eprintln!("{id}: {outcome} by keys");
                decided.push((id.clone(), outcome));
            }
            // Recorded: the row says so, and the next declaration is on screen (or,
            // after the last one, this one shows its decision) — never read a stale one.
            wait_until(Duration::from_secs(10), || async {
                let marked = !attr(&client, &row, "data-sync").await?.unwrap_or_default().is_empty();
                let shown = match client.find_all(fantoccini::Locator::Css("[data-testid=detail]")).await?.first() {
                    Some(d) => d.attr("data-id").await?,
                    None => None,
                };
                let moved = match shown {
                    Some(now) if now != id => true,
                    Some(_) => {
                        !client.find_all(fantoccini::Locator::Css("[data-testid=local-decision]")).await?.is_empty()
                    }
                    None => false,
                };
                Ok(marked && moved)
            })
            .await
            .with_context(|| format!("{id} recorded and the next one on screen"))?;
        }
        // Every declaration this officer could decide was decided: none is left unmarked.
        let unmarked = client.find_all(fantoccini::Locator::Css("[data-testid=queue-row][data-sync='']")).await?.len();
        anyhow::ensure!(unmarked == 0, "{unmarked} declarations left undecided; decided {decided:?}");
        anyhow::ensure!(decided.len() == expected, "decided {} of {expected}", decided.len());
        anyhow::ensure!(decided.iter().any(|(_, o)| *o == "approve"), "nothing approved: {decided:?}");
        anyhow::ensure!(decided.iter().any(|(_, o)| *o != "approve"), "no reasons picked: {decided:?}");
        for (id, _) in &decided {
            wait_until(Duration::from_secs(60), || async { Ok(sync_state(&client, id).await? == "accepted") })
                .await
                .with_context(|| format!("{id} delivered"))?;
        }
        // The declaration on screen follows its delivery without being reopened.
        wait_until(Duration::from_secs(20), || async {
            Ok(attr(&client, "[data-testid=local-decision]", "data-state").await?.as_deref() == Some("accepted"))
        })
        .await
        .context("the decision on screen shows it was delivered")?;
        save_screenshot(&client, &shots, "26-queue-done-by-keyboard").await?;
        // The other orders, for the record (a select is a pointer thing here). Oldest
        // first, the first row is clean; most findings first, it is not.
        let first = "[data-testid=queue-row] [data-testid=queue-checks]";
        anyhow::ensure!(
            attr(&client, first, "data-blocks").await?.as_deref() == Some("0")
                && attr(&client, first, "data-warnings").await?.as_deref() == Some("0"),
            "the oldest declaration of the demo has findings: the sort check would prove nothing"
        );
        wait_for_element(&client, "[data-testid=queue-sort]").await?.select_by_value("findings").await?;
        wait_until(Duration::from_secs(5), || async {
            let blocks = attr(&client, first, "data-blocks").await?.unwrap_or_default();
            let warnings = attr(&client, first, "data-warnings").await?.unwrap_or_default();
            Ok(blocks != "0" || warnings != "0")
        })
        .await?;
        save_screenshot(&client, &shots, "27-sorted-by-findings").await?;
        Ok::<_, anyhow::Error>(decided)
    }
    .await;
    close_window(client, driver, display).await;
    let decided = match outcome {
        Ok(v) => v,
        Err(e) => {
            central.kill();
            panic!(
                "keyboard-only scenario failed: {e:?}\nscreenshots in {}; data in {}",
                shots.display(),
                work.display()
            );
        }
    };
    let on_server = central.declarations_of("canbo.07916", "07916").await;
    for (id, outcome) in &decided {
        let there = on_server.iter().find(|d| &d.id == id).and_then(|d| d.decision.as_ref()).map(|x| x.outcome.code());
        assert_eq!(there, Some(*outcome), "{id} on the server");
    }
    central.kill();
    assert_logs_clean(&work);
    let _ = std::fs::remove_dir_all(&work);
}

/// Issue 22: an officer reviews phone changes (Mẫu 01, điều chỉnh): the phone on
/// record beside the new one, a new phone another waiting declaration gives
/// flagged; rejects that one, approves the other; the register follows only the
/// approval (the helpdesk reads the new phone and the request's outcome).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officer_reviews_phone_changes_old_beside_new() {
    use bhxh_domain::{ChangedField, Purpose};
    let bins = Binaries::locate();
    let work = tempdir("e2e-adjust");
    let mut central = Central::start(&bins.central, &work.join("central"), None, 30).await;
    let on_server = central.declarations_of("canbo.07916", "07916").await;
    let adjustments = on_server.iter().filter(|d| d.fields.purpose == Purpose::Adjust).count();
    let phone_changes: Vec<&bhxh_protocol::Declaration> = on_server
        .iter()
        .filter(|d| {
            d.fields.purpose == Purpose::Adjust && d.fields.changes.iter().any(|c| c.field == ChangedField::Phone)
        })
        .collect();
    let shares =
        |d: &bhxh_protocol::Declaration| on_server.iter().any(|o| o.id != d.id && o.fields.phone == d.fields.phone);
    let clash = *phone_changes.iter().find(|d| shares(d)).expect("the demo's phone change onto a waiting phone");
    let plain = *phone_changes.iter().find(|d| !shares(d)).expect("the demo's plain phone change");
    let old_phone =
        |d: &bhxh_protocol::Declaration| d.account.as_ref().and_then(|a| a.phone.clone()).expect("on record");
    let (display, driver, client) = open_window(&bins.desk, &work.join("desk"), &central.url, "canbo.07916").await;
    let shots = artifacts_dir();
    let outcome = async {
        log_in(&client).await?;
        wait_for_queue_count(&client, on_server.len()).await?;
        // The queue's request filter: the adjustments alone.
        wait_for_element(&client, "[data-testid=filter-purpose]").await?.select_by_value("adjust").await?;
        wait_until(Duration::from_secs(10), || async {
            let rows = client.find_all(fantoccini::Locator::Css("[data-testid=queue-row]")).await?.len();
            let adjust =
                client.find_all(fantoccini::Locator::Css("[data-testid=queue-row][data-purpose=adjust]")).await?;
            Ok(rows == adjustments && adjust.len() == adjustments)
        })
        .await
        .context("only the adjustments listed")?;
        for (d, name) in [(clash, "40-adjustment-phone-clash"), (plain, "41-adjustment-phone")] {
            open_declaration(&client, &d.id).await?;
            let line = wait_for_element(&client, "[data-testid=change][data-field=phone]").await?;
            let old = line.find(fantoccini::Locator::Css("td.old")).await?.text().await?;
            let new = line.find(fantoccini::Locator::Css("td.new")).await?.text().await?;
            anyhow::ensure!(old.contains(&old_phone(d)), "{}: old {old:?}", d.id);
            anyhow::ensure!(new.contains(&d.fields.phone), "{}: new {new:?}", d.id);
            wait_for_element(&client, "[data-testid=account]").await.context("the account on record")?;
            let flagged = !client
                .find_all(fantoccini::Locator::Css("[data-testid=finding][data-code='phone.shared_pending']"))
                .await?
                .is_empty();
            anyhow::ensure!(flagged == (d.id == clash.id), "{}: clash flagged {flagged}", d.id);
            // As long as the viewer asks again for an image the app was too busy to serve.
            if let Err(e) = wait_until(Duration::from_secs(60), || all_images_loaded(&client, 3)).await {
                save_screenshot(&client, &shots, &format!("{name}-failed")).await?;
                let loaded = loaded_images(&client).await?;
                return Err(e.context(format!("the photos of {} shown ({loaded} loaded)", d.id)));
            }
            save_screenshot(&client, &shots, name).await?;
        }
        // Back to the clash: rejected with a reason, by keys.
        open_declaration(&client, &clash.id).await?;
        press(&client, "r").await?;
        wait_for_element(&client, "[data-testid=reason-filter]").await.context("the reason picker")?;
        if client.find_all(fantoccini::Locator::Css("[data-testid=reason]:checked")).await?.is_empty() {
            click(&client, "[data-testid=reason]:not(:checked)").await?;
        }
        press(&client, "\u{e009}\u{e007}\u{e000}").await?;
        let row = |id: &str| format!("[data-testid=queue-row][data-id='{id}']");
        wait_until(Duration::from_secs(10), || async { Ok(!sync_state(&client, &clash.id).await?.is_empty()) })
            .await
            .context("the rejection recorded")?;
        open_declaration(&client, &plain.id).await?;
        press(&client, "a").await?;
        wait_for_element(&client, "[data-testid=decision-form]").await.context("the approval form")?;
        press(&client, "\u{e009}\u{e007}\u{e000}").await?;
        for id in [&clash.id, &plain.id] {
            wait_until(Duration::from_secs(60), || async { Ok(sync_state(&client, id).await? == "accepted") })
                .await
                .with_context(|| format!("{id} delivered ({})", row(id)))?;
        }
        Ok(())
    }
    .await;
    close_window(client, driver, display).await;
    if let Err(e) = &outcome {
        central.kill();
        panic!("adjustment scenario failed: {e:?}\nscreenshots in {}; data in {}", shots.display(), work.display());
    }
    let decided = central.declarations_of("canbo.07916", "07916").await;
    let outcome_of =
        |id: &str| decided.iter().find(|d| d.id == id).and_then(|d| d.decision.as_ref()).map(|x| x.outcome);
    assert_eq!(outcome_of(&clash.id), Some(bhxh_domain::Outcome::Reject));
    assert_eq!(outcome_of(&plain.id), Some(bhxh_domain::Outcome::Approve));
    use bhxh_domain::helpdesk::{PhoneCheck, RequestState};
    let approved = central.citizen("hotro.07916", plain.fields.ma_so_bhxh.as_str()).await;
    assert_eq!(approved.request, RequestState::AdjustApproved);
    let check = |d: &bhxh_protocol::Declaration, phone: String| {
        let ma_so = d.fields.ma_so_bhxh.to_string();
        let central = &central;
        async move { central.phone_check("hotro.07916", &ma_so, &phone).await }
    };
    assert_eq!(check(plain, plain.fields.phone.clone()).await, PhoneCheck::Match, "the new phone on record");
    assert_eq!(check(plain, old_phone(plain)).await, PhoneCheck::Mismatch);
    let refused = central.citizen("hotro.07916", clash.fields.ma_so_bhxh.as_str()).await;
    assert_eq!(refused.request, RequestState::AdjustRefused);
    assert_eq!(check(clash, old_phone(clash)).await, PhoneCheck::Match, "the old phone kept");
    central.kill();
    assert_logs_clean(&work);
    let _ = std::fs::remove_dir_all(&work);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officer_reviews_by_keyboard_offline_and_in_english() {
    let bins = Binaries::locate();
    let work = tempdir("e2e-keys");
    let central_data = work.join("central");
    let mut central = Central::start(&bins.central, &central_data, None, 30).await;
    let expected = central.count_for("canbo.07916", "07916").await;
    let (display, driver, client) = open_window(&bins.desk, &work.join("desk"), &central.url, "canbo.07916").await;
    let shots = artifacts_dir();
    let outcome = async {
        let password = wait_for_element(&client, "#password").await?;
        password.send_keys("demo\u{e007}").await?;
        wait_for_queue_count(&client, expected).await?;

        // Children only, then the first of them with J.
        wait_for_element(&client, "[data-testid=filter-kind]").await?.select_by_value("child").await?;
        wait_until(Duration::from_secs(10), || async {
            let rows = client.find_all(fantoccini::Locator::Css("[data-testid=queue-row]")).await?;
            let mut all_children = !rows.is_empty() && rows.len() < expected;
            for r in rows {
                all_children &= r.attr("data-kind").await?.as_deref() == Some("child");
            }
            Ok(all_children)
        })
        .await?;
        client.find(fantoccini::Locator::Css("body")).await?.send_keys("j").await?;
        wait_for_element(&client, "[data-testid=detail]").await?;
        wait_until(Duration::from_secs(20), || async { all_images_loaded(&client, 1).await }).await?;
        save_screenshot(&client, &shots, "20-children").await?;
        wait_for_element(&client, "[data-testid=filter-kind]").await?.select_by_value("all").await?;

        // From the oldest undecided declaration on, by keyboard: approve, reject
        // with two reasons and a note. The central service is up: both are delivered.
        click(&client, "[data-testid=queue-row][data-sync=''] td.name").await?;
        wait_for_element(&client, "[data-testid=detail]").await?;
        let blocks =
            attr(&client, "[data-testid=queue-row].selected [data-testid=queue-checks]", "data-blocks").await?;
        let note = (blocks.as_deref() != Some("0")).then_some("Đã đối chiếu bản gốc");
        let approved = decide_by_keys(&client, "a", 0, note).await?;
        let rejected = decide_by_keys(&client, "r", 2, Some("Ảnh CCCD không rõ, số giấy tờ không khớp")).await?;
        save_screenshot(&client, &shots, "21-decided-by-keys").await?;
        for id in [&approved, &rejected] {
            wait_until(Duration::from_secs(30), || async { Ok(sync_state(&client, id).await? == "accepted") }).await?;
        }

        // The central service goes away: ask to re-submit one, undo it with Z,
        // decide two more.
        central.kill();
        wait_for_element(&client, "[data-testid=offline-banner]").await?;
        let undone = decide_by_keys(&client, "s", 1, None).await?;
        anyhow::ensure!(sync_state(&client, &undone).await? == "waiting", "the re-submit waits offline");
        client.find(fantoccini::Locator::Css("body")).await?.send_keys("z").await?;
        wait_until(Duration::from_secs(10), || async { Ok(sync_state(&client, &undone).await?.is_empty()) }).await?;
        let mut offline = Vec::new();
        for _ in 0..2 {
            let blocks =
                attr(&client, "[data-testid=queue-row].selected [data-testid=queue-checks]", "data-blocks").await?;
            let note = (blocks.as_deref() != Some("0")).then_some("Đã đối chiếu bản gốc");
            offline.push(decide_by_keys(&client, "a", 0, note).await?);
        }
        for id in &offline {
            anyhow::ensure!(sync_state(&client, id).await? == "waiting", "{id} waits while offline");
        }
        save_screenshot(&client, &shots, "22-offline-waiting").await?;

        // Back on the same address: everything waiting is delivered by itself.
        central = Central::start(&bins.central, &central_data, Some(central.port), 30).await;
        for id in &offline {
            wait_until(Duration::from_secs(40), || async { Ok(sync_state(&client, id).await? == "accepted") }).await?;
        }
        save_screenshot(&client, &shots, "23-delivered").await?;

        // English and back.
        click(&client, "[data-testid=lang-switch]").await?;
        wait_until(Duration::from_secs(5), || async {
            Ok(text_of(&client, "[data-testid=verdict]").await?.contains("Suggested"))
        })
        .await?;
        save_screenshot(&client, &shots, "24-english").await?;
        click(&client, "[data-testid=lang-switch]").await?;
        wait_until(Duration::from_secs(5), || async {
            Ok(text_of(&client, "[data-testid=verdict]").await?.contains("Đề xuất"))
        })
        .await?;
        Ok::<_, anyhow::Error>((approved, rejected, undone, offline))
    }
    .await;
    close_window(client, driver, display).await;
    let (approved, rejected, undone, offline) = match outcome {
        Ok(v) => v,
        Err(e) => {
            central.kill();
            panic!("keyboard scenario failed: {e:?}\nscreenshots in {}; data in {}", shots.display(), work.display());
        }
    };
    // The server's own API: every decision there once, the withdrawn one absent.
    let on_server = central.declarations_of("canbo.07916", "07916").await;
    let outcome_of = |id: &str| {
        on_server.iter().find(|d| d.id == id).and_then(|d| d.decision.as_ref()).map(|x| x.outcome.code().to_owned())
    };
    assert_eq!(outcome_of(&approved).as_deref(), Some("approve"));
    assert_eq!(outcome_of(&rejected).as_deref(), Some("reject"));
    for id in &offline {
        assert_eq!(outcome_of(id).as_deref(), Some("approve"), "{id}");
    }
    assert_eq!(outcome_of(&undone), None, "the withdrawn decision never reached the server");
    central.kill();
    assert_logs_clean(&work);
    let _ = std::fs::remove_dir_all(&work);
}

/// Issue 23, item 5: a second launch on the same data folder hands over to the first window, which comes forward,
/// and exits at once; the first keeps working. Both on a session bus of the test's own, as on a desktop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_launch_brings_the_first_window_forward_and_leaves() {
    let bins = Binaries::locate();
    let work = tempdir("single");
    let mut central = Central::start(&bins.central, &work.join("central"), None, 4).await;
    let bus = SessionBus::start();
    let data = work.join("desk");
    let env = [("DBUS_SESSION_BUS_ADDRESS", bus.address.as_str())];
    let (display, driver, client) = open_window_env(&bins.desk, &data, &central.url, "canbo.07916", &[], &env).await;
    let logs = driver.logs.clone();
    let expected = central.count_for("canbo.07916", "07916").await;
    let mut second = None;
    let outcome: anyhow::Result<()> = async {
        log_in(&client).await?;
        wait_for_queue_count(&client, expected).await.context("the first window's queue")?;
        let child = std::process::Command::new(&bins.desk)
            .arg("--data-dir")
            .arg(&data)
            .args(["--central-url", &central.url])
            .env("DISPLAY", &display.display)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .env("BHXH_LOG_DIR", work.join("second-launch-log"))
            .env("XDG_CONFIG_HOME", work.join("second-config"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .context("second launch")?;
        let child = second.insert(child);
        let mut status = None;
        wait_until(Duration::from_secs(30), || {
            let done = child.try_wait().map(|s| s.inspect(|s| status = Some(*s)).is_some());
            async move { Ok(done?) }
        })
        .await
        .context("the second launch exits")?;
        anyhow::ensure!(status.is_some_and(|s| s.success()), "the second launch failed: {status:?}");
        wait_until(Duration::from_secs(10), || {
            let said =
                std::fs::read_dir(&logs).into_iter().flatten().flatten().any(|e| {
                    std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("a second launch handed over"))
                });
            async move { Ok(said) }
        })
        .await
        .context("the first window was told")?;
        // Still the same window, still working.
        wait_for_queue_count(&client, expected).await.context("the first window after the hand-over")?;
        Ok(())
    }
    .await;
    if let Some(mut c) = second {
        let _ = c.kill();
        let _ = c.wait();
    }
    close_window(client, driver, display).await;
    drop(bus);
    central.kill();
    conclude("single instance", outcome, &artifacts_dir(), &work);
}

/// Issue 23, item 3: IT's configuration file with a mistake: the login screen names the file, the line and the
/// reason in Vietnamese, and the login button stays off; the About dialog shows where each value came from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_configuration_is_said_on_the_login_screen() {
    let bins = Binaries::locate();
    let work = tempdir("config");
    let mut central = Central::start(&bins.central, &work.join("central"), None, 2).await;
    // The development build reads the person's own file: the window test's empty config home has one now.
    let file = work.join("desk-config").join("bhxh-desk").join("config.toml");
    std::fs::create_dir_all(file.parent().expect("folder")).expect("mkdir");
    std::fs::write(&file, "# BHXH Quận 6\nidle_lock_minutes = \"mười lăm\"\n").expect("write");
    let (display, driver, client) = open_window(&bins.desk, &work.join("desk"), &central.url, "canbo.07916").await;
    let shots = artifacts_dir();
    let outcome: anyhow::Result<()> = async {
        let problem = wait_for_element(&client, "[data-testid=config-problem]").await.context("the problem said")?;
        let text = problem.text().await?;
        anyhow::ensure!(text.contains("dòng 2") && text.contains("idle_lock_minutes"), "{text}");
        anyhow::ensure!(text.contains("phải là một số nguyên từ 1 đến 240"), "{text}");
        let submit = wait_for_element(&client, "#login-submit").await?;
        anyhow::ensure!(submit.attr("disabled").await?.is_some(), "the login button is off");
        save_screenshot(&client, &shots, "62-config-refused").await?;
        click(&client, "[data-testid=about-open]").await?;
        wait_for_element(&client, "[data-testid=about-problem]").await.context("the About dialog says it too")?;
        let source = attr(&client, "[data-testid=about-settings] tr[data-key=central_url]", "data-source").await?;
        // A refused file leaves the app's defaults in place (the flags too): nothing of it is half used.
        anyhow::ensure!(source.as_deref() == Some("default"), "central_url from {source:?}");
        save_screenshot(&client, &shots, "61-about").await?;
        Ok(())
    }
    .await;
    close_window(client, driver, display).await;
    central.kill();
    conclude("malformed configuration", outcome, &shots, &work);
}

/// The log reader every window test ends with finds a demo citizen where one was logged (it can fail), and says
/// which identifier and where, not the value.
#[test]
fn the_log_reader_finds_a_citizen_written_into_a_log() {
    let dir = tempdir("log-reader");
    let g = bhxh_fixtures::Generator::new(DEMO_SEED).expect("generator");
    let p = g.declared_person(3, test_clock().now()).expect("person");
    std::fs::write(dir.join("bhxh-desk.2026-12-05.log"), "2026-12-05T01:00:00Z INFO sync round done pulled=3\n")
        .expect("clean log");
    assert!(personal_data_in_logs(&dir).is_empty());
    let leak = format!("2026-12-05T01:00:01Z WARN opened declaration phone={}\n", p.fields.phone);
    std::fs::write(dir.join("bhxh-desk.2026-12-06.log"), leak).expect("leaky log");
    let found = personal_data_in_logs(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].ends_with("bhxh-desk.2026-12-06.log:1: phone") && !found[0].contains(&p.fields.phone));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn headless_sync_and_queue_match_the_server() {
    let bins = Binaries::locate();
    let work = tempdir("headless");
    let mut central = Central::start(&bins.central, &work.join("central"), None, 24).await;
    let expected = central.count_for("canbo.07920", "07920").await;
    let desk_dir = work.join("desk");
    let run = |args: &[&str]| {
        std::process::Command::new(&bins.desk).args(args).env_remove("DISPLAY").output().expect("run bhxh-desk")
    };
    let dir = desk_dir.display().to_string();

    let wrong =
        run(&["sync", "--central", &central.url, "--user", "canbo.07920", "--password", "sai", "--data-dir", &dir]);
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("Sai tên đăng nhập hoặc mật khẩu"));

    let ok =
        run(&["sync", "--central", &central.url, "--user", "canbo.07920", "--password", "demo", "--data-dir", &dir]);
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "sync failed: {}", String::from_utf8_lossy(&ok.stderr));
    assert!(stdout.contains(&format!("pulled {expected} declarations")), "{stdout}");

    let q = run(&["queue", "--data-dir", &dir, "--json", "--user", "canbo.07920", "--password", "demo"]);
    assert!(q.status.success());
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&q.stdout).expect("queue --json prints JSON");
    assert_eq!(rows.len(), expected);
    for r in &rows {
        for key in [
            "id",
            "ma_so_bhxh",
            "full_name",
            "office_code",
            "kind",
            "status",
            "documents",
            "findings",
            "suggested_outcome",
        ] {
            assert!(!r[key].is_null(), "{key} missing in {r}");
        }
        assert_eq!(r["office_code"], "07920");
        assert_eq!(r["documents"], r["documents_stored"], "every document downloaded");
        assert!(r["suggested_outcome"]["outcome"].is_string());
        for f in r["findings"].as_array().expect("findings array") {
            assert!(f["code"].is_string() && f["severity"].is_string() && f["fields"].is_array(), "{f}");
        }
    }

    // What the PC holds: every synced declaration's documents, kept while pending.
    let held = run(&["retention", "--data-dir", &dir, "--json", "--user", "canbo.07920", "--password", "demo"]);
    assert!(held.status.success(), "retention: {}", String::from_utf8_lossy(&held.stderr));
    let held: Vec<serde_json::Value> = serde_json::from_slice(&held.stdout).expect("retention --json prints JSON");
    assert_eq!(held.len(), expected);
    assert!(held.iter().all(|h| h["purge_after"].is_null() && h["documents"].as_u64().is_some_and(|n| n > 0)));

    // A unit's stack through the CLI: printed pages match by their QR code, the
    // image-only scan by OCR, the askew one lists candidates.
    let decls = central.declarations_of("canbo.07920", "07920").await;
    let (pdf, ids) = paper_stack(&decls);
    let file = work.join("stack.pdf");
    std::fs::write(&file, pdf).expect("write stack");
    let out = run(&[
        "import-paper",
        &file.display().to_string(),
        "--data-dir",
        &dir,
        "--json",
        "--user",
        "canbo.07920",
        "--password",
        "demo",
    ]);
    assert!(out.status.success(), "import-paper: {}", String::from_utf8_lossy(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("import-paper --json prints JSON");
    assert_eq!(
        (summary["pages"].as_u64(), summary["matched_qr"].as_u64(), summary["need_hand"].as_u64()),
        (Some(5), Some(3), Some(1))
    );
    let rows = summary["rows"].as_array().expect("rows");
    for (row, id) in rows.iter().zip(&ids).take(3) {
        assert_eq!((row["matched_by"].as_str(), row["declaration_id"].as_str()), (Some("qr"), Some(id.as_str())));
    }
    assert_eq!(rows[3]["matched_by"], "none");
    assert_eq!(
        (rows[4]["matched_by"].as_str(), rows[4]["declaration_id"].as_str()),
        (Some("text"), Some(ids[4].as_str()))
    );
    assert!(rows[4]["ocr_conf"].as_u64().is_some_and(|c| c >= 70), "{}", rows[4]);
    assert!(
        rows[3]["candidates"].as_array().is_some_and(|c| c.iter().any(|c| c["id"] == ids[3].as_str())),
        "{}",
        rows[3]
    );
    let bad = run(&[
        "import-paper",
        &work.join("nope.pdf").display().to_string(),
        "--data-dir",
        &dir,
        "--user",
        "canbo.07920",
        "--password",
        "demo",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Không đọc được tệp"));

    // Without a cache: a clear error, not a crash.
    let none = run(&[
        "queue",
        "--data-dir",
        &work.join("nothing").display().to_string(),
        "--json",
        "--user",
        "canbo.07920",
        "--password",
        "demo",
    ]);
    assert!(!none.status.success());
    assert!(String::from_utf8_lossy(&none.stderr).contains("chưa có bộ nhớ đệm"));
    central.kill();
    assert_logs_clean(&work);
    let _ = std::fs::remove_dir_all(&work);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helpdesk_finds_the_caller_diagnoses_the_phone_copies_a_script_and_logs_the_call() {
    let bins = Binaries::locate();
    let work = tempdir("e2e-helpdesk");
    let mut central = Central::start(&bins.central, &work.join("central"), None, 8).await;
    // A person who registered before (account active) in 07916, as the generator made them.
    let g = bhxh_fixtures::Generator::new(DEMO_SEED).expect("generator");
    let caller = g.person(bhxh_central::REGISTER_BASE + 4, chrono::Utc::now()).expect("person").fields;
    let ma_so = caller.ma_so_bhxh.to_string();
    let phone = caller.phone.clone();
    let spoken = format!("{} {} {}", &phone[..4], &phone[4..7], &phone[7..]);

    let (display, driver, client) = open_window(&bins.desk, &work.join("desk"), &central.url, "hotro.07916").await;
    let shots = artifacts_dir();
    let outcome = async {
        log_in(&client).await?;
        wait_for_element(&client, "[data-testid=helpdesk]").await.context("the helpdesk console")?;
        // The search box has the focus on open.
        wait_until(Duration::from_secs(10), || async {
            Ok(client.active_element().await?.attr("data-testid").await?.as_deref() == Some("hd-search"))
        })
        .await
        .context("search box focused")?;
        // The first sync copies the office's directory; then the caller's first sentence.
        let hit = format!("[data-testid=hd-hit][data-ma-so='{ma_so}']");
        let started = std::time::Instant::now();
        wait_until(Duration::from_secs(60), || async {
            let search = client.active_element().await?;
            search.clear().await?;
            search.send_keys(&spoken).await?;
            wait_until(Duration::from_secs(2), || async {
                Ok(!client.find_all(fantoccini::Locator::Css(&hit)).await?.is_empty())
            })
            .await
            .map(|_| true)
            .or(Ok(false))
        })
        .await
        .context("the caller found by the phone they read out")?;
        save_screenshot(&client, &shots, "30-helpdesk-search").await?;
        let typed_at = std::time::Instant::now();
        client.active_element().await?.send_keys("\u{e007}").await?;
        wait_for_element(&client, &format!("[data-testid=hd-card][data-ma-so='{ma_so}']")).await.context("card")?;
        let masked = text_of(&client, "[data-testid=hd-phone-masked]").await?;
        anyhow::ensure!(masked.ends_with(&phone[phone.len() - 3..]) && !masked.contains(&phone), "masked {masked:?}");
        wait_for_element(&client, "[data-testid=hd-script-text]").await.context("a script for the case")?;
        let to_script = typed_at.elapsed();
        save_screenshot(&client, &shots, "31-helpdesk-card").await?;

        // The caller texts from another phone: the first cause of the 8079 error.
        let phone_box = wait_for_element(&client, "[data-testid=hd-phone]").await?;
        phone_box.send_keys("0912 000 111\u{e007}").await?;
        wait_for_element(&client, "[data-testid=hd-diagnosis][data-result=mismatch]").await.context("mismatch")?;
        // The script for that cause is offered, and stays after the card refreshes.
        wait_for_element(&client, "[data-testid=hd-script][data-id=password_sms_error_phone_mismatch]")
            .await
            .context("the phone-mismatch script")?;
        save_screenshot(&client, &shots, "32-helpdesk-phone-mismatch").await?;
        phone_box.clear().await?;
        phone_box.send_keys(&format!("+84 {}\u{e007}", &phone[1..])).await?;
        wait_for_element(&client, "[data-testid=hd-diagnosis][data-result=match]").await.context("match")?;
        let script = text_of(&client, "[data-testid=hd-script-text]").await?;
        save_screenshot(&client, &shots, "33-helpdesk-phone-match").await?;

        // F2 copies the script on screen.
        client.active_element().await?.send_keys("\u{e032}").await?;
        wait_for_element(&client, "[data-testid=hd-copied]").await.context("copied")?;
        save_screenshot(&client, &shots, "34-helpdesk-copied").await?;

        // The call, noted with Ctrl+Enter.
        let name = wait_for_element(&client, "[data-testid=hd-caller]").await?;
        name.send_keys("Chị Hạnh").await?;
        let note = wait_for_element(&client, "[data-testid=hd-note]").await?;
        note.send_keys("Quên mật khẩu; đã hướng dẫn nhắn tin 8079 từ số đã đăng ký.").await?;
        note.send_keys("\u{e009}\u{e007}\u{e000}").await?;
        wait_for_element(&client, "[data-testid=hd-saved]").await.context("saved")?;
        wait_for_element(&client, "[data-testid=hd-call]").await.context("the call in the list")?;
        save_screenshot(&client, &shots, "35-helpdesk-call-logged").await?;
        println!(
            "helpdesk: found after {:.1} s of typing (first sync included); Enter to the script on screen {} ms",
            started.elapsed().as_secs_f64(),
            to_script.as_millis()
        );
        Ok::<_, anyhow::Error>(script)
    }
    .await;
    close_window(client, driver, display).await;
    let calls = if outcome.is_ok() { Some(central.calls_of("hotro.07916", &ma_so).await) } else { None };
    central.kill();
    let script = match outcome {
        Ok(s) => s,
        Err(e) => {
            panic!("helpdesk scenario failed: {e:?}\nscreenshots in {}; data in {}", shots.display(), work.display())
        }
    };
    assert!(!script.is_empty());
    let calls = calls.expect("calls");
    assert_eq!(calls.len(), 1, "the call reached the central service once");
    assert!(calls[0].note.contains("8079"));
    assert_logs_clean(&work);
    let _ = std::fs::remove_dir_all(&work);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisor_sees_the_overview_sets_a_quota_and_exports() {
    let bins = Binaries::locate();
    let work = tempdir("e2e-supervisor");
    let mut central = Central::start(&bins.central, &work.join("central"), None, 12).await;
    let decls = central.declarations_of("giamsat.07916", "07916").await;
    // Another officer's PC decided two of them today.
    central.decide_as("canbo.07916", &decls[0].id, "approve").await;
    central.decide_as("canbo.07916", &decls[1].id, "approve").await;
    central.take_as("canbo2.07916", &decls[2].id).await;
    // And the other officer asked for a sharper photo: a reason for the reasons chart.
    central.decide_with("canbo2.07916", &decls[3].id, "resubmit", &["ANH_MO"]).await;
    // Exports carry names: they go to the folder IT configured, outside the data folder.
    let exports = work.join("exports");
    std::fs::create_dir_all(&exports).expect("exports folder");
    let exports_arg = exports.display().to_string();
    // A backlog table an earlier version wrote inside the data folder.
    let old_exports = work.join("desk").join("exports");
    std::fs::create_dir_all(&old_exports).expect("old exports folder");
    std::fs::write(old_exports.join("backlog-07916-20261120-100000.csv"), "\u{feff}Tồn đọng\r\n").expect("old export");
    let (display, driver, client) = open_window_with(
        &bins.desk,
        &work.join("desk"),
        &central.url,
        "giamsat.07916",
        &["--export-dir", &exports_arg],
    )
    .await;
    let shots = artifacts_dir();
    let outcome = async {
        let started = std::time::Instant::now();
        log_in(&client).await?;
        wait_for_queue_count(&client, decls.len()).await?;
        click(&client, "[data-testid=dashboard-button]").await?;
        let row = "[data-testid=dash-officer][data-username='canbo.07916']";
        wait_for_element(&client, row).await.context("the officer's row")?;
        // Each kind of request counted apart: the adjustments still waiting.
        let adjust_waiting = decls
            .iter()
            .enumerate()
            .filter(|(i, d)| ![0, 1, 3].contains(i) && d.fields.purpose == bhxh_domain::Purpose::Adjust)
            .count();
        anyhow::ensure!(adjust_waiting > 0, "the demo's first declarations hold an adjustment waiting");
        let adjust_shown = attr(&client, "[data-testid=dash-purpose][data-purpose=adjust]", "data-waiting").await?;
        anyhow::ensure!(adjust_shown == Some(adjust_waiting.to_string()), "adjustments waiting: {adjust_shown:?}");
        // "Today" is the office's, whatever the machine's zone and the web view's
        // locale: the fields show it as dd/mm/yyyy, from the desk's clock.
        let shown = |css: &'static str| {
            let client = client.clone();
            async move { client.find(fantoccini::Locator::Css(css)).await?.prop("value").await }
        };
        // The clock is read around the fields, so a run that crosses midnight still
        // knows which day the desk meant; the rest of the test counts on that day.
        let before = test_clock().today();
        let (from, to) = (shown("[data-testid=dash-from]").await?, shown("[data-testid=dash-to]").await?);
        let after = test_clock().today();
        let today = to.as_deref().and_then(bhxh_domain::clock::parse_day).context("dd/mm/yyyy in the to field")?;
        anyhow::ensure!(
            today == before || today == after,
            "the overview's today {today} is not the office's ({before})"
        );
        let want = today.format("%d/%m/%Y").to_string();
        anyhow::ensure!(from.as_deref() == Some(want.as_str()), "from is not {want}: {from:?}");
        anyhow::ensure!(to.as_deref() == Some(want.as_str()), "to is not {want} (dd/mm/yyyy): {to:?}");
        let working = bhxh_domain::calendar::WorkCalendar::builtin().is_working(today);
        let days = attr(&client, "[data-testid=dash-working]", "data-working-days").await?;
        anyhow::ensure!(days.as_deref() == Some(if working { "1" } else { "0" }), "working days of {want}: {days:?}");
        // The day's three answers at the top: officers behind, units behind, old backlog.
        let units = text_of(&client, "[data-testid=summary-units]").await?;
        anyhow::ensure!(units.contains("Đơn vị không kịp hạn"), "summary: {units}");
        let answered = started.elapsed();
        save_screenshot(&client, &shots, "40-dashboard").await?;
        // Every chart drew on its canvas (Chart.js, in the real web view).
        for chart in ["chart-per-day", "chart-reasons", "chart-units", "chart-trend", "chart-age"] {
            let inked = wait_until(Duration::from_secs(10), || async {
                let js = format!(
                    "const c = document.querySelector('[data-testid={chart}] canvas');
                     if (!c || !c.width || !c.height) return 0;
                     const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                     let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n;"
                );
                Ok(client.execute(&js, vec![]).await?.as_u64().unwrap_or(0) > 500)
            })
            .await;
            inked.with_context(|| format!("{chart} drew nothing"))?;
        }
        let show = |testid: &'static str| {
            let js = format!("document.querySelector('[data-testid={testid}]').scrollIntoView({{block: 'start'}});");
            let client = client.clone();
            async move { client.execute(&js, vec![]).await }
        };
        show("chart-per-day").await?;
        save_screenshot(&client, &shots, "44-dashboard-chart-officers").await?;
        show("chart-units").await?;
        save_screenshot(&client, &shots, "45-dashboard-chart-units-trend").await?;
        show("dash-coverage").await?;
        save_screenshot(&client, &shots, "46-dashboard-units-table").await?;
        show("chart-age").await?;
        save_screenshot(&client, &shots, "47-dashboard-chart-backlog").await?;
        // Letters to every unit behind, from the summary.
        show("dash-summary").await?;
        click(&client, "[data-testid=letters-all]").await?;
        let letters = wait_until(Duration::from_secs(30), || async {
            Ok(text_of(&client, "[data-testid=dash-saved]").await?.contains(".pdf"))
        })
        .await;
        letters.context("letters written")?;
        println!(
            "supervisor: the three answers on screen {:.1} s after the login screen, letters written {:.1} s after it",
            answered.as_secs_f64(),
            started.elapsed().as_secs_f64()
        );
        save_screenshot(&client, &shots, "48-dashboard-letters").await?;
        let input = wait_for_element(&client, &format!("{row} [data-testid=quota-input]")).await?;
        input.send_keys("1\u{e007}").await?;
        wait_for_element(&client, "[data-testid=dash-saved]").await.context("quota saved")?;
        if working {
            wait_until(Duration::from_secs(10), || async {
                Ok(attr(&client, row, "data-attainment").await?.as_deref() == Some("200"))
            })
            .await
            .context("2 decisions against a quota of 1")?;
        } else {
            // A day off: the work done is shown, no quota is missed.
            wait_for_element(&client, &format!("{row} [data-testid=no-quota]"))
                .await
                .context("no quota on a day off")?;
            let summary = text_of(&client, "[data-testid=summary-officers]").await?;
            anyhow::ensure!(summary.contains('✓'), "nobody is behind on a day off: {summary}");
        }
        save_screenshot(&client, &shots, "41-dashboard-quota-set").await?;
        click(&client, "[data-testid=export-officers-xlsx]").await?;
        let saved = wait_until(Duration::from_secs(10), || async {
            Ok(text_of(&client, "[data-testid=dash-saved]").await?.contains(".xlsx"))
        })
        .await;
        saved.context("export reported")?;
        // The letters and the workbook listed with their age (office days: a run across
        // midnight may see yesterday's letters), in the folder IT configured.
        let listed = wait_until(Duration::from_secs(10), || async {
            let rows = client.find_all(fantoccini::Locator::Css("[data-testid=export-file]")).await?;
            let mut ages = Vec::new();
            for r in &rows {
                ages.push(r.attr("data-age").await?.unwrap_or_default());
            }
            Ok(rows.len() == 2 && ages.iter().all(|a| a == "0" || a == "1"))
        })
        .await;
        listed.context("the export listed with its age")?;
        let folder = text_of(&client, "[data-testid=export-folder]").await?;
        anyhow::ensure!(folder.contains("exports"), "the folder shown: {folder}");
        show("export-files").await?;
        save_screenshot(&client, &shots, "42-dashboard-exported").await?;
        // The file the earlier version left in the data folder: counted, and moved out
        // to the export folder with one button.
        let old = text_of(&client, "[data-testid=export-old]").await?;
        anyhow::ensure!(old.contains("Còn 1 tệp xuất cũ"), "the old export counted: {old}");
        click(&client, "[data-testid=export-move-old]").await?;
        wait_until(Duration::from_secs(10), || async {
            let rows = client.find_all(fantoccini::Locator::Css("[data-testid=export-file]")).await?;
            let banner = client.find_all(fantoccini::Locator::Css("[data-testid=export-old]")).await?;
            Ok(rows.len() == 3 && banner.is_empty())
        })
        .await
        .context("the old export moved and listed")?;
        anyhow::ensure!(exports.join("backlog-07916-20261120-100000.csv").is_file(), "moved to the export folder");
        anyhow::ensure!(!old_exports.join("backlog-07916-20261120-100000.csv").exists(), "gone from the data folder");
        show("export-files").await?;
        save_screenshot(&client, &shots, "42b-dashboard-old-export-moved").await?;
        // The declaration canbo2 holds, taken away from the backlog table.
        click(&client, "[data-testid=take-away]").await?;
        wait_until(Duration::from_secs(20), || async {
            Ok(client.find_all(fantoccini::Locator::Css("[data-testid=take-away]")).await?.is_empty())
        })
        .await
        .context("nobody holds it any more")?;
        save_screenshot(&client, &shots, "43-dashboard-taken-away").await?;
        // And handed to canbo2 from the same table.
        wait_for_element(&client, "[data-testid=hand-over]").await?.select_by_value("canbo2.07916").await?;
        let handed = wait_until(Duration::from_secs(20), || async {
            Ok(text_of(&client, "[data-testid=dash-saved]").await?.contains("Đã giao"))
        })
        .await;
        handed.context("handed over")?;
        wait_until(Duration::from_secs(10), || async {
            Ok(!client.find_all(fantoccini::Locator::Css("[data-testid=take-away]")).await?.is_empty())
        })
        .await
        .context("the new holder shows")?;
        save_screenshot(&client, &shots, "4a-dashboard-handed-over").await?;
        // Days typed as an office writes them; a day that does not exist gets a sentence.
        show("dash-summary").await?;
        let from_field = wait_for_element(&client, "[data-testid=dash-from]").await?;
        from_field.clear().await?;
        from_field.send_keys("31/02/2026\u{e007}").await?;
        let refused = wait_until(Duration::from_secs(10), || async {
            Ok(text_of(&client, "[data-testid=dash-error]").await?.contains("ngày/tháng/năm"))
        })
        .await;
        refused.context("a day that does not exist is refused in Vietnamese")?;
        let week_ago = today - chrono::Days::new(6);
        from_field.clear().await?;
        from_field.send_keys(&format!("{}\u{e007}", week_ago.format("%-d/%-m/%Y"))).await?;
        let want_days = bhxh_domain::calendar::WorkCalendar::builtin().working_days(week_ago, today).to_string();
        let ranged = wait_until(Duration::from_secs(10), || async {
            Ok(attr(&client, "[data-testid=dash-working]", "data-working-days").await?.as_deref()
                == Some(want_days.as_str())
                && shown("[data-testid=dash-from]").await?.as_deref()
                    == Some(week_ago.format("%d/%m/%Y").to_string().as_str()))
        })
        .await;
        ranged.context("a week typed by hand: its working days")?;
        save_screenshot(&client, &shots, "4b-dashboard-typed-range").await?;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    if outcome.is_err() {
        let _ = save_screenshot(&client, &shots, "49-supervisor-failed").await;
        for testid in ["dash-error", "export-error", "export-folder"] {
            if let Ok(text) = text_of(&client, &format!("[data-testid={testid}]")).await {
                eprintln!("{testid}: {text}");
            }
        }
    }
    close_window(client, driver, display).await;
    central.kill();
    if let Err(e) = outcome {
        panic!("supervisor scenario failed: {e:?}\nscreenshots in {}; data in {}", shots.display(), work.display());
    }
    let mut files: Vec<String> = std::fs::read_dir(&exports)
        .expect("exports")
        .flatten()
        .map(|f| f.file_name().to_string_lossy().into_owned())
        .filter(|f| f != "backlog-07916-20261120-100000.csv")
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "one workbook and one letters PDF, beside the old export moved there: {files:?}");
    assert!(files[0].starts_with("cong-van-nhac-nho-07916-") && files[0].ends_with(".pdf"), "{files:?}");
    let pdf = std::fs::read(exports.join(&files[0])).expect("pdf");
    assert!(pdf.starts_with(b"%PDF"));
    assert_logs_clean(&work);
    let _ = std::fs::remove_dir_all(&work);
}

/// "Done when" of the office's paper-form rule: where the office wants the signed
/// paper Mẫu 01 before approving a registration, an officer cannot approve without
/// it, puts two on hold (H), sees them in the queue's "on hold" list, imports the
/// unit's stack (one of the two forms), approves that one from the queue, and the
/// supervisor's overview counts the one still waiting for its form in its unit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn office_with_the_paper_rule_holds_declarations_until_the_units_stack_arrives() {
    use bhxh_domain::{Channel, DeclarationKind, DeclarationStatus, PaperCase, PaperRule, Purpose};
    use bhxh_fixtures::forms::{FormData, FormVariant, stack_pdf};
    use rand::SeedableRng;
    let bins = Binaries::locate();
    let work = tempdir("e2e-paper-rule");
    let mut central = Central::start(&bins.central, &work.join("central"), None, 24).await;
    // The office approves an adult's registration only with the paper form, from either channel.
    let rule = PaperRule {
        required: [Channel::App, Channel::Portal]
            .map(|channel| PaperCase { purpose: Purpose::Register, kind: DeclarationKind::Adult, channel })
            .to_vec(),
    };
    central.set_paper_rule("giamsat.07916", "07916", &rule).await;
    let decls = central.declarations_of("canbo.07916", "07916").await;
    // Two adults registering, with no form attached, from the same unit.
    let adults: Vec<&bhxh_protocol::Declaration> = decls
        .iter()
        .filter(|d| d.fields.kind == DeclarationKind::Adult && d.fields.purpose == Purpose::Register)
        .filter(|d| d.documents.iter().all(|x| x.kind != bhxh_domain::DocumentKind::PaperForm))
        .filter(|d| d.fields.unit_code.is_some())
        .collect();
    let (first, second) = adults
        .iter()
        .enumerate()
        .find_map(|(i, a)| adults[i + 1..].iter().find(|b| b.fields.unit_code == a.fields.unit_code).map(|b| (*a, *b)))
        .expect("two adults of one unit in the demo");
    let unit = first.fields.unit_code.clone().unwrap_or_default();
    // The unit's stack: the first one's signed form only.
    let fonts = bhxh_fixtures::Fonts::load_system().expect("fonts");
    let form = FormData { declaration_id: &first.id, fields: &first.fields, office_name: "BHXH Quận 6" };
    let pdf =
        stack_pdf(&mut rand::rngs::StdRng::seed_from_u64(11), &fonts, &[(form, FormVariant::PRINTED)]).expect("stack");
    let pdf_path = work.join(format!("don-vi-{unit}.pdf"));
    std::fs::write(&pdf_path, &pdf).expect("write stack");

    let (display, driver, client) = open_window(&bins.desk, &work.join("desk"), &central.url, "canbo.07916").await;
    let shots = artifacts_dir();
    let outcome = async {
        log_in(&client).await?;
        wait_for_queue_count(&client, decls.len()).await?;
        for d in [first, second] {
            open_declaration(&client, &d.id).await?;
            wait_for_element(&client, "[data-testid=paper-rule][data-paper=missing]")
                .await
                .context("the rule shown")?;
            // A (approve) cannot be recorded without the form: the form says why.
            press(&client, "a").await?;
            wait_for_element(&client, "[data-testid=decision-form]").await?;
            let submit = client.find(fantoccini::Locator::Css("[data-testid=decision-submit]")).await?;
            anyhow::ensure!(submit.attr("disabled").await?.is_some(), "approve without the paper form is refused");
            if d.id == first.id {
                save_screenshot(&client, &shots, "50-paper-rule-approve-refused").await?;
            }
            // H puts it on hold for the paper form.
            click(&client, "[data-testid=decide-hold]").await?;
            click(&client, "[data-testid=decision-submit]").await?;
            let row = format!("[data-testid=queue-row][data-id='{}']", d.id);
            wait_until(Duration::from_secs(10), || async {
                Ok(attr(&client, &row, "data-on-hold").await?.as_deref() == Some("true"))
            })
            .await
            .with_context(|| format!("{} on hold in the queue", d.id))?;
        }
        // The queue's "on hold for paper form" list: the two.
        wait_for_element(&client, "[data-testid=filter-paper]").await?.select_by_value("on_hold").await?;
        wait_until(Duration::from_secs(10), || async {
            Ok(client.find_all(fantoccini::Locator::Css("[data-testid=queue-row]")).await?.len() == 2)
        })
        .await
        .context("two on hold")?;
        open_declaration(&client, &first.id).await?;
        save_screenshot(&client, &shots, "51-on-hold-queue").await?;
        // Away from the first, so that opening it again reads it afresh after the import.
        open_declaration(&client, &second.id).await?;
        // Delivered: the central service holds them on hold too.
        click(&client, "[data-testid=sync-now]").await?;
        for d in [first, second] {
            wait_until(Duration::from_secs(30), || async {
                Ok(central.status_of("canbo.07916", &d.id).await == DeclarationStatus::OnHold)
            })
            .await
            .with_context(|| format!("{} on hold centrally", d.id))?;
        }

        // The unit's stack comes in: its page matches the first by its QR code.
        click(&client, "[data-testid=import-button]").await?;
        let input = wait_for_element(&client, "[data-testid=paper-file]").await.context("[data-testid=paper-file]")?;
        input.send_keys(&pdf_path.display().to_string()).await?;
        wait_until(Duration::from_secs(60), || async {
            Ok(attr(&client, "[data-testid=import-summary]", "data-pages").await?.as_deref() == Some("1"))
        })
        .await
        .context("the stack imported")?;
        click(&client, "[data-testid=paper-import] header button").await?;
        // Approved from the on-hold list once its signed form is matched.
        open_declaration(&client, &first.id).await?;
        wait_for_element(&client, "[data-testid=paper-rule][data-paper=signed]").await.context("the form in")?;
        click(&client, "[data-testid=decide-approve]").await?;
        let note = wait_for_element(&client, "[data-testid=decision-note]").await?;
        note.send_keys("Đã nhận tờ khai giấy của đơn vị").await?;
        click(&client, "[data-testid=decision-submit]").await?;
        let row = format!("[data-testid=queue-row][data-id='{}']", first.id);
        wait_until(Duration::from_secs(10), || async {
            Ok(attr(&client, &row, "data-sync").await?.is_some_and(|s| s == "waiting" || s == "accepted"))
        })
        .await
        .context("the approval recorded")?;
        click(&client, "[data-testid=sync-now]").await?;
        wait_until(Duration::from_secs(30), || async {
            Ok(central.status_of("canbo.07916", &first.id).await == DeclarationStatus::Approved)
        })
        .await
        .context("approved centrally")?;
        anyhow::ensure!(central.status_of("canbo.07916", &second.id).await == DeclarationStatus::OnHold);
        Ok::<_, anyhow::Error>(())
    }
    .await;
    close_window(client, driver, display).await;
    if outcome.is_err() {
        central.kill();
        conclude("paper-rule scenario (officer)", outcome, &shots, &work);
        return;
    }

    // The supervisor's overview: the unit's one still on hold for its form.
    let on_hold_in_unit = central
        .declarations_of("giamsat.07916", "07916")
        .await
        .iter()
        .filter(|d| d.status == DeclarationStatus::OnHold && d.fields.unit_code.as_deref() == Some(unit.as_str()))
        .count();
    let (display, driver, client) =
        open_window(&bins.desk, &work.join("desk-supervisor"), &central.url, "giamsat.07916").await;
    let outcome = async {
        anyhow::ensure!(on_hold_in_unit == 1, "one left on hold in {unit}: {on_hold_in_unit}");
        log_in(&client).await?;
        wait_for_queue_count(&client, decls.len()).await?;
        click(&client, "[data-testid=dashboard-button]").await?;
        let cell = format!("[data-testid=dash-unit-row][data-unit='{unit}']");
        wait_until(Duration::from_secs(20), || async {
            Ok(attr(&client, &cell, "data-on-hold").await?.as_deref() == Some("1"))
        })
        .await
        .with_context(|| format!("{unit} counts one on hold"))?;
        // The rule as the office set it, for the supervisor to change.
        let ticked = client.find_all(fantoccini::Locator::Css("[data-testid=paper-rule-case]:checked")).await?.len();
        anyhow::ensure!(ticked == 2, "the two cases of the rule ticked: {ticked}");
        client.execute("document.querySelector('[data-testid=dash-units]').scrollIntoView()", vec![]).await?;
        save_screenshot(&client, &shots, "52-supervisor-paper-by-unit").await?;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    close_window(client, driver, display).await;
    central.kill();
    conclude("paper-rule scenario", outcome, &shots, &work);
}
