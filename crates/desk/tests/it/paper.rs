//! Documents in the desk: analysis after a sync (quality, QR, derivatives) and a
//! paper Mẫu 01 stack imported, matched, matched by hand, and compared.

use super::{DEMO_SEED, desk, login, server};
use bhxh_desk_core::{ErrorCode, ImageSize};
use bhxh_fixtures::forms::{FormData, FormVariant, stack_pdf};
use rand::SeedableRng;

/// A demo server with `n` declarations and an officer's desk logged in and synced
/// (the directories live as long as the first value).
async fn synced_officer(
    n: u64,
) -> (
    (tempfile::TempDir, tempfile::TempDir),
    bhxh_central::RunningServer,
    bhxh_desk_core::Desk,
    bhxh_desk_core::ipc::SyncSummary,
) {
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), n).await;
    let dir = tempfile::tempdir().expect("tmp");
    let d = desk(dir.path());
    d.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login");
    let pulled = d.sync_now().await.expect("sync");
    ((sdir, dir), s, d, pulled)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_are_analysed_and_a_paper_stack_is_matched() {
    let (_dirs, s, d, pulled) = synced_officer(16).await;
    let analysed = tokio::task::block_in_place(|| d.analyse_pending()).expect("analyse");
    assert_eq!(analysed, pulled.documents_downloaded, "every stored document analysed once");
    assert_eq!(tokio::task::block_in_place(|| d.analyse_pending()).expect("again"), 0);

    let queue = d.queue().expect("queue");
    // Chip-CCCD holders: their QR was found, so no "no QR" finding.
    let mut with_qr = 0;
    for row in &queue {
        let v = d.declaration(&row.id).expect("view");
        let codes: Vec<&str> = v.findings.iter().map(|f| f.code.as_str()).collect();
        // The generated photos are clean: no pixel finding on any of them.
        assert!(!codes.iter().any(|c| c.starts_with("image.")), "{}: {codes:?}", row.id);
        let ocr_id: Vec<_> = v
            .fields
            .iter()
            .flat_map(|f| f.elsewhere.iter().filter(|o| o.source == "ocr_id").map(move |o| (f, o)))
            .collect();
        if v.fields.iter().any(|f| f.key == "field.cccd") {
            assert!(!codes.contains(&"qr.not_found"), "{}: {codes:?}", row.id);
            // The back's QR code read: the front is not read by OCR for nothing.
            assert!(ocr_id.is_empty(), "{}: {ocr_id:?}", row.id);
            with_qr += 1;
        }
        for doc in v.documents.iter().filter(|x| x.available) {
            let (ct, bytes) = d.document_image(&doc.id, Some(ImageSize::Screen)).expect("screen copy");
            assert_eq!(ct, "image/jpeg");
            let img = image_size(&bytes);
            assert!(img.0.max(img.1) <= 1600, "{img:?}");
        }
    }
    assert!(with_qr > 0, "the demo has chip-CCCD holders");

    // Paper forms the units sent with their declarations are read on arrival.
    let mut carriers = Vec::new();
    for row in &queue {
        let v = d.declaration(&row.id).expect("view");
        if v.documents.iter().any(|x| x.kind == bhxh_domain::DocumentKind::PaperForm) {
            assert_eq!(v.paper_pages.len(), 1, "{}: its form's page is matched to it", row.id);
            assert!(["text", "attached"].contains(&v.paper_pages[0].matched_by.code()), "{:?}", v.paper_pages);
            assert!(!v.findings.iter().any(|f| f.code.starts_with("paper.")), "{:?}", v.findings);
            carriers.push(row.id.clone());
        }
    }
    assert!(!carriers.is_empty(), "the demo has paper forms sent with declarations");

    // The office's declarations as the generator made them, by mã số.
    let g = bhxh_fixtures::Generator::new(DEMO_SEED).expect("generator");
    let now = chrono::Utc::now();
    let people: Vec<(String, bhxh_protocol::DeclarationFields)> = queue
        .iter()
        .filter(|row| !carriers.contains(&row.id))
        .filter_map(|row| {
            (0..16u64)
                .filter_map(|i| g.declared_person(i, now).ok())
                .find(|p| p.fields.ma_so_bhxh.to_string() == row.ma_so_bhxh)
                .map(|p| (row.id.clone(), p.fields))
        })
        .take(6)
        .collect();
    assert_eq!(people.len(), 6);
    let variants = [
        FormVariant::PRINTED,
        FormVariant { with_qr: false, ..FormVariant::PRINTED },
        FormVariant { scanned: true, with_qr: false, rotation_deg: 1.0, ..FormVariant::PRINTED },
        FormVariant { phone_differs: true, ..FormVariant::PRINTED },
        FormVariant { signed: false, ..FormVariant::PRINTED },
        // Fed into the scanner askew: no reader makes sense of it.
        FormVariant { scanned: true, with_qr: false, rotation_deg: 35.0, ..FormVariant::PRINTED },
    ];
    let fonts = bhxh_fixtures::Fonts::load_system().expect("fonts");
    let forms: Vec<_> = people
        .iter()
        .zip(variants)
        .map(|((id, f), v)| (FormData { declaration_id: id, fields: f, office_name: "BHXH Quận 6" }, v))
        .collect();
    let pdf = stack_pdf(&mut rand_chacha::ChaCha8Rng::seed_from_u64(2), &fonts, &forms).expect("pdf");

    let summary = tokio::task::block_in_place(|| d.import_paper(&pdf)).expect("import");
    assert_eq!((summary.pages, summary.matched_qr, summary.matched_text, summary.need_hand), (6, 3, 2, 1));
    let by = |i: usize| (summary.rows[i].matched_by.code(), summary.rows[i].declaration_id.as_deref());
    assert_eq!(by(0), ("qr", Some(people[0].0.as_str())));
    assert_eq!(by(1), ("text", Some(people[1].0.as_str())));
    // The image-only scan is read by OCR and matched like a printout.
    assert_eq!(by(2), ("text", Some(people[2].0.as_str())));
    assert!(summary.rows[2].findings.is_empty(), "{:?}", summary.rows[2].findings);
    assert_eq!(by(5), ("none", None));
    assert!(summary.rows[5].candidates.iter().any(|c| c.id == people[5].0), "the right one is suggested");
    assert!(summary.rows[3].findings.iter().any(|f| f.vi.contains("số điện thoại")), "{:?}", summary.rows[3].findings);
    assert!(summary.rows[4].findings.iter().any(|f| f.vi.contains("chữ ký")), "{:?}", summary.rows[4].findings);
    assert!(summary.rows[0].findings.is_empty(), "{:?}", summary.rows[0].findings);

    // The officer matches the askew scan by hand; the declaration then shows its page.
    d.match_paper(bhxh_desk_core::ipc::MatchPaperInput {
        sha256: summary.sha256.clone(),
        page_index: 5,
        declaration_id: Some(people[5].0.clone()),
    })
    .expect("match by hand");
    let v = d.declaration(&people[5].0).expect("view");
    assert_eq!(v.paper_pages.len(), 1);
    assert_eq!(v.paper_pages[0].matched_by, bhxh_domain::mau01::MatchedBy::Hand);
    let page = d.paper_page_image(&summary.sha256, 5).expect("page image");
    assert_eq!(&page[..2], &[0xFF, 0xD8]);
    let v = d.declaration(&people[3].0).expect("view");
    assert!(v.findings.iter().any(|f| f.code == "paper.phone_mismatch"));
    // The paper's phone stands beside the declared one; the other fields agree, so nothing else does.
    let phone = v.fields.iter().find(|f| f.field == "phone").expect("phone");
    assert_eq!(phone.elsewhere.len(), 1, "{:?}", phone.elsewhere);
    assert_eq!(phone.elsewhere[0].source, "paper");
    assert_ne!(phone.elsewhere[0].value, phone.value);
    let others: Vec<_> = v.fields.iter().filter(|f| f.field != "phone" && !f.elsewhere.is_empty()).collect();
    assert!(others.iter().all(|f| f.elsewhere.iter().all(|o| o.source == "qr")), "{others:?}");

    let again = tokio::task::block_in_place(|| d.import_paper(&pdf)).expect("import again");
    assert!(again.already_imported);
    assert_eq!(again.need_hand, 0, "the hand match is kept");

    let refused = d.import_paper(b"\xFF\xD8\xFF\xE0 a photo, not a PDF").expect_err("not a PDF");
    assert_eq!(refused.code, ErrorCode::Validation);
    assert!(refused.message.vi.contains("không phải PDF"), "{}", refused.message);
    let broken = d.import_paper(b"%PDF-1.7\n garbage").expect_err("broken PDF");
    assert_eq!(broken.code, ErrorCode::Validation);
    s.stop().await;
}

