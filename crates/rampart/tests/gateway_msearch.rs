#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `_msearch` through the gateway (behind the recording `gateway_front`): each sub-search is
//! authorized and restricted on its own, a denied one becomes its item's 403 while the others
//! run, and the allowed ones reach the upstream in one `_msearch` naming only authorized
//! indices, restricted ones carrying their DLS filter, with FLS applied to each answer.

mod gateway_front;
mod gateway_support;

use gateway_front::Front;
use gateway_support::Cluster;
use serde_json::{Value, json};

const PASSWORD: &str = "password-123";
/// DLS `dept: public`, FLS `title, dept, n` on `docs`.
const RESTRICTED: &str = "restricted";
/// Read on `docs*`, no DLS/FLS.
const READER: &str = "reader";

fn doc(i: usize) -> Value {
    json!({"title": format!("note {i}"), "dept": if i % 2 == 0 { "public" } else { "secret" },
        "n": i, "salary": 100 * i})
}

async fn setup() -> (Cluster, Front) {
    let mut front = None;
    let cluster = Cluster::start_via(|upstream| {
        let (f, url) = Front::start(upstream);
        front = Some(f);
        url
    })
    .await;
    let docs: Vec<(String, Value)> = (0..4).map(|i| (format!("p{i}"), doc(i))).collect();
    cluster.seed_docs("docs", &docs).await;
    cluster
        .seed_docs("docs-secret", &[("s1".into(), doc(1))])
        .await;
    cluster
        .put_roles(vec![
            (
                RESTRICTED.into(),
                json!({"indices": [{"names": ["docs"], "privileges": ["read"],
                    "query": {"term": {"dept": "public"}},
                    "field_security": {"grant": ["title", "dept", "n"]}}]}),
            ),
            (
                READER.into(),
                json!({"indices": [{"names": ["docs*"], "privileges": ["read"]}]}),
            ),
        ])
        .await;
    cluster
        .put_users(&[
            (RESTRICTED, PASSWORD, &[RESTRICTED]),
            (READER, PASSWORD, &[READER]),
        ])
        .await;
    (cluster, front.unwrap())
}

