//! The supervisor's dashboard over a big office: N decided declarations (default
//! 1,000,000, spread over a year, eight officers), 20,000 waiting, and a coverage
//! report of 5,000 units with two months of daily figures. Prints the median time
//! to compute the whole dashboard (the coverage report read from its JSON as the
//! app does) for today and for a 30-day range. Goal (issue 8): ≤ 200 ms.
//! `cargo bench -p bhxh-desk-core --bench dashboard [N]`

use bhxh_cache::{Cache, DataKey};
use bhxh_desk_core::figures::{Inputs, dashboard};
use bhxh_domain::clock::office_day as local_day;
use bhxh_domain::{DeclarationStatus, Outcome};
use bhxh_protocol::{
    Assignment, Campaign, CoverageReport, DayCount, Declaration, OfficerQuota, QuotaList, RecordedDecision,
    UnitCoverage,
};
use chrono::{Duration, Utc};
use rand::{Rng, SeedableRng};
use std::time::{Duration as Elapsed, Instant};

const OFFICERS: usize = 8;
const WAITING: u64 = 20_000;
const UNITS: u32 = 5_000;
const RUNS: usize = 15;

fn median(mut v: Vec<Elapsed>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

fn main() {
    let n: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let g = bhxh_fixtures::Generator::new(11).expect("fonts (fonts-dejavu-core)");
    let now = Utc::now();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8);
    // A few hundred real-looking people, reused: the figures never read the fields.
    let people: Vec<_> = (0..300u64).map(|i| g.declared_person(i, now).expect("person").fields).collect();
    let officer = |i: usize| (format!("canbo{i}.07916"), format!("Cán bộ số {i}"));
    let reasons = ["ANH_MO", "SAI_CCCD", "THIEU_ANH"];
    let dir = tempfile::tempdir().expect("tmp");
    let mut cache = Cache::open(dir.path(), DataKey::generate()).expect("cache");
    let t = Instant::now();
    let total = n + WAITING;
    for start in (0..total).step_by(1000) {
        let page: Vec<Declaration> = (start..(start + 1000).min(total))
            .map(|i| {
                let mut fields = people[(i % 300) as usize].clone();
                fields.office_code = "07916".into();
                let id = format!("07916-{i:07}");
                let decided = i < n;
                let submitted_at = now - Duration::minutes(rng.random_range(0..365 * 24 * 60));
                let (status, decision, assignment) = if decided {
                    let (o, name) = officer(rng.random_range(0..OFFICERS));
                    let outcome =
                        [Outcome::Approve, Outcome::Approve, Outcome::Approve, Outcome::Resubmit, Outcome::Reject]
                            [rng.random_range(0..5)];
                    let decided_at = submitted_at + Duration::minutes(rng.random_range(1..3 * 24 * 60));
                    let decided_at = decided_at.min(now);
                    let reasons = match outcome {
                        Outcome::Approve => vec![],
                        _ => vec![reasons[rng.random_range(0..3)].to_owned()],
                    };
                    let status = match outcome {
                        Outcome::Approve => DeclarationStatus::Approved,
                        Outcome::Resubmit => DeclarationStatus::Resubmit,
                        _ => DeclarationStatus::Rejected,
                    };
                    let d = RecordedDecision {
                        declaration_id: id.clone(),
                        outcome,
                        reasons,
                        officer: o,
                        officer_name: name,
                        decided_at,
                        recorded_at: decided_at,
                        idempotency_key: format!("k{i}"),
                    };
                    (status, Some(d), None)
                } else {
                    let status = if i % 50 == 0 { DeclarationStatus::Escalated } else { DeclarationStatus::Pending };
                    let assignment = (i % 7 == 0).then(|| {
                        let (o, name) = officer((i % OFFICERS as u64) as usize);
                        Assignment {
                            declaration_id: id.clone(),
                            officer: o,
                            officer_name: name,
                            expires_at: now + Duration::hours(1),
                        }
                    });
                    (status, None, assignment)
                };
                Declaration {
                    id,
                    status,
                    submitted_at,
                    updated_at: submitted_at,
                    fields,
                    documents: vec![],
                    assignment,
                    decision,
                    flags: vec![],
                    account: None,
                    phone_holders: vec![],
                }
            })
            .collect();
        cache.apply_page(&page, "cursor:07916", &start.to_string()).expect("apply");
    }
    println!("filled {total} declarations ({n} decided) in {:.1} s", t.elapsed().as_secs_f64());

    let today = local_day(now);
    let units: Vec<UnitCoverage> = (0..UNITS)
        .map(|u| {
            let participants = rng.random_range(0..400);
            let approved = if participants == 0 { 0 } else { rng.random_range(0..=participants) };
            let mut opened_by_day = Vec::new();
            for d in (0..60).rev() {
                if rng.random_bool(0.3) {
                    opened_by_day.push(DayCount { day: today - Duration::days(d), count: rng.random_range(1..4) });
                }
            }
            UnitCoverage {
                code: format!("SQ{u:04}Q"),
                name: format!("Công ty TNHH số {u}"),
                addressee: format!("Giám đốc Công ty TNHH số {u}"),
                address: "TP Hồ Chí Minh".into(),
                participants,
                approved,
                pending: (participants - approved) / 3,
                waiting_paper: (participants - approved) / 30,
                rejected: (participants - approved) / 10,
                opened_by_day,
            }
        })
        .collect();
    let report = CoverageReport {
        office_code: "07916".into(),
        as_of: now,
        campaign: Some(Campaign {
            name: "VssID".into(),
            target_percent: 60,
            starts_on: today - Duration::days(60),
            deadline: today + Duration::days(30),
            directive: String::new(),
            office_name: String::new(),
            parent_name: String::new(),
            place: String::new(),
            letter_symbol: "BHXH-THU".into(),
            contact: String::new(),
            signer_title: String::new(),
            signer_name: String::new(),
        }),
        units,
    };
    let report_json = serde_json::to_string(&report).expect("json");
    let quotas = QuotaList {
        default_per_day: 40,
        officers: (0..OFFICERS)
            .map(|i| {
                let (username, display_name) = officer(i);
                OfficerQuota { username, display_name, per_day: None }
            })
            .collect(),
    };
    let run = |from, to| {
        let times: Vec<Elapsed> = (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                let coverage: CoverageReport = serde_json::from_str(&report_json).expect("coverage");
                let d = dashboard(
                    &cache,
                    &Inputs {
                        office: "07916",
                        from,
                        to,
                        now,
                        quotas: Some(&quotas),
                        coverage: Some(&coverage),
                        synced_at: Some(now),
                        calendar: bhxh_domain::calendar::WorkCalendar::builtin(),
                    },
                )
                .expect("dashboard");
                assert_eq!(d.units.len(), UNITS as usize);
                assert_eq!(d.waiting, WAITING as u32);
                t.elapsed()
            })
            .collect();
        median(times)
    };
    // Where the time goes, part by part (medians of a few runs).
    let part = |name: &str, f: &dyn Fn()| {
        let times: Vec<Elapsed> = (0..5)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect();
        println!("  {name}: {:.1} ms", median(times));
    };
    let day0 = now - Duration::hours(24);
    part("decisions of a day", &|| drop(cache.decisions_between("07916", day0, now).expect("decisions")));
    let month0 = now - Duration::days(30);
    part("decisions of 30 days", &|| drop(cache.decisions_between("07916", month0, now).expect("decisions")));
    part("waiting", &|| drop(cache.waiting("07916", now).expect("waiting")));
    part("holdings", &|| drop(cache.holdings("07916", now).expect("holdings")));
    part("coverage JSON", &|| drop(serde_json::from_str::<CoverageReport>(&report_json).expect("coverage")));
    let today_ms = run(today, today);
    let month_ms = run(today - Duration::days(29), today);
    println!(
        "dashboard over {n} decisions, {WAITING} waiting, {UNITS} units: today {today_ms:.1} ms, 30 days {month_ms:.1} ms (median of {RUNS}; goal 200 ms)"
    );
}
