//! Reference data from the versioned files in `assets/`, parsed once. The files
//! are compiled in (no I/O at run time); each says where its list comes from.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const CCCD_PROVINCES: &str = include_str!("../../../assets/reference/cccd-province-codes.tsv");
const UNITS_2025_07: &str = include_str!("../../../assets/reference/admin-units-2025-07-01.tsv");
const UNITS_2025_03: &str = include_str!("../../../assets/reference/admin-units-2025-03-12.tsv");
const MOBILE_PREFIXES: &str = include_str!("../../../assets/mobile-prefixes.tsv");
const MOBILE_RENUMBERING: &str = include_str!("../../../assets/mobile-renumbering-2018.tsv");
const BHYT_GROUPS: &str = include_str!("../../../assets/bhyt-groups.tsv");
const OFFICES: &str = include_str!("../../../assets/offices.tsv");
const REASONS: &str = include_str!("../../../assets/reasons.tsv");
const ID_DOCUMENTS: &str = include_str!("../../../assets/id-documents.tsv");

/// Rows of a TSV file: `#` comments and the header line skipped.
fn rows(tsv: &str) -> impl Iterator<Item = Vec<&str>> {
    tsv.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).skip(1).map(|l| l.split('\t').collect())
}

#[derive(Debug, Clone)]
pub struct OfficeRecord {
    pub code: String,
    pub parent: Option<String>,
    pub name: String,
    pub valid_from: chrono::NaiveDate,
    pub valid_to: Option<chrono::NaiveDate>,
    /// The province office it belongs to since 1 July 2025 (its code without the
    /// leading "0"; empty for the offices that did not move).
    pub province_2025: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReasonKind {
    Resubmit,
    Reject,
}

#[derive(Debug, Clone)]
pub struct Reason {
    pub code: String,
    pub kind: ReasonKind,
    /// The officer's label; the citizen is told `citizen_vi` whatever language the officer reads.
    pub label: crate::Text,
    pub citizen_vi: String,
}

/// Names in an address are compared folded (no marks, lower case) and without the
/// unit word ("Phường", "Quận", …), because people type "P.9" or "phuong 9".
pub fn address_key(name: &str) -> String {
    let folded = crate::fold::fold(name);
    let mut s = folded.trim();
    for prefix in
        ["thanh pho ", "tinh ", "quan ", "huyen ", "thi xa ", "phuong ", "xa ", "thi tran ", "dac khu ", "tp. ", "tp "]
    {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest;
            break;
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub struct ReferenceData {
    pub cccd_provinces: HashMap<String, String>,
    pub mobile_prefixes: HashSet<String>,
    /// Old 4-digit prefix → new 3-digit prefix.
    pub renumbering: HashMap<String, String>,
    pub bhyt_groups: HashMap<String, String>,
    pub offices: Vec<OfficeRecord>,
    pub reasons: Vec<Reason>,
    /// The last day a CMND is valid for a declaration (`assets/id-documents.tsv`).
    pub cmnd_valid_until: Option<chrono::NaiveDate>,
    /// Two-level units since 1 July 2025: province key → commune keys.
    pub communes_2025: HashMap<String, HashSet<String>>,
    /// Three-level units before: province key → district key → commune keys.
    pub communes_2025_03: HashMap<String, HashMap<String, HashSet<String>>>,
}

impl ReferenceData {
    pub fn get() -> &'static ReferenceData {
        static DATA: OnceLock<ReferenceData> = OnceLock::new();
        DATA.get_or_init(Self::parse)
    }

    fn parse() -> Self {
        let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let mut communes_2025: HashMap<String, HashSet<String>> = HashMap::new();
        for r in rows(UNITS_2025_07).filter(|r| r.len() >= 4) {
            communes_2025.entry(address_key(r[1])).or_default().insert(address_key(r[3]));
        }
        let mut communes_2025_03: HashMap<String, HashMap<String, HashSet<String>>> = HashMap::new();
        for r in rows(UNITS_2025_03).filter(|r| r.len() >= 6) {
            communes_2025_03
                .entry(address_key(r[1]))
                .or_default()
                .entry(address_key(r[3]))
                .or_default()
                .insert(address_key(r[5]));
        }
        let cmnd_valid_until = rows(ID_DOCUMENTS).find(|r| r.first() == Some(&"cmnd")).and_then(|r| date(r.get(1)?));
        Self {
            cmnd_valid_until,
            cccd_provinces: rows(CCCD_PROVINCES)
                .filter(|r| r.len() >= 2)
                .map(|r| (r[0].to_owned(), r[1].to_owned()))
                .collect(),
            mobile_prefixes: rows(MOBILE_PREFIXES).map(|r| r[0].trim().to_owned()).collect(),
            renumbering: rows(MOBILE_RENUMBERING)
                .filter(|r| r.len() >= 2)
                .map(|r| (r[0].to_owned(), r[1].to_owned()))
                .collect(),
            bhyt_groups: rows(BHYT_GROUPS)
                .filter(|r| r.len() >= 2)
                .map(|r| (r[0].to_owned(), r[1].to_owned()))
                .collect(),
            offices: rows(OFFICES)
                .filter(|r| r.len() >= 5)
                .filter_map(|r| {
                    Some(OfficeRecord {
                        code: r[0].to_owned(),
                        parent: (!r[1].is_empty()).then(|| r[1].to_owned()),
                        name: r[2].to_owned(),
                        valid_from: date(r[3])?,
                        valid_to: date(r[4]),
                        province_2025: r.get(6).map(|p| p.trim()).filter(|p| !p.is_empty()).map(str::to_owned),
                    })
                })
                .collect(),
            reasons: rows(REASONS)
                .filter(|r| r.len() >= 5)
                .filter_map(|r| {
                    let kind = match r[1] {
                        "resubmit" => ReasonKind::Resubmit,
                        "reject" => ReasonKind::Reject,
                        _ => return None,
                    };
                    Some(Reason {
                        code: r[0].to_owned(),
                        kind,
                        label: crate::Text::new(r[2], r[4]),
                        citizen_vi: r[3].to_owned(),
                    })
                })
                .collect(),
            communes_2025,
            communes_2025_03,
        }
    }

    pub fn reason(&self, code: &str) -> Option<&Reason> {
        self.reasons.iter().find(|r| r.code == code)
    }

    /// The province-level office an office answers to today: the root of its
    /// branch, moved to the merged province's office for the provinces merged on
    /// 1 July 2025. `None` for a code the tree does not hold.
    pub fn province_office(&self, code: &str) -> Option<String> {
        let parent = |c: &str| self.offices.iter().find(|o| o.code == c).map(|o| o.parent.as_deref());
        let mut at = code;
        // The tree is two levels deep; the bound only guards against a loop in an edited file.
        for _ in 0..8 {
            match parent(at)? {
                Some(p) => at = p,
                None => {
                    let merged = self.offices.iter().filter(|o| o.code == at).find_map(|o| o.province_2025.as_deref());
                    return Some(merged.map_or_else(|| at.to_owned(), |p| format!("0{p}")));
                }
            }
        }
        None
    }

    /// The office's record valid on `day`, if the office existed then.
    pub fn office_on(&self, code: &str, day: chrono::NaiveDate) -> Option<&OfficeRecord> {
        self.offices.iter().find(|o| o.code == code && o.valid_from <= day && o.valid_to.is_none_or(|t| day <= t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_parses_to_what_its_source_says() {
        let r = ReferenceData::get();
        assert_eq!(r.cccd_provinces.len(), 63);
        assert_eq!(r.cccd_provinces.get("079").map(String::as_str), Some("Thành phố Hồ Chí Minh"));
        assert_eq!(r.communes_2025.len(), 34);
        assert_eq!(rows(UNITS_2025_07).count(), 3321);
        // Folded keys merge a "Xã X" and a "Phường X" of one province: a few fewer keys than rows.
        assert!(r.communes_2025.values().map(HashSet::len).sum::<usize>() > 3300);
        assert_eq!(r.communes_2025_03.len(), 63);
        assert_eq!(r.renumbering.get("0168").map(String::as_str), Some("038"));
        assert!(r.mobile_prefixes.contains("090"));
        assert!(!r.mobile_prefixes.contains("095"));
        assert!(r.bhyt_groups.contains_key("DN") && r.bhyt_groups.contains_key("TE"));
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date");
        assert!(r.office_on("07916", day(2021, 5, 1)).is_some_and(|o| o.name == "BHXH Quận 6"));
        assert!(r.office_on("07916", day(2026, 1, 1)).is_some_and(|o| o.name == "BHXH Cơ sở Quận 6"));
        // Every province-level office before the 2025 merger, 34 after it.
        let provinces = |d| {
            r.offices
                .iter()
                .filter(|o| o.parent.is_none() && o.valid_from <= d && o.valid_to.is_none_or(|t| d <= t))
                .count()
        };
        assert_eq!(provinces(day(2021, 5, 1)), 63);
        assert_eq!(provinces(day(2025, 7, 1)), 34);
        assert_eq!(r.province_office("07916").as_deref(), Some("079"));
        assert_eq!(r.province_office("079").as_deref(), Some("079"));
        assert_eq!(r.province_office("001").as_deref(), Some("001"));
        // Hà Giang joined Tuyên Quang on 1 July 2025.
        assert_eq!(r.province_office("002").as_deref(), Some("008"));
        assert_eq!(r.province_office("99999"), None);
        assert!(r.reasons.len() >= 10);
        assert!(r.reason("SDT_DA_DANG_KY").is_some_and(|x| x.kind == ReasonKind::Reject));
        // A row without its English label would drop out of the catalogue silently.
        assert_eq!(r.reasons.len(), rows(REASONS).count());
        assert!(r.reasons.iter().all(|x| !x.label.en.trim().is_empty() && !x.citizen_vi.is_empty()));
        let q6 = &r.communes_2025_03[&address_key("Thành phố Hồ Chí Minh")][&address_key("Quận 6")];
        assert!(q6.contains(&address_key("Phường 9")));
    }

    #[test]
    fn address_keys() {
        assert_eq!(address_key("Thành phố Hồ Chí Minh"), "ho chi minh");
        assert_eq!(address_key("Quận 6"), "6");
        assert_eq!(address_key("phuong  9"), "9");
        assert_eq!(address_key("Xã Phú Mỹ Hưng"), "phu my hung");
        assert_eq!(address_key("Huyện Củ Chi"), "cu chi");
    }
}
