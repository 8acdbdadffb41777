//! The one search box: a mã số BHXH, a BHYT card code, a CCCD/CMND/passport number,
//! a phone number in any common writing, or a name without marks (optionally with a
//! birth year). One input can mean several things (ten digits are a mã số or a phone
//! number): every reading is tried, exact identifiers first.

use crate::{BhytCode, MaSoBhxh, PhoneVn};

/// An identifier to look up exactly, in its canonical writing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LookupKey {
    MaSo(MaSoBhxh),
    /// CCCD (12 digits), CMND (9 or 12) or passport (letter and 7 digits, upper case).
    IdNumber(String),
    Phone(PhoneVn),
}

impl LookupKey {
    /// The text the directory's lookup tokens are made from.
    pub fn canonical(&self) -> String {
        match self {
            LookupKey::MaSo(m) => format!("ma_so:{m}"),
            LookupKey::IdNumber(n) => format!("id:{n}"),
            LookupKey::Phone(p) => format!("phone:{p}"),
        }
    }
}

/// A name as typed, folded (no marks, lower case, single spaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameQuery {
    pub folded: String,
    pub birth_year: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub keys: Vec<LookupKey>,
    pub name: Option<NameQuery>,
    /// The old 11-digit phone number the input was rewritten from.
    pub phone_rewritten_from: Option<String>,
}

impl SearchQuery {
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.name.is_none()
    }
}

/// Reads the search box. Never fails: what is not an identifier is a name, and what
/// is neither (punctuation only) is an empty query.
pub fn parse(raw: &str) -> SearchQuery {
    let mut q = SearchQuery::default();
    let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')' | '\u{a0}')).collect();
    let digits = compact.strip_prefix('+').unwrap_or(&compact);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        read_digits(raw, digits, compact.starts_with('+'), &mut q);
        return q;
    }
    let upper = compact.to_ascii_uppercase();
    if upper.len() == 15
        && let Ok(code) = upper.parse::<BhytCode>()
    {
        q.keys.push(LookupKey::MaSo(code.ma_so().clone()));
        return q;
    }
    if is_passport(&upper) {
        q.keys.push(LookupKey::IdNumber(upper));
        return q;
    }
    q.name = name_query(raw);
    q
}

fn read_digits(raw: &str, digits: &str, international: bool, q: &mut SearchQuery) {
    let phone = || PhoneVn::parse(raw).ok();
    match digits.len() {
        10 if !international => {
            if let Ok(m) = digits.parse::<MaSoBhxh>() {
                q.keys.push(LookupKey::MaSo(m));
            }
            if let Some(p) = phone() {
                q.keys.push(LookupKey::Phone(p.phone));
            }
        }
        9 => q.keys.push(LookupKey::IdNumber(digits.to_owned())),
        // CCCD numbers start with 0 (province codes 001–096); 84… is a phone number.
        12 if !international && !digits.starts_with("84") => q.keys.push(LookupKey::IdNumber(digits.to_owned())),
        _ => {}
    }
    // 84…, +84… and old 01xx… numbers.
    if q.keys.iter().all(|k| !matches!(k, LookupKey::Phone(_)))
        && let Some(p) = phone()
    {
        q.phone_rewritten_from = p.rewritten_from;
        q.keys.push(LookupKey::Phone(p.phone));
    }
}

fn is_passport(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 8 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)
}

fn name_query(raw: &str) -> Option<NameQuery> {
    let folded = crate::fold::fold(raw);
    let mut words: Vec<&str> = folded.split_whitespace().collect();
    let mut birth_year = None;
    if let Some(last) = words.last()
        && last.len() == 4
        && last.chars().all(|c| c.is_ascii_digit())
    {
        birth_year = last.parse::<i32>().ok().filter(|y| (1900..=2100).contains(y));
        words.pop();
    }
    let words: Vec<String> = words
        .iter()
        .map(|w| w.chars().filter(|c| c.is_alphabetic()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(NameQuery { folded: words.join(" "), birth_year })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(raw: &str) -> Vec<String> {
        parse(raw).keys.iter().map(LookupKey::canonical).collect()
    }

    #[test]
    fn every_common_writing_of_an_identifier_is_read() {
        assert_eq!(keys("7914820031"), ["ma_so:7914820031"]);
        assert_eq!(keys("0912 345 678"), ["ma_so:0912345678", "phone:0912345678"]);
        assert_eq!(keys("+84 912 345 678"), ["phone:0912345678"]);
        assert_eq!(keys("84912345678"), ["phone:0912345678"]);
        assert_eq!(keys("0912.345.678"), ["ma_so:0912345678", "phone:0912345678"]);
        assert_eq!(keys("DN4797914820031"), ["ma_so:7914820031"]);
        assert_eq!(keys("dn 4 79 7914820031"), ["ma_so:7914820031"]);
        assert_eq!(keys("079212345678"), ["id:079212345678"]);
        assert_eq!(keys("123456789"), ["id:123456789"]);
        assert_eq!(keys("c1234567"), ["id:C1234567"]);
        let old = parse("0168 123 4567");
        assert_eq!(old.keys, vec![LookupKey::Phone(PhoneVn::parse("0381234567").unwrap().phone)]);
        assert_eq!(old.phone_rewritten_from.as_deref(), Some("01681234567"));
        assert_eq!(keys("084123456789"), ["id:084123456789"]);
        assert_eq!(keys("849123456789"), Vec::<String>::new());
    }

    #[test]
    fn names_are_folded_and_a_trailing_year_is_a_birth_year() {
        let q = parse("Trần Thị  Bích 1990");
        assert_eq!(q.name, Some(NameQuery { folded: "tran thi bich".into(), birth_year: Some(1990) }));
        assert!(q.keys.is_empty());
        assert_eq!(parse("dang").name.map(|n| n.folded).as_deref(), Some("dang"));
        assert!(parse("  ... ").is_empty());
        assert!(parse("").is_empty());
    }
}
