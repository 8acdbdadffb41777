//! The supervisor's dashboard: decisions per officer against the quota, the
//! backlog by age, paper forms missing per unit; computed from the local cache (so
//! it works offline from the last sync) and exported for Excel.

use super::{Desk, OpenSession, View, lock, off_runtime};
use crate::access;
use crate::error::{AppError, ErrorCode};
use crate::export::{Cell, Table, csv_bytes, xlsx_bytes};
use crate::figures;
use crate::ipc::{
    Dashboard, DashboardInput, ExportFormat, ExportInput, ExportResult, ExportTable, HandOverInput, Outlook, QuotaInput,
};
use bhxh_domain::DeclarationStatus;
use bhxh_domain::calendar::WorkCalendar;
use bhxh_domain::clock::office_text;
use bhxh_protocol::{CoverageReport, QuotaList, QuotaUpdate};
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;
use tracing::info;

pub(crate) use bhxh_sync::round::{COVERAGE_META, QUOTAS_META};

/// A day typed in a date field: dd/mm/yyyy as offices write it (ISO also taken);
/// empty means today. `what` names the day in Vietnamese and in English.
fn parse_day(raw: Option<&str>, today: NaiveDate, (what, what_en): (&str, &str)) -> Result<NaiveDate, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today),
        Some(s) => bhxh_domain::clock::parse_day(s).ok_or_else(|| {
            AppError::new(
                ErrorCode::Validation,
                format!("Ngày {what} không hợp lệ: {s}. Nhập theo dạng ngày/tháng/năm, ví dụ 03/12/2026."),
                format!("The {what_en} date is not valid: {s}. Enter it as day/month/year, for example 03/12/2026."),
            )
        }),
    }
}

/// The overview's range: the last `days` days ending today when asked, else the
/// typed days (each empty one is today). Today is the office's, from the desk's clock.
pub(crate) fn range(
    from: Option<&str>,
    to: Option<&str>,
    days: Option<u32>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), AppError> {
    let (from, to) = match days {
        Some(n) => (today - chrono::Days::new(u64::from(n.clamp(1, 367) - 1)), today),
        None => (parse_day(from, today, ("bắt đầu", "start"))?, parse_day(to, today, ("kết thúc", "end"))?),
    };
    if from > to {
        return Err(AppError::new(
            ErrorCode::Validation,
            "Ngày bắt đầu phải trước ngày kết thúc.",
            "The start date must be before the end date.",
        ));
    }
    if (to - from).num_days() > 366 {
        return Err(AppError::new(
            ErrorCode::Validation,
            "Chọn khoảng thời gian không quá một năm.",
            "Choose a period of one year at most.",
        ));
    }
    Ok((from, to))
}

