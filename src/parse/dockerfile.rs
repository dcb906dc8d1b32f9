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
    let value_start = key_end
        + (text[key_end..].len()
            - text[key_end..]
                .trim_start_matches(words::is_field_space)
                .len());
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
                Err(message) => built.problem = built.problem.or(Some(message)),
            }
        }

        let start = built.instruction.span.start;
        built.instruction.span = Span::new(source, start, lines[last_line].end.max(start));
        index = last_line + 1;
        match built.problem {
            Some(message) => {
                dockerfile.errors.push(ParseError {
                    message,
                    span: built.instruction.span,
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
    for pair in instruction.key_values() {
        let key = &pair.key.value;
        if pair.has_equals || pair.value.is_some() {
            continue;
        }
        if instruction.key_values().len() == 1 && !key.contains('=') {
            return Some(format!(
                "`{keyword} {key}` has no value: write `{key}=value`"
            ));
        }
        return Some(format!(
            "can't find `=` in `{key}`: `{keyword}` needs the form `name=value`"
        ));
    }
    None
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
