//! The audit log: insert-only (triggers refuse UPDATE and DELETE) and chained:
//! each row carries an HMAC over its content and the link before it, keyed with a
//! key derived from the officer's data key ([`AuditKey`]), so a row changed,
//! removed or inserted afterwards shows as a broken link, and nobody without the
//! password can forge a chain that holds. Cutting rows off the end leaves a chain
//! that holds: the head (last row and link) goes to the central service with
//! each sync, which notices a head that went back ([`head`]). Rows name the
//! actor, the action and its subject (a declaration or document id), never an
//! image or a citizen's details.
//!
//! Rows written before the chain was keyed (`keyed = 0`) carry a plain SHA-256
//! link; they may only come first.

use crate::CacheError;
use crate::crypto::{AuditKey, DataKey};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};
use std::path::Path;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Actions written to the log.
/// What an audit row records. The code is what the chain hashes and the file
/// keeps, so a code never changes once written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Login,
    Unlock,
    ViewDocuments,
    Assign,
    Decide,
    Withdraw,
    Delivered,
    Conflict,
    Rejected,
    Acknowledge,
    Export,
    Purge,
    ImportPaper,
    MatchPaper,
    TakeAway,
    HandOver,
    Letter,
    Call,
    ExportFolder,
    DeleteExport,
    MoveExports,
}

impl Action {
    pub const fn code(self) -> &'static str {
        match self {
            Action::Login => "login",
            Action::Unlock => "unlock",
            Action::ViewDocuments => "view_documents",
            Action::Assign => "assign",
            Action::Decide => "decide",
            Action::Withdraw => "withdraw",
            Action::Delivered => "delivered",
            Action::Conflict => "conflict",
            Action::Rejected => "rejected",
            Action::Acknowledge => "acknowledge",
            Action::Export => "export",
            Action::Purge => "purge",
            Action::ImportPaper => "import_paper",
            Action::MatchPaper => "match_paper",
            Action::TakeAway => "take_away",
            Action::HandOver => "hand_over",
            Action::Letter => "letter",
            Action::Call => "call",
            Action::ExportFolder => "export_folder",
            Action::DeleteExport => "delete_export",
            Action::MoveExports => "move_exports",
        }
    }
}

/// The link of a row written before the chain was keyed (plain SHA-256).
fn plain_link(prev: &str, seq: i64, at: &str, actor: &str, action: &str, subject: &str, detail: &str) -> String {
    let mut h = Sha256::new();
    for part in [prev, &seq.to_string(), at, actor, action, subject, detail] {
        h.update(part.as_bytes());
        // A separator that cannot occur inside a field keeps fields from sliding.
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

#[allow(clippy::too_many_arguments)]
fn keyed_link(
    key: &AuditKey,
    prev: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> String {
    key.link(&["bhxh-desk audit v2", prev, &seq.to_string(), at, actor, action, subject, detail])
}

/// Appends one row inside the caller's transaction (with the change it records).
pub fn append(
    tx: &Transaction<'_>,
    key: &AuditKey,
    at: DateTime<Utc>,
    actor: &str,
    action: Action,
    subject: &str,
    detail: &str,
) -> Result<(), CacheError> {
    let last: Option<(i64, String)> = tx
        .query_row("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_owned()),
    };
    let at = at.to_rfc3339();
    let hash = keyed_link(key, &prev, seq, &at, actor, action.code(), subject, detail);
    tx.execute(
        "INSERT INTO audit(seq, at, actor, action, subject, detail, prev_hash, hash, keyed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)",
        params![seq, at, actor, action.code(), subject, detail, prev, hash],
    )?;
    Ok(())
}

/// The chain's last row and its link: what the central service is told at each
/// sync. `None` for an empty chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

pub fn head(conn: &Connection) -> Result<Option<Head>, CacheError> {
    Ok(conn
        .query_row("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok(Head { seq: r.get(0)?, hash: r.get(1)? })
        })
        .optional()?)
}

/// The link of row `seq`, if the chain has that row.
pub fn link_at(conn: &Connection, seq: i64) -> Result<Option<String>, CacheError> {
    Ok(conn.query_row("SELECT hash FROM audit WHERE seq = ?1", [seq], |r| r.get(0)).optional()?)
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub rows: u64,
    /// The first row whose link does not hold, and why.
    pub first_broken: Option<(i64, String)>,
}

/// Checks the chain of the cache database at `db` (read-only) with the officer's key.
pub fn verify(db: &Path, key: &DataKey) -> Result<AuditReport, CacheError> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    verify_conn(&conn, &key.audit_key())
}

pub fn verify_conn(conn: &Connection, key: &AuditKey) -> Result<AuditReport, CacheError> {
    let mut stmt =
        conn.prepare("SELECT seq, at, actor, action, subject, detail, prev_hash, hash, keyed FROM audit ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let (mut expected_prev, mut expected_seq, mut n, mut keyed_seen) = (GENESIS.to_owned(), 1i64, 0u64, false);
    while let Some(r) = rows.next()? {
        let (seq, at, actor, action, subject, detail, prev, hash, keyed): (
            i64,
            String,
            String,
            String,
            String,
            String,
            String,
            String,
            bool,
        ) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?);
        n += 1;
        let link = if keyed {
            keyed_link(key, &prev, seq, &at, &actor, &action, &subject, &detail)
        } else {
            plain_link(&prev, seq, &at, &actor, &action, &subject, &detail)
        };
        let broken = if seq != expected_seq {
            Some(format!("expected row {expected_seq}, found {seq} (rows removed or inserted)"))
        } else if prev != expected_prev {
            Some("does not point to the row before it".to_owned())
        } else if !keyed && keyed_seen {
            Some("an unkeyed row after keyed ones (row forged)".to_owned())
        } else if link != hash {
            Some("content does not match its link (row altered or forged)".to_owned())
        } else {
            None
        };
        if let Some(why) = broken {
            return Ok(AuditReport { rows: n, first_broken: Some((seq, why)) });
        }
        keyed_seen |= keyed;
        expected_prev = hash;
        expected_seq = seq + 1;
    }
    Ok(AuditReport { rows: n, first_broken: None })
}

/// The last `limit` rows, newest first.
pub fn recent(conn: &Connection, limit: u32) -> Result<Vec<AuditRow>, CacheError> {
    let mut stmt =
        conn.prepare("SELECT seq, at, actor, action, subject, detail FROM audit ORDER BY seq DESC LIMIT ?1")?;
    let rows = stmt.query_map([limit], |r| {
        Ok(AuditRow {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            subject: r.get(4)?,
            detail: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod action_tests {
    use super::Action::*;

    /// Rows already written carry these codes and the chain hashes them: pinned.
    #[test]
    fn action_codes_never_change() {
        let all = [
            (Login, "login"),
            (Unlock, "unlock"),
            (ViewDocuments, "view_documents"),
            (Assign, "assign"),
            (Decide, "decide"),
            (Withdraw, "withdraw"),
            (Delivered, "delivered"),
            (Conflict, "conflict"),
            (Rejected, "rejected"),
            (Acknowledge, "acknowledge"),
            (Export, "export"),
            (Purge, "purge"),
            (ImportPaper, "import_paper"),
            (MatchPaper, "match_paper"),
            (TakeAway, "take_away"),
            (HandOver, "hand_over"),
            (Letter, "letter"),
            (Call, "call"),
            (ExportFolder, "export_folder"),
            (DeleteExport, "delete_export"),
            (MoveExports, "move_exports"),
        ];
        for (action, code) in all {
            assert_eq!(action.code(), code);
        }
    }
}
