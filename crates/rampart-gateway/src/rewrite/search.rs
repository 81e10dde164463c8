//! The upstream search body for a restricted caller.

use serde_json::{Map, Value, json};

use rampart_query::aggs::HIDDEN_FIELD;
use rampart_query::ast::{BoolQuery, MinimumShouldMatch, Scalar};
use rampart_query::request::Missing;
use rampart_query::{
    Query, SearchRequest, SortOrder, SourceFilter, TrackTotalHits, hide_agg_fields, hide_fields,
    to_es_json,
};

use super::refuse::{Refusal, check_search_body};
use super::remote::{self, Region};
use super::response::ResponseFilter;
use super::{IndexRestrictions, Target};
use crate::error::GatewayError;

/// What to send upstream, and how to filter what comes back.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPlan {
    pub body: Value,
    /// `None` when no field restriction applies: the answer is returned as is.
    pub response: Option<ResponseFilter>,
}

/// Targets sharing identical restrictions, rewritten together: their positions in the
/// request's targets.
pub(super) struct Group<'a> {
    restrictions: &'a IndexRestrictions,
    members: Vec<usize>,
}

pub(super) fn group_targets(targets: &[Target]) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for (position, target) in targets.iter().enumerate() {
        match groups
            .iter_mut()
            .find(|g| *g.restrictions == target.restrictions)
        {
            Some(group) => group.members.push(position),
            None => groups.push(Group {
                restrictions: &target.restrictions,
                members: vec![position],
            }),
        }
    }
    groups
}

/// The `_index` filter selecting a group's documents: its local indices by name, each remote
/// target by its region (see `remote`).
fn partition_filter(group: &Group<'_>, targets: &[Target], regions: &[Region]) -> Query {
    let mut local = Vec::new();
    let mut alternatives = Vec::new();
    for &member in &group.members {
        let Some(target) = targets.get(member) else {
            continue;
        };
        if !remote::is_remote(&target.index) {
            local.push(Scalar::Str(target.index.clone()));
        } else if let Some(region) = regions.iter().find(|r| r.target == member) {
            alternatives.push(region.filter(targets));
        }
    }
    if !local.is_empty() {
        alternatives.insert(
            0,
            Query::Terms {
                field: "_index".into(),
                values: local,
                boost: None,
            },
        );
    }
    if alternatives.len() == 1 {
        return alternatives.pop().unwrap_or(Query::MatchNone);
    }
    Query::Bool(BoolQuery {
        should: alternatives,
        minimum_should_match: Some(MinimumShouldMatch::Count(1)),
        ..BoolQuery::default()
    })
}

/// What the `_index` partition of a request is built from.
pub(super) struct Scope<'a> {
    groups: Vec<Group<'a>>,
    regions: Vec<Region>,
    targets: &'a [Target],
    /// The path names exactly the local targets' concrete indices.
    direct: bool,
}

impl<'a> Scope<'a> {
    /// The partition of `targets`; `direct` when the path names exactly the local targets'
    /// concrete indices. Ambiguous remote targets are refused.
    pub(super) fn new(targets: &'a [Target], direct: bool) -> Result<Self, Refusal> {
        Ok(Self {
            groups: group_targets(targets),
            regions: remote::regions(targets)?,
            targets,
            direct,
        })
    }
}

/// `query` as each group may run it, each scoped to the group's indices and DLS filter:
/// `bool.should` of `{must: [query with the group's hidden fields], filter: [_index ∈ group,
/// dls]}`. The `_index` filters partition the documents, so each hit is scored by exactly
/// the clause of its own index.
/// With `direct` and a single group, the request names exactly the group's concrete
/// indices, so the `_index` filter would select every document anyway and is left out (some
/// ES-compatible engines cannot filter on `_index`).
/// Remote targets are scoped by pattern (their concrete indices are unknown), so they always
/// get the filter.
pub(super) fn scoped(query: &Query, scope: &Scope<'_>, with_dls: bool) -> Query {
    let groups = &scope.groups;
    let partition = !(scope.direct && groups.len() == 1 && scope.regions.is_empty());
    let mut clauses: Vec<Query> = groups
        .iter()
        .map(|group| {
            let permits = |field: &str| group.restrictions.permits(field);
            let mut filter = Vec::new();
            if partition {
                filter.push(partition_filter(group, scope.targets, &scope.regions));
            }
            if with_dls {
                if let Some(dls) = &group.restrictions.documents {
                    filter.push(dls.clone());
                }
            }
            Query::Bool(BoolQuery {
                must: vec![hide_fields(query.clone(), &permits)],
                filter,
                ..BoolQuery::default()
            })
        })
        .collect();
    if clauses.len() == 1 {
        return clauses.pop().unwrap_or(Query::MatchNone);
    }
    Query::Bool(BoolQuery {
        should: clauses,
        minimum_should_match: Some(MinimumShouldMatch::Count(1)),
        ..BoolQuery::default()
    })
}

