//! Office: exists and is active on the submission date. An address outside the
//! office's area is only Info: Decree 164/2025/NĐ-CP lifted the boundary rule.

use super::{Context, Facts, Finding, Severity::*, field};
use crate::reference::address_key;

pub fn check(f: &Facts<'_>, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let exists = ctx.reference.offices.iter().any(|o| o.code == f.office_code);
    if !exists {
        out.push(Finding::new(
            "office.unknown",
            Block,
            &[field::OFFICE],
            format!("Mã cơ quan BHXH tiếp nhận {} không có trong danh mục.", f.office_code),
            format!("Receiving office {} is not in the office table.", f.office_code),
        ));
        return;
    }
    let Some(office) = ctx.reference.office_on(f.office_code, f.submitted_on) else {
        out.push(Finding::new(
            "office.inactive",
            Warn,
            &[field::OFFICE],
            "Cơ quan BHXH tiếp nhận không còn hoạt động (theo tên gọi) tại ngày nộp.",
            "The receiving office was not active under any name on the submission date.",
        ));
        return;
    };
    // The office's area is the district its name carries ("BHXH Quận 6" → Quận 6).
    let area =
        address_key(office.name.trim_start_matches("BHXH").trim_start_matches(" Cơ sở").trim_start_matches(" cơ sở"));
    if let (Some(d), Some(_)) = (f.district, &office.parent) {
        // An unknown district is the address rule's finding, not this one's.
        let known = ctx
            .reference
            .communes_2025_03
            .get(&address_key(f.province))
            .is_some_and(|ds| ds.contains_key(&address_key(d)));
        if known && !area.is_empty() && address_key(d) != area {
            out.push(Finding::new(
                "office.outside_area",
                Info,
                &[field::OFFICE, field::ADDRESS],
                format!(
                    "Địa chỉ ở {d}, ngoài địa bàn {}: hợp lệ (Nghị định 164/2025/NĐ-CP bỏ giới hạn địa bàn).",
                    office.name
                ),
                format!("The address ({d}) is outside {}'s area: allowed since Decree 164/2025.", office.name),
            ));
        }
    }
}
