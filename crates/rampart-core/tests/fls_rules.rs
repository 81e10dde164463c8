#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Field level security as the facts (section 8) and ES's YAML tests describe it.

use rampart_core::authz::FieldAccess;
use rampart_core::fls::{FieldPermissions, FieldSecurityDef, FlsError};
use rampart_core::role::FieldSecurity;
use serde_json::json;

fn def(grant: &[&str], except: &[&str]) -> FieldSecurityDef {
    FieldSecurityDef::new(grant.iter().copied(), except.iter().copied())
}

#[test]
fn api_key_with_fls_over_owner_without_fls() {
    // authz_api_keys/20_field_level_security.yml: the owner (superuser) has no FLS
    let owner = FieldPermissions::unrestricted();
    let key1 = def(&["name"], &[]).compile().unwrap().intersect(&owner);
    assert_eq!(
        key1.filter_source(&json!({"name": "i1_doc", "secret": "squirrel"})),
        json!({"name": "i1_doc"})
    );
    let key2 = def(&["*"], &["object.secret"])
        .compile()
        .unwrap()
        .intersect(&owner);
    assert_eq!(
        key2.filter_source(
            &json!({"name": "i2_doc", "object": {"secret": "mission", "public": "interest"}})
        ),
        json!({"name": "i2_doc", "object": {"public": "interest"}})
    );
}

#[test]
fn both_sides_restrict_an_api_key() {
    let key = def(&["a*", "shared"], &[]).compile().unwrap();
    let owner = def(&["*"], &["a.secret"]).compile().unwrap();
    let effective = key.intersect(&owner);
    assert!(!effective.is_unrestricted());
    assert!(effective.permits("a.public"));
    assert!(!effective.permits("a.secret"));
    assert!(!effective.permits("b"));
    assert!(effective.permits("_id"));
    assert!(effective.permits_object_path_prefix("a"));
    assert!(!effective.permits_object_path_prefix("b"));
}

#[test]
fn groups_union_within_a_role() {
    let a = def(&["a"], &[]);
    let b = def(&["*"], &["a"]);
    let merged = FieldPermissions::from_groups([Some(&a), Some(&b)]).unwrap();
    assert!(merged.is_unrestricted());
    let err = FieldPermissions::from_groups([Some(&a), Some(&def(&["x"], &["y"]))]).unwrap_err();
    assert!(matches!(err, FlsError::ExceptNotSubset { .. }));
}

#[test]
fn pattern_errors_are_reported() {
    let err = def(&["/broken"], &[]).compile().unwrap_err();
    assert!(err.to_string().starts_with("invalid pattern [/broken]"));
}

#[test]
fn regex_patterns_in_grant_and_except() {
    // section 1: `/regex/` is a Lucene regular expression over the whole field path
    let p = def(&["/(name|object\\..*)/"], &["/object\\.secret.*/"])
        .compile()
        .unwrap();
    assert_eq!(
        p.filter_source(&json!({
            "name": "n", "names": "x",
            "object": {"public": 1, "secret": 2, "secretive": 3}
        })),
        json!({"name": "n", "object": {"public": 1}})
    );
    assert!(p.permits("_id"), "metadata is always granted");
    let err = def(&["/name/"], &["/object.*/"]).compile().unwrap_err();
    assert_eq!(
        err.to_string(),
        "Exceptions for field permissions must be a subset of the granted fields but /object.*/ \
         is not a subset of /name/"
    );
}

fn fs(grant: &[&str], except: &[&str]) -> FieldSecurity {
    FieldSecurity {
        grant: Some(grant.iter().map(|s| s.to_string()).collect()),
        except: except.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn decision_field_access_converts() {
    // an API key whose assigned role has two alternatives, limited by an owner with FLS
    let access = FieldAccess {
        sides: vec![
            Some(vec![fs(&["a.*"], &[]), fs(&["/b\\.[0-9]+/"], &[])]),
            Some(vec![fs(&["*"], &["a.secret", "b.0"])]),
        ],
    };
    let p = FieldPermissions::from_access(&access).unwrap();
    let expected = def(&["a.*"], &[])
        .compile()
        .unwrap()
        .union(&def(&["/b\\.[0-9]+/"], &[]).compile().unwrap())
        .intersect(&def(&["*"], &["a.secret", "b.0"]).compile().unwrap());
    assert_eq!(p, expected);
    assert!(p.permits("a.x") && p.permits("b.12") && p.permits("_source"));
    assert!(!p.permits("a.secret") && !p.permits("b.0") && !p.permits("b.x"));
    // the owner without FLS imposes nothing
    let access = FieldAccess {
        sides: vec![Some(vec![fs(&["name"], &[])]), None],
    };
    assert_eq!(
        FieldPermissions::from_access(&access).unwrap(),
        def(&["name"], &[]).compile().unwrap()
    );
}
