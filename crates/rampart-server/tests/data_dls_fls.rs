#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! DLS/FLS on real data: leak tests (two datasets differing only in hidden documents and
//! fields answer byte-identically), get of a hidden document, blocked operations, mappings,
//! and the `per_role` pairing mode.

mod common;

use axum::http::Method;
use common::TestNode;
use serde_json::{Value, json};

const PW: &str = "password-123";

async fn restricted_node(with_hidden: bool, settings: &[(&str, &str)]) -> TestNode {
    let node = TestNode::with_settings(settings);
    let (s, b) = node.admin("PUT", "/docs", None).await;
    assert_eq!(s, 200, "{b}");
    for i in 0..12 {
        let mut doc = json!({"title": format!("public note {i}"), "dept": "public", "n": i});
        if with_hidden {
            doc["salary"] = json!(1000 + i * 17);
        }
        let (s, b) = node
            .admin("PUT", &format!("/docs/_doc/p{i}"), Some(doc))
            .await;
        assert_eq!(s, 201, "{b}");
    }
    if with_hidden {
        for i in 0..7 {
            let doc = json!({"title": format!("secret note {i}"), "dept": "secret", "n": i * 3, "salary": 9000 + i});
            let (s, b) = node
                .admin("PUT", &format!("/docs/_doc/s{i}"), Some(doc))
                .await;
            assert_eq!(s, 201, "{b}");
        }
    }
    // Searches see refreshed documents only, as in Elasticsearch.
    let (s, b) = node.admin("POST", "/docs/_refresh", None).await;
    assert_eq!(s, 200, "{b}");
    let role = json!({"indices": [{
        "names": ["docs"], "privileges": ["read", "view_index_metadata"],
        "query": {"term": {"dept": "public"}},
        "field_security": {"grant": ["title", "dept", "n"]},
    }]});
    node.admin("PUT", "/_security/role/restricted", Some(role))
        .await;
    node.add_user("reader", PW, &["restricted"]);
    node
}

/// Queries, sorts and aggregations, many of them on the hidden field or hidden documents.
fn probes() -> Vec<(Method, String, Option<Value>)> {
    let mut out = Vec::new();
    let queries = [
        json!({"match_all": {}}),
        json!({"term": {"salary": 1017}}),
        json!({"term": {"dept": "secret"}}),
        json!({"range": {"salary": {"gte": 0}}}),
        json!({"exists": {"field": "salary"}}),
        json!({"bool": {"must_not": [{"exists": {"field": "salary"}}]}}),
        json!({"bool": {"should": [{"term": {"dept": "secret"}}, {"range": {"n": {"gte": 5}}}]}}),
        json!({"match": {"title": "secret"}}),
        json!({"match": {"title": "note"}}),
        json!({"prefix": {"dept": "sec"}}),
        json!({"ids": {"values": ["s1", "p1", "s3"]}}),
    ];
    for q in &queries {
        out.push((
            Method::POST,
            "/docs/_search".into(),
            Some(json!({"query": q, "size": 50})),
        ));
        out.push((
            Method::POST,
            "/docs/_count".into(),
            Some(json!({"query": q})),
        ));
        out.push((
            Method::POST,
            "/docs/_search".into(),
            Some(json!({"query": q, "size": 5, "sort": [{"salary": "desc"}, {"n": "asc"}],
                "aggs": {"by_salary": {"terms": {"field": "salary"}}, "by_dept": {"terms": {"field": "dept"}},
                         "max_salary": {"max": {"field": "salary"}}, "avg_n": {"avg": {"field": "n"}}}})),
        ));
    }
    // Scores follow the query's relevance: match queries, min_score and a sort on _score.
    for body in [
        json!({"query": {"match": {"title": "note 3"}}, "size": 50}),
        json!({"query": {"bool": {"should": [{"match": {"title": "secret"}}, {"match": {"title": "note"}}]}}, "size": 50, "min_score": 0.01}),
        json!({"query": {"match": {"title": "public note"}}, "sort": ["_score", {"n": "asc"}], "size": 5}),
    ] {
        out.push((Method::POST, "/docs/_search".into(), Some(body)));
    }
    for id in ["p1", "s1", "p5", "s6", "nope"] {
        out.push((
            Method::POST,
            format!("/docs/_explain/{id}"),
            Some(json!({"query": {"match": {"title": "note secret 1"}}})),
        ));
        out.push((Method::GET, format!("/docs/_doc/{id}"), None));
        out.push((Method::GET, format!("/docs/_source/{id}"), None));
    }
    out.push((
        Method::POST,
        "/_mget".into(),
        Some(json!({"docs": [{"_index": "docs", "_id": "s2"}, {"_index": "docs", "_id": "p2"}]})),
    ));
    out.push((Method::GET, "/docs/_mapping".into(), None));
    out.push((
        Method::POST,
        "/docs/_search".into(),
        Some(json!({"query": {"term": {"salary": {"bad": 1}}}})),
    ));
    out.push((
        Method::POST,
        "/docs/_search".into(),
        Some(json!({"suggest": {"s": {"text": "x", "term": {"field": "salary"}}}})),
    ));
    out
}

