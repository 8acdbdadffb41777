//! Times are stored in UTC and shown in the office's time zone.

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

pub fn local_text(t: DateTime<Utc>) -> String {
    t.with_timezone(&Ho_Chi_Minh).format("%d/%m/%Y %H:%M").to_string()
}

/// Whole calendar days waited, counted on the office's calendar.
pub fn age_days(submitted: DateTime<Utc>, now: DateTime<Utc>) -> u32 {
    let a = submitted.with_timezone(&Ho_Chi_Minh).date_naive();
    let b = now.with_timezone(&Ho_Chi_Minh).date_naive();
    (b - a).num_days().max(0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn days_follow_the_office_calendar() {
        let utc = |d, h| Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).single().expect("date");
        // 16:30 UTC on the 20th is 23:30 in Hà Nội/HCM; 17:30 UTC is already the 21st there.
        assert_eq!(age_days(utc(20, 16), utc(20, 17)), 1);
        assert_eq!(age_days(utc(20, 1), utc(20, 15)), 0);
        assert_eq!(age_days(utc(22, 1), utc(20, 1)), 0);
        assert_eq!(local_text(utc(20, 1)), "20/11/2026 08:00");
    }
}
