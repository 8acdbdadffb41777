use super::*;
use crate::outbox::{OutboxState, Settle};
use bhxh_domain::{Channel, DeclarationKind, DeclarationStatus, DocumentKind, Role};
use bhxh_protocol::{Address, Declaration, DeclarationFields, DocumentRef, Sex};
use chrono::{NaiveDate, TimeZone, Utc};

fn declaration(id: &str, day: u32, doc_bytes: &[u8]) -> Declaration {
    let at = Utc.with_ymd_and_hms(2026, 11, day, 8, 0, 0).single().expect("date");
    Declaration {
        assignment: None,
        decision: None,
        flags: vec![],
        account: None,
        phone_holders: vec![],
        id: id.to_owned(),
        status: DeclarationStatus::Pending,
        submitted_at: at,
        updated_at: at,
        fields: DeclarationFields {
            kind: DeclarationKind::Adult,
            channel: Channel::App,
            office_code: "07916".into(),
            ma_so_bhxh: "7914820031".parse().expect("valid"),
            full_name: "Đặng Thị Ánh".into(),
            birth_date: NaiveDate::from_ymd_opt(1990, 5, 17).expect("date"),
            sex: Sex::Female,
            id_type: None,
            id_number: None,
            address: Address {
                province: "Thành phố Hồ Chí Minh".into(),
                district: Some("Quận 6".into()),
                commune: "Phường 11".into(),
                street: "12 Hậu Giang".into(),
            },
            phone: "0903123456".into(),
            email: None,
            parent_ma_so_bhxh: None,
            unit_code: Some("SQ0007Q".into()),
            purpose: Default::default(),
            changes: vec![],
            reason: None,
        },
        documents: vec![DocumentRef {
            id: format!("{id}-portrait"),
            kind: DocumentKind::Portrait,
            content_type: "image/jpeg".into(),
            size: doc_bytes.len() as u64,
            sha256: store::sha256_hex(doc_bytes),
        }],
    }
}

#[test]
fn applying_a_page_twice_changes_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cache = Cache::open(dir.path(), DataKey::generate()).expect("open");
    let page = vec![declaration("07916-000002", 3, b"two"), declaration("07916-000001", 2, b"one")];
    assert_eq!(cache.apply_page(&page, "cursor:07916", "c1").expect("apply"), 2);
    assert_eq!(cache.apply_page(&page, "cursor:07916", "c1").expect("apply"), 0);
    let q = cache.queue("07916").expect("queue");
    assert_eq!(q.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["07916-000001", "07916-000002"], "oldest first");
    assert_eq!(q[0].documents, 1);
    assert_eq!(q[0].documents_stored, 0);
    assert_eq!(cache.meta("cursor:07916").expect("meta").as_deref(), Some("c1"));
    assert!(cache.queue("07920").expect("queue").is_empty());
}

#[test]
fn documents_are_verified_on_the_way_in_and_out() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cache = Cache::open(dir.path(), DataKey::generate()).expect("open");
    cache.apply_page(&[declaration("07916-000001", 2, b"portrait bytes")], "k", "c").expect("apply");
    let todo = cache.documents_to_fetch(false, 10).expect("todo");
    assert_eq!(todo.len(), 1);
    assert!(matches!(cache.save_document(&todo[0], b"tampered"), Err(CacheError::Integrity { .. })));
    cache.save_document(&todo[0], b"portrait bytes").expect("save");
    assert!(cache.documents_to_fetch(false, 10).expect("todo").is_empty());
    let (_, bytes) = cache.document_bytes("07916-000001-portrait").expect("read");
    assert_eq!(bytes, b"portrait bytes");
    // A file altered on disk is refused, not shown.
    let files = stored_files(&dir.path().join("documents"));
    assert_eq!(files.len(), 1);
    assert!(!files[0].ends_with(&todo[0].sha256), "files are not named by the content hash");
    std::fs::write(&files[0], b"changed on disk").expect("write");
    assert!(matches!(cache.document_bytes("07916-000001-portrait"), Err(CacheError::Sealed { .. })));
    assert!(cache.store().get("../../etc/passwd").is_err());
}

#[test]
fn new_content_for_a_document_is_fetched_again() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cache = Cache::open(dir.path(), DataKey::generate()).expect("open");
    cache.apply_page(&[declaration("07916-000001", 2, b"v1")], "k", "c").expect("apply");
    let todo = cache.documents_to_fetch(false, 10).expect("todo");
    cache.save_document(&todo[0], b"v1").expect("save");
    cache.apply_page(&[declaration("07916-000001", 2, b"v2")], "k", "c2").expect("apply");
    assert_eq!(cache.documents_to_fetch(false, 10).expect("todo").len(), 1);
}

