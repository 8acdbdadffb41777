//! Accounts, password hashes and bearer tokens.

use crate::{ApiError, AppState};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use bhxh_domain::Role;
use bhxh_protocol::{LoginResponse, UserInfo, error_code};
use chrono::Duration;

/// Tokens live a working day; the client logs in again after that.
const TOKEN_LIFETIME_HOURS: i64 = 10;

pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(ApiError::internal)
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

pub fn login(state: &AppState, username: &str, password: &str) -> Result<LoginResponse, ApiError> {
    let found = state.with_store(|s| s.user(username.trim()))?;
    let bad = || {
        ApiError::new(axum::http::StatusCode::UNAUTHORIZED, error_code::BAD_CREDENTIALS, "wrong user name or password")
    };
    let Some((user, hash)) = found else {
        // Spend the same time as a real check, so user names cannot be probed.
        let _ = verify_password(
            password,
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0000000000000000000000000000000000000000000",
        );
        return Err(bad());
    };
    if !verify_password(password, &hash) {
        return Err(bad());
    }
    let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    let expires_at = state.now() + Duration::hours(TOKEN_LIFETIME_HOURS);
    state.with_store(|s| s.insert_token(&token, &user.username, expires_at))?;
    let wipe_requested_at = state.with_store(|s| s.wipe_requested_at(&user.username))?;
    Ok(LoginResponse { token, expires_at, user, wipe_requested_at })
}

/// The caller, from `Authorization: Bearer <token>`.
pub struct Caller(pub UserInfo);

impl Caller {
    pub fn require_role(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.0.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!("role {} may not do this", self.0.role.code())))
        }
    }

    /// Officers and supervisors see their own office only.
    pub fn require_office(&self, office: &str) -> Result<(), ApiError> {
        if self.0.office_code == office {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!("account is bound to office {}", self.0.office_code)))
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
        let token = header.strip_prefix("Bearer ").ok_or_else(|| ApiError::unauthorized("expected a bearer token"))?;
        let (user, expires_at) =
            state.with_store(|s| s.token_user(token.trim()))?.ok_or_else(|| ApiError::unauthorized("unknown token"))?;
        if expires_at <= state.now() {
            return Err(ApiError::unauthorized("token expired"));
        }
        Ok(Caller(user))
    }
}
