//! Which documents one subject may see in one index for one action (sections 7.4 and 10).
//!
//! A restriction is a conjunction of clauses, each clause a disjunction of role queries:
//! a plain role gives at most one clause (OR across granting groups), an API key's limited role
//! ANDs its two sides. No clause at all means unrestricted.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::DlsError;
use super::template::{ScriptLookup, UserContext, render_role_query};
use crate::authz::DocumentAccess;

/// Role query sources, as stored (JSON strings), that must all be satisfied clause by clause.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct DocumentRestriction {
    /// AND over clauses, OR within one. Kept free of clauses implied by a smaller one.
    clauses: BTreeSet<BTreeSet<String>>,
}

impl DocumentRestriction {
    /// Every document is visible.
    pub fn unrestricted() -> Self {
        Self::default()
    }

    /// Documents matching any of `queries`; with no query at all, no document.
    pub fn any_of<I, S>(queries: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let clause = queries.into_iter().map(Into::into).collect();
        Self {
            clauses: BTreeSet::from([clause]),
        }
    }

    /// The restriction for the groups granting one action on one index: a group without a
    /// query lifts all restriction; otherwise any group's query grants a document.
    pub fn from_group_queries<I, S>(group_queries: I) -> Self
    where
        I: IntoIterator<Item = Option<S>>,
        S: Into<String>,
    {
        let queries: Option<Vec<String>> = group_queries
            .into_iter()
            .map(|q| q.map(Into::into))
            .collect();
        queries.map_or_else(Self::unrestricted, Self::any_of)
    }

    /// The document restriction an index decision carries (sections 7.4 and 10): one clause per
    /// restricted side (OR of its queries), ANDed; a side of `None` adds no clause. A side
    /// listing no query at all gives an empty clause, which matches nothing.
    pub fn from_access(access: &DocumentAccess) -> Self {
        let clauses = access.sides.iter().flatten().cloned().collect();
        Self { clauses }.normalized()
    }

    /// Whether no document is hidden.
    pub fn is_unrestricted(&self) -> bool {
        self.clauses.is_empty()
    }

    /// The clauses (each an OR of query sources), all of which must hold.
    pub fn clauses(&self) -> impl Iterator<Item = &BTreeSet<String>> {
        self.clauses.iter()
    }

    /// Documents visible under both (an API key's assigned role and its owner's role).
    #[must_use]
    pub fn and(mut self, other: Self) -> Self {
        self.clauses.extend(other.clauses);
        self.normalized()
    }

    /// Documents visible under either (another granting group or role).
    ///
    /// `(A1 ∧ A2) ∨ (B1)` becomes `(A1 ∨ B1) ∧ (A2 ∨ B1)`; anything OR unrestricted is
    /// unrestricted, which the empty product gives for free.
    #[must_use]
    pub fn or(self, other: Self) -> Self {
        let mut clauses = BTreeSet::new();
        for left in &self.clauses {
            for right in &other.clauses {
                clauses.insert(left.union(right).cloned().collect());
            }
        }
        Self { clauses }.normalized()
    }

    /// Drop clauses that a smaller clause already implies (`X ∧ (X ∨ Y)` is `X`).
    fn normalized(self) -> Self {
        let implied = |clause: &BTreeSet<String>| {
            self.clauses
                .iter()
                .any(|other| other != clause && other.is_subset(clause))
        };
        let clauses = self
            .clauses
            .iter()
            .filter(|c| !implied(c))
            .cloned()
            .collect();
        Self { clauses }
    }

    /// One Elasticsearch query that selects the visible documents, rendered for `user`;
    /// `None` when unrestricted. Any query that cannot be rendered makes the whole call fail.
    pub fn to_filter(
        &self,
        user: &UserContext,
        scripts: Option<ScriptLookup<'_>>,
    ) -> Result<Option<Value>, DlsError> {
        if self.is_unrestricted() {
            return Ok(None);
        }
        let mut filters = Vec::with_capacity(self.clauses.len());
        for clause in &self.clauses {
            filters.push(clause_filter(clause, user, scripts)?);
        }
        Ok(Some(json!({"bool": {"filter": filters}})))
    }
}

fn clause_filter(
    clause: &BTreeSet<String>,
    user: &UserContext,
    scripts: Option<ScriptLookup<'_>>,
) -> Result<Value, DlsError> {
    if clause.is_empty() {
        // An empty bool would match everything in Elasticsearch; an empty OR matches nothing.
        return Ok(json!({"match_none": {}}));
    }
    let mut should = Vec::with_capacity(clause.len());
    for source in clause {
        should.push(render_role_query(source, user, scripts)?);
    }
    Ok(json!({"bool": {"should": should, "minimum_should_match": 1}}))
}

#[cfg(test)]
#[path = "restriction_tests.rs"]
mod tests;
