//! Delivering the outbox: each waiting decision is sent with its own key as
//! `Idempotency-Key`, in rounds of bounded parallelism; every answer is sorted by
//! [`plan`] into done, retry later (exponential backoff with jitter) or refused.
//! Nothing here can create a decision or change one: sending the same item twice
//! is harmless by construction (the server replays the answer for a key).

use crate::{CentralClient, Credentials, SyncError};
use bhxh_cache::{OutboxItem, Settle};
use bhxh_protocol::{DecisionAnswer, ErrorBody, error_code};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use rand::Rng;
use std::time::Duration;
use tracing::{info, instrument, warn};

/// Batches in flight at once: the central service is shared by every office.
pub const PUSH_PARALLELISM: usize = 2;
/// Decisions per batch request (each keeps its own key).
pub const BATCH: usize = 50;
/// Items taken from the outbox per round.
pub const ROUND: u32 = 200;
const BACKOFF_BASE_MS: u64 = 500;
const BACKOFF_CAP_MS: u64 = 60_000;

/// What came back for one attempt (or that nothing did).
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "at most a round's worth, planned at once: a box would only add allocations"
)]
pub enum Attempt {
    /// An HTTP answer: status, the body parsed as an answer or an error, Retry-After.
    Answer { status: u16, answer: Option<DecisionAnswer>, error: Option<ErrorBody>, retry_after_s: Option<u64> },
    /// No answer: refused connection, reset, timeout, a body cut off.
    NoAnswer(String),
}

/// What to do with an item after an attempt.
#[derive(Debug, Clone, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "at most a round's worth, settled at once: a box would only add allocations"
)]
pub enum Plan {
    Done(DecisionAnswer),
    Retry {
        after: Duration,
        error: String,
    },
    /// Log in again, then send at once (the token expired).
    Reauthenticate,
    Refused(String),
}

/// Exponential backoff with "equal jitter": half the delay fixed, half random, so
/// that offices coming back together do not retry in step. `jitter` in [0, 1).
pub fn backoff(attempts: u32, jitter: f64) -> Duration {
    let exp = BACKOFF_BASE_MS.saturating_mul(1u64 << attempts.saturating_sub(1).min(20)).min(BACKOFF_CAP_MS);
    let half = exp / 2;
    Duration::from_millis(half + (half as f64 * jitter.clamp(0.0, 1.0)) as u64)
}

