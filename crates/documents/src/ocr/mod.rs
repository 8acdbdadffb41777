//! Reading image-only scans: Tesseract 5 (Debian's libtesseract) with its
//! Vietnamese model, on worker threads of their own (each owns one engine; OCR
//! never runs on the caller's thread). Pages are prepared first (`prep`), read as
//! one block of lines (label and value stay on one line), and every word comes
//! back with its confidence and its box on the prepared page.

pub mod id_card;
pub mod prep;

use crate::DocumentError;
use image::GrayImage;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use tesseract::Tesseract;
use tracing::{info, info_span, warn};

pub use prep::{Prepared, Steps};

/// One word as read, with its confidence (0–100) and its box in fractions of the
/// prepared page (left, top, width, height).
#[derive(Debug, Clone, PartialEq)]
pub struct OcrWord {
    pub text: String,
    pub conf: f32,
    pub bbox: [f32; 4],
}

#[derive(Debug, Clone, PartialEq)]
pub struct OcrLine {
    pub words: Vec<OcrWord>,
}

impl OcrLine {
    pub fn text(&self) -> String {
        self.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct OcrPage {
    pub lines: Vec<OcrLine>,
    pub prepared: Prepared,
    /// The prepared page's size in pixels.
    pub width: u32,
    pub height: u32,
    /// The prepared page itself, to re-read a number in its box.
    pub image: Arc<GrayImage>,
}

impl OcrPage {
    /// The page's text, a line per line, as the form parser reads a text layer.
    pub fn text(&self) -> String {
        self.lines.iter().map(OcrLine::text).collect::<Vec<_>>().join("\n")
    }

    /// A box found on the prepared page (fractions), placed on the page as scanned:
    /// the prepared page was turned straight, so its centre turns back.
    pub fn source_box(&self, bbox: [f32; 4]) -> [f32; 4] {
        let (w, h) = (self.width as f32, self.height as f32);
        let (cx, cy) = ((bbox[0] + bbox[2] / 2.0 - 0.5) * w, (bbox[1] + bbox[3] / 2.0 - 0.5) * h);
        let (sin, cos) = self.prepared.skew_deg.to_radians().sin_cos();
        let (sx, sy) = (cos * cx - sin * cy, sin * cx + cos * cy);
        [sx / w + 0.5 - bbox[2] / 2.0, sy / h + 0.5 - bbox[3] / 2.0, bbox[2], bbox[3]]
    }

    /// Mean confidence of the words read (0 when none were).
    pub fn mean_conf(&self) -> f32 {
        let words: Vec<f32> = self.lines.iter().flat_map(|l| l.words.iter().map(|w| w.conf)).collect();
        if words.is_empty() { 0.0 } else { words.iter().sum::<f32>() / words.len() as f32 }
    }
}

/// What a worker is asked to do.
enum Task {
    Page {
        image: Arc<GrayImage>,
        prepared: Prepared,
    },
    /// Digits only, one line, in `rect` (pixels of `image`): re-reading a number.
    Digits {
        image: Arc<GrayImage>,
        rect: [u32; 4],
    },
}

enum Answer {
    Page(OcrPage),
    Digits(String, f32),
}

type Job = (Task, Sender<Result<Answer, DocumentError>>);

pub struct OcrEngine {
    jobs: Mutex<Sender<Job>>,
}

static ENGINE: OnceLock<Result<OcrEngine, String>> = OnceLock::new();

/// Workers: one per core, at most two (an old office PC has two; each engine holds
/// ~30 MB and a page ~75 MB more).
fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 2)
}

pub fn engine() -> Result<&'static OcrEngine, DocumentError> {
    ENGINE.get_or_init(OcrEngine::start).as_ref().map_err(|e| DocumentError::OcrUnavailable(e.clone()))
}

// Debian's libtesseract parallelises with OpenMP: on two cores its threads fight the
// other worker's and a page takes 4–5× longer. OMP_THREAD_LIMIT works only if set
// before the process starts; this works per thread, on the thread that runs it.
#[cfg(target_os = "linux")]
#[link(name = "gomp")]
unsafe extern "C" {
    fn omp_set_dynamic(dynamic_threads: std::os::raw::c_int);
    fn omp_set_num_threads(num_threads: std::os::raw::c_int);
}

