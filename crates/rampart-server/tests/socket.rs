#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The server on a real socket: HTTP/1.1 over TCP (plain and TLS), keep-alive, and graceful
//! shutdown.

mod common;

use std::sync::Arc;

use common::{SUPERUSER, TestNode, basic};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// Read one HTTP/1.1 response (headers + Content-Length body, none for HEAD).
async fn read_response<S: AsyncRead + Unpin>(
    s: &mut S,
    head_request: bool,
) -> (u16, String, String) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        let n = s.read(&mut byte).await.unwrap();
        assert_eq!(n, 1, "connection closed mid-headers: {buf:?}");
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).unwrap();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let len = if head_request { 0 } else { len };
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).await.unwrap();
    (status, head, String::from_utf8(body).unwrap())
}

fn request(method: &str, path: &str, auth: Option<(&str, &str)>, body: &str) -> String {
    let mut r = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\n");
    if let Some((u, p)) = auth {
        r.push_str(&format!("Authorization: {}\r\n", basic(u, p)));
    }
    if !body.is_empty() {
        r.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    r.push_str("\r\n");
    r.push_str(body);
    r
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    raw: &str,
) -> (u16, String, String) {
    s.write_all(raw.as_bytes()).await.unwrap();
    read_response(s, raw.starts_with("HEAD ")).await
}

#[tokio::test]
async fn http11_keep_alive_and_graceful_shutdown() {
    let node = TestNode::new();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(
        axum::serve(listener, node.app.clone())
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .into_future(),
    );
    let mut conn = TcpStream::connect(addr).await.unwrap();
    // Several requests on one keep-alive connection.
    let (status, head, body) = exchange(&mut conn, &request("GET", "/", Some(SUPERUSER), "")).await;
    assert_eq!(status, 200, "{head}{body}");
    assert!(
        head.to_ascii_lowercase()
            .contains("x-elastic-product: elasticsearch")
    );
    let (status, _, body) = exchange(
        &mut conn,
        &request("GET", "/_security/_authenticate", None, ""),
    )
    .await;
    assert_eq!(status, 401);
    assert!(body.contains("missing authentication credentials"));
    let (status, _, body) = exchange(
        &mut conn,
        &request("GET", "/nope/a/b/c", Some(SUPERUSER), ""),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.contains("no handler found for uri [/nope/a/b/c] and method [GET]"));
    let (status, head, body) =
        exchange(&mut conn, &request("HEAD", "/", Some(SUPERUSER), "")).await;
    assert_eq!(status, 200, "{head}");
    assert!(body.is_empty());
    // Garbage on the wire is answered (or dropped) without taking the server down.
    let mut junk = TcpStream::connect(addr).await.unwrap();
    junk.write_all(b"\x00\x01 NOT HTTP\r\n\r\n").await.unwrap();
    let mut sink = Vec::new();
    let _ = junk.read_to_end(&mut sink).await;
    let (status, _, _) = exchange(&mut conn, &request("GET", "/", Some(SUPERUSER), "")).await;
    assert_eq!(status, 200);
    // Graceful shutdown: the server stops once the idle keep-alive connection is closed.
    stop.send(()).unwrap();
    drop(conn);
    server.await.unwrap().unwrap();
    assert!(TcpStream::connect(addr).await.is_err());
}

fn self_signed(dir: &std::path::Path) -> rcgen::CertifiedKey<rcgen::KeyPair> {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    std::fs::write(dir.join("http.crt"), certified.cert.pem()).unwrap();
    std::fs::write(dir.join("http.key"), certified.signing_key.serialize_pem()).unwrap();
    certified
}

#[tokio::test]
async fn https_with_a_self_signed_certificate() {
    let node = TestNode::new();
    let config_dir = node.dir.path().join("config");
    let certified = self_signed(&config_dir);
    let mut settings = common::test_settings(&[]);
    settings.set("xpack.security.http.ssl.enabled", "true");
    // Relative paths resolve against the config directory, as in ES.
    settings.set("xpack.security.http.ssl.certificate", "http.crt");
    settings.set("xpack.security.http.ssl.key", "http.key");
    let tls = rampart_server::tls::server_config(&settings, Some(&config_dir))
        .unwrap()
        .expect("TLS enabled");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(rampart_server::tls::serve_tls(
        listener,
        node.app.clone(),
        tls,
        async {
            let _ = stopped.await;
        },
    ));

    let mut roots = rustls::RootCertStore::empty();
    roots.add(certified.cert.der().clone()).unwrap();
    let client = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();

    // A plain-text client gets no HTTP answer from the TLS port, and the server survives it.
    let mut plain = TcpStream::connect(addr).await.unwrap();
    plain
        .write_all(request("GET", "/", Some(SUPERUSER), "").as_bytes())
        .await
        .unwrap();
    let mut sink = Vec::new();
    let _ = plain.read_to_end(&mut sink).await;
    assert!(!sink.starts_with(b"HTTP/1.1 200"));

    let tcp = TcpStream::connect(addr).await.unwrap();
    let mut tls_conn = connector.connect(name, tcp).await.unwrap();
    let (status, _, body) = exchange(
        &mut tls_conn,
        &request("GET", "/_security/_authenticate", Some(SUPERUSER), ""),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"username\":\"elastic\""));
    let (status, _, _) = exchange(&mut tls_conn, &request("GET", "/", None, "")).await;
    assert_eq!(status, 401);
    drop(tls_conn);
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[test]
fn tls_settings_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = common::test_settings(&[("xpack.security.http.ssl.enabled", "true")]);
    let e = rampart_server::tls::server_config(&settings, Some(dir.path())).unwrap_err();
    assert!(
        e.to_string()
            .contains("xpack.security.http.ssl.certificate"),
        "{e}"
    );
    settings.set("xpack.security.http.ssl.certificate", "missing.crt");
    settings.set("xpack.security.http.ssl.key", "missing.key");
    let e = rampart_server::tls::server_config(&settings, Some(dir.path())).unwrap_err();
    assert!(e.to_string().contains("missing.crt"), "{e}");
    settings.set("xpack.security.http.ssl.enabled", "false");
    assert!(
        rampart_server::tls::server_config(&settings, Some(dir.path()))
            .unwrap()
            .is_none()
    );
}
