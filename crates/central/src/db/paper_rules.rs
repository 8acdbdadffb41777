//! The office's paper-form rule: which declarations it approves only with the
//! signed paper Mẫu 01, set by its supervisor.

use super::{Store, StoreError};
use bhxh_domain::{PaperCase, PaperRule};
use bhxh_protocol::{PaperRuleState, UserInfo};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

pub const MIGRATION: &str = "
    CREATE TABLE paper_rules (
        office_code TEXT PRIMARY KEY,
        -- The PaperRule as JSON.
        rule_json TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );";

impl Store {
    /// The office's rule; an office that never set one accepts the electronic form alone.
    pub fn paper_rule(&self, office: &str) -> Result<PaperRuleState, StoreError> {
        let row: Option<(String, String, String)> = self
            .conn
            .prepare_cached("SELECT rule_json, updated_by, updated_at FROM paper_rules WHERE office_code = ?1")?
            .query_row([office], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((json, by, at)) = row else {
            return Ok(PaperRuleState {
                office_code: office.to_owned(),
                rule: PaperRule::default(),
                updated_by: None,
                updated_at: None,
            });
        };
        let rule: PaperRule = serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("paper rule {office}"), e.to_string()))?;
        let at = DateTime::parse_from_rfc3339(&at)
            .map_err(|e| StoreError::Corrupt(format!("paper rule {office}"), e.to_string()))?
            .with_timezone(&Utc);
        Ok(PaperRuleState { office_code: office.to_owned(), rule, updated_by: Some(by), updated_at: Some(at) })
    }

    /// Whether the office's rule wants the paper form for `case`.
    pub fn paper_required(&self, office: &str, case: PaperCase) -> Result<bool, StoreError> {
        Ok(self.paper_rule(office)?.rule.requires(case))
    }

    /// Keeps the supervisor's rule for their office; audited with the cases it names.
    pub fn set_paper_rule(
        &mut self,
        supervisor: &UserInfo,
        rule: PaperRule,
        now: DateTime<Utc>,
    ) -> Result<PaperRuleState, StoreError> {
        let rule = rule.normalised();
        let json = serde_json::to_string(&rule)
            .map_err(|e| StoreError::Corrupt(format!("paper rule {}", supervisor.office_code), e.to_string()))?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO paper_rules(office_code, rule_json, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(office_code) DO UPDATE SET rule_json = ?2, updated_by = ?3, updated_at = ?4",
            params![supervisor.office_code, json, supervisor.username, now.to_rfc3339()],
        )?;
        let detail = rule
            .required
            .iter()
            .map(|c| format!("{}/{}/{}", c.purpose.code(), c.kind.code(), c.channel.code()))
            .collect::<Vec<_>>()
            .join(",");
        Self::audit(&tx, now, &supervisor.username, "paper_rule", &supervisor.office_code, &detail)?;
        tx.commit()?;
        self.paper_rule(&supervisor.office_code)
    }
}
