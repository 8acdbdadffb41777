//! The document store: content-addressed files under `documents/`, sealed with
//! the officer's data key (see [`crate::crypto`]), written atomically (temporary
//! file, fsync, rename), and verified against their sha256 on every read. The one
//! module that touches document bytes on disk.
//!
//! A file's name is a keyed hash of its content hash, and the content hash is the
//! sealed bytes' associated data: a copied folder shows neither the images nor
//! which images they are, and a file swapped for another does not open.

use crate::CacheError;
use crate::crypto::DataKey;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct DocumentStore {
    dir: PathBuf,
    key: DataKey,
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl DocumentStore {
    pub fn open(dir: &Path, key: DataKey) -> Result<Self, CacheError> {
        std::fs::create_dir_all(dir).map_err(|e| CacheError::Io { path: dir.to_path_buf(), source: e })?;
        Ok(Self { dir: dir.to_path_buf(), key })
    }

    fn path(&self, sha256: &str) -> Result<PathBuf, CacheError> {
        // Only a well-formed hash reaches the file system: nothing can walk out of the folder.
        if !is_sha256_hex(sha256) {
            return Err(CacheError::MissingDocument(sha256.to_owned()));
        }
        let name = self.key.file_name(sha256);
        Ok(self.dir.join(&name[..2]).join(name))
    }

    fn aad(sha256: &str) -> Vec<u8> {
        format!("document\0{sha256}").into_bytes()
    }

    /// Stores `bytes` if they hash to `expected_sha256`; refuses them otherwise.
    pub fn put_verified(&self, expected_sha256: &str, bytes: &[u8]) -> Result<(), CacheError> {
        let actual = sha256_hex(bytes);
        if actual != expected_sha256 {
            return Err(CacheError::Integrity { expected: expected_sha256.to_owned(), actual });
        }
        let path = self.path(expected_sha256)?;
        if path.is_file() {
            return Ok(());
        }
        let parent = path.parent().unwrap_or(&self.dir).to_path_buf();
        let io = |e| CacheError::Io { path: parent.clone(), source: e };
        std::fs::create_dir_all(&parent).map_err(io)?;
        let sealed = self.key.seal(&Self::aad(expected_sha256), bytes);
        let mut tmp = tempfile_in(&parent).map_err(io)?;
        tmp.1.write_all(&sealed).map_err(io)?;
        tmp.1.sync_all().map_err(io)?;
        std::fs::rename(&tmp.0, &path).map_err(io)?;
        Ok(())
    }

    pub fn contains(&self, sha256: &str) -> bool {
        self.path(sha256).is_ok_and(|p| p.is_file())
    }

    /// The bytes of a stored document, checked against their hash.
    pub fn get(&self, sha256: &str) -> Result<Vec<u8>, CacheError> {
        let path = self.path(sha256)?;
        let sealed = std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => CacheError::MissingDocument(sha256.to_owned()),
            _ => CacheError::Io { path: path.clone(), source: e },
        })?;
        let bytes = self
            .key
            .open(&Self::aad(sha256), &sealed)
            .map_err(|e| CacheError::Sealed { what: format!("document {sha256}"), source: e })?;
        let actual = sha256_hex(&bytes);
        if actual != sha256 {
            return Err(CacheError::Integrity { expected: sha256.to_owned(), actual });
        }
        Ok(bytes)
    }

    fn derived_path(&self, sha256: &str, size: &str) -> Result<PathBuf, CacheError> {
        if !is_sha256_hex(sha256) || !size.bytes().all(|b| b.is_ascii_alphanumeric()) || size.is_empty() {
            return Err(CacheError::MissingDocument(format!("{sha256}.{size}")));
        }
        let name = self.key.file_name(&format!("{sha256}.{size}"));
        Ok(self.dir.join(&name[..2]).join(name))
    }

    fn derived_aad(sha256: &str, size: &str) -> Vec<u8> {
        format!("derived\0{sha256}\0{size}").into_bytes()
    }

    /// Stores a derivative (a screen-size copy, a thumbnail, a rendered page) of
    /// the content `sha256`, sealed and bound to it and to its size name.
    pub fn put_derived(&self, sha256: &str, size: &str, bytes: &[u8]) -> Result<(), CacheError> {
        let path = self.derived_path(sha256, size)?;
        let parent = path.parent().unwrap_or(&self.dir).to_path_buf();
        let io = |e| CacheError::Io { path: parent.clone(), source: e };
        std::fs::create_dir_all(&parent).map_err(io)?;
        let sealed = self.key.seal(&Self::derived_aad(sha256, size), bytes);
        // Derivatives can be made again: no fsync, only an atomic rename.
        let mut tmp = tempfile_in(&parent).map_err(io)?;
        tmp.1.write_all(&sealed).map_err(io)?;
        std::fs::rename(&tmp.0, &path).map_err(io)?;
        Ok(())
    }

    /// A derivative's bytes, or `None` when it was never made (or was purged).
    pub fn get_derived(&self, sha256: &str, size: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let path = self.derived_path(sha256, size)?;
        let sealed = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(CacheError::Io { path, source: e }),
        };
        self.key
            .open(&Self::derived_aad(sha256, size), &sealed)
            .map(Some)
            .map_err(|e| CacheError::Sealed { what: format!("derivative {sha256}.{size}"), source: e })
    }

    pub fn remove_derived(&self, sha256: &str, size: &str) -> Result<(), CacheError> {
        let path = self.derived_path(sha256, size)?;
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(CacheError::Io { path, source: e }),
        }
    }

    /// Deletes a stored document (retention); absent is fine.
    pub fn remove(&self, sha256: &str) -> Result<(), CacheError> {
        let path = self.path(sha256)?;
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(CacheError::Io { path, source: e }),
        }
    }
}

fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = dir.join(format!(".tmp-{}-{n}", std::process::id()));
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
    Ok((path, file))
}
