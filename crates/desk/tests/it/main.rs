//! The desk core against a real reference server: online login, sync, offline
//! unlock, role checks, what the views show.

use bhxh_central::{AppState, RunningServer, ServerConfig, seed_demo, start};
use bhxh_desk_core::ipc::LoginInput;
use bhxh_desk_core::{Desk, DeskConfig, ErrorCode};
use bhxh_protocol::FaultSettings;
use std::path::Path;

mod documents;
mod helpdesk;
mod paper;
mod paper_rule;
mod security;
mod supervisor;
mod unmask;

async fn server(dir: &Path, n: u64) -> RunningServer {
    let state =
        AppState::open(&ServerConfig { data_dir: dir.to_path_buf(), admin: false, faults: FaultSettings::default() })
            .expect("state")
            .with_clock(test_clock());
    seed_demo(&state, n, DEMO_SEED).expect("demo");
    start("127.0.0.1:0".parse().expect("addr"), state).await.expect("start")
}

fn desk(dir: &Path) -> Desk {
    desk_with_idle_lock(dir, bhxh_desk_core::DEFAULT_IDLE_LOCK)
}

/// A desk whose idle lock fires after `idle` (the lock tests).
fn desk_with_idle_lock(dir: &Path, idle: std::time::Duration) -> Desk {
    desk_with(dir, idle, None)
}

/// A desk whose exports go to the folder IT configured.
fn desk_exporting_to(dir: &Path, exports: &Path) -> Desk {
    desk_with(dir, bhxh_desk_core::DEFAULT_IDLE_LOCK, Some(exports.to_path_buf()))
}

/// A desk that downloads ahead and keeps as `policy` says.
fn desk_with_policy(dir: &Path, policy: bhxh_cache::DocumentPolicy) -> Desk {
    let mut config = config(dir, bhxh_desk_core::DEFAULT_IDLE_LOCK, None);
    config.document_policy = policy;
    Desk::open(config).expect("desk")
}

fn desk_with(dir: &Path, idle: std::time::Duration, export_dir: Option<std::path::PathBuf>) -> Desk {
    Desk::open(config(dir, idle, export_dir)).expect("desk")
}

fn config(dir: &Path, idle: std::time::Duration, export_dir: Option<std::path::PathBuf>) -> DeskConfig {
    DeskConfig {
        data_dir: dir.to_path_buf(),
        central_url: None,
        default_username: None,
        default_password: None,
        idle_lock: idle,
        retention_days: 7,
        max_offline_days: bhxh_desk_core::DEFAULT_MAX_OFFLINE_DAYS,
        document_policy: Default::default(),
        export_dir,
        central_cert_pin: None,
        clock: test_clock(),
        office_code: None,
        deployment: Default::default(),
    }
}

/// The machine's clock, or the office at another hour when `BHXH_CLOCK_START` says
/// so (`scripts/test` runs the date-dependent tests at 23:59 and 00:01 office time).
fn test_clock() -> bhxh_domain::Clock {
    bhxh_desk_core::desk_clock()
}

/// The demo server's seed: the generator gives the same people it filed.
const DEMO_SEED: u64 = 4;

/// A one-page printed Mẫu 01 for `declaration_id` (the person is the generator's first).
fn paper_form_pdf(declaration_id: &str) -> Vec<u8> {
    use rand::SeedableRng;
    let g = bhxh_fixtures::Generator::new(DEMO_SEED).expect("generator");
    let fonts = bhxh_fixtures::Fonts::load_system().expect("fonts");
    let person = g.declared_person(0, chrono::Utc::now()).expect("person");
    let form = bhxh_fixtures::forms::FormData { declaration_id, fields: &person.fields, office_name: "BHXH Quận 6" };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    bhxh_fixtures::forms::stack_pdf(&mut rng, &fonts, &[(form, bhxh_fixtures::forms::FormVariant::PRINTED)])
        .expect("pdf")
}

/// Escalates `id` with a note: the decision most tests need, since it asks for no
/// reason code and no paper form.
fn escalate(d: &Desk, id: &str, note: &str) -> Result<bhxh_desk_core::ipc::DecisionReceipt, bhxh_desk_core::AppError> {
    d.decide(bhxh_desk_core::ipc::DecideInput {
        id: id.to_owned(),
        draft: bhxh_domain::DecisionDraft {
            outcome: bhxh_domain::Outcome::Escalate,
            reasons: vec![],
            note: Some(note.into()),
            paper_seen: false,
        },
    })
}

fn login(url: &str, user: &str, password: &str) -> LoginInput {
    LoginInput::new(url, user, password)
}

