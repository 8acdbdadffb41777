//! Officers who have logged in on this PC: `profiles.sqlite3` at the top of the
//! data directory, beside one encrypted cache per officer under `users/<name>/`.
//!
//! A profile holds what the login screen and an offline unlock need and nothing
//! personal about citizens: the officer's name, role and office, and the data key
//! wrapped under their password. The wrapped key doubles as the password check:
//! no password and no password hash is stored. Each officer has their own cache
//! and key, so switching officer on a shared PC neither exposes nor deletes the
//! previous officer's work.

use crate::CacheError;
use crate::crypto::{DataKey, KeyOwner, WRAP_VERSION, WrappedKey};
use bhxh_domain::Role;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};
use std::path::{Path, PathBuf};
use tracing::{info, warn};

/// Wrong offline unlocks in a row before the wait, as the central service does.
pub const MAX_FAILED_UNLOCKS: u32 = 5;
pub const LOCKOUT: Duration = Duration::minutes(15);

const MIGRATIONS: &[M<'static>] = &[
    M::up(
        "CREATE TABLE profiles (
        username TEXT PRIMARY KEY,
        central_url TEXT NOT NULL,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL,
        office_code TEXT NOT NULL,
        last_login_at TEXT NOT NULL,
        -- The data key sealed under Argon2id(password, salt, cost).
        kdf_salt BLOB NOT NULL,
        kdf_memory_kib INTEGER NOT NULL,
        kdf_passes INTEGER NOT NULL,
        kdf_lanes INTEGER NOT NULL,
        wrapped_key BLOB NOT NULL,
        failed_unlocks INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT
    );",
    ),
    // The central service's last "wipe" request this profile has honoured (its
    // time as the server wrote it: no clock of this PC is compared with it).
    M::up("ALTER TABLE profiles ADD COLUMN wipe_honoured TEXT;"),
    // The wrap's format: 2 binds the role and office (see `crypto::KeyOwner`).
    M::up("ALTER TABLE profiles ADD COLUMN wrap_version INTEGER NOT NULL DEFAULT 1;"),
];

/// A profile's wrapped key as the database keeps it, with the role and office the
/// wrap is bound to (as the row says: a row changed on disk does not open).
struct StoredWrap {
    wrapped: WrappedKey,
    failed: u32,
    locked_until: Option<DateTime<Utc>>,
    role: String,
    office: String,
}

impl StoredWrap {
    fn unwrap(&self, username: &str, password: &str) -> Result<DataKey, crate::crypto::CryptoError> {
        self.wrapped.unwrap(&KeyOwner { username, role: &self.role, office: &self.office }, password)
    }

