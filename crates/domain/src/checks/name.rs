//! Name: Vietnamese letters only; a name without any diacritics is a warning
//! ("Họ tên nhập tiếng Việt có dấu").

use super::{Context, Facts, Finding, Severity::*, field};
use crate::PersonName;
use crate::name::NameMatch;
use crate::person::IdDocumentType;

pub fn check(f: &Facts<'_>, ctx: &Context<'_>, out: &mut Vec<Finding>) {
    match f.full_name.parse::<PersonName>() {
        Err(e) => out.push(
            Finding::new("name.invalid", Block, &[field::FULL_NAME], e.message_vi(), e.to_string())
                .reason("TEN_KHONG_KHOP"),
        ),
        // A foreign passport holder's name has no Vietnamese marks to type.
        Ok(n) if !n.has_diacritics() && f.id_type == Some(IdDocumentType::Passport) => out.push(Finding::new(
            "name.no_diacritics_passport",
            Info,
            &[field::FULL_NAME],
            "Họ tên không có dấu (người dùng hộ chiếu): đối chiếu đúng như trên hộ chiếu.",
            "The name has no diacritics (passport holder): compare it with the passport.",
        )),
        // Some names carry no mark at all ("Phan Thanh An"): the card's QR settles it.
        Ok(n)
            if !n.has_diacritics()
                && ctx
                    .qr
                    .is_some_and(|q| matches!(n.compare(&q.name), NameMatch::Equal | NameMatch::EqualIgnoringCase)) => {
        }
        Ok(n) if !n.has_diacritics() => out.push(
            Finding::new(
                "name.no_diacritics",
                Warn,
                &[field::FULL_NAME],
                "Họ tên không có dấu: phải nhập tiếng Việt có dấu đúng như giấy tờ.",
                "The name has no diacritics: it must be typed in Vietnamese with diacritics, as on the ID.",
            )
            .reason("TEN_KHONG_DAU"),
        ),
        Ok(_) => {}
    }
}
