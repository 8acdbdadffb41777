//! Signed or not, found from the form itself (issue 19): the signer's caption is
//! located in the text layer or the OCR words and the space under it is looked at.
//! Two layouts drawn independently: the project's own printout (`forms`) and one
//! drawn as the portal prints Mẫu 01 (`portal_form`: other margins, font, field
//! order, caption wording, signer's block on either side), each as a printout with
//! a text layer and as a scan, signed and unsigned.
//!
//! The rule under test: no signed form is reported unsigned, no unsigned form is
//! reported signed; a space the machine cannot read says "could not tell" (`None`).

mod common;
use bhxh_domain::mau01::PageReading;
use bhxh_fixtures::Fonts;
use bhxh_fixtures::forms::{self, FormData, FormVariant, ScanDefect};
use common::{people, read_all};
use rand::SeedableRng;

/// Checks one table of (name, signed, reading) and prints it. A clean page must be
/// told exactly; a degraded one may say "could not tell", never the opposite.
fn judge(layout: &str, rows: &[(String, bool, bool, &PageReading)]) {
    let mut wrong = Vec::new();
    for (name, signed, clean, r) in rows {
        println!(
            "{layout:>8} {name:<34} signed={signed:<5} read={:<11} ink={:.4} faint={:.4} area={:?}",
            format!("{:?}", r.signed),
            r.ink_share,
            r.faint_share,
            r.signing_area.map(|a| a.map(|v| (v * 1000.0).round() / 1000.0))
        );
        let ok = match (r.signed, *clean) {
            (Some(s), _) => s == *signed,
            (None, clean) => !clean,
        };
        if !ok {
            wrong.push(format!("{layout} {name}: signed {signed}, read {:?} (ink {:.4})", r.signed, r.ink_share));
        }
    }
    assert!(wrong.is_empty(), "misjudged:\n{}", wrong.join("\n"));
}

