//! A gateway cluster for integration tests: an upstream `rampart serve` in embedded mode with
//! security disabled (it stands for the Elasticsearch cluster a gateway fronts) and a
//! `rampart serve --upstream URL` gateway node in front of it, each on a free loopback port
//! with its own temp directory, killed on drop. Requests go either straight to the upstream
//! (to seed data with security out of the way) or through the gateway as some user.
#![allow(dead_code)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rampart_gateway::{DEFAULT_INDEX, Metrics, Upstream, UpstreamConfig, UpstreamStore};
use rampart_server::authn::password::Algorithm;
use rampart_store::{SecurityStore, UserRecord};
use serde_json::Value;

/// The gateway's `elastic` password.
pub const ELASTIC_PASSWORD: &str = "gateway-test-elastic-password";
pub const SUPERUSER: (&str, &str) = ("elastic", ELASTIC_PASSWORD);

/// One `rampart serve` child process.
pub struct Node {
    child: Child,
    pub url: String,
    dir: tempfile::TempDir,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Node {
    /// The node's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("node.log")).unwrap_or_default()
    }
}

fn free_port() -> u16 {
    // The kernel hands out a free port; we release it for the node to bind.
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `rampart serve --no-kibana` on a free port with `args` and waits for its listener.
async fn spawn(args: &[&str]) -> Node {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("node.log")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["serve", "--no-kibana", "--host", "127.0.0.1"])
        .args(["--port", &port.to_string()])
        .arg("--data")
        .arg(dir.path().join("data"))
        .args([
            "-E",
            "xpack.security.authc.password_hashing.algorithm=bcrypt4",
        ])
        .args(args)
        .env("ELASTIC_PASSWORD", ELASTIC_PASSWORD)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut node = Node {
        child,
        url: format!("http://127.0.0.1:{port}"),
        dir,
    };
    // Bounded wait for the listener (1200 × 50 ms); not a timing assertion.
    for _ in 0..1200 {
        if let Ok(Some(status)) = node.child.try_wait() {
            panic!("node exited with {status}: {}", node.log());
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return node;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("node did not start listening: {}", node.log());
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub bytes: Vec<u8>,
}

impl Resp {
    /// The body as JSON (`Value::Null` when empty or not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// The `reason` of an ES error body (`""` when absent).
    pub fn reason(&self) -> String {
        self.json()["error"]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// An upstream node and one gateway node in front of it.
pub struct Cluster {
    pub upstream: Node,
    pub gateway: Node,
    http: reqwest::Client,
}

impl Cluster {
    pub async fn start() -> Cluster {
        let upstream = spawn(&["-E", "xpack.security.enabled=false"]).await;
        let gateway = spawn(&["--upstream", &upstream.url]).await;
        Cluster {
            upstream,
            gateway,
            http: reqwest::Client::new(),
        }
    }

    /// Like `start`, with the gateway pointed at `front(upstream URL)`: a test double that
    /// stands in front of the upstream (to record what the gateway sends, or to answer APIs
    /// the embedded upstream does not serve).
    pub async fn start_via(front: impl FnOnce(String) -> String) -> Cluster {
        let upstream = spawn(&["-E", "xpack.security.enabled=false"]).await;
        let url = front(upstream.url.clone());
        let gateway = spawn(&["--upstream", &url]).await;
        Cluster {
            upstream,
            gateway,
            http: reqwest::Client::new(),
        }
    }

    async fn send(
        &self,
        base: &str,
        method: &str,
        path: &str,
        user: Option<(&str, &str)>,
        body: Option<&Value>,
    ) -> Resp {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, format!("{base}{path}"));
        if let Some((name, password)) = user {
            let token = STANDARD.encode(format!("{name}:{password}"));
            request = request.header("authorization", format!("Basic {token}"));
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(serde_json::to_vec(body).unwrap());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap().to_vec();
        Resp { status, bytes }
    }

    /// A request straight to the upstream (security is off there).
    pub async fn direct(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        self.send(&self.upstream.url, method, path, None, body)
            .await
    }

    /// Seeds the upstream with one request, which must answer `expected`.
    pub async fn seed(&self, method: &str, path: &str, body: Option<&Value>, expected: u16) {
        let r = self.direct(method, path, body).await;
        assert_eq!(r.status, expected, "seeding {method} {path}: {}", r.text());
    }

    /// Seeds documents into `index` of the upstream with one refreshed `_bulk` request: one
    /// batch, so the document order inside the upstream (the order of equal-score hits) does
    /// not depend on when its periodic refresh happened to run.
    pub async fn seed_docs(&self, index: &str, docs: &[(String, Value)]) {
        let mut ndjson = String::new();
        for (id, doc) in docs {
            ndjson.push_str(&serde_json::json!({"index": {"_id": id}}).to_string());
            ndjson.push('\n');
            ndjson.push_str(&doc.to_string());
            ndjson.push('\n');
        }
        let response = self
            .http
            .post(format!("{}/{index}/_bulk?refresh=true", self.upstream.url))
            .header("content-type", "application/x-ndjson")
            .body(ndjson)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            (status, &body["errors"]),
            (200, &Value::Bool(false)),
            "{body}"
        );
    }

    /// A request through the gateway as `user` (`None`: no credentials).
    pub async fn call(
        &self,
        user: Option<(&str, &str)>,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Resp {
        self.send(&self.gateway.url, method, path, user, body).await
    }

    /// A request through the gateway as the superuser.
    pub async fn admin(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        self.call(Some(SUPERUSER), method, path, body).await
    }

    /// Writes to the shared security store in the upstream, as another gateway node would
    /// (`f` runs on a plain thread: the store's API blocks on its own runtime and refuses
    /// threads of another; the nodes are other processes, so nothing here waits on this
    /// test's runtime meanwhile). Used instead of the
    /// gateway's own security API so that these tests exercise only the data plane.
    pub async fn security<T: Send + 'static>(
        &self,
        f: impl FnOnce(&UpstreamStore) -> T + Send + 'static,
    ) -> T {
        let url = self.upstream.url.clone();
        std::thread::spawn(move || {
            let upstream =
                Upstream::new(&UpstreamConfig::new(&url), Arc::new(Metrics::default())).unwrap();
            let store = UpstreamStore::open(upstream, DEFAULT_INDEX).unwrap();
            f(&store)
        })
        .join()
        .unwrap()
    }

    /// Roles written to the shared store.
    pub async fn put_roles(&self, roles: Vec<(String, Value)>) {
        self.security(move |store| {
            for created in store.put_roles(&roles).unwrap() {
                assert!(created, "roles are new");
            }
        })
        .await;
    }

    pub async fn put_role(&self, name: &str, role: &Value) {
        self.put_roles(vec![(name.to_string(), role.clone())]).await;
    }

    /// Native users written to the shared store (name, password, roles); returns once the
    /// gateway authenticates them (it polls the store, so a change reaches it within a
    /// second).
    pub async fn put_users(&self, users: &[(&str, &str, &[&str])]) {
        let records: Vec<UserRecord> = users
            .iter()
            .map(|(name, password, roles)| UserRecord {
                username: name.to_string(),
                password_hash: Algorithm::Bcrypt { cost: 4 }.hash(password).unwrap(),
                roles: roles.iter().map(|r| r.to_string()).collect(),
                full_name: None,
                email: None,
                metadata: Default::default(),
                enabled: true,
            })
            .collect();
        self.security(move |store| {
            for user in &records {
                store.put_user(user).unwrap();
            }
        })
        .await;
        for (name, password, _) in users {
            self.wait_for_user(name, password).await;
        }
    }

    pub async fn put_user(&self, name: &str, password: &str, roles: &[&str]) {
        self.put_users(&[(name, password, roles)]).await;
    }

    /// Waits (bounded: 400 × 25 ms) until the gateway authenticates `name`.
    async fn wait_for_user(&self, name: &str, password: &str) {
        let mut last = None;
        for _ in 0..400 {
            let r = self
                .call(
                    Some((name, password)),
                    "GET",
                    "/_security/_authenticate",
                    None,
                )
                .await;
            if r.status == 200 {
                return;
            }
            last = Some(r);
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let last = last.map(|r| format!("{} {}", r.status, r.text()));
        panic!("the gateway never authenticated [{name}]: {last:?}");
    }
}

/// The reason the gateway gives for a data API it does not serve.
pub fn unsupported_reason(action: &str) -> String {
    format!("[{action}] is not supported in gateway mode")
}
