//! API keys: created once, updated optimistically by version, invalidated (never silently
//! deleted, so an invalidated key still answers "invalidated" instead of "unknown").

use rusqlite::types::Value as SqlValue;
use rusqlite::{Row, Transaction, params, params_from_iter};

use super::WriteTx;
use super::codec::{
    DOC_FORMAT, check_format, decode_json, encode_json, exists, json_list, query_all, query_one,
    require_name, to_i64, to_u64,
};
use crate::error::StoreError;
use crate::records::{ApiKeyFilter, ApiKeyRecord, Invalidation};

const SELECT_KEY: &str = "SELECT id, format, name, hash, creation_ms, expiration_ms, invalidated,
    invalidation_ms, username, realm_name, realm_type, role_descriptors,
    limited_by_role_descriptors, metadata, key_type, version FROM api_keys";

fn decode_key(row: &Row<'_>) -> Result<ApiKeyRecord, StoreError> {
    let id: String = row.get(0)?;
    check_format("api key", &id, row.get(1)?)?;
    let role_descriptors: String = row.get(11)?;
    let limited_by: String = row.get(12)?;
    let metadata: String = row.get(13)?;
    Ok(ApiKeyRecord {
        name: row.get(2)?,
        hash: row.get(3)?,
        creation_ms: row.get(4)?,
        expiration_ms: row.get(5)?,
        invalidated: row.get(6)?,
        invalidation_ms: row.get(7)?,
        username: row.get(8)?,
        realm_name: row.get(9)?,
        realm_type: row.get(10)?,
        role_descriptors: decode_json("api key role descriptors", &id, &role_descriptors)?,
        limited_by_role_descriptors: decode_json("api key limited-by", &id, &limited_by)?,
        metadata: decode_json("api key metadata", &id, &metadata)?,
        key_type: row.get(14)?,
        version: to_u64("api key version", row.get(15)?)?,
        id,
    })
}

pub(crate) fn get(tx: &Transaction<'_>, id: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
    let sql = format!("{SELECT_KEY} WHERE id = ?1");
    query_one(tx, &sql, [id], decode_key)
}

pub(crate) fn find(
    tx: &Transaction<'_>,
    filter: &ApiKeyFilter,
) -> Result<Vec<ApiKeyRecord>, StoreError> {
    let mut sql = format!("{SELECT_KEY} WHERE 1 = 1");
    let mut args: Vec<SqlValue> = Vec::new();
    if let Some(ids) = &filter.ids {
        sql.push_str(" AND id IN (SELECT value FROM json_each(?))");
        args.push(SqlValue::Text(json_list(ids)?));
    }
    match filter.name.as_deref() {
        None | Some("*") => {}
        Some(pattern) => match pattern.strip_suffix('*') {
            // substr/length rather than LIKE: LIKE treats `%`/`_` in names as wildcards and
            // folds ASCII case, and names match exactly in Elasticsearch.
            Some(prefix) => {
                sql.push_str(" AND substr(name, 1, length(?)) = ?");
                args.push(SqlValue::Text(prefix.to_owned()));
                args.push(SqlValue::Text(prefix.to_owned()));
            }
            None => {
                sql.push_str(" AND name = ?");
                args.push(SqlValue::Text(pattern.to_owned()));
            }
        },
    }
    if let Some(username) = &filter.username {
        sql.push_str(" AND username = ?");
        args.push(SqlValue::Text(username.clone()));
    }
    if let Some(realm_name) = &filter.realm_name {
        sql.push_str(" AND realm_name = ?");
        args.push(SqlValue::Text(realm_name.clone()));
    }
    if filter.active_only {
        sql.push_str(" AND invalidated = 0 AND (expiration_ms IS NULL OR expiration_ms > ?)");
        args.push(SqlValue::Integer(filter.now_ms));
    }
    sql.push_str(" ORDER BY creation_ms, id");
    query_all(tx, &sql, params_from_iter(args), decode_key)
}

