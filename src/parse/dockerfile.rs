//! Dockerfile parser following BuildKit's rules: directives, escape character, continuations,
//! heredocs, JSON exec form and flags, with a byte span for every part.

mod dump;
mod exec_form;
mod expand;
mod heredoc;
mod lines;
mod words;

use std::ops::Range;

use crate::source::{SourceId, Span};
use crate::text::Text;

pub use dump::dump;
pub use expand::expand_word;

/// A parsed Dockerfile: what could be read, plus an error per instruction that could not.
#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    pub directives: Vec<Directive>,
    /// The escape character: `\` unless a directive set it to `` ` ``.
    pub escape: char,
    pub instructions: Vec<Instruction>,
    pub errors: Vec<ParseError>,
}

/// A parser directive at the top of the file: `# syntax=...`, `# escape=...`, `# check=...`.
#[derive(Debug, Clone)]
pub struct Directive {
    pub name: String,
    pub value: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Instruction {
    /// Upper-cased keyword: `RUN`, `FROM`, ...
    pub keyword: String,
    pub keyword_span: Span,
    /// From the keyword to the end of the instruction, heredoc bodies included.
    pub span: Span,
    pub flags: Vec<Flag>,
    pub arguments: Arguments,
    /// Heredocs opened by this instruction, in the order their bodies follow it.
    pub heredocs: Vec<Heredoc>,
    /// For `ONBUILD`, the instruction it defers; heredocs of `ONBUILD RUN <<EOF` belong to it.
    pub onbuild: Option<Box<Instruction>>,
    /// The escape character in effect, needed to split the arguments into words.
    pub escape: char,
}

/// A `--name=value` (or bare `--name`) flag before the arguments.
#[derive(Debug, Clone)]
pub struct Flag {
    /// Without the leading `--`.
    pub name: String,
    pub value: Option<Text>,
    /// The whole flag, `--` included.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Arguments {
    /// JSON array form: each element decoded.
    Exec(Vec<Text>),
    /// Everything after the flags as one logical line: continuations joined, comment lines
    /// inside the continuation dropped, heredoc markers left in place.
    Shell(Text),
}

#[derive(Debug, Clone)]
pub struct Heredoc {
    /// The delimiter without quotes or escape: `EOF`.
    pub delimiter: String,
    /// False when the delimiter was quoted or escaped: the body is not expanded.
    pub expand: bool,
    /// `<<-`: leading tabs are stripped from body lines and the terminator.
    pub strip_tabs: bool,
    /// The `<<EOF` word in the instruction line.
    pub marker_span: Span,
    /// Body lines up to the terminator, each ending in a newline, tabs stripped for `<<-`.
    pub body: Text,
}

/// An instruction that could not be read; parsing went on after it.
#[derive(Debug, Clone)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
}

/// One pair of `ENV`, `LABEL` or `ARG`: `KEY=value`, the legacy `ENV KEY value with spaces`, or a
/// bare `ARG NAME`.
#[derive(Debug, Clone)]
pub struct KeyValue {
    pub key: Text,
    /// The value as written, quotes and escapes kept; `None` for a bare `ARG NAME`.
    pub value: Option<Text>,
    /// True for the `KEY=value` form, false for the legacy `KEY value` form and a bare name.
    pub has_equals: bool,
}

impl Instruction {
    /// The arguments as words: shell form is split on unquoted whitespace with quotes and escapes
    /// kept exactly as written (an escape character at the very end is dropped, as BuildKit
    /// does); exec form gives its decoded elements.
    pub fn words(&self) -> Vec<Text> {
        match &self.arguments {
            Arguments::Exec(items) => items.clone(),
            Arguments::Shell(arguments) => words::word_ranges(&arguments.value, self.escape)
                .into_iter()
                .map(|range| words::slice(arguments, range))
                .collect(),
        }
    }

