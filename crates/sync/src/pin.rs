//! Pinning the central service's certificate: with a pin in the configuration,
//! the desk talks to a server only if it presents exactly that certificate
//! (SHA-256 of its DER), whoever signed it. An office network that breaks TLS
//! open with its own CA (a proxy, a compromised root) then gets no password, no
//! token and no ID image. Without a pin the usual web PKI applies.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// SHA-256 of a certificate's DER encoding, as `openssl x509 -fingerprint
/// -sha256` prints it (colons and case do not matter).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CertPin([u8; 32]);

#[derive(Debug, thiserror::Error)]
#[error("a certificate pin is the SHA-256 of the certificate: 64 hex digits (colons allowed), not {0:?}")]
pub struct BadPin(String);

impl std::str::FromStr for CertPin {
    type Err = BadPin;

    fn from_str(s: &str) -> Result<Self, BadPin> {
        let hexits: String = s.trim().chars().filter(|c| *c != ':').collect();
        let mut out = [0u8; 32];
        hex::decode_to_slice(&hexits, &mut out).map_err(|_| BadPin(s.chars().take(80).collect()))?;
        Ok(CertPin(out))
    }
}

impl CertPin {
    pub fn of_der(der: &[u8]) -> CertPin {
        CertPin(Sha256::digest(der).into())
    }
}

impl std::fmt::Display for CertPin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|b| format!("{b:02X}")).collect();
        f.write_str(&parts.join(":"))
    }
}

impl std::fmt::Debug for CertPin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CertPin({self})")
    }
}

/// Accepts the pinned certificate only; the handshake's signatures are still
/// checked against it, so a copy of the certificate without its key is no use.
#[derive(Debug)]
pub(crate) struct PinVerifier {
    pin: CertPin,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinVerifier {
    pub(crate) fn new(pin: CertPin, provider: &CryptoProvider) -> Self {
        Self { pin, algorithms: provider.signature_verification_algorithms }
    }
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let seen = CertPin::of_der(end_entity.as_ref());
        if seen == self.pin {
            return Ok(ServerCertVerified::assertion());
        }
        tracing::error!(expected = %self.pin, presented = %seen, "the central service's certificate is not the pinned one");
        Err(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A TLS client configuration that trusts the pinned certificate only.
pub(crate) fn pinned_config(pin: CertPin) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = PinVerifier::new(pin, &provider);
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(config)
}

/// Whether a failed request failed because the pinning verifier refused the
/// server's certificate (then the client reports that, not "unreachable": the
/// officer must call IT, not wait for the network). Read from the error itself,
/// so one refusal does not colour the next real outage.
pub(crate) fn refused_in(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if matches!(
            tls_error(err),
            Some(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
        ) {
            return true;
        }
        cur = err.source();
    }
    false
}

/// The TLS error an error is, or carries inside I/O errors (reqwest's connector
/// wraps it twice, and an I/O error's `source()` skips what it wraps).
fn tls_error<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    if let Some(tls) = err.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    let inner = err.downcast_ref::<std::io::Error>()?.get_ref()?;
    tls_error(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_found_however_deep_the_connector_wrapped_it() {
        use std::io::{Error, ErrorKind};
        let refused = rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure);
        let wrapped = Error::other(Error::new(ErrorKind::InvalidData, refused));
        assert!(refused_in(&wrapped));
        let other_tls =
            Error::new(ErrorKind::InvalidData, rustls::Error::InvalidCertificate(CertificateError::Expired));
        assert!(!refused_in(&other_tls), "an expired certificate is another matter");
        assert!(!refused_in(&Error::from(ErrorKind::ConnectionRefused)), "an outage is an outage");
    }

    #[test]
    fn pins_parse_as_openssl_prints_them_and_nothing_else() {
        let hexits = "AB".repeat(32);
        let with_colons = vec!["ab"; 32].join(":");
        let a: CertPin = hexits.parse().expect("plain");
        let b: CertPin = with_colons.parse().expect("colons");
        assert_eq!(a, b);
        assert_eq!(a.to_string(), vec!["AB"; 32].join(":"));
        for bad in ["", "AB", &"AB".repeat(33), &"ZZ".repeat(32), "../../etc/passwd"] {
            assert!(bad.parse::<CertPin>().is_err(), "{bad}");
        }
        assert_eq!(
            CertPin::of_der(b"x"),
            "2D711642B726B04401627CA9FBAC32F5C8530FB1903CC4DB02258717921A4881".parse().expect("pin")
        );
    }
}
