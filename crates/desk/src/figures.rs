//! The supervisor's dashboard, computed from the local cache's clear columns and
//! the central service's last coverage report (so it works offline from the last
//! sync). Public for the benchmark, which runs it over a million decisions.

use crate::error::AppError;
use crate::ipc::{BacklogRow, CampaignView, Dashboard, OfficerRow, PurposeRow, ReasonCount, UnitRow};
use bhxh_cache::Cache;
use bhxh_domain::DeclarationStatus;
use bhxh_domain::calendar::WorkCalendar;
use bhxh_domain::clock::office_text;
use bhxh_domain::clock::{day_start, office_day};
use bhxh_domain::stats::{
    DecisionFact, Outlook, Quotas, UnitFacts, Waiting, backlog, officer_figures, per_day, reason_counts, standings,
    trend,
};
use bhxh_protocol::{CoverageReport, QuotaList};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap};

/// Until the first sync brings the office's quotas.
pub const DEFAULT_QUOTA: u32 = 40;
/// The backlog table shows this many (escalated first, then the oldest).
pub const OLDEST_SHOWN: usize = 50;

/// What the figures are computed from besides the cache.
pub struct Inputs<'a> {
    pub office: &'a str,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub now: DateTime<Utc>,
    pub quotas: Option<&'a QuotaList>,
    pub coverage: Option<&'a CoverageReport>,
    pub synced_at: Option<DateTime<Utc>>,
    /// The office's working days (quotas and ages count them).
    pub calendar: &'a WorkCalendar,
}

