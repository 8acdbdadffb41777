//! PDFs through PDFium. PDFium is not thread-safe and binds once per process, so
//! one worker thread owns it for the life of the process and every request is a
//! job sent to it. The library is found at run time (see [`locate_library`]).

use crate::DocumentError;
use bhxh_domain::mau01::signature::{PlacedWord, TEXT_LAYER_CONF};
use image::RgbImage;
use pdfium_render::prelude::*;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex, OnceLock};
use tracing::{info, info_span, warn};

type Job = Box<dyn FnOnce(&Pdfium) + Send>;

pub struct PdfEngine {
    jobs: Mutex<mpsc::Sender<Job>>,
}

/// Environment variable naming the folder that holds `libpdfium.so`.
pub const LIBRARY_DIR_ENV: &str = "BHXH_PDFIUM_DIR";

/// Where `libpdfium.so` is looked for, in order: `$BHXH_PDFIUM_DIR`; beside the
/// executable (an installed app ships it there) and its `../lib`; `.local/pdfium`
/// in the working directory or a parent (a development checkout after
/// `scripts/setup`); finally the system's library path.
pub fn locate_library() -> PathBuf {
    let name = Pdfium::pdfium_platform_library_name();
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(dir) = std::env::var_os(LIBRARY_DIR_ENV) {
        dirs.push(PathBuf::from(dir));
    }
    if let Some(exe_dir) = std::env::current_exe().ok().and_then(|e| e.parent().map(PathBuf::from)) {
        dirs.push(exe_dir.join("../lib"));
        dirs.push(exe_dir);
    }
    if let Ok(cwd) = std::env::current_dir() {
        dirs.extend(cwd.ancestors().map(|a| a.join(".local/pdfium")));
    }
    dirs.into_iter().map(|d| d.join(&name)).find(|p| p.is_file()).unwrap_or_else(|| PathBuf::from(name))
}

static ENGINE: OnceLock<Result<PdfEngine, String>> = OnceLock::new();

/// The process's PDF engine, started on first use.
pub fn engine() -> Result<&'static PdfEngine, DocumentError> {
    ENGINE.get_or_init(PdfEngine::start).as_ref().map_err(|e| DocumentError::PdfiumUnavailable(e.clone()))
}

/// One rendered page and its text layer (empty for a scan).
pub struct Page {
    pub index: u32,
    pub pages: u32,
    pub image: RgbImage,
    pub text: String,
    /// The text layer's words and where they are (empty for a scan).
    pub words: Vec<PlacedWord>,
}

/// Words past this on one page are not kept: no form has them, and a page made
/// of millions must not fill the memory.
const MAX_PAGE_WORDS: usize = 20_000;

/// Confidence given to a word of an invisible text layer: a scanner's own OCR
/// laid over its image, trusted as much as ours, not as print.
const INVISIBLE_TEXT_CONF: u8 = 85;

/// The words of a page's text layer with their boxes in fractions of the page as
/// rendered. PDFium gives characters; a word ends at a space, a line break, or a
/// gap wider than half the character's height. A turned page (`/Rotate`) gives
/// none: its boxes would not land where the pixels are, and the signature is then
/// "could not tell".
fn placed_words(page: &PdfPage<'_>, text: &PdfPageText<'_>) -> Vec<PlacedWord> {
    let (pw, ph) = (page.width().value, page.height().value);
    if pw <= 0.0 || ph <= 0.0 || !matches!(page.rotation(), Ok(PdfPageRenderRotation::None)) {
        return Vec::new();
    }
    // The visible box may not start at the origin.
    let (x0, y0) = page
        .boundaries()
        .crop()
        .or_else(|_| page.boundaries().media())
        .map(|b| (b.bounds.left().value, b.bounds.bottom().value))
        .unwrap_or((0.0, 0.0));
    let mut words = Vec::new();
    let mut word = String::new();
    let mut conf = TEXT_LAYER_CONF;
    let mut bounds: Option<[f32; 4]> = None; // left, bottom, right, top in points
    let mut flush = |word: &mut String, bounds: &mut Option<[f32; 4]>, conf: &mut u8| {
        if let Some([l, b, r, t]) = bounds.take()
            && !word.trim().is_empty()
            && words.len() < MAX_PAGE_WORDS
        {
            let (l, r, b, t) = (l - x0, r - x0, b - y0, t - y0);
            words.push(PlacedWord {
                text: std::mem::take(word),
                bbox: [l / pw, 1.0 - t / ph, (r - l) / pw, (t - b) / ph],
                conf: *conf,
            });
        }
        word.clear();
        *conf = TEXT_LAYER_CONF;
    };
    for ch in text.chars().iter() {
        let Some(c) = ch.unicode_char() else { continue };
        if c.is_whitespace() || c.is_control() {
            flush(&mut word, &mut bounds, &mut conf);
            continue;
        }
        if matches!(ch.render_mode(), Ok(PdfPageTextRenderMode::Invisible)) {
            conf = conf.min(INVISIBLE_TEXT_CONF);
        }
        let Ok(rect) = ch.loose_bounds() else { continue };
        let (l, b, r, t) = (rect.left().value, rect.bottom().value, rect.right().value, rect.top().value);
        if let Some([_, pb, pr, pt]) = bounds {
            let height = (pt - pb).max(t - b).max(1.0);
            let mid = (b + t) / 2.0;
            if l - pr > height * 0.5 || l < pr - height * 2.0 || mid < pb || mid > pt {
                flush(&mut word, &mut bounds, &mut conf);
            }
        }
        bounds = Some(match bounds {
            Some([pl, pb, pr, pt]) => [pl.min(l), pb.min(b), pr.max(r), pt.max(t)],
            None => [l, b, r, t],
        });
        word.push(c);
    }
    flush(&mut word, &mut bounds, &mut conf);
    words
}