/// The response with `took` (elapsed time) blanked. Everything else, relevance scores included
/// (they are computed from the visible documents' statistics, docs/dls-fls.md), must be
/// byte-identical.
fn without_took(text: &str) -> String {
    fn blank(v: &mut Value) {
        match v {
            Value::Object(o) => {
                for (k, child) in o.iter_mut() {
                    if k == "took" && !child.is_null() {
                        *child = json!("_");
                    } else {
                        blank(child);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(blank),
            _ => {}
        }
    }
    match serde_json::from_str::<Value>(text) {
        Ok(mut v) => {
            blank(&mut v);
            v.to_string()
        }
        Err(_) => text.to_string(),
    }
}

#[tokio::test]
async fn hidden_documents_and_fields_do_not_change_any_response() {
    let plain = restricted_node(false, &[]).await;
    let hidden = restricted_node(true, &[]).await;
    for (method, path, body) in probes() {
        let body_bytes = body.as_ref().map(|b| serde_json::to_vec(b).unwrap());
        let a = plain
            .call_raw(
                method.clone(),
                &path,
                Some(("reader", PW)),
                body_bytes.clone(),
            )
            .await;
        let b = hidden
            .call_raw(method.clone(), &path, Some(("reader", PW)), body_bytes)
            .await;
        assert_eq!(a.status, b.status, "{method} {path} {body:?}");
        assert_eq!(
            without_took(&String::from_utf8_lossy(&a.bytes)),
            without_took(&String::from_utf8_lossy(&b.bytes)),
            "{method} {path} {body:?}"
        );
    }
    // Scores are compared, not blanked: the reader's relevance search is scored.
    let scored = hidden
        .call(
            Method::POST,
            "/docs/_search",
            Some(("reader", PW)),
            Some(json!({"query": {"match": {"title": "note 3"}}})),
        )
        .await;
    assert!(
        scored.1["hits"]["max_score"].as_f64().unwrap() > 0.0,
        "{scored:?}"
    );
    // The admin sees the difference, so the probes did exercise hidden data.
    let (_, a) = plain.admin("POST", "/docs/_count", None).await;
    let (_, b) = hidden.admin("POST", "/docs/_count", None).await;
    assert_ne!(a["count"], b["count"]);
}

#[tokio::test]
async fn dls_and_fls_shape_what_the_reader_sees() {
    let node = restricted_node(true, &[]).await;
    let user = ("reader", PW);
    let (s, b) = node.call("GET", "/docs/_doc/s1", user, None).await;
    assert_eq!((s, &b["found"]), (404, &json!(false)), "{b}");
    let (s, b) = node.call("GET", "/docs/_doc/p1", user, None).await;
    assert_eq!(s, 200);
    assert_eq!(
        b["_source"],
        json!({"title": "public note 1", "dept": "public", "n": 1})
    );
    let (_, b) = node.call("POST", "/docs/_count", user, None).await;
    assert_eq!(b["count"], 12);
    let (_, b) = node.call("GET", "/docs/_mapping", user, None).await;
    assert!(
        b["docs"]["mappings"]["properties"].get("salary").is_none(),
        "{b}"
    );
    assert!(
        b["docs"]["mappings"]["properties"].get("title").is_some(),
        "{b}"
    );
}

#[tokio::test]
async fn operations_blocked_under_dls_fls_get_es_messages() {
    let node = restricted_node(true, &[]).await;
    let role = json!({"indices": [{"names": ["docs"], "privileges": ["read", "write"], "query": {"term": {"dept": "public"}}}]});
    node.admin("PUT", "/_security/role/rw", Some(role)).await;
    node.add_user("rw", PW, &["rw"]);
    let cases = [
        (
            "/docs/_update/p1",
            json!({"doc": {"n": 5}}),
            "Can't execute an update request if field or document level security is enabled",
        ),
        (
            "/docs/_search",
            json!({"profile": true}),
            "A search request cannot be profiled if document level security is enabled",
        ),
        (
            "/docs/_search",
            json!({"suggest": {"s": {"text": "x", "term": {"field": "title"}}}}),
            "Suggest isn't supported if document level security is enabled",
        ),
    ];
    for (path, body, message) in cases {
        let (s, b) = node.call("POST", path, ("rw", PW), Some(body)).await;
        assert_eq!(s, 400, "{path}: {b}");
        assert_eq!(b["error"]["type"], "security_exception");
        assert_eq!(b["error"]["reason"], message);
    }
    let ndjson = "{\"update\":{\"_index\":\"docs\",\"_id\":\"p1\"}}\n{\"doc\":{\"n\":3}}\n";
    let r = node
        .call_raw(
            Method::POST,
            "/_bulk",
            Some(("rw", PW)),
            Some(ndjson.as_bytes().to_vec()),
        )
        .await;
    let b = r.json();
    assert_eq!(b["items"][0]["update"]["status"], 400, "{b}");
    assert_eq!(
        b["items"][0]["update"]["error"]["reason"],
        "Can't execute a bulk item request with update requests embedded if field or document level security is enabled"
    );
}

async fn two_role_node(pairing: &str) -> TestNode {
    let node = TestNode::with_settings(&[("rampart.security.dls_fls.pairing", pairing)]);
    node.admin("PUT", "/hr", None).await;
    node.admin(
        "PUT",
        "/hr/_doc/e1",
        Some(json!({"team": "a", "name": "ann", "salary": 10})),
    )
    .await;
    node.admin(
        "PUT",
        "/hr/_doc/e2",
        Some(json!({"team": "b", "name": "bob", "salary": 20})),
    )
    .await;
    node.admin("POST", "/hr/_refresh", None).await;
    // Role A: team a, names and salaries. Role B: team b, names only.
    let a = json!({"indices": [{"names": ["hr"], "privileges": ["read"], "query": {"term": {"team": "a"}}, "field_security": {"grant": ["team", "name", "salary"]}}]});
    let b = json!({"indices": [{"names": ["hr"], "privileges": ["read"], "query": {"term": {"team": "b"}}, "field_security": {"grant": ["team", "name"]}}]});
    node.admin("PUT", "/_security/role/ra", Some(a)).await;
    node.admin("PUT", "/_security/role/rb", Some(b)).await;
    node.add_user("both", PW, &["ra", "rb"]);
    node
}

fn source_of(body: &Value, id: &str) -> Value {
    body["hits"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["_id"] == id)
        .map(|h| h["_source"].clone())
        .unwrap()
}

#[tokio::test]
async fn combined_pairing_leaks_across_roles_as_es_does() {
    let node = two_role_node("combined").await;
    let (_, b) = node.call("POST", "/hr/_search", ("both", PW), None).await;
    // ES unions fields independently of queries: bob's salary shows through role A's grant.
    assert_eq!(source_of(&b, "e2")["salary"], 20);
    let (_, b) = node
        .call(
            "POST",
            "/hr/_count",
            ("both", PW),
            Some(json!({"query": {"range": {"salary": {"gte": 15}}}})),
        )
        .await;
    assert_eq!(b["count"], 1);
}

#[tokio::test]
async fn per_role_pairing_keeps_each_roles_fields_with_its_documents() {
    let node = two_role_node("per_role").await;
    let (_, b) = node.call("POST", "/hr/_search", ("both", PW), None).await;
    assert_eq!(
        source_of(&b, "e1"),
        json!({"team": "a", "name": "ann", "salary": 10})
    );
    assert_eq!(source_of(&b, "e2"), json!({"team": "b", "name": "bob"}));
    // Queries may only probe fields every granting role sees: salary is missing for them.
    let (_, b) = node
        .call(
            "POST",
            "/hr/_count",
            ("both", PW),
            Some(json!({"query": {"range": {"salary": {"gte": 15}}}})),
        )
        .await;
    assert_eq!(b["count"], 0);
}
