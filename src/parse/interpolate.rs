//! Compose variable interpolation: `$VAR`, `${VAR:-default}` and the other forms of the Compose
//! specification, applied to scalar values after YAML parsing; and the `.env` file format that
//! supplies the variables.

use std::ops::Range;

/// An expression that cannot be interpolated: a required variable without a value, an unclosed
/// `${`, a `${` without a variable name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterpolationError {
    pub message: String,
    /// The offending expression, as a byte range in the interpolated text.
    pub range: Range<usize>,
}

/// Replaces every variable expression in `text`, as Compose does.
///
/// `lookup` gives a variable's value, `None` when it is unset. An unset variable without a
/// default becomes the empty string; `$$` is a literal `$`, and so is a `$` that starts no
/// expression (`$(date)`).
pub fn interpolate(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, InterpolationError> {
    let mut output = String::with_capacity(text.len());
    let context = Context { lookup, depth: 0 };
    expand(text, 0, context, &mut output)?;
    Ok(output)
}

/// Expressions nested deeper than this (`${A:-${B:-...}}`) are refused, to bound recursion.
const MAX_NESTING: usize = 32;

#[derive(Clone, Copy)]
struct Context<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
    /// How many `${` enclose the text being expanded.
    depth: usize,
}

/// Expands `text`, which starts at byte `offset` of the caller's text (for error ranges).
fn expand(
    text: &str,
    offset: usize,
    context: Context<'_>,
    output: &mut String,
) -> Result<(), InterpolationError> {
    let lookup = context.lookup;
    let bytes = text.as_bytes();
    let mut literal_start = 0;
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] != b'$' {
            index += 1;
            continue;
        }

        output.push_str(&text[literal_start..index]);
        let next = bytes.get(index + 1).copied();
        index = match next {
            Some(b'$') => {
                output.push('$');
                index + 2
            }
            Some(b'{') => {
                let close = closing_brace(text, index).ok_or_else(|| InterpolationError {
                    message: "unclosed `${`: a `}` is missing".to_owned(),
                    range: offset + index..offset + text.len(),
                })?;
                let expression = &text[index + 2..close];
                let range = offset + index..offset + close + 1;
                if context.depth >= MAX_NESTING {
                    return Err(InterpolationError {
                        message: "interpolation nested too deeply".to_owned(),
                        range,
                    });
                }
                let inner = Context {
                    lookup,
                    depth: context.depth + 1,
                };
                expand_braced(expression, offset + index + 2, range, inner, output)?;
                close + 1
            }
            Some(byte) if is_name_start(byte) => {
                let name_end = name_end(bytes, index + 1);
                let name = &text[index + 1..name_end];
                output.push_str(&lookup(name).unwrap_or_default());
                name_end
            }
            // As in Compose, a `$` that starts no expression stays (`$(date)`, `^REGEX$`).
            _ => {
                output.push('$');
                index + 1
            }
        };
        literal_start = index;
    }
    output.push_str(&text[literal_start..]);
    Ok(())
}

/// The index of the `}` that closes the `${` at `start`, counting nested `${`.
fn closing_brace(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut index = start;
    while index < bytes.len() {
        if bytes[index] == b'$' && bytes.get(index + 1) == Some(&b'{') {
            depth += 1;
            index += 2;
            continue;
        }
        if bytes[index] == b'}' {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return Some(index);
            }
        }
        index += 1;
    }
    None
}

/// What follows the name in `${NAME<operator>operand}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    /// `:-`: the operand when unset or empty.
    DefaultIfEmpty,
    /// `-`: the operand when unset.
    DefaultIfUnset,
    /// `:?`: an error when unset or empty.
    RequiredNonEmpty,
    /// `?`: an error when unset.
    Required,
    /// `:+`: the operand when set and not empty.
    AlternativeIfNonEmpty,
    /// `+`: the operand when set.
    AlternativeIfSet,
}

