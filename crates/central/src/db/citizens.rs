//! The citizens' register (who exists, their VssID account), the helpdesk's call log
//! and the notes it leaves for officers. The register holds contact details in clear
//! as the central service does; only masked copies leave it (no token, hash or salt
//! of a number: a number is looked up here or not at all).

use super::{Store, StoreError};
use bhxh_domain::helpdesk::{
    AccountState, LookupKey, PhoneCheck, RegistrationState, RequestState, mask_email, mask_id_number, mask_phone,
};
use bhxh_domain::reference::ReferenceData;
use bhxh_domain::{AccountOnRecord, ChangedField, DeclarationStatus, MaSoBhxh, Outcome, PhoneHolder, PhoneVn, Purpose};
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

pub const ACCOUNT_MIGRATION: &str = "
    ALTER TABLE citizens ADD COLUMN account_stopped_at TEXT;
    ALTER TABLE citizens ADD COLUMN password_reset_at TEXT;
    ALTER TABLE citizens ADD COLUMN pending_benefits INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE declarations ADD COLUMN account_json TEXT;
    CREATE TABLE notices (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        declaration_id TEXT NOT NULL,
        ma_so TEXT NOT NULL,
        channel TEXT NOT NULL,
        address TEXT NOT NULL,
        kind TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX notices_declaration ON notices(declaration_id);";

/// What a notice tells the citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    /// The account is open: its password follows.
    Opened,
    /// The account's details changed (to the new contacts).
    Adjusted,
    /// Sent to the old phone and e-mail: "your contact details were changed".
    ChangedToldOld,
    /// The account is closed; how to register again.
    Stopped,
}

impl Notice {
    fn code(self) -> &'static str {
        match self {
            Notice::Opened => "opened",
            Notice::Adjusted => "adjusted",
            Notice::ChangedToldOld => "changed_told_old",
            Notice::Stopped => "stopped",
        }
    }
}

