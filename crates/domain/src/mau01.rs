//! The printed Mẫu 01 as this project lays it out: what its QR code says and
//! where its signature box is. The generator draws forms with these, the
//! documents crate reads them back; a real portal printout that differs only
//! loses the automatic match, never a decision. Also here: reading a page's
//! text layer into fields, and matching pages to declarations (pure rules; the
//! pixels are the documents crate's).

pub mod signature;

use crate::fold::fold;
use serde::{Deserialize, Serialize};

/// Text of the QR code on a printed declaration: `BHXH-M01|<declaration id>|<mã số BHXH>`.
pub const QR_PREFIX: &str = "BHXH-M01";

/// Fields read from the scanned paper form (typed by the officer or by OCR).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaperFields {
    pub ma_so: Option<String>,
    pub full_name: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub signed: Option<bool>,
    /// Read by OCR from an image-only page (not typed, not a text layer).
    pub by_ocr: bool,
    /// Fields OCR read with too little confidence: a difference there is only a
    /// note for the officer, never a Block on its own.
    pub doubtful: Vec<FormField>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormQr {
    pub declaration_id: String,
    pub ma_so: String,
}

impl FormQr {
    pub fn text(declaration_id: &str, ma_so: &str) -> String {
        format!("{QR_PREFIX}|{declaration_id}|{ma_so}")
    }

    pub fn parse(text: &str) -> Option<FormQr> {
        let mut parts = text.trim().split('|');
        if parts.next()? != QR_PREFIX {
            return None;
        }
        let id = parts.next()?.trim();
        let ma_so = parts.next()?.trim();
        let id_ok = !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        (id_ok && ma_so.parse::<crate::MaSoBhxh>().is_ok())
            .then(|| FormQr { declaration_id: id.to_owned(), ma_so: ma_so.to_owned() })
    }
}

/// Page size in points (A4).
pub const PAGE_W_PT: f32 = 595.0;
pub const PAGE_H_PT: f32 = 842.0;

/// Share of ink pixels in the signing space (printed words left out) at or above
/// which the form counts as signed: a hand signature inks 0.5–7 % of it.
pub const SIGNED_INK_SHARE: f32 = 0.002;
/// Below this share of ink, and of faint marks too, the space is empty: unsigned.
/// Anything between the two (a faint pen, a dot of dust, a stroke cut by the scan)
/// is something the machine cannot tell, and says so.
pub const EMPTY_INK_SHARE: f32 = 0.0004;

/// Signed, unsigned or not known from the shares of ink and of faint marks.
pub fn signed_from_ink(shares: Option<(f32, f32)>) -> Option<bool> {
    let (ink, faint) = shares?;
    if ink >= SIGNED_INK_SHARE {
        Some(true)
    } else if ink < EMPTY_INK_SHARE && faint < EMPTY_INK_SHARE {
        Some(false)
    } else {
        None
    }
}

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
    /// Share of ink pixels in the signing space (0 when none was found).
    pub ink_share: f32,
    /// Share of at least faint marks there.
    #[serde(default)]
    pub faint_share: f32,
    /// The signing space found under the signer's caption (fractions of the page),
    /// when one was: where the machine looked for a signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_area: Option<[f32; 4]>,
    /// Set when the fields were read by OCR from an image-only page: each value
    /// with its confidence and where it is on the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr: Option<OcrReading>,
}

/// What OCR read on a page, for the officer to confirm in one glance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OcrReading {
    /// Mean confidence of every word on the page, 0–100.
    pub mean_conf: u8,
    pub fields: Vec<OcrField>,
    /// Degrees the scan is turned clockwise: the boxes are drawn turned by as much.
    #[serde(default)]
    pub skew_deg: f32,
}

