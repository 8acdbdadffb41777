//! Issue 8 in the core: the supervisor's dashboard counts what officers decided
//! against the quota and what waits, from the cache, and exports it for Excel.

use super::{desk, login, server};
use bhxh_desk_core::ipc::{DashboardInput, DecideInput, ExportFormat, ExportInput, ExportTable, QuotaInput};
use bhxh_domain::Outcome;
use bhxh_domain::calendar::WorkCalendar;
use bhxh_domain::reference::{ReasonKind, ReferenceData};
use calamine::{Data, Reader, open_workbook_auto};

#[tokio::test]
async fn the_dashboard_counts_decisions_against_the_quota_and_exports_for_excel() {
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 12).await;
    let url = s.url();
    // An officer decides three of the office's six declarations and delivers them.
    let odir = tempfile::tempdir().expect("tmp");
    let officer = desk(odir.path());
    officer.login(login(&url, "canbo.07916", "demo")).await.expect("login");
    officer.sync_now().await.expect("sync");
    let queue = officer.queue().expect("queue");
    assert_eq!(queue.len(), 6);
    let reject = ReferenceData::get().reasons.iter().find(|r| r.kind == ReasonKind::Reject).expect("a reject reason");
    for (q, outcome) in queue.iter().zip([Outcome::Approve, Outcome::Reject, Outcome::Approve]) {
        let reasons = if outcome == Outcome::Reject { vec![reject.code.clone()] } else { vec![] };
        officer
            .decide(DecideInput {
                id: q.id.clone(),
                draft: bhxh_domain::DecisionDraft { outcome, reasons, note: None, paper_seen: true },
            })
            .expect("decide");
    }
    assert_eq!(officer.sync_now().await.expect("deliver").decisions_delivered, 3);

    let sup_dir = tempfile::tempdir().expect("tmp");
    let sup = desk(sup_dir.path());
    sup.login(login(&url, "giamsat.07916", "demo")).await.expect("login");
    sup.sync_now().await.expect("sync");
    let before = sup.dashboard(DashboardInput::default()).expect("dashboard");
    assert_eq!(before.default_quota, 40);
    let d = sup.set_quota(QuotaInput { officer: Some("canbo.07916".into()), per_day: Some(2) }).await.expect("quota");
    // Today is the office's (the test may run at 00:01 on New Year's Day): a quota
    // counts on working days only, so on a day off the target is 0 and nobody is behind.
    // The day the desk counted is the one it shows (`to`); it is the test clock's today
    // (read around it, in case the test runs across midnight).
    let before = super::test_clock().today();
    let shown = bhxh_domain::clock::parse_day(&d.to).expect("the range's last day");
    assert!(shown == before || shown == super::test_clock().today(), "{shown} is not today ({before})");
    let working = u32::from(WorkCalendar::builtin().is_working(shown));
    assert_eq!((d.working_days, d.day_working.clone()), (working, vec![working == 1]));
    let row = d.officers.iter().find(|o| o.username == "canbo.07916").expect("officer row");
    assert_eq!((row.approve, row.reject, row.total, row.quota_per_day, row.target), (2, 1, 3, Some(2), 2 * working));
    assert_eq!(row.attainment_percent, 150 * working);
    // The other officer of the office decided nothing today: there, at 0 of the default.
    let other = d.officers.iter().find(|o| o.username == "canbo2.07916").expect("second officer");
    assert_eq!((other.total, other.target, other.attainment_percent), (0, 40 * working, 0));
    assert_eq!(d.waiting, 3);
    assert_eq!(d.by_age.iter().sum::<u32>(), 3);
    assert_eq!(d.oldest.len(), 3);
    assert_eq!(d.paper_by_unit.iter().map(|u| u.waiting).sum::<u32>(), 3);
    // A range before anything was decided counts nothing.
    let past = sup
        .dashboard(DashboardInput { from: Some("01/01/2026".into()), to: Some("2026-01-31".into()), days: None })
        .expect("past");
    assert!(past.officers.iter().all(|o| o.total == 0));
    // January 2026: 22 weekdays less 1/1 and 2/1, plus Saturday 10/1 worked: 21 working days.
    assert_eq!(past.working_days, 21);
    assert_eq!(past.officers.iter().find(|o| o.username == "canbo.07916").map(|o| o.target), Some(42));
    let bad =
        sup.dashboard(DashboardInput { from: Some("31/02/2026".into()), to: None, days: None }).expect_err("bad date");
    assert_eq!(bad.code, bhxh_desk_core::ErrorCode::Validation);

    // XLSX, read back cell by cell; CSV with a BOM; in the folder the supervisor chose.
    let chosen = tempfile::tempdir().expect("tmp");
    let export_dir = chosen.path().canonicalize().expect("real path");
    sup.set_folder_picker(std::sync::Arc::new(Picks(Some(export_dir.clone()))));
    sup.choose_export_folder().expect("chosen");
    let xlsx = sup
        .export_table(ExportInput {
            table: ExportTable::Officers,
            format: ExportFormat::Xlsx,
            from: None,
            to: None,
            days: None,
        })
        .expect("xlsx");
    assert!(xlsx.path.starts_with(&export_dir.display().to_string()));
    let mut book = open_workbook_auto(&xlsx.path).expect("open xlsx");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    assert_eq!(sheet.get_value((3, 0)), Some(&Data::String("Cán bộ".into())));
    assert!(matches!(sheet.get_value((1, 0)), Some(Data::String(s)) if s.contains("giamsat.07916")));
    let data_row = (4..sheet.height() as u32)
        .find(|r| sheet.get_value((*r, 1)) == Some(&Data::String("canbo.07916".into())))
        .expect("the officer's row");
    assert_eq!(sheet.get_value((data_row, 6)), Some(&Data::Float(3.0)));
    assert_eq!(sheet.get_value((data_row, 7)), Some(&Data::Float(f64::from(2 * working))));
    let attainment = if working == 1 { Some(&Data::Float(1.5)) } else { None };
    assert_eq!(sheet.get_value((data_row, 8)).filter(|v| **v != Data::Empty), attainment);
    let csv = sup
        .export_table(ExportInput {
            table: ExportTable::Backlog,
            format: ExportFormat::Csv,
            from: None,
            to: None,
            days: None,
        })
        .expect("csv");
    assert_eq!(csv.rows, 3);
    let text = std::fs::read_to_string(&csv.path).expect("csv");
    assert!(text.starts_with('\u{feff}'));
    assert!(text.contains("Họ và tên") && text.contains(&d.oldest[0].full_name));
    // A table name from outside the list never reaches a file name: the input is refused whole.
    let bad = bhxh_desk_core::api::invoke(
        &sup,
        "export_table",
        serde_json::json!({"table": "../../etc/passwd", "format": "csv"}),
    )
    .await
    .expect_err("unknown table");
    assert_eq!(bad.code, bhxh_desk_core::ErrorCode::Validation);

    // An officer holds one; the supervisor sees it and takes it away.
    let held = &queue[3].id;
    assert!(officer.take(held).await.expect("take").granted);
    sup.sync_now().await.expect("sync");
    let d = sup.dashboard(DashboardInput::default()).expect("dashboard");
    assert_eq!(d.officers.iter().find(|o| o.username == "canbo.07916").map(|o| o.assigned_now), Some(1));
    assert!(d.oldest.iter().any(|b| &b.id == held && b.assigned_to.is_some()));
    let d = sup.take_away(held).await.expect("take away");
    assert_eq!(d.officers.iter().find(|o| o.username == "canbo.07916").map(|o| o.assigned_now), Some(0));
    assert_eq!(
        sup.take_away("07920-000001").await.expect_err("other office").code,
        bhxh_desk_core::ErrorCode::NotFound
    );

    // Offline the dashboard still answers from the last sync.
    s.stop().await;
    let offline = sup.dashboard(DashboardInput::default()).expect("offline dashboard");
    assert_eq!(offline.waiting, 3);
    let refused = sup.set_quota(QuotaInput { officer: None, per_day: Some(30) }).await.expect_err("offline quota");
    assert!(matches!(refused.code, bhxh_desk_core::ErrorCode::Offline | bhxh_desk_core::ErrorCode::Internal));
}

