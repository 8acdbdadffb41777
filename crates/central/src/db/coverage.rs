//! Employer units with their participants, each office's registration campaign,
//! the coverage figures computed from the register, and the office's register of
//! outgoing letters (one number sequence per office and year).

use super::{Store, StoreError};
use bhxh_protocol::{Campaign, CoverageReport, DayCount, LetterNumber, LetterNumberRequest, UnitCoverage, UserInfo};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use rusqlite::{OptionalExtension, params};
use std::collections::BTreeMap;

pub const MIGRATION: &str = "
    ALTER TABLE citizens ADD COLUMN unit_code TEXT;
    UPDATE citizens SET unit_code = json_extract(fields_json, '$.unit_code');
    CREATE INDEX citizens_unit ON citizens(office_code, unit_code);
    CREATE TABLE units (
        code TEXT PRIMARY KEY,
        office_code TEXT NOT NULL,
        name TEXT NOT NULL,
        addressee TEXT NOT NULL,
        address TEXT NOT NULL,
        participants INTEGER NOT NULL
    );
    CREATE INDEX units_office ON units(office_code);
    -- One campaign per office at a time; its letter settings with it.
    CREATE TABLE campaigns (
        office_code TEXT PRIMARY KEY,
        campaign_json TEXT NOT NULL
    );
    CREATE TABLE letters (
        office_code TEXT NOT NULL,
        year INTEGER NOT NULL,
        number INTEGER NOT NULL,
        -- The client's id: a retry gets the number it was given.
        id TEXT NOT NULL UNIQUE,
        unit_code TEXT NOT NULL,
        issued_by TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        PRIMARY KEY (office_code, year, number)
    );";

/// An employer unit as the register holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub code: String,
    pub office_code: String,
    pub name: String,
    pub addressee: String,
    pub address: String,
    pub participants: u32,
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt("time".into(), e.to_string()))
}

fn json_err(what: &str, e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(what.into(), e.to_string())
}

