//! mã số BHXH: 10 digits; equal to the last 10 characters of a given BHYT code.

use super::{Facts, Finding, Severity::*, field};
use crate::{BhytCode, MaSoBhxh};

pub fn check(f: &Facts<'_>, out: &mut Vec<Finding>) {
    let Ok(ma_so) = f.ma_so.parse::<MaSoBhxh>() else {
        out.push(
            Finding::new(
                "ma_so.shape",
                Block,
                &[field::MA_SO],
                "Mã số BHXH phải gồm đúng 10 chữ số.",
                "The social insurance number must be exactly 10 digits.",
            )
            .reason("MA_SO_SAI"),
        );
        return;
    };
    if let Some(code) = f.bhyt_code {
        match code.parse::<BhytCode>() {
            Ok(c) if c.ma_so() != &ma_so => out.push(
                Finding::new(
                    "ma_so.bhyt_mismatch",
                    Block,
                    &[field::MA_SO, field::BHYT],
                    format!("Mã số BHXH không trùng 10 ký tự cuối của mã thẻ BHYT ({}).", c.ma_so()),
                    format!(
                        "The social insurance number differs from the last 10 characters of the health card code ({}).",
                        c.ma_so()
                    ),
                )
                .reason("MA_SO_SAI"),
            ),
            Ok(_) => {}
            Err(_) => out.push(Finding::new(
                "bhyt.shape",
                Warn,
                &[field::BHYT],
                "Mã thẻ BHYT không đúng định dạng (15 ký tự hoặc 10 chữ số).",
                "The health card code is not 15 characters or 10 digits.",
            )),
        }
    }
}
