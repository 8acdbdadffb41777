//! A child registered through a parent's account: under 18 on the submission date,
//! a birth-certificate photo, a parent account that exists and is approved, a
//! parent who is not the child and is plausibly older.

use super::{Context, Facts, Finding, Severity::*, field};
use crate::{DeclarationKind, DeclarationStatus, DocumentKind};
use chrono::Datelike;

pub(super) fn age_on(birth: chrono::NaiveDate, day: chrono::NaiveDate) -> i32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

pub fn check(f: &Facts<'_>, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if f.kind != DeclarationKind::Child {
        return;
    }
    let age = age_on(f.birth_date, f.submitted_on);
    if age >= 18 {
        out.push(
            Finding::new(
                "child.too_old",
                Block,
                &[field::BIRTH_DATE],
                format!("Người được đăng ký đã {age} tuổi tại ngày nộp: phải tự đăng ký tài khoản cá nhân."),
                format!("The person was {age} on the submission date: they must register themselves."),
            )
            .reason("TRE_DU_18"),
        );
    }
    // Born after the submission: birth.rs says so for every kind of declaration.
    // A birth certificate proves the relation when the account is made; an
    // adjustment or a stop goes through the account already on record.
    if f.purpose == crate::Purpose::Register && !f.documents.contains(&DocumentKind::BirthCertificate) {
        out.push(
            Finding::new(
                "child.no_birth_certificate",
                Block,
                &[field::DOCUMENTS],
                "Thiếu ảnh giấy khai sinh của trẻ.",
                "The birth certificate photo is missing.",
            )
            .reason("THIEU_KHAI_SINH"),
        );
    }
    let Some(parent) = f.parent_ma_so else {
        out.push(
            Finding::new(
                "child.parent_missing",
                Block,
                &[field::PARENT],
                "Thiếu mã số BHXH của cha/mẹ (người đăng ký thay).",
                "The parent's social insurance number is missing.",
            )
            .reason("CHA_ME_CHUA_CO_TK"),
        );
        return;
    };
    if parent == f.ma_so {
        out.push(
            Finding::new(
                "child.parent_is_child",
                Block,
                &[field::PARENT, field::MA_SO],
                "Mã số BHXH của cha/mẹ trùng mã số của trẻ.",
                "The parent's number is the child's own.",
            )
            .reason("MA_SO_SAI"),
        );
        return;
    }
    let known: Vec<_> = ctx.registry.with_ma_so(parent).filter(|e| !e.is_child).collect();
    if known.is_empty() {
        out.push(Finding::new(
            "child.parent_unverified",
            Info,
            &[field::PARENT],
            "Chưa có thông tin tài khoản của cha/mẹ trên máy: kiểm tra tài khoản đã được duyệt.",
            "The parent's account is not known on this PC: check that it is approved.",
        ));
    } else if !known.iter().any(|e| e.status == DeclarationStatus::Approved) {
        out.push(
            Finding::new(
                "child.parent_not_approved",
                Block,
                &[field::PARENT],
                "Tài khoản của cha/mẹ chưa được duyệt.",
                "The parent's account is not approved.",
            )
            .reason("CHA_ME_CHUA_CO_TK"),
        );
    }
    if let Some(parent_birth) = known.iter().find_map(|e| e.birth_date) {
        let gap = age_on(parent_birth, f.birth_date);
        if gap < 14 {
            out.push(Finding::new(
                "child.parent_age_gap",
                Warn,
                &[field::PARENT, field::BIRTH_DATE],
                format!("Cha/mẹ chỉ hơn trẻ {gap} tuổi: kiểm tra lại quan hệ và ngày sinh."),
                format!("The parent is only {gap} years older than the child: check the relation and dates."),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ages() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(super::age_on(d(2008, 5, 17), d(2026, 5, 16)), 17);
        assert_eq!(super::age_on(d(2008, 5, 17), d(2026, 5, 17)), 18);
        assert_eq!(super::age_on(d(2008, 2, 29), d(2026, 2, 28)), 17);
    }
}
