#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! SIGKILL the real `rampart serve` while it acknowledges user creations; after a restart
//! every acknowledged user must exist and the store must open cleanly.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;

const PASSWORD: &str = "crash-test-password";
const ROUNDS: usize = 20;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(data: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args([
            "serve",
            "--no-kibana",
            "--port",
            &port.to_string(),
            "--data",
        ])
        .arg(data)
        .args([
            "-E",
            "xpack.security.authc.password_hashing.algorithm=bcrypt4",
        ])
        .env("ELASTIC_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn rampart")
}

/// One request on a fresh connection; `None` when the connection failed or was cut.
fn request(port: u16, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("elastic:{PASSWORD}"));
    let raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic {auth}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(raw.as_bytes()).ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let status = out.split(' ').nth(1)?.parse().ok()?;
    let body = out.split_once("\r\n\r\n")?.1.to_string();
    Some((status, body))
}

fn wait_ready(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if request(port, "GET", "/", "").is_some_and(|(s, _)| s == 200) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("server did not start");
}

/// A small deterministic generator (xorshift) for the kill points.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn user_api_missing(port: u16) -> bool {
    request(port, "GET", "/_security/user/nobody", "")
        .is_some_and(|(status, body)| status == 400 && body.contains("no handler found"))
}

#[test]
fn acknowledged_users_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let mut acknowledged: Vec<String> = Vec::new();
    for round in 0..ROUNDS {
        let port = free_port();
        let mut child = start(&data, port);
        wait_ready(port);
        if round == 0 && user_api_missing(port) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!(
                "PUT /_security/user/{{name}} is not routed: the crash test has nothing to write"
            );
        }
        // Every user acknowledged so far is still there.
        for name in &acknowledged {
            let (status, body) = request(port, "GET", &format!("/_security/user/{name}"), "")
                .expect("server answers after restart");
            assert_eq!(status, 200, "round {round}: user [{name}] lost: {body}");
        }
        // Stream creations on a writer thread, kill the server at a random point.
        let kill_after = Duration::from_millis(rng.next() % 150);
        let writer = std::thread::spawn(move || {
            let mut acked = Vec::new();
            for i in 0.. {
                let name = format!("u{round}_{i}");
                let body = r#"{"password":"user-password","roles":["viewer"]}"#;
                match request(port, "PUT", &format!("/_security/user/{name}"), body) {
                    Some((200, _)) => acked.push(name),
                    Some((status, body)) => panic!("round {round}: {status} {body}"),
                    None => break,
                }
            }
            acked
        });
        std::thread::sleep(kill_after);
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        acknowledged.extend(writer.join().expect("writer thread"));
    }
    // The store opens cleanly on its own, too.
    let port = free_port();
    let mut child = start(&data, port);
    wait_ready(port);
    let (status, body) = request(port, "GET", "/_security/user", "").unwrap();
    assert_eq!(status, 200);
    let users: serde_json::Value = serde_json::from_str(&body).unwrap();
    for name in &acknowledged {
        assert!(users.get(name).is_some(), "user [{name}] lost");
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!acknowledged.is_empty(), "no user was ever acknowledged");
}
