//! Resolving a request's index expressions against the metadata and the user's authorized names
//! (authorization.md 5.2–5.4). This never allows or denies: it reports which names the request
//! targets and whether each was explicit or came from a wildcard.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use super::datemath::resolve_date_math;
use super::error::ResolveError;
use super::expression::{Selector, is_wildcard, literal_prefix, parse_selector, simple_match};
use super::metadata::{Abstraction, IndexMetadata, IndexState};
use super::options::IndicesOptions;
use super::resolution::{Origin, RemoteExpression, Resolution, ResolvedName};

/// `_all`: every authorized visible name.
pub const ALL_INDICES: &str = "_all";

/// Resolve `expressions` for `action`.
///
/// `authorized(name)` answers "does the role grant this action on this (existing or not) name";
/// a backing index is also authorized through its data stream when the request supports data
/// streams, so the predicate need not know about data streams. `now` feeds date math.
pub fn resolve<'m>(
    action: &str,
    expressions: &[String],
    opts: &IndicesOptions,
    meta: &'m IndexMetadata,
    authorized: &dyn Fn(&str) -> bool,
    now: DateTime<Utc>,
) -> Result<Resolution<'m>, ResolveError> {
    Resolver {
        meta,
        authorized,
        opts,
        now,
    }
    .run(action, expressions)
}

/// A local expression after selector parsing and remote splitting.
struct LocalExpr<'e> {
    original: &'e str,
    text: &'e str,
    selector: Option<Selector>,
}

struct Resolver<'m, 'a> {
    meta: &'m IndexMetadata,
    authorized: &'a dyn Fn(&str) -> bool,
    opts: &'a IndicesOptions,
    now: DateTime<Utc>,
}

