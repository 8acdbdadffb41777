//! Opening a declaration from the cache as the viewer does: the fields, then
//! three 12-megapixel photos and the first paper page at screen size.
//! Prefetched: the derivatives were made when the documents arrived (a sealed
//! read each). Cold: nothing prepared, each photo decoded and reduced now,
//! two at a time (the web view asks for all four at once; two cores).
//! `cargo bench -p bhxh-desk-core --bench open [runs]`

use bhxh_cache::analysis::NewDerivative;
use bhxh_cache::{Cache, DataKey};
use bhxh_documents::{Size, analyse, raster};
use bhxh_domain::DocumentKind;
use bhxh_protocol::{Declaration, DocumentRef};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

fn main() {
    let runs: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(9);
    let g = bhxh_fixtures::Generator::new(7).expect("fonts");
    let now = chrono::Utc::now();
    let generated =
        (0..50u64).filter_map(|i| g.declaration(i, now).ok()).find(|d| d.documents.len() == 3).expect("adult");
    // Phone-camera originals: 12 megapixels each.
    let originals: Vec<(DocumentKind, Vec<u8>)> = generated
        .documents
        .iter()
        .map(|(k, jpeg)| {
            let img = image::load_from_memory(jpeg).expect("decode").to_rgb8();
            let (w, h) = if img.width() > img.height() { (4000, 3000) } else { (3000, 4000) };
            let big = image::imageops::resize(&img, w, h, image::imageops::FilterType::Triangle);
            (*k, raster::encode_jpeg(&big, 90).expect("encode"))
        })
        .collect();
    let dir = tempfile::tempdir().expect("tmp");
    let mut cache = Cache::open(dir.path(), DataKey::generate()).expect("cache");
    let id = "07916-000001".to_owned();
    let docs: Vec<DocumentRef> = originals
        .iter()
        .map(|(k, b)| DocumentRef {
            id: format!("{id}-{}", k.code()),
            kind: *k,
            content_type: "image/jpeg".into(),
            size: b.len() as u64,
            sha256: bhxh_cache::store::sha256_hex(b),
        })
        .collect();
    let decl = Declaration {
        id: id.clone(),
        status: bhxh_domain::DeclarationStatus::Pending,
        submitted_at: generated.person.submitted_at,
        updated_at: generated.person.submitted_at,
        documents: docs.clone(),
        fields: generated.person.fields.clone(),
        assignment: None,
        decision: None,
        flags: vec![],
        account: None,
        phone_holders: vec![],
    };
    cache.apply_page(&[decl], "bench", "0").expect("page");
    for (d, (_, bytes)) in docs.iter().zip(&originals) {
        let doc = cache.document(&d.id).expect("row").expect("doc");
        cache.save_document(&doc, bytes).expect("save");
    }
    // The first paper page at screen size (a rendered page is a JPEG derivative like the others).
    let page_img = image::load_from_memory(&originals[1].1).expect("decode");
    let page = raster::encode_jpeg(&raster::resized_rgb(&page_img, 1600), 80).expect("page");

    let decode_two = |items: &[Vec<u8>]| {
        for x in items {
            raster::derivatives(&raster::decode(x).expect("decode")).expect("derivatives");
        }
        items.len()
    };
    let cold: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let _ = cache.declaration(&id).expect("declaration");
            let work: Vec<Vec<u8>> = docs.iter().map(|d| cache.document_bytes(&d.id).expect("bytes").1).collect();
            std::thread::scope(|s| {
                let (a, b) = work.split_at(2);
                let h1 = s.spawn(|| decode_two(a));
                let h2 = s.spawn(|| decode_two(b));
                let _ = (h1.join(), h2.join());
            });
            std::hint::black_box(&page);
            t.elapsed()
        })
        .collect();

    // Prefetch, as the analysis after a sync does.
    let t = Instant::now();
    for (d, (kind, bytes)) in docs.iter().zip(&originals) {
        let a = analyse(*kind, bytes);
        let doc = cache.document(&d.id).expect("row").expect("doc");
        let new: Vec<NewDerivative<'_>> = a
            .derivatives
            .iter()
            .map(|x| NewDerivative { size: x.size.code(), width: x.width, height: x.height, bytes: &x.jpeg })
            .collect();
        cache.save_analysis(&doc, &a.facts, &new, now).expect("save");
    }
    let page_derivative = NewDerivative { size: "page0", width: 1131, height: 1600, bytes: &page };
    cache.save_derivatives(&docs[0].sha256, &[page_derivative]).expect("page");
    println!("analysis of the three 12 MP photos when they arrive: {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    let warm: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let _ = cache.declaration(&id).expect("declaration");
            let _ = cache.findings(&id).expect("findings");
            for d in &docs {
                std::hint::black_box(cache.derivative(&d.sha256, Size::Screen.code()).expect("read").expect("made"));
            }
            std::hint::black_box(cache.derivative(&docs[0].sha256, "page0").expect("read").expect("page"));
            t.elapsed()
        })
        .collect();
    println!(
        "open a declaration (fields, 3 photos + 1 paper page at screen size): prefetched {:.1} ms, cold {:.0} ms (medians of {runs})",
        median(warm),
        median(cold)
    );
}
