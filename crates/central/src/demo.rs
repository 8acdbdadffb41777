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
    let have = state.with_store(|s| s.count_declarations())?;
    if have >= n {
        return Ok(0);
    }
    let generator = Generator::new(seed)?;
    let now = chrono::Utc::now();
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
        crate::api::file_submission(state, d.submission).map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))?;
    }
    Ok(count)
}

/// Many declarations without documents, fast: for load tests and benchmarks of
/// the sync, where photos would only cost generation time. Returns their ids.
pub fn seed_bulk(state: &AppState, n: u64, seed: u64, start_index: u64) -> anyhow::Result<Vec<String>> {
    let generator = Generator::new(seed)?;
    let now = chrono::Utc::now();
    let mut ids = Vec::with_capacity(n as usize);
    for i in start_index..start_index + n {
        let p = generator.declared_person(i, now)?;
        ids.push(state.with_store(|s| s.insert_declaration(&p.fields, p.submitted_at, &[]))?);
    }
    Ok(ids)
}
