//! Identifiers that cannot hold an invalid value: parse once at the boundary, then trust the type.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{what} must be exactly {len} digits, got {got:?}")]
    WrongLength { what: &'static str, len: usize, got: String },
    #[error("{what} may contain digits only, got {got:?}")]
    NotDigits { what: &'static str, got: String },
    #[error("office code must be 3 or 5 digits, got {0:?}")]
    OfficeCode(String),
    #[error("{what} is not valid: {got:?}")]
    Shape { what: &'static str, got: String },
}

impl IdError {
    /// The sentence for the officer.
    pub fn message_vi(&self) -> String {
        match self {
            IdError::WrongLength { what, len, .. } => format!("{what} phải gồm đúng {len} chữ số."),
            IdError::NotDigits { what, .. } => format!("{what} chỉ được gồm chữ số."),
            IdError::OfficeCode(_) => "Mã cơ quan BHXH phải gồm 3 hoặc 5 chữ số.".into(),
            IdError::Shape { what, .. } => format!("{what} không đúng định dạng."),
        }
    }
}

/// Spaces, dots and dashes are how people type long numbers; they carry no meaning.
pub(crate) fn digits_only(what: &'static str, raw: &str, len: usize) -> Result<String, IdError> {
    let cleaned: String = raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
    if !cleaned.chars().all(|c| c.is_ascii_digit()) {
        return Err(IdError::NotDigits { what, got: raw.to_owned() });
    }
    if cleaned.len() != len {
        return Err(IdError::WrongLength { what, len, got: raw.to_owned() });
    }
    Ok(cleaned)
}

#[macro_export]
#[doc(hidden)]
macro_rules! string_newtype {
    ($name:ident) => {
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <String as serde::Deserialize>::deserialize(d)?;
                raw.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// The 10-digit social insurance number; also the citizen's login name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MaSoBhxh(String);
string_newtype!(MaSoBhxh);

impl std::str::FromStr for MaSoBhxh {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        digits_only("mã số BHXH", s.trim(), 10).map(Self)
    }
}

/// A BHXH office code: 3 digits for a province office (`079`), 5 for a district
/// / base office (`07916`). The parent is never derived from the digits: it comes
/// from the office table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OfficeCode(String);
string_newtype!(OfficeCode);

impl std::str::FromStr for OfficeCode {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let s = s.trim();
        if (s.len() == 3 || s.len() == 5) && s.chars().all(|c| c.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(IdError::OfficeCode(s.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_ma_so(input: &str, expected: Option<&str>) {
        let got = input.parse::<MaSoBhxh>().ok().map(|m| m.to_string());
        assert_eq!(got.as_deref(), expected, "input {input:?}");
    }

    #[test]
    fn ma_so_bhxh_table() {
        check_ma_so("7914820031", Some("7914820031"));
        check_ma_so(" 79 1482 0031 ", Some("7914820031"));
        check_ma_so("79.148.200.31", Some("7914820031"));
        check_ma_so("791482003", None);
        check_ma_so("79148200311", None);
        check_ma_so("79148200a1", None);
        check_ma_so("", None);
        check_ma_so("７９１４８２００３１", None); // full-width digits are not ASCII digits
    }

    #[test]
    fn office() {
        assert!("07916".parse::<OfficeCode>().is_ok());
        assert!("079".parse::<OfficeCode>().is_ok());
        assert!("0791".parse::<OfficeCode>().is_err());
        assert!("07a16".parse::<OfficeCode>().is_err());
    }

    #[test]
    fn serde_rejects_invalid() {
        assert!(serde_json::from_str::<MaSoBhxh>("\"123\"").is_err());
        let m: MaSoBhxh = serde_json::from_str("\"7914820031\"").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"7914820031\"");
    }
}