/// Unit coverage from the central service's figures, kept for offline use; the
/// units behind the target get numbered reminder letters (PDF, text read back by
/// PDFium); a declaration handed to another officer is theirs.
#[tokio::test]
async fn units_behind_the_campaign_get_numbered_letters_and_work_is_handed_over() {
    use bhxh_desk_core::ErrorCode;
    use bhxh_desk_core::ipc::{HandOverInput, LetterInput, Outlook};
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 12).await;
    let url = s.url();
    let sup_dir = tempfile::tempdir().expect("tmp");
    let sup = desk(sup_dir.path());
    sup.login(login(&url, "giamsat.07916", "demo")).await.expect("login");
    sup.sync_now().await.expect("sync");
    let exports = tempfile::tempdir().expect("tmp");
    sup.set_folder_picker(std::sync::Arc::new(Picks(Some(exports.path().to_path_buf()))));
    sup.choose_export_folder().expect("a folder for the letters");
    let d = sup.dashboard(DashboardInput::default()).expect("dashboard");
    let campaign = d.campaign.clone().expect("the demo office runs a campaign");
    assert_eq!(campaign.target_percent, 30);
    assert_eq!(campaign.days_left, 20);
    assert_eq!(d.units.len(), 6);
    assert_eq!(campaign.participants, d.units.iter().map(|u| u.participants).sum::<u32>());
    // Furthest behind first; the unit without participants last, unmeasured.
    let last = d.units.last().expect("units");
    assert_eq!((last.code.as_str(), last.outlook, last.percent_tenths), ("TQ0210Q", Outlook::NoParticipants, None));
    let none_applied = d.units.iter().find(|u| u.code == "SQ0155Q").expect("SQ0155Q");
    assert_eq!((none_applied.participants, none_applied.approved, none_applied.not_applied), (21, 0, 21));
    assert_eq!((none_applied.target_count, none_applied.short_by), (7, 7)); // 30 % of 21 = 6.3 → 7
    assert_eq!(none_applied.outlook, Outlook::WillMiss);
    assert_eq!(d.units[0].outlook, Outlook::WillMiss);
    // The trend runs from the campaign's first day to today and ends at today's figure.
    assert_eq!(d.trend.len(), 31);
    assert_eq!(d.trend.last().map(|p| p.registered), Some(campaign.registered));
    assert!(d.trend.windows(2).all(|w| w[0].registered <= w[1].registered));

    // The units table for Excel.
    let xlsx = sup.export_table(ExportInput {
        table: ExportTable::Units,
        format: ExportFormat::Xlsx,
        from: None,
        to: None,
        days: None,
    });
    let xlsx = xlsx.expect("units xlsx");
    assert_eq!(xlsx.rows, 6);
    let mut book = open_workbook_auto(&xlsx.path).expect("open xlsx");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let row = (4..sheet.height() as u32)
        .find(|r| sheet.get_value((*r, 0)) == Some(&Data::String("SQ0155Q".into())))
        .expect("the unit's row");
    assert_eq!(sheet.get_value((row, 2)), Some(&Data::Float(21.0)));
    assert_eq!(sheet.get_value((row, 7)), Some(&Data::Float(0.0)));
    assert_eq!(sheet.get_value((row, 8)), Some(&Data::Float(7.0)));
    assert_eq!(sheet.get_value((row, 12)), Some(&Data::String("Không kịp hạn".into())));

    // Letters to every unit behind: numbered in sequence, one PDF, figures in the text.
    let behind = campaign.units_behind as usize;
    assert!(behind >= 2, "the demo has units behind");
    let letters = sup.reminder_letters(LetterInput { units: vec![] }).await.expect("letters");
    assert_eq!(letters.letters.len(), behind);
    let refs: Vec<&str> = letters.letters.iter().map(|l| l.reference.as_str()).collect();
    let want: Vec<String> = (1..=behind).map(|n| format!("{n}/BHXH-THU")).collect();
    assert_eq!(refs, want);
    let pdf = std::sync::Arc::new(std::fs::read(&letters.path).expect("the PDF was written"));
    let engine = bhxh_documents::pdf::engine().expect("PDFium");
    let pages: Vec<_> =
        engine.pages(pdf, 300, true).expect("pages").into_iter().collect::<Result<_, _>>().expect("read");
    let text = pages.iter().map(|p| p.text.split_whitespace().collect::<Vec<_>>().join(" ")).collect::<Vec<_>>();
    for (l, unit) in letters.letters.iter().zip(d.units.iter()) {
        assert_eq!(l.unit_code, unit.code, "letters follow the overview's order");
        let page = text.iter().find(|t| t.contains(&format!("(mã: {})", unit.code))).expect("the unit's letter");
        let figures = format!("{}/{} người tham gia", unit.approved, unit.participants);
        assert!(page.contains(&figures), "{figures} missing from {page}");
        assert!(page.contains(&format!("Số: {}", l.reference)));
    }
    let one = sup.reminder_letters(LetterInput { units: vec!["SQ0007Q".into()] }).await.expect("one letter");
    assert_eq!(one.letters[0].reference, format!("{}/BHXH-THU", behind + 1));
    let empty = sup.reminder_letters(LetterInput { units: vec!["TQ0210Q".into()] }).await.expect_err("no participants");
    assert_eq!(empty.code, ErrorCode::Validation);
    let unknown = sup.reminder_letters(LetterInput { units: vec!["YC0018C".into()] }).await.expect_err("other office");
    assert_eq!(unknown.code, ErrorCode::NotFound);

    // Handing a waiting declaration to the second officer.
    let first = d.oldest.first().expect("a waiting declaration").id.clone();
    let after =
        sup.hand_over(HandOverInput { id: first.clone(), officer: "canbo2.07916".into() }).await.expect("hand over");
    assert_eq!(after.officers.iter().find(|o| o.username == "canbo2.07916").map(|o| o.assigned_now), Some(1));
    let odir = tempfile::tempdir().expect("tmp");
    let officer = desk(odir.path());
    officer.login(login(&url, "canbo.07916", "demo")).await.expect("login");
    officer.sync_now().await.expect("sync");
    assert!(!officer.take(&first).await.expect("take").granted, "handed to the other officer");

    // Offline: the units stay on the overview; letters need the central service.
    s.stop().await;
    let offline = sup.dashboard(DashboardInput::default()).expect("offline dashboard");
    assert_eq!(offline.units.len(), 6);
    let refused = sup.reminder_letters(LetterInput { units: vec![] }).await.expect_err("offline letters");
    assert!(matches!(refused.code, ErrorCode::Offline | ErrorCode::Internal), "{refused:?}");
}

