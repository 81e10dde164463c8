//! The `_cat` table: columns with aliases and descriptions, typed cells, and ES's renderings
//! (the aligned text table with `v` headers, `help`, `format=json|yaml`), column selection
//! (`h`, with aliases and `*` patterns; unknown names are dropped as ES does), sorting (`s`,
//! `col:asc|desc`, typed) and byte units (`bytes`).
//!
//! Pure: the handlers build a `Table`, `render` turns it and the request's options into text
//! or JSON.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::error::ApiError;

/// How a column's cells compare, align and render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Right-aligned, compared numerically.
    Number,
    /// A size in bytes: human readable (`4.5kb`) or in the `bytes` unit; right-aligned.
    Bytes,
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub desc: &'static str,
    pub kind: Kind,
    /// Shown when `h` is not given.
    pub default: bool,
}

impl Column {
    pub const fn new(
        name: &'static str,
        aliases: &'static [&'static str],
        kind: Kind,
        desc: &'static str,
    ) -> Self {
        Column {
            name,
            aliases,
            desc,
            kind,
            default: true,
        }
    }

    /// A column shown only when asked for with `h`.
    pub const fn hidden(self) -> Self {
        Column {
            default: false,
            ..self
        }
    }

    fn answers_to(&self, name: &str) -> bool {
        self.name == name || self.aliases.contains(&name)
    }
}

/// One cell; `Null` renders as an empty text cell and a JSON `null`.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Text(String),
    Number(i64),
    Bytes(u64),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Self {
        Cell::Text(s.into())
    }

    fn compare(&self, other: &Cell) -> Ordering {
        match (self, other) {
            (Cell::Null, Cell::Null) => Ordering::Equal,
            // ES sorts missing values first.
            (Cell::Null, _) => Ordering::Less,
            (_, Cell::Null) => Ordering::Greater,
            (Cell::Number(a), Cell::Number(b)) => a.cmp(b),
            (Cell::Bytes(a), Cell::Bytes(b)) => a.cmp(b),
            (a, b) => a.render(None).cmp(&b.render(None)),
        }
    }

    fn render(&self, unit: Option<ByteUnit>) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => n.to_string(),
            Cell::Bytes(b) => match unit {
                Some(u) => (b / u.factor()).to_string(),
                None => human_bytes(*b),
            },
        }
    }
}

/// A table: its columns (in default display order) and rows of cells in the same order.
#[derive(Debug, Clone)]
pub struct Table {
    pub columns: &'static [Column],
    pub rows: Vec<Vec<Cell>>,
}

/// The unit of the `bytes` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteUnit {
    B,
    Kb,
    Mb,
    Gb,
    Tb,
    Pb,
}

impl ByteUnit {
    fn parse(s: &str) -> Result<Self, ApiError> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "b" => ByteUnit::B,
            "k" | "kb" => ByteUnit::Kb,
            "m" | "mb" => ByteUnit::Mb,
            "g" | "gb" => ByteUnit::Gb,
            "t" | "tb" => ByteUnit::Tb,
            "p" | "pb" => ByteUnit::Pb,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "failed to parse [bytes] with value [{s}]: expected one of [b, kb, mb, gb, tb, pb]"
                )));
            }
        })
    }

    fn factor(self) -> u64 {
        match self {
            ByteUnit::B => 1,
            ByteUnit::Kb => 1 << 10,
            ByteUnit::Mb => 1 << 20,
            ByteUnit::Gb => 1 << 30,
            ByteUnit::Tb => 1 << 40,
            ByteUnit::Pb => 1 << 50,
        }
    }
}

