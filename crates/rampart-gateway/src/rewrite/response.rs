//! Field-level security on the upstream's answers: every hit's `_source`, `fields` and
//! `highlight` filtered with the field set of the hit's own index, recursively through inner
//! hits and `top_hits` aggregation results.

use std::collections::BTreeMap;

use rampart_core::fls::FieldPermissions;
use serde_json::{Map, Value};

use super::Target;
use super::remote::{self, Region};

/// The field sets of one request's targets.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseFilter {
    per_index: BTreeMap<String, FieldPermissions>,
    /// Remote targets (`alias:pattern`): a hit's index is matched against their regions.
    remote: Vec<(Region, FieldPermissions)>,
    /// Every target's name, by position (what the regions refer to).
    names: Vec<String>,
    /// For hits whose index is not a known target: the intersection of all (fail closed).
    fallback: FieldPermissions,
}

impl ResponseFilter {
    pub fn new(targets: &[Target]) -> Self {
        let fields = |t: &Target| {
            t.restrictions
                .fields
                .clone()
                .unwrap_or_else(FieldPermissions::unrestricted)
        };
        let per_index = targets
            .iter()
            .filter(|t| !remote::is_remote(&t.index))
            .map(|t| (t.index.clone(), fields(t)))
            .collect();
        // A search planned over these targets was refused if their regions are ambiguous;
        // other callers (scroll pages) fall back to plain patterns, and a hit two of them
        // claim with different field sets gets the fallback.
        let regions = remote::regions(targets).unwrap_or_else(|_| {
            (0..targets.len())
                .filter(|&i| targets.get(i).is_some_and(|t| remote::is_remote(&t.index)))
                .map(|target| Region {
                    target,
                    excluded: Vec::new(),
                    cluster: None,
                })
                .collect()
        });
        let remote = regions
            .into_iter()
            .filter_map(|r| targets.get(r.target).map(|t| (r, fields(t))))
            .collect();
        let names = targets.iter().map(|t| t.index.clone()).collect();
        let fallback = targets
            .iter()
            .map(fields)
            .reduce(|a, b| a.intersect(&b))
            .unwrap_or_else(FieldPermissions::unrestricted);
        Self {
            per_index,
            remote,
            names,
            fallback,
        }
    }

    fn for_index(&self, index: Option<&str>) -> &FieldPermissions {
        let Some(index) = index else {
            return &self.fallback;
        };
        if !remote::is_remote(index) {
            return self.per_index.get(index).unwrap_or(&self.fallback);
        }
        let mut owners = self
            .remote
            .iter()
            .filter(|(region, _)| region.contains(&self.names, index))
            .map(|(_, fields)| fields);
        match owners.next() {
            Some(first) if owners.all(|f| f == first) => first,
            _ => &self.fallback,
        }
    }
}

/// Filters a `_search` (or scroll) answer in place.
pub fn filter_search_response(body: &mut Value, filter: &ResponseFilter) {
    if let Some(hits) = body.pointer_mut("/hits/hits").and_then(Value::as_array_mut) {
        hits.iter_mut().for_each(|hit| filter_hit(hit, filter));
    }
    if let Some(aggs) = body.get_mut("aggregations") {
        filter_aggregations(aggs, filter);
    }
}

const SOURCE: &str = "_source";
const FIELDS: &str = "fields";
const HIGHLIGHT: &str = "highlight";
const IGNORED: &str = "_ignored";
const EXPLANATION: &str = "_explanation";
const INNER_HITS: &str = "inner_hits";

/// Every key of a hit that `filter_hit` may change or remove (besides reading `_index`); the
/// byte-level path (`response_bytes`) parses exactly these and copies the others, so a key
/// filtered here must be listed here.
pub(super) const HIT_FILTERED_KEYS: [&str; 6] =
    [SOURCE, FIELDS, HIGHLIGHT, IGNORED, EXPLANATION, INNER_HITS];

/// Filters one document answer (`GET _doc`, an `mget` item, a hit).
pub fn filter_document(doc: &mut Value, fields: &FieldPermissions) {
    let Some(object) = doc.as_object_mut() else {
        return;
    };
    if let Some(source) = object.get_mut(SOURCE) {
        *source = fields.filter_source(source);
    }
    for key in [FIELDS, HIGHLIGHT] {
        if let Some(Value::Object(values)) = object.get_mut(key) {
            values.retain(|name, _| fields.permits(name));
        }
    }
    // `_ignored` lists field names that failed to index; hidden ones must not show.
    if let Some(Value::Array(names)) = object.get_mut(IGNORED) {
        names.retain(|name| name.as_str().is_some_and(|n| fields.permits(n)));
    }
    // Explanations name terms of the hidden fields; explain is refused anyway.
    object.shift_remove(EXPLANATION);
}

