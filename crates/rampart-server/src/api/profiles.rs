//! User profiles: activate, get, update data, enable/disable. Profiles are store objects of
//! kind `profile` keyed by uid; their `seq_no` is ES's `_seq_no` (primary term 1), so
//! `if_seq_no` maps onto a conditional write. Suggest and has-privileges live in
//! `profiles_search` and `profiles_privileges`.

use std::sync::Arc;

use rampart_store::{ObjectDoc, SecurityStore, StoreError, WriteCondition};
use serde_json::{Map, Value, json};

use super::profiles_doc::{
    KIND, MAX_DIFFERENTIATOR, PRIMARY_TERM, ProfileDoc, ProfileUser, base_uid, doc_id, uid_with,
};
use crate::authn::{Authentication, Credential};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx, Facts};
use crate::state::blocking;

/// Attempts of a read-modify-write before a concurrent writer wins with a 409.
const WRITE_ATTEMPTS: usize = 5;

/// A profile read from the store, with its version.
pub(crate) struct Stored {
    pub doc: ProfileDoc,
    pub seq_no: u64,
}

fn parse_stored(obj: &ObjectDoc) -> Option<Stored> {
    match ProfileDoc::from_stored(&obj.doc) {
        Some(doc) => Some(Stored {
            doc,
            seq_no: obj.seq_no,
        }),
        None => {
            tracing::warn!(id = %obj.id, "stored profile is unreadable; ignoring it");
            None
        }
    }
}

/// One profile by uid.
pub(crate) fn load(store: &dyn SecurityStore, uid: &str) -> Result<Option<Stored>, ApiError> {
    Ok(store
        .get_object(KIND, uid)
        .map_err(ApiError::internal)?
        .as_ref()
        .and_then(parse_stored))
}

/// Every readable profile.
pub(crate) fn load_all(store: &dyn SecurityStore) -> Result<Vec<Stored>, ApiError> {
    Ok(store
        .list_objects(KIND)
        .map_err(ApiError::internal)?
        .iter()
        .filter_map(parse_stored)
        .collect())
}

/// Profile uids of the users of one realm type, by username (`with_profile_uid` of the user
/// APIs).
pub(crate) fn uids_by_username(
    store: &dyn SecurityStore,
    realm_type: &str,
) -> Result<std::collections::HashMap<String, String>, ApiError> {
    Ok(load_all(store)?
        .into_iter()
        .filter(|s| s.doc.user.realm_type == realm_type)
        .map(|s| (s.doc.user.username, s.doc.uid))
        .collect())
}

fn text<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The credentials of an activation.
enum Grant {
    Password { username: String, password: String },
    AccessToken(String),
}

fn parse_grant(body: &Value) -> Result<Grant, ApiError> {
    let mut problems = Vec::new();
    let grant = match text(body, "grant_type") {
        None => {
            problems.push("grant_type is missing".to_string());
            None
        }
        Some("password") => {
            for f in ["username", "password"] {
                if text(body, f).is_none() {
                    problems.push(format!("{f} is missing"));
                }
            }
            Some(Grant::Password {
                username: text(body, "username").unwrap_or_default().to_string(),
                password: text(body, "password").unwrap_or_default().to_string(),
            })
        }
        Some("access_token") => {
            if text(body, "access_token").is_none() {
                problems.push("access_token is missing".to_string());
            }
            Some(Grant::AccessToken(
                text(body, "access_token").unwrap_or_default().to_string(),
            ))
        }
        Some(other) => {
            problems.push(format!("grant_type [{other}] is not supported"));
            None
        }
    };
    match grant {
        Some(g) if problems.is_empty() => Ok(g),
        _ => Err(ApiError::validation(&problems)),
    }
}

/// Activation's grant is validated before authorization (400 before 403).
pub fn activate_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    parse_grant(&req.json_required()?)?;
    Ok(Facts::default())
}

/// The profile user of an authentication; only users (not API keys or service accounts)
/// have profiles.
fn profile_user(auth: &Authentication) -> Result<ProfileUser, ApiError> {
    let kind = match &auth.credential {
        Credential::ServiceAccount { .. } => Some("service_account"),
        Credential::ApiKey(_) => Some("api_key"),
        Credential::Anonymous => Some("anonymous"),
        Credential::Password | Credential::Token => None,
    };
    if let Some(kind) = kind {
        return Err(ApiError::bad_request(format!(
            "profile is supported for user only, but subject is a [{kind}]"
        )));
    }
    let u = auth.effective_user();
    Ok(ProfileUser {
        username: u.username.clone(),
        roles: u.roles.clone(),
        realm_name: auth.lookup_realm.name.clone(),
        realm_type: auth.lookup_realm.realm_type.clone(),
        email: u.email.clone(),
        full_name: u.full_name.clone(),
    })
}

