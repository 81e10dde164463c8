//! "did you mean" suggestions for unknown names, as Elasticsearch words them.

/// `unknown query [<name>]`, followed by close matches among `candidates` when there are any.
pub(crate) fn unknown_query_message(name: &str, candidates: &[&str]) -> String {
    format!("unknown query [{name}]{}", did_you_mean(name, candidates))
}

/// Candidates whose normalised edit similarity to `input` exceeds one half, best first.
fn did_you_mean(input: &str, candidates: &[&str]) -> String {
    let mut scored: Vec<(f32, &str)> = candidates
        .iter()
        .map(|candidate| (similarity(input, candidate), *candidate))
        .filter(|(score, _)| *score > 0.5)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    match scored.as_slice() {
        [] => String::new(),
        [(_, only)] => format!(" did you mean [{only}]?"),
        many => {
            let names: Vec<&str> = many.iter().map(|(_, name)| *name).collect();
            format!(" did you mean any of [{}]?", names.join(", "))
        }
    }
}

/// 1 − edit distance / longer length, over characters.
fn similarity(a: &str, b: &str) -> f32 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 1.0;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous.get(j).copied().unwrap_or(0) + usize::from(ca != cb);
            let delete = previous.get(j + 1).copied().unwrap_or(0) + 1;
            let insert = current.last().copied().unwrap_or(0) + 1;
            current.push(substitute.min(delete).min(insert));
        }
        previous = current;
    }
    let distance = previous.last().copied().unwrap_or(longest);
    1.0 - distance as f32 / longest as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            unknown_query_message("mach", &["match", "term", "range"]),
            "unknown query [mach] did you mean [match]?"
        );
        assert_eq!(
            unknown_query_message("zzzzzz", &["match", "term"]),
            "unknown query [zzzzzz]"
        );
        assert_eq!(
            unknown_query_message("terma", &["term", "terms", "range"]),
            "unknown query [terma] did you mean any of [term, terms]?"
        );
    }

    #[test]
    fn similarity_is_normalised() {
        assert!((similarity("abc", "abc") - 1.0).abs() < f32::EPSILON);
        assert!((similarity("abcd", "abce") - 0.75).abs() < f32::EPSILON);
        assert!(similarity("", "") > 0.99);
    }
}
