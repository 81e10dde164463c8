//! Native and reserved users: `PUT|POST|GET|DELETE /_security/user[/{username}]`,
//! `_enable`/`_disable`; the change-password API is in `users::password`.
//!
//! Reserved (built-in) users are listed and may be enabled, disabled and given a password, but
//! never created, updated or deleted; their changes live in the store's reserved-user state.

use rampart_core::builtin::reserved_users;
use rampart_store::{ReservedUserState, UserRecord};
use serde_json::{Map, Value, json};

use crate::authn::UserInfo;
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx, Facts};
use crate::state::{AppState, blocking};

mod password;
pub use password::{change_password, change_password_facts};

const MIN_PASSWORD_LENGTH: usize = 6;
const MAX_NAME_LENGTH: usize = 507;

/// The reserved users in their listing order, with the stored state applied.
pub(crate) fn reserved_user_infos(state: &AppState) -> Result<Vec<UserInfo>, ApiError> {
    let defaults = reserved_users().map_err(ApiError::internal)?;
    let stored = state
        .store
        .list_reserved_users()
        .map_err(ApiError::internal)?;
    Ok(defaults
        .into_iter()
        .map(|u| {
            let enabled = stored
                .iter()
                .find(|s| s.username == u.username)
                .map_or(u.enabled, |s| s.enabled);
            UserInfo {
                username: u.username,
                roles: u.roles,
                full_name: u.full_name,
                email: u.email,
                metadata: u.metadata,
                enabled,
            }
        })
        .collect())
}

pub(crate) fn is_reserved(name: &str) -> bool {
    reserved_users().is_ok_and(|users| users.iter().any(|u| u.username == name))
}

pub(crate) fn native_info(rec: UserRecord) -> UserInfo {
    UserInfo {
        username: rec.username,
        roles: rec.roles,
        full_name: rec.full_name,
        email: rec.email,
        metadata: rec.metadata,
        enabled: rec.enabled,
    }
}

/// Find a user of the reserved, file or native realm: (user, realm name, realm type).
pub(crate) fn find_user(
    state: &AppState,
    name: &str,
) -> Result<Option<(UserInfo, &'static str, &'static str)>, ApiError> {
    use crate::authn::{FILE_REALM, NATIVE_REALM, RESERVED_REALM};
    if let Some(u) = reserved_user_infos(state)?
        .into_iter()
        .find(|u| u.username == name)
    {
        return Ok(Some((u, RESERVED_REALM.0, RESERVED_REALM.1)));
    }
    if let Some((u, _hash)) = state.file_realm.lookup(name) {
        return Ok(Some((u, FILE_REALM.0, FILE_REALM.1)));
    }
    let native = state.store.get_user(name).map_err(ApiError::internal)?;
    Ok(native.map(|r| (native_info(r), NATIVE_REALM.0, NATIVE_REALM.1)))
}

/// ES's username rule: 1..507 printable Basic-Latin characters, no surrounding whitespace.
pub(crate) fn validate_username(name: &str) -> Option<String> {
    let printable = name.chars().all(|c| (' '..='~').contains(&c));
    let len = name.chars().count();
    if printable && (1..=MAX_NAME_LENGTH).contains(&len) && name.trim() == name {
        return None;
    }
    Some(format!(
        "User names must be at least 1 and no more than {MAX_NAME_LENGTH} characters. They can \
         contain alphanumeric characters (a-z, A-Z, 0-9), spaces, punctuation, and printable \
         symbols in the Basic Latin (ASCII) block. Leading or trailing whitespace is not allowed."
    ))
}

fn password_problem(password: &str) -> Option<String> {
    (password.chars().count() < MIN_PASSWORD_LENGTH)
        .then(|| format!("passwords must be at least [{MIN_PASSWORD_LENGTH}] characters long"))
}

/// A stored hash must be one the authenticator can verify: bcrypt (cost 4..31) or PBKDF2.
fn validate_hash(hash: &str) -> Result<(), ApiError> {
    if known_hash(hash) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "The provided password hash could not be resolved to a known hash algorithm.",
        ))
    }
}

fn known_hash(hash: &str) -> bool {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    for prefix in ["$2a$", "$2b$", "$2y$"] {
        if let Some(rest) = hash.strip_prefix(prefix) {
            let Some((cost, body)) = rest.split_once('$') else {
                return false;
            };
            let cost_ok =
                cost.len() == 2 && cost.parse::<u32>().is_ok_and(|c| (4..=31).contains(&c));
            let body_ok = body.len() == 53
                && body
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/');
            return cost_ok && body_ok;
        }
    }
    if let Some(rest) = hash.strip_prefix("{PBKDF2}") {
        let parts: Vec<&str> = rest.split('$').collect();
        if let [iterations, salt, key] = parts.as_slice() {
            return iterations.parse::<u32>().is_ok_and(|n| n > 0)
                && STANDARD.decode(salt).is_ok_and(|s| !s.is_empty())
                && STANDARD.decode(key).is_ok_and(|k| !k.is_empty());
        }
    }
    false
}

