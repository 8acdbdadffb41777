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
