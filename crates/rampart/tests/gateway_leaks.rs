#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The DLS/FLS leak test of the embedded data plane (`rampart-server/tests/data_dls_fls.rs`,
//! datasets, role and probe generators shared through `data_cases/leaks.rs`) against gateway
//! nodes: two upstreams holding datasets that differ only in documents and fields the
//! restricted reader may not see answer the reader byte-identically through their gateways
//! (scores and `took` blanked), over queries, sorts and aggregations on the hidden field.

mod gateway_support;
#[path = "../../rampart-server/tests/data_cases/leaks.rs"]
mod leaks;

use gateway_support::{Cluster, Resp};
use serde_json::json;

async fn restricted_cluster(with_hidden: bool) -> Cluster {
    let cluster = Cluster::start().await;
    cluster
        .seed("PUT", &format!("/{}", leaks::INDEX), None, 200)
        .await;
    cluster
        .seed_docs(leaks::INDEX, &leaks::dataset(with_hidden))
        .await;
    cluster.put_role(leaks::ROLE, &leaks::role()).await;
    cluster
        .put_user(leaks::READER, leaks::PASSWORD, &[leaks::ROLE])
        .await;
    cluster
}

async fn as_reader(
    cluster: &Cluster,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> Resp {
    cluster
        .call(Some((leaks::READER, leaks::PASSWORD)), method, path, body)
        .await
}

#[tokio::test]
async fn hidden_documents_and_fields_do_not_change_any_response_through_a_gateway() {
    let (plain, hidden) = tokio::join!(restricted_cluster(false), restricted_cluster(true));
    let mut answered = 0;
    let mut unanswered = Vec::new();
    for (method, path, body) in leaks::probes() {
        let a = as_reader(&plain, method, &path, body.as_ref()).await;
        let b = as_reader(&hidden, method, &path, body.as_ref()).await;
        let what = format!("{method} {path} {body:?}");
        assert_eq!(a.status, b.status, "{what}: {} / {}", a.text(), b.text());
        assert_eq!(
            leaks::without_took_and_scores(&a.text()),
            leaks::without_took_and_scores(&b.text()),
            "{what}"
        );
        assert!(
            !a.reason().contains("not supported in gateway mode"),
            "{what}: unsupported in gateway mode: {}",
            a.text()
        );
        // The probes' only intended errors are the malformed query and suggest; any other
        // error (e.g. an upstream rejecting a rewritten body) means the comparison proved
        // nothing for that probe.
        let error_type = a.json()["error"]["type"].clone();
        if a.status == 200 || a.status == 404 {
            answered += 1;
        } else if a.status != 400
            || !(error_type == "parsing_exception" || error_type == "security_exception")
        {
            unanswered.push(format!("{what}: {} {}", a.status, a.text()));
        }
    }
    assert!(
        unanswered.is_empty(),
        "{} probes not answered ({answered} were):\n{}",
        unanswered.len(),
        unanswered.join("\n")
    );
    // The admin sees the difference.
    let count = |r: Resp| r.json()["hits"]["total"]["value"].clone();
    let all = json!({"size": 0, "track_total_hits": true});
    let a = plain.admin("POST", "/docs/_search", Some(&all)).await;
    let b = hidden.admin("POST", "/docs/_search", Some(&all)).await;
    assert_ne!(count(a), count(b));
}

#[tokio::test]
async fn dls_and_fls_shape_what_the_reader_sees_through_a_gateway() {
    let cluster = restricted_cluster(true).await;
    let r = as_reader(&cluster, "GET", "/docs/_doc/s1", None).await;
    assert_eq!(
        (r.status, &r.json()["found"]),
        (404, &json!(false)),
        "{}",
        r.text()
    );
    let r = as_reader(&cluster, "GET", "/docs/_doc/p1", None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json()["_source"],
        json!({"title": "public note 1", "dept": "public", "n": 1})
    );
    let all = json!({"size": 100});
    let r = as_reader(&cluster, "POST", "/docs/_search", Some(&all)).await;
    let body = r.json();
    assert_eq!(body["hits"]["total"]["value"], 12, "{body}");
    for hit in body["hits"]["hits"].as_array().unwrap() {
        assert_eq!(hit["_source"]["dept"], "public", "{hit}");
        assert!(hit["_source"].get("salary").is_none(), "{hit}");
    }
    // `_count` answers a count, as Elasticsearch does.
    let r = as_reader(&cluster, "POST", "/docs/_count", None).await;
    assert_eq!(
        (r.status, &r.json()["count"]),
        (200, &json!(12)),
        "{}",
        r.text()
    );
}
