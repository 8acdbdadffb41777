//! Phone: a Vietnamese mobile number, and whose it is. One phone belongs to one
//! account: a number that an approved account of another mã số holds is a Block.
//! A number that another declaration *still waiting* also gives is a Warn on both,
//! naming the other declaration: the officer decides which is right, and neither
//! citizen is suggested a rejection for the other's declaration.
//!
//! A family is no clash. A child's declaration goes through a parent's (or a
//! guardian's, người giám hộ) account and normally carries that parent's phone, so
//! the parent, the child and the parent's other children share it — in either
//! direction, whether the parent's own declaration is approved or still waiting.

use super::registry::RegistryEntry;
use super::{Context, Facts, Finding, Severity::*, field};
use crate::{DeclarationKind, DeclarationStatus, PhoneVn};

/// The parent (or guardian) a declaration registers a child through.
fn parent_of(kind: DeclarationKind, parent: Option<&str>) -> Option<&str> {
    parent.filter(|p| kind == DeclarationKind::Child && !p.trim().is_empty())
}

/// The declaration and the other are one family sharing the parent's phone.
fn same_family(f: &Facts<'_>, e: &RegistryEntry) -> bool {
    let mine = parent_of(f.kind, f.parent_ma_so);
    let theirs = e.parent_ma_so.as_deref().filter(|p| e.is_child && !p.trim().is_empty());
    // A child is nobody's parent: naming one as "parent" earns no exemption.
    (mine == Some(e.ma_so.as_str()) && !e.is_child) || theirs == Some(f.ma_so) || (mine.is_some() && mine == theirs)
}

/// The same family rule for an account the register holds: the child's parent, a
/// child of this parent, or another child of the same parent.
fn holder_is_family(f: &Facts<'_>, h: &crate::PhoneHolder) -> bool {
    let mine = parent_of(f.kind, f.parent_ma_so);
    let theirs = h.parent_ma_so_bhxh.as_deref().filter(|p| !p.trim().is_empty());
    (mine == Some(h.ma_so_bhxh.as_str()) && theirs.is_none())
        || theirs == Some(f.ma_so)
        || (mine.is_some() && mine == theirs)
}

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
    let mut accounts: Vec<&str> = Vec::new();
    let mut waiting: Vec<&str> = Vec::new();
    let mut family: Vec<&str> = Vec::new();
    for e in ctx.registry.with_phone(parsed.phone.as_str()) {
        if e.ma_so == f.ma_so || e.declaration_id == f.id {
            continue;
        }
        if same_family(f, e) {
            if e.status != DeclarationStatus::Rejected {
                family.push(e.declaration_id.as_str());
            }
            continue;
        }
        match e.status {
            DeclarationStatus::Approved => accounts.push(e.ma_so.as_str()),
            DeclarationStatus::Pending
            | DeclarationStatus::Escalated
            | DeclarationStatus::OnHold
            | DeclarationStatus::Resubmit => {
                waiting.push(e.declaration_id.as_str());
            }
            DeclarationStatus::Rejected => {}
        }
    }
    // Accounts the office has no declaration of (registered before, elsewhere in the
    // province): the central service compared the phone across its register.
    for h in ctx.phone_holders {
        if h.ma_so_bhxh == f.ma_so {
            continue;
        }
        if holder_is_family(f, h) {
            family.push(h.ma_so_bhxh.as_str());
            continue;
        }
        accounts.push(h.ma_so_bhxh.as_str());
    }
    accounts.sort_unstable();
    accounts.dedup();
    waiting.sort_unstable();
    waiting.dedup();
    if !accounts.is_empty() {
        out.push(
            Finding::new(
                "phone.taken",
                Block,
                &[field::PHONE],
                format!(
                    "Số điện thoại {} đã đăng ký cho tài khoản của mã số BHXH khác: {}.",
                    parsed.phone,
                    accounts.join(", ")
                ),
                format!(
                    "Phone {} is registered for the account of another social insurance number: {}.",
                    parsed.phone,
                    accounts.join(", ")
                ),
            )
            .reason("SDT_DA_DANG_KY"),
        );
    }
    family.sort_unstable();
    family.dedup();
    if !family.is_empty() {
        // Said, so the officer sees which declared relation the rule relied on.
        out.push(Finding::new(
            "phone.family",
            Info,
            &[field::PHONE],
            format!(
                "Số điện thoại {} dùng chung trong gia đình (cha/mẹ hoặc người giám hộ và con): {}; không tính là trùng.",
                parsed.phone,
                family.join(", ")
            ),
            format!(
                "Phone {} is shared within the family (parent or guardian and child): {}; not counted as taken.",
                parsed.phone,
                family.join(", ")
            ),
        ));
    }
    if !waiting.is_empty() {
        // No reason attached: which of the two is right is the officer's call.
        out.push(Finding::new(
            "phone.shared_pending",
            Warn,
            &[field::PHONE],
            format!(
                "Tờ khai khác đang chờ xử lý cũng khai số điện thoại {}: {}. Xem cả hai để biết số này của ai.",
                parsed.phone,
                waiting.join(", ")
            ),
            format!(
                "Another declaration still waiting also gives phone {}: {}. Look at both to tell whose number it is.",
                parsed.phone,
                waiting.join(", ")
            ),
        ));
    }
}