#[tokio::test]
async fn online_then_offline_on_the_same_cache() {
    let sdir = tempfile::tempdir().expect("tmp");
    let ddir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 8).await;
    let url = s.url();

    let d = desk(ddir.path());
    let session = d.login(login(&url, "canbo.07916", "demo")).await.expect("online login");
    assert!(!session.offline_login);
    assert_eq!(session.office_name.as_deref(), Some("BHXH Cơ sở Quận 6"));
    let summary = d.sync_now().await.expect("sync");
    assert_eq!(summary.documents_failed, 0);
    let queue = d.queue().expect("queue");
    assert_eq!(queue.len() as u32, summary.declarations);
    let view = d.declaration(&queue[0].id).expect("declaration");
    let office = view.fields.iter().find(|f| f.key == "field.office_code").expect("office field");
    assert!(office.value.vi.starts_with("[07916] BHXH"), "{}", office.value);
    let doc = &view.documents[0];
    assert!(doc.available);
    let (ct, bytes) = d.document_bytes(&doc.id).expect("bytes");
    assert_eq!(ct, "image/jpeg");
    assert_eq!(&bytes[..2], &[0xFF, 0xD8]);
    assert!(d.status().expect("status").online);
    s.stop().await;

    // The central service is gone: a new start of the app unlocks from the cache.
    let d = desk(ddir.path());
    let err = d.login(login(&url, "canbo.07916", "sai")).await.expect_err("wrong password offline");
    assert_eq!(err.code, ErrorCode::Unauthorized);
    let session = d.login(login(&url, "canbo.07916", "demo")).await.expect("offline unlock");
    assert!(session.offline_login);
    assert_eq!(d.queue().expect("queue").len(), queue.len());
    assert!(!d.status().expect("status").online);
    let err = d.sync_now().await.expect_err("no network");
    assert_eq!(err.code, ErrorCode::Offline);
    assert!(d.status().expect("status").last_error.is_some());
}

#[tokio::test]
async fn first_login_without_network_says_there_is_no_cache_yet() {
    let ddir = tempfile::tempdir().expect("tmp");
    let d = desk(ddir.path());
    let err = d.login(login("http://127.0.0.1:9", "canbo.07916", "demo")).await.expect_err("offline");
    assert_eq!(err.code, ErrorCode::Offline);
    assert!(err.message.vi.contains("Lần đăng nhập đầu tiên cần có mạng"), "{}", err.message);
    assert!(err.message.en.contains("The first login needs a network connection"), "{}", err.message.en);
    let err = d.login(login("không phải url", "canbo.07916", "demo")).await.expect_err("bad url");
    assert_eq!(err.code, ErrorCode::Validation);
    let err = d.login(login("http://127.0.0.1:9", "", "")).await.expect_err("empty");
    assert_eq!(err.code, ErrorCode::Validation);
}

#[tokio::test]
async fn roles_and_offices_are_checked_in_rust() {
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 6).await;
    let ddir = tempfile::tempdir().expect("tmp");
    let d = desk(ddir.path());
    assert_eq!(d.queue().expect_err("no session").code, ErrorCode::Unauthorized);
    d.login(login(&s.url(), "canbo.07920", "demo")).await.expect("login");
    d.sync_now().await.expect("sync");
    let mine = d.queue().expect("queue");
    assert!(mine.iter().all(|q| q.id.starts_with("07920-")));

    // The helpdesk account on the same PC sees no queue and no documents.
    d.login(login(&s.url(), "hotro.07916", "demo")).await.expect("login");
    assert_eq!(d.queue().expect_err("helpdesk").code, ErrorCode::Forbidden);
    assert_eq!(d.declaration(&mine[0].id).expect_err("helpdesk").code, ErrorCode::Forbidden);
    // Its sync copies the office's masked directory, not declarations.
    let synced = d.sync_now().await.expect("helpdesk sync");
    assert_eq!((synced.declarations, synced.documents_downloaded), (0, 0));
    assert!(synced.directory_people > 0);

    // An officer of another office does not see what is cached for 07920.
    d.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login");
    assert_eq!(d.declaration(&mine[0].id).expect_err("other office").code, ErrorCode::NotFound);
    let view_doc = format!("{}-portrait", mine[0].id);
    assert_eq!(d.document_bytes(&view_doc).expect_err("other office").code, ErrorCode::NotFound);
    assert_eq!(d.document_bytes("../../etc/passwd").expect_err("traversal").code, ErrorCode::NotFound);
    s.stop().await;
}

