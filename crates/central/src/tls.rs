//! HTTPS for the reference server: a certificate and key from PEM files (as a
//! real deployment has), or a self-signed one made once and kept in the data
//! directory (so its SHA-256, the pin the desk is configured with, stays the same
//! across restarts). The desk refuses plain HTTP to anything but loopback.

use anyhow::Context;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;

/// What the server serves HTTPS with.
#[derive(Clone)]
pub struct ServerTls {
    pub(crate) config: Arc<rustls::ServerConfig>,
    /// SHA-256 of the certificate's DER, `AB:CD:…`: what the desk pins.
    pub fingerprint: String,
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTls").field("fingerprint", &self.fingerprint).finish()
    }
}

fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

impl ServerTls {
    fn new(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> anyhow::Result<ServerTls> {
        let leaf = chain.first().context("the certificate file holds no certificate")?;
        let fingerprint = fingerprint(leaf.as_ref());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .context("the certificate and the key do not go together")?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(ServerTls { config: Arc::new(config), fingerprint })
    }

    /// A certificate chain and its private key, from PEM files.
    pub fn from_pem_files(cert: &Path, key: &Path) -> anyhow::Result<ServerTls> {
        let chain = CertificateDer::pem_file_iter(cert)
            .with_context(|| format!("reading {}", cert.display()))?
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("{} is not a PEM certificate", cert.display()))?;
        let key =
            PrivateKeyDer::from_pem_file(key).with_context(|| format!("{} is not a PEM private key", key.display()))?;
        Self::new(chain, key)
    }

    /// The server's own certificate for `localhost` and 127.0.0.1, made on first
    /// use and kept in `dir` (the key readable by its owner only).
    pub fn self_signed(dir: &Path) -> anyhow::Result<ServerTls> {
        let (cert_path, key_path) = (dir.join("cert.der"), dir.join("key.der"));
        if !(cert_path.exists() && key_path.exists()) {
            std::fs::create_dir_all(dir)?;
            let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
                .context("making a self-signed certificate")?;
            write_private(&key_path, &made.key_pair.serialize_der())?;
            std::fs::write(&cert_path, made.cert.der().as_ref())?;
        }
        let cert = CertificateDer::from(std::fs::read(&cert_path)?);
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(std::fs::read(&key_path)?));
        Self::new(vec![cert], key)
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_self_signed_certificate_is_kept_so_its_pin_stays() {
        let dir = tempfile::tempdir().expect("tmp");
        let a = ServerTls::self_signed(dir.path()).expect("first");
        let b = ServerTls::self_signed(dir.path()).expect("again");
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_eq!(a.fingerprint.len(), 32 * 3 - 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("key.der")).expect("key").permissions().mode();
            assert_eq!(mode & 0o077, 0, "the key is its owner's only");
        }
    }

    #[test]
    fn files_that_are_not_pem_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().expect("tmp");
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, b"not a certificate").expect("write");
        let e = ServerTls::from_pem_files(&junk, &junk).expect_err("junk");
        assert!(format!("{e:#}").contains("junk.pem"), "{e:#}");
    }
}
