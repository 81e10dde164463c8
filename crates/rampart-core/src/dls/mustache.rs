//! A small mustache renderer with the behaviour Elasticsearch's search templates have.
//!
//! Output is meant to become JSON, so `{{x}}` is JSON-string-escaped (as ES's JSON encoder
//! does); `{{{x}}}` and `{{& x}}` insert raw text. ES extensions: `{{#toJson}}path{{/toJson}}`,
//! `{{#join}}path{{/join}}` (optionally `join delimiter='…'`) and `{{#url}}…{{/url}}`.
//! Missing names render as the empty string, like mustache. Partials and delimiter changes are
//! refused rather than half-supported, so a template we cannot render fails closed.

use serde_json::Value;

/// A template that cannot be parsed or rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MustacheError(pub String);

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Variable {
        name: String,
        escape: bool,
    },
    Section {
        name: String,
        inverted: bool,
        children: Vec<Node>,
    },
    ToJson(String),
    Join {
        path: String,
        delimiter: String,
    },
    Url(Vec<Node>),
}

/// Render `template` against `context` (the root scope).
pub fn render(template: &str, context: &Value) -> Result<String, MustacheError> {
    let nodes = parse(template)?;
    let mut out = String::with_capacity(template.len());
    let mut scopes = vec![context];
    render_nodes(&nodes, &mut scopes, &mut out);
    Ok(out)
}

/// An open section while parsing: its tag text and the nodes collected before it.
struct Open {
    tag: String,
    inverted: bool,
    outer: Vec<Node>,
}

fn parse(template: &str) -> Result<Vec<Node>, MustacheError> {
    let mut stack: Vec<Open> = Vec::new();
    let mut nodes: Vec<Node> = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let (text, after_open) = rest.split_at(start);
        push_text(&mut nodes, text);
        let after_open = after_open.get(2..).unwrap_or_default();
        let (raw_tag, remainder) = if let Some(inner) = after_open.strip_prefix('{') {
            let end = inner
                .find("}}}")
                .ok_or_else(|| MustacheError("unclosed tag [{{{]".to_string()))?;
            let name = inner.get(..end).unwrap_or_default().trim().to_string();
            (format!("&{name}"), inner.get(end + 3..).unwrap_or_default())
        } else {
            let end = after_open
                .find("}}")
                .ok_or_else(|| MustacheError("unclosed tag [{{]".to_string()))?;
            let tag = after_open.get(..end).unwrap_or_default().trim().to_string();
            (tag, after_open.get(end + 2..).unwrap_or_default())
        };
        rest = remainder;
        let mut chars = raw_tag.chars();
        let sigil = chars.next();
        let name = chars.as_str().trim().to_string();
        match sigil {
            Some('!') => {}
            Some('#') | Some('^') => {
                if name.is_empty() {
                    return Err(MustacheError("empty section name".to_string()));
                }
                stack.push(Open {
                    tag: name,
                    inverted: sigil == Some('^'),
                    outer: std::mem::take(&mut nodes),
                });
            }
            Some('/') => {
                let open = stack.pop().ok_or_else(|| {
                    MustacheError(format!("closing tag [{name}] without an open section"))
                })?;
                if !closes(&open.tag, &name) {
                    return Err(MustacheError(format!(
                        "mismatched closing tag [{name}], expected [{}]",
                        open.tag
                    )));
                }
                let children = std::mem::replace(&mut nodes, open.outer);
                nodes.push(section_node(open.tag, open.inverted, children)?);
            }
            Some('&') => nodes.push(Node::Variable {
                name,
                escape: false,
            }),
            Some('>') => return Err(MustacheError("partials are not supported".to_string())),
            Some('=') => {
                return Err(MustacheError(
                    "changing delimiters is not supported".to_string(),
                ));
            }
            Some(_) => nodes.push(Node::Variable {
                name: raw_tag.clone(),
                escape: true,
            }),
            None => return Err(MustacheError("empty tag [{{}}]".to_string())),
        }
    }
    push_text(&mut nodes, rest);
    if let Some(open) = stack.pop() {
        return Err(MustacheError(format!("unclosed section [{}]", open.tag)));
    }
    Ok(nodes)
}

fn push_text(nodes: &mut Vec<Node>, text: &str) {
    if !text.is_empty() {
        nodes.push(Node::Text(text.to_string()));
    }
}

/// `{{/join}}` may close `{{#join delimiter='x'}}`; otherwise names must match exactly.
fn closes(open: &str, close: &str) -> bool {
    open == close || (close == "join" && join_delimiter(open).is_some())
}

