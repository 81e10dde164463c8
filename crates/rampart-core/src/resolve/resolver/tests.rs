//! Section 5 of authorization.md, example by example. Role: `read` on `logs-*`.

use super::*;
use crate::error::EsError;
use crate::resolve::{ExpandWildcards, IndexSpec, simple_match};
use chrono::TimeZone;

const SEARCH: &str = "indices:data/read/search";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap()
}

fn cluster() -> IndexMetadata {
    IndexMetadata::builder()
        .index("logs-a")
        .index("logs-b")
        .index("secret")
        .index(IndexSpec::new("logs-closed").closed())
        .index(IndexSpec::new("logs-hidden").hidden())
        .index(IndexSpec::new(".logs-dot-hidden").hidden())
        .index("logs-2024.05.01")
        .build()
        .unwrap()
}

fn logs_role(name: &str) -> bool {
    simple_match("logs-*", name) || simple_match(".logs-*", name)
}

fn run(exprs: &[&str], opts: IndicesOptions) -> Result<Vec<String>, ResolveError> {
    let meta = cluster();
    let exprs: Vec<String> = exprs.iter().map(|s| (*s).to_owned()).collect();
    let r = resolve(SEARCH, &exprs, &opts, &meta, &logs_role, now())?;
    if r.is_empty_placeholder() {
        return Ok(vec!["<placeholder>".to_owned()]);
    }
    Ok(r.local_names().map(str::to_owned).collect())
}

fn search(exprs: &[&str]) -> Vec<String> {
    run(exprs, IndicesOptions::search()).unwrap()
}

#[test]
fn wildcard_only_matches_authorized_names() {
    assert_eq!(
        search(&["logs-*", "secret*"]),
        ["logs-2024.05.01", "logs-a", "logs-b"]
    );
}

#[test]
fn wildcard_matching_nothing_visible_gives_empty_placeholder() {
    assert_eq!(search(&["sec*"]), ["<placeholder>"]);
}

#[test]
fn wildcard_matching_nothing_with_allow_no_indices_false_is_404() {
    let opts = IndicesOptions {
        allow_no_indices: false,
        ..IndicesOptions::search()
    };
    let err = run(&["sec*"], opts).unwrap_err();
    assert_eq!(err.to_string(), "no such index [sec*]");
    assert_eq!(
        (err.es_type(), err.status()),
        ("index_not_found_exception", 404)
    );
    assert_eq!(
        err.metadata(),
        vec![
            ("resource.type", "index_or_alias".to_owned()),
            ("resource.id", "sec*".to_owned()),
            ("index_uuid", "_na_".to_owned()),
            ("index", "sec*".to_owned()),
        ]
    );
}

#[test]
fn explicit_unauthorized_name_is_kept_for_the_decision_layer() {
    let meta = cluster();
    let r = resolve(
        SEARCH,
        &["secret".to_owned()],
        &IndicesOptions::search(),
        &meta,
        &logs_role,
        now(),
    )
    .unwrap();
    assert_eq!(r.explicit_names().collect::<Vec<_>>(), ["secret"]);
    assert_eq!(r.local[0].origin, Origin::Explicit);
}

#[test]
fn explicit_unauthorized_name_with_ignore_unavailable_is_dropped() {
    let opts = IndicesOptions {
        ignore_unavailable: true,
        ..IndicesOptions::search()
    };
    assert_eq!(run(&["secret"], opts).unwrap(), ["<placeholder>"]);
    assert_eq!(run(&["logs-zzz", "logs-a"], opts).unwrap(), ["logs-a"]);
    assert_eq!(
        run(&["logs-closed"], opts).unwrap(),
        ["<placeholder>"],
        "search forbids closed indices"
    );
}

#[test]
fn missing_but_authorized_name_is_kept() {
    assert_eq!(search(&["logs-zzz"]), ["logs-zzz"]);
}

#[test]
fn exclusion_after_a_wildcard_removes_names() {
    assert_eq!(search(&["*", "-logs-b"]), ["logs-2024.05.01", "logs-a"]);
    assert_eq!(search(&["logs-*", "-logs-2*"]), ["logs-a", "logs-b"]);
}

#[test]
fn leading_dash_without_earlier_wildcard_is_a_literal() {
    assert_eq!(search(&["-logs-b"]), ["-logs-b"]);
    assert_eq!(search(&["logs-a", "-logs-a"]), ["logs-a", "-logs-a"]);
}

#[test]
fn wildcard_exclusion_keeps_explicit_unauthorized_names() {
    assert_eq!(
        search(&["logs-*", "secret", "-s*"]),
        ["logs-2024.05.01", "logs-a", "logs-b", "secret"]
    );
}

#[test]
fn exclusion_matching_nothing_with_allow_no_indices_false_is_404() {
    let opts = IndicesOptions {
        allow_no_indices: false,
        ..IndicesOptions::search()
    };
    assert_eq!(
        run(&["logs-*", "-nope*"], opts).unwrap_err().to_string(),
        "no such index [nope*]"
    );
}

#[test]
fn all_forms_select_every_authorized_visible_name() {
    let expected = ["logs-2024.05.01", "logs-a", "logs-b"];
    assert_eq!(search(&[]), expected);
    assert_eq!(search(&["_all"]), expected);
    assert_eq!(search(&["*"]), expected);
}

