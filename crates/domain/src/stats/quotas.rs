//! Decisions per officer against the daily quota, over a range of days, with the
//! median time per decision.

use crate::Outcome;
use crate::calendar::WorkCalendar;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// One decision on record, with the day it counts for on the office's calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionFact {
    pub officer: String,
    pub outcome: Outcome,
    pub day: NaiveDate,
    pub at: DateTime<Utc>,
}

/// The office's default daily quota and the officers' own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Quotas {
    pub default_per_day: u32,
    pub per_officer: BTreeMap<String, u32>,
}

impl Quotas {
    pub fn of(&self, officer: &str) -> u32 {
        self.per_officer.get(officer).copied().unwrap_or(self.default_per_day)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerFigures {
    pub officer: String,
    pub approve: u32,
    pub resubmit: u32,
    pub reject: u32,
    pub escalate: u32,
    /// The officer's daily quota times the working days of the range (none on a
    /// Sunday or a holiday: a quota is never missed on a day off).
    pub target: u32,
    /// Decisions over target, in whole percent (0 when the target is 0: see `target`).
    pub attainment_percent: u32,
    /// Median gap between an officer's consecutive decisions of a day, breaks
    /// (gaps over [`BREAK_SECONDS`]) left out: the pace, not the presence.
    pub median_seconds: Option<u32>,
}

impl OfficerFigures {
    pub fn total(&self) -> u32 {
        self.approve + self.resubmit + self.reject + self.escalate
    }
}

/// A gap longer than this is a pause, not the time a decision took.
pub const BREAK_SECONDS: i64 = 30 * 60;

/// Figures for every officer in `officers` (those with no decision too) and anyone
/// else who decided in the range, for the days `from..=to`.
pub fn officer_figures(
    decisions: &[DecisionFact],
    officers: &[String],
    quotas: &Quotas,
    from: NaiveDate,
    to: NaiveDate,
    calendar: &WorkCalendar,
) -> Vec<OfficerFigures> {
    let days = calendar.working_days(from, to);
    let mut by_officer: BTreeMap<&str, Vec<&DecisionFact>> =
        officers.iter().map(|o| (o.as_str(), Vec::new())).collect();
    for d in decisions.iter().filter(|d| d.day >= from && d.day <= to) {
        by_officer.entry(d.officer.as_str()).or_default().push(d);
    }
    by_officer
        .into_iter()
        .map(|(officer, mut mine)| {
            mine.sort_by_key(|d| d.at);
            let count = |o: Outcome| mine.iter().filter(|d| d.outcome == o).count() as u32;
            let target = quotas.of(officer) * days;
            let mut gaps: Vec<i64> = mine
                .windows(2)
                .filter(|p| p[0].day == p[1].day)
                .map(|p| (p[1].at - p[0].at).num_seconds())
                .filter(|g| (0..=BREAK_SECONDS).contains(g))
                .collect();
            gaps.sort_unstable();
            let median_seconds = (!gaps.is_empty()).then(|| {
                let n = gaps.len();
                let m = if n % 2 == 1 { gaps[n / 2] } else { (gaps[n / 2 - 1] + gaps[n / 2]) / 2 };
                m as u32
            });
            let mut f = OfficerFigures {
                officer: officer.to_owned(),
                approve: count(Outcome::Approve),
                resubmit: count(Outcome::Resubmit),
                reject: count(Outcome::Reject),
                escalate: count(Outcome::Escalate),
                target,
                attainment_percent: 0,
                median_seconds,
            };
            f.attainment_percent = (f.total() * 100 + target / 2).checked_div(target).unwrap_or(0);
            f
        })
        .collect()
}

/// Decisions per officer per day of `from..=to`, officers in the order given
/// (others left out): what the chart against the quota draws.
pub fn per_day(decisions: &[DecisionFact], officers: &[String], from: NaiveDate, to: NaiveDate) -> Vec<Vec<u32>> {
    let days = ((to - from).num_days() + 1).max(0) as usize;
    let mut out = vec![vec![0u32; days]; officers.len()];
    let index: BTreeMap<&str, usize> = officers.iter().enumerate().map(|(i, o)| (o.as_str(), i)).collect();
    for d in decisions.iter().filter(|d| d.day >= from && d.day <= to) {
        if let Some(&i) = index.get(d.officer.as_str()) {
            out[i][(d.day - from).num_days() as usize] += 1;
        }
    }
    out
}

/// How often each reason was given, the most frequent first (ties by code).
pub fn reason_counts<'a>(codes: impl IntoIterator<Item = &'a str>) -> Vec<(String, u32)> {
    let mut counts = BTreeMap::<&str, u32>::new();
    for c in codes {
        *counts.entry(c).or_default() += 1;
    }
    let mut out: Vec<(String, u32)> = counts.into_iter().map(|(c, n)| (c.to_owned(), n)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn fact(officer: &str, outcome: Outcome, d: u32, h: u32, m: u32) -> DecisionFact {
        DecisionFact {
            officer: officer.into(),
            outcome,
            day: NaiveDate::from_ymd_opt(2026, 11, d).unwrap(),
            at: Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap(),
        }
    }

    #[test]
    fn attainment_median_and_officers_without_decisions() {
        let quotas = Quotas { default_per_day: 4, per_officer: [("b".to_owned(), 2)].into() };
        let all = vec![
            fact("a", Outcome::Approve, 25, 8, 0),
            fact("a", Outcome::Approve, 25, 8, 4),
            fact("a", Outcome::Reject, 25, 8, 10),
            // An hour's lunch is not a decision's time.
            fact("a", Outcome::Resubmit, 25, 9, 10),
            fact("a", Outcome::Approve, 26, 8, 0),
            fact("b", Outcome::Escalate, 26, 10, 0),
            // Outside the range.
            fact("b", Outcome::Approve, 20, 10, 0),
        ];
        let from = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let to = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let f =
            officer_figures(&all, &["a".into(), "b".into(), "c".into()], &quotas, from, to, WorkCalendar::builtin());
        assert_eq!(f.len(), 3);
        let a = &f[0];
        assert_eq!((a.approve, a.resubmit, a.reject, a.escalate, a.total()), (3, 1, 1, 0, 5));
        assert_eq!(a.target, 8);
        assert_eq!(a.attainment_percent, 63); // 5 / 8 = 62.5 %
        assert_eq!(a.median_seconds, Some(300)); // gaps 4 and 6 minutes
        let b = &f[1];
        assert_eq!((b.total(), b.target, b.attainment_percent, b.median_seconds), (1, 4, 25, None));
        let c = &f[2];
        assert_eq!((c.total(), c.target, c.attainment_percent), (0, 8, 0));
        let zero = officer_figures(&all, &[], &Quotas::default(), from, to, WorkCalendar::builtin());
        assert!(zero.iter().all(|o| o.target == 0 && o.attainment_percent == 0));
    }

    /// A quota counts per working day: never on a weekend or a holiday, whatever was decided then.
    #[test]
    fn targets_count_working_days_only() {
        let quotas = Quotas { default_per_day: 10, per_officer: BTreeMap::new() };
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("day");
        let on = |d: NaiveDate| DecisionFact {
            officer: "a".into(),
            outcome: Outcome::Approve,
            day: d,
            at: Utc.from_utc_datetime(&d.and_hms_opt(3, 0, 0).expect("time")),
        };
        let cases = [
            // (from, to, target, why)
            (day(2026, 12, 6), day(2026, 12, 6), 0, "a Sunday"),
            (day(2027, 1, 1), day(2027, 1, 1), 0, "New Year's Day"),
            (day(2026, 12, 31), day(2026, 12, 31), 10, "the last day of the year, a Thursday"),
            (day(2026, 12, 1), day(2026, 12, 7), 50, "a week: five working days"),
            (day(2026, 2, 14), day(2026, 2, 22), 0, "Tết 2026"),
            (day(2026, 12, 28), day(2027, 1, 3), 40, "across the new year"),
        ];
        for (from, to, target, why) in cases {
            let f = officer_figures(&[on(from)], &["a".into()], &quotas, from, to, WorkCalendar::builtin());
            assert_eq!(f[0].target, target, "{why}");
            // Work done on a day off is counted, never against a quota of zero.
            if target == 0 {
                assert_eq!((f[0].total(), f[0].attainment_percent), (1, 0), "{why}");
            }
        }
    }

    #[test]
    fn per_day_and_reasons() {
        let all = vec![
            fact("a", Outcome::Approve, 25, 8, 0),
            fact("a", Outcome::Approve, 26, 8, 4),
            fact("a", Outcome::Reject, 26, 8, 10),
            fact("b", Outcome::Escalate, 27, 10, 0),
            fact("z", Outcome::Approve, 26, 10, 0),
            fact("b", Outcome::Approve, 20, 10, 0),
        ];
        let from = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let to = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(per_day(&all, &["a".into(), "b".into()], from, to), vec![vec![1, 2, 0], vec![0, 0, 1]]);
        assert_eq!(per_day(&all, &[], from, to), Vec::<Vec<u32>>::new());
        let r = reason_counts(["ANH_MO", "SAI_CCCD", "ANH_MO", "A"]);
        assert_eq!(r, vec![("ANH_MO".to_owned(), 2), ("A".to_owned(), 1), ("SAI_CCCD".to_owned(), 1)]);
    }
}
