use super::*;
use bhxh_domain::{Channel, DeclarationKind, DeclarationStatus, DocumentKind, Role};
use bhxh_protocol::{Address, Declaration, DeclarationFields, DocumentRef, Sex};
use chrono::{NaiveDate, TimeZone, Utc};

fn declaration(id: &str, day: u32, doc_bytes: &[u8]) -> Declaration {
    let at = Utc.with_ymd_and_hms(2026, 11, day, 8, 0, 0).single().expect("date");
    Declaration {
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
            address: Address { province: "Thành phố Hồ Chí Minh".into(), district: Some("Quận 6".into()), commune: "Phường 11".into(), street: "12 Hậu Giang".into() },
            phone: "0903123456".into(),
            email: None,
            parent_ma_so_bhxh: None,
            unit_code: Some("SQ0007Q".into()),
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
    let mut cache = Cache::open(dir.path()).expect("open");
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
    let mut cache = Cache::open(dir.path()).expect("open");
    cache.apply_page(&[declaration("07916-000001", 2, b"portrait bytes")], "k", "c").expect("apply");
    let todo = cache.documents_to_fetch(false, 10).expect("todo");
    assert_eq!(todo.len(), 1);
    assert!(matches!(cache.save_document(&todo[0], b"tampered"), Err(CacheError::Integrity { .. })));
    cache.save_document(&todo[0], b"portrait bytes").expect("save");
    assert!(cache.documents_to_fetch(false, 10).expect("todo").is_empty());
    let (_, bytes) = cache.document_bytes("07916-000001-portrait").expect("read");
    assert_eq!(bytes, b"portrait bytes");
    // A file altered on disk is refused, not shown.
    let sha = &todo[0].sha256;
    let path = dir.path().join("documents").join(&sha[..2]).join(sha);
    std::fs::write(&path, b"changed on disk").expect("write");
    assert!(matches!(cache.document_bytes("07916-000001-portrait"), Err(CacheError::Integrity { .. })));
    assert!(cache.store().get("../../etc/passwd").is_err());
}

#[test]
fn new_content_for_a_document_is_fetched_again() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cache = Cache::open(dir.path()).expect("open");
    cache.apply_page(&[declaration("07916-000001", 2, b"v1")], "k", "c").expect("apply");
    let todo = cache.documents_to_fetch(false, 10).expect("todo");
    cache.save_document(&todo[0], b"v1").expect("save");
    cache.apply_page(&[declaration("07916-000001", 2, b"v2")], "k", "c2").expect("apply");
    assert_eq!(cache.documents_to_fetch(false, 10).expect("todo").len(), 1);
}

#[test]
fn offline_unlock_checks_the_hash_and_never_stores_the_password() {
    let dir = tempfile::tempdir().expect("tmp");
    let cache = Cache::open(dir.path()).expect("open");
    let acct = CachedAccount {
        username: "canbo.07916".into(),
        central_url: "http://127.0.0.1:1".into(),
        display_name: "Trần Thị Thu Hà".into(),
        role: Role::Officer,
        office_code: "07916".into(),
        last_login_at: Utc::now(),
    };
    cache.remember_login(&acct, "mật khẩu đúng").expect("remember");
    assert!(cache.verify_offline("canbo.07916", "sai").expect("verify").is_none());
    assert!(cache.verify_offline("someone.else", "mật khẩu đúng").expect("verify").is_none());
    assert_eq!(cache.verify_offline("canbo.07916", "mật khẩu đúng").expect("verify").map(|a| a.role), Some(Role::Officer));
    drop(cache);
    let raw = std::fs::read(dir.path().join("cache.sqlite3")).expect("read");
    let needle = "mật khẩu đúng".as_bytes();
    assert!(!raw.windows(needle.len()).any(|w| w == needle));
}
