//! Reading and invalidating API keys: `GET /_security/api_key`, `_query/api_key` (a subset of
//! the query DSL evaluated over the key documents) and `DELETE /_security/api_key`.

use std::cmp::Ordering;
use std::sync::Arc;

use rampart_core::authz::{ApiKeyRequest, ClusterRequest};
use rampart_store::{ApiKeyFilter, ApiKeyRecord};
use serde_json::{Map, Value, json};

use super::api_keys::{Owner, now_ms, owner_of};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx, Facts};
use crate::state::blocking;

/// A key as the get and query APIs show it.
pub(crate) fn render(rec: &ApiKeyRecord, with_limited_by: bool) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(rec.id));
    m.insert("name".into(), json!(rec.name));
    m.insert("type".into(), json!(rec.key_type));
    m.insert("creation".into(), json!(rec.creation_ms));
    if let Some(e) = rec.expiration_ms {
        m.insert("expiration".into(), json!(e));
    }
    m.insert("invalidated".into(), json!(rec.invalidated));
    if let Some(i) = rec.invalidation_ms {
        m.insert("invalidation".into(), json!(i));
    }
    m.insert("username".into(), json!(rec.username));
    m.insert("realm".into(), json!(rec.realm_name));
    m.insert("realm_type".into(), json!(rec.realm_type));
    m.insert("metadata".into(), rec.metadata.clone());
    m.insert("role_descriptors".into(), rec.role_descriptors.clone());
    if with_limited_by {
        m.insert(
            "limited_by".into(),
            json!([rec.limited_by_role_descriptors]),
        );
    }
    Value::Object(m)
}

async fn find(ctx: &Ctx, filter: ApiKeyFilter) -> Result<Vec<ApiKeyRecord>, ApiError> {
    let st = Arc::clone(&ctx.state);
    blocking(move || st.store.find_api_keys(&filter).map_err(ApiError::internal)).await
}

fn get_request(req: &Req) -> Result<ApiKeyRequest, ApiError> {
    let id = req.query("id").filter(|s| !s.is_empty());
    let name = req.query("name").filter(|s| !s.is_empty());
    let username = req.query("username").filter(|s| !s.is_empty());
    let realm = req.query("realm_name").filter(|s| !s.is_empty());
    let owner = req.query_bool("owner", false)?;
    let mut problems = Vec::new();
    if (id.is_some() || name.is_some()) && (username.is_some() || realm.is_some()) {
        problems.push("username or realm name must not be specified when the api key id or api key name is specified".to_string());
    }
    if owner && (username.is_some() || realm.is_some()) {
        problems.push(
            "neither username nor realm-name may be specified when retrieving owned API keys"
                .into(),
        );
    }
    if id.is_some() && name.is_some() {
        problems.push("only one of [api key id, api key name] can be specified".into());
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(&problems));
    }
    Ok(ApiKeyRequest {
        ids: id.map(|i| vec![i.to_string()]).unwrap_or_default(),
        username: username.map(String::from),
        realm_name: realm.map(String::from),
        owner,
        with_limited_by: req.query_bool("with_limited_by", false)?,
        owner_filtered: false,
    })
}

/// Facts of `GET /_security/api_key`.
pub fn get_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    Ok(Facts {
        api_key: Some(get_request(req)?),
        ..Default::default()
    })
}

/// `GET /_security/api_key`.
pub fn get(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let r = get_request(&req)?;
        let name = req
            .query("name")
            .filter(|s| !s.is_empty())
            .map(String::from);
        let mut filter = ApiKeyFilter {
            ids: (!r.ids.is_empty()).then(|| r.ids.clone()),
            name: name.clone(),
            username: r.username.clone(),
            realm_name: r.realm_name.clone(),
            active_only: req.query_bool("active_only", false)?,
            now_ms: now_ms(),
        };
        if r.owner {
            let o = owner_of(&ctx).await?;
            filter.username = Some(o.username);
            filter.realm_name = Some(o.realm_name);
        }
        let keys = find(&ctx, filter).await?;
        if keys.is_empty() && (!r.ids.is_empty() || name.as_deref().is_some_and(|n| n != "*")) {
            return Err(ApiError::not_found("api key not found"));
        }
        let rendered: Vec<Value> = keys.iter().map(|k| render(k, r.with_limited_by)).collect();
        Ok(Reply::ok(json!({"api_keys": rendered})))
    })
}

