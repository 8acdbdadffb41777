//! Reading a paper Mẫu 01 page: its QR code (declaration id and mã số), the
//! fields of its text layer, and whether the signature box holds ink; then
//! matching pages to declarations.

use bhxh_domain::checks::PaperFields;
use bhxh_domain::fold::fold;
use bhxh_domain::mau01::{self, FormQr};
use image::{GrayImage, RgbImage};
use serde::{Deserialize, Serialize};

/// What one page says, as far as the machine could read it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageReading {
    pub qr: Option<(String, String)>,
    pub declaration_id: Option<String>,
    pub ma_so: Option<String>,
    pub full_name: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub signed: Option<bool>,
    /// Whether the page had a text layer (a printout) or only pixels (a scan).
    pub has_text: bool,
    /// Share of dark pixels in the signature box.
    pub ink_share: f32,
}

impl PageReading {
    /// Whether anything on the page identifies a person.
    pub fn identifies(&self) -> bool {
        self.qr.is_some() || self.ma_so.is_some() || self.id_number.is_some()
    }

    pub fn paper_fields(&self) -> PaperFields {
        PaperFields {
            ma_so: self.ma_so.clone().or_else(|| self.qr.as_ref().map(|q| q.1.clone())),
            full_name: self.full_name.clone(),
            id_number: self.id_number.clone(),
            phone: self.phone.clone(),
            signed: self.signed,
        }
    }
}

/// Fields of a text layer: lines `N. Label: value`, labels matched without
/// diacritics or case.
pub fn parse_text(text: &str, reading: &mut PageReading) {
    reading.has_text = text.chars().filter(|c| c.is_alphanumeric()).count() > 20;
    for line in text.lines() {
        let Some((label, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let label = fold(label.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c.is_whitespace()));
        let label = label.trim();
        let slot = if label.starts_with("ho va ten") {
            &mut reading.full_name
        } else if label.starts_with("ma so bhxh") {
            &mut reading.ma_so
        } else if label.starts_with("so cccd") || label.starts_with("so dinh danh") || label.starts_with("so giay to") {
            &mut reading.id_number
        } else if label.starts_with("so dien thoai") {
            &mut reading.phone
        } else if label.starts_with("thu dien tu") || label == "email" {
            &mut reading.email
        } else if label.starts_with("ma to khai") {
            &mut reading.declaration_id
        } else {
            continue;
        };
        if slot.is_none() {
            *slot = Some(value.to_owned());
        }
    }
}

/// Share of dark pixels inside the signature box of a page image. A scan may be
/// turned by a degree or two, so the box is read with a small inward margin.
pub fn ink_share(page: &GrayImage) -> f32 {
    let (w, h) = (page.width() as f32, page.height() as f32);
    let [l, t, r, b] = mau01::SIGNATURE_BOX;
    let margin = 0.01;
    let (x0, y0) = (((l + margin) * w) as u32, ((t + margin) * h) as u32);
    let (x1, y1) = ((((r - margin) * w) as u32).min(page.width()), (((b - margin) * h) as u32).min(page.height()));
    let (mut dark, mut all) = (0u32, 0u32);
    for y in y0..y1 {
        for x in x0..x1 {
            all += 1;
            dark += u32::from(page.get_pixel(x, y).0[0] < 110);
        }
    }
    dark as f32 / all.max(1) as f32
}

/// Everything readable on one rendered page and its text layer.
pub fn read_page(image: &RgbImage, text: &str) -> PageReading {
    let gray = image::DynamicImage::ImageRgb8(image.clone()).to_luma8();
    let mut reading = PageReading::default();
    parse_text(text, &mut reading);
    reading.qr = crate::qr::find_in_gray(gray.clone())
        .into_iter()
        .find_map(|t| FormQr::parse(&t))
        .map(|q| (q.declaration_id, q.ma_so));
    reading.ink_share = ink_share(&gray);
    reading.signed = Some(reading.ink_share >= mau01::SIGNED_INK_SHARE);
    reading
}

/// A declaration a page may belong to.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub declaration_id: String,
    pub ma_so: String,
    pub full_name: String,
    pub id_number: Option<String>,
    pub phone: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    Qr,
    Text,
    Hand,
    None,
}