/// Plans a search over `targets` (the concrete indices, already authorized). `raw` is the
/// body as received (checked against the refusal list), `request` its parsed form with URL
/// parameters merged. Unrestricted callers get `raw` back unchanged.
pub fn plan_search(
    raw: &Value,
    request: &SearchRequest,
    targets: &[Target],
) -> Result<SearchPlan, GatewayError> {
    plan(raw, request, targets, false)
}

/// `plan_search` for a request whose path names exactly the targets' concrete indices (no
/// alias, data stream or pattern), which lets a single group go without the `_index` filter.
pub fn plan_search_direct(
    raw: &Value,
    request: &SearchRequest,
    targets: &[Target],
) -> Result<SearchPlan, GatewayError> {
    plan(raw, request, targets, true)
}

fn plan(
    raw: &Value,
    request: &SearchRequest,
    targets: &[Target],
    direct: bool,
) -> Result<SearchPlan, GatewayError> {
    if !targets.iter().any(|t| t.restrictions.is_restricted()) {
        return Ok(SearchPlan {
            body: raw.clone(),
            response: None,
        });
    }
    check_search_body(raw)?;
    if request.suggest.is_some() {
        return Err(Refusal(super::SUGGEST.into()).into());
    }
    if request.profile {
        return Err(Refusal(super::PROFILE.into()).into());
    }
    // URL parameters are merged into `request` only, so check the options they can set.
    if request.explain {
        return Err(Refusal(
            "[explain] is not allowed when document or field level security applies".into(),
        )
        .into());
    }
    let scope = Scope::new(targets, direct)?;
    // Sorts and aggregations span indices, so they see a field only if every target does.
    let everywhere = |field: &str| targets.iter().all(|t| t.restrictions.permits(field));
    let mut restricted = request.clone();
    restricted.query = scoped(&request.query, &scope, true);
    restricted.post_filter = request
        .post_filter
        .as_ref()
        .map(|pf| scoped(pf, &scope, false));
    for sort in &mut restricted.sort {
        if !matches!(sort.field.as_str(), "_score" | "_doc") && !everywhere(&sort.field) {
            HIDDEN_FIELD.clone_into(&mut sort.field);
        }
    }
    if let Some(aggs) = &request.aggs {
        let mut hidden = hide_agg_fields(aggs, &everywhere)?;
        hide_top_hits_sorts(&mut hidden, &everywhere);
        restricted.aggs = Some(hidden);
    }
    let has_fls = targets.iter().any(|t| t.restrictions.has_fls());
    let response = has_fls.then(|| ResponseFilter::new(targets));
    Ok(SearchPlan {
        body: render_request(&restricted),
        response,
    })
}

/// `top_hits` sorts on fields some target hides sort as missing.
fn hide_top_hits_sorts(aggs: &mut Map<String, Value>, permits: &dyn Fn(&str) -> bool) {
    for definition in aggs.values_mut() {
        let Some(definition) = definition.as_object_mut() else {
            continue;
        };
        if let Some(sort) = definition
            .get_mut("top_hits")
            .and_then(|t| t.get_mut("sort"))
        {
            hide_sort_json(sort, permits);
        }
        for key in ["aggs", "aggregations"] {
            if let Some(Value::Object(subs)) = definition.get_mut(key) {
                hide_top_hits_sorts(subs, permits);
            }
        }
    }
}