/// Binds every column but `id` and `version` of `key`, as `?2 ..= ?14`, in `SELECT_KEY` order.
fn key_columns(key: &ApiKeyRecord) -> Result<[SqlValue; 13], StoreError> {
    let text = |s: &str| SqlValue::Text(s.to_owned());
    let opt_int = |v: Option<i64>| v.map_or(SqlValue::Null, SqlValue::Integer);
    Ok([
        key.name.as_deref().map_or(SqlValue::Null, text),
        text(&key.hash),
        SqlValue::Integer(key.creation_ms),
        opt_int(key.expiration_ms),
        SqlValue::Integer(i64::from(key.invalidated)),
        opt_int(key.invalidation_ms),
        text(&key.username),
        text(&key.realm_name),
        text(&key.realm_type),
        SqlValue::Text(encode_json(&key.role_descriptors)?),
        SqlValue::Text(encode_json(&key.limited_by_role_descriptors)?),
        SqlValue::Text(encode_json(&key.metadata)?),
        text(&key.key_type),
    ])
}

pub(crate) fn create(write: &mut WriteTx<'_>, key: &ApiKeyRecord) -> Result<(), StoreError> {
    require_name("api key id", &key.id)?;
    let tx = write.tx();
    if exists(tx, "SELECT 1 FROM api_keys WHERE id = ?1", [&key.id])? {
        return Err(StoreError::Conflict(format!(
            "api key [{}] already exists",
            key.id
        )));
    }
    let mut args = vec![SqlValue::Text(key.id.clone())];
    args.extend(key_columns(key)?);
    args.push(SqlValue::Integer(DOC_FORMAT));
    tx.execute(
        "INSERT INTO api_keys (id, name, hash, creation_ms, expiration_ms, invalidated,
             invalidation_ms, username, realm_name, realm_type, role_descriptors,
             limited_by_role_descriptors, metadata, key_type, format, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 1)",
        params_from_iter(args),
    )?;
    write.bump()?;
    Ok(())
}

pub(crate) fn update(
    write: &mut WriteTx<'_>,
    key: &ApiKeyRecord,
    expected_version: u64,
) -> Result<u64, StoreError> {
    let expected = to_i64("api key version", expected_version)?;
    let tx = write.tx();
    let mut args = vec![SqlValue::Text(key.id.clone())];
    args.extend(key_columns(key)?);
    args.push(SqlValue::Integer(DOC_FORMAT));
    args.push(SqlValue::Integer(expected));
    let changed = tx.execute(
        "UPDATE api_keys SET name = ?2, hash = ?3, creation_ms = ?4, expiration_ms = ?5,
             invalidated = ?6, invalidation_ms = ?7, username = ?8, realm_name = ?9,
             realm_type = ?10, role_descriptors = ?11, limited_by_role_descriptors = ?12,
             metadata = ?13, key_type = ?14, format = ?15, version = version + 1
         WHERE id = ?1 AND version = ?16",
        params_from_iter(args),
    )?;
    if changed == 0 {
        return Err(match get(tx, &key.id)? {
            None => StoreError::NotFound(format!("api key [{}]", key.id)),
            Some(stored) => StoreError::Conflict(format!(
                "api key [{}] is at version {}, not {expected_version}",
                key.id, stored.version
            )),
        });
    }
    write.bump()?;
    expected_version
        .checked_add(1)
        .ok_or_else(|| StoreError::Invalid("api key version overflow".to_owned()))
}

pub(crate) fn invalidate(
    write: &mut WriteTx<'_>,
    ids: &[String],
    now_ms: i64,
) -> Result<Invalidation, StoreError> {
    let mut outcome = Invalidation::default();
    for id in ids {
        let changed = write.tx().execute(
            "UPDATE api_keys SET invalidated = 1, invalidation_ms = ?2, version = version + 1
             WHERE id = ?1 AND invalidated = 0",
            params![id, now_ms],
        )?;
        if write.bump_if(changed)? {
            outcome.invalidated.push(id.clone());
        } else if exists(
            write.tx(),
            "SELECT 1 FROM api_keys WHERE id = ?1 AND invalidated = 1",
            [id],
        )? && !outcome.invalidated.contains(id)
            && !outcome.previously_invalidated.contains(id)
        {
            outcome.previously_invalidated.push(id.clone());
        }
    }
    Ok(outcome)
}