/// Create the user's profile or bring it up to date. Races with concurrent activations are
/// resolved by conditional writes: the loser re-reads and updates what the winner wrote.
pub(crate) fn activate_in_store(
    store: &dyn SecurityStore,
    user: &ProfileUser,
    now_ms: i64,
) -> Result<Stored, ApiError> {
    'attempt: for _ in 0..WRITE_ATTEMPTS {
        let existing = load_all(store)?
            .into_iter()
            .find(|s| s.doc.user.same_subject(user));
        if let Some(current) = existing {
            let Some(next) = current.doc.activated(user.clone(), now_ms) else {
                return Ok(current);
            };
            match store.put_object(
                KIND,
                &next.uid,
                &next.to_stored(),
                WriteCondition::SeqNo(current.seq_no),
            ) {
                Ok(seq_no) => return Ok(Stored { doc: next, seq_no }),
                Err(StoreError::Conflict(_)) => continue 'attempt,
                Err(e) => return Err(ApiError::internal(e)),
            }
        }
        let base = base_uid(&user.username);
        for differentiator in 0..=MAX_DIFFERENTIATOR {
            let uid = uid_with(&base, differentiator);
            if store
                .get_object(KIND, &uid)
                .map_err(ApiError::internal)?
                .is_some()
            {
                // Taken by another user whose name hashes alike (or shares the name in
                // another realm): try the next differentiator.
                continue;
            }
            let doc = ProfileDoc::new(uid.clone(), user.clone(), now_ms);
            match store.put_object(KIND, &uid, &doc.to_stored(), WriteCondition::Absent) {
                Ok(seq_no) => return Ok(Stored { doc, seq_no }),
                // Someone created it meanwhile: start over, it may be this user's.
                Err(StoreError::Conflict(_)) => continue 'attempt,
                Err(e) => return Err(ApiError::internal(e)),
            }
        }
        return Err(ApiError::internal(format!(
            "profile differentiator value is too high for base Uid [{base}]"
        )));
    }
    Err(ApiError::conflict(
        "profile activation kept conflicting with concurrent updates",
    ))
}

/// `POST /_security/profile/_activate`.
pub fn activate(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let auth = match parse_grant(&req.json_required()?)? {
            Grant::Password { username, password } => {
                ctx.state
                    .authn
                    .authenticate_password(&ctx.state, &username, &password, &req.uri)
                    .await?
            }
            Grant::AccessToken(token) => {
                crate::authn::token::authenticate(&ctx.state, &token).await?
            }
        };
        let user = profile_user(&auth)?;
        let st = Arc::clone(&ctx.state);
        let now = crate::api::api_keys::now_ms();
        let stored = blocking(move || activate_in_store(st.store.as_ref(), &user, now)).await?;
        Ok(Reply::ok(stored.doc.render(stored.seq_no, &[])))
    })
}

/// `GET /_security/profile/{uid}`: ES 9's `{"profiles": [...], "errors": ...}`.
pub fn get(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let uids = req.param_list("uid");
        let keys = req.query_list("data");
        let st = Arc::clone(&ctx.state);
        let found = blocking(move || {
            uids.into_iter()
                .map(|uid| Ok((load(st.store.as_ref(), &uid)?, uid)))
                .collect::<Result<Vec<_>, ApiError>>()
        })
        .await?;
        let mut profiles = Vec::new();
        let mut errors = Map::new();
        for (stored, uid) in found {
            match stored {
                Some(s) => profiles.push(s.doc.render(s.seq_no, &keys)),
                None => {
                    errors.insert(uid, not_found_detail());
                }
            }
        }
        let mut body = json!({"profiles": profiles});
        if !errors.is_empty() {
            crate::api::api_keys::put(
                &mut body,
                "errors",
                json!({"count": errors.len(), "details": errors}),
            );
        }
        Ok(Reply::ok(body))
    })
}

