//! Slicing mapped texts and splitting argument text into words, the way BuildKit's line parsers
//! split instruction arguments.

use std::ops::Range;

use crate::text::Text;

/// Appends `text.value[range]` to `out`, keeping the map back to the source.
pub(crate) fn push_slice(out: &mut Text, text: &Text, range: Range<usize>) {
    let mut index = text
        .pieces
        .partition_point(|piece| piece.at + piece.len <= range.start);
    let mut cursor = range.start;

    while cursor < range.end {
        match text.pieces.get(index) {
            Some(piece) if piece.at <= cursor => {
                let end = (piece.at + piece.len).min(range.end);
                out.push_source(&text.value[cursor..end], piece.from + (cursor - piece.at));
                cursor = end;
                index += 1;
            }
            Some(piece) => {
                let end = piece.at.min(range.end);
                out.push_synthetic(&text.value[cursor..end]);
                cursor = end;
            }
            None => {
                out.push_synthetic(&text.value[cursor..range.end]);
                cursor = range.end;
            }
        }
    }
}

/// A new text holding `text.value[range]`, mapped to the same source bytes.
pub(crate) fn slice(text: &Text, range: Range<usize>) -> Text {
    let mut out = Text::new(text.source);
    push_slice(&mut out, text, range);
    out
}

/// The whitespace BuildKit's `reWhitespace` knows: `[\t\v\f\r ]`.
pub(crate) fn is_field_space(ch: char) -> bool {
    matches!(ch, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// Fields separated by runs of `[\t\v\f\r ]`, quotes ignored (BuildKit's whitespace split).
pub(crate) fn field_ranges(text: &str) -> Vec<Range<usize>> {
    let mut fields = Vec::new();
    let mut start = None;
    for (index, ch) in text.char_indices() {
        match (is_field_space(ch), start) {
            (true, Some(begin)) => {
                fields.push(begin..index);
                start = None;
            }
            (false, None) => start = Some(index),
            _ => {}
        }
    }
    if let Some(begin) = start {
        fields.push(begin..text.len());
    }
    fields
}

/// Words split on unquoted whitespace, quotes and escapes kept as written; an escape character at
/// the very end is dropped (BuildKit's `parseWords`).
pub(crate) fn word_ranges(text: &str, escape: char) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, first)) = chars.peek() {
        if first.is_whitespace() {
            chars.next();
            continue;
        }

        let mut end = start;
        let mut quote = None;
        while let Some((index, ch)) = chars.next() {
            if quote.is_none() && ch.is_whitespace() {
                break;
            }
            if ch == escape && quote != Some('\'') {
                let Some((next_index, next)) = chars.next() else {
                    // An escape at the very end is dropped, and ends any open quote.
                    break;
                };
                end = next_index + next.len_utf8();
                continue;
            }
            match quote {
                None if ch == '\'' || ch == '"' => quote = Some(ch),
                Some(open) if ch == open => quote = None,
                _ => {}
            }
            end = index + ch.len_utf8();
        }

        if end > start {
            words.push(start..end);
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceId, Span};

    fn words(text: &str) -> Vec<&str> {
        word_ranges(text, '\\')
            .into_iter()
            .map(|range| &text[range])
            .collect()
    }

    #[test]
    fn words_keep_quotes_and_escapes() {
        assert_eq!(
            words(r#"abc="123 456" def"#),
            vec![r#"abc="123 456""#, "def"]
        );
        assert_eq!(words(r"a=value\ value2 b"), vec![r"a=value\ value2", "b"]);
        // In single quotes the escape is literal, so `'a\'b' c` reopens a quote and stays one word.
        assert_eq!(words(r#"'a\'b' c"#), vec![r"'a\'b' c"]);
        assert_eq!(words(r#""" x"#), vec![r#""""#, "x"]);
    }

    #[test]
    fn trailing_escape_is_dropped() {
        assert_eq!(words(r"abc \"), vec!["abc"]);
        assert_eq!(words(r"abc\"), vec!["abc"]);
    }

    #[test]
    fn fields_split_on_ascii_whitespace_only() {
        let text = "a\t b  \"c d\"";
        let fields: Vec<&str> = field_ranges(text)
            .into_iter()
            .map(|range| &text[range])
            .collect();

        assert_eq!(fields, vec!["a", "b", "\"c", "d\""]);
    }

    #[test]
    fn slices_keep_their_map_across_pieces() {
        let mut text = Text::new(SourceId(0));
        text.push_source("abc", 10);
        text.push_synthetic("+");
        text.push_source("def", 20);

        let middle = slice(&text, 1..6);

        assert_eq!(middle.value, "bc+de");
        assert_eq!(middle.source_span(3..5), Span::new(SourceId(0), 20, 22));
        assert_eq!(middle.source_offset(0), 11);
    }
}