fn stored_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        if e.path().is_dir() {
            out.extend(stored_files(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

fn profile(user: &str) -> Profile {
    Profile {
        username: user.into(),
        central_url: "http://127.0.0.1:1".into(),
        display_name: "Trần Thị Thu Hà".into(),
        role: Role::Officer,
        office_code: "07916".into(),
        last_login_at: Utc::now(),
    }
}

/// Issue 21, item 7: the offline unlock ends a span after the last online login
/// (a span of time, not office days), and the next online login starts it again.
#[test]
fn offline_unlock_ends_days_after_the_last_online_login() {
    let dir = tempfile::tempdir().expect("tmp");
    let profiles = Profiles::open(dir.path()).expect("open");
    // Online at 23:59 office time on 31/12 (16:59 UTC).
    let online = Utc.with_ymd_and_hms(2026, 12, 31, 16, 59, 0).single().expect("time");
    let mut p = profile("canbo.07916");
    p.last_login_at = online;
    profiles.key_after_online_login(&p, "đúng", PasswordChange::Ask, online).expect("key");
    let days = |d: i64, s: i64| online + chrono::TimeDelta::days(d) + chrono::TimeDelta::seconds(s);
    for (at, max, opens) in [
        (days(0, 120), 7, true),   // 00:01 on 1/1: a new office day, the same login
        (days(7, 0), 7, true),     // exactly seven days
        (days(7, 1), 7, false),    // one second more
        (days(30, 0), 7, false),   // a dismissed officer with the network unplugged
        (days(2, 0), 1, false),    // an office that allows one day
        (days(29, 0), 30, true),   // one that allows thirty
        (days(0, -3600), 7, true), // a PC clock an hour behind the server's
    ] {
        let r = profiles.unlock_offline("canbo.07916", "đúng", at, max);
        match (opens, r) {
            (true, Ok(_)) => {}
            (false, Err(UnlockError::TooLongOffline { since, days })) => {
                assert_eq!((since, days), (online, max));
            }
            (want, got) => panic!("{at} with {max} days: want open {want}, got {:?}", got.map(|(p, _)| p.username)),
        }
    }
    // A clock set back to stretch the span: refused.
    assert!(matches!(
        profiles.unlock_offline("canbo.07916", "đúng", days(-2, 0), 7),
        Err(UnlockError::ClockBehind { .. })
    ));
    // A wrong password past the limit says the limit, not the password: nothing is tried.
    assert!(matches!(
        profiles.unlock_offline("canbo.07916", "sai", days(8, 0), 7),
        Err(UnlockError::TooLongOffline { .. })
    ));
    // Online again: the span starts over.
    p.last_login_at = days(8, 0);
    profiles.key_after_online_login(&p, "đúng", PasswordChange::Ask, days(8, 0)).expect("key");
    assert!(profiles.unlock_offline("canbo.07916", "đúng", days(9, 0), 7).is_ok());
}

#[test]
fn offline_unlock_opens_the_same_key_and_never_stores_the_password() {
    let dir = tempfile::tempdir().expect("tmp");
    let profiles = Profiles::open(dir.path()).expect("open");
    let key = profiles
        .key_after_online_login(&profile("canbo.07916"), "mật khẩu đúng", PasswordChange::Ask, Utc::now())
        .expect("key");
    let cdir = profiles.cache_dir("canbo.07916").expect("dir");
    let mut cache = Cache::open(&cdir, key.clone()).expect("cache");
    cache.apply_page(&[declaration("07916-000001", 2, b"x")], "k", "c").expect("apply");
    drop(cache);
    // The same password online again: the same key, the cache kept.
    let again = profiles
        .key_after_online_login(&profile("canbo.07916"), "mật khẩu đúng", PasswordChange::Ask, Utc::now())
        .expect("key");
    assert_eq!(Cache::open(&cdir, again).expect("reopen").count_declarations().expect("count"), 1);
    let now = Utc::now();
    assert!(matches!(
        profiles.unlock_offline("someone.else", "mật khẩu đúng", now, profiles::DEFAULT_MAX_OFFLINE_DAYS),
        Err(UnlockError::NoProfile(_))
    ));
    let (p, k) = profiles
        .unlock_offline("canbo.07916", "mật khẩu đúng", now, profiles::DEFAULT_MAX_OFFLINE_DAYS)
        .expect("unlock");
    assert_eq!(p.role, Role::Officer);
    assert_eq!(Cache::open(&cdir, k).expect("reopen").count_declarations().expect("count"), 1);
    // Another key does not open this cache.
    assert!(matches!(Cache::open(&cdir, DataKey::generate()), Err(CacheError::Sealed { .. })));
    let raw = std::fs::read(dir.path().join("profiles.sqlite3")).expect("read");
    let needle = "mật khẩu đúng".as_bytes();
    assert!(!raw.windows(needle.len()).any(|w| w == needle));
    assert!(profiles.cache_dir("../etc").is_err());
}

/// The profile keeps the officer's role and office in the clear (the login screen
/// shows them); the wrapped key is bound to them. A helpdesk profile edited on
/// disk to say "supervisor", or moved to another office, does not open offline.
#[test]
fn a_role_or_office_changed_on_disk_does_not_open_the_cache() {
    let dir = tempfile::tempdir().expect("tmp");
    let profiles = Profiles::open(dir.path()).expect("open");
    let mut helpdesk = profile("hotro.07916");
    helpdesk.role = Role::Helpdesk;
    profiles.key_after_online_login(&helpdesk, "đúng", PasswordChange::Ask, Utc::now()).expect("key");
    let db = rusqlite::Connection::open(dir.path().join("profiles.sqlite3")).expect("db");
    let now = Utc::now();
    for (column, forged, honest) in [("role", "supervisor", "helpdesk"), ("office_code", "07920", "07916")] {
        db.execute(&format!("UPDATE profiles SET {column} = ?1"), [forged]).expect("edit");
        assert!(
            matches!(
                profiles.unlock_offline("hotro.07916", "đúng", now, profiles::DEFAULT_MAX_OFFLINE_DAYS),
                Err(UnlockError::WrongPassword { .. })
            ),
            "{column} = {forged} opened"
        );
        db.execute(&format!("UPDATE profiles SET {column} = ?1"), [honest]).expect("edit back");
    }
    let (p, _) =
        profiles.unlock_offline("hotro.07916", "đúng", now, profiles::DEFAULT_MAX_OFFLINE_DAYS).expect("honest row");
    assert_eq!(p.role, Role::Helpdesk);
    // The central service moving the account to another role re-binds the wrap.
    let mut moved = helpdesk.clone();
    moved.role = Role::Supervisor;
    profiles.key_after_online_login(&moved, "đúng", PasswordChange::Ask, Utc::now()).expect("key");
    let (p, _) =
        profiles.unlock_offline("hotro.07916", "đúng", now, profiles::DEFAULT_MAX_OFFLINE_DAYS).expect("moved");
    assert_eq!(p.role, Role::Supervisor);
}

/// A profile wrapped before the binding (version 1, the user alone) opens once
/// more and is written again bound to its role and office.
#[test]
fn an_older_wrap_opens_and_is_bound_to_its_role_and_office() {
    let dir = tempfile::tempdir().expect("tmp");
    let profiles = Profiles::open(dir.path()).expect("open");
    let key =
        profiles.key_after_online_login(&profile("canbo.07916"), "đúng", PasswordChange::Ask, Utc::now()).expect("key");
    // As the previous version wrote it: sealed with the user name alone.
    let old = crate::crypto::wrap_v1(&key, "canbo.07916", "đúng").expect("wrap");
    let db = rusqlite::Connection::open(dir.path().join("profiles.sqlite3")).expect("db");
    db.execute(
        "UPDATE profiles SET kdf_salt = ?1, wrapped_key = ?2, wrap_version = 1",
        rusqlite::params![old.salt.to_vec(), old.sealed],
    )
    .expect("old wrap");
    let now = Utc::now();
    profiles.unlock_offline("canbo.07916", "đúng", now, profiles::DEFAULT_MAX_OFFLINE_DAYS).expect("opens once more");
    let version: u8 = db.query_row("SELECT wrap_version FROM profiles", [], |r| r.get(0)).expect("version");
    assert_eq!(version, 2);
    db.execute("UPDATE profiles SET role = 'supervisor'", []).expect("edit");
    assert!(profiles.unlock_offline("canbo.07916", "đúng", now, profiles::DEFAULT_MAX_OFFLINE_DAYS).is_err());
}

#[test]
fn five_wrong_passwords_lock_offline_unlock_for_fifteen_minutes() {
    let dir = tempfile::tempdir().expect("tmp");
    let profiles = Profiles::open(dir.path()).expect("open");
    profiles.key_after_online_login(&profile("canbo.07916"), "đúng", PasswordChange::Ask, Utc::now()).expect("key");
    let now = Utc::now();
    for left in (1..=4).rev() {
        match profiles.unlock_offline("canbo.07916", "sai", now, profiles::DEFAULT_MAX_OFFLINE_DAYS) {
            Err(UnlockError::WrongPassword { attempts_left }) => assert_eq!(attempts_left, left),
            other => panic!("expected a wrong password, got {other:?}"),
        }
    }
    let Err(UnlockError::Locked { until }) =
        profiles.unlock_offline("canbo.07916", "sai", now, profiles::DEFAULT_MAX_OFFLINE_DAYS)
    else {
        panic!("the fifth wrong password locks")
    };
    assert_eq!(until, now + profiles::LOCKOUT);
    // Even the right password waits.
    assert!(matches!(
        profiles.unlock_offline("canbo.07916", "đúng", now, profiles::DEFAULT_MAX_OFFLINE_DAYS),
        Err(UnlockError::Locked { .. })
    ));
    let later = until + chrono::Duration::seconds(1);
    assert!(profiles.unlock_offline("canbo.07916", "đúng", later, profiles::DEFAULT_MAX_OFFLINE_DAYS).is_ok());
}

#[test]
fn a_password_changed_centrally_opens_the_same_cache_with_the_previous_one() {
    let dir = tempfile::tempdir().expect("tmp");
    let profiles = Profiles::open(dir.path()).expect("open");
    let now = Utc::now();
    let old = profiles.key_after_online_login(&profile("canbo.07916"), "cũ", PasswordChange::Ask, now).expect("key");
    let cdir = profiles.cache_dir("canbo.07916").expect("dir");
    Cache::open(&cdir, old)
        .expect("cache")
        .apply_page(&[declaration("07916-000001", 2, b"x")], "k", "c")
        .expect("apply");
    // The new password alone: asked for the previous one, nothing moved.
    assert!(matches!(
        profiles.key_after_online_login(&profile("canbo.07916"), "mới", PasswordChange::Ask, now),
        Err(UnlockError::PasswordChanged)
    ));
    // A wrong previous password counts towards the wait like a wrong unlock.
    for left in (1..=4).rev() {
        match profiles.key_after_online_login(&profile("canbo.07916"), "mới", PasswordChange::Previous("sai"), now) {
            Err(UnlockError::WrongPreviousPassword { attempts_left }) => assert_eq!(attempts_left, left),
            other => panic!("expected a wrong previous password, got {other:?}"),
        }
    }
    assert!(matches!(
        profiles.key_after_online_login(&profile("canbo.07916"), "mới", PasswordChange::Previous("sai"), now),
        Err(UnlockError::Locked { .. })
    ));
    assert!(matches!(
        profiles.key_after_online_login(&profile("canbo.07916"), "mới", PasswordChange::Previous("cũ"), now),
        Err(UnlockError::Locked { .. })
    ));
    let later = now + profiles::LOCKOUT + chrono::Duration::seconds(1);
    let key = profiles
        .key_after_online_login(&profile("canbo.07916"), "mới", PasswordChange::Previous("cũ"), later)
        .expect("the previous password opens the key");
    assert_eq!(Cache::open(&cdir, key).expect("same cache").count_declarations().expect("count"), 1);
    // From now on the new password opens it, online and offline; the old one no longer does.
    let again =
        profiles.key_after_online_login(&profile("canbo.07916"), "mới", PasswordChange::Ask, later).expect("key");
    assert_eq!(Cache::open(&cdir, again).expect("same cache").count_declarations().expect("count"), 1);
    assert!(profiles.unlock_offline("canbo.07916", "mới", later, profiles::DEFAULT_MAX_OFFLINE_DAYS).is_ok());
    assert!(profiles.unlock_offline("canbo.07916", "cũ", later, profiles::DEFAULT_MAX_OFFLINE_DAYS).is_err());
    let kept_aside = std::fs::read_dir(dir.path().join("users")).expect("users").flatten().count();
    assert_eq!(kept_aside, 1, "nothing set aside");
}

#[test]
fn a_forgotten_previous_password_starts_a_new_cache_and_keeps_the_old_one() {
    let dir = tempfile::tempdir().expect("tmp");
    let profiles = Profiles::open(dir.path()).expect("open");
    let old =
        profiles.key_after_online_login(&profile("canbo.07916"), "cũ", PasswordChange::Ask, Utc::now()).expect("key");
    let cdir = profiles.cache_dir("canbo.07916").expect("dir");
    Cache::open(&cdir, old)
        .expect("cache")
        .apply_page(&[declaration("07916-000001", 2, b"x")], "k", "c")
        .expect("apply");
    let new = profiles
        .key_after_online_login(&profile("canbo.07916"), "mới", PasswordChange::StartAfresh, Utc::now())
        .expect("key");
    assert_eq!(Cache::open(&cdir, new).expect("fresh").count_declarations().expect("count"), 0);
    assert!(profiles.unlock_offline("canbo.07916", "cũ", Utc::now(), profiles::DEFAULT_MAX_OFFLINE_DAYS).is_err());
    // The old cache is kept aside with its wrapped key: the old password still opens it.
    let aside = std::fs::read_dir(dir.path().join("users"))
        .expect("users")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("canbo.07916.replaced-")))
        .expect("old cache kept");
    let w: serde_json::Value =
        serde_json::from_slice(&std::fs::read(aside.join("wrapped-key.json")).expect("wrap kept")).expect("json");
    let wrapped = crypto::WrappedKey {
        version: w["wrap_version"].as_u64().expect("version") as u8,
        salt: hex::decode(w["salt"].as_str().expect("salt")).expect("hex").try_into().expect("16 bytes"),
        memory_kib: w["memory_kib"].as_u64().expect("m") as u32,
        passes: w["passes"].as_u64().expect("t") as u32,
        lanes: w["lanes"].as_u64().expect("p") as u32,
        sealed: hex::decode(w["wrapped_key"].as_str().expect("key")).expect("hex"),
    };
    let owner = crypto::KeyOwner {
        username: "canbo.07916",
        role: w["role"].as_str().expect("role"),
        office: w["office_code"].as_str().expect("office"),
    };
    let old_key = wrapped.unwrap(&owner, "cũ").expect("the old password opens the old key");
    assert_eq!(Cache::open(&aside, old_key).expect("old cache").count_declarations().expect("count"), 1);
}

#[test]
fn nothing_personal_is_readable_in_the_files() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cache = Cache::open(dir.path(), DataKey::generate()).expect("open");
    let d = declaration("07916-000001", 2, b"\xFF\xD8\xFF portrait pixels");
    cache.apply_page(std::slice::from_ref(&d), "k", "c").expect("apply");
    cache.recheck_all().expect("checks");
    let todo = cache.documents_to_fetch(false, 10).expect("todo");
    cache.save_document(&todo[0], b"\xFF\xD8\xFF portrait pixels").expect("save");
    drop(cache);
    for needle in ["Đặng Thị Ánh", "7914820031", "0903123456", "Hậu Giang", "portrait pixels"] {
        for f in stored_files(dir.path()) {
            let raw = std::fs::read(&f).expect("read");
            assert!(!raw.windows(needle.len()).any(|w| w == needle.as_bytes()), "{needle} readable in {}", f.display());
        }
    }
}

