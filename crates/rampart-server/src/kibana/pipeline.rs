//! The Kibana port's request pipeline: read → authenticate (the ES port's realms) →
//! `kbn-xsrf` on writes → authorize the route → handler → audit → render.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{RawPathParams, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use rampart_core::authz::{ClusterRequest, EffectiveRole, Subject};
use rampart_core::permission::ApplicationPrivilegeStore;
use rampart_kibana::access::{ActionOracle, RoleOracle, space_resource};
use rampart_kibana::role::is_valid_space_id;
use rampart_kibana::spaces::DEFAULT_SPACE_ID;
use serde_json::Value;

use super::error::KbnError;
use super::table::{KAuthz, KRoute, routes};
use super::{KibanaModel, model};
use crate::authn::{Authentication, Credential, RealmRef, UserInfo};
use crate::http::Req;
use crate::routes::method_filter;
use crate::state::SharedState;

/// A successful Kibana handler result: a status and a JSON body (`None`: no body, e.g. 204).
#[derive(Debug, Clone, PartialEq)]
pub struct KReply {
    pub status: u16,
    pub body: Option<Value>,
}

impl KReply {
    pub fn ok(body: Value) -> Self {
        KReply {
            status: 200,
            body: Some(body),
        }
    }

    pub fn no_content() -> Self {
        KReply {
            status: 204,
            body: None,
        }
    }
}

impl IntoResponse for KReply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        match self.body {
            None => status.into_response(),
            Some(body) => {
                let bytes = serde_json::to_vec(&body).unwrap_or_default();
                let mut resp = (status, bytes).into_response();
                resp.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=utf-8"),
                );
                resp
            }
        }
    }
}

pub type KResult = Result<KReply, KbnError>;
pub type KFut = Pin<Box<dyn Future<Output = KResult> + Send>>;
/// A Kibana route handler.
pub type KHandler = fn(KCtx, Req) -> KFut;

/// What a Kibana handler knows about the request.
#[derive(Clone)]
pub struct KCtx {
    pub state: SharedState,
    pub auth: Authentication,
    pub subject: Subject,
    pub role: EffectiveRole,
    pub model: Arc<KibanaModel>,
    /// The current space: the `/s/{space_id}` prefix, or `default`.
    pub space: String,
}

impl std::fmt::Debug for KCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KCtx")
            .field("subject", &self.subject)
            .field("space", &self.space)
            .finish_non_exhaustive()
    }
}

impl KCtx {
    /// The stored application privileges (compiled, cached per store revision).
    pub fn app_privileges(&self) -> Result<Arc<ApplicationPrivilegeStore>, KbnError> {
        Ok(self
            .state
            .security
            .application_privileges(self.state.store.as_ref())?)
    }

    /// Whether the caller holds Kibana action `action` at `resource` (`*` or `space:<id>`),
    /// as `_has_privileges` would answer.
    pub fn granted(&self, resource: &str, action: &str) -> Result<bool, KbnError> {
        let store = self.app_privileges()?;
        let oracle = RoleOracle {
            role: &self.role,
            store: &store,
        };
        Ok(oracle.granted(resource, action)?)
    }

    /// Authorize a cluster action as the ES port would (audited either way).
    pub fn authorize_cluster(
        &self,
        action: &str,
        facts: &ClusterRequest<'_>,
        req: &Req,
    ) -> Result<(), KbnError> {
        let decision = self
            .role
            .authorize_cluster(&self.subject, action, facts)
            .map_err(crate::error::ApiError::from)?;
        if let Some(d) = decision.denial() {
            self.state.audit.access_denied(&self.auth, action, req);
            return Err(KbnError::forbidden(d.message().to_owned()));
        }
        self.state.audit.access_granted(&self.auth, action, req);
        Ok(())
    }

    /// Authorize a Kibana API privilege (`api:<tag>`) in the current space.
    fn authorize_api(&self, tag: &str, req: &Req) -> Result<(), KbnError> {
        let action = format!("api:{tag}");
        if self.granted(&space_resource(&self.space), &action)? {
            self.state.audit.access_granted(&self.auth, &action, req);
            return Ok(());
        }
        self.state.audit.access_denied(&self.auth, &action, req);
        Err(KbnError::forbidden(format!(
            "API [{} {}] is unauthorized for user, this action is granted by the Kibana privileges [{tag}]",
            req.method, req.uri
        )))
    }
}

