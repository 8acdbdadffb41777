//! Decisions and the outbox that delivers them. A decision, its outbox row and its
//! audit row are written in one transaction: whatever happens to the PC after
//! `record_decision` returns, the decision is on disk and will be sent, with the
//! same Idempotency-Key every time, until the central service answers for it.

use crate::{Cache, CacheError, audit};
use bhxh_domain::{DecisionDraft, Outcome};
use bhxh_protocol::{DecisionAnswer, DecisionRequest, DecisionResult};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Not yet answered by the central service (never sent, or to be retried).
    Waiting,
    Accepted,
    /// The same decision was already on record (a retry after a lost answer).
    Duplicate,
    /// Someone else decided (or holds the assignment); stays until acknowledged.
    Conflict,
    /// Refused for good (e.g. validation); stays until acknowledged.
    Rejected,
    /// Undone by the officer before it was ever sent.
    Withdrawn,
}

impl OutboxState {
    pub fn code(self) -> &'static str {
        match self {
            OutboxState::Waiting => "waiting",
            OutboxState::Accepted => "accepted",
            OutboxState::Duplicate => "duplicate",
            OutboxState::Conflict => "conflict",
            OutboxState::Rejected => "rejected",
            OutboxState::Withdrawn => "withdrawn",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Some(match s {
            "waiting" => OutboxState::Waiting,
            "accepted" => OutboxState::Accepted,
            "duplicate" => OutboxState::Duplicate,
            "conflict" => OutboxState::Conflict,
            "rejected" => OutboxState::Rejected,
            "withdrawn" => OutboxState::Withdrawn,
            _ => return None,
        })
    }
    /// Whether this decision stands (so the declaration may not be decided again here).
    pub fn stands(self) -> bool {
        matches!(self, OutboxState::Waiting | OutboxState::Accepted | OutboxState::Duplicate | OutboxState::Conflict)
    }
}

/// What the sender has to send.
#[derive(Debug, Clone)]
pub struct OutboxItem {
    pub key: String,
    pub request: DecisionRequest,
    pub attempts: u32,
}

/// One line of the outbox as the officer (and `bhxh-desk outbox --json`) sees it.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxRow {
    pub key: String,
    pub declaration_id: String,
    pub officer: String,
    /// The citizen's name on the declaration as decided on.
    pub full_name: String,
    pub outcome: Outcome,
    pub reasons: Vec<String>,
    pub decided_at: DateTime<Utc>,
    pub state: OutboxState,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    /// The central service's answer, once there is one.
    pub answer: Option<DecisionAnswer>,
    pub acknowledged: bool,
}

