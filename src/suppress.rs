//! Suppression comments: `# escalint ignore=RULE[,RULE] reason="..." until=YYYY-MM-DD` on the
//! line above a Dockerfile instruction or a Compose key, and `# escalint ignore-file=...` in
//! the comments at the top of a file. This pass runs after the rules: it sets suppressed
//! diagnostics aside, notes expired suppressions, and reports suppressions that suppress
//! nothing (`unused-suppression`) or give no reason (`suppression-without-reason`).

use std::collections::HashMap;

use crate::config::SourceSettings;
use crate::config::file::suggestion;
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Related};
use crate::rules::{SUPPRESSION_WITHOUT_REASON, UNUSED_SUPPRESSION, default_severity, rule_docs};
use crate::source::{SourceId, Span};

/// The rules a comment cannot suppress: they report on the comments themselves.
pub const UNSUPPRESSIBLE: &[&str] = &[SUPPRESSION_WITHOUT_REASON, UNUSED_SUPPRESSION];

/// A suppression comment as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The comment, without its indentation.
    pub span: Span,
    /// The byte range of the source it covers.
    pub covers: std::ops::Range<usize>,
    pub is_file_wide: bool,
    /// Rule names as written, each with its span.
    pub rules: Vec<(String, Span)>,
    pub reason: Option<String>,
    pub until: Option<Date>,
}

/// What a comment that starts with `# escalint` turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Suppression(Suppression),
    /// A comment meant as a suppression that cannot work, and why.
    Malformed {
        span: Span,
        message: String,
    },
}

/// A diagnostic a comment suppressed, with the comment's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub diagnostic: Diagnostic,
    pub reason: Option<String>,
}

/// The suppression comments of a Dockerfile; `instructions` are the spans of its instructions
/// (parse errors included), in order.
pub fn find_in_dockerfile(source: SourceId, text: &str, instructions: &[Span]) -> Vec<Found> {
    if !names_escalint(text) {
        return Vec::new();
    }
    let first_instruction = instructions.first().map_or(text.len(), |span| span.start);
    let mut found = Vec::new();
    for line in comment_lines(text) {
        let Some(comment) = parse_comment(source, &line) else {
            continue;
        };
        let comment = match comment {
            Ok(comment) => comment,
            Err(malformed) => {
                found.push(malformed);
                continue;
            }
        };

        if instructions
            .iter()
            .any(|span| span.start < line.start && line.start < span.end)
        {
            found.push(Found::Malformed {
                span: comment.span,
                message: "a suppression inside an instruction covers nothing; put it on the \
                          line above the instruction"
                    .to_owned(),
            });
            continue;
        }

        if comment.is_file_wide {
            found.push(file_wide(
                comment,
                line.start < first_instruction,
                text.len(),
                "instruction",
            ));
            continue;
        }

        match instructions.iter().find(|span| span.start > line.start) {
            Some(next) => found.push(Found::Suppression(comment.covering(next.start..next.end))),
            None => found.push(Found::Malformed {
                span: comment.span,
                message: "no instruction follows this suppression".to_owned(),
            }),
        }
    }
    found
}

/// The suppression comments of a Compose file: a comment line covers the key (or list item) on
/// the next line that is not a comment, a comment after a key on its own line covers that key;
/// each with everything indented below it.
pub fn find_in_compose(source: SourceId, text: &str) -> Vec<Found> {
    if !names_escalint(text) {
        return Vec::new();
    }
    let lines = all_lines(text);
    let first_content = lines
        .iter()
        .find(|line| is_content(line.text))
        .map_or(text.len(), |line| line.start);
    let mut found = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let is_comment_line = line.text.trim_start().starts_with('#');
        let comment_line = if is_comment_line {
            *line
        } else {
            let Some(start) = trailing_comment_start(line.text) else {
                continue;
            };
            Line {
                start: line.start + start,
                text: &line.text[start..],
            }
        };
        let Some(comment) = parse_comment(source, &comment_line) else {
            continue;
        };
        let comment = match comment {
            Ok(comment) => comment,
            Err(malformed) => {
                found.push(malformed);
                continue;
            }
        };

        if comment.is_file_wide {
            found.push(file_wide(
                comment,
                line.start < first_content,
                text.len(),
                "key",
            ));
            continue;
        }

        let node = if is_comment_line {
            yaml_node_after(&lines, index)
        } else {
            Some(yaml_node_at(&lines, index))
        };
        match node {
            Some(node) => found.push(Found::Suppression(comment.covering(node))),
            None => found.push(Found::Malformed {
                span: comment.span,
                message: "no key follows this suppression".to_owned(),
            }),
        }
    }
    found
}

