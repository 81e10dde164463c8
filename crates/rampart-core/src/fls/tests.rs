use serde_json::json;

use super::*;
use crate::role::FieldSecurity;

fn def(grant: &[&str], except: &[&str]) -> FieldSecurityDef {
    FieldSecurityDef::new(grant.iter().copied(), except.iter().copied())
}

fn perms(grant: &[&str], except: &[&str]) -> FieldPermissions {
    def(grant, except).compile().unwrap()
}

#[test]
fn grant_star_without_except_is_no_fls() {
    assert!(perms(&["*"], &[]).is_unrestricted());
    assert!(
        FieldSecurityDef::default()
            .compile()
            .unwrap()
            .is_unrestricted()
    );
    assert!(!perms(&["*"], &["secret"]).is_unrestricted());
    // `a*` ∪ `_*` ∪ everything else spelled out still is not everything
    assert!(!perms(&["a*", "b*"], &[]).is_unrestricted());
}

#[test]
fn empty_grant_keeps_only_metadata() {
    let p = perms(&[], &[]);
    assert!(p.permits("_id"));
    assert!(p.permits("_source"));
    assert!(!p.permits("name"));
    assert!(!p.permits("obj._x"));
}

#[test]
fn grant_minus_except_plus_metadata() {
    let p = perms(&["*"], &["object.secret"]);
    assert!(p.permits("object.public"));
    assert!(p.permits("name"));
    assert!(!p.permits("object.secret"));
    let p = perms(&["customer.*", "name"], &["customer.ssn"]);
    assert!(p.permits("customer.email"));
    assert!(!p.permits("customer.ssn"));
    assert!(!p.permits("customer"));
    assert!(p.permits("_routing"));
    assert!(!p.permits("names"));
}

