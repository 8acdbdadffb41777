//! The helpdesk's copy of the office's citizens, for finding a caller in a second,
//! with or without the network. What the central service sends is masked (no full
//! phone, email or ID number, and nothing derived from one); it is sealed here all
//! the same. So this copy finds people by mã số (a row's key, keyed with the data
//! key) and by name; a phone or ID number is looked up by the central service.
//!
//! Names go through an in-memory index (folded name, birth year) built from a small
//! sealed column on the first name search after the cache opens, and rebuilt when
//! the directory changes.

use crate::{Cache, CacheError};
use bhxh_domain::MaSoBhxh;
use bhxh_domain::helpdesk::LookupKey;
use bhxh_domain::helpdesk::query::{self, SearchQuery};
use bhxh_protocol::{CitizenEntry, NewCall};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

/// A person found, and whether by an exact identifier (ranked first).
#[derive(Debug, Clone)]
pub struct DirectoryHit {
    pub entry: CitizenEntry,
    pub exact: bool,
}

/// Folded names sorted for prefix search.
#[derive(Debug, Default)]
pub struct NameIndex {
    names: Vec<(String, i32, i64)>,
}

impl NameIndex {
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Rows whose folded name starts with `prefix` (equal names first), of `year` if given.
    fn find(&self, prefix: &str, year: Option<i32>, limit: usize) -> Vec<i64> {
        let start = self.names.partition_point(|(n, _, _)| n.as_str() < prefix);
        let mut exact = Vec::new();
        let mut starts = Vec::new();
        for (name, y, row) in self.names[start..].iter().take_while(|(n, _, _)| n.starts_with(prefix)) {
            if year.is_some_and(|want| want != *y) {
                continue;
            }
            // A whole word: "tran thi bich" before "tran thi bich ngoc".
            if name.len() == prefix.len() {
                exact.push(*row);
            } else if starts.len() < limit {
                starts.push(*row);
            }
            if exact.len() >= limit {
                break;
            }
        }
        exact.extend(starts);
        exact.truncate(limit);
        exact
    }
}

/// A call noted here, waiting for (or already given to) the central service.
#[derive(Debug, Clone)]
pub struct PendingCall {
    pub ma_so: MaSoBhxh,
    pub call: NewCall,
    pub sent: bool,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CallBody {
    ma_so: MaSoBhxh,
    call: NewCall,
}

/// A directory row's key: the mã số keyed with the data key (the mã số is on the
/// card the agent reads; the key only keeps a copied file from listing them).
fn ma_so_key(key: &crate::DataKey, ma_so: &MaSoBhxh) -> String {
    key.index_token(&LookupKey::MaSo(ma_so.clone()).canonical())
}

impl Cache {
    /// Files one page of the directory sync `generation` (rows not seen again by the
    /// end of the sync are dropped by [`Self::finish_directory`]).
    pub fn apply_directory_page(
        &mut self,
        generation: i64,
        items: &[CitizenEntry],
        next_after: Option<&str>,
    ) -> Result<(), CacheError> {
        let tx = self.conn.transaction()?;
        for e in items {
            let ma_so_key = ma_so_key(&self.key, &e.ma_so_bhxh);
            let json =
                serde_json::to_vec(e).map_err(|err| CacheError::Corrupt(e.ma_so_bhxh.to_string(), err.to_string()))?;
            let name = format!("{}\t{}", bhxh_domain::fold::fold(&e.full_name), chrono::Datelike::year(&e.birth_date));
            let row: i64 = tx
                .prepare_cached(
                    "INSERT INTO directory(ma_so_key, body, name_key, generation) VALUES (?1, x'', x'', ?2)
                     ON CONFLICT(ma_so_key) DO UPDATE SET generation = ?2 RETURNING row",
                )?
                .query_row(params![ma_so_key, generation], |r| r.get(0))?;
            let id = row.to_string();
            tx.prepare_cached("UPDATE directory SET body = ?2, name_key = ?3 WHERE row = ?1")?.execute(params![
                row,
                self.key.seal(&crate::aad("directory", &id), &json),
                self.key.seal(&crate::aad("directory_name", &id), name.as_bytes()),
            ])?;
        }
        match next_after {
            Some(a) => tx.execute(
                "INSERT INTO meta(key, value) VALUES ('directory.after', ?1) ON CONFLICT(key) DO UPDATE SET value = ?1",
                [a],
            )?,
            None => tx.execute("DELETE FROM meta WHERE key = 'directory.after'", [])?,
        };
        tx.commit()?;
        self.name_index = None;
        Ok(())
    }

