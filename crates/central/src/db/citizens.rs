//! The citizens' register (who exists, their VssID account), the helpdesk's call log
//! and the notes it leaves for officers. The register holds contact details in clear
//! as the central service does; only masked copies leave it (no token, hash or salt
//! of a number: a number is looked up here or not at all).

use super::{Store, StoreError};
use bhxh_domain::helpdesk::{
    AccountState, LookupKey, PhoneCheck, RegistrationState, mask_email, mask_id_number, mask_phone,
};
use bhxh_domain::reference::ReferenceData;
use bhxh_domain::{DeclarationStatus, MaSoBhxh, Outcome, PhoneVn};
use bhxh_protocol::{
    CallRecord, CitizenEntry, DeclarationFields, HelpdeskFlag, NewCall, RegistrationEvent, RegistrationEventKind,
    RegistrationSummary, UserInfo,
};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

pub const MIGRATION: &str = "
    CREATE TABLE citizens (
        ma_so TEXT PRIMARY KEY,
        office_code TEXT NOT NULL,
        fields_json TEXT NOT NULL,
        id_number TEXT,
        phone TEXT,
        name_folded TEXT NOT NULL,
        birth_year INTEGER NOT NULL,
        account_created_at TEXT,
        locked_until TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX citizens_office ON citizens(office_code, ma_so);
    CREATE INDEX citizens_id ON citizens(id_number);
    CREATE INDEX citizens_phone ON citizens(phone);
    CREATE INDEX citizens_name ON citizens(name_folded);
    ALTER TABLE declarations ADD COLUMN ma_so TEXT;
    UPDATE declarations SET ma_so = json_extract(fields_json, '$.ma_so_bhxh');
    CREATE INDEX declarations_ma_so ON declarations(ma_so);
    CREATE TABLE office_salts (office_code TEXT PRIMARY KEY, salt TEXT NOT NULL);
    CREATE TABLE calls (
        id TEXT PRIMARY KEY,
        ma_so TEXT NOT NULL,
        office_code TEXT NOT NULL,
        agent TEXT NOT NULL,
        at TEXT NOT NULL,
        record_json TEXT NOT NULL
    );
    CREATE INDEX calls_ma_so ON calls(ma_so, at);
    CREATE TABLE flags (
        declaration_id TEXT NOT NULL REFERENCES declarations(id),
        call_id TEXT NOT NULL,
        at TEXT NOT NULL,
        agent_name TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (declaration_id, call_id)
    );";

/// The offices of `office`'s province today, as the `,a,b,` list the register's
/// queries filter on (`instr`): the province office and every office below it.
pub fn province_scope(office: &str) -> String {
    let data = ReferenceData::get();
    let province = data.province_office(office).unwrap_or_else(|| office.to_owned());
    let mut codes: Vec<&str> = data
        .offices
        .iter()
        .map(|o| o.code.as_str())
        .filter(|c| data.province_office(c).as_deref() == Some(province.as_str()))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    if codes.is_empty() {
        codes.push(office);
    }
    format!(",{},", codes.join(","))
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt("time".into(), e.to_string()))
}

fn json_err(what: &str, e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(what.to_owned(), e.to_string())
}

