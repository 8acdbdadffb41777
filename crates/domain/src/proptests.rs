//! Every parser: never panics on arbitrary text, and its normalised form parses
//! back to itself.

use crate::*;
use proptest::prelude::*;

fn round_trips<T, E>(
    raw: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    show: impl Fn(&T) -> String,
) -> Result<(), TestCaseError>
where
    T: PartialEq + std::fmt::Debug,
{
    if let Ok(v) = parse(raw) {
        let again = parse(&show(&v));
        prop_assert!(again.as_ref().is_ok_and(|a| *a == v), "{raw:?} → {:?} did not round-trip", show(&v));
    }
    Ok(())
}

/// Text that looks like what people type: digits, separators, Vietnamese letters, marks, junk.
fn typed() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9 .+-]{0,16}",
        "(\\+84|84|0)[0-9 .]{8,12}",
        "[A-Za-zĐđÀ-ỹ '\u{0300}-\u{0323}\u{200B}]{0,30}",
        "[a-z0-9._%+-]{1,10}@[a-z0-9-]{1,8}(\\.[a-z]{2,4}){1,2}",
        "[0-9]{12}\\|[0-9]{0,9}\\|[A-Za-zÀ-ỹ ]{1,20}\\|[0-9]{8}\\|(Nam|Nữ)\\|[^|]{0,20}\\|[0-9]{8}(\\|.*)?",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn parsers_never_panic_and_round_trip(raw in typed()) {
        round_trips(&raw, |s| s.parse::<MaSoBhxh>(), |v| v.to_string())?;
        round_trips(&raw, |s| s.parse::<Cccd>(), |v| v.to_string())?;
        round_trips(&raw, |s| s.parse::<Cmnd>(), |v| v.to_string())?;
        round_trips(&raw, |s| s.parse::<Passport>(), |v| v.to_string())?;
        round_trips(&raw, |s| s.parse::<OfficeCode>(), |v| v.to_string())?;
        round_trips(&raw, |s| s.parse::<Email>(), |v| v.to_string())?;
        round_trips(&raw, |s| s.parse::<PersonName>(), |v| v.to_string())?;
        round_trips(&raw, |s| PhoneVn::parse(s).map(|p| p.phone), |v| v.to_string())?;
        round_trips(&raw, |s| s.parse::<BhytCode>(), |v| match v {
            BhytCode::Legacy { group, benefit_level, province, ma_so } => format!("{group}{benefit_level}{province}{ma_so}"),
            BhytCode::Short(m) => m.to_string(),
        })?;
        // The QR parser must not panic; its parts are checked above.
        let _ = raw.parse::<QrPayload>();
        let _ = crate::fold::fold(&raw);
        if let Ok(c) = raw.parse::<Cccd>() {
            let _ = c.structure();
        }
    }
}
