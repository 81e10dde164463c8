#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Properties of bulk decisions (section 6.3) over random roles and random items written by
//! index name, through aliases, to missing names and to an alias without a write index:
//! adding a role never fails an item that was allowed, an API key never allows an item either
//! side fails, and an allowed item is always granted on the very name it used (a grant on an
//! alias never reaches the index behind it by name, nor the reverse).

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::select;
use rampart_core::authz::{EffectiveRole, IndexRequest, Subject};
use rampart_core::permission::{ApplicationPrivilegeStore, Permission, RestrictedIndices};
use rampart_core::resolve::{AliasSpec, IndexMetadata};
use rampart_core::role::{IndicesPrivileges, RoleDescriptor};
use rampart_core::write::{BulkDecision, BulkItem, WriteOp};

/// Indices `logs-a`, `logs-b`; aliases `la` (→ logs-a), `lb` (→ logs-b), `both` (→ both,
/// write index logs-b), `nowrite` (→ both, no write index); `new-x` does not exist.
const TARGETS: &[&str] = &["logs-a", "logs-b", "la", "lb", "both", "nowrite", "new-x"];

const PATTERNS: &[&str] = &[
    "logs-a", "logs-*", "la", "l*", "both", "nowrite", "new-*", "*",
];

const PRIVILEGES: &[&str] = &[
    "read",
    "write",
    "index",
    "create",
    "create_doc",
    "delete",
    "auto_configure",
    "create_index",
    "manage",
    "all",
];

const OPS: &[WriteOp] = &[
    WriteOp::Index,
    WriteOp::Create,
    WriteOp::Update,
    WriteOp::Delete,
];

fn meta() -> IndexMetadata {
    IndexMetadata::builder()
        .index("logs-a")
        .index("logs-b")
        .alias(AliasSpec::new("la").target("logs-a"))
        .alias(AliasSpec::new("lb").target("logs-b"))
        .alias(
            AliasSpec::new("both")
                .target("logs-a")
                .write_target("logs-b"),
        )
        .alias(AliasSpec::new("nowrite").target("logs-a").target("logs-b"))
        .build()
        .unwrap()
}

fn role() -> impl Strategy<Value = RoleDescriptor> {
    let entry = (
        prop::collection::vec(select(PATTERNS.to_vec()).prop_map(String::from), 1..=2),
        prop::collection::vec(select(PRIVILEGES.to_vec()).prop_map(String::from), 1..=2),
    )
        .prop_map(|(names, privileges)| IndicesPrivileges {
            names,
            privileges,
            ..Default::default()
        });
    prop::collection::vec(entry, 0..3).prop_map(|indices| RoleDescriptor {
        indices,
        ..Default::default()
    })
}

fn roles(prefix: &'static str) -> impl Strategy<Value = Vec<RoleDescriptor>> {
    prop::collection::vec(role(), 0..3).prop_map(move |mut rs| {
        for (i, r) in rs.iter_mut().enumerate() {
            r.name = format!("{prefix}{i}");
        }
        rs
    })
}

fn items() -> impl Strategy<Value = Vec<(&'static str, WriteOp)>> {
    prop::collection::vec((select(TARGETS.to_vec()), select(OPS.to_vec())), 1..6)
}

fn compile(roles: &[RoleDescriptor]) -> Arc<Permission> {
    let restricted = RestrictedIndices::builtin().unwrap();
    Arc::new(
        Permission::compile(
            roles,
            &[],
            &ApplicationPrivilegeStore::default(),
            &restricted,
        )
        .unwrap(),
    )
}

/// Per item: allowed? (`false` for every item when the request itself is denied.)
fn allowed(role: &EffectiveRole, subject: &Subject, specs: &[(&str, WriteOp)]) -> Vec<bool> {
    let d = decide(role, subject, specs);
    if !d.request.is_allowed() {
        return vec![false; specs.len()];
    }
    d.items.iter().map(Option::is_none).collect()
}

fn decide(role: &EffectiveRole, subject: &Subject, specs: &[(&str, WriteOp)]) -> BulkDecision {
    let meta = meta();
    let now = Utc.with_ymd_and_hms(2024, 5, 17, 0, 0, 0).unwrap();
    let items: Vec<BulkItem> = specs
        .iter()
        .map(|(name, op)| BulkItem::resolve(name, *op, &meta, now).unwrap())
        .collect();
    let exists = |n: &str| meta.contains(n);
    role.authorize_bulk(subject, &items, &meta, &exists)
        .unwrap()
}

fn grants(role: &EffectiveRole, subject: &Subject, action: &str, name: &str) -> bool {
    let names = [name.to_string()];
    let req = IndexRequest {
        action,
        names: &names,
        data_streams: true,
        lookup: &meta(),
    };
    role.authorize_index(subject, &req).unwrap().is_allowed()
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn adding_a_role_never_fails_an_allowed_item(
        base in roles("a"),
        extra in role(),
        specs in items(),
    ) {
        let subject = Subject::user("u", "native", "native");
        let before = allowed(&EffectiveRole::plain(compile(&base)), &subject, &specs);
        let mut more = base.clone();
        more.push(RoleDescriptor { name: "extra".into(), ..extra });
        let after = allowed(&EffectiveRole::plain(compile(&more)), &subject, &specs);
        for (i, (b, a)) in before.iter().zip(&after).enumerate() {
            prop_assert!(!b || *a, "item {i} {:?} allowed by {base:?}, not after adding a role", specs[i]);
        }
    }

    #[test]
    fn an_api_key_never_allows_an_item_either_side_fails(
        assigned in roles("k"),
        owner in roles("o"),
        specs in items(),
    ) {
        let (a, o) = (compile(&assigned), compile(&owner));
        let subject = Subject::api_key("key", "u", "native", "native");
        let limited = allowed(&EffectiveRole::limited(Arc::clone(&a), Arc::clone(&o)), &subject, &specs);
        let key = allowed(&EffectiveRole::plain(a), &subject, &specs);
        let own = allowed(&EffectiveRole::plain(o), &subject, &specs);
        for i in 0..specs.len() {
            prop_assert!(!limited[i] || (key[i] && own[i]), "item {i} {:?}", specs[i]);
        }
    }

    #[test]
    fn an_allowed_item_is_granted_on_the_name_it_used(rs in roles("r"), specs in items()) {
        let role = EffectiveRole::plain(compile(&rs));
        let subject = Subject::user("u", "native", "native");
        let d = decide(&role, &subject, &specs);
        if !d.request.is_allowed() {
            return Ok(());
        }
        for (i, failure) in d.items.iter().enumerate() {
            let (name, op) = specs[i];
            if failure.is_some() {
                continue;
            }
            prop_assert!(name != "nowrite", "an alias without a write index took item {i}");
            prop_assert!(grants(&role, &subject, op.item_action(), name), "item {i} {name} {op:?}");
            prop_assert!(grants(&role, &subject, "indices:data/write/bulk[s]", name), "item {i} {name}");
            // Every other item of the same shard was granted on its own name too.
            let shard = d.shards.iter().find(|s| s.items.contains(&i)).unwrap();
            for other in &shard.names {
                prop_assert!(grants(&role, &subject, "indices:data/write/bulk[s]", other));
            }
        }
    }
}