/// The folder dialog's answer, fixed.
pub(crate) struct Picks(pub(crate) Option<std::path::PathBuf>);

impl bhxh_desk_core::FolderPicker for Picks {
    fn pick_folder(&self, _title: &str, _start: Option<&std::path::Path>) -> Option<std::path::PathBuf> {
        self.0.clone()
    }
}

fn backlog_csv() -> ExportInput {
    ExportInput { table: ExportTable::Backlog, format: ExportFormat::Csv, from: None, to: None, days: None }
}

/// Issue 21, item 6: exports carry names, so they never land in the data folder
/// (whose copy "shows no name"): only in a folder the supervisor chose (or IT
/// configured), each listed with its age until deleted.
#[tokio::test]
async fn exports_go_only_to_a_chosen_folder_outside_the_data_folder_and_are_listed() {
    use bhxh_desk_core::ErrorCode;
    use bhxh_desk_core::ipc::ExportNameInput;
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 6).await;
    let data = tempfile::tempdir().expect("tmp");
    let sup = desk(data.path());
    sup.login(login(&s.url(), "giamsat.07916", "demo")).await.expect("login");
    sup.sync_now().await.expect("sync");

    // Nothing chosen, nothing configured: refused, and nothing written anywhere.
    let none = sup.export_table(backlog_csv()).expect_err("no folder");
    assert_eq!(none.code, ErrorCode::Validation);
    assert!(none.message.vi.contains("Chưa chọn thư mục"), "{}", none.message.vi);
    assert!(!data.path().join("exports").exists());
    // No dialog on this PC (headless): a sentence, not a crash.
    assert_eq!(sup.choose_export_folder().expect_err("no dialog").code, ErrorCode::Validation);

    // The data folder, a folder inside it, a relative path, a file: each refused.
    let inside = data.path().join("exports");
    std::fs::create_dir_all(&inside).expect("mkdir");
    let a_file = data.path().join("not-a-folder.txt");
    std::fs::write(&a_file, b"x").expect("file");
    for bad in [data.path().to_path_buf(), inside.clone(), "exports".into(), a_file] {
        sup.set_folder_picker(std::sync::Arc::new(Picks(Some(bad.clone()))));
        let e = sup.choose_export_folder().expect_err("refused");
        assert_eq!(e.code, ErrorCode::Validation, "{bad:?}");
        assert_eq!(sup.export_folder().expect("view").folder, None, "{bad:?} was kept");
    }
    // Cancelling the dialog changes nothing.
    sup.set_folder_picker(std::sync::Arc::new(Picks(None)));
    assert_eq!(sup.choose_export_folder().expect("cancelled").folder, None);

    // A folder outside: kept for this person, and the export lands there, listed.
    let outside = tempfile::tempdir().expect("tmp");
    let real = outside.path().canonicalize().expect("real");
    sup.set_folder_picker(std::sync::Arc::new(Picks(Some(outside.path().to_path_buf()))));
    let view = sup.choose_export_folder().expect("chosen");
    assert_eq!(view.folder.as_deref(), Some(real.display().to_string().as_str()));
    assert!(view.chosen && view.files.is_empty());
    let written = sup.export_table(backlog_csv()).expect("export");
    assert!(std::path::Path::new(&written.path).starts_with(&real), "{}", written.path);
    let letters_free = std::fs::read_dir(data.path()).expect("data").flatten().all(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        !name.ends_with(".csv") && !name.ends_with(".xlsx")
    });
    assert!(letters_free, "an export in the data folder");
    let view = sup.export_folder().expect("view");
    assert_eq!(view.files.len(), 1);
    let f = &view.files[0];
    assert_eq!((f.what.as_str(), f.rows, f.age_days, f.stale), ("backlog", Some(written.rows), 0, false));
    assert_eq!(f.age.vi, "hôm nay");

    // Deleting takes a name from the list, never a path.
    let outsider = ExportNameInput { name: "../../etc/passwd".into(), folder: f.folder.clone() };
    assert_eq!(sup.delete_export(outsider).expect_err("not listed").code, ErrorCode::NotFound);
    // Two exports in the same second: two files, neither overwritten.
    let second = sup.export_table(backlog_csv()).expect("second export");
    assert_ne!(second.path, written.path);
    let view = sup.delete_export(ExportNameInput { name: f.name.clone(), folder: f.folder.clone() }).expect("deleted");
    assert!(!std::path::Path::new(&written.path).exists() && std::path::Path::new(&second.path).exists());
    assert_eq!(view.files.len(), 1);
    // The folder unplugged (a USB stick taken out): the file stays listed, marked,
    // and cannot be deleted from here until the folder is back.
    let away = real.with_file_name(format!("{}-unplugged", real.file_name().expect("name").to_string_lossy()));
    std::fs::rename(&real, &away).expect("unplug");
    let unplugged = sup.export_folder().expect("view while unplugged");
    assert_eq!(unplugged.files.len(), 1, "an unplugged folder empties no list");
    assert!(unplugged.files[0].unreachable);
    let g = &unplugged.files[0];
    let refused = sup.delete_export(ExportNameInput { name: g.name.clone(), folder: g.folder.clone() });
    assert_eq!(refused.expect_err("unreachable").code, ErrorCode::Validation);
    std::fs::rename(&away, &real).expect("plug back");
    let view = sup.export_folder().expect("view");
    assert_eq!(view.files.len(), 1);
    assert!(!view.files[0].unreachable);
    // A file deleted by hand leaves the list.
    for f in &view.files {
        let _ = std::fs::remove_file(std::path::Path::new(&f.folder).join(&f.name));
    }
    assert!(sup.export_folder().expect("view").files.is_empty());

    // An officer cannot see nor choose the folder.
    let odir = tempfile::tempdir().expect("tmp");
    let officer = desk(odir.path());
    officer.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login");
    assert_eq!(officer.export_folder().expect_err("officer").code, ErrorCode::Forbidden);
}

