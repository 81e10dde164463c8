//! The Spaces API (kibana.md c.3). Spaces live in the store's `objects` table under kind
//! `space`; the default space always exists (re-created on demand) and cannot be deleted.

use std::sync::Arc;

use rampart_kibana::access::{Purpose, SpaceAccess, list_spaces, space_resource};
use rampart_kibana::spaces::{DEFAULT_SPACE_ID, Space, sort_spaces};
use rampart_store::{StoreError, WriteCondition};
use serde_json::{Map, Value, json};

use super::bootstrap::ensure_default_space;
use super::error::KbnError;
use super::pipeline::{KCtx, KFut, KReply};
use crate::http::Req;
use crate::state::{AppState, blocking};

/// The store kind of spaces.
pub const SPACE_KIND: &str = "space";
/// Kibana's `xpack.spaces.maxSpaces` default.
const DEFAULT_MAX_SPACES: usize = 1000;

/// The stored form of a space: its own fields, with `disabledFeatures` as configured (the
/// effective list of a solution view is computed on read).
pub fn space_doc(s: &Space) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(s.id));
    m.insert("name".into(), json!(s.name));
    for (k, v) in [
        ("description", &s.description),
        ("initials", &s.initials),
        ("color", &s.color),
        ("imageUrl", &s.image_url),
    ] {
        if let Some(v) = v {
            m.insert(k.into(), json!(v));
        }
    }
    m.insert("disabledFeatures".into(), json!(s.disabled_features));
    if let Some(sol) = s.solution {
        m.insert("solution".into(), json!(sol.as_str()));
    }
    if s.reserved {
        m.insert("_reserved".into(), Value::Bool(true));
    }
    Value::Object(m)
}

/// A stored space back; `None` (logged) when the document no longer validates.
fn from_doc(doc: &Value) -> Option<Space> {
    match Space::from_json(doc) {
        Ok(mut s) => {
            s.reserved = doc.get("_reserved").and_then(Value::as_bool) == Some(true);
            Some(s)
        }
        Err(e) => {
            tracing::warn!(error = %e.message, "stored space is invalid; ignoring it");
            None
        }
    }
}

/// One space and its `seq_no`; the default space is re-created if it went missing.
pub fn load_space(state: &AppState, id: &str) -> Result<Option<(Space, u64)>, KbnError> {
    let mut found = state
        .store
        .get_object(SPACE_KIND, id)
        .map_err(KbnError::internal)?;
    if found.is_none() && id == DEFAULT_SPACE_ID {
        ensure_default_space(state)?;
        found = state
            .store
            .get_object(SPACE_KIND, id)
            .map_err(KbnError::internal)?;
    }
    Ok(found.and_then(|o| from_doc(&o.doc).map(|s| (s, o.seq_no))))
}

/// Every space, sorted by name.
pub(crate) fn all_spaces(state: &AppState) -> Result<Vec<Space>, KbnError> {
    let mut docs = state
        .store
        .list_objects(SPACE_KIND)
        .map_err(KbnError::internal)?;
    if !docs.iter().any(|d| d.id == DEFAULT_SPACE_ID) {
        ensure_default_space(state)?;
        docs = state
            .store
            .list_objects(SPACE_KIND)
            .map_err(KbnError::internal)?;
    }
    let mut spaces: Vec<Space> = docs.iter().filter_map(|d| from_doc(&d.doc)).collect();
    sort_spaces(&mut spaces);
    Ok(spaces)
}

fn not_found(id: &str) -> KbnError {
    KbnError::not_found(format!("Saved object [space/{id}] not found"))
}

fn max_spaces(state: &AppState) -> usize {
    state
        .settings
        .get("xpack.spaces.maxSpaces")
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_MAX_SPACES)
}

/// Global `space:manage` (only global `all` and superuser hold it), audited.
fn authorize_manage(ctx: &KCtx, req: &Req, denied: &str) -> Result<(), KbnError> {
    const ACTION: &str = "space:manage";
    if ctx.granted("*", ACTION)? {
        ctx.state.audit.access_granted(&ctx.auth, ACTION, req);
        Ok(())
    } else {
        ctx.state.audit.access_denied(&ctx.auth, ACTION, req);
        Err(KbnError::forbidden(denied))
    }
}

fn parse_body(req: &Req, verb: &str) -> Result<Space, KbnError> {
    let body = req.json()?.unwrap_or(Value::Null);
    if body.get("solution").and_then(Value::as_str) == Some("") {
        return Err(KbnError::bad_request(format!(
            "Unable to {verb} Space, solution property cannot be empty"
        )));
    }
    Ok(Space::from_json(&body)?)
}

fn purpose_param(req: &Req) -> Result<Option<Purpose>, KbnError> {
    match req.query("purpose") {
        None => Ok(None),
        Some(p) => Purpose::parse(p).map(Some).ok_or_else(|| {
            KbnError::bad_request(format!(
                "[request query.purpose]: types that failed validation:\n- [request query.purpose.0]: expected value to equal [any]\n- [request query.purpose.1]: expected value to equal [copySavedObjectsIntoSpace]\n- [request query.purpose.2]: expected value to equal [shareSavedObjectsIntoSpace] but got [{p}]"
            ))
        }),
    }
}

