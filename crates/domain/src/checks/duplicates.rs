//! Duplicates: another pending declaration with the same mã số BHXH, or the same
//! ID number under another mã số.

use super::{Context, Facts, Finding, Severity::*, field};
use crate::DeclarationStatus;

pub fn check(f: &Facts<'_>, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    // Another waiting declaration duplicates a registration; an adjustment or a stop
    // of an account says what waits on it (`stop.pending_declarations`).
    let registering = f.purpose == crate::Purpose::Register;
    let mut same: Vec<&str> = ctx
        .registry
        .with_ma_so(f.ma_so)
        .filter(|e| e.declaration_id != f.id && e.status.is_open())
        .map(|e| e.declaration_id.as_str())
        .collect();
    same.sort_unstable();
    if registering && !same.is_empty() {
        out.push(
            Finding::new(
                "duplicate.pending_ma_so",
                Warn,
                &[field::MA_SO],
                format!("Mã số BHXH này còn tờ khai khác đang chờ xử lý: {}.", same.join(", ")),
                format!("Another pending declaration has this social insurance number: {}.", same.join(", ")),
            )
            .reason("TRUNG_HO_SO"),
        );
    }
    if let Some(id) = f.id_number.map(str::trim).filter(|s| !s.is_empty()) {
        let mut others: Vec<&str> = ctx
            .registry
            .with_id_number(id)
            .filter(|e| e.ma_so != f.ma_so && e.status != DeclarationStatus::Rejected)
            .map(|e| e.ma_so.as_str())
            .collect();
        others.sort_unstable();
        others.dedup();
        if !others.is_empty() {
            out.push(
                Finding::new(
                    "duplicate.id_other_ma_so",
                    Block,
                    &[field::ID_NUMBER, field::MA_SO],
                    format!("Số giấy tờ {id} đã được khai cho mã số BHXH khác: {}.", others.join(", ")),
                    format!("ID number {id} is declared under another social insurance number: {}.", others.join(", ")),
                )
                .reason("MA_SO_SAI"),
            );
        }
    }
}
