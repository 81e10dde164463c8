//! Native users and reserved-user state.

use rusqlite::{Row, Transaction, params};

use super::WriteTx;
use super::codec::{
    DOC_FORMAT, check_format, decode_json, encode_json, exists, query_all, query_one, require_name,
};
use crate::error::StoreError;
use crate::records::{ReservedUserState, UserRecord};

const SELECT_USER: &str = "SELECT username, format, password_hash, roles, full_name, email,
    metadata, enabled FROM users";

fn decode_user(row: &Row<'_>) -> Result<UserRecord, StoreError> {
    let username: String = row.get(0)?;
    check_format("user", &username, row.get(1)?)?;
    let roles: String = row.get(3)?;
    let metadata: String = row.get(6)?;
    Ok(UserRecord {
        roles: decode_json("user roles", &username, &roles)?,
        metadata: decode_json("user metadata", &username, &metadata)?,
        password_hash: row.get(2)?,
        full_name: row.get(4)?,
        email: row.get(5)?,
        enabled: row.get(7)?,
        username,
    })
}

pub(crate) fn get(tx: &Transaction<'_>, username: &str) -> Result<Option<UserRecord>, StoreError> {
    let sql = format!("{SELECT_USER} WHERE username = ?1");
    query_one(tx, &sql, [username], decode_user)
}

pub(crate) fn list(tx: &Transaction<'_>) -> Result<Vec<UserRecord>, StoreError> {
    let sql = format!("{SELECT_USER} ORDER BY username");
    query_all(tx, &sql, [], decode_user)
}

pub(crate) fn put(write: &mut WriteTx<'_>, user: &UserRecord) -> Result<bool, StoreError> {
    require_name("user", &user.username)?;
    let tx = write.tx();
    let existed = exists(
        tx,
        "SELECT 1 FROM users WHERE username = ?1",
        [&user.username],
    )?;
    tx.execute(
        "INSERT OR REPLACE INTO users (username, format, password_hash, roles, full_name, email,
             metadata, enabled)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            user.username,
            DOC_FORMAT,
            user.password_hash,
            encode_json(&user.roles)?,
            user.full_name,
            user.email,
            encode_json(&user.metadata)?,
            user.enabled,
        ],
    )?;
    write.bump()?;
    Ok(!existed)
}

pub(crate) fn delete(write: &mut WriteTx<'_>, username: &str) -> Result<bool, StoreError> {
    let changed = write
        .tx()
        .execute("DELETE FROM users WHERE username = ?1", [username])?;
    write.bump_if(changed)
}

pub(crate) fn set_enabled(
    write: &mut WriteTx<'_>,
    username: &str,
    enabled: bool,
) -> Result<bool, StoreError> {
    let changed = write.tx().execute(
        "UPDATE users SET enabled = ?2 WHERE username = ?1",
        params![username, enabled],
    )?;
    write.bump_if(changed)
}

pub(crate) fn set_password(
    write: &mut WriteTx<'_>,
    username: &str,
    password_hash: &str,
) -> Result<bool, StoreError> {
    let changed = write.tx().execute(
        "UPDATE users SET password_hash = ?2 WHERE username = ?1",
        params![username, password_hash],
    )?;
    write.bump_if(changed)
}

const SELECT_RESERVED: &str = "SELECT username, format, password_hash, enabled FROM reserved_users";

fn decode_reserved(row: &Row<'_>) -> Result<ReservedUserState, StoreError> {
    let username: String = row.get(0)?;
    check_format("reserved user", &username, row.get(1)?)?;
    Ok(ReservedUserState {
        password_hash: row.get(2)?,
        enabled: row.get(3)?,
        username,
    })
}

pub(crate) fn get_reserved(
    tx: &Transaction<'_>,
    username: &str,
) -> Result<Option<ReservedUserState>, StoreError> {
    let sql = format!("{SELECT_RESERVED} WHERE username = ?1");
    query_one(tx, &sql, [username], decode_reserved)
}

pub(crate) fn list_reserved(tx: &Transaction<'_>) -> Result<Vec<ReservedUserState>, StoreError> {
    let sql = format!("{SELECT_RESERVED} ORDER BY username");
    query_all(tx, &sql, [], decode_reserved)
}

pub(crate) fn put_reserved(
    write: &mut WriteTx<'_>,
    state: &ReservedUserState,
) -> Result<(), StoreError> {
    require_name("reserved user", &state.username)?;
    write.tx().execute(
        "INSERT OR REPLACE INTO reserved_users (username, format, password_hash, enabled)
         VALUES (?1, ?2, ?3, ?4)",
        params![
            state.username,
            DOC_FORMAT,
            state.password_hash,
            state.enabled
        ],
    )?;
    write.bump()?;
    Ok(())
}