/// The diagnostics left after suppressions, the suppressed ones, and what the pass reports
/// about the comments themselves.
#[derive(Debug, Default)]
pub struct Outcome {
    pub reported: Vec<Diagnostic>,
    pub suppressed: Vec<Suppressed>,
}

/// Applies the suppressions of each source to the diagnostics located in it. A suppression
/// whose `until` date is before `today` no longer suppresses: its diagnostic carries a note.
pub fn apply(
    diagnostics: Vec<Diagnostic>,
    found: &HashMap<SourceId, Vec<Found>>,
    settings: &SourceSettings,
    today: Date,
) -> Outcome {
    let mut outcome = Outcome::default();
    // For each source's suppressions, which of their rules suppressed or noted something.
    let mut used: HashMap<(SourceId, usize, usize), bool> = HashMap::new();

    for mut diagnostic in diagnostics {
        let source = diagnostic.span.source;
        let position = diagnostic.span.start;
        let matching: Vec<(usize, usize, &Suppression)> = found
            .get(&source)
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(index, found)| match found {
                Found::Suppression(suppression) => Some((index, suppression)),
                Found::Malformed { .. } => None,
            })
            .filter(|(_, suppression)| suppression.covers.contains(&position))
            .filter_map(|(index, suppression)| {
                let rule_index = suppression
                    .rules
                    .iter()
                    .position(|(rule, _)| rule == diagnostic.rule)?;
                Some((index, rule_index, suppression))
            })
            .collect();

        let active = matching
            .iter()
            .find(|(_, _, suppression)| !is_expired(suppression, today));
        if let Some((index, rule_index, suppression)) = active {
            used.insert((source, *index, *rule_index), true);
            outcome.suppressed.push(Suppressed {
                diagnostic,
                reason: suppression.reason.clone(),
            });
            continue;
        }

        for (index, rule_index, suppression) in &matching {
            used.insert((source, *index, *rule_index), true);
            let until = suppression
                .until
                .map_or_else(String::new, |date| date.to_string());
            diagnostic.related.push(Related {
                span: suppression.span,
                message: format!("the suppression here expired on {until}"),
            });
        }
        outcome.reported.push(diagnostic);
    }

    for (source, found) in found {
        let settings = settings.get(*source);
        for (index, found) in found.iter().enumerate() {
            let suppression = match found {
                Found::Malformed { span, message } => {
                    outcome.reported.push(Diagnostic::new(
                        UNUSED_SUPPRESSION,
                        default_severity(UNUSED_SUPPRESSION),
                        *span,
                        message.clone(),
                    ));
                    continue;
                }
                Found::Suppression(suppression) => suppression,
            };

            for (rule_index, (rule, span)) in suppression.rules.iter().enumerate() {
                if used.contains_key(&(*source, index, rule_index)) {
                    continue;
                }
                let message = unused_message(rule, settings.is_enabled(rule));
                outcome.reported.push(Diagnostic::new(
                    UNUSED_SUPPRESSION,
                    default_severity(UNUSED_SUPPRESSION),
                    *span,
                    message,
                ));
            }

            if suppression.reason.is_none() && settings.requires_reason() {
                let rules: Vec<String> = suppression
                    .rules
                    .iter()
                    .map(|(rule, _)| format!("`{rule}`"))
                    .collect();
                let message = format!(
                    "the suppression of {} gives no reason; add `reason=\"...\"`",
                    rules.join(", ")
                );
                outcome.reported.push(Diagnostic::new(
                    SUPPRESSION_WITHOUT_REASON,
                    default_severity(SUPPRESSION_WITHOUT_REASON),
                    suppression.span,
                    message,
                ));
            }
        }
    }
    outcome
}

fn is_expired(suppression: &Suppression, today: Date) -> bool {
    suppression.until.is_some_and(|until| until < today)
}

