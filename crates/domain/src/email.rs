//! Email addresses: a plausible shape, not RFC 5322 in full (the central service
//! sends OTPs there; a typo is what we want to catch).

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an email address: {0:?}")]
pub struct EmailError(pub String);

impl EmailError {
    pub fn message_vi(&self) -> String {
        "Địa chỉ thư điện tử không đúng định dạng (ví dụ: ten@gmail.com).".into()
    }
}

impl std::str::FromStr for Email {
    type Err = EmailError;
    fn from_str(raw: &str) -> Result<Self, EmailError> {
        let s = raw.trim();
        let err = || EmailError(raw.to_owned());
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(err)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_ascii_alphanumeric() || "._%+-'".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        if local_ok && domain_ok { Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase()))) } else { Err(err()) }
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_table() {
        for (input, ok) in [
            ("nguyenvanan83@gmail.com", true),
            ("  an.nguyen+bhxh@Example.COM ", true),
            ("thu.ha@bhxh.gov.vn", true),
            ("an@gmail", false),
            ("an@@gmail.com", false),
            ("an gmail.com", false),
            ("an@gmail..com", false),
            (".an@gmail.com", false),
            ("an@-gmail.com", false),
            ("nguyễn@gmail.com", false),
            ("an@gmail.c0m", false),
            ("", false),
        ] {
            assert_eq!(input.parse::<Email>().is_ok(), ok, "{input:?}");
        }
        assert_eq!("an@Example.COM".parse::<Email>().map(|e| e.to_string()), Ok("an@example.com".into()));
    }
}