/// ES's human-readable size: the largest unit with a value of at least one, with one decimal
/// unless it is zero (`225b`, `1kb`, `4.5kb`).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [(&str, u64); 5] = [
        ("pb", 1 << 50),
        ("tb", 1 << 40),
        ("gb", 1 << 30),
        ("mb", 1 << 20),
        ("kb", 1 << 10),
    ];
    for (suffix, factor) in UNITS {
        if bytes >= factor {
            // Tenths, truncated as ES's one-decimal formatting of the quotient does.
            let tenths = bytes.saturating_mul(10) / factor;
            let (whole, tenth) = (tenths / 10, tenths % 10);
            return if tenth == 0 {
                format!("{whole}{suffix}")
            } else {
                format!("{whole}.{tenth}{suffix}")
            };
        }
    }
    format!("{bytes}b")
}

/// The request options that shape a `_cat` answer.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `format`: `json` or `yaml` render structured rows; anything else the text table.
    pub format: Option<String>,
    pub verbose: bool,
    pub help: bool,
    pub headers: Vec<String>,
    pub sort: Vec<String>,
    pub bytes: Option<String>,
}

/// What a `_cat` request answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Rendered {
    Text(String),
    Json(Value),
}

/// The columns to show, each with the name it is displayed under (the alias asked for).
fn display_columns(table: &Table, headers: &[String]) -> Vec<(usize, String)> {
    if headers.is_empty() {
        return table
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.default)
            .map(|(i, c)| (i, c.name.to_string()))
            .collect();
    }
    let mut out: Vec<(usize, String)> = Vec::new();
    let push = |i: usize, display: String, out: &mut Vec<(usize, String)>| {
        if !out.iter().any(|(j, _)| *j == i) {
            out.push((i, display));
        }
    };
    for wanted in headers.iter().map(|h| h.trim()).filter(|h| !h.is_empty()) {
        if wanted.contains('*') {
            for (i, c) in table.columns.iter().enumerate() {
                if glob(wanted, c.name) {
                    push(i, c.name.to_string(), &mut out);
                } else if let Some(a) = c.aliases.iter().find(|a| glob(wanted, a)) {
                    push(i, (*a).to_string(), &mut out);
                }
            }
        } else if let Some(i) = table.columns.iter().position(|c| c.answers_to(wanted)) {
            push(i, wanted.to_string(), &mut out);
        }
    }
    out
}

