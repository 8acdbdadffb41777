//! Running the automatic checks over the cached declarations and keeping their
//! findings beside each row. A new or changed declaration can change another's
//! findings (the same phone, the same ID, a child's parent): the rows sharing a
//! registry key with a change are marked due with it, and only the due rows are
//! re-checked ([`Cache::recheck_due`]), against a registry of them and their neighbours.

use crate::{Cache, CacheError};
use bhxh_domain::checks::{self, Context, Facts, Finding, Registry, RegistryEntry, SuggestedOutcome, Verdict};
use bhxh_domain::mau01::PaperFields;
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
        purpose: f.purpose,
        changes: &f.changes,
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
    let ctx = Context {
        reference,
        registry,
        qr: qr.as_ref(),
        paper,
        documents,
        units,
        account: d.account.as_ref(),
        phone_holders: &d.phone_holders,
    };
    let findings = checks::run_all(&f, &ctx);
    let verdict = checks::verdict(&findings, reference);
    (findings, verdict)
}

/// Where the office's units are kept: a list the central service gives at login.
const OFFICE_UNITS_META: &str = "office_units";
const OFFICE_UNITS_AT_META: &str = "office_units_at";

/// The keys the checks look `d` up by, or look others up by from `d`: its mã số,
/// the parent's mã số it goes through, its phone (national form), its ID number.
/// Two declarations can change each other's findings only if they share one.
fn registry_keys_of(key: &crate::DataKey, d: &Declaration) -> Vec<String> {
    let f = &d.fields;
    let mut keys = vec![key.registry_key("ma_so", f.ma_so_bhxh.as_str())];
    if let Some(parent) = &f.parent_ma_so_bhxh {
        keys.push(key.registry_key("ma_so", parent.as_str()));
    }
    if let Ok(p) = bhxh_domain::PhoneVn::parse(&f.phone) {
        keys.push(key.registry_key("phone", p.phone.as_str()));
    }
    if let Some(id) = f.id_number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        keys.push(key.registry_key("id", id));
    }
    keys
}

/// Marks due every row sharing a key with `id` (itself included), by the keys on record.
fn mark_neighbours_due(tx: &rusqlite::Transaction<'_>, id: &str) -> Result<(), CacheError> {
    tx.prepare_cached(
        "UPDATE declarations SET recheck = 1 WHERE id IN (
            SELECT k2.declaration_id FROM registry_keys k1 JOIN registry_keys k2 ON k2.key = k1.key
            WHERE k1.declaration_id = ?1)",
    )?
    .execute([id])?;
    Ok(())
}

