//! The reference server over real HTTP on a free loopback port.

use bhxh_central::{AppState, RunningServer, ServerConfig, routes::ROUTES, seed_demo, start};
use bhxh_protocol::{ErrorBody, FaultSettings, LoginResponse};
use reqwest::StatusCode;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};

/// A server's state in `dir` with the demo accounts and `n` declarations.
fn demo_state(dir: &std::path::Path, n: u64, admin: bool) -> AppState {
    let state = AppState::open(&ServerConfig { data_dir: dir.to_path_buf(), admin, faults: FaultSettings::default() })
        .expect("state");
    seed_demo(&state, n, 3).expect("demo");
    state
}

async fn server(n: u64) -> (tempfile::TempDir, RunningServer) {
    let dir = tempfile::tempdir().expect("tmp");
    let state = demo_state(dir.path(), n, false);
    let s = start("127.0.0.1:0".parse().expect("addr"), state).await.expect("start");
    (dir, s)
}

async fn token(s: &RunningServer, user: &str) -> String {
    let r = reqwest::Client::new()
        .post(format!("{}/v1/auth/login", s.url()))
        .json(&serde_json::json!({"username": user, "password": "demo"}))
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 200);
    r.json::<LoginResponse>().await.expect("json").token
}

/// The first page of `office`'s declarations, as `t` reads them.
async fn office_declarations(s: &RunningServer, t: &str, office: &str) -> Vec<bhxh_protocol::Declaration> {
    reqwest::Client::new()
        .get(format!("{}/v1/offices/{office}/declarations?limit=500", s.url()))
        .bearer_auth(t)
        .send()
        .await
        .expect("page")
        .json::<bhxh_protocol::DeclarationPage>()
        .await
        .expect("json")
        .items
}

/// A decision sent as `t` under a fresh idempotency key; the answer as it came.
async fn post_decision(
    s: &RunningServer,
    t: &str,
    id: &str,
    outcome: &str,
    reasons: &[&str],
    paper_seen: bool,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/v1/decisions", s.url()))
        .bearer_auth(t)
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
        .json(&serde_json::json!({"declaration_id": id, "outcome": outcome, "reasons": reasons, "note": null,
            "paper_seen": paper_seen, "decided_at": chrono::Utc::now()}))
        .send()
        .await
        .expect("send")
}

fn documented_routes() -> BTreeSet<(String, String)> {
    let doc: serde_json::Value = serde_json::from_str(bhxh_protocol::OPENAPI_JSON).expect("openapi.json is JSON");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            out.insert((method.clone(), path.clone()));
        }
    }
    out
}

#[tokio::test]
async fn served_routes_and_the_openapi_document_agree() {
    let (_dir, s) = server(2).await;
    let table: BTreeSet<(String, String)> = ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    assert_eq!(table, documented_routes(), "routes::ROUTES and openapi.json differ");

    // Every documented route is really routed: anything but the "no route" answer.
    let http = reqwest::Client::new();
    for (method, path) in &table {
        let url = format!("{}{}", s.url(), path.replace("{code}", "07916").replace("{id}", "x"));
        let req = match method.as_str() {
            "get" => http.get(&url),
            "post" => http.post(&url).json(&serde_json::json!({})),
            "put" => http.put(&url).json(&serde_json::json!({})),
            "delete" => http.delete(&url),
            other => panic!("method {other} not handled by this test"),
        };
        let resp = req.send().await.expect("send");
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        let code = serde_json::from_str::<ErrorBody>(&body).map(|b| b.code).unwrap_or_default();
        assert_ne!(code, "no_route", "{method} {path} is documented but not routed ({status})");
    }
    // And what is not documented is not routed.
    for (method, path) in [("get", "/v1/secret"), ("delete", "/v1/me"), ("post", "/health")] {
        let url = format!("{}{}", s.url(), path);
        let resp = http.request(method.to_uppercase().parse().expect("method"), &url).send().await.expect("send");
        let body: ErrorBody = resp.json().await.expect("error body");
        assert_eq!(body.code, "no_route", "{method} {path}");
    }
    // The document served is the one in the repository.
    let served = http.get(format!("{}/openapi.json", s.url())).send().await.expect("get").text().await.expect("text");
    assert_eq!(served, bhxh_protocol::OPENAPI_JSON);
    s.stop().await;
}

#[tokio::test]
async fn documents_support_ranges_and_carry_their_hash() {
    let (_dir, s) = server(2).await;
    let t = token(&s, "canbo.07916").await;
    let http = reqwest::Client::new();
    let page: bhxh_protocol::DeclarationPage = http
        .get(format!("{}/v1/offices/07916/declarations", s.url()))
        .bearer_auth(&t)
        .send()
        .await
        .expect("page")
        .json()
        .await
        .expect("json");
    let doc = &page.items[0].documents[0];
    let full = http.get(format!("{}/v1/documents/{}", s.url(), doc.id)).bearer_auth(&t).send().await.expect("get");
    assert_eq!(full.status(), 200);
    assert_eq!(full.headers()["x-content-sha256"], doc.sha256.as_str());
    assert_eq!(full.headers()["accept-ranges"], "bytes");
    let bytes = full.bytes().await.expect("bytes");
    assert_eq!(bytes.len() as u64, doc.size);
    use sha2::Digest;
    assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), doc.sha256);

    let part = http
        .get(format!("{}/v1/documents/{}", s.url(), doc.id))
        .bearer_auth(&t)
        .header("Range", "bytes=100-")
        .send()
        .await
        .expect("get");
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-range"], format!("bytes 100-{}/{}", doc.size - 1, doc.size).as_str());
    assert_eq!(part.bytes().await.expect("bytes"), bytes.slice(100..));

    let beyond = http
        .get(format!("{}/v1/documents/{}", s.url(), doc.id))
        .bearer_auth(&t)
        .header("Range", format!("bytes={}-", doc.size))
        .send()
        .await
        .expect("get");
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    s.stop().await;
}

