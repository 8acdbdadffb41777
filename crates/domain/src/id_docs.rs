//! The older identity documents: CMND (9 digits, some provinces 12) and passports.

use crate::ids::{IdError, digits_only};

/// The old identity card number: 9 digits, or 12 where a province issued those.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cmnd(String);
crate::string_newtype!(Cmnd);

impl std::str::FromStr for Cmnd {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let s = s.trim();
        digits_only("Số CMND", s, 9)
            .or_else(|e| match digits_only("Số CMND", s, 12) {
                Ok(v) => Ok(v),
                // Report the usual length: 9.
                Err(_) => Err(e),
            })
            .map(Self)
    }
}

/// A passport number: Vietnamese ones are one letter and seven digits (`C1234567`);
/// foreign ones vary, so 6 to 9 letters and digits with at least one digit pass.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Passport(String);
crate::string_newtype!(Passport);

impl std::str::FromStr for Passport {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let v: String = s.trim().chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        let ok = (6..=9).contains(&v.len())
            && v.chars().all(|c| c.is_ascii_alphanumeric())
            && v.chars().any(|c| c.is_ascii_digit());
        if ok { Ok(Self(v)) } else { Err(IdError::Shape { what: "Số hộ chiếu", got: s.to_owned() }) }
    }
}

impl Passport {
    /// The Vietnamese form: one letter then seven digits.
    pub fn is_vietnamese_form(&self) -> bool {
        let b = self.0.as_bytes();
        b.len() == 8 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmnd_table() {
        for (input, ok) in [
            ("025123456", true),
            ("025 123 456", true),
            ("079123456789", true),
            ("02512345", false),
            ("0251234567", false),
            ("02512345x", false),
        ] {
            assert_eq!(input.parse::<Cmnd>().is_ok(), ok, "{input}");
        }
    }

    #[test]
    fn passport_table() {
        let p: Passport = "c1234567".parse().expect("valid");
        assert_eq!(p.to_string(), "C1234567");
        assert!(p.is_vietnamese_form());
        let p: Passport = "AB123456".parse().expect("foreign");
        assert!(!p.is_vietnamese_form());
        for bad in ["", "ABCDEFGH", "C12", "C1234567890", "C123-4567"] {
            assert!(bad.parse::<Passport>().is_err(), "{bad}");
        }
    }
}
