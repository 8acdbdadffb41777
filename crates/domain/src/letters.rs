//! The reminder letter (công văn) to an employer unit behind the campaign's target:
//! its template (an editable file in `assets/letters/`) and the text filled from
//! the unit's figures. Layout and PDF are `bhxh-documents`' business.

use crate::stats::whole_percent;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use std::collections::BTreeMap;

/// `assets/letters/nhac-nho-vssid.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LetterTemplate {
    pub subject: String,
    pub paragraphs: Vec<String>,
    /// Printed before the last paragraph only when some of the unit's people wait
    /// on hold for their signed paper form ({cho_giay} of them).
    #[serde(default)]
    pub paper_paragraph: Option<String>,
    pub recipients: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LetterTemplateError {
    #[error("the letter template is not valid TOML: {0}")]
    Syntax(String),
    #[error("the letter template uses unknown placeholder {{{0}}}")]
    UnknownPlaceholder(String),
    #[error("the letter template has no paragraph")]
    Empty,
}

pub const PLACEHOLDERS: &[&str] = &[
    "co_quan",
    "kinh_gui",
    "ma_don_vi",
    "ten_don_vi",
    "ngay_so_lieu",
    "da_dang_ky",
    "so_nguoi",
    "ty_le",
    "chi_tieu",
    "con_thieu",
    "han",
    "chi_dao",
    "lien_he",
    "chien_dich",
    "cho_giay",
];

impl LetterTemplate {
    pub fn parse(text: &str) -> Result<Self, LetterTemplateError> {
        let t: LetterTemplate = toml::from_str(text).map_err(|e| LetterTemplateError::Syntax(e.to_string()))?;
        if t.paragraphs.iter().all(|p| p.trim().is_empty()) {
            return Err(LetterTemplateError::Empty);
        }
        let texts = std::iter::once(&t.subject).chain(&t.paragraphs).chain(&t.paper_paragraph).chain(&t.recipients);
        for text in texts {
            if let Some(p) = crate::placeholders::names(text).find(|p| !PLACEHOLDERS.contains(p)) {
                return Err(LetterTemplateError::UnknownPlaceholder(p.to_owned()));
            }
        }
        Ok(t)
    }
}

/// What a letter says, from the office's settings and the unit's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterFacts {
    /// "BẢO HIỂM XÃ HỘI TP HỒ CHÍ MINH", "BẢO HIỂM XÃ HỘI QUẬN 6".
    pub parent_name: String,
    pub office_name: String,
    /// "BHXH Quận 6", as the text names the office.
    pub office_short: String,
    pub place: String,
    /// "12/BHXH-THU".
    pub reference: String,
    pub date: NaiveDate,
    pub unit_code: String,
    pub unit_name: String,
    /// "Giám đốc Công ty TNHH …".
    pub addressee: String,
    /// The day the figures are as of.
    pub as_of: NaiveDate,
    pub registered: u32,
    pub participants: u32,
    pub target_percent: u32,
    /// People still needed for the target.
    pub short_by: u32,
    pub deadline: NaiveDate,
    pub directive: String,
    pub contact: String,
    pub campaign: String,
    pub signer_title: String,
    pub signer_name: String,
    /// The unit's people whose registration is on hold until their signed paper
    /// form comes in (the office's paper-form rule).
    pub waiting_paper: u32,
}

/// The letter's text, block by block, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterText {
    pub parent_name: String,
    pub office_name: String,
    /// "Số: 12/BHXH-THU".
    pub number_line: String,
    pub subject: String,
    /// "Quận 6, ngày 05 tháng 02 năm 2026".
    pub place_date: String,
    /// "Kính gửi: Giám đốc …".
    pub addressee_line: String,
    pub paragraphs: Vec<String>,
    pub recipients: Vec<String>,
    pub signer_title: String,
    pub signer_name: String,
}