impl OcrReading {
    pub fn field(&self, field: FormField) -> Option<&OcrField> {
        self.fields.iter().find(|f| f.field == field)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcrField {
    pub field: FormField,
    pub value: String,
    /// The lowest confidence of the value's words, 0–100.
    pub conf: u8,
    /// Left, top, width, height in fractions of the page (or photo) as scanned.
    pub bbox: [f32; 4],
}

/// Below this confidence an OCR value is shown as doubtful and a page is not
/// matched on it.
pub const OCR_CONFIDENT: u8 = 70;

/// The labelled fields of the form the machine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormField {
    FullName,
    MaSo,
    IdNumber,
    Phone,
    Email,
    DeclarationId,
}

impl FormField {
    /// The field a label names, matched without diacritics or case ("2. Mã số BHXH").
    pub fn of_label(label: &str) -> Option<FormField> {
        let label = fold(label.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c.is_whitespace()));
        let label = label.trim();
        let any = |prefixes: &[&str]| prefixes.iter().any(|p| label.starts_with(p));
        // "Họ tên cha/mẹ", "Họ và tên người giám hộ": another person's name.
        let words: Vec<&str> = label.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        let someone_else = words.iter().any(|w| *w == "cha" || *w == "me")
            || words.windows(2).any(|p| matches!(p, ["giam", "ho"] | ["dai", "dien"] | ["nguoi", "than"]));
        Some(if any(&["ho va ten", "ho ten"]) && !someone_else {
            FormField::FullName
        } else if any(&["ma so bhxh", "ma so bao hiem xa hoi"]) {
            FormField::MaSo
        } else if any(&["so cccd", "so cmnd", "so can cuoc", "so dinh danh", "so giay to", "so ho chieu"]) {
            FormField::IdNumber
        } else if any(&["so dien thoai", "dien thoai"]) {
            FormField::Phone
        } else if any(&["thu dien tu", "dia chi email", "dia chi thu dien tu"]) || label == "email" || label == "e-mail"
        {
            FormField::Email
        } else if label.starts_with("ma to khai") {
            FormField::DeclarationId
        } else {
            return None;
        })
    }
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
            by_ocr: self.ocr.is_some(),
            doubtful: [FormField::MaSo, FormField::FullName, FormField::IdNumber, FormField::Phone]
                .into_iter()
                .filter(|f| self.slot_value(*f).is_some() && self.doubtful(*f))
                .collect(),
        }
    }

    fn slot(&mut self, field: FormField) -> &mut Option<String> {
        match field {
            FormField::FullName => &mut self.full_name,
            FormField::MaSo => &mut self.ma_so,
            FormField::IdNumber => &mut self.id_number,
            FormField::Phone => &mut self.phone,
            FormField::Email => &mut self.email,
            FormField::DeclarationId => &mut self.declaration_id,
        }
    }

    fn slot_value(&self, field: FormField) -> Option<&str> {
        match field {
            FormField::FullName => self.full_name.as_deref(),
            FormField::MaSo => self.ma_so.as_deref(),
            FormField::IdNumber => self.id_number.as_deref(),
            FormField::Phone => self.phone.as_deref(),
            FormField::Email => self.email.as_deref(),
            FormField::DeclarationId => self.declaration_id.as_deref(),
        }
    }

    /// An OCR value for `field`, kept unless a value is already there.
    pub fn set_read(&mut self, field: FormField, value: &str) {
        let slot = self.slot(field);
        if slot.is_none() && !value.trim().is_empty() {
            *slot = Some(value.trim().to_owned());
        }
    }

    /// Whether `field`'s value was read by OCR with too little confidence to lean on.
    pub fn doubtful(&self, field: FormField) -> bool {
        self.ocr.as_ref().is_some_and(|o| o.field(field).is_none_or(|f| f.conf < OCR_CONFIDENT))
    }
}

/// Labels a printed form puts on the same line after a field the machine reads
/// ("Họ và tên: … Giới tính: Nữ"): a value stops where one of them starts.
const NEIGHBOUR_LABELS: &[&str] = &[
    "gioi tinh",
    "ngay sinh",
    "ngay, thang, nam sinh",
    "ngay thang nam sinh",
    "ngay cap",
    "noi cap",
    "dan toc",
    "quoc tich",
    "ma so bhxh",
    "so dien thoai",
    "dien thoai",
    "email",
    "e-mail",
    "thu dien tu",
];

/// `value` up to the next label on its line, if another `Label:` follows.
fn up_to_next_label(value: &str) -> &str {
    let mut from = 0;
    while let Some(colon) = value[from..].find(':').map(|i| from + i) {
        // A label is a few words: only the text just before the colon is looked at,
        // so a line of a million colons costs no more than its length.
        let mut window = colon.saturating_sub(120);
        while !value.is_char_boundary(window) {
            window -= 1;
        }
        let before = &value[..colon];
        // The label is the last one to five words before the colon.
        let starts: Vec<usize> = before[window..]
            .char_indices()
            .map(|(i, c)| (window + i, c))
            .filter(|(i, c)| !c.is_whitespace() && (*i == 0 || before[..*i].ends_with(char::is_whitespace)))
            .map(|(i, _)| i)
            .collect();
        for &start in starts.iter().rev().take(5) {
            let label = fold(before[start..].trim());
            let label = label.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ' ');
            if start > 0 && (NEIGHBOUR_LABELS.contains(&label) || FormField::of_label(label).is_some()) {
                return value[..start].trim_end();
            }
        }
        from = colon + 1;
    }
    value
}

