//! One sync round for a session, whatever holds it: the desk's open session, a test,
//! a headless run. A reviewer's round delivers the outbox, pulls the office's
//! declarations and their documents, refreshes the office's units and paper-form
//! rule and, for a
//! supervisor, the quotas and the coverage report; a helpdesk round delivers the
//! calls noted here and copies the directory when due. A token the server no
//! longer knows is replaced by logging in again once, from the session's
//! credentials.

use crate::{
    CallsReport, CentralClient, Credentials, DirectoryReport, Downloads, PullReport, PushReport, SharedCache,
    SyncError, on_cache,
};
use bhxh_cache::DocumentPolicy;
use bhxh_domain::{Clock, Role};
use chrono::{DateTime, TimeDelta};
use std::time::Duration;
use tracing::{instrument, warn};

/// The supervisor's quotas as last pulled (JSON in the cache's meta table).
pub const QUOTAS_META: &str = "quotas";
/// The units' coverage report as last pulled (JSON in the cache's meta table).
pub const COVERAGE_META: &str = "coverage";
/// The office's paper-form rule as last pulled (JSON in the cache's meta table):
/// an officer offline applies the rule the last round saw.
pub const PAPER_RULE_META: &str = "paper_rule";
/// When the helpdesk's directory copy was last pulled (RFC 3339).
pub const DIRECTORY_PULLED_AT: &str = "directory.pulled_at";
/// How old the helpdesk's directory copy may get before a background round copies it again.
pub const DIRECTORY_EVERY: Duration = Duration::from_secs(15 * 60);
/// How old the office's unit list may get (a unit opens or closes now and then).
const UNITS_EVERY: TimeDelta = TimeDelta::hours(24);

/// What a round needs of the session it works for.
pub trait SessionStore: Sync {
    /// The session's cache (its data key open).
    fn cache(&self) -> &SharedCache;
    fn credentials(&self) -> &Credentials;
    fn office(&self) -> &str;
    fn role(&self) -> Role;
    /// The session's client, and whether its token was accepted.
    fn client(&self) -> (CentralClient, bool);
    /// Keeps a client that logged in again, so the next call uses its token.
    fn keep_client(&self, client: &CentralClient);
    /// The session's downloads under way (progress, broken transfers).
    fn downloads(&self) -> &Downloads;
    /// What the PC downloads ahead and how much it keeps.
    fn document_policy(&self) -> DocumentPolicy;
}

/// What a round did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoundReport {
    Reviewer {
        pushed: PushReport,
        pulled: PullReport,
    },
    /// `directory` is `None` when the copy was fresh enough to keep.
    Helpdesk {
        calls: CallsReport,
        directory: Option<DirectoryReport>,
    },
}

async fn log_in(store: &impl SessionStore, client: &mut CentralClient) -> Result<(), SyncError> {
    client.login(store.credentials()).await?;
    store.keep_client(client);
    Ok(())
}

/// Runs one round for `store`'s session. `manual`: the person asked for it (the
/// helpdesk's directory is then copied even when fresh).
#[instrument(skip_all, fields(role = store.role().code()))]
pub async fn run_round(store: &impl SessionStore, clock: Clock, manual: bool) -> Result<RoundReport, SyncError> {
    let (mut client, authenticated) = store.client();
    if !authenticated {
        log_in(store, &mut client).await?;
    }
    if store.role().reviews_declarations() {
        reviewer_round(store, &mut client, clock).await
    } else {
        helpdesk_round(store, &mut client, clock, manual).await
    }
}

async fn reviewer_round(
    store: &impl SessionStore,
    client: &mut CentralClient,
    clock: Clock,
) -> Result<RoundReport, SyncError> {
    let (cache, office) = (store.cache(), store.office());
    // Decisions first: they are the officer's work; the pull then shows their effect.
    let pushed = crate::push_outbox(client, cache, store.credentials(), clock).await?;
    store.keep_client(client);
    let mut pulled = match crate::pull_declarations(client, cache, office, crate::PAGE_SIZE).await {
        Err(SyncError::Unauthorized { .. }) => {
            log_in(store, client).await?;
            crate::pull_declarations(client, cache, office, crate::PAGE_SIZE).await?
        }
        other => other?,
    };
    let (me, policy, now) = (store.credentials().username().to_owned(), store.document_policy(), clock.now());
    let (todo, wanted) = crate::plan_documents(cache, office, &me, now, policy).await?;
    // Every wanted declaration is spared, those already here too (taken for offline work).
    let keep = wanted.into_iter().collect();
    let arrival = crate::Arrival { budget: policy.budget_bytes, keep, now };
    crate::fetch_documents(client, cache, store.downloads(), todo, &arrival, &mut pulled).await?;
    refresh_units(client, cache, office, clock).await;
    // Kept from the last round when it cannot be had now (the server enforces it anyway).
    match client.paper_rule(office).await {
        Ok(rule) => keep_json(cache, PAPER_RULE_META, &rule, "GET /v1/offices/{code}/paper-rule").await?,
        Err(e) => warn!(error = %e, "paper-form rule not refreshed this round"),
    }
    if store.role() == Role::Supervisor {
        // The dashboard works offline from the last round: the quotas and the units'
        // coverage (employers' figures, nothing about a person) travel with it.
        let quotas = client.quotas(office).await?;
        keep_json(cache, QUOTAS_META, &quotas, "GET /v1/offices/{code}/quotas").await?;
        let coverage = client.coverage(office).await?;
        keep_json(cache, COVERAGE_META, &coverage, "GET /v1/offices/{code}/coverage").await?;
        // Numbers of letters that were never written: the register is told now.
        let actor = store.credentials().username().to_owned();
        if let Err(e) = crate::letters::void_unwritten_letters(client, cache, office, &actor, clock).await {
            warn!(error = %e, "unwritten letter numbers not voided this round");
        }
    }
    tell_audit_head(client, cache).await;
    Ok(RoundReport::Reviewer { pushed, pulled })
}

