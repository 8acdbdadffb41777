//! What the client's connection to the central service will not do: follow a
//! redirect, go through a proxy named in the environment, or put a request's
//! query (a mã số, a phone) into an error that reaches a log.

use bhxh_sync::{CentralClient, SyncError};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A listener that counts the connections made to it and answers each with `answer`.
async fn counting_listener(answer: String) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let _ = stream.read(&mut buf).await;
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (format!("http://{addr}"), seen)
}

fn empty_answer(status: &str, extra: &str) -> String {
    format!("HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n")
}

#[tokio::test]
async fn a_redirect_is_never_followed_with_the_password() {
    let (elsewhere, taken) = counting_listener(empty_answer("200 OK", "")).await;
    let location = format!("Location: {elsewhere}/v1/auth/login\r\n");
    let (central, _) = counting_listener(empty_answer("307 Temporary Redirect", &location)).await;
    let mut client = CentralClient::new(&central).expect("client");
    let answer = client.login(&bhxh_sync::Credentials::new("canbo.07916".into(), "mật khẩu".into())).await;
    assert!(matches!(answer, Err(SyncError::Http { status: 307, .. })), "{answer:?}");
    assert_eq!(taken.load(Ordering::SeqCst), 0, "the password went where the redirect pointed");
}

#[tokio::test]
async fn an_error_names_the_request_without_its_query() {
    // A port nobody listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let client = CentralClient::new(&format!("http://127.0.0.1:{port}")).expect("client");
    let err = client.directory_page("07916", "7914820031", 100).await.expect_err("nobody answers");
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains("7914820031"), "a mã số reached the error: {text}");
        assert!(text.contains("/v1/offices/07916/directory"), "the request is still named: {text}");
    }
}

const CHILD: &str = "BHXH_PROXY_TEST_CHILD";

/// Run in a child process with the environment's proxy variables set (the test's
/// own environment is shared by every test thread, so it is not changed here).
#[test]
fn the_environments_proxy_is_never_used() {
    if let Ok(central) = std::env::var(CHILD) {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async {
            let client = CentralClient::new(&central).expect("client");
            // Nobody answers there; through a proxy the request would reach it.
            let _ = client.health().await;
        });
        return;
    }
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (proxy, used) = rt.block_on(counting_listener(empty_answer("502 Bad Gateway", "")));
    // A name that never resolves: only a proxy could carry the request anywhere.
    let central = "https://bhxh-central.invalid";
    let status = std::process::Command::new(std::env::current_exe().expect("exe"))
        .args(["--exact", "transport::the_environments_proxy_is_never_used", "--nocapture", "--test-threads=1"])
        .env(CHILD, central)
        .env("HTTPS_PROXY", &proxy)
        .env("https_proxy", &proxy)
        .env("HTTP_PROXY", &proxy)
        .env("ALL_PROXY", &proxy)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .status()
        .expect("child");
    assert!(status.success(), "the child test failed");
    assert_eq!(used.load(Ordering::SeqCst), 0, "the request went through the environment's proxy");
}