/// How an attempt ended, as the sender decided (see `bhxh_sync::push::plan`).
#[derive(Debug, Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "at most a round's worth, settled at once: a box would only add allocations"
)]
pub enum Settle {
    Answered(DecisionAnswer),
    Retry { at: DateTime<Utc>, error: String },
    Rejected { error: String },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecideError {
    #[error("no declaration {0} in the cache")]
    UnknownDeclaration(String),
    #[error("declaration {0} already has a decision ({1})")]
    AlreadyDecided(String, &'static str),
    #[error("decision {0} cannot be withdrawn: {1}")]
    NotWithdrawable(String, &'static str),
}

fn time(what: &str, s: &str) -> Result<DateTime<Utc>, CacheError> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| CacheError::Corrupt(what.to_owned(), e.to_string()))
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> CacheError {
    CacheError::Corrupt(what.to_owned(), e.to_string())
}

/// The one field of a declaration's body a decision keeps (read without building
/// the whole declaration: recording sits on the officer's A → next path).
/// (The wire body flattens the declaration's fields.)
#[derive(serde::Deserialize)]
struct Named {
    full_name: String,
}

/// A declaration's decisions leave one at a time, in the order they were made (a
/// hold, then the approval once the form came): one never overtakes an earlier one
/// still waiting, whatever their backoffs. `d` is the decision asked about.
const EARLIER_WAITING: &str = "SELECT 1 FROM decisions e JOIN outbox eo ON eo.key = e.key
    WHERE e.declaration_id = d.declaration_id AND eo.state = 'waiting' AND e.rowid < d.rowid";

impl Cache {
    /// Records a validated decision for delivery; returns its key (UUIDv7).
    pub fn record_decision(
        &mut self,
        officer: &str,
        declaration_id: &str,
        draft: &DecisionDraft,
        findings: &[String],
        now: DateTime<Utc>,
    ) -> Result<Result<String, DecideError>, CacheError> {
        self.durably(|c| c.record_decision_in(officer, declaration_id, draft, findings, now))
    }

    fn record_decision_in(
        &mut self,
        officer: &str,
        declaration_id: &str,
        draft: &DecisionDraft,
        findings: &[String],
        now: DateTime<Utc>,
    ) -> Result<Result<String, DecideError>, CacheError> {
        let key_ = &self.key;
        let tx = self.conn.transaction()?;
        let body: Option<Vec<u8>> =
            tx.query_row("SELECT body FROM declarations WHERE id = ?1", [declaration_id], |r| r.get(0)).optional()?;
        let Some(body) = body else {
            return Ok(Err(DecideError::UnknownDeclaration(declaration_id.to_owned())));
        };
        let json = key_
            .open(&crate::aad("body", declaration_id), &body)
            .map_err(|e| CacheError::Sealed { what: format!("body of {declaration_id}"), source: e })?;
        let full_name = serde_json::from_slice::<Named>(&json).map_err(|e| corrupt(declaration_id, e))?.full_name;
        let standing: Vec<(String, String, String, u32, String)> = tx
            .prepare(
                "SELECT d.key, d.outcome, o.state, o.attempts, d.officer FROM decisions d JOIN outbox o ON o.key = d.key
                 WHERE d.declaration_id = ?1 AND o.state IN ('waiting', 'accepted', 'duplicate', 'conflict')",
            )?
            .query_map([declaration_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
            .collect::<rusqlite::Result<_>>()?;
        // A hold for the paper form is not final: the decision made when the form
        // arrives replaces it. This officer's hold that never left this PC is withdrawn
        // with it; any other goes first (`take_due` sends a declaration's decisions in
        // the order they were made).
        for (held_key, outcome, state, attempts, held_by) in &standing {
            if outcome != Outcome::Hold.code() || draft.outcome == Outcome::Hold {
                let state = OutboxState::from_code(state).map(OutboxState::code).unwrap_or("?");
                return Ok(Err(DecideError::AlreadyDecided(declaration_id.to_owned(), state)));
            }
            if state == "waiting" && *attempts == 0 && held_by == officer {
                tx.execute(
                    "UPDATE outbox SET state = 'withdrawn', updated_at = ?2 WHERE key = ?1",
                    params![held_key, now.to_rfc3339()],
                )?;
                audit::append(&tx, &self.audit_key, now, officer, audit::Action::Withdraw, declaration_id, held_key)?;
            }
        }
        let key = uuid::Uuid::now_v7().to_string();
        let reasons = serde_json::to_string(&draft.reasons).map_err(|e| corrupt(declaration_id, e))?;
        let findings_json = serde_json::to_string(findings).map_err(|e| corrupt(declaration_id, e))?;
        let note = draft.note.as_ref().map(|n| key_.seal(&crate::aad("note", &key), n.as_bytes()));
        let name = key_.seal(&crate::aad("citizen_name", &key), full_name.as_bytes());
        let at = now.to_rfc3339();
        tx.execute(
            "INSERT INTO decisions(key, declaration_id, officer, outcome, reasons_json, note, paper_seen, findings_json,
                decided_at, citizen_name)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                key,
                declaration_id,
                officer,
                draft.outcome.code(),
                reasons,
                note,
                draft.paper_seen,
                findings_json,
                at,
                name
            ],
        )?;
        tx.execute(
            "INSERT INTO outbox(key, state, attempts, next_attempt_at, updated_at) VALUES (?1, 'waiting', 0, ?2, ?2)",
            params![key, at],
        )?;
        let detail = format!("{} {} {}", draft.outcome.code(), draft.reasons.join(","), key);
        audit::append(&tx, &self.audit_key, now, officer, audit::Action::Decide, declaration_id, detail.trim())?;
        tx.commit()?;
        Ok(Ok(key))
    }

    /// Undoes a decision that was never sent (once sent, it may be on record centrally).
    pub fn withdraw(
        &mut self,
        officer: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<(), DecideError>, CacheError> {
        self.durably(|c| c.withdraw_in(officer, key, now))
    }

    fn withdraw_in(
        &mut self,
        officer: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<(), DecideError>, CacheError> {
        let tx = self.conn.transaction()?;
        let row: Option<(String, u32, String, String)> = tx
            .query_row(
                "SELECT o.state, o.attempts, d.declaration_id, d.officer FROM outbox o JOIN decisions d ON d.key = o.key WHERE o.key = ?1",
                [key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((state, attempts, declaration_id, owner)) = row else {
            return Ok(Err(DecideError::NotWithdrawable(key.to_owned(), "not found")));
        };
        if owner != officer {
            return Ok(Err(DecideError::NotWithdrawable(key.to_owned(), "another officer's decision")));
        }
        if state != "waiting" {
            return Ok(Err(DecideError::NotWithdrawable(key.to_owned(), "already answered by the central service")));
        }
        if attempts > 0 {
            return Ok(Err(DecideError::NotWithdrawable(key.to_owned(), "already sent")));
        }
        tx.execute(
            "UPDATE outbox SET state = 'withdrawn', updated_at = ?2 WHERE key = ?1",
            params![key, now.to_rfc3339()],
        )?;
        audit::append(&tx, &self.audit_key, now, officer, audit::Action::Withdraw, &declaration_id, key)?;
        tx.commit()?;
        Ok(Ok(()))
    }

    /// Waiting items due by `now`, oldest first, each counted as one more attempt
    /// before it leaves (so a crash mid-send still shows it was sent).
    pub fn take_due(&mut self, now: DateTime<Utc>, limit: u32) -> Result<Vec<OutboxItem>, CacheError> {
        let key_ = &self.key;
        let tx = self.conn.transaction()?;
        let rows: Vec<(String, String, String, String, Option<Vec<u8>>, bool, String, String, u32)> = {
            let mut stmt = tx.prepare(
                &format!(
                "SELECT d.key, d.declaration_id, d.outcome, d.reasons_json, d.note, d.paper_seen, d.findings_json, d.decided_at, o.attempts
                 FROM outbox o JOIN decisions d ON d.key = o.key
                 WHERE o.state = 'waiting' AND o.next_attempt_at <= ?1 AND NOT EXISTS ({EARLIER_WAITING})
                 ORDER BY d.key LIMIT ?2"
            ),
            )?;
            stmt.query_map(params![now.to_rfc3339(), limit], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
            })?
            .collect::<rusqlite::Result<_>>()?
        };
        let mut out = Vec::with_capacity(rows.len());
        for (key, declaration_id, outcome, reasons, note, paper_seen, findings, decided_at, attempts) in rows {
            let note = match note {
                Some(sealed) => Some(
                    String::from_utf8(
                        key_.open(&crate::aad("note", &key), &sealed)
                            .map_err(|e| CacheError::Sealed { what: format!("note of {key}"), source: e })?,
                    )
                    .map_err(|e| corrupt(&key, e))?,
                ),
                None => None,
            };
            let request = DecisionRequest {
                draft: DecisionDraft {
                    outcome: Outcome::from_code(&outcome).ok_or_else(|| corrupt(&key, format!("outcome {outcome}")))?,
                    reasons: serde_json::from_str(&reasons).map_err(|e| corrupt(&key, e))?,
                    note,
                    paper_seen,
                },
                findings: serde_json::from_str(&findings).map_err(|e| corrupt(&key, e))?,
                decided_at: time(&key, &decided_at)?,
                declaration_id,
            };
            tx.execute("UPDATE outbox SET attempts = attempts + 1 WHERE key = ?1", [&key])?;
            out.push(OutboxItem { key, request, attempts: attempts + 1 });
        }
        tx.commit()?;
        Ok(out)
    }

    /// Files the outcome of one attempt.
    pub fn settle(&mut self, key: &str, officer: &str, outcome: Settle, now: DateTime<Utc>) -> Result<(), CacheError> {
        self.settle_many(officer, vec![(key.to_owned(), outcome)], now)
    }

    /// Files the outcomes of a round of attempts in one transaction.
    pub fn settle_many(
        &mut self,
        officer: &str,
        outcomes: Vec<(String, Settle)>,
        now: DateTime<Utc>,
    ) -> Result<(), CacheError> {
        self.durably(|c| {
            let tx = c.conn.transaction()?;
            for (key, outcome) in outcomes {
                Self::settle_in(&tx, &c.audit_key, &key, officer, outcome, now)?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn settle_in(
        tx: &rusqlite::Transaction<'_>,
        audit_key: &crate::crypto::AuditKey,
        key: &str,
        officer: &str,
        outcome: Settle,
        now: DateTime<Utc>,
    ) -> Result<(), CacheError> {
        let declaration_id: String =
            tx.query_row("SELECT declaration_id FROM decisions WHERE key = ?1", [key], |r| r.get(0))?;
        let at = now.to_rfc3339();
        match outcome {
            Settle::Answered(answer) => {
                let state = match answer.result {
                    DecisionResult::Accepted => OutboxState::Accepted,
                    DecisionResult::Duplicate => OutboxState::Duplicate,
                    DecisionResult::Conflict => OutboxState::Conflict,
                };
                let json = serde_json::to_string(&answer).map_err(|e| corrupt(key, e))?;
                tx.execute(
                    "UPDATE outbox SET state = ?2, answer_json = ?3, last_error = NULL, updated_at = ?4 WHERE key = ?1",
                    params![key, state.code(), json, at],
                )?;
                let action =
                    if state == OutboxState::Conflict { audit::Action::Conflict } else { audit::Action::Delivered };
                let by = answer
                    .decision
                    .as_ref()
                    .map(|d| format!("{} {}", d.officer, d.outcome.code()))
                    .or_else(|| answer.assignment.as_ref().map(|a| format!("assigned to {}", a.officer)))
                    .unwrap_or_default();
                audit::append(
                    tx,
                    audit_key,
                    now,
                    officer,
                    action,
                    &declaration_id,
                    &format!("{} {key} {by}", state.code()),
                )?;
            }
            Settle::Retry { at: next, error } => {
                tx.execute(
                    "UPDATE outbox SET next_attempt_at = ?2, last_error = ?3, updated_at = ?4 WHERE key = ?1 AND state = 'waiting'",
                    params![key, next.to_rfc3339(), error, at],
                )?;
            }
            Settle::Rejected { error } => {
                tx.execute(
                    "UPDATE outbox SET state = 'rejected', last_error = ?2, updated_at = ?3 WHERE key = ?1",
                    params![key, error, at],
                )?;
                audit::append(
                    tx,
                    audit_key,
                    now,
                    officer,
                    audit::Action::Rejected,
                    &declaration_id,
                    &format!("{key} {error}"),
                )?;
            }
        }
        Ok(())
    }

    /// The officer has seen a conflict or a refusal: it leaves the attention list.
    pub fn acknowledge(&mut self, officer: &str, key: &str, now: DateTime<Utc>) -> Result<bool, CacheError> {
        self.durably(|c| c.acknowledge_in(officer, key, now))
    }

    fn acknowledge_in(&mut self, officer: &str, key: &str, now: DateTime<Utc>) -> Result<bool, CacheError> {
        let tx = self.conn.transaction()?;
        let declaration_id: Option<String> = tx
            .query_row(
                "SELECT d.declaration_id FROM outbox o JOIN decisions d ON d.key = o.key
                 WHERE o.key = ?1 AND o.state IN ('conflict', 'rejected') AND o.acknowledged_at IS NULL",
                [key],
                |r| r.get(0),
            )
            .optional()?;
        let Some(declaration_id) = declaration_id else { return Ok(false) };
        tx.execute("UPDATE outbox SET acknowledged_at = ?2 WHERE key = ?1", params![key, now.to_rfc3339()])?;
        audit::append(&tx, &self.audit_key, now, officer, audit::Action::Acknowledge, &declaration_id, key)?;
        tx.commit()?;
        Ok(true)
    }

    /// Every decision recorded here with its delivery state, newest first.
    pub fn outbox(&self) -> Result<Vec<OutboxRow>, CacheError> {
        self.outbox_rows("", params![])
    }

    /// The decisions one officer recorded here, newest first.
    pub fn outbox_by(&self, officer: &str) -> Result<Vec<OutboxRow>, CacheError> {
        self.outbox_rows("WHERE d.officer = ?1", [officer])
    }

    /// The decisions recorded here on one declaration, newest first (through the
    /// declaration's index: opening a declaration does not read the whole outbox).
    pub fn outbox_of(&self, declaration_id: &str) -> Result<Vec<OutboxRow>, CacheError> {
        self.outbox_rows("WHERE d.declaration_id = ?1", [declaration_id])
    }

    fn outbox_rows(&self, filter: &str, params: impl rusqlite::Params) -> Result<Vec<OutboxRow>, CacheError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT d.key, d.declaration_id, d.officer, d.outcome, d.reasons_json, d.decided_at, o.state, o.attempts,
                    o.next_attempt_at, o.last_error, o.answer_json, o.acknowledged_at, d.citizen_name,
                    CASE WHEN d.citizen_name IS NULL
                        THEN (SELECT x.body FROM declarations x WHERE x.id = d.declaration_id) END
             FROM decisions d JOIN outbox o ON o.key = d.key {filter} ORDER BY d.key DESC"
        ))?;
        let rows = stmt.query_map(params, |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, u32>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, Option<String>>(10)?,
                r.get::<_, Option<String>>(11)?,
                r.get::<_, Option<Vec<u8>>>(12)?,
                r.get::<_, Option<Vec<u8>>>(13)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (
                key,
                declaration_id,
                officer,
                outcome,
                reasons,
                decided_at,
                state,
                attempts,
                next,
                last_error,
                answer,
                ack,
                name,
                body,
            ) = row?;
            let full_name = match (name, body) {
                // A label only: one that does not open must not keep the declaration from opening.
                (Some(name), _) => match self.open_sealed("citizen_name", &key, &name) {
                    Ok(plain) => String::from_utf8_lossy(&plain).into_owned(),
                    Err(e) => {
                        tracing::warn!(%key, error = %e, "a decision's citizen name does not open");
                        String::new()
                    }
                },
                // Decided before names were kept with decisions.
                (None, Some(body)) => self.open_body(&declaration_id, &body)?.fields.full_name,
                (None, None) => String::new(),
            };
            out.push(OutboxRow {
                full_name,
                outcome: Outcome::from_code(&outcome).ok_or_else(|| corrupt(&key, format!("outcome {outcome}")))?,
                reasons: serde_json::from_str(&reasons).map_err(|e| corrupt(&key, e))?,
                decided_at: time(&key, &decided_at)?,
                state: OutboxState::from_code(&state).ok_or_else(|| corrupt(&key, format!("state {state}")))?,
                next_attempt_at: time(&key, &next)?,
                answer: answer.map(|a| serde_json::from_str(&a)).transpose().map_err(|e| corrupt(&key, e))?,
                acknowledged: ack.is_some(),
                key,
                declaration_id,
                officer,
                attempts,
                last_error,
            });
        }
        Ok(out)
    }

    /// (waiting, needing the officer's attention: unacknowledged conflicts and refusals).
    pub fn outbox_counts(&self) -> Result<(u32, u32), CacheError> {
        Ok(self.conn.query_row(
            "SELECT
                coalesce(sum(state = 'waiting'), 0),
                coalesce(sum(state IN ('conflict', 'rejected') AND acknowledged_at IS NULL), 0)
             FROM outbox",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// Waiting decisions whose next attempt is due by `now`: what makes a
    /// background round worth running (one in backoff waits for its time).
    pub fn outbox_due(&self, now: DateTime<Utc>) -> Result<u32, CacheError> {
        Ok(self.conn.query_row(
            &format!(
                "SELECT count(*) FROM outbox o JOIN decisions d ON d.key = o.key
                 WHERE o.state = 'waiting' AND o.next_attempt_at <= ?1 AND NOT EXISTS ({EARLIER_WAITING})"
            ),
            [now.to_rfc3339()],
            |r| r.get(0),
        )?)
    }

    /// Adds a row to the audit chain on its own (logins, views, exports).
    pub fn audit(
        &mut self,
        actor: &str,
        action: audit::Action,
        subject: &str,
        detail: &str,
        now: DateTime<Utc>,
    ) -> Result<(), CacheError> {
        self.durably(|c| {
            let tx = c.conn.transaction()?;
            audit::append(&tx, &c.audit_key, now, actor, action, subject, detail)?;
            tx.commit()?;
            Ok(())
        })
    }

    pub fn verify_audit(&self) -> Result<audit::AuditReport, CacheError> {
        audit::verify_conn(&self.conn, &self.audit_key)
    }

    /// The audit chain's last row and link (what the central service is told).
    pub fn audit_head(&self) -> Result<Option<audit::Head>, CacheError> {
        audit::head(&self.conn)
    }

    /// The link of the audit chain's row `seq`, if it has one.
    pub fn audit_link_at(&self, seq: i64) -> Result<Option<String>, CacheError> {
        audit::link_at(&self.conn, seq)
    }

    /// The last `limit` rows of the audit log, newest first.
    pub fn recent_audit(&self, limit: u32) -> Result<Vec<audit::AuditRow>, CacheError> {
        audit::recent(&self.conn, limit)
    }
}