/// One OpenMP thread for the calling thread's parallel regions (Linux: Debian's libtesseract uses OpenMP; the
/// Windows build's vcpkg Tesseract does not).
fn one_openmp_thread() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain OpenMP setters for this thread's parallel regions.
    unsafe {
        omp_set_dynamic(1);
        omp_set_num_threads(1);
    }
}

fn new_tesseract() -> Result<Tesseract, String> {
    Tesseract::new(None, Some("vie"))
        .map_err(|e| format!("Tesseract with the Vietnamese model (tesseract-ocr-vie): {e}"))
}

fn set(t: Tesseract, name: &str, value: &str) -> Result<Tesseract, DocumentError> {
    t.set_variable(name, value).map_err(|e| DocumentError::Ocr(format!("{name}={value}: {e}")))
}

fn run(t: Tesseract, task: Task) -> (Option<Tesseract>, Result<Answer, DocumentError>) {
    let (image, rect, digits, prepared) = match task {
        Task::Page { image, prepared } => (image, None, false, Some(prepared)),
        Task::Digits { image, rect } => (image, Some(rect), true, None),
    };
    let (w, h) = image.dimensions();
    let step = || -> Result<(Tesseract, Answer), DocumentError> {
        let t = set(t, "tessedit_pageseg_mode", if digits { "7" } else { "6" })?;
        let t = set(t, "tessedit_char_whitelist", if digits { "0123456789" } else { "" })?;
        let t = t
            .set_frame(image.as_raw(), w as i32, h as i32, 1, w as i32)
            .map_err(|e| DocumentError::Ocr(e.to_string()))?
            .set_source_resolution(200);
        let t = match rect {
            Some([x, y, rw, rh]) => t.set_rectangle(x as i32, y as i32, rw as i32, rh as i32),
            None => t,
        };
        let mut t = t.recognize().map_err(|e| DocumentError::Ocr(e.to_string()))?;
        let tsv = t.get_tsv_text(0).map_err(|e| DocumentError::Ocr(e.to_string()))?;
        let lines = parse_tsv(&tsv, w, h);
        let answer = match prepared {
            Some(prepared) => Answer::Page(OcrPage { lines, prepared, width: w, height: h, image: image.clone() }),
            None => {
                let words: Vec<&OcrWord> = lines.iter().flat_map(|l| l.words.iter()).collect();
                let text: String = words.iter().map(|w| w.text.as_str()).collect();
                let conf = words.iter().map(|w| w.conf).fold(f32::INFINITY, f32::min);
                Answer::Digits(text, if conf.is_finite() { conf } else { 0.0 })
            }
        };
        Ok((t, answer))
    };
    match step() {
        Ok((t, a)) => (Some(t), Ok(a)),
        // The engine was consumed by the failed call: the worker makes a new one.
        Err(e) => (None, Err(e)),
    }
}

/// Words of Tesseract's TSV output (level 5), grouped into their lines.
fn parse_tsv(tsv: &str, w: u32, h: u32) -> Vec<OcrLine> {
    let mut lines: Vec<((u32, u32, u32), OcrLine)> = Vec::new();
    for row in tsv.lines() {
        let f: Vec<&str> = row.split('\t').collect();
        if f.len() < 12 || f[0] != "5" {
            continue;
        }
        let num = |i: usize| f[i].trim().parse::<f32>().unwrap_or(0.0);
        let text = f[11].trim();
        if text.is_empty() {
            continue;
        }
        let key = (num(2) as u32, num(3) as u32, num(4) as u32);
        let word = OcrWord {
            text: text.to_owned(),
            conf: num(10).max(0.0),
            bbox: [num(6) / w as f32, num(7) / h as f32, num(8) / w as f32, num(9) / h as f32],
        };
        match lines.last_mut() {
            Some((k, line)) if *k == key => line.words.push(word),
            _ => lines.push((key, OcrLine { words: vec![word] })),
        }
    }
    lines.into_iter().map(|(_, l)| l).collect()
}