fn pdf_err(e: PdfiumError) -> DocumentError {
    DocumentError::Pdf(e.to_string())
}

fn config(long_side: u32) -> PdfRenderConfig {
    let side = long_side.min(i32::MAX as u32) as i32;
    PdfRenderConfig::new().set_target_width(side).set_maximum_height(side).set_maximum_width(side)
}

fn render(page: &PdfPage<'_>, long_side: u32) -> Result<RgbImage, DocumentError> {
    let bitmap = page.render_with_config(&config(long_side)).map_err(pdf_err)?;
    Ok(bitmap.as_image().map_err(pdf_err)?.to_rgb8())
}

impl PdfEngine {
    fn start() -> Result<PdfEngine, String> {
        let path = locate_library();
        let (jobs, queue) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
        std::thread::Builder::new()
            .name("pdfium".into())
            .spawn(move || {
                let pdfium = match Pdfium::bind_to_library(&path) {
                    Ok(bindings) => Pdfium::new(bindings),
                    Err(e) => {
                        let _ = ready_tx.send(Err(format!("{}: {e}", path.display())));
                        return;
                    }
                };
                info!(library = %path.display(), "PDFium bound");
                let _ = ready_tx.send(Ok(()));
                for job in queue {
                    job(&pdfium);
                }
            })
            .map_err(|e| e.to_string())?;
        ready_rx.recv().map_err(|e| e.to_string())??;
        Ok(PdfEngine { jobs: Mutex::new(jobs) })
    }

    fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Pdfium) -> Result<T, DocumentError> + Send + 'static,
    ) -> Result<T, DocumentError> {
        let (tx, rx) = mpsc::channel();
        self.submit(Box::new(move |p| {
            let _ = tx.send(job(p));
        }))?;
        rx.recv().map_err(|_| DocumentError::PdfiumUnavailable("the PDF worker stopped".into()))?
    }

    fn submit(&self, job: Job) -> Result<(), DocumentError> {
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.send(job).map_err(|_| DocumentError::PdfiumUnavailable("the PDF worker stopped".into()))
    }

    pub fn page_count(&self, bytes: Arc<Vec<u8>>) -> Result<u32, DocumentError> {
        self.run(move |pdfium| {
            let doc = pdfium.load_pdf_from_byte_slice(&bytes, None).map_err(pdf_err)?;
            Ok(doc.pages().len().max(0) as u32)
        })
    }

    /// Page `index` (from 0) rendered to fit `long_side`.
    pub fn render_page(&self, bytes: Arc<Vec<u8>>, index: u32, long_side: u32) -> Result<RgbImage, DocumentError> {
        self.run(move |pdfium| {
            let _span = info_span!("render_page", index, long_side).entered();
            let doc = pdfium.load_pdf_from_byte_slice(&bytes, None).map_err(pdf_err)?;
            let pages = doc.pages().len().max(0) as u32;
            let i = i32::try_from(index).map_err(|_| DocumentError::NoSuchPage { page: index + 1, pages })?;
            let page = doc.pages().get(i).map_err(|_| DocumentError::NoSuchPage { page: index + 1, pages })?;
            render(&page, long_side)
        })
    }

    /// Every page, rendered and with its text, streamed: at most two pages wait
    /// in memory, so a 100-page stack never holds 100 bitmaps.
    pub fn pages(
        &self,
        bytes: Arc<Vec<u8>>,
        long_side: u32,
    ) -> Result<Receiver<Result<Page, DocumentError>>, DocumentError> {
        let (tx, rx): (SyncSender<Result<Page, DocumentError>>, _) = mpsc::sync_channel(2);
        self.submit(Box::new(move |pdfium| {
            let _span = info_span!("pdf_pages", long_side).entered();
            let doc = match pdfium.load_pdf_from_byte_slice(&bytes, None) {
                Ok(d) => d,
                Err(e) => {
                    let _ = tx.send(Err(pdf_err(e)));
                    return;
                }
            };
            let pages = doc.pages().len().max(0) as u32;
            for (index, page) in doc.pages().iter().enumerate() {
                let (text, words) = match page.text() {
                    Ok(t) => (t.all(), placed_words(&page, &t)),
                    Err(e) => {
                        warn!(error = %e, index, "no text layer read");
                        (String::new(), Vec::new())
                    }
                };
                let item =
                    render(&page, long_side).map(|image| Page { index: index as u32, pages, image, text, words });
                if tx.send(item).is_err() {
                    return; // the reader gave up
                }
            }
        }))?;
        Ok(rx)
    }
}
