//! The documents crate against generated documents: photo variants flagged,
//! QR codes found or honestly not found, a unit's stack of paper forms matched.

use bhxh_documents::paper;
use bhxh_documents::{analyse, pdf, quality, raster};
use bhxh_domain::mau01::{Candidate, MatchedBy};
use bhxh_domain::{DocumentKind, QrReading, QualityFlag};
use bhxh_fixtures::forms::{self, FormData, FormVariant};
use bhxh_fixtures::variants::{self, PhotoVariant};
use bhxh_fixtures::{Fonts, Generator};
use bhxh_protocol::IdDocumentType;
use chrono::{TimeZone, Utc};
use rand::SeedableRng;
use std::sync::Arc;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).single().expect("time")
}

/// The first `n` adult declarations with a chip CCCD, with their photos.
fn cccd_adults(g: &Generator, n: usize) -> Vec<bhxh_fixtures::GeneratedDeclaration> {
    (0..200u64)
        .filter_map(|i| g.declaration(i, now()).ok())
        .filter(|d| d.person.fields.id_type == Some(IdDocumentType::Cccd) && d.documents.len() == 3)
        .take(n)
        .collect()
}

fn doc(d: &bhxh_fixtures::GeneratedDeclaration, kind: DocumentKind) -> &[u8] {
    &d.documents.iter().find(|(k, _)| *k == kind).expect("document").1
}

#[test]
fn photo_variants_are_flagged_and_clean_photos_are_not() {
    let g = Generator::new(7).expect("generator");
    for d in cccd_adults(&g, 3) {
        let portrait = analyse(DocumentKind::Portrait, doc(&d, DocumentKind::Portrait));
        assert!(portrait.facts.quality.as_ref().is_some_and(|q| q.flags.is_empty()), "{:?}", portrait.facts);
        for kind in [DocumentKind::IdFront, DocumentKind::IdBack] {
            let clean = analyse(kind, doc(&d, kind));
            let q = clean.facts.quality.as_ref().expect("measured");
            eprintln!(
                "clean {}: sharpness {:.0}, mean {:.0}, contrast {:.0}",
                kind.code(),
                q.sharpness,
                q.mean_luma,
                q.contrast
            );
            assert!(q.flags.is_empty(), "clean {} flagged {:?} ({q:?})", kind.code(), q.flags);
            for (variant, flag) in [
                (PhotoVariant::Blurred, QualityFlag::Blurred),
                (PhotoVariant::Dark, QualityFlag::Dark),
                (PhotoVariant::CutOff, QualityFlag::CutOff),
                (PhotoVariant::Small, QualityFlag::Small),
            ] {
                let bytes = variants::apply(doc(&d, kind), variant).expect("variant");
                let a = analyse(kind, &bytes);
                let q = a.facts.quality.as_ref().expect("measured");
                eprintln!(
                    "{variant:?} {}: sharpness {:.0}, mean {:.0}, flags {:?}",
                    kind.code(),
                    q.sharpness,
                    q.mean_luma,
                    q.flags
                );
                assert!(q.flags.contains(&flag), "{variant:?} {} not flagged {flag:?}: {q:?}", kind.code());
            }
        }
    }
}

#[test]
fn exif_orientation_is_applied() {
    let g = Generator::new(7).expect("generator");
    let d = &cccd_adults(&g, 1)[0];
    let upright = raster::decode(doc(d, DocumentKind::Portrait)).expect("decode");
    let turned = variants::apply(doc(d, DocumentKind::Portrait), PhotoVariant::ExifRotated).expect("variant");
    let decoded = raster::decode(&turned).expect("decode");
    assert_eq!((decoded.width(), decoded.height()), (upright.width(), upright.height()), "shown upright");
    // Same picture: the top-left region's mean is close to the original's.
    let mean = |img: &image::DynamicImage| {
        let g = img.to_luma8();
        let v: u64 =
            (0..100).flat_map(|y| (0..100).map(move |x| (x, y))).map(|(x, y)| u64::from(g.get_pixel(x, y).0[0])).sum();
        v / 10_000
    };
    assert!(mean(&decoded.image).abs_diff(mean(&upright.image)) < 12);
}

