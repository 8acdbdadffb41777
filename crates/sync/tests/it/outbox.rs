//! Delivering decisions against the real reference server: exactly once through
//! every injected fault, conflicts between two officers, the idempotency contract.

use super::{OFFICE, officer, serve};
use bhxh_cache::{Cache, DataKey, OutboxState};
use bhxh_central::{AppState, ServerConfig, seed_bulk, seed_demo};
use bhxh_domain::{DecisionDraft, Outcome};
use bhxh_protocol::{DecisionAnswer, DecisionRequest, DecisionResult, ErrorBody, FaultSettings};
use bhxh_sync::{CentralClient, Credentials, pull_declarations, push_outbox};
use chrono::Utc;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

fn bulk_state(dir: &Path, n: u64) -> (AppState, Vec<String>) {
    let state =
        AppState::open(&ServerConfig { data_dir: dir.to_path_buf(), admin: true, faults: FaultSettings::default() })
            .expect("server state");
    seed_demo(&state, 0, 1).expect("accounts");
    // Office 07916 is every third generated person: take enough, keep that office's.
    let ids: Vec<String> =
        seed_bulk(&state, n * 3, 5, 0).expect("bulk").into_iter().filter(|id| id.starts_with(OFFICE)).collect();
    (state, ids)
}

fn approve() -> DecisionDraft {
    DecisionDraft {
        outcome: Outcome::Approve, reasons: vec![], note: Some("Đã đối chiếu".into()), paper_seen: true
    }
}

async fn pull_all(client: &CentralClient, cache: &bhxh_sync::SharedCache) {
    pull_declarations(client, cache, OFFICE, 500).await.expect("pull");
}

/// Pushes until nothing waits, or gives up. The backoff's waits are skipped, not
/// slept: when nothing is due, the client's clock moves on to the earliest retry
/// the backoff scheduled (`push::backoff` has its own tests). What is timed is the
/// delivery's work, not how unlucky a run of faults was.
async fn push_until_empty(
    client: &mut CentralClient,
    cache: &bhxh_sync::SharedCache,
    creds: &Credentials,
    limit: Duration,
) {
    let started = Instant::now();
    let mut ahead = chrono::TimeDelta::zero();
    loop {
        let clock = bhxh_domain::Clock::Shifted(ahead);
        // A login answered by a fault is just another retry.
        let _ = push_outbox(client, cache, creds, clock).await;
        let rows = cache.lock().expect("lock").outbox().expect("outbox");
        let waiting: Vec<_> = rows.iter().filter(|r| r.state == OutboxState::Waiting).collect();
        let Some(next) = waiting.iter().map(|r| r.next_attempt_at).min() else { return };
        assert!(started.elapsed() < limit, "{} decisions still waiting after {limit:?}", waiting.len());
        let now = clock.now();
        if next > now {
            ahead += next - now;
        }
    }
}

