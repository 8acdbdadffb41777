//! Deciding: record locally (with the outbox row and the audit row, in one
//! transaction), withdraw while never sent, list and acknowledge.

use super::{Desk, lock};
use crate::access;
use crate::error::{AppError, ErrorCode};
use crate::ipc::{DecideInput, DecisionReceipt, OutboxView};
use bhxh_cache::{DecideError, OutboxRow, OutboxState};
use bhxh_domain::clock::office_text;
use bhxh_domain::reference::ReferenceData;
use bhxh_domain::{DeclarationStatus, Outcome, PaperShown, Text, paper_admits};

fn decide_error(e: DecideError) -> AppError {
    tracing::warn!(error = %e, "decision refused locally");
    match e {
        DecideError::UnknownDeclaration(_) => AppError::declaration_not_here(),
        DecideError::AlreadyDecided(_, _) => AppError::new(
            ErrorCode::Conflict,
            "Tờ khai này đã có quyết định trên máy này. Muốn đổi, hãy rút lại quyết định cũ khi nó chưa được gửi đi.",
            "This declaration already has a decision on this PC. To change it, withdraw the earlier decision while it has not been sent.",
        ),
        DecideError::NotWithdrawable(_, why) if why == "already sent" || why.starts_with("already answered") => {
            AppError::new(
                ErrorCode::Conflict,
                "Quyết định đã được gửi lên máy chủ trung tâm nên không rút lại được nữa.",
                "The decision has already been sent to the central server and can no longer be withdrawn.",
            )
        }
        DecideError::NotWithdrawable(_, _) => AppError::new(
            ErrorCode::NotFound,
            "Không có quyết định này trên máy.",
            "There is no such decision on this PC.",
        ),
    }
}

