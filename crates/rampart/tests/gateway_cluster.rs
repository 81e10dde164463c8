#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Gateway mode end to end over HTTP: an upstream (a `rampart` node in embedded mode with
//! security disabled) and two gateway nodes A and B (`rampart serve --upstream URL`) sharing
//! the security store kept in the upstream.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod node_harness;

use node_harness::{ADMIN, Node, call, ok, request, spawn};

/// The tests run one at a time: each starts three nodes, and the write storm of one must not
/// eat the CPU another's 1 s propagation measurement runs on.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The upstream and two gateway nodes A and B in front of it.
fn cluster() -> (Node, Node, Node) {
    let upstream = spawn(&["-E", "xpack.security.enabled=false"]);
    let url = format!("http://127.0.0.1:{}", upstream.port);
    let gateway_args = [
        "--upstream",
        url.as_str(),
        "-E",
        "xpack.security.authc.password_hashing.algorithm=bcrypt4",
    ];
    let a = spawn(&gateway_args);
    let b = spawn(&gateway_args);
    (upstream, a, b)
}
fn ndjson(lines: &[Value]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn a_role_change_through_a_is_enforced_by_b_within_a_second() {
    let _serial = serial();
    let (_upstream, a, b) = cluster();
    ok(
        &a,
        ADMIN,
        "PUT",
        "/docs-1/_doc/1?refresh=true",
        json!({"title": "one"}),
    );
    ok(
        &a,
        ADMIN,
        "PUT",
        "/_security/role/reader",
        json!({"indices": [{"names": ["docs-*"], "privileges": ["read"]}]}),
    );
    ok(
        &a,
        ADMIN,
        "PUT",
        "/_security/user/alice",
        json!({"password": "alice-password", "roles": ["reader"]}),
    );
    let alice = ("alice", "alice-password");

    // B learns of the new user and role through the shared store (within its poll period).
    let created = Instant::now();
    loop {
        let (status, body) = call(&b, alice, "GET", "/docs-1/_search", Value::Null);
        if status == 200 {
            assert_eq!(body["hits"]["hits"][0]["_id"], json!("1"));
            break;
        }
        assert!(
            created.elapsed() < Duration::from_secs(1),
            "B did not allow alice within 1 s: {status} {body}"
        );
    }

    // Take the index privilege away through A.
    ok(
        &a,
        ADMIN,
        "PUT",
        "/_security/role/reader",
        json!({"indices": [{"names": ["elsewhere-*"], "privileges": ["read"]}]}),
    );
    let acknowledged = Instant::now();
    let (status, body) = loop {
        let (status, body) = call(&b, alice, "GET", "/docs-1/_search", Value::Null);
        if status != 200 {
            break (status, body);
        }
        assert!(
            acknowledged.elapsed() < Duration::from_secs(1),
            "B still allowed alice 1 s after A acknowledged the role change"
        );
        // A short pause between probes keeps the probing itself from loading B and the
        // upstream; it bounds the measurement's resolution, not its outcome.
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = acknowledged.elapsed();
    eprintln!("B enforced the role change {took:?} after A acknowledged it");
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["type"], json!("security_exception"));
    assert!(took < Duration::from_secs(1), "took {took:?}");
}

/// Writes to A from a thread until A dies; returns the ids A acknowledged.
fn write_until_dead(port: u16, acknowledged_count: Arc<AtomicUsize>) -> Vec<String> {
    let mut acknowledged = Vec::new();
    for round in 0..10_000 {
        if round % 2 == 0 {
            let id = format!("single-{round}");
            let path = format!("/stream/_doc/{id}");
            let Some((status, _)) = request(port, ADMIN, "PUT", &path, r#"{"n":1}"#) else {
                break;
            };
            if (200..300).contains(&status) {
                acknowledged.push(id);
            }
        } else {
            let ids: Vec<String> = (0..3).map(|i| format!("bulk-{round}-{i}")).collect();
            let mut lines = Vec::new();
            for id in &ids {
                lines.push(json!({"index": {"_index": "stream", "_id": id}}));
                lines.push(json!({"n": 2}));
            }
            let Some((status, body)) = request(port, ADMIN, "POST", "/_bulk", &ndjson(&lines))
            else {
                break;
            };
            if (200..300).contains(&status) {
                for (id, item) in ids.iter().zip(body["items"].as_array().unwrap()) {
                    let s = item["index"]["status"].as_u64().unwrap();
                    if (200..300).contains(&s) {
                        acknowledged.push(id.clone());
                    }
                }
            }
        }
        acknowledged_count.store(acknowledged.len(), Ordering::SeqCst);
    }
    acknowledged
}

#[test]
fn every_write_a_acknowledged_before_sigkill_is_readable_through_b() {
    let _serial = serial();
    let (upstream, mut a, b) = cluster();
    let count = Arc::new(AtomicUsize::new(0));
    let port = a.port;
    let writer = {
        let count = Arc::clone(&count);
        std::thread::spawn(move || write_until_dead(port, count))
    };
    // Kill A in the middle of the stream: once it has acknowledged a fair number of writes.
    let deadline = Instant::now() + Duration::from_secs(120);
    while count.load(Ordering::SeqCst) < 30 {
        assert!(Instant::now() < deadline, "A acknowledged too few writes");
        std::thread::sleep(Duration::from_millis(5));
    }
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    let acknowledged = writer.join().unwrap();
    assert!(acknowledged.len() >= 30);
    assert!(acknowledged.iter().any(|id| id.starts_with("bulk-")));
    assert!(acknowledged.iter().any(|id| id.starts_with("single-")));
    for id in &acknowledged {
        let path = format!("/stream/_doc/{id}");
        let (status, doc) = call(&b, ADMIN, "GET", &path, Value::Null);
        assert_eq!(status, 200, "[{id}] lost through B: {doc}");
        assert_eq!(doc["found"], json!(true));
        let (status, doc) = call(&upstream, ADMIN, "GET", &path, Value::Null);
        assert_eq!(status, 200, "[{id}] lost in the upstream: {doc}");
    }
}

/// Documents in `sec-1`; `restricted` sees `dept: x` only, and only `dept` and `public`.
fn restricted_setup(a: &Node) {
    let mut lines = Vec::new();
    for (id, dept) in [("1", "x"), ("2", "y"), ("3", "x")] {
        lines.push(json!({"index": {"_index": "sec-1", "_id": id}}));
        lines.push(json!({"dept": dept, "public": format!("p{id}"), "secret": format!("s{id}")}));
    }
    let (status, body) = request(
        a.port,
        ADMIN,
        "POST",
        "/_bulk?refresh=true",
        &ndjson(&lines),
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["errors"], json!(false), "{body}");
    ok(
        a,
        ADMIN,
        "PUT",
        "/_security/role/restricted",
        json!({"indices": [{
            "names": ["sec-*"],
            "privileges": ["read", "index"],
            "query": {"term": {"dept": "x"}},
            "field_security": {"grant": ["dept", "public"]}
        }]}),
    );
    ok(
        a,
        ADMIN,
        "PUT",
        "/_security/role/sec_reader",
        json!({"indices": [{"names": ["sec-*"], "privileges": ["read"]}]}),
    );
    ok(
        a,
        ADMIN,
        "PUT",
        "/_security/user/carol",
        json!({"password": "carol-password", "roles": ["restricted"]}),
    );
    ok(
        a,
        ADMIN,
        "PUT",
        "/_security/user/dave",
        json!({"password": "dave-password", "roles": ["sec_reader"]}),
    );
}

const CAROL: (&str, &str) = ("carol", "carol-password");
const DAVE: (&str, &str) = ("dave", "dave-password");

#[test]
fn bulk_mget_and_scroll_through_a_gateway_node_enforce_dls_fls() {
    let _serial = serial();
    let (upstream, a, b) = cluster();
    restricted_setup(&a);

    // Bulk: authorized per item, as embedded. The refused item never reaches the upstream.
    let lines = [
        json!({"index": {"_index": "sec-1", "_id": "4"}}),
        json!({"dept": "z", "public": "p4", "secret": "s4"}),
        json!({"index": {"_index": "forbidden-1", "_id": "1"}}),
        json!({"x": 1}),
    ];
    let (status, body) = request(a.port, CAROL, "POST", "/_bulk", &ndjson(&lines)).unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["errors"], json!(true));
    assert_eq!(body["items"][0]["index"]["status"], json!(201), "{body}");
    assert_eq!(body["items"][1]["index"]["status"], json!(403), "{body}");
    assert_eq!(
        body["items"][1]["index"]["error"]["type"],
        json!("security_exception")
    );
    let (status, _) = call(&upstream, ADMIN, "GET", "/sec-1/_doc/4", Value::Null);
    assert_eq!(status, 200);
    let (status, _) = call(&upstream, ADMIN, "GET", "/forbidden-1/_doc/1", Value::Null);
    assert_eq!(status, 404);
    // A caller without any write privilege is refused the whole request.
    let (status, body) = request(a.port, DAVE, "POST", "/_bulk", &ndjson(&lines[..2])).unwrap();
    assert_eq!(status, 403, "{body}");

    // Mget: DLS hides documents (as missing), FLS filters sources, refusals are per item.
    let wanted = json!({"docs": [
        {"_index": "sec-1", "_id": "1"},
        {"_index": "sec-1", "_id": "2"},
        {"_index": "sec-1", "_id": "4"},
        {"_index": "forbidden-1", "_id": "1"},
        {"_index": "sec-1", "_id": "3"}
    ]});
    let docs = ok(&a, CAROL, "POST", "/_mget", wanted.clone())["docs"].clone();
    assert_eq!(docs[0]["found"], json!(true), "{docs}");
    assert_eq!(docs[0]["_source"], json!({"dept": "x", "public": "p1"}));
    assert_eq!(docs[1]["found"], json!(false), "{docs}");
    assert!(docs[1].get("_source").is_none());
    assert_eq!(docs[2]["found"], json!(false), "{docs}");
    assert_eq!(docs[3]["error"]["type"], json!("security_exception"));
    assert_eq!(docs[4]["_source"], json!({"dept": "x", "public": "p3"}));
    // An unrestricted reader gets every document whole, through the plain upstream mget.
    let docs = ok(&a, DAVE, "POST", "/_mget", wanted)["docs"].clone();
    assert_eq!(docs[1]["_source"]["secret"], json!("s2"), "{docs}");
    assert_eq!(docs[2]["found"], json!(true), "{docs}");
    assert_eq!(docs[3]["error"]["type"], json!("security_exception"));
    let docs = ok(
        &a,
        DAVE,
        "POST",
        "/sec-1/_mget",
        json!({"ids": ["1", "404"]}),
    )["docs"]
        .clone();
    assert_eq!(docs[0]["found"], json!(true), "{docs}");
    assert_eq!(docs[1]["found"], json!(false), "{docs}");

    // Scroll: pages keep DLS and FLS; the id is bound to its opener.
    let first = ok(
        &a,
        CAROL,
        "POST",
        "/sec-1/_search?scroll=1m",
        json!({"size": 1, "sort": ["_doc"]}),
    );
    let mut scroll_id = first["_scroll_id"].as_str().unwrap().to_string();
    assert!(scroll_id.starts_with("rmp1."), "{scroll_id}");
    // Every gateway node honours an id another issued: the binding key is in the store.
    let (status, body) = call(
        &b,
        DAVE,
        "POST",
        "/_search/scroll",
        json!({"scroll": "1m", "scroll_id": scroll_id}),
    );
    assert_eq!(
        status, 404,
        "another user continued the scroll on B: {body}"
    );
    let mut seen = BTreeSet::new();
    let mut page = first;
    loop {
        let hits = page["hits"]["hits"].as_array().unwrap().clone();
        if hits.is_empty() {
            break;
        }
        for hit in &hits {
            assert!(hit["_source"].get("secret").is_none(), "{hit}");
            assert_eq!(hit["_source"]["dept"], json!("x"), "{hit}");
            seen.insert(hit["_id"].as_str().unwrap().to_string());
        }
        assert!(seen.len() <= 3, "the scroll does not end");
        let (status, body) = call(
            &a,
            DAVE,
            "POST",
            "/_search/scroll",
            json!({"scroll": "1m", "scroll_id": scroll_id}),
        );
        assert_eq!(status, 404, "another user continued the scroll: {body}");
        assert_eq!(
            body["error"]["type"],
            json!("search_context_missing_exception")
        );
        // The opener continues alternately on A and B.
        let node = if seen.len() % 2 == 0 { &a } else { &b };
        page = ok(
            node,
            CAROL,
            "POST",
            "/_search/scroll",
            json!({"scroll": "1m", "scroll_id": scroll_id}),
        );
        scroll_id = page["_scroll_id"].as_str().unwrap().to_string();
    }
    assert_eq!(seen, BTreeSet::from(["1".to_string(), "3".to_string()]));
    let (status, _) = call(
        &a,
        DAVE,
        "DELETE",
        "/_search/scroll",
        json!({"scroll_id": scroll_id}),
    );
    assert_eq!(status, 404);
    let cleared = ok(
        &a,
        CAROL,
        "DELETE",
        "/_search/scroll",
        json!({"scroll_id": scroll_id}),
    );
    assert_eq!(cleared["succeeded"], json!(true), "{cleared}");
}
