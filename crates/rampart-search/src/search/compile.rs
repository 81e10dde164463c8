//! `rampart_query::Query` → tantivy queries against one index's mapping.
//!
//! Field-level security is applied here: a query on a field the caller may not see compiles to
//! "matches nothing" (so `must_not` on it matches everything and `exists` is false), exactly as
//! if the field were unmapped.

use std::ops::Bound;

use rampart_core::fls::FieldPermissions;
use rampart_query::ast::{Bound as QBound, Fuzziness, MinimumShouldMatch};
use rampart_query::{BoolQuery, Operator, Query, Scalar};
use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery,
    FuzzyTermQuery, Occur, PhraseQuery, Query as TQuery, RangeQuery, RegexQuery, TermQuery,
    TermSetQuery,
};
use tantivy::schema::{IndexRecordOption, Type};
use tantivy::tokenizer::TextAnalyzer;

use super::index_name;
use crate::error::{Result, SearchError};
use crate::mapping::{FieldType, Mapping, parse_date};
use crate::shard::Fields;

type Q = Box<dyn TQuery>;

/// What a query is compiled against.
pub struct CompileCtx<'a> {
    /// The index compiled for (what `_index` queries compare with).
    pub index: &'a str,
    pub fields: Fields,
    pub mapping: &'a Mapping,
    /// `None`: every field visible (also used for DLS role queries, which see the whole index).
    pub fls: Option<&'a FieldPermissions>,
    pub analyzer: TextAnalyzer,
}

