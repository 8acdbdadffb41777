//! Issue 6 in the core: the role matrix over every command, the idle lock, and a
//! copied data directory that shows nothing personal.

use super::{desk, login, server};
use bhxh_desk_core::api::{self, COMMANDS};
use bhxh_desk_core::ipc::PasswordChangedAnswer;
use bhxh_desk_core::{AppError, Desk, DeskConfig, ErrorCode, access};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Ok,
    NotLoggedIn,
    Forbidden,
    NotFound,
}

/// Who calls: nobody, or a demo account.
const CALLERS: &[(&str, Option<&str>)] = &[
    ("nobody", None),
    ("officer", Some("canbo.07916")),
    ("supervisor", Some("giamsat.07916")),
    ("helpdesk", Some("hotro.07916")),
    ("officer of another office", Some("canbo.07920")),
];

/// The expected answer of every command for every caller, in `CALLERS` order.
/// Every command of the app (and the document protocol) has a row: adding a
/// command without one fails `the_matrix_covers_every_command`.
fn matrix() -> Vec<(&'static str, [Expect; 5])> {
    use Expect::*;
    vec![
        ("prefill", [Ok, Ok, Ok, Ok, Ok]),
        ("login", [Ok, Ok, Ok, Ok, Ok]),
        ("status", [Ok, Ok, Ok, Ok, Ok]),
        // IT's questions on the phone: no citizen, no cache, whoever asks (the login screen too).
        ("about", [Ok, Ok, Ok, Ok, Ok]),
        ("support_bundle", [Ok, Ok, Ok, Ok, Ok]),
        // Each role syncs what it works on (the helpdesk: the masked directory).
        ("sync_now", [NotLoggedIn, Ok, Ok, Ok, Ok]),
        ("queue", [NotLoggedIn, Ok, Ok, Forbidden, Ok]),
        // A 07916 declaration and document: another office's are as good as absent.
        ("declaration", [NotLoggedIn, Ok, Ok, Forbidden, NotFound]),
        ("declaration_ahead", [NotLoggedIn, Ok, Ok, Forbidden, NotFound]),
        // Its documents are here already: nothing to download, no network needed.
        ("download_documents", [NotLoggedIn, Ok, Ok, Forbidden, NotFound]),
        // Only this session's own downloads are known: another office's id is no download.
        ("download_progress", [NotLoggedIn, Ok, Ok, Forbidden, Ok]),
        ("document", [NotLoggedIn, Ok, Ok, Forbidden, NotFound]),
        ("lock", [NotLoggedIn, Ok, Ok, Ok, Ok]),
        // The person's own input, whatever the role.
        ("activity", [NotLoggedIn, Ok, Ok, Ok, Ok]),
        ("unlock", [NotLoggedIn, Ok, Ok, Ok, Ok]),
        // Escalating the 07916 declaration (recorded locally; nobody syncs here).
        ("decide", [NotLoggedIn, Ok, Ok, Forbidden, NotFound]),
        // Withdrawing what was just decided; the other office has nothing to withdraw.
        ("withdraw", [NotLoggedIn, Ok, Ok, Forbidden, NotFound]),
        ("outbox", [NotLoggedIn, Ok, Ok, Forbidden, Ok]),
        ("reasons", [NotLoggedIn, Ok, Ok, Forbidden, Ok]),
        ("take", [NotLoggedIn, Ok, Ok, Forbidden, NotFound]),
        ("take_batch", [NotLoggedIn, Ok, Ok, Forbidden, Ok]),
        // A one-form PDF: anyone reviewing may import it into their own cache (the
        // other office's officer finds nothing of theirs in it) and look at it.
        ("import_paper", [NotLoggedIn, Ok, Ok, Forbidden, Ok]),
        ("paper_stack", [NotLoggedIn, Ok, Ok, Forbidden, Ok]),
        // Matching its page by hand to the 07916 declaration.
        ("match_paper", [NotLoggedIn, Ok, Ok, Forbidden, NotFound]),
        // The office's paper-form rule: its reviewers read it, its supervisor sets it.
        ("paper_rule", [NotLoggedIn, Ok, Ok, Forbidden, Ok]),
        ("set_paper_rule", [NotLoggedIn, Forbidden, Ok, Forbidden, Forbidden]),
        // A preference of the person, whatever the role.
        ("viewer_prefs", [NotLoggedIn, Ok, Ok, Ok, Ok]),
        ("set_viewer_prefs", [NotLoggedIn, Ok, Ok, Ok, Ok]),
        // The helpdesk console, on a 07916 person: the helpdesk's alone.
        ("lookup", [NotLoggedIn, Forbidden, Forbidden, Ok, Forbidden]),
        ("citizen_card", [NotLoggedIn, Forbidden, Forbidden, Ok, Forbidden]),
        ("log_call", [NotLoggedIn, Forbidden, Forbidden, Ok, Forbidden]),
        // The supervisor's dashboard, quota and export: the supervisor's alone.
        ("dashboard", [NotLoggedIn, Forbidden, Ok, Forbidden, Forbidden]),
        ("set_quota", [NotLoggedIn, Forbidden, Ok, Forbidden, Forbidden]),
        ("export_table", [NotLoggedIn, Forbidden, Ok, Forbidden, Forbidden]),
        // Where exports go and what is left there; a file not on the list is not found.
        ("export_folder", [NotLoggedIn, Forbidden, Ok, Forbidden, Forbidden]),
        ("choose_export_folder", [NotLoggedIn, Forbidden, Ok, Forbidden, Forbidden]),
        ("delete_export", [NotLoggedIn, Forbidden, NotFound, Forbidden, Forbidden]),
        ("open_export", [NotLoggedIn, Forbidden, NotFound, Forbidden, Forbidden]),
        ("move_old_exports", [NotLoggedIn, Forbidden, Ok, Forbidden, Forbidden]),
        // Taking the 07916 declaration away from whoever holds it (nobody: still fine).
        ("take_away", [NotLoggedIn, Forbidden, Ok, Forbidden, Forbidden]),
        // Handing the 07916 declaration to the other officer; a reminder letter to a unit.
        ("hand_over", [NotLoggedIn, Forbidden, Ok, Forbidden, Forbidden]),
        ("reminder_letters", [NotLoggedIn, Forbidden, Ok, Forbidden, Forbidden]),
        // No conflict to acknowledge anywhere.
        ("acknowledge", [NotLoggedIn, NotFound, NotFound, Forbidden, NotFound]),
        ("logout", [Ok, Ok, Ok, Ok, Ok]),
    ]
}

