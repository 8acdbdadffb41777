//! Each employer unit's registrations against the campaign's target: percent,
//! how many are still needed, the pace of the last week, whether that pace reaches
//! the target by the deadline; and the office's trend day by day.

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use ts_rs::TS;

/// A unit's figures as the central service reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitFacts {
    pub code: String,
    pub participants: u32,
    pub approved: u32,
    pub pending: u32,
    pub rejected: u32,
    /// Accounts opened per day since the campaign started.
    pub opened_by_day: Vec<(NaiveDate, u32)>,
}

/// Where a unit stands against the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Outlook {
    /// Past the deadline below target.
    Missed,
    /// At the last week's pace, below target on the deadline.
    WillMiss,
    /// Below target, but the last week's pace gets there.
    OnTrack,
    Reached,
    /// No participants: nothing to measure.
    NoParticipants,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitStanding {
    pub code: String,
    pub participants: u32,
    pub approved: u32,
    pub pending: u32,
    pub rejected: u32,
    pub not_applied: u32,
    /// Approved over participants in tenths of a percent; None without participants.
    pub percent_tenths: Option<u32>,
    /// Participants the target asks for (rounded up).
    pub target_count: u32,
    /// Still needed to reach the target.
    pub short_by: u32,
    /// Accounts opened in the last [`PACE_DAYS`] days.
    pub opened_last_week: u32,
    /// Approved on the deadline at that pace.
    pub projected: u32,
    pub outlook: Outlook,
}

/// The pace is measured over this many days, today included.
pub const PACE_DAYS: i64 = 7;

/// Whole percent, rounded half up, as a letter states it ("1/21 … đạt tỷ lệ 5 %").
pub fn whole_percent(part: u32, of: u32) -> Option<u32> {
    (of > 0).then(|| ((u64::from(part) * 200 + u64::from(of)) / (2 * u64::from(of))) as u32)
}

fn tenths(part: u32, of: u32) -> Option<u32> {
    (of > 0).then(|| ((u64::from(part) * 2000 + u64::from(of)) / (2 * u64::from(of))) as u32)
}

pub fn standing(u: &UnitFacts, target_percent: u32, today: NaiveDate, deadline: NaiveDate) -> UnitStanding {
    let target_count = ((u64::from(u.participants) * u64::from(target_percent)).div_ceil(100)) as u32;
    let short_by = target_count.saturating_sub(u.approved);
    let since = today - Duration::days(PACE_DAYS - 1);
    let opened_last_week: u32 =
        u.opened_by_day.iter().filter(|(d, _)| *d >= since && *d <= today).map(|(_, n)| n).sum();
    let days_left = (deadline - today).num_days().max(0) as u64;
    let projected = (u64::from(u.approved) + u64::from(opened_last_week) * days_left / PACE_DAYS as u64)
        .min(u64::from(u.participants)) as u32;
    let outlook = if u.participants == 0 {
        Outlook::NoParticipants
    } else if short_by == 0 {
        Outlook::Reached
    } else if today > deadline {
        Outlook::Missed
    } else if projected >= target_count {
        Outlook::OnTrack
    } else {
        Outlook::WillMiss
    };
    UnitStanding {
        code: u.code.clone(),
        participants: u.participants,
        approved: u.approved,
        pending: u.pending,
        rejected: u.rejected,
        not_applied: u.participants.saturating_sub(u.approved + u.pending + u.rejected),
        percent_tenths: tenths(u.approved, u.participants),
        target_count,
        short_by,
        opened_last_week,
        projected,
        outlook,
    }
}

/// Every unit's standing, the furthest behind first: missed and will-miss units by
/// the shortfall they are heading for, then the others by what they still need;
/// units without participants last.
pub fn standings(units: &[UnitFacts], target_percent: u32, today: NaiveDate, deadline: NaiveDate) -> Vec<UnitStanding> {
    let mut all: Vec<UnitStanding> = units.iter().map(|u| standing(u, target_percent, today, deadline)).collect();
    let shortfall = |s: &UnitStanding| s.target_count.saturating_sub(s.projected);
    all.sort_by(|a, b| {
        a.outlook
            .cmp(&b.outlook)
            .then(shortfall(b).cmp(&shortfall(a)))
            .then(b.short_by.cmp(&a.short_by))
            .then(a.code.cmp(&b.code))
    });
    all
}

/// The office's registered participants at the end of each day from the campaign's
/// start to `until` (today, or the deadline if earlier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TrendPoint {
    pub day: String,
    pub registered: u32,
    pub percent_tenths: Option<u32>,
}

