//! Demo data: accounts with password `demo` and N generated declarations.

use crate::{AppState, auth};
use bhxh_domain::Role;
use bhxh_fixtures::Generator;
use bhxh_protocol::UserInfo;

/// The demo accounts (password `demo`, demo mode only).
pub const DEMO_USERS: &[(&str, &str, Role, &str)] = &[
    ("canbo.07916", "Trần Thị Thu Hà", Role::Officer, "07916"),
    ("canbo2.07916", "Lê Văn Đức", Role::Officer, "07916"),
    ("canbo.07920", "Nguyễn Hoàng Đăng Khoa", Role::Officer, "07920"),
    ("giamsat.07916", "Phạm Minh Đức", Role::Supervisor, "07916"),
    ("hotro.07916", "Võ Thị Ngọc Lan", Role::Helpdesk, "07916"),
];

/// Creates the demo accounts and, when the server holds fewer than `n`
/// declarations, generates the missing ones (indices continue, so a restart with
/// the same seed gives the same people).
pub fn seed_demo(state: &AppState, n: u64, seed: u64) -> anyhow::Result<u64> {
    for (username, name, role, office) in DEMO_USERS {
        let hash = auth::hash_password("demo").map_err(|e| anyhow::anyhow!(e.message))?;
        let user = UserInfo {
            username: (*username).into(),
            display_name: (*name).into(),
            role: *role,
            office_code: (*office).into(),
        };
        state.with_store(|s| s.upsert_user(&user, &hash))?;
    }
    seed_register(state, n, seed)?;
    let have = state.with_store(|s| s.count_declarations())?;
    if have >= n {
        seed_units(state)?;
        return Ok(0);
    }
    let generator = Generator::new(seed)?;
    let now = state.now();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).min(4) as u64;
    // Generate in parallel, file in index order so ids follow the index.
    let mut generated: Vec<(u64, bhxh_fixtures::GeneratedDeclaration)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let g = &generator;
                scope.spawn(move || {
                    (have + t..n)
                        .step_by(threads as usize)
                        .map(|i| g.declaration(i, now).map(|d| (i, d)))
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().map_err(|_| anyhow::anyhow!("generator thread panicked"))??);
        }
        Ok::<_, anyhow::Error>(all)
    })?;
    generated.sort_by_key(|(i, _)| *i);
    let count = generated.len() as u64;
    for (_, d) in generated {
        file_account_before(state, &d.person)?;
        crate::api::file_submission(state, d.submission).map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))?;
    }
    seed_units(state)?;
    Ok(count)
}

/// The demo offices' units (participants from the workers generated for each) and
/// a campaign running from 30 days ago to 20 days ahead, unless one is on record.
fn seed_units(state: &AppState) -> anyhow::Result<()> {
    use bhxh_fixtures::units::{CAMPAIGN_DAYS_AFTER, CAMPAIGN_DAYS_BEFORE, CAMPAIGN_TARGET_PERCENT};
    for u in bhxh_fixtures::DEMO_UNITS {
        let workers = state.with_store(|s| s.unit_people(u.code))?;
        let unit = crate::db::Unit {
            code: u.code.into(),
            office_code: u.office_code.into(),
            name: u.name.into(),
            addressee: u.addressee.into(),
            address: u.address.into(),
            participants: u.participants(workers),
        };
        state.with_store(|s| s.upsert_unit(&unit))?;
    }
    let today = state.clock().today();
    for o in bhxh_fixtures::DEMO_CAMPAIGN_OFFICES {
        if state.with_store(|s| s.campaign(o.office_code))?.is_some() {
            continue;
        }
        let campaign = bhxh_protocol::Campaign {
            name: "Đăng ký giao dịch điện tử và cài đặt ứng dụng VssID cho người tham gia BHXH, BHYT".into(),
            target_percent: CAMPAIGN_TARGET_PERCENT,
            starts_on: today - chrono::Duration::days(CAMPAIGN_DAYS_BEFORE),
            deadline: today + chrono::Duration::days(CAMPAIGN_DAYS_AFTER),
            directive: format!(
                "Công văn số 3644/UBND-BHXH ngày {} của Ủy ban nhân dân về việc triển khai cài đặt ứng dụng VssID",
                (today - chrono::Duration::days(CAMPAIGN_DAYS_BEFORE + 3)).format("%d/%m/%Y")
            ),
            office_name: o.office_name.into(),
            parent_name: o.parent_name.into(),
            place: o.place.into(),
            letter_symbol: "BHXH-THU".into(),
            contact: o.contact.into(),
            signer_title: "GIÁM ĐỐC".into(),
            signer_name: o.signer_name.into(),
        };
        state.with_store(|s| s.set_campaign(o.office_code, &campaign))?;
    }
    Ok(())
}

