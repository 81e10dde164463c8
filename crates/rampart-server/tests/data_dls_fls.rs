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
#[path = "data_cases/leaks.rs"]
mod leaks;

use axum::http::Method;
use common::TestNode;
use serde_json::{Value, json};

const PW: &str = leaks::PASSWORD;

async fn restricted_node(with_hidden: bool, settings: &[(&str, &str)]) -> TestNode {
    let node = TestNode::with_settings(settings);
    let (s, b) = node.admin("PUT", "/docs", None).await;
    assert_eq!(s, 200, "{b}");
    for (id, doc) in leaks::dataset(with_hidden) {
        let (s, b) = node
            .admin("PUT", &format!("/docs/_doc/{id}"), Some(doc))
            .await;
        assert_eq!(s, 201, "{b}");
    }
    // Searches see refreshed documents only, as in Elasticsearch.
    let (s, b) = node.admin("POST", "/docs/_refresh", None).await;
    assert_eq!(s, 200, "{b}");
    node.admin(
        "PUT",
        &format!("/_security/role/{}", leaks::ROLE),
        Some(leaks::role()),
    )
    .await;
    node.add_user(leaks::READER, PW, &[leaks::ROLE]);
    node
}

#[tokio::test]
async fn hidden_documents_and_fields_do_not_change_any_response() {
    let plain = restricted_node(false, &[]).await;
    let hidden = restricted_node(true, &[]).await;
    // Relevance scores are compared too (computed from the visible documents' statistics).
    for (method, path, body) in leaks::probes().into_iter().chain(leaks::score_probes()) {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
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
            leaks::without_took(&String::from_utf8_lossy(&a.bytes)),
            leaks::without_took(&String::from_utf8_lossy(&b.bytes)),
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
    // Filter buckets count visible documents only; a filter on a hidden field matches none.
    let aggs = json!({"size": 0, "aggs": {"f": {"filters": {"other_bucket": true, "filters": {
        "all": {"match_all": {}}, "paid": {"exists": {"field": "salary"}}}}}}});
    let (s, b) = node.call("POST", "/docs/_search", user, Some(aggs)).await;
    assert_eq!(s, 200, "{b}");
    let buckets = &b["aggregations"]["f"]["buckets"];
    assert_eq!(
        (&buckets["all"]["doc_count"], &buckets["paid"]["doc_count"]),
        (&json!(12), &json!(0)),
        "{b}"
    );
    assert_eq!(buckets["_other_"]["doc_count"], 0, "{b}");
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