pub fn dashboard(cache: &Cache, i: &Inputs<'_>) -> Result<Dashboard, AppError> {
    let today = office_day(i.now);
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut quotas = Quotas { default_per_day: DEFAULT_QUOTA, per_officer: BTreeMap::new() };
    if let Some(list) = i.quotas {
        quotas.default_per_day = list.default_per_day;
        for o in &list.officers {
            names.insert(o.username.clone(), o.display_name.clone());
            if let Some(q) = o.per_day {
                quotas.per_officer.insert(o.username.clone(), q);
            }
        }
    }
    let to_next = i.to.succ_opt().unwrap_or(i.to);
    let decided = cache.decisions_between(i.office, day_start(i.from), day_start(to_next))?;
    let mut facts = Vec::with_capacity(decided.len());
    let mut reason_codes: Vec<&str> = Vec::new();
    for r in &decided {
        names.entry(r.officer.clone()).or_insert_with(|| r.officer_name.clone());
        facts.push(DecisionFact {
            officer: r.officer.clone(),
            outcome: r.outcome,
            day: office_day(r.decided_at),
            at: r.decided_at,
        });
        reason_codes.extend(r.reasons.iter().map(String::as_str));
    }
    let holdings = cache.holdings(i.office, i.now)?;
    let mut assigned: HashMap<String, u32> = HashMap::new();
    for h in holdings {
        names.entry(h.officer.clone()).or_insert(h.officer_name);
        assigned.insert(h.officer, h.count);
    }
    let waiting_rows = cache.waiting(i.office, i.now)?;
    let waiting: Vec<Waiting> = waiting_rows
        .iter()
        .map(|w| Waiting {
            declaration_id: w.id.clone(),
            submitted_on: office_day(w.submitted_at),
            escalated: w.status == DeclarationStatus::Escalated,
            paper_received: w.paper_received,
            on_hold: w.status == DeclarationStatus::OnHold,
            unit_code: w.unit_code.clone(),
        })
        .collect();
    let officers: Vec<String> = names.keys().cloned().collect();
    let figures = officer_figures(&facts, &officers, &quotas, i.from, i.to, i.calendar);
    let daily = per_day(&facts, &officers, i.from, i.to);
    let b = backlog(&waiting, today, i.calendar);
    let by_id: HashMap<&str, &bhxh_cache::office_stats::WaitingRow> =
        waiting_rows.iter().map(|w| (w.id.as_str(), w)).collect();
    // Only the rows shown open their sealed body (for the name).
    let mut oldest = Vec::new();
    for id in b.order.iter().take(OLDEST_SHOWN) {
        let (Some(w), Some(c)) = (by_id.get(id.as_str()), cache.declaration(id)?) else { continue };
        oldest.push(BacklogRow {
            id: w.id.clone(),
            full_name: c.declaration.fields.full_name.clone(),
            submitted_at: office_text(w.submitted_at),
            age_days: i.calendar.days_waited(office_day(w.submitted_at), today),
            status: w.status,
            unit_code: w.unit_code.clone(),
            paper: w.paper_received,
            assigned_to: w.holder.as_ref().map(|(_, name)| name.clone()),
        });
    }
    let reference = bhxh_domain::reference::ReferenceData::get();
    let reasons = reason_counts(reason_codes)
        .into_iter()
        .map(|(code, count)| {
            let reason = reference.reason(&code);
            ReasonCount {
                label: reason.map_or_else(|| bhxh_domain::Text::same(code.clone()), |r| r.label.clone()),
                code,
                count,
            }
        })
        .collect();
    let (campaign, units, trend_points) = coverage_view(i.coverage, today);
    let mut day_labels = Vec::new();
    let mut day_working = Vec::new();
    let mut d = i.from;
    while d <= i.to {
        day_labels.push(d.format("%d/%m").to_string());
        day_working.push(i.calendar.is_working(d));
        d = match d.succ_opt() {
            Some(n) => n,
            None => break,
        };
    }
    let note = calendar_note(i.calendar, i.from, i.to);
    Ok(Dashboard {
        computed_at: office_text(i.now),
        synced_at: i.synced_at.map(office_text),
        from: bhxh_domain::clock::day_text(i.from),
        to: bhxh_domain::clock::day_text(i.to),
        days: day_labels.len() as u32,
        working_days: i.calendar.working_days(i.from, i.to),
        day_working,
        calendar_note: note.map(|(vi, en)| bhxh_domain::Text::new(vi, en)),
        default_quota: quotas.default_per_day,
        officers: figures
            .into_iter()
            .map(|f| OfficerRow {
                display_name: names.get(&f.officer).cloned().unwrap_or_else(|| f.officer.clone()),
                quota_per_day: quotas.per_officer.get(&f.officer).copied(),
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
        day_labels,
        per_day: daily,
        reasons,
        coverage_as_of: i.coverage.map(|c| office_text(c.as_of)),
        campaign,
        units,
        trend: trend_points,
        purposes: purpose_rows(&decided, &waiting_rows),
    })
}

/// Each kind of request: how many wait now, how each outcome went in the range.
fn purpose_rows(
    decided: &[bhxh_cache::office_stats::DecisionRow],
    waiting: &[bhxh_cache::office_stats::WaitingRow],
) -> Vec<PurposeRow> {
    use bhxh_domain::{Outcome, Purpose};
    Purpose::ALL
        .iter()
        .map(|&purpose| {
            let mut row = PurposeRow { purpose, waiting: 0, approve: 0, resubmit: 0, reject: 0, escalate: 0 };
            row.waiting = waiting.iter().filter(|w| w.purpose == purpose).count() as u32;
            for d in decided.iter().filter(|d| d.purpose == purpose) {
                match d.outcome {
                    Outcome::Approve => row.approve += 1,
                    Outcome::Resubmit => row.resubmit += 1,
                    Outcome::Reject => row.reject += 1,
                    Outcome::Escalate => row.escalate += 1,
                    // Not a decision yet: it waits (counted in `waiting`).
                    Outcome::Hold => {}
                }
            }
            row
        })
        .collect()
}

/// What the supervisor must know about the range's holidays (Vietnamese, English):
/// years this PC has no file for, an office file that was refused, days still provisional.
fn calendar_note(calendar: &WorkCalendar, from: NaiveDate, to: NaiveDate) -> Option<(String, String)> {
    let join = |years: &[i32]| years.iter().map(i32::to_string).collect::<Vec<_>>().join(", ");
    let mut vi = Vec::new();
    let mut en = Vec::new();
    let unknown = calendar.unknown_years(from, to);
    if !unknown.is_empty() {
        let list = join(&unknown);
        vi.push(format!(
            "Chưa có danh sách ngày nghỉ lễ năm {list}: chỉ trừ thứ Bảy, Chủ nhật và các ngày lễ cố định."
        ));
        en.push(format!("No holiday file for {list}: only weekends and the fixed-date holidays are left out."));
    }
    for (year, reason) in calendar.refused_years(from, to) {
        vi.push(format!(
            "Tệp ngày nghỉ năm {year} của cơ quan không dùng được ({reason}): đang dùng danh sách có sẵn."
        ));
        en.push(format!("The office's holiday file for {year} was refused ({reason}): the shipped list is used."));
    }
    let provisional = calendar.provisional_years(from, to);
    if !provisional.is_empty() {
        let list = join(&provisional);
        vi.push(format!("Một số ngày nghỉ năm {list} còn tạm tính, chờ thông báo chính thức."));
        en.push(format!("Some days off of {list} are provisional until the year's notice."));
    }
    (!vi.is_empty())
        .then(|| (format!("{} (assets/holidays)", vi.join(" ")), format!("{} (assets/holidays)", en.join(" "))))
}

pub(crate) fn coverage_view(
    report: Option<&CoverageReport>,
    today: NaiveDate,
) -> (Option<CampaignView>, Vec<UnitRow>, Vec<bhxh_domain::stats::TrendPoint>) {
    let Some(report) = report else { return (None, Vec::new(), Vec::new()) };
    let facts: Vec<UnitFacts> = report
        .units
        .iter()
        .map(|u| UnitFacts {
            code: u.code.clone(),
            participants: u.participants,
            approved: u.approved,
            pending: u.pending,
            rejected: u.rejected,
            opened_by_day: u.opened_by_day.iter().map(|d| (d.day, d.count)).collect(),
        })
        .collect();
    // Without a campaign every unit is measured against all of its participants.
    let (target, deadline) = report.campaign.as_ref().map_or((100, today), |c| (c.target_percent, c.deadline));
    let names: HashMap<&str, &str> = report.units.iter().map(|u| (u.code.as_str(), u.name.as_str())).collect();
    let rows: Vec<UnitRow> = standings(&facts, target, today, deadline)
        .into_iter()
        .map(|s| UnitRow {
            name: names.get(s.code.as_str()).map(|n| (*n).to_owned()).unwrap_or_default(),
            code: s.code,
            participants: s.participants,
            approved: s.approved,
            pending: s.pending,
            rejected: s.rejected,
            not_applied: s.not_applied,
            percent_tenths: s.percent_tenths,
            target_count: s.target_count,
            short_by: s.short_by,
            opened_last_week: s.opened_last_week,
            projected: s.projected,
            outlook: s.outlook,
        })
        .collect();
    let Some(c) = &report.campaign else { return (None, rows, Vec::new()) };
    let points = trend(&facts, c.starts_on, today.min(c.deadline));
    let view = CampaignView {
        name: c.name.clone(),
        target_percent: c.target_percent,
        starts_on: c.starts_on.format("%d/%m/%Y").to_string(),
        deadline: c.deadline.format("%d/%m/%Y").to_string(),
        days_left: (c.deadline - today).num_days() as i32,
        directive: c.directive.clone(),
        units_behind: rows.iter().filter(|u| matches!(u.outlook, Outlook::Missed | Outlook::WillMiss)).count() as u32,
        registered: facts.iter().map(|u| u.approved).sum(),
        participants: facts.iter().map(|u| u.participants).sum(),
    };
    (Some(view), rows, points)
}