/// Fields of a text layer: lines `Label: value` (numbered or not, several on a
/// line), labels matched without diacritics or case.
pub fn parse_text(text: &str, reading: &mut PageReading) {
    reading.has_text = text.chars().filter(|c| c.is_alphanumeric()).count() > 20;
    for line in text.lines() {
        let mut rest = line;
        while let Some((label, value)) = rest.split_once(':') {
            let field_value = up_to_next_label(value);
            if let Some(field) = FormField::of_label(label) {
                reading.set_read(field, field_value);
            }
            if field_value.len() == value.len() {
                break;
            }
            rest = &value[field_value.len()..];
        }
    }
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

/// How a paper page was tied to its declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    Qr,
    Text,
    Hand,
    /// Sent by the central service with the declaration itself.
    Attached,
    None,
}

impl MatchedBy {
    pub fn code(self) -> &'static str {
        match self {
            MatchedBy::Qr => "qr",
            MatchedBy::Text => "text",
            MatchedBy::Hand => "hand",
            MatchedBy::Attached => "attached",
            MatchedBy::None => "none",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        [MatchedBy::Qr, MatchedBy::Text, MatchedBy::Hand, MatchedBy::Attached, MatchedBy::None]
            .into_iter()
            .find(|m| m.code() == s)
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
    if let Some((id, ma_so)) = &reading.qr
        && all.iter().any(|c| &c.declaration_id == id && &c.ma_so == ma_so)
    {
        return PageMatch { declaration_id: Some(id.clone()), matched_by: MatchedBy::Qr, candidates: vec![] };
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
    // A page read by OCR is matched only on confident values and when a second
    // field agrees: one misread digit must not give the page to someone else.
    let text_match = text_match.filter(|id| match &reading.ocr {
        None => true,
        Some(_) => all.iter().find(|c| &c.declaration_id == id).is_some_and(|c| corroborated(reading, c)),
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
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    PageMatch {
        declaration_id: None,
        matched_by: MatchedBy::None,
        candidates: scored.into_iter().take(5).map(|(_, c)| c.declaration_id.clone()).collect(),
    }
}

/// Two confident OCR values agree with the candidate.
fn corroborated(reading: &PageReading, c: &Candidate) -> bool {
    let sure = |f: FormField| !reading.doubtful(f);
    let agree = [
        sure(FormField::MaSo) && reading.ma_so.as_deref().map(digits).is_some_and(|m| m == c.ma_so),
        sure(FormField::IdNumber)
            && reading.id_number.as_deref().map(digits).is_some_and(|n| c.id_number.as_deref().map(digits) == Some(n)),
        sure(FormField::FullName) && reading.full_name.as_deref().is_some_and(|n| fold(n) == fold(&c.full_name)),
        sure(FormField::Phone)
            && reading
                .phone
                .as_deref()
                .map(digits)
                .is_some_and(|p| p.len() >= 9 && digits(&c.phone).ends_with(&p[p.len() - 9..])),
        sure(FormField::DeclarationId) && reading.declaration_id.as_deref() == Some(c.declaration_id.as_str()),
    ];
    agree.iter().filter(|a| **a).count() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_round_trip_and_refusals() {
        let t = FormQr::text("07916-000012", "7914820031");
        assert_eq!(
            FormQr::parse(&t),
            Some(FormQr { declaration_id: "07916-000012".into(), ma_so: "7914820031".into() })
        );
        for bad in [
            "",
            "BHXH-M01",
            "BHXH-M01|x",
            "BHXH-M01|07916-1|123",
            "OTHER|07916-1|7914820031",
            "BHXH-M01|a b|7914820031",
        ] {
            assert_eq!(FormQr::parse(bad), None, "{bad:?}");
        }
    }

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

    /// The portal's printout puts two fields on a line and names the ID field its own way.
    #[test]
    fn reads_fields_laid_out_as_the_portal_prints_them() {
        let text = "I. THÔNG TIN NGƯỜI ĐĂNG KÝ\nHọ và tên: NGUYỄN THỊ ÁNH    Giới tính: Nữ\n\
            Ngày, tháng, năm sinh: 17/05/1985\nMã số BHXH: 7914820031\n\
            Số CMND/CCCD/Hộ chiếu: 079185000123   Ngày cấp: 20/04/2021\nNơi cấp: Cục Cảnh sát\n\
            Điện thoại: 0903 123 456 Email: anh@example.com\n";
        let mut r = PageReading::default();
        parse_text(text, &mut r);
        assert_eq!(r.full_name.as_deref(), Some("NGUYỄN THỊ ÁNH"));
        assert_eq!(r.ma_so.as_deref(), Some("7914820031"));
        assert_eq!(r.id_number.as_deref(), Some("079185000123"));
        assert_eq!(r.phone.as_deref(), Some("0903 123 456"));
        assert_eq!(r.email.as_deref(), Some("anh@example.com"));
        // A colon inside a value that is not a label stays in the value.
        let mut r = PageReading::default();
        parse_text("Họ và tên: Lê Văn A: B\nSố CCCD: 001085000123\nxxxxxxxxxxxxxxxxxxxxxxxx", &mut r);
        assert_eq!(r.full_name.as_deref(), Some("Lê Văn A: B"));
        for (label, field) in [
            ("Họ tên", FormField::FullName),
            ("Số định danh cá nhân/CCCD", FormField::IdNumber),
            ("Số CCCD", FormField::IdNumber),
            ("Mã số bảo hiểm xã hội", FormField::MaSo),
            ("Số điện thoại di động", FormField::Phone),
            ("E-mail", FormField::Email),
        ] {
            assert_eq!(FormField::of_label(label), Some(field), "{label}");
        }
        assert_eq!(FormField::of_label("Giới tính"), None);
        assert_eq!(FormField::of_label("Họ tên cha/mẹ"), None);
        assert_eq!(FormField::of_label("Họ và tên người giám hộ"), None);
        assert_eq!(FormField::of_label("Họ và tên người đăng ký"), Some(FormField::FullName));
        // A line of colons and no label is read in one pass.
        let mut r = PageReading::default();
        parse_text(&format!("Họ và tên: {}", "a: ".repeat(50_000)), &mut r);
        assert!(r.full_name.is_some());
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

    /// An OCR reading with each field's confidence.
    fn ocr(fields: &[(FormField, &str, u8)]) -> PageReading {
        let mut r = PageReading {
            ocr: Some(OcrReading { mean_conf: 90, fields: vec![], skew_deg: 0.0 }),
            ..Default::default()
        };
        for (field, value, conf) in fields {
            r.set_read(*field, value);
            if let Some(o) = r.ocr.as_mut() {
                o.fields.push(OcrField { field: *field, value: (*value).into(), conf: *conf, bbox: [0.0; 4] });
            }
        }
        r
    }

    #[test]
    fn a_page_read_by_ocr_needs_two_confident_fields_that_agree() {
        let c = cands();
        // The mã số alone (a misread digit could be someone else's): no match.
        let alone = ocr(&[(FormField::MaSo, "7914820031", 95)]);
        assert_eq!(match_page(&alone, &c, &[]).declaration_id, None);
        let with_name = ocr(&[(FormField::MaSo, "7914820031", 95), (FormField::FullName, "Nguyễn Thị Ánh", 91)]);
        let m = match_page(&with_name, &c, &[]);
        assert_eq!((m.matched_by, m.declaration_id.as_deref()), (MatchedBy::Text, Some("07916-000001")));
        // A doubtful name does not count as the second field.
        let doubtful = ocr(&[(FormField::MaSo, "7914820031", 95), (FormField::FullName, "Nguyễn Thị Ánh", 40)]);
        assert_eq!(match_page(&doubtful, &c, &[]).declaration_id, None);
        assert!(doubtful.doubtful(FormField::FullName) && !doubtful.doubtful(FormField::MaSo));
        // The paper check learns which values were doubtful.
        let p = doubtful.paper_fields();
        assert!(p.by_ocr);
        assert_eq!(p.doubtful, vec![FormField::FullName]);
        // A misread mã số that is another person's, with the first person's name: no match.
        let crossed = ocr(&[(FormField::MaSo, "7914820032", 93), (FormField::FullName, "Nguyễn Thị Ánh", 92)]);
        assert_eq!(match_page(&crossed, &c, &[]).declaration_id, None);
    }
}
