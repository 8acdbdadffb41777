//! PDFs through PDFium, which never runs in the app's process. A citizen's PDF or
//! a scanned stack is hostile until read: each job runs in a fresh worker process
//! (`bhxh-pdf-worker`) with a memory and CPU limit and no core dump, and the app
//! gives each page a wall-clock deadline; a worker that hangs or breaks its answer
//! is killed, one that crashes costs that document, and the next job gets a new
//! worker. The worker gets the PDF's bytes on stdin and answers frames on stdout
//! (`wire`); it holds no key and opens no cache, and before reading the PDF it
//! closes itself in (`sandbox`: no network, no program, no file written). It runs
//! as the same user, so it is a limit on what a parser bug can do, not a wall
//! around the user's own files, which it can still read.

mod render;
mod sandbox;
pub mod wire;
pub mod worker;

use crate::DocumentError;
use bhxh_domain::mau01::signature::PlacedWord;
use image::RgbImage;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;
use tracing::{info_span, warn};
use wire::{Reply, Request, WireError};

/// Environment variable naming the folder that holds `libpdfium.so`.
pub const LIBRARY_DIR_ENV: &str = "BHXH_PDFIUM_DIR";
/// Environment variable naming the worker program, when it is not beside the app.
pub const WORKER_ENV: &str = "BHXH_PDF_WORKER";
/// The worker program's file name.
pub const WORKER_NAME: &str = "bhxh-pdf-worker";

/// What one PDF may cost. A stack of paper forms is a few dozen pages; a
/// citizen's ID document one or two.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Pages past this refuse the whole document before any is rendered.
    pub max_pages: u32,
    /// The worker's address space (RLIMIT_AS), in MiB.
    pub memory_mib: u64,
    /// The worker's CPU time for one document (RLIMIT_CPU), in seconds.
    pub cpu_seconds: u64,
    /// Wall-clock time for the first answer and between two pages.
    pub page_seconds: u64,
    /// Workers at once on this PC for each kind of work: reading a stack, and
    /// showing a page or counting pages. A long stack never holds up a page the
    /// officer asked to see.
    pub workers: usize,
    /// How long a job waits for a free worker before it is refused as busy.
    pub wait_seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        // The wait outlasts a page's deadline: a PDF that hangs is killed before
        // the next caller is told "busy".
        Limits { max_pages: 300, memory_mib: 1536, cpu_seconds: 600, page_seconds: 60, workers: 1, wait_seconds: 90 }
    }
}

/// The installed app's resource folder (Tauri's: `/usr/lib/bhxh-desk` from the `.deb`, the program's folder on
/// Windows), set once by the shell when it finds the package's files there.
static INSTALLED: OnceLock<PathBuf> = OnceLock::new();

/// Tells the engine where the installed package put PDFium. An installed app then looks nowhere else (no checkout,
/// no system library path).
pub fn use_installed_resources(dir: PathBuf) {
    let _ = INSTALLED.set(dir);
}

pub fn installed_resources() -> Option<&'static Path> {
    INSTALLED.get().map(PathBuf::as_path)
}

/// Where `libpdfium.so` is looked for, in order: `$BHXH_PDFIUM_DIR` (scripts and tests; not for an installed app); the installed package's
/// resource folder; otherwise, in a development build, the checkout's `.local/pdfium` (`scripts/setup`); last,
/// beside the executable. Never the working directory nor its parents, nor the system's library path: a folder the
/// officer opened, or a library someone installed, must not supply code to the app.
pub fn locate_library() -> PathBuf {
    let name = pdfium_render::prelude::Pdfium::pdfium_platform_library_name();
    let mut dirs: Vec<PathBuf> = Vec::new();
    // An installed app takes no library from the environment: whoever edits a shortcut must not supply code.
    if let Some(dir) = std::env::var_os(LIBRARY_DIR_ENV).filter(|_| installed_resources().is_none()) {
        dirs.push(PathBuf::from(dir));
    }
    match installed_resources() {
        Some(dir) => dirs.push(dir.to_path_buf()),
        None if cfg!(debug_assertions) => dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.local/pdfium")),
        None => {}
    }
    dirs.extend(exe_dir());
    let candidates: Vec<PathBuf> = dirs.into_iter().map(|d| d.join(&name)).collect();
    candidates.iter().find(|p| p.is_file()).or(candidates.first()).cloned().unwrap_or_else(|| PathBuf::from(name))
}

fn exe_dir() -> Option<PathBuf> {
    std::env::current_exe().ok().and_then(|e| e.parent().map(PathBuf::from))
}