impl CompileCtx<'_> {
    /// The type of a field the caller may query, or `None` (unmapped or hidden).
    pub fn field_type(&self, field: &str) -> Option<FieldType> {
        if self.fls.is_some_and(|p| !p.permits(field)) {
            return None;
        }
        self.mapping.get(field).map(|f| f.ty)
    }

    pub fn compile(&mut self, q: &Query) -> Result<Q> {
        Ok(match q {
            Query::MatchAll { boost } => boosted(Box::new(AllQuery), *boost),
            Query::MatchNone => Box::new(EmptyQuery),
            Query::Term {
                field,
                value,
                case_insensitive,
                boost,
            } => boosted(self.term(field, value, *case_insensitive)?, *boost),
            Query::Terms {
                field,
                values,
                boost,
            } => {
                let clauses = values
                    .iter()
                    .map(|v| Ok((Occur::Should, self.term(field, v, false)?)))
                    .collect::<Result<Vec<_>>>()?;
                constant(Box::new(BooleanQuery::new(clauses)), *boost)
            }
            Query::Ids { values } => {
                let terms = values
                    .iter()
                    .map(|v| Term::from_field_text(self.fields.id, v));
                constant(Box::new(TermSetQuery::new(terms)), None)
            }
            Query::Match {
                field,
                query,
                operator,
                minimum_should_match,
                fuzziness,
                boost,
            } => boosted(
                self.match_query(field, query, *operator, *minimum_should_match, *fuzziness)?,
                *boost,
            ),
            Query::MatchPhrase {
                field,
                query,
                slop,
                boost,
            } => boosted(self.phrase(field, query, *slop, false)?, *boost),
            Query::MatchPhrasePrefix {
                field,
                query,
                boost,
            } => boosted(self.phrase(field, query, 0, true)?, *boost),
            Query::Bool(b) => self.bool_query(b)?,
            Query::DisMax {
                queries,
                tie_breaker,
                boost,
            } => {
                let qs = queries
                    .iter()
                    .map(|q| self.compile(q))
                    .collect::<Result<Vec<_>>>()?;
                boosted(
                    Box::new(DisjunctionMaxQuery::with_tie_breaker(qs, *tie_breaker)),
                    *boost,
                )
            }
            Query::Range {
                field,
                lower,
                upper,
                format: _,
                boost,
            } => constant(self.range(field, lower.as_ref(), upper.as_ref())?, *boost),
            Query::Exists { field } => constant(self.exists(field), None),
            Query::Prefix {
                field,
                value,
                case_insensitive,
                boost,
            } if field == "_index" => constant(
                self.index_name(index_name::prefix_matches(
                    value,
                    self.index,
                    *case_insensitive,
                )),
                *boost,
            ),
            Query::Wildcard {
                field,
                value,
                case_insensitive,
                boost,
            } if field == "_index" => constant(
                self.index_name(index_name::wildcard_matches(
                    value,
                    self.index,
                    *case_insensitive,
                )),
                *boost,
            ),
            Query::Prefix {
                field,
                value,
                case_insensitive,
                boost,
            } => constant(
                self.pattern(
                    field,
                    &format!("{}.*", regex_escape(value)),
                    *case_insensitive,
                    "prefix",
                )?,
                *boost,
            ),
            Query::Wildcard {
                field,
                value,
                case_insensitive,
                boost,
            } => constant(
                self.pattern(
                    field,
                    &wildcard_to_regex(value),
                    *case_insensitive,
                    "wildcard",
                )?,
                *boost,
            ),
            Query::Regexp {
                field,
                value,
                case_insensitive,
                boost,
            } => constant(
                self.pattern(field, value, *case_insensitive, "regexp")?,
                *boost,
            ),
            Query::Fuzzy {
                field,
                value,
                fuzziness,
                prefix_length: _,
                transpositions,
                boost,
            } => boosted(
                self.fuzzy(field, value, *fuzziness, *transpositions)?,
                *boost,
            ),
            Query::ConstantScore { filter, boost } => {
                let inner = self.compile(filter)?;
                Box::new(ConstScoreQuery::new(inner, boost.unwrap_or(1.0)))
            }
        })
    }

    fn bool_query(&mut self, b: &BoolQuery) -> Result<Q> {
        let mut clauses: Vec<(Occur, Q)> = Vec::new();
        for q in &b.must {
            clauses.push((Occur::Must, self.compile(q)?));
        }
        for q in &b.filter {
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(self.compile(q)?, 0.0)),
            ));
        }
        let positive = !clauses.is_empty();
        let should_count = b.should.len();
        for q in &b.should {
            clauses.push((Occur::Should, self.compile(q)?));
        }
        for q in &b.must_not {
            clauses.push((Occur::MustNot, self.compile(q)?));
        }
        if !positive && should_count == 0 {
            // Only must_not (or empty): everything, scoring 0 (Elasticsearch adds a match_all
            // filter).
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)),
            ));
        }
        let default_min = if positive { 0 } else { 1 };
        let min = match b.minimum_should_match {
            None => default_min.min(should_count),
            Some(m) => resolve_msm(m, should_count),
        };
        if should_count > 0 && min > should_count {
            return Ok(Box::new(EmptyQuery));
        }
        let query: Q = if min > 0 && should_count > 0 {
            Box::new(BooleanQuery::with_minimum_required_clauses(clauses, min))
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        Ok(boosted(query, b.boost))
    }

    fn kw_term(&self, path: &str) -> Term {
        Term::from_field_json_path(self.fields.kw, path, true)
    }

    fn text_term(&self, path: &str, token: &str) -> Term {
        let mut t = Term::from_field_json_path(self.fields.text, path, true);
        t.append_type_and_str(token);
        t
    }

    /// An exact-value query on the field's indexed form.
    fn term(&mut self, field: &str, value: &Scalar, case_insensitive: bool) -> Result<Q> {
        if field == "_id" {
            return Ok(Box::new(TermQuery::new(
                Term::from_field_text(self.fields.id, &scalar_str(value)),
                IndexRecordOption::Basic,
            )));
        }
        if field == "_index" {
            // The index name is a constant of each index (Elasticsearch's `_index` field):
            // the term matches every document here or none (a gateway scopes its filters so).
            let name = scalar_str(value);
            let matches = if case_insensitive {
                name.eq_ignore_ascii_case(self.index)
            } else {
                name == self.index
            };
            return Ok(self.index_name(matches));
        }
        let Some(ty) = self.field_type(field) else {
            return Ok(Box::new(EmptyQuery));
        };
        Ok(match ty {
            FieldType::Keyword if case_insensitive => {
                self.pattern(field, &regex_escape(&scalar_str(value)), true, "term")?
            }
            FieldType::Keyword => {
                let mut t = self.kw_term(field);
                t.append_type_and_str(&scalar_str(value));
                Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs))
            }
            FieldType::Text => Box::new(TermQuery::new(
                self.text_term(field, &scalar_str(value)),
                IndexRecordOption::WithFreqs,
            )),
            ty if ty.is_integer() => match to_i64(field, ty, value)? {
                Some(v) => {
                    let mut t = self.kw_term(field);
                    t.append_type_and_fast_value(v);
                    Box::new(TermQuery::new(t, IndexRecordOption::Basic))
                }
                None => Box::new(EmptyQuery),
            },
            FieldType::Double | FieldType::Float => {
                let v = to_f64(field, ty, value)?;
                let mut t = self.kw_term(field);
                t.append_type_and_fast_value(v);
                Box::new(RangeQuery::new(
                    Bound::Included(t.clone()),
                    Bound::Included(t),
                ))
            }
            FieldType::Boolean => {
                let mut t = self.kw_term(field);
                t.append_type_and_fast_value(to_bool(field, value)?);
                Box::new(TermQuery::new(t, IndexRecordOption::Basic))
            }
            FieldType::Date => {
                let at = crate::date_range::query_bound(field, to_date(field, value)?)?;
                let mut t = self.kw_term(field);
                t.append_type_and_fast_value(at);
                Box::new(RangeQuery::new(
                    Bound::Included(t.clone()),
                    Bound::Included(t),
                ))
            }
            _ => Box::new(EmptyQuery),
        })
    }

    fn tokens(&mut self, text: &str) -> Vec<String> {
        let mut stream = self.analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    fn match_query(
        &mut self,
        field: &str,
        query: &Scalar,
        operator: Operator,
        msm: Option<MinimumShouldMatch>,
        fuzziness: Option<Fuzziness>,
    ) -> Result<Q> {
        match self.field_type(field) {
            None => Ok(Box::new(EmptyQuery)),
            Some(FieldType::Text) => {
                let tokens = self.tokens(&scalar_str(query));
                if tokens.is_empty() {
                    return Ok(Box::new(EmptyQuery));
                }
                let occur = match operator {
                    Operator::And => Occur::Must,
                    Operator::Or => Occur::Should,
                };
                let n = tokens.len();
                let clauses: Vec<(Occur, Q)> = tokens
                    .iter()
                    .map(|tok| {
                        let term = self.text_term(field, tok);
                        let q: Q = match fuzziness {
                            Some(f) => Box::new(FuzzyTermQuery::new(term, distance(f, tok), true)),
                            None => Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                        };
                        (occur, q)
                    })
                    .collect();
                let min = match (operator, msm) {
                    (Operator::Or, Some(m)) => resolve_msm(m, n).max(1),
                    _ => 1,
                };
                if operator == Operator::Or && min > 1 {
                    if min > n {
                        return Ok(Box::new(EmptyQuery));
                    }
                    return Ok(Box::new(BooleanQuery::with_minimum_required_clauses(
                        clauses, min,
                    )));
                }
                Ok(Box::new(BooleanQuery::new(clauses)))
            }
            Some(_) => self.term(field, query, false),
        }
    }

    fn phrase(&mut self, field: &str, text: &str, slop: u32, prefix: bool) -> Result<Q> {
        match self.field_type(field) {
            None => Ok(Box::new(EmptyQuery)),
            Some(FieldType::Text) => {
                let tokens = self.tokens(text);
                match tokens.as_slice() {
                    [] => Ok(Box::new(EmptyQuery)),
                    [one] if prefix => {
                        self.pattern(field, &format!("{}.*", regex_escape(one)), false, "prefix")
                    }
                    [one] => Ok(Box::new(TermQuery::new(
                        self.text_term(field, one),
                        IndexRecordOption::WithFreqs,
                    ))),
                    many => {
                        let terms: Vec<(usize, Term)> = many
                            .iter()
                            .enumerate()
                            .map(|(i, t)| (i, self.text_term(field, t)))
                            .collect();
                        if prefix {
                            Ok(Box::new(
                                tantivy::query::PhrasePrefixQuery::new_with_offset(terms),
                            ))
                        } else {
                            Ok(Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop)))
                        }
                    }
                }
            }
            Some(FieldType::Keyword) if prefix => {
                self.pattern(field, &format!("{}.*", regex_escape(text)), false, "prefix")
            }
            Some(_) => self.term(field, &Scalar::Str(text.to_string()), false),
        }
    }

    fn range(&mut self, field: &str, lower: Option<&QBound>, upper: Option<&QBound>) -> Result<Q> {
        let Some(ty) = self.field_type(field) else {
            return Ok(Box::new(EmptyQuery));
        };
        let base = self.kw_term(field);
        let make = |b: Option<&QBound>, is_lower: bool| -> Result<Bound<Term>> {
            let Some(b) = b else {
                return Ok(Bound::Unbounded);
            };
            let mut t = base.clone();
            let inclusive = match ty {
                ty if ty.is_integer() => {
                    let f = match &b.value {
                        Scalar::Int(i) => *i as f64,
                        other => to_f64(field, ty, other)?,
                    };
                    let (v, incl) = integer_bound(f, b.inclusive, is_lower);
                    if let Scalar::Int(i) = &b.value {
                        t.append_type_and_fast_value(*i);
                        b.inclusive
                    } else {
                        t.append_type_and_fast_value(v);
                        incl
                    }
                }
                FieldType::Double | FieldType::Float => {
                    t.append_type_and_fast_value(to_f64(field, ty, &b.value)?);
                    b.inclusive
                }
                FieldType::Date => {
                    t.append_type_and_fast_value(crate::date_range::query_bound(
                        field,
                        to_date(field, &b.value)?,
                    )?);
                    b.inclusive
                }
                FieldType::Keyword => {
                    t.append_type_and_str(&scalar_str(&b.value));
                    b.inclusive
                }
                FieldType::Boolean => {
                    t.append_type_and_fast_value(to_bool(field, &b.value)?);
                    b.inclusive
                }
                other => {
                    return Err(SearchError::IllegalArgument(format!(
                        "range queries on [{field}] of type [{}] are not supported",
                        other.name()
                    )));
                }
            };
            Ok(if inclusive {
                Bound::Included(t)
            } else {
                Bound::Excluded(t)
            })
        };
        let lo = make(lower, true)?;
        let hi = make(upper, false)?;
        if matches!((&lo, &hi), (Bound::Unbounded, Bound::Unbounded)) {
            return Ok(self.exists(field));
        }
        if matches!(lo, Bound::Unbounded) || matches!(hi, Bound::Unbounded) {
            // tantivy needs at least one bound to know the field; one is always set here.
        }
        Ok(Box::new(RangeQuery::new(lo, hi)))
    }

    fn exists(&self, field: &str) -> Q {
        if self
            .fls
            .is_some_and(|p| !p.permits(field) && !p.permits_object_path_prefix(field))
        {
            return Box::new(EmptyQuery);
        }
        let exact: Q = if self.fls.is_none_or(|p| p.permits(field)) {
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.names, field),
                IndexRecordOption::Basic,
            ))
        } else {
            Box::new(EmptyQuery)
        };
        // An object exists when some visible field under it exists.
        let visible_children: Vec<String> = self
            .mapping
            .fields
            .iter()
            .filter(|(p, f)| {
                f.ty.is_leaf()
                    && p.len() > field.len()
                    && p.starts_with(field)
                    && p.as_bytes().get(field.len()) == Some(&b'.')
                    && self.fls.is_none_or(|perm| perm.permits(p))
            })
            .map(|(p, _)| p.clone())
            .collect();
        if visible_children.is_empty() {
            return exact;
        }
        let mut terms: Vec<Term> = visible_children
            .iter()
            .map(|p| Term::from_field_text(self.fields.names, p))
            .collect();
        terms.push(Term::from_field_text(self.fields.names, field));
        Box::new(TermSetQuery::new(terms))
    }

    /// A query on `_index`: every document of this index, or none.
    fn index_name(&self, matches: bool) -> Q {
        if matches {
            Box::new(AllQuery)
        } else {
            Box::new(EmptyQuery)
        }
    }

    /// A regular-expression query on the indexed terms of a keyword or text field.
    fn pattern(
        &mut self,
        field: &str,
        regex: &str,
        case_insensitive: bool,
        kind: &str,
    ) -> Result<Q> {
        let (json_field, ty) = match self.field_type(field) {
            None => return Ok(Box::new(EmptyQuery)),
            Some(FieldType::Keyword) => (self.fields.kw, FieldType::Keyword),
            Some(FieldType::Text) => (self.fields.text, FieldType::Text),
            Some(other) => {
                return Err(SearchError::IllegalArgument(format!(
                    "Can only use {kind} queries on keyword and text fields - not on [{field}] \
                     which is of type [{}]",
                    other.name()
                )));
            }
        };
        let _ = ty;
        let path = Term::from_field_json_path(json_field, field, true);
        let mut full = String::new();
        for b in path.serialized_value_bytes() {
            full.push_str(&format!("\\x{{{b:x}}}"));
        }
        full.push_str(&format!("\\x{{{:x}}}", Type::Str.to_code()));
        if case_insensitive {
            full.push_str(&format!("(?i:{regex})"));
        } else {
            full.push_str(&format!("(?:{regex})"));
        }
        let q = RegexQuery::from_pattern(&full, json_field).map_err(|_| {
            SearchError::IllegalArgument(format!("invalid {kind} pattern [{regex}] on [{field}]"))
        })?;
        Ok(Box::new(q))
    }

    fn fuzzy(&mut self, field: &str, value: &str, f: Fuzziness, transpositions: bool) -> Result<Q> {
        let term = match self.field_type(field) {
            None => return Ok(Box::new(EmptyQuery)),
            Some(FieldType::Keyword) => {
                let mut t = self.kw_term(field);
                t.append_type_and_str(value);
                t
            }
            Some(FieldType::Text) => self.text_term(field, value),
            Some(_) => return self.term(field, &Scalar::Str(value.to_string()), false),
        };
        Ok(Box::new(FuzzyTermQuery::new(
            term,
            distance(f, value),
            transpositions,
        )))
    }
}

