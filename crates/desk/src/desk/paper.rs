//! Documents beyond their bytes: analysing them when they arrive (quality, QR,
//! derivatives), serving the viewer its screen-size copies, and paper Mẫu 01
//! stacks (import, automatic matching, matching by hand).

use super::{Desk, OpenSession, Shown, lock};
use crate::access;
use crate::error::{AppError, ErrorCode};
use crate::ipc::{CandidateView, ImportSummary, MatchPaperInput, PaperPageView};
use bhxh_cache::analysis::NewDerivative;
use bhxh_cache::paper::{NewPaperPage, PaperPage, page_size_name};
use bhxh_cache::{Cache, CachedDocument};
use bhxh_documents::{AnalyseOptions, Analysis, Format, Size, analyse_with, paper, pdf, raster};
use bhxh_domain::DocumentKind;
use bhxh_domain::mau01::{Candidate, MatchedBy, PageMatch, PageReading, match_page};
use bhxh_protocol::Declaration;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tracing::{info, info_span, warn};

/// Documents analysed per round: the cache is locked only to read and to save.
const ANALYSE_BATCH: u32 = 8;
/// Cache meta key of the viewer arrangement.
const VIEWER_PREFS: &str = "ui.viewer";

/// The cache's view of derivatives made by `bhxh-documents`.
fn to_store(derivatives: &[bhxh_documents::Derivative]) -> Vec<NewDerivative<'_>> {
    derivatives
        .iter()
        .map(|d| NewDerivative { size: d.size.code(), width: d.width, height: d.height, bytes: &d.jpeg })
        .collect()
}

fn pdf_refused(e: bhxh_documents::DocumentError) -> AppError {
    warn!(error = %e, "paper form refused");
    AppError::new(ErrorCode::Validation, e.message_vi(), e.message_en())
}

fn no_such_page() -> AppError {
    AppError::new(ErrorCode::NotFound, "Không có trang này.", "There is no such page.")
}

fn candidates_of(all: &[Declaration]) -> Vec<Candidate> {
    all.iter().map(|d| d.fields.candidate(&d.id)).collect()
}

/// One page read and rendered, ready to save.
struct ReadPage {
    reading: PageReading,
    matched: PageMatch,
    jpeg: Vec<u8>,
    width: u32,
    height: u32,
}

/// Renders and reads every page of a PDF, matching each against `all`.
/// `patient`: background work waits for the stack worker instead of "busy".
fn read_stack(
    bytes: &[u8],
    all: &[Candidate],
    taken: &mut Vec<String>,
    patient: bool,
) -> Result<Vec<ReadPage>, AppError> {
    let engine = pdf::engine().map_err(pdf_refused)?;
    // Image-only pages are read by OCR at about 200 dpi; without Tesseract they are
    // matched by hand, as before.
    let ocr = match bhxh_documents::ocr::engine() {
        Ok(e) => Some(e),
        Err(e) => {
            tracing::warn!(error = %e, "no OCR: image-only pages will need matching by hand");
            None
        }
    };
    let long_side = if ocr.is_some() { bhxh_documents::ocr::prep::A4_HEIGHT_200DPI } else { Size::Screen.long_side() };
    let mut out = Vec::new();
    let pages = engine.pages(Arc::new(bytes.to_vec()), long_side, patient).map_err(pdf_refused)?;
    paper::read_pages(pages, ocr, |page| {
        let (reading, image) = page.map_err(pdf_refused)?;
        let matched = match_page(&reading, all, taken);
        if let Some(id) = &matched.declaration_id {
            taken.push(id.clone());
        }
        let screen = raster::fit_rgb(image, Size::Screen.long_side());
        let jpeg = raster::encode_jpeg(&screen, 80).map_err(pdf_refused)?;
        out.push(ReadPage { reading, matched, jpeg, width: screen.width(), height: screen.height() });
        Ok::<(), AppError>(())
    })?;
    Ok(out)
}