#[tokio::test]
async fn accounts_see_their_own_office_only() {
    let (_dir, s) = server(4).await;
    let http = reqwest::Client::new();
    let q6 = token(&s, "canbo.07916").await;
    let cuchi = token(&s, "canbo.07920").await;
    let helpdesk = token(&s, "hotro.07916").await;
    let page = |t: String, office: &'static str| {
        let http = http.clone();
        let url = format!("{}/v1/offices/{office}/declarations", s.url());
        async move { http.get(url).bearer_auth(t).send().await.expect("send").status() }
    };
    assert_eq!(page(q6.clone(), "07916").await, 200);
    assert_eq!(page(q6.clone(), "07920").await, 403);
    assert_eq!(page(cuchi.clone(), "07920").await, 200);
    assert_eq!(page(helpdesk, "07916").await, 403);
    assert_eq!(page("not-a-token".into(), "07916").await, 401);
    let no_auth = http.get(format!("{}/v1/offices/07916/declarations", s.url())).send().await.expect("send");
    assert_eq!(no_auth.status(), 401);
    // Another office's document, and ids that try to leave the blob folder.
    for id in ["07920-000001-portrait", "..%2F..%2Fetc%2Fpasswd", "07916-000001-portrait%00"] {
        let r = http.get(format!("{}/v1/documents/{id}", s.url())).bearer_auth(&q6).send().await.expect("send");
        assert!(matches!(r.status().as_u16(), 403 | 404), "{id}: {}", r.status());
    }
    let bad_cursor = http
        .get(format!("{}/v1/offices/07916/declarations?cursor=zzz", s.url()))
        .bearer_auth(&q6)
        .send()
        .await
        .expect("send");
    assert_eq!(bad_cursor.status(), 422);
    s.stop().await;
}

#[tokio::test]
async fn submissions_are_validated() {
    let (_dir, s) = server(0).await;
    let http = reqwest::Client::new();
    let g = bhxh_fixtures::Generator::new(1).expect("gen");
    let good = g.declaration(0, chrono::Utc::now()).expect("gen").submission;
    let post = |body: serde_json::Value| {
        let req = signed(&s, &http, &body);
        async move { req.send().await.expect("send").status() }
    };
    let mut v = serde_json::to_value(&good).expect("json");
    assert_eq!(post(v.clone()).await, 201);
    v["ma_so_bhxh"] = "12345".into();
    assert_eq!(post(v.clone()).await, 422, "mã số must be 10 digits");
    let mut v = serde_json::to_value(&good).expect("json");
    v["office_code"] = "99999".into();
    assert_eq!(post(v).await, 422, "unknown office");
    // The channel's clock may drift a little, not a day ahead.
    let mut v = serde_json::to_value(&good).expect("json");
    v["submitted_at"] = serde_json::to_value(s.state.now() + chrono::TimeDelta::days(1)).expect("json");
    assert_eq!(post(v).await, 422, "submitted tomorrow");
    let mut v = serde_json::to_value(&good).expect("json");
    v["documents"][0]["data_base64"] = "%%%".into();
    assert_eq!(post(v).await, 422, "not base64");
    let mut v = serde_json::to_value(&good).expect("json");
    v["documents"] = serde_json::json!([]);
    assert_eq!(post(v).await, 422, "no documents");
    // The employer unit code: its shape, and nothing a spreadsheet runs.
    for bad in ["=HYPERLINK(\"http://x\",\"SQ0007Q\")", "+SQ0007Q", "@SUM(1)", "SQ007Q", "SQ00\t07Q"] {
        let mut v = serde_json::to_value(&good).expect("json");
        v["unit_code"] = bad.into();
        let r = signed(&s, &http, &v).send().await.expect("send");
        assert_eq!(r.status(), 422, "unit code {bad:?}");
        let body: ErrorBody = r.json().await.expect("error body");
        assert!(body.message.contains("unit_code"), "{bad:?}: {}", body.message);
    }
    let mut v = serde_json::to_value(&good).expect("json");
    v["unit_code"] = " sq0112q ".into();
    let r = signed(&s, &http, &v).send().await.expect("send");
    assert_eq!(r.status(), 201, "a unit code typed in lower case is the same code");
    let id = r.json::<bhxh_protocol::SubmissionAccepted>().await.expect("json").id;
    let t = token(&s, &format!("canbo.{}", good.fields.office_code)).await;
    let d: bhxh_protocol::Declaration = http
        .get(format!("{}/v1/declarations/{id}", s.url()))
        .bearer_auth(&t)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(d.fields.unit_code.as_deref(), Some("SQ0112Q"));
    let raw = bhxh_central::channel::signed_submission(
        &http,
        &s.url(),
        s.state.channel_key(),
        "test",
        s.state.now(),
        b"{not json".to_vec(),
    )
    .send()
    .await
    .expect("send");
    assert_eq!(raw.status(), 400);
    s.stop().await;
}

/// A submission signed as a channel, as the VssID and portal back ends send them.
fn signed(s: &RunningServer, http: &reqwest::Client, body: &impl serde::Serialize) -> reqwest::RequestBuilder {
    let body = serde_json::to_vec(body).expect("json");
    bhxh_central::channel::signed_submission(http, &s.url(), s.state.channel_key(), "test", s.state.now(), body)
}

