#![no_main]
//! What the central service (or a man in the middle) could send the desk: every
//! wire type parsed from arbitrary bytes is an error or a value, never a panic;
//! a value serialises back and parses to the same value.

use bhxh_protocol::{Cursor, DecisionAnswer, DecisionBatchAnswer, DeclarationPage, ErrorBody, LoginResponse};
use libfuzzer_sys::fuzz_target;

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(v) = serde_json::from_slice::<T>(data) {
        let again: T = serde_json::from_slice(&serde_json::to_vec(&v).expect("serialises")).expect("parses back");
        assert_eq!(again, v);
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<DeclarationPage>(data);
    let _ = serde_json::from_slice::<LoginResponse>(data);
    round_trip::<DecisionAnswer>(data);
    round_trip::<DecisionBatchAnswer>(data);
    round_trip::<ErrorBody>(data);
    let _ = Cursor::decode(&String::from_utf8_lossy(data));
});
