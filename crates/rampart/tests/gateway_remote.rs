#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Gateway mode and remote clusters: `alias:index` targets are forwarded only when the
//! caller's `remote_indices` grant them. An upstream (embedded mode, security disabled, no
//! remote clusters of its own) and one gateway node told that `other` is a remote alias of
//! the upstream (`rampart.gateway.remote_clusters`).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

const PASSWORD: &str = "gateway-test-password";

const ADMIN: (&str, &str) = ("elastic", PASSWORD);

struct Node {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn(extra: &[&str]) -> Node {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("node.log")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["serve", "--no-kibana", "--host", "127.0.0.1", "--port"])
        .arg(port.to_string())
        .arg("--data")
        .arg(dir.path().join("data"))
        .args(extra)
        .env("ELASTIC_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let node = Node {
        child,
        port,
        _dir: dir,
    };
    // Bounded wait for the node to answer (600 × 100 ms); not a timing assertion.
    for _ in 0..600 {
        if request(port, ADMIN, "GET", "/", "").is_some_and(|(s, _)| s == 200) {
            return node;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("node on port {port} did not start");
}

fn gateway() -> (Node, Node) {
    let upstream = spawn(&["-E", "xpack.security.enabled=false"]);
    let url = format!("http://127.0.0.1:{}", upstream.port);
    let node = spawn(&[
        "--upstream",
        url.as_str(),
        "-E",
        "xpack.security.authc.password_hashing.algorithm=bcrypt4",
        "-E",
        "rampart.gateway.remote_clusters=other",
    ]);
    (upstream, node)
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

    // Remote targets under DLS/FLS cannot be rewritten exactly: refused with a 400.
    let (status, body) = search(&gw, &remote_dls, "other:logs-1");
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["reason"]
            .as_str()
            .unwrap()
            .contains("[other:logs-1]"),
        "{body}"
    );
}
/// One request on a fresh connection; `None` when the connection failed or was cut.
fn request(
    port: u16,
    (user, password): (&str, &str),
    method: &str,
    path: &str,
    body: &str,
) -> Option<(u16, Value)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let content_type = if path.contains("_bulk") {
        "application/x-ndjson"
    } else {
        "application/json"
    };
    let raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic {auth}\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(raw.as_bytes()).ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let status = out.split(' ').nth(1)?.parse().ok()?;
    let text = out.split_once("\r\n\r\n")?.1;
    let body = serde_json::from_str(text).unwrap_or(Value::Null);
    Some((status, body))
}

/// A request that must be answered.
fn call(node: &Node, who: (&str, &str), method: &str, path: &str, body: Value) -> (u16, Value) {
    let text = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    request(node.port, who, method, path, &text)
        .unwrap_or_else(|| panic!("no answer to {method} {path}"))
}

fn ok(node: &Node, who: (&str, &str), method: &str, path: &str, body: Value) -> Value {
    let (status, answer) = call(node, who, method, path, body);
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {answer}"
    );
    answer
}