/// Issue 21, item 3: only a channel files a declaration, and a declaration changes
/// the register only once an officer approves it.
#[tokio::test]
async fn only_a_channel_submits_and_only_an_approval_changes_the_register() {
    use bhxh_central::REGISTER_BASE;
    // 8 declarations: 6 people in the register besides, 4 of them with an account.
    let (_dir, s) = server(8).await;
    let http = reqwest::Client::new();
    let g = bhxh_fixtures::Generator::new(3).expect("generator");
    let now = chrono::Utc::now();
    // A person of the register with an account (07916) and a phone on file.
    let on_file = g.person(REGISTER_BASE + 4, now).expect("person").fields;
    assert_eq!(on_file.office_code, "07916");
    // The attack: the same mã số, another office, another phone and ID number.
    let mut claim = g.declaration(500, now).expect("gen").submission;
    claim.fields.ma_so_bhxh = on_file.ma_so_bhxh.clone();
    claim.fields.office_code = "07920".into();
    claim.fields.phone = "0987000111".into();
    let body = serde_json::to_vec(&claim).expect("json");
    let url = format!("{}/v1/submissions", s.url());
    let status = |r: reqwest::Response| r.status().as_u16();
    // Unsigned, signed with another key, signed long ago: refused, nothing filed.
    let unsigned = http.post(&url).json(&claim).send().await.expect("send");
    assert_eq!(status(unsigned), 401);
    let forged = bhxh_central::channel::signed_submission(&http, &s.url(), &[7u8; 32], "portal", now, body.clone());
    assert_eq!(status(forged.send().await.expect("send")), 401);
    let key = s.state.channel_key().to_vec();
    let stale = bhxh_central::channel::signed_submission(
        &http,
        &s.url(),
        &key,
        "portal",
        s.state.now() - chrono::TimeDelta::minutes(30),
        body.clone(),
    );
    assert_eq!(status(stale.send().await.expect("send")), 401);
    // Another body under a good signature's headers.
    let good = bhxh_central::channel::signed_submission(&http, &s.url(), &key, "portal", s.state.now(), body.clone())
        .build()
        .expect("request");
    let mut tampered = good.try_clone().expect("clone");
    *tampered.body_mut() = Some(body.iter().copied().chain(*b" ").collect::<Vec<u8>>().into());
    assert_eq!(status(http.execute(tampered).await.expect("send")), 401);
    let helpdesk = token(&s, "hotro.07916").await;
    let check = |phone: &str| {
        let req = http
            .post(format!("{}/v1/citizens/{}/phone-check", s.url(), on_file.ma_so_bhxh))
            .bearer_auth(&helpdesk)
            .json(&serde_json::json!({"phone": phone}));
        async move { req.send().await.expect("send").json::<bhxh_protocol::PhoneCheckAnswer>().await.expect("json").result }
    };
    let office = |st: &bhxh_central::AppState| {
        st.with_store(|db| db.citizen_office(on_file.ma_so_bhxh.as_str())).expect("office")
    };
    // Signed: filed once (a replay is refused), and the register is as it was.
    let filed = http.execute(good.try_clone().expect("clone")).await.expect("send");
    assert_eq!(filed.status(), 201);
    let id = filed.json::<bhxh_protocol::SubmissionAccepted>().await.expect("json").id;
    assert_eq!(status(http.execute(good).await.expect("send")), 409, "a replayed request");
    assert_eq!(office(&s.state).as_deref(), Some("07916"));
    assert_eq!(check(&on_file.phone).await, bhxh_domain::helpdesk::PhoneCheck::Match);
    assert_eq!(check("0987000111").await, bhxh_domain::helpdesk::PhoneCheck::Mismatch);

    // Rejected by 07920's officer: still as it was.
    let officer = token(&s, "canbo.07920").await;
    let decide = |outcome: &str, reasons: Vec<&str>, key: String| {
        let req = http
            .post(format!("{}/v1/decisions", s.url()))
            .bearer_auth(&officer)
            .header("Idempotency-Key", key)
            .json(&serde_json::json!({"declaration_id": id, "outcome": outcome, "reasons": reasons, "note": null,
                "decided_at": chrono::Utc::now()}));
        async move { req.send().await.expect("send").status().as_u16() }
    };
    let reason = bhxh_domain::reference::ReferenceData::get()
        .reasons
        .iter()
        .find(|r| r.kind == bhxh_domain::reference::ReasonKind::Reject)
        .expect("a reject reason")
        .code
        .clone();
    assert_eq!(decide("reject", vec![reason.as_str()], uuid::Uuid::new_v4().to_string()).await, 201);
    assert_eq!(office(&s.state).as_deref(), Some("07916"));
    assert_eq!(check(&on_file.phone).await, bhxh_domain::helpdesk::PhoneCheck::Match);

    // A second declaration, approved: now the register says what the officer approved.
    let mut again = claim.clone();
    again.fields.email = Some("moi@example.vn".into());
    let filed = signed(&s, &http, &again).send().await.expect("send");
    assert_eq!(filed.status(), 201);
    let id2 = filed.json::<bhxh_protocol::SubmissionAccepted>().await.expect("json").id;
    let req = http
        .post(format!("{}/v1/decisions", s.url()))
        .bearer_auth(&officer)
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&serde_json::json!({"declaration_id": id2, "outcome": "approve", "reasons": [], "note": null,
            "decided_at": chrono::Utc::now()}));
    assert_eq!(req.send().await.expect("send").status(), 201);
    assert_eq!(office(&s.state).as_deref(), Some("07920"));
    assert_eq!(check("0987000111").await, bhxh_domain::helpdesk::PhoneCheck::Match);
    s.stop().await;
}

