#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `indices:admin/mapping/auto_put` through a gateway (docs/writes.md, step 5): the upstream
//! applies mapping updates with the gateway's credentials, so the gateway refuses a write
//! whose caller lacks `auto_put` on the index it lands in when the document would add fields
//! to the upstream's mapping, with the embedded plane's 403; mapped fields need nothing.

mod gateway_support;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gateway_support::Cluster;
use serde_json::{Value, json};

const PASSWORD: &str = "password-123";
const TS: &str = "2024-01-01T00:00:00Z";

/// A `_bulk` through the gateway as `user`; the answer must be 200.
async fn bulk(cluster: &Cluster, user: &str, lines: &[Value]) -> Value {
    let mut ndjson = String::new();
    for line in lines {
        ndjson.push_str(&line.to_string());
        ndjson.push('\n');
    }
    let token = STANDARD.encode(format!("{user}:{PASSWORD}"));
    let response = reqwest::Client::new()
        .post(format!("{}/_bulk", cluster.gateway.url))
        .header("authorization", format!("Basic {token}"))
        .header("content-type", "application/x-ndjson")
        .body(ndjson)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

fn item(body: &Value, i: usize) -> &Value {
    body["items"][i]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
}

fn assert_denied(reason: &str, user: &str, index_prefix: &str) {
    assert!(
        reason.starts_with(&format!(
            "action [indices:admin/mapping/auto_put] is unauthorized for user [{user}]"
        )),
        "{reason}"
    );
    assert!(
        reason.contains(&format!("on indices [{index_prefix}")),
        "{reason}"
    );
}

/// The mapped field names of the upstream's `index` (one concrete index).
async fn mapped(cluster: &Cluster, index: &str) -> Vec<String> {
    let r = cluster
        .direct("GET", &format!("/{index}/_mapping"), None)
        .await;
    let body = r.json();
    let entry = body.as_object().unwrap().values().next().unwrap();
    entry["mappings"]["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

async fn backing_index(cluster: &Cluster, stream: &str) -> String {
    let r = cluster
        .direct("GET", &format!("/_data_stream/{stream}"), None)
        .await;
    r.json()["data_streams"][0]["indices"][0]["index_name"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.text()))
        .to_string()
}

/// A data stream `logs-app` with one mapped field, and users writing to `logs-*`.
async fn streams_fixture(cluster: &Cluster) -> String {
    let template = json!({
        "index_patterns": ["logs-*"],
        "data_stream": {},
        "template": {"mappings": {"properties": {"known": {"type": "keyword"}}}},
    });
    cluster
        .seed("PUT", "/_index_template/logs", Some(&template), 200)
        .await;
    cluster
        .seed("PUT", "/_data_stream/logs-app", None, 200)
        .await;
    let role =
        |privileges: &[&str]| json!({"indices": [{"names": ["logs-*"], "privileges": privileges}]});
    cluster
        .put_roles(vec![
            ("ingest".into(), role(&["create_doc"])),
            ("creator".into(), role(&["create_doc", "create_index"])),
            ("writer".into(), role(&["write", "create_index"])),
        ])
        .await;
    cluster
        .put_users(&[
            ("ingest", PASSWORD, &["ingest"]),
            ("creator", PASSWORD, &["creator"]),
            ("writer", PASSWORD, &["writer"]),
        ])
        .await;
    backing_index(cluster, "logs-app").await
}

#[tokio::test]
async fn create_doc_on_a_data_stream_writes_mapped_fields_and_adds_none() {
    let cluster = Cluster::start().await;
    let backing = streams_fixture(&cluster).await;
    let user = Some(("ingest", PASSWORD));

    let mapped_doc = json!({"@timestamp": TS, "known": "a"});
    let r = cluster
        .call(user, "PUT", "/logs-app/_create/1", Some(&mapped_doc))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());

    let fresh = json!({"@timestamp": TS, "fresh": 1});
    let r = cluster
        .call(user, "PUT", "/logs-app/_create/2", Some(&fresh))
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.json()["error"]["type"], "security_exception");
    assert_denied(&r.reason(), "ingest", &backing);
    assert!(!mapped(&cluster, &backing).await.contains(&"fresh".into()));
    let r = cluster
        .direct("GET", &format!("/{backing}/_doc/2"), None)
        .await;
    assert_eq!(r.status, 404, "{}", r.text());

    let b = bulk(
        &cluster,
        "ingest",
        &[
            json!({"create": {"_index": "logs-app", "_id": "b1"}}),
            json!({"@timestamp": TS, "known": "b"}),
            json!({"create": {"_index": "logs-app", "_id": "b2"}}),
            json!({"@timestamp": TS, "nested": {"fresh": true}}),
            json!({"create": {"_index": "logs-app", "_id": "b3"}}),
            json!({"@timestamp": TS, "known": ["c", "d"], "ignored": null}),
        ],
    )
    .await;
    assert_eq!(b["errors"], true, "{b}");
    assert_eq!(item(&b, 0)["status"], 201, "{b}");
    assert_eq!(item(&b, 1)["status"], 403, "{b}");
    assert_denied(
        item(&b, 1)["error"]["reason"].as_str().unwrap(),
        "ingest",
        &backing,
    );
    assert_eq!(item(&b, 2)["status"], 201, "{b}");
    assert!(!mapped(&cluster, &backing).await.contains(&"nested".into()));

    // `write` grants `auto_put` on backing indices too.
    let r = cluster
        .call(
            Some(("writer", PASSWORD)),
            "PUT",
            "/logs-app/_create/w1",
            Some(&fresh),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert!(mapped(&cluster, &backing).await.contains(&"fresh".into()));
    // Now mapped (the gateway's cached mapping was dropped with the write), so `create_doc`
    // may write it.
    let r = cluster
        .call(user, "PUT", "/logs-app/_create/3", Some(&fresh))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
}

#[tokio::test]
async fn auto_created_data_streams_are_judged_by_their_template() {
    let cluster = Cluster::start().await;
    streams_fixture(&cluster).await;
    let b = bulk(
        &cluster,
        "creator",
        &[
            json!({"create": {"_index": "logs-new"}}),
            json!({"@timestamp": TS, "known": "x"}),
            json!({"create": {"_index": "logs-other"}}),
            json!({"@timestamp": TS, "fresh": 1}),
        ],
    )
    .await;
    assert_eq!(item(&b, 0)["status"], 201, "{b}");
    assert_eq!(item(&b, 1)["status"], 403, "{b}");
    assert_denied(
        item(&b, 1)["error"]["reason"].as_str().unwrap(),
        "creator",
        ".ds-logs-other-",
    );
    let b = bulk(
        &cluster,
        "writer",
        &[
            json!({"create": {"_index": "logs-third"}}),
            json!({"@timestamp": TS, "fresh": 1}),
        ],
    )
    .await;
    assert_eq!(item(&b, 0)["status"], 201, "{b}");
}

#[tokio::test]
async fn indices_need_auto_put_for_new_fields_first_documents_and_updates() {
    let cluster = Cluster::start().await;
    let mapping = json!({"mappings": {"properties": {"f": {"type": "long"}}}});
    cluster.seed("PUT", "/raw-x", Some(&mapping), 200).await;
    cluster
        .seed(
            "PUT",
            "/raw-x/_doc/1?refresh=true",
            Some(&json!({"f": 1})),
            201,
        )
        .await;
    let closed = json!({"mappings": {"dynamic": false, "properties": {"f": {"type": "long"}}}});
    cluster.seed("PUT", "/raw-closed", Some(&closed), 200).await;
    cluster
        .put_roles(vec![
            (
                "raw".into(),
                json!({"indices": [{"names": ["raw-*"],
                    "privileges": ["indices:data/write/*", "create_index"]}]}),
            ),
            (
                "docs".into(),
                json!({"indices": [{"names": ["plain-*"],
                    "privileges": ["create_doc", "create_index"]}]}),
            ),
        ])
        .await;
    cluster
        .put_users(&[("raw", PASSWORD, &["raw"]), ("docs", PASSWORD, &["docs"])])
        .await;
    let raw = Some(("raw", PASSWORD));

    let r = cluster
        .call(raw, "PUT", "/raw-x/_doc/2", Some(&json!({"f": 2})))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = cluster
        .call(raw, "PUT", "/raw-x/_doc/3", Some(&json!({"g": 2})))
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_denied(&r.reason(), "raw", "raw-x]");
    // `dynamic: false`: new fields are not mapped, so nothing is updated.
    let r = cluster
        .call(raw, "PUT", "/raw-closed/_doc/1", Some(&json!({"g": 2})))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());

    // Updates: a partial document of mapped fields is fine, a new field is not.
    let r = cluster
        .call(
            raw,
            "POST",
            "/raw-x/_update/1",
            Some(&json!({"doc": {"f": 5}})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = cluster
        .call(
            raw,
            "POST",
            "/raw-x/_update/1",
            Some(&json!({"doc": {"g": 5}})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_denied(&r.reason(), "raw", "raw-x]");
    // Only the document the update writes counts: the upsert when it is missing, the
    // partial document when it exists.
    let known_doc_fresh_upsert = json!({"doc": {"f": 6}, "upsert": {"g": 1}});
    let r = cluster
        .call(
            raw,
            "POST",
            "/raw-x/_update/1",
            Some(&known_doc_fresh_upsert),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = cluster
        .call(
            raw,
            "POST",
            "/raw-x/_update/9",
            Some(&known_doc_fresh_upsert),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_denied(&r.reason(), "raw", "raw-x]");
    let fresh_doc_known_upsert = json!({"doc": {"g": 1}, "upsert": {"f": 7}});
    let r = cluster
        .call(
            raw,
            "POST",
            "/raw-x/_update/9",
            Some(&fresh_doc_known_upsert),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(mapped(&cluster, "raw-x").await, vec!["f".to_string()]);

    // An auto-created index's first document creates its root mapping, even `{}`.
    let r = cluster
        .call(raw, "PUT", "/raw-new/_doc/1", Some(&json!({})))
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_denied(&r.reason(), "raw", "raw-new]");
    // `create_doc` grants `auto_put` on indices.
    let r = cluster
        .call(
            Some(("docs", PASSWORD)),
            "PUT",
            "/plain-new/_create/1",
            Some(&json!({"g": 1})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
}

#[tokio::test]
async fn documents_are_judged_after_the_ingest_pipelines() {
    let cluster = Cluster::start().await;
    let backing = streams_fixture(&cluster).await;
    let pipelines = [
        ("tag", json!({"set": {"field": "tagged", "value": true}})),
        ("strip", json!({"remove": {"field": "fresh"}})),
    ];
    for (name, processor) in pipelines {
        let body = json!({"processors": [processor]});
        cluster
            .seed(
                "PUT",
                &format!("/_ingest/pipeline/{name}"),
                Some(&body),
                200,
            )
            .await;
    }
    let b = bulk(
        &cluster,
        "ingest",
        &[
            // Mapped fields only, but the pipeline adds one.
            json!({"create": {"_index": "logs-app", "pipeline": "tag"}}),
            json!({"@timestamp": TS, "known": "a"}),
            // A new field the pipeline removes before the shard sees it.
            json!({"create": {"_index": "logs-app", "pipeline": "strip"}}),
            json!({"@timestamp": TS, "fresh": 1}),
        ],
    )
    .await;
    assert_eq!(item(&b, 0)["status"], 403, "{b}");
    assert_denied(
        item(&b, 0)["error"]["reason"].as_str().unwrap(),
        "ingest",
        &backing,
    );
    assert_eq!(item(&b, 1)["status"], 201, "{b}");
    let fields = mapped(&cluster, &backing).await;
    assert!(!fields.contains(&"tagged".into()), "{fields:?}");
    assert!(!fields.contains(&"fresh".into()), "{fields:?}");

    // An index's default pipeline runs when the item names none.
    let index = json!({
        "settings": {"index": {"default_pipeline": "tag"}},
        "mappings": {"properties": {"known": {"type": "keyword"}}},
    });
    cluster.seed("PUT", "/logs-piped", Some(&index), 200).await;
    let doc = json!({"known": "a"});
    let r = cluster
        .call(
            Some(("ingest", PASSWORD)),
            "PUT",
            "/logs-piped/_create/1",
            Some(&doc),
        )
        .await;
    assert_eq!(
        r.status,
        201,
        "create_doc grants auto_put on indices: {}",
        r.text()
    );
    let raw =
        json!({"indices": [{"names": ["logs-piped"], "privileges": ["indices:data/write/*"]}]});
    cluster.put_role("raw", &raw).await;
    cluster.put_user("raw", PASSWORD, &["raw"]).await;
    let doc = json!({"known": "b"});
    let r = cluster
        .call(
            Some(("raw", PASSWORD)),
            "PUT",
            "/logs-piped/_create/2",
            Some(&doc),
        )
        .await;
    assert_eq!(r.status, 201, "tagged is mapped by now: {}", r.text());
    cluster.seed("PUT", "/logs-piped2", Some(&index), 200).await;
    let raw2 =
        json!({"indices": [{"names": ["logs-piped2"], "privileges": ["indices:data/write/*"]}]});
    cluster.put_role("raw2", &raw2).await;
    cluster.put_user("raw2", PASSWORD, &["raw2"]).await;
    let r = cluster
        .call(
            Some(("raw2", PASSWORD)),
            "PUT",
            "/logs-piped2/_create/1",
            Some(&doc),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_denied(&r.reason(), "raw2", "logs-piped2]");
    assert!(
        !mapped(&cluster, "logs-piped2")
            .await
            .contains(&"tagged".into())
    );

    // An update that creates its document runs the pipelines on the created document (its
    // `upsert`, or its `doc` under `doc_as_upsert`), so the field they add is judged too.
    cluster.seed("PUT", "/logs-piped3", Some(&index), 200).await;
    let raw3 =
        json!({"indices": [{"names": ["logs-piped3"], "privileges": ["indices:data/write/*"]}]});
    cluster.put_role("raw3", &raw3).await;
    cluster.put_user("raw3", PASSWORD, &["raw3"]).await;
    for (id, update) in [
        (
            "u1",
            json!({"doc": {"known": "c"}, "upsert": {"known": "c"}}),
        ),
        ("u2", json!({"doc": {"known": "d"}, "doc_as_upsert": true})),
    ] {
        let r = cluster
            .call(
                Some(("raw3", PASSWORD)),
                "POST",
                &format!("/logs-piped3/_update/{id}"),
                Some(&update),
            )
            .await;
        assert_eq!(r.status, 403, "{update}: {}", r.text());
        assert_denied(&r.reason(), "raw3", "logs-piped3]");
    }
    assert!(
        !mapped(&cluster, "logs-piped3")
            .await
            .contains(&"tagged".into())
    );
}