fn boosted(q: Q, boost: Option<f32>) -> Q {
    match boost {
        Some(b) if (b - 1.0).abs() > f32::EPSILON => Box::new(BoostQuery::new(q, b)),
        _ => q,
    }
}

fn constant(q: Q, boost: Option<f32>) -> Q {
    Box::new(ConstScoreQuery::new(q, boost.unwrap_or(1.0)))
}

fn resolve_msm(m: MinimumShouldMatch, n: usize) -> usize {
    let n_i = i64::try_from(n).unwrap_or(i64::MAX);
    let v = match m {
        MinimumShouldMatch::Count(c) if c < 0 => n_i + i64::from(c),
        MinimumShouldMatch::Count(c) => i64::from(c),
        MinimumShouldMatch::Percent(p) if p < 0 => n_i - (n_i * i64::from(-p)) / 100,
        MinimumShouldMatch::Percent(p) => (n_i * i64::from(p)) / 100,
    };
    usize::try_from(v.max(0)).unwrap_or(0)
}

fn distance(f: Fuzziness, term: &str) -> u8 {
    match f {
        Fuzziness::Distance(d) => d.min(2),
        Fuzziness::Auto { low, high } => {
            let len = term.chars().count();
            if len < usize::from(low) {
                0
            } else if len < usize::from(high) {
                1
            } else {
                2
            }
        }
    }
}

