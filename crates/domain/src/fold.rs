//! Vietnamese folding for search and comparison: NFD, drop the combining marks,
//! `đ/Đ → d`, lowercase. `đ` has no decomposition, so Unicode alone misses it.

use unicode_normalization::char::is_combining_mark;

/// "Nguyễn Văn Đạt" → "nguyen van dat". Whitespace is kept as it is.
///
/// Character by character (ASCII first, then the canonical decomposition of each
/// letter with its marks dropped): the same result as NFD-and-filter — mark order
/// does not matter once marks are dropped — without NFD's buffering, because the
/// checks fold every name and address of the cache after each sync.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            fold_char(c, &mut out);
        }
    }
    out
}

fn fold_char(c: char, out: &mut String) {
    unicode_normalization::char::decompose_canonical(c, |d| match d {
        'đ' | 'Đ' => out.push('d'),
        d if is_combining_mark(d) => {}
        d => out.extend(d.to_lowercase()),
    });
}

/// Whether `s` carries any Vietnamese diacritic (a tone or vowel mark, or đ).
pub fn has_diacritics(s: &str) -> bool {
    s.chars().any(|c| {
        if c.is_ascii() {
            return false;
        }
        let mut marked = false;
        unicode_normalization::char::decompose_canonical(c, |d| marked |= is_combining_mark(d) || d == 'đ' || d == 'Đ');
        marked
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    /// The definition: NFD, drop the marks, đ → d, lower case.
    fn fold_by_nfd(s: &str) -> String {
        s.nfd()
            .filter(|c| !is_combining_mark(*c))
            .map(|c| if c == 'đ' || c == 'Đ' { 'd' } else { c })
            .flat_map(char::to_lowercase)
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn fast_fold_equals_the_nfd_definition(s in "\\PC{0,40}") {
            proptest::prop_assert_eq!(fold(&s), fold_by_nfd(&s));
            proptest::prop_assert_eq!(has_diacritics(&s), s.nfd().any(|c| is_combining_mark(c) || c == 'đ' || c == 'Đ'));
        }
        #[test]
        fn fast_fold_equals_the_nfd_definition_on_vietnamese(s in "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ \u{300}\u{301}\u{303}\u{309}\u{323}]{0,30}") {
            proptest::prop_assert_eq!(fold(&s), fold_by_nfd(&s));
        }
    }

    #[test]
    fn fold_table() {
        for (input, want) in [
            ("Nguyễn Văn An", "nguyen van an"),
            ("Đặng Thị Ánh", "dang thi anh"),
            ("Đà Nẵng", "da nang"),
            ("Huế", "hue"),
            ("Dương Ngọc Trường", "duong ngoc truong"),
            ("Lê Thị Huyền Trang", "le thi huyen trang"),
            ("Phạm Nguyệt Ánh", "pham nguyet anh"),
            ("Vũ Hải Yến", "vu hai yen"),
            // Decomposed input (as some keyboards send it) folds the same.
            ("Nguye\u{302}\u{303}n", "nguyen"),
            ("ÀẢÃÁẠ ĂẰẲẴẮẶ ÂẦẨẪẤẬ", "aaaaa aaaaaa aaaaaa"),
            ("ÈẺẼÉẸ ÊỀỂỄẾỆ ÌỈĨÍỊ", "eeeee eeeeee iiiii"),
            ("ÒỎÕÓỌ ÔỒỔỖỐỘ ƠỜỞỠỚỢ", "ooooo oooooo oooooo"),
            ("ÙỦŨÚỤ ƯỪỬỮỨỰ ỲỶỸÝỴ", "uuuuu uuuuuu yyyyy"),
            ("ĐINH  Thị\tÁNH", "dinh  thi\tanh"),
        ] {
            assert_eq!(fold(input), want, "{input}");
        }
    }

    #[test]
    fn diacritics() {
        assert!(has_diacritics("Nguyễn"));
        assert!(has_diacritics("Đinh"));
        assert!(!has_diacritics("Nguyen Van An"));
        assert!(!has_diacritics(""));
        assert!(has_diacritics("Nguye\u{302}n"), "decomposed marks count");
    }
}
