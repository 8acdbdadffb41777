//! Working days of a district office: what a quota is counted per and what a
//! backlog's age counts. Saturdays, Sundays and public holidays are not days a
//! declaration waited on an officer.
//!
//! Public holidays are those of Bộ luật Lao động 2019, Điều 112 (1/1; Tết Nguyên đán;
//! Giỗ Tổ Hùng Vương 10/3 âm lịch; 30/4; 1/5; 2/9 and a day next to it) with the days
//! off, swaps and make-up Saturdays each year's notice sets for civil servants. They
//! live in `assets/holidays/<year>.tsv`, one file per year naming its notice; an
//! office corrects its copy of a year without a new build. For a year without a
//! file only weekends and the law's fixed solar dates are known, and [`WorkCalendar::knows`]
//! says so, so that the overview can tell the supervisor.

use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

const BUILTIN: &[(i32, &str)] = &[
    (2024, include_str!("../../../assets/holidays/2024.tsv")),
    (2025, include_str!("../../../assets/holidays/2025.tsv")),
    (2026, include_str!("../../../assets/holidays/2026.tsv")),
    (2027, include_str!("../../../assets/holidays/2027.tsv")),
];

/// What a day is for the office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayKind {
    Working,
    /// A Saturday or a Sunday (not made a working day by a swap).
    Weekend,
    /// A public holiday, a day off of the year's notice or a compensatory day; its name.
    Holiday(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CalendarError {
    #[error("holidays of {year}, line {line}: {reason}")]
    Line { year: i32, line: usize, reason: String },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    /// Days off on the given days, with their names.
    off: BTreeMap<NaiveDate, String>,
    /// Saturdays and Sundays worked (a swap's make-up day).
    on: BTreeSet<NaiveDate>,
    /// Years with a file.
    years: BTreeSet<i32>,
    /// Years whose file marks some days as provisional (no notice yet).
    provisional: BTreeSet<i32>,
    /// Years whose office file was refused, with the reason (the shipped days stay).
    refused: BTreeMap<i32, String>,
}

/// What a year file holds.
#[derive(Debug)]
struct YearDays {
    off: BTreeMap<NaiveDate, String>,
    on: BTreeSet<NaiveDate>,
    provisional: bool,
}

/// The days of a year file.
fn parse_year(year: i32, text: &str) -> Result<YearDays, CalendarError> {
    let mut off = BTreeMap::new();
    let mut on = BTreeSet::new();
    let mut provisional = false;
    let mut header_seen = false;
    // Notepad and Excel save "UTF-8" with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let err = |reason: String| CalendarError::Line { year, line: i + 1, reason };
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        if !header_seen {
            if cols.first() != Some(&"date") || cols.get(1) != Some(&"kind") {
                return Err(err("the first row must be the header: date, kind, name, source".into()));
            }
            header_seen = true;
            continue;
        }
        let [date, kind, name, source, ..] = cols.as_slice() else {
            return Err(err(format!("4 columns expected (date, kind, name, source), found {}", cols.len())));
        };
        let day = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map_err(|_| err(format!("{date:?} is not a date written yyyy-mm-dd")))?;
        if day.year() != year {
            return Err(err(format!("{date} is not in {year}")));
        }
        if source.is_empty() {
            return Err(err(format!("{date} names no source (the notice that sets it)")));
        }
        provisional |= source.contains("TẠM TÍNH") || source.to_lowercase().contains("provisional");
        match *kind {
            "holiday" => {
                off.insert(day, (*name).to_owned());
            }
            "workday" => {
                if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                    return Err(err(format!("{date} is a weekday: only a Saturday or a Sunday can be made a workday")));
                }
                on.insert(day);
            }
            other => return Err(err(format!("kind {other:?} is neither holiday nor workday"))),
        }
    }
    if !header_seen {
        return Err(CalendarError::Line { year, line: 0, reason: "no header row".into() });
    }
    if let Some(d) = on.iter().find(|d| off.contains_key(d)) {
        return Err(CalendarError::Line { year, line: 0, reason: format!("{d} is both a holiday and a workday") });
    }
    // A file without the law's fixed dates is a file cut short, not a year without them.
    for (m, d, name) in FIXED {
        if NaiveDate::from_ymd_opt(year, m, d).is_some_and(|day| !off.contains_key(&day)) {
            return Err(CalendarError::Line { year, line: 0, reason: format!("{name} ({d:02}/{m:02}) is missing") });
        }
    }
    Ok(YearDays { off, on, provisional })
}

