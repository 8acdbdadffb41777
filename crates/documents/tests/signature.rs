//! Signed or not, found from the form itself (issue 19): the signer's caption is
//! located in the text layer or the OCR words and the space under it is looked at.
//! Two layouts drawn independently: the project's own printout (`forms`) and one
//! drawn as the portal prints Mẫu 01 (`portal_form`: other margins, font, field
//! order, caption wording, signer's block on either side), each as a printout with
//! a text layer and as a scan, signed and unsigned.
//!
//! The rule under test: no signed form is reported unsigned, no unsigned form is
//! reported signed; a space the machine cannot read says "could not tell" (`None`).

use bhxh_documents::ocr;
use bhxh_documents::{paper, pdf};
use bhxh_domain::mau01::PageReading;
use bhxh_fixtures::forms::{self, FormData, FormVariant, ScanDefect};
use bhxh_fixtures::{Fonts, Generator};
use chrono::{TimeZone, Utc};
use rand::SeedableRng;
use std::sync::Arc;

fn people(n: usize) -> Vec<(String, bhxh_protocol::DeclarationFields)> {
    let g = Generator::new(23).expect("generator");
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).single().expect("time");
    (0..400u64)
        .filter_map(|i| g.declared_person(i, now).ok())
        .filter(|p| p.fields.office_code == "07916" && p.fields.id_number.is_some())
        .take(n)
        .enumerate()
        .map(|(k, p)| (format!("07916-{:06}", k + 1), p.fields))
        .collect()
}

/// Each page read as the app reads a stack: text layer, else OCR at about 200 dpi.
fn read_all(pdf_bytes: Vec<u8>) -> Vec<PageReading> {
    let engine = pdf::engine().expect("PDFium (run scripts/setup, or set BHXH_PDFIUM_DIR)");
    let reader = ocr::engine().expect("Tesseract with tesseract-ocr-vie (run scripts/setup)");
    engine
        .pages(Arc::new(pdf_bytes), ocr::prep::A4_HEIGHT_200DPI)
        .expect("pages")
        .into_iter()
        .map(|p| {
            let p = p.expect("page");
            paper::read_page_with_ocr(&p.image, &p.text, &p.words, None, Some(reader))
        })
        .collect()
}

/// Checks one table of (name, signed, reading) and prints it. A clean page must be
/// told exactly; a degraded one may say "could not tell", never the opposite.
fn judge(layout: &str, rows: &[(String, bool, bool, &PageReading)]) {
    let mut wrong = Vec::new();
    for (name, signed, clean, r) in rows {
        println!(
            "{layout:>8} {name:<34} signed={signed:<5} read={:<11} ink={:.4} area={:?}",
            format!("{:?}", r.signed),
            r.ink_share,
            r.signing_area.map(|a| a.map(|v| (v * 1000.0).round() / 1000.0))
        );
        let ok = match (r.signed, *clean) {
            (Some(s), _) => s == *signed,
            (None, clean) => !clean,
        };
        if !ok {
            wrong.push(format!("{layout} {name}: signed {signed}, read {:?} (ink {:.4})", r.signed, r.ink_share));
        }
    }
    assert!(wrong.is_empty(), "misjudged:\n{}", wrong.join("\n"));
}

#[test]
fn the_projects_own_layout_printed_and_scanned() {
    let fonts = Fonts::load_system().expect("fonts");
    let people = people(2);
    let scan = |defect: ScanDefect, deg: f32| FormVariant {
        scanned: true,
        with_qr: false,
        rotation_deg: deg,
        scan: defect,
        ..FormVariant::PRINTED
    };
    // (name, variant, clean: must be told exactly)
    let variants: Vec<(&str, FormVariant, bool)> = vec![
        ("printed", FormVariant::PRINTED, true),
        ("scan clean", scan(ScanDefect::Clean, 0.0), true),
        ("scan turned 2°", scan(ScanDefect::Clean, 2.0), true),
        ("scan turned -6°", scan(ScanDefect::Clean, -6.0), true),
        ("scan blur + noise", scan(ScanDefect::BlurNoise, 0.7), false),
        ("scan low contrast", scan(ScanDefect::LowContrast, 0.0), false),
        ("scan JPEG 20", scan(ScanDefect::Jpeg20, 0.0), false),
        ("scan 100 dpi", scan(ScanDefect::LowResolution, 0.0), false),
    ];
    let mut forms_in = Vec::new();
    let mut expected = Vec::new();
    for (name, v, clean) in &variants {
        for signed in [true, false] {
            let (id, f) = &people[usize::from(signed)];
            forms_in.push((
                FormData { declaration_id: id, fields: f, office_name: "BHXH Quận 6" },
                FormVariant { signed, ..*v },
            ));
            expected.push((name.to_string(), signed, *clean));
        }
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(31);
    let readings = read_all(forms::stack_pdf(&mut rng, &fonts, &forms_in).expect("stack"));
    let rows: Vec<_> = expected.into_iter().zip(&readings).map(|((n, s, c), r)| (n, s, c, r)).collect();
    judge("project", &rows);
}
