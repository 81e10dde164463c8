#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Thousands of malformed requests, generated deterministically, across every route: each
//! answer is an ES-shaped client error (or a success, when the input happens to be valid),
//! never a 5xx and never a panic.

mod common;

use axum::body::Body;
use axum::http::{HeaderValue, Method, Request};
use common::{SUPERUSER, TestNode, basic, is_es_error};
use rampart_server::routes::{Route, routes};
use serde_json::{Value, json};

const BODY_LIMIT: usize = 2048;

/// Fields of the security APIs' request bodies (users, roles, mappings, privileges, API
/// keys, tokens, has_privileges, profiles).
const FIELDS: &[&str] = &[
    "password",
    "password_hash",
    "roles",
    "full_name",
    "email",
    "metadata",
    "enabled",
    "cluster",
    "indices",
    "remote_indices",
    "remote_cluster",
    "applications",
    "run_as",
    "global",
    "description",
    "transient_metadata",
    "index",
    "application",
    "role_descriptors",
    "expiration",
    "name",
    "grant_type",
    "username",
    "refresh_token",
    "scope",
    "kerberos_ticket",
    "access_token",
    "ids",
    "id",
    "owner",
    "realm_name",
    "query",
    "from",
    "size",
    "sort",
    "search_after",
    "rules",
    "role_templates",
    "api_key",
    "uids",
    "data",
    "privileges",
    "token",
    "unknown_field_xyz",
];

/// Fields of the entries inside `indices` / `applications` arrays.
const ENTRY_FIELDS: &[&str] = &[
    "names",
    "privileges",
    "field_security",
    "query",
    "allow_restricted_indices",
    "application",
    "resources",
    "clusters",
    "grant",
    "except",
];

fn wrong_values() -> Vec<Value> {
    vec![
        json!(1),
        json!(-1.5),
        json!(true),
        json!(null),
        json!([]),
        json!({}),
        json!(""),
        json!("x"),
        json!([1, 2]),
        json!([{}]),
        json!([null]),
        json!({"a": {"b": [true]}}),
        json!("\u{0000}\u{ffff}"),
        json!(u64::MAX),
    ]
}

/// Raw bodies that are not valid JSON documents (or not the expected top-level type).
fn broken_bodies() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = [
        "{",
        "}",
        "{\"a\":",
        "{\"a\":1,}",
        "[",
        "nul",
        "tru",
        "{'a': 1}",
        "{\"a\" 1}",
        "{\"a\":1}{\"b\":2}",
        "\"just a string\"",
        "123",
        "[]",
        "null",
        "[1,2,3]",
        "{\"a\":\"\\ud800\"}",
        "{\"a\":1e999999}",
        "{\"a\":01}",
        "\u{feff}{}",
        "{\"\":{\"\":{\"\":[]}}}",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    out.push(vec![0xff, 0xfe, 0xfd]);
    out.push(b"{\"password\":\"\xff\xfe\"}".to_vec());
    out.push(vec![b'{'; 10]);
    out.push(b"[".repeat(1500));
    out.push(format!("{}1{}", "[".repeat(200), "]".repeat(200)).into_bytes());
    out.push(vec![0u8; 16]);
    out
}

/// Garbled `Authorization` headers.
fn bad_authorization() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = [
        "Basic",
        "Basic ",
        "Basic !!!!",
        "Basic Zm9v",
        "Basic OmZvbw==",
        "basic ZWxhc3RpYzo=",
        "Bearer",
        "Bearer garbage",
        "ApiKey",
        "ApiKey Zm9vOmJhcg==",
        "ApiKey !!!",
        "Digest username=x",
        "Negotiate abc",
        "   ",
        "Basic ZWxhc3RpYzp3cm9uZw==",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    // Valid base64 of invalid UTF-8, and raw non-ASCII header bytes.
    out.push(b"Basic //79".to_vec());
    out.push(b"Basic \xff\xfe".to_vec());
    out.push(format!("Basic {}", "A".repeat(4000)).into_bytes());
    out
}