fn save_stack(
    cache: &mut Cache,
    sha: &str,
    bytes: &[u8],
    pages: &[ReadPage],
    source: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let sizes: Vec<String> = (0..pages.len() as u32).map(page_size_name).collect();
    let new: Vec<NewPaperPage<'_>> = pages
        .iter()
        .zip(&sizes)
        .map(|(p, size)| NewPaperPage {
            reading: &p.reading,
            declaration_id: p.matched.declaration_id.as_deref(),
            matched_by: p.matched.matched_by,
            candidates: &p.matched.candidates,
            screen: NewDerivative { size, width: p.width, height: p.height, bytes: &p.jpeg },
        })
        .collect();
    cache.save_paper_stack(sha, bytes, &new, source, actor, now)?;
    Ok(())
}

/// What background analysis needs of a session: its cache, who acts, and its
/// token (cancelled by a lock or a logout). Not the session itself: the password
/// and the client's token stay out of a task that may outlive a click.
pub(super) struct Work {
    cache: Arc<Mutex<Cache>>,
    actor: String,
    cancel: tokio_util::sync::CancellationToken,
}

impl Work {
    pub(super) fn of(s: &OpenSession) -> Self {
        Self { cache: Arc::clone(s.cache()), actor: s.info.username.clone(), cancel: s.cancel.clone() }
    }
}

impl Desk {
    /// Analyses the documents that arrived since the last round: quality, QR,
    /// derivatives; a PDF sent with a declaration is read as its paper form. Then
    /// re-runs the checks. Returns how many documents were analysed. Runs off the
    /// UI thread (the background task, the headless `sync`).
    pub fn analyse_pending(&self) -> Result<u32, AppError> {
        let Ok(s) = self.open_session() else { return Ok(0) };
        let work = Work::of(&s);
        drop(s);
        self.analyse(&work)
    }

    /// [`Desk::analyse_pending`] for a session's work; stops between two documents
    /// once the session is locked or closed.
    pub(super) fn analyse(&self, work: &Work) -> Result<u32, AppError> {
        let (cache, actor) = (&work.cache, work.actor.as_str());
        let _span = info_span!("analyse_pending").entered();
        let started = Instant::now();
        let mut done = 0;
        loop {
            let batch: Vec<(CachedDocument, Vec<u8>)> = {
                let c = lock(cache);
                let docs = c.documents_to_analyse(ANALYSE_BATCH)?;
                let mut out = Vec::with_capacity(docs.len());
                for d in docs {
                    match c.document_bytes(&d.id) {
                        Ok((d, bytes)) => out.push((d, bytes)),
                        Err(e) => warn!(error = %e, document = %d.id, "document not analysed"),
                    }
                }
                out
            };
            if batch.is_empty() {
                break;
            }
            // One at a time, on this background thread: an office PC has two cores and
            // the officer's window must keep one (a 12 MP photo takes ~0.3 s).
            let n = batch.len() as u32;
            for (doc, bytes) in batch {
                if work.cancel.is_cancelled() {
                    info!(documents = done, "analysis stopped: the session was locked or closed");
                    return Ok(done);
                }
                // A card's front is read by OCR only when no QR code was found on
                // its back (analysed first): an old CMND, a worn CCCD.
                let read_id_front = doc.kind == DocumentKind::IdFront && {
                    // A sibling's unreadable facts row is no QR: it must not stop the analysis.
                    let facts = lock(cache).document_facts(&doc.declaration_id).unwrap_or_else(|e| {
                        warn!(error = %e, document = %doc.id, "facts of the declaration's documents unreadable");
                        Vec::new()
                    });
                    bhxh_domain::DocumentFacts::cccd_qr(&facts).is_none()
                };
                let a: Analysis = analyse_with(doc.kind, &bytes, AnalyseOptions { read_id_front });
                let derivs = to_store(&a.derivatives);
                let c = lock(cache);
                c.save_analysis(&doc, &a.facts, &derivs, self.now())?;
                if doc.kind == DocumentKind::PaperForm && bhxh_documents::sniff(&bytes) == Format::Pdf {
                    drop(c);
                    self.import_attached(cache, &doc, &bytes, actor)?;
                }
            }
            done += n;
        }
        if done > 0 {
            lock(cache).recheck_due()?;
            info!(documents = done, ms = started.elapsed().as_millis() as u64, "documents analysed");
        }
        Ok(done)
    }

