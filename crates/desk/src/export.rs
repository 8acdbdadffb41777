//! Tables written for Excel: XLSX (Vietnamese headers, number, percent and date
//! formats, column widths) and CSV (UTF-8 with BOM, so Excel reads the marks). Each
//! file starts with who exported it and when.

use rust_xlsxwriter::{Format, Workbook};

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A fraction shown as a percent (0.625 → 62.5%).
    Percent(f64),
    /// dd/mm/yyyy, stored as a date.
    Date(chrono::NaiveDate),
    Empty,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// "Xuất bởi … lúc …": the officer and time every export carries.
    pub stamp: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("laying out the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

fn text_of(c: &Cell) -> String {
    match c {
        Cell::Text(s) => s.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Percent(p) => format!("{:.1}%", p * 100.0),
        Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
        Cell::Empty => String::new(),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

/// A text cell as Excel must read it: text. One that starts like a formula
/// (`=`, `+`, `-`, `@`, a tab or a return) gets a leading apostrophe, so a unit
/// code or a name typed by a citizen never runs in an employer's spreadsheet.
fn csv_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() }
}

/// CSV with a BOM and CRLF line ends, as Excel on an office PC expects. The
/// bytes are written by the caller, to a file that did not exist before.
pub fn csv_bytes(table: &Table) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| cells.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(",") + "\r\n";
    out.push_str(&line(vec![table.title.clone()]));
    out.push_str(&line(vec![table.stamp.clone()]));
    out.push_str(&line(table.headers.clone()));
    for r in &table.rows {
        out.push_str(&line(r.iter().map(|c| if let Cell::Text(t) = c { csv_text(t) } else { text_of(c) }).collect()));
    }
    out.into_bytes()
}

pub fn xlsx_bytes(table: &Table) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let e = ExportError::Xlsx;
    let bold = Format::new().set_bold();
    let header = Format::new().set_bold().set_background_color("#D9E2F3").set_text_wrap();
    let percent = Format::new().set_num_format("0.0%");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    sheet.write_string_with_format(0, 0, &table.title, &bold).map_err(e)?;
    sheet.write_string(1, 0, &table.stamp).map_err(e)?;
    let mut widths: Vec<usize> = table.headers.iter().map(|h| h.chars().count()).collect();
    for (c, h) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(3, c as u16, h, &header).map_err(e)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = (r + 4) as u32;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(s) => sheet.write_string(r, col, s).map(|_| ()),
                Cell::Int(n) => sheet.write_number(r, col, *n as f64).map(|_| ()),
                Cell::Percent(p) => sheet.write_number_with_format(r, col, *p, &percent).map(|_| ()),
                Cell::Date(d) => sheet.write_date_with_format(r, col, d, &date).map(|_| ()),
                Cell::Empty => Ok(()),
            }
            .map_err(e)?;
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(text_of(cell).chars().count());
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, (*w as f64 + 2.0).min(60.0)).map_err(e)?;
    }
    sheet.set_freeze_panes(4, 0).map_err(e)?;
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_a_bom_quotes_and_the_stamp() {
        let table = Table {
            title: "Tồn đọng".into(),
            headers: vec!["Họ và tên".into(), "Số ngày".into()],
            rows: vec![vec![Cell::Text("Nguyễn Văn \"An\", Q6".into()), Cell::Int(3)]],
            stamp: "Xuất bởi giamsat.07916 lúc 26/11/2026 10:00".into(),
        };
        let text = String::from_utf8(csv_bytes(&table)).expect("UTF-8");
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("\"Nguyễn Văn \"\"An\"\", Q6\",3\r\n"));
        assert!(text.contains("giamsat.07916"));
    }

    #[test]
    fn csv_text_that_looks_like_a_formula_stays_text() {
        let cells = ["=HYPERLINK(\"http://x\")", "+SQ0007Q", "-1+1", "@SUM(A1)", "\tSQ0007Q", "SQ0007Q"];
        let table = Table {
            title: "Tờ khai giấy theo đơn vị".into(),
            headers: vec!["Mã đơn vị".into(), "Số".into()],
            rows: cells.iter().map(|c| vec![Cell::Text((*c).into()), Cell::Int(-2)]).collect(),
            stamp: "Xuất bởi giamsat.07916".into(),
        };
        let text = String::from_utf8(csv_bytes(&table)).expect("UTF-8");
        let rows: Vec<&str> = text.lines().skip(3).collect();
        assert_eq!(
            rows,
            [
                "\"'=HYPERLINK(\"\"http://x\"\")\",-2",
                "'+SQ0007Q,-2",
                "'-1+1,-2",
                "'@SUM(A1),-2",
                "'\tSQ0007Q,-2",
                "SQ0007Q,-2"
            ],
            "numbers stay numbers"
        );
    }
}