fn unused_message(rule: &str, is_enabled: bool) -> String {
    let known: Vec<&str> = rule_docs().iter().map(|doc| doc.name).collect();
    if UNSUPPRESSIBLE.contains(&rule) {
        format!("`{rule}` cannot be suppressed in a comment; set its severity in the configuration")
    } else if !known.contains(&rule) {
        format!("unknown rule `{rule}`; {}", suggestion(rule, &known))
    } else if !is_enabled {
        format!("`{rule}` is suppressed here but is off in the configuration")
    } else {
        format!("`{rule}` is suppressed here but not reported")
    }
}

/// An `ignore-file` comment covers the whole file, but only from the comments at the top.
fn file_wide(comment: Suppression, is_at_top: bool, length: usize, item: &str) -> Found {
    if is_at_top {
        return Found::Suppression(comment.covering(0..length));
    }
    Found::Malformed {
        span: comment.span,
        message: format!(
            "`ignore-file` works only in the comments at the top of the file, before the first \
             {item}"
        ),
    }
}

impl Suppression {
    fn covering(mut self, range: std::ops::Range<usize>) -> Self {
        // An empty span at the very end (a diagnostic about the whole instruction) still counts.
        self.covers = range.start..range.end + 1;
        self
    }
}

/// One physical line: its start offset and text without the line break.
#[derive(Clone, Copy)]
struct Line<'a> {
    start: usize,
    text: &'a str,
}

/// Every suppression comment starts with `escalint`; most files hold no such word, and one search
/// for it costs less than splitting them into lines.
fn names_escalint(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"escalint").is_some()
}

fn all_lines(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    // A byte order mark is no part of the first line's text: a comment may follow it.
    let mut start = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    for piece in text[start..].split_inclusive('\n') {
        let content = piece.trim_end_matches(['\n', '\r']);
        lines.push(Line {
            start,
            text: content,
        });
        start += piece.len();
    }
    lines
}

fn comment_lines(text: &str) -> Vec<Line<'_>> {
    all_lines(text)
        .into_iter()
        .filter(|line| line.text.trim_start().starts_with('#'))
        .collect()
}

fn is_content(text: &str) -> bool {
    let trimmed = text.trim();
    !trimmed.is_empty() && !trimmed.starts_with('#')
}

/// Reads a comment line as a suppression: `None` when it does not start with `# escalint`.
fn parse_comment(source: SourceId, line: &Line<'_>) -> Option<Result<Suppression, Found>> {
    let indent = line.text.len() - line.text.trim_start().len();
    let comment_start = line.start + indent;
    let body = line.text.trim_start().strip_prefix('#')?.trim_start();
    let rest = body.strip_prefix("escalint")?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }

    let span = Span::new(
        source,
        comment_start,
        line.start + line.text.trim_end().len(),
    );
    let rest_start = line.start + (line.text.len() - rest.len());
    let malformed = |message: String| Some(Err(Found::Malformed { span, message }));

    let mut rules = None;
    let mut is_file_wide = false;
    let mut reason = None;
    let mut until = None;
    for token in tokens(rest, rest_start) {
        let token = match token {
            Ok(token) => token,
            Err(message) => return malformed(message),
        };
        match token.key {
            "ignore" | "ignore-file" => {
                if rules.is_some() {
                    return malformed(
                        "a suppression takes one `ignore=` or `ignore-file=`".to_owned(),
                    );
                }
                is_file_wide = token.key == "ignore-file";
                let mut names = Vec::new();
                let mut offset = token.value_start;
                for name in token.value.split(',') {
                    let trimmed = name.trim();
                    let start = offset + (name.len() - name.trim_start().len());
                    if !trimmed.is_empty() {
                        names.push((
                            trimmed.to_owned(),
                            Span::new(source, start, start + trimmed.len()),
                        ));
                    }
                    offset += name.len() + 1;
                }
                if names.is_empty() {
                    return malformed(format!("`{}=` names no rule", token.key));
                }
                rules = Some(names);
            }
            "reason" => {
                let text = token.value.trim();
                reason = (!text.is_empty()).then(|| text.to_owned());
            }
            "until" => match Date::parse(token.value) {
                Some(date) => until = Some(date),
                None => {
                    return malformed(format!(
                        "`until={}` is not a date; write it as YYYY-MM-DD",
                        token.value
                    ));
                }
            },
            other => {
                let known = ["ignore", "ignore-file", "reason", "until"];
                return malformed(format!(
                    "unknown suppression key `{other}`; {}",
                    suggestion(other, &known)
                ));
            }
        }
    }

    let Some(rules) = rules else {
        return malformed(
            "this suppression names no rule; write `# escalint ignore=RULE reason=\"...\"`"
                .to_owned(),
        );
    };
    Some(Ok(Suppression {
        span,
        covers: 0..0,
        is_file_wide,
        rules,
        reason,
        until,
    }))
}

