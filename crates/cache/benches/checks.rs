//! All automatic checks over 100,000 generated declarations on one thread.
//! `cargo bench -p bhxh-cache --bench checks` prints the time per declaration.
//! Goal (issue 3): under 5 µs per declaration.

use bhxh_cache::findings::{check_one, registry_of};
use bhxh_protocol::{Declaration, DocumentRef};
use std::time::Instant;

fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let g = bhxh_fixtures::Generator::new(2021).expect("fonts (fonts-dejavu-core)");
    let now = chrono::Utc::now();
    let t = Instant::now();
    let all: Vec<Declaration> = (0..n)
        .map(|i| {
            let p = g.declared_person(i, now).expect("person");
            let kinds: &[bhxh_domain::DocumentKind] = match p.fields.kind {
                bhxh_domain::DeclarationKind::Adult => &[
                    bhxh_domain::DocumentKind::Portrait,
                    bhxh_domain::DocumentKind::IdFront,
                    bhxh_domain::DocumentKind::IdBack,
                ],
                bhxh_domain::DeclarationKind::Child => &[bhxh_domain::DocumentKind::BirthCertificate],
            };
            Declaration {
                assignment: None,
                decision: None,
                flags: vec![],
                account: None,
                phone_holders: vec![],
                id: format!("{}-{i:06}", p.fields.office_code),
                status: bhxh_domain::DeclarationStatus::Pending,
                submitted_at: p.submitted_at,
                updated_at: p.submitted_at,
                documents: kinds
                    .iter()
                    .map(|k| DocumentRef {
                        id: format!("{i}-{}", k.code()),
                        kind: *k,
                        content_type: "image/jpeg".into(),
                        size: 1,
                        sha256: String::new(),
                    })
                    .collect(),
                fields: p.fields,
            }
        })
        .collect();
    println!("generated {n} declarations in {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let registry = registry_of(&all);
    let index_time = t.elapsed();
    let _ = bhxh_domain::reference::ReferenceData::get();
    let t = Instant::now();
    let mut blocks = 0u64;
    let mut warnings = 0u64;
    for d in &all {
        let (_, v) = check_one(d, &registry);
        blocks += u64::from(v.blocks);
        warnings += u64::from(v.warnings);
    }
    let e = t.elapsed();
    println!(
        "checks: {:.2} µs per declaration ({:.3} s for {n}; registry index {:.3} s); {blocks} blocking findings, {warnings} warnings",
        e.as_secs_f64() * 1e6 / n as f64,
        e.as_secs_f64(),
        index_time.as_secs_f64()
    );
}
