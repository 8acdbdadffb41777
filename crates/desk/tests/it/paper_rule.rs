//! The office's paper-form rule on the desk: pulled with the sync, applied to the
//! pages matched on this PC (an approval needs a signed one), a hold offered and
//! counted, and the decision made when the form arrives replacing the hold.

use super::{desk, login, server};
use bhxh_cache::OutboxState;
use bhxh_desk_core::ErrorCode;
use bhxh_desk_core::ipc::DecideInput;
use bhxh_domain::{Channel, DecisionDraft, DeclarationKind, DeclarationStatus, Outcome, PaperCase, PaperRule, Purpose};
use bhxh_fixtures::forms::{FormData, FormVariant, stack_pdf};
use rand::SeedableRng;

/// A decision with a note (an approval over a blocking finding needs one: the rule
/// is what is tested here).
fn draft(id: &str, outcome: Outcome) -> DecideInput {
    let note = Some("Đã đối chiếu hồ sơ".to_owned());
    DecideInput { id: id.to_owned(), draft: DecisionDraft { outcome, reasons: vec![], note, paper_seen: false } }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_paper_rule_holds_until_a_signed_form_is_matched() {
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 24).await;
    let (odir, sudir) = (tempfile::tempdir().expect("tmp"), tempfile::tempdir().expect("tmp"));
    let (officer, supervisor) = (desk(odir.path()), desk(sudir.path()));
    officer.login(login(&s.url(), "canbo.07916", "demo")).await.expect("login");
    supervisor.login(login(&s.url(), "giamsat.07916", "demo")).await.expect("login");
    officer.sync_now().await.expect("sync");
    // Before the supervisor sets one: known, and empty.
    let view = officer.paper_rule().expect("rule");
    assert!(view.known && view.rule.required.is_empty() && view.set_by.is_none());
    assert_eq!(view.cases.len(), 12);

    let rule = PaperRule {
        required: [Channel::App, Channel::Portal]
            .map(|channel| PaperCase { purpose: Purpose::Register, kind: DeclarationKind::Adult, channel })
            .to_vec(),
    };
    let set = supervisor.set_paper_rule(rule.clone()).await.expect("set");
    assert_eq!(set.rule.required.len(), 2);
    assert_eq!(set.set_by.as_deref(), Some("giamsat.07916"));
    officer.paper_rule().map(|v| assert!(v.rule.required.is_empty(), "not synced yet")).expect("rule");
    officer.sync_now().await.expect("sync");
    assert_eq!(officer.paper_rule().expect("rule").rule, rule);

    let queue = officer.queue().expect("queue");
    let ruled: Vec<&bhxh_desk_core::ipc::QueueItem> = queue
        .iter()
        .filter(|q| q.purpose == Purpose::Register && q.kind == DeclarationKind::Adult && q.paper.is_none())
        .take(3)
        .collect();
    assert_eq!(ruled.len(), 3);
    let child = queue.iter().find(|q| q.kind == DeclarationKind::Child).expect("a child");
    let ids: Vec<String> = ruled.iter().map(|q| q.id.clone()).collect();
    assert!(officer.declaration(&ids[0]).expect("view").paper_required);
    assert!(!officer.declaration(&child.id).expect("view").paper_required);

    // No approval without a matched signed page; nothing to hold where the rule is silent.
    for id in &ids {
        let refused = officer.decide(draft(id, Outcome::Approve)).expect_err("no paper");
        assert_eq!(refused.code, ErrorCode::Validation);
        assert!(refused.message.vi.contains("tờ khai giấy"), "{}", refused.message.vi);
    }
    let seen_is_not_enough = DecideInput {
        draft: DecisionDraft { paper_seen: true, ..draft(&ids[0], Outcome::Approve).draft },
        ..draft(&ids[0], Outcome::Approve)
    };
    assert_eq!(officer.decide(seen_is_not_enough).expect_err("no page").code, ErrorCode::Validation);
    assert_eq!(officer.decide(draft(&child.id, Outcome::Hold)).expect_err("no rule").code, ErrorCode::Validation);

    // Held, here first.
    for id in &ids {
        officer.decide(draft(id, Outcome::Hold)).expect("hold");
    }
    let held =
        |d: &bhxh_desk_core::Desk, id: &str| d.queue().expect("queue").into_iter().find(|q| q.id == id).expect("row");
    assert!(ids.iter().all(|id| held(&officer, id).on_hold && held(&officer, id).sync_state.is_none()));
    assert_eq!(officer.decide(draft(&ids[0], Outcome::Hold)).expect_err("held already").code, ErrorCode::Conflict);
    // Delivered: the central service holds them on hold too.
    officer.sync_now().await.expect("sync");
    let status = |id: &str| s.state.with_store(|db| db.declaration(id)).expect("store").expect("declaration").status;
    assert!(ids.iter().all(|id| status(id) == DeclarationStatus::OnHold));
    assert!(ids.iter().all(|id| held(&officer, id).status == DeclarationStatus::OnHold));

    // A fourth held and never sent: approving it later withdraws the hold on this PC.
    let fourth = queue
        .iter()
        .find(|q| {
            q.purpose == Purpose::Register
                && q.kind == DeclarationKind::Adult
                && q.paper.is_none()
                && !ids.contains(&q.id)
        })
        .expect("a fourth adult")
        .id
        .clone();
    officer.decide(draft(&fourth, Outcome::Hold)).expect("hold");

    // The unit's stack: signed forms for the first and the fourth, an unsigned one for the second.
    let fields = |id: &str| s.state.with_store(|db| db.declaration(id)).expect("store").expect("declaration").fields;
    let (f0, f1, f3) = (fields(&ids[0]), fields(&ids[1]), fields(&fourth));
    let fonts = bhxh_fixtures::Fonts::load_system().expect("fonts");
    let office_name = "BHXH Quận 6";
    let forms = [
        (FormData { declaration_id: &ids[0], fields: &f0, office_name }, FormVariant::PRINTED),
        (
            FormData { declaration_id: &ids[1], fields: &f1, office_name },
            FormVariant { signed: false, ..FormVariant::PRINTED },
        ),
        (FormData { declaration_id: &fourth, fields: &f3, office_name }, FormVariant::PRINTED),
    ];
    let pdf = stack_pdf(&mut rand_chacha::ChaCha8Rng::seed_from_u64(5), &fonts, &forms).expect("pdf");
    let summary = tokio::task::block_in_place(|| officer.import_paper(&pdf)).expect("import");
    assert_eq!(summary.matched_qr, 3);

    // Signed and matched: approved, and the central service told the form was seen.
    officer.decide(draft(&ids[0], Outcome::Approve)).expect("approve with its form");
    let refused = officer.decide(draft(&ids[1], Outcome::Approve)).expect_err("unsigned");
    assert!(refused.message.vi.contains("chưa có chữ ký"), "{}", refused.message.vi);
    officer.decide(draft(&fourth, Outcome::Approve)).expect("approve the fourth");
    let outbox = officer.outbox().expect("outbox");
    let fourth_rows: Vec<(Outcome, OutboxState)> =
        outbox.iter().filter(|o| o.declaration_id == fourth).map(|o| (o.outcome, o.state)).collect();
    assert_eq!(
        fourth_rows,
        [(Outcome::Approve, OutboxState::Waiting), (Outcome::Hold, OutboxState::Withdrawn)],
        "the unsent hold gave way to the approval"
    );
    assert!(
        outbox.iter().any(|o| o.declaration_id == ids[2] && o.outcome == Outcome::Hold),
        "a delivered hold stays listed"
    );
    officer.sync_now().await.expect("sync");
    assert_eq!(status(&ids[0]), DeclarationStatus::Approved);
    assert_eq!(status(&fourth), DeclarationStatus::Approved);
    assert_eq!(status(&ids[1]), DeclarationStatus::OnHold);
    assert!(!held(&officer, &ids[0]).on_hold && !held(&officer, &fourth).on_hold, "decided: off the on-hold list");
    assert!(held(&officer, &ids[1]).on_hold);
    let seen = s.state.with_store(|db| db.paper_seen_of(&ids[0])).expect("store");
    assert_eq!(seen, Some(true), "the matched signed page said so");

    // The supervisor's overview counts what still waits for its form, per unit.
    supervisor.sync_now().await.expect("sync");
    let dash = supervisor.dashboard(Default::default()).expect("dashboard");
    let on_hold: u32 = dash.paper_by_unit.iter().map(|u| u.on_hold).sum();
    assert_eq!(on_hold, 2, "the second and the third: {:?}", dash.paper_by_unit);
    let unit = f1.unit_code.clone().unwrap_or_default();
    let row = dash.paper_by_unit.iter().find(|u| u.unit_code == unit).expect("the second's unit");
    assert!(row.on_hold >= 1);
}