/// Where in the cache's files a content's digest shows, hex or raw.
fn digest_shows(dir: &std::path::Path, sha: &str) -> Option<std::path::PathBuf> {
    let raw = hex::decode(sha).expect("hex");
    stored_files(dir).into_iter().find(|f| {
        let bytes = std::fs::read(f).expect("read");
        let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        has(sha.as_bytes()) || has(sha.to_uppercase().as_bytes()) || has(&raw)
    })
}

#[test]
fn no_content_digest_is_kept_in_the_clear_and_an_older_cache_is_keyed_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let key = DataKey::generate();
    let photo = b"\xFF\xD8\xFF a citizen's portrait";
    let pdf = b"%PDF-1.7 a signed paper form";
    let (photo_sha, pdf_sha) = (store::sha256_hex(photo), store::sha256_hex(pdf));
    let now = Utc::now();
    let reading = bhxh_domain::mau01::PageReading { signed: Some(true), ..Default::default() };
    {
        let mut cache = Cache::open(dir.path(), key.clone()).expect("open");
        cache.apply_page(&[declaration("07916-000001", 2, photo)], "k", "c").expect("apply");
        let todo = cache.documents_to_fetch(false, 10).expect("todo");
        cache.save_document(&todo[0], photo).expect("save");
        let screen = crate::analysis::NewDerivative { size: "screen", width: 8, height: 8, bytes: b"small jpeg" };
        cache.save_derivatives(&photo_sha, &[screen]).expect("derivative");
        let page = crate::paper::NewPaperPage {
            reading: &reading,
            declaration_id: Some("07916-000001"),
            matched_by: bhxh_domain::mau01::MatchedBy::Qr,
            candidates: &[],
            screen: crate::analysis::NewDerivative { size: "page0", width: 10, height: 14, bytes: b"page jpeg" },
        };
        cache.save_paper_stack(&pdf_sha, pdf, &[page], "file", "canbo.07916", now).expect("stack");
        cache.match_paper_page(&pdf_sha, 0, Some("07916-000001"), "canbo.07916", now).expect("match");
    }
    for sha in [&photo_sha, &pdf_sha] {
        assert_eq!(digest_shows(dir.path(), sha), None, "a content digest is readable");
    }

    // A cache written before the tags: the clear digest in every content column.
    {
        let mut cache = Cache::open(dir.path(), key.clone()).expect("open");
        let tx = cache.conn.transaction().expect("tx");
        tx.pragma_update(None, "defer_foreign_keys", "ON").expect("defer");
        for (table, sha) in [("documents", &photo_sha), ("paper_stacks", &pdf_sha)] {
            let tag = key.content_tag(sha);
            tx.execute(
                &format!("UPDATE {table} SET content_tag = ?2, content = NULL WHERE content_tag = ?1"),
                [&tag, sha],
            )
            .expect("old row");
            tx.execute("UPDATE derivatives SET content_tag = ?2 WHERE content_tag = ?1", [&tag, sha]).expect("old");
            tx.execute("UPDATE paper_pages SET stack_tag = ?2 WHERE stack_tag = ?1", [&tag, sha]).expect("old");
        }
        tx.execute("DELETE FROM meta WHERE key = 'content.keyed'", []).expect("meta");
        tx.commit().expect("commit");
    }
    assert!(digest_shows(dir.path(), &photo_sha).is_some(), "the older layout is what this test starts from");

    let cache = Cache::open(dir.path(), key).expect("open");
    for sha in [&photo_sha, &pdf_sha] {
        assert_eq!(digest_shows(dir.path(), sha), None, "rewritten when the key opened it");
    }
    let (doc, bytes) = cache.document_bytes("07916-000001-portrait").expect("document");
    assert_eq!((doc.sha256.as_str(), bytes.as_slice()), (photo_sha.as_str(), &photo[..]));
    assert_eq!(cache.derivative(&photo_sha, "screen").expect("derivative").as_deref(), Some(&b"small jpeg"[..]));
    assert_eq!(cache.derivative(&pdf_sha, "page0").expect("page").as_deref(), Some(&b"page jpeg"[..]));
    let pages = cache.paper_stack_pages(&pdf_sha).expect("pages");
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].stack_sha256, pdf_sha);
    assert_eq!(pages[0].reading.signed, Some(true), "the sealed reading still opens");
    assert_eq!(cache.paper_pages_of("07916-000001").expect("matched").len(), 1);
    assert!(cache.paper_stack(&pdf_sha).expect("stack").is_some());
    assert_eq!(cache.paper_stack_bytes(&pdf_sha).expect("pdf"), pdf);
    assert!(cache.verify_audit().expect("audit").first_broken.is_none());
}

