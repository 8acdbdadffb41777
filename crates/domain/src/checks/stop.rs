//! A stop (Mẫu 01, "ngừng sử dụng"): the account closes, so who asks matters. The
//! holder asks for their own account; a child's account is stopped by the parent
//! (or guardian) it was registered through, while the child is under 18. A stop
//! while other declarations or benefit claims are waiting on the account is said,
//! so the officer can tell the citizen what the stop does to them.

use super::adjustment::same;
use super::{Context, Facts, Finding, Severity::*, field};
use crate::{ChangedField, Purpose};

pub fn check(f: &Facts<'_>, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if f.purpose != Purpose::Stop {
        return;
    }
    let Some(acc) = super::requester::active_account(f, ctx.account) else {
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
    super::requester::check(f, acc, "stop", out);
    // Knowing a mã số is not enough to close its account: the person stopping it is
    // the one on record (and an adult shows their card, see `id_document`).
    let mut differ: Vec<&str> = Vec::new();
    if !same(ChangedField::FullName, &acc.full_name, f.full_name) {
        differ.push(field::FULL_NAME);
    }
    if acc.birth_date != f.birth_date {
        differ.push(field::BIRTH_DATE);
    }
    if let (Some(record), Some(declared)) = (acc.id_number.as_deref(), f.id_number)
        && !same(ChangedField::IdDocument, record, declared)
    {
        differ.push(field::ID_NUMBER);
    }
    if !differ.is_empty() {
        out.push(
            Finding::new(
                "stop.identity",
                Block,
                &differ,
                "Họ tên, ngày sinh hoặc số giấy tờ trên yêu cầu ngừng không khớp với tài khoản: không ngừng theo yêu cầu này.",
                "The name, birth date or ID number of the stop request does not match the account: it is not stopped on it.",
            )
            .reason("KHONG_KHOP_TAI_KHOAN"),
        );
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
