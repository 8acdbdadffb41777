//! The office's paper-form rule at the reference server: its staff read it, only its
//! supervisor sets it; where it applies an approval needs the officer's "paper form
//! seen" and a hold is accepted (and superseded by the decision when the form
//! comes in); where it does not, nothing is held.

use super::{office_declarations, post_decision, server, token};
use bhxh_domain::{Channel, DeclarationKind, DeclarationStatus, PaperCase, PaperRule, Purpose};
use bhxh_protocol::{Declaration, PaperRuleState};

async fn decide(
    s: &bhxh_central::RunningServer,
    t: &str,
    id: &str,
    outcome: &str,
    paper_seen: bool,
) -> reqwest::Response {
    post_decision(s, t, id, outcome, &[], paper_seen).await
}

/// A decision the server answered "conflict": another decision stands.
async fn conflict(r: reqwest::Response) -> bool {
    r.status() == 200 && r.json::<serde_json::Value>().await.expect("json")["result"] == "conflict"
}

async fn rule_of(s: &bhxh_central::RunningServer, t: &str, office: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}/v1/offices/{office}/paper-rule", s.url()))
        .bearer_auth(t)
        .send()
        .await
        .expect("send")
}

async fn set_rule(s: &bhxh_central::RunningServer, t: &str, office: &str, rule: &PaperRule) -> reqwest::Response {
    reqwest::Client::new()
        .put(format!("{}/v1/offices/{office}/paper-rule", s.url()))
        .bearer_auth(t)
        .json(rule)
        .send()
        .await
        .expect("send")
}

#[tokio::test]
async fn the_paper_rule_is_the_offices_and_holds_at_the_server() {
    let (_dir, s) = server(40).await;
    let (officer, supervisor) = (token(&s, "canbo.07916").await, token(&s, "giamsat.07916").await);
    let helpdesk = token(&s, "hotro.07916").await;
    let other_office = token(&s, "canbo.07920").await;

    // Never set: the electronic form alone, said as such.
    let never: PaperRuleState = rule_of(&s, &officer, "07916").await.json().await.expect("json");
    assert!(never.rule.required.is_empty() && never.updated_by.is_none());
    // Who may read and set it.
    assert_eq!(rule_of(&s, &helpdesk, "07916").await.status(), 403);
    assert_eq!(rule_of(&s, &other_office, "07916").await.status(), 403);
    let adult_app = PaperCase { purpose: Purpose::Register, kind: DeclarationKind::Adult, channel: Channel::App };
    let adult_portal = PaperCase { channel: Channel::Portal, ..adult_app };
    let rule = PaperRule { required: vec![adult_portal, adult_app, adult_app] };
    assert_eq!(set_rule(&s, &officer, "07916", &rule).await.status(), 403);
    assert_eq!(set_rule(&s, &other_office, "07920", &rule).await.status(), 403);
    let set = set_rule(&s, &supervisor, "07916", &rule).await;
    assert_eq!(set.status(), 200);
    let set: PaperRuleState = set.json().await.expect("json");
    assert_eq!(set.rule.required, vec![adult_app, adult_portal], "kept sorted, each case once");
    assert_eq!(set.updated_by.as_deref(), Some("giamsat.07916"));
    let read: PaperRuleState = rule_of(&s, &officer, "07916").await.json().await.expect("json");
    assert_eq!(read, set);

    let items: Vec<Declaration> = office_declarations(&s, &officer, "07916").await;
    let ruled: Vec<&Declaration> = items
        .iter()
        .filter(|d| d.fields.purpose == Purpose::Register && d.fields.kind == DeclarationKind::Adult)
        .collect();
    let free = items.iter().find(|d| d.fields.kind == DeclarationKind::Child).expect("a child's registration");
    assert!(ruled.len() >= 2);

    // Where the rule applies: no approval without the form seen; a hold, then the approval.
    let d = ruled[0];
    let refused = decide(&s, &officer, &d.id, "approve", false).await;
    assert_eq!(refused.status(), 422, "approved without its paper form");
    let account_before = s.state.with_store(|db| db.account(d.fields.ma_so_bhxh.as_str())).expect("store");
    assert_eq!(decide(&s, &officer, &d.id, "hold", false).await.status(), 201);
    let status = |id: &str| s.state.with_store(|db| db.declaration(id)).expect("store").expect("declaration").status;
    assert_eq!(status(&d.id), DeclarationStatus::OnHold);
    let account_held = s.state.with_store(|db| db.account(d.fields.ma_so_bhxh.as_str())).expect("store");
    assert_eq!(account_held, account_before, "a hold changes nothing in the register");
    // Holding again is no new decision; another officer of the office settles it once the form is in.
    let other = token(&s, "canbo2.07916").await;
    assert!(conflict(decide(&s, &other, &d.id, "hold", false).await).await);
    assert_eq!(decide(&s, &other, &d.id, "approve", false).await.status(), 422, "still no form seen");
    assert_eq!(decide(&s, &other, &d.id, "approve", true).await.status(), 201);
    assert_eq!(status(&d.id), DeclarationStatus::Approved);
    // Final now: a hold no longer reaches it.
    assert!(conflict(decide(&s, &officer, &d.id, "hold", false).await).await);

    // Where it does not apply: approved on the electronic form, nothing to hold for.
    assert_eq!(decide(&s, &officer, &free.id, "hold", false).await.status(), 422);
    assert_eq!(decide(&s, &officer, &free.id, "approve", false).await.status(), 201);

    // The rule lifted: the electronic form alone again.
    assert_eq!(set_rule(&s, &supervisor, "07916", &PaperRule::default()).await.status(), 200);
    assert_eq!(decide(&s, &officer, &ruled[1].id, "approve", false).await.status(), 201);
}
