//! The engine-neutral query AST. Every node names its fields as written by the user (dotted
//! paths, possibly with `*` patterns only where noted); resolving them against a mapping is
//! the engine's job. Field-level security rewrites work on this tree (see `visit`).

use serde::{Deserialize, Serialize};

/// A term-level value: what `term`, `terms`, `range` and friends compare against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

/// How the terms of an analysed query combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Operator {
    #[default]
    Or,
    And,
}

/// `minimum_should_match`, already in one of its two meaningful forms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum MinimumShouldMatch {
    /// A count; negative means "all but n".
    Count(i32),
    /// A percentage of the optional clauses; negative means "all but p%".
    Percent(i32),
}

/// Edit distance of fuzzy matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fuzziness {
    /// `AUTO` (or `AUTO:low,high`): distance by term length.
    Auto {
        low: u8,
        high: u8,
    },
    Distance(u8),
}

/// One bound of a range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bound {
    pub value: Scalar,
    pub inclusive: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BoolQuery {
    pub must: Vec<Query>,
    pub should: Vec<Query>,
    pub filter: Vec<Query>,
    pub must_not: Vec<Query>,
    pub minimum_should_match: Option<MinimumShouldMatch>,
    pub boost: Option<f32>,
}

/// The closed set of query nodes an engine must execute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Query {
    MatchAll {
        boost: Option<f32>,
    },
    MatchNone,
    /// Exact value on the field's indexed (keyword/numeric/boolean/date) form.
    Term {
        field: String,
        value: Scalar,
        case_insensitive: bool,
        boost: Option<f32>,
    },
    Terms {
        field: String,
        values: Vec<Scalar>,
        boost: Option<f32>,
    },
    Ids {
        values: Vec<String>,
    },
    /// Analysed full-text match (on keyword/numeric fields it degrades to a term match, as ES).
    Match {
        field: String,
        query: Scalar,
        operator: Operator,
        minimum_should_match: Option<MinimumShouldMatch>,
        fuzziness: Option<Fuzziness>,
        boost: Option<f32>,
    },
    MatchPhrase {
        field: String,
        query: String,
        slop: u32,
        boost: Option<f32>,
    },
    /// Prefix of the last term (`match_phrase_prefix`, `match_bool_prefix`, search-as-you-type).
    MatchPhrasePrefix {
        field: String,
        query: String,
        boost: Option<f32>,
    },
    Bool(BoolQuery),
    /// The best-scoring of several queries (`dis_max`, and `multi_match` `best_fields`).
    DisMax {
        queries: Vec<Query>,
        tie_breaker: f32,
        boost: Option<f32>,
    },
    Range {
        field: String,
        lower: Option<Bound>,
        upper: Option<Bound>,
        /// Date format for string bounds on date fields (`format` parameter).
        format: Option<String>,
        boost: Option<f32>,
    },
    Exists {
        field: String,
    },
    Prefix {
        field: String,
        value: String,
        case_insensitive: bool,
        boost: Option<f32>,
    },
    /// `*` and `?` pattern on the indexed form.
    Wildcard {
        field: String,
        value: String,
        case_insensitive: bool,
        boost: Option<f32>,
    },
    /// Lucene regular expression on the indexed form.
    Regexp {
        field: String,
        value: String,
        case_insensitive: bool,
        boost: Option<f32>,
    },
    Fuzzy {
        field: String,
        value: String,
        fuzziness: Fuzziness,
        prefix_length: u32,
        transpositions: bool,
        boost: Option<f32>,
    },
    /// Matches what `filter` matches, every hit scoring `boost` (default 1).
    ConstantScore {
        filter: Box<Query>,
        boost: Option<f32>,
    },
}
