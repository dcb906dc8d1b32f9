//! The JSON exec form (`["sh", "-c", "..."]`): decoded strings that keep their source bytes.

use crate::text::Text;

use super::words::push_slice;

/// How an argument text reads as a JSON array.
pub(crate) enum ExecForm {
    /// Not a JSON array: the text is shell form.
    NotJson,
    /// A valid JSON array of strings.
    Strings(Vec<Text>),
    /// Valid JSON array with an element that is not a string: BuildKit rejects it.
    NotStrings,
}

/// Reads `arguments` as BuildKit's `parseJSON` does: optional leading whitespace, then a JSON
/// array of strings; anything that is not valid JSON is shell form.
pub(crate) fn read_exec_form(arguments: &Text) -> ExecForm {
    let trimmed = arguments.value.trim_start();
    if !trimmed.starts_with('[') {
        return ExecForm::NotJson;
    }

    let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(trimmed)
    else {
        return ExecForm::NotJson;
    };

    if !items.iter().all(serde_json::Value::is_string) {
        return ExecForm::NotStrings;
    }

    let offset = arguments.value.len() - trimmed.len();
    ExecForm::Strings(decode_strings(arguments, offset))
}

/// Decodes the strings of an array already known to be valid JSON, starting at `[`.
fn decode_strings(arguments: &Text, open_bracket: usize) -> Vec<Text> {
    let bytes = arguments.value.as_bytes();
    let mut strings = Vec::new();
    let mut position = open_bracket + 1;

    while position < bytes.len() {
        match bytes[position] {
            b'"' => {
                let (string, end) = decode_string(arguments, position + 1);
                strings.push(string);
                position = end;
            }
            b']' => break,
            _ => position += 1,
        }
    }
    strings
}

/// Decodes one JSON string whose content starts at `start`; returns it and the position after
/// its closing quote. Plain runs keep their source map; an escape maps to the byte before it.
fn decode_string(arguments: &Text, start: usize) -> (Text, usize) {
    let value = &arguments.value;
    let bytes = value.as_bytes();
    let mut decoded = Text::new(arguments.source);
    let mut run_start = start;
    let mut position = start;

    while position < bytes.len() {
        match bytes[position] {
            b'"' => {
                push_slice(&mut decoded, arguments, run_start..position);
                return (decoded, position + 1);
            }
            b'\\' => {
                push_slice(&mut decoded, arguments, run_start..position);
                let (ch, length) = decode_escape(&value[position + 1..]);
                let mut buffer = [0; 4];
                decoded.push_synthetic(ch.encode_utf8(&mut buffer));
                position += 1 + length;
                run_start = position;
            }
            _ => position += 1,
        }
    }
    push_slice(&mut decoded, arguments, run_start..position);
    (decoded, position)
}

/// The character an escape stands for (text after the backslash) and how many bytes it used.
fn decode_escape(rest: &str) -> (char, usize) {
    let Some(kind) = rest.chars().next() else {
        return ('\\', 0);
    };
    match kind {
        'b' => ('\u{8}', 1),
        'f' => ('\u{c}', 1),
        'n' => ('\n', 1),
        'r' => ('\r', 1),
        't' => ('\t', 1),
        'u' => decode_unicode_escape(rest),
        other => (other, other.len_utf8()),
    }
}

/// `uXXXX`, or a surrogate pair `uXXXX\uXXXX`.
fn decode_unicode_escape(rest: &str) -> (char, usize) {
    let unit = |text: &str| {
        text.get(1..5)
            .and_then(|hex| u16::from_str_radix(hex, 16).ok())
    };
    let Some(first) = unit(rest) else {
        return (char::REPLACEMENT_CHARACTER, 1);
    };

    if (0xD800..0xDC00).contains(&first)
        && rest.get(5..7) == Some("\\u")
        && let Some(second) = unit(&rest[6..])
        && let Some(Ok(ch)) = char::decode_utf16([first, second]).next()
    {
        return (ch, 11);
    }

    let ch = char::decode_utf16([first]).next().and_then(Result::ok);
    (ch.unwrap_or(char::REPLACEMENT_CHARACTER), 5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceId, Span};

    fn read(value: &str) -> ExecForm {
        read_exec_form(&Text::from_source(SourceId(0), value, 100))
    }

    fn strings(value: &str) -> Vec<String> {
        match read(value) {
            ExecForm::Strings(items) => items.into_iter().map(|item| item.value).collect(),
            _ => panic!("not an array of strings: {value}"),
        }
    }

    #[test]
    fn decodes_escapes_and_unicode() {
        assert_eq!(
            strings(r#"[ "a", "b\"c", "\u2603", "\ud83d\ude00" ]"#),
            vec!["a", "b\"c", "☃", "😀"]
        );
        assert_eq!(strings("[]"), Vec::<String>::new());
    }

    #[test]
    fn elements_map_to_their_source_bytes() {
        let ExecForm::Strings(items) = read(r#"["sh", "-c"]"#) else {
            panic!("expected strings");
        };

        assert_eq!(items[1].span(), Span::new(SourceId(0), 108, 110));
    }

    #[test]
    fn invalid_json_is_shell_form_and_nested_arrays_are_rejected() {
        assert!(matches!(read("['a']"), ExecForm::NotJson));
        assert!(matches!(read(r#"["a""#), ExecForm::NotJson));
        assert!(matches!(read(r#"["a", ["b"]]"#), ExecForm::NotStrings));
    }
}
