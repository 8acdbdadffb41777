//! OCR of image-only paper forms (issue 10): time per page (median) and fields
//! read exactly, per scan variant and per preparation step, so that only steps
//! that help are kept; a 100-page image-only stack end to end; ID card fronts
//! (median per photo); and the OpenMP
//! trap: the same pages with libgomp left as Debian's libtesseract sets it; and
//! beside the app, on the same page images in the same run, the `tesseract`
//! command line a person would run (`tesseract page.png stdout -l vie`), its text
//! read by the same form rules: time per page and fields read exactly.
//! `cargo bench -p bhxh-documents --bench ocr`

use bhxh_documents::ocr::{self, Steps};
use bhxh_documents::{paper, pdf};
use bhxh_domain::mau01::{Candidate, PageReading, match_page};
use bhxh_fixtures::forms::{self, FormData, FormVariant, ScanDefect};
use bhxh_fixtures::{Fonts, Generator};
use rand::SeedableRng;
use std::sync::Arc;
use std::time::{Duration, Instant};

const VARIANTS: &[(&str, ScanDefect, f32)] = &[
    ("clean", ScanDefect::Clean, 0.0),
    ("turned 2°", ScanDefect::Clean, 2.0),
    ("turned 14°", ScanDefect::Clean, -14.0),
    ("blur+noise", ScanDefect::BlurNoise, 0.7),
    ("low contrast", ScanDefect::LowContrast, 0.0),
    ("JPEG q20", ScanDefect::Jpeg20, 0.0),
    ("100 dpi", ScanDefect::LowResolution, 0.0),
];

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v.get(v.len() / 2).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn people(n: usize) -> Vec<(String, bhxh_protocol::DeclarationFields)> {
    let g = Generator::new(23).expect("generator");
    let now = chrono::Utc::now();
    (0..2000u64)
        .filter_map(|i| g.declared_person(i, now).ok())
        .filter(|p| p.fields.office_code == "07916" && p.fields.id_number.is_some())
        .take(n)
        .enumerate()
        .map(|(k, p)| (format!("07916-{:06}", k + 1), p.fields))
        .collect()
}

fn stack(people: &[(String, bhxh_protocol::DeclarationFields)], variant: impl Fn(usize) -> FormVariant) -> Vec<u8> {
    let fonts = Fonts::load_system().expect("fonts");
    let forms_in: Vec<_> = people
        .iter()
        .enumerate()
        .map(|(k, (id, f))| (FormData { declaration_id: id, fields: f, office_name: "BHXH Quận 6" }, variant(k)))
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    forms::stack_pdf(&mut rng, &fonts, &forms_in).expect("stack")
}

fn scan(defect: ScanDefect, deg: f32) -> FormVariant {
    FormVariant { scanned: true, with_qr: false, rotation_deg: deg, scan: defect, ..FormVariant::PRINTED }
}

fn plain(s: Option<&str>) -> String {
    s.unwrap_or("").chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_uppercase()
}

fn exact(r: &PageReading, f: &bhxh_protocol::DeclarationFields) -> bool {
    plain(r.ma_so.as_deref()) == f.ma_so_bhxh.as_str() && plain(r.id_number.as_deref()) == plain(f.id_number.as_deref())
}

