#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Runs the Python clients of `tests/kibana_py/` against real ES and Kibana listeners on free
//! ports: `test_kibana.py` (plain HTTP with `requests`) and `test_kibana_py_client.py` (the
//! third-party `kibana-py` client, installed into a private venv on first use). Needs `python3`
//! (with `venv`) and, the first time, PyPI.

mod common;

use std::sync::Arc;

use common::{ELASTIC_PASSWORD, TestNode};

/// Start both listeners, run `script` with (kibana url, es url) through `args`, and return its
/// stdout after checking it succeeded.
async fn run_python(script: &str, args: fn(&str, &str) -> Vec<String>) -> String {
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
    let script = format!("{}/tests/kibana_py/{script}", env!("CARGO_MANIFEST_DIR"));
    let argv = args(&kb_url, &es_url);
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .arg(&script)
            .args(&argv)
            .output()
            .expect("python3 must be installed to run this test")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "python test failed:\n{stdout}\n{stderr}"
    );
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_drives_role_and_space_crud() {
    let stdout = run_python("test_kibana.py", |kb, es| {
        vec![
            kb.to_string(),
            es.to_string(),
            "elastic".to_string(),
            ELASTIC_PASSWORD.to_string(),
        ]
    })
    .await;
    assert!(stdout.contains("all checks passed"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kibana_py_client_drives_role_and_space_crud() {
    let stdout = run_python("test_kibana_py_client.py", |kb, _| {
        vec![
            kb.to_string(),
            "elastic".to_string(),
            ELASTIC_PASSWORD.to_string(),
        ]
    })
    .await;
    assert!(stdout.contains("all checks passed"), "{stdout}");
}
