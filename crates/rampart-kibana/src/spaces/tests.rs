use serde_json::json;

use super::*;

fn reg() -> FeatureRegistry {
    FeatureRegistry::builtin().unwrap()
}

fn bad(body: serde_json::Value) -> String {
    Space::from_json(&body).unwrap_err().message
}

#[test]
fn validation_messages() {
    assert_eq!(
        bad(json!({"id": "Foo", "name": "x"})),
        "[request body.id]: must be lower case, a-z, 0-9, '_', and '-' are allowed"
    );
    assert_eq!(
        bad(json!({"id": "foo", "name": "x", "color": "red"})),
        "[request body.color]: must be a 6 digit hex color, starting with a #"
    );
    assert_eq!(
        bad(json!({"id": "foo", "name": "x", "imageUrl": "http://x"})),
        "[request body.imageUrl]: must start with 'data:image'"
    );
    assert!(bad(json!({"id": "foo", "name": ""})).contains("minimum length of [1]"));
    assert!(
        bad(json!({"id": "foo", "name": "x", "initials": "abc"})).contains("maximum length of [2]")
    );
    let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
    assert!(
        bad(json!({"id": "foo", "name": "x", "disabledFeatures": many}))
            .contains("greater than [100]")
    );
}

#[test]
fn valid_space_and_reserved_input_ignored() {
    let s = Space::from_json(
        &json!({"id": "marketing", "name": "Marketing", "color": "#aabbcc",
        "imageUrl": "", "disabledFeatures": ["dashboard", "unknown"], "_reserved": true}),
    )
    .unwrap();
    assert!(!s.reserved);
    assert_eq!(s.disabled_features, ["dashboard", "unknown"]);
    assert!(s.hides("dashboard", &reg()) && !s.hides("discover", &reg()));
}

#[test]
fn default_space_cannot_be_deleted() {
    let d = Space::default_space();
    assert_eq!(d.to_json(&reg())["_reserved"], true);
    assert_eq!(
        d.check_delete().unwrap_err().message,
        "The default space cannot be deleted because it is reserved."
    );
    let s = Space::from_json(&json!({"id": "a", "name": "A"})).unwrap();
    assert!(s.check_delete().is_ok());
    let updated = Space::from_json(&json!({"id": "other", "name": "B"}))
        .unwrap()
        .for_update(&d);
    assert_eq!(updated.id, "default");
    assert!(updated.reserved);
}

#[test]
fn solution_replaces_disabled_features() {
    let mut s = Space::from_json(
        &json!({"id": "a", "name": "A", "disabledFeatures": ["dashboard"], "solution": "es"}),
    )
    .unwrap();
    let hidden = s.effective_disabled_features(&reg());
    assert!(hidden.contains(&"apm".to_string()) && hidden.contains(&"siem".to_string()));
    assert!(!hidden.contains(&"dashboard".to_string()));
    s.solution = Some(Solution::Oblt);
    let hidden = s.effective_disabled_features(&reg());
    assert!(hidden.contains(&"siem".to_string()));
    assert!(!hidden.contains(&"apm".to_string()));
    s.solution = Some(Solution::Security);
    assert!(
        s.effective_disabled_features(&reg())
            .contains(&"logs".to_string())
    );
    s.solution = Some(Solution::Classic);
    assert_eq!(s.effective_disabled_features(&reg()), ["dashboard"]);
    assert!(bad(json!({"id": "a", "name": "A", "solution": "x"})).contains("solution"));
}