fn str_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// The selection of an invalidation request.
struct Invalidate {
    ids: Vec<String>,
    name: Option<String>,
    username: Option<String>,
    realm_name: Option<String>,
    owner: bool,
}

fn invalidate_request(req: &Req) -> Result<Invalidate, ApiError> {
    let body = req.json_required()?;
    let mut ids = str_list(body.get("ids"));
    ids.extend(str_list(body.get("id")));
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let r = Invalidate {
        ids,
        name: text("name"),
        username: text("username"),
        realm_name: text("realm_name"),
        owner: body.get("owner").and_then(Value::as_bool).unwrap_or(false),
    };
    let by_key = !r.ids.is_empty() || r.name.is_some();
    let by_user = r.username.is_some() || r.realm_name.is_some();
    let mut problems = Vec::new();
    if !by_key && !by_user && !r.owner {
        problems.push("One of [api key id(s), api key name, username, realm name] must be specified if [owner] flag is false".to_string());
    }
    if !r.ids.is_empty() && r.name.is_some() {
        problems.push("only one of [api key id(s), api key name] can be specified".into());
    }
    if r.owner && by_user {
        problems
            .push("user name or realm name must not be specified when [owner] flag is true".into());
    }
    if by_key && by_user {
        problems.push("username or realm name must not be specified when the api key id(s) or api key name are specified".into());
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(&problems));
    }
    Ok(r)
}

/// Facts of `DELETE /_security/api_key`.
pub fn invalidate_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    let r = invalidate_request(req)?;
    Ok(Facts {
        api_key: Some(ApiKeyRequest {
            ids: r.ids,
            username: r.username,
            realm_name: r.realm_name,
            owner: r.owner,
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// `DELETE /_security/api_key`.
pub fn invalidate(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let r = invalidate_request(&req)?;
        let mut filter = ApiKeyFilter {
            ids: (!r.ids.is_empty()).then_some(r.ids),
            name: r.name,
            username: r.username,
            realm_name: r.realm_name,
            active_only: false,
            now_ms: now_ms(),
        };
        if r.owner {
            let o = owner_of(&ctx).await?;
            filter.username = Some(o.username);
            filter.realm_name = Some(o.realm_name);
        }
        let ids: Vec<String> = find(&ctx, filter)
            .await?
            .into_iter()
            .map(|k| k.id)
            .collect();
        let st = Arc::clone(&ctx.state);
        let (now, for_store) = (now_ms(), ids.clone());
        let result = blocking(move || {
            st.store
                .invalidate_api_keys(&for_store, now)
                .map_err(ApiError::internal)
        })
        .await?;
        ctx.state.authn.api_keys.clear(&ids);
        Ok(Reply::ok(json!({
            "invalidated_api_keys": result.invalidated,
            "previously_invalidated_api_keys": result.previously_invalidated,
            "error_count": 0,
        })))
    })
}

fn query_request(req: &Req) -> Result<ApiKeyRequest, ApiError> {
    Ok(ApiKeyRequest {
        with_limited_by: req.query_bool("with_limited_by", false)?,
        ..Default::default()
    })
}

/// Facts of `_query/api_key`: the body is checked first (bad queries are 400s).
pub fn query_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    let body = req.json()?.unwrap_or_else(|| json!({}));
    parse_query_body(&body)?;
    Ok(Facts {
        api_key: Some(query_request(req)?),
        ..Default::default()
    })
}

struct QueryBody {
    query: Value,
    from: usize,
    size: usize,
    sort: Vec<(String, bool)>,
    search_after: Option<Vec<Value>>,
    aggs: Option<super::api_key_aggs::Aggs>,
}

fn parse_query_body(body: &Value) -> Result<QueryBody, ApiError> {
    let obj = body.as_object().cloned().unwrap_or_default();
    let mut q = QueryBody {
        query: json!({"match_all": {}}),
        from: 0,
        size: 10,
        sort: Vec::new(),
        search_after: None,
        aggs: None,
    };
    for (k, v) in obj {
        match k.as_str() {
            "query" => {
                super::api_key_dsl::check(&v)?;
                q.query = v;
            }
            "from" => q.from = v.as_u64().unwrap_or(0) as usize,
            "size" => q.size = v.as_u64().unwrap_or(10) as usize,
            "sort" => q.sort = super::api_key_dsl::sort_spec(&v)?,
            "aggs" | "aggregations" => q.aggs = Some(super::api_key_aggs::parse(&v)?),
            "search_after" => {
                q.search_after = Some(
                    v.as_array()
                        .cloned()
                        .ok_or_else(|| ApiError::parse("[search_after] must be an array"))?,
                )
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "request body field [{other}] is not supported for API key query"
                )));
            }
        }
    }
    if let Some(after) = q.search_after.as_ref().filter(|a| a.len() != q.sort.len()) {
        return Err(ApiError::bad_request(format!(
            "search_after has {} value(s) but sort has {}.",
            after.len(),
            q.sort.len()
        )));
    }
    Ok(q)
}

