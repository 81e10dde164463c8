//! What cannot be made safe for a caller under DLS or FLS in gateway mode, refused with a
//! clear 400 before anything is sent upstream. The embedded engine can enforce some of these
//! inside its own execution; a gateway only sees requests, so it refuses whatever could run
//! code, read other documents, escape the injected filter or reveal hidden fields.

use rampart_core::error::EsError;
use serde_json::Value;

/// Elasticsearch's own messages where it has one (section 7.5 of the facts).
pub const SUGGEST: &str = "Suggest isn't supported if document level security is enabled";
pub const PROFILE: &str =
    "A search request cannot be profiled if document level security is enabled";
pub const UPDATE: &str =
    "Can't execute an update request if field or document level security is enabled";

/// A refused request: 400 `security_exception`, as Elasticsearch answers its own refusals.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

impl EsError for Refusal {
    fn es_type(&self) -> &'static str {
        "security_exception"
    }
    fn status(&self) -> u16 {
        400
    }
}

pub(super) fn refused(what: &str) -> Refusal {
    Refusal(format!(
        "{what} is not allowed when document or field level security applies"
    ))
}

/// Endpoints other than search that a restricted caller may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Explain,
    TermVectors,
    /// `_update`, scripted or not.
    Update,
    UpdateByQuery,
    DeleteByQuery,
}

/// Refuses an operation for a caller restricted on the target (`dls`/`fls`: which apply).
pub fn check_operation(
    operation: Operation,
    dls: bool,
    fls: bool,
    body: Option<&Value>,
) -> Result<(), Refusal> {
    if !dls && !fls {
        return Ok(());
    }
    match operation {
        // The explanation names the filter's clauses and the hidden fields' terms.
        Operation::Explain => Err(refused("[_explain]")),
        // Term vectors read any field of a document, bypassing both the filter and `_source`.
        Operation::TermVectors => Err(refused("[_termvectors]")),
        // Elasticsearch refuses every update (scripted or not) with one message.
        Operation::Update => Err(Refusal(UPDATE.into())),
        Operation::UpdateByQuery if fls => {
            Err(refused("[_update_by_query] under field level security"))
        }
        Operation::UpdateByQuery | Operation::DeleteByQuery => match body.map(check_search_body) {
            Some(Err(e)) => Err(e),
            _ if body.is_some_and(|b| b.get("script").is_some()) => Err(refused("a [script]")),
            _ => Ok(()),
        },
    }
}

/// Refuses search bodies that cannot be made safe under DLS/FLS. Run on the raw JSON
/// before parsing, so features our parser does not know are refused by name too.
pub fn check_search_body(body: &Value) -> Result<(), Refusal> {
    let Some(top) = body.as_object() else {
        return Ok(());
    };
    if top.contains_key("suggest") {
        return Err(Refusal(SUGGEST.into()));
    }
    if top
        .get("profile")
        .is_some_and(|p| p.as_bool() == Some(true))
    {
        return Err(Refusal(PROFILE.into()));
    }
    for (key, what) in [
        ("script_fields", "[script_fields]"),
        ("runtime_mappings", "[runtime_mappings]"),
        ("knn", "[knn] search"),
        ("rescore", "[rescore]"),
        ("collapse", "[collapse]"),
        ("indices_boost", "[indices_boost]"),
        ("stats", "[stats] groups"),
    ] {
        if top.contains_key(key) {
            return Err(refused(what));
        }
    }
    if top
        .get("explain")
        .is_some_and(|e| e.as_bool() == Some(true))
    {
        return Err(refused("[explain]"));
    }
    for key in ["query", "post_filter"] {
        if let Some(query) = top.get(key) {
            check_query(query)?;
        }
    }
    if let Some(sort) = top.get("sort") {
        check_sort(sort)?;
    }
    if let Some(highlight) = top.get("highlight") {
        check_highlight(highlight)?;
    }
    for key in ["aggs", "aggregations"] {
        if let Some(aggs) = top.get(key) {
            check_aggs(aggs)?;
        }
    }
    Ok(())
}

