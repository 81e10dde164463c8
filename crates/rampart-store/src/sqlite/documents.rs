//! Roles, role mappings and application privileges: opaque JSON documents keyed by name.

use rusqlite::{Row, Transaction, params};
use serde_json::Value;

use super::WriteTx;
use super::codec::{
    DOC_FORMAT, check_format, decode_json, encode_json, exists, json_list, query_all, query_one,
    require_name, to_i64, to_u64,
};
use crate::error::StoreError;
use crate::records::{AppPrivilegeDoc, RoleDoc, RoleMappingDoc};

// ---- roles ----

const SELECT_ROLE: &str = "SELECT name, format, doc, revision FROM roles";

fn decode_role(row: &Row<'_>) -> Result<RoleDoc, StoreError> {
    let name: String = row.get(0)?;
    check_format("role", &name, row.get(1)?)?;
    let doc: String = row.get(2)?;
    Ok(RoleDoc {
        doc: decode_json("role", &name, &doc)?,
        revision: to_u64("role revision", row.get(3)?)?,
        name,
    })
}

pub(crate) fn get_role(tx: &Transaction<'_>, name: &str) -> Result<Option<RoleDoc>, StoreError> {
    let sql = format!("{SELECT_ROLE} WHERE name = ?1");
    query_one(tx, &sql, [name], decode_role)
}

pub(crate) fn get_roles(
    tx: &Transaction<'_>,
    names: &[String],
) -> Result<Vec<RoleDoc>, StoreError> {
    let sql =
        format!("{SELECT_ROLE} WHERE name IN (SELECT value FROM json_each(?1)) ORDER BY name");
    query_all(tx, &sql, [json_list(names)?], decode_role)
}

pub(crate) fn list_roles(tx: &Transaction<'_>) -> Result<Vec<RoleDoc>, StoreError> {
    let sql = format!("{SELECT_ROLE} ORDER BY name");
    query_all(tx, &sql, [], decode_role)
}

/// Puts every role in the caller's transaction. All roles written by one transaction share
/// its revision: the global revision is strictly increasing, so each name's revision still
/// increases on every put, and a deleted-then-recreated role never reuses an old cache key.
pub(crate) fn put_roles(
    write: &mut WriteTx<'_>,
    roles: &[(String, Value)],
) -> Result<Vec<bool>, StoreError> {
    let mut created = Vec::with_capacity(roles.len());
    for (name, doc) in roles {
        require_name("role", name)?;
        let revision = to_i64("role revision", write.bump()?)?;
        let tx = write.tx();
        let existed = exists(tx, "SELECT 1 FROM roles WHERE name = ?1", [name])?;
        tx.execute(
            "INSERT OR REPLACE INTO roles (name, format, doc, revision) VALUES (?1, ?2, ?3, ?4)",
            params![name, DOC_FORMAT, encode_json(doc)?, revision],
        )?;
        created.push(!existed);
    }
    Ok(created)
}

pub(crate) fn delete_roles(
    write: &mut WriteTx<'_>,
    names: &[String],
) -> Result<Vec<String>, StoreError> {
    let mut found = Vec::new();
    for name in names {
        let changed = write
            .tx()
            .execute("DELETE FROM roles WHERE name = ?1", [name])?;
        if write.bump_if(changed)? {
            found.push(name.clone());
        }
    }
    Ok(found)
}

// ---- role mappings ----

const SELECT_MAPPING: &str = "SELECT name, format, doc FROM role_mappings";

fn decode_mapping(row: &Row<'_>) -> Result<RoleMappingDoc, StoreError> {
    let name: String = row.get(0)?;
    check_format("role mapping", &name, row.get(1)?)?;
    let doc: String = row.get(2)?;
    Ok(RoleMappingDoc {
        doc: decode_json("role mapping", &name, &doc)?,
        name,
    })
}

pub(crate) fn get_mapping(
    tx: &Transaction<'_>,
    name: &str,
) -> Result<Option<RoleMappingDoc>, StoreError> {
    let sql = format!("{SELECT_MAPPING} WHERE name = ?1");
    query_one(tx, &sql, [name], decode_mapping)
}