#[test]
fn the_matrix_covers_every_command() {
    let rows: BTreeSet<&str> = matrix().iter().map(|r| r.0).collect();
    let mut wanted: BTreeSet<&str> = COMMANDS.iter().copied().collect();
    wanted.insert("document");
    assert_eq!(rows, wanted, "every command needs a row in the role matrix");
    for c in &wanted {
        assert!(access::rule(c).is_some(), "{c} has no access rule");
    }
    assert!(access::rule("a_new_command").is_none(), "unknown commands are denied by default");
}

fn classify(r: &Result<Value, AppError>) -> Expect {
    match r {
        Ok(_) => Expect::Ok,
        Err(e) if e.code == ErrorCode::Unauthorized => Expect::NotLoggedIn,
        Err(e) if e.code == ErrorCode::Forbidden => Expect::Forbidden,
        Err(e) if e.code == ErrorCode::NotFound => Expect::NotFound,
        Err(e) => panic!("unexpected error {e:?}"),
    }
}

#[expect(clippy::too_many_arguments, reason = "one row of the role matrix, spelled out")]
async fn call(
    d: &Desk,
    command: &str,
    url: &str,
    user: Option<&str>,
    declaration: &str,
    document: &str,
    last_key: &mut Option<String>,
    pdf: &[u8],
    ma_so: &str,
) -> Result<Value, AppError> {
    match command {
        "lookup" => api::invoke(d, command, json!({"query": ma_so, "central": true})).await,
        "dashboard" => api::invoke(d, command, json!({})).await,
        "set_quota" => api::invoke(d, command, json!({"officer": "canbo.07916", "per_day": 35})).await,
        "set_paper_rule" => api::invoke(d, command, json!({"required": []})).await,
        "export_table" => api::invoke(d, command, json!({"table": "backlog", "format": "csv"})).await,
        "delete_export" => api::invoke(d, command, json!({"name": "../../etc/passwd", "folder": "/"})).await,
        "open_export" => api::invoke(d, command, json!({"name": "passwd", "folder": "/etc", "reveal": false})).await,
        "hand_over" => api::invoke(d, command, json!({"id": declaration, "officer": "canbo2.07916"})).await,
        "reminder_letters" => api::invoke(d, command, json!({"units": ["SQ0007Q"]})).await,
        "citizen_card" => api::invoke(d, command, json!({"ma_so_bhxh": ma_so, "phone": "0912345678"})).await,
        "log_call" => {
            let call = json!({"ma_so_bhxh": ma_so, "caller_name": "Chị Lan", "topic": "password",
                "outcome": "resolved", "note": "Hướng dẫn nhắn tin 8079", "flag": null});
            api::invoke(d, command, call).await
        }
        "import_paper" => api::invoke(d, command, json!({"pdf": pdf})).await,
        "set_viewer_prefs" => {
            let prefs = json!({"layout": "single", "focus": 1, "brightness": 1.2, "contrast": 1.0});
            api::invoke(d, command, prefs).await
        }
        "paper_stack" => api::invoke(d, command, json!({"sha256": bhxh_cache::store::sha256_hex(pdf)})).await,
        "match_paper" => {
            let sha = bhxh_cache::store::sha256_hex(pdf);
            api::invoke(d, command, json!({"sha256": sha, "page_index": 0, "declaration_id": declaration})).await
        }
        "decide" => {
            let r =
                api::invoke(d, command, json!({"id": declaration, "outcome": "escalate", "note": "Xin ý kiến"})).await;
            if let Ok(v) = &r {
                *last_key = v["key"].as_str().map(str::to_owned);
            }
            r
        }
        "withdraw" => {
            let key = last_key.clone().unwrap_or_else(|| "01890000-0000-7000-8000-000000000000".into());
            api::invoke(d, command, json!({"key": key})).await
        }
        "acknowledge" => api::invoke(d, command, json!({"key": "01890000-0000-7000-8000-000000000000"})).await,
        "take_batch" => api::invoke(d, command, json!({"count": 3})).await,
        "document" => d.document_bytes(document).map(|(ct, b)| json!({"content_type": ct, "len": b.len()})),
        "login" => {
            let (u, p) = user.map_or(("canbo.07916", "sai mật khẩu"), |u| (u, "demo"));
            let r = api::invoke(d, "login", json!({"central_url": url, "username": u, "password": p})).await;
            // Nobody trying a wrong password is refused, as it should be: the call itself is allowed.
            if user.is_none() {
                return match r {
                    Err(e) if e.code == ErrorCode::Unauthorized => Ok(Value::Null),
                    other => other,
                };
            }
            r
        }
        "declaration" | "declaration_ahead" | "take" | "take_away" | "download_documents" | "download_progress" => {
            api::invoke(d, command, json!({"id": declaration})).await
        }
        "lock" => {
            let r = api::invoke(d, "lock", Value::Null).await;
            if r.is_ok() {
                api::invoke(d, "unlock", json!({"password": "demo"})).await.expect("unlock after lock");
            }
            r
        }
        "unlock" => api::invoke(d, command, json!({"password": "demo"})).await,
        _ => api::invoke(d, command, Value::Null).await,
    }
}