    /// A paper form the central service sent with the declaration: read like an
    /// imported one; pages nothing identifies belong to the declaration that carried it.
    fn import_attached(
        &self,
        cache: &Arc<Mutex<Cache>>,
        doc: &CachedDocument,
        bytes: &[u8],
        actor: &str,
    ) -> Result<(), AppError> {
        if lock(cache).paper_stack(&doc.sha256)?.is_some() {
            return Ok(());
        }
        let (all, mut taken) = {
            let c = lock(cache);
            let office = c.declaration(&doc.declaration_id)?.map(|d| d.declaration.fields.office_code);
            let all = match office {
                Some(o) => c.declarations_of(&o)?,
                None => Vec::new(),
            };
            (candidates_of(&all), c.declarations_with_paper()?)
        };
        let mut pages = read_stack(bytes, &all, &mut taken, true)?;
        for p in &mut pages {
            if p.matched.declaration_id.is_none() {
                p.matched = PageMatch {
                    declaration_id: Some(doc.declaration_id.clone()),
                    matched_by: MatchedBy::Attached,
                    candidates: Vec::new(),
                };
            }
        }
        save_stack(&mut lock(cache), &doc.sha256, bytes, &pages, &doc.id, actor, self.now())
    }

    /// The image the viewer shows for a document: its screen-size or thumbnail
    /// derivative (made now if it was not prefetched), or the original.
    pub fn document_image(&self, id: &str, size: Option<Size>) -> Result<(String, Vec<u8>), AppError> {
        let (s, doc) = self.owned_document(id)?;
        let cache = s.cache();
        // Prefetched: the derivative alone, without reading the original.
        if let Some(size) = size
            && let Some(d) = lock(cache).derivative(&doc.sha256, size.code())?
        {
            return Ok(("image/jpeg".into(), d));
        }
        let Some(size) = size else {
            // Checked above: read without a second session check.
            let (_, bytes) = lock(cache).document_bytes(id)?;
            return Ok((doc.content_type, bytes));
        };
        let sha = doc.sha256;
        // Cold: not analysed yet. One decode per document: a request for another size
        // of the same one waits, then finds what this one saved.
        self.decoding.run(&sha, || {
            if let Some(d) = lock(cache).derivative(&sha, size.code())? {
                return Ok(("image/jpeg".into(), d));
            }
            let (_, bytes) = lock(cache).document_bytes(id)?;
            // A PDF not analysed yet: its first page, rendered once in the worker at
            // screen size, and both sizes kept like a photo's, so the thumbnail and
            // the next opening do not start a worker again.
            let photo = if bhxh_documents::sniff(&bytes) == Format::Pdf {
                let page = pdf::engine()
                    .and_then(|e| e.render_page(Arc::new(bytes), 0, Size::Screen.long_side()))
                    .map_err(pdf_refused)?;
                raster::Photo::from_pdf_page(page)
            } else {
                raster::decode(&bytes).map_err(pdf_refused)?
            };
            let derivs = raster::derivatives(&photo).map_err(pdf_refused)?;
            lock(cache).save_derivatives(&sha, &to_store(&derivs))?;
            let wanted = derivs.into_iter().find(|d| d.size == size).map(|d| d.jpeg).unwrap_or_default();
            Ok(("image/jpeg".into(), wanted))
        })
    }

