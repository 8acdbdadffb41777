//! Running the automatic checks over the cached declarations and keeping their
//! findings beside each row. Re-run over the whole cache after every pull: a new
//! declaration can change an older one's findings (the same phone, the same ID).

use crate::{Cache, CacheError};
use bhxh_domain::checks::{
    self, Context, Facts, Finding, PaperFields, Registry, RegistryEntry, SuggestedOutcome, Verdict,
};
use bhxh_domain::reference::ReferenceData;
use bhxh_domain::{DocumentFacts, OfficeUnits, UnitCode};
use bhxh_protocol::Declaration;
use rusqlite::params;
use tracing::instrument;

pub fn facts(d: &Declaration) -> (Facts<'_>, Vec<bhxh_domain::DocumentKind>) {
    let docs: Vec<_> = d.documents.iter().map(|x| x.kind).collect();
    let f = &d.fields;
    let facts = Facts {
        id: &d.id,
        kind: f.kind,
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
        parent_ma_so: f.parent_ma_so_bhxh.as_ref().map(|m| m.as_str()),
        office_code: &f.office_code,
        unit_code: f.unit_code.as_deref(),
        submitted_on: bhxh_domain::clock::office_day(d.submitted_at),
        documents: &[],
    };
    (facts, docs)
}

pub fn registry_of(all: &[Declaration]) -> Registry {
    Registry::new(
        all.iter()
            .map(|d| RegistryEntry {
                declaration_id: d.id.clone(),
                ma_so: d.fields.ma_so_bhxh.to_string(),
                id_number: d.fields.id_number.clone(),
                phone: Some(d.fields.phone.clone()),
                birth_date: Some(d.fields.birth_date),
                status: d.status,
                is_child: d.fields.kind == bhxh_domain::DeclarationKind::Child,
                parent_ma_so: d.fields.parent_ma_so_bhxh.as_ref().map(ToString::to_string),
            })
            .collect(),
    )
}

/// The findings and verdict of one declaration against a registry, without
/// anything read from its documents.
pub fn check_one(d: &Declaration, registry: &Registry) -> (Vec<Finding>, Verdict) {
    check_with(d, registry, &[], None, None)
}

/// The findings and verdict with what was read from the documents' pixels and
/// from the matched paper form.
pub fn check_with(
    d: &Declaration,
    registry: &Registry,
    documents: &[DocumentFacts],
    paper: Option<&PaperFields>,
    units: Option<&OfficeUnits>,
) -> (Vec<Finding>, Verdict) {
    let reference = ReferenceData::get();
    let (mut f, docs) = facts(d);
    f.documents = &docs;
    let qr = DocumentFacts::cccd_qr(documents);
    let ctx = Context { reference, registry, qr: qr.as_ref(), paper, documents, units };
    let findings = checks::run_all(&f, &ctx);
    let verdict = checks::verdict(&findings, reference);
    (findings, verdict)
}

/// Where the office's units are kept: a list the central service gives at login.
const OFFICE_UNITS_META: &str = "office_units";
const OFFICE_UNITS_AT_META: &str = "office_units_at";

impl Cache {
    /// Keeps the office's employer units (codes the central service listed; a code
    /// that is not well formed is left out, it could never match).
    pub fn set_office_units(
        &mut self,
        list: &bhxh_protocol::UnitList,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), CacheError> {
        let json =
            serde_json::to_string(list).map_err(|e| CacheError::Corrupt("office units".into(), e.to_string()))?;
        self.set_meta(OFFICE_UNITS_META, &json)?;
        self.set_meta(OFFICE_UNITS_AT_META, &now.to_rfc3339())
    }

    /// When the office's units were last listed, if ever.
    pub fn office_units_listed_at(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>, CacheError> {
        Ok(self
            .meta(OFFICE_UNITS_AT_META)?
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&chrono::Utc)))
    }

    /// The office's employer units as last listed, if ever.
    pub fn office_units(&self) -> Result<Option<OfficeUnits>, CacheError> {
        let Some(json) = self.meta(OFFICE_UNITS_META)? else { return Ok(None) };
        let list: bhxh_protocol::UnitList =
            serde_json::from_str(&json).map_err(|e| CacheError::Corrupt("office units".into(), e.to_string()))?;
        Ok(Some(OfficeUnits {
            office_code: list.office_code,
            codes: list.units.iter().filter_map(|u| u.code.parse::<UnitCode>().ok()).collect(),
        }))
    }

    /// Re-runs every check over every cached declaration; returns how many rows.
    #[instrument(skip(self))]
    pub fn recheck_all(&mut self) -> Result<usize, CacheError> {
        let all: Vec<Declaration> = {
            let mut stmt = self.conn.prepare("SELECT id, body FROM declarations")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (id, body) = row?;
                out.push(self.open_body(&id, &body)?);
            }
            out
        };
        let registry = registry_of(&all);
        let units = self.office_units()?;
        let mut read = Vec::with_capacity(all.len());
        for d in &all {
            read.push((self.document_facts(&d.id)?, self.paper_fields(&d.id)?));
        }
        let key = &self.key;
        let tx = self.conn.transaction()?;
        {
            let mut update = tx.prepare(
                "UPDATE declarations SET findings = ?2, blocks = ?3, warnings = ?4, suggested_json = ?5 WHERE id = ?1",
            )?;
            for (d, (documents, paper)) in all.iter().zip(&read) {
                let (findings, verdict) = check_with(d, &registry, documents, paper.as_ref(), units.as_ref());
                // Findings quote the declaration (names, numbers): sealed like it.
                let fj = serde_json::to_vec(&findings).map_err(|e| CacheError::Corrupt(d.id.clone(), e.to_string()))?;
                let fj = key.seal(&crate::aad("findings", &d.id), &fj);
                let sj = serde_json::to_string(&verdict.suggested)
                    .map_err(|e| CacheError::Corrupt(d.id.clone(), e.to_string()))?;
                update.execute(params![d.id, fj, verdict.blocks, verdict.warnings, sj])?;
            }
        }
        tx.commit()?;
        Ok(all.len())
    }

    /// The stored findings and suggestion of a declaration.
    pub fn findings(&self, id: &str) -> Result<(Vec<Finding>, SuggestedOutcome), CacheError> {
        let (fj, sj): (Option<Vec<u8>>, String) =
            self.conn.query_row("SELECT findings, suggested_json FROM declarations WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let corrupt = |e: serde_json::Error| CacheError::Corrupt(id.to_owned(), e.to_string());
        let findings = match fj {
            Some(sealed) => serde_json::from_slice(&self.open_sealed("findings", id, &sealed)?).map_err(corrupt)?,
            None => Vec::new(),
        };
        Ok((findings, serde_json::from_str(&sj).map_err(corrupt)?))
    }
}
