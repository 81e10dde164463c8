//! `IndicesOptions`: how a request wants its index expressions resolved.
//!
//! The constructors mirror Elasticsearch's named defaults; request types pick one and the REST
//! layer overlays the `expand_wildcards` / `ignore_unavailable` / `allow_no_indices` parameters.

use super::error::ResolveError;

/// Which states wildcards expand to (`expand_wildcards`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExpandWildcards {
    /// Open indices.
    pub open: bool,
    /// Closed indices.
    pub closed: bool,
    /// Hidden indices, aliases and data streams.
    pub hidden: bool,
}

impl ExpandWildcards {
    /// `none`: wildcards are not expanded.
    pub const NONE: Self = ExpandWildcards {
        open: false,
        closed: false,
        hidden: false,
    };
    /// `open` (the usual default).
    pub const OPEN: Self = ExpandWildcards {
        open: true,
        closed: false,
        hidden: false,
    };
    /// `open,closed`.
    pub const OPEN_CLOSED: Self = ExpandWildcards {
        open: true,
        closed: true,
        hidden: false,
    };
    /// `all` = `open,closed,hidden`.
    pub const ALL: Self = ExpandWildcards {
        open: true,
        closed: true,
        hidden: true,
    };

    /// Parse a comma-separated `expand_wildcards` value, applied left to right as ES does
    /// (`none` clears, `all` sets everything).
    pub fn parse(value: &str) -> Result<Self, ResolveError> {
        let mut out = ExpandWildcards::NONE;
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "open" => out.open = true,
                "closed" => out.closed = true,
                "hidden" => out.hidden = true,
                "none" => out = ExpandWildcards::NONE,
                "all" => out = ExpandWildcards::ALL,
                other => return Err(ResolveError::BadExpandWildcards(other.to_owned())),
            }
        }
        Ok(out)
    }

    /// Whether wildcards are expanded at all (`hidden` alone does not expand anything).
    pub fn expands(self) -> bool {
        self.open || self.closed
    }
}

/// Resolution options of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndicesOptions {
    /// Drop explicit names that are missing, unauthorized or not visible instead of keeping them.
    pub ignore_unavailable: bool,
    /// An empty resolution becomes the `*,-*` placeholder instead of a 404.
    pub allow_no_indices: bool,
    /// Which states wildcards expand to.
    pub expand_wildcards: ExpandWildcards,
    /// Aliases are never matched.
    pub ignore_aliases: bool,
    /// Aliases pointing to several indices are allowed (checked by the action, kept for it).
    pub allow_aliases_to_multiple_indices: bool,
    /// Closed indices are rejected by the action; with `ignore_unavailable` they are dropped.
    pub forbid_closed_indices: bool,
    /// False for single-name requests: no wildcards, no `_all`, names kept as given.
    pub wildcards_allowed: bool,
    /// The request type accepts `cluster:index` remote expressions.
    pub allow_remote: bool,
    /// The request type supports data streams (else they are invisible).
    pub include_data_streams: bool,
    /// The request may see net-new system indices through wildcards (allowed product origin).
    pub include_system_wildcards: bool,
}

impl IndicesOptions {
    /// ES `strictExpandOpen`: missing names error out, empty wildcards are fine, open only.
    pub const fn strict_expand_open() -> Self {
        IndicesOptions {
            ignore_unavailable: false,
            allow_no_indices: true,
            expand_wildcards: ExpandWildcards::OPEN,
            ignore_aliases: false,
            allow_aliases_to_multiple_indices: true,
            forbid_closed_indices: false,
            wildcards_allowed: true,
            allow_remote: false,
            include_data_streams: false,
            include_system_wildcards: false,
        }
    }

    /// ES `strictExpandOpenAndForbidClosed`.
    pub const fn strict_expand_open_forbid_closed() -> Self {
        IndicesOptions {
            forbid_closed_indices: true,
            ..Self::strict_expand_open()
        }
    }

    /// ES `lenientExpandOpen`: missing/unauthorized explicit names are silently dropped.
    pub const fn lenient_expand_open() -> Self {
        IndicesOptions {
            ignore_unavailable: true,
            ..Self::strict_expand_open()
        }
    }

    /// ES `strictExpandHidden` (`open,closed,hidden`).
    pub const fn strict_expand_hidden() -> Self {
        IndicesOptions {
            expand_wildcards: ExpandWildcards::ALL,
            ..Self::strict_expand_open()
        }
    }