    /// A rendered page of an imported paper stack.
    pub fn paper_page_image(&self, sha256: &str, index: u32) -> Result<Vec<u8>, AppError> {
        let s = self.view::<access::Reviewer>()?;
        let cache = s.cache();
        let c = lock(cache);
        let pages = c.paper_stack_pages(sha256)?;
        let page = pages.iter().find(|p| p.page_index == index);
        // A page matched to another office's declaration is as good as absent.
        if let Some(id) = page.and_then(|p| p.declaration_id.as_deref()) {
            let office = c.declaration(id)?.map(|d| d.declaration.fields.office_code);
            if office.as_deref() != Some(s.info.office_code.as_str()) {
                return Err(no_such_page());
            }
        }
        let Some(page) = page else { return Err(no_such_page()) };
        let subject = page.declaration_id.clone().unwrap_or_else(|| c.paper_subject(sha256));
        drop(c);
        s.audit_shown(&subject, Shown::Served, self.now())?;
        lock(cache).derivative(sha256, &page_size_name(index))?.ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                "Trang này chưa được dựng hình trên máy.",
                "This page has not been rendered on this PC yet.",
            )
        })
    }

    /// Imports a scanned or printed stack of paper Mẫu 01 forms (a PDF) and
    /// matches its pages to the office's declarations.
    pub fn import_paper(&self, bytes: &[u8]) -> Result<ImportSummary, AppError> {
        let s = self.view::<access::Reviewer>()?;
        let _span = info_span!("import_paper", len = bytes.len()).entered();
        let started = Instant::now();
        match bhxh_documents::sniff(bytes) {
            Format::Pdf => {}
            _ if bytes.is_empty() => return Err(pdf_refused(bhxh_documents::DocumentError::Empty)),
            other => {
                return Err(AppError::new(
                    ErrorCode::Validation,
                    format!("Tệp không phải PDF (là {}). Hãy chọn tệp PDF của bản quét tờ khai.", other.name_vi()),
                    format!(
                        "The file is not a PDF (it is {}). Please choose the PDF of the scanned forms.",
                        other.name_en()
                    ),
                ));
            }
        }
        let sha = bhxh_cache::store::sha256_hex(bytes);
        let cache = s.cache();
        if lock(cache).paper_stack(&sha)?.is_some() {
            let mut summary = self.summary(cache, &s.info.office_code, &sha)?;
            summary.already_imported = true;
            return Ok(summary);
        }
        let (all, mut taken) = {
            let c = lock(cache);
            (candidates_of(&c.declarations_of(&s.info.office_code)?), c.declarations_with_paper()?)
        };
        let pages = read_stack(bytes, &all, &mut taken, false)?;
        {
            let mut c = lock(cache);
            save_stack(&mut c, &sha, bytes, &pages, "file", &s.info.username, self.now())?;
            c.recheck_due()?;
        }
        let mut summary = self.summary(cache, &s.info.office_code, &sha)?;
        summary.duration_ms = started.elapsed().as_millis() as u32;
        info!(
            pages = summary.pages,
            qr = summary.matched_qr,
            text = summary.matched_text,
            hand = summary.need_hand,
            ms = summary.duration_ms,
            "paper stack imported"
        );
        Ok(summary)
    }

    /// An imported stack's pages and matches (for matching by hand).
    pub fn paper_stack(&self, sha256: &str) -> Result<ImportSummary, AppError> {
        let s = self.view::<access::Reviewer>()?;
        let cache = s.cache();
        if lock(cache).paper_stack(sha256)?.is_none() {
            return Err(AppError::new(
                ErrorCode::NotFound,
                "Không có tệp tờ khai giấy này trên máy.",
                "This paper form file is not on this PC.",
            ));
        }
        self.summary(cache, &s.info.office_code, sha256)
    }

    /// The officer matches a page by hand (or clears a match).
    pub fn match_paper(&self, input: MatchPaperInput) -> Result<(), AppError> {
        let s = self.view::<access::Reviewer>()?;
        let cache = s.cache();
        let mut c = lock(cache);
        if let Some(id) = &input.declaration_id {
            let found = c.declaration(id)?.filter(|d| d.declaration.fields.office_code == s.info.office_code);
            if found.is_none() {
                return Err(AppError::declaration_not_here());
            }
        }
        c.match_paper_page(
            &input.sha256,
            input.page_index,
            input.declaration_id.as_deref(),
            &s.info.username,
            self.now(),
        )?;
        c.recheck_due()?;
        Ok(())
    }

    /// The officer's viewer arrangement on this PC (defaults the first time).
    pub fn viewer_prefs(&self) -> Result<crate::ipc::ViewerPrefs, AppError> {
        let s = self.view::<access::Session>()?;
        let stored = s.with_cache(|c| c.meta(VIEWER_PREFS))?;
        Ok(stored
            .and_then(|s| serde_json::from_str::<crate::ipc::ViewerPrefs>(&s).ok())
            .unwrap_or_default()
            .sanitised())
    }

    pub fn set_viewer_prefs(&self, prefs: crate::ipc::ViewerPrefs) -> Result<(), AppError> {
        let s = self.view::<access::Session>()?;
        let json = serde_json::to_string(&prefs.sanitised()).map_err(AppError::internal)?;
        s.with_cache(|c| c.set_meta(VIEWER_PREFS, &json))
    }

    fn summary(&self, cache: &Arc<Mutex<Cache>>, office: &str, sha: &str) -> Result<ImportSummary, AppError> {
        let c = lock(cache);
        let pages: Vec<PaperPage> = c.paper_stack_pages(sha)?;
        let all = c.declarations_of(office)?;
        let by_id: HashMap<&str, &Declaration> = all.iter().map(|d| (d.id.as_str(), d)).collect();
        let mut rows = Vec::with_capacity(pages.len());
        let mut units: HashMap<String, u32> = HashMap::new();
        for p in &pages {
            let matched = p.declaration_id.as_deref().and_then(|id| by_id.get(id));
            if let Some(unit) = matched.and_then(|d| d.fields.unit_code.clone()) {
                *units.entry(unit).or_default() += 1;
            }
            let findings = match &p.declaration_id {
                Some(id) if matched.is_some() => {
                    c.findings(id)?.0.into_iter().filter(|f| f.code.starts_with("paper.")).map(|f| f.message).collect()
                }
                _ => Vec::new(),
            };
            rows.push(PaperPageView {
                page_index: p.page_index,
                declaration_id: p.declaration_id.clone(),
                full_name: matched.map(|d| d.fields.full_name.clone()),
                matched_by: p.matched_by,
                signed: p.reading.signed,
                ocr_conf: p.reading.ocr.as_ref().map(|o| o.mean_conf),
                candidates: p
                    .candidates
                    .iter()
                    .filter_map(|id| by_id.get(id.as_str()))
                    .map(|d| CandidateView {
                        id: d.id.clone(),
                        full_name: d.fields.full_name.clone(),
                        ma_so_bhxh: d.fields.ma_so_bhxh.to_string(),
                    })
                    .collect(),
                findings,
            });
        }
        let unit_code = units.into_iter().max_by_key(|(u, n)| (*n, std::cmp::Reverse(u.clone()))).map(|(u, _)| u);
        let with_paper = c.declarations_with_paper()?;
        let unit_missing_forms = unit_code.as_deref().map_or(0, |unit| {
            all.iter()
                .filter(|d| {
                    // On hold for their form too: exactly what the unit's stack is awaited for.
                    d.fields.unit_code.as_deref() == Some(unit) && d.status.is_open()
                })
                .filter(|d| !with_paper.contains(&d.id))
                .count() as u32
        });
        let count = |by: MatchedBy| pages.iter().filter(|p| p.matched_by == by).count() as u32;
        Ok(ImportSummary {
            sha256: sha.to_owned(),
            pages: pages.len() as u32,
            matched_qr: count(MatchedBy::Qr),
            matched_text: count(MatchedBy::Text),
            need_hand: count(MatchedBy::None),
            already_imported: false,
            unit_code,
            unit_missing_forms,
            rows,
            duration_ms: 0,
        })
    }
}