/// `_msearch` through the gateway as `user`, with `lines` as its ndjson body.
async fn msearch(cluster: &Cluster, user: &str, path: &str, lines: &[Value]) -> (u16, Value) {
    let mut body = String::new();
    for line in lines {
        body.push_str(&line.to_string());
        body.push('\n');
    }
    let response = reqwest::Client::new()
        .post(format!("{}{path}", cluster.gateway.url))
        .basic_auth(user, Some(PASSWORD))
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// The `_id`s of an answer's hits, sorted.
fn ids(answer: &Value) -> Vec<String> {
    let mut ids: Vec<String> = answer["hits"]["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("no hits in {answer}"))
        .iter()
        .map(|h| h["_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_sub_search_is_authorized_and_restricted_on_its_own() {
    let (cluster, front) = setup().await;
    let (status, answer) = msearch(
        &cluster,
        RESTRICTED,
        "/_msearch",
        &[
            json!({"index": "docs"}),
            json!({"query": {"match_all": {}}}),
            json!({"index": "docs-secret"}),
            json!({}),
            json!({"index": "docs"}),
            json!({"query": {"term": {"dept": "secret"}}}),
            json!({"index": "nothing-here*"}),
            json!({}),
            json!({"index": "do*"}),
            json!({"query": {"exists": {"field": "salary"}}}),
        ],
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let responses = answer["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 5, "{answer}");

    // DLS: only the public documents; FLS: no salary.
    let allowed = &responses[0];
    assert_eq!(allowed["status"], 200, "{allowed}");
    assert_eq!(ids(allowed), vec!["p0", "p2"]);
    for hit in allowed["hits"]["hits"].as_array().unwrap() {
        assert!(hit["_source"].get("salary").is_none(), "{hit}");
        assert_eq!(hit["_source"]["dept"], "public", "{hit}");
    }

    // A denied sub-search is its item's 403; the others proceed.
    let denied = &responses[1];
    assert_eq!(denied["status"], 403, "{denied}");
    assert_eq!(denied["error"]["type"], "security_exception", "{denied}");
    assert!(denied.get("hits").is_none(), "{denied}");

    // DLS hides the secret documents even when asked for them by name.
    assert_eq!(responses[2]["status"], 200);
    assert_eq!(ids(&responses[2]), Vec::<String>::new());

    // A pattern matching nothing authorized is an empty answer, answered locally.
    assert_eq!(responses[3]["status"], 200);
    assert_eq!(ids(&responses[3]), Vec::<String>::new());

    // A hidden field matches nothing, and the pattern reaches only `docs`.
    assert_eq!(responses[4]["status"], 200);
    assert_eq!(ids(&responses[4]), Vec::<String>::new());

    // One upstream `_msearch` for the three forwarded items, naming only `docs`, each
    // carrying the DLS filter.
    let sent = front.recorded("/_msearch");
    assert_eq!(sent.len(), 1, "{sent:?}");
    let lines = sent[0].body.as_array().unwrap();
    assert_eq!(lines.len(), 6, "{lines:?}");
    for pair in lines.chunks(2) {
        assert_eq!(pair[0], json!({"index": ["docs"]}), "{lines:?}");
        assert!(pair[1].to_string().contains("public"), "{}", pair[1]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unrestricted_sub_searches_are_forwarded_on_authorized_names() {
    let (cluster, front) = setup().await;
    // The path's index is the default of headers naming none.
    let (status, answer) = msearch(
        &cluster,
        READER,
        "/docs/_msearch",
        &[
            json!({}),
            json!({"query": {"match_all": {}}}),
            json!({"index": "do*", "preference": "p"}),
            json!({"query": {"exists": {"field": "salary"}}}),
        ],
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let responses = answer["responses"].as_array().unwrap();
    assert_eq!(ids(&responses[0]), vec!["p0", "p1", "p2", "p3"]);
    assert_eq!(ids(&responses[1]), vec!["p0", "p1", "p2", "p3", "s1"]);
    for hit in responses[1]["hits"]["hits"].as_array().unwrap() {
        assert!(hit["_source"]["salary"].is_number(), "{hit}");
    }

    let sent = front.recorded("/_msearch");
    assert_eq!(sent.len(), 1, "{sent:?}");
    let lines = sent[0].body.as_array().unwrap();
    assert_eq!(lines[0], json!({"index": ["docs"]}));
    // The wildcard went upstream as the authorized names; other header keys as sent.
    let mut names: Vec<String> = lines[2]["index"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, vec!["docs", "docs-secret"]);
    assert_eq!(lines[2]["preference"], "p");
    assert_eq!(lines[3], json!({"query": {"exists": {"field": "salary"}}}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_msearch_is_refused() {
    let (cluster, front) = setup().await;
    let (status, answer) = msearch(&cluster, READER, "/_msearch", &[]).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["error"]["type"],
        "action_request_validation_exception"
    );
    assert!(front.recorded("/_msearch").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cat_count_counts_what_the_caller_may_read() {
    let (cluster, front) = setup().await;
    let count = |user: &'static str, path: &'static str| {
        let cluster = &cluster;
        async move {
            let r = cluster
                .call(Some((user, PASSWORD)), "GET", path, None)
                .await;
            assert_eq!(r.status, 200, "{}", r.text());
            r.json()[0]["count"].as_str().unwrap().to_string()
        }
    };
    // DLS: two of the four documents of `docs`; the pattern reaches only `docs`.
    assert_eq!(count(RESTRICTED, "/_cat/count/do*?format=json").await, "2");
    assert_eq!(count(READER, "/_cat/count/docs*?format=json").await, "5");
    let sent = front.recorded("/_count");
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[0].target.starts_with("/docs/_count"), "{sent:?}");
    assert!(sent[0].body.to_string().contains("public"), "{sent:?}");
    // Plain text by default.
    let r = cluster
        .call(Some((READER, PASSWORD)), "GET", "/_cat/count/docs?v", None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().trim_start().starts_with("epoch"), "{}", r.text());
    assert!(
        r.text().lines().nth(1).unwrap().ends_with(" 4"),
        "{}",
        r.text()
    );
}
