//! Phone: a Vietnamese mobile number; one phone number may be registered for only
//! one mã số BHXH (Block when another mã số holds it).

use super::{Context, Facts, Finding, Severity::*, field};
use crate::{DeclarationKind, DeclarationStatus, PhoneVn};

pub fn check(f: &Facts<'_>, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let parsed = match PhoneVn::parse(f.phone) {
        Ok(p) => p,
        Err(e) => {
            out.push(Finding::new("phone.invalid", Block, &[field::PHONE], e.message_vi(), e.to_string()));
            return;
        }
    };
    if let Some(old) = &parsed.rewritten_from {
        out.push(Finding::new(
            "phone.renumbered",
            Info,
            &[field::PHONE],
            format!("Số cũ 11 số {old} đã chuyển thành {} (đổi đầu số năm 2018).", parsed.phone),
            format!("The old 11-digit number {old} is now {} (2018 renumbering).", parsed.phone),
        ));
    }
    // A child goes through the parent's account and phone: the parent's own
    // registration holding that number is expected.
    let parent = f.parent_ma_so.filter(|_| f.kind == DeclarationKind::Child);
    let mut others: Vec<&str> = ctx
        .registry
        .with_phone(parsed.phone.as_str())
        .filter(|e| e.ma_so != f.ma_so && Some(e.ma_so.as_str()) != parent && e.declaration_id != f.id)
        .filter(|e| !matches!(e.status, DeclarationStatus::Rejected))
        .map(|e| e.ma_so.as_str())
        .collect();
    others.sort_unstable();
    others.dedup();
    if !others.is_empty() {
        out.push(
            Finding::new(
                "phone.taken",
                Block,
                &[field::PHONE],
                format!("Số điện thoại {} đã đăng ký cho mã số BHXH khác: {}.", parsed.phone, others.join(", ")),
                format!(
                    "Phone {} is already registered for another social insurance number: {}.",
                    parsed.phone,
                    others.join(", ")
                ),
            )
            .reason("SDT_DA_DANG_KY"),
        );
    }
}
