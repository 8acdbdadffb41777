//! Accounts that have logged in on this PC, to unlock the cache offline.

use crate::{Cache, CacheError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::Argon2;
use bhxh_domain::Role;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedAccount {
    pub username: String,
    pub central_url: String,
    pub display_name: String,
    pub role: Role,
    pub office_code: String,
    pub last_login_at: DateTime<Utc>,
}

impl Cache {
    /// Remembers a successful online login: an Argon2id hash of the password,
    /// never the password itself.
    pub fn remember_login(&self, account: &CachedAccount, password: &str) -> Result<(), CacheError> {
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| CacheError::Hash(e.to_string()))?
            .to_string();
        self.conn.execute(
            "INSERT INTO accounts(username, central_url, display_name, role, office_code, password_hash, last_login_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(username) DO UPDATE SET central_url = ?2, display_name = ?3, role = ?4, office_code = ?5,
                password_hash = ?6, last_login_at = ?7",
            params![
                account.username,
                account.central_url,
                account.display_name,
                account.role.code(),
                account.office_code,
                hash,
                account.last_login_at.to_rfc3339()
            ],
        )?;
        Ok(())
    }

    /// The account, if `password` matches what was last used online on this PC.
    pub fn verify_offline(&self, username: &str, password: &str) -> Result<Option<CachedAccount>, CacheError> {
        let row = self
            .conn
            .query_row(
                "SELECT username, central_url, display_name, role, office_code, password_hash, last_login_at
                 FROM accounts WHERE username = ?1",
                [username],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((username, central_url, display_name, role, office_code, hash, last)) = row else { return Ok(None) };
        let parsed = PasswordHash::new(&hash).map_err(|e| CacheError::Hash(e.to_string()))?;
        if Argon2::default().verify_password(password.as_bytes(), &parsed).is_err() {
            return Ok(None);
        }
        let role = Role::from_code(&role).ok_or_else(|| CacheError::Corrupt(username.clone(), format!("role {role}")))?;
        let last_login_at = DateTime::parse_from_rfc3339(&last)
            .map_err(|e| CacheError::Corrupt(username.clone(), e.to_string()))?
            .with_timezone(&Utc);
        Ok(Some(CachedAccount { username, central_url, display_name, role, office_code, last_login_at }))
    }

    /// The account that logged in most recently, to prefill the login screen.
    pub fn last_account(&self) -> Result<Option<(String, String)>, CacheError> {
        Ok(self
            .conn
            .query_row("SELECT username, central_url FROM accounts ORDER BY last_login_at DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }
}