/// Expands the inside of `${...}`; `range` is the whole expression, for errors.
fn expand_braced(
    expression: &str,
    offset: usize,
    range: Range<usize>,
    context: Context<'_>,
    output: &mut String,
) -> Result<(), InterpolationError> {
    let bytes = expression.as_bytes();
    let invalid = |message: String| InterpolationError {
        message,
        range: range.clone(),
    };
    if !bytes.first().copied().is_some_and(is_name_start) {
        return Err(invalid(format!(
            "invalid interpolation `${{{expression}}}`: no variable name"
        )));
    }

    let name_end = name_end(bytes, 1);
    let name = &expression[..name_end];
    let rest = &expression[name_end..];
    let Some((operator, operator_len)) = operator(rest) else {
        return Err(invalid(format!(
            "invalid interpolation `${{{expression}}}`"
        )));
    };
    let value = (context.lookup)(name);
    let Some(operator) = operator else {
        output.push_str(&value.unwrap_or_default());
        return Ok(());
    };

    let operand = &rest[operator_len..];
    let operand_offset = offset + name_end + operator_len;
    let is_set = value.is_some();
    let is_non_empty = value.as_deref().is_some_and(|value| !value.is_empty());
    let use_operand = match operator {
        Operator::DefaultIfEmpty => !is_non_empty,
        Operator::DefaultIfUnset => !is_set,
        Operator::AlternativeIfNonEmpty => is_non_empty,
        Operator::AlternativeIfSet => is_set,
        Operator::RequiredNonEmpty | Operator::Required => {
            let is_missing = if operator == Operator::Required {
                !is_set
            } else {
                !is_non_empty
            };
            if is_missing {
                let mut reason = String::new();
                expand(operand, operand_offset, context, &mut reason)?;
                let mut message = format!("required variable `{name}` is missing a value");
                if !reason.is_empty() {
                    message.push_str(": ");
                    message.push_str(&reason);
                }
                return Err(invalid(message));
            }
            false
        }
    };

    match (use_operand, operator) {
        (true, _) => expand(operand, operand_offset, context, output),
        (false, Operator::AlternativeIfNonEmpty | Operator::AlternativeIfSet) => Ok(()),
        (false, _) => {
            output.push_str(&value.unwrap_or_default());
            Ok(())
        }
    }
}

/// The operator at the start of `rest` and its length; `Some((None, 0))` when `rest` is empty.
fn operator(rest: &str) -> Option<(Option<Operator>, usize)> {
    let found = match rest.as_bytes() {
        [] => return Some((None, 0)),
        [b':', b'-', ..] => (Operator::DefaultIfEmpty, 2),
        [b':', b'?', ..] => (Operator::RequiredNonEmpty, 2),
        [b':', b'+', ..] => (Operator::AlternativeIfNonEmpty, 2),
        [b'-', ..] => (Operator::DefaultIfUnset, 1),
        [b'?', ..] => (Operator::Required, 1),
        [b'+', ..] => (Operator::AlternativeIfSet, 1),
        _ => return None,
    };
    Some((Some(found.0), found.1))
}

fn is_name_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

fn name_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
        end += 1;
    }
    end
}

/// Reads a `.env` file: `KEY=value` lines, optionally behind `export`, with `#` comments.
///
/// Single-quoted values are literal; double-quoted values understand `\n`, `\t`, `\"` and `\\`
/// and may span lines; unquoted values end at a ` #` comment. Double-quoted and unquoted values
/// are interpolated from the keys defined above them, as Compose does; a value whose
/// interpolation fails is kept as written. Lines that are not assignments are skipped.
pub fn parse_env_file(text: &str) -> Vec<(String, String)> {
    let mut variables: Vec<(String, String)> = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (line, after_line) = split_line(rest);
        rest = after_line;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }

        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let Some((key, raw_value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty()
            || !key
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b"_.-".contains(&byte))
        {
            continue;
        }

        let raw_value = raw_value.trim_start();
        let value = match raw_value.as_bytes().first() {
            Some(b'\'') => {
                let (quoted, after) = take_quoted(raw_value, rest, '\'');
                rest = after;
                quoted
            }
            Some(b'"') => {
                let (quoted, after) = take_quoted(raw_value, rest, '"');
                rest = after;
                interpolate_with(&unescape(&quoted), &variables)
            }
            _ => interpolate_with(strip_comment(raw_value).trim_end(), &variables),
        };
        variables.retain(|(existing, _)| existing != key);
        variables.push((key.to_owned(), value));
    }
    variables
}

/// The first line of `text` (without its line break) and the text after it.
fn split_line(text: &str) -> (&str, &str) {
    match text.find('\n') {
        Some(end) => (text[..end].trim_end_matches('\r'), &text[end + 1..]),
        None => (text, ""),
    }
}