    /// Whether the wrap should be written again for `profile` (an older format,
    /// or a role or office the central service changed).
    fn stale_for(&self, profile: &Profile) -> bool {
        self.wrapped.version != WRAP_VERSION || self.role != profile.role.code() || self.office != profile.office_code
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub username: String,
    pub central_url: String,
    pub display_name: String,
    pub role: Role,
    pub office_code: String,
    pub last_login_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum UnlockError {
    #[error("no profile for {0} on this PC")]
    NoProfile(String),
    #[error("wrong password; {attempts_left} attempts left before the wait")]
    WrongPassword { attempts_left: u32 },
    #[error("too many wrong passwords; locked until {until}")]
    Locked { until: DateTime<Utc> },
    /// No online login for longer than the office allows: the cache opens again
    /// only after one (a dismissed officer cannot unplug the network for ever).
    #[error("no online login since {since}; offline unlock allows {days} days")]
    TooLongOffline { since: DateTime<Utc>, days: u32 },
    /// The PC's clock reads more than a day before the last online login: set back,
    /// which would stretch the offline span for ever.
    #[error("the clock reads {now}, before the last online login at {since}")]
    ClockBehind { since: DateTime<Utc>, now: DateTime<Utc> },
    /// The central service accepted a password that does not open this PC's data
    /// key: it was changed centrally. The officer is asked for the previous one.
    #[error("the password was changed centrally; the data on this PC opens with the previous one")]
    PasswordChanged,
    #[error("the previous password does not open the data on this PC; {attempts_left} attempts left before the wait")]
    WrongPreviousPassword { attempts_left: u32 },
    #[error(transparent)]
    Cache(#[from] CacheError),
}

impl From<rusqlite::Error> for UnlockError {
    fn from(e: rusqlite::Error) -> Self {
        UnlockError::Cache(e.into())
    }
}

/// What the officer chose when the password the central service accepted no longer
/// opens the data kept on this PC (the password was changed centrally).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordChange<'a> {
    /// Not asked yet: the login stops with [`UnlockError::PasswordChanged`].
    Ask,
    /// The password before the change opens the key, which is then wrapped again
    /// under the new one: the same cache, its unsent decisions delivered as usual.
    Previous(&'a str),
    /// The previous password is forgotten: a new key and an empty cache; the old
    /// cache is kept aside, still sealed, beside its wrapped key.
    StartAfresh,
}

/// Days an officer may keep unlocking offline after their last online login
/// (MOSIP's registration client uses the same default).
pub const DEFAULT_MAX_OFFLINE_DAYS: u32 = 7;

pub struct Profiles {
    conn: Connection,
    dir: PathBuf,
}

/// Officer user names become folder names: only a safe alphabet.
pub fn valid_username(u: &str) -> bool {
    !u.is_empty()
        && u.len() <= 64
        && !u.starts_with('.')
        && u.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl Profiles {
    pub fn open(data_dir: &Path) -> Result<Self, CacheError> {
        std::fs::create_dir_all(data_dir).map_err(|e| CacheError::Io { path: data_dir.to_path_buf(), source: e })?;
        remove_plaintext_layout(data_dir)?;
        let mut conn = Connection::open(data_dir.join("profiles.sqlite3"))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Migrations::from_slice(MIGRATIONS).to_latest(&mut conn)?;
        Ok(Self { conn, dir: data_dir.to_path_buf() })
    }

    /// The folder of `username`'s encrypted cache.
    pub fn cache_dir(&self, username: &str) -> Result<PathBuf, CacheError> {
        if !valid_username(username) {
            return Err(CacheError::Corrupt(username.to_owned(), "user name not usable as a folder".into()));
        }
        Ok(self.dir.join("users").join(username))
    }

    fn wrapped(&self, username: &str) -> Result<Option<StoredWrap>, CacheError> {
        type Row = (Vec<u8>, u32, u32, u32, Vec<u8>, u32, Option<String>, u8, String, String);
        let row: Option<Row> = self
            .conn
            .query_row(
                "SELECT kdf_salt, kdf_memory_kib, kdf_passes, kdf_lanes, wrapped_key, failed_unlocks, locked_until,
                    wrap_version, role, office_code
                 FROM profiles WHERE username = ?1",
                [username],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        r.get(9)?,
                    ))
                },
            )
            .optional()?;
        let Some((salt, memory_kib, passes, lanes, sealed, failed, locked, version, role, office)) = row else {
            return Ok(None);
        };
        let salt: [u8; 16] =
            salt.try_into().map_err(|_| CacheError::Corrupt(username.to_owned(), "key salt length".into()))?;
        let locked_until = locked.map(|t| parse_time(username, &t)).transpose()?;
        let wrapped = WrappedKey { version, salt, memory_kib, passes, lanes, sealed };
        Ok(Some(StoredWrap { wrapped, failed, locked_until, role, office }))
    }

    /// After the central service accepted `password`: the officer's data key. The
    /// existing one when the password opens it; a new one at the first login here.
    /// When the password was changed centrally the existing key opens only with the
    /// previous password: `change` says whether to ask for it, use it, or start
    /// afresh. Nothing is ever deleted: a cache nobody can open any more may hold
    /// decisions not yet sent.
    pub fn key_after_online_login(
        &self,
        profile: &Profile,
        password: &str,
        change: PasswordChange<'_>,
        now: DateTime<Utc>,
    ) -> Result<DataKey, UnlockError> {
        let dir = self.cache_dir(&profile.username)?;
        let previous = self.wrapped(&profile.username)?;
        if let Some((stored, key)) =
            previous.as_ref().and_then(|w| w.unwrap(&profile.username, password).ok().map(|k| (w, k)))
        {
            // The central service is the authority on the role and office: a change
            // there re-binds the wrap (and moves an older format to the current one).
            if stored.stale_for(profile) {
                self.store_wrapped(profile, &key, password)?;
            } else {
                self.update_profile(profile)?;
            }
            return Ok(key);
        }
        let Some(stored) = previous.filter(|_| dir.exists()) else {
            // First login here (or a profile whose cache folder is gone): nothing to keep.
            return Ok(self.new_key(profile, password)?);
        };
        match change {
            PasswordChange::Ask => Err(UnlockError::PasswordChanged),
            PasswordChange::Previous(old) => {
                if let Some(until) = stored.locked_until.filter(|u| *u > now) {
                    return Err(UnlockError::Locked { until });
                }
                match stored.unwrap(&profile.username, old) {
                    Ok(key) => {
                        self.store_wrapped(profile, &key, password)?;
                        info!(user = %profile.username, "data key wrapped again under the changed password");
                        Ok(key)
                    }
                    Err(_) => Err(match self.count_failure(&profile.username, stored.failed, now)? {
                        UnlockError::WrongPassword { attempts_left } => {
                            UnlockError::WrongPreviousPassword { attempts_left }
                        }
                        other => other,
                    }),
                }
            }
            PasswordChange::StartAfresh => {
                let aside = self.dir.join("users").join(format!(
                    "{}.replaced-{}",
                    profile.username,
                    now.format("%Y%m%dT%H%M%S")
                ));
                // The wrapped key goes into the folder before it moves: a failure between
                // the two steps must never leave the folder aside without its key (the
                // profile's copy is replaced by the new key below).
                let wrapped = &stored.wrapped;
                let json = serde_json::json!({
                    "username": profile.username,
                    "role": stored.role,
                    "office_code": stored.office,
                    "wrap_version": wrapped.version,
                    "kdf": "argon2id",
                    "salt": hex::encode(wrapped.salt),
                    "memory_kib": wrapped.memory_kib,
                    "passes": wrapped.passes,
                    "lanes": wrapped.lanes,
                    "wrapped_key": hex::encode(&wrapped.sealed),
                });
                let path = dir.join("wrapped-key.json");
                std::fs::write(&path, json.to_string()).map_err(|e| CacheError::Io { path, source: e })?;
                warn!(user = %profile.username, kept = %aside.display(), "previous password forgotten; old cache kept aside, starting a new one");
                if let Err(e) = std::fs::rename(&dir, &aside) {
                    // Still the live cache: an old wrap left in it would let the old password in.
                    let _ = std::fs::remove_file(dir.join("wrapped-key.json"));
                    return Err(CacheError::Io { path: dir.clone(), source: e }.into());
                }
                Ok(self.new_key(profile, password)?)
            }
        }
    }

    fn update_profile(&self, profile: &Profile) -> Result<(), CacheError> {
        self.conn.execute(
            "UPDATE profiles SET central_url = ?2, display_name = ?3, role = ?4, office_code = ?5,
                last_login_at = ?6, failed_unlocks = 0, locked_until = NULL WHERE username = ?1",
            params![
                profile.username,
                profile.central_url,
                profile.display_name,
                profile.role.code(),
                profile.office_code,
                profile.last_login_at.to_rfc3339()
            ],
        )?;
        Ok(())
    }

    fn new_key(&self, profile: &Profile, password: &str) -> Result<DataKey, CacheError> {
        let key = DataKey::generate();
        self.store_wrapped(profile, &key, password)?;
        info!(user = %profile.username, "new data key for this officer's cache");
        Ok(key)
    }

    /// Writes the profile with `key` wrapped under `password` (a fresh salt).
    fn store_wrapped(&self, profile: &Profile, key: &DataKey, password: &str) -> Result<(), CacheError> {
        let owner = KeyOwner { username: &profile.username, role: profile.role.code(), office: &profile.office_code };
        let w = WrappedKey::wrap(key, &owner, password)
            .map_err(|e| CacheError::Sealed { what: "data key".into(), source: e })?;
        self.conn.execute(
            "INSERT INTO profiles(username, central_url, display_name, role, office_code, last_login_at,
                kdf_salt, kdf_memory_kib, kdf_passes, kdf_lanes, wrapped_key, failed_unlocks, locked_until, wrap_version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, NULL, ?12)
             ON CONFLICT(username) DO UPDATE SET central_url = ?2, display_name = ?3, role = ?4,
                office_code = ?5, last_login_at = ?6, kdf_salt = ?7, kdf_memory_kib = ?8, kdf_passes = ?9,
                kdf_lanes = ?10, wrapped_key = ?11, failed_unlocks = 0, locked_until = NULL, wrap_version = ?12",
            params![
                profile.username,
                profile.central_url,
                profile.display_name,
                profile.role.code(),
                profile.office_code,
                profile.last_login_at.to_rfc3339(),
                w.salt.to_vec(),
                w.memory_kib,
                w.passes,
                w.lanes,
                w.sealed,
                w.version
            ],
        )?;
        Ok(())
    }