fn main() {
    let child = std::env::args().any(|a| a == "--omp-child");
    let engine = pdf::engine().expect("PDFium");
    let reader = ocr::engine().expect("Tesseract (tesseract-ocr-vie)");
    let per_variant = 4;
    let folks = people(per_variant);
    let pages_of = |defect, deg| -> Vec<image::RgbImage> {
        let bytes = stack(&folks, |_| scan(defect, deg));
        engine
            .pages(Arc::new(bytes), ocr::prep::A4_HEIGHT_200DPI, true)
            .expect("pages")
            .into_iter()
            .map(|p| p.expect("page").image)
            .collect()
    };
    if child {
        // Only the clean pages, timed: what the parent compares against.
        let pages = pages_of(ScanDefect::Clean, 0.0);
        let times: Vec<Duration> = pages
            .iter()
            .map(|p| {
                let t = Instant::now();
                reader.read(p, Steps::PAGE).expect("ocr");
                t.elapsed()
            })
            .collect();
        println!("{:.0}", median(times));
        return;
    }
    // Pages are rendered at 200 dpi; "150 dpi" brings them down before reading.
    let at_150 = Some(ocr::prep::A4_HEIGHT_200DPI * 3 / 4);
    let configs: &[(&str, Steps)] = &[
        ("none", Steps::NONE),
        ("contrast", Steps { contrast: true, ..Steps::NONE }),
        ("deskew", Steps { deskew: true, ..Steps::NONE }),
        ("deskew + contrast", Steps { contrast: true, deskew: true, height: None }),
        ("deskew at 150 dpi", Steps { deskew: true, height: at_150, ..Steps::NONE }),
    ];
    println!("fields read exactly (mã số and ID number), of {per_variant} pages; median ms per page");
    print!("{:>14}", "variant");
    for (name, _) in configs {
        print!(" | {name:>20}");
    }
    println!();
    let mut all_times = Vec::new();
    for (vname, defect, deg) in VARIANTS {
        let pages = pages_of(*defect, *deg);
        print!("{vname:>14}");
        for (cname, steps) in configs {
            let mut times = Vec::new();
            let mut ok = 0;
            for (k, p) in pages.iter().enumerate() {
                let t = Instant::now();
                let page = reader.read(p, *steps).expect("ocr");
                times.push(t.elapsed());
                let mut r = PageReading::default();
                paper::apply_ocr(&mut r, &page, Some(reader));
                ok += usize::from(exact(&r, &folks[k].1));
            }
            if *cname == "deskew" {
                all_times.extend(times.iter().copied());
            }
            print!(" | {:>9}/{} {:>6.0} ms", ok, pages.len(), median(times));
        }
        println!();
    }
    println!("per page as the app reads it (deskew, 200 dpi), all variants: median {:.0} ms", median(all_times));
    tesseract_beside(reader, &folks, &pages_of);

    // A unit's 100-page image-only stack, end to end: render at 200 dpi, QR,
    // signature, OCR, match.
    let hundred = people(100);
    let bytes = stack(&hundred, |k| {
        let (_, d, deg) = VARIANTS[k % VARIANTS.len()];
        scan(d, deg)
    });
    let candidates: Vec<Candidate> = hundred.iter().map(|(id, f)| f.candidate(id)).collect();
    let t = Instant::now();
    let mut taken = Vec::new();
    let (mut right, mut wrong) = (0, 0);
    let mut k = 0;
    let pages = engine.pages(Arc::new(bytes), ocr::prep::A4_HEIGHT_200DPI, true).expect("pages");
    paper::read_pages(pages, Some(reader), |r| {
        let r = r.expect("page").0;
        match match_page(&r, &candidates, &taken).declaration_id {
            Some(id) if id == hundred[k].0 => {
                right += 1;
                taken.push(id);
            }
            Some(_) => wrong += 1,
            None => {}
        }
        k += 1;
        Ok::<(), ()>(())
    })
    .expect("stack");
    let total = t.elapsed().as_secs_f64();
    println!(
        "100-page image-only stack: {total:.1} s ({:.0} ms per page), {right} matched, {wrong} wrong",
        total * 10.0
    );

    // ID card fronts without a QR code: the photo read (contrast stretched, digits
    // re-read), as the analysis reads it; without the analysis' QR search and copies.
    let g = Generator::new(17).expect("generator");
    let now = chrono::Utc::now();
    let fronts: Vec<(String, image::DynamicImage)> = (0..400u64)
        .filter_map(|i| g.declaration(i, now).ok())
        .filter(|d| d.person.fields.id_type == Some(bhxh_protocol::IdDocumentType::Cmnd))
        .take(10)
        .filter_map(|d| {
            let front = d.documents.iter().find(|(k, _)| *k == bhxh_domain::DocumentKind::IdFront)?;
            let photo = bhxh_documents::raster::decode(&front.1).ok()?;
            Some((d.person.fields.id_number.unwrap_or_default(), photo.image))
        })
        .collect();
    let mut times = Vec::new();
    let mut right = 0;
    for (number, photo) in &fronts {
        let t = Instant::now();
        let r = ocr::id_card::read_id_front(reader, photo).expect("ocr");
        times.push(t.elapsed());
        right += usize::from(r.field(bhxh_domain::mau01::FormField::IdNumber).is_some_and(|f| &f.value == number));
    }
    println!(
        "ID card front (old CMND, 2000×1500 photo): median {:.0} ms, number exact {right}/{}",
        median(times),
        fronts.len()
    );

    // The OpenMP trap: the same clean pages in a process that leaves libgomp alone.
    let exe = std::env::current_exe().expect("exe");
    let handled = {
        let pages = pages_of(ScanDefect::Clean, 0.0);
        median(
            pages
                .iter()
                .map(|p| {
                    let t = Instant::now();
                    reader.read(p, Steps::PAGE).expect("ocr");
                    t.elapsed()
                })
                .collect(),
        )
    };
    let out = std::process::Command::new(exe)
        .arg("--omp-child")
        .env("BHXH_OCR_OMP_DEFAULT", "1")
        .env_remove("OMP_THREAD_LIMIT")
        .output()
        .expect("child");
    let unhandled = String::from_utf8_lossy(&out.stdout).lines().last().unwrap_or("?").to_owned();
    println!("OpenMP: clean page {handled:.0} ms with the per-thread setting, {unhandled} ms with libgomp's default");
}

