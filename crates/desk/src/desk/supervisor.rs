//! The supervisor's dashboard: decisions per officer against the quota, the
//! backlog by age, paper forms missing per unit; computed from the local cache (so
//! it works offline from the last sync) and exported for Excel.

use super::{Desk, lock};
use crate::error::{AppError, ErrorCode};
use crate::export::{Cell, Table, write_csv, write_xlsx};
use crate::ipc::{BacklogRow, Dashboard, DashboardInput, ExportInput, ExportResult, OfficerRow, QuotaInput};
use crate::time::{age_days, local_text};
use bhxh_domain::DeclarationStatus;
use bhxh_domain::stats::{DecisionFact, Quotas, Waiting, backlog, officer_figures};
use bhxh_protocol::{QuotaList, QuotaUpdate};
use chrono::{NaiveDate, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use std::collections::{BTreeMap, HashMap};
use tracing::info;

pub(crate) const QUOTAS_META: &str = "quotas";
/// Until the first sync brings the office's quotas.
const DEFAULT_QUOTA: u32 = 40;
const OLDEST_SHOWN: usize = 50;

fn today() -> NaiveDate {
    Utc::now().with_timezone(&Ho_Chi_Minh).date_naive()
}

fn parse_day(raw: Option<&str>, what: &str) -> Result<NaiveDate, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today()),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| AppError::new(ErrorCode::Validation, format!("Ngày {what} không hợp lệ: {s}."))),
    }
}

fn range(from: Option<&str>, to: Option<&str>) -> Result<(NaiveDate, NaiveDate), AppError> {
    let (from, to) = (parse_day(from, "bắt đầu")?, parse_day(to, "kết thúc")?);
    if from > to {
        return Err(AppError::new(ErrorCode::Validation, "Ngày bắt đầu phải trước ngày kết thúc."));
    }
    if (to - from).num_days() > 366 {
        return Err(AppError::new(ErrorCode::Validation, "Chọn khoảng thời gian không quá một năm."));
    }
    Ok((from, to))
}

fn day_of(t: chrono::DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Ho_Chi_Minh).date_naive()
}