    /// One more wrong password: the answer to give (the wait after the fifth).
    fn count_failure(&self, username: &str, failed: u32, now: DateTime<Utc>) -> Result<UnlockError, CacheError> {
        let failed = failed + 1;
        if failed >= MAX_FAILED_UNLOCKS {
            let until = now + LOCKOUT;
            self.conn.execute(
                "UPDATE profiles SET failed_unlocks = 0, locked_until = ?2 WHERE username = ?1",
                params![username, until.to_rfc3339()],
            )?;
            warn!(user = %username, "unlock locked after {MAX_FAILED_UNLOCKS} wrong passwords");
            Ok(UnlockError::Locked { until })
        } else {
            self.conn
                .execute("UPDATE profiles SET failed_unlocks = ?2 WHERE username = ?1", params![username, failed])?;
            Ok(UnlockError::WrongPassword { attempts_left: MAX_FAILED_UNLOCKS - failed })
        }
    }

    /// Offline unlock: the profile and data key if `password` opens the key, and
    /// the last online login is at most `max_offline_days` old. Five wrong passwords
    /// in a row lock the profile for 15 minutes.
    pub fn unlock_offline(
        &self,
        username: &str,
        password: &str,
        now: DateTime<Utc>,
        max_offline_days: u32,
    ) -> Result<(Profile, DataKey), UnlockError> {
        let Some(stored) = self.wrapped(username)? else {
            return Err(UnlockError::NoProfile(username.to_owned()));
        };
        // Counted in office days would let a login at 00:01 last a day longer than
        // one at 23:59; the limit is a span of time.
        if let Some(p) = self.profile(username)? {
            let since = p.last_login_at;
            if now - since > chrono::TimeDelta::days(i64::from(max_offline_days)) {
                return Err(UnlockError::TooLongOffline { since, days: max_offline_days });
            }
            if since - now > chrono::TimeDelta::days(1) {
                return Err(UnlockError::ClockBehind { since, now });
            }
        }
        if let Some(until) = stored.locked_until.filter(|u| *u > now) {
            return Err(UnlockError::Locked { until });
        }
        // A role or office changed in the profile's row on disk is not the one the
        // key was wrapped for: it does not open, as a wrong password does not.
        match stored.unwrap(username, password) {
            Ok(key) => {
                self.conn.execute(
                    "UPDATE profiles SET failed_unlocks = 0, locked_until = NULL WHERE username = ?1",
                    [username],
                )?;
                let profile = self.profile(username)?.ok_or_else(|| UnlockError::NoProfile(username.to_owned()))?;
                if stored.wrapped.version != WRAP_VERSION {
                    // Keep the last online login: re-binding is not a login.
                    self.store_wrapped(&profile, &key, password)?;
                    info!(user = %username, "data key wrapped again, bound to its role and office");
                }
                Ok((profile, key))
            }
            Err(_) => Err(self.count_failure(username, stored.failed, now)?),
        }
    }

