//! The office's paper-form rule on this PC: as the last sync saw it (an officer
//! offline applies it too), what it asks of a declaration, and the supervisor
//! setting it at the central service.

use super::{Desk, lock};
use crate::access;
use crate::error::{AppError, ErrorCode};
use crate::ipc::PaperRuleView;
use bhxh_cache::Cache;
use bhxh_domain::clock::office_text;
use bhxh_domain::mau01::MatchedBy;
use bhxh_domain::{PaperCase, PaperRule, PaperShown};
use bhxh_protocol::{DeclarationFields, PaperRuleState};
use bhxh_sync::round::PAPER_RULE_META;
use tracing::info;

/// The rule as last pulled; `None` before the first online round.
pub(crate) fn kept(cache: &Cache) -> Result<Option<PaperRuleState>, AppError> {
    let Some(json) = cache.meta(PAPER_RULE_META)? else { return Ok(None) };
    match serde_json::from_str(&json) {
        Ok(state) => Ok(Some(state)),
        Err(e) => {
            // Said as unknown, never as "no rule": the next round writes it again.
            tracing::warn!(error = %e, "kept paper-form rule unreadable");
            Ok(None)
        }
    }
}

/// Whether the office wants the signed paper form before approving `fields`.
pub(crate) fn required(cache: &Cache, fields: &DeclarationFields) -> Result<bool, AppError> {
    let case = PaperCase { purpose: fields.purpose, kind: fields.kind, channel: fields.channel };
    Ok(kept(cache)?.is_some_and(|r| r.rule.requires(case)))
}

/// What this PC holds of a declaration's paper form: one signed page is enough,
/// and a page the machine could not judge is never "unsigned". A page matched by
/// hand is the officer's judgement, not the machine's: signed or not, it counts
/// only with the officer's "seen" (the tick), like one whose signature was not read.
pub(crate) fn shown(cache: &Cache, declaration_id: &str) -> Result<PaperShown, AppError> {
    let pages = cache.paper_pages_of(declaration_id)?;
    let by_machine = |p: &&bhxh_cache::paper::PaperPage| p.matched_by != MatchedBy::Hand;
    Ok(if pages.is_empty() {
        PaperShown::Missing
    } else if pages.iter().filter(by_machine).any(|p| p.reading.signed == Some(true)) {
        PaperShown::Signed
    } else if pages.iter().all(|p| p.reading.signed == Some(false)) {
        PaperShown::Unsigned
    } else {
        PaperShown::Unread
    })
}

fn view(state: Option<PaperRuleState>) -> PaperRuleView {
    let known = state.is_some();
    let (rule, set_by, set_at) = match state {
        Some(s) => (s.rule, s.updated_by, s.updated_at.map(office_text)),
        None => (PaperRule::default(), None, None),
    };
    PaperRuleView { rule, set_by, set_at, cases: PaperCase::all(), known }
}

impl Desk {
    /// The office's rule as this PC last heard it from the central service.
    pub fn paper_rule(&self) -> Result<PaperRuleView, AppError> {
        let s = self.view::<access::Reviewer>()?;
        let state = kept(&lock(s.cache()))?;
        Ok(view(state))
    }

    /// Sets the office's rule at the central service (it is the office's, not this PC's).
    pub async fn set_paper_rule(&self, rule: PaperRule) -> Result<PaperRuleView, AppError> {
        let s = self.view::<access::Supervisor>()?;
        if rule.required.len() > PaperCase::all().len() {
            return Err(AppError::new(
                ErrorCode::Validation,
                "Quy định tờ khai giấy có nhiều trường hợp hơn số trường hợp có thể có.",
                "The paper-form rule names more cases than there are.",
            ));
        }
        let client = self.central(&s).await.ok_or_else(|| {
            AppError::new(
                ErrorCode::Offline,
                "Cần kết nối máy chủ trung tâm để đổi quy định tờ khai giấy. Hãy thử lại khi có mạng.",
                "Changing the paper-form rule needs the central server. Please try again when the network is back.",
            )
        })?;
        let state = client.set_paper_rule(&s.info.office_code, &rule.normalised()).await?;
        let json = serde_json::to_string(&state).map_err(AppError::internal)?;
        s.on_cache(move |c| c.set_meta(PAPER_RULE_META, &json)).await?;
        info!(cases = state.rule.required.len(), "paper-form rule set");
        Ok(view(Some(state)))
    }
}