fn scalar_str(v: &Scalar) -> String {
    match v {
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => f.to_string(),
        Scalar::Str(s) => s.clone(),
    }
}

fn number_error(field: &str, ty: FieldType, v: &Scalar) -> SearchError {
    SearchError::IllegalArgument(format!(
        "failed to create query: For input string: \"{}\" on field [{field}] of type [{}]",
        scalar_str(v),
        ty.name()
    ))
}

/// `None` when the value has a fractional part (it can match no integer).
fn to_i64(field: &str, ty: FieldType, v: &Scalar) -> Result<Option<i64>> {
    match v {
        Scalar::Int(i) => Ok(Some(*i)),
        Scalar::Float(f) if f.fract() == 0.0 && f.is_finite() => Ok(Some(*f as i64)),
        Scalar::Float(_) => Ok(None),
        Scalar::Str(s) => match s.parse::<i64>() {
            Ok(i) => Ok(Some(i)),
            Err(_) => match s.parse::<f64>() {
                Ok(f) if f.fract() == 0.0 && f.is_finite() => Ok(Some(f as i64)),
                Ok(_) => Ok(None),
                Err(_) => Err(number_error(field, ty, v)),
            },
        },
        Scalar::Bool(_) => Err(number_error(field, ty, v)),
    }
}

