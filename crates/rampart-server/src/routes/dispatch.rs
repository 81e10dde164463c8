//! Building the axum router from the route table, and the per-request pipeline:
//! read → authenticate → run-as → authorize → handler → audit → render.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{RawPathParams, Request, State};
use axum::http::{HeaderValue, Method};
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter};
use rampart_core::authz::{EffectiveRole, Subject};

use super::table::{Authz, Facts, Route, routes_for};
use crate::authn::Authentication;
use crate::error::ApiError;
use crate::http::Req;
use crate::http::negotiation::negotiate;
use crate::http::response::{RenderOptions, render};
use crate::state::SharedState;

/// What a handler knows about the request's subject.
#[derive(Clone)]
pub struct Ctx {
    pub state: SharedState,
    pub auth: Authentication,
    pub subject: Subject,
    /// The effective role (the run-as target's, or the API key limited by its owner).
    pub role: EffectiveRole,
    /// The route's action.
    pub action: &'static str,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("subject", &self.subject)
            .field("action", &self.action)
            .finish()
    }
}

/// The axum filter for a route table method; `None` for methods no table uses.
pub(crate) fn method_filter(m: &Method) -> Option<MethodFilter> {
    Some(match *m {
        Method::GET => MethodFilter::GET,
        Method::POST => MethodFilter::POST,
        Method::PUT => MethodFilter::PUT,
        Method::DELETE => MethodFilter::DELETE,
        Method::HEAD => MethodFilter::HEAD,
        Method::PATCH => MethodFilter::PATCH,
        _ => return None,
    })
}

