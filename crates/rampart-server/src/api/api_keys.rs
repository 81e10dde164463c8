//! API keys: create, update, bulk update, cache clearing, and the helpers the key
//! queries share (owner, snapshot, rendering). Get/query/invalidate live in `api_key_query`,
//! grant and bulk grant in `api_key_grant`.

use std::sync::Arc;

use rampart_core::authz::ApiKeyRequest;
use rampart_core::role::{RoleContext, RoleDescriptor, parse_role, validate_role};
use rampart_store::{ApiKeyRecord, StoreError};
use serde_json::{Map, Value, json};

use crate::authn::{Authentication, Credential, api_key, service_account};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx, Facts};
use crate::state::blocking;

/// Set a field of a JSON object (no-op on other values).
pub(crate) fn put(v: &mut Value, key: &str, val: Value) {
    if let Some(o) = v.as_object_mut() {
        o.insert(key.to_string(), val);
    }
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// An ES time value (`1d`, `12h`, `30m`, `10s`, `500ms`, …) in milliseconds.
pub(crate) fn parse_time_value(field: &str, value: &str) -> Result<i64, ApiError> {
    let v = value.trim();
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let factor: i64 = match unit {
        "nanos" | "micros" => 0,
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => {
            return Err(ApiError::parse(format!(
                "failed to parse setting [{field}] with value [{value}] as a time value: unit is missing or unrecognized"
            )));
        }
    };
    let n: i64 = num.parse().map_err(|_| {
        ApiError::parse(format!(
            "failed to parse [{value}] as a time value for [{field}]"
        ))
    })?;
    Ok(n.saturating_mul(factor))
}

/// Who owns keys created by the caller: (username, realm name, realm type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Owner {
    pub username: String,
    pub realm_name: String,
    pub realm_type: String,
}

/// The owner for a caller. An API key acts for its own owner.
pub(crate) async fn owner_of(ctx: &Ctx) -> Result<Owner, ApiError> {
    if let Credential::ApiKey(k) = &ctx.auth.credential {
        let st = Arc::clone(&ctx.state);
        let id = k.id.clone();
        let rec = blocking(move || st.store.get_api_key(&id).map_err(ApiError::internal))
            .await?
            .ok_or_else(|| ApiError::internal("authenticating API key disappeared"))?;
        return Ok(Owner {
            username: rec.username,
            realm_name: rec.realm_name,
            realm_type: rec.realm_type,
        });
    }
    Ok(owner_of_auth(&ctx.auth))
}

pub(crate) fn owner_of_auth(auth: &Authentication) -> Owner {
    Owner {
        username: auth.effective_user().username.clone(),
        realm_name: auth.lookup_realm.name.clone(),
        realm_type: auth.lookup_realm.realm_type.clone(),
    }
}

/// The owner's current role descriptors (the `limited_by` snapshot of a key).
async fn snapshot_of(ctx: &Ctx, auth: &Authentication) -> Result<Vec<RoleDescriptor>, ApiError> {
    match &auth.credential {
        Credential::ApiKey(k) => Ok(k.limited_by.clone()),
        Credential::ServiceAccount { name, .. } => Ok(service_account::role_descriptor(
            &ctx.state.security.builtin,
            name,
        )
        .into_iter()
        .collect()),
        _ => {
            let st = Arc::clone(&ctx.state);
            let roles = auth.effective_user().roles.clone();
            blocking(move || Ok(st.security.resolve_roles(st.store.as_ref(), &roles)?.roles)).await
        }
    }
}

/// The body of create / grant (`api_key`) / update requests.
#[derive(Debug, Default)]
pub(crate) struct KeySpec {
    pub name: Option<String>,
    pub expiration_ms: Option<i64>,
    pub role_descriptors: Option<Vec<RoleDescriptor>>,
    pub metadata: Option<Map<String, Value>>,
}

fn has_no_privileges(r: &RoleDescriptor) -> bool {
    r.cluster.is_empty()
        && r.indices.is_empty()
        && r.applications.is_empty()
        && r.run_as.is_empty()
        && r.remote_indices.is_empty()
        && r.remote_cluster.is_empty()
        && r.global.is_empty()
}