/// The text between `quote`s that starts `value`, continuing onto the following lines of `rest`
/// when the closing quote is not on this line; returns the text and what is left of `rest`.
fn take_quoted<'a>(value: &str, rest: &'a str, quote: char) -> (String, &'a str) {
    let body = &value[1..];
    if let Some(end) = closing_quote(body, quote) {
        return (body[..end].to_owned(), rest);
    }

    let mut collected = body.to_owned();
    let mut remaining = rest;
    while !remaining.is_empty() {
        let (line, after) = split_line(remaining);
        remaining = after;
        collected.push('\n');
        if let Some(end) = closing_quote(line, quote) {
            collected.push_str(&line[..end]);
            return (collected, remaining);
        }
        collected.push_str(line);
    }
    (collected, remaining)
}

/// The byte index of the closing quote; in double quotes a backslash escapes the next character.
fn closing_quote(text: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (index, character) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if character == '\\' && quote == '"' {
            escaped = true;
        } else if character == quote {
            return Some(index);
        }
    }
    None
}

fn unescape(text: &str) -> String {
    let mut output = String::with_capacity(text.len());
    let mut characters = text.chars();
    while let Some(character) = characters.next() {
        if character != '\\' {
            output.push(character);
            continue;
        }
        match characters.next() {
            Some('n') => output.push('\n'),
            Some('t') => output.push('\t'),
            Some('r') => output.push('\r'),
            Some(other) => output.push(other),
            None => output.push('\\'),
        }
    }
    output
}

/// An unquoted value ends where a `#` follows whitespace.
fn strip_comment(value: &str) -> &str {
    let bytes = value.as_bytes();
    for index in 0..bytes.len() {
        if bytes[index] == b'#' && (index == 0 || bytes[index - 1].is_ascii_whitespace()) {
            return &value[..index];
        }
    }
    value
}