pub(super) fn filter_hit(hit: &mut Value, filter: &ResponseFilter) {
    let index = hit.get("_index").and_then(Value::as_str).map(str::to_owned);
    filter_document(hit, filter.for_index(index.as_deref()));
    if let Some(Value::Object(inner)) = hit.get_mut(INNER_HITS) {
        for result in inner.values_mut() {
            filter_search_response(result, filter);
        }
    }
}

/// Walks aggregation results: any `hits.hits` found (a `top_hits` result) is filtered.
pub(super) fn filter_aggregations(value: &mut Value, filter: &ResponseFilter) {
    match value {
        Value::Object(map) => {
            if is_top_hits(map) {
                if let Some(hits) = map
                    .get_mut("hits")
                    .and_then(|h| h.get_mut("hits"))
                    .and_then(Value::as_array_mut)
                {
                    hits.iter_mut().for_each(|hit| filter_hit(hit, filter));
                }
                return;
            }
            map.values_mut()
                .for_each(|child| filter_aggregations(child, filter));
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|child| filter_aggregations(child, filter)),
        _ => {}
    }
}

fn is_top_hits(map: &Map<String, Value>) -> bool {
    map.get("hits")
        .and_then(|h| h.get("hits"))
        .is_some_and(Value::is_array)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rewrite::IndexRestrictions;
    use rampart_core::fls::FieldSecurityDef;
    use serde_json::json;

    fn fls(grant: &[&str]) -> FieldPermissions {
        FieldSecurityDef::new(grant.to_vec(), Vec::<String>::new())
            .compile()
            .unwrap()
    }

    fn target(index: &str, fields: Option<FieldPermissions>) -> Target {
        Target {
            index: index.into(),
            restrictions: IndexRestrictions {
                documents: None,
                fields,
            },
        }
    }

    #[test]
    fn each_hit_is_filtered_by_its_own_index() {
        let filter = ResponseFilter::new(&[target("a", Some(fls(&["public"]))), target("b", None)]);
        let mut body = json!({"hits": {"hits": [
            {"_index": "a", "_source": {"public": 1, "secret": 2}, "_ignored": ["secret", "public"],
             "fields": {"public": [1], "secret": [2]},
             "highlight": {"secret": ["<em>x</em>"], "public": ["y"]}},
            {"_index": "b", "_source": {"public": 1, "secret": 2}},
            {"_index": "elsewhere", "_source": {"public": 1, "secret": 2}}
        ]}});
        filter_search_response(&mut body, &filter);
        let hits = &body["hits"]["hits"];
        assert_eq!(hits[0]["_source"], json!({"public": 1}));
        assert_eq!(hits[0]["fields"], json!({"public": [1]}));
        assert_eq!(hits[0]["_ignored"], json!(["public"]));
        assert_eq!(hits[0]["highlight"], json!({"public": ["y"]}));
        assert_eq!(hits[1]["_source"], json!({"public": 1, "secret": 2}));
        assert_eq!(
            hits[2]["_source"],
            json!({"public": 1}),
            "an unknown index gets the intersection"
        );
    }

    #[test]
    fn top_hits_and_inner_hits_are_filtered() {
        let filter = ResponseFilter::new(&[target("a", Some(fls(&["public"])))]);
        let mut body = json!({
            "hits": {"hits": [{"_index": "a", "_source": {"public": 1},
                "inner_hits": {"x": {"hits": {"hits": [{"_index": "a", "_source": {"secret": 1, "public": 2}}]}}}}]},
            "aggregations": {"by": {"buckets": [{"key": "k", "top": {"hits": {"total": {"value": 1},
                "hits": [{"_index": "a", "_source": {"secret": 3, "public": 4}}]}}}]}}
        });
        filter_search_response(&mut body, &filter);
        assert_eq!(
            body["hits"]["hits"][0]["inner_hits"]["x"]["hits"]["hits"][0]["_source"],
            json!({"public": 2})
        );
        assert_eq!(
            body["aggregations"]["by"]["buckets"][0]["top"]["hits"]["hits"][0]["_source"],
            json!({"public": 4})
        );
    }
}
