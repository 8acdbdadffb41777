//! The employer unit code: its shape, and that the unit is one of the receiving
//! office's (the paper form travels through it to this office, or nowhere).

use super::{Context, Facts, Finding, Severity::*, field};
use crate::UnitCode;

/// The code as typed, shortened and stripped of control characters, to quote it.
fn quoted(raw: &str) -> String {
    let clean: String = raw.trim().chars().filter(|c| !c.is_control()).take(24).collect();
    if raw.trim().chars().count() > 24 { format!("{clean}…") } else { clean }
}

pub fn check(f: &Facts<'_>, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    // The field is optional: blank is no unit, as the central service files it.
    let Some(raw) = f.unit_code.filter(|u| !u.trim().is_empty()) else { return };
    match raw.parse::<UnitCode>() {
        Err(e) => out.push(
            Finding::new(
                "unit.malformed",
                Warn,
                &[field::UNIT],
                format!("Mã đơn vị “{}” {}", quoted(raw), e.message_vi()),
                format!("Unit code {:?}: {e}.", quoted(raw)),
            )
            .reason("MA_DON_VI_SAI"),
        ),
        Ok(code) => {
            if let Some(units) = ctx.units.filter(|u| u.office_code == f.office_code && !u.codes.is_empty())
                && !units.contains(&code)
            {
                out.push(
                        Finding::new(
                            "unit.other_office",
                            Warn,
                            &[field::UNIT],
                            format!(
                                "Đơn vị {code} không có trong danh sách đơn vị của cơ quan BHXH tiếp nhận: tờ khai giấy có thể không đến qua đơn vị này. Hỏi lại người khai mã đơn vị nơi làm việc."
                            ),
                            format!(
                                "Unit {code} is not in the receiving office's list of units: the paper form may not come through it."
                            ),
                        )
                        .reason("MA_DON_VI_SAI"),
                    );
            }
        }
    }
}
