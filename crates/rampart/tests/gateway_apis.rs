#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The index administration and document APIs a gateway forwards beyond search and plain
//! reads/writes: get index / get and put mapping / get and put settings / stats / delete
//! index, `GET _source`, `_explain`, `_update`, `_termvectors`, `_delete_by_query` and
//! `_update_by_query`, the maintenance calls (flush, forcemerge, cache clear),
//! `_resolve/index` and data stream get. The gateway runs behind a recording front
//! (`gateway_front`), so each test checks both what the caller gets and what was sent
//! upstream: only authorized concrete index names (never the caller's wildcard), and
//! restricted queries carrying the DLS filter.

mod gateway_front;
mod gateway_support;

use gateway_front::Front;
use gateway_support::Cluster;
use serde_json::{Value, json};

const PASSWORD: &str = "password-123";
/// DLS `dept: public`, FLS `title, dept, n` on `docs`; may read, write and manage it.
const RESTRICTED: &str = "restricted";
/// The same privileges on `docs*` without DLS/FLS.
const UNRESTRICTED: &str = "unrestricted";
/// DLS only (`dept: public`) on `docs`, read and write.
const DLS_ONLY: &str = "dls_only";
/// Read and write on the alias `docs-alias` (of `docs`) only.
const ALIAS_WRITER: &str = "alias_writer";
/// `view_index_metadata` on the data stream `logs-app` only.
const STREAM_READER: &str = "stream_reader";
/// `maintenance` on `docs` only.
const MAINTAINER: &str = "maintainer";

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
    let alias = json!({"actions": [{"add": {"index": "docs", "alias": "docs-alias"}}]});
    cluster.seed("POST", "/_aliases", Some(&alias), 200).await;
    let privileges = ["read", "write", "view_index_metadata", "manage", "monitor"];
    let dls = json!({"term": {"dept": "public"}});
    cluster
        .put_roles(vec![
            (
                RESTRICTED.into(),
                json!({"indices": [{"names": ["docs"], "privileges": privileges, "query": dls,
                    "field_security": {"grant": ["title", "dept", "n"]}}]}),
            ),
            (
                UNRESTRICTED.into(),
                json!({"indices": [{"names": ["docs*"], "privileges": privileges}]}),
            ),
            (
                DLS_ONLY.into(),
                json!({"indices": [{"names": ["docs"], "privileges": ["read", "write"],
                    "query": dls}]}),
            ),
            (
                ALIAS_WRITER.into(),
                json!({"indices": [{"names": ["docs-alias"], "privileges": ["read", "write"]}]}),
            ),
            (
                STREAM_READER.into(),
                json!({"indices": [{"names": ["logs-app"], "privileges": ["view_index_metadata"]}]}),
            ),
            (
                MAINTAINER.into(),
                json!({"indices": [{"names": ["docs"], "privileges": ["maintenance"]}]}),
            ),
        ])
        .await;
    cluster
        .put_users(&[
            (RESTRICTED, PASSWORD, &[RESTRICTED]),
            (UNRESTRICTED, PASSWORD, &[UNRESTRICTED]),
            (DLS_ONLY, PASSWORD, &[DLS_ONLY]),
            (ALIAS_WRITER, PASSWORD, &[ALIAS_WRITER]),
            (MAINTAINER, PASSWORD, &[MAINTAINER]),
            (STREAM_READER, PASSWORD, &[STREAM_READER]),
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

fn property_names(mapping: &Value) -> Vec<String> {
    let mut names: Vec<String> = mapping["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn index_administration_is_authorized_filtered_and_forwarded_on_concrete_names() {
    let (cluster, front) = setup().await;
    let visible = vec!["dept".to_string(), "n".into(), "title".into()];

    // Mappings and get index are FLS-filtered; a wildcard reaches only authorized indices and
    // is never forwarded as such.
    let (status, mapping) = call(&cluster, RESTRICTED, "GET", "/do*/_mapping", None).await;
    assert_eq!(status, 200, "{mapping}");
    assert_eq!(
        mapping.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["docs"]
    );
    assert_eq!(property_names(&mapping["docs"]["mappings"]), visible);
    let sent = front.recorded("/_mapping");
    assert_eq!(sent.last().unwrap().target, "/docs/_mapping");
    let (status, index) = call(&cluster, RESTRICTED, "GET", "/docs", None).await;
    assert_eq!(status, 200, "{index}");
    assert_eq!(property_names(&index["docs"]["mappings"]), visible);
    let (_, full) = call(&cluster, UNRESTRICTED, "GET", "/docs/_mapping", None).await;
    let direct = cluster.direct("GET", "/docs/_mapping", None).await.json();
    assert_eq!(full, direct);

    // Field caps: hidden fields are not listed.
    let (status, caps) = call(
        &cluster,
        RESTRICTED,
        "GET",
        "/do*/_field_caps?fields=*",
        None,
    )
    .await;
    assert_eq!(status, 200, "{caps}");
    assert_eq!(caps["indices"], json!(["docs"]));
    assert!(caps["fields"].get("title").is_some(), "{caps}");
    assert!(caps["fields"].get("salary").is_none(), "{caps}");
    let (_, caps) = call(
        &cluster,
        UNRESTRICTED,
        "GET",
        "/docs/_field_caps?fields=*",
        None,
    )
    .await;
    assert!(caps["fields"].get("salary").is_some(), "{caps}");
    let filtered = json!({"index_filter": {"term": {"dept": "secret"}}});
    let (status, _) = call(
        &cluster,
        RESTRICTED,
        "POST",
        "/docs/_field_caps?fields=*",
        Some(filtered),
    )
    .await;
    assert_eq!(status, 400, "index_filter would test hidden documents");

    // Settings and stats, on the concrete names.
    let (status, settings) = call(&cluster, RESTRICTED, "GET", "/docs*/_settings", None).await;
    assert_eq!(status, 200, "{settings}");
    assert!(settings.get("docs").is_some() && settings.get("docs-secret").is_none());
    let (status, stats) = call(&cluster, UNRESTRICTED, "GET", "/docs*/_stats", None).await;
    assert_eq!(status, 200, "{stats}");
    assert!(
        front
            .recorded("/_stats")
            .iter()
            .all(|r| r.target.starts_with("/docs,docs-secret/_stats")
                || r.target.starts_with("/docs-secret,docs/_stats")),
        "{:?}",
        front.recorded("/_stats")
    );

    // Changes: allowed where granted, ES's 403 elsewhere.
    let extra = json!({"properties": {"extra": {"type": "keyword"}}});
    let (status, body) = call(
        &cluster,
        RESTRICTED,
        "PUT",
        "/docs/_mapping",
        Some(extra.clone()),
    )
    .await;
    assert_eq!((status, &body), (200, &json!({"acknowledged": true})));
    let direct = cluster.direct("GET", "/docs/_mapping", None).await.json();
    assert!(direct["docs"]["mappings"]["properties"]["extra"].is_object());
    let (status, denied) = call(
        &cluster,
        RESTRICTED,
        "PUT",
        "/docs-secret/_mapping",
        Some(extra),
    )
    .await;
    assert_eq!(status, 403, "{denied}");
    let reason = denied["error"]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with(
            "action [indices:admin/mapping/put] is unauthorized for user [restricted] with effective roles [restricted] on indices [docs-secret]"
        ),
        "{reason}"
    );
    let (status, body) = call(
        &cluster,
        UNRESTRICTED,
        "PUT",
        "/docs/_settings",
        Some(json!({"index": {"number_of_replicas": 0}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // Delete: names only; the index is gone upstream and from the gateway's metadata.
    let (status, body) = call(&cluster, UNRESTRICTED, "DELETE", "/docs-*", None).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = call(&cluster, RESTRICTED, "DELETE", "/docs-secret", None).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = call(&cluster, UNRESTRICTED, "DELETE", "/docs-secret", None).await;
    assert_eq!((status, &body), (200, &json!({"acknowledged": true})));
    assert_eq!(
        cluster.direct("GET", "/docs-secret", None).await.status,
        404
    );
    let (status, _) = call(
        &cluster,
        UNRESTRICTED,
        "GET",
        "/docs-secret/_settings",
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_operations_respect_dls_and_fls() {
    let (cluster, front) = setup().await;
    // `_source` under DLS: a visible document is FLS-filtered, a hidden one is missing.
    let (status, source) = call(&cluster, RESTRICTED, "GET", "/docs/_source/p2", None).await;
    assert_eq!(
        (status, source),
        (200, json!({"title": "note 2", "dept": "public", "n": 2}))
    );
    let (status, hidden) = call(&cluster, RESTRICTED, "GET", "/docs/_source/p1", None).await;
    let (_, missing) = call(&cluster, RESTRICTED, "GET", "/docs/_source/nope", None).await;
    assert_eq!(status, 404);
    assert_eq!(
        hidden["error"]["reason"],
        json!("Document not found [docs]/[p1]")
    );
    assert_eq!(missing["error"]["type"], hidden["error"]["type"]);
    let (status, source) = call(&cluster, UNRESTRICTED, "GET", "/docs/_source/p1", None).await;
    assert_eq!((status, source), (200, doc(1)));
    let (status, _) = call(
        &cluster,
        RESTRICTED,
        "GET",
        "/docs/_source/p2?_source_includes=title",
        None,
    )
    .await;
    assert_eq!(
        status, 400,
        "the DLS stand-in search cannot honour it exactly"
    );

    // `_explain`, `_termvectors` and `_update` are forwarded for unrestricted callers only.
    let query = json!({"query": {"match": {"title": "note"}}});
    let (status, explained) = call(
        &cluster,
        UNRESTRICTED,
        "POST",
        "/docs/_explain/p1",
        Some(query.clone()),
    )
    .await;
    assert_eq!(status, 200, "{explained}");
    assert_eq!(explained["matched"], json!(true));
    let (status, explained) = call(
        &cluster,
        UNRESTRICTED,
        "POST",
        "/docs/_explain/nope",
        Some(json!({"query": {"match_all": {}}})),
    )
    .await;
    assert_eq!(
        (status, explained),
        (
            404,
            json!({"_index": "docs", "_id": "nope", "matched": false})
        )
    );
    let (status, _) = call(
        &cluster,
        RESTRICTED,
        "POST",
        "/docs/_explain/p2",
        Some(query),
    )
    .await;
    assert_eq!(status, 400);
    let (status, tv) = call(&cluster, UNRESTRICTED, "GET", "/docs/_termvectors/p1", None).await;
    assert_eq!((status, &tv["found"]), (200, &json!(true)), "{tv}");
    assert_eq!(front.recorded("/_termvectors").len(), 1);
    let (status, _) = call(&cluster, RESTRICTED, "GET", "/docs/_termvectors/p2", None).await;
    assert_eq!(status, 400);
    assert_eq!(
        front.recorded("/_termvectors").len(),
        1,
        "refused, not sent"
    );
    let partial = json!({"doc": {"n": 42}});
    let (status, updated) = call(
        &cluster,
        UNRESTRICTED,
        "POST",
        "/docs/_update/p3?refresh=true",
        Some(partial.clone()),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    let direct = cluster.direct("GET", "/docs/_doc/p3", None).await.json();
    assert_eq!(direct["_source"]["n"], json!(42));
    let (status, refused) = call(
        &cluster,
        RESTRICTED,
        "POST",
        "/docs/_update/p2",
        Some(partial),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        refused["error"]["reason"],
        json!("Can't execute an update request if field or document level security is enabled")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_query_writes_reach_only_visible_documents() {
    let (cluster, front) = setup().await;
    // Under FLS a query on a hidden field matches nothing: nothing is deleted.
    let (status, answer) = call(
        &cluster,
        RESTRICTED,
        "POST",
        "/docs/_delete_by_query",
        Some(json!({"query": {"range": {"salary": {"gte": 0}}}})),
    )
    .await;
    assert_eq!((status, &answer["deleted"]), (200, &json!(0)), "{answer}");
    // `_update_by_query` is refused under FLS and, under DLS only, carries the filter.
    let (status, _) = call(&cluster, RESTRICTED, "POST", "/docs/_update_by_query", None).await;
    assert_eq!(status, 400);
    // Refreshed, so that the deletes below see the rewritten documents' sequence numbers (the
    // real upstream reports a version conflict otherwise, as Elasticsearch does).
    let (status, answer) = call(
        &cluster,
        DLS_ONLY,
        "POST",
        "/docs/_update_by_query?refresh=true",
        None,
    )
    .await;
    assert_eq!((status, &answer["updated"]), (200, &json!(2)), "{answer}");
    let scripted = json!({"script": {"source": "ctx._source.n = 0"}});
    let (status, _) = call(
        &cluster,
        DLS_ONLY,
        "POST",
        "/docs/_update_by_query",
        Some(scripted),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = call(
        &cluster,
        DLS_ONLY,
        "POST",
        "/docs/_delete_by_query?q=dept:secret",
        None,
    )
    .await;
    assert_eq!(status, 400, "a URL query cannot be scoped");
    // The deletes are decided on the concrete index: a grant on the alias alone is refused.
    let (status, denied) = call(
        &cluster,
        ALIAS_WRITER,
        "POST",
        "/docs-alias/_delete_by_query",
        Some(json!({"query": {"match_all": {}}})),
    )
    .await;
    assert_eq!(status, 403, "{denied}");
    assert!(
        denied["error"]["reason"].as_str().unwrap().starts_with(
            "action [indices:data/write/delete] is unauthorized for user [alias_writer]"
        ),
        "{denied}"
    );
    // Under DLS, match_all deletes exactly the visible documents; the wildcard was resolved.
    let (status, answer) = call(
        &cluster,
        RESTRICTED,
        "POST",
        "/do*/_delete_by_query",
        Some(json!({"query": {"match_all": {}}})),
    )
    .await;
    assert_eq!((status, &answer["deleted"]), (200, &json!(2)), "{answer}");
    let sent = front.recorded("/_delete_by_query");
    assert_eq!(sent.last().unwrap().target, "/docs/_delete_by_query");
    cluster.seed("POST", "/docs/_refresh", None, 200).await;
    let left = cluster
        .direct(
            "POST",
            "/docs/_search",
            Some(&json!({"query": {"match_all": {}}})),
        )
        .await
        .json();
    let mut ids: Vec<&str> = left["hits"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["p1", "p3"]);
    assert_eq!(
        cluster
            .direct("GET", "/docs-secret/_doc/s1", None)
            .await
            .status,
        200
    );
    // Unrestricted callers are forwarded unchanged.
    let body = json!({"query": {"term": {"dept": "secret"}}});
    let (status, answer) = call(
        &cluster,
        UNRESTRICTED,
        "POST",
        "/docs/_delete_by_query",
        Some(body.clone()),
    )
    .await;
    assert_eq!((status, &answer["deleted"]), (200, &json!(2)), "{answer}");
    assert_eq!(
        front.recorded("/_delete_by_query").last().unwrap().body,
        body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_calls_are_forwarded_on_authorized_concrete_indices_only() {
    let (cluster, front) = setup().await;
    // `maintenance` grants flush and forcemerge; clearing caches takes `manage` (ES), held by
    // the restricted user on `docs` only.
    let actions = [
        ("_flush", "indices:admin/flush", MAINTAINER),
        ("_forcemerge", "indices:admin/forcemerge", MAINTAINER),
        ("_cache/clear", "indices:admin/cache/clear", RESTRICTED),
    ];
    let (status, denied) = call(&cluster, MAINTAINER, "POST", "/docs/_cache/clear", None).await;
    assert_eq!(status, 403, "{denied}");
    for (endpoint, action, user) in actions {
        let (status, body) = call(&cluster, user, "POST", &format!("/docs/{endpoint}"), None).await;
        assert_eq!(status, 200, "{endpoint}: {body}");
        assert_eq!(body["_shards"]["failed"], json!(0), "{endpoint}: {body}");
        assert!(body["_shards"]["total"].as_u64().unwrap() >= 1, "{body}");
        let sent = front.recorded(endpoint);
        assert_eq!(sent.last().unwrap().target, format!("/docs/{endpoint}"));
        assert_eq!(sent.last().unwrap().method, "POST");

        // A wildcard, or no index at all, reaches only the authorized concrete index.
        for path in [format!("/do*/{endpoint}"), format!("/{endpoint}")] {
            let (status, body) = call(&cluster, user, "POST", &path, None).await;
            assert_eq!(status, 200, "{path}: {body}");
            let sent = front.recorded(endpoint);
            assert_eq!(
                sent.last().unwrap().target,
                format!("/docs/{endpoint}"),
                "{path}"
            );
        }

        // Nothing authorized behind a wildcard: ES's empty summary, nothing forwarded.
        let before = front.recorded(endpoint).len();
        let (status, body) = call(
            &cluster,
            user,
            "POST",
            &format!("/docs-s*/{endpoint}"),
            None,
        )
        .await;
        assert_eq!(
            (status, body),
            (
                200,
                json!({"_shards": {"total": 0, "successful": 0, "failed": 0}})
            )
        );
        assert_eq!(front.recorded(endpoint).len(), before);

        // Another index by name: ES's 403, nothing forwarded.
        let (status, denied) = call(
            &cluster,
            user,
            "POST",
            &format!("/docs-secret/{endpoint}"),
            None,
        )
        .await;
        assert_eq!(status, 403, "{denied}");
        let reason = denied["error"]["reason"].as_str().unwrap();
        assert!(
            reason.starts_with(&format!(
                "action [{action}] is unauthorized for user [{user}] with effective roles [{user}] on indices [docs-secret]"
            )),
            "{reason}"
        );
        assert_eq!(front.recorded(endpoint).len(), before);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolve_index_lists_only_authorized_names_without_asking_the_upstream() {
    let (cluster, front) = setup().await;
    let (status, body) = call(&cluster, RESTRICTED, "GET", "/_resolve/index/do*", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"indices": [{"name": "docs", "attributes": ["open"], "aliases": ["docs-alias"]}],
            "aliases": [], "data_streams": []})
    );
    let (status, body) = call(&cluster, UNRESTRICTED, "GET", "/_resolve/index/do*", None).await;
    assert_eq!(status, 200, "{body}");
    let names = |kind: &str| -> Vec<String> {
        body[kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names("indices"), ["docs", "docs-secret"]);
    assert_eq!(
        body["aliases"],
        json!([{"name": "docs-alias", "indices": ["docs"]}])
    );
    // The same answer as the embedded upstream gives a superuser.
    let direct = cluster
        .direct("GET", "/_resolve/index/do*", None)
        .await
        .json();
    assert_eq!(body, direct);
    // Lenient like ES's resolve request: an unauthorized name is left out, not a 403.
    let (status, body) = call(
        &cluster,
        RESTRICTED,
        "GET",
        "/_resolve/index/docs-secret,docs-alias",
        None,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"indices": [], "aliases": [], "data_streams": []})
        )
    );
    // Only the gateway's own metadata load reaches the upstream, never the caller's expression.
    let sent = front.recorded("_resolve");
    assert!(
        sent.iter()
            .all(|r| r.target.starts_with("/_resolve/index/*,.*")),
        "{sent:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_stream_get_lists_only_authorized_streams() {
    let (cluster, front) = setup().await;
    let template = json!({"index_patterns": ["logs-*"], "data_stream": {},
        "template": {"mappings": {"properties": {"@timestamp": {"type": "date"}}}}});
    cluster
        .seed("PUT", "/_index_template/logs", Some(&template), 200)
        .await;
    for name in ["logs-app", "logs-zed"] {
        cluster
            .seed("PUT", &format!("/_data_stream/{name}"), None, 200)
            .await;
    }
    let names = |body: &Value| -> Vec<String> {
        body["data_streams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect()
    };
    for path in [
        "/_data_stream",
        "/_data_stream/logs-*",
        "/_data_stream/logs-app",
    ] {
        let (status, body) = call(&cluster, STREAM_READER, "GET", path, None).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(names(&body), ["logs-app"], "{path}");
        let sent = front.recorded("/_data_stream");
        assert_eq!(sent.last().unwrap().target, "/_data_stream/logs-app");
    }
    let (_, all) = call(&cluster, UNRESTRICTED, "GET", "/_data_stream", None).await;
    assert!(names(&all).is_empty(), "{all}");
    let before = front.recorded("/_data_stream").len();
    let (status, denied) = call(
        &cluster,
        STREAM_READER,
        "GET",
        "/_data_stream/logs-zed",
        None,
    )
    .await;
    assert_eq!(status, 403, "{denied}");
    let (status, body) = call(&cluster, STREAM_READER, "GET", "/_data_stream/nope-*", None).await;
    assert_eq!((status, body), (200, json!({"data_streams": []})));
    assert_eq!(front.recorded("/_data_stream").len(), before);
}
