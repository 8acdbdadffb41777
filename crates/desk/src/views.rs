//! Turning cached rows into what the screens show.

use crate::ipc::{
    AccountView, ChangeView, DeclarationView, DocumentView, FieldView, HelpdeskNote, QueueItem, ReadSpot, ReadValue,
    ReasonView,
};
use bhxh_cache::{CachedDeclaration, DocumentState, PaperSignature, QueueRow};
use bhxh_domain::calendar::WorkCalendar;
use bhxh_domain::checks::field;
use bhxh_domain::checks::{Finding, Severity, SuggestedOutcome};
use bhxh_domain::clock::{office_day, office_text};
use bhxh_domain::mau01::PaperFields;
use bhxh_domain::mau01::{FormField, OCR_CONFIDENT, OcrReading};
use bhxh_domain::{ChangedField, QrPayload, Text};
use bhxh_protocol::{IdDocumentType, Office};
use chrono::{DateTime, Utc};

/// `age_days` counts the working days waited (weekends and holidays are not).
pub fn queue_item(r: QueueRow, me: &str, now: DateTime<Utc>, calendar: &WorkCalendar) -> QueueItem {
    let assigned = r
        .assignment
        .as_ref()
        .filter(|(_, until)| *until > now)
        .map(|(who, _)| if who == me { "me" } else { "other" }.to_owned());
    QueueItem {
        assigned,
        paper: r.paper_signed.map(|s| {
            match s {
                PaperSignature::Signed => "signed",
                PaperSignature::Unsigned => "unsigned",
                PaperSignature::Unknown => "unknown",
            }
            .to_owned()
        }),
        id_number: r.id_number,
        phone: r.phone,
        age_days: calendar.days_waited(office_day(r.submitted_at), office_day(now)),
        submitted_at: office_text(r.submitted_at),
        id: r.id,
        ma_so_bhxh: r.ma_so_bhxh,
        full_name: r.full_name,
        kind: r.kind,
        purpose: r.purpose,
        channel: r.channel,
        on_hold: r.status == bhxh_domain::DeclarationStatus::OnHold || r.held_here,
        status: r.status,
        documents: r.documents,
        documents_stored: r.documents_stored,
        blocks: r.blocks,
        warnings: r.warnings,
        sync_state: r.sync_state,
        flags: r.flags,
        document_ids: r.document_ids,
    }
}

fn field(key: &str, value: impl Into<String>) -> FieldView {
    let name = key.trim_start_matches("field.");
    let field = match name {
        "cccd" | "cmnd" | "passport" => "id_number",
        other => other,
    };
    FieldView { key: key.to_owned(), field: field.to_owned(), value: Text::same(value), elsewhere: Vec::new() }
}

