//! HTTPS to the central service with its certificate pinned: the pinned server
//! is talked to; a server showing another certificate gets nothing, and the error
//! says so (it is not "offline").

use super::{officer, server_state};
use bhxh_central::{ServerTls, start_with};
use bhxh_sync::{CentralClient, CertPin, SyncError};

#[tokio::test]
async fn only_the_pinned_certificate_is_talked_to() {
    let sdir = tempfile::tempdir().expect("tmp");
    let tls = ServerTls::self_signed(&sdir.path().join("tls")).expect("certificate");
    let pin: CertPin = tls.fingerprint.parse().expect("the server prints a pin the desk reads");
    let server = start_with("127.0.0.1:0".parse().expect("addr"), server_state(sdir.path(), 2), Some(tls))
        .await
        .expect("server");
    assert!(server.url().starts_with("https://127.0.0.1:"), "{}", server.url());

    // The pinned certificate: logged in and answered over TLS.
    let mut c = CentralClient::with_pin(&server.url(), Some(pin)).expect("client");
    c.login(&officer()).await.expect("login over the pinned connection");
    assert!(!c.offices().await.expect("offices").offices.is_empty());

    // Another server, another certificate (as a proxy breaking TLS open would show).
    let other_dir = tempfile::tempdir().expect("tmp");
    let other_tls = ServerTls::self_signed(other_dir.path()).expect("another certificate");
    let other = start_with("127.0.0.1:0".parse().expect("addr"), server_state(other_dir.path(), 0), Some(other_tls))
        .await
        .expect("other server");
    let mut c = CentralClient::with_pin(&other.url(), Some(pin)).expect("client");
    let e = c.login(&officer()).await.expect_err("another certificate is refused");
    assert!(matches!(e, SyncError::CertificateMismatch { .. }), "{e:?}");
    assert!(!e.is_offline(), "a refused certificate is not a network outage");
    // The same client, once that server is gone: a plain outage again, not a refusal.
    let gone = other.url();
    other.stop().await;
    let e = c.login(&officer()).await.expect_err("nobody listens");
    assert!(matches!(e, SyncError::Unreachable { .. }), "{gone}: {e:?}");

    // Without a pin a self-signed certificate is not trusted either.
    let mut c = CentralClient::new(&server.url()).expect("client");
    let e = c.login(&officer()).await.expect_err("unknown issuer");
    assert!(matches!(e, SyncError::Unreachable { .. }), "{e:?}");

    // A pin makes no sense without TLS.
    let plain = CentralClient::with_pin("http://127.0.0.1:9", Some(pin));
    assert!(matches!(plain, Err(SyncError::PinNeedsHttps(_))));
    server.stop().await;
}
