//! A stop (Mẫu 01, "ngừng sử dụng"): the account closes, so who asks matters. The
//! holder asks for their own account; a child's account is stopped by the parent
//! (or guardian) it was registered through, while the child is under 18. A stop
//! while other declarations or benefit claims are waiting on the account is said,
//! so the officer can tell the citizen what the stop does to them.

use super::child::age_on;
use super::{Context, Facts, Finding, Severity::*, field};
use crate::{DeclarationKind, Purpose};

pub fn check(f: &Facts<'_>, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if f.purpose != Purpose::Stop {
        return;
    }
    let Some(acc) = ctx.account.filter(|a| a.active && a.ma_so_bhxh == f.ma_so) else {
        out.push(
            Finding::new(
                "stop.no_account",
                Block,
                &[field::MA_SO],
                "Mã số BHXH này không có tài khoản giao dịch điện tử đang dùng: không có gì để ngừng.",
                "This social insurance number has no active e-transaction account: there is nothing to stop.",
            )
            .reason("CHUA_CO_TAI_KHOAN"),
        );
        return;
    };
    let requester = |vi: &str, en: &str| {
        Finding::new("stop.requester", Block, &[field::PARENT], vi.to_owned(), en.to_owned())
            .reason("NGUOI_YEU_CAU_KHONG_HOP_LE")
    };
    let minor = age_on(acc.birth_date, f.submitted_on) < 18;
    match (f.kind, acc.parent_ma_so_bhxh.as_deref()) {
        // A child's account: only through the parent it was registered through.
        (DeclarationKind::Child, Some(parent)) if f.parent_ma_so != Some(parent) => out.push(requester(
            "Người yêu cầu ngừng không phải cha/mẹ (người giám hộ) đã đăng ký tài khoản cho trẻ.",
            "The person asking is not the parent (or guardian) the child's account was registered through.",
        )),
        (DeclarationKind::Child, None) => out.push(requester(
            "Tài khoản này không phải tài khoản đăng ký cho trẻ qua cha/mẹ: chính chủ tài khoản phải tự yêu cầu ngừng.",
            "This account was not registered for a child through a parent: its holder must ask for the stop.",
        )),
        (DeclarationKind::Adult, Some(_)) if minor => out.push(requester(
            "Tài khoản của trẻ dưới 18 tuổi chỉ ngừng theo yêu cầu của cha/mẹ (người giám hộ) đã đăng ký cho trẻ.",
            "A child's account (under 18) is stopped only at the request of the parent or guardian who registered it.",
        )),
        _ => {}
    }
    if acc.pending_declarations > 0 {
        out.push(Finding::new(
            "stop.pending_declarations",
            Warn,
            &[field::MA_SO],
            format!(
                "Tài khoản còn {} tờ khai khác đang chờ xử lý: ngừng tài khoản thì người dân không theo dõi được kết quả trên VssID.",
                acc.pending_declarations
            ),
            format!(
                "{} other declarations of this account are still waiting: once stopped, the citizen cannot follow them in VssID.",
                acc.pending_declarations
            ),
        ));
    }
    if acc.pending_benefits > 0 {
        out.push(Finding::new(
            "stop.pending_benefits",
            Warn,
            &[field::MA_SO],
            format!(
                "Mã số BHXH đang có {} hồ sơ hưởng chế độ chưa giải quyết xong: báo người dân kết quả sẽ không còn gửi qua VssID.",
                acc.pending_benefits
            ),
            format!(
                "{} benefit claims are in progress on this number: tell the citizen their results will no longer reach VssID.",
                acc.pending_benefits
            ),
        ));
    }
}