fn decided_cache(dir: &std::path::Path) -> Cache {
    decided_cache_with(dir, DataKey::generate())
}

fn decided_cache_with(dir: &std::path::Path, key: DataKey) -> Cache {
    let mut cache = Cache::open(dir, key).expect("open");
    cache
        .apply_page(&[declaration("07916-000001", 2, b"a"), declaration("07916-000002", 3, b"b")], "k", "c")
        .expect("apply");
    let draft = bhxh_domain::DecisionDraft {
        outcome: bhxh_domain::Outcome::Approve,
        reasons: vec![],
        note: Some("ghi chú".into()),
        paper_seen: true,
    };
    cache.record_decision("canbo.07916", "07916-000001", &draft, &[], Utc::now()).expect("cache").expect("recorded");
    cache
}

#[test]
fn the_audit_chain_reports_the_first_tampered_row() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cache = decided_cache(dir.path());
    cache.audit("canbo.07916", audit::Action::ViewDocuments, "07916-000002", "", Utc::now()).expect("audit");
    cache.audit("canbo.07916", audit::Action::Export, "queue", "12 rows", Utc::now()).expect("audit");
    assert_eq!(cache.verify_audit().expect("verify"), audit::AuditReport { rows: 3, first_broken: None });
    // Insert-only: the database itself refuses changes.
    assert!(cache.conn.execute("UPDATE audit SET actor = 'x' WHERE seq = 2", []).is_err());
    assert!(cache.conn.execute("DELETE FROM audit WHERE seq = 3", []).is_err());
    // Someone who drops the triggers and edits a row is still caught, at that row.
    cache
        .conn
        .execute_batch("DROP TRIGGER audit_no_update; UPDATE audit SET subject = '07916-000009' WHERE seq = 2;")
        .expect("tamper");
    let report = cache.verify_audit().expect("verify");
    assert_eq!(report.first_broken.as_ref().map(|b| b.0), Some(2), "{report:?}");
    // A removed row breaks the sequence at the next one.
    let dir2 = tempfile::tempdir().expect("tmp");
    let mut c2 = decided_cache(dir2.path());
    c2.audit("a", crate::audit::Action::Export, "s", "", Utc::now()).expect("audit");
    c2.audit("a", crate::audit::Action::Purge, "s", "", Utc::now()).expect("audit");
    c2.conn.execute_batch("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 2;").expect("tamper");
    assert_eq!(c2.verify_audit().expect("verify").first_broken.map(|b| b.0), Some(3));
}

/// The links are keyed: a row forged by someone who recomputes the links without
/// the officer's key (plain SHA-256, or another key) is caught, and so is an
/// unkeyed row slipped in after keyed ones. Rows from before the chain was keyed
/// are accepted at its start only.
#[test]
fn an_audit_chain_forged_without_the_key_does_not_hold() {
    let forge = |c: &Cache, seq: i64, hash: &str, keyed: bool| {
        c.conn
            .execute_batch(&format!(
                "DROP TRIGGER IF EXISTS audit_no_update; UPDATE audit SET hash = '{hash}', keyed = {} WHERE seq = {seq};",
                i32::from(keyed)
            ))
            .expect("tamper");
    };
    let row = |c: &Cache, seq: i64| -> (String, String, String, String, String, String) {
        c.conn
            .query_row("SELECT prev_hash, at, actor, action, subject, detail FROM audit WHERE seq = ?1", [seq], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })
            .expect("row")
    };
    let plain = |seq: i64, r: &(String, String, String, String, String, String)| {
        let mut h = sha2::Sha256::new();
        for part in [r.0.as_str(), &seq.to_string(), &r.1, &r.2, &r.3, &r.4, &r.5] {
            sha2::Digest::update(&mut h, part.as_bytes());
            sha2::Digest::update(&mut h, [0u8]);
        }
        hex::encode(sha2::Digest::finalize(h))
    };
    use sha2::Digest as _;

    // A single-row chain re-linked with plain SHA-256, as the unkeyed chain was.
    let dir = tempfile::tempdir().expect("tmp");
    let c = decided_cache(dir.path());
    let r1 = row(&c, 1);
    forge(&c, 1, &plain(1, &r1), true);
    assert_eq!(c.verify_audit().expect("verify").first_broken.map(|b| b.0), Some(1), "SHA-256 posing as keyed");
    // The same row marked as written before the chain was keyed: accepted, it is first.
    forge(&c, 1, &plain(1, &r1), false);
    assert_eq!(c.verify_audit().expect("verify").first_broken, None, "an old row at the start");

    // An unkeyed row after a keyed one: forged, whatever its link says.
    let dir = tempfile::tempdir().expect("tmp");
    let mut c = decided_cache(dir.path());
    c.audit("canbo.07916", audit::Action::Export, "queue", "", Utc::now()).expect("audit");
    let r2 = row(&c, 2);
    forge(&c, 2, &plain(2, &r2), false);
    let report = c.verify_audit().expect("verify");
    assert_eq!(report.first_broken.as_ref().map(|b| b.0), Some(2), "{report:?}");

    // Another officer's key does not make links this chain accepts.
    let dir = tempfile::tempdir().expect("tmp");
    let key = DataKey::generate();
    let c = decided_cache_with(dir.path(), key.clone());
    let other = DataKey::generate().audit_key();
    let r1 = row(&c, 1);
    forge(&c, 1, &other.link(&["bhxh-desk audit v2", &r1.0, "1", &r1.1, &r1.2, &r1.3, &r1.4, &r1.5]), true);
    assert_eq!(c.verify_audit().expect("verify").first_broken.map(|b| b.0), Some(1));
    // The file alone, with the right key, says the same.
    drop(c);
    let report = audit::verify(&dir.path().join("cache.sqlite3"), &key).expect("verify");
    assert_eq!(report.first_broken.map(|b| b.0), Some(1));
}

