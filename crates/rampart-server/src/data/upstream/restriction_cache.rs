//! Restrictions computed once per distinct input instead of once per request: compiling a
//! field set into an automaton and rendering + parsing role queries were most of a
//! restricted search's cost in the gateway (benches/gateway_instructions.sh). Both are pure
//! functions of their inputs (the decision's `FieldAccess`; the `DocumentAccess` and the user
//! the queries are rendered for), so an entry is found only by full equality of those inputs
//! and never needs invalidating: a role change yields a different access, hence a different
//! key. Failures are not kept (each request fails closed on its own).

use std::hash::{DefaultHasher, Hash, Hasher};

use rampart_core::authz::{DocumentAccess, FieldAccess};
use rampart_core::dls::UserContext;
use rampart_core::fls::FieldPermissions;
use rampart_query::Query;

use super::memo::Memo;
use crate::data::restrict;
use crate::error::ApiError;

/// How many distinct inputs each cache keeps before starting over.
const LIMIT: usize = 1024;

/// The gateway's memo of compiled field sets and parsed role queries.
#[derive(Debug)]
pub struct RestrictionCache {
    fields: Memo<FieldAccess, Option<FieldPermissions>>,
    documents: Memo<(DocumentAccess, UserContext), Option<Query>>,
}

impl Default for RestrictionCache {
    fn default() -> Self {
        Self {
            fields: Memo::new(LIMIT),
            documents: Memo::new(LIMIT),
        }
    }
}

impl RestrictionCache {
    /// `restrict::fields`, compiled once per distinct access.
    pub fn fields(&self, access: &FieldAccess) -> Result<Option<FieldPermissions>, ApiError> {
        if access.is_unrestricted() {
            return Ok(None);
        }
        let mut h = DefaultHasher::new();
        for side in &access.sides {
            side.as_ref().map(Vec::len).hash(&mut h);
            for alternative in side.iter().flatten() {
                alternative.grant.hash(&mut h);
                alternative.except.hash(&mut h);
            }
        }
        self.fields.get_or_try(
            h.finish(),
            |k| k == access,
            || access.clone(),
            || restrict::fields(access),
        )
    }

    /// `restrict::documents` for `user`, rendered and parsed once per distinct access and user.
    pub fn documents(
        &self,
        access: &DocumentAccess,
        user: &UserContext,
    ) -> Result<Option<Query>, ApiError> {
        if access.is_unrestricted() {
            return Ok(None);
        }
        let mut h = DefaultHasher::new();
        access.sides.hash(&mut h);
        user.username.hash(&mut h);
        self.documents.get_or_try(
            h.finish(),
            |(a, u)| a == access && u == user,
            || (access.clone(), user.clone()),
            || restrict::documents(access, user),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::role::FieldSecurity;
    use std::collections::BTreeSet;

    fn grant(fields: &[&str]) -> FieldAccess {
        FieldAccess {
            sides: vec![Some(vec![FieldSecurity {
                grant: Some(fields.iter().map(|f| (*f).to_owned()).collect()),
                except: Vec::new(),
            }])],
        }
    }

    #[test]
    fn field_sets_are_kept_per_exact_access() {
        let cache = RestrictionCache::default();
        let ab = cache.fields(&grant(&["a", "b"])).unwrap().unwrap();
        assert!(ab.permits("a") && ab.permits("b") && !ab.permits("c"));
        let again = cache.fields(&grant(&["a", "b"])).unwrap().unwrap();
        assert_eq!(again, ab);
        let a = cache.fields(&grant(&["a"])).unwrap().unwrap();
        assert!(
            a.permits("a") && !a.permits("b"),
            "another access is another entry"
        );
        assert_eq!(cache.fields(&FieldAccess::default()).unwrap(), None);
    }

    #[test]
    fn failures_are_not_kept() {
        let cache = RestrictionCache::default();
        let bad = FieldAccess {
            sides: vec![Some(vec![FieldSecurity {
                grant: Some(vec!["a".into()]),
                except: vec!["b".into()],
            }])],
        };
        assert!(cache.fields(&bad).is_err());
        assert!(cache.fields(&bad).is_err(), "still refused the second time");
    }

    #[test]
    fn role_queries_are_rendered_for_their_user() {
        let cache = RestrictionCache::default();
        let access = DocumentAccess {
            sides: vec![Some(BTreeSet::from([
                r#"{"template": {"source": "{\"term\": {\"owner\": \"{{_user.username}}\"}}"}}"#
                    .to_owned(),
            ]))],
        };
        let alice = cache
            .documents(&access, &UserContext::named("alice"))
            .unwrap()
            .unwrap();
        let bob = cache
            .documents(&access, &UserContext::named("bob"))
            .unwrap()
            .unwrap();
        assert_ne!(alice, bob);
        let alice_again = cache
            .documents(&access, &UserContext::named("alice"))
            .unwrap()
            .unwrap();
        assert_eq!(alice_again, alice);
        let rendered = format!("{alice:?}");
        assert!(
            rendered.contains("alice") && !rendered.contains("bob"),
            "{rendered}"
        );
        assert_eq!(
            cache
                .documents(&DocumentAccess::default(), &UserContext::named("x"))
                .unwrap(),
            None
        );
    }
}
