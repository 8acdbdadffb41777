//! The reminder letter as a PDF in the shape of an official letter (công văn,
//! Nghị định 30/2020/NĐ-CP): the issuing office and the national motto side by
//! side, number and subject, place and date, addressee, justified paragraphs, the
//! recipients and the signature block. Text is real text (DejaVu Serif, embedded),
//! so it can be searched, copied and checked.

use ab_glyph::{Font as _, FontRef};
use bhxh_domain::letters::LetterText;
use krilla::Document;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use std::path::{Path, PathBuf};
use tracing::info_span;

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
/// 30 mm left (binding), 20 mm right, 20 mm top and bottom.
const LEFT: f32 = 85.0;
const RIGHT: f32 = PAGE_W - 57.0;
const TOP: f32 = 57.0;
const BOTTOM: f32 = PAGE_H - 57.0;
const BODY: f32 = 13.0;
const LEADING: f32 = 1.35;
/// Centre lines of the header's two columns.
const LEFT_COL: (f32, f32) = (LEFT - 30.0, 290.0);
const RIGHT_COL: (f32, f32) = (300.0, RIGHT + 15.0);

#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    #[error("font {0} not found (install fonts-dejavu-core or set BHXH_FONT_DIR)")]
    FontMissing(String),
    #[error("font {0} is not a usable TrueType font")]
    FontInvalid(PathBuf),
    #[error("writing the PDF failed: {0}")]
    Pdf(String),
}

impl LetterError {
    pub fn message_vi(&self) -> String {
        match self {
            LetterError::FontMissing(name) => {
                format!("Máy thiếu phông chữ {name} để in công văn. Hãy cài gói fonts-dejavu-core.")
            }
            LetterError::FontInvalid(p) => format!("Tệp phông chữ {} bị hỏng.", p.display()),
            LetterError::Pdf(_) => "Không tạo được tệp PDF công văn.".into(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            LetterError::FontMissing(name) => {
                format!(
                    "The font {name} needed to print the letter is missing on this PC. Please install the fonts-dejavu-core package."
                )
            }
            LetterError::FontInvalid(p) => format!("The font file {} is damaged.", p.display()),
            LetterError::Pdf(_) => "Could not create the letter's PDF file.".into(),
        }
    }
}

struct Face {
    pdf: Font,
    bytes: Vec<u8>,
}

impl Face {
    fn load(name: &str) -> Result<Self, LetterError> {
        let path = font_dirs()
            .into_iter()
            .map(|d| d.join(name))
            .find(|p| p.is_file())
            .ok_or_else(|| LetterError::FontMissing(name.to_owned()))?;
        let bytes = std::fs::read(&path).map_err(|_| LetterError::FontInvalid(path.clone()))?;
        FontRef::try_from_slice(&bytes).map_err(|_| LetterError::FontInvalid(path.clone()))?;
        let pdf = Font::new(bytes.clone().into(), 0).ok_or_else(|| LetterError::FontInvalid(path.clone()))?;
        Ok(Self { pdf, bytes })
    }

    /// Width of `text` at `size` points, from the font's advances (no kerning: the
    /// letters' lines are measured with a little room to spare).
    fn width(&self, text: &str, size: f32) -> f32 {
        let Ok(f) = FontRef::try_from_slice(&self.bytes) else { return 0.0 };
        let upem = f.units_per_em().unwrap_or(2048.0);
        text.chars().map(|c| f.h_advance_unscaled(f.glyph_id(c))).sum::<f32>() * size / upem
    }
}

fn font_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(d) = std::env::var_os("BHXH_FONT_DIR") {
        dirs.push(PathBuf::from(d));
    }
    for d in [
        "/usr/share/fonts/truetype/dejavu",
        "/usr/share/fonts/TTF",
        "/usr/share/fonts/dejavu",
        "/usr/local/share/fonts",
    ] {
        dirs.push(Path::new(d).to_path_buf());
    }
    dirs
}

/// The letter fonts, loaded once per batch.
pub struct LetterFonts {
    regular: Face,
    bold: Face,
}

impl LetterFonts {
    pub fn system() -> Result<Self, LetterError> {
        Ok(Self { regular: Face::load("DejaVuSerif.ttf")?, bold: Face::load("DejaVuSerif-Bold.ttf")? })
    }
}