impl WorkCalendar {
    /// The years the project ships (`assets/holidays/`), parsed once.
    pub fn builtin() -> &'static WorkCalendar {
        static CAL: OnceLock<WorkCalendar> = OnceLock::new();
        CAL.get_or_init(|| {
            let mut cal = WorkCalendar::default();
            for (year, text) in BUILTIN {
                // The shipped files are tested below; a broken one only loses its year.
                let _ = cal.set_year(*year, text);
            }
            cal
        })
    }

    /// Puts a year's file in place of what was known of that year (an office's own copy).
    pub fn set_year(&mut self, year: i32, text: &str) -> Result<(), CalendarError> {
        let days = parse_year(year, text)?;
        self.off.retain(|d, _| d.year() != year);
        self.on.retain(|d| d.year() != year);
        self.off.extend(days.off);
        self.on.extend(days.on);
        self.years.insert(year);
        if days.provisional {
            self.provisional.insert(year);
        } else {
            self.provisional.remove(&year);
        }
        self.refused.remove(&year);
        Ok(())
    }

    /// An office file that could not be used: the year keeps what was known of it,
    /// and the overview says so.
    pub fn refuse(&mut self, year: i32, reason: String) {
        self.refused.insert(year, reason);
    }

    /// Years in `from..=to` whose office file was refused, with the reason.
    pub fn refused_years(&self, from: NaiveDate, to: NaiveDate) -> Vec<(i32, &str)> {
        self.refused.range(from.year()..=to.year()).map(|(y, r)| (*y, r.as_str())).collect()
    }

    /// Years in `from..=to` with days still provisional (their notice not out yet).
    pub fn provisional_years(&self, from: NaiveDate, to: NaiveDate) -> Vec<i32> {
        self.provisional.range(from.year()..=to.year()).copied().collect()
    }

    /// Whether a file gave this year's holidays (else only weekends and fixed dates count).
    pub fn knows(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn kind(&self, d: NaiveDate) -> DayKind {
        if let Some(name) = self.off.get(&d) {
            return DayKind::Holiday(name.clone());
        }
        if !self.knows(d.year())
            && let Some(name) = fixed_holiday(d)
        {
            return DayKind::Holiday(name.to_owned());
        }
        if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.on.contains(&d) {
            return DayKind::Weekend;
        }
        DayKind::Working
    }

    pub fn is_working(&self, d: NaiveDate) -> bool {
        self.kind(d) == DayKind::Working
    }

    /// Working days in `from..=to` (0 when `to` is before `from`). Counted from the
    /// weekdays and the listed days, not day by day: the queue asks this for every
    /// declaration on every refresh, and some have waited for months.
    pub fn working_days(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        if to < from {
            return 0;
        }
        let weekend = |d: &NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        let mut n = weekdays(from, to);
        n -= self.off.range(from..=to).filter(|(d, _)| !weekend(d)).count() as i64;
        n += self.on.range(from..=to).count() as i64;
        for year in (from.year()..=to.year()).filter(|y| !self.knows(*y)) {
            n -= FIXED
                .iter()
                .filter_map(|(m, d, _)| NaiveDate::from_ymd_opt(year, *m, *d))
                .filter(|d| (from..=to).contains(d) && !weekend(d))
                .count() as i64;
        }
        u32::try_from(n).unwrap_or(0)
    }

    /// Working days a declaration submitted on `submitted` has waited by the end of
    /// `today`: the working days after the day it came in, up to today. Submitted on
    /// a Friday and looked at on Monday: one day.
    pub fn days_waited(&self, submitted: NaiveDate, today: NaiveDate) -> u32 {
        match submitted.succ_opt() {
            Some(next) if next <= today => self.working_days(next, today),
            _ => 0,
        }
    }

    /// Years in `from..=to` for which no file is known.
    pub fn unknown_years(&self, from: NaiveDate, to: NaiveDate) -> Vec<i32> {
        (from.year()..=to.year()).filter(|y| !self.knows(*y)).collect()
    }
}