impl Desk {
    /// Records the officer's decision on this PC; the outbox delivers it.
    pub fn decide(&self, input: DecideInput) -> Result<DecisionReceipt, AppError> {
        let s = self.view::<access::Reviewer>()?;
        let cache = s.cache();
        let mut cache = lock(cache);
        let not_here = AppError::declaration_not_here;
        let c = cache.declaration(&input.id)?.ok_or_else(not_here)?;
        if c.declaration.fields.office_code != s.info.office_code {
            return Err(not_here());
        }
        let now = self.now();
        // What the last sync knew: someone else's decision or live assignment.
        if let Some(d) = &c.declaration.decision {
            // Not final: an escalation is the supervisor's to settle, a hold for the
            // paper form anyone's of the office once the form is here.
            let open = match d.outcome {
                // A hold would hand an escalation back to every officer.
                Outcome::Escalate => {
                    s.info.role == bhxh_domain::Role::Supervisor && input.draft.outcome != Outcome::Hold
                }
                Outcome::Hold => input.draft.outcome != Outcome::Hold,
                _ => false,
            };
            if !open {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!(
                        "Tờ khai đã được {} quyết định: {} ({}).",
                        d.officer_name,
                        d.outcome.label_vi(),
                        office_text(d.decided_at)
                    ),
                    format!(
                        "{} has already decided this declaration: {} ({}).",
                        d.officer_name,
                        d.outcome.label_en(),
                        office_text(d.decided_at)
                    ),
                ));
            }
        } else if !matches!(c.declaration.status, DeclarationStatus::Pending | DeclarationStatus::OnHold) {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "Tờ khai không còn ở trạng thái chờ duyệt.",
                "This declaration is no longer waiting for review.",
            ));
        }
        if let Some(a) =
            c.declaration.assignment.as_ref().filter(|a| a.officer != s.info.username && a.expires_at > now)
            && s.info.role != bhxh_domain::Role::Supervisor
        {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("Tờ khai đang do {} xử lý đến {}.", a.officer_name, office_text(a.expires_at)),
                format!("{} is reviewing this declaration until {}.", a.officer_name, office_text(a.expires_at)),
            ));
        }
        let (findings, _) = cache.findings(&input.id)?;
        let blocks = findings.iter().filter(|f| f.severity == bhxh_domain::checks::Severity::Block).count() as u32;
        let mut draft = input
            .draft
            .validate(ReferenceData::get(), blocks)
            .map_err(|e| AppError::new(ErrorCode::Validation, e.message_vi(), e.message_en()))?;
        // The office's paper-form rule, against the pages matched on this PC.
        let required = super::paper_rule::required(&cache, &c.declaration.fields)?;
        let shown = super::paper_rule::shown(&cache, &input.id)?;
        paper_admits(required, draft.outcome, shown, draft.paper_seen).map_err(|e| {
            tracing::info!(declaration = %input.id, outcome = draft.outcome.code(), error = %e, "paper-form rule");
            AppError::new(ErrorCode::Validation, e.message_vi(), e.message_en())
        })?;
        // A page that reads as signed is the form seen: the central service is told so.
        if shown == PaperShown::Signed {
            draft.paper_seen = true;
        }
        let codes: Vec<String> = findings.into_iter().map(|f| f.code).collect();
        let key = cache.record_decision(&s.info.username, &input.id, &draft, &codes, now)?.map_err(decide_error)?;
        tracing::info!(declaration = %input.id, outcome = draft.outcome.code(), %key, "decision recorded");
        Ok(DecisionReceipt { key, declaration_id: input.id, outcome: draft.outcome })
    }

    /// Undoes a decision that has never left this PC.
    pub fn withdraw(&self, key: &str) -> Result<(), AppError> {
        let s = self.view::<access::Reviewer>()?;
        let cache = s.cache();
        lock(cache).withdraw(&s.info.username, key, self.now())?.map_err(decide_error)
    }

    pub fn acknowledge(&self, key: &str) -> Result<(), AppError> {
        let s = self.view::<access::Reviewer>()?;
        let cache = s.cache();
        if !lock(cache).acknowledge(&s.info.username, key, self.now())? {
            return Err(AppError::new(
                ErrorCode::NotFound,
                "Mã này không có quyết định nào bị xung đột hoặc bị máy chủ không nhận.",
                "There is no conflict or refusal with this key.",
            ));
        }
        Ok(())
    }

    /// Takes the declaration for this officer's review on the central service (when
    /// online); renewing is the same call.
    pub async fn take(&self, id: &str) -> Result<crate::ipc::TakeResult, AppError> {
        let s = self.view::<access::Reviewer>()?;
        let office = {
            let id = id.to_owned();
            s.on_cache(move |c| c.office_of(&id)).await?
        };
        if office.as_deref() != Some(s.info.office_code.as_str()) {
            return Err(AppError::declaration_not_here());
        }
        let offline = crate::ipc::TakeResult { granted: true, holder: None, confirmed: false };
        let Some(client) = self.central(&s).await else { return Ok(offline) };
        match client.assign(id).await {
            Ok(a) => {
                let (who, until) = (&a.assignment.officer_name, office_text(a.assignment.expires_at));
                let holder =
                    (!a.granted).then(|| Text::new(format!("{who} (đến {until})"), format!("{who} (until {until})")));
                if a.granted {
                    let (actor, subject) = (s.info.username.clone(), id.to_owned());
                    let (until, now) = (a.assignment.expires_at.to_rfc3339(), self.now());
                    s.on_cache(move |c| c.audit(&actor, bhxh_cache::audit::Action::Assign, &subject, &until, now))
                        .await?;
                }
                Ok(crate::ipc::TakeResult { granted: a.granted, holder, confirmed: true })
            }
            // Offline (or the token lapsed): taken here; the decision's delivery settles it.
            Err(e) if e.is_offline() || matches!(e, bhxh_sync::SyncError::Unauthorized { .. }) => Ok(offline),
            Err(e) => Err(e.into()),
        }
    }

    /// "Take N for offline work": assigns the oldest pending declarations that have
    /// no decision here and nobody else's lease.
    pub async fn take_batch(&self, count: u32) -> Result<crate::ipc::TakeBatchResult, AppError> {
        let s = self.view::<access::Reviewer>()?;
        let count = count.clamp(1, 200) as usize;
        let now = self.now();
        let (office, me) = (s.info.office_code.clone(), s.info.username.clone());
        let candidates: Vec<String> = s
            .on_cache(move |cache| {
                let mut out = Vec::new();
                for row in cache.queue(&office)? {
                    if out.len() >= count {
                        break;
                    }
                    if row.status != DeclarationStatus::Pending || row.sync_state.is_some_and(|st| st.stands()) {
                        continue;
                    }
                    let held = cache
                        .declaration(&row.id)?
                        .and_then(|c| c.declaration.assignment)
                        .is_some_and(|a| a.officer != me && a.expires_at > now);
                    if !held {
                        out.push(row.id);
                    }
                }
                Ok(out)
            })
            .await?;
        let (mut taken, mut held_by_others, mut confirmed) = (Vec::new(), 0u32, true);
        for id in candidates {
            let r = self.take(&id).await?;
            confirmed &= r.confirmed;
            if r.granted {
                taken.push(id);
            } else {
                held_by_others += 1;
            }
        }
        // Taken for offline work: their documents come now, not at the next sync.
        let mut not_downloaded = 0;
        if confirmed && !taken.is_empty() {
            match bhxh_sync::round::fetch_for(&*s, taken.clone(), self.config.clock).await {
                Ok(r) => not_downloaded = r.documents_failed,
                // They are taken whatever happened to their documents: say what is missing.
                Err(e) => {
                    tracing::warn!(error = %e, "documents of the declarations taken not downloaded");
                    let all = u32::try_from(taken.len()).unwrap_or(u32::MAX);
                    not_downloaded = s
                        .on_cache({
                            let taken = taken.clone();
                            move |c| Ok(c.documents_missing_of(&taken)?.len() as u32)
                        })
                        .await
                        .unwrap_or(all);
                }
            }
        }
        let (message_vi, message_en) = match (taken.len(), held_by_others, confirmed) {
            (0, 0, _) => (
                "Không còn hồ sơ chờ duyệt nào chưa có người nhận.".to_owned(),
                "There are no untaken declarations left waiting for review.".to_owned(),
            ),
            (n, 0, true) => (
                format!("Đã nhận {n} hồ sơ; có thể làm việc cả khi mất mạng."),
                format!("Took {n} {}; you can work on them even without a network.", declarations(n)),
            ),
            (n, h, true) => (
                format!("Đã nhận {n} hồ sơ; {h} hồ sơ đang do cán bộ khác xử lý."),
                format!(
                    "Took {n} {}; {h} {} being reviewed by other officers.",
                    declarations(n),
                    if h == 1 { "is" } else { "are" }
                ),
            ),
            (n, _, false) => (
                format!(
                    "Đã nhận {n} hồ sơ trên máy này (chưa xác nhận được với máy chủ; sẽ đối chiếu khi gửi quyết định)."
                ),
                format!(
                    "Took {n} {} on this PC (not yet confirmed with the server; checked when the decisions are sent).",
                    declarations(n)
                ),
            ),
        };
        let (message_vi, message_en) = match not_downloaded {
            0 => (message_vi, message_en),
            m => (
                format!(
                    "Đã nhận {} hồ sơ; còn {m} giấy tờ chưa tải về máy được (sẽ tải tiếp khi có mạng), nên chưa làm ngoại tuyến được hết.",
                    taken.len()
                ),
                format!(
                    "Took {} {}; {m} documents could not be downloaded yet (the download goes on when the network is back), so not all of them can be reviewed offline.",
                    taken.len(),
                    declarations(taken.len())
                ),
            ),
        };
        let message = Text::new(message_vi, message_en);
        Ok(crate::ipc::TakeBatchResult { taken, held_by_others, confirmed, message })
    }

    /// The reason catalogue, for the reason picker.
    pub fn reasons(&self) -> Result<Vec<crate::ipc::ReasonView>, AppError> {
        self.view::<access::Reviewer>()?;
        Ok(ReferenceData::get().reasons.iter().map(crate::views::reason_view).collect())
    }

    /// This officer's standing decision on a declaration, for the review screen.
    pub(crate) fn local_decision(
        cache: &std::sync::Mutex<bhxh_cache::Cache>,
        officer: &str,
        id: &str,
    ) -> Result<Option<OutboxView>, AppError> {
        let cache = lock(cache);
        let row = cache
            .outbox_of(id)?
            .into_iter()
            .find(|r| r.declaration_id == id && r.officer == officer && r.state != OutboxState::Withdrawn);
        Ok(row.map(outbox_view))
    }

    /// The decisions made on this PC by this officer, newest first.
    pub fn outbox(&self) -> Result<Vec<OutboxView>, AppError> {
        let s = self.view::<access::Reviewer>()?;
        let cache = s.cache();
        let cache = lock(cache);
        Ok(cache.outbox_by(&s.info.username)?.into_iter().map(outbox_view).collect())
    }
}