fn hide_sort_json(sort: &mut Value, permits: &dyn Fn(&str) -> bool) {
    let hidden = |name: &str| !matches!(name, "_score" | "_doc") && !permits(name);
    match sort {
        Value::Array(items) => items.iter_mut().for_each(|i| hide_sort_json(i, permits)),
        Value::String(name) if hidden(name) => {
            *sort = json!({HIDDEN_FIELD: {"unmapped_type": "keyword"}});
        }
        Value::Object(map) => {
            let renamed: Vec<(String, Value)> = std::mem::take(map)
                .into_iter()
                .map(|(name, options)| {
                    if hidden(&name) {
                        let mut options = match options {
                            Value::Object(o) => o,
                            Value::String(order) => {
                                let mut o = Map::new();
                                o.insert("order".into(), Value::String(order));
                                o
                            }
                            _ => Map::new(),
                        };
                        options.insert("unmapped_type".into(), json!("keyword"));
                        (HIDDEN_FIELD.to_owned(), Value::Object(options))
                    } else {
                        (name, options)
                    }
                })
                .collect();
            map.extend(renamed);
        }
        _ => {}
    }
}

/// A parsed search request as Elasticsearch DSL (every option the parser keeps).
pub fn render_request(request: &SearchRequest) -> Value {
    let mut body = Map::new();
    body.insert("query".into(), to_es_json(&request.query));
    if let Some(post_filter) = &request.post_filter {
        body.insert("post_filter".into(), to_es_json(post_filter));
    }
    body.insert("from".into(), json!(request.from));
    body.insert("size".into(), json!(request.size));
    if !request.sort.is_empty() {
        let sort: Vec<Value> = request
            .sort
            .iter()
            .map(|s| {
                let order = match s.order {
                    SortOrder::Asc => "asc",
                    SortOrder::Desc => "desc",
                };
                let mut options = Map::new();
                options.insert("order".into(), json!(order));
                match &s.missing {
                    Some(Missing::First) => {
                        options.insert("missing".into(), json!("_first"));
                    }
                    Some(Missing::Last) => {
                        options.insert("missing".into(), json!("_last"));
                    }
                    Some(Missing::Value(v)) => {
                        options.insert("missing".into(), v.clone());
                    }
                    None => {}
                }
                if s.field == HIDDEN_FIELD {
                    options.insert("unmapped_type".into(), json!("keyword"));
                }
                json!({ s.field.clone(): options })
            })
            .collect();
        body.insert("sort".into(), Value::Array(sort));
    }
    if let Some(after) = &request.search_after {
        body.insert("search_after".into(), json!(after));
    }
    match &request.source {
        SourceFilter::All => {}
        SourceFilter::None => {
            body.insert("_source".into(), json!(false));
        }
        SourceFilter::Filter { includes, excludes } => {
            body.insert(
                "_source".into(),
                json!({"includes": includes, "excludes": excludes}),
            );
        }
    }
    if !request.fields.is_empty() {
        body.insert("fields".into(), json!(request.fields));
    }
    if !request.docvalue_fields.is_empty() {
        body.insert("docvalue_fields".into(), json!(request.docvalue_fields));
    }
    let total = match request.track_total_hits {
        TrackTotalHits::Accurate => json!(true),
        TrackTotalHits::UpTo(n) => json!(n),
        TrackTotalHits::Off => json!(false),
    };
    body.insert("track_total_hits".into(), total);
    if let Some(aggs) = &request.aggs {
        body.insert("aggs".into(), Value::Object(aggs.clone()));
    }
    if let Some(min_score) = request.min_score {
        body.insert("min_score".into(), json!(min_score));
    }
    if let Some(n) = request.terminate_after {
        body.insert("terminate_after".into(), json!(n));
    }
    if let Some(suggest) = &request.suggest {
        body.insert("suggest".into(), suggest.clone());
    }
    if request.profile {
        body.insert("profile".into(), json!(true));
    }
    if let Some(highlight) = &request.highlight {
        body.insert("highlight".into(), highlight.clone());
    }
    for (flag, name) in [
        (request.version, "version"),
        (request.seq_no_primary_term, "seq_no_primary_term"),
        (request.explain, "explain"),
        (request.track_scores, "track_scores"),
    ] {
        if flag {
            body.insert(name.into(), json!(true));
        }
    }
    if let Some(stored) = &request.stored_fields {
        if stored.is_empty() {
            body.insert("stored_fields".into(), json!("_none_"));
        } else {
            body.insert("stored_fields".into(), json!(stored));
        }
    }
    if let Some(timeout) = &request.timeout {
        body.insert("timeout".into(), json!(timeout));
    }
    Value::Object(body)
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "search_remote_tests.rs"]
mod remote_tests;