fn to_f64(field: &str, ty: FieldType, v: &Scalar) -> Result<f64> {
    match v {
        Scalar::Int(i) => Ok(*i as f64),
        Scalar::Float(f) => Ok(*f),
        Scalar::Str(s) => s.parse::<f64>().map_err(|_| number_error(field, ty, v)),
        Scalar::Bool(_) => Err(number_error(field, ty, v)),
    }
}

fn to_bool(field: &str, v: &Scalar) -> Result<bool> {
    match v {
        Scalar::Bool(b) => Ok(*b),
        Scalar::Str(s) if s == "true" => Ok(true),
        Scalar::Str(s) if s == "false" => Ok(false),
        other => Err(SearchError::IllegalArgument(format!(
            "Can't parse boolean value [{}], expected [true] or [false] on field [{field}]",
            scalar_str(other)
        ))),
    }
}

fn to_date(field: &str, v: &Scalar) -> Result<i64> {
    match v {
        Scalar::Int(i) => Ok(*i),
        Scalar::Float(f) => Ok(*f as i64),
        Scalar::Str(s) => parse_date_math(s).ok_or_else(|| {
            SearchError::IllegalArgument(format!(
                "failed to parse date field [{s}] with format [strict_date_optional_time||epoch_millis] on field [{field}]"
            ))
        }),
        Scalar::Bool(_) => Err(SearchError::IllegalArgument(format!(
            "failed to parse date field on [{field}]"
        ))),
    }
}

