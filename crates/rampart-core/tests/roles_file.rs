#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! roles.yml parsing: valid roles kept, invalid ones skipped, syntax errors fatal.

use rampart_core::role::{RoleError, parse_roles_file};

#[test]
fn keeps_valid_roles_in_order_and_skips_invalid_ones() {
    let text = r#"
# a comment
admin:
  cluster: [all]
  indices:
    - names: "*"
      privileges: [all]
  description: "Admin"
broken:
  indices: "oops"
bad_privilege:
  cluster: [nope]
superuser:
  cluster: [all]
reader:
  indices:
    - names: [logs-*]
      privileges: [read]
      query: '{"term":{"x":1}}'
"#;
    let file = parse_roles_file(text).unwrap();
    let names: Vec<&str> = file.roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["admin", "reader"]);
    assert_eq!(file.roles[0].description.as_deref(), Some("Admin"));
    assert_eq!(
        file.roles[1].indices[0].query.as_deref(),
        Some(r#"{"term":{"x":1}}"#)
    );
    let invalid: Vec<&str> = file.invalid.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(invalid, ["broken", "bad_privilege", "superuser"]);
    assert!(matches!(file.invalid[0].1, RoleError::Parse { .. }));
    assert!(
        matches!(&file.invalid[2].1, RoleError::Validation(p) if p == &["Role [superuser] is reserved and may not be used."])
    );
}

#[test]
fn empty_file_has_no_roles() {
    let file = parse_roles_file("# nothing\n").unwrap();
    assert!(file.roles.is_empty() && file.invalid.is_empty());
}

#[test]
fn syntax_error_fails_the_whole_file() {
    assert!(matches!(
        parse_roles_file("a: [unclosed\n"),
        Err(RoleError::Parse { .. })
    ));
    assert!(parse_roles_file("- just\n- a list\n").is_err());
}
