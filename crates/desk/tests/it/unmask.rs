//! Issue 21, item 2, written as the attack: a helpdesk agent who knows their own
//! password holds a synced directory cache and everything the central service sent
//! them, and tries every phone and CCCD the masks leave open. Nothing may confirm a
//! candidate: no salt, no token of a number, no number in the clear.

use super::{DEMO_SEED, desk, login, server};
use bhxh_cache::Profiles;
use bhxh_central::REGISTER_BASE;
use bhxh_domain::reference::ReferenceData;
use bhxh_domain::{IdDocumentType, Sex};
use bhxh_fixtures::Generator;
use bhxh_protocol::DeclarationFields;
use chrono::Datelike;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// What the attacker collected, as strings.
#[derive(Default)]
struct Loot {
    /// Every string seen anywhere.
    seen: HashSet<String>,
    /// Strings that could be a salt: those beside the people, not inside them.
    salts: Vec<String>,
}

impl Loot {
    fn strings(&mut self, v: &Value, inside_person: bool) {
        match v {
            Value::String(s) => {
                self.seen.insert(s.clone());
                if !inside_person && s.len() >= 8 {
                    self.salts.push(s.clone());
                }
            }
            Value::Array(a) => a.iter().for_each(|x| self.strings(x, inside_person)),
            Value::Object(o) => {
                for (k, x) in o {
                    self.strings(x, inside_person || k == "items" || k == "ma_so_bhxh");
                }
            }
            _ => {}
        }
    }
}

/// The salted token every "privacy-preserving" lookup index tends to use.
fn salted(salt: &str, canonical: &str) -> [String; 2] {
    let with_nul = {
        let mut h = Sha256::new();
        h.update(salt.as_bytes());
        h.update([0u8]);
        h.update(canonical.as_bytes());
        hex::encode(&h.finalize()[..16])
    };
    let plain = hex::encode(Sha256::digest(format!("{salt}{canonical}").as_bytes()));
    [with_nul, plain]
}

/// The candidates a mask leaves: `x` for an unknown digit.
fn from_mask(mask: &str) -> Vec<String> {
    let pattern: Vec<char> = mask.chars().filter(|c| c.is_ascii_digit() || *c == 'x').collect();
    let unknown = pattern.iter().filter(|c| **c == 'x').count() as u32;
    (0..10u64.pow(unknown))
        .map(|n| {
            let mut fill = format!("{n:0width$}", width = unknown as usize).into_bytes().into_iter();
            pattern.iter().map(|c| if *c == 'x' { fill.next().map_or('0', char::from) } else { *c }).collect()
        })
        .collect()
}

/// A CCCD's candidates: any province, the digit of the birth century and sex and
/// the birth year (both on the card), three unknown digits, the three shown: 63,000.
fn cccd_candidates(masked: &str, birth: chrono::NaiveDate, sex: Sex) -> Vec<String> {
    let tail = &masked[masked.len() - 3..];
    let century_sex = (birth.year() / 100 - 19) * 2 + i32::from(sex == Sex::Female);
    let year = birth.year() % 100;
    let mut provinces: Vec<&String> = ReferenceData::get().cccd_provinces.keys().collect();
    provinces.sort();
    let mut out = Vec::with_capacity(provinces.len() * 1000);
    for p in provinces {
        for n in 0..1000 {
            out.push(format!("{p}{century_sex}{year:02}{n:03}{tail}"));
        }
    }
    out
}

/// The candidates `loot` confirms (on two threads: the machine has two cores).
fn confirmed(loot: &Loot, key: &bhxh_cache::DataKey, kind: &str, candidates: &[String]) -> Vec<String> {
    let half = candidates.len().div_ceil(2);
    std::thread::scope(|scope| {
        let parts: Vec<_> = candidates
            .chunks(half.max(1))
            .map(|part| scope.spawn(move || confirmed_in(loot, key, kind, part)))
            .collect();
        parts.into_iter().flat_map(|p| p.join().expect("attack thread")).collect()
    })
}

fn confirmed_in(loot: &Loot, key: &bhxh_cache::DataKey, kind: &str, candidates: &[String]) -> Vec<String> {
    candidates
        .iter()
        .filter(|c| {
            let canonical = format!("{kind}:{c}");
            loot.seen.contains(c.as_str())
                || loot.seen.contains(&key.index_token(&canonical))
                || std::iter::once("").chain(loot.salts.iter().map(String::as_str)).any(|salt| {
                    salted(salt, &canonical)
                        .iter()
                        .any(|t| loot.seen.contains(t) || loot.seen.contains(&key.index_token(t)))
                })
        })
        .cloned()
        .collect()
}

/// Person `index` as the register holds them (an adjustment waiting changes nothing yet).
fn person(index: u64) -> DeclarationFields {
    let g = Generator::new(DEMO_SEED).expect("generator");
    let p = g.declared_person(index, chrono::Utc::now()).expect("person");
    p.account_before.map_or(p.fields, |a| a.record)
}

