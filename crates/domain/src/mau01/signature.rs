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

/// Where in `line` the phrase stands (consecutive words), with at most `misses`
/// words read otherwise (OCR of an italic caption loses a word now and then).
fn find_phrase(line: &Line<'_>, phrase: &[&str], misses: usize) -> Option<[f32; 4]> {
    let keys: Vec<String> = line.words.iter().map(|w| w.key()).collect();
    if keys.len() < phrase.len() {
        return None;
    }
    (0..=keys.len() - phrase.len()).find_map(|start| {
        let hits = phrase.iter().zip(&keys[start..]).filter(|(p, k)| **p == k.as_str()).count();
        let first_and_last = keys[start] == phrase[0] || keys[start + phrase.len() - 1] == phrase[phrase.len() - 1];
        (hits + misses >= phrase.len() && hits >= 2 && first_and_last)
            .then(|| union(line.words[start..start + phrase.len()].iter().map(|w| w.bbox)))
            .flatten()
    })
}

fn overlaps_x(a: [f32; 4], b: [f32; 4]) -> bool {
    a[0] < b[0] + b[2] && b[0] < a[0] + a[2]
}

fn intersects(a: [f32; 4], b: [f32; 4]) -> bool {
    overlaps_x(a, b) && a[1] < b[1] + b[3] && b[1] < a[1] + a[3]
}

/// A word that is print, not a signature read as letters.
fn printed(w: &PlacedWord, line_height: f32) -> bool {
    let letters = w.text.chars().filter(|c| c.is_alphanumeric()).count();
    w.conf >= PRINTED_CONF && letters >= 2 && w.bbox[3] <= line_height * 1.6
}

/// The signing space of a page, or `None` when no caption was found or there is
/// no room under it (the caller then cannot tell, and says so).
pub fn locate(words: &[PlacedWord]) -> Option<SigningSpace> {
    let lines = lines(words);
    // The lowest "ghi rõ họ tên" with a title right above it, else the lowest one,
    // else a title alone.
    let mut sign_here: Vec<(usize, [f32; 4])> =
        lines.iter().enumerate().filter_map(|(i, l)| find_phrase(l, SIGN_HERE, 1).map(|b| (i, b))).collect();
    let titles: Vec<(usize, [f32; 4])> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| TITLES.iter().find_map(|t| find_phrase(l, t, 0)).map(|b| (i, b)))
        .collect();
    let title_above = |line: usize, b: [f32; 4]| {
        titles
            .iter()
            .filter(|(i, t)| *i < line && line - i <= 2 && overlaps_x(*t, b) && b[1] - (t[1] + t[3]) < 3.0 * t[3])
            .map(|(_, t)| *t)
            .next_back()
    };
    sign_here.sort_by(|a, b| {
        let titled = |x: &(usize, [f32; 4])| title_above(x.0, x.1).is_some();
        titled(a).cmp(&titled(b)).then(a.1[1].total_cmp(&b.1[1]))
    });
    let (line, caption) = match sign_here.last() {
        Some(&(i, b)) => (i, title_above(i, b).and_then(|t| union([t, b])).unwrap_or(b)),
        None => *titles.last()?,
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
        // (caption lines, where the caption's left edge is, whether a typed name follows)
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

    #[test]
    fn no_caption_or_no_room_is_no_space() {
        assert_eq!(locate(&page(BODY)), None);
        assert_eq!(locate(&[]), None);
        let mut parts = BODY.to_vec();
        parts.extend([("(Ký, ghi rõ họ tên)", 0.6, 0.72), ("Nguyễn Thị Ánh", 0.6, 0.74)]);
        assert_eq!(locate(&page(&parts)), None);
    }
}
