#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Data streams, aliases, remote clusters and metadata helpers, through the public API.

use chrono::{TimeZone, Utc};
use rampart_core::error::EsError;
use rampart_core::resolve::{
    AliasSpec, DataStreamSpec, IndexMetadata, IndexSpec, IndicesOptions, MetadataError, NameKind,
    ResolveError, Selector, parse_selector, resolve, simple_match,
};

fn meta() -> IndexMetadata {
    IndexMetadata::builder()
        .index("idx-1")
        .index("idx-2")
        .index(IndexSpec::new("other").closed())
        .alias(
            AliasSpec::new("alias-rw")
                .write_target("idx-1")
                .target("idx-2"),
        )
        .alias(AliasSpec::new("alias-hidden").target("idx-1").hidden())
        .data_stream(
            DataStreamSpec::new("simple-ds")
                .backing_index(".ds-simple-ds-000001")
                .backing_index(".ds-simple-ds-000002")
                .failure_index(".fs-simple-ds-000001"),
        )
        .data_stream(DataStreamSpec::new("s-other-ds").backing_index(".ds-s-other-ds-000001"))
        .alias(AliasSpec::new("ds-alias").target("simple-ds"))
        .data_stream(
            DataStreamSpec::new(".sys-ds")
                .backing_index(".ds-.sys-ds-000001")
                .system()
                .hidden(),
        )
        .remote_cluster("cluster_one")
        .remote_cluster("cluster_two")
        .build()
        .unwrap()
}

fn names(
    action: &str,
    exprs: &[&str],
    opts: IndicesOptions,
    pred: &dyn Fn(&str) -> bool,
) -> Result<Vec<String>, ResolveError> {
    let m = meta();
    let exprs: Vec<String> = exprs.iter().map(|s| (*s).to_owned()).collect();
    let now = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
    let r = resolve(action, &exprs, &opts, &m, pred, now)?;
    Ok(r.local.iter().map(|n| n.expression()).collect())
}

const SEARCH: &str = "indices:data/read/search";

#[test]
fn data_streams_are_matched_by_wildcards_only_when_the_request_supports_them() {
    let simple = |n: &str| simple_match("simple*", n);
    assert_eq!(
        names(SEARCH, &["*"], IndicesOptions::search(), &simple).unwrap(),
        ["simple-ds"]
    );
    let no_ds = IndicesOptions {
        include_data_streams: false,
        ..IndicesOptions::search()
    };
    assert!(names(SEARCH, &["*"], no_ds, &simple).unwrap().is_empty());
}

