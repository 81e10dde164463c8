#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Point in time through the gateway, behind a recording front (`gateway_front`) that passes
//! PIT requests to the embedded upstream (security disabled there, so its PITs are bound to
//! no one): the PIT is opened on the authorized names only, its id is bound to the opener
//! (another user or an altered id finds no context), searches with it see the upstream's
//! snapshot, authorized on the PIT's indices and rewritten with the caller's DLS/FLS, and
//! only the opener can close it.

mod gateway_front;
mod gateway_support;

use gateway_front::Front;
use gateway_support::Cluster;
use serde_json::{Value, json};

const PASSWORD: &str = "password-123";
const RESTRICTED: &str = "restricted";
const OTHER: &str = "other";

async fn setup() -> (Cluster, Front) {
    let mut front = None;
    let cluster = Cluster::start_via(|upstream| {
        let (f, url) = Front::start(upstream);
        front = Some(f);
        url
    })
    .await;
    let docs: Vec<(String, Value)> = (0..4)
        .map(|i| {
            let dept = if i % 2 == 0 { "public" } else { "secret" };
            (
                format!("p{i}"),
                json!({"title": format!("note {i}"), "dept": dept, "n": i, "salary": 100 * i}),
            )
        })
        .collect();
    cluster.seed_docs("docs", &docs).await;
    cluster
        .seed_docs("docs-secret", &[("s1".into(), json!({"title": "s"}))])
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
                OTHER.into(),
                json!({"indices": [{"names": ["docs*"], "privileges": ["read"]}]}),
            ),
        ])
        .await;
    cluster
        .put_users(&[
            (RESTRICTED, PASSWORD, &[RESTRICTED]),
            (OTHER, PASSWORD, &[OTHER]),
        ])
        .await;
    (cluster, front.unwrap())
}

async fn call(
    cluster: &Cluster,
    user: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let r = cluster
        .call(Some((user, PASSWORD)), method, path, body.as_ref())
        .await;
    (r.status, r.json())
}

fn pit_search(id: &str) -> Value {
    json!({"pit": {"id": id, "keep_alive": "1m"}, "sort": [{"n": "asc"}],
        "query": {"match_all": {}}})
}

