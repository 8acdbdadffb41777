//! Turning cached rows into what the screens show.

use crate::ipc::{DeclarationView, DocumentView, FieldView, QueueItem, ReasonView};
use crate::time::{age_days, local_text};
use bhxh_cache::{CachedDeclaration, DocumentState, QueueRow};
use bhxh_domain::checks::{Finding, SuggestedOutcome};
use bhxh_protocol::{IdDocumentType, Office};
use chrono::{DateTime, Utc};

pub fn queue_item(r: QueueRow, now: DateTime<Utc>) -> QueueItem {
    QueueItem {
        age_days: age_days(r.submitted_at, now),
        submitted_at: local_text(r.submitted_at),
        id: r.id,
        ma_so_bhxh: r.ma_so_bhxh,
        full_name: r.full_name,
        kind: r.kind,
        channel: r.channel,
        status: r.status,
        documents: r.documents,
        documents_stored: r.documents_stored,
        blocks: r.blocks,
        warnings: r.warnings,
        sync_state: r.sync_state.map(|s| s.code().to_owned()),
    }
}

fn field(key: &str, value: impl Into<String>) -> FieldView {
    let name = key.trim_start_matches("field.");
    let field = match name {
        "cccd" | "cmnd" | "passport" => "id_number",
        other => other,
    };
    FieldView { key: key.to_owned(), field: field.to_owned(), value: value.into() }
}

pub fn declaration_view(
    c: CachedDeclaration,
    findings: Vec<Finding>,
    suggested: SuggestedOutcome,
    offices: &[Office],
    now: DateTime<Utc>,
) -> DeclarationView {
    let d = c.declaration;
    let f = &d.fields;
    let mut fields = vec![
        field("field.full_name", f.full_name.clone()),
        field("field.ma_so_bhxh", f.ma_so_bhxh.to_string()),
        field("field.birth_date", f.birth_date.format("%d/%m/%Y").to_string()),
        field("field.sex", f.sex.label_vi()),
    ];
    if let (Some(t), Some(n)) = (f.id_type, &f.id_number) {
        let label = match t {
            IdDocumentType::Cccd => "field.cccd",
            IdDocumentType::Cmnd => "field.cmnd",
            IdDocumentType::Passport => "field.passport",
        };
        fields.push(field(label, n.clone()));
    }
    let a = &f.address;
    let address = [Some(a.street.as_str()), Some(a.commune.as_str()), a.district.as_deref(), Some(a.province.as_str())]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    fields.push(field("field.address", address));
    fields.push(field("field.phone", f.phone.clone()));
    if let Some(e) = &f.email {
        fields.push(field("field.email", e.clone()));
    }
    if let Some(p) = &f.parent_ma_so_bhxh {
        fields.push(field("field.parent_ma_so_bhxh", p.to_string()));
    }
    if let Some(u) = &f.unit_code {
        fields.push(field("field.unit_code", u.clone()));
    }
    // The office's name as it was when the citizen chose it.
    let office = match crate::offices::name_on(offices, &f.office_code, d.submitted_at.date_naive()) {
        Some(name) => format!("[{}] {name}", f.office_code),
        None => format!("[{}]", f.office_code),
    };
    fields.push(field("field.office_code", office));
    let documents = c
        .documents
        .into_iter()
        .map(|doc| DocumentView {
            available: doc.state == DocumentState::Stored,
            error: match doc.state {
                DocumentState::Stored => None,
                DocumentState::Missing => Some("Chưa tải về máy; sẽ tải khi có mạng.".to_owned()),
                DocumentState::Purged => Some(
                    "Đã xóa khỏi máy theo thời hạn lưu giữ (quyết định đã được máy chủ trung tâm ghi nhận).".to_owned(),
                ),
                DocumentState::Failed => Some(match doc.error.as_deref() {
                    Some("integrity") => "Tệp tải về bị hỏng (không khớp mã kiểm tra). Sẽ thử tải lại.".to_owned(),
                    _ => "Không tải được tệp từ máy chủ. Sẽ thử tải lại.".to_owned(),
                }),
            },
            is_pdf: doc.content_type == "application/pdf",
            id: doc.id,
            kind: doc.kind,
        })
        .collect();
    DeclarationView {
        age_days: age_days(d.submitted_at, now),
        submitted_at: local_text(d.submitted_at),
        full_name: f.full_name.clone(),
        kind: f.kind,
        channel: f.channel,
        status: d.status,
        id: d.id,
        fields,
        documents,
        findings,
        suggested_reasons: reason_views(&suggested),
        local_decision: None,
        assigned_to: None,
        paper_pages: Vec::new(),
        suggested,
    }
}

fn reason_views(s: &SuggestedOutcome) -> Vec<ReasonView> {
    let codes: &[String] = match s {
        SuggestedOutcome::Resubmit { reasons } | SuggestedOutcome::Reject { reasons } => reasons,
        SuggestedOutcome::Approve | SuggestedOutcome::Review => &[],
    };
    let reference = bhxh_domain::reference::ReferenceData::get();
    codes.iter().filter_map(|c| reference.reason(c)).map(reason_view).collect()
}

pub fn reason_view(r: &bhxh_domain::reference::Reason) -> ReasonView {
    ReasonView { code: r.code.clone(), kind: r.kind, label_vi: r.label_vi.clone(), citizen_vi: r.citizen_vi.clone() }
}
