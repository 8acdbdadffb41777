//! Daily decision quotas: the office's default and each officer's own, set by the
//! office's supervisor.

use super::{Store, StoreError};
use bhxh_protocol::{OfficerQuota, QuotaList, UserInfo};
use chrono::{DateTime, Utc};
use rusqlite::params;

pub const MIGRATION: &str = "
    CREATE TABLE quotas (
        office_code TEXT NOT NULL,
        -- '' is the office's default.
        officer TEXT NOT NULL,
        per_day INTEGER NOT NULL,
        PRIMARY KEY (office_code, officer)
    );";

/// Until a supervisor says otherwise.
pub const DEFAULT_PER_DAY: u32 = 40;

impl Store {
    pub fn quotas(&self, office: &str) -> Result<QuotaList, StoreError> {
        let rows: Vec<(String, u32)> = self
            .conn
            .prepare_cached("SELECT officer, per_day FROM quotas WHERE office_code = ?1")?
            .query_map([office], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let default_per_day = rows.iter().find(|(o, _)| o.is_empty()).map_or(DEFAULT_PER_DAY, |(_, q)| *q);
        let officers: Vec<(String, String)> = self
            .conn
            .prepare_cached(
                "SELECT username, display_name FROM users WHERE office_code = ?1 AND role = 'officer' ORDER BY username",
            )?
            .query_map([office], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(QuotaList {
            default_per_day,
            officers: officers
                .into_iter()
                .map(|(username, display_name)| OfficerQuota {
                    per_day: rows.iter().find(|(o, _)| *o == username).map(|(_, q)| *q),
                    username,
                    display_name,
                })
                .collect(),
        })
    }

    /// Sets (or, with `per_day` None for an officer, clears) a quota; audited.
    pub fn set_quota(
        &mut self,
        supervisor: &UserInfo,
        officer: Option<&str>,
        per_day: Option<u32>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let who = officer.unwrap_or("");
        match per_day {
            Some(q) => tx.execute(
                "INSERT INTO quotas(office_code, officer, per_day) VALUES (?1, ?2, ?3)
                 ON CONFLICT(office_code, officer) DO UPDATE SET per_day = ?3",
                params![supervisor.office_code, who, q],
            )?,
            None => tx.execute(
                "DELETE FROM quotas WHERE office_code = ?1 AND officer = ?2",
                params![supervisor.office_code, who],
            )?,
        };
        let detail = format!(
            "{}={}",
            if who.is_empty() { "default" } else { who },
            per_day.map_or("-".into(), |q| q.to_string())
        );
        Self::audit(&tx, now, &supervisor.username, "quota", &supervisor.office_code, &detail)?;
        tx.commit()?;
        Ok(())
    }

    /// Whether `username` is an officer of `office`.
    pub fn is_officer_of(&self, username: &str, office: &str) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM users WHERE username = ?1 AND office_code = ?2 AND role = 'officer'",
            params![username, office],
            |r| r.get::<_, i64>(0),
        )? > 0)
    }
}
