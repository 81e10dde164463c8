//! The AST back to Elasticsearch DSL JSON (for the gateway, logs and tests), always in the
//! long form. `parse_query(&to_es_json(q)) == q` for every tree the parser can produce.

use serde_json::{Map, Value, json};

use crate::ast::{Bound, Fuzziness, MinimumShouldMatch, Operator, Query, Scalar};

pub fn scalar(value: &Scalar) -> Value {
    match value {
        Scalar::Bool(b) => json!(b),
        Scalar::Int(i) => json!(i),
        Scalar::Float(f) => json!(f),
        Scalar::Str(s) => json!(s),
    }
}

pub fn minimum_should_match(msm: MinimumShouldMatch) -> Value {
    match msm {
        MinimumShouldMatch::Count(n) => json!(n),
        MinimumShouldMatch::Percent(p) => json!(format!("{p}%")),
    }
}

fn fuzziness(f: Fuzziness) -> Value {
    match f {
        Fuzziness::Auto { low, high } => json!(format!("AUTO:{low},{high}")),
        Fuzziness::Distance(d) => json!(d),
    }
}

/// `{name: {field: params}}` with optional entries left out.
fn on_field(name: &str, field: &str, params: Map<String, Value>) -> Value {
    json!({ name: { field: params } })
}

fn with_boost(mut params: Map<String, Value>, boost: Option<f32>) -> Map<String, Value> {
    if let Some(b) = boost {
        params.insert("boost".into(), json!(b));
    }
    params
}

fn params(entries: &[(&str, Value)]) -> Map<String, Value> {
    entries
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect()
}

fn list(queries: &[Query]) -> Value {
    Value::Array(queries.iter().map(to_es_json).collect())
}

fn bound_key(bound: &Bound, lower: bool) -> &'static str {
    match (lower, bound.inclusive) {
        (true, true) => "gte",
        (true, false) => "gt",
        (false, true) => "lte",
        (false, false) => "lt",
    }
}

pub fn to_es_json(query: &Query) -> Value {
    match query {
        Query::MatchAll { boost } => json!({"match_all": with_boost(Map::new(), *boost)}),
        Query::MatchNone => json!({"match_none": {}}),
        Query::Term {
            field,
            value,
            case_insensitive,
            boost,
        } => {
            let mut p = params(&[("value", scalar(value))]);
            if *case_insensitive {
                p.insert("case_insensitive".into(), json!(true));
            }
            on_field("term", field, with_boost(p, *boost))
        }
        Query::Terms {
            field,
            values,
            boost,
        } => {
            let mut body = Map::new();
            body.insert(field.clone(), values.iter().map(scalar).collect());
            json!({"terms": with_boost(body, *boost)})
        }
        Query::Ids { values } => json!({"ids": {"values": values}}),
        Query::Match {
            field,
            query,
            operator,
            minimum_should_match: msm,
            fuzziness: fuzz,
            boost,
        } => {
            let mut p = params(&[("query", scalar(query))]);
            if *operator == Operator::And {
                p.insert("operator".into(), json!("and"));
            }
            if let Some(m) = msm {
                p.insert("minimum_should_match".into(), minimum_should_match(*m));
            }
            if let Some(f) = fuzz {
                p.insert("fuzziness".into(), fuzziness(*f));
            }
            on_field("match", field, with_boost(p, *boost))
        }
        Query::MatchPhrase {
            field,
            query,
            slop,
            boost,
        } => {
            let mut p = params(&[("query", json!(query))]);
            if *slop > 0 {
                p.insert("slop".into(), json!(slop));
            }
            on_field("match_phrase", field, with_boost(p, *boost))
        }
        Query::MatchPhrasePrefix {
            field,
            query,
            boost,
        } => on_field(
            "match_phrase_prefix",
            field,
            with_boost(params(&[("query", json!(query))]), *boost),
        ),
        Query::Bool(b) => {
            let mut body = Map::new();
            for (key, clauses) in [
                ("must", &b.must),
                ("filter", &b.filter),
                ("should", &b.should),
                ("must_not", &b.must_not),
            ] {
                if !clauses.is_empty() {
                    body.insert(key.into(), list(clauses));
                }
            }
            if let Some(m) = b.minimum_should_match {
                body.insert("minimum_should_match".into(), minimum_should_match(m));
            }
            json!({"bool": with_boost(body, b.boost)})
        }
        Query::DisMax {
            queries,
            tie_breaker,
            boost,
        } => {
            let body = params(&[
                ("queries", list(queries)),
                ("tie_breaker", json!(tie_breaker)),
            ]);
            json!({"dis_max": with_boost(body, *boost)})
        }
        Query::Range {
            field,
            lower,
            upper,
            format,
            boost,
        } => {
            let mut p = Map::new();
            if let Some(b) = lower {
                p.insert(bound_key(b, true).into(), scalar(&b.value));
            }
            if let Some(b) = upper {
                p.insert(bound_key(b, false).into(), scalar(&b.value));
            }
            if let Some(f) = format {
                p.insert("format".into(), json!(f));
            }
            on_field("range", field, with_boost(p, *boost))
        }
        Query::Exists { field } => json!({"exists": {"field": field}}),
        Query::Prefix {
            field,
            value,
            case_insensitive,
            boost,
        } => pattern("prefix", field, value, *case_insensitive, *boost),
        Query::Wildcard {
            field,
            value,
            case_insensitive,
            boost,
        } => pattern("wildcard", field, value, *case_insensitive, *boost),
        Query::Regexp {
            field,
            value,
            case_insensitive,
            boost,
        } => pattern("regexp", field, value, *case_insensitive, *boost),
        Query::Fuzzy {
            field,
            value,
            fuzziness: fuzz,
            prefix_length,
            transpositions,
            boost,
        } => {
            let mut p = params(&[("value", json!(value)), ("fuzziness", fuzziness(*fuzz))]);
            if *prefix_length > 0 {
                p.insert("prefix_length".into(), json!(prefix_length));
            }
            if !transpositions {
                p.insert("transpositions".into(), json!(false));
            }
            on_field("fuzzy", field, with_boost(p, *boost))
        }
        Query::ConstantScore { filter, boost } => {
            let body = params(&[("filter", to_es_json(filter))]);
            json!({"constant_score": with_boost(body, *boost)})
        }
    }
}

fn pattern(
    name: &str,
    field: &str,
    value: &str,
    case_insensitive: bool,
    boost: Option<f32>,
) -> Value {
    let mut p = params(&[("value", json!(value))]);
    if case_insensitive {
        p.insert("case_insensitive".into(), json!(true));
    }
    on_field(name, field, with_boost(p, boost))
}
