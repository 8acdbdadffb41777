//! The opaque paging cursor: clients store it and send it back, never look inside.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A position in an office's change sequence. Every insert or change of a
/// declaration takes the next sequence number, so paging by "after position P"
/// neither skips nor repeats rows while new ones arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cursor {
    pub after_seq: i64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid cursor")]
pub struct CursorError;

const PREFIX: &str = "v1:";

impl Cursor {
    pub fn encode(self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{PREFIX}{}", self.after_seq))
    }

    pub fn decode(s: &str) -> Result<Self, CursorError> {
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| CursorError)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| CursorError)?;
        let n = text.strip_prefix(PREFIX).ok_or(CursorError)?;
        let after_seq: i64 = n.parse().map_err(|_| CursorError)?;
        if after_seq < 0 {
            return Err(CursorError);
        }
        Ok(Self { after_seq })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_garbage() {
        for n in [0, 1, 42, i64::MAX] {
            let c = Cursor { after_seq: n };
            assert_eq!(Cursor::decode(&c.encode()), Ok(c));
        }
        for bad in ["", "abc", "djE6LTE", "!!!", "djI6MQ"] {
            assert_eq!(Cursor::decode(bad), Err(CursorError), "{bad}");
        }
    }
}
