#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Data stream create/delete/stats, `_rollover` and resize through the gateway (behind the
//! recording `gateway_front`): each is authorized as the embedded plane authorizes it, against
//! the upstream's metadata, and only authorized names are sent upstream. Resize: the
//! refusals (DLS/FLS on the source, a target name granting more) stay in the gateway; an
//! allowed request is forwarded on the concrete source and the upstream's answer (its
//! refusal of a writable source, then the clone) comes back.

mod gateway_front;
mod gateway_support;

use gateway_front::Front;
use gateway_support::Cluster;
use serde_json::{Value, json};

const PASSWORD: &str = "password-123";
/// Manages `logs-app*` streams and the `docs` alias/indices; monitors `logs-app*` only.
const MANAGER: &str = "manager";
/// Everything on `docs*`, under DLS.
const RESTRICTED: &str = "restricted";
/// Manages `docs` but may also read `docs-copy`, which `docs` does not allow reading.
const WIDENER: &str = "widener";

async fn setup() -> (Cluster, Front) {
    let mut front = None;
    let cluster = Cluster::start_via(|upstream| {
        let (f, url) = Front::start(upstream);
        front = Some(f);
        url
    })
    .await;
    let template = json!({"index_patterns": ["logs-*"], "data_stream": {},
        "template": {"mappings": {"properties": {"@timestamp": {"type": "date"}}}}});
    cluster
        .seed("PUT", "/_index_template/logs", Some(&template), 200)
        .await;
    cluster
        .seed("PUT", "/_data_stream/logs-zed", None, 200)
        .await;
    let doc = json!({"title": "t", "dept": "public"});
    cluster
        .seed_docs("docs-000001", &[("d1".into(), doc)])
        .await;
    // An explicit write alias: after a rollover it names two indices, and the gateway's
    // metadata must know which one takes writes.
    let alias = json!({"actions": [{"add": {"index": "docs-000001", "alias": "docs",
        "is_write_index": true}}]});
    cluster.seed("POST", "/_aliases", Some(&alias), 200).await;
    cluster
        .put_roles(vec![
            (
                MANAGER.into(),
                json!({"indices": [
                    {"names": ["logs-app*", "docs"], "privileges": ["manage", "write"]},
                    {"names": ["docs-*"], "privileges": ["manage", "read", "write"]}]}),
            ),
            (
                RESTRICTED.into(),
                json!({"indices": [{"names": ["docs*"], "privileges": ["all"],
                    "query": {"term": {"dept": "public"}}}]}),
            ),
            (
                WIDENER.into(),
                json!({"indices": [
                    {"names": ["docs-000001"], "privileges": ["manage"]},
                    {"names": ["docs-copy"], "privileges": ["manage", "read"]}]}),
            ),
        ])
        .await;
    cluster
        .put_users(&[
            (MANAGER, PASSWORD, &[MANAGER]),
            (RESTRICTED, PASSWORD, &[RESTRICTED]),
            (WIDENER, PASSWORD, &[WIDENER]),
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

fn stream_names(body: &Value, key: &str, field: &str) -> Vec<String> {
    body[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[field].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_streams_are_created_listed_and_deleted_only_where_authorized() {
    let (cluster, front) = setup().await;
    let (status, body) = call(&cluster, MANAGER, "PUT", "/_data_stream/logs-app", None).await;
    assert_eq!((status, &body), (200, &json!({"acknowledged": true})));
    let (status, body) = call(&cluster, MANAGER, "PUT", "/_data_stream/logs-other", None).await;
    assert_eq!(status, 403, "{body}");
    assert!(front.recorded("/_data_stream/logs-other").is_empty());

    // Stats: a wildcard skips what the caller may not monitor; the upstream is asked by name.
    let (status, body) = call(
        &cluster,
        MANAGER,
        "GET",
        "/_data_stream/logs-*/_stats",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        stream_names(&body, "data_streams", "data_stream"),
        ["logs-app"]
    );
    let sent = front.recorded("/_stats");
    assert_eq!(sent.last().unwrap().target, "/_data_stream/logs-app/_stats");
    let (status, body) = call(
        &cluster,
        MANAGER,
        "GET",
        "/_data_stream/logs-zed/_stats",
        None,
    )
    .await;
    assert_eq!(status, 403, "{body}");

    // Delete: a wildcard deletes only the authorized streams; a named other one is a 403.
    let (status, body) = call(&cluster, MANAGER, "DELETE", "/_data_stream/logs-zed", None).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = call(&cluster, MANAGER, "DELETE", "/_data_stream/logs-*", None).await;
    assert_eq!((status, &body), (200, &json!({"acknowledged": true})));
    let sent = front.recorded("/_data_stream/");
    let deletes: Vec<_> = sent.iter().filter(|r| r.method == "DELETE").collect();
    assert_eq!(deletes.len(), 1, "{sent:?}");
    assert_eq!(deletes[0].target, "/_data_stream/logs-app");
    let left = cluster.direct("GET", "/_data_stream", None).await.json();
    assert_eq!(stream_names(&left, "data_streams", "name"), ["logs-zed"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollover_is_authorized_parsed_and_forwarded() {
    let (cluster, front) = setup().await;
    // Parse errors are the embedded plane's, and nothing goes upstream.
    let bad = json!({"conditions": {"max_doc": 1}});
    let (status, body) = call(&cluster, MANAGER, "POST", "/docs/_rollover", Some(bad)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["error"]["caused_by"]["reason"],
        "[rollover_conditions] unknown field [max_doc]"
    );
    assert!(front.recorded("_rollover").is_empty());
    // A named new index is authorized too.
    let (status, body) = call(&cluster, MANAGER, "POST", "/docs/_rollover/elsewhere", None).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = call(&cluster, RESTRICTED, "POST", "/logs-zed/_rollover", None).await;
    assert_eq!(status, 403, "{body}");
    assert!(front.recorded("_rollover").is_empty());

    // Unmet conditions: the upstream's answer, nothing rolled.
    let unmet = json!({"conditions": {"max_docs": 5}});
    let (status, body) = call(&cluster, MANAGER, "POST", "/docs/_rollover", Some(unmet)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["rolled_over"], false, "{body}");
    assert_eq!(body["conditions"], json!({"[max_docs: 5]": false}));
    let met = json!({"conditions": {"max_docs": 1}});
    let (status, body) = call(&cluster, MANAGER, "POST", "/docs/_rollover", Some(met)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["rolled_over"], true, "{body}");
    assert_eq!(body["new_index"], "docs-000002");
    let sent = front.recorded("_rollover");
    assert_eq!(sent.last().unwrap().target, "/docs/_rollover");
    assert_eq!(
        sent.last().unwrap().body,
        json!({"conditions": {"max_docs": 1}})
    );
    // The gateway's metadata follows: a write through the alias lands in the new index.
    let doc = json!({"title": "after", "dept": "public"});
    let (status, body) = call(&cluster, MANAGER, "PUT", "/docs/_doc/d2", Some(doc)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["_index"], "docs-000002");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resize_is_refused_under_dls_and_on_escalation_and_otherwise_forwarded() {
    let (cluster, front) = setup().await;
    let (status, body) = call(
        &cluster,
        RESTRICTED,
        "POST",
        "/docs-000001/_clone/docs-copy",
        None,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["reason"].as_str().unwrap().starts_with(
            "Resize requests are not allowed for users when field or document level security"
        ),
        "{body}"
    );
    let (status, body) = call(
        &cluster,
        WIDENER,
        "POST",
        "/docs-000001/_clone/docs-copy",
        None,
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        body["error"]["reason"],
        "Resizing an index is not allowed when the target index has more permissions than the source index"
    );
    // No resize privilege on the source name itself (`docs` is an alias it is not granted).
    let (status, body) = call(&cluster, WIDENER, "POST", "/docs/_shrink/docs-copy", None).await;
    assert_eq!(status, 403, "{body}");
    assert!(front.recorded("_clone").is_empty());
    assert!(front.recorded("_shrink").is_empty());

    // Allowed: forwarded on the concrete source. The upstream refuses a source without a
    // write block; its refusal comes back sanitised (status kept, reason not).
    let settings = json!({"settings": {"index.number_of_replicas": 0}});
    let (status, body) = call(
        &cluster,
        MANAGER,
        "PUT",
        "/docs/_clone/docs-copy",
        Some(settings.clone()),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["type"], "status_exception", "{body}");
    let blocked = json!({"index.blocks.write": true});
    cluster
        .seed("PUT", "/docs-000001/_settings", Some(&blocked), 200)
        .await;
    let (status, body) = call(
        &cluster,
        MANAGER,
        "PUT",
        "/docs/_clone/docs-copy",
        Some(settings.clone()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["index"], "docs-copy", "{body}");
    let copied = cluster.direct("GET", "/docs-copy/_doc/d1", None).await;
    assert_eq!(copied.json()["_source"]["title"], "t", "{}", copied.text());
    let sent = front.recorded("_clone");
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent.iter().all(|r| r.method == "PUT"
        && r.target == "/docs-000001/_clone/docs-copy"
        && r.body == settings));
    // The metadata cache was dropped: the new index is known to the gateway at once.
    let (status, body) = call(&cluster, MANAGER, "GET", "/docs-copy/_doc/d1", None).await;
    assert_eq!(status, 200, "{body}");
}
