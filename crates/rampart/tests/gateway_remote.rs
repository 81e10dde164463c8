#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Gateway mode and remote clusters: `alias:index` targets are forwarded only when the
//! caller's `remote_indices` grant them, rewritten for their DLS/FLS like local targets. An upstream (embedded mode, security disabled, no
//! remote clusters of its own) and one gateway node told that `other` is a remote alias of
//! the upstream (`rampart.gateway.remote_clusters`).

use serde_json::{Value, json};

mod node_harness;

use node_harness::{ADMIN, Node, call, ok, spawn, spawn_with_env};

/// The log target of the rewritten body of a restricted search (debug level).
const REWRITTEN: &str = "rampart::gateway::rewritten_search";

fn gateway() -> (Node, Node) {
    let upstream = spawn(&["-E", "xpack.security.enabled=false"]);
    let url = format!("http://127.0.0.1:{}", upstream.port);
    let node = spawn_with_env(
        &[
            "--upstream",
            url.as_str(),
            "-E",
            "xpack.security.authc.password_hashing.algorithm=bcrypt4",
            "-E",
            "rampart.gateway.remote_clusters=other",
        ],
        &[
            ("RUST_LOG", &format!("warn,{REWRITTEN}=debug")),
            ("NO_COLOR", "1"),
        ],
    );
    (upstream, node)
}

/// The bodies the gateway sent upstream for restricted searches of `path`, from its log.
fn rewritten(gw: &Node, path: &str) -> Vec<Value> {
    gw.log()
        .lines()
        .filter(|l| l.contains(REWRITTEN) && l.contains(&format!(" path={path} ")))
        .filter_map(|l| l.split_once(" body=").map(|(_, b)| b.to_owned()))
        .map(|b| serde_json::from_str(&b).unwrap())
        .collect()
}

fn user(node: &Node, name: &str, role: Value) -> (String, String) {
    ok(node, ADMIN, "PUT", &format!("/_security/role/{name}"), role);
    let password = format!("{name}-password");
    ok(
        node,
        ADMIN,
        "PUT",
        &format!("/_security/user/{name}"),
        json!({"password": password, "roles": [name]}),
    );
    (name.to_owned(), password)
}

fn search(node: &Node, (name, password): &(String, String), target: &str) -> (u16, Value) {
    call(
        node,
        (name, password),
        "GET",
        &format!("/{target}/_search"),
        Value::Null,
    )
}