/// The delimiter of a `join delimiter='…'` section tag.
fn join_delimiter(tag: &str) -> Option<String> {
    let spec = tag.strip_prefix("join")?.trim_start();
    let value = spec
        .strip_prefix("delimiter")?
        .trim_start()
        .strip_prefix('=')?
        .trim();
    let quote = value.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = value.strip_prefix(quote)?.strip_suffix(quote)?;
    Some(inner.to_string())
}

fn section_node(tag: String, inverted: bool, children: Vec<Node>) -> Result<Node, MustacheError> {
    if inverted {
        return Ok(Node::Section {
            name: tag,
            inverted,
            children,
        });
    }
    let path_text = || -> Result<String, MustacheError> {
        match children.as_slice() {
            [] => Ok(String::new()),
            [Node::Text(path)] => Ok(path.trim().to_string()),
            _ => Err(MustacheError(format!(
                "[{tag}] expects a plain path between its tags"
            ))),
        }
    };
    if tag == "toJson" {
        return Ok(Node::ToJson(path_text()?));
    }
    if tag == "join" {
        return Ok(Node::Join {
            path: path_text()?,
            delimiter: ",".to_string(),
        });
    }
    if let Some(delimiter) = join_delimiter(&tag) {
        return Ok(Node::Join {
            path: path_text()?,
            delimiter,
        });
    }
    if tag == "url" {
        return Ok(Node::Url(children));
    }
    Ok(Node::Section {
        name: tag,
        inverted,
        children,
    })
}

fn render_nodes<'a>(nodes: &'a [Node], scopes: &mut Vec<&'a Value>, out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Variable { name, escape } => {
                if let Some(value) = lookup(scopes, name) {
                    let text = display(value);
                    if *escape {
                        out.push_str(&json_escape(&text));
                    } else {
                        out.push_str(&text);
                    }
                }
            }
            Node::Section {
                name,
                inverted,
                children,
            } => {
                let value = lookup(scopes, name);
                let falsy = value.is_none_or(is_falsy);
                match (inverted, value) {
                    (true, _) if falsy => render_nodes(children, scopes, out),
                    (false, Some(value)) if !falsy => render_section(value, children, scopes, out),
                    _ => {}
                }
            }
            Node::ToJson(path) => {
                if let Some(value) = lookup(scopes, path) {
                    out.push_str(&value.to_string());
                }
            }
            Node::Join { path, delimiter } => {
                if let Some(value) = lookup(scopes, path) {
                    let joined = match value {
                        Value::Array(items) => items
                            .iter()
                            .map(display)
                            .collect::<Vec<_>>()
                            .join(delimiter),
                        other => display(other),
                    };
                    // ES writes join output raw; we escape it so a list element can never
                    // break out of the JSON string it is placed in.
                    out.push_str(&json_escape(&joined));
                }
            }
            Node::Url(children) => {
                let mut inner = String::new();
                render_nodes(children, scopes, &mut inner);
                out.push_str(&url_encode(&inner));
            }
        }
    }
}

fn render_section<'a>(
    value: &'a Value,
    children: &'a [Node],
    scopes: &mut Vec<&'a Value>,
    out: &mut String,
) {
    let items: Vec<&'a Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    for item in items {
        scopes.push(item);
        render_nodes(children, scopes, out);
        scopes.pop();
    }
}

/// Resolve a dotted name: the first segment in the nearest scope that has it, the rest inside it.
fn lookup<'a>(scopes: &[&'a Value], name: &str) -> Option<&'a Value> {
    if name == "." {
        return scopes.last().copied();
    }
    let mut segments = name.split('.');
    let first = segments.next()?;
    let mut current = scopes.iter().rev().find_map(|scope| child(scope, first))?;
    for segment in segments {
        current = child(current, segment)?;
    }
    Some(current)
}

fn child<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) => map.get(key),
        Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    }
}

fn is_falsy(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => true,
        Value::String(text) => text.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// How a value prints when interpolated (Java's `toString` of the mustache scope objects).
fn display(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(display).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}={}", display(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// The body of a JSON string literal for `text` (quotes excluded).
pub(crate) fn json_escape(text: &str) -> String {
    let quoted = Value::String(text.to_string()).to_string();
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .map(str::to_string)
        .unwrap_or_default()
}

/// `application/x-www-form-urlencoded` encoding of UTF-8 text (as Java's `URLEncoder`).
fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
#[path = "mustache_tests.rs"]
mod tests;