#[test]
fn a_full_or_read_only_disk_refuses_clearly_and_keeps_what_was_recorded() {
    let dir = tempfile::tempdir().expect("tmp");
    let key = DataKey::generate();
    let mut cache = decided_cache_with(dir.path(), key.clone());
    let before = cache.outbox().expect("outbox");
    let draft = bhxh_domain::DecisionDraft {
        outcome: bhxh_domain::Outcome::Approve,
        reasons: vec![],
        note: None,
        paper_seen: false,
    };
    // Full: SQLite may not grow the file by one more page.
    let pages: i64 = cache.conn.query_row("PRAGMA page_count", [], |r| r.get(0)).expect("pages");
    cache.conn.execute_batch(&format!("PRAGMA max_page_count = {pages};")).expect("limit");
    let big = "x".repeat(900);
    let full = (0..200).find_map(|i| {
        let d = bhxh_domain::DecisionDraft { note: Some(format!("{big}{i}")), ..draft.clone() };
        match cache.record_decision("canbo.07916", "07916-000002", &d, &[], Utc::now()) {
            Err(e) => Some(e),
            Ok(Ok(k)) => {
                cache.withdraw("canbo.07916", &k, Utc::now()).expect("cache").expect("withdraw");
                None
            }
            Ok(Err(e)) => panic!("{e}"),
        }
    });
    let full = full.expect("the disk fills up");
    assert!(full.is_disk_full(), "{full}");
    // Read-only.
    cache.conn.execute_batch("PRAGMA max_page_count = 1073741823; PRAGMA query_only = ON;").expect("read-only");
    let ro = cache.record_decision("canbo.07916", "07916-000002", &draft, &[], Utc::now()).expect_err("read-only");
    assert!(ro.is_read_only(), "{ro}");
    cache.conn.execute_batch("PRAGMA query_only = OFF;").expect("writable");
    drop(cache);
    // What was recorded before is all there, and the chain holds.
    let cache = Cache::open(dir.path(), DataKey::generate()).err();
    assert!(cache.is_some(), "a different key does not open it");
    let report = Cache::open(dir.path(), key).expect("open").verify_audit().expect("verify");
    assert!(report.first_broken.is_none());
    assert!(before.iter().all(|r| r.state == OutboxState::Waiting));
}

#[test]
fn documents_leave_the_pc_days_after_the_decision_is_on_record() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cache = Cache::open(dir.path(), DataKey::generate()).expect("open");
    cache
        .apply_page(
            &[
                declaration("07916-000001", 2, b"one"),
                declaration("07916-000002", 3, b"two"),
                declaration("07916-000003", 4, b"three"),
            ],
            "k",
            "c",
        )
        .expect("apply");
    for (doc, bytes) in
        cache.documents_to_fetch(false, 10).expect("todo").into_iter().zip([&b"one"[..], b"two", b"three"])
    {
        cache.save_document(&doc, bytes).expect("save");
    }
    let draft = bhxh_domain::DecisionDraft {
        outcome: bhxh_domain::Outcome::Approve,
        reasons: vec![],
        note: None,
        paper_seen: true,
    };
    let now = Utc::now();
    let answer = |id: &str| bhxh_protocol::DecisionAnswer {
        result: bhxh_protocol::DecisionResult::Accepted,
        decision: Some(bhxh_protocol::RecordedDecision {
            declaration_id: id.into(),
            outcome: bhxh_domain::Outcome::Approve,
            reasons: vec![],
            officer: "canbo.07916".into(),
            officer_name: "Trần Thị Thu Hà".into(),
            decided_at: now,
            recorded_at: now,
            idempotency_key: "k".into(),
        }),
        assignment: None,
    };
    // 000001 accepted 8 days ago, 000002 accepted 3 days ago, 000003 still waiting.
    for (id, days) in [("07916-000001", 8), ("07916-000002", 3)] {
        let key = cache.record_decision("canbo.07916", id, &draft, &[], now).expect("cache").expect("ok");
        cache
            .settle(&key, "canbo.07916", Settle::Answered(answer(id)), now - chrono::Duration::days(days))
            .expect("settle");
    }
    let held = cache.held(7).expect("held");
    assert_eq!(held.len(), 3);
    assert!(
        held.iter().find(|h| h.declaration_id == "07916-000003").is_some_and(|h| h.purge_after.is_none()),
        "pending: kept"
    );
    assert_eq!(cache.purge_documents("canbo.07916", 7, now).expect("purge"), (1, 1));
    assert_eq!(stored_files(&dir.path().join("documents")).len(), 2, "one file deleted");
    let (doc, _) = (cache.document("07916-000001-portrait").expect("row").expect("kept"), ());
    assert_eq!(doc.state, DocumentState::Purged);
    assert!(cache.document_bytes("07916-000001-portrait").is_err());
    assert!(cache.document_bytes("07916-000002-portrait").is_ok(), "3 days: still here");
    // Purged documents are not downloaded again; the fact stays in the audit chain.
    assert!(cache.documents_to_fetch(true, 10).expect("todo").is_empty());
    let report = cache.verify_audit().expect("audit");
    assert!(report.first_broken.is_none());
    let purges: i64 =
        cache.conn.query_row("SELECT count(*) FROM audit WHERE action = 'purge'", [], |r| r.get(0)).expect("count");
    assert_eq!(purges, 1);
    // A second run has nothing more to do until the others' time comes.
    assert_eq!(cache.purge_documents("canbo.07916", 7, now).expect("purge"), (0, 0));
    assert_eq!(cache.purge_documents("canbo.07916", 7, now + chrono::Duration::days(5)).expect("purge"), (1, 1));

    // Paper stacks: one matched only to decided declarations, one holding a
    // pending declaration's page, one with a page nobody matched.
    let reading = bhxh_domain::mau01::PageReading::default();
    let stack = |cache: &mut Cache, pdf: &[u8], matched: Option<&str>| {
        let sha = crate::store::sha256_hex(pdf);
        let page = crate::paper::NewPaperPage {
            reading: &reading,
            declaration_id: matched,
            matched_by: bhxh_domain::mau01::MatchedBy::Qr,
            candidates: &[],
            screen: crate::analysis::NewDerivative { size: "page0", width: 10, height: 14, bytes: b"jpeg" },
        };
        cache.save_paper_stack(&sha, pdf, &[page], "file", "canbo.07916", now).expect("stack");
        sha
    };
    let decided = stack(&mut cache, b"%PDF-decided", Some("07916-000001"));
    let pending = stack(&mut cache, b"%PDF-pending", Some("07916-000003"));
    let unmatched = stack(&mut cache, b"%PDF-unmatched", None);
    let later = now + chrono::Duration::days(8);
    let (_, files) = cache.purge_documents("canbo.07916", 7, later).expect("purge");
    assert_eq!(files, 2, "the decided stack's PDF and its page image");
    assert!(cache.paper_stack(&decided).expect("q").is_none());
    assert!(cache.paper_stack(&pending).expect("q").is_some());
    assert!(cache.paper_stack(&unmatched).expect("q").is_some());
    assert!(cache.paper_stack_bytes(&decided).is_err());
    assert!(cache.verify_audit().expect("audit").first_broken.is_none());
}

