//! Pattern queries on `_index`, Elasticsearch's index-name field: the name is a constant of
//! each index, so a `prefix` or `wildcard` on it matches every document of the index or none
//! (a gateway in front scopes its filters by index name with them).

/// Whether `name` matches the `wildcard` pattern: `*` is any string, `?` any one character,
/// `\` escapes the next character.
pub(super) fn wildcard_matches(pattern: &str, name: &str, case_insensitive: bool) -> bool {
    let fold = |s: &str| {
        if case_insensitive {
            s.to_lowercase()
        } else {
            s.to_owned()
        }
    };
    let pattern: Vec<Token> = tokens(&fold(pattern));
    let name: Vec<char> = fold(name).chars().collect();
    glob(&pattern, &name)
}

/// Two-pointer wildcard matching: on a mismatch, the last `*` takes one more character.
fn glob(pattern: &[Token], name: &[char]) -> bool {
    let (mut p, mut n) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some(Token::Any) => {
                star = Some((p, n));
                p += 1;
            }
            Some(Token::One) => {
                p += 1;
                n += 1;
            }
            Some(Token::Char(c)) if name.get(n) == Some(c) => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((star_p, star_n)) => {
                    p = star_p + 1;
                    n = star_n + 1;
                    star = Some((star_p, star_n + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|t| *t == Token::Any))
}

/// Whether `name` starts with `prefix`.
pub(super) fn prefix_matches(prefix: &str, name: &str, case_insensitive: bool) -> bool {
    if case_insensitive {
        name.to_lowercase().starts_with(&prefix.to_lowercase())
    } else {
        name.starts_with(prefix)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    Any,
    One,
    Char(char),
}

fn tokens(pattern: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '*' => Token::Any,
            '?' => Token::One,
            '\\' => Token::Char(chars.next().unwrap_or('\\')),
            other => Token::Char(other),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_index_names_as_elasticsearch_does() {
        assert!(wildcard_matches("*", "logs-1", false));
        assert!(wildcard_matches("logs-*", "logs-1", false));
        assert!(wildcard_matches("l?gs-*1", "logs-2021", false));
        assert!(wildcard_matches("*-1", "logs-1", false));
        assert!(wildcard_matches("**", "", false));
        assert!(!wildcard_matches("logs-?", "logs-10", false));
        assert!(!wildcard_matches("metrics-*", "logs-1", false));
        assert!(wildcard_matches(r"logs\*", "logs*", false));
        assert!(!wildcard_matches(r"logs\*", "logs-1", false));
        assert!(wildcard_matches("LOGS-*", "logs-1", true));
        assert!(!wildcard_matches("LOGS-*", "logs-1", false));
    }

    #[test]
    fn prefixes_match_index_names() {
        assert!(prefix_matches("logs", "logs-1", false));
        assert!(!prefix_matches("LOGS", "logs-1", false));
        assert!(prefix_matches("LOGS", "logs-1", true));
        assert!(!prefix_matches("metrics", "logs-1", false));
    }
}