/// The per-uid error of a profile that does not exist.
pub(crate) fn not_found_detail() -> Value {
    json!({"type": "resource_not_found_exception", "reason": "profile document not found"})
}

fn document_missing(uid: &str) -> ApiError {
    ApiError::new(
        404,
        "document_missing_exception",
        format!("[{}]: document missing", doc_id(uid)),
    )
}

fn version_conflict(uid: &str, seq_no: u64, primary_term: u64, current: u64) -> ApiError {
    ApiError::conflict(format!(
        "[{}]: version conflict, required seqNo [{seq_no}], primary term [{primary_term}]. current document has seqNo [{current}] and primary term [{PRIMARY_TERM}]",
        doc_id(uid)
    ))
}

/// `if_seq_no`/`if_primary_term`: both or neither.
fn concurrency(req: &Req) -> Result<Option<(u64, u64)>, ApiError> {
    let num = |name: &str| -> Result<Option<u64>, ApiError> {
        req.query(name)
            .map(|v| {
                v.parse::<u64>().map_err(|_| {
                    ApiError::bad_request(format!(
                        "Failed to parse long parameter [{name}] with value [{v}]"
                    ))
                })
            })
            .transpose()
    };
    match (num("if_seq_no")?, num("if_primary_term")?) {
        (None, None) => Ok(None),
        (Some(s), Some(t)) => Ok(Some((s, t))),
        (Some(_), None) => Err(ApiError::validation(&[
            "ifSeqNo is set, but primary term is [0]".into(),
        ])),
        (None, Some(_)) => Err(ApiError::validation(&[
            "ifSeqNo is unassigned, but primary term is [1]".into(),
        ])),
    }
}

/// Read-modify-write of one profile. With `expected` (`if_seq_no`, `if_primary_term`) the
/// write happens only on that version; without, concurrent writers are retried.
fn update_in_store(
    store: &dyn SecurityStore,
    uid: &str,
    expected: Option<(u64, u64)>,
    change: &dyn Fn(&mut ProfileDoc),
) -> Result<(), ApiError> {
    for _ in 0..WRITE_ATTEMPTS {
        let current = load(store, uid)?.ok_or_else(|| document_missing(uid))?;
        if let Some((seq_no, term)) = expected {
            if seq_no != current.seq_no || term != PRIMARY_TERM {
                return Err(version_conflict(uid, seq_no, term, current.seq_no));
            }
        }
        let mut next = current.doc.clone();
        change(&mut next);
        match store.put_object(
            KIND,
            uid,
            &next.to_stored(),
            WriteCondition::SeqNo(current.seq_no),
        ) {
            Ok(_) => return Ok(()),
            Err(StoreError::Conflict(_)) => {
                if let Some((seq_no, term)) = expected {
                    let now = load(store, uid)?.map_or(0, |s| s.seq_no);
                    return Err(version_conflict(uid, seq_no, term, now));
                }
            }
            Err(e) => return Err(ApiError::internal(e)),
        }
    }
    Err(ApiError::conflict(format!(
        "[{}]: version conflict, the profile kept changing concurrently",
        doc_id(uid)
    )))
}

/// The body of an update: `labels` and `data` objects.
struct DataUpdate {
    labels: Map<String, Value>,
    data: Map<String, Value>,
}

fn parse_update(body: &Value) -> Result<DataUpdate, ApiError> {
    let Some(obj) = body.as_object() else {
        return Err(ApiError::parse(
            "request body must be a JSON object".to_string(),
        ));
    };
    let mut update = DataUpdate {
        labels: Map::new(),
        data: Map::new(),
    };
    for (k, v) in obj {
        let slot = match k.as_str() {
            "labels" => &mut update.labels,
            "data" => &mut update.data,
            other => {
                return Err(ApiError::new(
                    400,
                    "x_content_parse_exception",
                    format!("[update_profile_data_request] unknown field [{other}]"),
                ));
            }
        };
        match v {
            Value::Object(m) => *slot = m.clone(),
            Value::Null => {}
            _ => {
                return Err(ApiError::new(
                    400,
                    "x_content_parse_exception",
                    format!("[update_profile_data_request] failed to parse field [{k}]"),
                ));
            }
        }
    }
    let mut names: Vec<&String> = update.labels.keys().chain(update.data.keys()).collect();
    names.sort();
    names.dedup();
    let mut problems = Vec::new();
    if names.is_empty() {
        problems.push("update request is empty".to_string());
    }
    let list = |pred: &dyn Fn(&str) -> bool| -> Vec<&str> {
        names
            .iter()
            .map(|n| n.as_str())
            .filter(|n| pred(n))
            .collect()
    };
    let dotted = list(&|n| n.contains('.'));
    if !dotted.is_empty() {
        problems.push(format!(
            "application name must not contain dot, but found [{}]",
            dotted.join(",")
        ));
    }
    let underscored = list(&|n| n.starts_with('_'));
    if !underscored.is_empty() {
        problems.push(format!(
            "application name must not start with underscore, but found [{}]",
            underscored.join(",")
        ));
    }
    if problems.is_empty() {
        Ok(update)
    } else {
        Err(ApiError::validation(&problems))
    }
}

