//! Vietnamese mobile numbers, in national form (`0xxxxxxxxx`). Old 11-digit numbers
//! (`01xx…`) are rewritten to their 2018 form, and the parse says it did.

use crate::reference::ReferenceData;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneVn(String);

impl std::fmt::Display for PhoneVn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPhone {
    pub phone: PhoneVn,
    /// The old 11-digit number this was rewritten from.
    pub rewritten_from: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("phone number has characters other than digits: {0:?}")]
    NotDigits(String),
    #[error("phone number must have 10 digits (national form), got {0:?}")]
    WrongLength(String),
    #[error("{0:?} is not a Vietnamese mobile prefix")]
    NotMobile(String),
}

impl PhoneError {
    pub fn message_vi(&self) -> String {
        match self {
            PhoneError::NotDigits(_) => "Số điện thoại chỉ được gồm chữ số.".into(),
            PhoneError::WrongLength(_) => "Số điện thoại di động phải gồm 10 chữ số.".into(),
            PhoneError::NotMobile(p) => format!("Đầu số {p} không phải số di động Việt Nam."),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            PhoneError::NotDigits(_) => "A phone number may contain digits only.".into(),
            PhoneError::WrongLength(_) => "A mobile number must have 10 digits.".into(),
            PhoneError::NotMobile(p) => format!("{p} is not a Vietnamese mobile prefix."),
        }
    }
}

impl PhoneVn {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether two written numbers are the same phone: "+84 903 123 456" is
    /// 0903123456, and an old 01xx number its new form; what does not parse is
    /// compared by its digits.
    pub fn same(a: &str, b: &str) -> bool {
        let norm = |s: &str| {
            PhoneVn::parse(s).map(|p| p.phone.0).unwrap_or_else(|_| s.chars().filter(char::is_ascii_digit).collect())
        };
        norm(a) == norm(b)
    }

    pub fn parse(raw: &str) -> Result<ParsedPhone, PhoneError> {
        let mut s: String = raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')' | '\u{a0}')).collect();
        if let Some(rest) = s.strip_prefix('+') {
            s = rest.to_owned();
        }
        if !s.chars().all(|c| c.is_ascii_digit()) || s.is_empty() {
            return Err(PhoneError::NotDigits(raw.to_owned()));
        }
        // International form: 84 + number without its leading 0.
        if s.starts_with("84") && (s.len() == 11 || s.len() == 12) {
            s = format!("0{}", &s[2..]);
        }
        let data = ReferenceData::get();
        let mut rewritten_from = None;
        if s.len() == 11 && s.starts_with("01") {
            let new_prefix = data.renumbering.get(&s[..4]).ok_or_else(|| PhoneError::NotMobile(s[..4].to_owned()))?;
            rewritten_from = Some(s.clone());
            s = format!("{new_prefix}{}", &s[4..]);
        }
        if s.len() != 10 || !s.starts_with('0') {
            return Err(PhoneError::WrongLength(raw.to_owned()));
        }
        if !data.mobile_prefixes.contains(&s[..3]) {
            return Err(PhoneError::NotMobile(s[..3].to_owned()));
        }
        Ok(ParsedPhone { phone: PhoneVn(s), rewritten_from })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, want: Result<(&str, bool), ()>) {
        let got = PhoneVn::parse(raw).map(|p| (p.phone.0.clone(), p.rewritten_from.is_some())).map_err(|_| ());
        assert_eq!(got, want.map(|(a, b)| (a.to_owned(), b)), "{raw:?}");
    }

    #[test]
    fn phone_table() {
        check("0903123456", Ok(("0903123456", false)));
        check("0903 123 456", Ok(("0903123456", false)));
        check("0903.123.456", Ok(("0903123456", false)));
        check("+84903123456", Ok(("0903123456", false)));
        check("84903123456", Ok(("0903123456", false)));
        check("+84 90 312 3456", Ok(("0903123456", false)));
        check("01689123456", Ok(("0389123456", true)));
        check("0168 912 3456", Ok(("0389123456", true)));
        check("01203123456", Ok(("0703123456", true)));
        check("01993123456", Ok(("0593123456", true)));
        check("+841689123456", Ok(("0389123456", true)));
        check("0283892091", Err(())); // landline (028 Hồ Chí Minh)
        check("0953123456", Err(())); // not a mobile prefix
        check("090312345", Err(()));
        check("09031234567", Err(()));
        check("01113123456", Err(())); // no such old prefix
        check("0903-ABC-456", Err(()));
        check("", Err(()));
        check("+", Err(()));
    }
}
