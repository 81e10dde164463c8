//! `filter_search_response` on the answer's bytes: only what field-level security changes is
//! parsed — each hit's filtered keys (`HIT_FILTERED_KEYS`, plus `_index` to pick the field
//! set) and aggregations that can hold `top_hits` results — and filtered by the very same
//! code as the parsed path; every other byte (`took`, `_shards`, totals, `_id`, `_score`,
//! `sort`, aggregations without hits) is copied as the upstream sent it, which is exactly
//! what the parsed path leaves unchanged. Parsing a whole answer into a `Value` was the
//! largest part of a restricted search's cost in the gateway.
//!
//! Anything unusual (a key written with escapes, a repeated key, a shape other than ES's)
//! returns `None`, and the caller takes the parsed path: never a guess.

use serde_json::{Map, Value};

use super::response::{HIT_FILTERED_KEYS, ResponseFilter, filter_aggregations, filter_hit};

/// The filtered answer, or `None` when the bytes are not an answer this path reads exactly.
pub fn filter_search_response_bytes(body: &[u8], filter: &ResponseFilter) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut s = Scanner { s: body, pos: 0 };
    let mut seen = Seen::default();
    s.object(&mut out, |s, key, out| match key {
        b"hits" => {
            seen.once(0)?;
            s.object(out, |s, key, out| match key {
                b"hits" => {
                    seen.once(1)?;
                    s.array(out, |s, out| hit(s, out, filter))
                }
                _ => s.copy_value(out),
            })
        }
        b"aggregations" => {
            seen.once(2)?;
            let raw = s.value()?;
            if raw.windows(6).any(|w| w == b"\"hits\"") || raw.contains(&b'\\') {
                // May hold `top_hits` results (or hide a key behind escapes): parsed path.
                let mut aggs: Value = serde_json::from_slice(raw).ok()?;
                filter_aggregations(&mut aggs, filter);
                serde_json::to_writer(&mut *out, &aggs).ok()
            } else {
                out.extend_from_slice(raw);
                Some(())
            }
        }
        _ => s.copy_value(out),
    })?;
    s.skip_ws();
    (s.pos == body.len()).then_some(out)
}

/// One hit: its filtered keys and `_index` parsed into a partial hit, filtered by
/// `filter_hit`, and written back in their places; the other keys copied.
fn hit(s: &mut Scanner<'_>, out: &mut Vec<u8>, filter: &ResponseFilter) -> Option<()> {
    s.skip_ws();
    let start = s.pos;
    let mut entries: Vec<(&[u8], &[u8])> = Vec::new();
    s.object_entries(|key, value| entries.push((key, value)))?;
    let mut partial = Map::new();
    for (key, value) in &entries {
        let key = std::str::from_utf8(key).ok()?;
        if key == "_index" || HIT_FILTERED_KEYS.contains(&key) {
            let parsed: Value = serde_json::from_slice(value).ok()?;
            if partial.insert(key.to_owned(), parsed).is_some() {
                return None; // a repeated key
            }
        }
    }
    if partial.keys().all(|k| k == "_index") {
        // Nothing to filter in this hit.
        out.extend_from_slice(s.s.get(start..s.pos)?);
        return Some(());
    }
    let mut partial = Value::Object(partial);
    filter_hit(&mut partial, filter);
    let Value::Object(filtered) = partial else {
        return None;
    };
    out.push(b'{');
    let mut first = true;
    for (key, value) in &entries {
        let name = std::str::from_utf8(key).ok()?;
        let written = if HIT_FILTERED_KEYS.contains(&name) {
            match filtered.get(name) {
                Some(v) => Some(serde_json::to_vec(v).ok()?),
                None => None, // removed by the filter
            }
        } else {
            Some(value.to_vec())
        };
        if let Some(bytes) = written {
            if !first {
                out.push(b',');
            }
            first = false;
            out.push(b'"');
            out.extend_from_slice(key);
            out.extend_from_slice(b"\":");
            out.extend_from_slice(&bytes);
        }
    }
    out.push(b'}');
    Some(())
}

/// Which of the answer's keys were met (each may appear once).
#[derive(Default)]
struct Seen([bool; 3]);

