//! `{name}` placeholders in texts an office may edit (helpdesk scripts, letter
//! templates): found for checking, filled for reading out or printing.

/// The `{name}` placeholders in `text`.
pub fn names(text: &str) -> impl Iterator<Item = &str> {
    text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

/// Replaces each `{name}` that `value` answers for; any other brace stays as written.
pub fn fill(text: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.split_once('}').and_then(|(name, tail)| value(name).map(|v| (v, tail))) {
            Some((v, tail)) => {
                out.push_str(&v);
                rest = tail;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_and_filling() {
        assert_eq!(super::names("a {x} b {y} {unclosed").collect::<Vec<_>>(), ["x", "y"]);
        let v = |n: &str| (n == "x").then(|| "1".to_owned());
        assert_eq!(super::fill("{x}+{y}={x}", v), "1+{y}=1");
    }
}
