use serde_json::json;

use super::*;

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
    assert!(matches!(
        def(&["/a.*/"], &[]).compile(),
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
