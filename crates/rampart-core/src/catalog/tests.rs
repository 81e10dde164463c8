use super::*;
use crate::test_support::spec_json;

#[test]
fn counts_match_the_model() {
    assert_eq!(cluster_privileges().len(), 70);
    assert_eq!(index_privileges().len(), 24);
    assert_eq!(cluster_denial_order().len(), 70);
    assert_eq!(index_denial_order().len(), 24);
}

#[test]
fn action_matchers_are_prefix_patterns() {
    for p in data::CLUSTER_ACTION_MATCHER
        .iter()
        .chain(data::INDEX_ACTION_MATCHER)
    {
        assert!(p.ends_with('*') && !p[..p.len() - 1].contains('*'), "{p}");
    }
}

#[test]
fn classification() {
    assert_eq!(
        classify_action("cluster:monitor/health"),
        ActionKind::Cluster
    );
    assert_eq!(
        classify_action("indices:admin/template/put"),
        ActionKind::Cluster
    );
    assert_eq!(
        classify_action("indices:admin/index_template/get"),
        ActionKind::Cluster
    );
    assert_eq!(
        classify_action("indices:data/read/search"),
        ActionKind::Index
    );
    assert_eq!(
        classify_action("internal:transport/proxy/indices:data/read/search"),
        ActionKind::Index
    );
    assert_eq!(
        classify_action("internal:admin/tasks/ban"),
        ActionKind::Other
    );
}

#[test]
fn resolution_lowercases_and_accepts_raw_actions() {
    assert!(matches!(
        resolve_cluster_privilege("MONITOR"),
        Ok(ClusterPrivilegeName::Named(p)) if p.name == "monitor"
    ));
    assert_eq!(
        resolve_cluster_privilege("cluster:admin/xpack/security/*"),
        Ok(ClusterPrivilegeName::RawAction(
            "cluster:admin/xpack/security/*".into()
        ))
    );
    assert_eq!(
        resolve_index_privilege("indices:data/read/search"),
        Ok(IndexPrivilegeName::RawAction(
            "indices:data/read/search".into()
        ))
    );
    // An index action is not a cluster privilege and vice versa.
    assert!(resolve_cluster_privilege("indices:data/read/search").is_err());
    assert!(resolve_index_privilege("cluster:monitor/health").is_err());
}

#[test]
fn unknown_privilege_messages() {
    let err = resolve_cluster_privilege("foo").unwrap_err().to_string();
    assert!(err.starts_with(
        "unknown cluster privilege [foo]. a privilege must be either one of the predefined cluster privilege names [manage_own_api_key,manage_data_stream_global_retention,"
    ));
    assert!(
        err.ends_with(
            ",monitor,manage,all] or a pattern over one of the available cluster actions"
        )
    );
    let err = resolve_index_privilege("Bar").unwrap_err().to_string();
    assert!(err.starts_with(
        "unknown index privilege [Bar]. a privilege must be either one of the predefined fixed indices privileges [all,auto_configure,create,create_doc,"
    ));
    assert!(err.ends_with(",write] or a pattern over one of the available index actions"));
}

#[test]
fn reserved_names() {
    assert!(is_reserved_role_name("superuser"));
    assert!(is_reserved_role_name("viewer"));
    assert!(!is_reserved_role_name("my_role"));
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn owned(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The catalog must equal the privilege facts (when the facts folder is beside the clone).
#[test]
fn catalog_matches_spec() {
    let Some(spec) = spec_json("privileges.json") else {
        eprintln!("spec folder not present; drift test skipped");
        return;
    };
    let cluster = spec["cluster"].as_object().unwrap();
    assert_eq!(cluster.len(), data::CLUSTER.len());
    for (def, (name, p)) in data::CLUSTER.iter().zip(cluster) {
        assert_eq!(def.name, name);
        assert_eq!(owned(def.actions), strings(&p["actions"]), "{name}");
        assert_eq!(
            owned(def.excluded),
            strings(&p["excluded_actions"]),
            "{name}"
        );
        assert_eq!(owned(def.implies), strings(&p["implies"]), "{name}");
        assert_eq!(
            def.deprecated,
            p["deprecated"].as_bool().unwrap_or(false),
            "{name}"
        );
        assert_eq!(
            def.serverless,
            p["serverless"].as_bool().unwrap_or(true),
            "{name}"
        );
        assert_eq!(
            def.conditional,
            p["conditional"].as_bool().unwrap_or(false),
            "{name}"
        );
    }
    let index = spec["index"].as_object().unwrap();
    assert_eq!(index.len(), data::INDEX.len());
    for (def, (name, p)) in data::INDEX.iter().zip(index) {
        assert_eq!(def.name, name);
        assert_eq!(owned(def.actions), strings(&p["actions"]), "{name}");
        assert_eq!(owned(def.implies), strings(&p["implies"]), "{name}");
        let selector = match p["selector"].as_str().unwrap() {
            "data" => Selector::Data,
            "failures" => Selector::Failures,
            "data_and_failures" => Selector::DataAndFailures,
            _ => Selector::All,
        };
        assert_eq!(def.selector, selector, "{name}");
    }
    assert_eq!(
        owned(data::CLUSTER_DENIAL_ORDER),
        strings(&spec["cluster_denial_order"])
    );
    assert_eq!(
        owned(data::INDEX_DENIAL_ORDER),
        strings(&spec["index_denial_order"])
    );
    assert_eq!(
        owned(data::RESTRICTED_INDEX_PATTERNS),
        strings(&spec["restricted_index_patterns"])
    );
    assert_eq!(
        owned(data::RESERVED_ROLE_NAMES),
        strings(&spec["reserved_role_names"])
    );
    assert_eq!(
        owned(data::REMOTE_CLUSTER_PRIVILEGES),
        strings(&spec["remote_cluster_privileges"])
    );
    assert_eq!(
        owned(data::CLUSTER_ACTION_MATCHER),
        strings(&spec["meta"]["cluster_action_matcher"])
    );
}
