//! Issue 9 in the core: the helpdesk finds a caller by every common writing of an
//! identifier, reads a masked card, tells the two causes of the 8079 error apart,
//! and notes calls that reach the central service once, online or not.

use super::{DEMO_SEED, desk, login, server};
use bhxh_central::{AppState, REGISTER_BASE, ServerConfig, start};
use bhxh_desk_core::ipc::{CardInput, LogCallInput, LookupInput, PhoneDiagnosis};
use bhxh_desk_core::{Desk, ErrorCode};
use bhxh_domain::helpdesk::{AccountState, RegistrationState};
use bhxh_domain::reference::ReferenceData;
use bhxh_fixtures::Generator;
use bhxh_protocol::{DeclarationFields, FaultSettings};

fn person(index: u64) -> DeclarationFields {
    let g = Generator::new(DEMO_SEED).expect("generator");
    g.declared_person(index, chrono::Utc::now()).expect("person").fields
}

/// The search box's answer once typing pauses (this PC's copy and the central service).
async fn first_hit(d: &Desk, query: &str) -> Option<String> {
    let r = d.lookup(LookupInput { query: query.to_owned(), central: true }).await.expect("lookup");
    r.items.first().map(|h| h.ma_so_bhxh.clone())
}

/// The old 11-digit writing of a 2018-renumbered phone, if it had one.
fn old_form(phone: &str) -> Option<String> {
    let data = ReferenceData::get();
    data.renumbering
        .iter()
        .find(|(_, new)| phone.starts_with(new.as_str()))
        .map(|(old, new)| format!("{old}{}", &phone[new.len()..]))
}

fn card_input(ma_so: &str, phone: Option<&str>) -> CardInput {
    CardInput { ma_so_bhxh: ma_so.to_owned(), phone: phone.map(str::to_owned) }
}

