//! The security store seen as Elasticsearch's restricted system index `.security-7` (alias
//! `.security`): a read-only virtual index for the single-document GET APIs. Documents are
//! built from the store on each request (never copied into the document engine), with ES's
//! ids (`user-<name>`, `reserved-user-<name>`, `role-<name>`, `role-mapping-<name>`,
//! `application-privilege_<app>:<name>`) and ES's document shapes.
//!
//! Authorization is the normal engine path on the requested name: both names are in the
//! restricted-index set, so only roles with `allow_restricted_indices` read access (the
//! built-in `superuser`) see documents. Writes are not routed here at all: they take the
//! normal write path, whose authorization refuses them (superuser's `all` excludes
//! restricted indices). The embedded data plane only: in gateway mode the store lives in the
//! upstream (`.rampart-security`) and this module is not consulted.

use rampart_store::SecurityStore;
use serde_json::{Map, Value, json};

use super::restrict;
use super::target;
use crate::error::ApiError;
use crate::http::{Reply, Req};
use crate::routes::Ctx;

/// The concrete system index name, as ES reports it in `_index`.
pub const CONCRETE: &str = ".security-7";
/// The alias ES clients and tests address.
pub const ALIAS: &str = ".security";

/// Whether a single-index GET path names the virtual security index.
pub fn is_security_index(expression: &str) -> bool {
    expression == CONCRETE || expression == ALIAS
}

/// The deprecation warning ES attaches to every direct access of a system index (ES's
/// current wording; older versions said "may be prevented").
pub fn system_index_warning() -> String {
    format!(
        "this request accesses system indices: [{CONCRETE}], but in a future major version, \
         direct access to system indices will be prevented by default"
    )
}

/// Authorize `action` on the requested name and return the visible source of document `id`
/// (`None` when it does not exist or a DLS query hides it). FLS applies to the source.
pub fn get(
    ctx: &Ctx,
    req: &Req,
    action: &str,
    expression: &str,
    id: &str,
) -> Result<Option<Value>, ApiError> {
    let meta = ctx.state.data.metadata();
    let names = [expression.to_string()];
    let access = target::authorize_names(ctx, req, action, &names, &meta)?;
    let entry = access
        .first()
        .ok_or_else(|| super::engine::index_not_found(expression))?;
    let restriction = restrict::restriction(ctx, action, entry, &meta)?;
    // The document engine cannot evaluate a DLS query on a virtual document: fail closed and
    // answer as for a missing document.
    if restriction.documents.is_some() {
        return Ok(None);
    }
    let store = ctx.state.store.clone();
    let Some(source) = crate::state::read_inline(|| document(store.as_ref(), id))? else {
        return Ok(None);
    };
    Ok(Some(match &restriction.fields {
        Some(fields) => fields.filter_source(&source),
        None => source,
    }))
}

/// `GET|HEAD /.security/_doc/{id}`: ES's get answer. The store keeps no per-document
/// versions, so every document reports version 1 (sequence number 0, primary term 1).
pub fn get_doc_reply(
    ctx: &Ctx,
    req: &Req,
    action: &str,
    expression: &str,
    id: &str,
) -> Result<Reply, ApiError> {
    let reply = match get(ctx, req, action, expression, id)? {
        Some(source) => Reply::ok(json!({
            "_index": CONCRETE, "_id": id, "_version": 1, "_seq_no": 0, "_primary_term": 1,
            "found": true, "_source": source,
        })),
        None => Reply::status(404, json!({"_index": CONCRETE, "_id": id, "found": false})),
    };
    Ok(reply.with_warning(system_index_warning()))
}

/// `GET|HEAD /.security/_source/{id}`.
pub fn get_source_reply(
    ctx: &Ctx,
    req: &Req,
    action: &str,
    expression: &str,
    id: &str,
) -> Result<Reply, ApiError> {
    match get(ctx, req, action, expression, id)? {
        Some(source) => Ok(Reply::ok(source).with_warning(system_index_warning())),
        None => Err(ApiError::new(
            404,
            "resource_not_found_exception",
            format!("Document not found [{CONCRETE}]/[{id}]"),
        )),
    }
}

/// One `_mget` item on the security index: the document, `found: false`, or the item's error.
pub fn mget_item(ctx: &Ctx, req: &Req, action: &str, expression: &str, id: &str) -> Value {
    match get(ctx, req, action, expression, id) {
        Ok(Some(source)) => json!({
            "_index": CONCRETE, "_id": id, "_version": 1, "_seq_no": 0, "_primary_term": 1,
            "found": true, "_source": source,
        }),
        Ok(None) => json!({"_index": CONCRETE, "_id": id, "found": false}),
        Err(e) => {
            json!({"_index": expression, "_id": id, "error": {"type": e.es_type, "reason": e.reason}})
        }
    }
}

