//! The 12-digit citizen identity number `PPP G YY NNNNNN`: province of birth
//! registration, century-and-sex digit, last two digits of the birth year.
//! Nothing beyond "12 digits" is guaranteed for cards issued under the 2024 law,
//! so what the structure says feeds warnings only.

use crate::ids::{IdError, digits_only};
use crate::person::Sex;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cccd(String);
crate::string_newtype!(Cccd);

impl std::str::FromStr for Cccd {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        digits_only("Số CCCD", s.trim(), 12).map(Self)
    }
}

/// What the digits say, when they follow the published structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CccdStructure {
    pub sex: Sex,
    /// First year of the century of birth (1900, 2000, …).
    pub century: i32,
    /// The birth year the digits give.
    pub birth_year: i32,
}

impl Cccd {
    /// The 3-digit code of the province where the birth was registered.
    pub fn province_code(&self) -> &str {
        &self.0[..3]
    }

    /// The century/sex digit and year digits, read by the 2016 rule: 0/1 = male/female
    /// born 1900–1999, 2/3 = 2000–2099, 4/5 = 2100–2199, …
    pub fn structure(&self) -> Option<CccdStructure> {
        let b = self.0.as_bytes();
        let g = (b[3] - b'0') as i32;
        let yy = ((b[4] - b'0') * 10 + (b[5] - b'0')) as i32;
        let century = 1900 + (g / 2) * 100;
        if century > 2300 {
            return None;
        }
        let sex = if g % 2 == 0 { Sex::Male } else { Sex::Female };
        Some(CccdStructure { sex, century, birth_year: century + yy })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_examples_from_the_domain_notes() {
        let c: Cccd = "020093001656".parse().expect("valid");
        assert_eq!(c.province_code(), "020");
        assert_eq!(c.structure(), Some(CccdStructure { sex: Sex::Male, century: 1900, birth_year: 1993 }));
        let c: Cccd = "001215000001".parse().expect("valid");
        assert_eq!(c.province_code(), "001");
        assert_eq!(c.structure(), Some(CccdStructure { sex: Sex::Male, century: 2000, birth_year: 2015 }));
        let c: Cccd = "079185000123".parse().expect("valid");
        assert_eq!(c.structure().map(|s| (s.sex, s.birth_year)), Some((Sex::Female, 1985)));
        let c: Cccd = "079305000123".parse().expect("valid");
        assert_eq!(c.structure().map(|s| (s.sex, s.birth_year)), Some((Sex::Female, 2005)));
    }

    #[test]
    fn shape() {
        for bad in ["02009300165", "0200930016561", "02009300165a", "", "０２００９３００１６５６"] {
            assert!(bad.parse::<Cccd>().is_err(), "{bad}");
        }
        assert_eq!("020 093 001 656".parse::<Cccd>().map(|c| c.to_string()), Ok("020093001656".into()));
    }
}