    /// ES `strictSingleIndexNoExpandForbidClosed`: single-name requests (document APIs, create
    /// index, bulk items). Data streams are accepted as write targets.
    pub const fn single_index() -> Self {
        IndicesOptions {
            ignore_unavailable: false,
            allow_no_indices: false,
            expand_wildcards: ExpandWildcards::NONE,
            ignore_aliases: false,
            allow_aliases_to_multiple_indices: false,
            forbid_closed_indices: true,
            wildcards_allowed: false,
            allow_remote: false,
            include_data_streams: true,
            include_system_wildcards: false,
        }
    }

    /// Search, count, field_caps…: strict-expand-open-forbid-closed, data streams, remote.
    pub const fn search() -> Self {
        IndicesOptions {
            include_data_streams: true,
            allow_remote: true,
            ..Self::strict_expand_open_forbid_closed()
        }
    }

    /// Overlay the REST query parameters `expand_wildcards`, `ignore_unavailable` and
    /// `allow_no_indices`; other parameters are ignored. An empty boolean value keeps the default.
    pub fn with_query_params<'a>(
        mut self,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, ResolveError> {
        for (key, value) in params {
            match key {
                "expand_wildcards" => self.expand_wildcards = ExpandWildcards::parse(value)?,
                "ignore_unavailable" => {
                    self.ignore_unavailable = parse_bool(key, value, self.ignore_unavailable)?
                }
                "allow_no_indices" => {
                    self.allow_no_indices = parse_bool(key, value, self.allow_no_indices)?
                }
                _ => {}
            }
        }
        Ok(self)
    }
}

fn parse_bool(param: &str, value: &str, default: bool) -> Result<bool, ResolveError> {
    match value {
        "" => Ok(default),
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ResolveError::BadBoolean {
            param: param.to_owned(),
            value: value.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::EsError;

    #[test]
    fn expand_wildcards_values_apply_left_to_right() {
        assert_eq!(
            ExpandWildcards::parse("open,hidden").unwrap(),
            ExpandWildcards {
                hidden: true,
                ..ExpandWildcards::OPEN
            }
        );
        assert_eq!(ExpandWildcards::parse("all").unwrap(), ExpandWildcards::ALL);
        assert_eq!(
            ExpandWildcards::parse("all,none,closed").unwrap(),
            ExpandWildcards {
                closed: true,
                ..ExpandWildcards::NONE
            }
        );
        assert_eq!(ExpandWildcards::parse("").unwrap(), ExpandWildcards::NONE);
        assert!(!ExpandWildcards::parse("hidden").unwrap().expands());
    }

    #[test]
    fn bad_expand_wildcards_value_is_an_illegal_argument() {
        let err = ExpandWildcards::parse("open,foo").unwrap_err();
        assert_eq!(err.to_string(), "No valid expand wildcard value [foo]");
        assert_eq!(
            (err.es_type(), err.status()),
            ("illegal_argument_exception", 400)
        );
    }

    #[test]
    fn query_params_override_defaults() {
        let opts = IndicesOptions::search()
            .with_query_params([
                ("ignore_unavailable", "true"),
                ("allow_no_indices", "false"),
                ("pretty", ""),
            ])
            .unwrap();
        assert!(opts.ignore_unavailable);
        assert!(!opts.allow_no_indices);
        assert!(opts.forbid_closed_indices);
        let same = IndicesOptions::search()
            .with_query_params([("ignore_unavailable", "")])
            .unwrap();
        assert_eq!(same, IndicesOptions::search());
    }

    #[test]
    fn bad_boolean_param_names_the_parameter_and_the_value() {
        let err = IndicesOptions::search()
            .with_query_params([("allow_no_indices", "yes")])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Could not convert [allow_no_indices] to boolean"
        );
        assert_eq!(
            err.caused_by(),
            Some((
                "illegal_argument_exception",
                "Failed to parse value [yes] as only [true] or [false] are allowed.".to_owned()
            ))
        );
    }

    #[test]
    fn named_defaults_match_elasticsearch() {
        let single = IndicesOptions::single_index();
        assert!(
            !single.wildcards_allowed
                && !single.allow_no_indices
                && !single.expand_wildcards.expands()
        );
        assert!(IndicesOptions::lenient_expand_open().ignore_unavailable);
        assert_eq!(
            IndicesOptions::strict_expand_hidden().expand_wildcards,
            ExpandWildcards::ALL
        );
        assert!(
            IndicesOptions::search().allow_remote && IndicesOptions::search().include_data_streams
        );
    }
}
