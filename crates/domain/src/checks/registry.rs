//! What is known about other declarations and accounts: the cached queue and the
//! accounts the central service reports. Indexed for the duplicate and phone rules.

use crate::DeclarationStatus;
use chrono::NaiveDate;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct RegistryEntry {
    pub declaration_id: String,
    pub ma_so: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub status: DeclarationStatus,
    pub is_child: bool,
    /// For a child's declaration: the parent's (or guardian's) mã số it goes through.
    pub parent_ma_so: Option<String>,
}

#[derive(Debug, Default)]
pub struct Registry {
    entries: Vec<RegistryEntry>,
    by_ma_so: HashMap<String, Vec<usize>>,
    by_phone: HashMap<String, Vec<usize>>,
    by_id_number: HashMap<String, Vec<usize>>,
}

impl Registry {
    pub fn new(entries: Vec<RegistryEntry>) -> Self {
        let mut r = Registry { entries, ..Default::default() };
        for (i, e) in r.entries.iter().enumerate() {
            r.by_ma_so.entry(e.ma_so.clone()).or_default().push(i);
            if let Some(p) = e.phone.as_ref().and_then(|p| crate::PhoneVn::parse(p).ok()) {
                r.by_phone.entry(p.phone.as_str().to_owned()).or_default().push(i);
            }
            if let Some(n) = &e.id_number {
                r.by_id_number.entry(n.clone()).or_default().push(i);
            }
        }
        r
    }

    fn lookup<'a>(
        &'a self,
        index: &'a HashMap<String, Vec<usize>>,
        key: &str,
    ) -> impl Iterator<Item = &'a RegistryEntry> {
        index.get(key).into_iter().flatten().map(|&i| &self.entries[i])
    }

    pub fn with_ma_so(&self, ma_so: &str) -> impl Iterator<Item = &RegistryEntry> {
        self.lookup(&self.by_ma_so, ma_so)
    }

    /// Entries whose phone normalises to `phone` (national form).
    pub fn with_phone(&self, phone: &str) -> impl Iterator<Item = &RegistryEntry> {
        self.lookup(&self.by_phone, phone)
    }

    pub fn with_id_number(&self, id: &str) -> impl Iterator<Item = &RegistryEntry> {
        self.lookup(&self.by_id_number, id)
    }
}
