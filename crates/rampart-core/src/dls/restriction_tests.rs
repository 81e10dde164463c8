use serde_json::json;

use super::*;

const X: &str = r#"{"term":{"dept":"x"}}"#;
const Y: &str = r#"{"term":{"dept":"y"}}"#;
const Z: &str = r#"{"term":{"level":"z"}}"#;

fn user() -> UserContext {
    UserContext::named("u")
}

#[test]
fn a_group_without_query_lifts_restriction() {
    let r = DocumentRestriction::from_group_queries([Some(X), None]);
    assert!(r.is_unrestricted());
    assert_eq!(r.to_filter(&user(), None).unwrap(), None);
}

#[test]
fn groups_with_queries_are_ored() {
    let r = DocumentRestriction::from_group_queries([Some(X), Some(Y), Some(X)]);
    assert!(!r.is_unrestricted());
    assert_eq!(
        r.to_filter(&user(), None).unwrap().unwrap(),
        json!({"bool": {"filter": [{"bool": {
            "should": [{"term": {"dept": "x"}}, {"term": {"dept": "y"}}],
            "minimum_should_match": 1
        }}]}})
    );
}

#[test]
fn api_key_sides_are_anded() {
    let key = DocumentRestriction::any_of([X]);
    let owner = DocumentRestriction::any_of([Z]);
    let r = key.and(owner);
    assert_eq!(r.clauses().count(), 2);
    let filter = r.to_filter(&user(), None).unwrap().unwrap();
    assert_eq!(filter["bool"]["filter"].as_array().unwrap().len(), 2);
    // an unrestricted side imposes nothing
    let r = DocumentRestriction::any_of([X]).and(DocumentRestriction::unrestricted());
    assert_eq!(r, DocumentRestriction::any_of([X]));
}

#[test]
fn or_distributes_and_absorbs() {
    let both = DocumentRestriction::any_of([X]).and(DocumentRestriction::any_of([Z]));
    let r = both.clone().or(DocumentRestriction::any_of([Y]));
    let clauses: Vec<Vec<&str>> = r
        .clauses()
        .map(|c| c.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(clauses.len(), 2);
    assert!(clauses.iter().all(|c| c.contains(&Y)));
    assert!(
        both.clone()
            .or(DocumentRestriction::unrestricted())
            .is_unrestricted()
    );
    assert!(
        DocumentRestriction::unrestricted()
            .or(both.clone())
            .is_unrestricted()
    );
    // X ∧ (X ∨ Y) = X
    let absorbed = DocumentRestriction::any_of([X]).and(DocumentRestriction::any_of([X, Y]));
    assert_eq!(absorbed, DocumentRestriction::any_of([X]));
    // A ∨ A = A
    assert_eq!(both.clone().or(both.clone()), both);
}

#[test]
fn empty_clause_matches_nothing() {
    let r = DocumentRestriction::any_of(Vec::<String>::new());
    assert!(!r.is_unrestricted());
    assert_eq!(
        r.to_filter(&user(), None).unwrap().unwrap(),
        json!({"bool": {"filter": [{"match_none": {}}]}})
    );
}

#[test]
fn one_bad_query_fails_the_whole_filter() {
    let r = DocumentRestriction::any_of([X, r#"{"template":{"source":"{{#x}}"}}"#]);
    assert!(r.to_filter(&user(), None).is_err());
    let r = DocumentRestriction::any_of([X, "not json"]);
    assert!(r.to_filter(&user(), None).is_err());
}

#[test]
fn templates_render_per_user() {
    let t = r#"{"template":{"source":{"term":{"owner":"{{_user.username}}"}}}}"#;
    let r = DocumentRestriction::any_of([t]);
    let got = r
        .to_filter(&UserContext::named("bob"), None)
        .unwrap()
        .unwrap();
    assert_eq!(
        got["bool"]["filter"][0]["bool"]["should"][0],
        json!({"term": {"owner": "bob"}})
    );
}

fn side(queries: &[&str]) -> Option<std::collections::BTreeSet<String>> {
    Some(queries.iter().map(|q| q.to_string()).collect())
}

#[test]
fn from_access_ands_sides_and_ors_within() {
    use crate::authz::DocumentAccess;
    // a plain role: one side, its queries ORed
    let plain = DocumentAccess {
        sides: vec![side(&[X, Y])],
    };
    assert_eq!(
        DocumentRestriction::from_access(&plain),
        DocumentRestriction::any_of([X, Y])
    );
    // an API key: both sides must hold
    let key = DocumentAccess {
        sides: vec![side(&[X]), side(&[Z])],
    };
    let r = DocumentRestriction::from_access(&key);
    assert_eq!(
        r,
        DocumentRestriction::any_of([X]).and(DocumentRestriction::any_of([Z]))
    );
    assert_eq!(r.clauses().count(), 2);
    // a side of None adds no clause
    let half = DocumentAccess {
        sides: vec![None, side(&[Z])],
    };
    let r = DocumentRestriction::from_access(&half);
    assert_eq!(r, DocumentRestriction::any_of([Z]));
    assert_eq!(r.clauses().count(), 1);
    for free in [
        DocumentAccess::default(),
        DocumentAccess {
            sides: vec![None, None],
        },
    ] {
        let r = DocumentRestriction::from_access(&free);
        assert!(r.is_unrestricted());
        assert_eq!(r.to_filter(&user(), None).unwrap(), None);
    }
    // clauses implied by a smaller one are dropped: X ∧ (X ∨ Y) = X
    let absorbed = DocumentAccess {
        sides: vec![side(&[X, Y]), side(&[X])],
    };
    assert_eq!(
        DocumentRestriction::from_access(&absorbed),
        DocumentRestriction::any_of([X])
    );
    // a side with no query at all matches nothing
    let none = DocumentAccess {
        sides: vec![side(&[]), side(&[X])],
    };
    let r = DocumentRestriction::from_access(&none);
    assert_eq!(
        r.to_filter(&user(), None).unwrap().unwrap(),
        json!({"bool": {"filter": [{"match_none": {}}]}})
    );
}