/// Downloads now the missing documents of `declarations` (opened, or taken for
/// offline work), logging in again once when the token is gone.
#[instrument(skip_all, fields(declarations = declarations.len()))]
pub async fn fetch_for(
    store: &impl SessionStore,
    declarations: Vec<String>,
    clock: Clock,
) -> Result<PullReport, SyncError> {
    let (cache, policy) = (store.cache(), store.document_policy());
    let (office, me) = (store.office().to_owned(), store.credentials().username().to_owned());
    let now = clock.now();
    let mut report = PullReport::default();
    let todo = {
        let declarations = declarations.clone();
        on_cache(cache, move |c| c.documents_missing_of(&declarations)).await?
    };
    if todo.is_empty() {
        return Ok(report);
    }
    // Nothing is evicted for them before the first byte arrives (offline, nothing would).
    let wanted = on_cache(cache, move |c| c.wanted(&office, &me, now, policy.ahead)).await?.declarations;
    let arrival =
        crate::Arrival { budget: policy.budget_bytes, keep: wanted.into_iter().chain(declarations).collect(), now };
    let (mut client, authenticated) = store.client();
    if !authenticated {
        log_in(store, &mut client).await?;
    }
    match crate::fetch_documents(&client, cache, store.downloads(), todo.clone(), &arrival, &mut report).await {
        Err(SyncError::Unauthorized { .. }) => {
            log_in(store, &mut client).await?;
            crate::fetch_documents(&client, cache, store.downloads(), todo, &arrival, &mut report).await?;
        }
        other => other?,
    }
    Ok(report)
}

async fn keep_json<T: serde::Serialize>(
    cache: &SharedCache,
    key: &'static str,
    value: &T,
    request: &str,
) -> Result<(), SyncError> {
    let json = serde_json::to_string(value)
        .map_err(|e| SyncError::Malformed { request: request.into(), detail: e.to_string() })?;
    on_cache(cache, move |c| c.set_meta(key, &json)).await
}

/// The office's units again when the list is a day old; a failure keeps the old
/// list and the round goes on (the unit check says nothing rather than guess).
async fn refresh_units(client: &CentralClient, cache: &SharedCache, office: &str, clock: Clock) {
    let listed_at = on_cache(cache, |c| c.office_units_listed_at()).await.ok().flatten();
    if listed_at.is_some_and(|t| clock.now().signed_duration_since(t) < UNITS_EVERY) {
        return;
    }
    match client.units(office).await {
        Ok(list) if list.office_code == office => {
            let now = clock.now();
            if let Err(e) = on_cache(cache, move |c| c.set_office_units(&list, now)).await {
                warn!(error = %e, "office units not kept");
            }
        }
        Ok(_) => warn!("office units answered for another office"),
        Err(e) => warn!(error = %e, "office units not listed"),
    }
}

async fn helpdesk_round(
    store: &impl SessionStore,
    client: &mut CentralClient,
    clock: Clock,
    manual: bool,
) -> Result<RoundReport, SyncError> {
    let cache = store.cache();
    let calls = match crate::push_calls(client, cache, clock).await {
        Err(SyncError::Unauthorized { .. }) => {
            log_in(store, client).await?;
            crate::push_calls(client, cache, clock).await?
        }
        other => other?,
    };
    let pulled_at =
        on_cache(cache, |c| c.meta(DIRECTORY_PULLED_AT)).await?.and_then(|t| DateTime::parse_from_rfc3339(&t).ok());
    let due =
        pulled_at.is_none_or(|t| clock.now().signed_duration_since(t).to_std().is_ok_and(|age| age >= DIRECTORY_EVERY));
    let mut directory = None;
    if manual || due {
        directory = Some(crate::pull_directory(client, cache, store.office()).await?);
        let at = clock.now().to_rfc3339();
        on_cache(cache, move |c| c.set_meta(DIRECTORY_PULLED_AT, &at)).await?;
    }
    tell_audit_head(client, cache).await;
    Ok(RoundReport::Helpdesk { calls, directory })
}

/// The audit chain's head, last in the round (the round's own rows included). A
/// failure leaves it for the next round: the work of this one is done.
async fn tell_audit_head(client: &CentralClient, cache: &SharedCache) {
    if let Err(e) = crate::audit_head::report_audit_head(client, cache).await {
        warn!(error = %e, "audit head not reported");
    }
}