fn sources(answer: &Value) -> Vec<Value> {
    answer["hits"]["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("no hits: {answer}"))
        .iter()
        .map(|h| h["_source"].clone())
        .collect()
}

/// The upstream PIT id of the last PIT search the gateway forwarded.
fn last_upstream_id(front: &Front) -> String {
    let forwarded = front.recorded("/_search");
    let id = forwarded.last().unwrap().body["pit"]["id"].clone();
    id.as_str().unwrap().to_string()
}

/// The status of a search straight at the upstream with its PIT id.
async fn upstream_pit_status(cluster: &Cluster, upstream_id: &str) -> u16 {
    let body = json!({"pit": {"id": upstream_id}});
    cluster.direct("POST", "/_search", Some(&body)).await.status
}

fn missing_context(status: u16, answer: &Value) {
    assert_eq!(status, 404, "{answer}");
    assert_eq!(
        answer["error"]["type"],
        json!("search_context_missing_exception")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn point_in_time_is_bound_authorized_and_restricted() {
    let (cluster, front) = setup().await;
    // Opened on the authorized names only: the wildcard never reaches the upstream.
    let (status, opened) = call(
        &cluster,
        RESTRICTED,
        "POST",
        "/do*/_pit?keep_alive=1m",
        None,
    )
    .await;
    assert_eq!(status, 200, "{opened}");
    let id = opened["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("rmp1."), "{id}");
    let sent = front.recorded("/_pit");
    assert_eq!(sent.last().unwrap().target, "/docs/_pit?keep_alive=1m");
    let (status, _) = call(&cluster, RESTRICTED, "POST", "/docs/_pit", None).await;
    assert_eq!(status, 400, "keep_alive is required");
    // No index: ES's request validation, answered by the gateway without going upstream.
    let (status, answer) = call(&cluster, RESTRICTED, "POST", "/_pit?keep_alive=1m", None).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["error"]["reason"],
        json!("Validation Failed: 1: [index] is not specified;")
    );
    assert_eq!(
        front.recorded("/_pit").len(),
        1,
        "only the first open went upstream"
    );
    // A document written after opening is outside the PIT's snapshot.
    cluster
        .seed_docs(
            "docs",
            &[(
                "late".into(),
                json!({"title": "late", "dept": "public", "n": 9}),
            )],
        )
        .await;

    // The opener's searches see the DLS-visible documents, FLS-filtered; the upstream got
    // its own id and the rewritten query.
    let (status, answer) = call(
        &cluster,
        RESTRICTED,
        "POST",
        "/_search",
        Some(pit_search(&id)),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        sources(&answer),
        vec![
            json!({"title": "note 0", "dept": "public", "n": 0}),
            json!({"title": "note 2", "dept": "public", "n": 2}),
        ]
    );
    let forwarded = front.recorded("/_search");
    let forwarded = &forwarded.last().unwrap().body;
    let upstream_id = last_upstream_id(&front);
    assert!(!upstream_id.is_empty() && upstream_id != id, "{forwarded}");
    assert_eq!(upstream_pit_status(&cluster, &upstream_id).await, 200);
    assert!(
        forwarded["query"].to_string().contains("public"),
        "the DLS filter is in the query: {forwarded}"
    );
    // The answer's id is bound again and keeps working.
    let next = answer["pit_id"].as_str().unwrap().to_string();
    assert!(next.starts_with("rmp1."), "{next}");
    let (status, _) = call(
        &cluster,
        RESTRICTED,
        "POST",
        "/_search",
        Some(pit_search(&next)),
    )
    .await;
    assert_eq!(status, 200);

    // Another user, an altered id, and an index in the path.
    let (status, answer) = call(&cluster, OTHER, "POST", "/_search", Some(pit_search(&id))).await;
    missing_context(status, &answer);
    // One character of the MAC changed (the first of its part, which any letter keeps
    // decodable).
    let (head, tag) = id.rsplit_once('.').unwrap();
    let first = if tag.starts_with('A') { "B" } else { "A" };
    let altered = format!("{head}.{first}{}", &tag[1..]);
    let (status, answer) = call(
        &cluster,
        RESTRICTED,
        "POST",
        "/_search",
        Some(pit_search(&altered)),
    )
    .await;
    missing_context(status, &answer);
    let (status, answer) = call(
        &cluster,
        RESTRICTED,
        "POST",
        "/docs/_search",
        Some(pit_search(&id)),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"]["reason"]
            .as_str()
            .unwrap()
            .contains("[indices] cannot be used with point in time")
    );

    // An unrestricted opener's searches are forwarded unchanged.
    let (_, opened) = call(&cluster, OTHER, "POST", "/docs/_pit?keep_alive=1m", None).await;
    let other_id = opened["id"].as_str().unwrap().to_string();
    let (status, answer) = call(
        &cluster,
        OTHER,
        "POST",
        "/_search",
        Some(pit_search(&other_id)),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    // Opened after the late document: five.
    assert_eq!(sources(&answer).len(), 5);
    let forwarded = front.recorded("/_search");
    let forwarded = &forwarded.last().unwrap().body;
    assert_eq!(forwarded["query"], json!({"match_all": {}}));
    let other_upstream_id = last_upstream_id(&front);

    // Only the opener closes its PIT.
    let (status, answer) = call(&cluster, OTHER, "DELETE", "/_pit", Some(json!({"id": id}))).await;
    missing_context(status, &answer);
    assert_eq!(upstream_pit_status(&cluster, &upstream_id).await, 200);
    let (status, answer) = call(
        &cluster,
        RESTRICTED,
        "DELETE",
        "/_pit",
        Some(json!({"id": id})),
    )
    .await;
    assert_eq!(
        (status, answer),
        (200, json!({"succeeded": true, "num_freed": 1}))
    );
    assert_eq!(upstream_pit_status(&cluster, &upstream_id).await, 404);
    assert_eq!(upstream_pit_status(&cluster, &other_upstream_id).await, 200);
    // Closed: the opener's id finds no context any more.
    let (status, answer) = call(
        &cluster,
        RESTRICTED,
        "POST",
        "/_search",
        Some(pit_search(&id)),
    )
    .await;
    missing_context(status, &answer);
}

/// `_msearch` through the gateway as `user`, with `lines` as its ndjson body.
async fn msearch(cluster: &Cluster, user: &str, path: &str, lines: &[Value]) -> (u16, Value) {
    let mut body = String::new();
    for line in lines {
        body.push_str(&format!("{line}\n"));
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pit_items_of_msearch_are_bound_authorized_and_restricted() {
    let (cluster, front) = setup().await;
    let (status, opened) = call(
        &cluster,
        RESTRICTED,
        "POST",
        "/docs/_pit?keep_alive=1m",
        None,
    )
    .await;
    assert_eq!(status, 200, "{opened}");
    let id = opened["id"].as_str().unwrap().to_string();
    cluster
        .seed_docs(
            "docs",
            &[(
                "late".into(),
                json!({"title": "late", "dept": "public", "n": 9}),
            )],
        )
        .await;
    let (_, others) = call(&cluster, OTHER, "POST", "/docs/_pit?keep_alive=1m", None).await;
    let others = others["id"].as_str().unwrap().to_string();
    let pit = |id: &str| json!({"pit": {"id": id, "keep_alive": "1m"}, "sort": [{"n": "asc"}]});
    let (status, answer) = msearch(
        &cluster,
        RESTRICTED,
        "/_msearch",
        &[
            json!({}),
            pit(&id),
            json!({"index": "docs"}),
            json!({"sort": [{"n": "asc"}]}),
            json!({}),
            pit(&others),
            json!({"index": "docs"}),
            pit(&id),
        ],
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let r = &answer["responses"];
    // The PIT's snapshot under the caller's DLS/FLS, its id bound to the caller again.
    assert_eq!(r[0]["status"], 200, "{answer}");
    assert_eq!(
        sources(&r[0]),
        vec![
            json!({"title": "note 0", "dept": "public", "n": 0}),
            json!({"title": "note 2", "dept": "public", "n": 2}),
        ]
    );
    let next = r[0]["pit_id"].as_str().unwrap();
    assert!(next.starts_with("rmp1."), "{next}");
    // An ordinary item sees the late document.
    assert_eq!(sources(&r[1]).len(), 3, "{answer}");
    // Another user's PIT and an index next to `pit` are the items' own errors.
    missing_context(r[2]["status"].as_u64().unwrap() as u16, &r[2]);
    assert_eq!(r[3]["status"], 400, "{answer}");
    assert!(
        r[3]["error"]["reason"]
            .as_str()
            .unwrap()
            .contains("[indices] cannot be used with point in time"),
        "{answer}"
    );
    // Upstream: one `_msearch`, the PIT item with an empty header, the upstream's own id
    // and the DLS filter in its query.
    let sent = front.recorded("/_msearch");
    let lines = sent.last().unwrap().body.as_array().unwrap().clone();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[0], json!({}));
    let upstream_id = lines[1]["pit"]["id"].as_str().unwrap();
    assert!(!upstream_id.starts_with("rmp1."), "{upstream_id}");
    assert!(
        lines[1]["query"].to_string().contains("public"),
        "{lines:?}"
    );

    // The rebound id keeps working in `_search`.
    let (status, _) = call(&cluster, RESTRICTED, "POST", "/_search", Some(pit(next))).await;
    assert_eq!(status, 200);
}