/// The office's units, for any of its accounts; another office's are not given.
#[tokio::test]
async fn an_office_lists_its_units_to_its_own_accounts() {
    let (_dir, s) = server(0).await;
    let http = reqwest::Client::new();
    for user in ["canbo.07916", "giamsat.07916", "hotro.07916"] {
        let t = token(&s, user).await;
        let list: bhxh_protocol::UnitList = http
            .get(format!("{}/v1/offices/07916/units", s.url()))
            .bearer_auth(&t)
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        let codes: Vec<&str> = list.units.iter().map(|u| u.code.as_str()).collect();
        assert!(codes.contains(&"SQ0007Q") && !codes.contains(&"YC0018C"), "{user}: {codes:?}");
        assert!(list.units.iter().all(|u| u.code.parse::<bhxh_domain::UnitCode>().is_ok() && !u.name.is_empty()));
        let other = http.get(format!("{}/v1/offices/07920/units", s.url())).bearer_auth(&t).send().await.expect("get");
        assert_eq!(other.status(), 403, "{user}");
    }
    s.stop().await;
}

#[tokio::test]
async fn admin_endpoints_are_off_unless_asked_for() {
    let (_dir, s) = server(0).await;
    let r = reqwest::Client::new()
        .put(format!("{}/admin/faults", s.url()))
        .json(&serde_json::json!({"malformed_pages": true}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 403);
    let r = reqwest::Client::new()
        .put(format!("{}/admin/users/canbo.07916/password", s.url()))
        .json(&serde_json::json!({"password": "x"}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 403);
    s.stop().await;
}

#[tokio::test]
async fn a_password_set_through_admin_voids_the_old_one_and_its_tokens() {
    let dir = tempfile::tempdir().expect("tmp");
    let state = demo_state(dir.path(), 0, true);
    let s = start("127.0.0.1:0".parse().expect("addr"), state).await.expect("start");
    let http = reqwest::Client::new();
    let old = token(&s, "canbo.07916").await;
    let admin = s.state.admin_token().expect("a token with --admin").to_owned();
    let put = |user: &str, body: serde_json::Value| {
        http.put(format!("{}/admin/users/{user}/password", s.url())).bearer_auth(&admin).json(&body).send()
    };
    // Without the token, or with another one: refused, nothing changed.
    for bearer in [None, Some("0".repeat(64)), Some(old.clone())] {
        let mut req = http.put(format!("{}/admin/users/canbo.07916/password", s.url()));
        if let Some(b) = &bearer {
            req = req.bearer_auth(b);
        }
        let r = req.json(&serde_json::json!({"password": "của kẻ gian"})).send().await.expect("send");
        assert_eq!(r.status(), 401, "{bearer:?}");
    }
    let wipe = http.put(format!("{}/admin/users/canbo.07916/wipe", s.url())).send().await.expect("send");
    assert_eq!(wipe.status(), 401);
    assert_eq!(put("canbo.07916", serde_json::json!({"password": "mới"})).await.expect("send").status(), 204);
    assert_eq!(put("nobody", serde_json::json!({"password": "mới"})).await.expect("send").status(), 404);
    assert_eq!(put("canbo.07916", serde_json::json!({"password": ""})).await.expect("send").status(), 422);
    let me = http.get(format!("{}/v1/me", s.url())).bearer_auth(&old).send().await.expect("me");
    assert_eq!(me.status(), 401, "the old token is void");
    let login = |password: &str| {
        http.post(format!("{}/v1/auth/login", s.url()))
            .json(&serde_json::json!({"username": "canbo.07916", "password": password}))
            .send()
    };
    assert_eq!(login("demo").await.expect("send").status(), 401);
    assert_eq!(login("mới").await.expect("send").status(), 200);
    s.stop().await;
}

/// Issue 21, item 8: wrong passwords are counted per account (the right one is
/// not; the per-address count skips this machine, see `throttle`); and no route
/// takes a body larger than it needs.
#[tokio::test]
async fn logins_are_throttled_and_bodies_bounded() {
    let (_dir, s) = server(0).await;
    let http = reqwest::Client::new();
    // A body bigger than any the API takes (but a submission's).
    let officer = token(&s, "canbo.07920").await;
    let big = serde_json::json!({"items": [], "padding": "x".repeat(2 * 1024 * 1024)});
    let r = http
        .post(format!("{}/v1/decisions/batch", s.url()))
        .bearer_auth(&officer)
        .json(&big)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 413);
    let login = |user: &str, password: &str| {
        let req = http
            .post(format!("{}/v1/auth/login", s.url()))
            .json(&serde_json::json!({"username": user, "password": password}));
        async move { req.send().await.expect("send") }
    };
    // The officer's own logins never use up the account's budget.
    for _ in 0..12 {
        assert_eq!(login("canbo.07916", "demo").await.status(), 200);
    }
    let mut refused = None;
    for i in 0..20 {
        let r = login("canbo.07916", &format!("đoán {i}")).await;
        if r.status() == 429 {
            refused = Some((i, r.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned)));
            break;
        }
        assert_eq!(r.status(), 401);
    }
    let (after, retry) = refused.expect("the guesses stop");
    assert_eq!(after, 10, "ten wrong passwords, then a wait");
    assert!(retry.and_then(|r| r.parse::<u64>().ok()).is_some_and(|s| (1..=30).contains(&s)));
    // Even the right password waits now; another account does not.
    assert_eq!(login("canbo.07916", "demo").await.status(), 429);
    assert_eq!(login("canbo2.07916", "demo").await.status(), 200);

    s.stop().await;
}