/// The holidays of Điều 112 whose solar date is fixed (used only for a year without a file).
const FIXED: [(u32, u32, &str); 4] =
    [(1, 1, "Tết Dương lịch"), (4, 30, "Ngày Chiến thắng"), (5, 1, "Ngày Quốc tế lao động"), (9, 2, "Quốc khánh")];

fn fixed_holiday(d: NaiveDate) -> Option<&'static str> {
    FIXED.iter().find(|(m, day, _)| (*m, *day) == (d.month(), d.day())).map(|(_, _, name)| *name)
}

/// Mondays to Fridays in `from..=to` (`from` not after `to`).
fn weekdays(from: NaiveDate, to: NaiveDate) -> i64 {
    let days = (to - from).num_days() + 1;
    let rest =
        from.iter_days().take((days % 7) as usize).filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun));
    days / 7 * 5 + rest.count() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("day")
    }

    #[test]
    fn every_shipped_year_parses_and_names_its_sources() {
        for (year, text) in BUILTIN {
            parse_year(*year, text).unwrap_or_else(|e| panic!("{e}"));
            assert!(WorkCalendar::builtin().knows(*year));
        }
    }

    /// Days an office knows, from the years' notices.
    #[test]
    fn the_days_of_the_notices() {
        let cal = WorkCalendar::builtin();
        let working = |y, m, day| cal.is_working(d(y, m, day));
        let cases = [
            // (day, working?, why)
            (d(2025, 1, 1), false, "Tết Dương lịch, a Wednesday"),
            (d(2025, 1, 27), false, "Tết 2025 (Monday)"),
            (d(2025, 1, 31), false, "Tết 2025 (Friday)"),
            (d(2025, 2, 3), true, "back after Tết 2025"),
            (d(2025, 4, 7), false, "Giỗ Tổ 2025 (10/3 âm lịch)"),
            (d(2025, 4, 26), true, "Saturday made up for 2/5/2025"),
            (d(2025, 5, 2), false, "Friday swapped"),
            (d(2025, 9, 1), false, "the day next to 2/9/2025"),
            (d(2026, 1, 2), false, "Friday swapped in 2026"),
            (d(2026, 1, 10), true, "its make-up Saturday"),
            (d(2026, 2, 16), false, "Tết 2026"),
            (d(2026, 2, 20), false, "Tết 2026"),
            (d(2026, 2, 23), true, "back after Tết 2026"),
            (d(2026, 4, 27), false, "Giỗ Tổ on Sunday 26/4/2026, Monday off instead"),
            (d(2026, 12, 3), true, "an ordinary Thursday"),
            (d(2026, 12, 5), false, "an ordinary Saturday"),
            (d(2026, 12, 31), true, "the last day of 2026, a Thursday"),
            (d(2027, 1, 1), false, "the first day of 2027"),
        ];
        for (day, want, why) in cases {
            assert_eq!(working(day.year(), day.month(), day.day()), want, "{day}: {why}");
        }
    }

    #[test]
    fn days_waited_count_only_working_days() {
        let cal = WorkCalendar::builtin();
        let cases = [
            // (submitted, today, working days waited)
            (d(2026, 12, 3), d(2026, 12, 3), 0),
            (d(2026, 12, 3), d(2026, 12, 4), 1),
            (d(2026, 12, 4), d(2026, 12, 7), 1), // Friday to Monday
            (d(2026, 12, 5), d(2026, 12, 7), 1), // sent on Saturday
            (d(2026, 12, 5), d(2026, 12, 6), 0), // still the weekend
            (d(2026, 12, 30), d(2027, 1, 4), 2), // 31/12 and 4/1; 1/1 and the weekend not
            (d(2026, 2, 13), d(2026, 2, 23), 1), // across Tết: only Monday 23/2
            (d(2026, 12, 7), d(2026, 12, 3), 0), // a clock behind the server
        ];
        for (sent, today, want) in cases {
            assert_eq!(cal.days_waited(sent, today), want, "{sent} → {today}");
        }
        // December 2026: 23 weekdays, no holiday.
        assert_eq!(cal.working_days(d(2026, 12, 1), d(2026, 12, 31)), 23);
        // January 2026: 22 weekdays, 1/1 and 2/1 off, Saturday 10/1 worked.
        assert_eq!(cal.working_days(d(2026, 1, 1), d(2026, 1, 31)), 21);
        assert_eq!(cal.working_days(d(2026, 1, 31), d(2026, 1, 1)), 0);
    }

    /// The counted working days are those a day-by-day walk finds, across years with
    /// and without a file, swaps, Tết and ranges of every length.
    #[test]
    fn counting_agrees_with_walking_the_days() {
        let mut cal = WorkCalendar::builtin().clone();
        let fixed = "2028-01-01\tholiday\tA\tY\n2028-04-30\tholiday\tB\tY\n2028-05-01\tholiday\tC\tY\n2028-09-02\tholiday\tD\tY\n";
        let file = format!(
            "\u{feff}# an office's file, saved with a BOM\ndate\tkind\tname\tsource\n{fixed}2028-01-03\tholiday\tX\tY\n2028-01-08\tworkday\tZ\tY\n"
        );
        cal.set_year(2028, &file).expect("2028");
        assert!(cal.provisional_years(d(2027, 1, 1), d(2027, 12, 31)) == vec![2027], "2027 awaits its notice");
        let walk = |from: NaiveDate, to: NaiveDate| {
            from.iter_days().take_while(|d| *d <= to).filter(|d| cal.is_working(*d)).count() as u32
        };
        let mut from = d(2022, 12, 20);
        let mut seen = 0;
        while from < d(2029, 3, 1) {
            for len in [0, 1, 2, 5, 6, 7, 8, 13, 29, 45, 120, 400] {
                let to = from + chrono::Days::new(len);
                assert_eq!(cal.working_days(from, to), walk(from, to), "{from}..={to}");
                seen += 1;
            }
            from = from + chrono::Days::new(11);
        }
        assert!(seen > 2000);
    }

    #[test]
    fn a_year_without_a_file_counts_weekends_and_fixed_dates_and_says_so() {
        let cal = WorkCalendar::builtin();
        assert!(!cal.knows(2031));
        assert!(!cal.is_working(d(2031, 1, 1)));
        assert!(!cal.is_working(d(2031, 9, 2)));
        assert!(cal.is_working(d(2031, 9, 3)));
        assert_eq!(cal.unknown_years(d(2030, 12, 1), d(2031, 1, 31)), vec![2030, 2031]);
    }

    #[test]
    fn an_office_corrects_a_year() {
        let mut cal = WorkCalendar::builtin().clone();
        // The 24/11/2026 swap, had the office applied it.
        let edited = format!(
            "{}2026-11-23\tholiday\tNghỉ hoán đổi\tQuyết định của cơ quan\n2026-11-28\tworkday\tLàm bù 23/11\tQuyết định của cơ quan\n",
            BUILTIN.iter().find(|(y, _)| *y == 2026).map(|(_, t)| *t).unwrap_or_default()
        );
        cal.set_year(2026, &edited).expect("edited year");
        assert!(!cal.is_working(d(2026, 11, 23)));
        assert!(cal.is_working(d(2026, 11, 28)));
        assert!(!cal.is_working(d(2026, 2, 16)), "the rest of the year is kept");
    }

    #[test]
    fn a_broken_file_is_refused_with_its_line() {
        let header = "# comment\ndate\tkind\tname\tsource\n";
        let cases = [
            (format!("{header}2026-13-01\tholiday\tX\tY\n"), "line 3"),
            (format!("{header}2025-01-01\tholiday\tX\tY\n"), "not in 2026"),
            (format!("{header}2026-12-03\tworkday\tX\tY\n"), "weekday"),
            (format!("{header}2026-12-03\tnghỉ\tX\tY\n"), "neither"),
            (format!("{header}2026-12-03\tholiday\tX\n"), "4 columns"),
            (format!("{header}2026-12-03\tholiday\tX\t\n"), "no source"),
            (format!("{header}2026-12-03\tholiday\tX\tY\n"), "Tết Dương lịch (01/01) is missing"),
            ("2026-12-03\tholiday\tX\tY\n".to_owned(), "header"),
        ];
        for (text, want) in cases {
            let e = parse_year(2026, &text).expect_err(want).to_string();
            assert!(e.contains(want), "{e}");
        }
    }
}
