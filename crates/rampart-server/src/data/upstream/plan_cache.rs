//! Rewritten searches reused across requests. Planning a restricted search (parsing the body,
//! checking the refusal list, scoping the query per restriction group, rendering it again)
//! is a pure function of the body bytes, the URL parameters (merged into the request), the
//! targets with their restrictions and whether the path names exactly the targets; clients
//! and dashboards repeat the same searches, so the plan and its serialized body are kept per
//! exact input. The restrictions are part of the key (compared in full: DLS queries by
//! value, field sets by language), so a role change or another user's rendered role query
//! never reuses a plan made for other restrictions. Refusals are not kept.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use bytes::Bytes;
use rampart_gateway::rewrite::{ResponseFilter, Target};

use super::memo::Memo;
use crate::error::ApiError;
use crate::http::Req;

/// Plans kept before starting over.
const LIMIT: usize = 512;
/// Bodies larger than this are planned every time (a cached plan holds the body twice, so
/// the cache stays under ~16 MiB however large the searches).
const MAX_BODY: usize = 16 * 1024;

/// A planned restricted search: the body to send and how to filter its answer.
#[derive(Debug)]
pub struct PlannedSearch {
    /// The rewritten body, serialized.
    pub body: Bytes,
    /// `None` when no field restriction applies: the answer is returned as is.
    pub response: Option<ResponseFilter>,
}

#[derive(Debug)]
struct PlanKey {
    body: Bytes,
    query: Vec<(String, String)>,
    targets: Vec<Target>,
    direct: bool,
}

/// The gateway's plans of restricted searches.
#[derive(Debug)]
pub struct PlanCache {
    plans: Memo<PlanKey, Arc<PlannedSearch>>,
}

impl Default for PlanCache {
    fn default() -> Self {
        Self {
            plans: Memo::new(LIMIT),
        }
    }
}

impl PlanCache {
    /// The plan of `req`'s search over `targets`, made by `plan` unless an identical
    /// request over identical targets was planned before.
    pub fn get_or_plan(
        &self,
        req: &Req,
        targets: &[Target],
        direct: bool,
        plan: impl FnOnce() -> Result<PlannedSearch, ApiError>,
    ) -> Result<Arc<PlannedSearch>, ApiError> {
        if req.body.len() > MAX_BODY {
            return plan().map(Arc::new);
        }
        let mut h = DefaultHasher::new();
        req.body.hash(&mut h);
        req.query.hash(&mut h);
        for target in targets {
            target.index.hash(&mut h);
        }
        direct.hash(&mut h);
        self.plans.get_or_try(
            h.finish(),
            |k| {
                k.direct == direct
                    && k.body == req.body
                    && k.query == req.query
                    && k.targets == targets
            },
            || PlanKey {
                body: req.body.clone(),
                query: req.query.clone(),
                targets: targets.to_vec(),
                direct,
            },
            || plan().map(Arc::new),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_gateway::rewrite::IndexRestrictions;
    use rampart_query::Query;
    use std::sync::OnceLock;

    fn req(body: &str, query: &[(&str, &str)]) -> Req {
        Req {
            method: axum::http::Method::POST,
            path: "/i/_search".into(),
            uri: "/i/_search".into(),
            params: Default::default(),
            query: query
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            headers: Default::default(),
            body: Bytes::copy_from_slice(body.as_bytes()),
            parsed: OnceLock::new(),
        }
    }

    fn target(index: &str, dls: Option<Query>) -> Target {
        Target {
            index: index.into(),
            restrictions: IndexRestrictions {
                documents: dls,
                fields: None,
            },
        }
    }

    fn planned(text: &'static str) -> impl FnOnce() -> Result<PlannedSearch, ApiError> {
        move || {
            Ok(PlannedSearch {
                body: Bytes::from_static(text.as_bytes()),
                response: None,
            })
        }
    }

    #[test]
    fn a_plan_is_reused_only_for_the_same_body_parameters_and_restrictions() {
        let cache = PlanCache::default();
        let term = |v: &str| Query::Term {
            field: "owner".into(),
            value: rampart_query::ast::Scalar::Str(v.into()),
            boost: None,
            case_insensitive: false,
        };
        let alice = [target("i", Some(term("alice")))];
        let bob = [target("i", Some(term("bob")))];
        let body = r#"{"query":{"match_all":{}}}"#;
        let first = cache
            .get_or_plan(&req(body, &[]), &alice, true, planned("A"))
            .unwrap();
        assert_eq!(&first.body[..], b"A");
        let again = cache
            .get_or_plan(&req(body, &[]), &alice, true, planned("other"))
            .unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        for (r, targets, direct, what) in [
            (
                req(body, &[]),
                &bob,
                true,
                "another user's rendered role query",
            ),
            (
                req(body, &[]),
                &alice,
                false,
                "a path that is not the targets",
            ),
            (req(body, &[("size", "5")]), &alice, true, "URL parameters"),
            (
                req(r#"{"query":{"match_none":{}}}"#, &[]),
                &alice,
                true,
                "another body",
            ),
        ] {
            let other = cache
                .get_or_plan(&r, targets, direct, planned("B"))
                .unwrap();
            assert_eq!(&other.body[..], b"B", "{what} must be planned again");
        }
    }

    #[test]
    fn refusals_are_planned_every_time() {
        let cache = PlanCache::default();
        let targets = [target("i", Some(Query::MatchAll { boost: None }))];
        let refused = cache.get_or_plan(&req("{}", &[]), &targets, true, || {
            Err(ApiError::bad_request("refused"))
        });
        assert!(refused.is_err());
        let ok = cache
            .get_or_plan(&req("{}", &[]), &targets, true, planned("ok"))
            .unwrap();
        assert_eq!(&ok.body[..], b"ok");
    }
}
