//! Bad input everywhere: the reference server and the desk core are fed malformed
//! JSON, huge payloads, wrong content types, path-traversal ids, SQL and script
//! injection strings, odd Unicode and files that are not what they claim. Each
//! gets a clear error (an `ErrorBody` from the server, a Vietnamese `AppError` from
//! the app) and nothing else changes.

use base64::Engine;
use bhxh_central::{AppState, RunningServer, ServerConfig, seed_demo, start};
use bhxh_desk_core::ipc::LoginInput;
use bhxh_desk_core::{DEFAULT_IDLE_LOCK, Desk, DeskConfig, ErrorCode, api};
use bhxh_protocol::{ErrorBody, FaultSettings, Submission};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::Path;

const OFFICE: &str = "07916";

async fn server(dir: &Path) -> RunningServer {
    let state =
        AppState::open(&ServerConfig { data_dir: dir.to_path_buf(), admin: false, faults: FaultSettings::default() })
            .expect("state");
    seed_demo(&state, 6, 11).expect("demo");
    start("127.0.0.1:0".parse().expect("addr"), state).await.expect("start")
}

struct Api {
    url: String,
    http: reqwest::Client,
    token: String,
}

impl Api {
    async fn new(url: String) -> Self {
        let http = reqwest::Client::new();
        let r: Value = http
            .post(format!("{url}/v1/auth/login"))
            .json(&json!({"username": "canbo.07916", "password": "demo"}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("login json");
        let token = r["token"].as_str().expect("token").to_owned();
        Self { url, http, token }
    }

    /// Everything the office's queue holds, as the server lists it.
    async fn office_ids(&self) -> Vec<String> {
        let page: Value = self
            .http
            .get(format!("{}/v1/offices/{OFFICE}/declarations?limit=500", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("page")
            .json()
            .await
            .expect("page json");
        page["items"].as_array().expect("items").iter().map(|d| d["id"].as_str().expect("id").to_owned()).collect()
    }
}

/// The refusal's status and its `ErrorBody` (which must parse: a clear error, not a bare line).
async fn refusal(resp: reqwest::Response) -> (StatusCode, ErrorBody) {
    let status = resp.status();
    let text = resp.text().await.expect("body");
    let body: ErrorBody =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: not an ErrorBody ({e}): {text:?}"));
    assert!(!body.message.is_empty());
    (status, body)
}

fn valid_submission() -> Submission {
    let g = bhxh_fixtures::Generator::new(99).expect("fonts");
    // Index 0 is in office 07916 (the generator's first demo office).
    let s = g.declaration(0, chrono::Utc::now()).expect("declaration").submission;
    assert_eq!(s.fields.office_code, OFFICE);
    s
}

fn with_document(mut s: Submission, content_type: &str, bytes: &[u8]) -> Submission {
    s.documents.truncate(1);
    s.documents[0].content_type = content_type.to_owned();
    s.documents[0].data_base64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    s
}

#[tokio::test]
async fn the_server_refuses_bad_input_clearly_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = server(dir.path()).await;
    let url = s.url();
    let api = Api::new(url.clone()).await;
    let before = api.office_ids().await;
    let http = &api.http;
    let login = format!("{url}/v1/auth/login");

    // Malformed JSON, the wrong content type, the wrong shape, a huge body.
    let r = http
        .post(&login)
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .expect("send");
    assert_eq!(refusal(r).await.0, StatusCode::BAD_REQUEST);
    let r = http
        .post(&login)
        .header("content-type", "text/plain")
        .body(r#"{"username":"a","password":"b"}"#)
        .send()
        .await
        .expect("send");
    let (st, body) = refusal(r).await;
    assert_eq!((st, body.code.as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"));
    let r = http.post(&login).json(&json!({"username": 5, "password": []})).send().await.expect("send");
    assert_eq!(refusal(r).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let huge = format!(r#"{{"username":"{}","password":"x"}}"#, "a".repeat(5 * 1024 * 1024));
    let r = http.post(&login).header("content-type", "application/json").body(huge).send().await.expect("send");
    let (st, body) = refusal(r).await;
    assert_eq!((st, body.code.as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));

    // SQL injection in credentials is only a wrong password.
    for (u, p) in
        [("' OR 1=1 --", "x"), ("canbo.07916", "x' OR '1'='1"), ("canbo.07916'; DROP TABLE users; --", "demo")]
    {
        let r = http.post(&login).json(&json!({"username": u, "password": p})).send().await.expect("send");
        let (st, body) = refusal(r).await;
        assert_eq!((st, body.code.as_str()), (StatusCode::UNAUTHORIZED, "bad_credentials"), "{u} / {p}");
    }

    // Path traversal and injection in ids: not found, never a file or a row.
    for id in ["..%2F..%2Fetc%2Fpasswd", "..%2F..%2F..%2Fcentral.sqlite3", "%27%20OR%201%3D1%20--", "07916-000001%00"] {
        for route in ["documents", "declarations"] {
            let r = http.get(format!("{url}/v1/{route}/{id}")).bearer_auth(&api.token).send().await.expect("send");
            let (st, _) = refusal(r).await;
            assert!(matches!(st, StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST), "{route}/{id}: {st}");
        }
    }
    let r = http
        .get(format!("{url}/v1/offices/07916%27%20OR%20%271%27%3D%271/declarations"))
        .bearer_auth(&api.token)
        .send()
        .await
        .expect("send");
    assert!(matches!(
        refusal(r).await.0,
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::UNPROCESSABLE_ENTITY
    ));

    // Submissions: names with markup or SQL, files that are not what they claim.
    let submit = format!("{url}/v1/submissions");
    // Signed as a channel: what is refused here is the content, not the caller.
    let signed = |body: &bhxh_protocol::Submission| {
        let body = serde_json::to_vec(body).expect("json");
        bhxh_central::channel::signed_submission(http, &url, s.state.channel_key(), "test", s.state.now(), body)
    };
    let mut refused = Vec::new();
    for name in ["<script>alert(1)</script>", "Robert'); DROP TABLE declarations;--", "Nguyễn Văn 4n", "\u{0000}Lê"]
    {
        let mut sub = valid_submission();
        sub.fields.full_name = name.to_owned();
        refused.push((format!("name {name:?}"), signed(&sub).send().await.expect("send")));
    }
    let heic = [&[0, 0, 0, 0x18][..], b"ftypheic", &[0; 16]].concat();
    let png = [&b"\x89PNG\r\n\x1a\n"[..], &[0; 32]].concat();
    for (what, ct, bytes) in [
        ("text as a JPEG", "image/jpeg", b"this is not a photo".to_vec()),
        ("an iPhone HEIC as a JPEG", "image/jpeg", heic),
        ("a PNG declared as JPEG", "image/jpeg", png),
        ("an executable", "application/x-msdownload", b"MZ\x90\x00".to_vec()),
        ("an empty file", "image/jpeg", Vec::new()),
    ] {
        refused.push((
            what.to_owned(),
            signed(&with_document(valid_submission(), ct, &bytes)).send().await.expect("send"),
        ));
    }
    let too_big = with_document(
        valid_submission(),
        "image/jpeg",
        &[&[0xFF, 0xD8, 0xFF][..], &vec![0u8; 16 * 1024 * 1024]].concat(),
    );
    refused.push(("a 16 MB photo".into(), signed(&too_big).send().await.expect("send")));
    let r = http.post(&submit).header("content-type", "application/xml").body("<tokhai/>").send().await.expect("send");
    refused.push(("XML".into(), r));
    for (what, r) in refused {
        let (st, body) = refusal(r).await;
        assert!(st.is_client_error(), "{what}: {st}");
        assert!(!body.message.contains("internal"), "{what}: {}", body.message);
    }
    assert_eq!(api.office_ids().await, before, "refused submissions left nothing behind");

    // Free text is data: kept verbatim, never interpreted; invisible marks leave names.
    let mut sub = valid_submission();
    sub.fields.full_name = "Nguyễn\u{200B} Văn\u{202E} An".into();
    sub.fields.address.street = "<img src=x onerror=alert(1)> 12'; DROP TABLE declarations; --".into();
    let r = signed(&sub).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.expect("json")["id"].as_str().expect("id").to_owned();
    let d: Value = http
        .get(format!("{url}/v1/declarations/{id}"))
        .bearer_auth(&api.token)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(d["full_name"], "Nguyễn Văn An");
    assert_eq!(d["address"]["street"], "<img src=x onerror=alert(1)> 12'; DROP TABLE declarations; --");
    let after = api.office_ids().await;
    assert_eq!(after.len(), before.len() + 1, "the tables are all still there");

    // The supervisor's routes: letter numbers and hand-over take ids and codes as data.
    let r: Value = http
        .post(&login)
        .json(&json!({"username": "giamsat.07916", "password": "demo"}))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let boss = r["token"].as_str().expect("token").to_owned();
    let letters = format!("{url}/v1/offices/{OFFICE}/letters");
    for (what, body) in [
        ("an injected unit code", json!({"id": "x1", "unit_code": "SQ0007Q' OR '1'='1"})),
        ("a traversal unit code", json!({"id": "x2", "unit_code": "../../etc/passwd"})),
        ("an empty id", json!({"id": " ", "unit_code": "SQ0007Q"})),
        ("a 10 kB id", json!({"id": "a".repeat(10_000), "unit_code": "SQ0007Q"})),
        ("numbers for strings", json!({"id": 5, "unit_code": []})),
    ] {
        let r = http.post(&letters).bearer_auth(&boss).json(&body).send().await.expect("send");
        assert_eq!(refusal(r).await.0, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
    }
    for id in ["..%2F..%2Fetc%2Fpasswd", "%27%20OR%201%3D1%20--"] {
        let r = http
            .post(format!("{url}/v1/declarations/{id}/hand-over"))
            .bearer_auth(&boss)
            .json(&json!({"officer": "canbo2.07916"}))
            .send()
            .await
            .expect("send");
        assert!(matches!(refusal(r).await.0, StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST), "{id}");
    }
    let r = http
        .post(format!("{url}/v1/declarations/{id}/hand-over"))
        .bearer_auth(&boss)
        .json(&json!({"officer": "<script>alert(1)</script>"}))
        .send()
        .await
        .expect("send");
    assert_eq!(refusal(r).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let r = http.get(format!("{url}/v1/offices/07916%27%20OR%20%271/coverage")).bearer_auth(&boss).send().await;
    assert_eq!(refusal(r.expect("send")).await.0, StatusCode::FORBIDDEN);
    // The first real number is still 1: nothing above took one.
    let r: Value = http
        .post(&letters)
        .bearer_auth(&boss)
        .json(&json!({"id": "real", "unit_code": "SQ0007Q"}))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(r["number"], 1);
    s.stop().await;
}

fn desk(dir: &Path) -> Desk {
    Desk::open(DeskConfig {
        data_dir: dir.to_path_buf(),
        central_url: None,
        default_username: None,
        default_password: None,
        idle_lock: DEFAULT_IDLE_LOCK,
        retention_days: 7,
        max_offline_days: bhxh_desk_core::DEFAULT_MAX_OFFLINE_DAYS,
        document_policy: Default::default(),
        export_dir: None,
        central_cert_pin: None,
        clock: bhxh_domain::Clock::System,
        office_code: None,
        deployment: Default::default(),
    })
    .expect("desk")
}

#[tokio::test]
async fn the_app_refuses_bad_input_in_vietnamese_and_keeps_its_data() {
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path()).await;
    let url = s.url();
    let ddir = tempfile::tempdir().expect("tmp");
    let d = desk(ddir.path());
    let login = |u: &str, p: &str, c: &str| LoginInput::new(c, u, p);

    // Login: odd user names, huge passwords, URLs that are not the central service.
    for (u, p, c) in [
        ("canbo\u{202E}.07916", "demo", url.as_str()),
        ("../../etc/passwd", "demo", url.as_str()),
        ("canbo.07916'; --", "demo", url.as_str()),
        (&"a".repeat(65), "demo", url.as_str()),
        ("canbo.07916", &"x".repeat(10_000), url.as_str()),
        ("canbo.07916", "demo", "javascript:alert(1)"),
        ("canbo.07916", "demo", "file:///etc/passwd"),
        ("canbo.07916", "demo", "http://bhxh.example.vn"),
    ] {
        let e = d.login(login(u, p, c)).await.expect_err("refused");
        assert_eq!(e.code, ErrorCode::Validation, "{u:?} {c:?}: {e:?}");
        assert!(
            e.message.vi.chars().any(|ch| "ăâđêôơưạảãáàệếềểễộốồổỗớờởỡợụủũúùứừửữựịỉĩíìọỏõóò".contains(ch)),
            "Vietnamese: {}",
            e.message
        );
    }
    d.login(login("canbo.07916", "demo", &url)).await.expect("login");
    d.sync_now().await.expect("sync");
    let queue = api::invoke(&d, "queue", Value::Null).await.expect("queue");
    let count = queue.as_array().expect("array").len();

    // Commands with the wrong shape, unknown commands, traversal ids.
    for (cmd, args) in [
        ("declaration", json!({"id": 5})),
        ("declaration", json!({})),
        ("declaration", json!("07916-000001")),
        ("unlock", json!({"password": null})),
        ("login", json!({"username": "x"})),
    ] {
        let e = api::invoke(&d, cmd, args.clone()).await.expect_err("refused");
        assert_eq!(e.code, ErrorCode::Validation, "{cmd} {args}");
    }
    assert_eq!(api::invoke(&d, "drop_table", Value::Null).await.expect_err("unknown").code, ErrorCode::NotFound);
    for id in ["../../etc/passwd", "' OR 1=1 --", "07916-000001\u{0000}", &"9".repeat(100_000)] {
        let e = api::invoke(&d, "declaration", json!({"id": id})).await.expect_err("absent");
        assert_eq!(e.code, ErrorCode::NotFound, "{id:.40}");
        assert_eq!(d.document_bytes(id).expect_err("absent").code, ErrorCode::NotFound);
    }
    // Nothing changed: the same queue, and the session still works.
    let again = api::invoke(&d, "queue", Value::Null).await.expect("queue");
    assert_eq!(again.as_array().expect("array").len(), count);
    assert_eq!(again, queue);
    s.stop().await;
}

/// Script injection is shown as text: the UI never hands data to the HTML parser.
#[test]
fn the_ui_never_renders_data_as_html() {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).expect("ui/src").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "svelte" || x == "ts") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src"), &mut files);
    assert!(files.len() > 5, "found the UI sources");
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        for banned in ["{@html", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("] {
            assert!(!text.contains(banned), "{} uses {banned}", f.display());
        }
    }
}