impl OcrEngine {
    fn start() -> Result<OcrEngine, String> {
        // Fail here, with the reason, when the library or the model is missing.
        drop(new_tesseract()?);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue: Arc<Mutex<Receiver<Job>>> = Arc::new(Mutex::new(queue));
        for n in 0..workers() {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("ocr-{n}"))
                .spawn(move || {
                    // `BHXH_OCR_OMP_DEFAULT` leaves OpenMP as the library sets it: only
                    // for the benchmark that shows what this saves.
                    if std::env::var_os("BHXH_OCR_OMP_DEFAULT").is_none() {
                        one_openmp_thread();
                    }
                    let mut engine: Option<Tesseract> = None;
                    loop {
                        let job = {
                            let q = queue.lock().unwrap_or_else(|p| p.into_inner());
                            q.recv()
                        };
                        let Ok((task, reply)) = job else { return };
                        let t = match engine.take().map_or_else(new_tesseract, Ok) {
                            Ok(t) => t,
                            Err(e) => {
                                let _ = reply.send(Err(DocumentError::OcrUnavailable(e)));
                                continue;
                            }
                        };
                        let (back, answer) = run(t, task);
                        engine = back;
                        let _ = reply.send(answer);
                    }
                })
                .map_err(|e| e.to_string())?;
        }
        info!(workers = workers(), "OCR ready (Tesseract, vie)");
        Ok(OcrEngine { jobs: Mutex::new(jobs) })
    }

    fn ask(&self, task: Task) -> Result<Answer, DocumentError> {
        let (tx, rx) = mpsc::channel();
        {
            let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
            jobs.send((task, tx)).map_err(|_| DocumentError::OcrUnavailable("the OCR workers stopped".into()))?;
        }
        rx.recv().map_err(|_| DocumentError::OcrUnavailable("the OCR workers stopped".into()))?
    }

    /// Reads a page (or a photo) after preparing it with `steps`.
    pub fn read(&self, rgb: &image::RgbImage, steps: Steps) -> Result<OcrPage, DocumentError> {
        let _span = info_span!("ocr_page", w = rgb.width(), h = rgb.height()).entered();
        let (image, prepared) = prep::prepare(rgb, steps);
        match self.ask(Task::Page { image: Arc::new(image), prepared })? {
            Answer::Page(p) => Ok(p),
            Answer::Digits(..) => Err(DocumentError::Ocr("unexpected answer".into())),
        }
    }

    /// Re-reads a number in `rect` of an already prepared `image`, digits only.
    pub fn read_digits(&self, image: Arc<GrayImage>, rect: [u32; 4]) -> Result<(String, f32), DocumentError> {
        match self.ask(Task::Digits { image, rect })? {
            Answer::Digits(text, conf) => Ok((text, conf)),
            Answer::Page(_) => {
                warn!("OCR answered a page for a digits request");
                Err(DocumentError::Ocr("unexpected answer".into()))
            }
        }
    }
}

impl OcrEngine {
    /// The digits in a box (fractions of `page`), read again on their own with
    /// digits only; `None` when the box is empty or the reading failed.
    pub fn digits_in(&self, page: &OcrPage, bbox: [f32; 4]) -> Option<(String, f32)> {
        let (w, h) = (page.width as f32, page.height as f32);
        let pad = bbox[3] * h * 0.4;
        let x0 = (bbox[0] * w - pad).max(0.0);
        let y0 = (bbox[1] * h - pad).max(0.0);
        let x1 = ((bbox[0] + bbox[2]) * w + pad).min(w);
        let y1 = ((bbox[1] + bbox[3]) * h + pad).min(h);
        if x1 - x0 < 4.0 || y1 - y0 < 4.0 {
            return None;
        }
        let rect = [x0 as u32, y0 as u32, (x1 - x0) as u32, (y1 - y0) as u32];
        match self.read_digits(page.image.clone(), rect) {
            Ok(r) => Some(r),
            Err(e) => {
                warn!(error = %e, "re-reading a number failed");
                None
            }
        }
    }

    /// A number's value read again in its box with digits only, when the first
    /// reading does not have one of the `lengths` a number of this kind has, or is
    /// unsure; then weighed as [`cross_check`] does.
    pub fn reread_number(
        &self,
        page: &OcrPage,
        bbox: [f32; 4],
        value: &str,
        conf: f32,
        lengths: &[usize],
    ) -> (String, f32) {
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        if lengths.contains(&digits.len()) && is_confident(conf) {
            return (value.to_owned(), conf);
        }
        cross_check((value.to_owned(), conf), self.digits_in(page, bbox), lengths)
    }
}

