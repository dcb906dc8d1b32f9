//! BuildKit's `AST.Dump()` s-expressions for a parsed Dockerfile, as in the parser test files:
//! `(from "ubuntu:14.04")`, `(copy ["--chmod=755"] "a" "/b")`.

use super::exec_form::{ExecForm, read_exec_form};
use super::words::{field_ranges, slice};
use super::{Arguments, Dockerfile, Flag, Instruction};

/// One line per instruction, in BuildKit's dump format.
pub fn dump(dockerfile: &Dockerfile) -> String {
    let mut out = String::new();
    for instruction in &dockerfile.instructions {
        out.push('(');
        out.push_str(&dump_instruction(instruction));
        out.push_str(")\n");
    }
    out
}

fn dump_instruction(instruction: &Instruction) -> String {
    let mut out = instruction.keyword.to_lowercase();
    if !instruction.flags.is_empty() {
        let flags: Vec<String> = instruction
            .flags
            .iter()
            .map(|flag| quote(&flag_word(flag)))
            .collect();
        out.push_str(&format!(" [{}]", flags.join(" ")));
    }

    if let Some(inner) = &instruction.onbuild {
        out.push_str(&format!(" ({})", dump_instruction(inner)));
        return out;
    }

    for value in argument_nodes(instruction) {
        out.push(' ');
        out.push_str(&quote(&value));
    }
    out
}

fn flag_word(flag: &Flag) -> String {
    match &flag.value {
        Some(value) => format!("--{}={}", flag.name, value.value),
        None => format!("--{}", flag.name),
    }
}

/// The argument nodes BuildKit's line parser for this instruction produces.
fn argument_nodes(instruction: &Instruction) -> Vec<String> {
    let arguments = match &instruction.arguments {
        Arguments::Exec(items) => return items.iter().map(|item| item.value.clone()).collect(),
        Arguments::Shell(arguments) => arguments,
    };
    let text = arguments.value.as_str();
    let whole = || {
        if text.is_empty() {
            Vec::new()
        } else {
            vec![text.to_string()]
        }
    };

    match instruction.keyword.as_str() {
        "ENV" | "LABEL" => {
            let mut nodes = Vec::new();
            for pair in instruction.key_values() {
                nodes.push(pair.key.value);
                nodes.push(pair.value.map(|value| value.value).unwrap_or_default());
                nodes.push(if pair.has_equals { "=" } else { "" }.to_string());
            }
            nodes
        }
        "ARG" => instruction
            .words()
            .into_iter()
            .map(|word| word.value)
            .collect(),
        "FROM" | "EXPOSE" | "ADD" | "COPY" | "VOLUME" => field_ranges(text)
            .into_iter()
            .map(|range| text[range].to_string())
            .collect(),
        "HEALTHCHECK" => {
            // HEALTHCHECK's first word is its kind (`CMD`, `NONE`); the rest reads like CMD.
            let kind_end = text.find(char::is_whitespace).unwrap_or(text.len());
            if kind_end == 0 {
                return Vec::new();
            }
            let command_start = text.len() - text[kind_end..].trim_start().len();
            let mut nodes = vec![text[..kind_end].to_string()];
            let command = slice(arguments, command_start..text.len());
            match read_exec_form(&command) {
                ExecForm::Strings(items) => nodes.extend(items.into_iter().map(|item| item.value)),
                _ if command.value.is_empty() => {}
                _ => nodes.push(command.value),
            }
            nodes
        }
        "RUN" | "CMD" | "ENTRYPOINT" | "SHELL" | "MAINTAINER" | "STOPSIGNAL" | "USER"
        | "WORKDIR" => whole(),
        _ => Vec::new(),
    }
}

/// Go's `strconv.Quote`.
fn quote(value: &str) -> String {
    let mut out = String::from("\"");
    for ch in value.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            _ if (ch as u32) < 0x20 || ch == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", ch as u32))
            }
            _ if ch.is_control() || ch == '\u{feff}' => {
                let code = ch as u32;
                if code <= 0xffff {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
            _ => out.push(ch),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_go() {
        assert_eq!(quote("a\"b\\c\u{0}\t♥"), r#""a\"b\\c\x00\t♥""#);
    }
}
