//! The office's one clock. Instants are UTC; every day the app shows or counts —
//! "today", a range of days, a backlog's age, a quota's day, a letter's date, a
//! child's age on the day of submission — is a day on the office's calendar
//! (Asia/Ho_Chi_Minh: UTC+7 all year, no daylight saving), whatever zone the PC
//! or the server is set to. Nothing else in the code base reads the time of day
//! or turns an instant into a date.
//!
//! The clock is a value handed to whoever needs the time, so tests can put the
//! office at 23:59 or 00:01 on the last day of a year while the machine runs on UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// The offices' time zone.
pub const OFFICE_TZ: Tz = chrono_tz::Asia::Ho_Chi_Minh;

/// The variable that starts a process's clock at another instant (tests and demos).
pub const CLOCK_START_VAR: &str = "BHXH_CLOCK_START";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The machine's clock.
    #[default]
    System,
    /// The machine's clock moved by a fixed amount: runs at real speed, so leases,
    /// back-off and tokens behave as they do in an office, only on another day.
    Shifted(TimeDelta),
    /// Always the same instant (unit tests of rules that read "now" once).
    Frozen(DateTime<Utc>),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{CLOCK_START_VAR} must be an RFC 3339 instant such as 2026-12-31T23:59:00+07:00, not {0:?}")]
pub struct ClockStartError(pub String);

impl Clock {
    /// A clock that reads `start` now and runs on from there.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Clock::Shifted(start - Utc::now())
    }

    /// The clock a `BHXH_CLOCK_START` value gives: the machine's when unset or empty,
    /// else [`Clock::parse_start`]. The caller reads the variable (this crate does no I/O).
    pub fn from_start_var(raw: Option<&str>) -> Result<Self, ClockStartError> {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            Some(start) => Self::parse_start(start),
            None => Ok(Clock::System),
        }
    }

    /// `START` (RFC 3339): the clock starts there now. `START@UNIX` (seconds): the
    /// clock read `START` when the machine's read `UNIX`, so the processes of one test
    /// (server, desk, test) share one clock whenever each of them starts.
    pub fn parse_start(raw: &str) -> Result<Self, ClockStartError> {
        let bad = || ClockStartError(raw.to_owned());
        let (start, anchor) = match raw.trim().split_once('@') {
            Some((start, anchor)) => (start, Some(anchor.trim().parse::<i64>().map_err(|_| bad())?)),
            None => (raw.trim(), None),
        };
        let start = DateTime::parse_from_rfc3339(start.trim()).map_err(|_| bad())?.with_timezone(&Utc);
        match anchor {
            None => Ok(Self::starting_at(start)),
            Some(secs) => {
                let anchor = DateTime::<Utc>::from_timestamp(secs, 0).ok_or_else(bad)?;
                let shift = start - anchor;
                // A shift that puts now outside chrono's range would panic at every read.
                Utc::now().checked_add_signed(shift).ok_or_else(bad)?;
                Ok(Clock::Shifted(shift))
            }
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Shifted(by) => Utc::now() + *by,
            Clock::Frozen(t) => *t,
        }
    }

    /// Today on the office's calendar.
    pub fn today(&self) -> NaiveDate {
        office_day(self.now())
    }
}

/// The office-calendar day an instant falls on.
pub fn office_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&OFFICE_TZ).date_naive()
}

