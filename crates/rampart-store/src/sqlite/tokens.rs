//! OAuth2 access/refresh tokens and service-account tokens, stored by hash.

use rusqlite::{Row, Transaction, params, params_from_iter};

use super::WriteTx;
use super::codec::{
    DOC_FORMAT, check_format, decode_json, encode_json, exists, query_all, query_one, require_name,
    to_u64,
};
use crate::error::StoreError;
use crate::records::{ServiceTokenRecord, TokenInvalidation, TokenRecord, TokenSelector};

const SELECT_TOKEN: &str = "SELECT access_hash, format, refresh_hash, username, realm_name,
    realm_type, authentication, creation_ms, expiration_ms, invalidated, refresh_used
    FROM tokens";

fn decode_token(row: &Row<'_>) -> Result<TokenRecord, StoreError> {
    let access_hash: String = row.get(0)?;
    check_format("token", &access_hash, row.get(1)?)?;
    let authentication: String = row.get(6)?;
    Ok(TokenRecord {
        authentication: decode_json("token authentication", &access_hash, &authentication)?,
        refresh_hash: row.get(2)?,
        username: row.get(3)?,
        realm_name: row.get(4)?,
        realm_type: row.get(5)?,
        creation_ms: row.get(7)?,
        expiration_ms: row.get(8)?,
        invalidated: row.get(9)?,
        refresh_used: row.get(10)?,
        access_hash,
    })
}

pub(crate) fn get_by_access(
    tx: &Transaction<'_>,
    access_hash: &str,
) -> Result<Option<TokenRecord>, StoreError> {
    let sql = format!("{SELECT_TOKEN} WHERE access_hash = ?1");
    query_one(tx, &sql, [access_hash], decode_token)
}

pub(crate) fn get_by_refresh(
    tx: &Transaction<'_>,
    refresh_hash: &str,
) -> Result<Option<TokenRecord>, StoreError> {
    let sql = format!("{SELECT_TOKEN} WHERE refresh_hash = ?1");
    query_one(tx, &sql, [refresh_hash], decode_token)
}

pub(crate) fn create(write: &mut WriteTx<'_>, token: &TokenRecord) -> Result<(), StoreError> {
    require_name("token access hash", &token.access_hash)?;
    let tx = write.tx();
    let duplicate = exists(
        tx,
        "SELECT 1 FROM tokens WHERE access_hash = ?1 OR refresh_hash = ?2",
        params![token.access_hash, token.refresh_hash],
    )?;
    if duplicate {
        return Err(StoreError::Conflict(
            "a token with this access or refresh hash already exists".to_owned(),
        ));
    }
    tx.execute(
        "INSERT INTO tokens (access_hash, format, refresh_hash, username, realm_name, realm_type,
             authentication, creation_ms, expiration_ms, invalidated, refresh_used)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            token.access_hash,
            DOC_FORMAT,
            token.refresh_hash,
            token.username,
            token.realm_name,
            token.realm_type,
            encode_json(&token.authentication)?,
            token.creation_ms,
            token.expiration_ms,
            token.invalidated,
            token.refresh_used,
        ],
    )?;
    write.bump()?;
    Ok(())
}

/// Check and mark happen under the single writer lock in one transaction, so two concurrent
/// refreshes cannot both see the token unused.
pub(crate) fn use_refresh(
    write: &mut WriteTx<'_>,
    refresh_hash: &str,
) -> Result<TokenRecord, StoreError> {
    let token = get_by_refresh(write.tx(), refresh_hash)?
        .ok_or_else(|| StoreError::NotFound("refresh token".to_owned()))?;
    if token.refresh_used {
        return Err(StoreError::Conflict(
            "refresh token has already been used".to_owned(),
        ));
    }
    if token.invalidated {
        return Err(StoreError::Conflict(
            "refresh token has been invalidated".to_owned(),
        ));
    }
    write.tx().execute(
        "UPDATE tokens SET refresh_used = 1 WHERE access_hash = ?1",
        [&token.access_hash],
    )?;
    write.bump()?;
    Ok(token)
}