/// Parse and validate a key body; `create` requires a name.
pub(crate) fn parse_spec(body: &Value, create: bool) -> Result<KeySpec, ApiError> {
    let obj = body
        .as_object()
        .ok_or_else(|| ApiError::parse("request body must be an object"))?;
    let mut spec = KeySpec::default();
    for (k, v) in obj {
        match k.as_str() {
            "name" if create => spec.name = v.as_str().map(String::from),
            "expiration" => {
                if let Some(s) = v.as_str() {
                    spec.expiration_ms = Some(parse_time_value("expiration", s)?);
                }
            }
            "role_descriptors" => {
                let map = v.as_object().ok_or_else(|| {
                    ApiError::parse("[role_descriptors] must be an object of role descriptors")
                })?;
                let mut roles = Vec::new();
                for (name, rd) in map {
                    let role = parse_role(name, rd, RoleContext::ApiKey)?;
                    validate_role(&role, RoleContext::ApiKey)?;
                    roles.push(role);
                }
                spec.role_descriptors = Some(roles);
            }
            "metadata" => {
                spec.metadata = Some(
                    v.as_object()
                        .cloned()
                        .ok_or_else(|| ApiError::parse("[metadata] must be an object"))?,
                )
            }
            other => {
                return Err(ApiError::new(
                    400,
                    "x_content_parse_exception",
                    format!("[api_key_request] unknown field [{other}]"),
                ));
            }
        }
    }
    let mut problems = Vec::new();
    if create {
        match spec.name.as_deref() {
            None | Some("") => problems.push("api key name is required".to_string()),
            Some(n) => {
                if n.chars().count() > 1024 {
                    problems.push("api key name may not be more than 1024 characters long".into());
                }
                if n != n.trim() {
                    problems.push("api key name may not begin or end with whitespace".into());
                }
                if n.starts_with('_') {
                    problems.push("api key name may not begin with an underscore".into());
                }
            }
        }
    }
    if let Some(m) = &spec.metadata {
        if m.keys().any(|k| k.starts_with('_')) {
            problems.push("API key metadata keys may not start with [_]".into());
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(&problems));
    }
    Ok(spec)
}

pub(crate) fn key_facts() -> Facts {
    Facts {
        api_key: Some(ApiKeyRequest::default()),
        ..Default::default()
    }
}

/// Facts of create: the body is validated before authorization.
pub fn create_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    parse_spec(&req.json_required()?, true)?;
    Ok(key_facts())
}

/// Store a new key for `owner_auth`; the answer carries its one-time secret.
pub(crate) async fn create_for(
    ctx: &Ctx,
    owner: Owner,
    owner_auth: &Authentication,
    spec: KeySpec,
) -> Result<Value, ApiError> {
    let limited_by = snapshot_of(ctx, owner_auth).await?;
    let secret = api_key::generate_secret();
    let now = now_ms();
    let rec = ApiKeyRecord {
        id: api_key::generate_id(),
        name: spec.name.clone(),
        hash: api_key::hash_secret(&secret),
        creation_ms: now,
        expiration_ms: spec.expiration_ms.map(|e| now.saturating_add(e)),
        invalidated: false,
        invalidation_ms: None,
        username: owner.username,
        realm_name: owner.realm_name,
        realm_type: owner.realm_type,
        role_descriptors: api_key::descriptor_map(spec.role_descriptors.as_deref().unwrap_or(&[])),
        limited_by_role_descriptors: api_key::descriptor_map(&limited_by),
        metadata: Value::Object(spec.metadata.unwrap_or_default()),
        key_type: "rest".into(),
        version: 1,
    };
    let st = Arc::clone(&ctx.state);
    let stored = rec.clone();
    blocking(move || st.store.create_api_key(&stored).map_err(ApiError::internal)).await?;
    let mut body = Map::new();
    body.insert("id".into(), json!(rec.id));
    body.insert("name".into(), json!(rec.name));
    if let Some(e) = rec.expiration_ms {
        body.insert("expiration".into(), json!(e));
    }
    body.insert("api_key".into(), json!(secret));
    body.insert(
        "encoded".into(),
        json!(api_key::encode_credential(&rec.id, &secret)),
    );
    Ok(Value::Object(body))
}

/// `PUT|POST /_security/api_key`.
pub fn create(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let spec = parse_spec(&req.json_required()?, true)?;
        if matches!(ctx.auth.credential, Credential::ApiKey(_)) {
            let explicit_empty = spec
                .role_descriptors
                .as_ref()
                .is_some_and(|r| !r.is_empty() && r.iter().all(has_no_privileges));
            if !explicit_empty {
                return Err(ApiError::bad_request(
                    "creating derived api keys requires an explicit role descriptor that is empty (has no privileges)",
                ));
            }
        }
        let owner = owner_of(&ctx).await?;
        let auth = ctx.auth.clone();
        Ok(Reply::ok(create_for(&ctx, owner, &auth, spec).await?))
    })
}

