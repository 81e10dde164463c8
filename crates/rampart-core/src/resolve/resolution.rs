//! The result of resolving a request's index expressions.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use super::expression::Selector;

/// The placeholder a request is rewritten to when nothing matched and empty results are allowed:
/// ES sends `*,-*`, which matches nothing; authorization lets it through without name checks.
pub const NO_INDEX_PLACEHOLDER: [&str; 2] = ["*", "-*"];

/// How a name got into the resolution; the decision layer treats them differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Written by the caller (possibly via date math). May be missing or unauthorized: the
    /// decision layer must check it (403 if unauthorized).
    Explicit,
    /// Produced by a wildcard or `_all`: already known to exist, be visible and be authorized.
    Wildcard,
}

/// One local name the request targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedName<'m> {
    /// The index, alias or data stream name (borrowed from the metadata when it came from a
    /// wildcard, so large expansions do not allocate per name).
    pub name: Cow<'m, str>,
    /// Explicit or from a wildcard.
    pub origin: Origin,
    /// The `::data` / `::failures` selector the expression carried.
    pub selector: Option<Selector>,
}

impl ResolvedName<'_> {
    /// The name as the request should now carry it (`ds::failures` keeps its selector).
    pub fn expression(&self) -> String {
        match self.selector {
            Some(s) => format!("{}::{}", self.name, s.as_str()),
            None => self.name.clone().into_owned(),
        }
    }
}

/// An expression sent to remote clusters (`cluster:index`), excluded from local authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteExpression {
    /// The configured remote aliases the cluster part matched.
    pub clusters: Vec<String>,
    /// The index part after the first `:` (with its selector, if any).
    pub index: String,
    /// The expression as written.
    pub original: String,
}

/// What a request's expressions resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resolution<'m> {
    /// Local names in request order, without duplicates.
    pub local: Vec<ResolvedName<'m>>,
    /// Remote expressions, in request order.
    pub remote: Vec<RemoteExpression>,
    pub(super) empty_placeholder: bool,
}

impl<'m> Resolution<'m> {
    /// True when nothing matched and the request was rewritten to `*,-*` (`allow_no_indices`).
    pub fn is_empty_placeholder(&self) -> bool {
        self.empty_placeholder
    }

    /// The local names.
    pub fn local_names(&self) -> impl Iterator<Item = &str> {
        self.local.iter().map(|n| n.name.as_ref())
    }

    /// The names written explicitly (these need an authorization check by name).
    pub fn explicit_names(&self) -> impl Iterator<Item = &str> {
        self.local
            .iter()
            .filter(|n| n.origin == Origin::Explicit)
            .map(|n| n.name.as_ref())
    }

    /// The local index expressions the request should be rewritten to.
    pub fn local_expressions(&self) -> Vec<String> {
        if self.empty_placeholder {
            return NO_INDEX_PLACEHOLDER
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
        }
        self.local.iter().map(ResolvedName::expression).collect()
    }

    /// Drop duplicates (same name and selector), keeping the first position; a name that was
    /// also written explicitly stays [`Origin::Explicit`] so it is still checked by name.
    pub(super) fn dedup(&mut self) {
        let mut first: HashMap<(&str, Option<Selector>), usize> =
            HashMap::with_capacity(self.local.len());
        let mut keep = Vec::with_capacity(self.local.len());
        let mut explicit_later = Vec::new();
        for (i, item) in self.local.iter().enumerate() {
            match first.entry((item.name.as_ref(), item.selector)) {
                Entry::Occupied(seen) => {
                    keep.push(false);
                    if item.origin == Origin::Explicit {
                        explicit_later.push(*seen.get());
                    }
                }
                Entry::Vacant(slot) => {
                    slot.insert(i);
                    keep.push(true);
                }
            }
        }
        drop(first);
        for i in explicit_later {
            if let Some(item) = self.local.get_mut(i) {
                item.origin = Origin::Explicit;
            }
        }
        let mut flags = keep.into_iter();
        self.local.retain(|_| flags.next().unwrap_or(true));
    }
}