#[test]
fn remote_targets_need_a_matching_remote_indices_grant() {
    let (upstream, gw) = gateway();
    ok(
        &gw,
        ADMIN,
        "PUT",
        "/logs-1/_doc/1?refresh=true",
        json!({"msg": "local"}),
    );
    let local_only = user(
        &gw,
        "local_only",
        json!({"indices": [{"names": ["*"], "privileges": ["read"]}]}),
    );
    let remote_reader = user(
        &gw,
        "remote_reader",
        json!({"remote_indices": [{"clusters": ["oth*"], "names": ["logs-*"], "privileges": ["read"]}]}),
    );
    let remote_dls = user(
        &gw,
        "remote_dls",
        json!({"remote_indices": [{"clusters": ["other"], "names": ["logs-*"],
            "privileges": ["read"], "query": "{\"term\":{\"msg\":\"x\"}}"}]}),
    );

    // Local grants do not reach remote clusters: Rampart's own 403, naming the remote target.
    let (status, body) = search(&gw, &local_only, "other:logs-1");
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["type"], json!("security_exception"));
    let reason = body["error"]["reason"].as_str().unwrap();
    assert!(
        reason
            .starts_with("action [indices:data/read/search] is unauthorized for user [local_only]")
            && reason.contains("on indices [other:logs-1]"),
        "{reason}"
    );

    // A matching grant is forwarded: the answer is the upstream's own (it has no remote
    // cluster `other`), not a Rampart denial.
    let (direct_status, direct) = call(
        &upstream,
        ADMIN,
        "GET",
        "/other:logs-1/_search",
        Value::Null,
    );
    let (status, body) = search(&gw, &remote_reader, "other:logs-1");
    assert_ne!(status, 403, "{body}");
    assert_eq!(status, direct_status, "{body} vs upstream {direct}");
    assert_eq!(
        body["error"]["type"], direct["error"]["type"],
        "{body} vs {direct}"
    );

    // Wildcards and names beyond the grant are denied, not narrowed.
    for target in ["other:*", "other:metrics", "*:*"] {
        let (status, body) = search(&gw, &remote_reader, target);
        assert_eq!(status, 403, "{target}: {body}");
    }
    // The remote grant gives nothing locally.
    assert_eq!(search(&gw, &remote_reader, "logs-1").0, 403);

    // Remote targets under DLS/FLS are rewritten (scoped on `_index` to their cluster when
    // every target on it has the same restrictions, else to their `alias:pattern`, see the
    // rewrite's unit tests) and forwarded: the answer is the upstream's own,
    // as for the unrestricted caller, not a refusal.
    let (status, body) = search(&gw, &remote_dls, "other:logs-1");
    assert_ne!(status, 403, "{body}");
    assert_eq!(status, direct_status, "{body} vs upstream {direct}");
    assert_eq!(
        body["error"]["type"], direct["error"]["type"],
        "{body} vs {direct}"
    );
    // What was sent: the query scoped to the remote target's cluster on `_index` (its only
    // target there), with its DLS.
    let sent = rewritten(&gw, "other:logs-1");
    let [sent] = sent.as_slice() else {
        panic!("one rewritten search expected: {sent:?}");
    };
    let filter = &sent["query"]["bool"]["filter"];
    let text = filter.to_string();
    assert!(
        text.contains(r#"{"wildcard":{"_index":{"value":"other:*"}}}"#)
            && text.contains(r#""msg":{"value":"x"}"#),
        "{sent}"
    );
}

#[test]
fn restricted_remote_and_local_targets_are_searched_together_or_refused_when_ambiguous() {
    let (upstream, gw) = gateway();
    ok(
        &gw,
        ADMIN,
        "PUT",
        "/logs-1/_doc/1?refresh=true",
        json!({"msg": "local"}),
    );
    let mixed = user(
        &gw,
        "mixed",
        json!({
            "indices": [{"names": ["logs-*"], "privileges": ["read"],
                "query": "{\"term\":{\"msg\":\"local\"}}",
                "field_security": {"grant": ["msg"]}}],
            "remote_indices": [{"clusters": ["other"], "names": ["logs-*"],
                "privileges": ["read"], "field_security": {"grant": ["msg"]}}]
        }),
    );
    // Local DLS/FLS next to a remote target: one rewritten search, forwarded; the upstream
    // answers as it does to the same targets (it has no remote cluster `other`).
    let (direct_status, direct) = call(
        &upstream,
        ADMIN,
        "GET",
        "/logs-1,other:logs-1/_search",
        Value::Null,
    );
    let (status, body) = search(&gw, &mixed, "logs-1,other:logs-1");
    assert_ne!(status, 403, "{body}");
    assert_eq!(status, direct_status, "{body} vs upstream {direct}");
    assert_eq!(
        body["error"]["type"], direct["error"]["type"],
        "{body} vs {direct}"
    );
    // One body: the local index with its DLS and the remote target, each in its own
    // restriction group.
    let sent = rewritten(&gw, "logs-1,other:logs-1");
    let [sent] = sent.as_slice() else {
        panic!("one rewritten search expected: {sent:?}");
    };
    let groups = sent["query"]["bool"]["should"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{sent}");
    let local = groups[0].to_string();
    assert!(
        local.contains(r#"{"terms":{"_index":["logs-1"]}}"#)
            && local.contains(r#""msg":{"value":"local"}"#),
        "{sent}"
    );
    let remote = groups[1].to_string();
    assert!(
        remote.contains(r#"{"wildcard":{"_index":{"value":"other:*"}}}"#)
            && !remote.contains("msg"),
        "{sent}"
    );
    // The local part alone is still filtered by its DLS/FLS.
    let (status, body) = search(&gw, &mixed, "logs-1");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["hits"]["hits"][0]["_source"], json!({"msg": "local"}));

    // Two remote targets that can name the same remote index under different DLS, neither
    // containing the other: no target owns their common indices, so the search is refused.
    let ambiguous = user(
        &gw,
        "ambiguous",
        json!({"remote_indices": [
            {"clusters": ["other"], "names": ["logs-*"], "privileges": ["read"],
             "query": "{\"term\":{\"msg\":\"a\"}}"},
            {"clusters": ["other"], "names": ["log*-1"], "privileges": ["read"],
             "query": "{\"term\":{\"msg\":\"b\"}}"}
        ]}),
    );
    let (status, body) = search(&gw, &ambiguous, "other:logs-*,other:log*-1");
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["type"], json!("security_exception"), "{body}");
    let reason = body["error"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("[other:logs-*]") && reason.contains("[other:log*-1]"),
        "{reason}"
    );
    // A narrower target inside a wider one is exact (it owns its indices): forwarded.
    let (status, body) = search(&gw, &ambiguous, "other:logs-*,other:logs-1");
    assert_ne!(status, 400, "{body}");
    assert_ne!(status, 403, "{body}");
}
