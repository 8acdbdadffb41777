//! The chip-CCCD QR code: `CCCD|old CMND|name|ddMMyyyy|sex|address|issue ddMMyyyy`.
//! Some cards and readers give 6 fields (no CMND slot); extra trailing fields are
//! tolerated. The address is the one at issue time: never compare it strictly.

use crate::cccd::Cccd;
use crate::name::PersonName;
use crate::person::Sex;
use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrPayload {
    pub cccd: Cccd,
    pub old_cmnd: Option<String>,
    pub name: PersonName,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub address: String,
    pub issue_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    #[error("QR text has {0} fields, expected 6 or 7")]
    FieldCount(usize),
    #[error("QR field {field} is not valid: {value:?}")]
    Field { field: &'static str, value: String },
}

impl QrError {
    pub fn message_vi(&self) -> String {
        match self {
            QrError::FieldCount(_) => "Mã QR đọc được không phải mã QR của thẻ CCCD.".into(),
            QrError::Field { field, .. } => format!("Mã QR có trường “{field}” không hợp lệ."),
        }
    }
}

fn date(field: &'static str, s: &str) -> Result<NaiveDate, QrError> {
    NaiveDate::parse_from_str(s.trim(), "%d%m%Y").map_err(|_| QrError::Field { field, value: s.to_owned() })
}

impl std::str::FromStr for QrPayload {
    type Err = QrError;
    fn from_str(text: &str) -> Result<Self, QrError> {
        let fields: Vec<&str> = text.trim().split('|').collect();
        // 7 or more: with the CMND slot (extras ignored). 6: without it.
        let (cccd, cmnd, rest) = match fields.len() {
            n if n >= 7 => (fields[0], Some(fields[1]), &fields[2..7]),
            6 => (fields[0], None, &fields[1..6]),
            n => return Err(QrError::FieldCount(n)),
        };
        let bad = |field: &'static str, value: &str| QrError::Field { field, value: value.to_owned() };
        let sex = match crate::fold::fold(rest[2].trim()).as_str() {
            "nam" | "male" => Sex::Male,
            "nu" | "female" => Sex::Female,
            _ => return Err(bad("giới tính", rest[2])),
        };
        Ok(QrPayload {
            cccd: cccd.parse().map_err(|_| bad("số CCCD", cccd))?,
            old_cmnd: cmnd.map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned),
            name: rest[0].parse().map_err(|_| bad("họ tên", rest[0]))?,
            birth_date: date("ngày sinh", rest[1])?,
            sex,
            address: rest[3].trim().to_owned(),
            issue_date: if rest[4].trim().is_empty() { None } else { Some(date("ngày cấp", rest[4])?) },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seven_and_six_fields_and_extras() {
        let q: QrPayload = "079185000123|025123456|Nguyễn Thị Ánh|17051985|Nữ|12 Hậu Giang, Phường 11, Quận 6, TP Hồ Chí Minh|20042021"
            .parse()
            .expect("7 fields");
        assert_eq!(q.cccd.as_str(), "079185000123");
        assert_eq!(q.old_cmnd.as_deref(), Some("025123456"));
        assert_eq!(q.name.as_str(), "Nguyễn Thị Ánh");
        assert_eq!(q.birth_date, NaiveDate::from_ymd_opt(1985, 5, 17).expect("date"));
        assert_eq!(q.sex, Sex::Female);
        assert_eq!(q.issue_date, NaiveDate::from_ymd_opt(2021, 4, 20));

        let q: QrPayload = "020093001656||Đặng Văn Bình|01021993|Nam|Lạng Sơn|15062022".parse().expect("empty CMND");
        assert_eq!(q.old_cmnd, None);
        let q: QrPayload = "020093001656|Đặng Văn Bình|01021993|Nam|Lạng Sơn|15062022".parse().expect("6 fields");
        assert_eq!(q.name.as_str(), "Đặng Văn Bình");
        let q: QrPayload =
            "020093001656|025123456|Đặng Văn Bình|01021993|Nam|Lạng Sơn|15062022|extra|more".parse().expect("extras");
        assert_eq!(q.sex, Sex::Male);
    }

    #[test]
    fn refusals() {
        for bad in [
            "",
            "just text",
            "020093001656|Đặng Văn Bình|01021993|Nam|Lạng Sơn",
            "02009300165X||Đặng Văn Bình|01021993|Nam|Lạng Sơn|15062022",
            "020093001656||Đặng Văn Bình|31021993|Nam|Lạng Sơn|15062022",
            "020093001656||Đặng Văn Bình|01021993|Khác|Lạng Sơn|15062022",
            "020093001656||<b>x</b>|01021993|Nam|Lạng Sơn|15062022",
        ] {
            assert!(bad.parse::<QrPayload>().is_err(), "{bad:?}");
        }
    }
}
