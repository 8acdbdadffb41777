//! Adjustments and stops at the reference server: each comes with the account the
//! register holds; only an approval changes the register (a rejection leaves it as
//! it was), the old phone is told of a change, and a stop closes the account.

use super::{office_declarations, post_decision, server, token};
use bhxh_domain::helpdesk::{AccountState, RequestState};
use bhxh_domain::{ChangedField, Purpose};
use bhxh_protocol::Declaration;

async fn pending(s: &bhxh_central::RunningServer, t: &str, office: &str) -> Vec<Declaration> {
    office_declarations(s, t, office).await
}

async fn decide(s: &bhxh_central::RunningServer, t: &str, id: &str, outcome: &str, reasons: &[&str]) {
    let r = post_decision(s, t, id, outcome, reasons, false).await;
    assert_eq!(r.status(), 201, "{outcome} {id}");
}

#[tokio::test]
async fn only_an_approved_adjustment_or_stop_changes_the_register() {
    let (_dir, s) = server(80).await;
    let mut officers = std::collections::HashMap::new();
    let mut items = Vec::new();
    for (user, office) in [("canbo.07916", "07916"), ("canbo.07920", "07920")] {
        let t = token(&s, user).await;
        items.extend(pending(&s, &t, office).await);
        officers.insert(office.to_owned(), t);
    }
    let officer_of = |d: &Declaration| officers[&d.fields.office_code].clone();
    let phone_changes: Vec<&Declaration> = items
        .iter()
        .filter(|d| d.fields.purpose == Purpose::Adjust)
        .filter(|d| d.fields.changes.iter().any(|c| c.field == ChangedField::Phone))
        .collect();
    let adjustments: Vec<&Declaration> = items.iter().filter(|d| d.fields.purpose == Purpose::Adjust).collect();
    assert!(!phone_changes.is_empty() && adjustments.len() >= 2, "the demo set has adjustments and phone changes");
    for d in items.iter().filter(|d| d.fields.purpose != Purpose::Register) {
        let acc = d.account.as_ref().expect("an adjustment or a stop comes with its account");
        assert!(acc.active);
        assert_eq!(acc.ma_so_bhxh, d.fields.ma_so_bhxh.as_str());
    }
    assert!(items.iter().filter(|d| d.fields.purpose == Purpose::Register).all(|d| d.account.is_none()));
    let account = |ma_so: &str| s.state.with_store(|db| db.account(ma_so)).expect("store").expect("on record");

    // Rejected: the register keeps what it held and nobody is texted.
    let approved = phone_changes[0];
    let rejected = adjustments.iter().find(|d| d.id != approved.id).expect("another adjustment");
    let before = account(rejected.fields.ma_so_bhxh.as_str());
    decide(&s, &officer_of(rejected), &rejected.id, "reject", &["KHONG_KHOP_TAI_KHOAN"]).await;
    let after = account(rejected.fields.ma_so_bhxh.as_str());
    assert_eq!(after.pending_declarations, before.pending_declarations - 1, "decided, no longer waiting");
    assert_eq!(
        bhxh_domain::AccountOnRecord { pending_declarations: 0, ..after },
        bhxh_domain::AccountOnRecord { pending_declarations: 0, ..before }
    );
    assert!(s.state.with_store(|db| db.notices_of(&rejected.id)).expect("notices").is_empty());

    // Approved: the new phone is on record, the old one is told, the new one too.
    let before = account(approved.fields.ma_so_bhxh.as_str());
    decide(&s, &officer_of(approved), &approved.id, "approve", &[]).await;
    let after = account(approved.fields.ma_so_bhxh.as_str());
    assert_eq!(after.phone.as_deref(), Some(approved.fields.phone.as_str()));
    assert_eq!(after.full_name, before.full_name, "only what the adjustment changes");
    assert_eq!(after.birth_date, before.birth_date);
    assert!(after.active);
    let notices = s.state.with_store(|db| db.notices_of(&approved.id)).expect("notices");
    let old_phone = before.phone.clone().expect("a phone on record");
    assert!(notices.contains(&("sms".into(), old_phone.clone(), "changed_told_old".into())), "{notices:?}");
    assert!(notices.contains(&("sms".into(), approved.fields.phone.clone(), "adjusted".into())), "{notices:?}");
    // The declaration keeps the account as it stood when decided (the old phone).
    let again = pending(&s, &officer_of(approved), &approved.fields.office_code).await;
    let decided = again.iter().find(|d| d.id == approved.id).expect("still listed");
    assert_eq!(decided.account.as_ref().and_then(|a| a.phone.clone()), Some(old_phone));
    let card = s.state.with_store(|db| db.citizen_entry(approved.fields.ma_so_bhxh.as_str(), s.state.now()));
    let card = card.expect("store").expect("card");
    assert_eq!(card.request, RequestState::AdjustApproved);
    assert!(card.history.iter().any(|h| h.purpose == Purpose::Adjust && h.changed == [ChangedField::Phone]));

    // A stop: approved, the account is closed and the helpdesk sees it stopped.
    let stop = items.iter().find(|d| d.fields.purpose == Purpose::Stop).expect("the demo set has a stop");
    decide(&s, &officer_of(stop), &stop.id, "approve", &[]).await;
    let closed = account(stop.fields.ma_so_bhxh.as_str());
    assert!(!closed.active);
    let card = s.state.with_store(|db| db.citizen_entry(stop.fields.ma_so_bhxh.as_str(), s.state.now()));
    let card = card.expect("store").expect("card");
    assert_eq!(card.account, AccountState::Stopped);
    assert_eq!(card.request, RequestState::StopApproved);
    let notices = s.state.with_store(|db| db.notices_of(&stop.id)).expect("notices");
    assert!(notices.iter().any(|n| n.2 == "stopped"), "{notices:?}");
    s.stop().await;
}