/// The VssID account as it stands at `now`.
fn account_state(created: &Option<String>, locked_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> AccountState {
    match (created, locked_until) {
        (None, _) => AccountState::None,
        (Some(_), Some(t)) if t > now => AccountState::Locked,
        (Some(_), _) => AccountState::Active,
    }
}

fn registration_state(status: Option<DeclarationStatus>, account: AccountState) -> RegistrationState {
    match status {
        Some(DeclarationStatus::Pending) => RegistrationState::Pending,
        Some(DeclarationStatus::Escalated) => RegistrationState::Escalated,
        Some(DeclarationStatus::Approved) => RegistrationState::Approved,
        Some(DeclarationStatus::Resubmit) => RegistrationState::Resubmit,
        Some(DeclarationStatus::Rejected) => RegistrationState::Rejected,
        // Registered before this system kept declarations: the account says so.
        None if account != AccountState::None => RegistrationState::Approved,
        None => RegistrationState::None,
    }
}

fn phone_on_file(fields: &DeclarationFields) -> Option<PhoneVn> {
    PhoneVn::parse(&fields.phone).ok().map(|p| p.phone)
}

impl Store {
    /// Files (or refreshes) a person in the register from what they declared, inside
    /// the caller's transaction: only for what an officer approved (or the register
    /// loaded from elsewhere), never for a mere submission.
    pub(super) fn upsert_citizen(
        tx: &Connection,
        fields: &DeclarationFields,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(fields).map_err(|e| json_err("citizen", e))?;
        let phone = phone_on_file(fields).map(|p| p.to_string());
        tx.prepare_cached(
            "INSERT INTO citizens(ma_so, office_code, fields_json, id_number, phone, name_folded, birth_year, updated_at,
                unit_code)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(ma_so) DO UPDATE SET office_code = ?2, fields_json = ?3, id_number = ?4, phone = ?5,
                name_folded = ?6, birth_year = ?7, updated_at = ?8,
                unit_code = coalesce(?9, unit_code)",
        )?
        .execute(params![
            fields.ma_so_bhxh.as_str(),
            fields.office_code,
            json,
            fields.id_number.as_deref().map(str::to_ascii_uppercase),
            phone,
            bhxh_domain::fold::fold(&fields.full_name),
            chrono::Datelike::year(&fields.birth_date),
            now.to_rfc3339(),
            fields.unit_code
        ])?;
        Ok(())
    }

    /// A person in the register with an account opened before this system's records
    /// (the demo's "registered in 2021"), or never registered (`account_at` None).
    pub fn insert_registered_citizen(
        &mut self,
        fields: &DeclarationFields,
        account_at: Option<DateTime<Utc>>,
        locked_until: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        Self::upsert_citizen(&tx, fields, account_at.unwrap_or_else(|| self.clock.now()))?;
        tx.execute(
            "UPDATE citizens SET account_created_at = ?2, locked_until = ?3 WHERE ma_so = ?1",
            params![
                fields.ma_so_bhxh.as_str(),
                account_at.map(|t| t.to_rfc3339()),
                locked_until.map(|t| t.to_rfc3339())
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A submission makes a person known if they were not (so the helpdesk finds a
    /// declarant waiting); a person already in the register is left as it is: what
    /// they declared is only a claim until an officer approves it.
    pub(super) fn note_declarant(
        tx: &Connection,
        fields: &DeclarationFields,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let known: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM citizens WHERE ma_so = ?1)")?
            .query_row(params![fields.ma_so_bhxh.as_str()], |r| r.get(0))?;
        if !known {
            Self::upsert_citizen(tx, fields, now)?;
        }
        Ok(())
    }

    /// An approval writes what the officer approved into the register and opens the
    /// account (the central service then texts the password).
    pub(super) fn open_account(tx: &Connection, declaration_id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let json: Option<String> = tx
            .prepare_cached("SELECT fields_json FROM declarations WHERE id = ?1")?
            .query_row(params![declaration_id], |r| r.get(0))
            .optional()?;
        if let Some(json) = json {
            let fields: DeclarationFields = serde_json::from_str(&json).map_err(|e| json_err(declaration_id, e))?;
            Self::upsert_citizen(tx, &fields, now)?;
        }
        tx.prepare_cached(
            "UPDATE citizens SET account_created_at = coalesce(account_created_at, ?2), updated_at = ?2
             WHERE ma_so = (SELECT ma_so FROM declarations WHERE id = ?1)",
        )?
        .execute(params![declaration_id, now.to_rfc3339()])?;
        Ok(())
    }

    pub fn count_citizens(&self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row("SELECT count(*) FROM citizens", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// The office of a person in the register.
    pub fn citizen_office(&self, ma_so: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT office_code FROM citizens WHERE ma_so = ?1", params![ma_so], |r| r.get(0))
            .optional()?)
    }

    /// The helpdesk's view of one person: masked.
    pub fn citizen_entry(&self, ma_so: &str, now: DateTime<Utc>) -> Result<Option<CitizenEntry>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT office_code, fields_json, account_created_at, locked_until, updated_at FROM citizens
                 WHERE ma_so = ?1",
            )?
            .query_row(params![ma_so], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .optional()?;
        let Some((office, json, account_at, locked, updated)) = row else { return Ok(None) };
        let fields: DeclarationFields = serde_json::from_str(&json).map_err(|e| json_err(ma_so, e))?;
        let locked_until = locked.as_deref().map(parse_time).transpose()?;
        let account = account_state(&account_at, locked_until, now);
        let mut history = Vec::new();
        if let Some(at) = &account_at {
            history.push(RegistrationEvent {
                at: parse_time(at)?,
                what: RegistrationEventKind::AccountCreated,
                office_code: office.clone(),
                reasons: vec![],
            });
        }
        let declarations: Vec<(String, String, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT id, status, submitted_at, office_code FROM declarations WHERE ma_so = ?1 ORDER BY submitted_at",
            )?
            .query_map(params![ma_so], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut latest = None;
        for (id, status, submitted, decl_office) in declarations {
            let submitted_at = parse_time(&submitted)?;
            history.push(RegistrationEvent {
                at: submitted_at,
                what: RegistrationEventKind::Submitted,
                office_code: decl_office.clone(),
                reasons: vec![],
            });
            let assigned: Option<String> = self
                .conn
                .prepare_cached("SELECT at FROM audit WHERE action = 'assign' AND subject = ?1 ORDER BY seq LIMIT 1")?
                .query_row(params![id], |r| r.get(0))
                .optional()?;
            if let Some(at) = assigned {
                history.push(RegistrationEvent {
                    at: parse_time(&at)?,
                    what: RegistrationEventKind::Assigned,
                    office_code: decl_office.clone(),
                    reasons: vec![],
                });
            }
            let decisions: Vec<(String, String, String)> = self
                .conn
                .prepare_cached(
                    "SELECT outcome, reasons_json, recorded_at FROM decisions WHERE declaration_id = ?1 ORDER BY seq",
                )?
                .query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (outcome, reasons, at) in decisions {
                let outcome = Outcome::from_code(&outcome)
                    .ok_or_else(|| StoreError::Corrupt(id.clone(), format!("outcome {outcome}")))?;
                history.push(RegistrationEvent {
                    at: parse_time(&at)?,
                    what: RegistrationEventKind::Decided(outcome),
                    office_code: decl_office.clone(),
                    reasons: serde_json::from_str(&reasons).map_err(|e| json_err(&id, e))?,
                });
            }
            let status = DeclarationStatus::from_code(&status)
                .ok_or_else(|| StoreError::Corrupt(id.clone(), format!("status {status}")))?;
            latest = Some((
                RegistrationSummary {
                    declaration_id: id,
                    channel: fields.channel,
                    submitted_at,
                    office_code: decl_office,
                },
                status,
            ));
        }
        history.sort_by_key(|e| e.at);
        let registration_state = registration_state(latest.as_ref().map(|(_, s)| *s), account);
        let phone = phone_on_file(&fields);
        Ok(Some(CitizenEntry {
            ma_so_bhxh: fields.ma_so_bhxh.clone(),
            full_name: fields.full_name.clone(),
            birth_date: fields.birth_date,
            sex: fields.sex,
            kind: fields.kind,
            office_code: office,
            unit_code: fields.unit_code.clone(),
            parent_ma_so_bhxh: fields.parent_ma_so_bhxh.clone(),
            id_type: fields.id_type,
            id_masked: fields.id_number.as_deref().map(mask_id_number),
            phone_masked: phone.as_ref().map(|p| mask_phone(p.as_str())),
            email_masked: fields.email.as_deref().filter(|e| !e.is_empty()).map(mask_email),
            registration_state,
            registration: latest.map(|(r, _)| r),
            history,
            account,
            account_locked_until: locked_until.filter(|t| *t > now),
            updated_at: parse_time(&updated)?,
        }))
    }

    /// A page of the office's directory, in mã số order after `after`.
    pub fn directory_page(
        &self,
        office: &str,
        after: &str,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<CitizenEntry>, StoreError> {
        let ids: Vec<String> = self
            .conn
            .prepare_cached("SELECT ma_so FROM citizens WHERE office_code = ?1 AND ma_so > ?2 ORDER BY ma_so LIMIT ?3")?
            .query_map(params![office, after, limit], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.citizen_entry(&id, now)?);
        }
        Ok(out)
    }

    /// The server's own search: exact identifiers, else a name prefix; among the
    /// people of `scope`'s offices when given (a province's, see [`province_scope`]).
    pub fn lookup(
        &self,
        query: &str,
        scope: Option<&str>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<CitizenEntry>, StoreError> {
        let q = bhxh_domain::helpdesk::query::parse(query);
        let mut ids: Vec<String> = Vec::new();
        for key in &q.keys {
            let found: Vec<String> = match key {
                LookupKey::MaSo(m) => self
                    .conn
                    .prepare_cached("SELECT ma_so FROM citizens WHERE ma_so = ?1 AND (?2 IS NULL OR instr(?2, ',' || office_code || ',') > 0)")?
                    .query_map(params![m.as_str(), scope], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?,
                LookupKey::IdNumber(n) => self
                    .conn
                    .prepare_cached("SELECT ma_so FROM citizens WHERE id_number = ?1 AND (?3 IS NULL OR instr(?3, ',' || office_code || ',') > 0) LIMIT ?2")?
                    .query_map(params![n, limit, scope], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?,
                LookupKey::Phone(p) => self
                    .conn
                    .prepare_cached("SELECT ma_so FROM citizens WHERE phone = ?1 AND (?3 IS NULL OR instr(?3, ',' || office_code || ',') > 0) LIMIT ?2")?
                    .query_map(params![p.as_str(), limit, scope], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?,
            };
            for id in found {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        if let Some(name) = &q.name {
            // Folded names are ASCII lower case: '{' sorts right after 'z'.
            let found: Vec<String> = self
                .conn
                .prepare_cached(
                    "SELECT ma_so FROM citizens WHERE name_folded >= ?1 AND name_folded < ?1 || '{'
                     AND (?2 IS NULL OR birth_year = ?2) AND (?4 IS NULL OR instr(?4, ',' || office_code || ',') > 0)
                     ORDER BY name_folded = ?1 DESC, name_folded, ma_so LIMIT ?3",
                )?
                .query_map(params![name.folded, name.birth_year, limit, scope], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            ids.extend(found.into_iter().filter(|f| !ids.contains(f)).collect::<Vec<_>>());
        }
        let mut out = Vec::new();
        for id in ids.into_iter().take(limit as usize) {
            out.extend(self.citizen_entry(&id, now)?);
        }
        Ok(out)
    }

    /// Whether the phone the caller uses is the one on file for `ma_so`.
    pub fn phone_check(
        &self,
        ma_so: &MaSoBhxh,
        phone: &PhoneVn,
        now: DateTime<Utc>,
    ) -> Result<Option<(PhoneCheck, bool)>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT phone, account_created_at, locked_until FROM citizens WHERE ma_so = ?1",
                params![ma_so.as_str()],
                |r| {
                    Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, Option<String>>(2)?))
                },
            )
            .optional()?;
        let Some((on_file, account_at, locked)) = row else { return Ok(None) };
        let locked_until = locked.as_deref().map(parse_time).transpose()?;
        let registered = account_state(&account_at, locked_until, now) != AccountState::None;
        let result = match on_file {
            None => PhoneCheck::NoPhone,
            Some(p) if p == phone.as_str() => PhoneCheck::Match,
            Some(_) => PhoneCheck::Mismatch,
        };
        Ok(Some((result, registered)))
    }

    /// Records a call once (its id is the client's), and its note for the officers on
    /// the person's latest undecided declaration, which the offices' sync then pulls.
    pub fn record_call(
        &mut self,
        agent: &UserInfo,
        ma_so: &MaSoBhxh,
        office: &str,
        call: &NewCall,
        now: DateTime<Utc>,
    ) -> Result<CallRecord, StoreError> {
        let record = CallRecord {
            id: call.id.clone(),
            ma_so_bhxh: ma_so.clone(),
            agent: agent.username.clone(),
            agent_name: agent.display_name.clone(),
            office_code: office.to_owned(),
            caller_name: call.caller_name.clone(),
            topic: call.topic.clone(),
            outcome: call.outcome.clone(),
            note: call.note.clone(),
            flag: call.flag.clone().filter(|f| !f.trim().is_empty()),
            at: call.at,
        };
        let tx = self.conn.transaction()?;
        let json = serde_json::to_string(&record).map_err(|e| json_err("call", e))?;
        let inserted = tx.execute(
            "INSERT INTO calls(id, ma_so, office_code, agent, at, record_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(id) DO NOTHING",
            params![record.id, ma_so.as_str(), office, agent.username, record.at.to_rfc3339(), json],
        )?;
        if inserted == 0 {
            // Sent before (the answer was lost): the stored call is the answer.
            let stored: String =
                tx.query_row("SELECT record_json FROM calls WHERE id = ?1", params![record.id], |r| r.get(0))?;
            return serde_json::from_str(&stored).map_err(|e| json_err("call", e));
        }
        if let Some(text) = &record.flag {
            let open: Option<String> = tx
                .query_row(
                    "SELECT id FROM declarations WHERE ma_so = ?1 AND status IN ('pending', 'escalated')
                     ORDER BY submitted_at DESC LIMIT 1",
                    params![ma_so.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = open {
                tx.execute(
                    "INSERT INTO flags(declaration_id, call_id, at, agent_name, text) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, record.id, now.to_rfc3339(), agent.display_name, text],
                )?;
                Self::bump(&tx, &id, None, now)?;
            }
        }
        Self::audit(&tx, now, &agent.username, "call", ma_so.as_str(), &record.topic)?;
        tx.commit()?;
        Ok(record)
    }

    pub fn calls_of(&self, ma_so: &str) -> Result<Vec<CallRecord>, StoreError> {
        let rows: Vec<String> = self
            .conn
            .prepare_cached("SELECT record_json FROM calls WHERE ma_so = ?1 ORDER BY at DESC LIMIT 50")?
            .query_map(params![ma_so], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        rows.iter().map(|j| serde_json::from_str(j).map_err(|e| json_err("call", e))).collect()
    }

    pub(super) fn flags_of(&self, declaration_id: &str) -> Result<Vec<HelpdeskFlag>, StoreError> {
        let rows: Vec<(String, String, String, String)> = self
            .conn
            .prepare_cached("SELECT call_id, at, agent_name, text FROM flags WHERE declaration_id = ?1 ORDER BY at")?
            .query_map(params![declaration_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|(call_id, at, agent_name, text)| Ok(HelpdeskFlag { call_id, at: parse_time(&at)?, agent_name, text }))
            .collect()
    }
}
