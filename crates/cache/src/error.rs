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

impl CacheError {
    fn sqlite_code(&self) -> Option<rusqlite::ErrorCode> {
        match self {
            CacheError::Sql(rusqlite::Error::SqliteFailure(e, _)) => Some(e.code),
            _ => None,
        }
    }

    /// The disk (or the database's allowed size) is full.
    pub fn is_disk_full(&self) -> bool {
        self.sqlite_code() == Some(rusqlite::ErrorCode::DiskFull)
            || matches!(self, CacheError::Io { source, .. } if source.raw_os_error() == Some(28))
    }

    /// The data directory or database cannot be written.
    pub fn is_read_only(&self) -> bool {
        matches!(
            self.sqlite_code(),
            Some(
                rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::PermissionDenied
            )
        ) || matches!(self, CacheError::Io { source, .. } if matches!(source.kind(), std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem))
    }
}
