//! Who may ask to change or stop an account: its holder; for an account registered
//! for a child through a parent (or guardian, người giám hộ), that parent, and only
//! while the child is under 18 by the birth date on record (not the one declared).

use super::child::age_on;
use super::{Facts, Finding, Severity::*, field};
use crate::{AccountOnRecord, DeclarationKind};

/// Adds `<prefix>.requester` when the person asking may not ask for `acc`.
pub(super) fn check(f: &Facts<'_>, acc: &AccountOnRecord, prefix: &str, out: &mut Vec<Finding>) {
    let minor = age_on(acc.birth_date, f.submitted_on) < 18;
    let declared_parent = f.parent_ma_so.map(str::trim);
    let why = match (f.kind, acc.parent_ma_so_bhxh.as_deref().map(str::trim)) {
        (DeclarationKind::Child, Some(parent)) if declared_parent != Some(parent) => Some((
            "Người yêu cầu không phải cha/mẹ (người giám hộ) đã đăng ký tài khoản cho trẻ.",
            "The person asking is not the parent (or guardian) the child's account was registered through.",
        )),
        (DeclarationKind::Child, Some(_)) if !minor => Some((
            "Theo hồ sơ, người này đã đủ 18 tuổi: chính họ phải tự yêu cầu, cha/mẹ không yêu cầu thay được.",
            "By the record this person is 18 or older: they must ask themselves, not through a parent.",
        )),
        (DeclarationKind::Child, None) => Some((
            "Tài khoản này không phải tài khoản đăng ký cho trẻ qua cha/mẹ: chính chủ tài khoản phải tự yêu cầu.",
            "This account was not registered for a child through a parent: its holder must ask.",
        )),
        (DeclarationKind::Adult, Some(_)) if minor => Some((
            "Tài khoản của trẻ dưới 18 tuổi chỉ thay đổi theo yêu cầu của cha/mẹ (người giám hộ) đã đăng ký cho trẻ.",
            "A child's account (under 18) changes only at the request of the parent or guardian who registered it.",
        )),
        _ => None,
    };
    if let Some((vi, en)) = why {
        out.push(
            Finding::new(&format!("{prefix}.requester"), Block, &[field::PARENT], vi, en)
                .reason("NGUOI_YEU_CAU_KHONG_HOP_LE"),
        );
    }
}

/// The account a request is about, when the register has it active under this mã số.
pub(super) fn active_account<'a>(f: &Facts<'_>, acc: Option<&'a AccountOnRecord>) -> Option<&'a AccountOnRecord> {
    acc.filter(|a| a.active && a.ma_so_bhxh.trim() == f.ma_so.trim())
}
