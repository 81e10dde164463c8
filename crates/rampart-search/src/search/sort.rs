//! Sorting hits by fields (fast-field columns), `_score` and `_doc`. Hidden (FLS) and unmapped
//! fields sort as missing.

use std::cmp::Ordering;

use rampart_core::fls::FieldPermissions;
use rampart_query::request::Missing;
use rampart_query::{SortField, SortOrder};
use serde_json::{Value, json};
use tantivy::columnar::{Column, NumericalType, StrColumn};
use tantivy::{DateTime, DocId, Score, SegmentReader};

use crate::error::{Result, SearchError};
use crate::mapping::{FieldType, Mapping};
use crate::shard::KW;

/// The point-in-time tiebreaker's sort field.
pub const SHARD_DOC: &str = "_shard_doc";

/// One sort value of a hit.
#[derive(Debug, Clone, PartialEq)]
pub enum SortValue {
    Int(i64),
    Float(f64),
    Str(String),
    Missing,
}

impl SortValue {
    fn cmp_present(&self, other: &Self) -> Ordering {
        match (self, other) {
            (SortValue::Int(a), SortValue::Int(b)) => a.cmp(b),
            (SortValue::Str(a), SortValue::Str(b)) => a.cmp(b),
            (a, b) => a.as_f64().total_cmp(&b.as_f64()),
        }
    }

    fn as_f64(&self) -> f64 {
        match self {
            SortValue::Int(i) => *i as f64,
            SortValue::Float(f) => *f,
            _ => 0.0,
        }
    }

    /// Parse a `search_after` value for this sort.
    pub fn from_json(v: &Value) -> SortValue {
        match v {
            Value::Number(n) => n
                .as_i64()
                .map(SortValue::Int)
                .unwrap_or_else(|| SortValue::Float(n.as_f64().unwrap_or(0.0))),
            Value::String(s) => SortValue::Str(s.clone()),
            Value::Bool(b) => SortValue::Int(i64::from(*b)),
            _ => SortValue::Missing,
        }
    }
}

/// What a sort clause reads.
#[derive(Debug, Clone)]
pub enum SortSource {
    Score,
    Doc,
    /// `_shard_doc`: the point-in-time tiebreaker (target ordinal << 32 | document).
    ShardDoc,
    Field {
        column: String,
        ty: FieldType,
    },
    /// Hidden or unmapped: always missing.
    Nothing,
}

/// A resolved sort clause.
#[derive(Debug, Clone)]
pub struct SortSpec {
    pub source: SortSource,
    pub desc: bool,
    pub missing_first: bool,
}

/// The sort of a request for one index (default: `_score` descending).
pub fn resolve(
    sort: &[SortField],
    mapping: &Mapping,
    fls: Option<&FieldPermissions>,
) -> Result<Vec<SortSpec>> {
    if sort.is_empty() {
        return Ok(vec![SortSpec {
            source: SortSource::Score,
            desc: true,
            missing_first: false,
        }]);
    }
    sort.iter()
        .map(|s| {
            let desc = s.order == SortOrder::Desc;
            let source = match s.field.as_str() {
                "_score" => SortSource::Score,
                "_doc" => SortSource::Doc,
                SHARD_DOC => SortSource::ShardDoc,
                field if fls.is_some_and(|p| !p.permits(field)) => SortSource::Nothing,
                field => match mapping.get(field).map(|f| f.ty) {
                    None => SortSource::Nothing,
                    Some(FieldType::Text) => {
                        return Err(SearchError::IllegalArgument(format!(
                            "Text fields are not optimised for operations that require \
                             per-document field data like aggregations and sorting, so these \
                             operations are disabled by default. Please use a keyword field \
                             instead. Alternatively, set fielddata=true on [{field}] in order to \
                             load field data by uninverting the inverted index. Note that this \
                             can use significant memory."
                        )));
                    }
                    Some(FieldType::Object | FieldType::Disabled) => SortSource::Nothing,
                    Some(ty) => SortSource::Field {
                        column: format!("{KW}.{field}"),
                        ty,
                    },
                },
            };
            Ok(SortSpec {
                source,
                desc,
                missing_first: matches!(s.missing, Some(Missing::First)),
            })
        })
        .collect()
}

/// Whether the request sorts (or ranks) by score.
pub fn needs_score(specs: &[SortSpec]) -> bool {
    specs.iter().any(|s| matches!(s.source, SortSource::Score))
}