use rampart_core::json_token as type_name;

fn expect_string(field: &str, v: &Value) -> Result<String, ApiError> {
    v.as_str().map(String::from).ok_or_else(|| {
        ApiError::parse(format!(
            "expected field [{field}] to be of type string, but found [{}] instead",
            type_name(v)
        ))
    })
}

fn optional_string(field: &str, v: &Value) -> Result<Option<String>, ApiError> {
    if v.is_null() {
        Ok(None)
    } else {
        expect_string(field, v).map(Some)
    }
}

/// The new secret of a put-user or change-password request.
#[derive(Debug, Clone)]
enum Secret {
    Password(String),
    Hash(String),
}

/// A parsed, validated put-user body.
#[derive(Debug, Clone)]
struct PutUser {
    secret: Option<Secret>,
    roles: Vec<String>,
    full_name: Option<String>,
    email: Option<String>,
    metadata: Map<String, Value>,
    enabled: bool,
}

fn parse_put_user(username: &str, body: &Value) -> Result<PutUser, ApiError> {
    let Some(obj) = body.as_object() else {
        return Err(ApiError::parse(format!(
            "failed to parse add user request. expected an object but found [{}] instead",
            type_name(body)
        )));
    };
    let mut put = PutUser {
        secret: None,
        roles: Vec::new(),
        full_name: None,
        email: None,
        metadata: Map::new(),
        enabled: true,
    };
    let mut roles_given = false;
    let mut problems = Vec::new();
    for (key, value) in obj {
        match key.as_str() {
            "username" => {
                let named = expect_string(key, value)?;
                if named != username {
                    return Err(ApiError::bad_request(format!(
                        "[username] in source does not match the username provided [{username}]"
                    )));
                }
            }
            "password" => {
                let p = expect_string(key, value)?;
                if let Some(problem) = password_problem(&p) {
                    return Err(ApiError::validation(&[problem]));
                }
                put.secret = Some(Secret::Password(p));
            }
            "password_hash" => {
                let h = expect_string(key, value)?;
                validate_hash(&h)?;
                put.secret = Some(Secret::Hash(h));
            }
            "roles" => {
                roles_given = true;
                put.roles = match value {
                    Value::String(s) => vec![s.clone()],
                    Value::Array(items) => items
                        .iter()
                        .map(|i| expect_string(key, i))
                        .collect::<Result<_, _>>()?,
                    other => {
                        return Err(ApiError::parse(format!(
                            "expected field [roles] to be of type array of strings, but found [{}] instead",
                            type_name(other)
                        )));
                    }
                };
            }
            "full_name" => put.full_name = optional_string(key, value)?,
            "email" => put.email = optional_string(key, value)?,
            "metadata" => match value {
                Value::Object(m) => put.metadata = m.clone(),
                Value::Null => {}
                other => {
                    return Err(ApiError::parse(format!(
                        "expected field [metadata] to be of type object, but found [{}] instead",
                        type_name(other)
                    )));
                }
            },
            "enabled" => {
                put.enabled = value.as_bool().ok_or_else(|| {
                    ApiError::parse(format!(
                        "expected field [enabled] to be of type boolean, but found [{}] instead",
                        type_name(value)
                    ))
                })?;
            }
            other => {
                return Err(ApiError::parse(format!(
                    "failed to parse add user request. unexpected field [{other}]"
                )));
            }
        }
    }
    if obj.contains_key("password") && obj.contains_key("password_hash") {
        return Err(ApiError::bad_request(
            "only one of [password, passwordHash] can be provided",
        ));
    }
    if let Some(problem) = validate_username(username) {
        problems.push(problem);
    }
    if !roles_given {
        problems.push("roles are missing".into());
    }
    if put.metadata.keys().any(|k| k.starts_with('_')) {
        problems.push("metadata keys may not start with [_]".into());
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(&problems));
    }
    Ok(put)
}

fn validate_refresh(req: &Req) -> Result<(), ApiError> {
    match req.query("refresh") {
        None | Some("" | "true" | "false" | "wait_for") => Ok(()),
        Some(other) => Err(ApiError::bad_request(format!(
            "Unknown value for refresh: [{other}]."
        ))),
    }
}

/// Validation of a put-user request happens before authorization, as in ES.
pub fn put_user_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    validate_refresh(req)?;
    let username = req.param_required("username")?;
    parse_put_user(username, &req.json_required()?)?;
    Ok(Facts::default())
}

