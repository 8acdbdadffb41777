#![no_main]
//! Every identifier parser on arbitrary text: no panic, and a value that parses
//! prints to a form that parses to the same value.

use bhxh_domain::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(v) = s.parse::<MaSoBhxh>() {
        assert_eq!(v.to_string().parse::<MaSoBhxh>().ok(), Some(v));
    }
    if let Ok(v) = s.parse::<Cccd>() {
        let _ = v.structure();
        assert_eq!(v.to_string().parse::<Cccd>().ok(), Some(v));
    }
    if let Ok(v) = s.parse::<PersonName>() {
        assert_eq!(v.to_string().parse::<PersonName>().ok(), Some(v));
    }
    if let Ok(v) = s.parse::<Email>() {
        assert_eq!(v.to_string().parse::<Email>().ok(), Some(v));
    }
    if let Ok(p) = PhoneVn::parse(s) {
        assert_eq!(PhoneVn::parse(p.phone.as_str()).ok().map(|x| x.phone), Some(p.phone));
    }
    let _ = s.parse::<Cmnd>();
    let _ = s.parse::<Passport>();
    let _ = s.parse::<BhytCode>();
    let _ = s.parse::<OfficeCode>();
    let _ = bhxh_domain::fold::fold(s);
});