impl Seen {
    fn once(&mut self, which: usize) -> Option<()> {
        let seen = self.0.get_mut(which)?;
        if *seen {
            return None;
        }
        *seen = true;
        Some(())
    }
}

/// The characters of numbers and of `true`, `false`, `null`.
fn is_scalar_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')
}

/// A JSON reader over bytes: finds where values start and end, without building them.
struct Scanner<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn skip_ws(&mut self) {
        while self
            .s
            .get(self.pos)
            .is_some_and(|b| matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
        {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_ws();
        (self.s.get(self.pos) == Some(&byte)).then(|| self.pos += 1)
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.pos).copied()
    }

    /// A key: its bytes between the quotes, which must hold no escape (a key written with
    /// escapes could spell a filtered key in another way).
    fn key(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let start = self.pos;
        loop {
            match *self.s.get(self.pos)? {
                b'"' => break,
                b'\\' => return None,
                _ => self.pos += 1,
            }
        }
        let key = self.s.get(start..self.pos)?;
        self.pos += 1;
        Some(key)
    }

    /// Skips one string (the opening quote already eaten).
    fn skip_string_rest(&mut self) -> Option<()> {
        loop {
            match *self.s.get(self.pos)? {
                b'"' => {
                    self.pos += 1;
                    return Some(());
                }
                b'\\' => self.pos += 2,
                _ => self.pos += 1,
            }
        }
    }

    /// One value's bytes. Structure only: strings are skipped whole (so brackets inside them
    /// do not count), scalars are runs of the characters numbers and literals are made of.
    fn value(&mut self) -> Option<&'a [u8]> {
        self.skip_ws();
        let start = self.pos;
        let mut depth = 0usize;
        loop {
            let byte = *self.s.get(self.pos)?;
            self.pos += 1;
            match byte {
                b'"' => self.skip_string_rest()?,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.checked_sub(1)?,
                b',' | b':' if depth > 0 => {}
                b if is_scalar_byte(b) => {
                    while self.s.get(self.pos).is_some_and(|b| is_scalar_byte(*b)) {
                        self.pos += 1;
                    }
                }
                _ => return None,
            }
            if depth == 0 {
                return self.s.get(start..self.pos);
            }
            self.skip_ws();
        }
    }

    fn copy_value(&mut self, out: &mut Vec<u8>) -> Option<()> {
        out.extend_from_slice(self.value()?);
        Some(())
    }

    /// An object, written to `out` key by key: `each` writes each value.
    fn object(
        &mut self,
        out: &mut Vec<u8>,
        mut each: impl FnMut(&mut Self, &[u8], &mut Vec<u8>) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'{')?;
        out.push(b'{');
        if self.peek()? == b'}' {
            self.pos += 1;
            out.push(b'}');
            return Some(());
        }
        loop {
            let key = self.key()?;
            self.eat(b':')?;
            out.push(b'"');
            out.extend_from_slice(key);
            out.extend_from_slice(b"\":");
            each(self, key, out)?;
            match self.peek()? {
                b',' => {
                    self.pos += 1;
                    out.push(b',');
                }
                b'}' => {
                    self.pos += 1;
                    out.push(b'}');
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// An object's entries as (key, value bytes).
    fn object_entries(&mut self, mut each: impl FnMut(&'a [u8], &'a [u8])) -> Option<()> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(());
        }
        loop {
            let key = self.key()?;
            self.eat(b':')?;
            each(key, self.value()?);
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// An array, written to `out` element by element.
    fn array(
        &mut self,
        out: &mut Vec<u8>,
        mut each: impl FnMut(&mut Self, &mut Vec<u8>) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'[')?;
        out.push(b'[');
        if self.peek()? == b']' {
            self.pos += 1;
            out.push(b']');
            return Some(());
        }
        loop {
            each(self, out)?;
            match self.peek()? {
                b',' => {
                    self.pos += 1;
                    out.push(b',');
                }
                b']' => {
                    self.pos += 1;
                    out.push(b']');
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
#[path = "response_bytes_tests.rs"]
mod tests;