/// The `.security-7` document with ES id `id`, built from the store.
pub fn document(store: &dyn SecurityStore, id: &str) -> Result<Option<Value>, ApiError> {
    // Longer prefixes first: `role-mapping-` also starts with `role-`, and
    // `reserved-user-` must not be read as a native user.
    if let Some(name) = id.strip_prefix("reserved-user-") {
        return Ok(store
            .get_reserved_user(name)
            .map_err(ApiError::internal)?
            .map(|r| {
                json!({"password": r.password_hash.unwrap_or_default(),
                   "enabled": r.enabled, "type": "reserved-user"})
            }));
    }
    if let Some(name) = id.strip_prefix("user-") {
        return Ok(store.get_user(name).map_err(ApiError::internal)?.map(|u| {
            json!({
                "username": u.username, "password": u.password_hash, "roles": u.roles,
                "full_name": u.full_name, "email": u.email, "metadata": u.metadata,
                "enabled": u.enabled, "type": "user",
            })
        }));
    }
    if let Some(name) = id.strip_prefix("role-mapping-") {
        return Ok(store
            .get_role_mapping(name)
            .map_err(ApiError::internal)?
            .map(|m| with_field(m.doc, "doc_type", "role-mapping")));
    }
    if let Some(name) = id.strip_prefix("role-") {
        return Ok(store
            .get_role(name)
            .map_err(ApiError::internal)?
            .map(|r| with_field(r.doc, "type", "role")));
    }
    if let Some(rest) = id.strip_prefix("application-privilege_") {
        let Some((application, name)) = rest.split_once(':') else {
            return Ok(None);
        };
        let found = store
            .get_privileges(application, &[name.to_string()])
            .map_err(ApiError::internal)?;
        return Ok(found
            .into_iter()
            .find(|p| p.application == application && p.name == name)
            .map(|p| {
                let mut doc = with_field(p.doc, "type", "application-privilege");
                if let Some(o) = doc.as_object_mut() {
                    o.insert("application".into(), json!(p.application));
                    o.insert("name".into(), json!(p.name));
                }
                doc
            }));
    }
    Ok(None)
}

/// `doc` (an object; anything else becomes an empty one) with `key` set to `value`.
fn with_field(doc: Value, key: &str, value: &str) -> Value {
    let mut object = match doc {
        Value::Object(o) => o,
        _ => Map::new(),
    };
    object.insert(key.to_string(), json!(value));
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_store::{SqliteStore, UserRecord};

    fn store() -> SqliteStore {
        let store = SqliteStore::in_memory().unwrap();
        store
            .put_user(&UserRecord {
                username: "joe".into(),
                password_hash: "{PBKDF2}hash".into(),
                roles: vec!["superuser".into()],
                full_name: None,
                email: Some("joe@example.com".into()),
                metadata: Map::new(),
                enabled: true,
            })
            .unwrap();
        store
            .put_role("reader", &json!({"cluster": ["monitor"]}))
            .unwrap();
        store
            .put_role_mapping("m", &json!({"enabled": true, "roles": ["reader"]}))
            .unwrap();
        store
    }

    #[test]
    fn user_document_has_the_native_users_store_shape() {
        let doc = document(&store(), "user-joe").unwrap().unwrap();
        assert_eq!(doc["username"], "joe");
        assert_eq!(doc["password"], "{PBKDF2}hash");
        assert_eq!(doc["roles"], json!(["superuser"]));
        assert_eq!(doc["full_name"], Value::Null);
        assert_eq!(doc["email"], "joe@example.com");
        assert_eq!(doc["enabled"], true);
        assert_eq!(doc["type"], "user");
    }

    #[test]
    fn roles_and_mappings_are_told_apart_by_prefix() {
        let s = store();
        let role = document(&s, "role-reader").unwrap().unwrap();
        assert_eq!(role["type"], "role");
        assert_eq!(role["cluster"], json!(["monitor"]));
        let mapping = document(&s, "role-mapping-m").unwrap().unwrap();
        assert_eq!(mapping["doc_type"], "role-mapping");
        assert_eq!(mapping["roles"], json!(["reader"]));
        assert!(document(&s, "role-mapping-reader").unwrap().is_none());
    }

    #[test]
    fn unknown_ids_and_names_are_missing() {
        let s = store();
        assert!(document(&s, "user-nobody").unwrap().is_none());
        assert!(document(&s, "joe").unwrap().is_none());
        assert!(
            document(&s, "application-privilege_noname")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn only_the_two_names_are_the_security_index() {
        assert!(is_security_index(".security"));
        assert!(is_security_index(".security-7"));
        assert!(!is_security_index(".security*"));
        assert!(!is_security_index(".security-tokens"));
    }
}
