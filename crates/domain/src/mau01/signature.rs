//! Where the signer signs, found from the form itself: the caption the signer
//! signs under ("NGƯỜI KÊ KHAI", "(Ký, ghi rõ họ tên)") is located among the
//! page's printed words (text layer or OCR), and the space below it, down to the
//! next printed line, is where ink means a signature. Whatever the layout, the
//! caption is what every printing of Mẫu 01 keeps. The pixels are the documents
//! crate's; this module only says where to look and what to leave out.

use crate::fold::fold;

/// A printed word and where it is on the page: left, top, width, height in
/// fractions of the page, top-left origin.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedWord {
    pub text: String,
    pub bbox: [f32; 4],
    /// How sure the reader is, 0–100: 100 for a text layer, OCR's own otherwise.
    pub conf: u8,
}

impl PlacedWord {
    fn top(&self) -> f32 {
        self.bbox[1]
    }
    fn bottom(&self) -> f32 {
        self.bbox[1] + self.bbox[3]
    }
    fn left(&self) -> f32 {
        self.bbox[0]
    }
    fn centre_y(&self) -> f32 {
        self.bbox[1] + self.bbox[3] / 2.0
    }
    /// The word as compared with a caption: folded, letters and digits only.
    fn key(&self) -> String {
        fold(&self.text).chars().filter(|c| c.is_alphanumeric()).collect()
    }
}

/// The signer's caption, the space to look for ink in, and the printed words
/// inside that space (a typed name, dots) whose pixels are not ink.
#[derive(Debug, Clone, PartialEq)]
pub struct SigningSpace {
    pub caption: [f32; 4],
    pub area: [f32; 4],
    pub printed: Vec<[f32; 4]>,
}

/// "(Ký, ghi rõ họ tên)" and "(Ký và ghi rõ họ tên)": every printing has it.
const SIGN_HERE: &[&str] = &["ghi", "ro", "ho", "ten"];
/// The signer's title above it.
const TITLES: &[&[&str]] = &[
    &["nguoi", "ke", "khai"],
    &["nguoi", "khai"],
    &["nguoi", "dang", "ky"],
    &["nguoi", "de", "nghi"],
    &["nguoi", "giam", "ho"],
    &["nguoi", "dai", "dien"],
];

/// How far below its caption a signature may reach, in page heights.
const MAX_DEPTH: f32 = 0.15;
/// The narrowest the signing space is, in page widths (a short caption is
/// signed under wider than itself).
const MIN_HALF_WIDTH: f32 = 0.15;
/// Less room than this below the caption: nobody signs there, say nothing.
const MIN_DEPTH: f32 = 0.025;
/// OCR words below this confidence may be the signature read as letters.
const PRINTED_CONF: u8 = 80;
/// The confidence a text layer's visible words carry.
pub const TEXT_LAYER_CONF: u8 = 100;
/// More words than any form has: not a form (or a page made to slow the reader).
const MAX_WORDS: usize = 5_000;

/// One printed line: its words left to right.
struct Line<'a> {
    words: Vec<&'a PlacedWord>,
}

impl Line<'_> {
    fn height(&self) -> f32 {
        let top = self.words.iter().map(|w| w.top()).fold(f32::MAX, f32::min);
        let bottom = self.words.iter().map(|w| w.bottom()).fold(f32::MIN, f32::max);
        bottom - top
    }
}

/// Words grouped into lines: a word joins the line whose middle it shares.
fn lines(words: &[PlacedWord]) -> Vec<Line<'_>> {
    let mut sorted: Vec<&PlacedWord> = words.iter().filter(|w| w.bbox.iter().all(|v| v.is_finite())).collect();
    sorted.sort_by(|a, b| a.centre_y().total_cmp(&b.centre_y()));
    let mut out: Vec<Line<'_>> = Vec::new();
    for w in sorted {
        let joins = out.last().is_some_and(|l| {
            let last = l.words[l.words.len() - 1];
            let half = last.bbox[3].max(w.bbox[3]) / 2.0;
            (w.centre_y() - last.centre_y()).abs() < half
        });
        match out.last_mut() {
            Some(l) if joins => l.words.push(w),
            _ => out.push(Line { words: vec![w] }),
        }
    }
    for l in &mut out {
        l.words.sort_by(|a, b| a.left().total_cmp(&b.left()));
    }
    out
}

