#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The official Elasticsearch clients against the real `rampart` binary.
//!
//! Each test starts `rampart serve` on a free loopback port with its own data directory and
//! runs one script from `tests/clients/` that walks a realistic security flow (role with DLS
//! and FLS, user, API key, has_privileges, run_as, user privileges, key invalidation) with
//! the Python (`elasticsearch` 9.x) or JavaScript (`@elastic/elasticsearch` 9.4.x) client.
//! The clients are installed on first use into a cache under the cargo target directory, so
//! later runs reuse them. Python and Node are on every machine of this project: their
//! absence fails the test rather than skipping it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const PASSWORD: &str = "clients-test-elastic-password";

fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

fn target_tmp() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

/// A running `rampart serve`, killed (and its data removed) on drop.
struct Server {
    child: Child,
    url: String,
    dir: PathBuf,
}

impl Server {
    fn start(name: &str) -> Server {
        let dir = target_tmp().join(format!("clients-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // The kernel hands out a free port; we release it for the server to bind.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::fs::File::create(dir.join("server.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_rampart"))
            // Parallel test servers must not all claim the default Kibana port.
            .args(["serve", "--host", "127.0.0.1", "--port", &port.to_string()])
            .arg("--no-kibana")
            .arg("--data")
            .arg(dir.join("data"))
            .args([
                "-E",
                "xpack.security.authc.password_hashing.algorithm=bcrypt4",
            ])
            .env("ELASTIC_PASSWORD", PASSWORD)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut server = Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
            dir,
        };
        server.wait_until_listening(port);
        server
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// Polls (bounded: 600 × 100 ms) until the server answers HTTP on its port.
    fn wait_until_listening(&mut self, port: u16) {
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "rampart exited with {status} before listening; log:\n{}",
                    self.log()
                );
            }
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
                stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
                let request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
                let mut answer = Vec::new();
                if stream.write_all(request.as_bytes()).is_ok()
                    && stream.read_to_end(&mut answer).is_ok()
                    && answer.starts_with(b"HTTP/1.1 ")
                {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "rampart did not answer on port {port} within 60 s; log:\n{}",
            self.log()
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn run(command: &mut Command) -> Output {
    let program = command.get_program().to_string_lossy().into_owned();
    match command.stdin(Stdio::null()).output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{program}` is not installed; this test needs it (every machine of this project has \
             Python 3 with pip and Node.js with npm)"
        ),
        Err(e) => panic!("cannot run `{program}`: {e}"),
    }
}

fn expect_success(what: &str, output: &Output) {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Installs into `<target tmp>/client-cache/<name>` unless already there: into a staging
/// folder first, then renamed, so an interrupted install is never mistaken for a good one.
fn cached_install(name: &str, install: impl FnOnce(&Path) -> Command) -> PathBuf {
    let cache = target_tmp().join("client-cache");
    let ready = cache.join(name);
    if ready.is_dir() {
        return ready;
    }
    let staging = cache.join(format!("{name}.partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).unwrap();
    expect_success(&format!("installing {name}"), &run(&mut install(&staging)));
    if std::fs::rename(&staging, &ready).is_err() {
        // Another test process finished the same install first; use theirs.
        let _ = std::fs::remove_dir_all(&staging);
    }
    assert!(ready.is_dir(), "{name} was not installed");
    ready
}

fn run_flow(server: &Server, what: &str, command: &mut Command) {
    let output = run(command
        .env("RAMPART_URL", &server.url)
        .env("RAMPART_PASSWORD", PASSWORD));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{what} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{}\n--- server log\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
        server.log()
    );
    assert!(
        stdout.contains("all checks passed"),
        "{what} did not reach its end:\n{stdout}"
    );
}

#[test]
fn python_client_drives_a_security_flow() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let packages = cached_install("python-elasticsearch-9", |dir| {
        let mut c = Command::new(&python);
        c.args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .arg("--target")
        .arg(dir)
        .arg("elasticsearch>=9,<10");
        c
    });
    let server = Server::start("python");
    run_flow(
        &server,
        "the Python client flow",
        Command::new(&python)
            .arg(scripts_dir().join("flow.py"))
            .env("PYTHONPATH", &packages),
    );
}

#[test]
fn javascript_client_drives_a_security_flow() {
    let packages = cached_install("npm-elastic-elasticsearch-9.4", |dir| {
        let mut c = Command::new("npm");
        c.args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(dir)
            .arg("@elastic/elasticsearch@9.4");
        c
    });
    let server = Server::start("javascript");
    run_flow(
        &server,
        "the JavaScript client flow",
        Command::new("node")
            .arg(scripts_dir().join("flow.cjs"))
            .env("NODE_PATH", packages.join("node_modules")),
    );
}