/// The register's record after an approved adjustment: the record, with the
/// fields the adjustment changes set to the declared values. A field changes when
/// the citizen listed it, or declared a value the record does not hold; a field
/// left empty on the declaration never erases what is on record, and kind, parent,
/// office and unit stay as on record.
fn adjusted(before: &DeclarationFields, declared: &DeclarationFields) -> DeclarationFields {
    let listed = |f: ChangedField| declared.changes.iter().any(|c| c.field == f);
    let differs = |a: Option<&str>, b: Option<&str>| {
        b.is_some_and(|b| !b.trim().is_empty() && a.map(str::trim) != Some(b.trim()))
    };
    let mut after = before.clone();
    if listed(ChangedField::Phone) || differs(Some(before.phone.as_str()), Some(declared.phone.as_str())) {
        after.phone = declared.phone.clone();
    }
    if listed(ChangedField::Email) || differs(before.email.as_deref(), declared.email.as_deref()) {
        after.email = declared.email.clone().filter(|e| !e.trim().is_empty());
    }
    if listed(ChangedField::IdDocument) || differs(before.id_number.as_deref(), declared.id_number.as_deref()) {
        after.id_type = declared.id_type;
        after.id_number = declared.id_number.clone();
    }
    if listed(ChangedField::Address) {
        after.address = declared.address.clone();
    }
    if listed(ChangedField::FullName) || differs(Some(before.full_name.as_str()), Some(declared.full_name.as_str())) {
        after.full_name = declared.full_name.clone();
    }
    if listed(ChangedField::BirthDate) || before.birth_date != declared.birth_date {
        after.birth_date = declared.birth_date;
    }
    if listed(ChangedField::Sex) || before.sex != declared.sex {
        after.sex = declared.sex;
    }
    after.purpose = Purpose::Register;
    after.changes.clear();
    after.reason = None;
    after
}

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
fn account_state(
    created: &Option<String>,
    stopped: &Option<String>,
    locked_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> AccountState {
    match (created, stopped, locked_until) {
        (None, _, _) => AccountState::None,
        (Some(_), Some(_), _) => AccountState::Stopped,
        (Some(_), None, Some(t)) if t > now => AccountState::Locked,
        (Some(_), None, _) => AccountState::Active,
    }
}

fn registration_state(status: Option<DeclarationStatus>, account: AccountState) -> RegistrationState {
    match status {
        Some(DeclarationStatus::Pending) => RegistrationState::Pending,
        Some(DeclarationStatus::Escalated) => RegistrationState::Escalated,
        Some(DeclarationStatus::OnHold) => RegistrationState::WaitingPaper,
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
        // An adjustment or a stop of someone the register does not know makes no
        // record: its own words would show as "on record".
        if fields.purpose != Purpose::Register {
            return Ok(());
        }
        let known: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM citizens WHERE ma_so = ?1)")?
            .query_row(params![fields.ma_so_bhxh.as_str()], |r| r.get(0))?;
        if !known {
            Self::upsert_citizen(tx, fields, now)?;
        }
        Ok(())
    }

    /// An approval writes what the officer approved into the register, inside the
    /// caller's transaction: a registration opens the account (the central service
    /// then texts the password), an adjustment changes what it lists, a stop closes
    /// the account. A rejection never reaches here: the register stays as it was.
    pub(super) fn apply_approval(tx: &Connection, declaration_id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let Some(fields) = Self::declared_fields(tx, declaration_id)? else { return Ok(()) };
        let ma_so = fields.ma_so_bhxh.as_str();
        match fields.purpose {
            Purpose::Register => {
                Self::upsert_citizen(tx, &fields, now)?;
                // A stopped account registered again is a new account.
                tx.prepare_cached(
                    "UPDATE citizens SET account_created_at = CASE WHEN account_created_at IS NULL
                        OR account_stopped_at IS NOT NULL THEN ?2 ELSE account_created_at END,
                        password_reset_at = CASE WHEN account_stopped_at IS NOT NULL THEN NULL
                            ELSE password_reset_at END,
                        account_stopped_at = NULL, updated_at = ?2
                     WHERE ma_so = ?1",
                )?
                .execute(params![ma_so, now.to_rfc3339()])?;
                Self::notify(tx, declaration_id, &fields, Notice::Opened, now)?;
            }
            Purpose::Adjust => {
                // Only an account open when the citizen asked (and still open) changes:
                // the officer may approve over a finding, the register does not bend.
                let Some(before) = Self::open_record(tx, ma_so, declaration_id)? else {
                    return Ok(());
                };
                let after = adjusted(&before, &fields);
                Self::upsert_citizen(tx, &after, now)?;
                // Where the password SMS goes moved: the old phone and e-mail are told
                // too, so a take-over does not go unnoticed by the holder.
                let phone_moved = phone_on_file(&before) != phone_on_file(&after);
                let email_moved = before.email.as_deref().map(str::trim) != after.email.as_deref().map(str::trim);
                if phone_moved || email_moved {
                    Self::notify(tx, declaration_id, &before, Notice::ChangedToldOld, now)?;
                }
                Self::notify(tx, declaration_id, &after, Notice::Adjusted, now)?;
            }
            Purpose::Stop => {
                let Some(before) = Self::open_record(tx, ma_so, declaration_id)? else {
                    return Ok(());
                };
                tx.prepare_cached("UPDATE citizens SET account_stopped_at = ?2, updated_at = ?2 WHERE ma_so = ?1")?
                    .execute(params![ma_so, now.to_rfc3339()])?;
                Self::notify(tx, declaration_id, &before, Notice::Stopped, now)?;
            }
        }
        // The account changed: every other waiting declaration of it goes out again
        // with the account as it stands now (the desks re-check them).
        let others: Vec<String> = tx
            .prepare_cached(
                "SELECT id FROM declarations WHERE ma_so = ?1 AND id != ?2 AND status IN ('pending', 'escalated', 'on_hold')",
            )?
            .query_map(params![ma_so, declaration_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in others {
            Self::bump(tx, &id, None, now)?;
        }
        Ok(())
    }

    /// What a declaration on file declares.
    fn declared_fields(tx: &Connection, declaration_id: &str) -> Result<Option<DeclarationFields>, StoreError> {
        let json: Option<String> = tx
            .prepare_cached("SELECT fields_json FROM declarations WHERE id = ?1")?
            .query_row(params![declaration_id], |r| r.get(0))
            .optional()?;
        json.map(|j| serde_json::from_str(&j).map_err(|e| json_err(declaration_id, e))).transpose()
    }

    /// The record of an account that was open when `declaration_id` was submitted
    /// and is open now; None otherwise.
    fn open_record(
        tx: &Connection,
        ma_so: &str,
        declaration_id: &str,
    ) -> Result<Option<DeclarationFields>, StoreError> {
        let row: Option<(Option<String>, Option<String>, String)> = tx
            .prepare_cached(
                "SELECT c.account_created_at, c.account_stopped_at, d.submitted_at
                 FROM citizens c JOIN declarations d ON d.ma_so = c.ma_so WHERE c.ma_so = ?1 AND d.id = ?2",
            )?
            .query_row(params![ma_so, declaration_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((Some(created), None, submitted)) = row else { return Ok(None) };
        if parse_time(&created)? > parse_time(&submitted)? {
            return Ok(None);
        }
        Self::record_fields(tx, ma_so)
    }

    fn record_fields(tx: &Connection, ma_so: &str) -> Result<Option<DeclarationFields>, StoreError> {
        let json: Option<String> = tx
            .prepare_cached("SELECT fields_json FROM citizens WHERE ma_so = ?1")?
            .query_row(params![ma_so], |r| r.get(0))
            .optional()?;
        json.map(|j| serde_json::from_str(&j).map_err(|e| json_err(ma_so, e))).transpose()
    }

    /// Records what the central service sends the citizen on a decision (the real
    /// service texts and mails; the reference server keeps the messages to be read back).
    fn notify(
        tx: &Connection,
        declaration_id: &str,
        to: &DeclarationFields,
        notice: Notice,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let phone = phone_on_file(to).map(|p| p.to_string());
        let email = to.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
        for (channel, address) in [("sms", phone.as_deref()), ("email", email)] {
            let Some(address) = address else { continue };
            tx.prepare_cached(
                "INSERT INTO notices(declaration_id, ma_so, channel, address, kind, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![declaration_id, to.ma_so_bhxh.as_str(), channel, address, notice.code(), now.to_rfc3339()])?;
        }
        Ok(())
    }

    /// Keeps, with an adjustment or a stop being decided, the account as it stood
    /// then: what the officer checked it against, not what the approval made of it.
    pub(super) fn keep_account_as_decided(
        tx: &Connection,
        declaration_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let Some(fields) = Self::declared_fields(tx, declaration_id)? else { return Ok(()) };
        if fields.purpose == Purpose::Register {
            return Ok(());
        }
        let account = Self::account_on_record(tx, fields.ma_so_bhxh.as_str(), declaration_id, now)?;
        let json = account.map(|a| serde_json::to_string(&a)).transpose().map_err(|e| json_err(declaration_id, e))?;
        tx.prepare_cached("UPDATE declarations SET account_json = ?2 WHERE id = ?1")?
            .execute(params![declaration_id, json])?;
        Ok(())
    }

    /// Other open accounts of the register, in the office's province, with the phone
    /// a registration or an adjustment gives (a stop gives none to compare). The
    /// register is compared here, never sent: the office learns only who else holds
    /// the number it was given, and at most a few of them.
    pub(super) fn phone_holders_for(&self, fields: &DeclarationFields) -> Result<Vec<PhoneHolder>, StoreError> {
        const MAX_HOLDERS: u32 = 5;
        if fields.purpose == Purpose::Stop {
            return Ok(Vec::new());
        }
        let Some(phone) = phone_on_file(fields) else { return Ok(Vec::new()) };
        let rows: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT fields_json FROM citizens
                 WHERE phone = ?1 AND ma_so != ?2 AND account_created_at IS NOT NULL AND account_stopped_at IS NULL
                    AND instr(?3, ',' || office_code || ',') > 0
                 ORDER BY ma_so LIMIT ?4",
            )?
            .query_map(
                params![
                    phone.to_string(),
                    fields.ma_so_bhxh.as_str(),
                    province_scope(&fields.office_code),
                    MAX_HOLDERS
                ],
                |r| r.get(0),
            )?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|json| {
                let f: DeclarationFields = serde_json::from_str(&json).map_err(|e| json_err("citizen", e))?;
                Ok(PhoneHolder {
                    ma_so_bhxh: f.ma_so_bhxh.to_string(),
                    parent_ma_so_bhxh: f.parent_ma_so_bhxh.map(|m| m.to_string()),
                })
            })
            .collect()
    }

    /// The account an adjustment or a stop is checked against: as kept when it was
    /// decided, else as the register holds it now. None for a registration.
    pub(super) fn account_for(
        &self,
        declaration_id: &str,
        fields: &DeclarationFields,
    ) -> Result<Option<AccountOnRecord>, StoreError> {
        if fields.purpose == Purpose::Register {
            return Ok(None);
        }
        let kept: Option<String> = self
            .conn
            .prepare_cached("SELECT account_json FROM declarations WHERE id = ?1")?
            .query_row(params![declaration_id], |r| r.get(0))
            .optional()?
            .flatten();
        if let Some(kept) = kept {
            return serde_json::from_str(&kept).map_err(|e| json_err(declaration_id, e));
        }
        // Anyone may name any office on a submission: an account's details go only to
        // offices of its own province (elsewhere the officer sees "no account sent").
        let home = self.citizen_office(fields.ma_so_bhxh.as_str())?;
        let scope = province_scope(&fields.office_code);
        if !home.is_some_and(|h| scope.contains(&format!(",{h},"))) {
            return Ok(None);
        }
        Self::account_on_record(&self.conn, fields.ma_so_bhxh.as_str(), declaration_id, self.clock.now())
    }

    fn account_on_record(
        conn: &Connection,
        ma_so: &str,
        except_declaration: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountOnRecord>, StoreError> {
        let row = conn
            .prepare_cached(
                "SELECT fields_json, account_created_at, account_stopped_at, password_reset_at, pending_benefits
                 FROM citizens WHERE ma_so = ?1",
            )?
            .query_row(params![ma_so], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .optional()?;
        let Some((json, created, stopped, reset, benefits)) = row else { return Ok(None) };
        let f: DeclarationFields = serde_json::from_str(&json).map_err(|e| json_err(ma_so, e))?;
        let pending: i64 = conn
            .prepare_cached(
                "SELECT count(*) FROM declarations WHERE ma_so = ?1 AND id != ?2 AND status IN ('pending', 'escalated', 'on_hold')",
            )?
            .query_row(params![ma_so, except_declaration], |r| r.get(0))?;
        let reset = reset.as_deref().map(parse_time).transpose()?.filter(|t| *t <= now);
        Ok(Some(AccountOnRecord {
            ma_so_bhxh: ma_so.to_owned(),
            active: created.is_some() && stopped.is_none(),
            full_name: f.full_name,
            birth_date: f.birth_date,
            sex: f.sex,
            id_number: f.id_number,
            phone: Some(f.phone).filter(|p| !p.trim().is_empty()),
            email: f.email.filter(|e| !e.trim().is_empty()),
            province: Some(f.address.province).filter(|p| !p.trim().is_empty()),
            parent_ma_so_bhxh: f.parent_ma_so_bhxh.map(|m| m.to_string()),
            password_reset_at: reset,
            pending_declarations: pending.max(0) as u32,
            pending_benefits: benefits.max(0) as u32,
        }))
    }

    /// What the register knows of an account besides its fields (loaded from the
    /// systems that keep them: password resets, benefit claims in progress).
    pub fn set_account_facts(
        &mut self,
        ma_so: &str,
        password_reset_at: Option<DateTime<Utc>>,
        pending_benefits: u32,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE citizens SET password_reset_at = ?2, pending_benefits = ?3 WHERE ma_so = ?1",
            params![ma_so, password_reset_at.map(|t| t.to_rfc3339()), pending_benefits],
        )?;
        Ok(())
    }

    /// The messages sent about `declaration_id`: (channel, address, kind).
    pub fn notices_of(&self, declaration_id: &str) -> Result<Vec<(String, String, String)>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT channel, address, kind FROM notices WHERE declaration_id = ?1 ORDER BY seq")?
            .query_map(params![declaration_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// The account of `ma_so` as the register holds it now (for tests and the admin).
    pub fn account(&self, ma_so: &str) -> Result<Option<AccountOnRecord>, StoreError> {
        Self::account_on_record(&self.conn, ma_so, "", self.clock.now())
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
                "SELECT office_code, fields_json, account_created_at, locked_until, updated_at, account_stopped_at
                 FROM citizens
                 WHERE ma_so = ?1",
            )?
            .query_row(params![ma_so], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .optional()?;
        let Some((office, json, account_at, locked, updated, stopped)) = row else { return Ok(None) };
        let fields: DeclarationFields = serde_json::from_str(&json).map_err(|e| json_err(ma_so, e))?;
        let locked_until = locked.as_deref().map(parse_time).transpose()?;
        let account = account_state(&account_at, &stopped, locked_until, now);
        let event = |at, what, office_code: &str, purpose| RegistrationEvent {
            at,
            what,
            office_code: office_code.to_owned(),
            reasons: vec![],
            purpose,
            changed: vec![],
        };
        let mut history = Vec::new();
        if let Some(at) = &account_at {
            history.push(event(parse_time(at)?, RegistrationEventKind::AccountCreated, &office, Purpose::Register));
        }
        if let Some(at) = &stopped {
            history.push(event(parse_time(at)?, RegistrationEventKind::AccountStopped, &office, Purpose::Stop));
        }
        let declarations: Vec<(String, String, String, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT id, status, submitted_at, office_code, fields_json FROM declarations WHERE ma_so = ?1
                 ORDER BY submitted_at",
            )?
            .query_map(params![ma_so], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut latest = None;
        let mut request = RequestState::None;
        for (id, status, submitted, decl_office, decl_json) in declarations {
            let declared: DeclarationFields = serde_json::from_str(&decl_json).map_err(|e| json_err(&id, e))?;
            let purpose = declared.purpose;
            let changed: Vec<ChangedField> = declared.changes.iter().map(|c| c.field).collect();
            let submitted_at = parse_time(&submitted)?;
            history.push(RegistrationEvent {
                changed: changed.clone(),
                ..event(submitted_at, RegistrationEventKind::Submitted, &decl_office, purpose)
            });
            let assigned: Option<String> = self
                .conn
                .prepare_cached("SELECT at FROM audit WHERE action = 'assign' AND subject = ?1 ORDER BY seq LIMIT 1")?
                .query_row(params![id], |r| r.get(0))
                .optional()?;
            if let Some(at) = assigned {
                history.push(event(parse_time(&at)?, RegistrationEventKind::Assigned, &decl_office, purpose));
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
                    purpose,
                    changed: changed.clone(),
                });
            }
            let status = DeclarationStatus::from_code(&status)
                .ok_or_else(|| StoreError::Corrupt(id.clone(), format!("status {status}")))?;
            if purpose != Purpose::Register {
                // A request made before the account was (re)opened is about an older account.
                let current = account_at.as_deref().map(parse_time).transpose()?.is_none_or(|at| submitted_at >= at);
                if current {
                    request = RequestState::of(purpose, status);
                }
                continue;
            }
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
            request,
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
                "SELECT phone, account_created_at, locked_until, account_stopped_at FROM citizens WHERE ma_so = ?1",
                params![ma_so.as_str()],
                |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                    ))
                },
            )
            .optional()?;
        let Some((on_file, account_at, locked, stopped)) = row else { return Ok(None) };
        let locked_until = locked.as_deref().map(parse_time).transpose()?;
        // A stopped account gets no SMS from 8079 either.
        let registered = !matches!(
            account_state(&account_at, &stopped, locked_until, now),
            AccountState::None | AccountState::Stopped
        );
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
                    "SELECT id FROM declarations WHERE ma_so = ?1 AND status IN ('pending', 'escalated', 'on_hold')
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