/// One drawing instruction on a page, in points from the top-left corner.
enum Op {
    Text { x: f32, baseline: f32, size: f32, bold: bool, text: String },
    Rule { x0: f32, x1: f32, y: f32 },
}

struct Layout<'a> {
    fonts: &'a LetterFonts,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl<'a> Layout<'a> {
    fn new(fonts: &'a LetterFonts) -> Self {
        Self { fonts, pages: vec![Vec::new()], y: TOP }
    }

    fn face(&self, bold: bool) -> &Face {
        if bold { &self.fonts.bold } else { &self.fonts.regular }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Moves down one line of `size`, starting a page when it would not fit.
    fn line(&mut self, size: f32) -> f32 {
        let step = size * LEADING;
        if self.y + step > BOTTOM {
            self.pages.push(Vec::new());
            self.y = TOP;
        }
        self.y += step;
        self.y
    }

    fn text_at(&mut self, x: f32, baseline: f32, size: f32, bold: bool, text: &str) {
        self.ops().push(Op::Text { x, baseline, size, bold, text: text.to_owned() });
    }

    /// Lines of `text` no wider than `width`, broken at spaces (a word longer than
    /// the line gets a line of its own).
    fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<Vec<String>> {
        let face = self.face(bold);
        let space = face.width(" ", size);
        let mut lines: Vec<Vec<String>> = Vec::new();
        let mut current: Vec<String> = Vec::new();
        let mut used = 0.0;
        for word in text.split_whitespace() {
            let w = face.width(word, size);
            if !current.is_empty() && used + space + w > width {
                lines.push(std::mem::take(&mut current));
                used = 0.0;
            }
            used += if current.is_empty() { w } else { space + w };
            current.push(word.to_owned());
        }
        if !current.is_empty() {
            lines.push(current);
        }
        lines
    }

    /// Centred lines within `(x0, x1)` from the current position.
    fn centred(&mut self, text: &str, size: f32, bold: bool, col: (f32, f32)) -> (f32, f32) {
        let mut widest: (f32, f32) = (f32::MAX, 0.0);
        for words in self.wrap(text, size, bold, col.1 - col.0) {
            let line = words.join(" ");
            let w = self.face(bold).width(&line, size);
            let x = col.0 + (col.1 - col.0 - w) / 2.0;
            let y = self.line(size);
            self.text_at(x, y, size, bold, &line);
            widest = (widest.0.min(x), widest.1.max(x + w));
        }
        widest
    }

    /// A paragraph with its first line indented, justified but for its last line.
    fn paragraph(&mut self, text: &str, size: f32, indent: f32) {
        let width = RIGHT - LEFT;
        let face_space = self.face(false).width(" ", size);
        // The first line is shorter by the indent: wrap it separately.
        let mut rest = text.trim();
        let mut first = true;
        while !rest.is_empty() {
            let avail = if first { width - indent } else { width };
            let lines = self.wrap(rest, size, false, avail);
            let Some(words) = lines.first().cloned() else { break };
            let consumed: usize = words.len();
            let last = lines.len() == 1;
            let x0 = if first { LEFT + indent } else { LEFT };
            let y = self.line(size);
            let widths: Vec<f32> = words.iter().map(|w| self.face(false).width(w, size)).collect();
            let gap = if last || words.len() < 2 {
                face_space
            } else {
                (avail - widths.iter().sum::<f32>()) / (words.len() - 1) as f32
            };
            if last || words.len() < 2 {
                self.text_at(x0, y, size, false, &words.join(" "));
            } else {
                let mut x = x0;
                for (w, wd) in words.iter().zip(&widths) {
                    self.text_at(x, y, size, false, w);
                    x += wd + gap;
                }
            }
            rest = skip_words(rest, consumed);
            first = false;
        }
        self.y += size * 0.35;
    }
}

fn skip_words(text: &str, n: usize) -> &str {
    let mut rest = text.trim_start();
    for _ in 0..n {
        rest = rest.split_once(char::is_whitespace).map_or("", |(_, r)| r).trim_start();
    }
    rest
}