fn union(boxes: impl IntoIterator<Item = [f32; 4]>) -> Option<[f32; 4]> {
    let (mut l, mut t, mut r, mut b) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    let mut any = false;
    for x in boxes {
        any = true;
        l = l.min(x[0]);
        t = t.min(x[1]);
        r = r.max(x[0] + x[2]);
        b = b.max(x[1] + x[3]);
    }
    any.then_some([l, t, r - l, b - t])
}

/// Every place in `line` the phrase stands (consecutive words), with at most
/// `misses` words read otherwise (OCR of an italic caption loses a word now and then).
fn find_phrase(line: &Line<'_>, phrase: &[&str], misses: usize) -> Vec<[f32; 4]> {
    let keys: Vec<String> = line.words.iter().map(|w| w.key()).collect();
    let mut found = Vec::new();
    let mut start = 0;
    while start + phrase.len() <= keys.len() {
        let hits = phrase.iter().zip(&keys[start..]).filter(|(p, k)| **p == k.as_str()).count();
        let first_and_last = keys[start] == phrase[0] || keys[start + phrase.len() - 1] == phrase[phrase.len() - 1];
        if hits + misses >= phrase.len() && hits >= 2 && first_and_last {
            found.extend(union(line.words[start..start + phrase.len()].iter().map(|w| w.bbox)));
            start += phrase.len();
        } else {
            start += 1;
        }
    }
    found
}

fn overlaps_x(a: [f32; 4], b: [f32; 4]) -> bool {
    a[0] < b[0] + b[2] && b[0] < a[0] + a[2]
}

fn intersects(a: [f32; 4], b: [f32; 4]) -> bool {
    overlaps_x(a, b) && a[1] < b[1] + b[3] && b[1] < a[1] + a[3]
}

/// A word that is print, not a signature read as letters. A text layer's word is
/// print whatever it holds (dots, a rule of underscores); an OCR word is when it
/// was read confidently as letters, or as a row of leader dots.
fn printed(w: &PlacedWord, line_height: f32) -> bool {
    if w.bbox[3] > line_height * 1.6 {
        return false;
    }
    if w.conf >= TEXT_LAYER_CONF {
        return true;
    }
    let letters = w.text.chars().filter(|c| c.is_alphanumeric()).count();
    let leaders = w.text.chars().count() >= 3 && w.text.chars().all(|c| matches!(c, '.' | '…' | '_' | '-' | '·'));
    w.conf >= PRINTED_CONF && (letters >= 2 || leaders)
}

/// A caption found: its line, its box, and the signer's title above it with the
/// title's rank in [`TITLES`] (lower is the declarant).
struct Caption {
    line: usize,
    bbox: [f32; 4],
    title: Option<(usize, [f32; 4])>,
}