/// A `key=value` pair of a suppression comment.
struct Token<'a> {
    key: &'a str,
    value: &'a str,
    /// Byte offset of the value in the source.
    value_start: usize,
}

/// Splits `key=value key="quoted value"` pairs; `start` is the offset of `text` in the source.
fn tokens(text: &str, start: usize) -> Vec<Result<Token<'_>, String>> {
    let mut tokens = Vec::new();
    let mut rest = text;
    loop {
        let trimmed = rest.trim_start();
        if trimmed.is_empty() {
            break;
        }
        let offset = start + (text.len() - trimmed.len());
        let key_end = trimmed
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(trimmed.len());
        let key = &trimmed[..key_end];
        let Some(after_equals) = trimmed[key_end..].strip_prefix('=') else {
            tokens.push(Err(format!("`{key}` needs a value: `{key}=...`")));
            break;
        };
        let value_offset = offset + key_end + 1;

        if let Some(quoted) = after_equals.strip_prefix('"') {
            let Some(close) = quoted.find('"') else {
                tokens.push(Err(format!("the value of `{key}` has no closing `\"`")));
                break;
            };
            tokens.push(Ok(Token {
                key,
                value: &quoted[..close],
                value_start: value_offset + 1,
            }));
            rest = &quoted[close + 1..];
        } else {
            let value_end = after_equals
                .find(char::is_whitespace)
                .unwrap_or(after_equals.len());
            tokens.push(Ok(Token {
                key,
                value: &after_equals[..value_end],
                value_start: value_offset,
            }));
            rest = &after_equals[value_end..];
        }
    }
    tokens
}

/// Where a YAML comment starts on a content line: at a `#` after a space or tab, outside
/// quotes. `None` when the line has no comment.
// LIMITATION: quotes are followed within the line only, so a `#` on a later line of a quoted
// scalar that spans lines is taken for a comment; only one that reads `# escalint` matters.
fn trailing_comment_start(line: &str) -> Option<usize> {
    let mut quote = None;
    let mut previous = ' ';
    let mut characters = line.char_indices().peekable();
    while let Some((index, character)) = characters.next() {
        match (quote, character) {
            (None, '#') if previous == ' ' || previous == '\t' => return Some(index),
            (None, '\'' | '"') if matches!(previous, ' ' | '\t' | ':' | '-' | '[' | '{' | ',') => {
                quote = Some(character);
            }
            // `\"` in double quotes and `''` in single quotes stand for the quote itself.
            (Some('"'), '\\') => {
                characters.next();
            }
            (Some('\''), '\'') if characters.peek().is_some_and(|&(_, next)| next == '\'') => {
                characters.next();
            }
            (Some(open), _) if character == open => quote = None,
            _ => {}
        }
        previous = character;
    }
    None
}