/// Issue 21, item 8: logins from one address, right or wrong, have a budget (an
/// office behind one NAT logs in a few times an hour per PC); another address has
/// its own, and this machine's own address (the demo, the tests, a local proxy) none.
/// The router is called as the accept loop calls it, with the peer's address.
#[tokio::test]
async fn logins_from_one_address_are_throttled() {
    use tower::ServiceExt;
    let dir = tempfile::tempdir().expect("tmp");
    let app = bhxh_central::routes::router(demo_state(dir.path(), 0, false));
    let login = |from: &str, user: &str| {
        let mut req = axum::http::Request::post("/v1/auth/login")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(serde_json::json!({"username": user, "password": "demo"}).to_string()))
            .expect("request");
        req.extensions_mut().insert(bhxh_central::PeerAddr(from.parse().expect("ip")));
        let app = app.clone();
        async move { app.oneshot(req).await.expect("answer").status() }
    };
    // Each try under another name: no account's own budget of wrong passwords is spent.
    let mut refused_after = None;
    for i in 0..80 {
        let status = login("10.20.30.40", &format!("khach{i}.07916")).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused_after = Some(i);
            break;
        }
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(refused_after, Some(60), "sixty logins from one address, then a wait");
    assert_eq!(
        login("10.20.30.40", "canbo.07916").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the right password waits too"
    );
    assert_eq!(login("10.20.30.41", "canbo.07916").await, StatusCode::OK, "another address");
    for _ in 0..70 {
        assert_eq!(login("127.0.0.1", "canbo.07916").await, StatusCode::OK, "this machine is not counted");
    }
}

#[test]
fn the_binary_prints_its_address_first_and_serves_the_demo() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bhxh-central"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path())
        .args(["--demo", "4", "--seed", "9"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read");
    let url = line.trim().strip_prefix("listening on ").expect("first line names the address").to_owned();
    assert!(url.starts_with("http://127.0.0.1:"));
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let status = rt.block_on(async { reqwest::get(format!("{url}/health")).await.expect("health").status() });
    assert_eq!(status, 200);
    let _ = child.kill();
    let _ = child.wait();
}

/// The admin routes set passwords and inject faults: the binary refuses to serve
/// them on an address another machine can reach, before it listens at all.
#[test]
fn admin_routes_are_never_served_beyond_this_machine() {
    let dir = tempfile::tempdir().expect("tmp");
    for listen in ["0.0.0.0:0", "[::]:0"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bhxh-central"))
            .args(["serve", "--admin", "--listen", listen, "--data"])
            .arg(dir.path())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run");
        // A server that starts serving never exits by itself: it is stopped and the test fails.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while child.try_wait().expect("wait").is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        if child.try_wait().expect("wait").is_none() {
            let _ = child.kill();
        }
        let out = child.wait_with_output().expect("output");
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!out.status.success(), "{listen}: served");
        assert!(!stdout.contains("listening on"), "{listen}: listened: {stdout}");
        assert!(stderr.contains("loopback"), "{listen}: says why: {stderr}");
    }
}

#[tokio::test]
async fn the_helpdesk_sees_people_masked_and_its_own_office_calls_only() {
    let (_dir, s) = server(4).await;
    let http = reqwest::Client::new();
    let helpdesk = token(&s, "hotro.07916").await;
    let cuchi = token(&s, "canbo.07920").await;
    let get = |t: &str, path: String| {
        let req = http.get(format!("{}{path}", s.url())).bearer_auth(t.to_owned());
        async move { req.send().await.expect("send") }
    };
    // No declaration (it carries the full ID number and the photos) for the helpdesk.
    assert_eq!(get(&helpdesk, "/v1/declarations/07916-000001".into()).await.status(), 403);
    assert_eq!(get(&helpdesk, "/v1/offices/07920/directory".into()).await.status(), 403);
    let page: bhxh_protocol::DirectoryPage =
        get(&helpdesk, "/v1/offices/07916/directory".into()).await.json().await.expect("directory");
    assert!(!page.items.is_empty());
    let g = bhxh_fixtures::Generator::new(3).expect("generator");
    let p = g.declared_person(0, chrono::Utc::now()).expect("person").fields;
    let body = serde_json::to_string(&page).expect("json");
    assert!(!body.contains(&p.phone), "a full phone number left the server");
    if let Some(id) = &p.id_number {
        assert!(!body.contains(id.as_str()), "a full ID number left the server");
    }
    assert!(page.items.iter().any(|e| e.ma_so_bhxh == p.ma_so_bhxh), "person 0 in 07916");

    // The server's own lookup: by phone, across the province's offices, masked.
    let lookup = |t: &str, q: &str| {
        let req =
            http.post(format!("{}/v1/lookup", s.url())).bearer_auth(t.to_owned()).json(&serde_json::json!({"q": q}));
        async move { req.send().await.expect("send") }
    };
    let found: bhxh_protocol::LookupAnswer = lookup(&cuchi, &p.phone).await.json().await.expect("lookup");
    assert_eq!(found.items.first().map(|e| &e.ma_so_bhxh), Some(&p.ma_so_bhxh));
    // Calls belong to the person's office: another office's officer is refused.
    let calls = get(&cuchi, format!("/v1/citizens/{}/calls", p.ma_so_bhxh)).await;
    assert_eq!(calls.status(), 403);
    let call = serde_json::json!({"id": uuid::Uuid::now_v7().to_string(), "caller_name": "Chị Hoa", "topic": "status",
        "outcome": "resolved", "note": "", "flag": null, "at": chrono::Utc::now()});
    let url = format!("{}/v1/citizens/{}/calls", s.url(), p.ma_so_bhxh);
    for _ in 0..2 {
        let r = http.post(&url).bearer_auth(&helpdesk).json(&call).send().await.expect("send");
        assert_eq!(r.status(), 200);
    }
    let list: bhxh_protocol::CallList =
        get(&helpdesk, format!("/v1/citizens/{}/calls", p.ma_so_bhxh)).await.json().await.expect("calls");
    assert_eq!(list.items.len(), 1, "the same call id twice is one call");
    let r = http.post(&url).bearer_auth(&cuchi).json(&call).send().await.expect("send");
    assert_eq!(r.status(), 403);
    let check = http
        .post(format!("{}/v1/citizens/{}/phone-check", s.url(), p.ma_so_bhxh))
        .bearer_auth(&helpdesk)
        .json(&serde_json::json!({"phone": "not a phone"}))
        .send()
        .await
        .expect("send");
    assert_eq!(check.status(), 422);
    s.stop().await;
}