    /// Whether the central service's wipe request `requested` (as it wrote it) is
    /// new to `username`'s data here: a profile that honoured it, or none, is not wiped.
    pub fn wipe_due(&self, username: &str, requested: &str) -> Result<bool, CacheError> {
        let honoured: Option<Option<String>> = self
            .conn
            .query_row("SELECT wipe_honoured FROM profiles WHERE username = ?1", [username], |r| r.get(0))
            .optional()?;
        Ok(matches!(honoured, Some(h) if h.as_deref() != Some(requested)))
    }

    /// Notes `requested` as honoured by `username`'s (new) data.
    pub fn wipe_honoured(&self, username: &str, requested: &str) -> Result<(), CacheError> {
        self.conn
            .execute("UPDATE profiles SET wipe_honoured = ?2 WHERE username = ?1", params![username, requested])?;
        Ok(())
    }

    /// Destroys `username`'s data on this PC: the cache (and any set aside) and the
    /// wrapped key. At the central service's request (a lost or handed-on PC).
    pub fn wipe(&self, username: &str) -> Result<(), CacheError> {
        let users = self.dir.join("users");
        let dir = self.cache_dir(username)?;
        // Caches set aside after a password change sit beside it as `<user>.replaced-<time>`
        // (the whole suffix: another user's name may start with this one's and a dot).
        let aside = format!("{username}.replaced-");
        let mut doomed = vec![dir];
        if let Ok(entries) = std::fs::read_dir(&users) {
            doomed.extend(
                entries.flatten().filter(|e| e.file_name().to_string_lossy().starts_with(&aside)).map(|e| e.path()),
            );
        }
        for d in doomed {
            match std::fs::remove_dir_all(&d) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(CacheError::Io { path: d, source: e }),
            }
        }
        self.conn.execute("DELETE FROM profiles WHERE username = ?1", [username])?;
        Ok(())
    }

    pub fn profile(&self, username: &str) -> Result<Option<Profile>, CacheError> {
        let row = self
            .conn
            .query_row(
                "SELECT username, central_url, display_name, role, office_code, last_login_at FROM profiles WHERE username = ?1",
                [username],
                read_profile,
            )
            .optional()?;
        row.map(profile_from).transpose()
    }

    /// The officer who logged in most recently, to prefill the login screen.
    pub fn last_profile(&self) -> Result<Option<Profile>, CacheError> {
        let row = self
            .conn
            .query_row(
                "SELECT username, central_url, display_name, role, office_code, last_login_at
                 FROM profiles ORDER BY last_login_at DESC LIMIT 1",
                [],
                read_profile,
            )
            .optional()?;
        row.map(profile_from).transpose()
    }
}