/// "ngày 05 tháng 02 năm 2026": the day with a leading zero below 10, the month
/// below 3 (Nghị định 30/2020/NĐ-CP, Phụ lục I), so that nobody can add a digit.
pub fn date_line(d: NaiveDate) -> String {
    let month = if d.month() < 3 { format!("{:02}", d.month()) } else { d.month().to_string() };
    format!("ngày {:02} tháng {month} năm {}", d.day(), d.year())
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn fill(text: &str, values: &BTreeMap<&str, String>) -> String {
    crate::placeholders::fill(text, |name| values.get(name).cloned())
}

/// The template's paragraphs, with the paper-form one before the closing one when
/// people of the unit wait for their form.
fn paragraphs(t: &LetterTemplate, waiting_paper: u32) -> Vec<&String> {
    let mut out: Vec<&String> = t.paragraphs.iter().filter(|p| !p.trim().is_empty()).collect();
    if let Some(p) = t.paper_paragraph.as_ref().filter(|p| waiting_paper > 0 && !p.trim().is_empty()) {
        out.insert(out.len().saturating_sub(1), p);
    }
    out
}

pub fn compose(t: &LetterTemplate, f: &LetterFacts) -> LetterText {
    let percent = whole_percent(f.registered, f.participants).unwrap_or(0);
    let values: BTreeMap<&str, String> = [
        ("co_quan", f.office_short.clone()),
        ("kinh_gui", f.addressee.clone()),
        ("ma_don_vi", f.unit_code.clone()),
        ("ten_don_vi", f.unit_name.clone()),
        ("ngay_so_lieu", dmy(f.as_of)),
        ("da_dang_ky", f.registered.to_string()),
        ("so_nguoi", f.participants.to_string()),
        ("ty_le", percent.to_string()),
        ("chi_tieu", f.target_percent.to_string()),
        ("con_thieu", f.short_by.to_string()),
        ("han", dmy(f.deadline)),
        ("chi_dao", f.directive.clone()),
        ("lien_he", f.contact.clone()),
        ("chien_dich", f.campaign.clone()),
        ("cho_giay", f.waiting_paper.to_string()),
    ]
    .into_iter()
    .collect();
    LetterText {
        parent_name: f.parent_name.clone(),
        office_name: f.office_name.clone(),
        number_line: format!("Số: {}", f.reference),
        subject: fill(&t.subject, &values),
        place_date: format!("{}, {}", f.place, date_line(f.date)),
        addressee_line: format!("Kính gửi: {}.", f.addressee.trim_end_matches('.')),
        paragraphs: paragraphs(t, f.waiting_paper).into_iter().map(|p| fill(p, &values)).collect(),
        recipients: t.recipients.iter().map(|r| fill(r, &values)).collect(),
        signer_title: f.signer_title.clone(),
        signer_name: f.signer_name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../../assets/letters/nhac-nho-vssid.toml");

    fn facts() -> LetterFacts {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        LetterFacts {
            parent_name: "BẢO HIỂM XÃ HỘI TP HỒ CHÍ MINH".into(),
            office_name: "BẢO HIỂM XÃ HỘI HUYỆN CỦ CHI".into(),
            office_short: "BHXH huyện Củ Chi".into(),
            place: "Củ Chi".into(),
            reference: "360/BHXH-THU".into(),
            date: d(2021, 5, 12),
            unit_code: "SQ0007Q".into(),
            unit_name: "Phòng Giáo dục và Đào tạo huyện Củ Chi".into(),
            addressee: "Trưởng phòng Phòng Giáo dục và Đào tạo huyện Củ Chi".into(),
            as_of: d(2021, 5, 10),
            registered: 1,
            participants: 21,
            target_percent: 100,
            short_by: 20,
            deadline: d(2021, 5, 30),
            directive: "Công văn số 3644/UBND-BHXH ngày 27/04/2021 của Ủy ban nhân dân huyện Củ Chi".into(),
            contact: "BHXH huyện Củ Chi (028.38920913)".into(),
            campaign: "Cài đặt VssID".into(),
            signer_title: "GIÁM ĐỐC".into(),
            signer_name: "Đào Anh Kiệt".into(),
            waiting_paper: 0,
        }
    }

    #[test]
    fn the_shipped_template_reads_like_the_seed_letter() {
        let t = LetterTemplate::parse(SHIPPED).expect("the shipped template parses");
        let l = compose(&t, &facts());
        assert_eq!(l.number_line, "Số: 360/BHXH-THU");
        assert_eq!(l.place_date, "Củ Chi, ngày 12 tháng 5 năm 2021");
        assert_eq!(l.addressee_line, "Kính gửi: Trưởng phòng Phòng Giáo dục và Đào tạo huyện Củ Chi.");
        let all = l.paragraphs.join("\n");
        assert!(all.contains("Tính đến ngày 10/05/2021"), "{all}");
        assert!(all.contains("(mã: SQ0007Q)"));
        assert!(all.contains("1/21 người tham gia BHXH, BHYT, đạt tỷ lệ 5 %"));
        assert!(all.contains("trước ngày 30/05/2021"));
        assert!(!all.contains('{'), "every placeholder filled: {all}");
    }

    #[test]
    fn the_paper_paragraph_appears_only_when_forms_are_awaited() {
        let t = LetterTemplate::parse(SHIPPED).expect("the shipped template parses");
        let without = compose(&t, &facts());
        assert!(!without.paragraphs.join("\n").contains("tạm dừng"), "{:?}", without.paragraphs);
        let with = compose(&t, &LetterFacts { waiting_paper: 3, ..facts() });
        assert_eq!(with.paragraphs.len(), without.paragraphs.len() + 1);
        let paper = &with.paragraphs[with.paragraphs.len() - 2];
        assert!(paper.contains("3 người") && paper.contains("tạm dừng"), "{paper}");
        // The closing paragraph stays last.
        assert_eq!(with.paragraphs.last(), without.paragraphs.last());
    }

    #[test]
    fn dates_carry_the_zeros_the_decree_asks_for() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(date_line(d(2, 5)), "ngày 05 tháng 02 năm 2026");
        assert_eq!(date_line(d(11, 26)), "ngày 26 tháng 11 năm 2026");
        assert_eq!(date_line(d(3, 1)), "ngày 01 tháng 3 năm 2026");
    }

    #[test]
    fn a_broken_template_is_refused_with_the_reason() {
        assert!(matches!(LetterTemplate::parse("subject = "), Err(LetterTemplateError::Syntax(_))));
        let unknown = "subject = \"x\"\nparagraphs = [\"{ten_nguoi}\"]\nrecipients = []";
        assert_eq!(LetterTemplate::parse(unknown), Err(LetterTemplateError::UnknownPlaceholder("ten_nguoi".into())));
        let extra = "subject = \"x\"\nparagraphs = [\"a\"]\nrecipients = []\nfooter = \"y\"";
        assert!(matches!(LetterTemplate::parse(extra), Err(LetterTemplateError::Syntax(_))));
        let empty = "subject = \"x\"\nparagraphs = []\nrecipients = []";
        assert_eq!(LetterTemplate::parse(empty), Err(LetterTemplateError::Empty));
    }
}
