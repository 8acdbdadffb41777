//! The helpdesk's side of the link: the office directory into the cache, the
//! server's lookup, the phone diagnosis, and the calls noted here delivered once.

use crate::client::urlencode;
use crate::{CentralClient, SharedCache, SyncError, on_cache};
use bhxh_protocol::{
    CallList, CallRecord, CitizenEntry, DirectoryPage, LookupAnswer, LookupRequest, NewCall, PhoneCheckAnswer,
    PhoneCheckRequest,
};
use reqwest::Method;
use tracing::{info, instrument, warn};

/// People per directory page: masked entries are small (~1 KB).
pub const DIRECTORY_PAGE: u32 = 500;

impl CentralClient {
    pub async fn directory_page(&self, office: &str, after: &str, limit: u32) -> Result<DirectoryPage, SyncError> {
        self.json(
            Method::GET,
            &format!("/v1/offices/{}/directory?after={}&limit={limit}", urlencode(office), urlencode(after)),
        )
        .await
    }

    pub async fn lookup(&self, query: &str) -> Result<LookupAnswer, SyncError> {
        self.json_with(Method::POST, "/v1/lookup", Some(&LookupRequest { q: query.to_owned() })).await
    }

    pub async fn citizen(&self, ma_so: &str) -> Result<CitizenEntry, SyncError> {
        self.json(Method::GET, &format!("/v1/citizens/{}", urlencode(ma_so))).await
    }

    pub async fn phone_check(&self, ma_so: &str, phone: &str) -> Result<PhoneCheckAnswer, SyncError> {
        let body = PhoneCheckRequest { phone: phone.to_owned() };
        self.json_with(Method::POST, &format!("/v1/citizens/{}/phone-check", urlencode(ma_so)), Some(&body)).await
    }

    pub async fn calls(&self, ma_so: &str) -> Result<CallList, SyncError> {
        self.json(Method::GET, &format!("/v1/citizens/{}/calls", urlencode(ma_so))).await
    }

    pub async fn log_call(&self, ma_so: &str, call: &NewCall) -> Result<CallRecord, SyncError> {
        self.json_with(Method::POST, &format!("/v1/citizens/{}/calls", urlencode(ma_so)), Some(call)).await
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DirectoryReport {
    pub pages: u32,
    pub people: u32,
    pub removed: u64,
}

/// Copies the office's directory into the cache: page by page, each page in one
/// transaction with the resume point; a cut-off copy resumes, and people missing
/// from a complete copy are removed.
#[instrument(skip(client, cache))]
pub async fn pull_directory(
    client: &CentralClient,
    cache: &SharedCache,
    office: &str,
) -> Result<DirectoryReport, SyncError> {
    let mut report = DirectoryReport::default();
    let resume = on_cache(cache, |c| c.directory_resume()).await?;
    let (generation, mut after) = match resume {
        Some(resume) => resume,
        None => {
            let generation = chrono::Utc::now().timestamp_millis();
            on_cache(cache, move |c| c.start_directory(generation)).await?;
            (generation, String::new())
        }
    };
    loop {
        let page = client.directory_page(office, &after, DIRECTORY_PAGE).await?;
        let n = page.items.len() as u32;
        let (next_after, page_has_more) = (page.next_after.clone(), page.has_more);
        on_cache(cache, move |c| c.apply_directory_page(generation, &page.items, page.next_after.as_deref())).await?;
        report.pages += 1;
        report.people += n;
        match next_after {
            Some(next) if page_has_more && n > 0 => after = next,
            _ => break,
        }
    }
    report.removed = on_cache(cache, move |c| c.finish_directory(generation)).await?;
    info!(pages = report.pages, people = report.people, removed = report.removed, "directory pulled");
    Ok(report)
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CallsReport {
    pub delivered: u32,
    pub refused: u32,
}

/// Delivers the calls noted here. Each goes under its own id, so one whose answer
/// was lost is recorded once when sent again. A call the server refuses (its
/// person moved office, a field too long) stays here with the reason.
#[instrument(skip_all)]
pub async fn push_calls(
    client: &CentralClient,
    cache: &SharedCache,
    clock: bhxh_domain::Clock,
) -> Result<CallsReport, SyncError> {
    let mut report = CallsReport::default();
    let due = on_cache(cache, |c| c.calls_due(200)).await?;
    for pending in due {
        match client.log_call(pending.ma_so.as_str(), &pending.call).await {
            Ok(_) => {
                let (id, at) = (pending.call.id.clone(), clock.now());
                on_cache(cache, move |c| c.call_sent(&id, at)).await?;
                report.delivered += 1;
            }
            Err(e @ (SyncError::Forbidden { .. } | SyncError::Http { status: 400 | 404 | 413 | 422, .. })) => {
                warn!(call = %pending.call.id, error = %e, "call refused by the central service");
                let (id, error) = (pending.call.id.clone(), e.to_string());
                on_cache(cache, move |c| c.call_failed(&id, &error)).await?;
                report.refused += 1;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}
