//! What the supervisor's figures read: decisions, holdings and the waiting queue of
//! an office, from the clear columns only (no sealed body is opened), so that a
//! year of an office's decisions adds up in a few milliseconds.

use crate::declarations::write_clear_facts;
use crate::{Cache, CacheError};
use bhxh_domain::{DeclarationStatus, Outcome, Purpose};
use chrono::{DateTime, Utc};
use rusqlite::params;
use tracing::info;

/// One decision on record, as the clear columns hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    pub officer: String,
    pub officer_name: String,
    pub outcome: Outcome,
    pub decided_at: DateTime<Utc>,
    /// Reason codes (re-submit and reject).
    pub reasons: Vec<String>,
    /// What the declaration asked for.
    pub purpose: Purpose,
}

/// A declaration waiting for a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingRow {
    pub id: String,
    pub submitted_at: DateTime<Utc>,
    pub status: DeclarationStatus,
    pub unit_code: Option<String>,
    pub paper_received: bool,
    /// The officer holding it now, with their name, when the lease has not run out.
    pub holder: Option<(String, String)>,
    pub purpose: Purpose,
}

/// How many declarations an officer holds now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub officer: String,
    pub officer_name: String,
    pub count: u32,
}

const CLEAR_FACTS_FILLED: &str = "clear_facts_filled";

fn purpose_of(row: &str, code: &str) -> Result<Purpose, CacheError> {
    Purpose::from_code(code).ok_or_else(|| CacheError::Corrupt(row.to_owned(), format!("unknown purpose {code}")))
}

fn utc(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

impl Cache {
    /// Rows written before the clear columns existed get them from their sealed body,
    /// once: every page applied since writes them, so a marker skips the table scan
    /// on later opens (a million-row cache opens without reading its bodies).
    pub(crate) fn fill_clear_facts(&self) -> Result<(), CacheError> {
        if self.meta(CLEAR_FACTS_FILLED)?.is_some() {
            return Ok(());
        }
        let rows: Vec<(String, Vec<u8>)> = {
            let mut stmt = self.conn.prepare("SELECT id, body FROM declarations WHERE facts_v = 0")?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?
        };
        let tx = self.conn.unchecked_transaction()?;
        for (id, body) in &rows {
            let d = self.open_body(id, body)?;
            write_clear_facts(&tx, &d)?;
        }
        tx.execute("INSERT INTO meta(key, value) VALUES (?1, '1') ON CONFLICT(key) DO NOTHING", [CLEAR_FACTS_FILLED])?;
        tx.commit()?;
        info!(rows = rows.len(), "clear facts filled for rows cached before they existed");
        Ok(())
    }

    /// Decisions on record for the office with `from <= decided_at < to`.
    pub fn decisions_between(
        &self,
        office: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<DecisionRow>, CacheError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT decided_by, decided_by_name, decided_outcome, decided_at, decided_reasons, purpose FROM declarations
             WHERE office_code = ?1 AND decided_at >= ?2 AND decided_at < ?3
                -- A hold for the paper form is no decision yet: the declaration still waits.
                AND decided_outcome != 'hold'",
        )?;
        let rows = stmt
            .query_map(params![office, from.timestamp(), to.timestamp()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(officer, officer_name, outcome, at, reasons, purpose)| {
                let purpose = purpose_of(&officer, &purpose)?;
                let outcome = Outcome::from_code(&outcome)
                    .ok_or_else(|| CacheError::Corrupt(officer.clone(), format!("unknown outcome {outcome}")))?;
                let reasons = match reasons.as_deref() {
                    None | Some("[]") => Vec::new(),
                    Some(json) => {
                        serde_json::from_str(json).map_err(|e| CacheError::Corrupt(officer.clone(), e.to_string()))?
                    }
                };
                Ok(DecisionRow { officer, officer_name, outcome, decided_at: utc(at), reasons, purpose })
            })
            .collect()
    }

    /// The office's declarations waiting for a decision (pending, escalated or on hold), with
    /// whether a paper form was matched to each and who holds it at `now`.
    pub fn waiting(&self, office: &str, now: DateTime<Utc>) -> Result<Vec<WaitingRow>, CacheError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.submitted_at, d.status, d.unit_code,
                EXISTS (SELECT 1 FROM paper_pages p WHERE p.declaration_id = d.id),
                CASE WHEN d.assigned_until > ?2 THEN d.assigned_to END,
                CASE WHEN d.assigned_until > ?2 THEN d.assigned_name END,
                d.purpose
             FROM declarations d
             WHERE d.office_code = ?1 AND d.status IN ('pending', 'escalated', 'on_hold')",
        )?;
        let rows = stmt
            .query_map(params![office, now.timestamp()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, bool>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, String>(7)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, submitted, status, unit_code, paper_received, holder, holder_name, purpose)| {
                let purpose = purpose_of(&id, &purpose)?;
                let submitted_at = DateTime::parse_from_rfc3339(&submitted)
                    .map_err(|e| CacheError::Corrupt(id.clone(), e.to_string()))?
                    .with_timezone(&Utc);
                let status = DeclarationStatus::from_code(&status)
                    .ok_or_else(|| CacheError::Corrupt(id.clone(), format!("unknown status {status}")))?;
                let holder = holder.map(|h| {
                    let name = holder_name.unwrap_or_else(|| h.clone());
                    (h, name)
                });
                Ok(WaitingRow { id, submitted_at, status, unit_code, paper_received, holder, purpose })
            })
            .collect()
    }

    /// Who holds how many of the office's declarations at `now`.
    pub fn holdings(&self, office: &str, now: DateTime<Utc>) -> Result<Vec<Holding>, CacheError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT assigned_to, max(assigned_name), count(*) FROM declarations
             WHERE office_code = ?1 AND assigned_until > ?2 GROUP BY assigned_to",
        )?;
        let rows = stmt
            .query_map(params![office, now.timestamp()], |r| {
                Ok(Holding { officer: r.get(0)?, officer_name: r.get(1)?, count: r.get(2)? })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
