//! Issue 8 in the core: the supervisor's dashboard counts what officers decided
//! against the quota and what waits, from the cache, and exports it for Excel.

use super::{desk, login, server};
use bhxh_desk_core::ipc::{DashboardInput, DecideInput, ExportInput, QuotaInput};
use bhxh_domain::Outcome;
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
            .decide(DecideInput { id: q.id.clone(), outcome, reasons, note: None, paper_seen: true })
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
    let row = d.officers.iter().find(|o| o.username == "canbo.07916").expect("officer row");
    assert_eq!((row.approve, row.reject, row.total, row.quota_per_day, row.target), (2, 1, 3, Some(2), 2));
    assert_eq!(row.attainment_percent, 150);
    // The other officer of the office decided nothing today: there, at 0 of the default.
    let other = d.officers.iter().find(|o| o.username == "canbo2.07916").expect("second officer");
    assert_eq!((other.total, other.target, other.attainment_percent), (0, 40, 0));
    assert_eq!(d.waiting, 3);
    assert_eq!(d.by_age.iter().sum::<u32>(), 3);
    assert_eq!(d.oldest.len(), 3);
    assert_eq!(d.paper_by_unit.iter().map(|u| u.waiting).sum::<u32>(), 3);
    // A range before anything was decided counts nothing.
    let past =
        sup.dashboard(DashboardInput { from: Some("2026-01-01".into()), to: Some("2026-01-31".into()) }).expect("past");
    assert!(past.officers.iter().all(|o| o.total == 0));
    assert_eq!(past.officers.iter().find(|o| o.username == "canbo.07916").map(|o| o.target), Some(62));
    let bad = sup.dashboard(DashboardInput { from: Some("31/01/2026".into()), to: None }).expect_err("bad date");
    assert_eq!(bad.code, bhxh_desk_core::ErrorCode::Validation);

    // XLSX, read back cell by cell; CSV with a BOM.
    let export_dir = sup_dir.path().join("exports");
    let xlsx = sup
        .export_table(ExportInput { table: "officers".into(), format: "xlsx".into(), from: None, to: None })
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
    assert_eq!(sheet.get_value((data_row, 7)), Some(&Data::Float(2.0)));
    assert_eq!(sheet.get_value((data_row, 8)), Some(&Data::Float(1.5)));
    let csv = sup
        .export_table(ExportInput { table: "backlog".into(), format: "csv".into(), from: None, to: None })
        .expect("csv");
    assert_eq!(csv.rows, 3);
    let text = std::fs::read_to_string(&csv.path).expect("csv");
    assert!(text.starts_with('\u{feff}'));
    assert!(text.contains("Họ và tên") && text.contains(&d.oldest[0].full_name));
    let bad = sup
        .export_table(ExportInput { table: "../../etc/passwd".into(), format: "csv".into(), from: None, to: None })
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
