//! Other security documents (Kibana spaces, user profiles, settings): opaque JSON keyed by
//! (kind, id), each row with its own `seq_no` for optimistic concurrency.

use rusqlite::{Row, Transaction, params};
use serde_json::Value;

use super::WriteTx;
use super::codec::{
    DOC_FORMAT, check_format, decode_json, encode_json, query_all, query_one, require_name, to_i64,
    to_u64,
};
use crate::error::StoreError;
use crate::records::{ObjectDoc, WriteCondition};

const SELECT_OBJECT: &str = "SELECT kind, id, format, seq_no, doc FROM objects";

fn decode_object(row: &Row<'_>) -> Result<ObjectDoc, StoreError> {
    let kind: String = row.get(0)?;
    let id: String = row.get(1)?;
    check_format(&kind, &id, row.get(2)?)?;
    let doc: String = row.get(4)?;
    Ok(ObjectDoc {
        doc: decode_json(&kind, &id, &doc)?,
        seq_no: to_u64("object seq_no", row.get(3)?)?,
        kind,
        id,
    })
}

pub(crate) fn get(
    tx: &Transaction<'_>,
    kind: &str,
    id: &str,
) -> Result<Option<ObjectDoc>, StoreError> {
    let sql = format!("{SELECT_OBJECT} WHERE kind = ?1 AND id = ?2");
    query_one(tx, &sql, [kind, id], decode_object)
}

pub(crate) fn list(tx: &Transaction<'_>, kind: &str) -> Result<Vec<ObjectDoc>, StoreError> {
    let sql = format!("{SELECT_OBJECT} WHERE kind = ?1 ORDER BY id");
    query_all(tx, &sql, [kind], decode_object)
}

pub(crate) fn put(
    write: &mut WriteTx<'_>,
    kind: &str,
    id: &str,
    doc: &Value,
    condition: WriteCondition,
) -> Result<u64, StoreError> {
    require_name("object kind", kind)?;
    require_name(kind, id)?;
    let tx = write.tx();
    let current = query_one(
        tx,
        "SELECT seq_no FROM objects WHERE kind = ?1 AND id = ?2",
        [kind, id],
        |row| to_u64("object seq_no", row.get(0)?),
    )?;
    match (condition, current) {
        (WriteCondition::Absent, Some(_)) => {
            return Err(StoreError::Conflict(format!(
                "{kind} [{id}] already exists"
            )));
        }
        (WriteCondition::SeqNo(expected), found) if found != Some(expected) => {
            return Err(StoreError::Conflict(format!(
                "{kind} [{id}]: expected seq_no {expected}, found {}",
                found.map_or_else(|| "none".to_owned(), |n| n.to_string())
            )));
        }
        _ => {}
    }
    let seq_no = current.unwrap_or(0).saturating_add(1);
    tx.execute(
        "INSERT OR REPLACE INTO objects (kind, id, format, seq_no, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![kind, id, DOC_FORMAT, to_i64("object seq_no", seq_no)?, encode_json(doc)?],
    )?;
    Ok(seq_no)
}

pub(crate) fn delete(write: &mut WriteTx<'_>, kind: &str, id: &str) -> Result<bool, StoreError> {
    let changed = write.tx().execute(
        "DELETE FROM objects WHERE kind = ?1 AND id = ?2",
        [kind, id],
    )?;
    Ok(changed > 0)
}
