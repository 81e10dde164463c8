#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Runs `tests/kibana_py/test_kibana.py` (Python `requests`, plain HTTP) against real ES and
//! Kibana listeners on free ports. Needs `python3`; the script installs `requests` if missing.

mod common;

use std::sync::Arc;

use common::{ELASTIC_PASSWORD, TestNode};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_drives_role_and_space_crud() {
    let node = TestNode::new();
    rampart_server::kibana::bootstrap(&node.state).unwrap();
    let es = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let kb = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let es_url = format!("http://{}", es.local_addr().unwrap());
    let kb_url = format!("http://{}", kb.local_addr().unwrap());
    let es_app = rampart_server::app(Arc::clone(&node.state));
    let kb_app = rampart_server::kibana::kibana_app(Arc::clone(&node.state));
    tokio::spawn(async move { axum::serve(es, es_app).await });
    tokio::spawn(async move { axum::serve(kb, kb_app).await });
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/kibana_py/test_kibana.py"
    );
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .args([script, &kb_url, &es_url, "elastic", ELASTIC_PASSWORD])
            .output()
            .expect("python3 must be installed to run this test")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "python test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all checks passed"), "{stdout}");
}