    /// Where an interrupted directory sync resumes: (generation, after).
    pub fn directory_resume(&self) -> Result<Option<(i64, String)>, CacheError> {
        let generation = self.meta("directory.generation")?.and_then(|g| g.parse().ok());
        Ok(generation.zip(self.meta("directory.after")?))
    }

    pub fn start_directory(&self, generation: i64) -> Result<(), CacheError> {
        self.set_meta("directory.generation", &generation.to_string())
    }

    /// Ends a complete directory sync: people no longer in the office's directory go.
    pub fn finish_directory(&mut self, generation: i64) -> Result<u64, CacheError> {
        let tx = self.conn.transaction()?;
        let gone = tx.execute("DELETE FROM directory WHERE generation < ?1", [generation])?;
        tx.execute("DELETE FROM meta WHERE key IN ('directory.generation', 'directory.after')", [])?;
        tx.commit()?;
        if gone > 0 {
            self.name_index = None;
        }
        Ok(gone as u64)
    }

    pub fn directory_count(&self) -> Result<u64, CacheError> {
        Ok(self.conn.query_row("SELECT count(*) FROM directory", [], |r| r.get::<_, i64>(0))? as u64)
    }

    fn directory_row(&self, row: i64) -> Result<Option<CitizenEntry>, CacheError> {
        let body: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT body FROM directory WHERE row = ?1")?
            .query_row([row], |r| r.get(0))
            .optional()?;
        body.map(|b| {
            let id = row.to_string();
            let json = self.open_sealed("directory", &id, &b)?;
            serde_json::from_slice(&json).map_err(|e| CacheError::Corrupt(format!("directory {id}"), e.to_string()))
        })
        .transpose()
    }

    /// Builds the in-memory name index if it is not there (one pass over the sealed names).
    pub fn ensure_name_index(&mut self) -> Result<usize, CacheError> {
        if let Some(ix) = &self.name_index {
            return Ok(ix.len());
        }
        let mut names = Vec::new();
        {
            let mut stmt = self.conn.prepare("SELECT row, name_key FROM directory")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let row: i64 = r.get(0)?;
                let sealed: Vec<u8> = r.get(1)?;
                let plain = self.open_sealed("directory_name", &row.to_string(), &sealed)?;
                let text = String::from_utf8_lossy(&plain);
                let (name, year) = text.split_once('\t').unwrap_or((&text, "0"));
                names.push((name.to_owned(), year.parse().unwrap_or(0), row));
            }
        }
        names.sort_unstable();
        let n = names.len();
        self.name_index = Some(NameIndex { names });
        Ok(n)
    }

    /// The search box: a mã số first, then names (equal, then starting with what was
    /// typed), at most `limit`. Phone and ID numbers find nobody here: only the
    /// central service can answer them.
    pub fn search_directory(&mut self, raw: &str, limit: usize) -> Result<Vec<DirectoryHit>, CacheError> {
        let q = query::parse(raw);
        self.search_parsed(&q, limit)
    }

    pub fn search_parsed(&mut self, q: &SearchQuery, limit: usize) -> Result<Vec<DirectoryHit>, CacheError> {
        let mut rows: Vec<(i64, bool)> = Vec::new();
        for key in &q.keys {
            let LookupKey::MaSo(m) = key else { continue };
            let row: Option<i64> = self
                .conn
                .prepare_cached("SELECT row FROM directory WHERE ma_so_key = ?1")?
                .query_row([ma_so_key(&self.key, m)], |r| r.get(0))
                .optional()?;
            if let Some(row) = row.filter(|row| !rows.iter().any(|(r, _)| r == row)) {
                rows.push((row, true));
            }
        }
        if let Some(name) = &q.name {
            self.ensure_name_index()?;
            if let Some(ix) = &self.name_index {
                for row in ix.find(&name.folded, name.birth_year, limit) {
                    if !rows.iter().any(|(r, _)| *r == row) {
                        rows.push((row, false));
                    }
                }
            }
        }
        rows.truncate(limit);
        let mut out = Vec::with_capacity(rows.len());
        for (row, exact) in rows {
            if let Some(entry) = self.directory_row(row)? {
                out.push(DirectoryHit { entry, exact });
            }
        }
        Ok(out)
    }

