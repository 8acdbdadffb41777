//! The birth date itself: not after the day the declaration came in, and not more
//! than 120 years before it (a typing slip such as 1900 for 2000, or the year and
//! the day swapped).

use super::{Facts, Finding, Severity::*, field};
use chrono::Datelike;

/// Older than this on the day of submission is taken for a typing slip.
pub const MAX_AGE_YEARS: i32 = 120;

pub fn check(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let born = f.birth_date.format("%d/%m/%Y");
    let sent = f.submitted_on.format("%d/%m/%Y");
    if f.birth_date > f.submitted_on {
        out.push(
            Finding::new(
                "birth.after_submission",
                Block,
                &[field::BIRTH_DATE],
                format!("Ngày sinh {born} sau ngày nộp tờ khai {sent}: ngày sinh bị khai sai."),
                format!("The birth date {born} is after the day the declaration was sent ({sent}): it is wrong."),
            )
            .reason("NGAY_SINH_SAI"),
        );
        return;
    }
    let cutoff = f.submitted_on.with_year(f.submitted_on.year() - MAX_AGE_YEARS);
    // 29/02 has no twin 120 years back in some years: then the 1st of March is the limit.
    let cutoff = cutoff.or_else(|| f.submitted_on.succ_opt().and_then(|d| d.with_year(d.year() - MAX_AGE_YEARS)));
    if cutoff.is_some_and(|c| f.birth_date < c) {
        out.push(
            Finding::new(
                "birth.too_old",
                Block,
                &[field::BIRTH_DATE],
                format!("Ngày sinh {born} là hơn {MAX_AGE_YEARS} năm trước ngày nộp tờ khai {sent}: ngày sinh bị khai sai."),
                format!("The birth date {born} is more than {MAX_AGE_YEARS} years before the day it was sent ({sent}): it is wrong."),
            )
            .reason("NGAY_SINH_SAI"),
        );
    }
}