/// The supervisor's figures come from clear columns written with each page; rows
/// cached before those columns existed get them from their sealed body on open.
#[test]
fn office_figures_read_the_clear_columns_and_old_rows_are_filled_once() {
    use bhxh_domain::Outcome;
    use bhxh_protocol::{Assignment, RecordedDecision};
    let dir = tempfile::tempdir().expect("tmp");
    let key = DataKey::generate();
    let mut cache = Cache::open(dir.path(), key.clone()).expect("open");
    let at = |h| Utc.with_ymd_and_hms(2026, 11, 20, h, 0, 0).single().expect("date");
    let mut decided = declaration("07916-000001", 18, b"a");
    decided.status = DeclarationStatus::Rejected;
    decided.decision = Some(RecordedDecision {
        declaration_id: decided.id.clone(),
        outcome: Outcome::Reject,
        reasons: vec!["ANH_MO".into()],
        officer: "canbo.07916".into(),
        officer_name: "Trần Thị Thu Hà".into(),
        decided_at: at(9),
        recorded_at: at(9),
        idempotency_key: "k".into(),
    });
    let mut held = declaration("07916-000002", 19, b"b");
    held.status = DeclarationStatus::Escalated;
    held.assignment = Some(Assignment {
        declaration_id: held.id.clone(),
        officer: "canbo2.07916".into(),
        officer_name: "Lê Văn Đức".into(),
        expires_at: at(12),
    });
    let waiting = declaration("07916-000003", 19, b"c");
    cache.apply_page(&[decided, held, waiting], "c", "1").expect("page");

    let check = |c: &Cache| {
        let d = c.decisions_between("07916", at(0), at(23)).expect("decisions");
        assert_eq!(d.len(), 1);
        assert_eq!(
            (d[0].officer.as_str(), d[0].outcome, d[0].reasons.as_slice()),
            ("canbo.07916", Outcome::Reject, &["ANH_MO".to_owned()][..])
        );
        assert!(c.decisions_between("07916", at(10), at(23)).expect("later").is_empty());
        let w = c.waiting("07916", at(10)).expect("waiting");
        assert_eq!(w.len(), 2);
        let h = w.iter().find(|r| r.id == "07916-000002").expect("held");
        assert_eq!(h.status, DeclarationStatus::Escalated);
        assert_eq!(h.holder.as_ref().map(|x| x.1.as_str()), Some("Lê Văn Đức"));
        assert_eq!(h.unit_code.as_deref(), Some("SQ0007Q"));
        // The lease ran out at noon.
        assert!(c.waiting("07916", at(13)).expect("waiting").iter().all(|r| r.holder.is_none()));
        let holdings = c.holdings("07916", at(10)).expect("holdings");
        assert_eq!(holdings.len(), 1);
        assert_eq!((holdings[0].officer.as_str(), holdings[0].count), ("canbo2.07916", 1));
        assert!(c.holdings("07916", at(13)).expect("holdings").is_empty());
        assert!(c.waiting("07920", at(10)).expect("other office").is_empty());
    };
    check(&cache);

    // As if written by a version without the clear columns.
    cache
        .conn
        .execute_batch(
            "UPDATE declarations SET facts_v = 0, decided_by = NULL, decided_at = NULL, assigned_until = NULL;
             DELETE FROM meta WHERE key = 'clear_facts_filled';",
        )
        .expect("forget");
    assert!(cache.decisions_between("07916", at(0), at(23)).expect("decisions").is_empty());
    drop(cache);
    let cache = Cache::open(dir.path(), key).expect("reopen");
    check(&cache);
}

/// The queue's paper state: one signed page is enough; a page the machine could
/// not judge never shows as "unsigned"; no page is no paper form.
#[test]
fn the_queue_never_calls_an_unjudged_paper_form_unsigned() {
    use crate::PaperSignature::*;
    let dir = tempfile::tempdir().expect("tmp");
    let mut cache = Cache::open(dir.path(), DataKey::generate()).expect("open");
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).single().expect("date");
    // (declaration, its pages' readings, the queue's state)
    let cases: &[(&str, &[Option<bool>], Option<crate::PaperSignature>)] = &[
        ("07916-000001", &[], None),
        ("07916-000002", &[Some(true)], Some(Signed)),
        ("07916-000003", &[Some(false)], Some(Unsigned)),
        ("07916-000004", &[None], Some(Unknown)),
        ("07916-000005", &[None, Some(false)], Some(Unknown)),
        ("07916-000006", &[Some(false), None, Some(true)], Some(Signed)),
    ];
    let all: Vec<_> = cases.iter().enumerate().map(|(i, c)| declaration(c.0, 2 + i as u32, c.0.as_bytes())).collect();
    cache.apply_page(&all, "cursor:07916", "c1").expect("apply");
    for (id, pages, _) in cases {
        let readings: Vec<_> = pages
            .iter()
            .map(|signed| bhxh_domain::mau01::PageReading { signed: *signed, ..Default::default() })
            .collect();
        let sizes: Vec<String> = (0..readings.len()).map(|i| format!("page{i}")).collect();
        let new: Vec<_> = readings
            .iter()
            .zip(&sizes)
            .map(|(reading, size)| crate::paper::NewPaperPage {
                reading,
                declaration_id: Some(id),
                matched_by: bhxh_domain::mau01::MatchedBy::Qr,
                candidates: &[],
                screen: crate::analysis::NewDerivative { size, width: 10, height: 14, bytes: b"jpeg" },
            })
            .collect();
        if !new.is_empty() {
            let pdf = format!("%PDF-{id}");
            cache
                .save_paper_stack(&crate::store::sha256_hex(pdf.as_bytes()), pdf.as_bytes(), &new, "file", "canbo", now)
                .expect("stack");
        }
    }
    let q = cache.queue("07916").expect("queue");
    for (id, _, state) in cases {
        let row = q.iter().find(|r| r.id == *id).expect("row");
        assert_eq!(row.paper_signed, *state, "{id}");
    }
}

/// A decision in backoff is waiting but not due: the background round leaves it
/// alone until its time (a full sync every tick defeated the backoff).
#[test]
fn a_decision_in_backoff_is_waiting_but_not_due_until_its_time() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cache = decided_cache(dir.path());
    let now = Utc::now();
    assert_eq!(cache.outbox_due(now).expect("due"), 1);
    let key = cache.take_due(now, 10).expect("take")[0].key.clone();
    let later = now + chrono::TimeDelta::seconds(40);
    cache
        .settle_many("canbo.07916", vec![(key, Settle::Retry { at: later, error: "503".into() })], now)
        .expect("settle");
    assert_eq!(cache.outbox_counts().expect("counts").0, 1, "still waiting");
    assert_eq!(cache.outbox_due(now).expect("due"), 0, "not due before its time");
    assert_eq!(cache.outbox_due(later - chrono::TimeDelta::milliseconds(1)).expect("due"), 0);
    assert_eq!(cache.outbox_due(later).expect("due"), 1, "due at its time");
}

