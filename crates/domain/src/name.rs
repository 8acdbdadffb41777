//! Person names: normalised once (NFC, single spaces), compared the way an
//! officer would ("same", "same but case or spacing", "same but the marks").

use crate::fold::{fold, has_diacritics};
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("name is empty")]
    Empty,
    #[error("name contains {0:?}, which is not a letter of a Vietnamese name")]
    BadChar(char),
    #[error("name is longer than 100 characters")]
    TooLong,
}

impl NameError {
    pub fn message_vi(&self) -> String {
        match self {
            NameError::Empty => "Họ tên trống.".into(),
            NameError::BadChar(c) => format!("Họ tên có ký tự không hợp lệ: “{c}”."),
            NameError::TooLong => "Họ tên dài quá 100 ký tự.".into(),
        }
    }
}

/// Letters (any script's, so names of foreign residents pass), spaces, and the
/// apostrophe and hyphen some names carry. Digits and symbols never belong.
fn allowed(c: char) -> bool {
    c.is_alphabetic() || c == ' ' || c == '\'' || c == '-' || unicode_normalization::char::is_combining_mark(c)
}

impl std::str::FromStr for PersonName {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, NameError> {
        // Zero-width and direction marks are invisible: drop them rather than
        // let two "equal" names differ.
        let invisible =
            |c: &char| matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}' | '\u{FEFF}');
        let space = |c: char| if c.is_whitespace() { ' ' } else { c };
        // Dropped before composing: a mark typed after a zero-width space belongs to the
        // letter before it, as it shows (else the name would not parse back to itself).
        let visible: String = s.chars().filter(|c| !invisible(c)).map(space).collect();
        // Names arrive composed almost always: skip the NFC pass when it would change nothing.
        let cleaned: String =
            if unicode_normalization::is_nfc_quick(visible.chars()) == unicode_normalization::IsNormalized::Yes {
                visible
            } else {
                visible.nfc().collect()
            };
        let collapsed = cleaned.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            return Err(NameError::Empty);
        }
        if collapsed.chars().count() > 100 {
            return Err(NameError::TooLong);
        }
        if let Some(c) = collapsed.chars().find(|c| !allowed(*c)) {
            return Err(NameError::BadChar(c));
        }
        Ok(Self(collapsed))
    }
}

impl std::fmt::Display for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How two spellings of a name relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameMatch {
    Equal,
    /// Same letters and marks; only upper/lower case or spacing differ.
    EqualIgnoringCase,
    /// Same letters once the marks are dropped ("Nguyen Van An" / "Nguyễn Văn An").
    DiffersOnlyInDiacritics,
    Different,
}

impl PersonName {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn has_diacritics(&self) -> bool {
        has_diacritics(&self.0)
    }

    pub fn compare(&self, other: &PersonName) -> NameMatch {
        if self.0 == other.0 {
            NameMatch::Equal
        } else if self.0.to_lowercase() == other.0.to_lowercase() {
            NameMatch::EqualIgnoringCase
        } else if fold(&self.0) == fold(&other.0) {
            NameMatch::DiffersOnlyInDiacritics
        } else {
            NameMatch::Different
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> PersonName {
        s.parse().expect("valid name")
    }

    #[test]
    fn normalises() {
        assert_eq!(n("  Nguyễn   Văn\tAn ").as_str(), "Nguyễn Văn An");
        assert_eq!(n("Nguye\u{302}\u{303}n Va\u{306}n An").as_str(), "Nguyễn Văn An");
        assert_eq!(n("Nguyễn\u{200B} Văn An").as_str(), "Nguyễn Văn An");
        // A mark after an invisible character composes with the letter it shows on.
        assert_eq!(n("Nguye\u{302}\u{200B}\u{303}n").as_str(), "Nguyễn");
        assert_eq!(n("G\u{200B}\u{301}"), n("G\u{301}"));
        assert_eq!(n("H'Hen Niê").as_str(), "H'Hen Niê");
        assert!(matches!("".parse::<PersonName>(), Err(NameError::Empty)));
        assert!(matches!("   ".parse::<PersonName>(), Err(NameError::Empty)));
        assert!(matches!("Nguyễn Văn 2".parse::<PersonName>(), Err(NameError::BadChar('2'))));
        assert!(matches!("<script>".parse::<PersonName>(), Err(NameError::BadChar('<'))));
        assert!(matches!("Robert'); DROP TABLE".parse::<PersonName>(), Err(NameError::BadChar(')'))));
    }

    #[test]
    fn comparisons() {
        use NameMatch::*;
        for (a, b, want) in [
            ("Nguyễn Văn An", "Nguyễn Văn An", Equal),
            ("Nguyễn Văn An", "NGUYỄN VĂN AN", EqualIgnoringCase),
            ("Nguyễn Văn An", "nguyễn  văn an", EqualIgnoringCase),
            ("Nguyễn Văn An", "Nguyen Van An", DiffersOnlyInDiacritics),
            ("Đặng Thị Ánh", "DANG THI ANH", DiffersOnlyInDiacritics),
            ("Nguyễn Văn An", "Nguyễn Văn Ân", DiffersOnlyInDiacritics),
            ("Nguyễn Văn An", "Nguyễn Văn Anh", Different),
            ("Lê Thị Hà", "Lê Thị Hạnh", Different),
        ] {
            assert_eq!(n(a).compare(&n(b)), want, "{a} / {b}");
        }
    }
}
