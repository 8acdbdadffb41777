//! Words for people, in both of the app's languages: Vietnamese (the office's, the
//! default, what scripts and tests read) and English. One value carries both, so a
//! sentence cannot reach the English window in Vietnamese only, and the window
//! picks by its language in one place.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Text {
    pub vi: String,
    pub en: String,
}

impl Text {
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self { vi: vi.into(), en: en.into() }
    }

    /// What reads the same in both languages: a name, a number, an address (the
    /// citizen's own data is never translated).
    pub fn same(s: impl Into<String>) -> Self {
        let s = s.into();
        Self { en: s.clone(), vi: s }
    }
}

impl std::fmt::Display for Text {
    /// The Vietnamese, as logs and scripts quote the app.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.vi)
    }
}
