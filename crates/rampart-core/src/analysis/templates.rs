//! Role mappings' `role_templates`: which role names a mustache template can produce.
//!
//! A template is analysable when its output is known up to its variables: with no tags at
//! all it names fixed roles; in `string` format with only plain variables (`{{x}}`,
//! `{{{x}}}`, `{{&x}}`) it names one role matching the text with each variable as `*`
//! (a variable renders to any string, so every role matching that shape is possible).
//! Sections, inverted sections, partials and delimiter changes, and `json` output built from
//! variables, can produce anything: those are reported as not analysable.

use serde::Serialize;

use super::who::RoleTemplate;

/// What a template can render to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TemplateShape {
    /// Exactly these role names, whoever the user is.
    Literal(Vec<String>),
    /// One role name: literal segments with a variable (any text) between each pair.
    Glob(Vec<String>),
    /// Anything; the reason says why.
    Opaque(&'static str),
}

/// A template in a who-can-reach answer: "roles named by template <t>".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemplateGrant {
    /// "roles named by template <source>".
    pub description: String,
    /// The template source, as stored.
    pub template: String,
    pub format: String,
    /// Whether the roles it can produce are known (see `roles`), or it can produce anything.
    pub analysable: bool,
    /// The shape of the names it produces, variables shown as `*` (analysable templates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub produces: Option<String>,
    /// Reaching roles the template can produce (with the mapping's literal roles).
    pub roles: Vec<String>,
    /// Why the template is not analysable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl TemplateShape {
    pub(crate) fn of(t: &RoleTemplate) -> TemplateShape {
        let Some(segments) = segments(&t.source) else {
            return TemplateShape::Opaque(
                "it uses mustache sections, partials or delimiter changes",
            );
        };
        let json = t.format.eq_ignore_ascii_case("json");
        if segments.len() > 1 {
            return if json {
                TemplateShape::Opaque("its JSON output is built from user variables")
            } else {
                TemplateShape::Glob(segments)
            };
        }
        let text = segments.concat();
        if !json {
            return TemplateShape::Literal(vec![text]);
        }
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::String(s)) => TemplateShape::Literal(vec![s]),
            Ok(serde_json::Value::Array(a)) if a.iter().all(|v| v.is_string()) => {
                TemplateShape::Literal(
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect(),
                )
            }
            _ => TemplateShape::Opaque("its JSON output is not a role name or a list of names"),
        }
    }

    /// Whether the template can render to the role name `role`.
    pub(crate) fn can_produce(&self, role: &str) -> bool {
        match self {
            TemplateShape::Literal(names) => names.iter().any(|n| n == role),
            TemplateShape::Glob(segments) => glob_matches(segments, role),
            TemplateShape::Opaque(_) => true,
        }
    }

    /// The produced names' shape, variables as `*`.
    pub(crate) fn describe(&self) -> Option<String> {
        match self {
            TemplateShape::Literal(names) => Some(names.join(",")),
            TemplateShape::Glob(segments) => Some(segments.join("*")),
            TemplateShape::Opaque(_) => None,
        }
    }
}

/// The literal text between variables, or `None` when a tag is not a plain variable.
/// `a{{x}}b{{y}}` gives `["a", "b", ""]`; comments (`{{! … }}`) render nothing.
fn segments(source: &str) -> Option<Vec<String>> {
    let mut out = vec![String::new()];
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        let (before, tag_and_after) = rest.split_at(start);
        if let Some(last) = out.last_mut() {
            last.push_str(before);
        }
        let triple = tag_and_after.starts_with("{{{");
        let (open, close) = if triple { (3, "}}}") } else { (2, "}}") };
        let body = tag_and_after.get(open..)?;
        let end = body.find(close)?;
        let tag = body.get(..end)?.trim();
        rest = body.get(end + close.len()..)?;
        let name = if triple {
            tag
        } else {
            match tag.chars().next()? {
                '!' => continue,
                '&' => tag.get(1..)?.trim(),
                '#' | '^' | '/' | '>' | '=' | '<' | '$' => return None,
                _ => tag,
            }
        };
        if name.is_empty() {
            return None;
        }
        out.push(String::new());
    }
    if let Some(last) = out.last_mut() {
        last.push_str(rest);
    }
    Some(out)
}

/// `segments` joined by "any text" matches `name`.
fn glob_matches(segments: &[String], name: &str) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return false;
    };
    let Some(mut remaining) = name.strip_prefix(first.as_str()) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for seg in middle {
        match remaining.find(seg.as_str()) {
            Some(i) => remaining = remaining.get(i + seg.len()..).unwrap_or(""),
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(source: &str, format: &str) -> TemplateShape {
        TemplateShape::of(&RoleTemplate {
            source: source.into(),
            format: format.into(),
        })
    }

    #[test]
    fn literal_templates_name_fixed_roles() {
        assert_eq!(
            shape("viewer", "string"),
            TemplateShape::Literal(vec!["viewer".into()])
        );
        assert_eq!(
            shape(r#"["a","b"]"#, "json"),
            TemplateShape::Literal(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            shape("x{{! note }}", "string"),
            TemplateShape::Literal(vec!["x".into()])
        );
    }

    #[test]
    fn variables_become_globs() {
        let s = shape("team_{{metadata.team}}_reader", "string");
        assert_eq!(s.describe().as_deref(), Some("team_*_reader"));
        assert!(s.can_produce("team_a_reader"));
        assert!(s.can_produce("team__reader"));
        assert!(!s.can_produce("team_a_writer"));
        let any = shape("{{{username}}}", "string");
        assert!(any.can_produce("anything"));
        let two = shape("{{a}}-{{&b}}", "string");
        assert!(two.can_produce("x-y") && !two.can_produce("xy"));
    }

    #[test]
    fn sections_and_json_variables_are_opaque() {
        assert!(matches!(
            shape("{{#tojson}}groups{{/tojson}}", "json"),
            TemplateShape::Opaque(_)
        ));
        assert!(matches!(
            shape("{{#x}}a{{/x}}", "string"),
            TemplateShape::Opaque(_)
        ));
        assert!(matches!(
            shape("\"{{x}}\"", "json"),
            TemplateShape::Opaque(_)
        ));
        assert!(matches!(shape("{{x", "string"), TemplateShape::Opaque(_)));
    }

    #[test]
    fn glob_needs_segments_in_order_without_overlap() {
        let segs = vec!["ab".to_string(), "ba".to_string()];
        assert!(glob_matches(&segs, "abba"));
        assert!(!glob_matches(&segs, "aba"));
    }
}