#[tokio::test]
async fn every_command_with_every_role() {
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 8).await;
    let url = s.url();
    // A 07916 declaration with a stored document, as the officer of 07916 sees it.
    let (declaration, document, ma_so) = {
        let dir = tempfile::tempdir().expect("tmp");
        let d = desk(dir.path());
        d.login(login(&url, "canbo.07916", "demo")).await.expect("login");
        d.sync_now().await.expect("sync");
        let q = d.queue().expect("queue");
        let view = d.declaration(&q[0].id).expect("view");
        (view.id.clone(), view.documents[0].id.clone(), q[0].ma_so_bhxh.clone())
    };
    let pdf = super::paper_form_pdf(&declaration);
    let mut failures = Vec::new();
    for (i, (who, user)) in CALLERS.iter().enumerate() {
        let dir = tempfile::tempdir().expect("tmp");
        let exports = tempfile::tempdir().expect("tmp");
        let d = super::desk_exporting_to(dir.path(), exports.path());
        d.set_folder_picker(std::sync::Arc::new(super::supervisor::Picks(Some(exports.path().to_path_buf()))));
        if let Some(u) = user {
            d.login(login(&url, u, "demo")).await.expect("login");
            d.sync_now().await.expect("sync");
        }
        let mut last_key = None;
        for (command, expected) in matrix() {
            let got =
                classify(&call(&d, command, &url, *user, &declaration, &document, &mut last_key, &pdf, &ma_so).await);
            if got != expected[i] {
                failures.push(format!("{command} as {who}: expected {:?}, got {got:?}", expected[i]));
            }
        }
    }
    s.stop().await;
    assert!(failures.is_empty(), "role matrix:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn idle_and_manual_lock_unload_the_cache_until_the_password() {
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 4).await;
    let dir = tempfile::tempdir().expect("tmp");
    let d = super::desk_with_idle_lock(dir.path(), Duration::ZERO);
    d.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login");
    d.sync_now().await.expect("sync");
    let id = d.queue().expect("queue")[0].id.clone();
    d.lock_if_idle();
    let st = d.status().expect("status answers while locked");
    assert!(st.locked && st.session.is_some());
    assert_eq!(d.queue().expect_err("locked").code, ErrorCode::Locked);
    assert_eq!(d.declaration(&id).expect_err("locked").code, ErrorCode::Locked);
    assert_eq!(d.sync_now().await.expect_err("locked").code, ErrorCode::Locked);
    let wrong = d.unlock("sai").expect_err("wrong password");
    assert_eq!(wrong.code, ErrorCode::Unauthorized);
    assert!(wrong.message.vi.contains("Còn 4 lần thử"), "{}", wrong.message);
    // The English screen gets the same sentence with the same count.
    assert_eq!(wrong.message.en, "Wrong password. 4 tries left.");
    d.unlock("demo").expect("unlock");
    assert!(!d.status().expect("status").locked);
    assert_eq!(d.declaration(&id).expect("after unlock").id, id);
    d.lock().expect("lock by hand");
    assert!(d.status().expect("status").locked);
    s.stop().await;
}

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(files(&p)) } else { out.push(p) }
    }
    out
}

/// What a thief copying the data directory gets: no image, no ID number, no name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_data_directory_reveals_no_image_and_no_id_number() {
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 8).await;
    let dir = tempfile::tempdir().expect("tmp");
    let d = desk(dir.path());
    d.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login");
    let summary = d.sync_now().await.expect("sync");
    assert!(summary.documents_downloaded > 0);
    // What is read from the images (the QR's text), their screen copies and an
    // imported paper form are on disk too.
    assert!(tokio::task::block_in_place(|| d.analyse_pending()).expect("analyse") > 0);
    let first = d.queue().expect("queue")[0].id.clone();
    let pdf = super::paper_form_pdf(&first);
    tokio::task::block_in_place(|| d.import_paper(&pdf)).expect("import");
    let mut secrets: BTreeSet<Vec<u8>> = BTreeSet::new();
    // Made on this PC (no server-side control for these): the PDF, the screen copies.
    let mut made_here: Vec<Vec<u8>> = vec![pdf[pdf.len() / 2..pdf.len() / 2 + 32].to_vec()];
    for q in d.queue().expect("queue") {
        let v = d.declaration(&q.id).expect("view");
        for f in &v.fields {
            if ["field.cccd", "field.cmnd", "field.passport", "field.phone", "field.ma_so_bhxh", "field.full_name"]
                .contains(&f.key.as_str())
                && f.value.vi.len() >= 6
            {
                secrets.insert(f.value.vi.clone().into_bytes());
            }
        }
        // Every image: its header and a stretch of its pixels.
        for doc in &v.documents {
            let (_, bytes) = d.document_bytes(&doc.id).expect("bytes");
            secrets.insert(bytes[..20].to_vec());
            secrets.insert(bytes[bytes.len() / 2..bytes.len() / 2 + 32].to_vec());
            let (_, screen) = d.document_image(&doc.id, Some(bhxh_desk_core::ImageSize::Screen)).expect("screen");
            made_here.push(screen[screen.len() / 2..screen.len() / 2 + 32].to_vec());
        }
    }
    d.logout();
    drop(d);
    assert!(
        secrets.iter().any(|x| x.len() == 12 && x.iter().all(|b| b.is_ascii_digit())),
        "some CCCD numbers to look for"
    );
    // The control: every needle is there in the clear on the server's side.
    let server_files: Vec<Vec<u8>> = files(sdir.path()).iter().map(|f| std::fs::read(f).expect("read")).collect();
    for needle in &secrets {
        assert!(
            server_files.iter().any(|raw| raw.windows(needle.len()).any(|w| w == needle.as_slice())),
            "control: {:?} not found in the server's files",
            String::from_utf8_lossy(needle)
        );
    }
    let copy = tempfile::tempdir().expect("tmp");
    for f in files(dir.path()) {
        let raw = std::fs::read(&f).expect("read");
        let rel = f.strip_prefix(dir.path()).expect("inside");
        let to = copy.path().join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::write(&to, &raw).expect("copy");
        for needle in secrets.iter().chain(&made_here) {
            assert!(
                !raw.windows(needle.len()).any(|w| w == needle.as_slice()),
                "{:?} readable in {}",
                String::from_utf8_lossy(needle),
                rel.display()
            );
        }
    }
    // The copy does not open without the password, even with the right user name.
    let url = s.url();
    s.stop().await;
    let thief = desk(copy.path());
    let err = thief.login(login(&url, "canbo.07916", "đoán thử")).await.expect_err("no password");
    assert_eq!(err.code, ErrorCode::Unauthorized);
}