/// Writes `d`'s registry keys (the caller marks it due). Its neighbours under the
/// new keys are re-checked with it ([`Cache::recheck_due`] takes the due rows'
/// neighbours along); when the keys changed, the rows that shared an old key are
/// marked due here, while the old keys still find them (a finding about `d` may
/// clear there). `had_keys`: whether the row may have keys on record already.
pub(crate) fn write_registry_keys(
    tx: &rusqlite::Transaction<'_>,
    key: &crate::DataKey,
    d: &Declaration,
    had_keys: bool,
) -> Result<(), CacheError> {
    let mut keys = registry_keys_of(key, d);
    keys.sort_unstable();
    keys.dedup();
    let old: Vec<String> = if had_keys {
        tx.prepare_cached("SELECT key FROM registry_keys WHERE declaration_id = ?1 ORDER BY key")?
            .query_map([&d.id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    } else {
        Vec::new()
    };
    if old != keys {
        if !old.is_empty() {
            mark_neighbours_due(tx, &d.id)?;
            tx.prepare_cached("DELETE FROM registry_keys WHERE declaration_id = ?1")?.execute([&d.id])?;
        }
        let mut insert = tx.prepare_cached("INSERT INTO registry_keys(declaration_id, key) VALUES (?1, ?2)")?;
        for k in &keys {
            insert.execute(params![d.id, k])?;
        }
    }
    Ok(())
}

/// A finding as stored before its message became one `Text` (`message_vi`,
/// `message_en`): read as it is, so a cache kept from then opens until its next
/// re-check writes the new shape.
#[derive(serde::Deserialize)]
struct StoredFindingV1 {
    code: String,
    severity: bhxh_domain::checks::Severity,
    fields: Vec<String>,
    message_vi: String,
    message_en: String,
    reason: Option<String>,
}

pub(crate) fn read_findings(json: &[u8]) -> Result<Vec<Finding>, serde_json::Error> {
    serde_json::from_slice(json).or_else(|e| {
        let old: Vec<StoredFindingV1> = serde_json::from_slice(json).map_err(|_| e)?;
        Ok(old
            .into_iter()
            .map(|f| Finding {
                code: f.code,
                severity: f.severity,
                fields: f.fields,
                message: bhxh_domain::Text::new(f.message_vi, f.message_en),
                reason: f.reason,
            })
            .collect())
    })
}

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
        self.set_meta(OFFICE_UNITS_AT_META, &now.to_rfc3339())?;
        // The unit check reads the list: every row's findings are due.
        self.conn.execute("UPDATE declarations SET recheck = 1", [])?;
        Ok(())
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
    pub fn recheck_all(&mut self) -> Result<usize, CacheError> {
        self.conn.execute("UPDATE declarations SET recheck = 1", [])?;
        self.recheck_due()
    }

    /// Re-runs the checks of the declarations marked due (written by a pull, or
    /// their documents or paper form read since, or sharing a key with such a
    /// row), against a registry of them and the rows they share a key with; returns
    /// how many rows were re-checked. Proportional to what changed, not to the office.
    #[instrument(skip(self))]
    pub fn recheck_due(&mut self) -> Result<usize, CacheError> {
        self.write_missing_registry_keys()?;
        // Due: marked rows and the rows sharing a key with one (a new phone on record
        // changes its other holders' findings). Around: the due rows and the rows
        // sharing a key with one of them: everything a due row's checks look up.
        let rows: Vec<(String, Vec<u8>, bool)> = {
            let mut stmt = self.conn.prepare_cached(
                "WITH marked AS (SELECT id FROM declarations WHERE recheck = 1),
                 due AS (SELECT id FROM marked UNION SELECT k2.declaration_id FROM marked
                     JOIN registry_keys k1 ON k1.declaration_id = marked.id JOIN registry_keys k2 ON k2.key = k1.key),
                 around AS (SELECT id FROM due UNION SELECT k2.declaration_id FROM due
                     JOIN registry_keys k1 ON k1.declaration_id = due.id JOIN registry_keys k2 ON k2.key = k1.key)
                 SELECT d.id, d.body, d.id IN (SELECT id FROM due) FROM declarations d WHERE d.id IN (SELECT id FROM around)",
            )?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?
        };
        let due: std::collections::HashSet<String> = rows.iter().filter(|r| r.2).map(|r| r.0.clone()).collect();
        if due.is_empty() {
            return Ok(0);
        }
        let mut all = Vec::with_capacity(rows.len());
        for (id, body, _) in &rows {
            all.push(self.open_body(id, body)?);
        }
        let registry = registry_of(&all);
        let units = self.office_units()?;
        let to_check: Vec<&Declaration> = all.iter().filter(|d| due.contains(&d.id)).collect();
        let mut read = Vec::with_capacity(to_check.len());
        for d in &to_check {
            read.push((self.document_facts(&d.id)?, self.paper_fields(&d.id)?));
        }
        let key = &self.key;
        let tx = self.conn.transaction()?;
        {
            let mut update = tx.prepare(
                "UPDATE declarations SET findings = ?2, blocks = ?3, warnings = ?4, suggested_json = ?5, recheck = 0
                 WHERE id = ?1",
            )?;
            for (d, (documents, paper)) in to_check.iter().zip(&read) {
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
        Ok(to_check.len())
    }

    /// Writes the registry keys of rows that have none yet (rows cached before the
    /// keys existed), marking them due.
    fn write_missing_registry_keys(&mut self) -> Result<(), CacheError> {
        let missing: Vec<(String, Vec<u8>)> = {
            let mut stmt = self.conn.prepare_cached("SELECT id, body FROM declarations WHERE keys_v = 0")?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?
        };
        if missing.is_empty() {
            return Ok(());
        }
        let mut bodies = Vec::with_capacity(missing.len());
        for (id, body) in &missing {
            bodies.push(self.open_body(id, body)?);
        }
        let tx = self.conn.transaction()?;
        for d in &bodies {
            write_registry_keys(&tx, &self.key, d, true)?;
            tx.prepare_cached("UPDATE declarations SET keys_v = 1, recheck = 1 WHERE id = ?1")?.execute([&d.id])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks a declaration's findings due (its documents or paper form were read).
    pub(crate) fn mark_due(conn: &rusqlite::Connection, declaration_id: &str) -> Result<(), CacheError> {
        conn.execute("UPDATE declarations SET recheck = 1 WHERE id = ?1", [declaration_id])?;
        Ok(())
    }

    /// The stored findings and suggestion of a declaration.
    pub fn findings(&self, id: &str) -> Result<(Vec<Finding>, SuggestedOutcome), CacheError> {
        let (fj, sj): (Option<Vec<u8>>, String) =
            self.conn.query_row("SELECT findings, suggested_json FROM declarations WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let corrupt = |e: serde_json::Error| CacheError::Corrupt(id.to_owned(), e.to_string());
        let findings = match fj {
            Some(sealed) => read_findings(&self.open_sealed("findings", id, &sealed)?).map_err(corrupt)?,
            None => Vec::new(),
        };
        Ok((findings, serde_json::from_str(&sj).map_err(corrupt)?))
    }
}