/// Issue 21, item 2: the questions that confirm a number stay in the caller's
/// province, are counted against the caller, and are written to the audit log.
#[tokio::test]
async fn lookups_stay_in_the_province_are_throttled_and_audited() {
    let (_dir, s) = server(4).await;
    let http = reqwest::Client::new();
    // A helpdesk agent in Hà Nội, and one in Quận 6 (Hồ Chí Minh), where the demo people live.
    let hanoi = bhxh_protocol::UserInfo {
        username: "hotro.001".into(),
        display_name: "Đỗ Thị Mai".into(),
        role: bhxh_domain::Role::Helpdesk,
        office_code: "001".into(),
    };
    s.state.with_store(|st| st.upsert_user(&hanoi, "-")).expect("user");
    assert!(s.state.set_password("hotro.001", "demo").expect("password"));
    let far = token(&s, "hotro.001").await;
    let near = token(&s, "hotro.07916").await;
    let g = bhxh_fixtures::Generator::new(3).expect("generator");
    let p = g.declared_person(0, chrono::Utc::now()).expect("person").fields;
    let lookup = |t: &str, q: &str| {
        let req =
            http.post(format!("{}/v1/lookup", s.url())).bearer_auth(t.to_owned()).json(&serde_json::json!({"q": q}));
        async move { req.send().await.expect("send") }
    };
    let card = |t: &str| {
        let req = http.get(format!("{}/v1/citizens/{}", s.url(), p.ma_so_bhxh)).bearer_auth(t.to_owned());
        async move { req.send().await.expect("send").status() }
    };
    let check = |t: &str| {
        let req = http
            .post(format!("{}/v1/citizens/{}/phone-check", s.url(), p.ma_so_bhxh))
            .bearer_auth(t.to_owned())
            .json(&serde_json::json!({"phone": p.phone}));
        async move { req.send().await.expect("send").status() }
    };
    let hits =
        |r: reqwest::Response| async move { r.json::<bhxh_protocol::LookupAnswer>().await.expect("json").items.len() };
    // Hà Nội's agent finds nobody of Hồ Chí Minh, by phone, ID, mã số or name, and reads no card.
    let mut ways = vec![p.phone.clone(), p.ma_so_bhxh.to_string(), bhxh_domain::fold::fold(&p.full_name)];
    ways.extend(p.id_number.clone());
    for q in &ways {
        assert_eq!(hits(lookup(&far, q).await).await, 0, "{q} found from Hà Nội");
        assert!(hits(lookup(&near, q).await).await > 0, "{q} not found from Quận 6");
    }
    assert_eq!(card(&far).await, 404);
    assert_eq!(check(&far).await, 404);
    assert_eq!(card(&near).await, 200);
    assert_eq!(check(&near).await, 200);
    // An account given the whole country finds them.
    s.state.with_store(|st| st.set_national_lookup("hotro.001", true)).expect("scope");
    assert_eq!(hits(lookup(&far, &p.phone).await).await, 1);
    assert_eq!(card(&far).await, 200);

    // Every question was written down: who asked, whom it found, what kind of key (never the number).
    let audit = s.state.with_store(|st| st.audit_of("hotro.07916")).expect("audit");
    let lookups: Vec<_> = audit.iter().filter(|(action, _, _)| action == "lookup").collect();
    assert_eq!(lookups.len(), ways.len());
    assert!(lookups.iter().all(|(_, found, _)| found.split(',').any(|m| m == p.ma_so_bhxh.as_str())));
    assert!(lookups.iter().any(|(_, _, kinds)| kinds.split('+').any(|k| k == "phone")));
    assert!(audit.iter().all(|(_, _, detail)| !detail.contains(&p.phone)));
    assert!(audit.iter().any(|(action, subject, _)| action == "phone_check" && subject == p.ma_so_bhxh.as_str()));
    assert!(audit.iter().any(|(action, subject, _)| action == "card" && subject == p.ma_so_bhxh.as_str()));

    // The budget: a burst, then 429 with Retry-After, for this agent only.
    let mut refused = None;
    for i in 0..100 {
        let r = lookup(&near, "0900000000").await;
        if r.status() == 429 {
            refused = Some((i, r.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned)));
            break;
        }
        assert_eq!(r.status(), 200);
    }
    let (after, retry) = refused.expect("the burst ends");
    assert!(after <= 30, "refused after {after} more lookups");
    assert!(retry.and_then(|r| r.parse::<u64>().ok()).is_some_and(|s| (1..=10).contains(&s)));
    assert_eq!(check(&near).await, 429, "a phone check spends the same budget");
    assert_eq!(lookup(&far, "0900000000").await.status(), 200, "another agent's budget is their own");
    s.stop().await;
}