fn layout(l: &LetterText, fonts: &LetterFonts) -> Vec<Vec<Op>> {
    let mut p = Layout::new(fonts);
    // Header, left: the parent office, the issuing office (bold, underlined), the
    // number and the subject; right: the motto (underlined), then place and date.
    let top = p.y;
    p.centred(&l.parent_name, 11.0, false, LEFT_COL);
    let (a, b) = p.centred(&l.office_name, 11.0, true, LEFT_COL);
    let third = (b - a) / 3.0;
    let rule_y = p.y + 6.0;
    p.ops().push(Op::Rule { x0: a + third, x1: b - third, y: rule_y });
    p.y += 8.0;
    p.centred(&l.number_line, 12.0, false, LEFT_COL);
    p.y += 2.0;
    p.centred(&l.subject, 11.0, false, LEFT_COL);
    let left_end = p.y;
    p.y = top;
    // The country's name stays on one line: smaller type rather than a break.
    const MOTTO_TOP: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
    let room = RIGHT_COL.1 - RIGHT_COL.0;
    let size = (11.5 * room / p.face(true).width(MOTTO_TOP, 11.5)).min(11.5) * 0.98;
    p.centred(MOTTO_TOP, size, true, RIGHT_COL);
    let (a, b) = p.centred("Độc lập - Tự do - Hạnh phúc", 12.0, true, RIGHT_COL);
    let rule_y = p.y + 6.0;
    p.ops().push(Op::Rule { x0: a, x1: b, y: rule_y });
    p.y += 12.0;
    p.centred(&l.place_date, 12.0, false, RIGHT_COL);
    p.y = p.y.max(left_end) + 18.0;
    p.centred(&l.addressee_line, BODY, false, (LEFT + 30.0, RIGHT - 30.0));
    p.y += 10.0;
    for para in &l.paragraphs {
        p.paragraph(para, BODY, 28.0);
    }
    // Recipients on the left, the signature on the right, kept on one page.
    let block = 12.0 * LEADING * 4.0 + 80.0;
    if p.y + block > BOTTOM {
        p.pages.push(Vec::new());
        p.y = TOP;
    }
    p.y += 10.0;
    let top = p.y;
    let y = p.line(11.0);
    p.text_at(LEFT, y, 11.0, true, "Nơi nhận:");
    for r in &l.recipients {
        let y = p.line(10.5);
        p.text_at(LEFT, y, 10.5, false, &format!("- {r}"));
    }
    p.y = top;
    p.centred(&l.signer_title, 12.0, true, RIGHT_COL);
    p.y += 62.0;
    p.centred(&l.signer_name, 12.0, true, RIGHT_COL);
    // Pages after the first carry their number, centred at the top.
    let mut pages = p.pages;
    for (i, ops) in pages.iter_mut().enumerate().skip(1) {
        let n = (i + 1).to_string();
        let w = fonts.regular.width(&n, 11.0);
        ops.push(Op::Text { x: (LEFT + RIGHT - w) / 2.0, baseline: TOP - 20.0, size: 11.0, bold: false, text: n });
    }
    pages
}

/// One PDF holding every letter, each starting on a new page.
pub fn render_letters(letters: &[LetterText], fonts: &LetterFonts) -> Result<Vec<u8>, LetterError> {
    let _span = info_span!("letters_pdf", letters = letters.len()).entered();
    let mut doc = Document::new();
    let black = || Fill { paint: krilla::color::rgb::Color::new(0, 0, 0).into(), ..Default::default() };
    for l in letters {
        for ops in layout(l, fonts) {
            let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| LetterError::Pdf("page size".into()))?;
            let mut page = doc.start_page_with(settings);
            let mut surface = page.surface();
            for op in &ops {
                match op {
                    Op::Text { x, baseline, size, bold, text } => {
                        surface.set_fill(Some(black()));
                        let font = if *bold { fonts.bold.pdf.clone() } else { fonts.regular.pdf.clone() };
                        surface.draw_text(Point::from_xy(*x, *baseline), font, *size, text, false, TextDirection::Auto);
                    }
                    Op::Rule { x0, x1, y } => {
                        let mut pb = PathBuilder::new();
                        pb.move_to(*x0, *y);
                        pb.line_to(*x1, *y);
                        if let Some(path) = pb.finish() {
                            surface.set_fill(None);
                            surface.set_stroke(Some(Stroke { width: 0.6, ..Default::default() }));
                            surface.draw_path(&path);
                            surface.set_stroke(None);
                        }
                    }
                }
            }
            surface.finish();
            page.finish();
        }
    }
    doc.finish().map_err(|e| LetterError::Pdf(format!("{e:?}")))
}
