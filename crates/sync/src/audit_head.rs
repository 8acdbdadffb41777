//! The audit chain's head, told to the central service at the end of each round
//! (see `bhxh_protocol::audit_head`). The PC keeps a random id for its cache and
//! the row the server last acknowledged; the server compares.

use crate::{CentralClient, SharedCache, SyncError, on_cache};
use bhxh_protocol::{AuditHeadAnswer, AuditHeadReport, AuditLink};
use tracing::{instrument, warn};

/// This cache's id for the central service's record of its audit heads.
pub const CACHE_ID_META: &str = "audit.cache_id";
/// The row of the chain the central service acknowledged last.
pub const ACKNOWLEDGED_META: &str = "audit.acknowledged_seq";

impl CentralClient {
    pub async fn report_audit_head(&self, report: &AuditHeadReport) -> Result<AuditHeadAnswer, SyncError> {
        self.json_with(reqwest::Method::PUT, "/v1/me/audit-head", Some(report)).await
    }
}

/// Tells the central service where the chain ends; `None` when the chain is empty.
/// The answer's `consistent` is false when the server found the chain cut or
/// changed since the last report (it has recorded that on its side).
#[instrument(skip_all)]
pub async fn report_audit_head(client: &CentralClient, cache: &SharedCache) -> Result<Option<bool>, SyncError> {
    let report = on_cache(cache, |c| {
        let Some(head) = c.audit_head()? else { return Ok(None) };
        let cache_id = match c.meta(CACHE_ID_META)? {
            Some(id) => id,
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                c.set_meta(CACHE_ID_META, &id)?;
                id
            }
        };
        let acknowledged = match c.meta(ACKNOWLEDGED_META)?.and_then(|s| s.parse::<i64>().ok()).filter(|s| *s >= 1) {
            // A row gone from the chain is reported with a link no row has: the
            // server compares it with its own and finds the chain changed.
            Some(seq) => Some(AuditLink { seq, hash: c.audit_link_at(seq)?.unwrap_or_else(|| "0".repeat(64)) }),
            None => None,
        };
        Ok(Some(AuditHeadReport { cache_id, head: AuditLink { seq: head.seq, hash: head.hash }, acknowledged }))
    })
    .await?;
    let Some(report) = report else { return Ok(None) };
    let answer = client.report_audit_head(&report).await?;
    if !answer.consistent {
        warn!(cache = %report.cache_id, "the central service found this PC's audit chain cut or changed since the last sync");
    }
    let seq = answer.known.seq.to_string();
    on_cache(cache, move |c| c.set_meta(ACKNOWLEDGED_META, &seq)).await?;
    Ok(Some(answer.consistent))
}