/// Issue 21, item 4: whoever answers at an address other than the profile's (or
/// the configured one) gets no password and no decision, and cannot make the
/// login re-wrap or set aside this PC's data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_to_another_server_sends_nothing_and_moves_nothing() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 6).await;
    let url = s.url();
    // The impostor: anything that connects is counted.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let fake = format!("http://{}", listener.local_addr().expect("addr"));
    let knocks = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&knocks);
    let impostor = tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(conn);
        }
    });
    let dir = tempfile::tempdir().expect("tmp");
    let d = desk(dir.path());
    d.login(login(&url, "canbo.07916", "demo")).await.expect("login");
    d.sync_now().await.expect("sync");
    let queue = d.queue().expect("queue");
    super::escalate(&d, &queue[0].id, "xin ý kiến lãnh đạo").expect("decide");
    d.logout();

    // Online: refused before anything is sent, whatever the password-changed answer says.
    let e = d.login(login(&fake, "canbo.07916", "demo")).await.expect_err("another server");
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(e.message.vi.contains("Chưa gửi mật khẩu"), "{}", e.message);
    for answer in
        [PasswordChangedAnswer::StartAfresh, PasswordChangedAnswer::Previous { previous_password: "demo".into() }]
    {
        let mut input = login(&fake, "canbo.07916", "mật khẩu khác");
        input.password_changed = Some(answer);
        assert_eq!(d.login(input).await.expect_err("refused").code, ErrorCode::Forbidden);
    }
    // The real server gone: the impostor's address opens nothing offline either.
    s.stop().await;
    assert_eq!(d.login(login(&fake, "canbo.07916", "demo")).await.expect_err("refused").code, ErrorCode::Forbidden);
    // The profile's own address: unlocked offline, same data, the decision still waiting for it.
    let session = d.login(login(&url, "canbo.07916", "demo")).await.expect("offline unlock");
    assert!(session.offline_login);
    assert_eq!(d.queue().expect("queue").len(), queue.len());
    assert_eq!(d.sync_now().await.expect_err("offline").code, ErrorCode::Offline);
    assert_eq!(d.outbox().expect("outbox").len(), 1);
    d.logout();

    // A desk whose central service is configured: another typed address is refused,
    // an empty one means the configured one.
    let configured = Desk::open(DeskConfig {
        data_dir: tempfile::tempdir().expect("tmp").keep(),
        central_url: Some(url.clone()),
        default_username: None,
        default_password: None,
        idle_lock: Duration::from_secs(900),
        retention_days: 7,
        max_offline_days: bhxh_desk_core::DEFAULT_MAX_OFFLINE_DAYS,
        document_policy: Default::default(),
        export_dir: None,
        central_cert_pin: None,
        clock: bhxh_domain::Clock::System,
        office_code: None,
        deployment: Default::default(),
    })
    .expect("desk");
    assert!(configured.prefill().expect("prefill").central_url_fixed);
    let e = configured.login(login(&fake, "canbo.07916", "demo")).await.expect_err("not the configured server");
    assert_eq!(e.code, ErrorCode::Forbidden);
    let e = configured.login(login("", "canbo.07916", "demo")).await.expect_err("the configured server is down");
    assert_eq!(e.code, ErrorCode::Offline, "tried the configured server: {e:?}");

    assert_eq!(knocks.load(Ordering::SeqCst), 0, "the impostor was contacted");
    impostor.abort();
}

/// A demo server's state in `dir` and its own self-signed certificate (not started).
fn tls_server(dir: &Path) -> (bhxh_central::AppState, bhxh_central::ServerTls) {
    let state = bhxh_central::AppState::open(&bhxh_central::ServerConfig {
        data_dir: dir.to_path_buf(),
        admin: false,
        faults: bhxh_protocol::FaultSettings::default(),
    })
    .expect("state");
    bhxh_central::seed_demo(&state, 2, 4).expect("demo");
    let tls = bhxh_central::ServerTls::self_signed(&dir.join("tls")).expect("certificate");
    (state, tls)
}