type ProfileRow = (String, String, String, String, String, String);

fn read_profile(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProfileRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

fn profile_from(
    (username, central_url, display_name, role, office_code, last): ProfileRow,
) -> Result<Profile, CacheError> {
    let role = Role::from_code(&role).ok_or_else(|| CacheError::Corrupt(username.clone(), format!("role {role}")))?;
    let last_login_at = parse_time(&username, &last)?;
    Ok(Profile { username, central_url, display_name, role, office_code, last_login_at })
}

fn parse_time(what: &str, t: &str) -> Result<DateTime<Utc>, CacheError> {
    DateTime::parse_from_rfc3339(t)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| CacheError::Corrupt(what.to_owned(), e.to_string()))
}

fn remove_dir(dir: &Path) -> Result<(), CacheError> {
    // Only ever the unencrypted layout of early builds (below).
    std::fs::remove_dir_all(dir).map_err(|e| CacheError::Io { path: dir.to_path_buf(), source: e })
}

/// Early builds kept one unencrypted cache at the top of the data directory. It
/// held only what the central service can send again (no decisions existed), so it
/// is removed rather than left readable.
fn remove_plaintext_layout(data_dir: &Path) -> Result<(), CacheError> {
    let old = data_dir.join("cache.sqlite3");
    if !old.exists() {
        return Ok(());
    }
    warn!(dir = %data_dir.display(), "removing an unencrypted cache left by an earlier version");
    for name in ["cache.sqlite3", "cache.sqlite3-wal", "cache.sqlite3-shm"] {
        let p = data_dir.join(name);
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| CacheError::Io { path: p.clone(), source: e })?;
        }
    }
    let docs = data_dir.join("documents");
    if docs.is_dir() {
        remove_dir(&docs)?;
    }
    Ok(())
}