/// Walks a query through its compound clauses (a leaf's own parameters are not queries, so
/// a field named `script` is fine): refuses scripts, percolation, terms lookup,
/// `more_like_this` on stored documents, joins and knn, at any depth.
fn check_query(query: &Value) -> Result<(), Refusal> {
    let Some(map) = query.as_object() else {
        return match query {
            Value::Array(items) => items.iter().try_for_each(check_query),
            _ => Ok(()),
        };
    };
    for (kind, body) in map {
        match kind.as_str() {
            "script" | "script_score" | "function_score" | "percolate" | "knn" | "terms_set"
            | "has_child" | "has_parent" | "parent_id" | "wrapper" => {
                return Err(refused(&format!("a [{kind}] query")));
            }
            "terms" if is_terms_lookup(body) => return Err(refused("a [terms] lookup")),
            "more_like_this" | "mlt" if likes_stored_documents(body) => {
                return Err(refused("[more_like_this] on stored documents"));
            }
            "geo_shape" if body.to_string().contains("\"indexed_shape\"") => {
                return Err(refused("[geo_shape] on an indexed shape"));
            }
            "bool" => {
                for clause in ["must", "should", "filter", "must_not"] {
                    if let Some(sub) = body.get(clause) {
                        check_query(sub)?;
                    }
                }
            }
            "constant_score" => check_sub(body, "filter")?,
            "dis_max" => check_sub(body, "queries")?,
            "boosting" => {
                check_sub(body, "positive")?;
                check_sub(body, "negative")?;
            }
            "nested" => check_sub(body, "query")?,
            _ => {}
        }
    }
    Ok(())
}

fn check_sub(body: &Value, key: &str) -> Result<(), Refusal> {
    body.get(key).map_or(Ok(()), check_query)
}

/// `terms: {field: {index, id, path}}`: values read from another document.
fn is_terms_lookup(terms: &Value) -> bool {
    terms
        .as_object()
        .is_some_and(|o| o.values().any(Value::is_object))
}

/// `like`/`unlike` items that are documents (`_id` or `doc`) rather than text.
fn likes_stored_documents(mlt: &Value) -> bool {
    ["like", "unlike", "ids", "docs"].iter().any(|key| {
        mlt.get(key).is_some_and(|v| match v {
            Value::Array(items) => items.iter().any(Value::is_object),
            Value::Object(_) => true,
            _ => *key == "ids" || *key == "docs",
        })
    })
}

fn check_sort(sort: &Value) -> Result<(), Refusal> {
    let items = match sort {
        Value::Array(items) => items.as_slice(),
        other => std::slice::from_ref(other),
    };
    for item in items {
        if item.get("_script").is_some() {
            return Err(refused("a [_script] sort"));
        }
    }
    Ok(())
}

fn check_highlight(highlight: &Value) -> Result<(), Refusal> {
    // A highlight query runs a second query the DLS filter does not wrap.
    if highlight.to_string().contains("\"highlight_query\"") {
        return Err(refused("a [highlight_query]"));
    }
    Ok(())
}