/// Generator indices of the people who are in the register without a declaration
/// here: `REGISTER_BASE + i`, far from the declarations' indices.
pub const REGISTER_BASE: u64 = 1_000_000;

/// What the demo register holds besides the declarations' people: for `n`
/// declarations, `3n / 4` more people, two in three of whom registered before this
/// system (an account since 2021; every tenth person locked after five wrong
/// passwords), the others never. Person `REGISTER_BASE + i` has an account when
/// `i % 3 != 2`.
pub fn register_person_has_account(i: u64) -> bool {
    i % 3 != 2
}

pub fn register_size(n: u64) -> u64 {
    n / 2 + n / 4
}

fn seed_register(state: &AppState, n: u64, seed: u64) -> anyhow::Result<()> {
    let count = register_size(n);
    if count == 0 {
        return Ok(());
    }
    let generator = Generator::new(seed)?;
    let now = state.now();
    let last = generator.person(REGISTER_BASE + count - 1, now)?;
    if state.with_store(|s| s.citizen_office(last.fields.ma_so_bhxh.as_str()))?.is_some() {
        return Ok(());
    }
    let since = chrono::DateTime::parse_from_rfc3339("2021-05-20T02:00:00Z")?.with_timezone(&chrono::Utc);
    // Half of those with an account registered in 2021, the other half during the
    // demo campaign (its last 30 days), so that the coverage moves day by day.
    let campaign_start = now - chrono::Duration::days(bhxh_fixtures::units::CAMPAIGN_DAYS_BEFORE);
    for i in 0..count {
        let p = generator.person(REGISTER_BASE + i, now)?;
        let account = register_person_has_account(i).then(|| {
            if i % 6 < 3 {
                since + chrono::Duration::hours(7 * i as i64)
            } else {
                let offset = chrono::Duration::days((i * 7 % 30) as i64) + chrono::Duration::hours((i % 9) as i64);
                (campaign_start + offset).min(now - chrono::Duration::minutes(1))
            }
        });
        let locked = (account.is_some() && i % 10 == 0).then(|| now + chrono::Duration::minutes(12));
        state.with_store(|s| s.insert_registered_citizen(&p.fields, account, locked))?;
    }
    Ok(())
}

/// Many declarations without documents, fast: for load tests and benchmarks of
/// the sync, where photos would only cost generation time. Returns their ids.
pub fn seed_bulk(state: &AppState, n: u64, seed: u64, start_index: u64) -> anyhow::Result<Vec<String>> {
    let generator = Generator::new(seed)?;
    let now = state.now();
    let mut ids = Vec::with_capacity(n as usize);
    for i in start_index..start_index + n {
        let p = generator.declared_person(i, now)?;
        file_account_before(state, &p)?;
        ids.push(state.with_store(|s| s.insert_declaration(&p.fields, p.submitted_at, &[]))?);
    }
    Ok(ids)
}

/// The account an adjustment or a stop is about, in the register before the
/// declaration arrives (opened years ago; its last password reset; benefit claims).
fn file_account_before(state: &AppState, person: &bhxh_fixtures::Person) -> anyhow::Result<()> {
    let Some(acc) = &person.account_before else { return Ok(()) };
    state.with_store(|s| {
        s.insert_registered_citizen(&acc.record, Some(acc.opened_at), None)?;
        s.set_account_facts(acc.record.ma_so_bhxh.as_str(), acc.password_reset_at, acc.pending_benefits)
    })?;
    Ok(())
}