/// Compare two sort keys under the specs.
pub fn compare(specs: &[SortSpec], a: &[SortValue], b: &[SortValue]) -> Ordering {
    for (i, spec) in specs.iter().enumerate() {
        let (x, y) = (a.get(i), b.get(i));
        let ord = match (x, y) {
            (Some(SortValue::Missing), Some(SortValue::Missing)) => Ordering::Equal,
            (Some(SortValue::Missing), _) => {
                if spec.missing_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (_, Some(SortValue::Missing)) => {
                if spec.missing_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (Some(x), Some(y)) => {
                let o = x.cmp_present(y);
                if spec.desc { o.reverse() } else { o }
            }
            _ => Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// Per-segment column readers for the sort.
pub enum SegmentColumn {
    None,
    Num(Vec<Column<f64>>, bool),
    Date(Column<DateTime>),
    Bool(Column<bool>),
    Str(StrColumn),
}

pub fn open_columns(specs: &[SortSpec], seg: &SegmentReader) -> Result<Vec<SegmentColumn>> {
    specs
        .iter()
        .map(|s| {
            let SortSource::Field { column, ty } = &s.source else {
                return Ok(SegmentColumn::None);
            };
            let ff = seg.fast_fields();
            Ok(match ty {
                FieldType::Keyword => ff
                    .str(column)?
                    .map_or(SegmentColumn::None, SegmentColumn::Str),
                FieldType::Date => ff
                    .column_opt::<DateTime>(column)?
                    .map_or(SegmentColumn::None, SegmentColumn::Date),
                FieldType::Boolean => ff
                    .column_opt::<bool>(column)?
                    .map_or(SegmentColumn::None, SegmentColumn::Bool),
                ty => {
                    let mut cols = Vec::new();
                    for handle in ff.dynamic_column_handles(column)? {
                        let dynamic = handle.open()?;
                        if let Some(c) = dynamic.coerce_numerical(NumericalType::F64)
                            && let Some(col) = Option::<Column<f64>>::from(c)
                        {
                            cols.push(col);
                        }
                    }
                    SegmentColumn::Num(cols, ty.is_integer())
                }
            })
        })
        .collect()
}

/// The ordinals of one document that `_doc` and `_shard_doc` sort on.
#[derive(Debug, Clone, Copy)]
pub struct DocIds {
    /// Across every target of the search.
    pub global: u64,
    /// `_shard_doc`: the target's ordinal in the high 32 bits, the document within it below.
    pub shard: u64,
}

/// The sort key of one document.
pub fn key(
    specs: &[SortSpec],
    cols: &[SegmentColumn],
    doc: DocId,
    ids: DocIds,
    score: Score,
) -> Vec<SortValue> {
    specs
        .iter()
        .zip(cols)
        .map(|(spec, col)| match (&spec.source, col) {
            (SortSource::Score, _) => SortValue::Float(f64::from(score)),
            (SortSource::Doc, _) => SortValue::Int(i64::try_from(ids.global).unwrap_or(i64::MAX)),
            (SortSource::ShardDoc, _) => {
                SortValue::Int(i64::try_from(ids.shard).unwrap_or(i64::MAX))
            }
            (_, SegmentColumn::Num(cols, integer)) => {
                let vals = cols.iter().flat_map(|c| c.values_for_doc(doc));
                let v = if spec.desc {
                    vals.fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
                } else {
                    vals.fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.min(v))))
                };
                match v {
                    Some(v) if *integer => SortValue::Int(v as i64),
                    Some(v) => SortValue::Float(v),
                    None => SortValue::Missing,
                }
            }
            (_, SegmentColumn::Date(c)) => {
                let vals = c.values_for_doc(doc).map(|d| d.into_timestamp_millis());
                let v = if spec.desc { vals.max() } else { vals.min() };
                v.map_or(SortValue::Missing, SortValue::Int)
            }
            (_, SegmentColumn::Bool(c)) => {
                let vals = c.values_for_doc(doc).map(i64::from);
                let v = if spec.desc { vals.max() } else { vals.min() };
                v.map_or(SortValue::Missing, SortValue::Int)
            }
            (_, SegmentColumn::Str(c)) => {
                let ords: Vec<u64> = c.term_ords(doc).collect();
                let ord = if spec.desc {
                    ords.iter().max()
                } else {
                    ords.iter().min()
                };
                let mut s = String::new();
                match ord {
                    Some(o) if c.ord_to_str(*o, &mut s).unwrap_or(false) => SortValue::Str(s),
                    _ => SortValue::Missing,
                }
            }
            _ => SortValue::Missing,
        })
        .collect()
}

/// The `sort` array of a hit, as Elasticsearch renders it.
pub fn render(specs: &[SortSpec], key: &[SortValue]) -> Value {
    Value::Array(
        specs
            .iter()
            .zip(key)
            .map(|(spec, v)| match v {
                SortValue::Int(i) => json!(i),
                SortValue::Float(f) => json!(f),
                SortValue::Str(s) => json!(s),
                SortValue::Missing => match &spec.source {
                    SortSource::Field {
                        ty: FieldType::Keyword,
                        ..
                    } => Value::Null,
                    _ if spec.desc => json!(i64::MIN),
                    _ => json!(i64::MAX),
                },
            })
            .collect(),
    )
}
