//! The web session without a browser: login checks, cookie flags, CSRF on writes, the cookie
//! authenticating Kibana API routes and the console proxy, logout.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use common::{ELASTIC_PASSWORD, TestNode};

async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, axum::http::HeaderMap, Value) {
    let mut b = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let body = match body {
        Some(v) => {
            b = b.header("content-type", "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let resp = app.clone().oneshot(b.body(body).unwrap()).await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A GET authenticated by the session cookie alone.
async fn get_with_cookie(
    app: &Router,
    uri: &str,
    cookie: &str,
) -> (u16, axum::http::HeaderMap, Value) {
    send(app, Method::GET, uri, &[("cookie", cookie)], None).await
}

fn login_body(user: &str, password: &str) -> Value {
    json!({"providerType": "basic", "providerName": "basic", "currentURL": "/app/management/users",
           "params": {"username": user, "password": password}})
}

#[tokio::test]
async fn session_cookie_csrf_and_logout() {
    let node = TestNode::new();
    rampart_server::kibana::bootstrap(&node.state).unwrap();
    let app = rampart_server::kibana::kibana_app(node.state.clone());

    // Pages need a session.
    let (status, headers, _) = send(&app, Method::GET, "/app/management/roles", &[], None).await;
    assert_eq!(status, 302);
    assert_eq!(headers["location"], "/login?next=/app/management/roles");

    // Login: kbn-xsrf required, bad passwords are 401 in Kibana's shape.
    let body = Some(login_body("elastic", ELASTIC_PASSWORD));
    let (status, _, _) = send(
        &app,
        Method::POST,
        "/internal/security/login",
        &[],
        body.clone(),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _, err) = send(
        &app,
        Method::POST,
        "/internal/security/login",
        &[("kbn-xsrf", "1")],
        Some(login_body("elastic", "wrong")),
    )
    .await;
    assert_eq!((status, err["statusCode"].clone()), (401, json!(401)));
    let (status, headers, reply) = send(
        &app,
        Method::POST,
        "/internal/security/login",
        &[("kbn-xsrf", "1")],
        body,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(reply["location"], "/app/management/users");
    let set_cookie = headers["set-cookie"].to_str().unwrap().to_string();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"));
    assert!(!set_cookie.contains("Secure"), "plain HTTP: no Secure flag");
    let cookie = set_cookie.split(';').next().unwrap().to_string();

    // The shell carries the CSRF token.
    let resp = app
        .clone()
        .oneshot(
            Request::get("/app/management/roles")
                .header("cookie", &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let html = String::from_utf8(
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    let csrf = html
        .split("name=\"rampart-csrf\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    assert_eq!(csrf.len(), 64);
    assert!(html.contains("data-can-manage-security=\"true\""));
    assert!(html.contains("data-can-manage-spaces=\"true\""));

    // The cookie authenticates Kibana's API routes.
    let (status, _, roles) = get_with_cookie(&app, "/api/security/role", &cookie).await;
    assert_eq!(status, 200);
    assert!(
        roles
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "superuser")
    );

    // Writes need the CSRF token: without it 403, with it the ES API runs as the session user.
    let proxy = "/api/console/proxy?path=/_security/user/carol&method=PUT";
    let user = Some(json!({"password": "carol-password", "roles": ["viewer"]}));
    let (status, _, _) = send(
        &app,
        Method::POST,
        proxy,
        &[("cookie", &cookie)],
        user.clone(),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = send(
        &app,
        Method::POST,
        proxy,
        &[
            ("cookie", &cookie),
            ("x-csrf-token", "0".repeat(64).as_str()),
        ],
        user.clone(),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, created) = send(
        &app,
        Method::POST,
        proxy,
        &[("cookie", &cookie), ("x-csrf-token", &csrf)],
        user,
    )
    .await;
    assert_eq!((status, created), (200, json!({"created": true})));

    // Each session is its own user, with that user's current roles.
    let (_, headers, _) = send(
        &app,
        Method::POST,
        "/internal/security/login",
        &[("kbn-xsrf", "1")],
        Some(login_body("carol", "carol-password")),
    )
    .await;
    let carol = headers["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (_, _, me) = get_with_cookie(&app, "/internal/security/me", &carol).await;
    assert_eq!(me["username"], "carol");
    assert_eq!(me["roles"], json!(["viewer"]));

    // Logout ends the session.
    let (status, _, _) = send(
        &app,
        Method::POST,
        "/internal/security/logout",
        &[("cookie", &cookie), ("x-csrf-token", &csrf)],
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = get_with_cookie(&app, "/internal/security/me", &cookie).await;
    assert_eq!(status, 401);
    let (status, _, _) = get_with_cookie(&app, "/api/security/role", &cookie).await;
    assert_eq!(status, 401);
}

/// Login answers with the session cookie and the shell, for `user`.
async fn login_shell(app: &Router, user: &str, password: &str) -> (String, String) {
    let (status, headers, _) = send(
        app,
        Method::POST,
        "/internal/security/login",
        &[("kbn-xsrf", "1")],
        Some(login_body(user, password)),
    )
    .await;
    assert_eq!(status, 200);
    let set_cookie = headers["set-cookie"].to_str().unwrap().to_string();
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let resp = app
        .clone()
        .oneshot(
            Request::get("/app/management/spaces")
                .header("cookie", &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (set_cookie, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn secure_cookie_setting_and_space_management_flag() {
    let node = TestNode::with_settings(&[("xpack.security.secureCookies", "true")]);
    rampart_server::kibana::bootstrap(&node.state).unwrap();
    let app = rampart_server::kibana::kibana_app(node.state.clone());

    let (set_cookie, html) = login_shell(&app, "elastic", ELASTIC_PASSWORD).await;
    assert!(set_cookie.ends_with("; Secure"), "{set_cookie}");
    assert!(html.contains("data-can-manage-spaces=\"true\""));

    // Read access to every space, but not Kibana's global space:manage: the page hides the
    // space management controls (the spaces API refuses them anyway).
    let (status, reply) = node
        .admin(
            Method::PUT,
            "/_security/role/space_reader",
            Some(json!({"applications": [{"application": "kibana-.kibana",
                "privileges": ["space_read"], "resources": ["*"]}]})),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    node.put_user("reader", "reader-password", &["space_reader"])
        .await;
    let (_, html) = login_shell(&app, "reader", "reader-password").await;
    assert!(html.contains("data-can-manage-spaces=\"false\""), "{html}");
}
