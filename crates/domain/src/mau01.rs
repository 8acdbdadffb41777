//! The printed Mẫu 01 as this project lays it out: what its QR code says and
//! where its signature box is. The generator draws forms with these, the
//! documents crate reads them back; a real portal printout that differs only
//! loses the automatic match, never a decision.

/// Text of the QR code on a printed declaration: `BHXH-M01|<declaration id>|<mã số BHXH>`.
pub const QR_PREFIX: &str = "BHXH-M01";

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

/// The signature box as fractions of the page: left, top, right, bottom.
pub const SIGNATURE_BOX: [f32; 4] = [0.52, 0.745, 0.92, 0.865];

/// Share of dark pixels in the signature box above which it counts as signed.
/// The empty box's label sits outside it; a hand signature darkens 1–4 %.
pub const SIGNED_INK_SHARE: f32 = 0.004;

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
}