#[tokio::test]
async fn the_helpdesk_finds_the_caller_and_reads_a_masked_card() {
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 8).await;
    let ddir = tempfile::tempdir().expect("tmp");
    let d = desk(ddir.path());
    d.login(login(&s.url(), "hotro.07916", "demo")).await.expect("login");
    let synced = d.sync_now().await.expect("sync");
    // 07916 holds the even indices: 4 declarations and 3 people of the register.
    assert_eq!(synced.directory_people, 7);

    let p = person(0);
    let ma_so = p.ma_so_bhxh.to_string();
    let phone = p.phone.clone();
    let spaced = format!("{} {} {}", &phone[..4], &phone[4..7], &phone[7..]);
    let international = format!("+84 {}", &phone[1..]);
    let bhyt = format!("DN479{ma_so}");
    let folded_name = format!("{} {}", bhxh_domain::fold::fold(&p.full_name), chrono::Datelike::year(&p.birth_date));
    let mut ways = vec![ma_so.clone(), spaced, international, bhyt, folded_name.clone()];
    if let Some(id) = &p.id_number {
        ways.push(id.clone());
    }
    for way in &ways {
        assert_eq!(first_hit(&d, way).await.as_deref(), Some(ma_so.as_str()), "searching {way:?}");
    }
    // An old 11-digit phone is found too (the first of the office's people who had one).
    let with_old = [0u64, 2, 4, 6].into_iter().map(person).find_map(|f| old_form(&f.phone).map(|o| (f, o)));
    let (f, old) = with_old.expect("a demo person with a renumbered phone");
    let r = d.lookup(LookupInput { query: old.clone(), central: true }).await.expect("lookup");
    assert_eq!(r.items[0].ma_so_bhxh, f.ma_so_bhxh.to_string());
    assert!(!r.items[0].other_office);
    // This PC's copy alone answers a mã số and a name, never a phone or an ID number.
    let d = &d;
    let local = |q: String| async move {
        d.lookup(LookupInput { query: q, central: false }).await.expect("lookup").items.len()
    };
    assert_eq!(local(ma_so.clone()).await, 1);
    assert!(local(folded_name.clone()).await >= 1);
    assert_eq!(local(phone.clone()).await, 0);
    if let Some(id) = &p.id_number {
        assert_eq!(local(id.clone()).await, 0);
    }
    assert_eq!(r.phone_rewritten_from.as_deref(), Some(old.as_str()));

    // The card: masked contact details, no full ID or phone anywhere in what crosses IPC.
    let card = d.citizen_card(card_input(&ma_so, None)).await.expect("card");
    let json = serde_json::to_string(&card).expect("json");
    assert!(!json.contains(&phone), "full phone leaked");
    if let Some(id) = &p.id_number {
        assert!(!json.contains(id.as_str()), "full ID number leaked");
        assert_eq!(card.id_masked.as_deref().map(|m| m.ends_with(&id[id.len() - 3..])), Some(true));
    }
    if let Some(email) = p.email.as_deref().filter(|e| !e.is_empty()) {
        assert!(!json.contains(email), "email leaked");
    }
    assert_eq!(card.phone_masked.as_deref(), Some(bhxh_domain::helpdesk::mask_phone(&phone).as_str()));
    assert_eq!(card.registration_state, RegistrationState::Pending);
    assert!(card.fresh);
    assert!(card.scripts.iter().any(|s| s.id == "status_pending" || s.id == "status_pending_child"));
    assert!(card.scripts.iter().all(|s| !s.text.contains('{')), "a placeholder was left unfilled");

    // The 8079 diagnosis: the caller's own phone, someone else's, and a person never registered.
    let own = d.citizen_card(card_input(&ma_so, Some(&phone))).await.expect("card");
    // A pending declaration has no account yet: 8079 cannot answer, whatever the phone.
    assert_eq!(own.phone.as_ref().map(|p| p.result), Some(PhoneDiagnosis::NotRegistered));
    let registered = person(REGISTER_BASE + 4); // has an account, not locked
    let reg_ma_so = registered.ma_so_bhxh.to_string();
    let matched = d.citizen_card(card_input(&reg_ma_so, Some(&registered.phone))).await.expect("card");
    assert_eq!(matched.account, AccountState::Active);
    assert_eq!(matched.phone.as_ref().map(|p| p.result), Some(PhoneDiagnosis::Match));
    assert!(matched.scripts.iter().any(|s| s.text.contains(&format!("BH MK {reg_ma_so}"))));
    let other = d.citizen_card(card_input(&reg_ma_so, Some(&phone))).await.expect("card");
    assert_eq!(other.phone.as_ref().map(|p| p.result), Some(PhoneDiagnosis::Mismatch));
    let never = person(REGISTER_BASE + 2);
    let never_card = d.citizen_card(card_input(never.ma_so_bhxh.as_str(), Some(&never.phone))).await.expect("card");
    assert_eq!(never_card.registration_state, RegistrationState::None);
    assert_eq!(never_card.phone.as_ref().map(|p| p.result), Some(PhoneDiagnosis::NotRegistered));
    let locked = person(REGISTER_BASE);
    let locked_card = d.citizen_card(card_input(locked.ma_so_bhxh.as_str(), None)).await.expect("card");
    assert_eq!(locked_card.account, AccountState::Locked);
    assert!(locked_card.locked_until.is_some());
    assert!(locked_card.scripts.first().is_some_and(|s| s.id == "password_locked"));

    // Bad input gets a Vietnamese answer, not a crash.
    let bad = d.citizen_card(card_input(&ma_so, Some("12ab"))).await.expect_err("bad phone");
    assert_eq!(bad.code, ErrorCode::Validation);
    let bad = d.citizen_card(card_input("../../etc/passwd", None)).await.expect_err("bad ma so");
    assert_eq!(bad.code, ErrorCode::Validation);
    let bad = d
        .log_call(LogCallInput {
            ma_so_bhxh: ma_so.clone(),
            caller_name: "x".into(),
            topic: "no_such_topic".into(),
            outcome: "resolved".into(),
            note: String::new(),
            flag: None,
        })
        .await
        .expect_err("topic");
    assert_eq!(bad.code, ErrorCode::Validation);

    // A call with a note for the officers, while the central service is down:
    // kept here, delivered by the next sync, once; the officer sees the note.
    let addr = s.addr;
    s.stop().await;
    let offline = d.lookup(LookupInput { query: ma_so.clone(), central: true }).await.expect("offline lookup");
    assert_eq!(offline.items[0].ma_so_bhxh, ma_so);
    assert!(offline.central_error.is_some());
    let by_phone = d.lookup(LookupInput { query: phone.clone(), central: true }).await.expect("offline lookup");
    assert!(by_phone.items.is_empty());
    assert!(
        by_phone.central_error.as_ref().is_some_and(|e| e.vi.contains("mã số BHXH")),
        "the agent is told what to ask"
    );
    let local = d.citizen_card(card_input(&reg_ma_so, Some(&registered.phone))).await.expect("offline card");
    assert!(!local.fresh);
    // Only the central service compares numbers: offline the check waits for it.
    assert_eq!(local.phone.as_ref().map(|p| p.result), Some(PhoneDiagnosis::NeedsNetwork));
    let noted = d
        .log_call(LogCallInput {
            ma_so_bhxh: ma_so.clone(),
            caller_name: "Anh Bình".into(),
            topic: "status".into(),
            outcome: "sent_to_office".into(),
            note: "Người gọi hỏi tình trạng hồ sơ; <script>alert(1)</script>".into(),
            flag: Some("Người dân nói đã gửi lại ảnh CCCD mặt sau".into()),
        })
        .await
        .expect("noted offline");
    assert!(!noted.delivered);
    assert_eq!(d.status().expect("status").calls_waiting, 1);
    let state = AppState::open(&ServerConfig {
        data_dir: sdir.path().to_path_buf(),
        admin: false,
        faults: FaultSettings::default(),
    })
    .expect("state");
    let s = start(addr, state).await.expect("restart");
    let resynced = d.sync_now().await.expect("sync after restart");
    assert_eq!(resynced.calls_delivered, 1);
    assert_eq!(d.sync_now().await.expect("again").calls_delivered, 0, "a call is sent once");
    let card = d.citizen_card(card_input(&ma_so, None)).await.expect("card");
    let calls: Vec<_> = card.calls.iter().filter(|c| c.id == noted.id).collect();
    assert_eq!(calls.len(), 1);
    assert!(!calls[0].pending);
    assert!(calls[0].note.contains("<script>"), "stored and shown as text");

    let odir = tempfile::tempdir().expect("tmp");
    let officer = desk(odir.path());
    officer.login(login(&s.url(), "canbo.07916", "demo")).await.expect("officer login");
    officer.sync_now().await.expect("officer sync");
    let row = officer.queue().expect("queue").into_iter().find(|q| q.ma_so_bhxh == ma_so).expect("in queue");
    assert_eq!(row.flags, 1);
    let view = officer.declaration(&row.id).expect("view");
    assert_eq!(view.helpdesk_notes.len(), 1);
    assert!(view.helpdesk_notes[0].text.contains("mặt sau"));
    // The officer has no helpdesk console.
    let refused = officer.lookup(LookupInput { query: ma_so.clone(), central: false }).await.expect_err("officer");
    assert_eq!(refused.code, ErrorCode::Forbidden);
    s.stop().await;
}