/// `*` matches any run of characters.
fn glob(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = rest.get(at + part.len()..).unwrap_or(""),
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// The row order after `s` (stable; unknown keys are refused).
fn row_order(table: &Table, sort: &[String]) -> Result<Vec<usize>, ApiError> {
    let mut keys = Vec::new();
    for key in sort.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let (name, reverse) = if let Some(n) = key.strip_suffix(":desc") {
            (n, true)
        } else {
            (key.strip_suffix(":asc").unwrap_or(key), false)
        };
        let Some(col) = table.columns.iter().position(|c| c.answers_to(name)) else {
            // ES answers 500 (an unsupported operation); bad input is a 400 here.
            return Err(ApiError::bad_request(format!(
                "Unable to sort by unknown sort key `{name}`"
            )));
        };
        keys.push((col, reverse));
    }
    let mut order: Vec<usize> = (0..table.rows.len()).collect();
    let null = Cell::Null;
    let cell = |row: usize, col: usize| {
        table
            .rows
            .get(row)
            .and_then(|r| r.get(col))
            .unwrap_or(&null)
    };
    order.sort_by(|&a, &b| {
        for &(col, reverse) in &keys {
            let o = cell(a, col).compare(cell(b, col));
            let o = if reverse { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
    Ok(order)
}

/// Render `table` as the request's options ask.
pub fn render(table: &Table, opts: &Options) -> Result<Rendered, ApiError> {
    if opts.help {
        return Ok(Rendered::Text(help(table)));
    }
    let unit = opts.bytes.as_deref().map(ByteUnit::parse).transpose()?;
    let columns = display_columns(table, &opts.headers);
    let order = row_order(table, &opts.sort)?;
    let rows: Vec<Vec<Option<String>>> = order
        .iter()
        .filter_map(|&r| table.rows.get(r))
        .map(|row| {
            columns
                .iter()
                .map(|(i, _)| match row.get(*i) {
                    None | Some(Cell::Null) => None,
                    Some(c) => Some(c.render(unit)),
                })
                .collect()
        })
        .collect();
    match opts.format.as_deref() {
        Some("json") => Ok(Rendered::Json(json_rows(&columns, rows))),
        Some("yaml") => Ok(Rendered::Text(yaml_rows(&columns, &rows))),
        _ => Ok(Rendered::Text(text_table(
            table,
            &columns,
            &rows,
            opts.verbose,
        ))),
    }
}

fn json_rows(columns: &[(usize, String)], rows: Vec<Vec<Option<String>>>) -> Value {
    Value::Array(
        rows.into_iter()
            .map(|row| {
                let mut obj = Map::new();
                for ((_, name), cell) in columns.iter().zip(row) {
                    obj.insert(name.clone(), cell.map_or(Value::Null, Value::String));
                }
                Value::Object(obj)
            })
            .collect(),
    )
}

fn yaml_rows(columns: &[(usize, String)], rows: &[Vec<Option<String>>]) -> String {
    if rows.is_empty() {
        return "--- []\n".into();
    }
    let mut out = String::from("---\n");
    for row in rows {
        for (n, ((_, name), cell)) in columns.iter().zip(row).enumerate() {
            out.push_str(if n == 0 { "- " } else { "  " });
            out.push_str(name);
            out.push_str(": ");
            match cell {
                None => out.push_str("null"),
                Some(v) => out.push_str(&Value::String(v.clone()).to_string()),
            }
            out.push('\n');
        }
    }
    out
}

/// ES's padding: right-aligned cells are padded on the left; left-aligned cells on the
/// right, except in the last column.
fn pad(out: &mut String, value: &str, width: usize, right: bool, last: bool) {
    let fill = width.saturating_sub(value.chars().count());
    if right {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(value);
    } else {
        out.push_str(value);
        if !last {
            out.extend(std::iter::repeat_n(' ', fill));
        }
    }
}

fn text_table(
    table: &Table,
    columns: &[(usize, String)],
    rows: &[Vec<Option<String>>],
    verbose: bool,
) -> String {
    let right: Vec<bool> = columns
        .iter()
        .map(|(i, _)| table.columns.get(*i).is_some_and(|c| c.kind != Kind::Text))
        .collect();
    let mut widths: Vec<usize> = columns
        .iter()
        .map(|(_, name)| if verbose { name.chars().count() } else { 0 })
        .collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.as_deref().map_or(0, |c| c.chars().count()));
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<&str>, out: &mut String| {
        let last = cells.len().saturating_sub(1);
        for (n, ((cell, width), right)) in cells.into_iter().zip(&widths).zip(&right).enumerate() {
            pad(out, cell, *width, *right, n == last);
            if n != last {
                out.push(' ');
            }
        }
        out.push('\n');
    };
    if verbose {
        line(columns.iter().map(|(_, n)| n.as_str()).collect(), &mut out);
    }
    for row in rows {
        line(
            row.iter().map(|c| c.as_deref().unwrap_or("")).collect(),
            &mut out,
        );
    }
    out
}

/// `?help`: one line per column, `name | aliases | description`, aligned.
fn help(table: &Table) -> String {
    let lines: Vec<[String; 3]> = table
        .columns
        .iter()
        .map(|c| [c.name.to_string(), c.aliases.join(","), c.desc.to_string()])
        .collect();
    let width = |k: usize| {
        lines
            .iter()
            .map(|l| l.get(k).map_or(0, |s| s.chars().count()))
            .max()
            .unwrap_or(0)
    };
    let (w0, w1) = (width(0), width(1));
    let mut out = String::new();
    for [name, aliases, desc] in &lines {
        pad(&mut out, name, w0, false, false);
        out.push_str(" | ");
        pad(&mut out, aliases, w1, false, false);
        out.push_str(" | ");
        out.push_str(desc);
        out.push('\n');
    }
    out
}

#[cfg(test)]
#[path = "cat_table_tests.rs"]
mod tests;
