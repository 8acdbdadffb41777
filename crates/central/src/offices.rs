//! The office tree, from `assets/offices.tsv`.

use bhxh_protocol::{Office, OfficeName};
use chrono::NaiveDate;
use std::collections::BTreeMap;

const OFFICES_TSV: &str = include_str!("../../../assets/offices.tsv");

#[derive(Debug, thiserror::Error)]
#[error("assets/offices.tsv line {line}: {problem}")]
pub struct OfficeTableError {
    line: usize,
    problem: String,
}

pub fn parse(tsv: &str) -> Result<Vec<Office>, OfficeTableError> {
    let mut by_code: BTreeMap<String, Office> = BTreeMap::new();
    let mut header_seen = false;
    for (i, line) in tsv.lines().enumerate() {
        let err = |problem: String| OfficeTableError { line: i + 1, problem };
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !header_seen {
            header_seen = true;
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 5 {
            return Err(err(format!("expected at least 5 columns, got {}", cols.len())));
        }
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| err(format!("date {s:?}: {e}")));
        let valid_to = if cols[4].is_empty() { None } else { Some(date(cols[4])?) };
        let office = by_code.entry(cols[0].to_owned()).or_insert_with(|| Office {
            code: cols[0].to_owned(),
            parent_code: (!cols[1].is_empty()).then(|| cols[1].to_owned()),
            names: Vec::new(),
            aliases: Vec::new(),
        });
        office.names.push(OfficeName { name: cols[2].to_owned(), valid_from: date(cols[3])?, valid_to });
        if let Some(aliases) = cols.get(5) {
            office.aliases.extend(aliases.split(';').filter(|a| !a.is_empty()).map(str::to_owned));
        }
    }
    Ok(by_code.into_values().collect())
}

pub fn all() -> Result<Vec<Office>, OfficeTableError> {
    parse(OFFICES_TSV)
}

#[cfg(test)]
mod tests {
    #[test]
    fn builtin_table_parses_and_parents_exist() {
        let offices = super::all().expect("parses");
        let codes: Vec<_> = offices.iter().map(|o| o.code.as_str()).collect();
        for o in &offices {
            if let Some(p) = &o.parent_code {
                assert!(codes.contains(&p.as_str()), "parent {p} of {}", o.code);
            }
            assert!(!o.names.is_empty());
        }
        let q6 = offices.iter().find(|o| o.code == "07916").expect("Quận 6");
        assert_eq!(q6.names.len(), 2);
        assert_eq!(q6.names[0].name, "BHXH Quận 6");
    }
}