/// Every text value of every table of an SQLite file.
fn sqlite_strings(path: &std::path::Path, into: &mut HashSet<String>) {
    let conn = rusqlite::Connection::open(path).expect("open");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .expect("tables")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("names");
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).expect("select");
        let n = stmt.column_count();
        let mut rows = stmt.query([]).expect("rows");
        while let Some(r) = rows.next().expect("row") {
            for i in 0..n {
                if let Ok(rusqlite::types::ValueRef::Text(s)) = r.get_ref(i) {
                    into.insert(String::from_utf8_lossy(s).into_owned());
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_phone_or_cccd_can_be_recovered_from_the_helpdesk_copy() {
    let sdir = tempfile::tempdir().expect("tmp");
    let s = server(sdir.path(), 8).await;
    let ddir = tempfile::tempdir().expect("tmp");
    let d = desk(ddir.path());
    d.login(login(&s.url(), "hotro.07916", "demo")).await.expect("login");
    d.sync_now().await.expect("sync");

    // Everything the server sends this agent: the directory and each person's card.
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{}/v1/auth/login", s.url()))
        .json(&serde_json::json!({"username": "hotro.07916", "password": "demo"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let token = token["token"].as_str().expect("token").to_owned();
    let url = s.url();
    let get = |path: String| {
        let (http, token, url) = (http.clone(), token.clone(), url.clone());
        async move {
            let r = http.get(format!("{url}{path}")).bearer_auth(token).send().await.expect("get");
            assert!(r.status().is_success(), "{path}: {}", r.status());
            r.json::<Value>().await.expect("json")
        }
    };
    let mut loot = Loot::default();
    let page = get("/v1/offices/07916/directory?limit=1000".into()).await;
    loot.strings(&page, false);
    let people: Vec<DeclarationFields> =
        [0, 2, 4, 6, REGISTER_BASE, REGISTER_BASE + 2, REGISTER_BASE + 4].into_iter().map(person).collect();
    for p in &people {
        loot.strings(&get(format!("/v1/citizens/{}", p.ma_so_bhxh)).await, true);
    }
    // And what this PC keeps: every text of the cache, opened with the agent's key.
    d.logout();
    let profiles = Profiles::open(ddir.path()).expect("profiles");
    let (_, key) =
        profiles.unlock_offline("hotro.07916", "demo", bhxh_desk_core::desk_clock().now(), 7).expect("agent's own key");
    let cache_dir = profiles.cache_dir("hotro.07916").expect("dir");
    sqlite_strings(&cache_dir.join("cache.sqlite3"), &mut loot.seen);
    loot.salts.sort();
    loot.salts.dedup();

    let entries: Vec<&Value> = page["items"].as_array().expect("items").iter().collect();
    let started = std::time::Instant::now();
    let mut attacked = 0;
    let mut recovered = Vec::new();
    for p in &people {
        let entry = entries
            .iter()
            .find(|e| e["ma_so_bhxh"] == p.ma_so_bhxh.as_str())
            .unwrap_or_else(|| panic!("{} in the directory", p.ma_so_bhxh));
        if let Some(mask) = entry["phone_masked"].as_str() {
            let candidates = from_mask(mask);
            assert!(candidates.contains(&p.phone), "the attack's space holds the true phone");
            // The control: a salted token of the true phone would be found.
            let control =
                Loot { seen: salted("control", &format!("phone:{}", p.phone)).into(), salts: vec!["control".into()] };
            assert_eq!(confirmed(&control, &key, "phone", &candidates), vec![p.phone.clone()], "control");
            let found = confirmed(&loot, &key, "phone", &candidates);
            attacked += 1;
            if found.len() == 1 {
                recovered.push(format!("phone of {}", p.ma_so_bhxh));
            }
        }
        if let (Some(mask), Some(id), Some(IdDocumentType::Cccd)) =
            (entry["id_masked"].as_str(), &p.id_number, p.id_type)
        {
            let candidates = cccd_candidates(mask, p.birth_date, p.sex);
            if !candidates.contains(id) {
                // A CCCD the generator made to disagree with the birth year: outside this attack.
                continue;
            }
            let found = confirmed(&loot, &key, "id", &candidates);
            attacked += 1;
            if found.len() == 1 {
                recovered.push(format!("CCCD of {}", p.ma_so_bhxh));
            }
        }
    }
    eprintln!(
        "{attacked} numbers attacked in {:.1} s, {} possible salts",
        started.elapsed().as_secs_f64(),
        loot.salts.len()
    );
    assert!(attacked >= 6, "phones and CCCDs to attack: {attacked}");
    assert!(recovered.is_empty(), "recovered by brute force: {recovered:?}");
    s.stop().await;
}