fn interpolate_with(value: &str, variables: &[(String, String)]) -> String {
    let lookup = |name: &str| {
        variables
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    interpolate(value, &lookup).unwrap_or_else(|_| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_vars(text: &str, variables: &[(&str, &str)]) -> Result<String, InterpolationError> {
        let lookup = |name: &str| {
            variables
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        };
        interpolate(text, &lookup)
    }

    fn expanded(text: &str, variables: &[(&str, &str)]) -> String {
        match with_vars(text, variables) {
            Ok(value) => value,
            Err(error) => panic!("unexpected error for {text:?}: {error:?}"),
        }
    }

    fn failure(text: &str, variables: &[(&str, &str)]) -> InterpolationError {
        match with_vars(text, variables) {
            Ok(value) => panic!("expected an error for {text:?}, got {value:?}"),
            Err(error) => error,
        }
    }

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(expanded("10001:10001", &[]), "10001:10001");
        assert_eq!(expanded("", &[]), "");
        assert_eq!(expanded("é ü {}", &[]), "é ü {}");
    }

    #[test]
    fn simple_and_braced_variables_expand() {
        let vars = [("UID", "1000"), ("GID", "50")];

        assert_eq!(expanded("$UID", &vars), "1000");
        assert_eq!(expanded("${UID}:${GID}", &vars), "1000:50");
        assert_eq!(expanded("$UID:$GID", &vars), "1000:50");
        assert_eq!(expanded("a$UID-b", &vars), "a1000-b");
    }

    #[test]
    fn unset_variable_without_default_is_empty() {
        assert_eq!(expanded("user-${MISSING}", &[]), "user-");
        assert_eq!(expanded("$MISSING", &[]), "");
    }

    #[test]
    fn double_dollar_is_a_literal_dollar() {
        assert_eq!(
            expanded("$$HOME and $${X}", &[("HOME", "/root")]),
            "$HOME and ${X}"
        );
    }

    #[test]
    fn colon_dash_default_applies_when_unset_or_empty() {
        assert_eq!(expanded("${A:-def}", &[]), "def");
        assert_eq!(expanded("${A:-def}", &[("A", "")]), "def");
        assert_eq!(expanded("${A:-def}", &[("A", "set")]), "set");
    }

    #[test]
    fn dash_default_applies_only_when_unset() {
        assert_eq!(expanded("${A-def}", &[]), "def");
        assert_eq!(expanded("${A-def}", &[("A", "")]), "");
    }

    #[test]
    fn plus_alternatives_apply_when_set() {
        assert_eq!(expanded("${A:+alt}", &[("A", "x")]), "alt");
        assert_eq!(expanded("${A:+alt}", &[("A", "")]), "");
        assert_eq!(expanded("${A+alt}", &[("A", "")]), "alt");
        assert_eq!(expanded("${A+alt}", &[]), "");
    }

    #[test]
    fn nested_defaults_expand() {
        assert_eq!(expanded("${A:-${B:-x}}", &[]), "x");
        assert_eq!(expanded("${A:-${B:-x}}", &[("B", "b")]), "b");
        assert_eq!(
            expanded("no-new-privileges:${NNP:-${NNP_DEFAULT:-true}}", &[]),
            "no-new-privileges:true"
        );
    }

    #[test]
    fn text_after_the_first_expression_is_kept() {
        assert_eq!(expanded("${A:-1}:${B:-2}", &[]), "1:2");
        assert_eq!(expanded("${A:-1}:${B:-2}", &[("A", "7")]), "7:2");
        assert_eq!(expanded("${A:-{\"k\": 1}} tail}", &[]), "{\"k\": 1} tail}");
    }

    #[test]
    fn required_variable_missing_names_it_and_the_message() {
        let text = "user: ${UID:?set UID first}";

        let error = failure(text, &[]);

        assert!(error.message.contains("UID"), "{}", error.message);
        assert!(error.message.contains("set UID first"), "{}", error.message);
        assert_eq!(&text[error.range], "${UID:?set UID first}");
    }

    #[test]
    fn required_forms_differ_on_empty_values() {
        assert!(with_vars("${A:?}", &[("A", "")]).is_err());
        assert_eq!(expanded("${A?}", &[("A", "")]), "");
        assert_eq!(expanded("${A?need A}", &[("A", "ok")]), "ok");
        assert!(with_vars("${A?need A}", &[]).is_err());
    }

    #[test]
    fn nested_error_points_at_the_inner_expression() {
        let text = "x ${A:-${B:?no B}} y";

        let error = failure(text, &[]);

        assert_eq!(&text[error.range], "${B:?no B}");
    }

    #[test]
    fn unclosed_brace_is_an_error() {
        let text = "ab ${UID:-1";

        let error = failure(text, &[]);

        assert_eq!(&text[error.range], "${UID:-1");
        assert!(error.message.contains("unclosed"), "{}", error.message);
    }

    #[test]
    fn malformed_expressions_are_errors() {
        assert!(with_vars("${}", &[]).is_err());
        assert!(with_vars("${1A}", &[]).is_err());
        assert!(with_vars("${A B}", &[]).is_err());
        assert!(with_vars("${ A}", &[]).is_err());
        assert!(with_vars("${A!}", &[]).is_err());
    }

    #[test]
    fn dollar_that_starts_no_expression_is_kept() {
        for text in ["a $ string", "^REGEX$", "$}", "$", "echo $(seq 10)", "$1"] {
            assert_eq!(expanded(text, &[]), text);
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = format!("{}x{}", "${A:-".repeat(100_000), "}".repeat(100_000));

        assert!(with_vars(&text, &[]).is_err());
        assert_eq!(
            expanded(&format!("{}x{}", "${A:-".repeat(8), "}".repeat(8)), &[]),
            "x"
        );
    }

    #[test]
    fn env_file_reads_assignments_comments_and_quotes() {
        let text = "# settings\n\nUID=1000\nexport GID = 50\nNAME='lit $UID'\n\
                    GREETING=\"hi\\n$UID\"\nPLAIN=value # comment\nHASH=a#b\nEMPTY=\nnot a line\n";

        let variables = parse_env_file(text);

        let get = |key: &str| {
            variables
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, value)| value.as_str())
        };
        assert_eq!(get("UID"), Some("1000"));
        assert_eq!(get("GID"), Some("50"));
        assert_eq!(get("NAME"), Some("lit $UID"));
        assert_eq!(get("GREETING"), Some("hi\n1000"));
        assert_eq!(get("PLAIN"), Some("value"));
        assert_eq!(get("HASH"), Some("a#b"));
        assert_eq!(get("EMPTY"), Some(""));
        assert_eq!(variables.len(), 7);
    }

    #[test]
    fn env_file_interpolates_from_earlier_keys() {
        let variables = parse_env_file("BASE=10001\nUSER_SPEC=${BASE}:${GROUP:-${BASE}}\n");

        assert_eq!(
            variables[1],
            ("USER_SPEC".to_owned(), "10001:10001".to_owned())
        );
    }

    #[test]
    fn env_file_quoted_value_may_span_lines() {
        let variables = parse_env_file("KEY=\"line one\nline two\"\nNEXT=1\r\n");

        assert_eq!(variables[0].1, "line one\nline two");
        assert_eq!(variables[1], ("NEXT".to_owned(), "1".to_owned()));
    }

    #[test]
    fn env_file_later_assignment_wins() {
        let variables = parse_env_file("A=1\nA=2\n");

        assert_eq!(variables, [("A".to_owned(), "2".to_owned())]);
    }
}
