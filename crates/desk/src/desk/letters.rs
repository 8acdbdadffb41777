//! Reminder letters (công văn) to employer units behind the campaign's target:
//! fresh figures and a number per letter from the central service (the office's
//! register of outgoing letters is one, whichever PC prints), the text from the
//! office's template, one PDF for the batch; each letter audited.

use super::{Desk, off_runtime};
use crate::access;
use crate::error::{AppError, ErrorCode};
use crate::figures;
use crate::ipc::{IssuedLetter, LetterInput, LetterResult, Outlook};
use bhxh_documents::letter::{LetterFonts, render_letters};
use bhxh_domain::clock::OFFICE_TZ;
use bhxh_domain::clock::office_day;
use bhxh_domain::letters::{LetterFacts, LetterTemplate, compose};
use bhxh_protocol::LetterNumberRequest;
use tracing::{info, warn};

const TEMPLATE_FILE: &str = "letters/nhac-nho-vssid.toml";
const BUILT_IN_TEMPLATE: &str = include_str!("../../../../assets/letters/nhac-nho-vssid.toml");
/// More letters than units a district has: a mistake, not a batch.
const MAX_LETTERS: usize = 500;

/// The office's edited template if there is one; an official letter is not printed
/// from a template that does not read (the reason is shown instead).
fn template() -> Result<LetterTemplate, AppError> {
    match crate::assets::find(TEMPLATE_FILE) {
        Some(path) => {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                AppError::new(
                    ErrorCode::Internal,
                    format!("Không đọc được mẫu công văn {}: {e}", path.display()),
                    format!("Could not read the letter template {}: {e}", path.display()),
                )
            })?;
            LetterTemplate::parse(&text).map_err(|e| {
                tracing::warn!(path = %path.display(), error = %e, "letter template refused");
                AppError::new(
                    ErrorCode::Validation,
                    format!("Mẫu công văn {} có lỗi: {e}. Hãy sửa tệp mẫu.", path.display()),
                    format!(
                        "The letter template {} has an error: {e}. Please correct the template file.",
                        path.display()
                    ),
                )
            })
        }
        None => LetterTemplate::parse(BUILT_IN_TEMPLATE).map_err(|e| {
            AppError::new(
                ErrorCode::Internal,
                format!("Mẫu công văn có sẵn bị lỗi: {e}"),
                format!("The built-in letter template has an error: {e}"),
            )
        }),
    }
}

impl Desk {
    /// Marks the numbers of letters that were not written and voids them in the
    /// register now; what cannot be voided now is voided at a later round.
    async fn void_unwritten(
        &self,
        s: &super::View<access::Supervisor>,
        client: &bhxh_sync::CentralClient,
        taken: Vec<String>,
        why: &AppError,
    ) {
        // The error's code only: its message may name a folder (and so a person's login).
        let reason = format!("letter not written: {:?}", why.code);
        if let Err(e) = s.on_cache(move |c| c.letters_not_written(&taken, &reason)).await {
            warn!(error = %e.message.en, "unwritten letter numbers not marked; a later round voids them");
        }
        let (office, actor) = (&s.info.office_code, &s.info.username);
        match bhxh_sync::letters::void_unwritten_letters(client, s.cache(), office, actor, self.config.clock).await {
            Ok(report) => info!(?report, "numbers of unwritten letters"),
            Err(e) => warn!(error = %e, "letter numbers not voided now; a later round voids them"),
        }
    }

