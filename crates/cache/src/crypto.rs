//! Encryption at rest. One random data key per officer's cache seals every
//! personal value the cache writes (document files, declaration bodies, findings)
//! with XChaCha20-Poly1305: a fresh 192-bit random nonce per value (no counter
//! to keep in step across crashes), and associated data naming what the value is
//! and where it belongs, so a sealed value moved to another row or file fails to
//! open instead of showing the wrong citizen.
//!
//! The data key never touches the disk in the clear: it is wrapped by a key
//! derived from the officer's password with Argon2id (see [`WrappedKey`]).

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

const NONCE_LEN: usize = 24;
/// First byte of every sealed value: the format, so that it can change later.
const FORMAT_V1: u8 = 1;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    /// Wrong key, or the value was altered or moved.
    #[error("sealed value does not open: wrong key, altered or moved ({0})")]
    Open(&'static str),
    #[error("key derivation: {0}")]
    Kdf(String),
}

/// The officer's data key. Zeroed when dropped; never printed.
#[derive(Clone)]
pub struct DataKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl DataKey {
    pub fn generate() -> Self {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let mut bytes = Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(&key);
        Self(bytes)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.0.as_ref().into())
    }

    /// `format ‖ nonce ‖ ciphertext+tag`, bound to `aad`.
    pub fn seal(&self, aad: &[u8], plain: &[u8]) -> Vec<u8> {
        seal_with(&self.cipher(), aad, plain)
    }

    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        open_with(&self.cipher(), aad, sealed)
    }

    /// A keyed name for a stored file: the content hash alone would let anyone
    /// holding a copy of a citizen's photo confirm that this PC has it.
    pub fn file_name(&self, sha256_hex: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_ref()).expect("HMAC takes any key length");
        mac.update(b"bhxh-desk file name v1\0");
        mac.update(sha256_hex.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The keyed tag the cache's rows know a content by (a document, a paper stack,
    /// their derivatives): equal contents give equal tags, so shared files are still
    /// found, but a copy of the database cannot confirm a photo or PDF it holds.
    pub fn content_tag(&self, sha256_hex: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_ref()).expect("HMAC takes any key length");
        mac.update(b"bhxh-desk content tag v1\0");
        mac.update(sha256_hex.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// A keyed name for a value the checks look declarations up by (`kind`: which
    /// index): equal values give equal names, and the names say nothing without the key.
    pub fn registry_key(&self, kind: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_ref()).expect("HMAC takes any key length");
        mac.update(b"bhxh-desk registry key v1\0");
        mac.update(kind.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// The key of the audit chain's links, apart from the data key: whoever
    /// alters, cuts or re-writes the chain cannot make the links hold without it.
    pub fn audit_key(&self) -> AuditKey {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_ref()).expect("HMAC takes any key length");
        mac.update(b"bhxh-desk audit chain key v1");
        let mut bytes = Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(&mac.finalize().into_bytes());
        AuditKey(bytes)
    }

    /// The cache's own key for a directory lookup token: the tokens the central
    /// service sends are re-keyed so that the cache's index says nothing without
    /// this officer's key.
    pub fn index_token(&self, token: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_ref()).expect("HMAC takes any key length");
        mac.update(b"bhxh-desk directory token v1\0");
        mac.update(token.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

/// Keys the audit chain's links (HMAC-SHA-256). Zeroed when dropped; never printed.
pub struct AuditKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

impl AuditKey {
    /// The link over `parts`, each followed by a NUL (which no field holds), so
    /// that no field can slide into its neighbour.
    pub fn link(&self, parts: &[&str]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_ref()).expect("HMAC takes any key length");
        for part in parts {
            mac.update(part.as_bytes());
            mac.update(&[0u8]);
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

fn seal_with(cipher: &XChaCha20Poly1305, aad: &[u8], plain: &[u8]) -> Vec<u8> {
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    // Encryption with a valid key and nonce fails only for inputs over 256 GiB.
    let ct =
        cipher.encrypt(&nonce, Payload { msg: plain, aad }).expect("XChaCha20-Poly1305 encrypts any in-memory value");
    let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
    out.push(FORMAT_V1);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

fn open_with(cipher: &XChaCha20Poly1305, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if sealed.len() < 1 + NONCE_LEN + 16 {
        return Err(CryptoError::Open("too short"));
    }
    if sealed[0] != FORMAT_V1 {
        return Err(CryptoError::Open("unknown format"));
    }
    let nonce = XNonce::from_slice(&sealed[1..1 + NONCE_LEN]);
    cipher
        .decrypt(nonce, Payload { msg: &sealed[1 + NONCE_LEN..], aad })
        .map_err(|_| CryptoError::Open("authentication failed"))
}

/// Argon2id cost: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane), about
/// 50 ms on an old office PC — once per login, and a thief pays it per guess.
pub const KDF_MEMORY_KIB: u32 = 19 * 1024;
pub const KDF_PASSES: u32 = 2;
pub const KDF_LANES: u32 = 1;

/// Whose data key a wrap holds: bound into the wrap's associated data, so that the
/// role and office the profile keeps in the clear cannot be changed on disk (to
/// open the cache offline as a supervisor, or for another office) without the key
/// failing to open.
#[derive(Debug, Clone, Copy)]
pub struct KeyOwner<'a> {
    pub username: &'a str,
    pub role: &'a str,
    pub office: &'a str,
}

/// The wrap format written now: bound to the user, the role and the office.
/// Version 1 was bound to the user alone; such a wrap opens once more and is
/// written again as version 2.
pub const WRAP_VERSION: u8 = 2;

/// The data key sealed under a key derived from the officer's password. What the
/// profile database keeps; useless without the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// Which associated data it was sealed with (see [`WRAP_VERSION`]).
    pub version: u8,
    pub salt: [u8; 16],
    pub memory_kib: u32,
    pub passes: u32,
    pub lanes: u32,
    pub sealed: Vec<u8>,
}

fn key_encryption_key(
    password: &str,
    salt: &[u8; 16],
    memory_kib: u32,
    passes: u32,
    lanes: u32,
) -> Result<XChaCha20Poly1305, CryptoError> {
    let params = Params::new(memory_kib, passes, lanes, Some(32)).map_err(|e| CryptoError::Kdf(e.to_string()))?;
    let mut kek = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, kek.as_mut())
        .map_err(|e| CryptoError::Kdf(e.to_string()))?;
    Ok(XChaCha20Poly1305::new(kek.as_ref().into()))
}

fn wrap_aad(version: u8, owner: &KeyOwner<'_>) -> Vec<u8> {
    match version {
        1 => format!("bhxh-desk data key v1\0{}", owner.username).into_bytes(),
        _ => format!("bhxh-desk data key v2\0{}\0{}\0{}", owner.username, owner.role, owner.office).into_bytes(),
    }
}

impl WrappedKey {
    pub fn wrap(key: &DataKey, owner: &KeyOwner<'_>, password: &str) -> Result<Self, CryptoError> {
        let mut salt = [0u8; 16];
        salt.copy_from_slice(&XChaCha20Poly1305::generate_nonce(&mut OsRng)[..16]);
        let kek = key_encryption_key(password, &salt, KDF_MEMORY_KIB, KDF_PASSES, KDF_LANES)?;
        let sealed = seal_with(&kek, &wrap_aad(WRAP_VERSION, owner), key.0.as_ref());
        Ok(Self {
            version: WRAP_VERSION,
            salt,
            memory_kib: KDF_MEMORY_KIB,
            passes: KDF_PASSES,
            lanes: KDF_LANES,
            sealed,
        })
    }

    /// The data key, if `password` is the one it was wrapped with and `owner` the
    /// one it was wrapped for. The AEAD tag is the check: nothing else about the
    /// password is stored.
    pub fn unwrap(&self, owner: &KeyOwner<'_>, password: &str) -> Result<DataKey, CryptoError> {
        let kek = key_encryption_key(password, &self.salt, self.memory_kib, self.passes, self.lanes)?;
        let plain = Zeroizing::new(open_with(&kek, &wrap_aad(self.version, owner), &self.sealed)?);
        if plain.len() != 32 {
            return Err(CryptoError::Open("data key length"));
        }
        let mut bytes = Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(&plain);
        Ok(DataKey(bytes))
    }
}

/// A wrap as version 1 wrote it (bound to the user alone), for the upgrade's test.
#[cfg(test)]
pub(crate) fn wrap_v1(key: &DataKey, username: &str, password: &str) -> Result<WrappedKey, CryptoError> {
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&XChaCha20Poly1305::generate_nonce(&mut OsRng)[..16]);
    let kek = key_encryption_key(password, &salt, KDF_MEMORY_KIB, KDF_PASSES, KDF_LANES)?;
    let owner = KeyOwner { username, role: "", office: "" };
    let sealed = seal_with(&kek, &wrap_aad(1, &owner), key.0.as_ref());
    Ok(WrappedKey { version: 1, salt, memory_kib: KDF_MEMORY_KIB, passes: KDF_PASSES, lanes: KDF_LANES, sealed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_refusals() {
        let k = DataKey::generate();
        let sealed = k.seal(b"declarations.body\0D1", "Nguyễn Văn An 079203001234".as_bytes());
        assert!(!sealed.windows(12).any(|w| w == b"079203001234"));
        assert_eq!(k.open(b"declarations.body\0D1", &sealed).expect("opens"), "Nguyễn Văn An 079203001234".as_bytes());
        // Moved to another row, another key, altered, truncated: all refused.
        assert!(k.open(b"declarations.body\0D2", &sealed).is_err());
        assert!(DataKey::generate().open(b"declarations.body\0D1", &sealed).is_err());
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert!(k.open(b"declarations.body\0D1", &altered).is_err());
        assert!(k.open(b"declarations.body\0D1", &sealed[..20]).is_err());
        // Fresh nonces: the same value never seals to the same bytes.
        assert_ne!(k.seal(b"a", b"x"), k.seal(b"a", b"x"));
    }

    #[test]
    fn wrapped_key_opens_only_with_its_password_user_role_and_office() {
        let k = DataKey::generate();
        let owner = KeyOwner { username: "canbo.07916", role: "officer", office: "07916" };
        let w = WrappedKey::wrap(&k, &owner, "mật khẩu").expect("wrap");
        let back = w.unwrap(&owner, "mật khẩu").expect("unwrap");
        assert_eq!(back.0.as_ref(), k.0.as_ref());
        assert!(w.unwrap(&owner, "mat khau").is_err());
        assert!(w.unwrap(&KeyOwner { username: "canbo2.07916", ..owner }, "mật khẩu").is_err());
        assert!(w.unwrap(&KeyOwner { role: "supervisor", ..owner }, "mật khẩu").is_err(), "role changed on disk");
        assert!(w.unwrap(&KeyOwner { office: "07920", ..owner }, "mật khẩu").is_err(), "office changed on disk");
        assert!(w.unwrap(&owner, "mật khẩu").is_ok());
        assert!(!w.sealed.windows(32).any(|win| win == k.0.as_ref()));
        // Marked as the older format, the same bytes do not open: no downgrade.
        assert!(WrappedKey { version: 1, ..w.clone() }.unwrap(&owner, "mật khẩu").is_err());
    }

    #[test]
    fn file_names_are_keyed() {
        let (a, b) = (DataKey::generate(), DataKey::generate());
        let h = "ab".repeat(32);
        assert_eq!(a.file_name(&h), a.file_name(&h));
        assert_ne!(a.file_name(&h), b.file_name(&h));
        assert_ne!(a.file_name(&h), h);
    }
}
