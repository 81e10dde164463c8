//! Conversions between stored columns and records. Everything read from disk is checked: a bad
//! row becomes `StoreError::Corrupt`, never a panic.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::StoreError;

/// The shape version of documents this binary writes. Rows with a higher `format` were
/// written by a newer binary and are refused rather than misread.
pub(crate) const DOC_FORMAT: i64 = 1;

pub(crate) fn check_format(what: &str, key: &str, format: i64) -> Result<(), StoreError> {
    if (1..=DOC_FORMAT).contains(&format) {
        Ok(())
    } else {
        Err(StoreError::Corrupt(format!(
            "{what} [{key}] has document format {format}; this binary reads up to {DOC_FORMAT}"
        )))
    }
}

pub(crate) fn decode_json<T: DeserializeOwned>(
    what: &str,
    key: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text)
        .map_err(|err| StoreError::Corrupt(format!("{what} [{key}] holds bad JSON: {err}")))
}

pub(crate) fn encode_json<T: Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|err| StoreError::Invalid(format!("cannot encode JSON: {err}")))
}

/// Counters are `u64` in the API but SQLite integers are signed.
pub(crate) fn to_u64(what: &str, value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what} is negative ({value})")))
}

pub(crate) fn to_i64(what: &str, value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::Invalid(format!("{what} too large ({value})")))
}

/// Names are keys; an empty one could never be addressed again through the API.
pub(crate) fn require_name(what: &str, name: &str) -> Result<(), StoreError> {
    if name.is_empty() {
        Err(StoreError::Invalid(format!(
            "{what} name must not be empty"
        )))
    } else {
        Ok(())
    }
}

/// A list of strings as one JSON parameter, for `IN (SELECT value FROM json_each(?))`.
pub(crate) fn json_list(items: &[String]) -> Result<String, StoreError> {
    encode_json(items)
}

/// Runs a query and decodes every row (decoding can fail, so `query_map` does not fit).
pub(crate) fn query_all<T, P: rusqlite::Params>(
    tx: &rusqlite::Transaction<'_>,
    sql: &str,
    params: P,
    decode: impl Fn(&rusqlite::Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = tx.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

/// Runs a query expected to match at most one row.
pub(crate) fn query_one<T, P: rusqlite::Params>(
    tx: &rusqlite::Transaction<'_>,
    sql: &str,
    params: P,
    decode: impl Fn(&rusqlite::Row<'_>) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    let mut stmt = tx.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    rows.next()?.map(decode).transpose()
}

/// Whether a query matches any row.
pub(crate) fn exists<P: rusqlite::Params>(
    tx: &rusqlite::Transaction<'_>,
    sql: &str,
    params: P,
) -> Result<bool, StoreError> {
    let mut stmt = tx.prepare_cached(sql)?;
    Ok(stmt.exists(params)?)
}
