use std::sync::Arc;

use chrono::{TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::authz::Reason;
use crate::permission::{ApplicationPrivilegeStore, Permission, RestrictedIndices};
use crate::resolve::{AliasSpec, IndexMetadata};
use crate::role::{RoleContext, parse_role};

fn role(indices: serde_json::Value) -> EffectiveRole {
    let role = parse_role("r", &json!({ "indices": indices }), RoleContext::RoleApi).unwrap();
    EffectiveRole::plain(Arc::new(
        Permission::compile(
            &[role],
            &[],
            &ApplicationPrivilegeStore::default(),
            &RestrictedIndices::builtin().unwrap(),
        )
        .unwrap(),
    ))
}

fn user() -> Subject {
    Subject::user("u", "native", "native")
}

/// `wi1` behind `w1` and `w2`; `wi2` behind `w3`; `ri` behind `r1`; `both` spans `wi1` and
/// `wi2` without a write index; `routed` spans both with `wi2` as its write index.
fn meta() -> IndexMetadata {
    IndexMetadata::builder()
        .index("wi1")
        .index("wi2")
        .index("ri")
        .alias(AliasSpec::new("w1").target("wi1"))
        .alias(AliasSpec::new("w2").target("wi1"))
        .alias(AliasSpec::new("w3").target("wi2"))
        .alias(AliasSpec::new("r1").target("ri"))
        .alias(AliasSpec::new("both").target("wi1").target("wi2"))
        .alias(AliasSpec::new("routed").target("wi1").write_target("wi2"))
        .build()
        .unwrap()
}

fn items(meta: &IndexMetadata, specs: &[(&str, WriteOp)]) -> Vec<BulkItem> {
    let now = Utc.with_ymd_and_hms(2024, 5, 17, 10, 0, 0).unwrap();
    specs
        .iter()
        .map(|(name, op)| BulkItem::resolve(name, *op, meta, now).unwrap())
        .collect()
}

fn bulk(role: &EffectiveRole, specs: &[(&str, WriteOp)]) -> BulkDecision {
    let meta = meta();
    let items = items(&meta, specs);
    let exists = |n: &str| meta.contains(n);
    role.authorize_bulk(&user(), &items, &meta, &exists)
        .unwrap()
}

/// Per item: `None` when allowed, else (status, the action its message names).
fn outcome(d: &BulkDecision) -> Vec<Option<(u16, String)>> {
    d.items
        .iter()
        .map(|f| {
            f.as_ref().map(|f| {
                let action = f
                    .reason
                    .strip_prefix("action [")
                    .and_then(|r| r.split("] is unauthorized").next())
                    .unwrap_or(&f.reason);
                (f.status, action.to_string())
            })
        })
        .collect()
}

const SHARD: &str = "indices:data/write/bulk[s]";

#[test]
fn resolve_keeps_the_alias_and_finds_its_write_index() {
    let meta = meta();
    let now = Utc.with_ymd_and_hms(2024, 5, 17, 10, 0, 0).unwrap();
    let item = |n: &str| BulkItem::resolve(n, WriteOp::Index, &meta, now).unwrap();
    assert_eq!(item("w1").index, "w1");
    assert_eq!(item("w1").concrete.as_deref(), Some("wi1"));
    assert_eq!(item("routed").concrete.as_deref(), Some("wi2"));
    assert_eq!(item("both").concrete, None);
    assert_eq!(item("missing").concrete, None);
    assert_eq!(item("<logs-{now/d}>").index, "logs-2024.05.17");
    assert!(BulkItem::resolve("<logs-{now/d>", WriteOp::Index, &meta, now).is_err());
}

#[test]
fn a_grant_on_the_alias_alone_lets_items_write_through_it() {
    let r = role(json!([{"names": ["w1", "w2"], "privileges": ["write"]}]));
    let d = bulk(
        &r,
        &[
            ("w1", WriteOp::Create),
            ("w2", WriteOp::Index),
            ("w1", WriteOp::Update),
            ("w2", WriteOp::Delete),
        ],
    );
    assert!(d.request.is_allowed());
    assert_eq!(outcome(&d), vec![None, None, None, None]);
    // One shard (wi1), authorized on the two alias names the items used.
    assert_eq!(d.shards.len(), 1);
    let shard = &d.shards[0];
    assert_eq!(shard.index, "wi1");
    assert_eq!(shard.names, vec!["w1", "w2"]);
    assert_eq!(shard.items, vec![0, 1, 2, 3]);
    let granted: Vec<&str> = shard
        .decision
        .reasons()
        .iter()
        .filter_map(|r| match r {
            Reason::IndexGroup { name, .. } => Some(name.as_ref()),
            _ => None,
        })
        .collect();
    assert_eq!(granted, vec!["w1", "w2"]);
}

#[test]
fn a_grant_on_the_alias_does_not_reach_the_concrete_index_by_name() {
    let r = role(json!([{"names": ["w1"], "privileges": ["write"]}]));
    let d = bulk(&r, &[("wi1", WriteOp::Index), ("wi2", WriteOp::Index)]);
    assert_eq!(
        outcome(&d),
        vec![Some((403, SHARD.into())), Some((403, SHARD.into()))]
    );
    assert_eq!(
        d.items[0].as_ref().unwrap().reason,
        "action [indices:data/write/bulk[s]] is unauthorized for user [u] with effective roles [r] on indices [wi1], this action is granted by the index privileges [create_doc,create,delete,index,write,all]"
    );
}

#[test]
fn an_ungranted_name_in_a_shard_fails_every_item_of_that_shard() {
    // As in Elasticsearch: `bulk[s]` is one request per shard, on every name its items used.
    let r = role(json!([{"names": ["w1", "w3"], "privileges": ["write"]}]));
    let d = bulk(
        &r,
        &[
            ("w1", WriteOp::Index),
            ("w2", WriteOp::Index),
            ("w3", WriteOp::Index),
        ],
    );
    assert_eq!(
        outcome(&d),
        vec![Some((403, SHARD.into())), Some((403, SHARD.into())), None]
    );
    assert!(
        d.items[0]
            .as_ref()
            .unwrap()
            .reason
            .contains("on indices [w2]")
    );
    assert_eq!(d.shards.len(), 2);
}

#[test]
fn item_actions_are_checked_on_the_alias() {
    // create_doc on the alias: creates pass, overwrites and deletes fail on the item action.
    let r = role(json!([{"names": ["w1"], "privileges": ["create_doc"]}]));
    let d = bulk(
        &r,
        &[
            ("w1", WriteOp::Create),
            ("w1", WriteOp::Index),
            ("w1", WriteOp::Delete),
        ],
    );
    assert_eq!(
        outcome(&d),
        vec![
            None,
            Some((403, "indices:data/write/index:op_type/index".into())),
            Some((403, "indices:data/write/delete".into())),
        ]
    );
    assert!(
        d.items[1]
            .as_ref()
            .unwrap()
            .reason
            .contains("on indices [w1]")
    );
}

#[test]
fn read_on_the_alias_is_not_enough() {
    let r = role(json!([
        {"names": ["r1"], "privileges": ["read"]},
        {"names": ["w1"], "privileges": ["write"]}
    ]));
    let d = bulk(&r, &[("r1", WriteOp::Create), ("w1", WriteOp::Create)]);
    assert_eq!(outcome(&d), vec![Some((403, SHARD.into())), None]);
}

#[test]
fn an_alias_without_a_write_index_fails_its_items_whatever_the_grants() {
    let r = role(json!([{"names": ["*"], "privileges": ["all"]}]));
    let d = bulk(&r, &[("both", WriteOp::Index), ("routed", WriteOp::Index)]);
    assert_eq!(
        d.items[0],
        Some(ItemFailure {
            status: 400,
            es_type: "illegal_argument_exception",
            reason: "no write index is defined for alias [both]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index".into(),
        })
    );
    assert_eq!(d.items[1], None);
    assert_eq!(d.shards.len(), 1);
    assert_eq!(d.shards[0].index, "wi2");
}

#[test]
fn missing_targets_need_auto_create_then_the_shard_check_on_their_name() {
    let r = role(json!([
        {"names": ["new-*"], "privileges": ["create_doc", "auto_configure"]},
        {"names": ["bare-*"], "privileges": ["auto_configure"]}
    ]));
    let d = bulk(
        &r,
        &[
            ("new-a", WriteOp::Create),
            ("other", WriteOp::Create),
            ("bare-a", WriteOp::Create),
        ],
    );
    assert_eq!(
        outcome(&d),
        vec![
            None,
            Some((403, "indices:admin/auto_create".into())),
            Some((403, SHARD.into())),
        ]
    );
}

#[test]
fn date_math_items_are_checked_on_the_resolved_name() {
    let r = role(json!([{"names": ["write-*"], "privileges": ["all"]}]));
    let d = bulk(
        &r,
        &[
            ("<write-{now/M}>", WriteOp::Index),
            ("<read-{now/M}>", WriteOp::Index),
        ],
    );
    assert_eq!(
        outcome(&d),
        vec![None, Some((403, "indices:admin/auto_create".into()))]
    );
    assert!(
        d.items[1]
            .as_ref()
            .unwrap()
            .reason
            .contains("on indices [read-2024.05.01]")
    );
}

#[test]
fn updates_through_a_dls_alias_are_refused() {
    let r = role(json!([{"names": ["w1"], "privileges": ["write"], "query": {"term": {"a": 1}}}]));
    let d = bulk(&r, &[("w1", WriteOp::Update), ("w1", WriteOp::Index)]);
    assert_eq!(d.items[0].as_ref().unwrap().status, 400);
    assert_eq!(d.items[0].as_ref().unwrap().reason, UPDATE_UNDER_DLS_FLS);
    assert_eq!(d.items[1], None);
}

#[test]
fn no_bulk_privilege_denies_the_whole_request() {
    let r = role(json!([{"names": ["w1"], "privileges": ["read"]}]));
    let d = bulk(&r, &[("w1", WriteOp::Index)]);
    assert!(!d.request.is_allowed());
    assert!(d.items.is_empty() && d.shards.is_empty());
}

#[test]
fn auto_put_falls_back_to_an_authorized_alias_that_writes_to_the_index() {
    let meta = meta();
    let auto_put =
        |r: &EffectiveRole, index: &str| r.authorize_auto_put(&user(), index, &meta).unwrap();
    // Through the only-index alias `w2` (write implies auto_put on indices and aliases).
    let r = role(json!([{"names": ["w2"], "privileges": ["write"]}]));
    let d = auto_put(&r, "wi1");
    assert!(d.is_allowed());
    assert!(matches!(
        d.decision.reasons().first(),
        Some(Reason::IndexGroup { name, .. }) if name.as_ref() == "w2"
    ));
    // `routed` writes to wi2, not wi1: no fallback for wi1.
    let r = role(json!([{"names": ["routed"], "privileges": ["write"]}]));
    assert!(auto_put(&r, "wi2").is_allowed());
    let denied = auto_put(&r, "wi1");
    assert!(!denied.is_allowed());
    assert!(
        denied
            .decision
            .denial()
            .unwrap()
            .message()
            .contains("on indices [wi1]")
    );
    // `both` has no write index: never a fallback.
    let r = role(json!([{"names": ["both"], "privileges": ["write"]}]));
    assert!(!auto_put(&r, "wi1").is_allowed());
    // A grant on the index itself answers directly; nothing for a reader.
    assert!(
        auto_put(
            &role(json!([{"names": ["wi1"], "privileges": ["write"]}])),
            "wi1"
        )
        .is_allowed()
    );
    assert!(
        !auto_put(
            &role(json!([{"names": ["w1"], "privileges": ["read"]}])),
            "wi1"
        )
        .is_allowed()
    );
}

/// The `auto_put` column of the privilege table (section 6.2): per privilege, whether a
/// mapping update is granted on an index by name, on an index through an alias writing only
/// to it, and on a data stream's backing index (grant on the stream). `create_doc`, `create`
/// and `index` grant it on indices and aliases only (BWC rule 6.1); `write`,
/// `auto_configure`, `manage` and `all` everywhere; raw write actions, `delete`, `read` and
/// `create_index` nowhere.
#[test]
fn auto_put_matrix_by_privilege_and_target_kind() {
    use crate::resolve::DataStreamSpec;
    let meta = IndexMetadata::builder()
        .index("plain")
        .index("behind")
        .alias(AliasSpec::new("front").target("behind"))
        .data_stream(DataStreamSpec::new("logs").backing_index(".ds-logs-000001"))
        .build()
        .unwrap();
    // (privilege, on the index, through the alias, on the backing index)
    let rows: &[(&str, bool, bool, bool)] = &[
        ("create_doc", true, true, false),
        ("create", true, true, false),
        ("index", true, true, false),
        // `write` names `auto_put` among its own actions, so it reaches backing indices too.
        ("write", true, true, true),
        ("auto_configure", true, true, true),
        ("manage", true, true, true),
        ("all", true, true, true),
        ("delete", false, false, false),
        ("read", false, false, false),
        ("indices:data/write/*", false, false, false),
        ("create_index", false, false, false),
    ];
    for &(privilege, on_index, via_alias, on_backing) in rows {
        let r = role(json!([{"names": ["plain", "front", "logs"], "privileges": [privilege]}]));
        let granted = |index: &str| {
            r.authorize_auto_put(&user(), index, &meta)
                .unwrap()
                .is_allowed()
        };
        assert_eq!(granted("plain"), on_index, "{privilege} on an index");
        assert_eq!(granted("behind"), via_alias, "{privilege} through an alias");
        assert_eq!(
            granted(".ds-logs-000001"),
            on_backing,
            "{privilege} on a backing index"
        );
    }
}