fn set_faults(state: &AppState, f: FaultSettings) {
    *state.faults.write().expect("faults") = f;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_decision_arrives_exactly_once_through_every_fault() {
    let sdir = tempfile::tempdir().expect("tmp");
    let cdir = tempfile::tempdir().expect("tmp");
    let per_fault = 400usize;
    let kinds: [(&str, fn(&mut FaultSettings)); 5] = [
        ("503", |f| f.error_percent = 30),
        ("dropped connection", |f| f.drop_percent = 30),
        ("committed then dropped", |f| f.commit_drop_percent = 30),
        ("429 Retry-After", |f| f.throttle_percent = 30),
        ("expired token", |f| f.expire_token_percent = 30),
    ];
    let (state, ids) = bulk_state(sdir.path(), (per_fault * kinds.len()) as u64);
    assert!(ids.len() >= per_fault * kinds.len(), "{} declarations", ids.len());
    let server = serve(state.clone()).await;
    let mut client = CentralClient::new(&server.url()).expect("client");
    client.login(&officer()).await.expect("login");
    let cache = std::sync::Arc::new(Mutex::new(Cache::open(cdir.path(), DataKey::generate()).expect("cache")));
    pull_all(&client, &cache).await;

    let mut keys = BTreeMap::new();
    for (i, (name, set)) in kinds.iter().enumerate() {
        for id in &ids[i * per_fault..(i + 1) * per_fault] {
            let key = cache
                .lock()
                .expect("lock")
                .record_decision("canbo.07916", id, &approve(), &[], Utc::now())
                .expect("cache")
                .expect("recorded");
            keys.insert(key, id.clone());
        }
        let mut f = FaultSettings::default();
        set(&mut f);
        set_faults(&state, f);
        let started = Instant::now();
        push_until_empty(&mut client, &cache, &officer(), Duration::from_secs(120)).await;
        set_faults(&state, FaultSettings::default());
        eprintln!("{name}: {per_fault} delivered in {:.1} s", started.elapsed().as_secs_f64());
    }

    // Client and server agree, one for one.
    let rows = cache.lock().expect("lock").outbox().expect("outbox");
    assert_eq!(rows.len(), keys.len());
    for r in &rows {
        assert_eq!(r.state, OutboxState::Accepted, "{} ended {:?} ({:?})", r.key, r.state, r.last_error);
    }
    let recorded = state.with_store(|s| s.all_decisions()).expect("decisions");
    assert_eq!(recorded.len(), keys.len(), "the server holds each decision once");
    let server_keys: BTreeMap<String, String> =
        recorded.iter().map(|d| (d.idempotency_key.clone(), d.declaration_id.clone())).collect();
    assert_eq!(server_keys, keys);
    let declarations: BTreeSet<&str> = recorded.iter().map(|d| d.declaration_id.as_str()).collect();
    assert_eq!(declarations.len(), recorded.len(), "no declaration decided twice");
    server.stop().await;
}

#[tokio::test]
async fn two_officers_deciding_offline_one_wins_the_other_sees_a_conflict() {
    let sdir = tempfile::tempdir().expect("tmp");
    let (state, ids) = bulk_state(sdir.path(), 3);
    let server = serve(state.clone()).await;
    let target = ids[0].clone();
    let second = Credentials::new("canbo2.07916".into(), "demo".into());
    let mut officers = Vec::new();
    for creds in [officer(), second] {
        let dir = tempfile::tempdir().expect("tmp");
        let mut client = CentralClient::new(&server.url()).expect("client");
        client.login(&creds).await.expect("login");
        let cache = std::sync::Arc::new(Mutex::new(Cache::open(dir.path(), DataKey::generate()).expect("cache")));
        pull_all(&client, &cache).await;
        officers.push((dir, client, cache, creds));
    }
    // Both decide while "offline" (nothing sent yet), differently.
    let reject = DecisionDraft {
        outcome: Outcome::Reject,
        reasons: vec![
            bhxh_domain::reference::ReferenceData::get()
                .reasons
                .iter()
                .find(|r| r.kind == bhxh_domain::reference::ReasonKind::Reject)
                .expect("reject reason")
                .code
                .clone(),
        ],
        note: None,
        paper_seen: false,
    };
    officers[0]
        .2
        .lock()
        .expect("lock")
        .record_decision("canbo.07916", &target, &approve(), &[], Utc::now())
        .expect("cache")
        .expect("ok");
    officers[1]
        .2
        .lock()
        .expect("lock")
        .record_decision("canbo2.07916", &target, &reject, &[], Utc::now())
        .expect("cache")
        .expect("ok");
    for (_, client, cache, creds) in &mut officers {
        push_until_empty(client, cache, creds, Duration::from_secs(30)).await;
    }
    let first = &officers[0].2.lock().expect("lock").outbox().expect("outbox")[0];
    assert_eq!(first.state, OutboxState::Accepted);
    let (_, attention) = officers[1].2.lock().expect("lock").outbox_counts().expect("counts");
    assert_eq!(attention, 1, "the conflict needs the second officer's attention");
    let lost = officers[1].2.lock().expect("lock").outbox().expect("outbox")[0].clone();
    assert_eq!(lost.state, OutboxState::Conflict);
    let theirs = lost.answer.as_ref().and_then(|a| a.decision.clone()).expect("the winning decision");
    assert_eq!(
        (theirs.officer.as_str(), theirs.officer_name.as_str(), theirs.outcome),
        ("canbo.07916", "Trần Thị Thu Hà", Outcome::Approve)
    );
    // Nothing overwritten: the server holds the first decision only.
    let recorded = state.with_store(|s| s.all_decisions()).expect("decisions");
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].outcome, Outcome::Approve);
    // Acknowledged, it leaves the attention list but stays in the history.
    assert!(officers[1].2.lock().expect("lock").acknowledge("canbo2.07916", &lost.key, Utc::now()).expect("ack"));
    assert_eq!(officers[1].2.lock().expect("lock").outbox_counts().expect("counts").1, 0);
    assert_eq!(officers[1].2.lock().expect("lock").outbox().expect("outbox").len(), 1);
    // A decision withdrawn before sending never reaches the server.
    let (_, client, cache, creds) = &mut officers[0];
    let other = ids[1].clone();
    let key = cache
        .lock()
        .expect("lock")
        .record_decision("canbo.07916", &other, &approve(), &[], Utc::now())
        .expect("cache")
        .expect("ok");
    cache.lock().expect("lock").withdraw("canbo.07916", &key, Utc::now()).expect("cache").expect("withdrawn");
    push_until_empty(client, cache, creds, Duration::from_secs(10)).await;
    assert!(state.with_store(|s| s.all_decisions()).expect("decisions").iter().all(|d| d.declaration_id != other));
    let verify = cache.lock().expect("lock").verify_audit().expect("audit");
    assert!(verify.first_broken.is_none() && verify.rows >= 4, "{verify:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_idempotency_contract_replay_in_flight_and_reuse() {
    let sdir = tempfile::tempdir().expect("tmp");
    let (state, ids) = bulk_state(sdir.path(), 2);
    let server = serve(state.clone()).await;
    let http = reqwest::Client::new();
    let token = {
        let mut c = CentralClient::new(&server.url()).expect("client");
        c.login(&officer()).await.expect("login").token
    };
    let url = format!("{}/v1/decisions", server.url());
    let req = DecisionRequest {
        declaration_id: ids[0].clone(),
        draft: DecisionDraft { outcome: Outcome::Approve, reasons: vec![], note: None, paper_seen: true },
        decided_at: Utc::now(),
        findings: vec![],
    };
    let key = uuid::Uuid::now_v7().to_string();
    let send = |body: DecisionRequest, key: String| {
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        async move {
            http.post(&url).bearer_auth(&token).header("Idempotency-Key", key).json(&body).send().await.expect("send")
        }
    };
    // While the first attempt is slow, the same key is "in flight".
    set_faults(&state, FaultSettings { latency_ms: 800, ..FaultSettings::default() });
    let first = tokio::spawn(send(req.clone(), key.clone()));
    // Probe only once the server holds the first attempt (else the probe would be
    // the first to arrive, on a busy machine).
    let started = std::time::Instant::now();
    while !state.with_store(|s| s.key_in_flight(officer().username(), &key)).expect("store") {
        assert!(started.elapsed() < Duration::from_secs(20), "the first attempt never reached the server");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let r = send(req.clone(), key.clone()).await;
    assert_eq!(r.status(), 409, "the same key while the first attempt runs");
    let in_flight = r.json::<ErrorBody>().await.expect("error body");
    assert_eq!(in_flight.code, "in_flight");
    let first = first.await.expect("join");
    assert_eq!(first.status(), 201);
    let first: DecisionAnswer = first.json().await.expect("answer");
    set_faults(&state, FaultSettings::default());
    // Replayed: the same status and body.
    let again = send(req.clone(), key.clone()).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.json::<DecisionAnswer>().await.expect("answer"), first);
    // The same key with another body: refused.
    let mut other = req.clone();
    other.draft.outcome = Outcome::Escalate;
    other.draft.note = Some("x".into());
    let reused = send(other, key.clone()).await;
    assert_eq!(reused.status(), 422);
    assert_eq!(reused.json::<ErrorBody>().await.expect("error").code, "idempotency_key_reused");
    // The same decision under a new key: a duplicate, not a second record.
    let dup = send(req.clone(), uuid::Uuid::now_v7().to_string()).await;
    assert_eq!(dup.json::<DecisionAnswer>().await.expect("answer").result, DecisionResult::Duplicate);
    // Keys belong to an officer: another officer's same key is a different key.
    let token2 = {
        let mut c = CentralClient::new(&server.url()).expect("client");
        c.login(&Credentials::new("canbo2.07916".into(), "demo".into())).await.expect("login").token
    };
    let r = http
        .post(&url)
        .bearer_auth(&token2)
        .header("Idempotency-Key", key.clone())
        .json(&req)
        .send()
        .await
        .expect("send");
    assert_eq!(r.json::<DecisionAnswer>().await.expect("answer").result, DecisionResult::Conflict);
    // No key, or not a UUID: a clear refusal.
    let r = http.post(&url).bearer_auth(&token).json(&req).send().await.expect("send");
    assert_eq!(r.status(), 400);
    assert_eq!(state.with_store(|s| s.all_decisions()).expect("decisions").len(), 1);
    server.stop().await;
}
