//! The seam between enforcement and storage. The document engine is `rampart_search::Engine`
//! (tantivy); `AppState.data` holds it and only the handlers of `crate::data` call it, with
//! authorized concrete names and computed restrictions. This module adapts the engine's
//! types to the server's: errors into the ES envelope, [`Restriction`]s into the engine's
//! `Restrictions`, write outcomes into the document-API response shape, and the write
//! parameters (`refresh`, `if_seq_no`, `version`, …) of a request.

use rampart_core::error::EsError;
use rampart_search::{DocWrite, Refresh, Restrictions, SearchError, WriteConditions};
use serde_json::{Value, json};

use super::restrict::Restriction;
use crate::error::ApiError;
use crate::http::Req;

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        let mut out = ApiError::from_es(&e);
        match &e {
            SearchError::IndexNotFound { index } | SearchError::IndexClosed { index } => {
                out = out
                    .with_meta("index", json!(index))
                    .with_meta("resource.type", json!("index_or_alias"))
                    .with_meta("resource.id", json!(index));
                if matches!(e, SearchError::IndexClosed { .. }) {
                    out.reason = "closed".into();
                }
            }
            SearchError::IndexAlreadyExists { index, uuid } => {
                out = out
                    .with_meta("index", json!(index))
                    .with_meta("index_uuid", json!(uuid));
            }
            SearchError::Internal(_) => {
                // Detail was logged by the engine; clients see a generic message.
                out = ApiError::internal(e.reason());
            }
            _ => {}
        }
        out
    }
}

impl From<rampart_query::QueryError> for ApiError {
    fn from(e: rampart_query::QueryError) -> Self {
        ApiError::from_es(&e)
    }
}

/// ES's 404 for a name that does not exist.
pub fn index_not_found(name: &str) -> ApiError {
    SearchError::IndexNotFound {
        index: name.to_string(),
    }
    .into()
}

/// The engine's view of one index's restriction. An alias filter (the caller reached the
/// index through a filtered alias) narrows the documents like a role query does.
pub fn restrictions(
    restriction: &Restriction,
    alias_filter: Option<&rampart_query::Query>,
) -> Restrictions {
    let documents = match (&restriction.documents, alias_filter) {
        (Some(d), Some(a)) => Some(rampart_query::and(d.clone(), a.clone())),
        (Some(d), None) => Some(d.clone()),
        (None, Some(a)) => Some(a.clone()),
        (None, None) => None,
    };
    Restrictions {
        documents,
        fields: restriction.fields.clone(),
    }
}

/// The document-API response body of a write.
pub fn write_json(w: &DocWrite) -> Value {
    let v = w.version();
    let mut out = json!({
        "_index": w.index,
        "_id": w.id,
        "_version": v.version,
        "result": w.result(),
        "_shards": {"total": 1, "successful": 1, "failed": 0},
        "_seq_no": v.seq_no,
        "_primary_term": v.primary_term,
    });
    if w.forced_refresh
        && let Some(o) = out.as_object_mut()
    {
        o.insert("forced_refresh".into(), json!(true));
    }
    out
}

/// The HTTP status of a single-document write.
pub fn write_status(w: &DocWrite) -> u16 {
    match w.result() {
        "created" => 201,
        "not_found" => 404,
        _ => 200,
    }
}

/// The `refresh` parameter (`true`, empty, `wait_for`, `false`).
pub fn refresh_of(value: Option<&str>) -> Result<Refresh, ApiError> {
    match value {
        None | Some("false") => Ok(Refresh::False),
        Some("" | "true") => Ok(Refresh::True),
        Some("wait_for") => Ok(Refresh::WaitFor),
        Some(other) => Err(ApiError::bad_request(format!(
            "Unknown value for refresh: [{other}]."
        ))),
    }
}

/// The request's `refresh` parameter.
pub fn refresh(req: &Req) -> Result<Refresh, ApiError> {
    refresh_of(req.query("refresh"))
}

