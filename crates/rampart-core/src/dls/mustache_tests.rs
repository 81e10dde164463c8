use serde_json::json;

use super::*;

fn ctx() -> Value {
    json!({
        "name": "ann \"the\" admin\\",
        "n": 3,
        "flag": true,
        "off": false,
        "empty": "",
        "list": ["a", "b", "c"],
        "none": [],
        "obj": {"k": "v", "deep": {"x": 1}},
        "people": [{"name": "x"}, {"name": "y"}]
    })
}

fn r(template: &str) -> String {
    render(template, &ctx()).unwrap()
}

#[test]
fn variables_are_json_escaped() {
    assert_eq!(r("{{name}}"), "ann \\\"the\\\" admin\\\\");
    assert_eq!(r("{{{name}}}"), "ann \"the\" admin\\");
    assert_eq!(r("{{& name}}"), "ann \"the\" admin\\");
    assert_eq!(r("{{n}}-{{flag}}"), "3-true");
    assert_eq!(render("{{x}}", &json!({"x": "a\nb"})).unwrap(), "a\\nb");
}

#[test]
fn dotted_names_and_indexes() {
    assert_eq!(r("{{obj.k}}/{{obj.deep.x}}/{{list.1}}"), "v/1/b");
    assert_eq!(r("[{{missing}}][{{obj.missing}}][{{list.9}}]"), "[][][]");
}

#[test]
fn lists_and_objects_print_like_java() {
    assert_eq!(r("{{list}}"), "[a, b, c]");
    assert_eq!(r("{{{obj}}}"), "{k=v, deep={x=1}}");
}

#[test]
fn sections_iterate_and_test_truthiness() {
    assert_eq!(r("{{#list}}<{{.}}>{{/list}}"), "<a><b><c>");
    assert_eq!(r("{{#people}}{{name}};{{/people}}"), "x;y;");
    assert_eq!(r("{{#flag}}yes{{/flag}}{{#off}}no{{/off}}"), "yes");
    assert_eq!(
        r("{{#none}}x{{/none}}{{#empty}}x{{/empty}}{{#missing}}x{{/missing}}"),
        ""
    );
    assert_eq!(r("{{#obj}}{{k}}{{/obj}}"), "v");
    // the outer scope stays visible inside a section
    assert_eq!(r("{{#people}}{{n}}{{/people}}"), "33");
}

#[test]
fn inverted_sections() {
    assert_eq!(
        r("{{^none}}empty{{/none}}{{^list}}full{{/list}}{{^missing}}!{{/missing}}"),
        "empty!"
    );
}

#[test]
fn to_json_join_url() {
    assert_eq!(r("{{#toJson}}list{{/toJson}}"), r#"["a","b","c"]"#);
    assert_eq!(
        r("{{#toJson}}obj{{/toJson}}"),
        r#"{"k":"v","deep":{"x":1}}"#
    );
    assert_eq!(r("{{#toJson}}missing{{/toJson}}"), "");
    assert_eq!(r("{{#join}}list{{/join}}"), "a,b,c");
    assert_eq!(
        r("{{#join delimiter=' | '}}list{{/join delimiter=' | '}}"),
        "a | b | c"
    );
    assert_eq!(r("{{#join delimiter='-'}}list{{/join}}"), "a-b-c");
    assert_eq!(
        render("{{#join}}l{{/join}}", &json!({"l": ["a\"", "b"]})).unwrap(),
        "a\\\",b"
    );
    assert_eq!(
        render("{{#url}}{{q}}{{/url}}", &json!({"q": "a b&c/é"})).unwrap(),
        "a+b%26c%2F%C3%A9"
    );
}

#[test]
fn comments_are_dropped() {
    assert_eq!(r("a{{! ignored }}b"), "ab");
}

#[test]
fn malformed_templates_are_errors() {
    for bad in [
        "{{#a}}x",
        "{{/a}}",
        "{{#a}}x{{/b}}",
        "{{a",
        "{{{a}}",
        "{{> partial}}",
        "{{=<% %>=}}",
        "{{}}",
        "{{#toJson}}{{a}}{{/toJson}}",
    ] {
        assert!(render(bad, &ctx()).is_err(), "{bad}");
    }
}