#[test]
fn the_cccd_qr_is_read_and_its_absence_said() {
    let g = Generator::new(7).expect("generator");
    for d in cccd_adults(&g, 3) {
        let back = analyse(DocumentKind::IdBack, doc(&d, DocumentKind::IdBack));
        let QrReading::Found { text } = &back.facts.qr else { panic!("no QR on a CCCD back: {:?}", back.facts.qr) };
        let payload: bhxh_domain::QrPayload = text.parse().expect("chip-CCCD payload");
        assert_eq!(
            Some(payload.cccd.as_str()),
            d.person.fields.id_number.as_deref().filter(|_| !d.person.planted_cccd_mismatch)
        );
        let glare = variants::apply(doc(&d, DocumentKind::IdBack), PhotoVariant::GlareOverQr).expect("variant");
        assert_eq!(analyse(DocumentKind::IdBack, &glare).facts.qr, QrReading::NotFound);
        assert_eq!(analyse(DocumentKind::Portrait, doc(&d, DocumentKind::Portrait)).facts.qr, QrReading::NotApplicable);
    }
}

#[test]
fn bad_files_are_refused_with_a_reason() {
    for (bytes, words) in [
        (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec(), "HEIC"),
        (b"not an image at all".to_vec(), "không được hỗ trợ"),
        (Vec::new(), "rỗng"),
    ] {
        let a = analyse(DocumentKind::IdFront, &bytes);
        let why = a.facts.unreadable.expect("refused");
        assert!(why.contains(words), "{why}");
        assert!(a.derivatives.is_empty());
    }
}

