//! Text analysis: Elasticsearch's `standard` analyzer — Unicode (UAX #29) word boundaries,
//! tokens longer than 255 characters split, lowercased, no stop words.
//!
//! Word boundaries matter to security, not only to relevance: a role query such as
//! `{"match": {"marker": "test_1"}}` must admit only documents holding the token `test_1`.
//! A tokenizer that splits on every non-alphanumeric character turns it into `test OR 1` and
//! admits `test_2` too.
//!
//! Indices created before this analyzer name tantivy's `default` one ([`LEGACY`]) in their
//! schema; [`analyzer_name`] tells which one an index uses, and opening such an index
//! rebuilds it with this one (`engine::migrate`).

use tantivy::Index;
use tantivy::schema::{Schema, Type};
use tantivy::tokenizer::{LowerCaser, TextAnalyzer, Token, TokenStream, Tokenizer};
use unicode_segmentation::{UWordBoundIndices, UnicodeSegmentation};

/// The registered name of the standard analyzer.
pub const STANDARD: &str = "es_standard";

/// tantivy's analyzer that indices created before [`STANDARD`] name: it splits on every
/// non-alphanumeric character. Such indices are rebuilt when opened (`engine::migrate`).
pub const LEGACY: &str = "default";

/// Elasticsearch's default `max_token_length`.
const MAX_TOKEN_CHARS: usize = 255;

/// Register the analyzers an index may name in its schema.
pub fn register(index: &Index) {
    index.tokenizers().register(
        STANDARD,
        TextAnalyzer::builder(StandardTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
}

/// The analyzer `schema` indexes the text field `field` with (`default` when unnamed).
pub fn analyzer_name(schema: &Schema, field: &str) -> String {
    schema
        .get_field(field)
        .ok()
        .map(|f| schema.get_field_entry(f))
        .filter(|entry| entry.field_type().value_type() == Type::Json)
        .and_then(|entry| match entry.field_type() {
            tantivy::schema::FieldType::JsonObject(options) => options
                .get_text_indexing_options()
                .map(|i| i.tokenizer().to_string()),
            _ => None,
        })
        .unwrap_or_else(|| LEGACY.to_string())
}

/// UAX #29 word segments holding at least one letter or digit (punctuation, spaces and
/// symbols between words are not tokens), split every 255 characters.
#[derive(Clone, Debug, Default)]
pub struct StandardTokenizer {
    token: Token,
}

pub struct StandardTokenStream<'a> {
    segments: UWordBoundIndices<'a>,
    /// The rest of the current segment still to emit (long words are split).
    pending: Option<(usize, &'a str)>,
    token: &'a mut Token,
}

impl std::fmt::Debug for StandardTokenStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandardTokenStream")
            .finish_non_exhaustive()
    }
}

impl Tokenizer for StandardTokenizer {
    type TokenStream<'a> = StandardTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> StandardTokenStream<'a> {
        self.token.reset();
        StandardTokenStream {
            segments: text.split_word_bound_indices(),
            pending: None,
            token: &mut self.token,
        }
    }
}

impl<'a> StandardTokenStream<'a> {
    fn next_word(&mut self) -> Option<(usize, &'a str)> {
        if let Some(pending) = self.pending.take() {
            return Some(pending);
        }
        self.segments
            .by_ref()
            .find(|(_, segment)| segment.chars().any(char::is_alphanumeric))
    }
}

impl TokenStream for StandardTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some((offset, word)) = self.next_word() else {
            return false;
        };
        let cut = word
            .char_indices()
            .nth(MAX_TOKEN_CHARS)
            .map_or(word.len(), |(i, _)| i);
        let (head, tail) = word.split_at(cut);
        if !tail.is_empty() {
            self.pending = Some((offset + cut, tail));
        }
        self.token.text.clear();
        self.token.text.push_str(head);
        self.token.offset_from = offset;
        self.token.offset_to = offset + cut;
        self.token.position = self.token.position.wrapping_add(1);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut analyzer = TextAnalyzer::builder(StandardTokenizer::default())
            .filter(LowerCaser)
            .build();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        out
    }

    fn texts(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn words_join_as_in_elasticsearch_standard() {
        assert_eq!(texts("test_1"), ["test_1"]);
        assert_eq!(
            texts("The Quick-Brown fox's 3.14 dogs!"),
            ["the", "quick", "brown", "fox's", "3.14", "dogs"]
        );
        assert_eq!(texts("user@example.com"), ["user", "example.com"]);
        assert_eq!(texts("  ,;  "), Vec::<String>::new());
        // Ideographs are one token each.
        assert_eq!(texts("東京"), ["東", "京"]);
    }

    #[test]
    fn positions_and_offsets() {
        assert_eq!(
            tokens("a, b"),
            [("a".into(), 0, 0, 1), ("b".into(), 1, 3, 4)]
        );
    }

    #[test]
    fn indices_keep_the_analyzer_their_schema_names() {
        use tantivy::schema::{JsonObjectOptions, TextFieldIndexing};
        let schema_with = |tokenizer: &str| {
            let mut b = Schema::builder();
            b.add_json_field(
                "t",
                JsonObjectOptions::default()
                    .set_indexing_options(TextFieldIndexing::default().set_tokenizer(tokenizer)),
            );
            b.build()
        };
        assert_eq!(analyzer_name(&schema_with("default"), "t"), "default");
        assert_eq!(analyzer_name(&schema_with(STANDARD), "t"), STANDARD);
        assert_eq!(analyzer_name(&schema_with(STANDARD), "missing"), "default");
    }

    #[test]
    fn long_words_are_split_every_255_characters() {
        let word = "x".repeat(600);
        let out = tokens(&word);
        let lengths: Vec<usize> = out.iter().map(|t| t.0.len()).collect();
        assert_eq!(lengths, [255, 255, 90]);
        assert_eq!((out[1].2, out[1].3), (255, 510));
        assert_eq!(out[2].1, 2);
    }
}
