//! The baseline of `benches/http_has_privileges.sh`: an axum server on the same runtime
//! configuration as Rampart (multi-threaded tokio, HTTP/1) whose only handler reads the
//! request body and answers a fixed `_has_privileges`-shaped JSON document. It does no
//! authentication and no authorization, so its rate is the ceiling for any axum handler
//! on the machine, and Rampart's rate is reported as a share of it.
//!
//! `cargo run --release -p rampart-bench --example bare_axum -- 127.0.0.1:9299`

use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::any;

/// What Rampart answers to the benchmark's request, byte for byte in size class.
const ANSWER: &str = r#"{"username":"bench_user","has_all_requested":false,"cluster":{"monitor":true,"manage_own_api_key":true,"manage_security":false},"index":{"logs-2024.11.22":{"read":true,"view_index_metadata":true,"write":false},"metrics-web":{"read":true,"view_index_metadata":true,"write":false}},"application":{"bench_app":{"space:default":{"read":true,"write":false},"space:marketing":{"read":true,"write":false}}}}"#;

async fn answer(body: Bytes) -> impl IntoResponse {
    // Touch the body as a real handler would have to before answering.
    std::hint::black_box(body.len());
    ([(CONTENT_TYPE, "application/json")], ANSWER)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9299".to_string())
        .parse()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let app = Router::new()
            .route("/", any(answer))
            .route("/{*path}", any(answer));
        let listener = tokio::net::TcpListener::bind(addr).await?;
        println!("bare axum listening on {addr}");
        axum::serve(listener, app).await?;
        Ok(())
    })
}