/// A field whose value is a word of the app (the sex), not what the citizen typed:
/// the English UI shows `en`.
fn word(key: &str, vi: &str, en: &str) -> FieldView {
    FieldView { value: Text::new(vi, en), ..field(key, vi) }
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Puts beside each field what the card's QR code and the matched paper form
/// say, where that differs from the declaration (the officer compares in one glance).
pub fn read_elsewhere(fields: &mut [FieldView], qr: Option<&QrPayload>, paper: Option<&PaperFields>) {
    let fold = bhxh_domain::fold::fold;
    // A form read by OCR shows its values through `read_by_ocr`, with confidence and place.
    let paper = paper.filter(|p| !p.by_ocr);
    for f in fields.iter_mut() {
        // The declared value as typed (a word of the app compares in Vietnamese).
        let declared = f.value.vi.clone();
        let mut add = |source: &str, value: Text, same: bool| {
            if !same && !value.vi.trim().is_empty() {
                f.elsewhere.push(ReadValue {
                    source: source.to_owned(),
                    value,
                    conf: None,
                    doubtful: false,
                    same: false,
                    spot: None,
                });
            }
        };
        match f.field.as_str() {
            "full_name" => {
                if let Some(q) = qr {
                    // Diacritics count: "Nguyen" for "Nguyễn" is a difference to show.
                    add(
                        "qr",
                        Text::same(q.name.to_string()),
                        q.name.as_str().to_lowercase() == declared.to_lowercase(),
                    );
                }
                if let Some(name) = paper.and_then(|p| p.full_name.clone()) {
                    let same = name.to_lowercase() == declared.to_lowercase();
                    add("paper", Text::same(name), same);
                }
            }
            "birth_date" => {
                if let Some(q) = qr {
                    let v = q.birth_date.format("%d/%m/%Y").to_string();
                    let same = v == declared;
                    add("qr", Text::same(v), same);
                }
            }
            "sex" => {
                if let Some(q) = qr {
                    let same = fold(q.sex.label_vi()) == fold(&declared);
                    add("qr", Text::new(q.sex.label_vi(), q.sex.label_en()), same);
                }
            }
            "id_number" => {
                if let Some(q) = qr {
                    let same = q.cccd.as_str() == digits(&declared)
                        || q.old_cmnd.as_deref().is_some_and(|c| c == digits(&declared));
                    add("qr", Text::same(q.cccd.as_str()), same);
                }
                if let Some(n) = paper.and_then(|p| p.id_number.clone()) {
                    let same = digits(&n) == digits(&declared);
                    add("paper", Text::same(n), same);
                }
            }
            "ma_so_bhxh" => {
                if let Some(m) = paper.and_then(|p| p.ma_so.clone()) {
                    let same = digits(&m) == digits(&declared);
                    add("paper", Text::same(m), same);
                }
            }
            "phone" => {
                if let Some(ph) = paper.and_then(|p| p.phone.clone()) {
                    let same = bhxh_domain::PhoneVn::same(&ph, &declared);
                    add("paper", Text::same(ph), same);
                }
            }
            _ => {}
        }
    }
}

/// Where a reading by OCR comes from: the viewer's key of the document and what was read.
pub struct OcrSource<'a> {
    /// ocr_paper | ocr_id
    pub source: &'static str,
    pub doc: String,
    pub reading: &'a OcrReading,
}

