//! The employer unit code (mã đơn vị): the unit (đơn vị sử dụng lao động, or a
//! school) through which a worker's paper Mẫu 01 travels. The register's codes are
//! two letters, four digits and a letter (`SQ0007Q`, `YC0018C`: the shape of every
//! code the register holds); a five-digit number is accepted too, in case a
//! province's register numbers past 9999.
//! The code is typed by citizens, so it is the one free-text field an employer's
//! spreadsheet opens first: a leading `=`, `+`, `-` or `@` is refused outright.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitCodeError {
    #[error("the unit code is empty")]
    Empty,
    #[error("the unit code starts with {0:?} or holds a control character, which a spreadsheet reads as a formula")]
    Formula(char),
    #[error("the unit code is not two letters, four digits and a letter (like SQ0007Q)")]
    Shape,
}

impl UnitCodeError {
    /// What is wrong, as the officer reads it after the code ("Mã đơn vị “…” …").
    pub fn message_vi(&self) -> &'static str {
        match self {
            UnitCodeError::Empty => "để trống.",
            UnitCodeError::Formula(_) => {
                "có ký tự mà bảng tính hiểu là công thức (=, +, -, @ ở đầu hoặc ký tự điều khiển)."
            }
            UnitCodeError::Shape => "không đúng dạng: hai chữ cái, bốn chữ số và một chữ cái (ví dụ SQ0007Q).",
        }
    }
}

impl FromStr for UnitCode {
    type Err = UnitCodeError;

    /// Spaces around and lower case are the typist's; anything else is refused.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let first = s.chars().next().ok_or(UnitCodeError::Empty)?;
        if matches!(first, '=' | '+' | '-' | '@') {
            return Err(UnitCodeError::Formula(first));
        }
        if let Some(c) = s.chars().find(|c| c.is_control()) {
            return Err(UnitCodeError::Formula(c));
        }
        let code = s.to_ascii_uppercase();
        let b = code.as_bytes();
        let digits = b.len().saturating_sub(3);
        let shape = (7..=8).contains(&b.len())
            && b[..2].iter().all(u8::is_ascii_uppercase)
            && b[2..2 + digits].iter().all(u8::is_ascii_digit)
            && b[b.len() - 1].is_ascii_uppercase();
        if shape { Ok(UnitCode(code)) } else { Err(UnitCodeError::Shape) }
    }
}

impl TryFrom<String> for UnitCode {
    type Error = UnitCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<UnitCode> for String {
    fn from(c: UnitCode) -> String {
        c.0
    }
}

impl UnitCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The employer units of the receiving office, as the central service lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfficeUnits {
    pub office_code: String,
    pub codes: HashSet<UnitCode>,
}

impl OfficeUnits {
    pub fn contains(&self, code: &UnitCode) -> bool {
        self.codes.contains(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let ok: &[(&str, &str)] =
            &[("SQ0007Q", "SQ0007Q"), (" yc0018c ", "YC0018C"), ("TA01234B", "TA01234B"), ("HQ0301Q", "HQ0301Q")];
        for (raw, code) in ok {
            assert_eq!(raw.parse::<UnitCode>().map(String::from).as_deref(), Ok(*code), "{raw:?}");
        }
        let bad: &[(&str, UnitCodeError)] = &[
            ("", UnitCodeError::Empty),
            ("   ", UnitCodeError::Empty),
            ("=HYPERLINK(\"http://x\")", UnitCodeError::Formula('=')),
            ("+SQ0007Q", UnitCodeError::Formula('+')),
            ("-1+1", UnitCodeError::Formula('-')),
            ("@SUM(A1)", UnitCodeError::Formula('@')),
            ("SQ00\t07Q", UnitCodeError::Formula('\t')),
            ("SQ007Q", UnitCodeError::Shape),
            ("SQ000007Q", UnitCodeError::Shape),
            ("S10007Q", UnitCodeError::Shape),
            ("SQ0007", UnitCodeError::Shape),
            ("SQ 0007Q", UnitCodeError::Shape),
            ("ĐQ0007Q", UnitCodeError::Shape),
            ("SQ0O07Q", UnitCodeError::Shape),
        ];
        for (raw, e) in bad {
            assert_eq!(raw.parse::<UnitCode>().as_ref(), Err(e), "{raw:?}");
        }
    }
}