#[test]
fn all_with_expansion_off_is_nothing() {
    let opts = IndicesOptions {
        expand_wildcards: ExpandWildcards::NONE,
        ..IndicesOptions::search()
    };
    assert_eq!(run(&["_all"], opts).unwrap(), ["<placeholder>"]);
    assert_eq!(run(&["*"], opts).unwrap(), ["<placeholder>"]);
    // With expansion off a wildcard in a list is just a (strange) explicit name.
    assert_eq!(run(&["logs-*", "x"], opts).unwrap(), ["logs-*", "x"]);
}

#[test]
fn empty_result_with_allow_no_indices_false_reports_the_original_list() {
    let opts = IndicesOptions {
        allow_no_indices: false,
        ignore_unavailable: true,
        ..IndicesOptions::search()
    };
    assert_eq!(
        run(&["secret", "nope"], opts).unwrap_err().to_string(),
        "no such index [[secret, nope]]"
    );
}

#[test]
fn question_mark_is_not_a_wildcard() {
    assert_eq!(search(&["logs-?"]), ["logs-?"]);
}

#[test]
fn closed_and_hidden_follow_expand_wildcards() {
    let with = |ew: &str| {
        let opts = IndicesOptions::search()
            .with_query_params([("expand_wildcards", ew)])
            .unwrap();
        run(&["logs-*"], opts).unwrap()
    };
    assert_eq!(
        with("open,closed"),
        ["logs-2024.05.01", "logs-a", "logs-b", "logs-closed"]
    );
    assert_eq!(with("closed"), ["logs-closed"]);
    assert_eq!(
        with("open,hidden"),
        ["logs-2024.05.01", "logs-a", "logs-b", "logs-hidden"]
    );
    assert_eq!(
        with("all"),
        [
            "logs-2024.05.01",
            "logs-a",
            "logs-b",
            "logs-closed",
            "logs-hidden"
        ]
    );
}

#[test]
fn dot_wildcard_sees_hidden_dot_names() {
    assert_eq!(search(&[".logs-*"]), [".logs-dot-hidden"]);
    assert_eq!(
        search(&["*"]),
        ["logs-2024.05.01", "logs-a", "logs-b"],
        "`*` does not start with a dot"
    );
}

#[test]
fn explicit_hidden_and_closed_names_are_kept() {
    assert_eq!(
        search(&["logs-hidden", "logs-closed"]),
        ["logs-hidden", "logs-closed"]
    );
}

#[test]
fn date_math_is_resolved_then_treated_as_explicit() {
    assert_eq!(search(&["<logs-{now/d}>"]), ["logs-2024.05.01"]);
    assert_eq!(search(&["<secret-{now/d}>"]), ["secret-2024.05.01"]);
    assert_eq!(
        search(&["<logs-{now/M{yyyy}}*>"]),
        ["logs-2024.05.01"],
        "still a wildcard after date math"
    );
}

#[test]
fn duplicates_are_removed_and_explicit_wins() {
    let meta = cluster();
    let exprs = ["logs-*".to_owned(), "logs-a".to_owned()];
    let r = resolve(
        SEARCH,
        &exprs,
        &IndicesOptions::search(),
        &meta,
        &logs_role,
        now(),
    )
    .unwrap();
    assert_eq!(
        r.local_names().collect::<Vec<_>>(),
        ["logs-2024.05.01", "logs-a", "logs-b"]
    );
    assert_eq!(r.explicit_names().collect::<Vec<_>>(), ["logs-a"]);
}

#[test]
fn placeholder_rewrites_to_star_minus_star() {
    let meta = cluster();
    let r = resolve(
        SEARCH,
        &["sec*".to_owned()],
        &IndicesOptions::search(),
        &meta,
        &logs_role,
        now(),
    )
    .unwrap();
    assert!(r.is_empty_placeholder());
    assert_eq!(r.local_expressions(), ["*", "-*"]);
}

fn single(exprs: &[&str]) -> Result<Vec<String>, ResolveError> {
    let meta = cluster();
    let exprs: Vec<String> = exprs.iter().map(|s| (*s).to_owned()).collect();
    let r = resolve(
        "indices:data/write/index",
        &exprs,
        &IndicesOptions::single_index(),
        &meta,
        &logs_role,
        now(),
    )?;
    Ok(r.local_names().map(str::to_owned).collect())
}

#[test]
fn single_name_requests_reject_wildcards_and_all() {
    let err = single(&["logs-*", "a", "b*"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the action indices:data/write/index does not support wildcards; the provided index expression(s) [logs-*,b*] are not allowed"
    );
    assert_eq!(
        (err.es_type(), err.status()),
        ("illegal_argument_exception", 400)
    );
    assert_eq!(
        single(&["_all"]).unwrap_err().to_string(),
        "the action indices:data/write/index does not support accessing all indices; the provided index expression [_all] is not allowed"
    );
    assert_eq!(
        single(&[]).unwrap_err().to_string(),
        "the action indices:data/write/index requires explicit index names, but none were provided"
    );
}

#[test]
fn single_name_requests_keep_names_as_written_after_date_math() {
    assert_eq!(single(&["secret"]).unwrap(), ["secret"]);
    assert_eq!(single(&["<write-{now/M}>"]).unwrap(), ["write-2024.05.01"]);
    assert_eq!(single(&["-x"]).unwrap(), ["-x"]);
}