/// The signing space of a page, or `None` when no caption was found, there is no
/// room under it, or the page holds more words than any form (the caller then
/// cannot tell, and says so).
pub fn locate(words: &[PlacedWord]) -> Option<SigningSpace> {
    if words.len() > MAX_WORDS {
        return None;
    }
    let lines = lines(words);
    // Titles by line, with their rank: the declarant's caption wins over a
    // guardian's or a unit's printed beside it.
    let mut titles: std::collections::HashMap<usize, Vec<(usize, [f32; 4])>> = std::collections::HashMap::new();
    for (i, l) in lines.iter().enumerate() {
        for (rank, t) in TITLES.iter().enumerate() {
            for b in find_phrase(l, t, 0) {
                titles.entry(i).or_default().push((rank, b));
            }
        }
    }
    let title_above = |line: usize, b: [f32; 4]| {
        (1..=2)
            .filter_map(|up| line.checked_sub(up))
            .flat_map(|i| titles.get(&i).into_iter().flatten())
            .filter(|(_, t)| overlaps_x(*t, b) && b[1] - (t[1] + t[3]) < 3.0 * t[3])
            .min_by_key(|(rank, _)| *rank)
            .copied()
    };
    let captions: Vec<Caption> = lines
        .iter()
        .enumerate()
        .flat_map(|(i, l)| find_phrase(l, SIGN_HERE, 1).into_iter().map(move |b| (i, b)))
        .map(|(line, bbox)| Caption { line, bbox, title: title_above(line, bbox) })
        .collect();
    // The best-ranked title's caption, then the lowest on the page, then the rightmost.
    let best = captions.iter().min_by(|a, b| {
        let rank = |c: &Caption| c.title.map_or(usize::MAX, |(r, _)| r);
        rank(a).cmp(&rank(b)).then(b.bbox[1].total_cmp(&a.bbox[1])).then(b.bbox[0].total_cmp(&a.bbox[0]))
    });
    let (line, caption) = match best {
        Some(c) => (c.line, c.title.and_then(|(_, t)| union([t, c.bbox])).unwrap_or(c.bbox)),
        // No "(Ký, ghi rõ họ tên)": the best-ranked title alone, the lowest of its rank.
        None => titles
            .iter()
            .flat_map(|(i, ts)| ts.iter().map(move |(rank, b)| (*rank, *i, *b)))
            .min_by(|a, b| a.0.cmp(&b.0).then(b.2[1].total_cmp(&a.2[1])))
            .map(|(_, i, b)| (i, b))?,
    };
    let line_height = lines[line].height().max(caption[3] / 2.0);
    let centre = caption[0] + caption[2] / 2.0;
    let half = (caption[2] * 0.75).max(MIN_HALF_WIDTH);
    let (left, right) = ((centre - half).max(0.0), (centre + half).min(1.0));
    let top = caption[1] + caption[3] + line_height * 0.15;
    let column = [left, top, right - left, 1.0];
    // Down to the next printed line under the caption (the typed name, a footer).
    let mut bottom = (top + MAX_DEPTH).min(0.99);
    for l in &lines[line + 1..] {
        let print: Vec<&&PlacedWord> = l
            .words
            .iter()
            .filter(|w| w.centre_y() > top && overlaps_x(column, w.bbox) && printed(w, line_height))
            .collect();
        if let Some(first) = print.iter().map(|w| w.top()).reduce(f32::min) {
            bottom = bottom.min(first - line_height * 0.15);
            break;
        }
    }
    if bottom - top < MIN_DEPTH {
        return None;
    }
    let area = [left, top, right - left, bottom - top];
    let printed_inside = words
        .iter()
        .filter(|w| printed(w, line_height) && intersects(area, w.bbox))
        .map(|w| w.bbox)
        .chain(
            // The caption's own descenders reach into the space's first rows.
            std::iter::once(caption),
        )
        .collect();
    Some(SigningSpace { caption, area, printed: printed_inside })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words of a line at `top`, laid from `left`, each 0.012 high and 0.012 wide
    /// per letter.
    fn line(text: &str, left: f32, top: f32, conf: u8) -> Vec<PlacedWord> {
        let mut x = left;
        text.split_whitespace()
            .map(|t| {
                let w = t.chars().count() as f32 * 0.012;
                let word = PlacedWord { text: t.into(), bbox: [x, top, w, 0.012], conf };
                x += w + 0.008;
                word
            })
            .collect()
    }

    fn page(parts: &[(&str, f32, f32)]) -> Vec<PlacedWord> {
        parts.iter().flat_map(|(t, l, top)| line(t, *l, *top, 100)).collect()
    }

    const BODY: &[(&str, f32, f32)] =
        &[("1. Họ và tên: Nguyễn Thị Ánh", 0.1, 0.25), ("Tôi cam kết chịu trách nhiệm trước pháp luật.", 0.1, 0.6)];

    #[test]
    fn finds_the_caption_wherever_the_layout_puts_it() {
        // (caption lines, the caption's left edge, its top)
        let layouts: &[(&[&str], f32, f32)] = &[
            (&["Người khai", "(Ký, ghi rõ họ tên)"], 0.6, 0.70),
            (&["NGƯỜI KÊ KHAI", "(Ký và ghi rõ họ tên)"], 0.4, 0.66),
            (&["(Ký, ghi rõ họ tên)"], 0.1, 0.72),
            (&["NGƯỜI ĐĂNG KÝ"], 0.55, 0.75),
        ];
        for (caption, left, top) in layouts {
            let mut parts = BODY.to_vec();
            for (k, c) in caption.iter().enumerate() {
                parts.push((c, *left, top + k as f32 * 0.018));
            }
            let space = locate(&page(&parts)).unwrap_or_else(|| panic!("{caption:?}"));
            let last = top + (caption.len() - 1) as f32 * 0.018 + 0.012;
            assert!(space.area[1] >= last && space.area[1] < last + 0.01, "{caption:?}: {space:?}");
            assert!(space.area[0] <= *left && space.area[0] + space.area[2] > left + 0.1, "{caption:?}: {space:?}");
            assert!((space.area[3] - MAX_DEPTH).abs() < 0.001, "{caption:?}: nothing below, full depth");
        }
    }

    #[test]
    fn stops_at_the_typed_name_and_leaves_print_out() {
        let mut parts = BODY.to_vec();
        parts.extend([
            ("NGƯỜI KÊ KHAI", 0.6, 0.7),
            ("(Ký, ghi rõ họ tên)", 0.58, 0.718),
            ("Nguyễn Thị Ánh", 0.6, 0.82),
        ]);
        let space = locate(&page(&parts)).expect("space");
        let bottom = space.area[1] + space.area[3];
        assert!(bottom < 0.82 && bottom > 0.8, "{space:?}");
        // A unit's column at the same height is another signer's.
        parts.extend([("XÁC NHẬN CỦA ĐƠN VỊ", 0.08, 0.7), ("(Ký, đóng dấu)", 0.1, 0.718)]);
        assert_eq!(locate(&page(&parts)).map(|s| s.area), Some(space.area));
    }

    #[test]
    fn an_ocr_caption_with_a_misread_word_is_still_found() {
        let mut words = page(BODY);
        words.extend(line("(Ký, ghi r6 họ tên)", 0.6, 0.72, 71));
        assert!(locate(&words).is_some());
        // Letters OCR made of a signature do not end the space.
        words.extend(line("Vyx", 0.62, 0.76, 40));
        let space = locate(&words).expect("space");
        assert!(space.area[3] > 0.1, "{space:?}");
    }

    /// A guardian's column beside the declarant's, both with "(Ký, ghi rõ họ tên)":
    /// the declarant's space is read, whichever side it is on.
    #[test]
    fn the_declarants_caption_wins_over_another_signers() {
        for (declarant, other) in [(0.6, 0.1), (0.1, 0.6)] {
            let mut parts = BODY.to_vec();
            parts.extend([
                ("NGƯỜI GIÁM HỘ", other, 0.7),
                ("(Ký, ghi rõ họ tên)", other - 0.01, 0.718),
                ("NGƯỜI KÊ KHAI", declarant, 0.7),
                ("(Ký, ghi rõ họ tên)", declarant - 0.01, 0.718),
            ]);
            let space = locate(&page(&parts)).expect("space");
            let centre = space.area[0] + space.area[2] / 2.0;
            assert!((centre - (declarant + 0.1)).abs() < 0.08, "declarant at {declarant}: {space:?}");
        }
    }

    /// Leader dots or a rule in the text layer are print: left out of the ink and
    /// the end of the space, as a typed name is.
    #[test]
    fn dots_in_the_text_layer_are_print() {
        let mut parts = BODY.to_vec();
        parts.extend([("(Ký, ghi rõ họ tên)", 0.6, 0.72), ("..............................", 0.55, 0.8)]);
        let space = locate(&page(&parts)).expect("space");
        assert!(space.area[1] + space.area[3] < 0.8, "{space:?}");
        // The same dots read by OCR, confidently, count as print too.
        let mut words = page(&parts[..parts.len() - 1]);
        words.extend(line("..............", 0.6, 0.79, 85));
        let space = locate(&words).expect("space");
        assert!(space.area[1] + space.area[3] < 0.79, "{space:?}");
    }

    #[test]
    fn a_page_of_endless_words_is_not_read() {
        let mut words: Vec<PlacedWord> = (0..MAX_WORDS)
            .map(|i| PlacedWord { text: "a".into(), bbox: [0.1, (i % 500) as f32 / 600.0, 0.01, 0.01], conf: 100 })
            .collect();
        words.extend(line("(Ký, ghi rõ họ tên)", 0.6, 0.72, 100));
        assert_eq!(locate(&words), None);
    }

    #[test]
    fn no_caption_or_no_room_is_no_space() {
        assert_eq!(locate(&page(BODY)), None);
        assert_eq!(locate(&[]), None);
        let mut parts = BODY.to_vec();
        parts.extend([("(Ký, ghi rõ họ tên)", 0.6, 0.72), ("Nguyễn Thị Ánh", 0.6, 0.74)]);
        assert_eq!(locate(&page(&parts)), None);
    }
}