fn not_found() -> Response {
    KbnError::not_found("Not Found").into_response()
}

/// The router: every table route, also under the `/s/{space_id}` prefix.
pub fn router(state: SharedState) -> Router {
    let mut by_path: BTreeMap<String, Vec<Arc<KRoute>>> = BTreeMap::new();
    for r in routes() {
        let r = Arc::new(r);
        by_path
            .entry(r.path.to_string())
            .or_default()
            .push(Arc::clone(&r));
        by_path
            .entry(format!("/s/{{space_id}}{}", r.path))
            .or_default()
            .push(r);
    }
    let mut router: Router<SharedState> = Router::new();
    for (path, routes) in by_path {
        let mut mr: MethodRouter<SharedState> = MethodRouter::new();
        for route in routes {
            let Some(filter) = method_filter(&route.method) else {
                continue;
            };
            mr = mr.on(
                filter,
                move |State(state): State<SharedState>,
                      params: Result<RawPathParams, RawPathParamsRejection>,
                      req: Request| {
                    let route = Arc::clone(&route);
                    async move { handle(state, route, params, req).await }
                },
            );
        }
        // hapi answers an unknown method like an unknown path.
        mr = mr.fallback(|| async { not_found() });
        router = router.route(&path, mr);
    }
    router.fallback(|| async { not_found() }).with_state(state)
}

async fn handle(
    state: SharedState,
    route: Arc<KRoute>,
    params: Result<RawPathParams, RawPathParamsRejection>,
    req: Request,
) -> Response {
    let mut req = match crate::routes::read_request(&state, params, req).await {
        Ok(r) => r,
        Err(e) => return KbnError::from(e).into_response(),
    };
    // Kibana never forwards ES's run-as header: on this port it means nothing.
    req.headers.remove("es-security-runas-user");
    match pipeline(state, &route, req).await {
        Ok(reply) => reply.into_response(),
        Err(e) => e.into_response(),
    }
}

/// The caller of an optional-authentication route that sent no credentials: no roles, so
/// every privilege check fails (Kibana treats it the same way).
fn anonymous() -> Authentication {
    let realm = RealmRef::new("__anonymous", "__anonymous");
    Authentication {
        user: UserInfo {
            username: String::new(),
            enabled: true,
            ..UserInfo::default()
        },
        authentication_realm: realm.clone(),
        lookup_realm: realm,
        run_as: None,
        credential: Credential::Anonymous,
    }
}

fn is_write(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

async fn pipeline(state: SharedState, route: &KRoute, req: Req) -> KResult {
    let space = match req.param("space_id") {
        None => DEFAULT_SPACE_ID.to_string(),
        Some(s) if is_valid_space_id(s) => s.to_string(),
        Some(_) => return Err(KbnError::not_found("Not Found")),
    };
    // The web page's session cookie (with its CSRF token on writes), else the headers.
    let auth = match crate::web::authenticate_session(&state, &req.headers, &req.method).await? {
        Some(session) => session.auth,
        None if route.authz == KAuthz::Optional && !req.headers.contains_key("authorization") => {
            anonymous()
        }
        None => state.authn.authenticate(&state, &req).await?,
    };
    if route.xsrf && is_write(&req.method) && !req.headers.contains_key("kbn-xsrf") {
        return Err(KbnError::bad_request(
            "Request must contain a kbn-xsrf header.",
        ));
    }
    let role =
        crate::state::read_inline(|| state.security.effective_role(state.store.as_ref(), &auth))?;
    let ctx = KCtx {
        subject: auth.subject(),
        state: Arc::clone(&state),
        auth,
        role,
        model: model()?,
        space,
    };
    match route.authz {
        KAuthz::Authenticated | KAuthz::Optional => {}
        KAuthz::Cluster(action) => {
            ctx.authorize_cluster(action, &ClusterRequest::default(), &req)?;
        }
        KAuthz::Api(tag) => ctx.authorize_api(tag, &req)?,
    }
    (route.handler)(ctx, req).await
}