/// What the system was asked to open, as the shell's opener would be.
#[derive(Default)]
struct Opened(std::sync::Mutex<Vec<(bool, std::path::PathBuf)>>);

impl bhxh_desk_core::FileOpener for Opened {
    fn open(&self, path: &std::path::Path) -> Result<(), String> {
        self.0.lock().expect("lock").push((false, path.to_path_buf()));
        Ok(())
    }
    fn reveal(&self, path: &std::path::Path) -> Result<(), String> {
        self.0.lock().expect("lock").push((true, path.to_path_buf()));
        Ok(())
    }
}

/// Issue 23, item 5: a listed export opens in the system's viewer or its folder; the window names a listed file,
/// never a path, and a link put in the file's place is not followed.
#[tokio::test]
async fn a_listed_export_opens_in_the_systems_viewer_and_nothing_else_does() {
    use bhxh_desk_core::ErrorCode;
    use bhxh_desk_core::ipc::OpenExportInput;
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 4).await;
    let data = tempfile::tempdir().expect("tmp");
    let outside = tempfile::tempdir().expect("tmp");
    let sup = super::desk_exporting_to(data.path(), outside.path());
    sup.login(login(&s.url(), "giamsat.07916", "demo")).await.expect("login");
    sup.sync_now().await.expect("sync");
    let written = sup.export_table(backlog_csv()).expect("export");
    let f = sup.export_folder().expect("view").files[0].clone();
    let input = |name: &str, reveal: bool| OpenExportInput { name: name.into(), folder: f.folder.clone(), reveal };
    // No viewer on a headless PC: a sentence.
    assert_eq!(sup.open_export(input(&f.name, false)).expect_err("no opener").code, ErrorCode::Validation);
    let opened = std::sync::Arc::new(Opened::default());
    sup.set_file_opener(opened.clone());
    sup.open_export(input(&f.name, false)).expect("opened");
    sup.open_export(input(&f.name, true)).expect("revealed");
    let path = std::path::PathBuf::from(&written.path);
    assert_eq!(*opened.0.lock().expect("lock"), [(false, path.clone()), (true, path.clone())]);
    // Not on the list: refused before the system is asked.
    assert_eq!(sup.open_export(input("../../etc/passwd", false)).expect_err("unlisted").code, ErrorCode::NotFound);
    // The file swapped for a link: refused.
    #[cfg(unix)]
    {
        std::fs::remove_file(&path).expect("rm");
        std::os::unix::fs::symlink("/etc/passwd", &path).expect("link");
        assert_eq!(sup.open_export(input(&f.name, false)).expect_err("a link").code, ErrorCode::NotFound);
    }
    assert_eq!(opened.0.lock().expect("lock").len(), 2, "nothing else was opened");
}