/// A hold for the paper form, then the approval when the form came: the approval
/// never leaves before the hold (whatever their backoffs), an unsent hold of this
/// officer gives way to the approval, another officer's unsent one goes first.
#[test]
fn a_holds_approval_never_overtakes_the_hold() {
    use bhxh_domain::{DecisionDraft, Outcome};
    let dir = tempfile::tempdir().expect("tmp");
    let mut cache = Cache::open(dir.path(), DataKey::generate()).expect("open");
    cache
        .apply_page(&[declaration("07916-000001", 2, b"a"), declaration("07916-000002", 3, b"b")], "k", "c")
        .expect("apply");
    let draft = |outcome| DecisionDraft { outcome, reasons: vec![], note: None, paper_seen: true };
    let now = Utc::now();
    let record =
        |c: &mut Cache, who: &str, id: &str, o| c.record_decision(who, id, &draft(o), &[], now).expect("cache");
    // Held and sent once, its answer lost: it waits in backoff.
    let hold = record(&mut cache, "canbo.07916", "07916-000001", Outcome::Hold).expect("hold");
    assert_eq!(cache.take_due(now, 10).expect("take").len(), 1);
    let later = now + chrono::TimeDelta::seconds(40);
    cache
        .settle_many("canbo.07916", vec![(hold.clone(), Settle::Retry { at: later, error: "503".into() })], now)
        .expect("settle");
    // Holding again is no new decision; approving is.
    assert!(record(&mut cache, "canbo.07916", "07916-000001", Outcome::Hold).is_err());
    let approval = record(&mut cache, "canbo.07916", "07916-000001", Outcome::Approve).expect("approve");
    assert_eq!(cache.outbox_due(now).expect("due"), 0, "the approval waits behind the hold");
    assert!(cache.take_due(now, 10).expect("take").is_empty());
    let first = cache.take_due(later, 10).expect("take");
    assert_eq!(first.iter().map(|i| i.key.as_str()).collect::<Vec<_>>(), [hold.as_str()], "the hold first");
    cache.settle(&hold, "canbo.07916", Settle::Rejected { error: "422".into() }, later).expect("settle");
    let then = cache.take_due(later, 10).expect("take");
    assert_eq!(then.iter().map(|i| i.key.as_str()).collect::<Vec<_>>(), [approval.as_str()], "then the approval");

    // Another officer's unsent hold on this PC is not withdrawn by my decision: it goes first.
    let theirs = record(&mut cache, "canbo2.07916", "07916-000002", Outcome::Hold).expect("their hold");
    let mine = record(&mut cache, "canbo.07916", "07916-000002", Outcome::Approve).expect("my approval");
    let rows = cache.outbox_by("canbo2.07916").expect("outbox");
    assert!(rows.iter().any(|r| r.key == theirs && r.state == OutboxState::Waiting), "{rows:?}");
    let next: Vec<String> = cache
        .take_due(later, 10)
        .expect("take")
        .into_iter()
        .filter(|i| i.request.declaration_id == "07916-000002")
        .map(|i| i.key)
        .collect();
    assert_eq!(next, [theirs], "theirs first, mine ({mine}) behind it");
    // My own unsent hold gives way to my approval.
    let dir2 = tempfile::tempdir().expect("tmp");
    let mut fresh = Cache::open(dir2.path(), DataKey::generate()).expect("open");
    fresh.apply_page(&[declaration("07916-000001", 2, b"a")], "k", "c").expect("apply");
    let held = record(&mut fresh, "canbo.07916", "07916-000001", Outcome::Hold).expect("hold");
    let approved = record(&mut fresh, "canbo.07916", "07916-000001", Outcome::Approve).expect("approve");
    let states: Vec<(String, OutboxState)> =
        fresh.outbox_by("canbo.07916").expect("outbox").into_iter().map(|r| (r.key, r.state)).collect();
    assert!(states.contains(&(held, OutboxState::Withdrawn)) && states.contains(&(approved, OutboxState::Waiting)));
}

#[test]
fn the_outbox_names_each_citizen_without_opening_the_declaration() {
    let dir = tempfile::tempdir().expect("tmp");
    let cache = decided_cache(dir.path());
    let rows = cache.outbox_by("canbo.07916").expect("outbox");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].full_name, "Đặng Thị Ánh");
    assert!(cache.outbox_by("canbo.khac").expect("outbox").is_empty(), "another officer's list is theirs");
    // The name is kept with the decision: the list reads no body (a body that does
    // not open would fail the list if it were read).
    cache.conn.execute("UPDATE declarations SET body = x'00'", []).expect("spoil the bodies");
    assert_eq!(cache.outbox_by("canbo.07916").expect("outbox")[0].full_name, "Đặng Thị Ánh");
}

#[test]
fn a_decision_recorded_before_names_were_kept_reads_its_name_from_the_body() {
    let dir = tempfile::tempdir().expect("tmp");
    let cache = decided_cache(dir.path());
    cache.conn.execute("UPDATE decisions SET citizen_name = NULL", []).expect("an older row");
    assert_eq!(cache.outbox().expect("outbox")[0].full_name, "Đặng Thị Ánh");
}

#[test]
fn findings_stored_before_their_message_was_one_text_still_read() {
    let old = r#"[{"code":"phone.shared","severity":"warn","fields":["phone"],
        "message_vi":"Số điện thoại trùng","message_en":"Phone shared","reason":null}]"#;
    let read = crate::findings::read_findings(old.as_bytes()).expect("old shape");
    assert_eq!(read[0].message, bhxh_domain::Text::new("Số điện thoại trùng", "Phone shared"));
    let new = serde_json::to_vec(&read).expect("json");
    assert_eq!(crate::findings::read_findings(&new).expect("new shape"), read);
    assert!(crate::findings::read_findings(b"[{\"code\": 1}]").is_err(), "anything else is still corrupt");
}

fn person(id: &str, ma_so: &str, phone: &str) -> Declaration {
    let mut d = declaration(id, 2, id.as_bytes());
    d.fields.ma_so_bhxh = ma_so.parse().expect("valid");
    d.fields.phone = phone.into();
    d
}

fn finding_codes(cache: &Cache, id: &str) -> Vec<String> {
    let mut codes: Vec<String> = cache.findings(id).expect("findings").0.into_iter().map(|f| f.code).collect();
    codes.sort();
    codes
}

fn all_findings(cache: &Cache, ids: &[&str]) -> Vec<Vec<String>> {
    ids.iter().map(|id| finding_codes(cache, id)).collect()
}

/// A pull re-checks what it wrote and the rows sharing a key with it (before and
/// after the change), not the whole office; the result is the full re-check's.
#[test]
fn a_pull_rechecks_what_it_changed_and_the_rows_sharing_a_key_with_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cache = Cache::open(dir.path(), DataKey::generate()).expect("open");
    // A mother and her son on one phone, a neighbour on her own, a child through the mother.
    let mother = person("07916-000001", "7914820031", "0912345678");
    let mut son = person("07916-000002", "7914820032", "0912345678");
    let neighbour = person("07916-000003", "7914820033", "0987000111");
    let mut child = person("07916-000004", "7914820034", "0987000222");
    child.fields.kind = DeclarationKind::Child;
    child.fields.parent_ma_so_bhxh = Some("7914820031".parse().expect("valid"));
    let ids = ["07916-000001", "07916-000002", "07916-000003", "07916-000004"];
    cache.apply_page(&[mother, son.clone(), neighbour, child], "k", "c1").expect("apply");
    assert_eq!(cache.recheck_due().expect("recheck"), 4, "the first pull checks every row");
    assert_eq!(cache.recheck_due().expect("recheck"), 0, "nothing is due twice");
    assert!(finding_codes(&cache, "07916-000001").contains(&"phone.shared_pending".to_owned()));

    // The son moves to his own phone: he and his mother (who shared it) are due, and
    // the child who goes through the mother's number with her; not the neighbour.
    son.fields.phone = "0977000333".into();
    cache.apply_page(&[son.clone()], "k", "c2").expect("apply");
    assert_eq!(cache.recheck_due().expect("recheck"), 3);
    assert!(!finding_codes(&cache, "07916-000001").contains(&"phone.shared_pending".to_owned()));
    let proportional = all_findings(&cache, &ids);
    cache.recheck_all().expect("full");
    assert_eq!(all_findings(&cache, &ids), proportional, "the same findings as a full re-check");

    // A new declaration on the neighbour's phone: it and the neighbour are due.
    cache.apply_page(&[person("07916-000005", "7914820035", "0987000111")], "k", "c3").expect("apply");
    assert_eq!(cache.recheck_due().expect("recheck"), 2);
    // The office's units changed: every row's unit check is due.
    let units = bhxh_protocol::UnitList { office_code: "07916".into(), units: vec![] };
    cache.set_office_units(&units, Utc::now()).expect("units");
    assert_eq!(cache.recheck_due().expect("recheck"), 5);
}