/// The first instant of an office-calendar day.
pub fn day_start(d: NaiveDate) -> DateTime<Utc> {
    let midnight = NaiveDateTime::from(d);
    // Vietnam has no daylight saving, so every local midnight exists exactly once.
    OFFICE_TZ.from_local_datetime(&midnight).earliest().map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// `dd/mm/yyyy hh:mm` in office time, as every screen, export and letter writes it.
pub fn office_text(t: DateTime<Utc>) -> String {
    t.with_timezone(&OFFICE_TZ).format("%d/%m/%Y %H:%M").to_string()
}

/// `dd/mm/yyyy`.
pub fn day_text(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A day typed by a person: `dd/mm/yyyy` (also with `-` or `.`, one-digit day and
/// month) as offices write dates, or ISO `yyyy-mm-dd`. `None` when it is no date.
pub fn parse_day(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    // ISO only with a four-digit year: chrono's %Y would read "01-02-03" as the year 1.
    if s.len() >= 8 && s.as_bytes()[..4].iter().all(u8::is_ascii_digit) && s.as_bytes()[4] == b'-' {
        return NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    }
    let parts: Vec<&str> = s.split(['/', '-', '.']).map(str::trim).collect();
    let [d, m, y] = parts.as_slice() else { return None };
    let digits = |p: &str, max_len: usize| !p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(d, 2) || !digits(m, 2) || y.len() != 4 || !digits(y, 4) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        OFFICE_TZ.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("office time").with_timezone(&Utc)
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("day")
    }

    /// The hours around midnight in Hà Nội while the machine runs on UTC, on
    /// ordinary days and on the last and first days of a month and of a year.
    #[test]
    fn the_office_day_at_the_edges_of_days_months_and_years() {
        let cases = [
            // (office time, office day, the UTC date a naive reading would give)
            (vn(2026, 12, 3, 23, 59), day(2026, 12, 3), day(2026, 12, 3)),
            (vn(2026, 12, 4, 0, 1), day(2026, 12, 4), day(2026, 12, 3)),
            (vn(2026, 12, 4, 6, 59), day(2026, 12, 4), day(2026, 12, 3)),
            (vn(2026, 12, 4, 7, 0), day(2026, 12, 4), day(2026, 12, 4)),
            (vn(2026, 11, 30, 23, 59), day(2026, 11, 30), day(2026, 11, 30)),
            (vn(2026, 12, 1, 0, 1), day(2026, 12, 1), day(2026, 11, 30)),
            (vn(2026, 12, 31, 23, 59), day(2026, 12, 31), day(2026, 12, 31)),
            (vn(2027, 1, 1, 0, 1), day(2027, 1, 1), day(2026, 12, 31)),
            (vn(2028, 2, 29, 0, 1), day(2028, 2, 29), day(2028, 2, 28)),
        ];
        for (t, office, utc) in cases {
            assert_eq!(office_day(t), office, "{t}");
            assert_eq!(t.date_naive(), utc, "{t}: the case must test what it says");
            assert_eq!(Clock::Frozen(t).today(), office);
            assert!(day_start(office) <= t && t < day_start(office.succ_opt().expect("next")), "{t}");
        }
    }

    #[test]
    fn days_are_counted_on_the_office_calendar() {
        // 23:30 and 00:30 an hour apart are two days.
        assert_eq!(office_day(vn(2027, 1, 1, 0, 30)) - office_day(vn(2026, 12, 31, 23, 30)), TimeDelta::days(1));
        assert_eq!(office_text(vn(2027, 1, 1, 0, 1)), "01/01/2027 00:01");
        assert_eq!(day_start(day(2027, 1, 1)).to_rfc3339(), "2026-12-31T17:00:00+00:00");
    }

    #[test]
    fn a_shifted_clock_reads_its_start_and_runs_on() {
        let start = vn(2026, 12, 31, 23, 59);
        let c = Clock::starting_at(start);
        let read = c.now();
        assert!(read >= start && read - start < TimeDelta::seconds(5), "{read}");
        assert_eq!(c.today(), day(2026, 12, 31));
        assert_eq!(Clock::parse_start("2027-01-01T00:01:00+07:00").map(|c| c.today()), Ok(day(2027, 1, 1)));
        assert!(Clock::parse_start("01/01/2027").is_err());
        assert_eq!(Clock::from_start_var(None), Ok(Clock::System));
        assert_eq!(Clock::from_start_var(Some("  ")), Ok(Clock::System));
        assert!(Clock::parse_start("2027-01-01T00:01:00+07:00@soon").is_err());
        assert!(Clock::parse_start("2027-01-01T00:01:00+07:00@-8260000000000").is_err(), "a shift out of range");
        // Anchored: the shift is exact, whenever the process reads it.
        let anchored = Clock::parse_start("2027-01-01T00:01:00+07:00@1764790000").expect("anchored");
        let want = vn(2027, 1, 1, 0, 1) - DateTime::<Utc>::from_timestamp(1_764_790_000, 0).expect("anchor");
        assert_eq!(anchored, Clock::Shifted(want));
    }

    #[test]
    fn typed_days() {
        let cases = [
            ("03/12/2026", Some(day(2026, 12, 3))),
            ("3/12/2026", Some(day(2026, 12, 3))),
            (" 03-12-2026 ", Some(day(2026, 12, 3))),
            ("03.12.2026", Some(day(2026, 12, 3))),
            ("2026-12-03", Some(day(2026, 12, 3))),
            ("29/02/2028", Some(day(2028, 2, 29))),
            ("29/02/2027", None),
            ("12/31/2026", None),
            ("31/12/26", None),
            ("", None),
            ("3/12", None),
            ("aa/bb/cccc", None),
            ("+3/12/2026", None),
            ("01-02-03", None),
            ("0001-02-03", NaiveDate::from_ymd_opt(1, 2, 3)),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_day(raw), want, "{raw:?}");
        }
    }
}
