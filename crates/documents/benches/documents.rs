//! The document figures issue 5 asks for, as medians:
//! decode + resize of a 4000×3000 JPEG, a PDF page rendered at 1600 px (printed
//! and scanned), the chip-CCCD QR found on a 12-megapixel card photo, and a
//! 100-page stack imported with matching; and beside it, on the same file in the
//! same run, poppler's `pdftoppm` (the tool a person would reach for) rendering
//! the same page at the same size, printed as a ratio (`apt-get install
//! poppler-utils`; without it the line says so).
//! `cargo bench -p bhxh-documents --bench documents [runs]`

use bhxh_documents::{analyse, paper, pdf, qr, raster};
use bhxh_domain::DocumentKind;
use bhxh_domain::mau01::{Candidate, match_page};
use bhxh_fixtures::forms::{FormData, FormVariant, stack_pdf};
use rand::SeedableRng;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    let _ = f(); // warm
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

/// A 12-megapixel photo of the card: the generated 2000×1500 photo enlarged, as
/// a phone camera saves it (JPEG quality 90).
fn twelve_megapixels(jpeg: &[u8]) -> Vec<u8> {
    let img = image::load_from_memory(jpeg).expect("decode").to_rgb8();
    let big = image::imageops::resize(&img, 4000, 3000, image::imageops::FilterType::Triangle);
    raster::encode_jpeg(&big, 90).expect("encode")
}

fn main() {
    let runs: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(9);
    let g = bhxh_fixtures::Generator::new(7).expect("fonts (fonts-dejavu-core)");
    let now = chrono::Utc::now();
    let d = (0..50u64)
        .filter_map(|i| g.declaration(i, now).ok())
        .find(|d| d.person.fields.id_type == Some(bhxh_protocol::IdDocumentType::Cccd) && d.documents.len() == 3)
        .expect("a CCCD holder");
    let back = &d.documents.iter().find(|(k, _)| *k == DocumentKind::IdBack).expect("back").1;
    let big = twelve_megapixels(back);
    println!("12 MP card photo: {} KB", big.len() / 1024);

    let decode = time(runs, || raster::decode(&big).expect("decode"));
    let photo = raster::decode(&big).expect("decode");
    let resize = time(runs, || raster::resized_rgb(&photo.image, 1600));
    let derivs = time(runs, || raster::derivatives(&photo).expect("derivatives"));
    println!(
        "decode 4000×3000 JPEG: {decode:.1} ms; resize to 1600 px: {resize:.1} ms; screen + thumbnail JPEGs: {derivs:.1} ms"
    );
    let qr_big = time(runs, || qr::find(&photo.image));
    let found = qr::find(&photo.image);
    println!("QR on the 12 MP card photo: {qr_big:.1} ms ({} found)", found.len());
    let whole = time(runs.min(5), || analyse(DocumentKind::IdBack, &big));
    println!("whole analysis of the 12 MP photo (decode, quality, QR, derivatives): {whole:.1} ms");

    // Paper forms: 100 pages of the office's people, printed and scanned.
    let fonts = bhxh_fixtures::Fonts::load_system().expect("fonts");
    let people: Vec<(String, bhxh_protocol::DeclarationFields)> = (0..100u64)
        .filter_map(|i| g.declared_person(i, now).ok())
        .enumerate()
        .map(|(n, p)| (format!("{}-{:06}", p.fields.office_code, n + 1), p.fields))
        .collect();
    let forms: Vec<(FormData<'_>, FormVariant)> = people
        .iter()
        .enumerate()
        .map(|(n, (id, f))| {
            let v = if n % 2 == 0 {
                FormVariant::PRINTED
            } else {
                FormVariant { scanned: true, rotation_deg: 0.7, ..FormVariant::PRINTED }
            };
            (FormData { declaration_id: id, fields: f, office_name: "BHXH Quận 6" }, v)
        })
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let t = Instant::now();
    let stack = Arc::new(stack_pdf(&mut rng, &fonts, &forms).expect("stack"));
    println!("generated a 100-page stack ({} KB) in {:.1} s", stack.len() / 1024, t.elapsed().as_secs_f64());
    let engine = pdf::engine().expect("PDFium (scripts/setup)");
    let printed = time(runs, || engine.render_page(Arc::clone(&stack), 0, 1600).expect("render"));
    let scanned = time(runs, || engine.render_page(Arc::clone(&stack), 1, 1600).expect("render"));
    println!(
        "render one page at 1600 px (reopening the document each time): printed {printed:.1} ms, scanned {scanned:.1} ms"
    );
    pdftoppm_beside(engine, &stack, runs);

    let candidates: Vec<Candidate> = people.iter().map(|(id, f)| f.candidate(id)).collect();
    let import = |stack: &Arc<Vec<u8>>| {
        let mut taken = Vec::new();
        let mut matched = 0;
        for page in engine.pages(Arc::clone(stack), 1600, true).expect("pages") {
            let page = page.expect("page");
            let reading = paper::read_page(&page.image, &page.text, &page.words);
            let m = match_page(&reading, &candidates, &taken);
            if let Some(id) = m.declaration_id {
                taken.push(id);
                matched += 1;
            }
            std::hint::black_box(raster::encode_jpeg(&page.image, 80).expect("page jpeg"));
        }
        matched
    };
    let matched = import(&stack);
    let whole = time(runs.min(3), || import(&stack));
    println!(
        "import of the 100-page stack (render, text, QR, signature, match, page JPEG): {:.2} s, {:.0} ms per page; {matched}/100 matched",
        whole / 1000.0,
        whole / 100.0
    );
}

/// The first (printed) page of the stack as the app makes it for the screen (PDFium
/// at 1600 px, then the JPEG the viewer is sent) and as `pdftoppm -jpeg -scale-to
/// 1600` makes it from the same file: each from the file, a new process for the
/// peer as a person runs it.
fn pdftoppm_beside(engine: &pdf::PdfEngine, stack: &Arc<Vec<u8>>, runs: usize) {
    let Ok(tmp) = tempfile::tempdir() else { return };
    let dir = tmp.path().to_owned();
    let file = dir.join("stack.pdf");
    if std::fs::write(&file, stack.as_slice()).is_err() {
        return;
    }
    let peer = || {
        std::process::Command::new("pdftoppm")
            .args(["-jpeg", "-jpegopt", "quality=85", "-scale-to", "1600", "-f", "1", "-l", "1"])
            .arg(&file)
            .arg(dir.join("page"))
            .output()
    };
    match peer() {
        Ok(out) if out.status.success() => {
            let ours = time(runs, || {
                let page = engine.render_page(Arc::clone(stack), 0, 1600).expect("render");
                raster::encode_jpeg(&page, 85).expect("jpeg")
            });
            let theirs = time(runs, || peer().expect("pdftoppm"));
            println!(
                "the same page at 1600 px to JPEG: the app {ours:.1} ms, pdftoppm {theirs:.1} ms (app/pdftoppm {:.2})",
                ours / theirs
            );
        }
        _ => println!("pdftoppm not found (apt-get install poppler-utils): no peer figure for the page"),
    }
}