#[test]
fn a_unit_stack_of_30_pages_is_matched() {
    let g = Generator::new(11).expect("generator");
    let fonts = Fonts::load_system().expect("fonts");
    let people: Vec<(String, bhxh_protocol::DeclarationFields)> = (0..60u64)
        .filter_map(|i| g.declared_person(i, now()).ok())
        .filter(|p| p.fields.office_code == "07916")
        .take(30)
        .enumerate()
        .map(|(n, p)| (format!("07916-{:06}", n + 1), p.fields))
        .collect();
    assert_eq!(people.len(), 30);
    // 10 printed with QR, 5 printed from an old template without QR, 10 scanned
    // with QR (turned up to 1.5°), 5 scanned without QR: only those need a hand.
    let variant = |n: usize| match n {
        0..10 => FormVariant { signed: n != 3, phone_differs: n == 4, ..FormVariant::PRINTED },
        10..15 => FormVariant { with_qr: false, ..FormVariant::PRINTED },
        15..25 => FormVariant { scanned: true, rotation_deg: (n as f32 - 20.0) * 0.3, ..FormVariant::PRINTED },
        _ => FormVariant { scanned: true, with_qr: false, rotation_deg: 0.8, ..FormVariant::PRINTED },
    };
    let forms_in: Vec<(FormData<'_>, FormVariant)> = people
        .iter()
        .enumerate()
        .map(|(n, (id, f))| (FormData { declaration_id: id, fields: f, office_name: "BHXH Quận 6" }, variant(n)))
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let pdf_bytes = forms::stack_pdf(&mut rng, &fonts, &forms_in).expect("stack");
    eprintln!("stack: {} KB", pdf_bytes.len() / 1024);
    let candidates: Vec<Candidate> = people.iter().map(|(id, f)| f.candidate(id)).collect();
    let engine = pdf::engine().expect("PDFium (run scripts/setup, or set BHXH_PDFIUM_DIR)");
    let mut taken = Vec::new();
    let mut results = Vec::new();
    for page in engine.pages(Arc::new(pdf_bytes), 1600, true).expect("pages") {
        let page = page.expect("page");
        let reading = paper::read_page(&page.image, &page.text, &page.words);
        let m = bhxh_domain::mau01::match_page(&reading, &candidates, &taken);
        if let Some(id) = &m.declaration_id {
            taken.push(id.clone());
        }
        results.push((reading, m));
    }
    assert_eq!(results.len(), 30);
    for (n, (reading, m)) in results.iter().enumerate() {
        let expected_id = &people[n].0;
        match n {
            0..10 => {
                assert_eq!((m.matched_by, m.declaration_id.as_ref()), (MatchedBy::Qr, Some(expected_id)), "page {n}");
            }
            10..15 => {
                assert_eq!((m.matched_by, m.declaration_id.as_ref()), (MatchedBy::Text, Some(expected_id)), "page {n}");
            }
            15..25 => assert_eq!(
                (m.matched_by, m.declaration_id.as_ref()),
                (MatchedBy::Qr, Some(expected_id)),
                "page {n}: {reading:?}"
            ),
            _ => {
                assert_eq!(m.matched_by, MatchedBy::None, "page {n}");
                assert!(m.candidates.contains(expected_id), "page {n}: {expected_id} not among {:?}", m.candidates);
            }
        }
        // A scan read without OCR has no words to find the signer's caption by: the
        // machine cannot tell, and must not guess "unsigned".
        let expect_signed = if n < 15 { Some(n != 3) } else { None };
        assert_eq!(reading.signed, expect_signed, "page {n} signature (ink {:.4})", reading.ink_share);
        assert_eq!(reading.has_text, n < 15, "page {n} text layer");
    }
    // The planted paper/declaration difference is read from the text layer.
    let (r4, _) = &results[4];
    assert_ne!(r4.phone.as_deref(), Some(people[4].1.phone.as_str()));
    assert_eq!(r4.full_name.as_deref(), Some(people[4].1.full_name.as_str()));
    let _ = quality::BLUR_BELOW;
}

/// The reminder letter's text, read back by PDFium, carries the unit's figures in
/// the words of the seed letter, and a letter long enough to need two pages gets
/// them.
#[test]
fn the_reminder_letter_pdf_carries_the_units_figures() {
    use bhxh_documents::letter::{LetterFonts, render_letters};
    use bhxh_domain::letters::{LetterFacts, LetterTemplate, compose};
    let engine = pdf::engine().expect("PDFium (run scripts/setup, or set BHXH_PDFIUM_DIR)");
    let template =
        LetterTemplate::parse(include_str!("../../../assets/letters/nhac-nho-vssid.toml")).expect("template");
    let d = |m, day| chrono::NaiveDate::from_ymd_opt(2026, m, day).expect("date");
    let facts = |code: &str, registered, participants| LetterFacts {
        parent_name: "BẢO HIỂM XÃ HỘI TP HỒ CHÍ MINH".into(),
        office_name: "BẢO HIỂM XÃ HỘI QUẬN 6".into(),
        office_short: "BHXH Quận 6".into(),
        place: "Quận 6".into(),
        reference: "17/BHXH-THU".into(),
        date: d(2, 5),
        unit_code: code.into(),
        unit_name: "Công ty TNHH Dệt may Bình Tây".into(),
        addressee: "Giám đốc Công ty TNHH Dệt may Bình Tây".into(),
        as_of: d(2, 4),
        registered,
        participants,
        target_percent: 30,
        short_by: 5,
        deadline: d(3, 1),
        directive: "Công văn số 3644/UBND-BHXH ngày 27/01/2026 của Ủy ban nhân dân quận".into(),
        contact: "BHXH Quận 6 (028.3875 0000)".into(),
        campaign: "VssID".into(),
        signer_title: "GIÁM ĐỐC".into(),
        signer_name: "Hoàng Văn Minh".into(),
        waiting_paper: 0,
    };
    let fonts = LetterFonts::system().expect("DejaVu Serif (fonts-dejavu-core)");
    let mut long = compose(&template, &facts("TQ0045Q", 3, 40));
    long.paragraphs = long.paragraphs.iter().cycle().take(16).cloned().collect();
    let letters = vec![compose(&template, &facts("SQ0007Q", 1, 21)), long];
    let pdf = std::sync::Arc::new(render_letters(&letters, &fonts).expect("pdf"));
    let pages: Vec<_> =
        engine.pages(pdf.clone(), 400, true).expect("pages").into_iter().collect::<Result<_, _>>().expect("read");
    assert!(pages.len() >= 3, "one page for the first letter, two or more for the long one");
    let squash = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let first = squash(&pages[0].text);
    for want in [
        "BẢO HIỂM XÃ HỘI QUẬN 6",
        "Số: 17/BHXH-THU",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Quận 6, ngày 05 tháng 02 năm 2026",
        "Kính gửi: Giám đốc Công ty TNHH Dệt may Bình Tây.",
        "Tính đến ngày 04/02/2026",
        "(mã: SQ0007Q)",
        "1/21 người tham gia BHXH, BHYT, đạt tỷ lệ 5 %",
        "trước ngày 01/03/2026",
        "Nơi nhận:",
        "Hoàng Văn Minh",
    ] {
        assert!(first.contains(want), "page 1 lacks {want:?}:\n{first}");
    }
    assert!(!first.contains("TQ0045Q"), "the second letter starts on its own page");
    let second = squash(&pages[1].text);
    assert!(second.contains("(mã: TQ0045Q)") && second.contains("3/40"), "{second}");
    // The signature block closes the last page.
    assert!(squash(&pages[pages.len() - 1].text).contains("GIÁM ĐỐC"));
}