/// The application: one router built from the route table.
pub fn app(state: SharedState) -> Router {
    let table = routes_for(&state.settings);
    let mut by_path: BTreeMap<&'static str, Vec<Route>> = BTreeMap::new();
    for r in table {
        by_path.entry(r.path).or_default().push(r);
    }
    // Settings do not change while the node runs: read the limit once, not per request.
    let body_limit = body_limit(&state.settings);
    let secured = crate::security_disabled::security_enabled(&state.settings).unwrap_or(true);
    let mut router = Router::new();
    for (path, routes) in by_path {
        let mut allowed: Vec<String> = routes.iter().map(|r| r.method.to_string()).collect();
        if routes.iter().any(|r| r.method == Method::GET)
            && !routes.iter().any(|r| r.method == Method::HEAD)
        {
            allowed.push("HEAD".into());
        }
        allowed.sort();
        allowed.dedup();
        let mut mr: MethodRouter<SharedState> = MethodRouter::new();
        for r in routes {
            let Some(filter) = method_filter(&r.method) else {
                continue;
            };
            let route = Arc::new(r);
            mr = mr.on(
                filter,
                move |State(state): State<SharedState>,
                      params: Result<RawPathParams, RawPathParamsRejection>,
                      req: Request| {
                    let route = Arc::clone(&route);
                    let limits = Limits {
                        body: body_limit,
                        secured,
                    };
                    // `handle`'s own future, not one wrapping it: no second copy of the
                    // arguments in the future axum boxes.
                    handle(state, route, limits, params, req)
                },
            );
        }
        let allowed = allowed.join(", ");
        mr = mr.fallback(move |req: Request| {
            let allowed = allowed.clone();
            async move {
                let e = ApiError::new(
                    405,
                    "illegal_argument_exception",
                    format!(
                        "Incorrect HTTP method for uri [{}] and method [{}], allowed: [{allowed}]",
                        req.uri(),
                        req.method()
                    ),
                );
                render(None, e.status, e.body(), Some(&e))
            }
        });
        router = router.route(path, mr);
    }
    router
        .fallback(|req: Request| async move {
            let e = ApiError::bad_request(format!(
                "no handler found for uri [{}] and method [{}]",
                req.uri(),
                req.method()
            ));
            render(None, e.status, e.body(), Some(&e))
        })
        .layer(axum::middleware::map_response(
            |mut resp: Response| async move {
                resp.headers_mut().insert(
                    "x-elastic-product",
                    HeaderValue::from_static("Elasticsearch"),
                );
                resp
            },
        ))
        .with_state(state)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b == b'+' { b' ' } else { b });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_query(q: Option<&str>) -> Vec<(String, String)> {
    q.unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

/// `http.max_content_length`: the largest request body read, in bytes.
fn body_limit(settings: &crate::settings::Settings) -> usize {
    let limit = settings
        .get_bytes("http.max_content_length", 100 << 20)
        .unwrap_or(100 << 20);
    usize::try_from(limit).unwrap_or(usize::MAX)
}

pub(crate) async fn read(
    state: &SharedState,
    params: Result<RawPathParams, RawPathParamsRejection>,
    req: Request,
) -> Result<Req, ApiError> {
    read_limited(body_limit(&state.settings), params, req).await
}

async fn read_limited(
    limit: usize,
    params: Result<RawPathParams, RawPathParamsRejection>,
    req: Request,
) -> Result<Req, ApiError> {
    // A path that percent-decodes to invalid UTF-8 is a client error, not axum's plain text.
    let params = params.map_err(|_| {
        ApiError::bad_request(format!(
            "invalid UTF-8 in the path of uri [{}]",
            req.uri().path()
        ))
    })?;
    let (parts, body) = req.into_parts();
    let body = to_bytes(Body::new(body), limit).await.map_err(|_| {
        ApiError::new(
            413,
            "content_too_long_exception",
            format!("request body exceeds the limit of [{limit}] bytes"),
        )
    })?;
    negotiate(&parts.headers, !body.is_empty())?;
    let params: HashMap<String, String> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Ok(Req {
        method: parts.method,
        path: parts.uri.path().to_string(),
        uri: parts
            .uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        params,
        query: parse_query(parts.uri.query()),
        headers: parts.headers,
        body,
        parsed: std::sync::OnceLock::new(),
    })
}

/// An authentication established in-process before the request reached the route table (the
/// web UI's session cookie, see `crate::web`). Carried as a request extension, which clients
/// cannot set; authorization, handlers and audit then run exactly as for any other request.
#[derive(Debug, Clone)]
pub struct PreAuthenticated(pub Authentication);

/// What the router reads from settings once (they do not change while the node runs).
#[derive(Debug, Clone, Copy)]
struct Limits {
    /// `http.max_content_length`.
    body: usize,
    /// `xpack.security.enabled`.
    secured: bool,
}

async fn handle(
    state: SharedState,
    route: Arc<Route>,
    limits: Limits,
    params: Result<RawPathParams, RawPathParamsRejection>,
    mut req: Request,
) -> Response {
    let preauth = req.extensions_mut().remove::<PreAuthenticated>();
    let req = match read_limited(limits.body, params, req).await {
        Ok(r) => r,
        Err(e) => return render(None, e.status, e.body(), Some(&e)),
    };
    let options = RenderOptions::of(&req);
    let result = pipeline(state, &route, limits.secured, req, preauth).await;
    options.respond(result)
}

async fn pipeline(
    state: SharedState,
    route: &Route,
    secured: bool,
    req: Req,
    preauth: Option<PreAuthenticated>,
) -> Result<crate::http::Reply, ApiError> {
    if !secured {
        // Security off: no authentication, no authorization, no audit (as Elasticsearch).
        let ctx = crate::security_disabled::context(&state, route.action)?;
        return (route.handler)(ctx, req).await;
    }
    let auth = match preauth {
        Some(PreAuthenticated(auth)) => auth,
        None => state.authn.authenticate(&state, &req).await?,
    };
    let metrics = state.gateway.as_ref().map(|g| Arc::clone(&g.metrics));
    if let Some(m) = &metrics {
        m.count_request();
    }
    // Bodies ES parses in its REST layer are refused (400) before authorization.
    crate::data::streams::parse_before_authorization(route.action, &req)?;
    let ctx = authorize(&state, route, &req, auth).await;
    if let Some(m) = &metrics {
        m.count_decision(!matches!(&ctx, Err(e) if e.status == 403));
    }
    let ctx = ctx?;
    if let (Some(gateway), Authz::Index) = (&state.gateway, route.authz) {
        // Gateway mode: documents live upstream; one handler rewrites and forwards.
        // Boxed: the upstream client's future is large, and only gateway nodes take it.
        return Box::pin(crate::data::upstream::handle(Arc::clone(gateway), ctx, req)).await;
    }
    (route.handler)(ctx, req).await
}

/// Run-as resolution and authorization of the route's action; audited either way.
async fn authorize(
    state: &SharedState,
    route: &Route,
    req: &Req,
    auth: Authentication,
) -> Result<Ctx, ApiError> {
    let (role, authenticating) = crate::state::read_inline(|| {
        let store = state.store.as_ref();
        let role = state.security.effective_role(store, &auth)?;
        let authenticating = if auth.run_as.is_some() {
            Some(state.security.authenticating_role(store, &auth)?)
        } else {
            None
        };
        Ok((role, authenticating))
    })?;
    let subject = auth.subject();
    if let (Some(target), Some(authenticating)) = (&auth.run_as, &authenticating) {
        let decision = authenticating.authorize_run_as(
            &subject,
            route.action,
            &target.username,
            target.enabled,
        );
        if let Some(d) = decision.denial() {
            state.audit.run_as_denied(&auth, route.action, req);
            return Err(ApiError::forbidden(d.message().to_string()));
        }
        state.audit.run_as_granted(&auth, route.action, req);
    }
    let ctx = Ctx {
        state: Arc::clone(state),
        auth,
        subject,
        role,
        action: route.action,
    };
    match route.authz {
        Authz::Cluster(facts_fn) => {
            let facts = match facts_fn {
                Some(f) => f(req, &ctx)?,
                None => Facts::default(),
            };
            let action = facts.action.unwrap_or(route.action);
            let decision = ctx
                .role
                .authorize_cluster(&ctx.subject, action, &facts.as_request())?;
            if let Some(d) = decision.denial() {
                state.audit.access_denied(&ctx.auth, action, req);
                return Err(ApiError::forbidden(d.message().to_string()));
            }
            state.audit.access_granted(&ctx.auth, action, req);
        }
        // A search naming remote targets (`alias:index`) may be granted by `remote_indices`
        // alone: its handler's expression authorization decides (ES skips this pre-check
        // for requests that allow remote indices).
        Authz::Index
            if route.action == "indices:data/read/search"
                && req.param_list("index").iter().any(|n| n.contains(':')) => {}
        Authz::Index => {
            let names = req.param_list("index");
            let decision =
                ctx.role
                    .authorize_index_action_anywhere(&ctx.subject, route.action, &names)?;
            if let Some(d) = decision.denial() {
                state.audit.access_denied(&ctx.auth, route.action, req);
                return Err(ApiError::forbidden(d.message().to_owned()));
            }
        }
    }
    Ok(ctx)
}