/// With the central service's certificate pinned, the desk logs in over HTTPS to
/// that server only; another certificate is refused in Vietnamese, as a matter
/// for IT (not "offline"), and nothing is cached.
#[tokio::test]
async fn a_pinned_certificate_is_the_only_one_the_desk_talks_to() {
    use bhxh_central::start_with;
    let (adir, bdir) = (tempfile::tempdir().expect("tmp"), tempfile::tempdir().expect("tmp"));
    let (state, tls) = tls_server(adir.path());
    let pin: bhxh_desk_core::CertPin = tls.fingerprint.parse().expect("pin");
    let pinned = start_with("127.0.0.1:0".parse().expect("addr"), state, Some(tls)).await.expect("server");
    let (state, tls) = tls_server(bdir.path());
    let impostor = start_with("127.0.0.1:0".parse().expect("addr"), state, Some(tls)).await.expect("server");
    let open = |dir: &Path| {
        Desk::open(DeskConfig {
            data_dir: dir.to_path_buf(),
            central_url: None,
            default_username: None,
            default_password: None,
            idle_lock: Duration::from_secs(900),
            retention_days: 7,
            max_offline_days: bhxh_desk_core::DEFAULT_MAX_OFFLINE_DAYS,
            document_policy: Default::default(),
            export_dir: None,
            central_cert_pin: Some(pin),
            clock: bhxh_domain::Clock::System,
            office_code: None,
            deployment: Default::default(),
        })
        .expect("desk")
    };
    let dir = tempfile::tempdir().expect("tmp");
    let d = open(dir.path());
    let e = d.login(login(&impostor.url(), "canbo.07916", "demo")).await.expect_err("another certificate");
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(e.message.vi.contains("Chứng chỉ bảo mật của máy chủ trung tâm không đúng"), "{}", e.message);
    assert!(d.status().expect("status").session.is_none(), "not logged in, not even offline");
    let s = d.login(login(&pinned.url(), "canbo.07916", "demo")).await.expect("the pinned server");
    assert!(!s.offline_login);
    d.sync_now().await.expect("sync over the pinned connection");
    assert!(!d.queue().expect("queue").is_empty());
    pinned.stop().await;
    impostor.stop().await;
}

/// IT's configuration file drives the desk: its server and certificate pin are the only ones the password goes to
/// (a wrong pin refuses the login as a matter for IT), a flag does not override them in a release, an account of
/// another office than the file's is not logged in, and a malformed file logs no one in, saying its line.
#[tokio::test]
async fn the_machines_configuration_file_names_the_server_its_certificate_and_the_office() {
    use bhxh_central::start_with;
    use bhxh_desk_core::deployment::{ConfigFiles, Deployment, Overrides, Source};
    let (adir, bdir) = (tempfile::tempdir().expect("tmp"), tempfile::tempdir().expect("tmp"));
    let (state, tls) = tls_server(adir.path());
    let right_pin = tls.fingerprint.clone();
    let server = start_with("127.0.0.1:0".parse().expect("addr"), state, Some(tls)).await.expect("server");
    let (_state, other_tls) = tls_server(bdir.path());
    let cfg = tempfile::tempdir().expect("tmp");
    let machine = cfg.path().join("config.toml");
    let files = ConfigFiles { machine: Some(machine.clone()), user: None, guard_machine: false };
    let desk_from = |text: &str, flags: Overrides| {
        std::fs::write(&machine, text).expect("write");
        let config = match Deployment::load_from(&files, flags, true) {
            Ok(d) => DeskConfig::deployed(&d, tempfile::tempdir().expect("tmp").keep()),
            Err(e) => DeskConfig {
                deployment: bhxh_desk_core::deployment::Report::refused(&e),
                ..DeskConfig::deployed(&Deployment::default(), tempfile::tempdir().expect("tmp").keep())
            },
        };
        Desk::open(config).expect("desk")
    };
    let url = server.url();

    // The wrong pin: refused before a password is sent, whatever is typed.
    let d = desk_from(
        &format!("central_url = \"{url}\"\ncentral_cert_sha256 = \"{}\"\n", other_tls.fingerprint),
        Overrides::default(),
    );
    let p = d.prefill().expect("prefill");
    assert!(p.central_url_fixed && p.central_url == url && p.config_problem.is_none());
    let e = d.login(login("", "canbo.07916", "demo")).await.expect_err("wrong pin");
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(e.message.vi.contains("Chứng chỉ bảo mật của máy chủ trung tâm không đúng"), "{}", e.message);
    assert!(d.status().expect("status").session.is_none());
    let about = d.about();
    let row = |k: &str| about.settings.iter().find(|r| r.key == k).expect("row").clone();
    assert_eq!((row("central_url").value, row("central_url").source), (url.clone(), Source::MachineFile));
    assert_eq!(row("idle_lock_minutes").source, Source::Default);

    // The right pin; a flag naming another server is ignored in a release.
    let flags = Overrides { central_url: Some("https://127.0.0.1:9".into()), ..Overrides::default() };
    let d = desk_from(&format!("central_url = \"{url}\"\ncentral_cert_sha256 = \"{right_pin}\"\n"), flags);
    let s = d.login(login(&url, "canbo.07916", "demo")).await.expect("the configured server, pinned");
    assert!(!s.offline_login);
    d.logout();

    // The PC belongs to another office: the account of 07916 is not logged in here.
    let d = desk_from(
        &format!("central_url = \"{url}\"\ncentral_cert_sha256 = \"{right_pin}\"\noffice_code = \"07920\"\n"),
        Overrides::default(),
    );
    let e = d.login(login("", "canbo.07916", "demo")).await.expect_err("another office");
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert!(e.message.vi.contains("máy này được cài đặt cho cơ quan mã 07920"), "{}", e.message);

    // A malformed file: said on the login screen, and no one logs in.
    let d = desk_from(&format!("central_url = \"{url}\"\nidle_lock_minutes = \"mười lăm\"\n"), Overrides::default());
    let problem = d.prefill().expect("prefill").config_problem.expect("the problem is said");
    assert!(problem.vi.contains("dòng 2") && problem.vi.contains("idle_lock_minutes"), "{}", problem.vi);
    let e = d.login(login(&url, "canbo.07916", "demo")).await.expect_err("refused file");
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert_eq!(e.message.vi, problem.vi);
    server.stop().await;
}