fn sample_path(path: &str, value: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        out.push_str(value);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// What must hold for every answer.
fn check(route: &Route, what: &str, status: u16, body: &Value, failures: &mut Vec<String>) {
    let ok = match status {
        200..=299 => true,
        406 => body["error"].is_string() && body["status"] == 406,
        404 if body.get("error").is_none() => true, // ES's bare 404 bodies (`{}`, `{"found":false}`)
        400..=499 => is_es_error(body, status),
        _ => false,
    };
    if !ok {
        failures.push(format!(
            "{} {} [{what}] -> {status} {body}",
            route.method, route.path
        ));
    }
}

struct Case {
    path: String,
    body: Option<Vec<u8>>,
    content_type: Option<&'static str>,
    authorization: Option<Vec<u8>>,
    what: String,
}

fn superuser() -> Option<Vec<u8>> {
    Some(basic(SUPERUSER.0, SUPERUSER.1).into_bytes())
}

/// Field × value combinations rotate across routes (a third per route) so that the whole
/// matrix is covered over the table without multiplying the run time by every route.
const ROTATION: usize = 3;

fn cases_for(route: &Route, route_index: usize) -> Vec<Case> {
    let path = sample_path(route.path, "sample");
    let mut cases = Vec::new();
    let json_case = |path: &str, body: Vec<u8>, what: String| Case {
        path: path.to_string(),
        body: Some(body),
        content_type: Some("application/json"),
        authorization: superuser(),
        what,
    };
    for (i, b) in broken_bodies().into_iter().enumerate() {
        cases.push(json_case(&path, b, format!("broken body #{i}")));
    }
    let values = wrong_values();
    let picked = |f: usize, v: usize| (f + v + route_index) % ROTATION == 0;
    // Test-harness routes read no body; their matrix would only repeat the same wipe.
    let matrix = route.enabled_by.is_none();
    for (fi, field) in FIELDS.iter().enumerate().filter(|_| matrix) {
        for (_, v) in values.iter().enumerate().filter(|(vi, _)| picked(fi, *vi)) {
            let body = json!({ *field: v });
            cases.push(json_case(
                &path,
                body.to_string().into_bytes(),
                format!("{body}"),
            ));
        }
    }
    if matrix && (route.method == Method::POST || route.method == Method::PUT) {
        for container in ["indices", "applications", "remote_indices"] {
            for (fi, field) in ENTRY_FIELDS.iter().enumerate() {
                for (_, v) in values.iter().enumerate().filter(|(vi, _)| picked(fi, *vi)) {
                    let body = json!({ container: [{ *field: v }] });
                    cases.push(json_case(
                        &path,
                        body.to_string().into_bytes(),
                        format!("{body}"),
                    ));
                }
            }
        }
    }
    // Bodies over http.max_content_length.
    cases.push(json_case(
        &path,
        vec![b' '; BODY_LIMIT + 1],
        "oversized whitespace".into(),
    ));
    cases.push(json_case(
        &path,
        format!("{{\"metadata\":\"{}\"}}", "x".repeat(BODY_LIMIT * 4)).into_bytes(),
        "oversized json".into(),
    ));
    // Wrong content types.
    for ct in [
        "text/html",
        "application/xml",
        "multipart/form-data",
        "a/b;c",
    ] {
        cases.push(Case {
            content_type: Some(ct),
            ..json_case(&path, b"{}".to_vec(), format!("content-type {ct}"))
        });
    }
    // Garbled credentials.
    for (i, a) in bad_authorization().into_iter().enumerate() {
        cases.push(Case {
            path: path.clone(),
            body: None,
            content_type: None,
            authorization: Some(a),
            what: format!("authorization #{i}"),
        });
    }
    // Bad path parameters and query strings.
    let mut paths: Vec<String> = Vec::new();
    if route.path.contains('{') {
        for p in [
            "%FF",
            "%C3%28",
            "%00",
            "a%2Fb",
            "*",
            "_all",
            ",",
            "%E2%82",
            "x".repeat(600).as_str(),
        ] {
            paths.push(sample_path(route.path, p));
        }
    }
    for q in [
        "pretty=maybe",
        "refresh=banana",
        "filter_path=****,,-,.",
        "%ZZ=1",
        "a=%",
        "error_trace=x",
        "human=%FF",
        "filter_path=%FF",
        "size=-1&from=abc",
        "&&&=&",
    ] {
        paths.push(format!("{path}?{q}"));
    }
    for p in paths {
        cases.push(Case {
            path: p.clone(),
            body: None,
            content_type: None,
            authorization: superuser(),
            what: format!("path {p}"),
        });
    }
    cases
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_are_es_client_errors() {
    let limit = BODY_LIMIT.to_string();
    let mut settings: Vec<(&str, &str)> = vec![("http.max_content_length", limit.as_str())];
    settings.extend(
        routes()
            .iter()
            .filter_map(|r| r.enabled_by)
            .map(|s| (s, "true")),
    );
    let node = std::sync::Arc::new(TestNode::with_settings(&settings));
    // Warm the superuser's compiled permission once: concurrent first requests would each
    // compile it (the permission cache has no single-flight).
    let (status, _) = node
        .call(
            Method::GET,
            "/_security/_authenticate",
            Some(SUPERUSER),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let mut failures = Vec::new();
    let mut total = 0usize;
    for (route_index, route) in routes().into_iter().enumerate() {
        let route = std::sync::Arc::new(route);
        let mut tasks = tokio::task::JoinSet::new();
        for case in cases_for(&route, route_index) {
            let node = std::sync::Arc::clone(&node);
            let route = std::sync::Arc::clone(&route);
            tasks.spawn(async move {
                let mut b = Request::builder()
                    .method(route.method.clone())
                    .uri(case.path.as_str());
                if let Some(a) = &case.authorization {
                    b = b.header("authorization", HeaderValue::from_bytes(a).unwrap());
                }
                if let Some(ct) = case.content_type {
                    b = b.header("content-type", ct);
                }
                let req = b
                    .body(case.body.clone().map_or_else(Body::empty, Body::from))
                    .unwrap();
                let r = node.send(req).await;
                let mut failures = Vec::new();
                if route.method == Method::HEAD {
                    if r.status >= 500 {
                        failures.push(format!(
                            "HEAD {} [{}] -> {}",
                            route.path, case.what, r.status
                        ));
                    }
                } else {
                    check(&route, &case.what, r.status, &r.json(), &mut failures);
                }
                failures
            });
        }
        while let Some(result) = tasks.join_next().await {
            // A panicking handler surfaces here as a join error.
            failures.extend(result.expect("request task panicked"));
            total += 1;
        }
    }
    assert!(total >= 1000, "only {total} requests");
    assert!(
        failures.is_empty(),
        "{} of {total} requests failed:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