/// `GET /api/spaces/space[?purpose=…&include_authorized_purposes=…]`: the spaces the caller
/// may use, from one derivation of the caller's role (no privilege check per space).
pub fn list(ctx: KCtx, req: Req) -> KFut {
    Box::pin(async move {
        let purpose = purpose_param(&req)?;
        let with_purposes = req.query_bool("include_authorized_purposes", false)?;
        // Store reads are short WAL snapshot reads: inline, as on the ES port.
        let spaces = all_spaces(&ctx.state)?;
        let access = SpaceAccess::new(&ctx.role)?;
        let listed = list_spaces(&access, &spaces, purpose, with_purposes)?;
        let registry = &ctx.model.registry;
        let out: Vec<Value> = listed
            .into_iter()
            .map(|s| {
                let mut v = s.to_json(registry);
                if with_purposes {
                    let purposes: Map<String, Value> = Purpose::ALL
                        .iter()
                        .map(|p| (p.as_str().to_string(), json!(access.allows(&s.id, *p))))
                        .collect();
                    if let Some(o) = v.as_object_mut() {
                        o.insert("authorizedPurposes".into(), Value::Object(purposes));
                    }
                }
                v
            })
            .collect();
        Ok(KReply::ok(Value::Array(out)))
    })
}

/// `GET /api/spaces/space/{id}`: needs `login:` in that space.
pub fn get(ctx: KCtx, req: Req) -> KFut {
    Box::pin(async move {
        let id = req.param("id").unwrap_or_default().to_string();
        if !ctx.granted(&space_resource(&id), "login:")? {
            ctx.state.audit.access_denied(&ctx.auth, "login:", &req);
            return Err(KbnError::forbidden(format!(
                "Unauthorized to get {id} space"
            )));
        }
        let (space, _) = load_space(&ctx.state, &id)?.ok_or_else(|| not_found(&id))?;
        Ok(KReply::ok(space.to_json(&ctx.model.registry)))
    })
}

/// `POST /api/spaces/space`.
pub fn create(ctx: KCtx, req: Req) -> KFut {
    Box::pin(async move {
        let mut space = parse_body(&req, "create")?;
        authorize_manage(&ctx, &req, "Unauthorized to create spaces")?;
        space.name = space.name.trim().to_string();
        if space.name.is_empty() {
            return Err(KbnError::bad_request(
                "[request body.name]: value has length [0] but it must have a minimum length of [1].",
            ));
        }
        let st = Arc::clone(&ctx.state);
        let stored = space.clone();
        blocking(move || {
            let count = st
                .store
                .list_objects(SPACE_KIND)
                .map_err(crate::error::ApiError::internal)?
                .len();
            if count >= max_spaces(&st) {
                return Err(crate::error::ApiError::bad_request(
                    "Unable to create Space, this exceeds the maximum number of spaces set by the xpack.spaces.maxSpaces setting",
                ));
            }
            match st.store.put_object(
                SPACE_KIND,
                &stored.id,
                &space_doc(&stored),
                WriteCondition::Absent,
            ) {
                Ok(_) => Ok(()),
                Err(StoreError::Conflict(_)) => Err(crate::error::ApiError::conflict(format!(
                    "A space with the identifier {} already exists.",
                    stored.id
                ))),
                Err(e) => Err(crate::error::ApiError::internal(e)),
            }
        })
        .await?;
        Ok(KReply::ok(space.to_json(&ctx.model.registry)))
    })
}

/// `PUT /api/spaces/space/{id}`: the path id wins; `_reserved` is kept from the stored space.
pub fn update(ctx: KCtx, req: Req) -> KFut {
    Box::pin(async move {
        let id = req.param("id").unwrap_or_default().to_string();
        let space = parse_body(&req, "update")?;
        authorize_manage(&ctx, &req, "Unauthorized to update spaces")?;
        let (existing, seq_no) = load_space(&ctx.state, &id)?.ok_or_else(|| not_found(&id))?;
        let mut updated = space.for_update(&existing);
        // [9.x] the name is trimmed only when it changed (legacy names keep their spaces).
        if updated.name != existing.name {
            updated.name = updated.name.trim().to_string();
        }
        let st = Arc::clone(&ctx.state);
        let stored = updated.clone();
        blocking(move || {
            match st.store.put_object(
                SPACE_KIND,
                &stored.id,
                &space_doc(&stored),
                WriteCondition::SeqNo(seq_no),
            ) {
                Ok(_) => Ok(()),
                Err(StoreError::Conflict(_)) => Err(crate::error::ApiError::conflict(format!(
                    "Saved object [space/{}] conflict",
                    stored.id
                ))),
                Err(e) => Err(crate::error::ApiError::internal(e)),
            }
        })
        .await?;
        Ok(KReply::ok(updated.to_json(&ctx.model.registry)))
    })
}

/// `DELETE /api/spaces/space/{id}`: 204; reserved spaces answer 400.
pub fn delete(ctx: KCtx, req: Req) -> KFut {
    Box::pin(async move {
        let id = req.param("id").unwrap_or_default().to_string();
        authorize_manage(&ctx, &req, "Unauthorized to delete spaces")?;
        let (existing, _) = load_space(&ctx.state, &id)?.ok_or_else(|| not_found(&id))?;
        existing.check_delete()?;
        let st = Arc::clone(&ctx.state);
        let found = blocking(move || {
            st.store
                .delete_object(SPACE_KIND, &id)
                .map_err(crate::error::ApiError::internal)
        })
        .await?;
        if !found {
            return Err(not_found(&existing.id));
        }
        Ok(KReply::no_content())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_kibana::spaces::Solution;

    #[test]
    fn stored_doc_round_trips_including_reserved() {
        let mut s = Space::default_space();
        s.disabled_features = vec!["dashboard".into()];
        s.solution = Some(Solution::Oblt);
        let back = from_doc(&space_doc(&s)).unwrap();
        assert_eq!(back, s);
        let plain = Space {
            id: "a".into(),
            name: "A".into(),
            ..Default::default()
        };
        assert_eq!(from_doc(&space_doc(&plain)).unwrap(), plain);
    }
}