/// Every variant's pages read twice: by the app (prepared, deskewed, numbers re-read
/// in their box) and by the `tesseract` program on the page as rendered, one
/// process per page as a person runs it, its text read by the form's text rules;
/// the program as installed, and with `OMP_THREAD_LIMIT=1` (what the app sets for
/// its own reader: Debian's libgomp otherwise spins on a small PC).
fn tesseract_beside(
    reader: &ocr::OcrEngine,
    folks: &[(String, bhxh_protocol::DeclarationFields)],
    pages_of: &dyn Fn(ScanDefect, f32) -> Vec<image::RgbImage>,
) {
    let Ok(tmp) = tempfile::tempdir() else { return };
    let dir = tmp.path().to_owned();
    let cli = |png: &std::path::Path, one_thread: bool| {
        let mut c = std::process::Command::new("tesseract");
        c.arg(png).args(["stdout", "-l", "vie"]);
        if one_thread {
            c.env("OMP_THREAD_LIMIT", "1");
        } else {
            c.env_remove("OMP_THREAD_LIMIT");
        }
        c.output()
    };
    let (mut ours, mut theirs, mut theirs_one) = (Vec::new(), Vec::new(), Vec::new());
    let (mut ours_ok, mut theirs_ok, mut n) = (0, 0, 0);
    for (_, defect, deg) in VARIANTS {
        for (k, page) in pages_of(*defect, *deg).iter().enumerate() {
            let t = Instant::now();
            let read = reader.read(page, Steps::PAGE).expect("ocr");
            let mut r = PageReading::default();
            paper::apply_ocr(&mut r, &read, Some(reader));
            ours.push(t.elapsed());
            ours_ok += usize::from(exact(&r, &folks[k].1));

            let png = dir.join(format!("page-{n}.png"));
            page.save(&png).expect("png");
            let t = Instant::now();
            let out = match cli(&png, false) {
                Ok(out) if out.status.success() => out,
                _ => {
                    println!(
                        "tesseract not found or failed (apt-get install tesseract-ocr tesseract-ocr-vie): no peer figure"
                    );
                    return;
                }
            };
            theirs.push(t.elapsed());
            let t = Instant::now();
            let _ = cli(&png, true);
            theirs_one.push(t.elapsed());
            let text = String::from_utf8_lossy(&out.stdout);
            theirs_ok += usize::from(exact(&paper::read_page(page, &text, &[]), &folks[k].1));
            n += 1;
        }
    }
    let (a, b, c) = (median(ours), median(theirs), median(theirs_one));
    println!(
        "the same {n} pages, all variants: the app {a:.0} ms per page, {ours_ok}/{n} exact; \
         tesseract CLI {b:.0} ms per page as installed (app/CLI {:.2}), {c:.0} ms with OMP_THREAD_LIMIT=1 \
         (app/CLI {:.2}); {theirs_ok}/{n} exact",
        a / b,
        a / c
    );
}