/// The `WHERE` clause and its arguments selecting the tokens of `selector`.
fn selector_clause(selector: &TokenSelector) -> (&'static str, Vec<Option<&str>>) {
    match selector {
        TokenSelector::AccessHash(hash) => ("access_hash = ?1", vec![Some(hash.as_str())]),
        TokenSelector::RefreshHash(hash) => ("refresh_hash = ?1", vec![Some(hash.as_str())]),
        TokenSelector::Username(username) => ("username = ?1", vec![Some(username.as_str())]),
        TokenSelector::Realm {
            realm_name,
            username,
        } => (
            "realm_name = ?1 AND (?2 IS NULL OR username = ?2)",
            vec![Some(realm_name.as_str()), username.as_deref()],
        ),
    }
}

pub(crate) fn invalidate(
    write: &mut WriteTx<'_>,
    selector: &TokenSelector,
) -> Result<TokenInvalidation, StoreError> {
    let (clause, args) = selector_clause(selector);
    let previously: i64 = write.tx().query_row(
        &format!("SELECT COUNT(*) FROM tokens WHERE invalidated = 1 AND {clause}"),
        params_from_iter(args.iter()),
        |row| row.get(0),
    )?;
    let changed = write.tx().execute(
        &format!("UPDATE tokens SET invalidated = 1 WHERE invalidated = 0 AND {clause}"),
        params_from_iter(args.iter()),
    )?;
    write.bump_if(changed)?;
    Ok(TokenInvalidation {
        invalidated: changed as u64,
        previously_invalidated: to_u64("token count", previously)?,
    })
}

// ---- service-account tokens ----

const SELECT_SERVICE_TOKEN: &str =
    "SELECT namespace, service, name, format, hash, creation_ms FROM service_tokens";

fn decode_service_token(row: &Row<'_>) -> Result<ServiceTokenRecord, StoreError> {
    let namespace: String = row.get(0)?;
    let service: String = row.get(1)?;
    let name: String = row.get(2)?;
    check_format(
        "service token",
        &format!("{namespace}/{service}/{name}"),
        row.get(3)?,
    )?;
    Ok(ServiceTokenRecord {
        hash: row.get(4)?,
        creation_ms: row.get(5)?,
        namespace,
        service,
        name,
    })
}

pub(crate) fn get_service_token(
    tx: &Transaction<'_>,
    namespace: &str,
    service: &str,
    name: &str,
) -> Result<Option<ServiceTokenRecord>, StoreError> {
    let sql = format!("{SELECT_SERVICE_TOKEN} WHERE namespace = ?1 AND service = ?2 AND name = ?3");
    query_one(tx, &sql, [namespace, service, name], decode_service_token)
}

pub(crate) fn list_service_tokens(
    tx: &Transaction<'_>,
    namespace: &str,
    service: &str,
) -> Result<Vec<ServiceTokenRecord>, StoreError> {
    let sql = format!("{SELECT_SERVICE_TOKEN} WHERE namespace = ?1 AND service = ?2 ORDER BY name");
    query_all(tx, &sql, [namespace, service], decode_service_token)
}

pub(crate) fn create_service_token(
    write: &mut WriteTx<'_>,
    token: &ServiceTokenRecord,
) -> Result<(), StoreError> {
    require_name("service token", &token.name)?;
    let tx = write.tx();
    let key = [&token.namespace, &token.service, &token.name];
    if exists(
        tx,
        "SELECT 1 FROM service_tokens WHERE namespace = ?1 AND service = ?2 AND name = ?3",
        key,
    )? {
        return Err(StoreError::Conflict(format!(
            "service token [{}/{}/{}] already exists",
            token.namespace, token.service, token.name
        )));
    }
    tx.execute(
        "INSERT INTO service_tokens (namespace, service, name, format, hash, creation_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            token.namespace,
            token.service,
            token.name,
            DOC_FORMAT,
            token.hash,
            token.creation_ms
        ],
    )?;
    write.bump()?;
    Ok(())
}

pub(crate) fn delete_service_token(
    write: &mut WriteTx<'_>,
    namespace: &str,
    service: &str,
    name: &str,
) -> Result<bool, StoreError> {
    let changed = write.tx().execute(
        "DELETE FROM service_tokens WHERE namespace = ?1 AND service = ?2 AND name = ?3",
        [namespace, service, name],
    )?;
    write.bump_if(changed)
}