/// A waiting office of `n` declarations, one day apart (the first the oldest), each
/// with one 1,000-byte photo of its own.
fn office_of(cache: &mut Cache, n: u32) -> Vec<(String, Vec<u8>)> {
    let mut made = Vec::new();
    let mut page = Vec::new();
    for i in 1..=n {
        let id = format!("07916-{i:06}");
        let bytes: Vec<u8> = (0..1000u32).map(|b| (b.wrapping_mul(31) ^ i) as u8).collect();
        let mut d = declaration(&id, 1 + (i % 28), &bytes);
        d.submitted_at += chrono::Duration::minutes(i64::from(i));
        page.push(d);
        made.push((id, bytes));
    }
    cache.apply_page(&page, "k", "c").expect("apply");
    made
}

fn leased(cache: &mut Cache, id: &str, officer: &str, until: chrono::DateTime<Utc>) {
    let mut d = cache.declaration(id).expect("read").expect("there").declaration;
    d.assignment = Some(bhxh_protocol::Assignment {
        declaration_id: id.into(),
        officer: officer.into(),
        officer_name: officer.into(),
        expires_at: until,
    });
    cache.apply_page(&[d], "k", "c").expect("apply");
}

#[test]
fn a_pc_wants_what_its_officer_holds_then_the_next_of_the_queue() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cache = Cache::open(dir.path(), DataKey::generate()).expect("open");
    let made = office_of(&mut cache, 12);
    let mut ids: Vec<String> = made.iter().map(|(id, _)| id.clone()).collect();
    // The queue's order is its submission order, not the ids'.
    ids.sort_by_key(|id| cache.declaration(id).expect("read").expect("there").declaration.submitted_at);
    let now = Utc::now();
    let hour = chrono::Duration::hours(1);
    let me = "canbo.a";
    // ids[9] and ids[3] are mine, ids[0] another officer's, ids[1] was another's
    // (lease over), ids[2] decided here, ids[11] mine but the lease ran out.
    leased(&mut cache, &ids[9], me, now + hour);
    leased(&mut cache, &ids[3], me, now + hour);
    leased(&mut cache, &ids[0], "canbo.b", now + hour);
    leased(&mut cache, &ids[1], "canbo.b", now - hour);
    leased(&mut cache, &ids[11], me, now - hour);
    let draft = bhxh_domain::DecisionDraft {
        outcome: bhxh_domain::Outcome::Approve,
        reasons: vec![],
        note: None,
        paper_seen: true,
    };
    cache.record_decision(me, &ids[2], &draft, &[], now).expect("cache").expect("recorded");

    // Mine first (oldest first), then `ahead` more that are not mine.
    let table: &[(u32, &[usize])] =
        &[(0, &[3, 9]), (1, &[3, 9, 1]), (3, &[3, 9, 1, 4, 5]), (30, &[3, 9, 1, 4, 5, 6, 7, 8, 10, 11])];
    for (ahead, expected) in table {
        let w = cache.wanted("07916", me, now, *ahead).expect("plan");
        let want: Vec<String> = expected.iter().map(|&i| ids[i].clone()).collect();
        assert_eq!(w.declarations, want, "ahead {ahead}");
    }
    // Another office's declaration is nobody's here, and only its own office's there.
    let mut other = declaration("07920-000001", 1, b"other office");
    other.fields.office_code = "07920".into();
    cache.apply_page(&[other], "k", "c").expect("apply");
    assert!(!cache.wanted("07916", me, now, 30).expect("plan").declarations.contains(&"07920-000001".to_owned()));
    assert_eq!(cache.wanted("07920", "canbo.c", now, 30).expect("plan").declarations, ["07920-000001"]);
    // The plan's documents, in its order; once stored, nothing is missing.
    let w = cache.wanted("07916", me, now, 3).expect("plan");
    let docs = cache.documents_missing_of(&w.declarations).expect("docs");
    assert_eq!(docs.iter().map(|d| d.declaration_id.clone()).collect::<Vec<_>>(), w.declarations);
    assert_eq!(cache.wanted_counts(&w).expect("counts"), (5, 0));
    for d in &docs {
        let bytes = &made.iter().find(|(id, _)| *id == d.declaration_id).expect("made").1;
        cache.save_document(d, bytes).expect("save");
    }
    assert!(cache.documents_missing_of(&w.declarations).expect("docs").is_empty());
    assert_eq!(cache.wanted_counts(&w).expect("counts"), (5, 5));
}

#[test]
fn past_its_budget_the_store_lets_go_of_the_least_recently_used_undecided_documents() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cache = Cache::open(dir.path(), DataKey::generate()).expect("open");
    let made = office_of(&mut cache, 6);
    let t0 = Utc::now();
    for (i, (id, bytes)) in made.iter().enumerate() {
        let doc = cache.documents_missing_of(std::slice::from_ref(id)).expect("docs").remove(0);
        cache.save_document(&doc, bytes).expect("save");
        cache.touch_documents(id, t0 + chrono::Duration::minutes(i as i64)).expect("touch");
    }
    // The oldest looked at again most recently; one decided here; one wanted.
    cache.touch_documents(&made[0].0, t0 + chrono::Duration::hours(1)).expect("touch");
    let draft = bhxh_domain::DecisionDraft {
        outcome: bhxh_domain::Outcome::Reject,
        reasons: vec!["SAI_THONG_TIN".into()],
        note: None,
        paper_seen: true,
    };
    cache.record_decision("canbo.a", &made[1].0, &draft, &[], t0).expect("cache").expect("recorded");
    assert_eq!(cache.stored_bytes().expect("bytes"), 6000);
    let keep: std::collections::HashSet<&str> = [made[2].0.as_str()].into();

    // Room for 500 more under 5,000: two documents go (4,000 + 500 ≤ 5,000).
    let (evicted, fits) = cache.make_room(500, 5000, &keep).expect("room");
    assert!(fits);
    assert_eq!((evicted.documents, evicted.bytes), (2, 2000));
    let state =
        |c: &Cache, i: usize| c.document(&format!("{}-portrait", made[i].0)).expect("row").expect("there").state;
    // Least recently used first, skipping the decided (retention's) and the kept.
    let states: Vec<DocumentState> = (0..6).map(|i| state(&cache, i)).collect();
    assert_eq!(
        states,
        [
            DocumentState::Stored,
            DocumentState::Stored,
            DocumentState::Stored,
            DocumentState::Missing,
            DocumentState::Missing,
            DocumentState::Stored
        ]
    );
    assert!(matches!(cache.document_bytes(&format!("{}-portrait", made[3].0)), Err(CacheError::MissingDocument(_))));
    assert_eq!(stored_files(&dir.path().join("documents")).len(), 4, "the evicted files are gone from the disk");
    // Asked for more than can be had: every other undecided one goes, and it still does not fit.
    let (evicted, fits) = cache.make_room(10_000, 5000, &keep).expect("room");
    assert!(!fits);
    assert_eq!(evicted.documents, 2);
    assert_eq!((state(&cache, 0), state(&cache, 5)), (DocumentState::Missing, DocumentState::Missing));
    assert_eq!(state(&cache, 1), DocumentState::Stored, "a decided declaration's documents follow retention");
    assert_eq!(state(&cache, 2), DocumentState::Stored, "a kept declaration's documents stay");
    // An evicted document is wanted again like any other.
    let again = cache.documents_missing_of(std::slice::from_ref(&made[3].0)).expect("docs");
    cache.save_document(&again[0], &made[3].1).expect("save");
    assert_eq!(cache.document_bytes(&format!("{}-portrait", made[3].0)).expect("read").1, made[3].1);
}