/// Walks aggregations: `global` escapes the query (and so the DLS filter); scripts run code;
/// `significant_text` and friends read raw field contents.
fn check_aggs(aggs: &Value) -> Result<(), Refusal> {
    let Some(aggs) = aggs.as_object() else {
        return Ok(());
    };
    for definition in aggs.values() {
        let Some(definition) = definition.as_object() else {
            continue;
        };
        for (kind, body) in definition {
            match kind.as_str() {
                "aggs" | "aggregations" => check_aggs(body)?,
                "meta" => {}
                "global" => return Err(refused("a [global] aggregation")),
                "scripted_metric" | "bucket_script" | "bucket_selector" => {
                    return Err(refused(&format!("a [{kind}] aggregation")));
                }
                "significant_text" | "significant_terms" => {
                    return Err(refused(&format!("a [{kind}] aggregation")));
                }
                "filter" => check_query(body)?,
                _ => {
                    if body.get("script").is_some() || body.get("script_fields").is_some() {
                        return Err(refused(&format!("a script in a [{kind}] aggregation")));
                    }
                    if let Some(filters) = body.get("filters") {
                        check_query(filters)?;
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reason(body: Value) -> String {
        check_search_body(&body).unwrap_err().reason()
    }

    #[test]
    fn es_messages_for_suggest_and_profile() {
        assert_eq!(reason(json!({"suggest": {}})), SUGGEST);
        assert_eq!(reason(json!({"profile": true})), PROFILE);
        assert!(check_search_body(&json!({"profile": false})).is_ok());
    }

    #[test]
    fn every_refusal_is_a_400_security_exception() {
        let err = check_search_body(&json!({"runtime_mappings": {}})).unwrap_err();
        assert_eq!((err.status(), err.es_type()), (400, "security_exception"));
        assert_eq!(
            err.reason(),
            "[runtime_mappings] is not allowed when document or field level security applies"
        );
    }

    #[test]
    fn refusals_are_found_at_any_depth() {
        let nested =
            |leaf: Value| json!({"query": {"bool": {"filter": [{"bool": {"should": [leaf]}}]}}});
        for (leaf, what) in [
            (json!({"script": {"script": "true"}}), "[script]"),
            (json!({"percolate": {"field": "q"}}), "[percolate]"),
            (
                json!({"terms": {"user": {"index": "u", "id": "1", "path": "p"}}}),
                "[terms] lookup",
            ),
            (
                json!({"more_like_this": {"like": [{"_index": "i", "_id": "1"}]}}),
                "[more_like_this]",
            ),
            (json!({"knn": {"field": "v"}}), "[knn]"),
        ] {
            let text = reason(nested(leaf));
            assert!(text.contains(what), "{text}");
        }
    }

    #[test]
    fn harmless_lookalikes_pass() {
        for body in [
            json!({"query": {"terms": {"user": ["a", "b"]}}}),
            json!({"query": {"more_like_this": {"like": ["some text"], "fields": ["t"]}}}),
            // A field called `script` inside a leaf is not a script query.
            json!({"query": {"bool": {"must": [{"match": {"script": "text"}}]}}}),
            json!({"aggs": {"t": {"terms": {"field": "f"}}}}),
        ] {
            let result = check_search_body(&body);
            assert!(result.is_ok(), "{body}: {result:?}");
        }
    }

    #[test]
    fn aggregation_refusals() {
        assert!(reason(json!({"aggs": {"all": {"global": {}}}})).contains("[global]"));
        assert!(
            reason(
                json!({"aggs": {"t": {"terms": {"field": "f"}, "aggs": {"g": {"global": {}}}}}})
            )
            .contains("[global]")
        );
        assert!(reason(json!({"aggs": {"s": {"sum": {"script": "1"}}}})).contains("script"));
        let top_hits =
            json!({"aggs": {"t": {"top_hits": {"script_fields": {"x": {"script": "1"}}}}}});
        assert!(reason(top_hits).contains("script"));
        assert!(
            reason(json!({"aggs": {"f": {"filter": {"script": {"script": "x"}}}}}))
                .contains("[script]")
        );
    }

    #[test]
    fn operations() {
        assert!(check_operation(Operation::Explain, false, false, None).is_ok());
        assert!(check_operation(Operation::Explain, true, false, None).is_err());
        assert!(check_operation(Operation::TermVectors, false, true, None).is_err());
        let scripted = json!({"script": {"source": "ctx._source.x = 1"}});
        let err = check_operation(Operation::Update, true, false, Some(&scripted)).unwrap_err();
        assert_eq!(err.0, UPDATE);
        let partial = json!({"doc": {"x": 1}});
        let err = check_operation(Operation::Update, true, false, Some(&partial)).unwrap_err();
        assert_eq!(err.0, UPDATE);
        assert!(check_operation(Operation::UpdateByQuery, false, true, None).is_err());
        assert!(check_operation(Operation::UpdateByQuery, true, false, Some(&json!({}))).is_ok());
        assert!(check_operation(Operation::UpdateByQuery, true, false, Some(&scripted)).is_err());
        assert!(check_operation(Operation::UpdateByQuery, false, false, Some(&scripted)).is_ok());
    }
}