/// Issue 21, review: the first versions wrote exports to `exports/` inside the
/// data folder. They are counted, and moved out to the export folder on request,
/// listed as if written there; a link or another kind of file is left alone.
#[tokio::test]
async fn exports_a_first_version_left_in_the_data_folder_are_moved_out() {
    use bhxh_desk_core::ErrorCode;
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 2).await;
    let data = tempfile::tempdir().expect("tmp");
    let old = data.path().join("exports");
    std::fs::create_dir_all(&old).expect("mkdir");
    std::fs::write(old.join("backlog-07916-20261120-100000.csv"), b"\xef\xbb\xbfold").expect("csv");
    std::fs::write(old.join("cong-van-nhac-nho-07916-20261121-090000.pdf"), b"%PDF-1.7").expect("pdf");
    std::fs::write(old.join("notes.txt"), b"not an export").expect("txt");
    let elsewhere = tempfile::tempdir().expect("tmp");
    std::fs::write(elsewhere.path().join("x.csv"), b"x").expect("x");
    std::os::unix::fs::symlink(elsewhere.path().join("x.csv"), old.join("units-07916-20261122-080000.csv"))
        .expect("symlink");

    let sup = desk(data.path());
    sup.login(login(&s.url(), "giamsat.07916", "demo")).await.expect("login");
    assert_eq!(sup.export_folder().expect("view").old_in_data_folder, 2);
    // No folder yet: asked for one, and nothing moved.
    assert_eq!(sup.move_old_exports().expect_err("no folder").code, ErrorCode::Validation);
    assert!(old.join("backlog-07916-20261120-100000.csv").exists());

    let outside = tempfile::tempdir().expect("tmp");
    sup.set_folder_picker(std::sync::Arc::new(Picks(Some(outside.path().to_path_buf()))));
    sup.choose_export_folder().expect("chosen");
    let view = sup.move_old_exports().expect("moved");
    assert_eq!(view.old_in_data_folder, 0);
    let mut kinds: Vec<(&str, &str, Option<u32>)> =
        view.files.iter().map(|f| (f.name.as_str(), f.what.as_str(), f.rows)).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            ("backlog-07916-20261120-100000.csv", "backlog", None),
            ("cong-van-nhac-nho-07916-20261121-090000.pdf", "letters", None)
        ],
        "what each held is known by its name; how many rows is not"
    );
    let real = outside.path().canonicalize().expect("real");
    assert_eq!(std::fs::read(real.join("backlog-07916-20261120-100000.csv")).expect("moved"), b"\xef\xbb\xbfold");
    assert!(!old.join("backlog-07916-20261120-100000.csv").exists());
    // What is not an export, and the link, stay where they were; the link's target is untouched.
    assert!(old.join("notes.txt").exists());
    assert!(std::fs::symlink_metadata(old.join("units-07916-20261122-080000.csv")).is_ok());
    assert_eq!(std::fs::read(elsewhere.path().join("x.csv")).expect("x"), b"x");
}

