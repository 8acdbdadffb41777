//! What waits: by age bucket (today, 1–2 days, 3–5, more), the escalated ones first,
//! and the declarations whose paper form has not arrived, per employer unit.

use crate::calendar::WorkCalendar;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgeBucket {
    Today,
    OneToTwo,
    ThreeToFive,
    More,
}

impl AgeBucket {
    pub const ALL: [AgeBucket; 4] = [AgeBucket::Today, AgeBucket::OneToTwo, AgeBucket::ThreeToFive, AgeBucket::More];

    /// Working days waited (see [`crate::calendar::WorkCalendar::days_waited`]).
    pub fn of_days(days: i64) -> Self {
        match days {
            i64::MIN..=0 => AgeBucket::Today,
            1..=2 => AgeBucket::OneToTwo,
            3..=5 => AgeBucket::ThreeToFive,
            _ => AgeBucket::More,
        }
    }
}

/// A declaration still waiting for a decision, as the office's calendar sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub declaration_id: String,
    pub submitted_on: NaiveDate,
    pub escalated: bool,
    pub paper_received: bool,
    /// Put on hold until its signed paper form comes in (the office's rule).
    pub on_hold: bool,
    pub unit_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UnitPaper {
    /// Empty when the declaration names no unit.
    pub unit_code: String,
    pub waiting: u32,
    pub without_paper: u32,
    /// Of the waiting, those on hold until the unit sends the signed paper form.
    pub on_hold: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backlog {
    /// Counts in [`AgeBucket::ALL`] order.
    pub by_age: [u32; 4],
    pub escalated: u32,
    /// Escalated first, then oldest first.
    pub order: Vec<String>,
    /// Units with declarations waiting, the most on hold for their paper form first,
    /// then the most paper forms missing.
    pub paper_by_unit: Vec<UnitPaper>,
}

/// Ages count working days: a weekend or Tết is no time a declaration waited on an officer.
pub fn backlog(waiting: &[Waiting], today: NaiveDate, calendar: &WorkCalendar) -> Backlog {
    let mut by_age = [0u32; 4];
    let mut units: BTreeMap<String, UnitPaper> = BTreeMap::new();
    for w in waiting {
        let bucket = AgeBucket::of_days(i64::from(calendar.days_waited(w.submitted_on, today)));
        by_age[AgeBucket::ALL.iter().position(|b| *b == bucket).unwrap_or(3)] += 1;
        let unit = w.unit_code.clone().unwrap_or_default();
        let u = units.entry(unit.clone()).or_insert(UnitPaper {
            unit_code: unit,
            waiting: 0,
            without_paper: 0,
            on_hold: 0,
        });
        u.waiting += 1;
        u.without_paper += u32::from(!w.paper_received);
        u.on_hold += u32::from(w.on_hold);
    }
    let mut sorted: Vec<&Waiting> = waiting.iter().collect();
    sorted.sort_by(|a, b| {
        b.escalated
            .cmp(&a.escalated)
            .then(a.submitted_on.cmp(&b.submitted_on))
            .then(a.declaration_id.cmp(&b.declaration_id))
    });
    let mut paper_by_unit: Vec<UnitPaper> = units.into_values().collect();
    paper_by_unit.sort_by(|a, b| {
        b.on_hold.cmp(&a.on_hold).then(b.without_paper.cmp(&a.without_paper)).then(a.unit_code.cmp(&b.unit_code))
    });
    Backlog {
        by_age,
        escalated: waiting.iter().filter(|w| w.escalated).count() as u32,
        order: sorted.into_iter().map(|w| w.declaration_id.clone()).collect(),
        paper_by_unit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn w(id: &str, d: u32, escalated: bool, paper: bool, unit: Option<&str>) -> Waiting {
        Waiting {
            declaration_id: id.into(),
            submitted_on: day(d),
            escalated,
            paper_received: paper,
            on_hold: false,
            unit_code: unit.map(Into::into),
        }
    }

    #[test]
    fn buckets_order_and_missing_paper_per_unit() {
        let today = day(26);
        let all = [
            w("a", 26, false, true, Some("SQ0007Q")),
            w("b", 25, false, false, Some("SQ0007Q")),
            Waiting { on_hold: true, ..w("c", 24, false, false, Some("SQ0112Q")) },
            w("d", 23, true, false, Some("SQ0007Q")),
            w("e", 21, false, true, None),
            w("f", 20, false, false, None),
            w("g", 1, false, false, Some("SQ0112Q")),
        ];
        let b = backlog(&all, today, WorkCalendar::builtin());
        // Thursday 26/11/2026: "e" (Saturday 21) and "f" (Friday 20) waited three working
        // days, not five and six, and "d" (Monday 23) two: the weekend and 24/11 (Ngày Văn
        // hóa Việt Nam, a day off since 2026) are no time they waited on an officer.
        assert_eq!(b.by_age, [1, 3, 2, 1]);
        assert_eq!(b.escalated, 1);
        assert_eq!(b.order, ["d", "g", "f", "e", "c", "b", "a"]);
        assert_eq!(
            b.paper_by_unit,
            vec![
                // On hold for the paper form first: the units to chase.
                UnitPaper { unit_code: "SQ0112Q".into(), waiting: 2, without_paper: 2, on_hold: 1 },
                UnitPaper { unit_code: "SQ0007Q".into(), waiting: 3, without_paper: 2, on_hold: 0 },
                UnitPaper { unit_code: "".into(), waiting: 2, without_paper: 1, on_hold: 0 },
            ]
        );
        assert_eq!(backlog(&[], today, WorkCalendar::builtin()).by_age, [0, 0, 0, 0]);
    }

    #[test]
    fn bucket_edges() {
        assert_eq!(AgeBucket::of_days(-1), AgeBucket::Today);
        assert_eq!(AgeBucket::of_days(0), AgeBucket::Today);
        assert_eq!(AgeBucket::of_days(2), AgeBucket::OneToTwo);
        assert_eq!(AgeBucket::of_days(3), AgeBucket::ThreeToFive);
        assert_eq!(AgeBucket::of_days(5), AgeBucket::ThreeToFive);
        assert_eq!(AgeBucket::of_days(6), AgeBucket::More);
    }
}
