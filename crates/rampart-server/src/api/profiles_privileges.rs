//! `GET|POST /_security/profile/_has_privileges`: which of the given profiles' users hold all
//! the listed privileges. Each enabled profile is checked with the roles stored in it (as
//! its realm reported them at the last activation); disabled profiles never qualify, and
//! unknown uids are reported under `errors`.

use std::sync::Arc;

use rampart_core::authz::EffectiveRole;
use rampart_core::has_privileges::{HasPrivilegesRequest, has_privileges as evaluate};
use serde_json::{Map, Value, json};

use super::profiles::{load, not_found_detail};
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::{BoxFut, Ctx, Facts};
use crate::state::blocking;

/// The name ES's parser reports in messages about this request.
const REQUEST_NAME: &str = "profile_has_privileges_request";

/// A parsed request: unique uids in request order, and the privileges to check.
fn parse(body: &Value) -> Result<(Vec<String>, HasPrivilegesRequest), ApiError> {
    let Some(obj) = body.as_object() else {
        return Err(ApiError::parse(format!(
            "failed to parse request for has privileges check. expected an object but found [{}] instead",
            if body.is_array() {
                "START_ARRAY"
            } else {
                "VALUE"
            }
        )));
    };
    let mut uids: Option<Vec<String>> = None;
    let mut privileges = None;
    for (k, v) in obj {
        match k.as_str() {
            "uids" => {
                let list = v
                    .as_array()
                    .and_then(|a| {
                        a.iter()
                            .map(|u| u.as_str().map(String::from))
                            .collect::<Option<Vec<_>>>()
                    })
                    .ok_or_else(|| {
                        ApiError::new(
                            400,
                            "x_content_parse_exception",
                            format!("[{REQUEST_NAME}] failed to parse field [uids]"),
                        )
                    })?;
                let mut unique: Vec<String> = Vec::with_capacity(list.len());
                for u in list {
                    if !unique.contains(&u) {
                        unique.push(u);
                    }
                }
                uids = Some(unique);
            }
            "privileges" => privileges = Some(HasPrivilegesRequest::parse(REQUEST_NAME, v)?),
            other => {
                return Err(ApiError::new(
                    400,
                    "x_content_parse_exception",
                    format!("[{REQUEST_NAME}] unknown field [{other}]"),
                ));
            }
        }
    }
    let mut problems = Vec::new();
    match &uids {
        None => problems.push("profile uids must not be null".to_string()),
        Some(u) if u.is_empty() => problems.push("profile uids list must not be empty".to_string()),
        Some(_) => {}
    }
    if privileges.is_none() {
        problems.push("privileges to check must not be null".to_string());
    }
    match (uids, privileges) {
        (Some(u), Some(p)) if problems.is_empty() => Ok((u, p)),
        _ => Err(ApiError::validation(&problems)),
    }
}

/// The body is validated before authorization (400 before 403).
pub fn has_privileges_facts(req: &Req, _ctx: &Ctx) -> Result<Facts, ApiError> {
    parse(&req.json_required()?)?;
    Ok(Facts::default())
}

/// `GET|POST /_security/profile/_has_privileges`.
pub fn has_privileges(ctx: Ctx, req: Req) -> BoxFut {
    Box::pin(async move {
        let (uids, request) = parse(&req.json_required()?)?;
        let st = Arc::clone(&ctx.state);
        let (granted, errors) = blocking(move || {
            let store = st.store.as_ref();
            let apps = st.security.application_privileges(store)?;
            let mut granted = Vec::new();
            let mut errors = Map::new();
            for uid in uids {
                let Some(profile) = load(store, &uid)? else {
                    errors.insert(uid, not_found_detail());
                    continue;
                };
                if !profile.doc.enabled {
                    continue;
                }
                let resolved = st.security.resolve_roles(store, &profile.doc.user.roles)?;
                let role = EffectiveRole::plain(st.security.permission(store, &resolved)?);
                let answer = evaluate(&role, &profile.doc.user.username, &request, &apps)?;
                if answer.has_all_requested() {
                    granted.push(uid);
                }
            }
            Ok((granted, errors))
        })
        .await?;
        let mut body = json!({"has_privilege_uids": granted});
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_validated_like_es() {
        let reason = |v: Value| parse(&v).err().unwrap().reason;
        assert!(
            reason(json!({"privileges": {"cluster": ["all"]}}))
                .contains("profile uids must not be null")
        );
        assert!(
            reason(json!({"uids": [], "privileges": {"cluster": ["all"]}}))
                .contains("profile uids list must not be empty")
        );
        assert!(reason(json!({"uids": ["a"]})).contains("privileges to check must not be null"));
        assert!(reason(json!({"uids": ["a"], "x": 1})).contains("unknown field [x]"));
        assert!(
            reason(json!({"uids": [1], "privileges": {}})).contains("failed to parse field [uids]")
        );
        let (uids, p) =
            parse(&json!({"uids": ["a", "b", "a"], "privileges": {"cluster": ["monitor"]}}))
                .unwrap();
        assert_eq!(uids, vec!["a", "b"]);
        assert_eq!(p.cluster, vec!["monitor"]);
    }
}
