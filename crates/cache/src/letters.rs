//! Letter numbers asked of the central service's register and not yet in a
//! written letter. A number is noted before it is asked for, cleared once its
//! letter's PDF is on disk, and otherwise voided in the register — at once, or at
//! a later sync when the network or the app went away in between. No number is
//! left taken without its letter or its void.

use crate::{Cache, CacheError, audit};
use chrono::{DateTime, Utc};
use rusqlite::params;

/// A number asked for whose letter was not written (or not yet known to be).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnwrittenLetter {
    /// The request's id at the register (`LetterNumberRequest::id`).
    pub id: String,
    pub unit_code: String,
    pub asked_at: DateTime<Utc>,
    /// Why its letter was not written; `None` while the letters may still be in the making.
    pub reason: Option<String>,
}

impl Cache {
    /// Notes a number about to be asked for, before the request leaves.
    pub fn letter_number_asked(&mut self, id: &str, unit_code: &str, now: DateTime<Utc>) -> Result<(), CacheError> {
        self.durably(|c| {
            c.conn.execute(
                "INSERT INTO letter_numbers(id, unit_code, asked_at) VALUES (?1, ?2, ?3) ON CONFLICT(id) DO NOTHING",
                params![id, unit_code, now.to_rfc3339()],
            )?;
            Ok(())
        })
    }

    /// The letters holding these numbers are written: nothing to void.
    pub fn letters_written(&mut self, ids: &[String]) -> Result<(), CacheError> {
        self.durably(|c| {
            let tx = c.conn.transaction()?;
            for id in ids {
                tx.execute("DELETE FROM letter_numbers WHERE id = ?1", [id])?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// These numbers' letters will not be written, for `reason`: they are to be voided.
    pub fn letters_not_written(&mut self, ids: &[String], reason: &str) -> Result<(), CacheError> {
        self.durably(|c| {
            let tx = c.conn.transaction()?;
            for id in ids {
                tx.execute("UPDATE letter_numbers SET reason = ?2 WHERE id = ?1", params![id, reason])?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// Every number not in a written letter, oldest first.
    pub fn unwritten_letters(&self) -> Result<Vec<UnwrittenLetter>, CacheError> {
        let rows: Vec<(String, String, String, Option<String>)> = self
            .conn
            .prepare("SELECT id, unit_code, asked_at, reason FROM letter_numbers ORDER BY asked_at, id")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|(id, unit_code, asked_at, reason)| {
                let asked_at = DateTime::parse_from_rfc3339(&asked_at)
                    .map_err(|e| CacheError::Corrupt(id.clone(), e.to_string()))?
                    .with_timezone(&Utc);
                Ok(UnwrittenLetter { id, unit_code, asked_at, reason })
            })
            .collect()
    }

    /// The register has the number voided (`reference`, audited here), or never gave
    /// it (`None`, the request did not arrive): either way nothing is left to do.
    pub fn letter_number_settled(
        &mut self,
        letter: &UnwrittenLetter,
        reference: Option<&str>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(), CacheError> {
        self.durably(|c| {
            let tx = c.conn.transaction()?;
            tx.execute("DELETE FROM letter_numbers WHERE id = ?1", [&letter.id])?;
            if let Some(reference) = reference {
                let detail = format!("voided {reference}");
                audit::append(&tx, &c.audit_key, now, actor, audit::Action::Letter, &letter.unit_code, &detail)?;
            }
            tx.commit()?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::Cache;
    use crate::crypto::DataKey;
    use chrono::{Duration, Utc};

    #[test]
    fn a_number_is_kept_until_its_letter_is_written_or_it_is_voided() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut cache = Cache::open(dir.path(), DataKey::generate()).expect("open");
        let now = Utc::now();
        for (i, id) in ["a", "b", "c"].into_iter().enumerate() {
            cache.letter_number_asked(id, "SQ0007Q", now + Duration::seconds(i as i64)).expect("asked");
        }
        cache.letter_number_asked("a", "SQ0007Q", now + Duration::hours(1)).expect("asked twice");
        cache.letters_written(&["b".into()]).expect("written");
        cache.letters_not_written(&["c".into()], "pdf").expect("not written");
        let left = cache.unwritten_letters().expect("list");
        assert_eq!(
            left.iter().map(|l| (l.id.as_str(), l.reason.as_deref())).collect::<Vec<_>>(),
            [("a", None), ("c", Some("pdf"))]
        );
        assert_eq!(left[0].asked_at.timestamp(), now.timestamp(), "the first ask counts");
        cache.letter_number_settled(&left[1], Some("7/BHXH-THU"), "giamsat.07916", now).expect("settled");
        cache.letter_number_settled(&left[0], None, "giamsat.07916", now).expect("settled");
        assert!(cache.unwritten_letters().expect("list").is_empty());
        let voids: Vec<String> = cache
            .conn
            .prepare("SELECT detail FROM audit WHERE action = 'letter'")
            .expect("sql")
            .query_map([], |r| r.get(0))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        assert_eq!(voids, ["voided 7/BHXH-THU"], "a void is audited, a number never given is not");
        assert!(cache.verify_audit().expect("audit").first_broken.is_none());
    }
}
