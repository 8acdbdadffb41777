//! Vietnamese folding for search and comparison: NFD, drop the combining marks,
//! `đ/Đ → d`, lowercase. `đ` has no decomposition, so Unicode alone misses it.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// "Nguyễn Văn Đạt" → "nguyen van dat". Whitespace is kept as it is.
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether `s` carries any Vietnamese diacritic (a tone or vowel mark, or đ).
pub fn has_diacritics(s: &str) -> bool {
    s.nfd().any(|c| is_combining_mark(c) || c == 'đ' || c == 'Đ')
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