/// Each unit's figures against what the generator made: people of the register
/// with an account are approved, declarants waiting are pending; an approval moves
/// one person from pending to approved today.
#[tokio::test]
async fn coverage_counts_each_unit_letters_are_numbered_once_and_declarations_handed_over() {
    use bhxh_central::{REGISTER_BASE, register_person_has_account, register_size};
    use bhxh_protocol::{CoverageReport, DeclarationPage, LetterNumber};
    use std::collections::BTreeMap;
    let n = 24;
    let (_dir, s) = server(n).await;
    let http = reqwest::Client::new();
    let boss = token(&s, "giamsat.07916").await;
    let officer = token(&s, "canbo.07916").await;
    let get = |t: &str, path: &str| http.get(format!("{}{path}", s.url())).bearer_auth(t.to_owned()).send();

    // What the generator says, counted without the server.
    let g = bhxh_fixtures::Generator::new(3).expect("generator");
    let now = chrono::Utc::now();
    let mut want: BTreeMap<String, (u32, u32)> = BTreeMap::new(); // unit → (approved, pending)
    for i in 0..register_size(n) {
        let p = g.person(REGISTER_BASE + i, now).expect("person").fields;
        if let (Some(u), true) = (&p.unit_code, p.office_code == "07916" && register_person_has_account(i)) {
            want.entry(u.clone()).or_default().0 += 1;
        }
    }
    for i in 0..n {
        let p = g.declared_person(i, now).expect("person").fields;
        if let (Some(u), true) = (&p.unit_code, p.office_code == "07916") {
            // An adjustment or a stop is of an account already open: covered, not waiting.
            let counts = want.entry(u.clone()).or_default();
            if p.purpose == bhxh_domain::Purpose::Register {
                counts.1 += 1;
            } else {
                counts.0 += 1;
            }
        }
    }
    let report: CoverageReport =
        get(&boss, "/v1/offices/07916/coverage").await.expect("send").json().await.expect("json");
    let campaign = report.campaign.clone().expect("the demo office runs a campaign");
    assert_eq!(campaign.target_percent, 30);
    assert!(campaign.starts_on < campaign.deadline);
    assert_eq!(report.units.len(), 6);
    for u in &report.units {
        let (approved, pending) = want.get(&u.code).copied().unwrap_or_default();
        assert_eq!((u.code.as_str(), u.approved, u.pending), (u.code.as_str(), approved, pending));
        assert!(u.participants >= u.approved + u.pending, "{u:?}");
        let opened: u32 = u.opened_by_day.iter().map(|d| d.count).sum();
        assert!(opened <= u.approved);
    }
    let empty = report.units.iter().find(|u| u.code == "TQ0210Q").expect("unit without participants");
    assert_eq!((empty.participants, empty.approved), (0, 0));
    let lagging = report.units.iter().find(|u| u.code == "SQ0155Q").expect("unit nobody applied in");
    assert_eq!((lagging.participants, lagging.approved), (21, 0));
    assert_eq!(get(&officer, "/v1/offices/07916/coverage").await.expect("send").status(), 403);

    // An approval opens an account today.
    let page: DeclarationPage =
        get(&officer, "/v1/offices/07916/declarations").await.expect("send").json().await.expect("page");
    let d = page.items.iter().find(|d| d.fields.unit_code.is_some()).expect("an adult with a unit");
    let unit = d.fields.unit_code.clone().expect("unit");
    let before = report.units.iter().find(|u| u.code == unit).cloned().expect("unit");
    let decision = serde_json::json!({"declaration_id": d.id, "outcome": "approve", "decided_at": chrono::Utc::now()});
    let r = http
        .post(format!("{}/v1/decisions", s.url()))
        .bearer_auth(&officer)
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
        .json(&decision)
        .send()
        .await
        .expect("send");
    assert!(r.status().is_success(), "{}", r.status());
    let after: CoverageReport =
        get(&boss, "/v1/offices/07916/coverage").await.expect("send").json().await.expect("json");
    let after = after.units.into_iter().find(|u| u.code == unit).expect("unit");
    assert_eq!((after.approved, after.pending), (before.approved + 1, before.pending - 1));
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).date_naive();
    let on = |u: &bhxh_protocol::UnitCoverage| u.opened_by_day.iter().find(|c| c.day == today).map_or(0, |c| c.count);
    assert_eq!(on(&after), on(&before) + 1);

    // Letter numbers: one per id, in sequence, only for the office's own units.
    let take = |id: &str, unit: &str| {
        http.post(format!("{}/v1/offices/07916/letters", s.url()))
            .bearer_auth(boss.clone())
            .json(&serde_json::json!({"id": id, "unit_code": unit}))
            .send()
    };
    let first: LetterNumber = take("a", "SQ0007Q").await.expect("send").json().await.expect("json");
    let again: LetterNumber = take("a", "SQ0007Q").await.expect("send").json().await.expect("json");
    let next: LetterNumber = take("b", "SQ0155Q").await.expect("send").json().await.expect("json");
    assert_eq!(first, again);
    assert_eq!(next.number, first.number + 1);
    assert_eq!(first.reference, format!("{}/BHXH-THU", first.number));
    assert_eq!(take("c", "YC0018C").await.expect("send").status(), 422);

    // Handing over: the supervisor gives a waiting declaration to an officer.
    let waiting = page.items.iter().find(|x| x.id != d.id).expect("another declaration");
    let hand = |t: &str, officer: &str| {
        http.post(format!("{}/v1/declarations/{}/hand-over", s.url(), waiting.id))
            .bearer_auth(t.to_owned())
            .json(&serde_json::json!({ "officer": officer }))
            .send()
    };
    assert_eq!(hand(&officer, "canbo2.07916").await.expect("send").status(), 403);
    assert_eq!(hand(&boss, "canbo.07920").await.expect("send").status(), 422);
    let lease: bhxh_protocol::Assignment = hand(&boss, "canbo2.07916").await.expect("send").json().await.expect("json");
    assert_eq!(lease.officer, "canbo2.07916");
    assert!(lease.expires_at > chrono::Utc::now() + chrono::Duration::hours(7));
    let taken: bhxh_protocol::AssignmentAnswer = http
        .post(format!("{}/v1/declarations/{}/assignment", s.url(), waiting.id))
        .bearer_auth(&officer)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(!taken.granted, "handed to someone else");
    s.stop().await;
}

