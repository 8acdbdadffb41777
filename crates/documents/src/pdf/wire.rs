//! What the app and its PDF worker say to each other over the worker's stdin and
//! stdout: frames of a JSON header and raw bytes (the PDF one way, each page's
//! pixels the other), lengths first and bounded, so a worker gone wrong can send
//! nothing the app would hold in memory unchecked.

use serde::{Deserialize, Serialize};
use std::io::{self, Read, Write};

/// A header longer than this is not one the worker writes (a page's words are
/// capped at 20,000).
const MAX_HEADER: u32 = 8 << 20;

/// What the worker is asked to do with the PDF that follows.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    PageCount,
    RenderPage {
        index: u32,
        long_side: u32,
    },
    /// Every page, rendered and with its text, one frame each.
    Pages {
        long_side: u32,
        max_pages: u32,
    },
}

/// A word of a page's text layer: text, box (fractions), confidence.
pub type WireWord = (String, [f32; 4], u8);

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    Count {
        pages: u32,
    },
    /// The pixels follow as RGB, `width * height * 3` bytes.
    Page {
        index: u32,
        pages: u32,
        width: u32,
        height: u32,
        text: String,
        words: Vec<WireWord>,
    },
    Error {
        error: WireError,
    },
    Done,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WireError {
    Pdf { detail: String },
    NoSuchPage { page: u32, pages: u32 },
    TooManyPages { pages: u32, limit: u32 },
    Unavailable { detail: String },
}

pub fn write_frame<T: Serialize>(w: &mut impl Write, header: &T, payload: &[u8]) -> io::Result<()> {
    let head = serde_json::to_vec(header).map_err(io::Error::other)?;
    let len = u32::try_from(head.len()).map_err(io::Error::other)?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(&head)?;
    w.write_all(&(payload.len() as u64).to_le_bytes())?;
    w.write_all(payload)?;
    w.flush()
}

/// One frame, or `None` at a clean end of stream (before a frame starts).
pub fn read_frame<T: for<'de> Deserialize<'de>>(
    r: &mut impl Read,
    max_payload: u64,
) -> io::Result<Option<(T, Vec<u8>)>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_le_bytes(len);
    if len > MAX_HEADER {
        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("header of {len} bytes")));
    }
    let mut head = vec![0u8; len as usize];
    r.read_exact(&mut head)?;
    let header = serde_json::from_slice(&head).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let mut plen = [0u8; 8];
    r.read_exact(&mut plen)?;
    let plen = u64::from_le_bytes(plen);
    if plen > max_payload {
        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("payload of {plen} bytes")));
    }
    let mut payload = Vec::new();
    r.take(plen).read_to_end(&mut payload)?;
    if payload.len() as u64 != plen {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "payload cut short"));
    }
    Ok(Some((header, payload)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_reads_back_and_a_lying_length_is_refused() {
        let mut buf = Vec::new();
        write_frame(&mut buf, &Request::RenderPage { index: 2, long_side: 800 }, b"%PDF-1.7").expect("write");
        let (req, bytes): (Request, Vec<u8>) = read_frame(&mut buf.as_slice(), 1 << 20).expect("read").expect("frame");
        assert!(matches!(req, Request::RenderPage { index: 2, long_side: 800 }));
        assert_eq!(bytes, b"%PDF-1.7");
        // A payload over the bound is refused before it is read.
        assert!(read_frame::<Request>(&mut buf.as_slice(), 4).is_err());
        // A cut frame is an error, an empty stream a clean end.
        assert!(read_frame::<Request>(&mut &buf[..buf.len() - 1], 1 << 20).is_err());
        assert!(read_frame::<Request>(&mut &[][..], 1 << 20).expect("clean end").is_none());
        let huge = (MAX_HEADER + 1).to_le_bytes();
        assert!(read_frame::<Request>(&mut &huge[..], 1 << 20).is_err());
    }
}
