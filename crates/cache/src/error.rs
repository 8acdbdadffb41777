use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("database migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("document {0} is not in the store")]
    MissingDocument(String),
    #[error("document content does not match its sha256 (expected {expected}, got {actual})")]
    Integrity { expected: String, actual: String },
    #[error("cached row {0} is unreadable: {1}")]
    Corrupt(String, String),
    #[error("password hashing: {0}")]
    Hash(String),
    #[error("{what}: {source}")]
    Sealed { what: String, source: crate::crypto::CryptoError },
}
