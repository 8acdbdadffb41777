//! A whole round without a desk: a plain session holder against the reference
//! server, with the token forgotten between rounds.

use super::{OFFICE, cached_ids, serve, server_ids, server_state};
use bhxh_cache::Cache;
use bhxh_domain::{Clock, Role};
use bhxh_sync::round::{COVERAGE_META, QUOTAS_META, RoundReport, SessionStore, run_round};
use bhxh_sync::{CentralClient, Credentials};
use std::sync::{Arc, Mutex};

struct Session {
    cache: Arc<Mutex<Cache>>,
    credentials: Credentials,
    role: Role,
    client: Mutex<(CentralClient, bool)>,
    downloads: bhxh_sync::Downloads,
}

impl Session {
    fn new(url: &str, dir: &std::path::Path, user: &str, role: Role) -> Self {
        Self {
            cache: Arc::new(Mutex::new(Cache::open(dir, bhxh_cache::DataKey::generate()).expect("cache"))),
            credentials: Credentials::new(user.into(), "demo".into()),
            role,
            client: Mutex::new((CentralClient::new(url).expect("client"), false)),
            downloads: Default::default(),
        }
    }

    /// The server forgets the token: the next round must log in again.
    fn forget_token(&self) {
        self.client.lock().expect("client").0.set_token(Some("expired".into()));
    }
}

impl SessionStore for Session {
    fn cache(&self) -> &Arc<Mutex<Cache>> {
        &self.cache
    }
    fn credentials(&self) -> &Credentials {
        &self.credentials
    }
    fn office(&self) -> &str {
        OFFICE
    }
    fn role(&self) -> Role {
        self.role
    }
    fn client(&self) -> (CentralClient, bool) {
        self.client.lock().expect("client").clone()
    }
    fn keep_client(&self, client: &CentralClient) {
        *self.client.lock().expect("client") = (client.clone(), true);
    }
    fn downloads(&self) -> &bhxh_sync::Downloads {
        &self.downloads
    }
    fn document_policy(&self) -> bhxh_cache::DocumentPolicy {
        Default::default()
    }
}

#[tokio::test]
async fn a_supervisors_round_fills_the_cache_and_logs_in_again_when_the_token_is_gone() {
    let sdir = tempfile::tempdir().expect("tmp");
    let cdir = tempfile::tempdir().expect("tmp");
    let state = server_state(sdir.path(), 10);
    let server = serve(state.clone()).await;
    let session = Session::new(&server.url(), cdir.path(), "giamsat.07916", Role::Supervisor);

    let report = run_round(&session, Clock::System, false).await.expect("round");
    let RoundReport::Reviewer { pulled, pushed } = report else { panic!("a reviewer's round") };
    assert_eq!(pushed.accepted, 0);
    assert_eq!(pulled.declarations as usize, server_ids(&state, OFFICE).len());
    assert_eq!(pulled.documents_failed, 0);
    let mut ids = cached_ids(&session.cache);
    ids.sort();
    let mut expected: Vec<String> = server_ids(&state, OFFICE).into_iter().collect();
    expected.sort();
    assert_eq!(ids, expected);
    {
        let c = session.cache.lock().expect("cache");
        assert!(c.meta(QUOTAS_META).expect("meta").is_some(), "the supervisor's quotas travel with the cache");
        assert!(c.meta(COVERAGE_META).expect("meta").is_some());
        assert!(c.office_units().expect("units").is_some(), "the office's units are listed");
    }

    // The token is gone (a restart of the central service): the pull is refused once,
    // the round logs in again and finishes; without that it fails with Unauthorized.
    session.forget_token();
    let again = run_round(&session, Clock::System, false).await.expect("round with a fresh token");
    assert!(matches!(again, RoundReport::Reviewer { pulled, .. } if pulled.new_declarations == 0));
    server.stop().await;
}

#[tokio::test]
async fn a_helpdesk_round_copies_the_directory_when_due_or_asked() {
    let sdir = tempfile::tempdir().expect("tmp");
    let cdir = tempfile::tempdir().expect("tmp");
    let state = server_state(sdir.path(), 6);
    let server = serve(state).await;
    let session = Session::new(&server.url(), cdir.path(), "hotro.07916", Role::Helpdesk);

    let first = run_round(&session, Clock::System, false).await.expect("round");
    let RoundReport::Helpdesk { directory: Some(d), .. } = first else {
        panic!("the first round copies the directory")
    };
    assert!(d.people > 0);
    let fresh = run_round(&session, Clock::System, false).await.expect("round");
    assert!(matches!(fresh, RoundReport::Helpdesk { directory: None, .. }), "a fresh copy is kept");
    let asked = run_round(&session, Clock::System, true).await.expect("round");
    assert!(matches!(asked, RoundReport::Helpdesk { directory: Some(_), .. }), "the agent's sync copies it again");
    server.stop().await;
}