#[tokio::test]
async fn opening_a_declaration_takes_it_and_the_other_officer_is_told() {
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 6).await;
    let (adir, bdir) = (tempfile::tempdir().expect("tmp"), tempfile::tempdir().expect("tmp"));
    let a = desk(adir.path());
    let b = desk(bdir.path());
    a.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login a");
    b.login(login(&s.url(), "canbo2.07916", "demo")).await.expect("login b");
    a.sync_now().await.expect("sync a");
    let id = a.queue().expect("queue")[0].id.clone();
    let took = a.take(&id).await.expect("take");
    assert!(took.granted && took.confirmed);
    assert!(a.take(&id).await.expect("renew").granted, "renewing is taking again");
    b.sync_now().await.expect("sync b");
    let other = b.take(&id).await.expect("take");
    assert!(!other.granted);
    assert!(other.holder.as_ref().is_some_and(|h| h.vi.contains("Trần Thị Thu Hà")), "{other:?}");
    // B's review screen and decision say who has it.
    assert!(b.declaration(&id).expect("view").assigned_to.is_some_and(|h| h.vi.contains("Trần Thị Thu Hà")));
    let err = escalate(&b, &id, "x").expect_err("taken by A");
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(err.message.vi.contains("Trần Thị Thu Hà"), "{}", err.message);
    // A decides; the sync delivers it and B then sees it decided.
    a.decide(bhxh_desk_core::ipc::DecideInput {
        id: id.clone(),
        draft: bhxh_domain::DecisionDraft {
            outcome: bhxh_domain::Outcome::Escalate,
            reasons: vec![],
            note: Some("xin ý kiến".into()),
            paper_seen: true,
        },
    })
    .expect("decide");
    let summary = a.sync_now().await.expect("sync");
    assert_eq!(summary.decisions_delivered, 1);
    assert_eq!(a.outbox().expect("outbox")[0].state, bhxh_cache::OutboxState::Accepted);
    b.sync_now().await.expect("sync b");
    let err = b
        .decide(bhxh_desk_core::ipc::DecideInput {
            id: id.clone(),
            draft: bhxh_domain::DecisionDraft {
                outcome: bhxh_domain::Outcome::Approve,
                reasons: vec![],
                note: None,
                paper_seen: false,
            },
        })
        .expect_err("decided by A");
    assert!(err.message.vi.contains("Chuyển lãnh đạo"), "{}", err.message);
    s.stop().await;
}

#[tokio::test]
async fn take_n_for_offline_work_skips_what_others_hold() {
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 18).await;
    let (adir, bdir) = (tempfile::tempdir().expect("tmp"), tempfile::tempdir().expect("tmp"));
    let a = desk(adir.path());
    let b = desk(bdir.path());
    a.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login a");
    b.login(login(&s.url(), "canbo2.07916", "demo")).await.expect("login b");
    a.sync_now().await.expect("sync a");
    let mine = a.take_batch(3).await.expect("take");
    assert_eq!(mine.taken.len(), 3);
    assert!(mine.confirmed && mine.message.vi.contains("Đã nhận 3 hồ sơ"), "{}", mine.message.vi);
    assert!(mine.message.en.starts_with("Took 3 declarations"), "{}", mine.message.en);
    // B's sync sees A's leases: B gets the next three, none of A's.
    b.sync_now().await.expect("sync b");
    let theirs = b.take_batch(3).await.expect("take");
    assert_eq!(theirs.taken.len(), 3);
    assert!(theirs.taken.iter().all(|id| !mine.taken.contains(id)), "{theirs:?} vs {mine:?}");
    // Offline, taking is local and says so.
    s.stop().await;
    let offline = a.take_batch(2).await.expect("take offline");
    assert!(!offline.confirmed, "{offline:?}");
}

/// The window's title names the office and the officer while a session is open,
/// keeps them while it is locked, and is the app's name again once logged out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_title_names_the_office_and_the_officer() {
    struct Titles(std::sync::Mutex<Vec<String>>);
    impl bhxh_desk_core::TitleSink for Titles {
        fn set_title(&self, title: &str) {
            self.0.lock().expect("titles").push(title.to_owned());
        }
    }
    let last = |t: &Titles| t.0.lock().expect("titles").last().cloned().unwrap_or_default();
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 2).await;
    let dir = tempfile::tempdir().expect("tmp");
    let d = desk(dir.path());
    let titles = std::sync::Arc::new(Titles(std::sync::Mutex::new(Vec::new())));
    d.set_title_sink(titles.clone());
    assert_eq!(last(&titles), bhxh_desk_core::APP_TITLE);
    d.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login");
    let open = last(&titles);
    assert!(open.contains("[07916]") && open.contains("Trần Thị Thu Hà (canbo.07916)"), "{open}");
    d.lock().expect("lock");
    assert_eq!(last(&titles), open, "a locked session keeps its title");
    d.unlock("demo").expect("unlock");
    assert_eq!(last(&titles), open);
    d.logout();
    assert_eq!(last(&titles), bhxh_desk_core::APP_TITLE);
}