/// `PUT|POST /_security/user/{username}` → `{"created": bool}`.
pub fn put_user(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let username = req.param_required("username")?.to_string();
        let put = parse_put_user(&username, &req.json_required()?)?;
        if is_reserved(&username) {
            return Err(ApiError::validation(&[format!(
                "user [{username}] is reserved and only the password can be changed"
            )]));
        }
        let st = ctx.state.clone();
        let created = blocking(move || {
            let existing = st.store.get_user(&username).map_err(ApiError::internal)?;
            let password_hash = match (&put.secret, existing) {
                (Some(Secret::Hash(h)), _) => h.clone(),
                (Some(Secret::Password(p)), _) => {
                    st.authn.algorithm.hash(p).map_err(ApiError::internal)?
                }
                (None, Some(old)) => old.password_hash,
                (None, None) => {
                    return Err(ApiError::validation(&[
                        "password must be specified unless you are updating an existing user"
                            .into(),
                    ]));
                }
            };
            let record = UserRecord {
                username,
                password_hash,
                roles: put.roles,
                full_name: put.full_name,
                email: put.email,
                metadata: put.metadata,
                enabled: put.enabled,
            };
            st.store.put_user(&record).map_err(ApiError::internal)
        })
        .await?;
        ctx.state.authn.clear_cache();
        Ok(Reply::ok(json!({ "created": created })))
    })
}

/// `GET /_security/user[/{username}]`: reserved users (listing order) then native users;
/// nothing found → 404 `{}`.
pub fn get_users(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let with_profile_uid = req.query_bool("with_profile_uid", false)?;
        let names = req.param_list("username");
        let st = ctx.state.clone();
        let asked = !names.is_empty();
        let users = blocking(move || {
            let mut out: Vec<UserInfo> = reserved_user_infos(&st)?
                .into_iter()
                .filter(|u| !asked || names.contains(&u.username))
                .collect();
            if asked {
                for name in names.iter().filter(|n| !is_reserved(n)) {
                    if let Some(rec) = st.store.get_user(name).map_err(ApiError::internal)? {
                        out.push(native_info(rec));
                    }
                }
            } else {
                let all = st.store.list_users().map_err(ApiError::internal)?;
                out.extend(all.into_iter().map(native_info));
            }
            let mut uids = std::collections::HashMap::new();
            if with_profile_uid {
                for realm_type in ["reserved", "native"] {
                    uids.extend(crate::api::profiles::uids_by_username(
                        st.store.as_ref(),
                        realm_type,
                    )?);
                }
            }
            Ok((out, uids))
        })
        .await?;
        let (users, profile_uids) = users;
        if asked && users.is_empty() {
            return Err(ApiError::bare(404, json!({})));
        }
        let body: Map<String, Value> = users
            .into_iter()
            .map(|u| {
                let mut v = u.to_json();
                if let (Some(uid), Value::Object(m)) = (profile_uids.get(&u.username), &mut v) {
                    m.insert("profile_uid".into(), json!(uid));
                }
                (u.username.clone(), v)
            })
            .collect();
        Ok(Reply::ok(Value::Object(body)))
    })
}

/// `DELETE /_security/user/{username}` → `{"found": bool}` (404 when not found).
pub fn delete_user(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        validate_refresh(&req)?;
        let username = req.param_required("username")?.to_string();
        if is_reserved(&username) {
            return Err(ApiError::bad_request(format!(
                "user [{username}] is reserved and cannot be deleted"
            )));
        }
        let st = ctx.state.clone();
        let found =
            blocking(move || st.store.delete_user(&username).map_err(ApiError::internal)).await?;
        ctx.state.authn.clear_cache();
        Ok(Reply::status(
            if found { 200 } else { 404 },
            json!({ "found": found }),
        ))
    })
}

/// `PUT|POST /_security/user/{username}/_enable`.
pub fn enable_user(ctx: Ctx, req: Req) -> BoxFut {
    set_enabled(ctx, req, true)
}

/// `PUT|POST /_security/user/{username}/_disable`.
pub fn disable_user(ctx: Ctx, req: Req) -> BoxFut {
    set_enabled(ctx, req, false)
}

fn set_enabled(ctx: Ctx, req: Req, enabled: bool) -> BoxFut {
    Box::pin(async move {
        validate_refresh(&req)?;
        let username = req.param_required("username")?.to_string();
        if username == ctx.subject.effective_user() {
            return Err(ApiError::bad_request(
                "users may not update the enabled status of their own account",
            ));
        }
        let st = ctx.state.clone();
        blocking(move || {
            if is_reserved(&username) {
                let old = st
                    .store
                    .get_reserved_user(&username)
                    .map_err(ApiError::internal)?;
                let state = ReservedUserState {
                    username: username.clone(),
                    password_hash: old.and_then(|s| s.password_hash),
                    enabled,
                };
                return st
                    .store
                    .put_reserved_user(&state)
                    .map_err(ApiError::internal);
            }
            if st
                .store
                .set_user_enabled(&username, enabled)
                .map_err(ApiError::internal)?
            {
                Ok(())
            } else {
                Err(ApiError::not_found(format!("user [{username}] not found")))
            }
        })
        .await?;
        ctx.state.authn.clear_cache();
        Ok(Reply::ok(json!({})))
    })
}
