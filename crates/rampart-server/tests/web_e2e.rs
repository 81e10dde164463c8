//! The management page in a real browser: starts a node with both listeners on free ports,
//! installs what is missing (`npm ci` in `web/`, Debian's `chromium` via apt-get), and runs
//! `web/e2e/run.mjs` (Playwright). Fails, never skips, when the browser cannot run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use common::{ELASTIC_PASSWORD, TestNode};

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web")
}

fn run(cmd: &mut Command, what: &str) {
    let status = cmd.status().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(status.success(), "{what} failed: {status}");
}

/// `npm ci` when playwright-core is not installed; Debian's chromium when it is missing.
fn install_prerequisites() -> String {
    let web = web_dir();
    if !web.join("node_modules/playwright-core").exists() {
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&web),
            "npm ci in web/",
        );
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        run(
            Command::new("apt-get").arg("update"),
            "apt-get update (to install chromium)",
        );
        run(
            Command::new("apt-get").args(["install", "-y", "chromium"]),
            "apt-get install chromium",
        );
    }
    chromium
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn management_page_flows_in_a_real_browser() {
    let chromium = tokio::task::spawn_blocking(install_prerequisites)
        .await
        .unwrap();
    let node = TestNode::new();
    let state = Arc::clone(&node.state);
    let st = Arc::clone(&state);
    tokio::task::spawn_blocking(move || rampart_server::kibana::bootstrap(&st))
        .await
        .unwrap()
        .expect("kibana bootstrap");
    let es = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let kibana = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let es_url = format!("http://{}", es.local_addr().unwrap());
    let kibana_url = format!("http://{}", kibana.local_addr().unwrap());
    let es_app = rampart_server::app(Arc::clone(&state));
    let kibana_app = rampart_server::kibana::kibana_app(Arc::clone(&state));
    tokio::spawn(async move { axum::serve(es, es_app).await });
    tokio::spawn(async move { axum::serve(kibana, kibana_app).await });

    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("e2e/run.mjs")
            .current_dir(web_dir())
            .env("ES_URL", es_url)
            .env("KIBANA_URL", kibana_url)
            .env("ELASTIC_PASSWORD", ELASTIC_PASSWORD)
            .env("CHROMIUM", chromium)
            .output()
    })
    .await
    .unwrap()
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        output.status.success(),
        "browser flows failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("web e2e: all flows passed"));
}

/// The front end's pure logic (form ↔ role JSON, space rules, error placement), with node's
/// own test runner.
#[test]
fn front_end_unit_tests() {
    let output = Command::new("node")
        .args(["--test", "test/"])
        .current_dir(web_dir())
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "node --test failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