/// Puts every value OCR read beside its field, agreeing or not, with its
/// confidence and its box: the officer confirms it on the scan in one glance.
pub fn read_by_ocr(fields: &mut [FieldView], sources: &[OcrSource<'_>]) {
    for src in sources {
        for o in &src.reading.fields {
            let name = match o.field {
                FormField::FullName => field::FULL_NAME,
                FormField::MaSo => field::MA_SO,
                FormField::IdNumber => field::ID_NUMBER,
                FormField::Phone => field::PHONE,
                FormField::Email => field::EMAIL,
                FormField::DeclarationId => continue,
            };
            let Some(f) = fields.iter_mut().find(|f| f.field == name) else { continue };
            let same = agrees(o.field, &f.value.vi, &o.value);
            f.elsewhere.push(ReadValue {
                source: src.source.to_owned(),
                value: Text::same(o.value.clone()),
                conf: Some(o.conf),
                doubtful: o.conf < OCR_CONFIDENT,
                same,
                spot: Some(ReadSpot { doc: src.doc.clone(), bbox: o.bbox, angle: src.reading.skew_deg }),
            });
        }
    }
}

/// Whether a value read from a document says what the declaration says (case
/// and the writer's spacing aside; diacritics count).
fn agrees(field: FormField, declared: &str, read: &str) -> bool {
    match field {
        FormField::FullName => read.to_lowercase().split_whitespace().eq(declared.to_lowercase().split_whitespace()),
        FormField::Phone => bhxh_domain::PhoneVn::same(read, declared),
        FormField::Email => read.trim().eq_ignore_ascii_case(declared.trim()),
        FormField::MaSo | FormField::IdNumber | FormField::DeclarationId => {
            let plain = |s: &str| s.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_uppercase();
            plain(read) == plain(declared)
        }
    }
}

pub fn declaration_view(
    c: CachedDeclaration,
    findings: Vec<Finding>,
    suggested: SuggestedOutcome,
    offices: &[Office],
    now: DateTime<Utc>,
    calendar: &WorkCalendar,
) -> DeclarationView {
    let suggested_reasons = reason_views(&suggested, &findings);
    let d = c.declaration;
    let (changes, account) = account_views(&d);
    let f = &d.fields;
    let mut fields = vec![
        field("field.full_name", f.full_name.clone()),
        field("field.ma_so_bhxh", f.ma_so_bhxh.to_string()),
        field("field.birth_date", f.birth_date.format("%d/%m/%Y").to_string()),
        word("field.sex", f.sex.label_vi(), f.sex.label_en()),
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
    let office = match crate::offices::name_on(offices, &f.office_code, bhxh_domain::clock::office_day(d.submitted_at))
    {
        Some(name) => format!("[{}] {name}", f.office_code),
        None => format!("[{}]", f.office_code),
    };
    fields.push(field("field.office_code", office));
    let documents = c
        .documents
        .into_iter()
        .map(|doc| {
            let error = match doc.state {
                DocumentState::Stored => None,
                DocumentState::Missing => Some((
                    "Chưa có trên máy này; được tải về khi mở hồ sơ (cần mạng).",
                    "Not on this PC yet; it downloads when the declaration is opened (needs the network).",
                )),
                DocumentState::Purged => Some((
                    "Đã xóa khỏi máy theo thời hạn lưu giữ (quyết định đã được máy chủ trung tâm ghi nhận).",
                    "Deleted from this PC at the end of its retention period (the central server has recorded the decision).",
                )),
                DocumentState::Failed => Some(match doc.error.as_deref() {
                    Some("integrity") => (
                        "Tệp tải về bị hỏng (không khớp mã kiểm tra). Sẽ thử tải lại.",
                        "The downloaded file is damaged (its checksum does not match). It will be downloaded again.",
                    ),
                    _ => (
                        "Không tải được tệp từ máy chủ. Sẽ thử tải lại.",
                        "Could not download the file from the server. It will be tried again.",
                    ),
                }),
            };
            DocumentView {
                available: doc.state == DocumentState::Stored,
                downloadable: matches!(doc.state, DocumentState::Missing | DocumentState::Failed),
                error: error.map(|(vi, en)| Text::new(vi, en)),
                is_pdf: doc.content_type == "application/pdf",
                id: doc.id,
                kind: doc.kind,
            }
        })
        .collect();
    DeclarationView {
        age_days: calendar.days_waited(office_day(d.submitted_at), office_day(now)),
        submitted_at: office_text(d.submitted_at),
        full_name: f.full_name.clone(),
        kind: f.kind,
        channel: f.channel,
        status: d.status,
        id: d.id,
        fields,
        documents,
        findings,
        suggested_reasons,
        local_decision: None,
        assigned_to: None,
        paper_pages: Vec::new(),
        paper_required: false,
        helpdesk_notes: d
            .flags
            .iter()
            .map(|f| HelpdeskNote { at: office_text(f.at), agent_name: f.agent_name.clone(), text: f.text.clone() })
            .collect(),
        suggested,
        purpose: f.purpose,
        reason: f.reason.clone().filter(|r| !r.trim().is_empty()),
        changes,
        account,
    }
}

/// An adjustment's lines (old beside new) and the account it is checked against.
fn account_views(d: &bhxh_protocol::Declaration) -> (Vec<ChangeView>, Option<AccountView>) {
    let (facts, _) = bhxh_cache::findings::facts(d);
    let changes = bhxh_domain::checks::change_lines(&facts, d.account.as_ref())
        .into_iter()
        .map(|l| ChangeView {
            field: l.key.to_owned(),
            key: match l.field {
                ChangedField::IdDocument => "field.id_document",
                ChangedField::MaSo => "field.ma_so_bhxh",
                _ => match l.key {
                    field::FULL_NAME => "field.full_name",
                    field::BIRTH_DATE => "field.birth_date",
                    field::SEX => "field.sex",
                    field::ADDRESS => "field.address",
                    field::EMAIL => "field.email",
                    _ => "field.phone",
                },
            }
            .to_owned(),
            on_record: l.on_record,
            declared_old: l.declared_old,
            new: l.new,
            listed: l.listed,
        })
        .collect();
    let account = d.account.as_ref().map(|a| AccountView {
        active: a.active,
        password_reset_at: a.password_reset_at.map(office_text),
        pending_declarations: a.pending_declarations,
        pending_benefits: a.pending_benefits,
        province: a.province.clone(),
        parent_ma_so_bhxh: a.parent_ma_so_bhxh.clone(),
    });
    (changes, account)
}

/// The reasons to tick when the officer sends a declaration back: the suggestion's
/// (from blocking findings) first, then those of the warnings, which the officer
/// may judge serious enough after a look at the documents.
fn reason_views(s: &SuggestedOutcome, findings: &[Finding]) -> Vec<ReasonView> {
    let suggested: &[String] = match s {
        SuggestedOutcome::Resubmit { reasons } | SuggestedOutcome::Reject { reasons } => reasons,
        SuggestedOutcome::Approve | SuggestedOutcome::Review => &[],
    };
    let warned = findings.iter().filter(|f| f.severity == Severity::Warn).filter_map(|f| f.reason.as_ref());
    let mut codes: Vec<&String> = Vec::new();
    for c in suggested.iter().chain(warned) {
        if !codes.contains(&c) {
            codes.push(c);
        }
    }
    let reference = bhxh_domain::reference::ReferenceData::get();
    codes.into_iter().filter_map(|c| reference.reason(c)).map(reason_view).collect()
}

pub fn reason_view(r: &bhxh_domain::reference::Reason) -> ReasonView {
    ReasonView { code: r.code.clone(), kind: r.kind, label: r.label.clone(), citizen_vi: r.citizen_vi.clone() }
}

/// What a sync round did, as the window shows it (the duration is filled in by the caller).
pub fn sync_summary(report: bhxh_sync::round::RoundReport) -> crate::ipc::SyncSummary {
    use bhxh_sync::round::RoundReport;
    let mut summary = crate::ipc::SyncSummary {
        decisions_delivered: 0,
        decisions_conflicting: 0,
        decisions_refused: 0,
        declarations: 0,
        new_declarations: 0,
        documents_downloaded: 0,
        documents_failed: 0,
        directory_people: 0,
        calls_delivered: 0,
        duration_ms: 0,
    };
    match report {
        RoundReport::Reviewer { pushed, pulled } => {
            summary.decisions_delivered = pushed.accepted + pushed.duplicate + pushed.conflict;
            summary.decisions_conflicting = pushed.conflict;
            summary.decisions_refused = pushed.refused;
            summary.declarations = pulled.declarations;
            summary.new_declarations = pulled.new_declarations;
            summary.documents_downloaded = pulled.documents_downloaded;
            summary.documents_failed = pulled.documents_failed;
        }
        RoundReport::Helpdesk { calls, directory } => {
            summary.calls_delivered = calls.delivered;
            summary.directory_people = directory.map_or(0, |d| d.people);
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sending_back_ticks_the_suggestion_then_the_warnings_reasons() {
        let finding = |code: &str, severity, reason: &str| Finding {
            code: code.into(),
            severity,
            fields: vec![],
            message: Text::same(""),
            reason: Some(reason.into()),
        };
        let findings = vec![
            finding("name.no_diacritics", Severity::Warn, "TEN_KHONG_DAU"),
            finding("image.blurred", Severity::Block, "ANH_MO"),
            finding("qr.name_diacritics", Severity::Warn, "TEN_KHONG_DAU"),
            finding("email.missing", Severity::Info, "SO_GIAY_TO_SAI"),
        ];
        let suggested = SuggestedOutcome::Resubmit { reasons: vec!["ANH_MO".into()] };
        let codes: Vec<String> = reason_views(&suggested, &findings).into_iter().map(|r| r.code).collect();
        assert_eq!(codes, ["ANH_MO", "TEN_KHONG_DAU"], "blocks first, each once, notes never");
        let codes: Vec<String> =
            reason_views(&SuggestedOutcome::Approve, &findings[..1]).into_iter().map(|r| r.code).collect();
        assert_eq!(codes, ["TEN_KHONG_DAU"], "a warning alone still offers its reason");
    }

    #[test]
    fn values_read_by_ocr_show_agreeing_or_not_with_their_place() {
        use bhxh_domain::mau01::OcrField;
        let mut fields = vec![
            field("field.full_name", "Nguyễn Thị Ánh"),
            field("field.cccd", "079185000123"),
            field("field.ma_so_bhxh", "7914820031"),
            field("field.phone", "0903123456"),
        ];
        let of = |field, value: &str, conf| OcrField { field, value: value.into(), conf, bbox: [0.1, 0.2, 0.3, 0.02] };
        let page = OcrReading {
            mean_conf: 88,
            fields: vec![
                of(FormField::MaSo, "7914 820 031", 93),
                of(FormField::FullName, "NGUYỄN THỊ ÁNH", 91),
                of(FormField::Phone, "0903123457", 52),
                of(FormField::DeclarationId, "07916-000001", 90),
            ],
            skew_deg: 2.0,
        };
        let card =
            OcrReading { mean_conf: 90, fields: vec![of(FormField::IdNumber, "079185000124", 96)], skew_deg: 0.0 };
        // A paper form read by OCR: its values come only through here, not twice.
        let paper = PaperFields { by_ocr: true, phone: Some("0903123457".into()), ..Default::default() };
        read_elsewhere(&mut fields, None, Some(&paper));
        read_by_ocr(
            &mut fields,
            &[
                OcrSource { source: "ocr_paper", doc: "paper:ab:0".into(), reading: &page },
                OcrSource { source: "ocr_id", doc: "doc-7".into(), reading: &card },
            ],
        );
        let shown = |name: &str| -> Vec<(String, bool, bool, String)> {
            let f = fields.iter().find(|f| f.field == name).expect("field");
            f.elsewhere
                .iter()
                .map(|o| {
                    (o.source.clone(), o.same, o.doubtful, o.spot.as_ref().map(|s| s.doc.clone()).unwrap_or_default())
                })
                .collect()
        };
        let row = |src: &str, same, doubtful, doc: &str| (src.to_owned(), same, doubtful, doc.to_owned());
        assert_eq!(shown("ma_so_bhxh"), vec![row("ocr_paper", true, false, "paper:ab:0")], "spaces are the writer's");
        assert_eq!(shown("full_name"), vec![row("ocr_paper", true, false, "paper:ab:0")], "capitals are the same name");
        assert_eq!(shown("phone"), vec![row("ocr_paper", false, true, "paper:ab:0")]);
        assert_eq!(shown("id_number"), vec![row("ocr_id", false, false, "doc-7")]);
        let spot = fields[0].elsewhere[0].spot.as_ref().expect("spot");
        assert_eq!((spot.bbox, spot.angle), ([0.1, 0.2, 0.3, 0.02], 2.0));
    }

    #[test]
    fn words_of_the_app_carry_their_english() {
        let mut fields = vec![word("field.sex", "Nữ", "Female"), field("field.full_name", "Nguyễn Thị Ánh")];
        let qr: QrPayload = "079185000124||Nguyen Thi Anh|17051985|Nam|TP Hồ Chí Minh|20042021".parse().expect("qr");
        read_elsewhere(&mut fields, Some(&qr), None);
        assert_eq!(fields[0].value, Text::new("Nữ", "Female"));
        assert_eq!(fields[0].elsewhere[0].value, Text::new("Nam", "Male"));
        // The citizen's own data reads the same in both languages.
        assert_eq!(fields[1].value, Text::same("Nguyễn Thị Ánh"));
        assert!(fields[1].elsewhere.iter().all(|o| o.value.vi == o.value.en));
    }

    #[test]
    fn values_read_elsewhere_show_only_where_they_differ() {
        let mut fields = vec![
            field("field.full_name", "Nguyễn Thị Ánh"),
            field("field.birth_date", "17/05/1985"),
            field("field.sex", "Nữ"),
            field("field.cccd", "079185000123"),
            field("field.phone", "0903123456"),
            field("field.ma_so_bhxh", "7914820031"),
        ];
        let qr: QrPayload = "079185000124||Nguyen Thi Anh|17051985|Nữ|TP Hồ Chí Minh|20042021".parse().expect("qr");
        let paper = PaperFields {
            ma_so: Some("7914820031".into()),
            full_name: Some("NGUYỄN THỊ ÁNH".into()),
            id_number: None,
            phone: Some("+84 903 123 457".into()),
            signed: Some(true),
            by_ocr: false,
            doubtful: vec![],
        };
        read_elsewhere(&mut fields, Some(&qr), Some(&paper));
        let shown = |name: &str| -> Vec<(String, String)> {
            let f = fields.iter().find(|f| f.field == name).expect("field");
            f.elsewhere.iter().map(|o| (o.source.clone(), o.value.vi.clone())).collect()
        };
        assert_eq!(
            shown("full_name"),
            vec![("qr".to_owned(), "Nguyen Thi Anh".to_owned())],
            "case is not a difference"
        );
        assert!(shown("birth_date").is_empty() && shown("sex").is_empty() && shown("ma_so_bhxh").is_empty());
        assert_eq!(shown("id_number"), vec![("qr".to_owned(), "079185000124".to_owned())]);
        assert_eq!(shown("phone"), vec![("paper".to_owned(), "+84 903 123 457".to_owned())]);
    }
}