/// Where the worker program is: `$BHXH_PDF_WORKER` (not for an installed app); beside the executable (the
/// installed app, `cargo build`'s `target/debug`); one folder up (a test binary
/// in `target/debug/deps`).
pub fn locate_worker() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(WORKER_ENV).filter(|_| installed_resources().is_none()) {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let dir = exe_dir()?;
    let file = format!("{WORKER_NAME}{}", std::env::consts::EXE_SUFFIX);
    [dir.join(&file), dir.join("..").join(&file)].into_iter().find(|p| p.is_file())
}

static ENGINE: OnceLock<Result<PdfEngine, String>> = OnceLock::new();

/// The process's PDF engine, with the default limits.
pub fn engine() -> Result<&'static PdfEngine, DocumentError> {
    ENGINE
        .get_or_init(|| {
            let worker = locate_worker().ok_or_else(|| {
                format!("{WORKER_NAME} not found beside {:?} (nor ${WORKER_ENV})", std::env::current_exe().ok())
            })?;
            let library = locate_library();
            Ok(PdfEngine::new(worker, library, Limits::default()))
        })
        .as_ref()
        .map_err(|e| DocumentError::PdfiumUnavailable(e.clone()))
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

/// Workers running at once, and the wait for a free one.
struct Slots {
    busy: Mutex<usize>,
    freed: Condvar,
    max: usize,
}

struct Slot(Arc<Slots>);

impl Slots {
    fn new(max: usize) -> Arc<Self> {
        Arc::new(Slots { busy: Mutex::new(0), freed: Condvar::new(), max: max.max(1) })
    }

    /// A free worker within `wait`, or `PdfBusy`: someone waiting at the screen
    /// never waits unbounded behind a document that takes minutes. Background
    /// work (`None`) waits its turn: every job ends, at its deadline at worst, and
    /// a busy answer there would be saved as if the document were unreadable.
    fn take(self: &Arc<Self>, wait: Option<Duration>) -> Result<Slot, DocumentError> {
        let busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        let mut busy = match wait {
            Some(wait) => {
                let (busy, timeout) =
                    self.freed.wait_timeout_while(busy, wait, |b| *b >= self.max).unwrap_or_else(|p| p.into_inner());
                if timeout.timed_out() && *busy >= self.max {
                    return Err(DocumentError::PdfBusy { seconds: wait.as_secs() });
                }
                busy
            }
            None => self.freed.wait_while(busy, |b| *b >= self.max).unwrap_or_else(|p| p.into_inner()),
        };
        *busy += 1;
        Ok(Slot(Arc::clone(self)))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut busy = self.0.busy.lock().unwrap_or_else(|p| p.into_inner());
        *busy -= 1;
        self.0.freed.notify_one();
    }
}

/// Which workers a job waits for.
#[derive(Clone, Copy)]
enum Kind {
    /// A page to show, a page count: short, and someone is waiting.
    View,
    /// Every page of a document: a stack import, minutes on an old PC.
    Stack,
}

pub struct PdfEngine {
    worker: PathBuf,
    library: PathBuf,
    limits: Limits,
    view_slots: Arc<Slots>,
    stack_slots: Arc<Slots>,
    /// A misbehaviour the worker is asked to show (tests of the limits; a
    /// release worker ignores it).
    fault: Option<String>,
}

/// A worker process that is killed when it goes out of scope, whatever path the
/// caller leaves by: it never serves a second document, and one that stopped
/// answering never outlives the job.
struct Worker(Child);

