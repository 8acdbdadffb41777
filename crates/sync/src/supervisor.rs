//! The supervisor's calls: the office's daily quotas and paper-form rule, the campaign's coverage per
//! unit, letter numbers, handing declarations over.

use crate::client::urlencode;
use crate::{CentralClient, SyncError};
use bhxh_domain::PaperRule;
use bhxh_protocol::{
    Assignment, CoverageReport, HandOver, LetterNumber, LetterNumberRequest, PaperRuleState, QuotaList, QuotaUpdate,
};
use reqwest::Method;

impl CentralClient {
    pub async fn quotas(&self, office: &str) -> Result<QuotaList, SyncError> {
        self.json(Method::GET, &format!("/v1/offices/{}/quotas", urlencode(office))).await
    }

    pub async fn set_quota(&self, office: &str, update: &QuotaUpdate) -> Result<QuotaList, SyncError> {
        self.json_with(Method::PUT, &format!("/v1/offices/{}/quotas", urlencode(office)), Some(update)).await
    }

    /// The office's paper-form rule (any of its staff).
    pub async fn paper_rule(&self, office: &str) -> Result<PaperRuleState, SyncError> {
        self.json(Method::GET, &format!("/v1/offices/{}/paper-rule", urlencode(office))).await
    }

    pub async fn set_paper_rule(&self, office: &str, rule: &PaperRule) -> Result<PaperRuleState, SyncError> {
        self.json_with(Method::PUT, &format!("/v1/offices/{}/paper-rule", urlencode(office)), Some(rule)).await
    }

    pub async fn coverage(&self, office: &str) -> Result<CoverageReport, SyncError> {
        self.json(Method::GET, &format!("/v1/offices/{}/coverage", urlencode(office))).await
    }

    /// The next number of the office's register of outgoing letters; the same one
    /// again for a retried `req.id`.
    pub async fn letter_number(&self, office: &str, req: &LetterNumberRequest) -> Result<LetterNumber, SyncError> {
        self.json_with(Method::POST, &format!("/v1/offices/{}/letters", urlencode(office)), Some(req)).await
    }

    /// Voids the number given to `id`: its letter was never written.
    pub async fn void_letter(&self, office: &str, id: &str, reason: &str) -> Result<LetterNumber, SyncError> {
        let body = bhxh_protocol::LetterVoid { reason: reason.to_owned() };
        let path = format!("/v1/offices/{}/letters/{}/void", urlencode(office), urlencode(id));
        self.json_with(Method::POST, &path, Some(&body)).await
    }

    pub async fn hand_over(&self, id: &str, officer: &str) -> Result<Assignment, SyncError> {
        let body = HandOver { officer: officer.to_owned() };
        self.json_with(Method::POST, &format!("/v1/declarations/{}/hand-over", urlencode(id)), Some(&body)).await
    }
}

impl CentralClient {
    /// Ends the lease on a declaration: the caller's own, or, for a supervisor, an
    /// officer's (the server audits it as taken away).
    pub async fn release(&self, id: &str) -> Result<(), SyncError> {
        let request = "DELETE /v1/declarations/{id}/assignment".to_owned();
        let mut req = self.http().delete(format!("{}/v1/declarations/{}/assignment", self.base_url(), urlencode(id)));
        if let Some(t) = self.token() {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.map_err(|e| self.unreachable(&request, e))?;
        if !resp.status().is_success() {
            return Err(Self::error_from(&request, resp).await);
        }
        Ok(())
    }
}
