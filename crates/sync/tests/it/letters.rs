//! Numbers of letters that were not written, voided in the office's register.

use super::{serve, server_state};
use bhxh_cache::Cache;
use bhxh_domain::Clock;
use bhxh_protocol::LetterNumberRequest;
use bhxh_sync::letters::{MAKING_LETTERS, VoidReport, void_unwritten_letters};
use bhxh_sync::{CentralClient, Credentials};
use chrono::{Duration, Utc};
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn numbers_without_their_letter_are_voided_and_requests_that_never_arrived_are_let_go() {
    let sdir = tempfile::tempdir().expect("tmp");
    let server = serve(server_state(sdir.path(), 0)).await;
    let mut client = CentralClient::new(&server.url()).expect("client");
    client.login(&Credentials::new("giamsat.07916".into(), "demo".into())).await.expect("login");
    let cdir = tempfile::tempdir().expect("tmp");
    let cache = Arc::new(Mutex::new(Cache::open(cdir.path(), bhxh_cache::DataKey::generate()).expect("cache")));
    let now = Utc::now();
    let ask = |id: &str| {
        cache.lock().expect("cache").letter_number_asked(id, "SQ0007Q", now).expect("noted");
        LetterNumberRequest { id: id.into(), unit_code: "SQ0007Q".into() }
    };
    // "failed": given, its letter known not written. "lost": asked, never arrived.
    // "stopped": given, the app went before writing it. "written": in a letter.
    for id in ["failed", "stopped", "written"] {
        client.letter_number("07916", &ask(id)).await.expect("number");
    }
    let _ = ask("lost");
    {
        let mut c = cache.lock().expect("cache");
        c.letters_written(&["written".into()]).expect("written");
        c.letters_not_written(&["failed".into(), "lost".into()], "letter not written: Io").expect("marked");
    }
    let void = |clock| void_unwritten_letters(&client, &cache, "07916", "giamsat.07916", clock);
    let left = |cache: &Arc<Mutex<Cache>>| -> Vec<String> {
        cache.lock().expect("cache").unwritten_letters().expect("list").into_iter().map(|l| l.id).collect()
    };

    let report = void(Clock::System).await.expect("round");
    assert_eq!(report, VoidReport { voided: 1, never_given: 0, refused: 0, left: 2 });
    assert_eq!(left(&cache), ["lost", "stopped"], "the lost request may still arrive; the letters may still be made");

    let later = Clock::Shifted(MAKING_LETTERS + Duration::minutes(1));
    let report = void(later).await.expect("round");
    assert_eq!(report, VoidReport { voided: 1, never_given: 1, refused: 0, left: 0 });
    assert!(left(&cache).is_empty());
    let voids: Vec<_> = server
        .state
        .with_store(|s| s.audit_of("giamsat.07916"))
        .expect("audit")
        .into_iter()
        .filter(|(action, _, _)| action == "letter_void")
        .collect();
    assert_eq!(voids.len(), 2, "failed and stopped: {voids:?}");
    server.stop().await;
}
