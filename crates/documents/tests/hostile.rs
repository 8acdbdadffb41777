//! Issue 21, item 5: a hostile PDF costs one document, never the app. PDFium runs
//! in a worker process per document, with a page cap, a memory and CPU limit and a
//! deadline; a worker that hangs is killed, one that crashes or runs out of memory
//! ends that document with a sentence, and the next document is read as usual.

use bhxh_documents::DocumentError;
use bhxh_documents::pdf::{Limits, PdfEngine, locate_library};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A PDF of `n` empty A4 pages, written by hand (nothing of the project's own).
fn blank_pdf(n: usize) -> Vec<u8> {
    let mut objects: Vec<String> = Vec::new();
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 3 + i)).collect();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")));
    for _ in 0..n {
        objects.push("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".into());
    }
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

fn engine(limits: Limits) -> PdfEngine {
    PdfEngine::new(env!("CARGO_BIN_EXE_bhxh-pdf-worker").into(), locate_library(), limits)
}

fn quick() -> Limits {
    Limits { page_seconds: 3, ..Limits::default() }
}

#[test]
fn a_well_formed_pdf_is_read_in_the_worker() {
    let e = engine(quick());
    let pdf = Arc::new(blank_pdf(3));
    assert_eq!(e.page_count(Arc::clone(&pdf)).expect("count"), 3);
    let page = e.render_page(Arc::clone(&pdf), 2, 400).expect("page 3");
    assert_eq!(page.height(), 400);
    let pages: Vec<_> = e.pages(pdf, 300, false).expect("pages").into_iter().collect::<Result<_, _>>().expect("read");
    assert_eq!(pages.iter().map(|p| (p.index, p.pages)).collect::<Vec<_>>(), vec![(0, 3), (1, 3), (2, 3)]);
    assert!(matches!(
        e.render_page(Arc::new(blank_pdf(1)), 5, 300),
        Err(DocumentError::NoSuchPage { page: 6, pages: 1 })
    ));
    assert!(matches!(e.page_count(Arc::new(b"%PDF-1.7 garbage".to_vec())), Err(DocumentError::Pdf(_))));
}

#[test]
fn too_many_pages_are_refused_before_any_is_rendered() {
    let e = engine(Limits { max_pages: 50, ..quick() });
    let started = Instant::now();
    let mut pages = e.pages(Arc::new(blank_pdf(51)), 1600, false).expect("started").into_iter();
    let first = pages.next().expect("an answer");
    assert!(matches!(first, Err(DocumentError::TooManyPages { pages: 51, limit: 50 })), "{:?}", first.err());
    assert!(pages.next().is_none());
    assert!(started.elapsed() < Duration::from_secs(10));
    // The sentence an officer reads.
    let e = DocumentError::TooManyPages { pages: 51, limit: 50 };
    assert!(e.message_vi().contains("51 trang"), "{}", e.message_vi());
}