#[test]
fn except_must_be_within_grant() {
    let err = def(&["a*"], &["b"]).compile().unwrap_err();
    assert_eq!(
        err.to_string(),
        "Exceptions for field permissions must be a subset of the granted fields but b is not a \
         subset of a*"
    );
    assert!(def(&["*"], &["secret*"]).compile().is_ok());
    assert!(def(&["a*"], &["a.b", "a?"]).compile().is_ok());
    // metadata counts as granted
    assert!(def(&["a"], &["_id"]).compile().is_ok());
    let except_only = FieldSecurityDef {
        grant: None,
        except: vec!["x".into()],
    };
    assert_eq!(
        except_only.compile().unwrap_err(),
        FlsError::ExceptWithoutGrant
    );
    // regex patterns are now understood, broken ones still refused
    assert!(def(&["/a.*/"], &[]).compile().is_ok());
    let err = def(&["/(a/"], &[]).compile().unwrap_err();
    assert!(matches!(err, FlsError::Pattern(_)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("invalid regular expression pattern [/(a/]"),
        "{err}"
    );
    assert!(matches!(
        def(&["a"], &["/(b/"]).compile(),
        Err(FlsError::Pattern(_))
    ));
}

#[test]
fn union_and_intersection() {
    let a = perms(&["a", "shared"], &[]);
    let b = perms(&["b", "shared"], &[]);
    let u = a.union(&b);
    assert!(u.permits("a") && u.permits("b") && u.permits("shared"));
    assert!(!u.permits("c"));
    let i = a.intersect(&b);
    assert!(i.permits("shared") && i.permits("_id"));
    assert!(!i.permits("a") && !i.permits("b"));
    assert!(a.union(&FieldPermissions::unrestricted()).is_unrestricted());
    assert_eq!(a.intersect(&FieldPermissions::unrestricted()), a);
    assert_eq!(FieldPermissions::unrestricted().intersect(&a), a);
    // complementary groups together see everything
    let rest = perms(&["*"], &["secret"]);
    assert!(perms(&["secret"], &[]).union(&rest).is_unrestricted());
}

#[test]
fn groups_without_fls_lift_it() {
    let d = def(&["a"], &[]);
    assert!(
        FieldPermissions::from_groups([Some(&d), None])
            .unwrap()
            .is_unrestricted()
    );
    let only = FieldPermissions::from_groups([Some(&d)]).unwrap();
    assert!(only.permits("a") && !only.permits("b"));
    assert!(
        FieldPermissions::from_groups(std::iter::empty())
            .unwrap()
            .is_unrestricted()
    );
}

#[test]
fn object_prefixes() {
    let p = perms(&["customer.*", "name"], &["customer.ssn"]);
    assert!(p.permits_object_path_prefix("customer"));
    assert!(!p.permits_object_path_prefix("other"));
    let q = perms(&["obj.secret"], &[]);
    assert!(q.permits_object_path_prefix("obj"));
    let r = perms(&["*"], &["obj.*"]);
    assert!(!r.permits_object_path_prefix("obj"));
    assert!(r.permits_object_path_prefix("objx"));
    assert!(perms(&[], &[]).permits_object_path_prefix("_meta"));
}

#[test]
fn filter_source_yaml_examples() {
    let name_only = perms(&["name"], &[]);
    assert_eq!(
        name_only.filter_source(&json!({"name": "i1_doc", "secret": "squirrel"})),
        json!({"name": "i1_doc"})
    );
    let no_secret = perms(&["*"], &["object.secret"]);
    assert_eq!(
        no_secret.filter_source(
            &json!({"name": "i2_doc", "object": {"secret": "mission", "public": "interest"}})
        ),
        json!({"name": "i2_doc", "object": {"public": "interest"}})
    );
}

#[test]
fn filter_source_paths_arrays_and_dotted_keys() {
    let p = perms(&["location.city", "tags", "items.id"], &[]);
    let doc = json!({
        "location.city": "bos",
        "location": {"city": "ams", "zip": "1000"},
        "tags": ["a", "b"],
        "items": [{"id": 1, "secret": 2}, {"secret": 3}, [{"id": 4}]],
        "hidden": {"deep": {"x": 1}},
        "empty": {}
    });
    assert_eq!(
        p.filter_source(&doc),
        json!({
            "location.city": "bos",
            "location": {"city": "ams"},
            "tags": ["a", "b"],
            "items": [{"id": 1}, [{"id": 4}]]
        })
    );
    assert_eq!(p.filter_source(&json!([1])), json!({}));
    assert_eq!(FieldPermissions::unrestricted().filter_source(&doc), doc);
}

#[test]
fn granting_an_object_name_alone_does_not_reveal_its_fields() {
    let p = perms(&["customer"], &[]);
    assert_eq!(
        p.filter_source(&json!({"customer": {"name": "x"}, "customer_id": 1})),
        json!({})
    );
    assert_eq!(
        p.filter_source(&json!({"customer": "flat"})),
        json!({"customer": "flat"})
    );
}

#[test]
fn regex_field_patterns() {
    let p = perms(&["/customer\\.(name|email)/", "id"], &[]);
    assert!(p.permits("customer.name") && p.permits("customer.email"));
    assert!(!p.permits("customer.ssn") && !p.permits("customer.names"));
    assert!(p.permits("id") && p.permits("_id"));
    assert!(p.permits_object_path_prefix("customer"));
    assert!(!p.permits_object_path_prefix("custom"));

    // regex except within a wildcard grant
    let p = perms(&["*"], &["/.*\\.secret/"]);
    assert!(p.permits("a.public") && p.permits("secret"));
    assert!(!p.permits("a.secret") && !p.permits("a.b.secret"));
    assert!(p.permits_object_path_prefix("a"));

    // complement, numeric intervals, character classes
    let p = perms(&["/~(secret.*)/"], &[]);
    assert!(p.permits("public") && !p.permits("secret.x"));
    assert!(!p.is_unrestricted());
    let p = perms(&["/log<1-12>/", "/[xy]+/"], &[]);
    assert!(p.permits("log7") && p.permits("log12") && !p.permits("log13"));
    assert!(p.permits("xyx") && !p.permits("xz"));

    // a total regex is no FLS at all
    assert!(perms(&["/@/"], &[]).is_unrestricted());
    assert!(perms(&["/.*/"], &[]).is_unrestricted());
    assert!(perms(&["/a.*/", "/~(a.*)/"], &[]).is_unrestricted());
    assert!(!perms(&["/.*/"], &["/a/"]).is_unrestricted());

    // the subset rule works across both syntaxes
    assert!(def(&["a*"], &["/a[0-9]+/"]).compile().is_ok());
    assert!(def(&["/a[0-9]+/"], &["a1", "a2?"]).compile().is_err());
    assert!(def(&["/a[0-9]+/"], &["a1", "a2"]).compile().is_ok());
    let err = def(&["/a[0-9]+/"], &["b"]).compile().unwrap_err();
    assert_eq!(
        err,
        FlsError::ExceptNotSubset {
            except: "b".into(),
            grant: "/a[0-9]+/".into()
        }
    );
}

#[test]
fn metadata_rule() {
    // every `_`-prefixed top-level name is granted whenever a grant list is given
    let p = perms(&["a"], &[]);
    for meta in [
        "_id",
        "_index",
        "_routing",
        "_source",
        "_",
        "_custom.x",
        "_tier",
    ] {
        assert!(p.permits(meta), "{meta}");
    }
    // only names *starting* with `_`: nested underscores are ordinary fields
    assert!(!p.permits("a._id") && !p.permits("x_") && !p.permits(""));
    // metadata may be excepted, also by regex, and then is hidden
    let p = perms(&["*"], &["_source"]);
    assert!(!p.permits("_source") && p.permits("_id") && p.permits("x"));
    let p = perms(&["a"], &["/_(id|index)/"]);
    assert!(!p.permits("_id") && !p.permits("_index") && p.permits("_routing"));
    // `*` minus only non-metadata still keeps metadata, `*` minus metadata keeps the rest
    let p = perms(&["*"], &["_*"]);
    assert!(!p.permits("_id") && p.permits("id"));
    // the grant of `_*` alone is the metadata language, same as an empty grant
    assert_eq!(perms(&["_*"], &[]), perms(&[], &[]));
    assert_eq!(perms(&["/_.*/"], &[]), perms(&[], &[]));
    // no grant at all is no FLS (metadata rule does not apply)
    assert!(
        FieldSecurityDef::default()
            .compile()
            .unwrap()
            .permits("anything")
    );
}

#[test]
fn equality_is_language_equality() {
    assert_eq!(perms(&["a", "b"], &[]), perms(&["/a|b/"], &[]));
    assert_eq!(perms(&["a*"], &["a1"]), perms(&["/a.*/"], &["/a1/"]));
    assert_ne!(perms(&["a"], &[]), perms(&["b"], &[]));
    assert_ne!(perms(&["a"], &[]), FieldPermissions::unrestricted());
    assert_eq!(
        FieldPermissions::default(),
        FieldPermissions::unrestricted()
    );
    use std::collections::HashSet;
    // the prefix cache inside is invisible to `Hash`/`Eq`, so hashing is sound
    #[allow(clippy::mutable_key_type)]
    let set: HashSet<FieldPermissions> = [perms(&["a", "b"], &[]), perms(&["/a|b/"], &[])]
        .into_iter()
        .collect();
    assert_eq!(set.len(), 1);
}

/// `#a ≡ 0 (mod n)` as a regex; two coprime moduli need a product automaton of n·m states.
fn count_mod(c: char, n: usize) -> String {
    format!("/{}/", count_body(c, n))
}

fn count_body(c: char, n: usize) -> String {
    format!("[^{c}]*(({c}[^{c}]*){{{n}}})*")
}

#[test]
fn too_complex_fails_closed() {
    // a single pattern whose DFA is too large (the product of the two counters)
    let huge = format!("/({})&({})/", count_body('a', 400), count_body('b', 401));
    let err = def(&[huge.as_str()], &[]).compile().unwrap_err();
    assert_eq!(err, FlsError::TooComplex);
    assert_eq!(
        FieldPermissions::from_groups([Some(&def(&[huge.as_str()], &[]))]),
        Err(FlsError::TooComplex)
    );

    // two compilable languages whose combination is too large
    let a = perms(&[&count_mod('a', 400)], &[]);
    let b = perms(&[&count_mod('b', 401)], &[]);
    assert!(a.permits("xy") && b.permits("xy") && !a.permits("a"));
    assert_eq!(a.try_intersect(&b), Err(FlsError::TooComplex));
    for combined in [a.intersect(&b), a.union(&b)] {
        assert!(!combined.is_unrestricted());
        for field in ["", "x", "_id", "xy", "_"] {
            assert!(!combined.permits(field), "{field}");
        }
        assert!(!combined.permits_object_path_prefix("x"));
    }
}

fn fs(grant: &[&str], except: &[&str]) -> FieldSecurity {
    FieldSecurity {
        grant: Some(grant.iter().map(|s| s.to_string()).collect()),
        except: except.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn from_access_intersects_sides_and_unions_alternatives() {
    use crate::authz::FieldAccess;
    // two sides with FLS intersect
    let access = FieldAccess {
        sides: vec![
            Some(vec![fs(&["a*", "shared"], &[])]),
            Some(vec![fs(&["*"], &["a.secret"])]),
        ],
    };
    let p = FieldPermissions::from_access(&access).unwrap();
    assert!(p.permits("a.public") && p.permits("shared") && p.permits("_id"));
    assert!(!p.permits("a.secret") && !p.permits("b"));
    assert!(p.permits_object_path_prefix("a") && !p.permits_object_path_prefix("b"));

    // alternatives within a side are unioned
    let access = FieldAccess {
        sides: vec![Some(vec![fs(&["a"], &[]), fs(&["/b|c/"], &[])])],
    };
    let p = FieldPermissions::from_access(&access).unwrap();
    assert!(p.permits("a") && p.permits("b") && p.permits("c") && !p.permits("d"));
    let access = FieldAccess {
        sides: vec![Some(vec![fs(&["secret"], &[]), fs(&["*"], &["secret"])])],
    };
    assert!(
        FieldPermissions::from_access(&access)
            .unwrap()
            .is_unrestricted()
    );

    // one side unrestricted imposes nothing
    let restricted = FieldAccess {
        sides: vec![Some(vec![fs(&["name"], &[])])],
    };
    let with_free_side = FieldAccess {
        sides: vec![None, Some(vec![fs(&["name"], &[])])],
    };
    assert_eq!(
        FieldPermissions::from_access(&with_free_side).unwrap(),
        FieldPermissions::from_access(&restricted).unwrap()
    );
    for unrestricted in [
        FieldAccess::default(),
        FieldAccess {
            sides: vec![None, None],
        },
        FieldAccess {
            sides: vec![Some(vec![FieldSecurity::default()])],
        },
    ] {
        assert!(
            FieldPermissions::from_access(&unrestricted)
                .unwrap()
                .is_unrestricted()
        );
    }

    // a side without any alternative permits nothing (fail closed)
    let empty_side = FieldAccess {
        sides: vec![None, Some(Vec::new())],
    };
    let p = FieldPermissions::from_access(&empty_side).unwrap();
    assert!(!p.is_unrestricted() && !p.permits("_id") && !p.permits("a"));

    // errors in any alternative surface
    let bad = FieldAccess {
        sides: vec![Some(vec![fs(&["a"], &[]), fs(&["a*"], &["b"])])],
    };
    assert!(matches!(
        FieldPermissions::from_access(&bad),
        Err(FlsError::ExceptNotSubset { .. })
    ));
    let bad = FieldAccess {
        sides: vec![Some(vec![FieldSecurity {
            grant: None,
            except: vec!["x".into()],
        }])],
    };
    assert_eq!(
        FieldPermissions::from_access(&bad),
        Err(FlsError::ExceptWithoutGrant)
    );
    let bad = FieldAccess {
        sides: vec![Some(vec![fs(&["/(a/"], &[])])],
    };
    assert!(matches!(
        FieldPermissions::from_access(&bad),
        Err(FlsError::Pattern(_))
    ));
}

#[test]
fn from_field_security_def_conversion() {
    let f = fs(&["a"], &["a"]);
    assert_eq!(FieldSecurityDef::from(&f), def(&["a"], &["a"]));
}

#[test]
fn object_prefix_answers_are_cached_consistently() {
    let p = perms(&["/obj\\.[0-9]+/", "x.y.z"], &[]);
    for _ in 0..3 {
        assert!(p.permits_object_path_prefix("obj"));
        assert!(!p.permits_object_path_prefix("ob"));
        assert!(p.permits_object_path_prefix("x"));
        assert!(p.permits_object_path_prefix("x.y"));
        assert!(!p.permits_object_path_prefix("x.y.z"));
    }
    // clones share the language
    let q = p.clone();
    assert!(q.permits_object_path_prefix("obj") && !q.permits_object_path_prefix("z"));
}
