//! The supervisor's calls: the office's daily quotas.

use crate::client::urlencode;
use crate::{CentralClient, SyncError};
use bhxh_protocol::{QuotaList, QuotaUpdate};
use reqwest::Method;

impl CentralClient {
    pub async fn quotas(&self, office: &str) -> Result<QuotaList, SyncError> {
        self.json(Method::GET, &format!("/v1/offices/{}/quotas", urlencode(office))).await
    }

    pub async fn set_quota(&self, office: &str, update: &QuotaUpdate) -> Result<QuotaList, SyncError> {
        self.json_with(Method::PUT, &format!("/v1/offices/{}/quotas", urlencode(office)), Some(update)).await
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
        let resp =
            req.send().await.map_err(|e| SyncError::Unreachable { request: request.clone(), detail: e.to_string() })?;
        if !resp.status().is_success() {
            return Err(Self::error_from(&request, resp).await);
        }
        Ok(())
    }
}