/// "Gửi nhật ký hỗ trợ": the app's log files and the About text, zipped into the export folder; nothing else of the
/// log folder (another program's file, a link planted there) and nothing of the data folder.
#[tokio::test]
async fn the_support_bundle_holds_the_logs_and_the_versions_only() {
    use std::io::Read;
    let logs = tempfile::tempdir().expect("tmp");
    std::fs::write(logs.path().join("bhxh-desk.2026-12-04.log"), "2026-12-04T01:00:00Z INFO logged in online\n")
        .expect("log");
    std::fs::write(logs.path().join("bhxh-desk.2026-12-05.log"), "2026-12-05T01:00:00Z INFO sync round done\n")
        .expect("log");
    std::fs::write(logs.path().join("notes.txt"), "not ours").expect("other");
    let data = tempfile::tempdir().expect("tmp");
    // A link under a log's name to a file of someone's: not followed into the bundle.
    let secret = data.path().join("not-a-log.txt");
    std::fs::write(&secret, "Nguyễn Văn An 079123456789").expect("secret");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&secret, logs.path().join("bhxh-desk.link.log")).expect("link");
    let exports = tempfile::tempdir().expect("tmp");
    let mut config =
        DeskConfig::deployed(&bhxh_desk_core::deployment::Deployment::default(), data.path().to_path_buf());
    config.export_dir = Some(exports.path().to_path_buf());
    config.deployment.log_dir = Some(logs.path().to_path_buf());
    let d = Desk::open(config).expect("desk");
    let bundle = d.support_bundle().expect("bundle");
    assert_eq!(bundle.logs, 2);
    let path = std::path::PathBuf::from(&bundle.path);
    assert_eq!(path.parent(), Some(exports.path()));
    assert!(path.file_name().expect("name").to_string_lossy().starts_with("nhat-ky-ho-tro-"));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).expect("open")).expect("zip");
    let mut names: Vec<String> =
        (0..zip.len()).map(|i| zip.by_index(i).expect("entry").name().expect("name").into_owned()).collect();
    names.sort();
    assert_eq!(names, ["logs/bhxh-desk.2026-12-04.log", "logs/bhxh-desk.2026-12-05.log", "thong-tin.txt"]);
    let mut about = String::new();
    zip.by_name("thong-tin.txt").expect("about").read_to_string(&mut about).expect("read");
    assert!(about.contains(&format!("bhxh-desk {}", env!("CARGO_PKG_VERSION"))), "{about}");
    assert!(about.contains("central_url") && about.contains("idle_lock_minutes = \"15\""), "{about}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the bundle is the user's only");
    }
}

/// The officer changed their password on the central portal while a decision
/// waited on this PC: the desk asks for the previous password once, keeps the same
/// data (locked again under the new password) and delivers the decision. Forgetting
/// it starts afresh without deleting anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_changed_centrally_keeps_the_unsent_decision() {
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 6).await;
    let dir = tempfile::tempdir().expect("tmp");
    let d = desk(dir.path());
    d.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login");
    d.sync_now().await.expect("sync");
    let id = d.queue().expect("queue")[0].id.clone();
    super::escalate(&d, &id, "xin ý kiến lãnh đạo").expect("decide");
    d.logout();
    assert!(s.state.set_password("canbo.07916", "mật khẩu mới").expect("set"));

    // The new password alone: the central service says yes, the PC asks for the old one.
    let err = d.login(login(&s.url(), "canbo.07916", "mật khẩu mới")).await.expect_err("asks");
    assert_eq!(err.code, ErrorCode::PasswordChanged);
    assert!(err.message.vi.contains("mật khẩu cũ"), "{}", err.message);
    assert!(d.outbox().is_err(), "not logged in while asked");
    let mut wrong = login(&s.url(), "canbo.07916", "mật khẩu mới");
    wrong.password_changed = Some(PasswordChangedAnswer::Previous { previous_password: "sai".into() });
    let err = d.login(wrong).await.expect_err("wrong previous");
    assert_eq!(err.code, ErrorCode::PasswordChanged);
    assert!(err.message.vi.contains("Còn 4 lần thử"), "{}", err.message);

    let mut right = login(&s.url(), "canbo.07916", "mật khẩu mới");
    right.password_changed = Some(PasswordChangedAnswer::Previous { previous_password: "demo".into() });
    d.login(right).await.expect("the previous password opens the same data");
    assert_eq!(d.outbox().expect("outbox")[0].state, bhxh_cache::OutboxState::Waiting, "the decision is still here");
    assert_eq!(d.sync_now().await.expect("sync").decisions_delivered, 1);
    d.logout();
    // From now on the new password opens the data offline too; the old one does not.
    d.login_offline(login(&s.url(), "canbo.07916", "mật khẩu mới")).expect("offline with the new password");
    assert_eq!(d.outbox().expect("outbox")[0].state, bhxh_cache::OutboxState::Accepted);
    d.logout();
    assert!(d.login_offline(login(&s.url(), "canbo.07916", "demo")).is_err());

    // Changed again and the previous one forgotten: a fresh start, the old data set aside.
    assert!(s.state.set_password("canbo.07916", "lần ba").expect("set"));
    let mut afresh = login(&s.url(), "canbo.07916", "lần ba");
    afresh.password_changed = Some(PasswordChangedAnswer::StartAfresh);
    d.login(afresh).await.expect("start afresh");
    assert!(d.outbox().expect("outbox").is_empty());
    let aside = std::fs::read_dir(dir.path().join("users"))
        .expect("users")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("canbo.07916.replaced-"))
        .count();
    assert_eq!(aside, 1, "the old data is kept, still sealed");
    s.stop().await;
}