/// A number is voided only when its letter was never written: by whoever took it,
/// within the hour; twice keeps the first; never given again; audited once.
#[test]
fn a_letter_number_is_voided_only_by_its_taker_within_the_hour() {
    use bhxh_central::LetterVoided;
    use bhxh_domain::Role;
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = bhxh_central::Store::open(&dir.path().join("central.sqlite3")).expect("store");
    let person = |username: &str, role: Role, office: &str| bhxh_protocol::UserInfo {
        username: username.into(),
        display_name: username.into(),
        role,
        office_code: office.into(),
    };
    let boss = person("giamsat.07916", Role::Supervisor, "07916");
    let other = person("giamsat2.07916", Role::Supervisor, "07916");
    let now = chrono::Utc::now();
    let take = |store: &mut bhxh_central::Store, id: &str, at| {
        let req = bhxh_protocol::LetterNumberRequest { id: id.into(), unit_code: "SQ0007Q".into() };
        store.take_letter_number(&boss, &req, "BHXH-THU", at).expect("number")
    };
    let first = take(&mut store, "a", now);
    let void = |store: &mut bhxh_central::Store, who: &bhxh_protocol::UserInfo, office: &str, id: &str, reason, at| {
        store.void_letter(who, office, id, reason, "BHXH-THU", at).expect("void")
    };
    assert!(matches!(void(&mut store, &other, "07916", "a", "x", now), LetterVoided::NotYours));
    assert!(
        matches!(void(&mut store, &boss, "07920", "a", "x", now), LetterVoided::NotGiven),
        "another office's register"
    );
    assert!(matches!(void(&mut store, &boss, "07916", "nobody", "x", now), LetterVoided::NotGiven));
    let later = now + chrono::Duration::minutes(61);
    assert!(matches!(void(&mut store, &boss, "07916", "a", "x", later), LetterVoided::TooLate));
    let LetterVoided::Voided(voided) = void(&mut store, &boss, "07916", "a", "pdf not written", now) else {
        panic!("the taker voids within the hour")
    };
    assert_eq!((voided.number, voided.voided_at), (first.number, Some(now)));
    let LetterVoided::Voided(again) = void(&mut store, &boss, "07916", "a", "a second reason", later) else {
        panic!("voided already")
    };
    assert_eq!(again.voided_at, Some(now), "the first void stands");
    let asked_again = take(&mut store, "a", now);
    assert!(asked_again.voided_at.is_some(), "the same id never gets a live number back");
    assert_eq!(take(&mut store, "b", now).number, first.number + 1, "a voided number is never given again");
    drop(store);
    let db = rusqlite::Connection::open(dir.path().join("central.sqlite3")).expect("open");
    let voids: i64 =
        db.query_row("SELECT count(*) FROM audit WHERE action = 'letter_void'", [], |r| r.get(0)).expect("count");
    assert_eq!(voids, 1);
}

/// Issue 21 (low): the server's clock has the last word on when a decision counts.
/// An offline decision keeps its officer's time; one claiming to be made tomorrow,
/// or before the citizen submitted, counts from when it arrived.
#[tokio::test]
async fn a_decisions_time_is_believed_only_between_submission_and_arrival() {
    let (_dir, s) = server(6).await;
    let http = reqwest::Client::new();
    let officer = token(&s, "canbo.07916").await;
    let page: bhxh_protocol::DeclarationPage = http
        .get(format!("{}/v1/offices/07916/declarations", s.url()))
        .bearer_auth(&officer)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("page");
    let now = s.state.now();
    let items = &page.items;
    // (claimed, believed): an hour ago (or at submission when that was later),
    // tomorrow, a minute before the citizen submitted.
    let cases = [
        ((now - chrono::TimeDelta::hours(1)).max(items[0].submitted_at), true),
        (now + chrono::TimeDelta::days(1), false),
        (items[2].submitted_at - chrono::TimeDelta::minutes(1), false),
    ];
    for (i, (claimed, believed)) in cases.into_iter().enumerate() {
        let d = &items[i];
        let before = s.state.now();
        let r = http
            .post(format!("{}/v1/decisions", s.url()))
            .bearer_auth(&officer)
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .json(&serde_json::json!({"declaration_id": d.id, "outcome": "escalate", "note": "Xin ý kiến", "decided_at": claimed}))
            .send()
            .await
            .expect("send");
        assert!(r.status().is_success(), "{}", r.status());
        let answer: bhxh_protocol::DecisionAnswer = r.json().await.expect("json");
        let recorded = answer.decision.expect("the decision on record");
        if believed {
            assert_eq!(recorded.decided_at, claimed, "case {i}");
        } else {
            assert!(recorded.decided_at >= before && recorded.decided_at <= s.state.now(), "case {i}: {recorded:?}");
        }
    }
    s.stop().await;
}
mod paper_rule;
mod purposes;