pub(crate) fn list_mappings(tx: &Transaction<'_>) -> Result<Vec<RoleMappingDoc>, StoreError> {
    let sql = format!("{SELECT_MAPPING} ORDER BY name");
    query_all(tx, &sql, [], decode_mapping)
}

pub(crate) fn put_mapping(
    write: &mut WriteTx<'_>,
    name: &str,
    doc: &Value,
) -> Result<bool, StoreError> {
    require_name("role mapping", name)?;
    let tx = write.tx();
    let existed = exists(tx, "SELECT 1 FROM role_mappings WHERE name = ?1", [name])?;
    tx.execute(
        "INSERT OR REPLACE INTO role_mappings (name, format, doc) VALUES (?1, ?2, ?3)",
        params![name, DOC_FORMAT, encode_json(doc)?],
    )?;
    write.bump()?;
    Ok(!existed)
}

pub(crate) fn delete_mapping(write: &mut WriteTx<'_>, name: &str) -> Result<bool, StoreError> {
    let changed = write
        .tx()
        .execute("DELETE FROM role_mappings WHERE name = ?1", [name])?;
    write.bump_if(changed)
}

// ---- application privileges ----

const SELECT_PRIVILEGE: &str = "SELECT application, name, format, doc FROM app_privileges";

fn decode_privilege(row: &Row<'_>) -> Result<AppPrivilegeDoc, StoreError> {
    let application: String = row.get(0)?;
    let name: String = row.get(1)?;
    let key = format!("{application}/{name}");
    check_format("application privilege", &key, row.get(2)?)?;
    let doc: String = row.get(3)?;
    Ok(AppPrivilegeDoc {
        doc: decode_json("application privilege", &key, &doc)?,
        application,
        name,
    })
}

pub(crate) fn list_privileges(tx: &Transaction<'_>) -> Result<Vec<AppPrivilegeDoc>, StoreError> {
    let sql = format!("{SELECT_PRIVILEGE} ORDER BY application, name");
    query_all(tx, &sql, [], decode_privilege)
}

pub(crate) fn get_application_privileges(
    tx: &Transaction<'_>,
    application: &str,
) -> Result<Vec<AppPrivilegeDoc>, StoreError> {
    let sql = format!("{SELECT_PRIVILEGE} WHERE application = ?1 ORDER BY name");
    query_all(tx, &sql, [application], decode_privilege)
}

pub(crate) fn get_privileges(
    tx: &Transaction<'_>,
    application: &str,
    names: &[String],
) -> Result<Vec<AppPrivilegeDoc>, StoreError> {
    let sql = format!(
        "{SELECT_PRIVILEGE} WHERE application = ?1 AND name IN (SELECT value FROM json_each(?2))
         ORDER BY name"
    );
    query_all(
        tx,
        &sql,
        params![application, json_list(names)?],
        decode_privilege,
    )
}

pub(crate) fn put_privileges(
    write: &mut WriteTx<'_>,
    privileges: &[AppPrivilegeDoc],
) -> Result<Vec<bool>, StoreError> {
    let mut created = Vec::with_capacity(privileges.len());
    for privilege in privileges {
        require_name("application", &privilege.application)?;
        require_name("application privilege", &privilege.name)?;
        let tx = write.tx();
        let existed = exists(
            tx,
            "SELECT 1 FROM app_privileges WHERE application = ?1 AND name = ?2",
            params![privilege.application, privilege.name],
        )?;
        tx.execute(
            "INSERT OR REPLACE INTO app_privileges (application, name, format, doc)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                privilege.application,
                privilege.name,
                DOC_FORMAT,
                encode_json(&privilege.doc)?
            ],
        )?;
        created.push(!existed);
    }
    if !privileges.is_empty() {
        write.bump()?;
    }
    Ok(created)
}

pub(crate) fn delete_privileges(
    write: &mut WriteTx<'_>,
    application: &str,
    names: &[String],
) -> Result<Vec<String>, StoreError> {
    let mut found = Vec::new();
    for name in names {
        let changed = write.tx().execute(
            "DELETE FROM app_privileges WHERE application = ?1 AND name = ?2",
            params![application, name],
        )?;
        if write.bump_if(changed)? {
            found.push(name.clone());
        }
    }
    Ok(found)
}