fn image_size(jpeg: &[u8]) -> (u32, u32) {
    let img = image::load_from_memory(jpeg).expect("jpeg");
    (img.width(), img.height())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_cmnd_front_is_read_by_ocr_and_compared() {
    // Enough declarations for the office to have an old CMND holder among them.
    let (_dirs, _s, d, _) = synced_officer(40).await;
    tokio::task::block_in_place(|| d.analyse_pending()).expect("analyse");
    let mut cmnd = 0;
    for row in d.queue().expect("queue") {
        let v = d.declaration(&row.id).expect("view");
        let codes: Vec<&str> = v.findings.iter().map(|f| f.code.as_str()).collect();
        let ocr_id: Vec<_> = v
            .fields
            .iter()
            .flat_map(|f| f.elsewhere.iter().filter(|o| o.source == "ocr_id").map(move |o| (f, o)))
            .collect();
        if v.fields.iter().any(|f| f.key == "field.cccd") {
            // The back's QR code read: the front is not read by OCR for nothing.
            assert!(ocr_id.is_empty(), "{}: {ocr_id:?}", row.id);
        }
        // An old CMND has no QR: its front's number and name are read by OCR, agree
        // with the declaration, and say where they are on the photo.
        if v.fields.iter().any(|f| f.key == "field.cmnd") {
            let number = ocr_id.iter().find(|(f, _)| f.key == "field.cmnd").map(|(_, o)| o);
            let number = number.unwrap_or_else(|| panic!("{}: the CMND front read: {ocr_id:?}", row.id));
            assert!(number.same && !number.doubtful, "{}: {number:?}", row.id);
            let front = v.documents.iter().find(|x| x.kind == bhxh_domain::DocumentKind::IdFront).expect("front");
            assert_eq!(number.spot.as_ref().map(|s| s.doc.as_str()), Some(front.id.as_str()));
            assert!(ocr_id.iter().any(|(f, _)| f.key == "field.full_name"), "{}: the name read", row.id);
            // Nothing to flag but a name typed without its diacritics (the card has them).
            let flagged: Vec<_> = v.findings.iter().filter(|f| f.code.starts_with("id_ocr.")).collect();
            assert!(
                flagged.iter().all(|f| f.code == "id_ocr.name_diacritics" && codes.contains(&"name.no_diacritics")),
                "{}: {codes:?}",
                row.id
            );
            cmnd += 1;
        }
    }
    assert!(cmnd > 0, "the demo has an old CMND holder");
}

/// A PDF sent with a declaration, opened before the analysis reached it: its
/// first page comes from the worker at screen size, and the thumbnail is made
/// from that same page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_opened_before_its_analysis_shows_its_first_page_in_both_sizes() {
    let (_dirs, _s, d, _pulled) = synced_officer(16).await;
    let pdf = d
        .queue()
        .expect("queue")
        .iter()
        .flat_map(|row| d.declaration(&row.id).expect("view").documents)
        .find(|x| x.available && x.is_pdf)
        .expect("the demo has a PDF sent with a declaration");
    let (ct, screen) =
        tokio::task::block_in_place(|| d.document_image(&pdf.id, Some(ImageSize::Screen))).expect("screen copy");
    assert_eq!(ct, "image/jpeg");
    let (w, h) = image_size(&screen);
    assert_eq!(w.max(h), 1600, "{w}×{h}");
    let (_, thumb) =
        tokio::task::block_in_place(|| d.document_image(&pdf.id, Some(ImageSize::Thumb))).expect("thumbnail");
    let (tw, th) = image_size(&thumb);
    assert_eq!(tw.max(th), 256, "{tw}×{th}");
    assert_eq!((tw > th), (w > h), "the same page, the same way up");
}
