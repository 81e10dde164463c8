//! Nodes of the `rampart` binary for multi-process tests: spawn one on a free port with its
//! own data directory (killed on drop), and talk to it over plain HTTP/1.1 with Basic auth.
//! Shared by the gateway tests that start an upstream and gateway nodes.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;

pub const PASSWORD: &str = "gateway-test-password";

pub const ADMIN: (&str, &str) = ("elastic", PASSWORD);

pub struct Node {
    pub child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Node {
    /// What the node has logged so far (stdout and stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("node.log")).unwrap_or_default()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn spawn(extra: &[&str]) -> Node {
    spawn_with_env(extra, &[])
}

/// `spawn` with environment variables set for the node (e.g. `RUST_LOG`, read back with
/// `Node::log`).
pub fn spawn_with_env(extra: &[&str], env: &[(&str, &str)]) -> Node {
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
        .envs(env.iter().copied())
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

/// One request on a fresh connection; `None` when the connection failed or was cut.
pub fn request(
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
pub fn call(node: &Node, who: (&str, &str), method: &str, path: &str, body: Value) -> (u16, Value) {
    let text = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    request(node.port, who, method, path, &text)
        .unwrap_or_else(|| panic!("no answer to {method} {path}"))
}

pub fn ok(node: &Node, who: (&str, &str), method: &str, path: &str, body: Value) -> Value {
    let (status, answer) = call(node, who, method, path, body);
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {answer}"
    );
    answer
}