#[test]
fn an_authorized_data_stream_authorizes_its_backing_indices_but_not_failure_indices() {
    let simple = |n: &str| n == "simple-ds";
    assert_eq!(
        names(
            SEARCH,
            &[".ds-simple*", ".fs-*"],
            IndicesOptions::search(),
            &simple
        )
        .unwrap(),
        [".ds-simple-ds-000001", ".ds-simple-ds-000002"]
    );
    let no_ds = IndicesOptions {
        include_data_streams: false,
        ..IndicesOptions::search()
    };
    assert!(
        names(SEARCH, &[".ds-simple*"], no_ds, &simple)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn backing_index_patterns_do_not_authorize_the_data_stream() {
    let backing = |n: &str| simple_match(".ds-simple-ds-*", n);
    assert_eq!(
        names(
            SEARCH,
            &["simple*", ".ds-*"],
            IndicesOptions::search(),
            &backing
        )
        .unwrap(),
        [".ds-simple-ds-000001", ".ds-simple-ds-000002"]
    );
}

#[test]
fn net_new_system_data_streams_need_system_access_even_for_dot_wildcards() {
    let all = |_: &str| true;
    assert!(
        !names(SEARCH, &[".sys*"], IndicesOptions::search(), &all)
            .unwrap()
            .contains(&".sys-ds".to_owned())
    );
    let sys = IndicesOptions {
        include_system_wildcards: true,
        ..IndicesOptions::search()
    };
    assert_eq!(names(SEARCH, &[".sys*"], sys, &all).unwrap(), [".sys-ds"]);
}

#[test]
fn selectors_are_carried_through_wildcards_and_names() {
    let all = |_: &str| true;
    assert_eq!(
        names(
            SEARCH,
            &["simple*::failures", "s-other-ds::data"],
            IndicesOptions::search(),
            &all
        )
        .unwrap(),
        ["simple-ds::failures", "s-other-ds::data"]
    );
    let err = names(
        SEARCH,
        &["simple-ds::bogus"],
        IndicesOptions::search(),
        &all,
    )
    .unwrap_err();
    assert_eq!(
        (err.es_type(), err.status()),
        ("invalid_index_name_exception", 400)
    );
    assert_eq!(
        parse_selector("a::failures").unwrap(),
        ("a", Some(Selector::Failures))
    );
}

#[test]
fn aliases_are_matched_unless_ignored_and_hidden_aware() {
    let all = |_: &str| true;
    let opts = IndicesOptions::strict_expand_open();
    assert_eq!(
        names(SEARCH, &["alias*"], opts, &all).unwrap(),
        ["alias-rw"]
    );
    let hidden = IndicesOptions {
        expand_wildcards: rampart_core::resolve::ExpandWildcards::ALL,
        ..opts
    };
    assert_eq!(
        names(SEARCH, &["alias*"], hidden, &all).unwrap(),
        ["alias-hidden", "alias-rw"]
    );
    let ignore = IndicesOptions {
        ignore_aliases: true,
        ..opts
    };
    assert!(names(SEARCH, &["alias*"], ignore, &all).unwrap().is_empty());
    let alias_only = |n: &str| n == "alias-rw";
    assert_eq!(
        names(SEARCH, &["*"], opts, &alias_only).unwrap(),
        ["alias-rw"],
        "alias names authorize themselves"
    );
}

#[test]
fn data_stream_aliases_need_data_stream_support() {
    let all = |_: &str| true;
    assert!(
        names(SEARCH, &["ds-*"], IndicesOptions::search(), &all)
            .unwrap()
            .contains(&"ds-alias".to_owned())
    );
    assert!(
        names(
            SEARCH,
            &["ds-*"],
            IndicesOptions::strict_expand_open(),
            &all
        )
        .unwrap()
        .is_empty()
    );
}

#[test]
fn remote_expressions_are_split_off_when_the_cluster_matches() {
    let m = meta();
    let exprs: Vec<String> = ["cluster_one:logs-*", "cluster_*:x", "unknown:idx", "idx-1"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let now = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
    let r = resolve(
        SEARCH,
        &exprs,
        &IndicesOptions::search(),
        &m,
        &|_| true,
        now,
    )
    .unwrap();
    assert_eq!(r.remote.len(), 2);
    assert_eq!(r.remote[0].clusters, ["cluster_one"]);
    assert_eq!(r.remote[0].index, "logs-*");
    assert_eq!(r.remote[1].clusters, ["cluster_one", "cluster_two"]);
    assert_eq!(
        r.local_names().collect::<Vec<_>>(),
        ["unknown:idx", "idx-1"]
    );
}

#[test]
fn only_remote_expressions_leave_local_empty_without_placeholder() {
    let m = meta();
    let now = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
    let r = resolve(
        SEARCH,
        &["cluster_one:*".to_owned()],
        &IndicesOptions::search(),
        &m,
        &|_| false,
        now,
    )
    .unwrap();
    assert!(r.local.is_empty() && !r.is_empty_placeholder());
}

#[test]
fn remote_is_local_when_the_request_does_not_allow_remote() {
    let opts = IndicesOptions::strict_expand_open();
    assert_eq!(
        names(SEARCH, &["cluster_one:idx"], opts, &|_| true).unwrap(),
        ["cluster_one:idx"]
    );
}

#[test]
fn single_name_request_with_unmatched_wildcard_cluster_is_no_such_remote_cluster() {
    let opts = IndicesOptions {
        allow_remote: true,
        ..IndicesOptions::single_index()
    };
    let err = names("indices:data/read/get", &["nope*:idx"], opts, &|_| true).unwrap_err();
    assert_eq!(err.to_string(), "no such remote cluster: [nope*]");
    assert_eq!(err.status(), 404);
}

#[test]
fn kinds_and_concrete_indices() {
    let m = meta();
    assert_eq!(m.kind("idx-1"), NameKind::Index);
    assert_eq!(m.kind("alias-rw"), NameKind::Alias);
    assert_eq!(m.kind("ds-alias"), NameKind::DataStreamAlias);
    assert_eq!(m.kind("simple-ds"), NameKind::DataStream);
    assert_eq!(
        m.kind(".ds-simple-ds-000001"),
        NameKind::BackingIndex {
            data_stream: "simple-ds"
        }
    );
    assert_eq!(
        m.kind(".fs-simple-ds-000001"),
        NameKind::FailureIndex {
            data_stream: "simple-ds"
        }
    );
    assert_eq!(m.kind("nope"), NameKind::Missing);
    assert_eq!(m.concrete_indices("alias-rw", None), ["idx-1", "idx-2"]);
    assert_eq!(
        m.concrete_indices("ds-alias", None),
        [".ds-simple-ds-000001", ".ds-simple-ds-000002"]
    );
    assert_eq!(
        m.concrete_indices("simple-ds", Some(Selector::Failures)),
        [".fs-simple-ds-000001"]
    );
    assert!(m.concrete_indices("nope", None).is_empty());
    assert_eq!(m.write_index("alias-rw"), Some("idx-1"));
    assert_eq!(m.write_index("simple-ds"), Some(".ds-simple-ds-000002"));
    assert_eq!(m.write_index("ds-alias"), Some(".ds-simple-ds-000002"));
    assert_eq!(
        m.parent_data_stream(".ds-s-other-ds-000001"),
        Some("s-other-ds")
    );
    match m.get("idx-1").unwrap() {
        rampart_core::resolve::Abstraction::Index(i) => {
            assert_eq!(i.aliases, ["alias-hidden", "alias-rw"])
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn builder_rejects_inconsistent_metadata() {
    let dup = IndexMetadata::builder()
        .index("a")
        .alias(AliasSpec::new("a").target("a"))
        .build();
    assert_eq!(
        dup.unwrap_err(),
        MetadataError::DuplicateName("a".to_owned())
    );
    let dangling = IndexMetadata::builder()
        .alias(AliasSpec::new("al").target("gone"))
        .build();
    assert!(matches!(
        dangling.unwrap_err(),
        MetadataError::UnknownAliasTarget { .. }
    ));
    let mixed = IndexMetadata::builder()
        .index("i")
        .data_stream(DataStreamSpec::new("d"))
        .alias(AliasSpec::new("al").target("i").target("d"))
        .build();
    assert_eq!(
        mixed.unwrap_err(),
        MetadataError::MixedAlias("al".to_owned())
    );
    let shared = IndexMetadata::builder()
        .data_stream(DataStreamSpec::new("d1").backing_index("b"))
        .data_stream(DataStreamSpec::new("d2").backing_index("b"))
        .build();
    assert_eq!(
        shared.unwrap_err(),
        MetadataError::SharedBackingIndex("b".to_owned())
    );
}