    /// The pairs of `ENV`, `LABEL` and `ARG` (empty for other instructions). `ENV A B C` is one
    /// pair with value `B C`; `ENV A=1 B="x y"` two pairs; `ARG NAME` a pair without value.
    pub fn key_values(&self) -> Vec<KeyValue> {
        let Arguments::Shell(arguments) = &self.arguments else {
            return Vec::new();
        };
        let text = &arguments.value;
        let ranges = words::word_ranges(text, self.escape);
        let is_legacy_form = ranges
            .first()
            .is_some_and(|first| !text[first.clone()].contains('='));

        match self.keyword.as_str() {
            "ENV" | "LABEL" if is_legacy_form => vec![split_legacy_pair(arguments)],
            "ENV" | "LABEL" | "ARG" => ranges
                .into_iter()
                .map(|range| split_assignment(arguments, range))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The flags called `name` (without `--`), in order: `--mount` may be given several times.
    pub fn flags_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Flag> + 'a {
        self.flags.iter().filter(move |flag| flag.name == name)
    }
}

/// `KEY value with spaces`: the key is the first field, the value everything after the blanks.
fn split_legacy_pair(arguments: &Text) -> KeyValue {
    let text = &arguments.value;
    let key_end = text.find(words::is_field_space).unwrap_or(text.len());
    let value_start = text.len()
        - text[key_end..]
            .trim_start_matches(words::is_field_space)
            .len();
    let value =
        (value_start < text.len()).then(|| words::slice(arguments, value_start..text.len()));
    KeyValue {
        key: words::slice(arguments, 0..key_end),
        value,
        has_equals: false,
    }
}

/// `KEY=value` split at its first `=`; a word without `=` is a bare key.
fn split_assignment(arguments: &Text, range: Range<usize>) -> KeyValue {
    let Some(offset) = arguments.value[range.clone()].find('=') else {
        return KeyValue {
            key: words::slice(arguments, range),
            value: None,
            has_equals: false,
        };
    };
    let equals = range.start + offset;
    KeyValue {
        key: words::slice(arguments, range.start..equals),
        value: Some(words::slice(arguments, equals + 1..range.end)),
        has_equals: true,
    }
}

const INSTRUCTIONS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Parses a whole Dockerfile; never fails as a whole. An instruction that cannot be read becomes
/// a [`ParseError`] and parsing goes on with the line after it.
pub fn parse(source: SourceId, text: &str) -> Dockerfile {
    let mut dockerfile = Dockerfile {
        escape: '\\',
        ..Dockerfile::default()
    };
    let content_start = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let lines = lines::physical_lines(text, content_start);
    read_directives(source, text, &lines, &mut dockerfile);

    let mut has_instruction_lines = false;
    let mut index = 0;
    while index < lines.len() {
        crate::work::count(1);
        let line = lines[index];
        if line.is_blank(text) || line.is_comment(text) {
            index += 1;
            continue;
        }

        let logical = lines::join_logical_line(source, text, &lines, index, dockerfile.escape);
        index = logical.last_line + 1;
        if logical.text.value.trim().is_empty() {
            continue;
        }
        has_instruction_lines = true;

        let mut built = build_instruction(&logical.text, 0, dockerfile.escape);
        let mut last_line = logical.last_line;
        if let Some(target) = heredoc_target(&mut built.instruction) {
            let markers = heredoc::find_markers(&logical.text.value);
            match read_heredoc_bodies(&logical.text, text, &lines, last_line, markers) {
                Ok((heredocs, body_end_line)) => {
                    target.heredocs = heredocs;
                    last_line = body_end_line;
                }
                Err(message) => {
                    // BuildKit reads an unterminated heredoc to the end of the file: what
                    // follows is body text, not instructions.
                    built.problem = built.problem.or(Some(message));
                    last_line = lines.len() - 1;
                }
            }
        }

        let logical_span = built.instruction.span;
        let end = lines[last_line].end;
        extend_span_to(&mut built.instruction, end);
        index = last_line + 1;
        match built.problem {
            Some(message) => {
                dockerfile.errors.push(ParseError {
                    message,
                    span: logical_span,
                });
            }
            None => dockerfile.instructions.push(built.instruction),
        }
    }

    if !has_instruction_lines {
        let message = "file contains no instructions".to_string();
        dockerfile.errors.push(ParseError {
            message,
            span: Span::new(source, 0, 0),
        });
    }
    dockerfile
}

/// Makes an instruction, and the one it defers, end at `end` (after their heredoc bodies).
fn extend_span_to(instruction: &mut Instruction, end: usize) {
    instruction.span.end = instruction.span.end.max(end);
    if let Some(inner) = &mut instruction.onbuild {
        extend_span_to(inner, end);
    }
}

/// Reads the parser directives at the top of the file; the first line that is not one ends them.
fn read_directives(
    source: SourceId,
    text: &str,
    lines: &[lines::PhysicalLine],
    dockerfile: &mut Dockerfile,
) {
    for line in lines {
        let Some((name, value)) = match_directive(line.content(text)) else {
            break;
        };
        let name = name.to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            break;
        }

        let span = Span::new(source, line.first_non_blank(text), line.end);
        if dockerfile
            .directives
            .iter()
            .any(|directive| directive.name == name)
        {
            let message = format!("only one `{name}` parser directive can be used");
            dockerfile.errors.push(ParseError { message, span });
            continue;
        }

        if name == "escape" {
            match value {
                "\\" => dockerfile.escape = '\\',
                "`" => dockerfile.escape = '`',
                _ => {
                    let message =
                        format!("invalid escape character `{value}`: use `\\` or `` ` ``");
                    dockerfile.errors.push(ParseError { message, span });
                    continue;
                }
            }
        }
        let value = value.to_string();
        dockerfile.directives.push(Directive { name, value, span });
    }
}