#[test]
fn a_hanging_worker_is_killed_at_the_deadline_and_the_next_document_is_read() {
    let hangs = engine(quick()).with_fault("hang");
    let started = Instant::now();
    let err = hangs.page_count(Arc::new(blank_pdf(1))).expect_err("killed");
    assert!(matches!(err, DocumentError::PdfTooSlow { seconds: 3 }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    // Streaming too: the reader gets the error, not a wait for ever.
    let mut pages = hangs.pages(Arc::new(blank_pdf(2)), 300, false).expect("started").into_iter();
    assert!(matches!(pages.next(), Some(Err(DocumentError::PdfTooSlow { .. }))));
    // The app goes on: the next document, in a new worker.
    assert_eq!(engine(quick()).page_count(Arc::new(blank_pdf(2))).expect("next"), 2);
}

#[test]
fn a_crashing_worker_costs_one_document() {
    let crashes = engine(quick()).with_fault("crash");
    let err = crashes.render_page(Arc::new(blank_pdf(1)), 0, 300).expect_err("crashed");
    assert!(matches!(err, DocumentError::PdfWorker(_)), "{err:?}");
    assert!(err.message_vi().contains("Các tệp khác vẫn dùng được"));
    assert_eq!(engine(quick()).page_count(Arc::new(blank_pdf(1))).expect("next"), 1);
}

#[test]
fn a_worker_past_its_memory_limit_ends_that_document() {
    let hoards = engine(Limits { memory_mib: 512, ..quick() }).with_fault("oom");
    let started = Instant::now();
    let err = hoards.page_count(Arc::new(blank_pdf(1))).expect_err("out of memory");
    assert!(matches!(err, DocumentError::PdfWorker(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(engine(quick()).page_count(Arc::new(blank_pdf(1))).expect("next"), 1);
}

#[cfg(target_os = "linux")]
#[test]
fn one_worker_at_a_time_whatever_the_callers() {
    let e = Arc::new(engine(Limits { workers: 1, ..quick() }).with_fault("slow"));
    // Counted from outside: the worker processes this test's process has running.
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = std::thread::spawn({
        let done = Arc::clone(&done);
        move || {
            let mut most = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                most = most.max(running_workers());
                std::thread::sleep(Duration::from_millis(2));
            }
            most
        }
    });
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let e = Arc::clone(&e);
            std::thread::spawn(move || e.page_count(Arc::new(blank_pdf(2))))
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().expect("thread").expect("count"), 2);
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    // Each worker lives 400 ms or more: the watcher saw them, and never two at once.
    assert_eq!(watcher.join().expect("watcher"), 1);
}

/// This process's workers started with `--fault slow` (other tests of this file run
/// beside this one with workers of their own).
#[cfg(target_os = "linux")]
fn running_workers() -> usize {
    let me = std::process::id().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else { return 0 };
    entries
        .flatten()
        .filter(|e| {
            let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else { return false };
            // pid (comm) state ppid …: comm may hold spaces, so split after its ')'.
            let Some(close) = stat.rfind(')') else { return false };
            let ppid = stat[close + 1..].split_whitespace().nth(1);
            let args = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            let args: Vec<&[u8]> = args.split(|b| *b == 0).collect();
            ppid == Some(me.as_str()) && args.windows(2).any(|w| w[0] == b"--fault" && w[1] == b"slow")
        })
        .count()
}

#[test]
fn a_worker_that_breaks_its_answer_and_stays_is_killed_not_waited_on() {
    let garbles = engine(Limits { page_seconds: 30, ..quick() }).with_fault("garble");
    let started = Instant::now();
    let err = garbles.page_count(Arc::new(blank_pdf(1))).expect_err("broken answer");
    assert!(matches!(err, DocumentError::PdfWorker(_)), "{err:?}");
    // Well before the page deadline: the broken stream ends the job, and the
    // worker that kept running is killed rather than waited for.
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    let mut pages = garbles.pages(Arc::new(blank_pdf(2)), 300, false).expect("started").into_iter();
    assert!(matches!(pages.next(), Some(Err(DocumentError::PdfWorker(_)))));
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
}

#[test]
fn a_long_stack_never_holds_up_a_page_and_a_second_stack_is_told_busy() {
    let e = engine(Limits { workers: 1, page_seconds: 30, wait_seconds: 1, ..quick() }).with_fault("hang-stack");
    // A stack whose reading goes on (here: for ever, until its deadline).
    let stack = e.pages(Arc::new(blank_pdf(3)), 300, false).expect("started");
    let started = Instant::now();
    // The officer's page and page count still come, from their own worker.
    assert_eq!(e.render_page(Arc::new(blank_pdf(2)), 1, 300).expect("page").height(), 300);
    assert_eq!(e.page_count(Arc::new(blank_pdf(2))).expect("count"), 2);
    assert!(started.elapsed() < Duration::from_secs(15), "{:?}", started.elapsed());
    // A second stack waits a bounded time, then is refused with a sentence.
    let err = e.pages(Arc::new(blank_pdf(1)), 300, false).expect_err("busy");
    assert!(matches!(err, DocumentError::PdfBusy { seconds: 1 }), "{err:?}");
    assert!(err.message_vi().contains("thử lại"), "{}", err.message_vi());
    drop(stack);
}

#[test]
fn the_worker_can_neither_write_nor_connect_nor_run_a_program() {
    // The worker tries each after it has closed itself in, and aborts if any
    // works: the document then fails. It does not: every try was refused, and
    // reading (fonts) still works.
    let tries = engine(quick()).with_fault("escape");
    assert_eq!(tries.page_count(Arc::new(blank_pdf(2))).expect("every escape refused"), 2);
    let page = tries.render_page(Arc::new(blank_pdf(1)), 0, 300).expect("still renders");
    assert_eq!(page.height(), 300);
}