    /// One person by mã số.
    pub fn directory_entry(&self, ma_so: &MaSoBhxh) -> Result<Option<CitizenEntry>, CacheError> {
        let row: Option<i64> = self
            .conn
            .query_row("SELECT row FROM directory WHERE ma_so_key = ?1", [ma_so_key(&self.key, ma_so)], |r| r.get(0))
            .optional()?;
        row.map(|r| self.directory_row(r)).transpose().map(Option::flatten)
    }

    /// Notes a call: kept here (sealed, audited) until the central service has it.
    pub fn note_call(&mut self, agent: &str, ma_so: &MaSoBhxh, call: &NewCall) -> Result<(), CacheError> {
        let body = serde_json::to_vec(&CallBody { ma_so: ma_so.clone(), call: call.clone() })
            .map_err(|e| CacheError::Corrupt(call.id.clone(), e.to_string()))?;
        let ma_so_key = ma_so_key(&self.key, ma_so);
        let sealed = self.key.seal(&crate::aad("call", &call.id), &body);
        self.durably(|c| {
            let tx = c.conn.transaction()?;
            tx.execute(
                "INSERT INTO calls_outbox(id, body, ma_so_key, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![call.id, sealed, ma_so_key, call.at.to_rfc3339()],
            )?;
            crate::audit::append(&tx, &c.audit_key, call.at, agent, crate::audit::Action::Call, &call.id, &call.topic)?;
            tx.commit()?;
            Ok(())
        })
    }

    fn open_call(&self, id: &str, sealed: &[u8]) -> Result<CallBody, CacheError> {
        let plain = self.open_sealed("call", id, sealed)?;
        serde_json::from_slice(&plain).map_err(|e| CacheError::Corrupt(id.to_owned(), e.to_string()))
    }

    /// Gives the calls whose key a migration cleared their key again, from their
    /// sealed body (once; nothing to do on later openings).
    pub(crate) fn fill_call_keys(&self) -> Result<(), CacheError> {
        let rows: Vec<(String, Vec<u8>)> = self
            .conn
            .prepare("SELECT id, body FROM calls_outbox WHERE ma_so_key = ''")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, body) in rows {
            let call = self.open_call(&id, &body)?;
            self.conn.execute(
                "UPDATE calls_outbox SET ma_so_key = ?2 WHERE id = ?1",
                params![id, ma_so_key(&self.key, &call.ma_so)],
            )?;
        }
        Ok(())
    }

    /// Calls not yet accepted by the central service, oldest first.
    pub fn calls_due(&self, limit: u32) -> Result<Vec<PendingCall>, CacheError> {
        let rows: Vec<(String, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT id, body FROM calls_outbox WHERE sent_at IS NULL ORDER BY created_at LIMIT ?1")?
            .query_map([limit], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        rows.iter()
            .map(|(id, b)| self.open_call(id, b).map(|c| PendingCall { ma_so: c.ma_so, call: c.call, sent: false }))
            .collect()
    }

    pub fn call_sent(&self, id: &str, now: DateTime<Utc>) -> Result<(), CacheError> {
        self.conn.execute("UPDATE calls_outbox SET sent_at = ?2 WHERE id = ?1", params![id, now.to_rfc3339()])?;
        Ok(())
    }

    pub fn call_failed(&self, id: &str, error: &str) -> Result<(), CacheError> {
        self.conn.execute(
            "UPDATE calls_outbox SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
            params![id, error],
        )?;
        Ok(())
    }

    pub fn calls_waiting(&self) -> Result<u32, CacheError> {
        Ok(self.conn.query_row("SELECT count(*) FROM calls_outbox WHERE sent_at IS NULL", [], |r| r.get(0))?)
    }

    /// Calls noted on this PC about `ma_so` (sent or not), newest first.
    pub fn calls_noted_here(&self, ma_so: &MaSoBhxh) -> Result<Vec<PendingCall>, CacheError> {
        let rows: Vec<(String, Vec<u8>, Option<String>)> = self
            .conn
            .prepare_cached("SELECT id, body, sent_at FROM calls_outbox WHERE ma_so_key = ?1 ORDER BY created_at DESC")?
            .query_map([ma_so_key(&self.key, ma_so)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        rows.iter()
            .map(|(id, b, sent)| {
                self.open_call(id, b).map(|c| PendingCall { ma_so: c.ma_so, call: c.call, sent: sent.is_some() })
            })
            .collect()
    }
}