/// The overview from the session's cache: the figures of the last sync, so it works offline.
fn dashboard_of(
    s: &OpenSession,
    calendar: &WorkCalendar,
    now: DateTime<Utc>,
    synced_at: Option<DateTime<Utc>>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Dashboard, AppError> {
    let office = s.info.office_code.as_str();
    let quotas = Desk::quota_list(s)?;
    let coverage = Desk::coverage_report(s)?;
    let cache = s.cache();
    let c = lock(cache);
    figures::dashboard(
        &c,
        &figures::Inputs {
            office,
            from,
            to,
            now,
            quotas: quotas.as_ref(),
            coverage: coverage.as_ref(),
            synced_at,
            calendar,
        },
    )
}

impl Desk {
    fn quota_list(s: &OpenSession) -> Result<Option<QuotaList>, AppError> {
        let json = s.with_cache(|c| c.meta(QUOTAS_META))?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    pub(super) fn coverage_report(s: &OpenSession) -> Result<Option<CoverageReport>, AppError> {
        let json = s.with_cache(|c| c.meta(COVERAGE_META))?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    pub(super) fn compute_dashboard(
        &self,
        s: &OpenSession,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Dashboard, AppError> {
        dashboard_of(s, &self.calendar, self.now(), lock(&self.link).last_sync_at, from, to)
    }

    /// Today's overview, as an `awaits` command answers after a change at the
    /// central service: computed on a blocking thread.
    async fn dashboard_today(&self, s: &View<access::Supervisor>) -> Result<Dashboard, AppError> {
        let (session, calendar) = (s.shared(), Arc::clone(&self.calendar));
        let (now, synced_at, today) = (self.now(), lock(&self.link).last_sync_at, self.today());
        off_runtime(move || dashboard_of(&session, &calendar, now, synced_at, today, today)).await
    }

    pub fn dashboard(&self, input: DashboardInput) -> Result<Dashboard, AppError> {
        let s = self.view::<access::Supervisor>()?;
        let (from, to) = range(input.from.as_deref(), input.to.as_deref(), input.days, self.today())?;
        self.compute_dashboard(&s, from, to)
    }

    /// Sets a quota at the central service (it is the office's, not this PC's).
    pub async fn set_quota(&self, input: QuotaInput) -> Result<Dashboard, AppError> {
        let s = self.view::<access::Supervisor>()?;
        if input.per_day.is_some_and(|q| q > 1000) {
            return Err(AppError::new(
                ErrorCode::Validation,
                "Chỉ tiêu mỗi ngày không quá 1.000 hồ sơ.",
                "A daily quota cannot exceed 1,000 declarations.",
            ));
        }
        if input.officer.is_none() && input.per_day.is_none() {
            return Err(AppError::new(
                ErrorCode::Validation,
                "Nhập chỉ tiêu mặc định của cơ quan.",
                "Enter the office's default quota.",
            ));
        }
        let client = self.central(&s).await.ok_or_else(|| {
            AppError::new(
                ErrorCode::Offline,
                "Cần kết nối máy chủ trung tâm để đặt chỉ tiêu. Hãy thử lại khi có mạng.",
                "Setting a quota needs the central server. Please try again when the network is back.",
            )
        })?;
        let update = QuotaUpdate { officer: input.officer.clone(), per_day: input.per_day };
        let list = client.set_quota(&s.info.office_code, &update).await?;
        let json = serde_json::to_string(&list).map_err(AppError::internal)?;
        s.on_cache(move |c| c.set_meta(QUOTAS_META, &json)).await?;
        info!(officer = ?input.officer, per_day = ?input.per_day, "quota set");
        self.dashboard_today(&s).await
    }

    /// Takes a declaration away from the officer holding it (at the central service,
    /// which audits it), then syncs so the overview and the queue show it free.
    pub async fn take_away(&self, id: &str) -> Result<Dashboard, AppError> {
        let s = self.view::<access::Supervisor>()?;
        let holder = {
            let id = id.to_owned();
            let found = s.on_cache(move |c| c.declaration(&id)).await?;
            match found {
                Some(c) if c.declaration.fields.office_code == s.info.office_code => {
                    c.declaration.assignment.map(|a| a.officer)
                }
                _ => return Err(AppError::declaration_not_here()),
            }
        };
        let client = self.central(&s).await.ok_or_else(|| {
            AppError::new(
                ErrorCode::Offline,
                "Cần kết nối máy chủ trung tâm để thu hồi hồ sơ. Hãy thử lại khi có mạng.",
                "Taking a declaration away needs the central server. Please try again when the network is back.",
            )
        })?;
        client.release(id).await?;
        let (actor, subject, from, now) =
            (s.info.username.clone(), id.to_owned(), holder.clone().unwrap_or_default(), self.now());
        s.on_cache(move |c| c.audit(&actor, bhxh_cache::audit::Action::TakeAway, &subject, &from, now)).await?;
        info!(declaration = id, from = ?holder, "assignment taken away");
        if let Err(e) = self.sync(true).await {
            tracing::warn!(error = %e.message, "sync after taking away failed");
        }
        self.dashboard_today(&s).await
    }

    /// Gives a waiting declaration to an officer of the office (at the central
    /// service, which audits it), then syncs so the overview shows the new holder.
    pub async fn hand_over(&self, input: HandOverInput) -> Result<Dashboard, AppError> {
        let s = self.view::<access::Supervisor>()?;
        let holder = {
            let id = input.id.clone();
            let found = s.on_cache(move |c| c.declaration(&id)).await?;
            match found {
                Some(c) if c.declaration.fields.office_code == s.info.office_code => {
                    if !c.declaration.status.is_open() {
                        return Err(AppError::new(
                            ErrorCode::Validation,
                            "Tờ khai này đã có quyết định.",
                            "This declaration already has a decision.",
                        ));
                    }
                    c.declaration.assignment.map(|a| a.officer)
                }
                _ => return Err(AppError::declaration_not_here()),
            }
        };
        if input.officer.trim().is_empty() {
            return Err(AppError::new(
                ErrorCode::Validation,
                "Chọn cán bộ nhận hồ sơ.",
                "Choose the officer to hand the declaration to.",
            ));
        }
        let client = self.central(&s).await.ok_or_else(|| {
            AppError::new(
                ErrorCode::Offline,
                "Cần kết nối máy chủ trung tâm để giao hồ sơ. Hãy thử lại khi có mạng.",
                "Handing over a declaration needs the central server. Please try again when the network is back.",
            )
        })?;
        client.hand_over(&input.id, &input.officer).await?;
        let detail = format!("{} -> {}", holder.as_deref().unwrap_or(""), input.officer);
        let (actor, subject, now) = (s.info.username.clone(), input.id.clone(), self.now());
        s.on_cache(move |c| c.audit(&actor, bhxh_cache::audit::Action::HandOver, &subject, &detail, now)).await?;
        info!(declaration = %input.id, to = %input.officer, "declaration handed over");
        if let Err(e) = self.sync(true).await {
            tracing::warn!(error = %e.message, "sync after handing over failed");
        }
        self.dashboard_today(&s).await
    }

    /// Writes one of the dashboard's tables for Excel; audited with who and when
    /// (the backlog names citizens).
    pub fn export_table(&self, input: ExportInput) -> Result<ExportResult, AppError> {
        let s = self.view::<access::Supervisor>()?;
        let (from, to) = range(input.from.as_deref(), input.to.as_deref(), input.days, self.today())?;
        let d = self.compute_dashboard(&s, from, to)?;
        let now = self.now();
        let stamp = format!("Xuất bởi {} ({}) lúc {}", s.info.display_name, s.info.username, office_text(now));
        let period = if from == to {
            from.format("%d/%m/%Y").to_string()
        } else {
            format!("{} – {}", from.format("%d/%m/%Y"), to.format("%d/%m/%Y"))
        };
        let text = |s: &str| Cell::Text(s.to_owned());
        let table = match input.table {
            ExportTable::Officers => Table {
                title: format!("Kết quả duyệt hồ sơ theo cán bộ, {period} — [{}]", s.info.office_code),
                headers: [
                    "Cán bộ",
                    "Tên đăng nhập",
                    "Duyệt",
                    "Yêu cầu bổ sung",
                    "Từ chối",
                    "Chuyển lãnh đạo",
                    "Tổng",
                    "Chỉ tiêu",
                    "Đạt (%)",
                    "Thời gian trung vị (giây)",
                    "Đang giữ",
                ]
                .map(String::from)
                .to_vec(),
                rows: d
                    .officers
                    .iter()
                    .map(|o| {
                        vec![
                            text(&o.display_name),
                            text(&o.username),
                            Cell::Int(o.approve.into()),
                            Cell::Int(o.resubmit.into()),
                            Cell::Int(o.reject.into()),
                            Cell::Int(o.escalate.into()),
                            Cell::Int(o.total.into()),
                            Cell::Int(o.target.into()),
                            // No working day in the range: no quota, so no attainment (not 0 %).
                            if o.target == 0 {
                                Cell::Empty
                            } else {
                                Cell::Percent(f64::from(o.attainment_percent) / 100.0)
                            },
                            o.median_seconds.map_or(Cell::Empty, |m| Cell::Int(m.into())),
                            Cell::Int(o.assigned_now.into()),
                        ]
                    })
                    .collect(),
                stamp,
            },
            ExportTable::Backlog => Table {
                title: format!("Hồ sơ chờ duyệt (chuyển lãnh đạo trước, cũ nhất trước) — [{}]", s.info.office_code),
                headers: [
                    "Mã hồ sơ",
                    "Họ và tên",
                    "Ngày nộp",
                    "Số ngày chờ",
                    "Trạng thái",
                    "Đơn vị",
                    "Đã có tờ khai giấy",
                    "Cán bộ đang giữ",
                ]
                .map(String::from)
                .to_vec(),
                rows: d
                    .oldest
                    .iter()
                    .map(|b| {
                        let submitted = NaiveDate::parse_from_str(b.submitted_at.get(..10).unwrap_or(""), "%d/%m/%Y")
                            .map_or(Cell::Text(b.submitted_at.clone()), Cell::Date);
                        vec![
                            text(&b.id),
                            text(&b.full_name),
                            submitted,
                            Cell::Int(b.age_days.into()),
                            text(match b.status {
                                DeclarationStatus::Escalated => "Chuyển lãnh đạo",
                                DeclarationStatus::OnHold => "Chờ tờ khai giấy",
                                _ => "Chờ duyệt",
                            }),
                            text(b.unit_code.as_deref().unwrap_or("")),
                            text(if b.paper { "Có" } else { "Chưa" }),
                            text(b.assigned_to.as_deref().unwrap_or("")),
                        ]
                    })
                    .collect(),
                stamp,
            },
            ExportTable::PaperByUnit => Table {
                title: format!("Tờ khai giấy chưa nhận theo đơn vị — [{}]", s.info.office_code),
                headers: ["Đơn vị", "Hồ sơ chờ duyệt", "Chưa có tờ khai giấy", "Đang chờ tờ khai giấy"]
                    .map(String::from)
                    .to_vec(),
                rows: d
                    .paper_by_unit
                    .iter()
                    .map(|u| {
                        vec![
                            text(if u.unit_code.is_empty() { "(không ghi đơn vị)" } else { &u.unit_code }),
                            Cell::Int(u.waiting.into()),
                            Cell::Int(u.without_paper.into()),
                            Cell::Int(u.on_hold.into()),
                        ]
                    })
                    .collect(),
                stamp,
            },
            ExportTable::Units => Table {
                title: match d.campaign.as_ref() {
                    Some(c) => format!(
                        "Tiến độ đăng ký theo đơn vị — chỉ tiêu {} %, hạn {} — [{}], số liệu lúc {}",
                        c.target_percent,
                        c.deadline,
                        s.info.office_code,
                        d.coverage_as_of.as_deref().unwrap_or("")
                    ),
                    None => format!("Tiến độ đăng ký theo đơn vị — [{}]", s.info.office_code),
                },
                headers: [
                    "Mã đơn vị",
                    "Tên đơn vị",
                    "Người tham gia",
                    "Đã đăng ký",
                    "Chờ duyệt",
                    "Bị từ chối / bổ sung",
                    "Chưa đăng ký",
                    "Tỷ lệ (%)",
                    "Chỉ tiêu (người)",
                    "Còn thiếu",
                    "Mở mới 7 ngày qua",
                    "Dự kiến đến hạn",
                    "Đánh giá",
                ]
                .map(String::from)
                .to_vec(),
                rows: d
                    .units
                    .iter()
                    .map(|u| {
                        vec![
                            text(&u.code),
                            text(&u.name),
                            Cell::Int(u.participants.into()),
                            Cell::Int(u.approved.into()),
                            Cell::Int(u.pending.into()),
                            Cell::Int(u.rejected.into()),
                            Cell::Int(u.not_applied.into()),
                            u.percent_tenths.map_or(Cell::Empty, |p| Cell::Percent(f64::from(p) / 1000.0)),
                            Cell::Int(u.target_count.into()),
                            Cell::Int(u.short_by.into()),
                            Cell::Int(u.opened_last_week.into()),
                            Cell::Int(u.projected.into()),
                            text(outlook_vi(u.outlook)),
                        ]
                    })
                    .collect(),
                stamp,
            },
        };
        let dir = self.export_dir_of(&s)?;
        let name = format!(
            "{}-{}-{}",
            input.table.code(),
            s.info.office_code,
            now.with_timezone(&bhxh_domain::clock::OFFICE_TZ).format("%Y%m%d-%H%M%S")
        );
        let (ext, bytes) = match input.format {
            ExportFormat::Xlsx => ("xlsx", xlsx_bytes(&table)),
            ExportFormat::Csv => ("csv", Ok(csv_bytes(&table))),
        };
        let bytes = bytes.map_err(|e| {
            tracing::warn!(error = %e, "export failed");
            AppError::new(ErrorCode::Internal, "Không tạo được tệp Excel.", "Could not make the Excel file.")
        })?;
        let path = super::exports::write_new(&dir, &name, ext, &bytes)?;
        let rows = table.rows.len() as u32;
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        s.with_cache(|c| {
            c.audit(
                &s.info.username,
                bhxh_cache::audit::Action::Export,
                input.table.code(),
                &format!("{file}; {rows} rows"),
                now,
            )
        })?;
        self.record_export(&s, &path, input.table.code(), Some(rows), now);
        info!(table = input.table.code(), rows, "table exported");
        Ok(ExportResult { path: path.display().to_string(), rows })
    }
}

pub(super) fn outlook_vi(o: Outlook) -> &'static str {
    match o {
        Outlook::Missed => "Quá hạn, chưa đạt",
        Outlook::WillMiss => "Không kịp hạn",
        Outlook::OnTrack => "Kịp hạn nếu giữ tốc độ",
        Outlook::Reached => "Đã đạt",
        Outlook::NoParticipants => "Không có người tham gia",
    }
}