/// A date or `now` with simple `+N`/`-N` unit offsets and `/unit` rounding.
fn parse_date_math(s: &str) -> Option<i64> {
    let (anchor, math) = if let Some(rest) = s.strip_prefix("now") {
        (chrono::Utc::now().timestamp_millis(), rest)
    } else if let Some(i) = s.find("||") {
        (parse_date(s.get(..i)?)?, s.get(i + 2..)?)
    } else {
        return parse_date(s);
    };
    let mut t = anchor;
    let mut rest = math;
    while !rest.is_empty() {
        let op = rest.chars().next()?;
        rest = rest.get(1..)?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        rest = rest.get(digits.len()..)?;
        let unit = rest.chars().next()?;
        rest = rest.get(unit.len_utf8()..)?;
        let unit_ms: i64 = match unit {
            's' => 1000,
            'm' => 60_000,
            'h' | 'H' => 3_600_000,
            'd' => 86_400_000,
            'w' => 7 * 86_400_000,
            'M' => 30 * 86_400_000,
            'y' => 365 * 86_400_000,
            _ => return None,
        };
        match op {
            '+' => t += digits.parse::<i64>().ok()? * unit_ms,
            '-' => t -= digits.parse::<i64>().ok()? * unit_ms,
            '/' => t -= t.rem_euclid(unit_ms),
            _ => return None,
        }
    }
    Some(t)
}

/// An integer bound for a fractional value: `gte 1.5` → `gte 2`, `lte 1.5` → `lte 1`.
fn integer_bound(f: f64, inclusive: bool, is_lower: bool) -> (i64, bool) {
    if f.fract() == 0.0 {
        return (f as i64, inclusive);
    }
    if is_lower {
        (f.ceil() as i64, true)
    } else {
        (f.floor() as i64, true)
    }
}

/// Escape a literal for the regex engine.
pub fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_alphanumeric() || c == '_' {
            out.push(c);
        } else {
            out.push_str(&format!("\\x{{{:x}}}", c as u32));
        }
    }
    out
}

/// `*` / `?` wildcards (with `\` escapes) to a regex.
fn wildcard_to_regex(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push_str(&regex_escape(&n.to_string()));
                }
            }
            other => out.push_str(&regex_escape(&other.to_string())),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msm_and_fuzziness() {
        assert_eq!(resolve_msm(MinimumShouldMatch::Count(2), 3), 2);
        assert_eq!(resolve_msm(MinimumShouldMatch::Count(-1), 3), 2);
        assert_eq!(resolve_msm(MinimumShouldMatch::Percent(50), 4), 2);
        assert_eq!(distance(Fuzziness::Auto { low: 3, high: 6 }, "ab"), 0);
        assert_eq!(distance(Fuzziness::Auto { low: 3, high: 6 }, "abcd"), 1);
        assert_eq!(distance(Fuzziness::Auto { low: 3, high: 6 }, "abcdefg"), 2);
    }

    #[test]
    fn wildcard_and_dates() {
        assert_eq!(wildcard_to_regex("a*b?"), "a.*b.");
        assert_eq!(integer_bound(1.5, true, true), (2, true));
        assert_eq!(integer_bound(1.5, false, false), (1, true));
        assert_eq!(parse_date_math("2020-01-02||+1d"), parse_date("2020-01-03"));
        assert_eq!(
            parse_date_math("2020-01-02T05:00:00Z||/d"),
            parse_date("2020-01-02")
        );
    }
}