#[tokio::test]
async fn changes_are_listed_only_on_an_adjustment() {
    let (_dir, s) = server(0).await;
    let g = bhxh_fixtures::Generator::new(3).expect("generator");
    let mut sub = g.declaration(0, chrono::Utc::now()).expect("declaration").submission;
    sub.fields.changes = vec![bhxh_domain::FieldChange {
        field: ChangedField::Phone,
        old: "0903000000".into(),
        new: "0903000001".into(),
    }];
    let refused = bhxh_central::file_submission(&s.state, sub.clone()).expect_err("refused");
    assert_eq!(refused.code, "validation");
    sub.fields.purpose = Purpose::Adjust;
    sub.fields.reason = Some("x".repeat(301));
    let refused = bhxh_central::file_submission(&s.state, sub.clone()).expect_err("refused");
    assert_eq!(refused.code, "validation");
    sub.fields.reason = Some("Đổi số điện thoại".into());
    bhxh_central::file_submission(&s.state, sub).expect("an adjustment is filed");
    s.stop().await;
}

/// What the review of the first version found: an approval writes only what the
/// adjustment changes (an e-mail left empty is not erased); only an account open
/// when the citizen asked changes; a second stop closes nothing and tells nobody;
/// the other waiting requests of an account go out again with the account as it
/// stands; a request for someone the register does not know, or whose record is
/// kept in another province, comes with no account.
#[tokio::test]
async fn the_register_changes_only_what_an_open_account_may_change() {
    let (_dir, s) = server(0).await;
    let g = bhxh_fixtures::Generator::new(2021).expect("generator");
    let now = chrono::Utc::now();
    // Declaration 24 of the demo: a plain phone change at 07916.
    let d = g.declaration(24, now).expect("declaration");
    let acc = d.person.account_before.clone().expect("an account before");
    let ma_so = acc.record.ma_so_bhxh.to_string();
    s.state.with_store(|db| db.insert_registered_citizen(&acc.record, Some(acc.opened_at), None)).expect("register");
    let file = |sub: bhxh_protocol::Submission| bhxh_central::file_submission(&s.state, sub).expect("filed");
    let account = |m: &str| s.state.with_store(|db| db.account(m)).expect("store");
    let notices = |id: &str| s.state.with_store(|db| db.notices_of(id)).expect("notices");
    let officer = token(&s, "canbo.07916").await;

    let mut change = d.submission.clone();
    change.fields.email = None;
    let new_phone = change.fields.phone.clone();
    let changed = file(change);
    let mut stop = d.submission.clone();
    stop.fields.purpose = Purpose::Stop;
    stop.fields.changes.clear();
    stop.fields.phone = acc.record.phone.clone();
    let stop1 = file(stop.clone());
    let stop2 = file(stop.clone());

    decide(&s, &officer, &changed, "approve", &[]).await;
    let after = account(&ma_so).expect("on record");
    assert_eq!(after.phone.as_deref(), Some(new_phone.as_str()));
    assert_eq!(after.email, acc.record.email, "an e-mail left empty is not erased");
    assert_eq!(after.id_number, acc.record.id_number);

    decide(&s, &officer, &stop1, "approve", &[]).await;
    assert!(!account(&ma_so).expect("on record").active);
    assert!(notices(&stop1).iter().any(|n| n.2 == "stopped"));
    // The other stop waiting goes out again, with the account closed.
    let waiting = pending(&s, &officer, "07916").await;
    let other = waiting.iter().find(|x| x.id == stop2).expect("listed");
    assert_eq!(other.account.as_ref().map(|a| a.active), Some(false));
    decide(&s, &officer, &stop2, "approve", &[]).await;
    assert!(notices(&stop2).is_empty(), "a closed account is not closed twice");

    // An adjustment of the closed account: approved by mistake, it changes nothing.
    let mut late = d.submission.clone();
    late.fields.phone = "0912345678".into();
    late.fields.changes[0].new = "0912345678".into();
    let late = file(late);
    decide(&s, &officer, &late, "approve", &[]).await;
    assert_eq!(account(&ma_so).expect("on record").phone.as_deref(), Some(new_phone.as_str()));
    assert!(notices(&late).is_empty());

    // Someone the register does not know: no record is made from the request.
    let mut stranger = d.submission.clone();
    stranger.fields.ma_so_bhxh = "7999999991".parse().expect("mã số");
    let stranger = file(stranger);
    assert!(account("7999999991").is_none());
    // A record kept in another province: its details are not sent to this office.
    let mut far = acc.record.clone();
    far.ma_so_bhxh = "7999999992".parse().expect("mã số");
    far.office_code = "001".into();
    s.state.with_store(|db| db.insert_registered_citizen(&far, Some(acc.opened_at), None)).expect("register");
    let mut asks = d.submission.clone();
    asks.fields.ma_so_bhxh = far.ma_so_bhxh.clone();
    let asks = file(asks);
    let listed = pending(&s, &officer, "07916").await;
    for id in [&stranger, &asks] {
        assert!(listed.iter().find(|x| &x.id == id).expect("listed").account.is_none(), "{id}");
    }
    s.stop().await;
}