impl<'m> Resolver<'m, '_> {
    fn run(&self, action: &str, expressions: &[String]) -> Result<Resolution<'m>, ResolveError> {
        let mut resolution = Resolution::default();
        let mut locals = Vec::with_capacity(expressions.len());
        for expression in expressions {
            let (text, selector) = parse_selector(expression)?;
            match self.split_remote(expression, text)? {
                Some(remote) => resolution.remote.push(remote),
                None => locals.push(LocalExpr {
                    original: expression,
                    text,
                    selector,
                }),
            }
        }
        if !self.opts.wildcards_allowed {
            self.resolve_single_names(action, &locals, &mut resolution)?;
            return Ok(resolution);
        }
        if locals.is_empty() && !resolution.remote.is_empty() {
            return Ok(resolution);
        }
        // `*` alone with expansion on goes the normal wildcard way (so `allow_no_indices` applies
        // to it); with expansion off it selects nothing, like `_all`.
        let all_names = match locals.as_slice() {
            [] => true,
            [only] if only.selector.is_none() => {
                only.text == ALL_INDICES
                    || (only.text == "*" && !self.opts.expand_wildcards.expands())
            }
            _ => false,
        };
        if all_names {
            self.push_all_visible(&mut resolution);
        } else {
            self.resolve_in_order(&locals, &mut resolution)?;
            if locals.len() > 1 {
                resolution.dedup();
            }
        }
        if resolution.local.is_empty() && resolution.remote.is_empty() {
            if !self.opts.allow_no_indices {
                // ES reports the whole original list here, formatted like Java's Arrays.toString.
                return Err(ResolveError::IndexNotFound {
                    index: format!("[{}]", expressions.join(", ")),
                });
            }
            resolution.empty_placeholder = true;
        }
        Ok(resolution)
    }

    /// `cluster:index` goes remote when the cluster part matches a configured remote alias and
    /// the request allows remote indices; otherwise the whole string is a local name.
    fn split_remote(
        &self,
        original: &str,
        text: &str,
    ) -> Result<Option<RemoteExpression>, ResolveError> {
        if !self.opts.allow_remote {
            return Ok(None);
        }
        let Some((cluster, _)) = text.split_once(':') else {
            return Ok(None);
        };
        let clusters = self.meta.matching_remote_clusters(cluster);
        if clusters.is_empty() {
            if !self.opts.wildcards_allowed && is_wildcard(cluster) {
                return Err(ResolveError::NoSuchRemoteCluster {
                    alias: cluster.to_owned(),
                });
            }
            return Ok(None);
        }
        let index = original
            .get(cluster.len() + 1..)
            .unwrap_or_default()
            .to_owned();
        Ok(Some(RemoteExpression {
            clusters: clusters.into_iter().map(str::to_owned).collect(),
            index,
            original: original.to_owned(),
        }))
    }

    /// Single-name requests: no `_all`, no wildcards, names kept as written (after date math).
    fn resolve_single_names(
        &self,
        action: &str,
        locals: &[LocalExpr<'_>],
        resolution: &mut Resolution<'m>,
    ) -> Result<(), ResolveError> {
        if locals.is_empty() {
            if resolution.remote.is_empty() {
                return Err(ResolveError::NoIndexNames {
                    action: action.to_owned(),
                });
            }
            return Ok(());
        }
        if let [only] = locals {
            if only.text == ALL_INDICES {
                return Err(ResolveError::AllIndicesNotSupported {
                    action: action.to_owned(),
                    expression: only.original.to_owned(),
                });
            }
        }
        let wildcards: Vec<&str> = locals
            .iter()
            .map(|l| l.original)
            .filter(|e| is_wildcard(e))
            .collect();
        if !wildcards.is_empty() {
            return Err(ResolveError::WildcardsNotSupported {
                action: action.to_owned(),
                expressions: wildcards.join(","),
            });
        }
        for local in locals {
            let name = resolve_date_math(local.text, self.now)?;
            resolution.local.push(self.explicit(name, local.selector));
        }
        resolution.dedup();
        Ok(())
    }

    /// Missing list, `_all` or `*`: every authorized visible name (nothing if expansion is off).
    fn push_all_visible(&self, resolution: &mut Resolution<'m>) {
        if !self.opts.expand_wildcards.expands() {
            return;
        }
        for (name, abstraction) in self.meta.iter() {
            if self.visible_to_wildcard("*", name, abstraction)
                && self.is_authorized(name, abstraction)
            {
                resolution.local.push(ResolvedName {
                    name: Cow::Borrowed(name),
                    origin: Origin::Wildcard,
                    selector: None,
                });
            }
        }
    }

    fn resolve_in_order(
        &self,
        locals: &[LocalExpr<'_>],
        resolution: &mut Resolution<'m>,
    ) -> Result<(), ResolveError> {
        let expands = self.opts.expand_wildcards.expands();
        let mut wildcard_seen = false;
        for local in locals {
            let (exclude, text) = match local.text.strip_prefix('-') {
                Some(rest) if wildcard_seen => (true, rest),
                _ => (false, local.text),
            };
            let name = resolve_date_math(text, self.now)?;
            if expands && is_wildcard(&name) {
                wildcard_seen = true;
                if exclude {
                    self.exclude_wildcard(&name, local.selector, resolution)?;
                } else {
                    self.include_wildcard(&name, local.selector, resolution)?;
                }
            } else if exclude {
                resolution
                    .local
                    .retain(|n| !(n.name == name && n.selector == local.selector));
            } else if !self.opts.ignore_unavailable || self.available(&name) {
                resolution.local.push(self.explicit(name, local.selector));
            }
        }
        Ok(())
    }

    fn include_wildcard(
        &self,
        pattern: &str,
        selector: Option<Selector>,
        resolution: &mut Resolution<'m>,
    ) -> Result<(), ResolveError> {
        let before = resolution.local.len();
        resolution
            .local
            .extend(self.wildcard_matches(pattern).map(|name| ResolvedName {
                name: Cow::Borrowed(name),
                origin: Origin::Wildcard,
                selector,
            }));
        if resolution.local.len() == before && !self.opts.allow_no_indices {
            return Err(ResolveError::IndexNotFound {
                index: pattern.to_owned(),
            });
        }
        Ok(())
    }

    /// Removes what the wildcard would have added (authorized, visible matches), not other
    /// names: an explicitly written unauthorized name survives and is denied later, as in ES.
    fn exclude_wildcard(
        &self,
        pattern: &str,
        selector: Option<Selector>,
        resolution: &mut Resolution<'m>,
    ) -> Result<(), ResolveError> {
        if !self.opts.allow_no_indices && self.wildcard_matches(pattern).next().is_none() {
            return Err(ResolveError::IndexNotFound {
                index: pattern.to_owned(),
            });
        }
        resolution.local.retain(|n| {
            let removable = n.selector == selector
                && simple_match(pattern, &n.name)
                && self.meta.get(&n.name).is_some_and(|a| {
                    self.visible_to_wildcard(pattern, &n.name, a) && self.is_authorized(&n.name, a)
                });
            !removable
        });
        Ok(())
    }

    /// Authorized, visible names matched by `pattern`, in name order, via a prefix range scan.
    fn wildcard_matches<'p>(&'p self, pattern: &'p str) -> impl Iterator<Item = &'m str> + 'p {
        let prefix = literal_prefix(pattern);
        let rest = pattern.get(prefix.len()..).unwrap_or_default();
        let any_suffix = rest == "*";
        self.meta
            .with_prefix(prefix)
            .filter(move |(name, abstraction)| {
                (any_suffix || simple_match(rest, name.get(prefix.len()..).unwrap_or_default()))
                    && self.visible_to_wildcard(pattern, name, abstraction)
                    && self.is_authorized(name, abstraction)
            })
            .map(|(name, _)| name)
    }

    /// Explicit names borrow the metadata's copy when they exist.
    fn explicit(&self, name: Cow<'_, str>, selector: Option<Selector>) -> ResolvedName<'m> {
        let name = match self.meta.existing_name(&name) {
            Some(existing) => Cow::Borrowed(existing),
            None => Cow::Owned(name.into_owned()),
        };
        ResolvedName {
            name,
            origin: Origin::Explicit,
            selector,
        }
    }

    /// With `ignore_unavailable`, an explicit name survives only if it exists, is visible to
    /// this request and is authorized.
    fn available(&self, name: &str) -> bool {
        let Some(abstraction) = self.meta.get(name) else {
            return false;
        };
        let visible = match abstraction {
            Abstraction::Alias(a) => {
                !self.opts.ignore_aliases
                    && (!a.data_stream_alias || self.opts.include_data_streams)
            }
            Abstraction::DataStream(_) => self.opts.include_data_streams,
            Abstraction::Index(i) => {
                !(self.opts.forbid_closed_indices && i.state == IndexState::Closed)
            }
        };
        visible && self.is_authorized(name, abstraction)
    }

    /// Section 5.3. Hidden names need `hidden`, except that a wildcard starting with `.` sees
    /// hidden names starting with `.`.
    fn visible_to_wildcard(&self, pattern: &str, name: &str, abstraction: &Abstraction) -> bool {
        let opts = self.opts;
        let hidden_ok = !abstraction.is_hidden()
            || opts.expand_wildcards.hidden
            || (pattern.starts_with('.') && name.starts_with('.'));
        if !hidden_ok {
            return false;
        }
        match abstraction {
            Abstraction::Alias(a) => {
                !opts.ignore_aliases && (!a.data_stream_alias || opts.include_data_streams)
            }
            Abstraction::DataStream(d) => {
                opts.include_data_streams && (!d.system || opts.include_system_wildcards)
            }
            Abstraction::Index(i) => {
                let state_ok = match i.state {
                    IndexState::Open => opts.expand_wildcards.open,
                    IndexState::Closed => opts.expand_wildcards.closed,
                };
                state_ok && (!i.system || opts.include_system_wildcards)
            }
        }
    }

    /// A backing index is also authorized through its data stream (section 5.1/5.6) when the
    /// request supports data streams. Failure indices are not: they need failure privileges.
    fn is_authorized(&self, name: &str, abstraction: &Abstraction) -> bool {
        if (self.authorized)(name) {
            return true;
        }
        match abstraction {
            Abstraction::Index(i) if self.opts.include_data_streams && !i.failure_index => i
                .data_stream
                .as_deref()
                .is_some_and(|ds| (self.authorized)(ds)),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests;