/// Whether a document sorts strictly after the `search_after` values. Those values come
/// back from `_sort` and may arrive as strings (e.g. a templated epoch), so a string is read
/// as a number when the document's value is a number.
fn is_after(doc: &Value, sort: &[(String, bool)], after: &[Value]) -> bool {
    for ((f, asc), a) in sort.iter().zip(after) {
        let mine = super::api_key_dsl::field(doc, f);
        let theirs = match (mine, a) {
            (Some(Value::Number(_)), Value::String(s)) => s
                .parse::<f64>()
                .ok()
                .map_or_else(|| a.clone(), |n| json!(n)),
            _ => a.clone(),
        };
        let theirs = (!theirs.is_null()).then_some(&theirs);
        let o = super::api_key_dsl::compare(mine, theirs);
        let o = if *asc { o } else { o.reverse() };
        if o != Ordering::Equal {
            return o == Ordering::Greater;
        }
    }
    false
}

/// `GET|POST /_security/_query/api_key`.
pub fn query(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let body = req.json()?.unwrap_or_else(|| json!({}));
        let q = parse_query_body(&body)?;
        let r = query_request(&req)?;
        // Without the request facts the engine neither applies manage_own_api_key nor retries
        // as "own keys", so this asks whether a plain privilege allows querying all keys.
        let unrestricted = ctx
            .role
            .authorize_cluster(&ctx.subject, ctx.action, &ClusterRequest::default())?
            .is_allowed();
        let mut filter = ApiKeyFilter {
            now_ms: now_ms(),
            ..Default::default()
        };
        if !unrestricted {
            let Owner {
                username,
                realm_name,
                ..
            } = owner_of(&ctx).await?;
            filter.username = Some(username);
            filter.realm_name = Some(realm_name);
        }
        let mut keys: Vec<(ApiKeyRecord, Value)> = find(&ctx, filter)
            .await?
            .into_iter()
            .map(|k| {
                let doc = super::api_key_dsl::doc_of(&k);
                (k, doc)
            })
            .filter(|(_, doc)| super::api_key_dsl::matches(&q.query, doc))
            .collect();
        if !q.sort.is_empty() {
            keys.sort_by(|a, b| {
                for (field, asc) in &q.sort {
                    let o = super::api_key_dsl::compare(
                        super::api_key_dsl::field(&a.1, field),
                        super::api_key_dsl::field(&b.1, field),
                    );
                    let o = if *asc { o } else { o.reverse() };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                Ordering::Equal
            });
        }
        let aggregations = q.aggs.as_ref().map(|aggs| {
            let docs: Vec<&Value> = keys.iter().map(|(_, d)| d).collect();
            super::api_key_aggs::evaluate(aggs, &docs)
        });
        let total = keys.len();
        if let Some(after) = &q.search_after {
            keys.retain(|(_, doc)| is_after(doc, &q.sort, after));
        }
        let page: Vec<Value> = keys
            .iter()
            .skip(q.from)
            .take(q.size)
            .map(|(k, doc)| {
                let mut v = render(k, r.with_limited_by);
                if !q.sort.is_empty() {
                    let sort: Vec<Value> = q
                        .sort
                        .iter()
                        .map(|(f, _)| {
                            super::api_key_dsl::field(doc, f)
                                .cloned()
                                .unwrap_or(Value::Null)
                        })
                        .collect();
                    super::api_keys::put(&mut v, "_sort", json!(sort));
                }
                v
            })
            .collect();
        let mut out = json!({"total": total, "count": page.len(), "api_keys": page});
        if let Some(a) = aggregations {
            super::api_keys::put(&mut out, "aggregations", a);
        }
        Ok(Reply::ok(out))
    })
}