impl MatchedBy {
    pub fn code(self) -> &'static str {
        match self {
            MatchedBy::Qr => "qr",
            MatchedBy::Text => "text",
            MatchedBy::Hand => "hand",
            MatchedBy::None => "none",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        [MatchedBy::Qr, MatchedBy::Text, MatchedBy::Hand, MatchedBy::None].into_iter().find(|m| m.code() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageMatch {
    pub declaration_id: Option<String>,
    pub matched_by: MatchedBy,
    /// For a page nobody could match: the likeliest declarations, best first.
    pub candidates: Vec<String>,
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Matches a page: by its QR code (the id and mã số must agree with the cache),
/// else by its text (mã số, then ID number, then name and phone together), else
/// not at all, with the unmatched declarations suggested (`taken` are those
/// already matched in this stack or before).
pub fn match_page(reading: &PageReading, all: &[Candidate], taken: &[String]) -> PageMatch {
    if let Some((id, ma_so)) = &reading.qr {
        if all.iter().any(|c| &c.declaration_id == id && &c.ma_so == ma_so) {
            return PageMatch { declaration_id: Some(id.clone()), matched_by: MatchedBy::Qr, candidates: vec![] };
        }
    }
    let by = |f: &dyn Fn(&Candidate) -> bool| {
        let hits: Vec<&Candidate> = all.iter().filter(|c| f(c)).collect();
        (hits.len() == 1).then(|| hits[0].declaration_id.clone())
    };
    let text_match = reading
        .declaration_id
        .as_deref()
        .and_then(|id| {
            let ma_so = reading.ma_so.as_deref().map(digits);
            by(&|c| c.declaration_id == id && ma_so.as_deref().is_none_or(|m| m == c.ma_so))
        })
        .or_else(|| reading.ma_so.as_deref().map(digits).and_then(|m| by(&|c| c.ma_so == m)))
        .or_else(|| {
            reading
                .id_number
                .as_deref()
                .map(digits)
                .and_then(|n| by(&|c| c.id_number.as_deref().map(digits) == Some(n.clone())))
        })
        .or_else(|| match (&reading.full_name, &reading.phone) {
            (Some(name), Some(phone)) => {
                let (name, phone) = (fold(name), digits(phone));
                by(&|c| {
                    fold(&c.full_name) == name && digits(&c.phone).ends_with(&phone[phone.len().saturating_sub(9)..])
                })
            }
            _ => None,
        });
    if let Some(id) = text_match {
        return PageMatch { declaration_id: Some(id), matched_by: MatchedBy::Text, candidates: vec![] };
    }
    // Nothing to go on: suggest what still lacks a paper form, and anything a
    // partial reading points to first.
    let mut scored: Vec<(u32, &Candidate)> = all
        .iter()
        .filter(|c| !taken.contains(&c.declaration_id))
        .map(|c| {
            let mut score = 0;
            if let Some(name) = &reading.full_name {
                score += u32::from(fold(name) == fold(&c.full_name)) * 4;
            }
            if let Some(m) = &reading.ma_so {
                score += u32::from(digits(m) == c.ma_so) * 8;
            }
            (score, c)
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0));
    PageMatch {
        declaration_id: None,
        matched_by: MatchedBy::None,
        candidates: scored.into_iter().take(5).map(|(_, c)| c.declaration_id.clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTỜ KHAI\n1. Họ và tên: Nguyễn Thị Ánh\n2. Mã số BHXH: 7914820031\n\
        3. Số CCCD/CMND/Hộ chiếu: 079185000123\n6. Số điện thoại di động: 0903 123 456\n7. Thư điện tử: anh@example.com\n\
        Mã tờ khai: 07916-000001\n";

    fn cands() -> Vec<Candidate> {
        vec![
            Candidate {
                declaration_id: "07916-000001".into(),
                ma_so: "7914820031".into(),
                full_name: "Nguyễn Thị Ánh".into(),
                id_number: Some("079185000123".into()),
                phone: "0903123456".into(),
            },
            Candidate {
                declaration_id: "07916-000002".into(),
                ma_so: "7914820032".into(),
                full_name: "Đặng Văn Bình".into(),
                id_number: None,
                phone: "0912000111".into(),
            },
        ]
    }

    #[test]
    fn reads_labelled_fields() {
        let mut r = PageReading::default();
        parse_text(TEXT, &mut r);
        assert!(r.has_text);
        assert_eq!(r.full_name.as_deref(), Some("Nguyễn Thị Ánh"));
        assert_eq!(r.ma_so.as_deref(), Some("7914820031"));
        assert_eq!(r.id_number.as_deref(), Some("079185000123"));
        assert_eq!(r.phone.as_deref(), Some("0903 123 456"));
        assert_eq!(r.email.as_deref(), Some("anh@example.com"));
        assert_eq!(r.declaration_id.as_deref(), Some("07916-000001"));
    }

    #[test]
    fn matches_by_qr_then_text_then_suggests() {
        let c = cands();
        let qr = PageReading { qr: Some(("07916-000002".into(), "7914820032".into())), ..Default::default() };
        assert_eq!(match_page(&qr, &c, &[]).matched_by, MatchedBy::Qr);
        // A QR whose mã số disagrees with the cache is not trusted.
        let forged = PageReading { qr: Some(("07916-000002".into(), "7914820031".into())), ..Default::default() };
        assert_ne!(match_page(&forged, &c, &[]).matched_by, MatchedBy::Qr);

        let mut text = PageReading::default();
        parse_text(TEXT, &mut text);
        let m = match_page(&text, &c, &[]);
        assert_eq!((m.matched_by, m.declaration_id.as_deref()), (MatchedBy::Text, Some("07916-000001")));

        let name_phone = PageReading {
            full_name: Some("nguyen thi anh".into()),
            phone: Some("+84 903 123 456".into()),
            ..Default::default()
        };
        assert_eq!(match_page(&name_phone, &c, &[]).declaration_id.as_deref(), Some("07916-000001"));

        let blank = PageReading::default();
        let m = match_page(&blank, &c, &["07916-000001".to_owned()]);
        assert_eq!((m.matched_by, m.candidates.clone()), (MatchedBy::None, vec!["07916-000002".to_owned()]));
    }
}