impl Worker {
    /// How the worker ended, once its answers stopped. It may have closed its
    /// output and gone on running: it gets a moment to exit, then it is killed, so
    /// the app never waits on it.
    fn ended(&mut self) -> String {
        for _ in 0..50 {
            match self.0.try_wait() {
                Ok(Some(status)) => return status.to_string(),
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return e.to_string(),
            }
        }
        let _ = self.0.kill();
        let status = self.0.wait().map(|s| s.to_string()).unwrap_or_default();
        format!("still running after its answers stopped: killed, {status}")
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Its whole process group: anything it managed to start goes with it (the
        // sandbox refuses it a group of its own).
        #[cfg(target_os = "linux")]
        if let Ok(pid) = i32::try_from(self.0.id()) {
            // SAFETY: kill takes integers only; a negative pid names the worker's own group.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One document in one worker: the child, and its frames as they come.
struct Job {
    worker: Worker,
    frames: Receiver<Result<(Reply, Vec<u8>), String>>,
    deadline: Duration,
    _slot: Slot,
}

fn wire_error(e: WireError) -> DocumentError {
    match e {
        WireError::Pdf { detail } => DocumentError::Pdf(detail),
        WireError::NoSuchPage { page, pages } => DocumentError::NoSuchPage { page, pages },
        WireError::TooManyPages { pages, limit } => DocumentError::TooManyPages { pages, limit },
        WireError::Unavailable { detail } => DocumentError::PdfiumUnavailable(detail),
    }
}

impl Job {
    /// The next frame within the deadline; a worker that is silent too long is
    /// killed, one that stopped is reported with how it ended.
    fn next(&mut self) -> Result<(Reply, Vec<u8>), DocumentError> {
        match self.frames.recv_timeout(self.deadline) {
            Ok(Ok(frame)) => Ok(frame),
            Ok(Err(detail)) => {
                let status = self.worker.ended();
                Err(DocumentError::PdfWorker(format!("{detail} ({status})")))
            }
            Err(RecvTimeoutError::Timeout) => {
                let _ = self.worker.0.kill();
                warn!(seconds = self.deadline.as_secs(), "PDF worker too slow: killed");
                Err(DocumentError::PdfTooSlow { seconds: self.deadline.as_secs() })
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.worker.ended();
                Err(DocumentError::PdfWorker(format!("the worker stopped ({status})")))
            }
        }
    }

    fn page(&mut self) -> Result<Option<Page>, DocumentError> {
        match self.next()? {
            (Reply::Page { index, pages, width, height, text, words }, pixels) => {
                let image = RgbImage::from_raw(width, height, pixels).ok_or_else(|| {
                    DocumentError::PdfWorker(format!("a page of {width}×{height} with the wrong size"))
                })?;
                let words =
                    words.into_iter().map(|(text, bbox, conf)| PlacedWord { text, bbox, conf }).collect::<Vec<_>>();
                Ok(Some(Page { index, pages, image, text, words }))
            }
            (Reply::Done, _) => Ok(None),
            (Reply::Error { error }, _) => Err(wire_error(error)),
            (Reply::Count { .. }, _) => Err(DocumentError::PdfWorker("a count where a page was due".into())),
        }
    }
}

impl PdfEngine {
    pub fn new(worker: PathBuf, library: PathBuf, limits: Limits) -> Self {
        let (view_slots, stack_slots) = (Slots::new(limits.workers), Slots::new(limits.workers));
        PdfEngine { worker, library, limits, view_slots, stack_slots, fault: None }
    }

    /// Asks every worker of this engine to misbehave (`hang`, `crash`, `oom`):
    /// the limits' own tests. Only a debug build's worker obeys.
    #[doc(hidden)]
    pub fn with_fault(mut self, fault: &str) -> Self {
        self.fault = Some(fault.to_owned());
        self
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    fn start(
        &self,
        kind: Kind,
        patient: bool,
        request: Request,
        bytes: Arc<Vec<u8>>,
        long_side: u32,
    ) -> Result<Job, DocumentError> {
        let slots = match kind {
            Kind::View => &self.view_slots,
            Kind::Stack => &self.stack_slots,
        };
        let slot = slots.take((!patient).then(|| Duration::from_secs(self.limits.wait_seconds)))?;
        let mut cmd = Command::new(&self.worker);
        cmd.arg("--library")
            .arg(&self.library)
            .arg("--memory-mib")
            .arg(self.limits.memory_mib.to_string())
            .arg("--cpu-seconds")
            .arg(self.limits.cpu_seconds.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            // The worker needs nothing of the app's environment but how to log and load.
            .env_clear()
            .envs(std::env::vars_os().filter(|(k, _)| ["RUST_LOG", "LANG", "LD_LIBRARY_PATH"].iter().any(|v| k == v)));
        if let Some(f) = &self.fault {
            cmd.arg("--fault").arg(f);
        }
        // A group of its own, killed whole with the job.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut worker = Worker(
            cmd.spawn()
                .map_err(|e| DocumentError::PdfiumUnavailable(format!("starting {}: {e}", self.worker.display())))?,
        );
        let (Some(mut stdin), Some(stdout)) = (worker.0.stdin.take(), worker.0.stdout.take()) else {
            return Err(DocumentError::PdfiumUnavailable("the worker's pipes".into()));
        };
        // Written from a thread: a worker that stops reading must not block the app.
        std::thread::Builder::new()
            .name("pdf-worker-in".into())
            .spawn(move || {
                if let Err(e) = wire::write_frame(&mut stdin, &request, &bytes) {
                    warn!(error = %e, "the PDF worker did not take the document");
                }
            })
            .map_err(|e| DocumentError::PdfWorker(e.to_string()))?;
        // One page's pixels at most, and room for its header.
        let max_payload = u64::from(long_side).pow(2) * 3 + (1 << 20);
        let (tx, frames) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("pdf-worker-out".into())
            .spawn(move || read_frames(stdout, max_payload, &tx))
            .map_err(|e| DocumentError::PdfWorker(e.to_string()))?;
        Ok(Job { worker, frames, deadline: Duration::from_secs(self.limits.page_seconds), _slot: slot })
    }

    pub fn page_count(&self, bytes: Arc<Vec<u8>>) -> Result<u32, DocumentError> {
        let _span = info_span!("pdf_page_count", len = bytes.len()).entered();
        let mut job = self.start(Kind::View, false, Request::PageCount, bytes, 0)?;
        match job.next()? {
            (Reply::Count { pages }, _) => Ok(pages),
            (Reply::Error { error }, _) => Err(wire_error(error)),
            _ => Err(DocumentError::PdfWorker("an answer that is not a count".into())),
        }
    }

    /// Page `index` (from 0) rendered to fit `long_side`, for someone waiting:
    /// `PdfBusy` after `wait_seconds` without a free worker.
    pub fn render_page(&self, bytes: Arc<Vec<u8>>, index: u32, long_side: u32) -> Result<RgbImage, DocumentError> {
        self.render(false, bytes, index, long_side)
    }

    /// The same for background work (the analysis), which waits its turn.
    pub fn render_page_patiently(
        &self,
        bytes: Arc<Vec<u8>>,
        index: u32,
        long_side: u32,
    ) -> Result<RgbImage, DocumentError> {
        self.render(true, bytes, index, long_side)
    }

    fn render(
        &self,
        patient: bool,
        bytes: Arc<Vec<u8>>,
        index: u32,
        long_side: u32,
    ) -> Result<RgbImage, DocumentError> {
        let _span = info_span!("pdf_render_page", index, long_side, patient).entered();
        let mut job = self.start(Kind::View, patient, Request::RenderPage { index, long_side }, bytes, long_side)?;
        job.page()?.map(|p| p.image).ok_or_else(|| DocumentError::PdfWorker("no page came".into()))
    }

    /// Every page, rendered and with its text, streamed: at most two pages wait
    /// in memory, so a 100-page stack never holds 100 bitmaps. A document over
    /// `max_pages` is refused before any page is rendered.
    /// `patient`: background work waits for a free worker instead of `PdfBusy`.
    pub fn pages(
        &self,
        bytes: Arc<Vec<u8>>,
        long_side: u32,
        patient: bool,
    ) -> Result<Receiver<Result<Page, DocumentError>>, DocumentError> {
        let max_pages = self.limits.max_pages;
        let request = Request::Pages { long_side, max_pages };
        let mut job = self.start(Kind::Stack, patient, request, bytes, long_side)?;
        let (tx, rx): (SyncSender<Result<Page, DocumentError>>, _) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("pdf-pages".into())
            .spawn(move || {
                let _span = info_span!("pdf_pages", long_side).entered();
                let mut sent = 0u32;
                loop {
                    match job.page() {
                        // The worker checks the page limit; a worker gone wrong is not
                        // believed: past it, or a page out of order, ends the document.
                        Ok(Some(page)) if sent >= max_pages || page.index != sent => {
                            let why = format!("page {} after {sent} pages (limit {max_pages})", page.index + 1);
                            let _ = tx.send(Err(DocumentError::PdfWorker(why)));
                            return;
                        }
                        Ok(Some(page)) => {
                            sent += 1;
                            if tx.send(Ok(page)).is_err() {
                                return; // the reader gave up: the worker is killed with the job
                            }
                        }
                        Ok(None) => return,
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    }
                }
            })
            .map_err(|e| DocumentError::PdfWorker(e.to_string()))?;
        Ok(rx)
    }
}

/// The worker's frames until `Done`, an error, or its end; at most one waits.
fn read_frames(stdout: std::process::ChildStdout, max_payload: u64, tx: &SyncSender<Result<(Reply, Vec<u8>), String>>) {
    let mut r = BufReader::new(stdout);
    loop {
        let frame = match wire::read_frame::<Reply>(&mut r, max_payload) {
            Ok(Some(f)) => f,
            Ok(None) => {
                let _ = tx.send(Err("the worker ended without finishing".into()));
                return;
            }
            Err(e) => {
                let _ = tx.send(Err(format!("reading the worker: {e}")));
                return;
            }
        };
        let last = matches!(frame.0, Reply::Done | Reply::Error { .. } | Reply::Count { .. });
        if tx.send(Ok(frame)).is_err() || last {
            return;
        }
    }
}