pub fn trend(units: &[UnitFacts], starts_on: NaiveDate, until: NaiveDate) -> Vec<TrendPoint> {
    let participants: u32 = units.iter().map(|u| u.participants).sum();
    let approved: u32 = units.iter().map(|u| u.approved).sum();
    let mut per_day = std::collections::BTreeMap::<NaiveDate, u32>::new();
    for (d, n) in units.iter().flat_map(|u| u.opened_by_day.iter()) {
        if *d >= starts_on {
            *per_day.entry(*d).or_default() += n;
        }
    }
    // Accounts opened after `until` are not in the figures of the days shown.
    let later: u32 = per_day.range(until.succ_opt().unwrap_or(until)..).map(|(_, n)| n).sum();
    let in_window: u32 = per_day.range(..=until).map(|(_, n)| n).sum();
    let mut registered = approved.saturating_sub(later + in_window);
    let mut out = Vec::new();
    let mut day = starts_on;
    while day <= until {
        registered += per_day.get(&day).copied().unwrap_or(0);
        out.push(TrendPoint { day: day.to_string(), registered, percent_tenths: tenths(registered, participants) });
        day = match day.succ_opt() {
            Some(d) => d,
            None => break,
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 5, day).unwrap()
    }

    fn unit(code: &str, participants: u32, approved: u32, opened: &[(u32, u32)]) -> UnitFacts {
        UnitFacts {
            code: code.into(),
            participants,
            approved,
            pending: 1.min(participants),
            rejected: 0,
            opened_by_day: opened.iter().map(|(day, n)| (d(*day), *n)).collect(),
        }
    }

    #[test]
    fn the_seed_letters_unit_rounds_like_the_letter() {
        // "Số người đăng ký sử dụng là 1/21 người tham gia BHXH, BHYT, đạt tỷ lệ 5 %."
        assert_eq!(whole_percent(1, 21), Some(5));
        assert_eq!(whole_percent(0, 0), None);
        assert_eq!(whole_percent(1, 200), Some(1)); // 0.5 rounds up
        let s = standing(&unit("SQ0007Q", 21, 1, &[(3, 1)]), 100, d(10), d(30));
        assert_eq!(s.percent_tenths, Some(48));
        assert_eq!((s.target_count, s.short_by, s.not_applied), (21, 20, 19));
        assert_eq!(s.outlook, Outlook::WillMiss);
    }

    #[test]
    fn pace_projection_and_outlook() {
        // 7 opened in the last 7 days (4..=10), 20 days left: +20 → 30 of 100; target 25.
        let on_track = standing(&unit("A", 100, 10, &[(1, 5), (4, 3), (10, 4)]), 25, d(10), d(30));
        assert_eq!(on_track.opened_last_week, 7);
        assert_eq!(on_track.projected, 30);
        assert_eq!(on_track.outlook, Outlook::OnTrack);
        let slow = standing(&unit("B", 100, 10, &[(1, 5)]), 25, d(10), d(30));
        assert_eq!((slow.projected, slow.outlook), (10, Outlook::WillMiss));
        let done = standing(&unit("C", 8, 6, &[]), 75, d(10), d(30));
        assert_eq!((done.target_count, done.outlook), (6, Outlook::Reached));
        let late = standing(&unit("D", 10, 1, &[]), 50, d(31), d(30));
        assert_eq!(late.outlook, Outlook::Missed);
        let empty = standing(&unit("E", 0, 0, &[]), 50, d(10), d(30));
        assert_eq!((empty.percent_tenths, empty.target_count, empty.outlook), (None, 0, Outlook::NoParticipants));
        // The projection never counts more people than the unit has.
        let fast = standing(&unit("F", 12, 2, &[(10, 7)]), 100, d(10), d(30));
        assert_eq!(fast.projected, 12);
    }

    #[test]
    fn furthest_behind_first_and_empty_units_last() {
        let units = [
            unit("ON", 100, 25, &[(8, 20)]),
            unit("EMPTY", 0, 0, &[]),
            unit("BIG_GAP", 200, 0, &[]),
            unit("SMALL_GAP", 10, 4, &[]),
            unit("DONE", 10, 9, &[]),
        ];
        let order: Vec<String> = standings(&units, 50, d(10), d(30)).into_iter().map(|s| s.code).collect();
        assert_eq!(order, ["BIG_GAP", "SMALL_GAP", "ON", "DONE", "EMPTY"]);
    }

    #[test]
    fn the_trend_counts_up_to_today_from_those_registered_before() {
        // 30 approved in all: 5 opened on the 3rd, 2 on the 5th, 1 after `until`.
        let units = [unit("A", 50, 20, &[(3, 5), (5, 2), (9, 1)]), unit("B", 50, 10, &[])];
        let t = trend(&units, d(2), d(6));
        let got: Vec<u32> = t.iter().map(|p| p.registered).collect();
        assert_eq!(got, [22, 27, 27, 29, 29]);
        assert_eq!(t[0].day, "2021-05-02");
        assert_eq!(t[4].percent_tenths, Some(290));
        assert!(trend(&units, d(7), d(6)).is_empty());
    }
}