/// Facts of update: the body is validated before authorization.
pub fn update_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    if let Some(b) = req.json()? {
        parse_spec(&b, false)?;
    }
    Ok(Facts {
        api_key: Some(ApiKeyRequest {
            ids: vec![req.param_required("id")?.to_string()],
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// Apply an update to one key owned by the caller; `Ok(true)` when something changed.
async fn update_one(ctx: &Ctx, owner: &Owner, id: &str, spec: &KeySpec) -> Result<bool, ApiError> {
    let st = Arc::clone(&ctx.state);
    let key_id = id.to_string();
    let rec = blocking(move || st.store.get_api_key(&key_id).map_err(ApiError::internal)).await?;
    let not_found = || {
        ApiError::not_found(format!(
            "no API key owned by requesting user found for ID [{id}]"
        ))
    };
    let rec = rec
        .filter(|r| r.username == owner.username && r.realm_name == owner.realm_name)
        .ok_or_else(not_found)?;
    if rec.key_type != "rest" {
        return Err(not_found());
    }
    let now = now_ms();
    if rec.invalidated {
        return Err(ApiError::bad_request(format!(
            "cannot update invalidated API key [{id}]"
        )));
    }
    if rec.expiration_ms.is_some_and(|e| e <= now) {
        return Err(ApiError::bad_request(format!(
            "cannot update expired API key [{id}]"
        )));
    }
    let auth = ctx.auth.clone();
    let limited_by = snapshot_of(ctx, &auth).await?;
    let mut next = rec.clone();
    next.limited_by_role_descriptors = api_key::descriptor_map(&limited_by);
    if let Some(r) = &spec.role_descriptors {
        next.role_descriptors = api_key::descriptor_map(r);
    }
    if let Some(m) = &spec.metadata {
        next.metadata = Value::Object(m.clone());
    }
    if let Some(e) = spec.expiration_ms {
        next.expiration_ms = Some(now.saturating_add(e));
    }
    if next == rec {
        return Ok(false);
    }
    let st = Arc::clone(&ctx.state);
    let version = rec.version;
    blocking(move || match st.store.update_api_key(&next, version) {
        Ok(_) => Ok(()),
        Err(StoreError::Conflict(_)) => Err(ApiError::conflict(
            "the API key was changed concurrently; retry the update",
        )),
        Err(StoreError::NotFound(_)) => Err(ApiError::not_found("api key not found")),
        Err(e) => Err(ApiError::internal(e)),
    })
    .await?;
    ctx.state.authn.api_keys.clear(&[id.to_string()]);
    Ok(true)
}

fn reject_api_key_caller(ctx: &Ctx) -> Result<(), ApiError> {
    if matches!(ctx.auth.credential, Credential::ApiKey(_)) {
        return Err(ApiError::bad_request(
            "authentication via API key not supported: An API key cannot be used to update API keys",
        ));
    }
    Ok(())
}

/// `PUT /_security/api_key/{id}`.
pub fn update(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        reject_api_key_caller(&ctx)?;
        let spec = match req.json()? {
            Some(b) => parse_spec(&b, false)?,
            None => KeySpec::default(),
        };
        let owner = owner_of(&ctx).await?;
        let updated = update_one(&ctx, &owner, req.param_required("id")?, &spec).await?;
        Ok(Reply::ok(json!({"updated": updated})))
    })
}

fn bulk_ids(body: &Value) -> Vec<String> {
    body.get("ids")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn bulk_spec(body: &Value) -> Result<KeySpec, ApiError> {
    let mut rest = body.as_object().cloned().unwrap_or_default();
    rest.remove("ids");
    parse_spec(&Value::Object(rest), false)
}

/// Facts of bulk update.
pub fn bulk_update_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    let body = req.json_required()?;
    let ids = bulk_ids(&body);
    if ids.is_empty() {
        return Err(ApiError::validation(
            &["Field [ids] cannot be empty".into()],
        ));
    }
    bulk_spec(&body)?;
    Ok(Facts {
        api_key: Some(ApiKeyRequest {
            ids,
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// `POST /_security/api_key/_bulk_update`.
pub fn bulk_update(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        reject_api_key_caller(&ctx)?;
        let body = req.json_required()?;
        let spec = bulk_spec(&body)?;
        let owner = owner_of(&ctx).await?;
        let (mut updated, mut noops, mut errors) = (Vec::new(), Vec::new(), Map::new());
        for id in bulk_ids(&body) {
            match update_one(&ctx, &owner, &id, &spec).await {
                Ok(true) => updated.push(id),
                Ok(false) => noops.push(id),
                Err(e) => {
                    errors.insert(id, json!({"type": e.es_type, "reason": e.reason}));
                }
            }
        }
        let mut out = json!({"updated": updated, "noops": noops});
        if !errors.is_empty() {
            put(
                &mut out,
                "errors",
                json!({"count": errors.len(), "details": errors}),
            );
        }
        Ok(Reply::ok(out))
    })
}

/// The `_nodes` answer of cache-clearing APIs on this single node.
pub(crate) fn nodes_reply(ctx: &Ctx) -> Reply {
    let node = &ctx.state.node;
    Reply::ok(json!({
        "_nodes": {"total": 1, "successful": 1, "failed": 0},
        "cluster_name": node.cluster_name,
        "nodes": {node.node_name.clone(): {"name": node.node_name}},
    }))
}

/// `POST /_security/api_key/{ids}/_clear_cache`.
pub fn clear_cache(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        ctx.state.authn.api_keys.clear(&req.param_list("ids"));
        Ok(nodes_reply(&ctx))
    })
}

/// Cross-cluster API keys need remote-cluster security, which Rampart does not have.
pub fn cross_cluster_unsupported(_ctx: Ctx, _req: Req) -> BoxFut {
    Box::pin(async move {
        Err(ApiError::bad_request(
            "cross-cluster API keys are not supported: this node has no remote cluster server",
        ))
    })
}