#[test]
fn the_projects_own_layout_printed_and_scanned() {
    let fonts = Fonts::load_system().expect("fonts");
    let people = people(23, 2);
    let scan = |defect: ScanDefect, deg: f32| FormVariant {
        scanned: true,
        with_qr: false,
        rotation_deg: deg,
        scan: defect,
        ..FormVariant::PRINTED
    };
    // (name, variant, clean: must be told exactly)
    let variants: Vec<(&str, FormVariant, bool)> = vec![
        ("printed", FormVariant::PRINTED, true),
        ("scan clean", scan(ScanDefect::Clean, 0.0), true),
        ("scan turned 2°", scan(ScanDefect::Clean, 2.0), true),
        ("scan turned -6°", scan(ScanDefect::Clean, -6.0), true),
        ("scan blur + noise", scan(ScanDefect::BlurNoise, 0.7), false),
        ("scan low contrast", scan(ScanDefect::LowContrast, 0.0), false),
        ("scan JPEG 20", scan(ScanDefect::Jpeg20, 0.0), false),
        ("scan 100 dpi", scan(ScanDefect::LowResolution, 0.0), false),
    ];
    let mut forms_in = Vec::new();
    let mut expected = Vec::new();
    for (name, v, clean) in &variants {
        for signed in [true, false] {
            let (id, f) = &people[usize::from(signed)];
            forms_in.push((
                FormData { declaration_id: id, fields: f, office_name: "BHXH Quận 6" },
                FormVariant { signed, ..*v },
            ));
            expected.push((name.to_string(), signed, *clean));
        }
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(31);
    let readings = read_all(forms::stack_pdf(&mut rng, &fonts, &forms_in).expect("stack"));
    let rows: Vec<_> = expected.into_iter().zip(&readings).map(|((n, s, c), r)| (n, s, c, r)).collect();
    judge("project", &rows);
}

/// The portal's printout, drawn by a generator written apart from the reader:
/// every placement, pen and caption wording, printed and scanned, signed and not.
/// The fields are read from it too, and a name one mark off on the paper is said.
#[test]
fn the_portal_layout_printed_and_scanned() {
    use bhxh_domain::checks::{Context, Facts, Registry, Severity, run_all};
    use bhxh_fixtures::portal_form::{Pen, PortalVariant, one_mark_changed, portal_stack_pdf};
    let variants = PortalVariant::matrix();
    let people = people(23, variants.len());
    let forms_in: Vec<_> = people
        .iter()
        .zip(&variants)
        .map(|((id, f), v)| (FormData { declaration_id: id, fields: f, office_name: "BHXH Quận 6" }, *v))
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(47);
    let readings = read_all(portal_stack_pdf(&mut rng, &forms_in).expect("stack"));
    assert_eq!(readings.len(), variants.len());
    let rows: Vec<_> = variants
        .iter()
        .zip(&readings)
        .map(|(v, r)| {
            let name = format!(
                "{} {:?} {:?} {:?}{}{}",
                if v.scanned { format!("scan {:.0}dpi {:+.1}°", v.dpi, v.rotation_deg) } else { "printed".into() },
                v.placement,
                v.pen,
                v.caption,
                if v.unit_column { " +unit" } else { "" },
                if v.typed_name_below { " +name" } else { "" },
            );
            // A faint pen on a scan may fade into the paper: "could not tell" is allowed there.
            let clean = !(v.scanned && v.pen == Pen::FaintBlue);
            (name, v.signed, clean, r)
        })
        .collect();
    judge("portal", &rows);

    // The fields, as printed: the mã số exactly; the name with its marks (one mark off
    // where the variant says so) from a text layer; the paper check says which.
    let reference = bhxh_domain::reference::ReferenceData::get();
    for (((id, f), v), r) in people.iter().zip(&variants).zip(&readings) {
        let plain = |s: Option<&str>| s.map(|s| s.chars().filter(char::is_ascii_alphanumeric).collect::<String>());
        assert_eq!(plain(r.ma_so.as_deref()).as_deref(), Some(f.ma_so_bhxh.as_str()), "{id} {v:?}: {r:?}");
        let on_paper = if v.name_marks_differ { one_mark_changed(&f.full_name) } else { f.full_name.clone() };
        if !v.scanned {
            assert_eq!(r.full_name.as_deref(), Some(on_paper.as_str()), "{id} {v:?}");
            assert_eq!(plain(r.id_number.as_deref()), plain(f.id_number.as_deref()), "{id} {v:?}: {r:?}");
            assert_eq!(plain(r.phone.as_deref()), plain(Some(&f.phone)), "{id} {v:?}: {r:?}");
        }
        let paper = r.paper_fields();
        let facts = Facts {
            id,
            kind: f.kind,
            purpose: bhxh_domain::Purpose::Register,
            changes: &[],
            ma_so: f.ma_so_bhxh.as_str(),
            bhyt_code: None,
            full_name: &f.full_name,
            birth_date: f.birth_date,
            sex: f.sex,
            id_type: f.id_type,
            id_number: f.id_number.as_deref(),
            province: &f.address.province,
            district: f.address.district.as_deref(),
            commune: &f.address.commune,
            phone: &f.phone,
            email: f.email.as_deref(),
            parent_ma_so: None,
            office_code: &f.office_code,
            unit_code: None,
            submitted_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).expect("day"),
            documents: &[],
        };
        let ctx = Context {
            reference,
            registry: &Registry::default(),
            qr: None,
            paper: Some(&paper),
            documents: &[],
            units: None,
            account: None,
            phone_holders: &[],
        };
        let found = run_all(&facts, &ctx);
        let marks = found.iter().find(|x| x.code == "paper.name_marks");
        if v.name_marks_differ && !v.scanned {
            let x = marks.unwrap_or_else(|| panic!("{id}: one mark off on paper, not said: {found:?}"));
            assert_eq!(x.severity, Severity::Warn);
            assert!(x.message.vi.contains(&on_paper) && x.message.vi.contains(&f.full_name), "{}", x.message.vi);
        }
        if !v.name_marks_differ && !v.scanned {
            assert!(marks.is_none() && !found.iter().any(|x| x.code == "paper.name_mismatch"), "{id}: {found:?}");
        }
        // No form that is signed is ever called unsigned by the checks.
        if v.signed {
            assert!(!found.iter().any(|x| x.code == "paper.unsigned"), "{id} {v:?}");
        }
    }
}