/// Updating data is authorized per application name (`global.profile.write`).
pub fn update_data_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    concurrency(req)?;
    let update = parse_update(&req.json_required()?)?;
    let mut names: Vec<String> = update
        .labels
        .keys()
        .chain(update.data.keys())
        .cloned()
        .collect();
    names.sort();
    names.dedup();
    Ok(Facts {
        profile_namespaces: Some(names),
        ..Facts::default()
    })
}

/// `PUT|POST /_security/profile/{uid}/_data`: merges labels and data into the profile.
pub fn update_data(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let uid = req.param_required("uid")?.to_string();
        let expected = concurrency(&req)?;
        let update = parse_update(&req.json_required()?)?;
        let st = Arc::clone(&ctx.state);
        blocking(move || {
            update_in_store(st.store.as_ref(), &uid, expected, &|doc| {
                super::profiles_doc::merge_map(&mut doc.labels, update.labels.clone());
                super::profiles_doc::merge_map(&mut doc.data, update.data.clone());
            })
        })
        .await?;
        Ok(Reply::ok(json!({"acknowledged": true})))
    })
}

async fn set_enabled(ctx: Ctx, req: Req, enabled: bool) -> Result<Reply, ApiError> {
    let uid = req.param_required("uid")?.to_string();
    let st = Arc::clone(&ctx.state);
    blocking(move || update_in_store(st.store.as_ref(), &uid, None, &|doc| doc.enabled = enabled))
        .await?;
    Ok(Reply::ok(json!({"acknowledged": true})))
}

/// `PUT|POST /_security/profile/{uid}/_enable`.
pub fn enable(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(set_enabled(ctx, req, true))
}

/// `PUT|POST /_security/profile/{uid}/_disable`.
pub fn disable(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(set_enabled(ctx, req, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_are_validated_like_es() {
        let e = parse_grant(&json!({})).err().unwrap();
        assert!(e.reason.contains("grant_type is missing"), "{}", e.reason);
        let e = parse_grant(&json!({"grant_type": "password", "username": "u"}))
            .err()
            .unwrap();
        assert!(e.reason.contains("1: password is missing;"), "{}", e.reason);
        let e = parse_grant(&json!({"grant_type": "access_token"}))
            .err()
            .unwrap();
        assert!(e.reason.contains("access_token is missing"));
        let e = parse_grant(&json!({"grant_type": "client_credentials"}))
            .err()
            .unwrap();
        assert!(
            e.reason
                .contains("grant_type [client_credentials] is not supported")
        );
        assert!(matches!(
            parse_grant(&json!({"grant_type": "access_token", "access_token": "t"})),
            Ok(Grant::AccessToken(t)) if t == "t"
        ));
    }

    #[test]
    fn updates_are_validated_like_es() {
        let reason = |v: Value| parse_update(&v).err().unwrap().reason;
        assert!(reason(json!({})).contains("update request is empty"));
        assert!(
            reason(json!({"data": {"a.b": 1}})).contains("must not contain dot, but found [a.b]")
        );
        assert!(
            reason(json!({"labels": {"_x": 1}}))
                .contains("must not start with underscore, but found [_x]")
        );
        assert!(reason(json!({"other": {}})).contains("unknown field [other]"));
        assert!(reason(json!({"data": 3})).contains("failed to parse field [data]"));
        let ok = parse_update(&json!({"labels": {"k": {"s": 1}}, "data": {"app": {}}})).unwrap();
        assert_eq!(ok.labels.len(), 1);
        assert_eq!(ok.data.len(), 1);
    }
}