fn outbox_view(r: OutboxRow) -> OutboxView {
    let (conflict_with, conflict_outcome) = match (&r.state, &r.answer) {
        (OutboxState::Conflict, Some(a)) => match (&a.decision, &a.assignment) {
            (Some(d), _) => (Some(format!("{} ({})", d.officer_name, d.officer)), Some(d.outcome)),
            (None, Some(a)) => (Some(format!("{} ({})", a.officer_name, a.officer)), None),
            (None, None) => (None, None),
        },
        _ => (None, None),
    };
    let (message_vi, message_en) = match r.state {
        OutboxState::Waiting if r.attempts == 0 => {
            ("Chờ gửi lên máy chủ trung tâm.".to_owned(), "Waiting to be sent to the central server.".to_owned())
        }
        OutboxState::Waiting => (
            format!("Chưa gửi được ({} lần thử); ứng dụng tự gửi lại.", r.attempts),
            format!(
                "Not sent yet ({} {}); the app will keep trying by itself.",
                r.attempts,
                if r.attempts == 1 { "attempt" } else { "attempts" }
            ),
        ),
        OutboxState::Accepted => {
            ("Máy chủ trung tâm đã ghi nhận.".to_owned(), "Recorded by the central server.".to_owned())
        }
        OutboxState::Duplicate => (
            "Máy chủ trung tâm đã ghi nhận quyết định này từ trước (không ghi lại lần nữa).".to_owned(),
            "The central server already had this exact decision (not recorded twice).".to_owned(),
        ),
        OutboxState::Conflict => match (&conflict_with, conflict_outcome) {
            (Some(who), Some(o)) => (
                format!("Xung đột: {who} đã quyết định “{}” trước. Quyết định của bạn không được ghi.", o.label_vi()),
                format!("Conflict: {who} decided “{}” first. Your decision was not recorded.", o.label_en()),
            ),
            (Some(who), None) => (
                format!("Xung đột: tờ khai đang do {who} xử lý. Quyết định của bạn không được ghi."),
                format!("Conflict: {who} is reviewing this declaration. Your decision was not recorded."),
            ),
            _ => ("Xung đột với một quyết định khác.".to_owned(), "Conflict with another decision.".to_owned()),
        },
        OutboxState::Rejected => (
            "Máy chủ trung tâm không nhận quyết định này; cần xem lại.".to_owned(),
            "The central server refused this decision; please review it.".to_owned(),
        ),
        OutboxState::Withdrawn => ("Đã rút lại trước khi gửi.".to_owned(), "Withdrawn before it was sent.".to_owned()),
    };
    OutboxView {
        withdrawable: r.state == OutboxState::Waiting && r.attempts == 0,
        decided_at: office_text(r.decided_at),
        state: r.state,
        key: r.key,
        declaration_id: r.declaration_id,
        full_name: r.full_name,
        outcome: r.outcome,
        reasons: r.reasons,
        attempts: r.attempts,
        last_error: r.last_error,
        conflict_with,
        conflict_outcome,
        message: Text::new(message_vi, message_en),
        acknowledged: r.acknowledged,
    }
}

/// "1 declaration" / "3 declarations": English counts its nouns, Vietnamese does not.
fn declarations(n: usize) -> &'static str {
    if n == 1 { "declaration" } else { "declarations" }
}