/// Locking drops the open session: the sync waiting on a slow central service and
/// the document analysis stop, and nothing holds the cache (its key) any more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_stops_the_sessions_work_and_lets_go_of_its_cache() {
    use bhxh_central::{AppState, ServerConfig, seed_demo, start};
    let sdir = tempfile::tempdir().expect("tmp");
    let config = ServerConfig { data_dir: sdir.path().to_path_buf(), admin: false, faults: Default::default() };
    let state = AppState::open(&config).expect("state").with_clock(super::test_clock());
    seed_demo(&state, 6, super::DEMO_SEED).expect("demo");
    let faults = state.faults.clone();
    let s = start("127.0.0.1:0".parse().expect("addr"), state).await.expect("start");
    let dir = tempfile::tempdir().expect("tmp");
    let d = std::sync::Arc::new(desk(dir.path()));
    d.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login");
    d.sync_now().await.expect("sync");

    // The next sync waits half a minute for every page.
    faults.write().expect("faults").latency_ms = 30_000;
    let sync = tokio::spawn({
        let d = d.clone();
        async move { d.sync_now().await }
    });
    let analysis = tokio::task::spawn_blocking({
        let d = d.clone();
        move || d.analyse_pending()
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !d.status().expect("status").syncing {
        assert!(std::time::Instant::now() < deadline, "the sync never started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let watch = d.watch_session().expect("an open session");
    assert!(watch.alive());

    d.lock().expect("lock");
    // Far less than the slow page takes: the sync did not wait for it.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while watch.alive() {
        assert!(std::time::Instant::now() < deadline, "something still holds the locked session's cache");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(sync.await.expect("task").expect_err("cancelled").code, ErrorCode::Locked);
    analysis.await.expect("task").expect("analysis stops without an error");
    let st = d.status().expect("status");
    assert!(st.locked && !st.syncing);

    // The password opens a new session that syncs again.
    faults.write().expect("faults").latency_ms = 0;
    d.unlock("demo").expect("unlock");
    d.sync_now().await.expect("sync after unlock logs in again");
    s.stop().await;
}

/// What the window calls by itself (the queue after a sync, a declaration's renewal,
/// the status poll) is not activity: an officer who walked away is locked out while
/// the app keeps working. Only the person's own input (`activity`) starts the wait over.
#[tokio::test]
async fn only_the_persons_own_input_keeps_the_idle_lock_away() {
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 4).await;
    let dir = tempfile::tempdir().expect("tmp");
    let idle = Duration::from_millis(300);
    let d = super::desk_with_idle_lock(dir.path(), idle);
    d.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login");
    d.sync_now().await.expect("sync");
    let id = d.queue().expect("queue")[0].id.clone();

    // Own input, then the idle lock's check at once: still open.
    d.activity().expect("activity");
    d.lock_if_idle();
    assert!(!d.status().expect("status").locked, "input just now keeps the session open");

    // The window keeps calling commands by itself for longer than the idle time.
    let started = std::time::Instant::now();
    while started.elapsed() < idle {
        d.queue().expect("queue");
        d.declaration(&id).expect("declaration");
        d.status().expect("status");
    }
    d.lock_if_idle();
    assert!(d.status().expect("status").locked, "commands the window sends by itself are not activity");
    s.stop().await;
}

/// Issue 21, item 7: the data opens offline for a number of days after the last
/// online login, no longer; and the central service's "wipe" is honoured at the
/// next online login, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_unlock_ends_after_the_allowed_days_and_a_wipe_is_honoured() {
    let desk_at = |dir: &Path, days: i64| {
        Desk::open(DeskConfig {
            data_dir: dir.to_path_buf(),
            central_url: None,
            default_username: None,
            default_password: None,
            idle_lock: Duration::from_secs(900),
            retention_days: 7,
            max_offline_days: bhxh_desk_core::DEFAULT_MAX_OFFLINE_DAYS,
            document_policy: Default::default(),
            export_dir: None,
            central_cert_pin: None,
            clock: bhxh_domain::Clock::starting_at(bhxh_desk_core::desk_clock().now() + chrono::TimeDelta::days(days)),
            office_code: None,
            deployment: Default::default(),
        })
        .expect("desk")
    };
    let escalate = |d: &Desk, id: String| super::escalate(d, &id, "xin ý kiến lãnh đạo").expect("decide");

    // The limit: online once, then the network unplugged.
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 6).await;
    let url = s.url();
    let dir = tempfile::tempdir().expect("tmp");
    desk(dir.path()).login(login(&url, "canbo.07916", "demo")).await.expect("online");
    s.stop().await;
    let e = desk_at(dir.path(), 8).login(login(&url, "canbo.07916", "demo")).await.expect_err("eight days offline");
    assert_eq!(e.code, ErrorCode::Offline);
    assert!(e.message.vi.contains("quá 7 ngày"), "{}", e.message);
    let six = desk_at(dir.path(), 6).login(login(&url, "canbo.07916", "demo")).await.expect("six days offline");
    assert!(six.offline_login);

    // The wipe: a decision waits on this PC when the central service asks.
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 6).await;
    let dir = tempfile::tempdir().expect("tmp");
    let d = desk(dir.path());
    d.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login");
    d.sync_now().await.expect("sync");
    escalate(&d, d.queue().expect("queue")[0].id.clone());
    assert_eq!(d.outbox().expect("outbox").len(), 1);
    d.logout();
    assert!(s.state.with_store(|st| st.request_wipe("canbo.07916", s.state.now())).expect("wipe"));
    d.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login after the wipe");
    assert!(d.outbox().expect("outbox").is_empty(), "the unsent decision went with the data");
    assert!(d.queue().expect("queue").is_empty(), "a fresh cache");
    d.logout();
    {
        let profiles = bhxh_cache::Profiles::open(dir.path()).expect("profiles");
        let (_, key) =
            profiles.unlock_offline("canbo.07916", "demo", bhxh_desk_core::desk_clock().now(), 7).expect("the new key");
        let cache = bhxh_cache::Cache::open(&profiles.cache_dir("canbo.07916").expect("dir"), key).expect("cache");
        let audit = cache.recent_audit(20).expect("audit");
        assert!(audit.iter().any(|a| a.detail.contains("wiped")), "the new cache says why it is new: {audit:?}");
    }
    // Once: the next login keeps what was made since.
    d.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login");
    d.sync_now().await.expect("sync");
    escalate(&d, d.queue().expect("queue")[0].id.clone());
    d.logout();
    d.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login again");
    assert_eq!(d.outbox().expect("outbox").len(), 1);
    s.stop().await;
}

