//! The document store: content-addressed files under `documents/`, written
//! atomically (temporary file, fsync, rename) and verified against their sha256 on
//! every read. The one module that touches document bytes on disk.

use crate::CacheError;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct DocumentStore {
    dir: PathBuf,
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl DocumentStore {
    pub fn open(dir: &Path) -> Result<Self, CacheError> {
        std::fs::create_dir_all(dir).map_err(|e| CacheError::Io { path: dir.to_path_buf(), source: e })?;
        Ok(Self { dir: dir.to_path_buf() })
    }

    fn path(&self, sha256: &str) -> Result<PathBuf, CacheError> {
        // The hash names the file: anything else could walk out of the folder.
        if !is_sha256_hex(sha256) {
            return Err(CacheError::MissingDocument(sha256.to_owned()));
        }
        Ok(self.dir.join(&sha256[..2]).join(sha256))
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
        let mut tmp = tempfile_in(&parent).map_err(io)?;
        tmp.1.write_all(bytes).map_err(io)?;
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
        let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => CacheError::MissingDocument(sha256.to_owned()),
            _ => CacheError::Io { path: path.clone(), source: e },
        })?;
        let actual = sha256_hex(&bytes);
        if actual != sha256 {
            return Err(CacheError::Integrity { expected: sha256.to_owned(), actual });
        }
        Ok(bytes)
    }
}

fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = dir.join(format!(".tmp-{}-{n}", std::process::id()));
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
    Ok((path, file))
}