#[tokio::test]
async fn a_request_with_hidden_characters_or_repeated_changes_is_refused() {
    let (_dir, s) = server(0).await;
    let g = bhxh_fixtures::Generator::new(2021).expect("generator");
    let base = g.declaration(24, chrono::Utc::now()).expect("declaration").submission;
    let refused = |sub: bhxh_protocol::Submission| {
        bhxh_central::file_submission(&s.state, sub).expect_err("refused").code == "validation"
    };
    let mut bidi = base.clone();
    bidi.fields.reason = Some("Đổi số\u{202E}1234".into());
    assert!(refused(bidi));
    let mut header = base.clone();
    header.fields.email = Some("a@example.com\r\nBcc: b@example.com".into());
    assert!(refused(header));
    let mut twice = base.clone();
    twice.fields.changes.push(twice.fields.changes[0].clone());
    assert!(refused(twice));
    let mut ma_so = base.clone();
    ma_so.fields.changes = vec![bhxh_domain::FieldChange {
        field: ChangedField::MaSo,
        old: "7900000001".into(),
        new: "7900000002".into(),
    }];
    assert!(refused(ma_so));
    s.stop().await;
}

/// "The new phone not on another account": the server compares the declared phone
/// with the whole register of the office's province, so an account registered long
/// ago (no declaration of it in any office's queue) is named to the officer.
#[tokio::test]
async fn a_phone_another_account_holds_is_named_with_the_declaration() {
    use bhxh_central::REGISTER_BASE;
    let (_dir, s) = server(8).await;
    let http = reqwest::Client::new();
    let g = bhxh_fixtures::Generator::new(3).expect("generator");
    let now = chrono::Utc::now();
    // A person of the register with an account and a phone on file, no declaration waiting.
    let on_file = g.person(REGISTER_BASE + 4, now).expect("person").fields;
    let officer = token(&s, "canbo.07916").await;
    let file = |index: u64, edit: &dyn Fn(&mut bhxh_protocol::DeclarationFields)| {
        let mut claim = g.declaration(index, now).expect("gen").submission;
        claim.fields.office_code = "07916".into();
        edit(&mut claim.fields);
        let body = serde_json::to_vec(&claim).expect("json");
        bhxh_central::channel::signed_submission(&http, &s.url(), s.state.channel_key(), "app", s.state.now(), body)
    };
    let holders = |id: String| {
        let req = http.get(format!("{}/v1/declarations/{id}", s.url())).bearer_auth(&officer);
        async move { req.send().await.expect("send").json::<Declaration>().await.expect("json").phone_holders }
    };
    let filed = |r: reqwest::Response| async move {
        assert_eq!(r.status(), 201);
        r.json::<bhxh_protocol::SubmissionAccepted>().await.expect("json").id
    };
    // Another person registering with that phone: the account holding it is named.
    let stranger = filed(file(600, &|f| f.phone = on_file.phone.clone()).send().await.expect("send")).await;
    let named = holders(stranger).await;
    assert_eq!(named.len(), 1);
    assert_eq!(named[0].ma_so_bhxh, on_file.ma_so_bhxh.as_str());
    // Another phone: nobody.
    let fresh = filed(file(601, &|f| f.phone = "0987000222".into()).send().await.expect("send")).await;
    assert!(holders(fresh).await.is_empty());
    // The holder's own declaration is not "another account".
    let own = filed(
        file(602, &|f| {
            f.ma_so_bhxh = on_file.ma_so_bhxh.clone();
            f.phone = on_file.phone.clone();
        })
        .send()
        .await
        .expect("send"),
    )
    .await;
    assert!(holders(own).await.is_empty());
}