/// The pure decision behind every attempt: what to send again, when, and what not.
pub fn plan(attempt: &Attempt, attempts: u32, jitter: f64) -> Plan {
    let retry = |error: String| Plan::Retry { after: backoff(attempts, jitter), error };
    match attempt {
        Attempt::NoAnswer(e) => retry(format!("no answer: {e}")),
        Attempt::Answer { status: 200 | 201, answer: Some(a), .. } => Plan::Done(a.clone()),
        // Recorded or not, a replay with the same key will tell: ask again.
        Attempt::Answer { status: 200 | 201, answer: None, .. } => retry("answer not readable".into()),
        Attempt::Answer { status: 401, .. } => Plan::Reauthenticate,
        Attempt::Answer { status: 409, error: Some(e), .. } if e.code == error_code::IN_FLIGHT => Plan::Retry {
            after: Duration::from_millis(1000 + (500.0 * jitter) as u64),
            error: "first attempt still in progress".into(),
        },
        Attempt::Answer { status: 429, retry_after_s, .. } => {
            let after = retry_after_s.map(Duration::from_secs).unwrap_or_else(|| backoff(attempts, jitter));
            Plan::Retry { after, error: "central service asked to slow down".into() }
        }
        Attempt::Answer { status: 408 | 500..=599, error, .. } => {
            retry(format!("central service error: {}", error.as_ref().map_or("—", |e| e.message.as_str())))
        }
        Attempt::Answer { status, error, .. } => {
            let (code, message) =
                error.as_ref().map_or(("", "no error body"), |e| (e.code.as_str(), e.message.as_str()));
            Plan::Refused(format!("{status} {code}: {message}"))
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PushReport {
    pub attempts: u32,
    pub accepted: u32,
    pub duplicate: u32,
    pub conflict: u32,
    pub refused: u32,
    pub retry_later: u32,
    pub logins: u32,
}

/// Sends what is due in the outbox until nothing due is left or the central
/// service stops answering. Returns what happened; errors only for the cache or a
/// login that fails for a reason other than the network.
#[instrument(skip_all, fields(officer = %credentials.username()))]
pub async fn push_outbox(
    client: &mut CentralClient,
    cache: &crate::SharedCache,
    credentials: &Credentials,
    clock: bhxh_domain::Clock,
) -> Result<PushReport, SyncError> {
    let mut report = PushReport::default();
    loop {
        let now = clock.now();
        let due = crate::on_cache(cache, move |c| c.take_due(now, ROUND)).await?;
        if due.is_empty() {
            break;
        }
        let c = client.clone();
        let batches: Vec<Vec<OutboxItem>> = due.chunks(BATCH).map(|b| b.to_vec()).collect();
        let results: Vec<(OutboxItem, Attempt)> = futures_util::stream::iter(batches)
            .map(|batch| {
                let c = c.clone();
                async move {
                    let attempts = c.send_batch(&batch).await;
                    batch.into_iter().zip(attempts).collect::<Vec<_>>()
                }
            })
            .buffer_unordered(PUSH_PARALLELISM)
            .flat_map(futures_util::stream::iter)
            .collect()
            .await;
        let mut answered = 0;
        let mut relogin = false;
        let now = clock.now();
        let mut settled = Vec::with_capacity(results.len());
        for (item, attempt) in results {
            report.attempts += 1;
            let jitter: f64 = rand::rng().random();
            let settle = match plan(&attempt, item.attempts, jitter) {
                Plan::Done(a) => {
                    answered += 1;
                    match a.result {
                        bhxh_protocol::DecisionResult::Accepted => report.accepted += 1,
                        bhxh_protocol::DecisionResult::Duplicate => report.duplicate += 1,
                        bhxh_protocol::DecisionResult::Conflict => report.conflict += 1,
                    }
                    Settle::Answered(a)
                }
                Plan::Retry { after, error } => {
                    report.retry_later += 1;
                    if !matches!(attempt, Attempt::NoAnswer(_)) {
                        answered += 1;
                    }
                    Settle::Retry { at: later(now, after), error }
                }
                Plan::Reauthenticate => {
                    relogin = true;
                    answered += 1;
                    Settle::Retry { at: now, error: "token expired".into() }
                }
                Plan::Refused(error) => {
                    answered += 1;
                    report.refused += 1;
                    warn!(key = %item.key, %error, "decision refused by the central service");
                    Settle::Rejected { error }
                }
            };
            settled.push((item.key, settle));
        }
        // One transaction for the round: one disk flush, not one per decision.
        let officer = credentials.username().to_owned();
        crate::on_cache(cache, move |c| c.settle_many(&officer, settled, now)).await?;
        if relogin {
            report.logins += 1;
            match client.login(credentials).await {
                Ok(_) => {}
                Err(e) if e.is_offline() || matches!(e, SyncError::Http { status: 429 | 500..=599, .. }) => break,
                Err(e) => return Err(e),
            }
        }
        if answered == 0 {
            // Not one answer this round: the link is down; the backoff decides when next.
            break;
        }
    }
    info!(?report, "outbox pushed");
    Ok(report)
}

fn later(now: DateTime<Utc>, after: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(after).unwrap_or(chrono::Duration::seconds(60))
}

impl CentralClient {
    /// One attempt at delivering a batch: one `Attempt` per item, in order. A
    /// request that fails as a whole gives every item the same attempt.
    pub async fn send_batch(&self, items: &[OutboxItem]) -> Vec<Attempt> {
        let body = bhxh_protocol::DecisionBatch {
            items: items
                .iter()
                .map(|i| bhxh_protocol::DecisionBatchItem {
                    idempotency_key: i.key.clone(),
                    request: i.request.clone(),
                })
                .collect(),
        };
        let mut r = self.http().post(format!("{}/v1/decisions/batch", self.base_url())).json(&body);
        if let Some(t) = self.token() {
            r = r.bearer_auth(t);
        }
        let all = |a: Attempt| vec![a; items.len()];
        let resp = match r.send().await {
            Ok(resp) => resp,
            Err(e) => return all(Attempt::NoAnswer(e.to_string())),
        };
        let status = resp.status().as_u16();
        // Seconds only: the HTTP-date form is not worth a parser for a server we control.
        let retry_after_s = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let bytes = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => return all(Attempt::NoAnswer(format!("answer cut off: {e}"))),
        };
        if !(200..300).contains(&status) {
            let error = serde_json::from_slice::<ErrorBody>(&bytes).ok();
            return all(Attempt::Answer { status, answer: None, error, retry_after_s });
        }
        let Ok(answer) = serde_json::from_slice::<bhxh_protocol::DecisionBatchAnswer>(&bytes) else {
            // Recorded or not, a replay will tell.
            return all(Attempt::Answer { status, answer: None, error: None, retry_after_s: None });
        };
        let mut by_key: std::collections::HashMap<String, bhxh_protocol::DecisionBatchItemAnswer> =
            answer.items.into_iter().map(|a| (a.idempotency_key.clone(), a)).collect();
        items
            .iter()
            .map(|i| match by_key.remove(&i.key) {
                Some(a) => Attempt::Answer { status: a.status, answer: a.answer, error: a.error, retry_after_s: None },
                None => Attempt::NoAnswer("item missing from the batch answer".into()),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bhxh_protocol::DecisionResult;

    fn answer(result: DecisionResult) -> DecisionAnswer {
        DecisionAnswer { result, decision: None, assignment: None }
    }
    fn err(code: &str) -> Option<ErrorBody> {
        Some(ErrorBody { code: code.into(), message: "m".into() })
    }
    fn at(status: u16, answer: Option<DecisionAnswer>, error: Option<ErrorBody>) -> Attempt {
        Attempt::Answer { status, answer, error, retry_after_s: None }
    }

    #[derive(Debug, PartialEq)]
    enum K {
        Done,
        Retry,
        Relogin,
        Refused,
    }

    fn kind(p: &Plan) -> K {
        match p {
            Plan::Done(_) => K::Done,
            Plan::Retry { .. } => K::Retry,
            Plan::Reauthenticate => K::Relogin,
            Plan::Refused(_) => K::Refused,
        }
    }

    /// What to send, what to retry: every kind of answer the central service (or
    /// the network) can give.
    #[test]
    fn planning_table() {
        let cases: Vec<(&str, Attempt, K)> = vec![
            ("accepted", at(201, Some(answer(DecisionResult::Accepted)), None), K::Done),
            ("duplicate", at(200, Some(answer(DecisionResult::Duplicate)), None), K::Done),
            ("conflict is an answer, not an error", at(200, Some(answer(DecisionResult::Conflict)), None), K::Done),
            ("2xx with a body cut short", at(200, None, None), K::Retry),
            ("connection refused", Attempt::NoAnswer("refused".into()), K::Retry),
            ("dropped after commit", Attempt::NoAnswer("connection reset".into()), K::Retry),
            ("in flight", at(409, None, err(error_code::IN_FLIGHT)), K::Retry),
            (
                "throttled",
                Attempt::Answer {
                    status: 429,
                    answer: None,
                    error: err(error_code::RATE_LIMITED),
                    retry_after_s: Some(3),
                },
                K::Retry,
            ),
            ("unavailable", at(503, None, err(error_code::UNAVAILABLE)), K::Retry),
            ("internal error", at(500, None, None), K::Retry),
            ("bad gateway from a proxy, no JSON", at(502, None, None), K::Retry),
            ("timeout", at(408, None, None), K::Retry),
            ("token expired", at(401, None, err(error_code::UNAUTHORIZED)), K::Relogin),
            ("validation", at(422, None, err(error_code::VALIDATION)), K::Refused),
            ("key reused with another body", at(422, None, err(error_code::KEY_REUSED)), K::Refused),
            ("another office", at(403, None, err(error_code::FORBIDDEN)), K::Refused),
            ("declaration gone", at(404, None, err(error_code::NOT_FOUND)), K::Refused),
            ("a 409 that is not in-flight", at(409, None, err("other")), K::Refused),
            ("bad request", at(400, None, err(error_code::BAD_REQUEST)), K::Refused),
        ];
        for (what, attempt, want) in cases {
            assert_eq!(kind(&plan(&attempt, 1, 0.5)), want, "{what}");
        }
        let throttled = Attempt::Answer { status: 429, answer: None, error: None, retry_after_s: Some(3) };
        assert_eq!(
            plan(&throttled, 1, 0.0),
            Plan::Retry { after: Duration::from_secs(3), error: "central service asked to slow down".into() }
        );
    }

    #[test]
    fn backoff_grows_with_jitter_and_a_cap() {
        assert_eq!(backoff(1, 0.0), Duration::from_millis(250));
        assert_eq!(backoff(1, 1.0), Duration::from_millis(500));
        assert_eq!(backoff(3, 0.0), Duration::from_millis(1000));
        assert!(backoff(4, 0.3) > backoff(3, 0.3));
        assert_eq!(backoff(40, 1.0), Duration::from_millis(BACKOFF_CAP_MS));
        assert_eq!(backoff(0, 0.0), Duration::from_millis(250));
    }
}