/// Matches BuildKit's `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` on a line without its
/// leading blanks.
fn match_directive(line: &str) -> Option<(&str, &str)> {
    let rest = line
        .trim_start()
        .strip_prefix('#')?
        .trim_start_matches(is_regex_space);
    let name_length = rest
        .find(|ch: char| !ch.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let name = &rest[..name_length];
    if !name.starts_with(|ch: char| ch.is_ascii_alphabetic()) {
        return None;
    }

    let value = rest[name_length..]
        .trim_start_matches(is_regex_space)
        .strip_prefix('=')?;
    let value = value.trim_matches(is_regex_space);
    if value.is_empty() {
        return None;
    }
    Some((name, value))
}

/// `\s` in Go's regular expressions: ASCII blanks only.
fn is_regex_space(ch: char) -> bool {
    matches!(ch, ' ' | '\t' | '\n' | '\u{c}' | '\r')
}

/// An instruction read from a logical line, with the reason BuildKit would reject it, if any.
struct Built {
    instruction: Instruction,
    problem: Option<String>,
}

/// Reads the instruction that starts at `start` in a logical line (not 0 for `ONBUILD`'s).
fn build_instruction(line: &Text, start: usize, escape: char) -> Built {
    let value = &line.value;
    let end = start + value[start..].trim_end().len();
    let keyword_start = end - value[start..end].trim_start().len();
    let keyword_end = value[keyword_start..end]
        .find(words::is_field_space)
        .map_or(end, |offset| keyword_start + offset);
    let keyword_text = &value[keyword_start..keyword_end];
    let rest_start = end
        - value[keyword_end..end]
            .trim_start_matches(words::is_field_space)
            .len();
    let (flags, flags_end) = read_flags(line, rest_start, end);
    let arguments_start = end - value[flags_end..end].trim_start().len();

    let mut instruction = Instruction {
        keyword: keyword_text.to_ascii_uppercase(),
        keyword_span: line.source_span(keyword_start..keyword_end),
        span: line.source_span(keyword_start..end),
        flags,
        arguments: Arguments::Shell(words::slice(line, arguments_start..end)),
        heredocs: Vec::new(),
        onbuild: None,
        escape,
    };
    let problem = check_instruction(
        &mut instruction,
        keyword_text,
        line,
        arguments_start,
        escape,
    );
    Built {
        instruction,
        problem,
    }
}

/// Reads the exec form and the deferred instruction of `ONBUILD`, then checks the arguments the
/// way BuildKit does before it builds anything.
fn check_instruction(
    instruction: &mut Instruction,
    keyword_text: &str,
    line: &Text,
    arguments_start: usize,
    escape: char,
) -> Option<String> {
    let keyword = instruction.keyword.clone();
    if !INSTRUCTIONS.contains(&keyword.as_str()) {
        return Some(format!("unknown instruction `{keyword_text}`"));
    }

    let Arguments::Shell(arguments) = &instruction.arguments else {
        return None;
    };
    let arguments_text = arguments.value.clone();
    if arguments_text.is_empty()
        && !matches!(
            keyword.as_str(),
            "CMD" | "ENTRYPOINT" | "HEALTHCHECK" | "SHELL"
        )
    {
        return Some(format!("`{keyword}` requires at least one argument"));
    }

    if matches!(
        keyword.as_str(),
        "ADD" | "COPY" | "VOLUME" | "RUN" | "CMD" | "ENTRYPOINT" | "SHELL"
    ) {
        match exec_form::read_exec_form(arguments) {
            exec_form::ExecForm::Strings(items) => instruction.arguments = Arguments::Exec(items),
            exec_form::ExecForm::NotStrings => {
                return Some(format!(
                    "when using JSON array syntax, arrays must be comprised of strings only: \
                     `{arguments_text}`"
                ));
            }
            exec_form::ExecForm::NotJson => {}
        }
    }

    // LIMITATION: flags are not checked against each instruction's known flags, nor HEALTHCHECK's
    // options, as BuildKit's parser leaves that to its later instruction stage.
    match keyword.as_str() {
        "FROM" => check_from(&arguments_text),
        "ADD" | "COPY" => check_sources(instruction, &arguments_text),
        "SHELL" if matches!(instruction.arguments, Arguments::Shell(_)) => Some(format!(
            "`SHELL` requires the arguments in JSON form, got `{arguments_text}`"
        )),
        "ENV" | "LABEL" => check_pairs(instruction),
        "ONBUILD" => check_onbuild(instruction, line, arguments_start, escape),
        _ => None,
    }
}

fn check_from(arguments: &str) -> Option<String> {
    let fields = words::field_ranges(arguments);
    let is_alias_form =
        fields.len() == 3 && arguments[fields[1].clone()].eq_ignore_ascii_case("as");
    if fields.len() == 1 || is_alias_form {
        return None;
    }
    Some(format!(
        "`FROM` requires either one or three arguments (`image AS name`), got `{arguments}`"
    ))
}

fn check_sources(instruction: &Instruction, arguments: &str) -> Option<String> {
    let count = match &instruction.arguments {
        Arguments::Exec(items) => items.len(),
        Arguments::Shell(_) => words::field_ranges(arguments).len(),
    };
    if count >= 2 {
        return None;
    }
    Some(format!(
        "`{}` requires at least two arguments (source and destination), got `{arguments}`",
        instruction.keyword
    ))
}

fn check_pairs(instruction: &Instruction) -> Option<String> {
    let keyword = &instruction.keyword;
    let pairs = instruction.key_values();
    let bare_key = pairs.iter().find(|pair| pair.value.is_none())?;
    let key = &bare_key.key.value;

    if pairs.len() == 1 {
        return Some(format!(
            "`{keyword} {key}` has no value: write `{key}=value`"
        ));
    }
    Some(format!(
        "can't find `=` in `{key}`: `{keyword}` needs the form `name=value`"
    ))
}

fn check_onbuild(
    instruction: &mut Instruction,
    line: &Text,
    arguments_start: usize,
    escape: char,
) -> Option<String> {
    let inner = build_instruction(line, arguments_start, escape);
    if matches!(
        inner.instruction.keyword.as_str(),
        "ONBUILD" | "FROM" | "MAINTAINER"
    ) {
        return Some(format!(
            "`ONBUILD {}` is not allowed",
            inner.instruction.keyword
        ));
    }

    instruction.onbuild = Some(Box::new(inner.instruction));
    inner
        .problem
        .map(|problem| format!("in `ONBUILD`: {problem}"))
}

/// Reads the `--name=value` flags before the arguments (BuildKit's `extractBuilderFlags`: quotes
/// removed, `\` escapes the next character, a bare `--` ends the flags). Returns the flags and
/// where the arguments start.
fn read_flags(line: &Text, mut position: usize, end: usize) -> (Vec<Flag>, usize) {
    let value = &line.value;
    let mut flags = Vec::new();
    loop {
        position = end - value[position..end].trim_start().len();
        if !value[position..end].starts_with("--") {
            return (flags, position);
        }

        let word_start = position;
        let mut word = Text::new(line.source);
        let mut quote = None;
        while let Some(ch) = value[position..end].chars().next() {
            let width = ch.len_utf8();
            match quote {
                None if ch.is_whitespace() => break,
                None if ch == '\'' || ch == '"' => quote = Some(ch),
                Some(open) if ch == open => quote = None,
                _ if ch == '\\' => {
                    if let Some(escaped) = value[position + 1..end].chars().next() {
                        let escaped_end = position + 1 + escaped.len_utf8();
                        words::push_slice(&mut word, line, position + 1..escaped_end);
                        position = escaped_end;
                        continue;
                    }
                }
                _ => words::push_slice(&mut word, line, position..position + width),
            }
            position += width;
        }

        if word.value == "--" {
            return (flags, position);
        }
        flags.push(make_flag(word, line.source_span(word_start..position)));
    }
}

fn make_flag(word: Text, span: Span) -> Flag {
    let body = word.value.strip_prefix("--").unwrap_or(&word.value);
    let Some(equals) = body.find('=') else {
        return Flag {
            name: body.to_string(),
            value: None,
            span,
        };
    };
    let name = body[..equals].to_string();
    let value_start = word.value.len() - body.len() + equals + 1;
    let value = words::slice(&word, value_start..word.value.len());
    Flag {
        name,
        value: Some(value),
        span,
    }
}

/// The instruction that may open heredocs: `RUN`, `COPY` or `ADD` in shell form, directly or
/// under `ONBUILD`.
fn heredoc_target(instruction: &mut Instruction) -> Option<&mut Instruction> {
    let target = if instruction.onbuild.is_some() {
        instruction.onbuild.as_deref_mut()?
    } else {
        instruction
    };
    let can_hold_heredocs = matches!(target.keyword.as_str(), "RUN" | "COPY" | "ADD")
        && matches!(target.arguments, Arguments::Shell(_));
    can_hold_heredocs.then_some(target)
}

/// Reads the bodies of the heredocs opened on a logical line, in order, from the physical line
/// after `last_line`. Returns them and the index of the last terminator line.
fn read_heredoc_bodies(
    logical: &Text,
    text: &str,
    lines: &[lines::PhysicalLine],
    last_line: usize,
    markers: Vec<heredoc::Marker>,
) -> Result<(Vec<Heredoc>, usize), String> {
    let mut heredocs = Vec::new();
    let mut index = last_line + 1;
    for marker in markers {
        let mut body = Text::new(logical.source);
        loop {
            let Some(line) = lines.get(index) else {
                return Err(format!("unterminated heredoc `{}`", marker.delimiter));
            };
            index += 1;
            crate::work::count(1);

            let content = line.content(text);
            let unindented = match marker.strip_tabs {
                true => content.trim_start_matches('\t'),
                false => content,
            };
            if unindented == marker.delimiter {
                break;
            }

            let body_start = line.end - unindented.len();
            body.push_source(unindented, body_start);
            if let Some(newline) = line.newline {
                body.push_source("\n", newline);
            }
        }

        heredocs.push(Heredoc {
            delimiter: marker.delimiter,
            expand: marker.expand,
            strip_tabs: marker.strip_tabs,
            marker_span: logical.source_span(marker.range),
            body,
        });
    }

    let end_line = if heredocs.is_empty() {
        last_line
    } else {
        index - 1
    };
    Ok((heredocs, end_line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    fn parse_text(text: &str) -> Dockerfile {
        parse(SourceId(0), text)
    }

    /// 1-based line and column of a byte offset of `text`.
    fn location(text: &str, offset: usize) -> (usize, usize) {
        Source::new("Dockerfile".into(), "Dockerfile".into(), text.into()).line_column(offset)
    }

    /// Where `needle` inside `value` stands in the source, as line and column.
    fn location_of(text: &str, value: &Text, needle: &str) -> (usize, usize) {
        let at = value.value.find(needle).expect("needle is in the value");
        location(text, value.source_offset(at))
    }

    fn shell(instruction: &Instruction) -> &Text {
        match &instruction.arguments {
            Arguments::Shell(text) => text,
            Arguments::Exec(_) => panic!("expected shell form"),
        }
    }

    fn keywords_with_lines(text: &str, dockerfile: &Dockerfile) -> Vec<(String, usize)> {
        let lines = dockerfile.instructions.iter();
        lines
            .map(|it| (it.keyword.clone(), location(text, it.keyword_span.start).0))
            .collect()
    }

    fn values(texts: &[Text]) -> Vec<&str> {
        texts.iter().map(|text| text.value.as_str()).collect()
    }

    #[test]
    fn blank_after_continuation_backslash_still_continues() {
        let text = "FROM ubuntu:22.04\nRUN apt-get update && \\ \n    chmod 4755 /usr/bin/sudo\n";

        let dockerfile = parse_text(text);

        let run = &dockerfile.instructions[1];
        assert_eq!(
            shell(run).value,
            "apt-get update &&     chmod 4755 /usr/bin/sudo"
        );
        assert_eq!(location_of(text, shell(run), "4755"), (3, 11));
        assert!(dockerfile.errors.is_empty());
    }

    #[test]
    fn tab_after_continuation_backslash_still_continues() {
        let text = "FROM a\nRUN one && \\\t\n    two\nUSER app\n";

        let dockerfile = parse_text(text);

        assert_eq!(shell(&dockerfile.instructions[1]).value, "one &&     two");
        assert_eq!(
            keywords_with_lines(text, &dockerfile)[2],
            ("USER".into(), 4)
        );
    }

    #[test]
    fn flag_on_a_continuation_line_keeps_its_span() {
        let text = "FROM a\nCOPY --from=build \\\n     --chmod=4755 /out/tool /usr/bin/tool\n";

        let dockerfile = parse_text(text);

        let copy = &dockerfile.instructions[1];
        let chmod = copy.flags_named("chmod").next().expect("chmod flag");
        let mode = chmod.value.as_ref().expect("chmod has a value");
        assert_eq!(mode.value, "4755");
        assert_eq!(location(text, chmod.span.start), (3, 6));
        assert_eq!(location(text, mode.span().start), (3, 14));
        assert_eq!(&text[chmod.span.start..chmod.span.end], "--chmod=4755");
        assert_eq!(values(&copy.words()), vec!["/out/tool", "/usr/bin/tool"]);
    }

    #[test]
    fn quoted_flag_values_lose_their_quotes_but_keep_their_bytes() {
        let text = "FROM a\nCOPY --chown=\"app:app\" --link src /dst\n";

        let dockerfile = parse_text(text);

        let copy = &dockerfile.instructions[1];
        let chown = copy.flags_named("chown").next().expect("chown flag");
        let owner = chown.value.as_ref().expect("chown has a value");
        assert_eq!(owner.value, "app:app");
        assert_eq!(&text[owner.span().start..owner.span().end], "app:app");
        let link = copy.flags_named("link").next().expect("link flag");
        assert!(link.value.is_none());
    }

    #[test]
    fn repeated_mount_flags_are_all_kept() {
        let text = "FROM a\nRUN --mount=type=cache,target=/root --mount=type=secret,id=x make\n";

        let dockerfile = parse_text(text);

        let run = &dockerfile.instructions[1];
        let mounts: Vec<&str> = run
            .flags_named("mount")
            .filter_map(|flag| flag.value.as_ref().map(|value| value.value.as_str()))
            .collect();
        assert_eq!(mounts, vec!["type=cache,target=/root", "type=secret,id=x"]);
        assert_eq!(shell(run).value, "make");
    }

    #[test]
    fn from_with_platform_keeps_image_and_alias() {
        let text = "FROM --platform=$BUILDPLATFORM alpine:3.20 AS base\n";

        let dockerfile = parse_text(text);

        let from = &dockerfile.instructions[0];
        let platform = from.flags_named("platform").next().expect("platform flag");
        assert_eq!(
            platform.value.as_ref().map(|value| value.value.as_str()),
            Some("$BUILDPLATFORM")
        );
        assert_eq!(values(&from.words()), vec!["alpine:3.20", "AS", "base"]);
    }

    #[test]
    fn word_in_a_heredoc_body_maps_to_its_line() {
        let text =
            "FROM debian\nRUN <<EOF\nset -e\nchmod u+s /usr/bin/newgrp\nEOF\nCMD [\"bash\"]\n";

        let dockerfile = parse_text(text);

        let run = &dockerfile.instructions[1];
        let heredoc = &run.heredocs[0];
        assert_eq!(heredoc.delimiter, "EOF");
        assert!(heredoc.expand);
        assert_eq!(heredoc.body.value, "set -e\nchmod u+s /usr/bin/newgrp\n");
        assert_eq!(location_of(text, &heredoc.body, "u+s"), (4, 7));
        assert_eq!(location(text, heredoc.marker_span.start), (2, 5));
        assert_eq!(location(text, run.span.end), (5, 4));
        assert_eq!(keywords_with_lines(text, &dockerfile)[2], ("CMD".into(), 6));
    }

    #[test]
    fn comment_line_inside_a_continuation_is_dropped() {
        let text = concat!(
            "FROM a\n",
            "RUN apt-get update \\\n",
            "# chmod 4755 /usr/bin/passwd\n",
            "    && rm -rf /x\n",
            "CMD b\n",
        );

        let dockerfile = parse_text(text);

        assert_eq!(
            shell(&dockerfile.instructions[1]).value,
            "apt-get update     && rm -rf /x"
        );
        assert_eq!(keywords_with_lines(text, &dockerfile)[2], ("CMD".into(), 5));
    }

    #[test]
    fn escaped_delimiter_with_tab_stripping() {
        let text =
            "FROM a\nRUN <<-\\EOT\n\tset -e\n\tchmod 6755 /usr/local/bin/gate\n\tEOT\nCMD b\n";

        let dockerfile = parse_text(text);

        let heredoc = &dockerfile.instructions[1].heredocs[0];
        assert_eq!(heredoc.delimiter, "EOT");
        assert!(heredoc.strip_tabs);
        assert!(!heredoc.expand);
        assert_eq!(
            heredoc.body.value,
            "set -e\nchmod 6755 /usr/local/bin/gate\n"
        );
        assert_eq!(location_of(text, &heredoc.body, "6755"), (4, 8));
        assert_eq!(keywords_with_lines(text, &dockerfile)[2], ("CMD".into(), 6));
    }

    #[test]
    fn heredoc_marker_on_a_continuation_line() {
        let text = concat!(
            "FROM a\n",
            "RUN apk add shadow && \\\n",
            "    sh <<SCRIPT\n",
            "chmod g+s /var/spool\n",
            "SCRIPT\n",
            "CMD b\n",
        );

        let dockerfile = parse_text(text);

        let heredoc = &dockerfile.instructions[1].heredocs[0];
        assert_eq!(heredoc.delimiter, "SCRIPT");
        assert_eq!(location(text, heredoc.marker_span.start), (3, 8));
        assert_eq!(location_of(text, &heredoc.body, "g+s"), (4, 7));
        assert_eq!(keywords_with_lines(text, &dockerfile)[2], ("CMD".into(), 6));
    }

    #[test]
    fn backtick_escape_leaves_trailing_backslashes_alone() {
        let text = concat!(
            "# escape=`\n",
            "FROM a\n",
            "RUN mkdir C:\\dir && `\n",
            "    echo ok\n",
            "RUN dir C:\\tools\\\n",
            "USER 10001\n",
        );

        let dockerfile = parse_text(text);

        assert_eq!(dockerfile.escape, '`');
        assert_eq!(dockerfile.directives[0].name, "escape");
        assert_eq!(
            shell(&dockerfile.instructions[1]).value,
            "mkdir C:\\dir &&     echo ok"
        );
        assert_eq!(shell(&dockerfile.instructions[2]).value, "dir C:\\tools\\");
        assert_eq!(
            keywords_with_lines(text, &dockerfile)[3],
            ("USER".into(), 6)
        );
    }

    #[test]
    fn escaped_escape_at_line_end_does_not_continue() {
        let text = "FROM a\nENV C trailing\\\\\nENV D next\n";

        let dockerfile = parse_text(text);

        assert_eq!(dockerfile.instructions.len(), 3);
        assert_eq!(shell(&dockerfile.instructions[1]).value, "C trailing\\\\");
    }

    #[test]
    fn backslash_glued_to_an_argument_still_splits_words() {
        let text = "FROM a\nCOPY --chmod=4755 /out/helper\\\n  /usr/local/bin/helper\n";

        let dockerfile = parse_text(text);

        let copy = &dockerfile.instructions[1];
        let words = copy.words();
        assert_eq!(values(&words), vec!["/out/helper", "/usr/local/bin/helper"]);
        assert_eq!(location(text, words[1].span().start), (3, 3));
    }

    #[test]
    fn comment_right_after_a_terminator_is_an_ordinary_comment() {
        let text = "FROM a\nRUN <<EOF\nchmod g+s /srv\nEOF\n# ready\nRUN adduser app\nUSER app\n";

        let dockerfile = parse_text(text);

        let found = keywords_with_lines(text, &dockerfile);
        assert_eq!(found[2..], [("RUN".into(), 6), ("USER".into(), 7)]);
        assert!(dockerfile.errors.is_empty());
    }

    #[test]
    fn plain_run_ends_at_its_newline_before_a_later_heredoc() {
        let text = concat!(
            "FROM a AS build\n",
            "RUN echo compiling\n",
            "FROM a\n",
            "USER 10001\n",
            "COPY <<EOF /etc/app\n",
            "x\n",
            "EOF\n",
        );

        let dockerfile = parse_text(text);

        let found: Vec<String> = keywords_with_lines(text, &dockerfile)
            .into_iter()
            .map(|(keyword, line)| format!("{keyword}@{line}"))
            .collect();
        assert_eq!(found, vec!["FROM@1", "RUN@2", "FROM@3", "USER@4", "COPY@5"]);
        assert!(dockerfile.instructions[1].heredocs.is_empty());
    }

    #[test]
    fn space_between_angles_and_quoted_delimiter_opens_a_heredoc() {
        let text = concat!(
            "FROM a\n",
            "RUN cat << 'EOF' > /etc/profile.d/p.sh\n",
            "export PS1='$ '\n",
            "USER guest\n",
            "EOF\n",
            "CMD sh\n",
        );

        let dockerfile = parse_text(text);

        let heredoc = &dockerfile.instructions[1].heredocs[0];
        assert_eq!(heredoc.delimiter, "EOF");
        assert!(!heredoc.expand);
        assert!(heredoc.body.value.contains("USER guest"));
        let found = keywords_with_lines(text, &dockerfile);
        assert_eq!(
            found
                .iter()
                .map(|(keyword, _)| keyword.as_str())
                .collect::<Vec<_>>(),
            vec!["FROM", "RUN", "CMD"]
        );
    }

    #[test]
    fn several_heredocs_read_their_bodies_in_order() {
        let text = "FROM a\nCOPY <<A <<B /dest/\nB\nA\nA\nB\nUSER app\n";

        let dockerfile = parse_text(text);

        let heredocs = &dockerfile.instructions[1].heredocs;
        assert_eq!(heredocs[0].body.value, "B\n");
        assert_eq!(heredocs[1].body.value, "A\n");
        assert_eq!(
            keywords_with_lines(text, &dockerfile)[2],
            ("USER".into(), 7)
        );
    }

    #[test]
    fn heredoc_under_onbuild_belongs_to_the_deferred_instruction() {
        let text = "FROM a\nonbuild run <<EOF\necho hi\nEOF\n";

        let dockerfile = parse_text(text);

        let onbuild = &dockerfile.instructions[1];
        let inner = onbuild.onbuild.as_ref().expect("deferred instruction");
        assert_eq!(inner.keyword, "RUN");
        assert_eq!(inner.heredocs[0].body.value, "echo hi\n");
        assert_eq!(location(text, onbuild.span.end), (4, 4));
    }

    #[test]
    fn unterminated_heredoc_is_an_error_that_holds_the_rest_of_the_file() {
        let text = "FROM a\nRUN <<EOF\necho never closed\nUSER app\n";

        let dockerfile = parse_text(text);

        assert_eq!(dockerfile.errors.len(), 1);
        assert_eq!(dockerfile.errors[0].message, "unterminated heredoc `EOF`");
        assert_eq!(location(text, dockerfile.errors[0].span.start), (2, 1));
        assert_eq!(location(text, dockerfile.errors[0].span.end), (2, 10));
        assert_eq!(keywords_with_lines(text, &dockerfile), [("FROM".into(), 1)]);
    }

    #[test]
    fn json_exec_form_in_heredoc_capable_instructions_opens_no_heredoc() {
        let text = "FROM a\nRUN [\"cat\", \"<<EOF\"]\nUSER app\n";

        let dockerfile = parse_text(text);

        assert!(dockerfile.instructions[1].heredocs.is_empty());
        assert_eq!(dockerfile.instructions.len(), 3);
    }

    #[test]
    fn unknown_instruction_is_reported_and_skipped() {
        let text = "FROM a\nFOO bar \\\n  baz\nUSER app\n";

        let dockerfile = parse_text(text);

        assert_eq!(dockerfile.errors[0].message, "unknown instruction `FOO`");
        assert_eq!(location(text, dockerfile.errors[0].span.start), (2, 1));
        assert_eq!(location(text, dockerfile.errors[0].span.end), (3, 6));
        assert_eq!(
            keywords_with_lines(text, &dockerfile)[1],
            ("USER".into(), 4)
        );
    }

    #[test]
    fn missing_arguments_are_errors() {
        let cases = [
            ("FROM a\nENV PATH\n", "`ENV PATH` has no value"),
            ("FROM a\nENV A=1 B\n", "can't find `=` in `B`"),
            (
                "FROM a\nCOPY onlyone\n",
                "`COPY` requires at least two arguments",
            ),
            ("FROM\n", "`FROM` requires at least one argument"),
            (
                "FROM a b\n",
                "`FROM` requires either one or three arguments",
            ),
            ("FROM a\nRUN\n", "`RUN` requires at least one argument"),
            (
                "FROM a\nSHELL sh -c\n",
                "`SHELL` requires the arguments in JSON form",
            ),
            (
                "FROM a\nCMD [\"a\", [\"b\"]]\n",
                "arrays must be comprised of strings only",
            ),
            ("FROM a\nONBUILD FROM b\n", "`ONBUILD FROM` is not allowed"),
        ];

        for (text, expected) in cases {
            let dockerfile = parse_text(text);

            let messages: Vec<&str> = dockerfile
                .errors
                .iter()
                .map(|e| e.message.as_str())
                .collect();
            assert!(
                messages.iter().any(|m| m.contains(expected)),
                "{text:?}: {messages:?}"
            );
        }
    }

    #[test]
    fn files_without_instructions_are_errors() {
        for text in ["", "# only\n# comments\n\n", "\u{feff}", "  \n\t\n"] {
            let dockerfile = parse_text(text);

            assert_eq!(dockerfile.errors.len(), 1, "{text:?}");
            assert_eq!(
                dockerfile.errors[0].message,
                "file contains no instructions"
            );
        }
    }

    #[test]
    fn json_exec_form_and_invalid_json_fallback() {
        let text = "CMD [\"sh\", \"-c\", \"echo \\\"hi\\\"\"]\nCMD ['sh']\nCMD [\"unterminated\"\n";

        let dockerfile = parse_text(text);

        let Arguments::Exec(items) = &dockerfile.instructions[0].arguments else {
            panic!("expected exec form");
        };
        assert_eq!(values(items), vec!["sh", "-c", "echo \"hi\""]);
        assert_eq!(location(text, items[1].span().start), (1, 13));
        assert_eq!(shell(&dockerfile.instructions[1]).value, "['sh']");
        assert_eq!(
            shell(&dockerfile.instructions[2]).value,
            "[\"unterminated\""
        );
    }

    #[test]
    fn crlf_line_ends_are_not_part_of_values() {
        let text =
            "FROM a\r\nRUN echo hi \\\r\n  there\r\nRUN <<EOF\r\nline\r\nEOF\r\nUSER app\r\n";

        let dockerfile = parse_text(text);

        assert_eq!(shell(&dockerfile.instructions[1]).value, "echo hi   there");
        assert_eq!(dockerfile.instructions[2].heredocs[0].body.value, "line\n");
        assert_eq!(shell(&dockerfile.instructions[3]).value, "app");
        assert!(dockerfile.errors.is_empty());
    }

    #[test]
    fn byte_order_mark_does_not_hide_the_first_directive() {
        let text = "\u{feff}# escape=`\nFROM a\nRUN echo `\n  done\n";

        let dockerfile = parse_text(text);

        assert_eq!(dockerfile.escape, '`');
        assert_eq!(shell(&dockerfile.instructions[1]).value, "echo   done");
        assert_eq!(dockerfile.instructions[0].keyword_span.start, 3 + 11);
    }

    #[test]
    fn directives_only_count_at_the_top() {
        let text =
            "#  SYNTAX = docker/dockerfile:1\n# Check=skip=all\n# comment\n# escape=`\nFROM a\n";

        let dockerfile = parse_text(text);

        let names: Vec<&str> = dockerfile
            .directives
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(names, vec!["syntax", "check"]);
        assert_eq!(dockerfile.directives[0].value, "docker/dockerfile:1");
        assert_eq!(dockerfile.escape, '\\');
    }

    #[test]
    fn repeated_or_invalid_directives_are_errors() {
        let repeated = parse_text("# escape=`\n# escape=\\\nFROM a\n");
        let invalid = parse_text("# escape=x\nFROM a\n");

        assert_eq!(
            repeated.errors[0].message,
            "only one `escape` parser directive can be used"
        );
        assert_eq!(repeated.escape, '`');
        assert!(
            invalid.errors[0]
                .message
                .contains("invalid escape character `x`")
        );
    }

    #[test]
    fn key_values_in_both_forms() {
        let text = "ENV A B C\nENV A=1 B=\"x y\"\nARG NAME\nARG NAME=default OTHER\nLABEL k=v\n";

        let dockerfile = parse_text(text);

        let pairs = |index: usize| -> Vec<(String, Option<String>)> {
            let pairs = dockerfile.instructions[index].key_values().into_iter();
            pairs
                .map(|pair| (pair.key.value, pair.value.map(|value| value.value)))
                .collect()
        };
        let pair = |key: &str, value: Option<&str>| (key.to_string(), value.map(str::to_string));
        assert_eq!(pairs(0), vec![pair("A", Some("B C"))]);
        assert_eq!(
            pairs(1),
            vec![pair("A", Some("1")), pair("B", Some("\"x y\""))]
        );
        assert_eq!(pairs(2), vec![pair("NAME", None)]);
        assert_eq!(
            pairs(3),
            vec![pair("NAME", Some("default")), pair("OTHER", None)]
        );
        assert_eq!(pairs(4), vec![pair("k", Some("v"))]);
        let legacy = &dockerfile.instructions[0].key_values()[0];
        assert!(!legacy.has_equals);
        assert_eq!(
            location(text, legacy.value.as_ref().expect("value").span().start),
            (1, 7)
        );
    }

    #[test]
    fn words_keep_quotes_and_escapes_as_written() {
        let text = "RUN echo \"a b\" 'c d' e\\ f\n";

        let dockerfile = parse_text(text);

        let words = dockerfile.instructions[0].words();
        assert_eq!(values(&words), vec!["echo", "\"a b\"", "'c d'", "e\\ f"]);
        assert_eq!(location(text, words[2].span().start), (1, 16));
    }

    #[test]
    fn long_continued_run_with_mid_line_backslashes_parses_at_once() {
        let mut text = String::from("FROM debian\nRUN set -e; \\\n");
        for index in 0..120 {
            text.push_str(&format!(
                "    printf 'k{index}\\tv\\\\w\\n' >> /etc/t.tsv && \\\n"
            ));
        }
        text.push_str("    chmod 4755 /usr/bin/tool\nCMD [\"bash\"]\n");

        let dockerfile = parse_text(&text);

        assert_eq!(
            location_of(&text, shell(&dockerfile.instructions[1]), "4755"),
            (123, 11)
        );
        assert_eq!(
            keywords_with_lines(&text, &dockerfile)[2],
            ("CMD".into(), 124)
        );
    }

    #[test]
    fn five_megabytes_of_continued_runs_parse_without_errors() {
        let mut text = String::from("FROM debian\n");
        while text.len() < 5_000_000 {
            text.push_str("RUN set -e; \\\n");
            for _ in 0..2_000 {
                text.push_str("    echo 'a \\\\ b' && echo c \\\n");
            }
            text.push_str("    true\n");
        }

        let dockerfile = parse_text(&text);

        assert!(dockerfile.errors.is_empty(), "{:?}", dockerfile.errors);
        assert_eq!(
            dockerfile.instructions.len(),
            1 + text.matches("RUN set").count()
        );
    }
}
