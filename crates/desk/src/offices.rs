//! Office names over time. Offices were renamed in 2025 ("BHXH Quận 6" became a
//! "BHXH cơ sở"): a declaration shows the name that was valid when it was made.

use bhxh_cache::Cache;
use bhxh_protocol::Office;
use chrono::NaiveDate;

pub const META_KEY: &str = "offices";

pub fn cached(cache: &Cache) -> Vec<Office> {
    cache.meta(META_KEY).ok().flatten().and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default()
}

/// The office's name today, from the reference office tree ("BHXH Cơ sở Quận 6").
pub fn current_name(code: &str) -> String {
    bhxh_domain::reference::ReferenceData::get()
        .offices
        .iter()
        .filter(|o| o.code == code)
        .max_by_key(|o| o.valid_from)
        .map(|o| o.name.clone())
        .unwrap_or_else(|| format!("[{code}]"))
}

pub fn name_on(offices: &[Office], code: &str, day: NaiveDate) -> Option<String> {
    let office = offices.iter().find(|o| o.code == code)?;
    office
        .names
        .iter()
        .find(|n| n.valid_from <= day && n.valid_to.is_none_or(|to| day <= to))
        .or(office.names.last())
        .map(|n| n.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bhxh_protocol::OfficeName;

    #[test]
    fn the_name_valid_on_the_day() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        let offices = vec![Office {
            code: "07916".into(),
            parent_code: Some("079".into()),
            names: vec![
                OfficeName { name: "BHXH Quận 6".into(), valid_from: d(1995, 10, 1), valid_to: Some(d(2025, 6, 30)) },
                OfficeName { name: "BHXH Cơ sở Quận 6".into(), valid_from: d(2025, 7, 1), valid_to: None },
            ],
            aliases: vec![],
        }];
        assert_eq!(name_on(&offices, "07916", d(2021, 5, 30)).as_deref(), Some("BHXH Quận 6"));
        assert_eq!(name_on(&offices, "07916", d(2025, 6, 30)).as_deref(), Some("BHXH Quận 6"));
        assert_eq!(name_on(&offices, "07916", d(2025, 7, 1)).as_deref(), Some("BHXH Cơ sở Quận 6"));
        assert_eq!(name_on(&offices, "07920", d(2025, 7, 1)), None);
    }
}