/// Every citizen's document that reaches the screen is covered by one audit row per
/// view: an opening writes one (a refresh of the open declaration none), and an
/// image served before its declaration was opened (fetched ahead) writes its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_view_of_a_citizens_documents_is_audited_once() {
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 6).await;
    let dir = tempfile::tempdir().expect("tmp");
    let d = desk(dir.path());
    d.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login");
    d.sync_now().await.expect("sync");
    let queue = d.queue().expect("queue");
    let with_docs: Vec<_> = queue.iter().filter(|q| !q.document_ids.is_empty()).take(2).collect();
    let (a, b) = (with_docs[0], with_docs[1]);

    d.declaration(&a.id).expect("open A");
    d.declaration(&a.id).expect("A refreshed");
    // B's view loaded ahead while A is read: nothing shown, nothing written, A still the open one.
    d.declaration_ahead(&b.id).expect("B ahead");
    d.declaration(&a.id).expect("A refreshed again");
    d.document_image(&a.document_ids[0], Some(bhxh_desk_core::ImageSize::Screen)).expect("A's image");
    // B's images fetched ahead of its opening, twice.
    for _ in 0..2 {
        d.document_image(&b.document_ids[0], Some(bhxh_desk_core::ImageSize::Thumb)).expect("B's image");
    }
    d.declaration(&b.id).expect("open B");
    d.declaration(&a.id).expect("back to A");
    d.logout();

    let profiles = bhxh_cache::Profiles::open(dir.path()).expect("profiles");
    let (_, key) =
        profiles.unlock_offline("canbo.07916", "demo", bhxh_desk_core::desk_clock().now(), 7).expect("the key");
    let cache = bhxh_cache::Cache::open(&profiles.cache_dir("canbo.07916").expect("dir"), key).expect("cache");
    let views: Vec<(String, String)> = cache
        .recent_audit(100)
        .expect("audit")
        .into_iter()
        .rev()
        .filter(|r| r.action == "view_documents")
        .map(|r| (r.subject, r.detail))
        .collect();
    let row = |id: &str, detail: &str| (id.to_owned(), detail.to_owned());
    assert_eq!(
        views,
        vec![row(&a.id, ""), row(&b.id, "served"), row(&b.id, ""), row(&a.id, "")],
        "one row per opening and one for images served ahead"
    );
    s.stop().await;
}

/// Rows cut off the end of a PC's audit chain leave a chain that holds; the central
/// service, told the head at every sync, notices that it went back and records it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_chain_cut_at_its_end_is_noticed_by_the_central_service() {
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 6).await;
    let dir = tempfile::tempdir().expect("tmp");
    let d = desk(dir.path());
    let mismatches = || {
        s.state
            .with_store(|st| st.audit_of("canbo.07916"))
            .expect("audit")
            .into_iter()
            .filter(|(action, _, _)| action == "audit_chain_mismatch")
            .count()
    };
    d.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login");
    d.sync_now().await.expect("sync");
    let id = d.queue().expect("queue")[0].id.clone();
    super::escalate(&d, &id, "chờ lãnh đạo").expect("decide");
    d.sync_now().await.expect("sync delivers");
    d.sync_now().await.expect("sync again");
    assert_eq!(mismatches(), 0, "an honest chain only grows");
    d.logout();

    // Someone with the file drops the decision's rows from the end of the chain.
    let db = dir.path().join("users").join("canbo.07916").join("cache.sqlite3");
    {
        let conn = rusqlite::Connection::open(&db).expect("open");
        let decided: i64 = conn
            .query_row("SELECT min(seq) FROM audit WHERE action = 'decide'", [], |r| r.get(0))
            .expect("the decision's row");
        conn.execute_batch(&format!("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq >= {decided};"))
            .expect("cut");
    }
    let left = bhxh_desk_core::headless::audit_verify(dir.path(), "canbo.07916", "demo").expect("verify");
    assert_eq!(left.first_broken, None, "what is left holds on the PC");
    d.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login");
    d.sync_now().await.expect("sync");
    assert_eq!(mismatches(), 1, "the central service saw the chain go back");
    // Recorded once: the next round follows the head it now knows.
    d.sync_now().await.expect("sync");
    assert_eq!(mismatches(), 1);
    s.stop().await;
}