fn number(name: &str, value: Option<&str>) -> Result<Option<u64>, ApiError> {
    value
        .map(|v| {
            v.parse::<u64>().map_err(|_| {
                ApiError::bad_request(format!(
                    "Failed to parse long parameter [{name}] with value [{v}]"
                ))
            })
        })
        .transpose()
}

/// Optimistic concurrency conditions from `if_seq_no`, `if_primary_term`, `version` and
/// `version_type`, however they were given (URL parameters or bulk metadata).
pub fn conditions(get: &dyn Fn(&str) -> Option<String>) -> Result<WriteConditions, ApiError> {
    let if_seq_no = number("if_seq_no", get("if_seq_no").as_deref())?;
    let if_primary_term = number("if_primary_term", get("if_primary_term").as_deref())?;
    if if_seq_no.is_some() != if_primary_term.is_some() {
        let missing = if if_seq_no.is_some() {
            "ifPrimaryTerm"
        } else {
            "ifSeqNo"
        };
        return Err(ApiError::validation(&[format!(
            "{missing} is unassigned, but ifSeqNo/ifPrimaryTerm must be set together"
        )]));
    }
    let version = number("version", get("version").as_deref())?;
    let (external_version, external_gte) = match (version, get("version_type").as_deref()) {
        (None, None | Some("internal")) => (None, false),
        (Some(v), Some("external")) => (Some(v), false),
        (Some(v), Some("external_gte")) => (Some(v), true),
        (Some(_), None | Some("internal")) => {
            return Err(ApiError::validation(&[
                "internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead".into(),
            ]));
        }
        (None, Some("external" | "external_gte")) => {
            return Err(ApiError::validation(&[
                "an external version must be provided with version_type [external]".into(),
            ]));
        }
        (_, Some(other)) => {
            return Err(ApiError::bad_request(format!(
                "No version type match [{other}]"
            )));
        }
    };
    Ok(WriteConditions {
        if_seq_no,
        if_primary_term,
        external_version,
        external_gte,
    })
}

/// The write conditions of a request's URL parameters.
pub fn url_conditions(req: &Req) -> Result<WriteConditions, ApiError> {
    conditions(&|k| req.query(k).map(String::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(pairs: &[(&str, &str)]) -> Result<WriteConditions, ApiError> {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        conditions(&|k| owned.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn write_conditions_follow_es_rules() {
        assert_eq!(of(&[]).unwrap(), WriteConditions::default());
        let c = of(&[("if_seq_no", "3"), ("if_primary_term", "1")]).unwrap();
        assert_eq!((c.if_seq_no, c.if_primary_term), (Some(3), Some(1)));
        assert_eq!(of(&[("if_seq_no", "3")]).unwrap_err().status, 400);
        let c = of(&[("version", "7"), ("version_type", "external")]).unwrap();
        assert_eq!((c.external_version, c.external_gte), (Some(7), false));
        assert!(
            of(&[("version", "7")])
                .unwrap_err()
                .reason
                .contains("internal versioning")
        );
        assert_eq!(
            of(&[("if_seq_no", "x"), ("if_primary_term", "1")])
                .unwrap_err()
                .status,
            400
        );
    }

    #[test]
    fn refresh_values() {
        assert_eq!(refresh_of(None).unwrap(), Refresh::False);
        assert_eq!(refresh_of(Some("")).unwrap(), Refresh::True);
        assert_eq!(refresh_of(Some("wait_for")).unwrap(), Refresh::WaitFor);
        assert!(refresh_of(Some("soon")).is_err());
    }

    #[test]
    fn engine_errors_keep_es_type_status_and_metadata() {
        let e: ApiError = SearchError::IndexNotFound { index: "x".into() }.into();
        assert_eq!(
            (e.status, e.es_type.as_str()),
            (404, "index_not_found_exception")
        );
        assert_eq!(e.body()["error"]["index"], "x");
        let e: ApiError = SearchError::Internal("disk detail".into()).into();
        assert_eq!(e.status, 500);
        assert!(!e.reason.contains("disk detail"));
    }
}