impl Desk {
    fn quota_list(&self) -> Result<Option<QuotaList>, AppError> {
        let json = self.with_cache(|c| c.meta(QUOTAS_META))?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    fn compute_dashboard(&self, office: &str, from: NaiveDate, to: NaiveDate) -> Result<Dashboard, AppError> {
        let cache = self.cache()?;
        let (declarations, with_paper) = {
            let c = lock(&cache);
            (c.declarations_of(office)?, c.with_paper_form(office)?)
        };
        let now = Utc::now();
        let quota_list = self.quota_list()?;
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        let mut quotas = Quotas { default_per_day: DEFAULT_QUOTA, per_officer: BTreeMap::new() };
        let mut own_quota: HashMap<String, u32> = HashMap::new();
        if let Some(list) = &quota_list {
            quotas.default_per_day = list.default_per_day;
            for o in &list.officers {
                names.insert(o.username.clone(), o.display_name.clone());
                if let Some(q) = o.per_day {
                    quotas.per_officer.insert(o.username.clone(), q);
                    own_quota.insert(o.username.clone(), q);
                }
            }
        }
        let mut facts = Vec::new();
        let mut waiting = Vec::new();
        let mut assigned: HashMap<String, u32> = HashMap::new();
        for d in &declarations {
            if let Some(r) = &d.decision {
                names.entry(r.officer.clone()).or_insert_with(|| r.officer_name.clone());
                facts.push(DecisionFact {
                    officer: r.officer.clone(),
                    outcome: r.outcome,
                    day: day_of(r.decided_at),
                    at: r.decided_at,
                });
            }
            if let Some(a) = d.assignment.as_ref().filter(|a| a.expires_at > now) {
                names.entry(a.officer.clone()).or_insert_with(|| a.officer_name.clone());
                *assigned.entry(a.officer.clone()).or_default() += 1;
            }
            if matches!(d.status, DeclarationStatus::Pending | DeclarationStatus::Escalated) {
                waiting.push(Waiting {
                    declaration_id: d.id.clone(),
                    submitted_on: day_of(d.submitted_at),
                    escalated: d.status == DeclarationStatus::Escalated,
                    paper_received: with_paper.contains(&d.id),
                    unit_code: d.fields.unit_code.clone(),
                });
            }
        }
        let officers: Vec<String> = names.keys().cloned().collect();
        let figures = officer_figures(&facts, &officers, &quotas, from, to);
        let b = backlog(&waiting, today());
        let by_id: HashMap<&str, &bhxh_protocol::Declaration> =
            declarations.iter().map(|d| (d.id.as_str(), d)).collect();
        let oldest = b
            .order
            .iter()
            .take(OLDEST_SHOWN)
            .filter_map(|id| by_id.get(id.as_str()))
            .map(|d| BacklogRow {
                id: d.id.clone(),
                full_name: d.fields.full_name.clone(),
                submitted_at: local_text(d.submitted_at),
                age_days: age_days(d.submitted_at, now),
                status: d.status,
                unit_code: d.fields.unit_code.clone(),
                paper: with_paper.contains(&d.id),
                assigned_to: d.assignment.as_ref().filter(|a| a.expires_at > now).map(|a| a.officer_name.clone()),
            })
            .collect();
        let link = lock(&self.link);
        Ok(Dashboard {
            computed_at: local_text(now),
            synced_at: link.last_sync_at.map(local_text),
            from: from.to_string(),
            to: to.to_string(),
            days: ((to - from).num_days() + 1) as u32,
            default_quota: quotas.default_per_day,
            officers: figures
                .into_iter()
                .map(|f| OfficerRow {
                    display_name: names.get(&f.officer).cloned().unwrap_or_else(|| f.officer.clone()),
                    quota_per_day: own_quota.get(&f.officer).copied(),
                    assigned_now: assigned.get(&f.officer).copied().unwrap_or(0),
                    total: f.total(),
                    approve: f.approve,
                    resubmit: f.resubmit,
                    reject: f.reject,
                    escalate: f.escalate,
                    target: f.target,
                    attainment_percent: f.attainment_percent,
                    median_seconds: f.median_seconds,
                    username: f.officer,
                })
                .collect(),
            by_age: b.by_age.to_vec(),
            escalated: b.escalated,
            waiting: waiting.len() as u32,
            oldest,
            paper_by_unit: b.paper_by_unit,
        })
    }

    pub fn dashboard(&self, input: DashboardInput) -> Result<Dashboard, AppError> {
        let s = self.session_for("dashboard")?;
        let (from, to) = range(input.from.as_deref(), input.to.as_deref())?;
        self.compute_dashboard(&s.office_code, from, to)
    }

    /// Sets a quota at the central service (it is the office's, not this PC's).
    pub async fn set_quota(&self, input: QuotaInput) -> Result<Dashboard, AppError> {
        let s = self.session_for("set_quota")?;
        if input.per_day.is_some_and(|q| q > 1000) {
            return Err(AppError::new(ErrorCode::Validation, "Chỉ tiêu mỗi ngày không quá 1.000 hồ sơ."));
        }
        if input.officer.is_none() && input.per_day.is_none() {
            return Err(AppError::new(ErrorCode::Validation, "Nhập chỉ tiêu mặc định của cơ quan."));
        }
        let client = self.authenticated_client().ok_or_else(|| {
            AppError::new(ErrorCode::Offline, "Cần kết nối máy chủ trung tâm để đặt chỉ tiêu. Hãy thử lại khi có mạng.")
        })?;
        let update = QuotaUpdate { officer: input.officer.clone(), per_day: input.per_day };
        let list = client.set_quota(&s.office_code, &update).await?;
        let json = serde_json::to_string(&list).map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        self.with_cache(|c| c.set_meta(QUOTAS_META, &json))?;
        info!(officer = ?input.officer, per_day = ?input.per_day, "quota set");
        let today = today();
        self.compute_dashboard(&s.office_code, today, today)
    }

    /// Takes a declaration away from the officer holding it (at the central service,
    /// which audits it), then syncs so the overview and the queue show it free.
    pub async fn take_away(&self, id: &str) -> Result<Dashboard, AppError> {
        let s = self.session_for("take_away")?;
        let holder = {
            let cache = self.cache()?;
            let found = lock(&cache).declaration(id)?;
            match found {
                Some(c) if c.declaration.fields.office_code == s.office_code => {
                    c.declaration.assignment.map(|a| a.officer)
                }
                _ => return Err(AppError::new(ErrorCode::NotFound, "Không tìm thấy tờ khai này trên máy.")),
            }
        };
        let client = self.authenticated_client().ok_or_else(|| {
            AppError::new(
                ErrorCode::Offline,
                "Cần kết nối máy chủ trung tâm để thu hồi hồ sơ. Hãy thử lại khi có mạng.",
            )
        })?;
        client.release(id).await?;
        self.with_cache(|c| c.audit(&s.username, "take_away", id, holder.as_deref().unwrap_or(""), Utc::now()))?;
        info!(declaration = id, from = ?holder, "assignment taken away");
        if let Err(e) = self.sync(true).await {
            tracing::warn!(error = %e.message, "sync after taking away failed");
        }
        let today = today();
        self.compute_dashboard(&s.office_code, today, today)
    }

    /// Writes one of the dashboard's tables for Excel; audited with who and when
    /// (the backlog names citizens).
    pub fn export_table(&self, input: ExportInput) -> Result<ExportResult, AppError> {
        let s = self.session_for("export_table")?;
        let (from, to) = range(input.from.as_deref(), input.to.as_deref())?;
        let d = self.compute_dashboard(&s.office_code, from, to)?;
        let now = Utc::now();
        let stamp = format!("Xuất bởi {} ({}) lúc {}", s.display_name, s.username, local_text(now));
        let period = if from == to {
            from.format("%d/%m/%Y").to_string()
        } else {
            format!("{} – {}", from.format("%d/%m/%Y"), to.format("%d/%m/%Y"))
        };
        let text = |s: &str| Cell::Text(s.to_owned());
        let table = match input.table.as_str() {
            "officers" => Table {
                title: format!("Kết quả duyệt hồ sơ theo cán bộ, {period} — [{}]", s.office_code),
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
                            Cell::Percent(f64::from(o.attainment_percent) / 100.0),
                            o.median_seconds.map_or(Cell::Empty, |m| Cell::Int(m.into())),
                            Cell::Int(o.assigned_now.into()),
                        ]
                    })
                    .collect(),
                stamp,
            },
            "backlog" => Table {
                title: format!("Hồ sơ chờ duyệt (chuyển lãnh đạo trước, cũ nhất trước) — [{}]", s.office_code),
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
                            text(if b.status == DeclarationStatus::Escalated {
                                "Chuyển lãnh đạo"
                            } else {
                                "Chờ duyệt"
                            }),
                            text(b.unit_code.as_deref().unwrap_or("")),
                            text(if b.paper { "Có" } else { "Chưa" }),
                            text(b.assigned_to.as_deref().unwrap_or("")),
                        ]
                    })
                    .collect(),
                stamp,
            },
            "paper_by_unit" => Table {
                title: format!("Tờ khai giấy chưa nhận theo đơn vị — [{}]", s.office_code),
                headers: ["Đơn vị", "Hồ sơ chờ duyệt", "Chưa có tờ khai giấy"].map(String::from).to_vec(),
                rows: d
                    .paper_by_unit
                    .iter()
                    .map(|u| {
                        vec![
                            text(if u.unit_code.is_empty() { "(không ghi đơn vị)" } else { &u.unit_code }),
                            Cell::Int(u.waiting.into()),
                            Cell::Int(u.without_paper.into()),
                        ]
                    })
                    .collect(),
                stamp,
            },
            other => return Err(AppError::new(ErrorCode::Validation, format!("Không có bảng \"{other}\" để xuất."))),
        };
        let dir = std::env::var_os("BHXH_EXPORT_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| self.config.data_dir.join("exports"));
        std::fs::create_dir_all(&dir).map_err(|e| {
            AppError::new(ErrorCode::Internal, format!("Không tạo được thư mục {}: {e}", dir.display()))
        })?;
        let name =
            format!("{}-{}-{}", input.table, s.office_code, now.with_timezone(&Ho_Chi_Minh).format("%Y%m%d-%H%M%S"));
        let path = match input.format.as_str() {
            "xlsx" => dir.join(format!("{name}.xlsx")),
            "csv" => dir.join(format!("{name}.csv")),
            other => {
                return Err(AppError::new(
                    ErrorCode::Validation,
                    format!("Định dạng \"{other}\" không được hỗ trợ (xlsx hoặc csv)."),
                ));
            }
        };
        let written = if input.format == "xlsx" { write_xlsx(&table, &path) } else { write_csv(&table, &path) };
        written.map_err(|e| {
            tracing::warn!(error = %e, "export failed");
            AppError::new(ErrorCode::Internal, format!("Không ghi được tệp {}.", path.display()))
        })?;
        let rows = table.rows.len() as u32;
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        self.with_cache(|c| c.audit(&s.username, "export", &input.table, &format!("{file}; {rows} rows"), now))?;
        info!(table = %input.table, rows, "table exported");
        Ok(ExportResult { path: path.display().to_string(), rows })
    }
}
