//! Address: the province and commune exist in the administrative tree valid at
//! the submission date (three levels before 1 July 2025, two since).

use super::{Context, Facts, Finding, Severity::*, field};
use crate::reference::address_key;
use chrono::NaiveDate;

pub fn reform_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or_default()
}

pub fn check(f: &Facts<'_>, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let province = address_key(f.province);
    let commune = address_key(f.commune);
    let unknown = |what_vi: &str, what_en: &str, name: &str| {
        Finding::new(
            &format!("address.{what_en}_unknown"),
            Warn,
            &[field::ADDRESS],
            format!("{what_vi} “{name}” không có trong danh mục đơn vị hành chính tại ngày nộp."),
            format!("{what_en} {name:?} is not in the administrative units valid on the submission date."),
        )
        .reason("DIA_CHI_SAI")
    };
    if f.submitted_on >= reform_day() {
        // Two levels; a declaration still carrying a district is typed from an old form.
        let Some(communes) = ctx.reference.communes_2025.get(&province) else {
            out.push(unknown("Tỉnh/thành phố", "province", f.province));
            return;
        };
        if !communes.contains(&commune) {
            out.push(unknown("Xã/phường", "commune", f.commune));
        }
    } else {
        let Some(districts) = ctx.reference.communes_2025_03.get(&province) else {
            out.push(unknown("Tỉnh/thành phố", "province", f.province));
            return;
        };
        match f.district.map(address_key) {
            Some(d) => match districts.get(&d) {
                None => out.push(unknown("Quận/huyện", "district", f.district.unwrap_or_default())),
                Some(communes) if !communes.contains(&commune) => out.push(unknown("Xã/phường", "commune", f.commune)),
                Some(_) => {}
            },
            None => {
                if !districts.values().any(|c| c.contains(&commune)) {
                    out.push(unknown("Xã/phường", "commune", f.commune));
                }
            }
        }
    }
}