impl Store {
    pub fn upsert_unit(&self, u: &Unit) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO units(code, office_code, name, addressee, address, participants) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(code) DO UPDATE SET office_code = ?2, name = ?3, addressee = ?4, address = ?5, participants = ?6",
            params![u.code, u.office_code, u.name, u.addressee, u.address, u.participants],
        )?;
        Ok(())
    }

    /// The office's units, by code.
    pub fn units_of_office(&self, office: &str) -> Result<Vec<bhxh_protocol::UnitRef>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT code, name FROM units WHERE office_code = ?1 ORDER BY code")?
            .query_map([office], |r| Ok(bhxh_protocol::UnitRef { code: r.get(0)?, name: r.get(1)? }))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// People of the register who work for the unit.
    pub fn unit_people(&self, code: &str) -> Result<u32, StoreError> {
        Ok(self.conn.query_row("SELECT count(*) FROM citizens WHERE unit_code = ?1", [code], |r| r.get(0))?)
    }

    pub fn set_campaign(&self, office: &str, c: &Campaign) -> Result<(), StoreError> {
        let json = serde_json::to_string(c).map_err(|e| json_err("campaign", e))?;
        self.conn.execute(
            "INSERT INTO campaigns(office_code, campaign_json) VALUES (?1, ?2)
             ON CONFLICT(office_code) DO UPDATE SET campaign_json = ?2",
            params![office, json],
        )?;
        Ok(())
    }

    pub fn campaign(&self, office: &str) -> Result<Option<Campaign>, StoreError> {
        let json: Option<String> = self
            .conn
            .query_row("SELECT campaign_json FROM campaigns WHERE office_code = ?1", [office], |r| r.get(0))
            .optional()?;
        json.map(|j| serde_json::from_str(&j).map_err(|e| json_err("campaign", e))).transpose()
    }

    /// Each unit of the office with its people counted from the register: an account
    /// counts as approved; else an open declaration as pending; else a rejected or
    /// sent-back one as rejected. Accounts opened since the campaign started are
    /// counted per day on the office's calendar.
    pub fn coverage(&self, office: &str, now: DateTime<Utc>) -> Result<CoverageReport, StoreError> {
        let campaign = self.campaign(office)?;
        let units: Vec<Unit> = self
            .conn
            .prepare_cached(
                "SELECT code, office_code, name, addressee, address, participants FROM units
                 WHERE office_code = ?1 ORDER BY code",
            )?
            .query_map([office], |r| {
                Ok(Unit {
                    code: r.get(0)?,
                    office_code: r.get(1)?,
                    name: r.get(2)?,
                    addressee: r.get(3)?,
                    address: r.get(4)?,
                    participants: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut by_unit: BTreeMap<String, UnitCoverage> = units
            .into_iter()
            .map(|u| {
                (
                    u.code.clone(),
                    UnitCoverage {
                        code: u.code,
                        name: u.name,
                        addressee: u.addressee,
                        address: u.address,
                        participants: u.participants,
                        approved: 0,
                        pending: 0,
                        waiting_paper: 0,
                        rejected: 0,
                        opened_by_day: Vec::new(),
                    },
                )
            })
            .collect();
        let rows: Vec<(String, Option<String>, bool, bool, bool)> = self
            .conn
            .prepare_cached(
                // A stopped account no longer counts as covered; adjustments and stops
                // are no registration waiting or refused.
                "SELECT c.unit_code, CASE WHEN c.account_stopped_at IS NULL THEN c.account_created_at END,
                    EXISTS (SELECT 1 FROM declarations d WHERE d.ma_so = c.ma_so AND d.status IN ('pending', 'escalated', 'on_hold')
                        AND coalesce(json_extract(d.fields_json, '$.purpose'), 'register') = 'register'),
                    EXISTS (SELECT 1 FROM declarations d WHERE d.ma_so = c.ma_so AND d.status IN ('rejected', 'resubmit')
                        AND coalesce(json_extract(d.fields_json, '$.purpose'), 'register') = 'register'),
                    EXISTS (SELECT 1 FROM declarations d WHERE d.ma_so = c.ma_so AND d.status = 'on_hold'
                        AND coalesce(json_extract(d.fields_json, '$.purpose'), 'register') = 'register')
                 FROM citizens c WHERE c.office_code = ?1 AND c.unit_code IS NOT NULL",
            )?
            .query_map([office], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let start = campaign.as_ref().map(|c| c.starts_on);
        let mut opened: BTreeMap<String, BTreeMap<NaiveDate, u32>> = BTreeMap::new();
        for (unit, account, open, rejected, on_hold) in rows {
            let Some(u) = by_unit.get_mut(&unit) else { continue };
            if let Some(at) = account {
                u.approved += 1;
                let day = parse_time(&at)?.with_timezone(&Ho_Chi_Minh).date_naive();
                if start.is_some_and(|s| day >= s) {
                    *opened.entry(unit).or_default().entry(day).or_default() += 1;
                }
            } else if open {
                u.pending += 1;
                u.waiting_paper += u32::from(on_hold);
            } else if rejected {
                u.rejected += 1;
            }
        }
        for (unit, days) in opened {
            if let Some(u) = by_unit.get_mut(&unit) {
                u.opened_by_day = days.into_iter().map(|(day, count)| DayCount { day, count }).collect();
            }
        }
        Ok(CoverageReport {
            office_code: office.to_owned(),
            as_of: now,
            campaign,
            units: by_unit.into_values().collect(),
        })
    }

    pub fn unit_of_office(&self, code: &str, office: &str) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM units WHERE code = ?1 AND office_code = ?2",
            params![code, office],
            |r| r.get::<_, i64>(0),
        )? > 0)
    }

    /// The next number of the office's register of outgoing letters this year, or
    /// the one already given to `req.id`.
    pub fn take_letter_number(
        &mut self,
        caller: &UserInfo,
        req: &LetterNumberRequest,
        symbol: &str,
        now: DateTime<Utc>,
    ) -> Result<LetterNumber, StoreError> {
        let tx = self.conn.transaction()?;
        let given = match letter(&tx, &req.id, None, symbol)? {
            Some(given) => given,
            None => {
                let year = now.with_timezone(&Ho_Chi_Minh).year();
                let number: u32 = tx.query_row(
                    "SELECT coalesce(max(number), 0) + 1 FROM letters WHERE office_code = ?1 AND year = ?2",
                    params![caller.office_code, year],
                    |r| r.get(0),
                )?;
                tx.execute(
                    "INSERT INTO letters(office_code, year, number, id, unit_code, issued_by, issued_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![caller.office_code, year, number, req.id, req.unit_code, caller.username, now.to_rfc3339()],
                )?;
                Self::audit(&tx, now, &caller.username, "letter_number", &req.unit_code, &format!("{number}/{year}"))?;
                letter(&tx, &req.id, None, symbol)?
                    .ok_or_else(|| StoreError::Corrupt(req.id.clone(), "letter number not kept".into()))?
            }
        };
        tx.commit()?;
        Ok(given)
    }

    /// Voids the number given to `id` in `office`'s register (its letter was never
    /// written): kept with the reason, never given again. Only whoever took the
    /// number may void it, and only within [`VOID_WINDOW`] of taking it: a letter
    /// that went out cannot be made "never written" later. Voiding twice keeps
    /// the first time and reason, and is audited once.
    pub fn void_letter(
        &mut self,
        caller: &UserInfo,
        office: &str,
        id: &str,
        reason: &str,
        symbol: &str,
        now: DateTime<Utc>,
    ) -> Result<LetterVoided, StoreError> {
        let tx = self.conn.transaction()?;
        let Some(mut given) = letter(&tx, id, Some(office), symbol)? else {
            return Ok(LetterVoided::NotGiven);
        };
        if given.voided_at.is_none() {
            if given.issued_by != caller.username {
                return Ok(LetterVoided::NotYours);
            }
            if now - given.issued_at > VOID_WINDOW {
                return Ok(LetterVoided::TooLate);
            }
            tx.execute(
                "UPDATE letters SET voided_at = ?2, void_reason = ?3 WHERE id = ?1",
                params![id, now.to_rfc3339(), reason],
            )?;
            let detail = format!("{}/{}: {reason}", given.number, given.year);
            Self::audit(&tx, now, &caller.username, "letter_void", &given.unit_code, &detail)?;
            given.voided_at = Some(now);
        }
        tx.commit()?;
        Ok(LetterVoided::Voided(given))
    }
}

/// How long after taking a number its taker may void it: the desk voids at once
/// when the letters' PDF cannot be written.
pub const VOID_WINDOW: chrono::Duration = chrono::Duration::hours(1);

/// What [`Store::void_letter`] did.
#[derive(Debug)]
pub enum LetterVoided {
    Voided(LetterNumber),
    /// The office gave no number to this id.
    NotGiven,
    /// Another person took this number.
    NotYours,
    /// Taken longer ago than [`VOID_WINDOW`].
    TooLate,
}

/// The number given to `id` (in `office`'s register, when named), as the register keeps it.
fn letter(
    conn: &rusqlite::Connection,
    id: &str,
    office: Option<&str>,
    symbol: &str,
) -> Result<Option<LetterNumber>, StoreError> {
    let row: Option<(u32, i32, String, String, String, Option<String>)> = conn
        .query_row(
            "SELECT number, year, unit_code, issued_by, issued_at, voided_at FROM letters
             WHERE id = ?1 AND (?2 IS NULL OR office_code = ?2)",
            params![id, office],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .optional()?;
    let Some((number, year, unit_code, issued_by, issued_at, voided_at)) = row else { return Ok(None) };
    Ok(Some(LetterNumber {
        id: id.to_owned(),
        unit_code,
        number,
        year,
        reference: format!("{number}/{symbol}"),
        issued_by,
        issued_at: parse_time(&issued_at)?,
        voided_at: voided_at.map(|v| parse_time(&v)).transpose()?,
    }))
}
