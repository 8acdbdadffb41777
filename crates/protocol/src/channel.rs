//! How a submission channel (the back end of the VssID app or of the public-service
//! portal) proves that a submission is its own: an HMAC-SHA256, under a key shared
//! with the central service, over the channel's name, the time and the exact body.
//! Nobody else can file a declaration, and a captured request is good for a few
//! minutes at most (the server also refuses the same signature twice).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The channel's name (`vssid`, `portal`, `demo`).
pub const CHANNEL_HEADER: &str = "x-bhxh-channel";
/// Seconds since the Unix epoch when the request was signed.
pub const TIMESTAMP_HEADER: &str = "x-bhxh-timestamp";
/// Lowercase hex of [`channel_signature`].
pub const SIGNATURE_HEADER: &str = "x-bhxh-signature";
/// How far a signed time may be from the server's clock.
pub const MAX_SKEW_SECONDS: i64 = 300;

fn mac(key: &[u8], channel: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    mac.update(b"bhxh submission v1\n");
    mac.update(channel.as_bytes());
    mac.update(b"\n");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b"\n");
    mac.update(body);
    mac
}

/// The signature of `body` sent by `channel` at `timestamp`.
pub fn channel_signature(key: &[u8], channel: &str, timestamp: i64, body: &[u8]) -> String {
    hex::encode(mac(key, channel, timestamp, body).finalize().into_bytes())
}

/// Whether `signature` (hex) is the one of `body` (compared in constant time).
pub fn channel_signature_holds(key: &[u8], channel: &str, timestamp: i64, body: &[u8], signature: &str) -> bool {
    hex::decode(signature.trim()).is_ok_and(|sig| mac(key, channel, timestamp, body).verify_slice(&sig).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_binds_the_key_the_channel_the_time_and_the_body() {
        let sig = channel_signature(b"key", "portal", 1_767_200_000, b"{}");
        assert_eq!(sig.len(), 64);
        assert!(channel_signature_holds(b"key", "portal", 1_767_200_000, b"{}", &sig));
        assert!(!channel_signature_holds(b"other key", "portal", 1_767_200_000, b"{}", &sig));
        assert!(!channel_signature_holds(b"key", "vssid", 1_767_200_000, b"{}", &sig));
        assert!(!channel_signature_holds(b"key", "portal", 1_767_200_001, b"{}", &sig));
        assert!(!channel_signature_holds(b"key", "portal", 1_767_200_000, b"{ }", &sig));
        assert!(!channel_signature_holds(b"key", "portal", 1_767_200_000, b"{}", "not hex"));
    }
}
