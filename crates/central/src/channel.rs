//! The submission channels' credential on the server's side: the shared key (made
//! once in the data directory, where the channels' operators copy it from, or put
//! there by them), the check of each submission's signature, and the signing of
//! requests for the `submit` command and the tests.

use crate::{ApiError, AppState};
use axum::http::{HeaderMap, StatusCode};
use bhxh_protocol::channel::{CHANNEL_HEADER, MAX_SKEW_SECONDS, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use bhxh_protocol::{channel_signature, channel_signature_holds, error_code};
use rand::RngCore;
use std::path::Path;

/// The key's file in the server's data directory: 64 hex digits.
pub const KEY_FILE: &str = "channel.key";

/// The key in `path`, or a new random one written there (readable by its owner only).
pub fn load_or_create_key(path: &Path) -> anyhow::Result<Vec<u8>> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let key =
                hex::decode(text.trim()).map_err(|e| anyhow::anyhow!("{}: not a hex key: {e}", path.display()))?;
            anyhow::ensure!(key.len() >= 32, "{}: a channel key needs at least 32 bytes", path.display());
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = vec![0u8; 32];
            rand::rng().fill_bytes(&mut key);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            std::io::Write::write_all(&mut options.open(path)?, hex::encode(&key).as_bytes())?;
            Ok(key)
        }
        Err(e) => Err(e.into()),
    }
}

fn refused(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, error_code::UNAUTHORIZED, message)
}

/// The channel that signed `body`, or why the submission is refused: no signature,
/// a time too far from the server's, a signature that does not hold, or one seen before.
pub fn verify(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<String, ApiError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let (Some(channel), Some(timestamp), Some(signature)) =
        (header(CHANNEL_HEADER), header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER))
    else {
        return Err(refused("a submission must be signed by its channel"));
    };
    let timestamp: i64 = timestamp.parse().map_err(|_| refused("the signature's time is not a number"))?;
    let now = state.now();
    if (now.timestamp() - timestamp).abs() > MAX_SKEW_SECONDS {
        return Err(refused("the signature's time is too far from the server's clock"));
    }
    if !channel_signature_holds(&state.channel_key, channel, timestamp, body, signature) {
        tracing::warn!(channel, "submission with a signature that does not hold");
        return Err(refused("the submission's signature does not hold"));
    }
    let mut seen = state.seen_signatures.lock().unwrap_or_else(|p| p.into_inner());
    let horizon = now - chrono::TimeDelta::seconds(2 * MAX_SKEW_SECONDS);
    seen.retain(|_, at| *at > horizon);
    if seen.insert(signature.to_ascii_lowercase(), now).is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            error_code::REPLAYED,
            "this signed submission was already filed",
        ));
    }
    Ok(channel.to_owned())
}

/// A `POST /v1/submissions` of `body` (JSON) signed for `channel` at `now`.
pub fn signed_submission(
    http: &reqwest::Client,
    central: &str,
    key: &[u8],
    channel: &str,
    now: chrono::DateTime<chrono::Utc>,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    let timestamp = now.timestamp();
    let signature = channel_signature(key, channel, timestamp, &body);
    http.post(format!("{}/v1/submissions", central.trim_end_matches('/')))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(CHANNEL_HEADER, channel)
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, signature)
        .body(body)
}