/// Whether a confidence counts as confident once rounded as it is stored.
fn is_confident(conf: f32) -> bool {
    conf.round() >= f32::from(bhxh_domain::mau01::OCR_CONFIDENT)
}

/// A number as two readings give it: the page's (or card's) and the digits-only
/// re-read of its box. On a blurred photo Tesseract is sure of digits the blur has
/// merged (a 3 read as 1 at 87 %), so a value is confident only when both readings
/// agree and it has one of the `lengths` a number of its kind has; otherwise the
/// likelier one is kept as unsure (a note for the officer, never a Block).
pub fn cross_check(first: (String, f32), again: Option<(String, f32)>, lengths: &[usize]) -> (String, f32) {
    let unsure = f32::from(bhxh_domain::mau01::OCR_CONFIDENT) - 1.0;
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let shaped = |s: &str| lengths.contains(&digits(s).len());
    let Some(again) = again else { return (first.0, first.1.min(unsure)) };
    if digits(&first.0) == digits(&again.0) {
        let conf = first.1.max(again.1);
        return if shaped(&first.0) { (first.0, conf) } else { (first.0, conf.min(unsure)) };
    }
    let (value, conf) = match (shaped(&first.0), shaped(&again.0)) {
        (false, true) => again,
        (true, false) => first,
        _ if again.1 > first.1 => again,
        _ => first,
    };
    (value, conf.min(unsure))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_confident_only_when_both_readings_agree_on_its_shape() {
        let r = |v: &str, c: f32| (v.to_owned(), c);
        let id: &[usize] = &[9, 12];
        assert_eq!(cross_check(r("791203127", 96.0), Some(r("791203127", 90.0)), id), r("791203127", 96.0));
        // The writer's spaces are not a disagreement.
        assert_eq!(cross_check(r("7914 820 031", 80.0), Some(r("7914820031", 91.0)), &[10]), r("7914 820 031", 91.0));
        assert_eq!(cross_check(r("791201127", 87.0), Some(r("791203127", 80.0)), id), r("791201127", 69.0));
        assert_eq!(cross_check(r("6310281284", 64.0), Some(r("630281284", 75.0)), id), r("630281284", 69.0));
        assert_eq!(cross_check(r("630281284", 90.0), Some(r("6302812", 40.0)), id), r("630281284", 69.0));
        // Eleven digits twice is still not a card number; no re-read at all is no agreement.
        assert_eq!(cross_check(r("79120312711", 95.0), Some(r("79120312711", 95.0)), id).1, 69.0);
        assert_eq!(cross_check(r("791203127", 95.0), None, id), r("791203127", 69.0));
        assert!(!is_confident(69.4) && is_confident(69.5), "as stored, rounded");
    }

    #[test]
    fn tsv_words_are_grouped_into_lines_with_boxes() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
            1\t1\t0\t0\t0\t0\t0\t0\t1000\t2000\t-1\t\n\
            5\t1\t1\t1\t1\t1\t100\t200\t50\t20\t96.5\tHọ\n\
            5\t1\t1\t1\t1\t2\t160\t200\t50\t20\t91\tvà\n\
            5\t1\t1\t1\t2\t1\t100\t240\t300\t20\t88\t7914820031\n\
            5\t1\t1\t1\t2\t2\t100\t240\t300\t20\t-1\t \n";
        let lines = parse_tsv(tsv, 1000, 2000);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text(), "Họ và");
        assert_eq!(lines[1].words[0].bbox, [0.1, 0.12, 0.3, 0.01]);
        let page = OcrPage {
            lines,
            prepared: Prepared { skew_deg: 0.0, scale: 1.0 },
            width: 1000,
            height: 2000,
            image: Arc::new(GrayImage::new(1, 1)),
        };
        assert_eq!(page.text(), "Họ và\n7914820031");
        assert!((page.mean_conf() - (96.5 + 91.0 + 88.0) / 3.0).abs() < 1e-3);
    }
}
