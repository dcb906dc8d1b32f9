//! Heredoc markers (`<<EOF`, `<<-'EOF'`, `<< "EOF"`) in a logical instruction line, found the way
//! BuildKit finds them: split the line into shell words, then match each word.

use std::ops::Range;

/// A heredoc marker word found in an instruction line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Marker {
    /// The marker word in the logical line, `<<` and delimiter included.
    pub range: Range<usize>,
    pub delimiter: String,
    pub expand: bool,
    pub strip_tabs: bool,
}

/// The heredoc markers of a logical line, in order.
pub(crate) fn find_markers(line: &str) -> Vec<Marker> {
    if !line.contains("<<") {
        return Vec::new();
    }

    let mut markers = Vec::new();
    for range in shell_word_ranges(line) {
        if let Some(marker) = read_marker(&line[range.clone()], range) {
            markers.push(marker);
        }
    }
    markers
}

fn is_shell_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

/// Words split on unquoted whitespace, with the whitespace right after `<<` kept in the word, as
/// BuildKit's shell lexer does so that `<< EOF` reads as one word. The escape is always `\` here.
fn shell_word_ranges(line: &str) -> Vec<Range<usize>> {
    let bytes = line.as_bytes();
    let mut words = Vec::new();
    let mut position = 0;

    while position < bytes.len() {
        if is_shell_space(bytes[position]) {
            position += 1;
            continue;
        }

        let start = position;
        while position < bytes.len() && !is_shell_space(bytes[position]) {
            position = match bytes[position] {
                b'\'' => closing_quote(bytes, position + 1, b'\''),
                b'"' => closing_quote(bytes, position + 1, b'"'),
                b'\\' => position + 2,
                b'<' if bytes.get(position + 1) == Some(&b'<') => {
                    let mut after = position + 2;
                    while after < bytes.len() && is_shell_space(bytes[after]) {
                        after += 1;
                    }
                    after
                }
                _ => position + 1,
            };
        }
        position = position.min(bytes.len());
        words.push(start..position);
    }
    words
}

/// The position after the closing `quote`, or the end of the line.
fn closing_quote(bytes: &[u8], mut position: usize, quote: u8) -> usize {
    while position < bytes.len() {
        if bytes[position] == quote {
            return position + 1;
        }
        if quote == b'"' && bytes[position] == b'\\' {
            position += 1;
        }
        position += 1;
    }
    bytes.len()
}

/// Matches BuildKit's `^(\d*)<<(-?)\s*([^<]*)$` and reads the delimiter as one shell word.
fn read_marker(word: &str, range: Range<usize>) -> Option<Marker> {
    let after_descriptor = word.trim_start_matches(|ch: char| ch.is_ascii_digit());
    let after_angles = after_descriptor.strip_prefix("<<")?;
    let (strip_tabs, after_dash) = match after_angles.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, after_angles),
    };
    let raw_delimiter = after_dash.trim_start_matches(|ch: char| ch.is_ascii_whitespace());
    if raw_delimiter.is_empty() || raw_delimiter.contains('<') {
        return None;
    }

    let delimiter = unquote_single_word(raw_delimiter)?;
    // Shell rule: any quoting or escaping in the delimiter turns off expansion of the body.
    let expand = !raw_delimiter.contains(['\'', '"', '\\']);
    Some(Marker {
        range,
        delimiter,
        expand,
        strip_tabs,
    })
}

/// Removes quotes and escapes from a delimiter; `None` when it is not exactly one word or a quote
/// is left open.
fn unquote_single_word(raw: &str) -> Option<String> {
    let mut value = String::new();
    let mut chars = raw.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\'' => loop {
                match chars.next()? {
                    '\'' => break,
                    inner => value.push(inner),
                }
            },
            '"' => loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => {
                        let escaped = chars.next()?;
                        if !matches!(escaped, '"' | '$' | '\\') {
                            value.push('\\');
                        }
                        value.push(escaped);
                    }
                    inner => value.push(inner),
                }
            },
            '\\' => value.push(chars.next()?),
            _ if ch.is_whitespace() => return None,
            _ => value.push(ch),
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delimiters(line: &str) -> Vec<(String, bool, bool)> {
        find_markers(line)
            .into_iter()
            .map(|marker| (marker.delimiter, marker.expand, marker.strip_tabs))
            .collect()
    }

    #[test]
    fn reads_every_marker_form() {
        assert_eq!(delimiters("RUN <<EOF"), vec![("EOF".into(), true, false)]);
        assert_eq!(
            delimiters("RUN <<-\\EOT"),
            vec![("EOT".into(), false, true)]
        );
        assert_eq!(
            delimiters("RUN cat <<'EOF' > x"),
            vec![("EOF".into(), false, false)]
        );
        assert_eq!(
            delimiters("RUN 3<<\"EOF\""),
            vec![("EOF".into(), false, false)]
        );
        assert_eq!(
            delimiters("COPY <<A <<B /dest/"),
            vec![("A".into(), true, false), ("B".into(), true, false)]
        );
    }

    #[test]
    fn space_after_angles_still_opens_a_heredoc() {
        let markers = find_markers("RUN cat << 'EOF' > file");

        assert_eq!(markers.len(), 1);
        assert_eq!(markers[0].delimiter, "EOF");
        assert_eq!(markers[0].range, 8..16);
    }

    #[test]
    fn quoted_markers_and_here_strings_are_not_heredocs() {
        assert!(delimiters("RUN echo \"<<EOF\"").is_empty());
        assert!(delimiters("RUN cat <<< \"$x\"").is_empty());
        assert!(delimiters("RUN echo a<<EOF").is_empty());
        assert!(delimiters("RUN echo <<").is_empty());
    }
}
