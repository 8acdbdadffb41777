//! `PUT /v1/me/audit-head`: at the end of each sync a desk tells the central
//! service where its audit chain ends. The chain's links are keyed on the PC, so
//! rows altered in the middle already break it there; what the PC cannot show
//! by itself is its end cut off. The server keeps the last head of each cache and
//! checks the next report against it: the chain must not have gone back, and the
//! row the server last heard of must still carry the same link.

use serde::{Deserialize, Serialize};

/// One row of a chain: its number and its link (64 hex digits).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditLink {
    pub seq: i64,
    pub hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditHeadReport {
    /// The cache's own random id (one per officer's cache on one PC).
    pub cache_id: String,
    /// The chain's last row now.
    pub head: AuditLink,
    /// The row the server acknowledged last time, as the chain has it now;
    /// `None` when this cache has never had an answer.
    pub acknowledged: Option<AuditLink>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditHeadAnswer {
    /// False when the chain went back or the acknowledged row changed: the
    /// server has written that to its own audit log.
    pub consistent: bool,
    /// What the server now holds for this cache (the report's head).
    pub known: AuditLink,
}

impl AuditLink {
    /// A link as the chain writes it: a row number from 1, 64 lower-case hex digits.
    pub fn well_formed(&self) -> bool {
        self.seq >= 1
            && self.hash.len() == 64
            && self.hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }
}
