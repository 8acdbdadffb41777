//! Contact details as the helpdesk may see them: enough to say "the number ending in
//! 123", never enough to give the number away.

/// `0912345123` → `09xx xxx 123`.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 6 {
        return "x".repeat(digits.len());
    }
    let head: String = digits[..2].iter().collect();
    let tail: String = digits[digits.len() - 3..].iter().collect();
    format!("{head}xx xxx {tail}")
}

/// `nguyenvan@gmail.com` → `n***@gmail.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

/// The last three characters of an ID number, the rest starred: the agent can ask
/// the caller to confirm them, no more.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let keep = chars.len().min(3);
    let tail: String = chars[chars.len() - keep..].iter().collect();
    format!("{}{tail}", "*".repeat(chars.len() - keep))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_only_what_the_agent_may_read_out() {
        assert_eq!(mask_phone("0912345123"), "09xx xxx 123");
        assert_eq!(mask_phone("123"), "xxx");
        assert_eq!(mask_email("nguyenvan@gmail.com"), "n***@gmail.com");
        assert_eq!(mask_email("broken"), "***");
        assert_eq!(mask_id_number("079212345678"), "*********678");
        assert_eq!(mask_id_number("12"), "12");
        for (full, masked) in
            [("0912345123", mask_phone("0912345123")), ("079212345678", mask_id_number("079212345678"))]
        {
            assert!(!masked.contains(&full[2..full.len() - 3]));
        }
    }
}
