//! The BHYT card code: legacy `XX Y ZZ NNNNNNNNNN` (group, benefit level 1–5,
//! province, mã số BHXH) or, on cards issued since 1 April 2021, the 10-digit mã số alone.

use crate::ids::{IdError, MaSoBhxh};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BhytCode {
    Legacy { group: String, benefit_level: u8, province: String, ma_so: MaSoBhxh },
    Short(MaSoBhxh),
}

impl std::str::FromStr for BhytCode {
    type Err = IdError;
    fn from_str(raw: &str) -> Result<Self, IdError> {
        let s: String =
            raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_ascii_uppercase();
        let bad = || IdError::Shape { what: "Mã thẻ BHYT", got: raw.to_owned() };
        match s.len() {
            10 => Ok(BhytCode::Short(s.parse()?)),
            15 => {
                let b = s.as_bytes();
                if !(b[0].is_ascii_uppercase() && b[1].is_ascii_uppercase()) {
                    return Err(bad());
                }
                let level = b[2].wrapping_sub(b'0');
                if !(1..=5).contains(&level) || !b[3..5].iter().all(u8::is_ascii_digit) {
                    return Err(bad());
                }
                Ok(BhytCode::Legacy {
                    group: s[..2].to_owned(),
                    benefit_level: level,
                    province: s[3..5].to_owned(),
                    ma_so: s[5..].parse()?,
                })
            }
            _ => Err(bad()),
        }
    }
}

impl BhytCode {
    /// The mã số BHXH: the last 10 characters of the code.
    pub fn ma_so(&self) -> &MaSoBhxh {
        match self {
            BhytCode::Legacy { ma_so, .. } | BhytCode::Short(ma_so) => ma_so,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bhyt_table() {
        let c: BhytCode = "DN4797914820031".parse().expect("legacy");
        assert_eq!(
            c,
            BhytCode::Legacy {
                group: "DN".into(),
                benefit_level: 4,
                province: "79".into(),
                ma_so: "7914820031".parse().expect("ma so")
            }
        );
        let c: BhytCode = "dn 4 79 7914820031".parse().expect("spaced, lower case");
        assert_eq!(c.ma_so().as_str(), "7914820031");
        assert!(matches!("7914820031".parse::<BhytCode>(), Ok(BhytCode::Short(_))));
        for bad in ["DN6797914820031", "D14797914820031", "DN47A7914820031", "DN479791482003X", "DN47979148200", ""] {
            assert!(bad.parse::<BhytCode>().is_err(), "{bad}");
        }
    }
}
