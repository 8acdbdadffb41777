//! The helpdesk's search over a directory of N cached citizens (default 1,000,000).
//! `cargo bench -p bhxh-cache --bench directory [N]` prints p50/p95 per query kind:
//! the mã số and diacritic-free name prefixes (a phone or CCCD is the central
//! service's question: the copy holds nothing that could answer it).
//! Goal (issue 9): p95 ≤ 20 ms at 1,000,000.

use bhxh_cache::{Cache, DataKey};
use bhxh_domain::helpdesk::{AccountState, RegistrationState, mask_phone};
use bhxh_protocol::CitizenEntry;
use std::time::{Duration, Instant};

fn entry(f: &bhxh_protocol::DeclarationFields, now: chrono::DateTime<chrono::Utc>) -> CitizenEntry {
    let phone = bhxh_domain::PhoneVn::parse(&f.phone).ok().map(|p| p.phone);
    CitizenEntry {
        ma_so_bhxh: f.ma_so_bhxh.clone(),
        full_name: f.full_name.clone(),
        birth_date: f.birth_date,
        sex: f.sex,
        kind: f.kind,
        office_code: f.office_code.clone(),
        unit_code: f.unit_code.clone(),
        parent_ma_so_bhxh: f.parent_ma_so_bhxh.clone(),
        id_type: f.id_type,
        id_masked: None,
        phone_masked: phone.as_ref().map(|p| mask_phone(p.as_str())),
        email_masked: None,
        registration_state: RegistrationState::Approved,
        registration: None,
        request: Default::default(),
        history: vec![],
        account: AccountState::Active,
        account_locked_until: None,
        updated_at: now,
    }
}

fn percentiles(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e3;
    (at(0.5), at(0.95))
}

fn main() {
    let n: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let g = bhxh_fixtures::Generator::new(1990).expect("fonts (fonts-dejavu-core)");
    let now = chrono::Utc::now();
    let dir = tempfile::tempdir().expect("tmp");
    let mut cache = Cache::open(dir.path(), DataKey::generate()).expect("cache");
    let t = Instant::now();
    cache.start_directory(1).expect("start");
    let mut people = Vec::new();
    for start in (0..n).step_by(1000) {
        let page: Vec<CitizenEntry> =
            (start..(start + 1000).min(n)).map(|i| entry(&g.person(i, now).expect("person").fields, now)).collect();
        if start % 1000 == 0 && people.len() < 1000 && start % (n / 1000).max(1000) == 0 {
            people.push(page[0].clone());
        }
        cache.apply_directory_page(1, &page, None).expect("page");
    }
    cache.finish_directory(1).expect("finish");
    println!("directory of {n}: filled in {:.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    cache.ensure_name_index().expect("index");
    println!(
        "name index built in {:.0} ms (once after the cache opens or the directory changes)",
        t.elapsed().as_secs_f64() * 1e3
    );

    let mut run = |label: &str, queries: Vec<String>| {
        let mut times = Vec::with_capacity(queries.len());
        let mut found = 0;
        for q in &queries {
            let t = Instant::now();
            let hits = cache.search_directory(q, 20).expect("search");
            times.push(t.elapsed());
            found += usize::from(!hits.is_empty());
        }
        let (p50, p95) = percentiles(times);
        println!("{label:<32} p50 {p50:6.2} ms  p95 {p95:6.2} ms  ({found}/{} found)", queries.len());
    };
    run("mã số BHXH", people.iter().map(|p| p.ma_so_bhxh.to_string()).collect());
    run("full name without marks", people.iter().map(|p| bhxh_domain::fold::fold(&p.full_name)).collect());
    run(
        "name prefix (two words)",
        people
            .iter()
            .map(|p| bhxh_domain::fold::fold(&p.full_name).split(' ').take(2).collect::<Vec<_>>().join(" "))
            .collect(),
    );
}