/// A letter number is printed in its letter: when the PDF cannot be written after
/// the numbers were taken (here the export folder goes away meanwhile), each
/// number is voided in the office's register, never left unexplained or given again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_of_letters_that_were_not_written_are_voided() {
    use bhxh_desk_core::ipc::LetterInput;
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 12).await;
    let sup_dir = tempfile::tempdir().expect("tmp");
    let sup = std::sync::Arc::new(desk(sup_dir.path()));
    sup.login(login(&s.url(), "giamsat.07916", "demo")).await.expect("login");
    sup.sync_now().await.expect("sync");
    let parent = tempfile::tempdir().expect("tmp");
    let exports = parent.path().join("cong-van");
    std::fs::create_dir(&exports).expect("folder");
    sup.set_folder_picker(std::sync::Arc::new(Picks(Some(exports.clone()))));
    sup.choose_export_folder().expect("a folder for the letters");
    let register = |action: &str| {
        s.state
            .with_store(|st| st.audit_of("giamsat.07916"))
            .expect("audit")
            .into_iter()
            .filter(|(a, _, _)| a == action)
            .map(|(_, unit, detail)| (unit, detail))
            .collect::<Vec<_>>()
    };

    // Each request waits a while: time to take the folder away after the first number.
    s.state.faults.write().expect("faults").latency_ms = 1500;
    let letters = tokio::spawn({
        let sup = sup.clone();
        async move { sup.reminder_letters(LetterInput { units: vec!["SQ0155Q".into(), "SQ0007Q".into()] }).await }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while register("letter_number").is_empty() {
        assert!(std::time::Instant::now() < deadline, "no number was taken");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    std::fs::remove_dir(&exports).expect("the folder goes");
    let failed = letters.await.expect("task").expect_err("the PDF cannot be written");
    s.state.faults.write().expect("faults").latency_ms = 0;

    let taken = register("letter_number");
    let voided = register("letter_void");
    assert_eq!(taken.len(), 2, "both numbers were taken: {taken:?}");
    assert_eq!(
        voided.iter().map(|(unit, d)| (unit.clone(), d.split(':').next().unwrap_or("").to_owned())).collect::<Vec<_>>(),
        taken,
        "each taken number voided ({failed:?})"
    );
    // The network goes once a number is taken: its void waits for the next round.
    std::fs::create_dir(&exports).expect("folder back");
    s.state.faults.write().expect("faults").latency_ms = 1500;
    let letters = tokio::spawn({
        let sup = sup.clone();
        async move { sup.reminder_letters(LetterInput { units: vec!["SQ0155Q".into(), "SQ0007Q".into()] }).await }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while register("letter_number").len() < 3 {
        assert!(std::time::Instant::now() < deadline, "no third number was taken");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    {
        let mut faults = s.state.faults.write().expect("faults");
        faults.error_percent = 100;
        faults.latency_ms = 0;
    }
    letters.await.expect("task").expect_err("the second number cannot be had");
    assert_eq!(register("letter_void").len(), 2, "nothing reaches the register while it answers 503");
    s.state.faults.write().expect("faults").error_percent = 0;
    sup.sync_now().await.expect("sync");
    let voided = register("letter_void");
    assert_eq!(voided.len(), 3, "the number taken before the network went is voided at the next round: {voided:?}");
    assert_eq!(register("letter_number").len(), 3, "the number asked for when the server refused was never given");

    // The next letter takes the next number: a voided one is not given again.
    let next = sup.reminder_letters(LetterInput { units: vec!["SQ0007Q".into()] }).await.expect("a letter");
    assert_eq!(next.letters[0].reference, "4/BHXH-THU");
    s.stop().await;
}