    pub async fn reminder_letters(&self, input: LetterInput) -> Result<LetterResult, AppError> {
        let s = self.view::<access::Supervisor>()?;
        // Before a number is taken: no folder, no letter, no number spent.
        let dir = self.export_dir_of(&s)?;
        let offline = || {
            AppError::new(
                ErrorCode::Offline,
                "Cần kết nối máy chủ trung tâm để lấy số liệu mới nhất và số công văn. Hãy thử lại khi có mạng.",
                "The latest figures and the letter numbers come from the central server. Please try again when the network is back.",
            )
        };
        let client = self.central(&s).await.ok_or_else(offline)?;
        // A letter states figures "as of": take them fresh, and keep them for the overview.
        let report = client.coverage(&s.info.office_code).await?;
        if let Ok(json) = serde_json::to_string(&report) {
            s.on_cache(move |c| c.set_meta(super::supervisor::COVERAGE_META, &json)).await?;
        }
        let campaign = report.campaign.clone().ok_or_else(|| {
            AppError::new(
                ErrorCode::Validation,
                "Cơ quan chưa có đợt vận động (chỉ tiêu và thời hạn) nên chưa lập được công văn nhắc.",
                "The office has no campaign yet (target and deadline), so reminder letters cannot be prepared.",
            )
        })?;
        let now = self.now();
        let today = office_day(now);
        let (_, rows, _) = figures::coverage_view(Some(&report), today);
        let chosen: Vec<_> = if input.units.is_empty() {
            rows.iter().filter(|u| matches!(u.outlook, Outlook::Missed | Outlook::WillMiss)).collect()
        } else {
            let mut out = Vec::new();
            for code in &input.units {
                let row = rows.iter().find(|u| &u.code == code).ok_or_else(|| {
                    AppError::new(
                        ErrorCode::NotFound,
                        format!("Không có đơn vị {code} trong số liệu của cơ quan."),
                        format!("Unit {code} is not in the office's figures."),
                    )
                })?;
                if row.participants == 0 {
                    return Err(AppError::new(
                        ErrorCode::Validation,
                        format!("Đơn vị {code} không có người tham gia: không có gì để nhắc."),
                        format!("Unit {code} has no participants: there is nothing to remind."),
                    ));
                }
                out.push(row);
            }
            out
        };
        if chosen.is_empty() {
            return Err(AppError::new(
                ErrorCode::Validation,
                "Không có đơn vị nào dưới chỉ tiêu cần nhắc.",
                "No unit is below the target: there is no one to remind.",
            ));
        }
        if chosen.len() > MAX_LETTERS {
            return Err(AppError::new(
                ErrorCode::Validation,
                format!("Mỗi lần in tối đa {MAX_LETTERS} công văn."),
                format!("At most {MAX_LETTERS} letters can be printed at a time."),
            ));
        }
        let template = template()?;
        let fonts = LetterFonts::system().map_err(|e| {
            tracing::warn!(error = %e, "letter fonts");
            AppError::new(ErrorCode::Internal, e.message_vi(), e.message_en())
        })?;
        let office_short = crate::offices::current_name(&s.info.office_code);
        let as_of = office_day(report.as_of);
        // Every number taken from here is either printed in the written PDF or
        // voided in the register: a failure never leaves a number without its letter.
        let mut taken: Vec<String> = Vec::with_capacity(chosen.len());
        let written = async {
            let mut letters = Vec::with_capacity(chosen.len());
            let mut issued = Vec::with_capacity(chosen.len());
            for row in chosen {
                let unit = report.units.iter().find(|u| u.code == row.code).ok_or_else(|| {
                    AppError::new(
                        ErrorCode::Internal,
                        format!("Đơn vị {} không còn trong số liệu.", row.code),
                        format!("Unit {} is no longer in the figures.", row.code),
                    )
                })?;
                let req = LetterNumberRequest { id: uuid::Uuid::now_v7().to_string(), unit_code: row.code.clone() };
                // Noted before asking: an answer lost on the way still gets its number voided.
                let (id, unit_code) = (req.id.clone(), row.code.clone());
                s.on_cache(move |c| c.letter_number_asked(&id, &unit_code, now)).await?;
                taken.push(req.id.clone());
                let number = client.letter_number(&s.info.office_code, &req).await?;
                if number.voided_at.is_some() {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        "Số công văn máy chủ cấp đã bị huỷ. Hãy tạo lại công văn.",
                        "The letter number the server gave has been voided. Please make the letters again.",
                    ));
                }
                letters.push(compose(
                    &template,
                    &LetterFacts {
                        parent_name: campaign.parent_name.clone(),
                        office_name: campaign.office_name.clone(),
                        office_short: office_short.clone(),
                        place: campaign.place.clone(),
                        reference: number.reference.clone(),
                        date: number.issued_at.with_timezone(&OFFICE_TZ).date_naive(),
                        unit_code: unit.code.clone(),
                        unit_name: unit.name.clone(),
                        addressee: unit.addressee.clone(),
                        as_of,
                        registered: row.approved,
                        participants: row.participants,
                        target_percent: campaign.target_percent,
                        short_by: row.short_by,
                        deadline: campaign.deadline,
                        directive: campaign.directive.clone(),
                        contact: campaign.contact.clone(),
                        campaign: campaign.name.clone(),
                        signer_title: campaign.signer_title.clone(),
                        signer_name: campaign.signer_name.clone(),
                        waiting_paper: unit.waiting_paper,
                    },
                ));
                issued.push(IssuedLetter { unit_code: unit.code.clone(), reference: number.reference });
            }
            // Laying out and writing the PDF, and the audit rows: off the runtime's workers.
            let stamp = now.with_timezone(&OFFICE_TZ).format("%Y%m%d-%H%M%S");
            let stem = format!("cong-van-nhac-nho-{}-{stamp}", s.info.office_code);
            let (session, actor, ids) = (s.shared(), s.info.username.clone(), taken.clone());
            off_runtime(move || {
                let pdf = render_letters(&letters, &fonts).map_err(|e| {
                    tracing::warn!(error = %e, "letters PDF");
                    AppError::new(ErrorCode::Internal, e.message_vi(), e.message_en())
                })?;
                let path = super::exports::write_new(&dir, &stem, "pdf", &pdf)?;
                // The file and the note that its numbers are used stand or fall together:
                // a file whose numbers could not be noted is removed, and they are voided.
                let noted = session.with_cache(|c| {
                    for l in &issued {
                        c.audit(&actor, bhxh_cache::audit::Action::Letter, &l.unit_code, &l.reference, now)?;
                    }
                    c.letters_written(&ids)
                });
                match noted {
                    Ok(()) => Ok((path, issued)),
                    Err(e) => match std::fs::remove_file(&path) {
                        Ok(()) => Err(e),
                        Err(gone) => {
                            tracing::error!(error = %gone, "letters written but not noted, and left on disk");
                            Ok((path, issued))
                        }
                    },
                }
            })
            .await
        }
        .await;
        let (path, issued) = match written {
            Ok(done) => done,
            Err(e) => {
                self.void_unwritten(&s, &client, taken, &e).await;
                return Err(e);
            }
        };
        self.record_export(&s, &path, "letters", Some(issued.len() as u32), now);
        info!(letters = issued.len(), path = %path.display(), "reminder letters written");
        Ok(LetterResult { path: path.display().to_string(), letters: issued })
    }
}