/// The byte range of the YAML node that starts on the first content line after `comment`.
fn yaml_node_after(lines: &[Line<'_>], comment: usize) -> Option<std::ops::Range<usize>> {
    let (first, _) = lines
        .iter()
        .enumerate()
        .skip(comment + 1)
        .find(|(_, line)| is_content(line.text))?;
    Some(yaml_node_at(lines, first))
}

/// The byte range of the YAML node that starts on line `first`: the line itself and every
/// following line indented deeper (or, for a key, a list at the key's own indentation, which
/// YAML allows).
// LIMITATION: the node is found by indentation, not from the YAML tree, so a flow collection
// that continues on a less indented line ends early.
fn yaml_node_at(lines: &[Line<'_>], first: usize) -> std::ops::Range<usize> {
    let line = &lines[first];
    let indent = indentation(line.text);
    let is_list_item = line.text.trim_start().starts_with('-');
    let start = line.start + indent;
    let mut end = line.start + line.text.len();

    for next in &lines[first + 1..] {
        if !is_content(next.text) {
            continue;
        }
        let next_indent = indentation(next.text);
        let continues = next_indent > indent
            || (next_indent == indent && !is_list_item && next.text.trim_start().starts_with('-'));
        if !continues {
            break;
        }
        end = next.start + next.text.len();
    }
    start..end
}

fn indentation(text: &str) -> usize {
    text.len() - text.trim_start_matches([' ', '\t']).len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: SourceId = SourceId(0);

    fn suppressions(found: Vec<Found>) -> Vec<Suppression> {
        found
            .into_iter()
            .map(|found| match found {
                Found::Suppression(suppression) => suppression,
                Found::Malformed { message, .. } => panic!("malformed: {message}"),
            })
            .collect()
    }

    fn messages(found: Vec<Found>) -> Vec<String> {
        found
            .into_iter()
            .map(|found| match found {
                Found::Suppression(_) => panic!("expected a malformed suppression"),
                Found::Malformed { message, .. } => message,
            })
            .collect()
    }

    #[test]
    fn a_dockerfile_suppression_covers_the_next_instruction() {
        let text = "FROM alpine\n# escalint ignore=setuid-bit,no-new-privileges-missing \
                    reason=\"rootless podman needs newuidmap\" until=2027-06-30\n\
                    RUN chmod 4755 /usr/bin/newuidmap\nUSER 1000\n";
        let run_start = text.find("RUN").expect("RUN");
        let user_start = text.find("USER").expect("USER");
        let instructions = [
            Span::new(SOURCE, 0, 11),
            Span::new(SOURCE, run_start, user_start - 1),
            Span::new(SOURCE, user_start, text.len() - 1),
        ];

        let found = suppressions(find_in_dockerfile(SOURCE, text, &instructions));

        assert_eq!(found.len(), 1);
        let suppression = &found[0];
        assert_eq!(suppression.covers, run_start..user_start);
        assert_eq!(
            suppression
                .rules
                .iter()
                .map(|(rule, _)| rule.as_str())
                .collect::<Vec<_>>(),
            vec!["setuid-bit", "no-new-privileges-missing"]
        );
        let (_, second) = &suppression.rules[1];
        assert_eq!(&text[second.start..second.end], "no-new-privileges-missing");
        assert_eq!(
            suppression.reason.as_deref(),
            Some("rootless podman needs newuidmap")
        );
        assert_eq!(suppression.until, Date::parse("2027-06-30"));
        assert!(!suppression.is_file_wide);
    }

    #[test]
    fn other_comments_are_not_suppressions() {
        let text = "# syntax=docker/dockerfile:1\n# escalinted\n#escalint-ish\n# see escalint\n\
                    FROM alpine\n";
        let instructions = [Span::new(
            SOURCE,
            text.find("FROM").expect("FROM"),
            text.len(),
        )];

        assert!(find_in_dockerfile(SOURCE, text, &instructions).is_empty());
    }

    #[test]
    fn malformed_suppressions_say_what_is_wrong() {
        let text = "# escalint ignore=setuid-bit until=2027-02-30\n\
                    # escalint ignor=setuid-bit\n\
                    # escalint reason=\"no rule\"\n\
                    # escalint ignore=setuid-bit reason=\"unterminated\n\
                    # escalint ignore=\n\
                    FROM alpine\n\
                    # escalint ignore-file=setuid-bit\n\
                    RUN true\n\
                    # escalint ignore=setuid-bit\n";
        let from = text.find("FROM").expect("FROM");
        let run = text.find("RUN").expect("RUN");
        let instructions = [
            Span::new(SOURCE, from, from + 11),
            Span::new(SOURCE, run, run + 8),
        ];

        let found = messages(find_in_dockerfile(SOURCE, text, &instructions));

        assert_eq!(
            found,
            vec![
                "`until=2027-02-30` is not a date; write it as YYYY-MM-DD",
                "unknown suppression key `ignor`; did you mean `ignore`?",
                "this suppression names no rule; write `# escalint ignore=RULE reason=\"...\"`",
                "the value of `reason` has no closing `\"`",
                "`ignore=` names no rule",
                "`ignore-file` works only in the comments at the top of the file, before the \
                 first instruction",
                "no instruction follows this suppression",
            ]
        );
    }

    #[test]
    fn a_compose_suppression_covers_the_node_below_it() {
        let text = "services:\n  # escalint ignore=cap-drop-all-missing reason=\"vendor image\"\n  \
                    web:\n    image: nginx\n    cap_drop:\n    - NET_RAW\n\n    # a comment\n    \
                    user: \"101\"\n  db:\n    image: postgres\n";
        let web = text.find("web:").expect("web");
        let db = text.find("  db:").expect("db");

        let found = suppressions(find_in_compose(SOURCE, text));

        assert_eq!(found.len(), 1);
        assert_eq!(found[0].covers, web..db);
    }

    #[test]
    fn a_compose_suppression_above_a_list_key_covers_its_items() {
        let text = "services:\n  web:\n    # escalint ignore=cap-drop-all-missing\n    \
                    cap_drop:\n    - NET_RAW\n    user: \"101\"\n";
        let key = text.find("cap_drop").expect("cap_drop");
        let user = text.find("    user").expect("user");

        let found = suppressions(find_in_compose(SOURCE, text));

        assert_eq!(found[0].covers, key..user);
    }

    #[test]
    fn a_compose_suppression_after_a_key_covers_that_key() {
        let text = "services:\n  web:\n    user: root # escalint ignore=root-user\n    \
                    cap_drop:  # escalint ignore=cap-drop-all-missing reason=\"vendor\"\n    \
                    - NET_RAW\n  db:\n    image: postgres\n";
        let user = text.find("user").expect("user");
        let cap_drop = text.find("    cap_drop").expect("cap_drop");
        let db = text.find("  db:").expect("db");

        let found = suppressions(find_in_compose(SOURCE, text));

        assert_eq!(found.len(), 2);
        // A covered range ends one past the node, for diagnostics with an empty span at its end.
        assert_eq!(found[0].covers, user..cap_drop);
        assert_eq!(
            found[0].span.start,
            text.find("# escalint ignore=root").expect("comment")
        );
        assert_eq!(found[1].covers, cap_drop + 4..db);
        assert_eq!(found[1].reason.as_deref(), Some("vendor"));
    }

    #[test]
    fn an_escaped_quote_does_not_end_the_quoted_value() {
        let text = "services:\n  web:\n    cap_add: ['SYS_ADMIN', 'it''s # x'] \
                    # escalint ignore=dangerous-capability\n    user: \"a\\\" # b\" \
                    # escalint ignore=root-user\n";

        let found = suppressions(find_in_compose(SOURCE, text));

        let starts: Vec<usize> = found
            .iter()
            .map(|suppression| suppression.span.start)
            .collect();
        let comments: Vec<usize> = text.match_indices("# escalint").map(|(at, _)| at).collect();
        assert_eq!(starts, comments);
    }

    #[test]
    fn a_suppression_may_follow_a_byte_order_mark() {
        let text = "\u{feff}# escalint ignore-file=root-user\nFROM debian\n";
        let from = text.find("FROM").expect("FROM");

        let found = suppressions(find_in_dockerfile(
            SOURCE,
            text,
            &[Span::new(SOURCE, from, from + 11)],
        ));

        assert_eq!(found.len(), 1);
        assert!(found[0].is_file_wide);
        assert_eq!(found[0].span.start, '\u{feff}'.len_utf8());
    }

    #[test]
    fn a_hash_inside_quotes_or_a_word_is_no_comment() {
        let text = "services:\n  web:\n    command: \"echo # escalint ignore=root-user\"\n    \
                    entrypoint: 'a # escalint ignore=root-user'\n    image: app#escalint\n";

        assert_eq!(find_in_compose(SOURCE, text), Vec::new());
    }

    #[test]
    fn a_file_wide_compose_suppression_must_be_at_the_top() {
        let text = "# Production stack\n# escalint ignore-file=cap-drop-all-missing \
                    reason=\"capabilities are set by the platform\"\nservices:\n  web:\n    \
                    image: nginx\n  # escalint ignore-file=setuid-bit\n  db:\n    image: x\n";

        let found = find_in_compose(SOURCE, text);

        assert_eq!(found.len(), 2);
        let Found::Suppression(top) = &found[0] else {
            panic!("the top comment is a suppression");
        };
        assert!(top.is_file_wide);
        assert_eq!(top.covers, 0..text.len() + 1);
        assert!(matches!(&found[1], Found::Malformed { .. }));
    }
}
