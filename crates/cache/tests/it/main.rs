//! The automatic checks over generated demo data: what was planted is found, and
//! declarations nobody tampered with carry no Block.

use bhxh_cache::findings::{check_with, registry_of};
use bhxh_domain::checks::Severity;
use bhxh_protocol::{Declaration, DocumentRef};
use std::collections::BTreeSet;

#[test]
fn planted_inconsistencies_are_flagged_and_clean_declarations_are_not_blocked() {
    let g = bhxh_fixtures::Generator::new(2021).expect("fonts");
    let now = chrono::Utc::now();
    let n = 1200u64;
    let people: Vec<_> = (0..n).map(|i| g.declared_person(i, now).expect("person")).collect();
    let all: Vec<Declaration> = people
        .iter()
        .enumerate()
        .map(|(i, p)| {
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
                account: p.account_before.as_ref().map(|a| a.on_record()),
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
                fields: p.fields.clone(),
            }
        })
        .collect();
    // The partner of a shared phone is warned as well.
    let partners: BTreeSet<usize> = (0..n)
        .filter(|i| people[*i as usize].planted.contains(&"phone.shared_pending"))
        .map(|i| i as usize - 2)
        .collect();
    let registry = registry_of(&all);
    // Each office's units, as the central service lists them to its desks.
    let units: Vec<bhxh_domain::OfficeUnits> = bhxh_fixtures::DEMO_OFFICES
        .iter()
        .map(|o| bhxh_domain::OfficeUnits {
            office_code: o.code.to_owned(),
            codes: o.units.iter().map(|u| u.parse().expect("unit code")).collect(),
        })
        .collect();
    let mut planted_seen = BTreeSet::new();
    for (i, d) in all.iter().enumerate() {
        let office_units = units.iter().find(|u| u.office_code == d.fields.office_code);
        let (findings, _) = check_with(d, &registry, &[], None, office_units);
        let codes: BTreeSet<&str> = findings.iter().map(|f| f.code.as_str()).collect();
        for want in &people[i].planted {
            assert!(codes.contains(want), "{}: planted {want} not found in {codes:?}", d.id);
            planted_seen.insert(*want);
        }
        let blocks: Vec<&str> =
            findings.iter().filter(|f| f.severity == Severity::Block).map(|f| f.code.as_str()).collect();
        if !people[i].planted.contains(&"phone.shared_pending") && !partners.contains(&i) {
            assert!(blocks.is_empty(), "{} is clean but blocked by {blocks:?} ({:?})", d.id, d.fields);
        }
        if people[i].planted.is_empty() && !partners.contains(&i) {
            // Some real names carry no mark at all ("Phan Thanh An"): the warning asks the officer to look.
            let legit_plain = !bhxh_domain::fold::has_diacritics(&people[i].name_on_card);
            let warns: Vec<&str> = findings
                .iter()
                .filter(|f| f.severity == Severity::Warn && !(legit_plain && f.code == "name.no_diacritics"))
                .map(|f| f.code.as_str())
                .collect();
            assert!(warns.is_empty(), "{} is clean but warned {warns:?}", d.id);
        }
    }
    for kind in [
        "cccd.sex_century_mismatch",
        "cccd.year_mismatch",
        "name.no_diacritics",
        "phone.shared_pending",
        "unit.other_office",
        "adjust.after_password_reset",
        "adjust.old_not_on_record",
        "stop.pending_benefits",
    ] {
        assert!(planted_seen.contains(kind), "the demo set plants no {kind}");
    }
}
