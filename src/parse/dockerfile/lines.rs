//! Physical lines and their joining into logical instruction lines: the escape character at a
//! line end continues the instruction; comment and blank lines inside a continuation are dropped.

use crate::source::SourceId;
use crate::text::Text;

/// One physical line of the source.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PhysicalLine {
    pub start: usize,
    /// End of the content: before the line break and any `\r` in front of it.
    pub end: usize,
    /// Where the `\n` ending the line stands, if it has one.
    pub newline: Option<usize>,
}

impl PhysicalLine {
    pub fn content<'a>(&self, source: &'a str) -> &'a str {
        &source[self.start..self.end]
    }

    /// Offset of the first character that is not whitespace (the end when there is none).
    pub fn first_non_blank(&self, source: &str) -> usize {
        let content = self.content(source);
        self.start + (content.len() - content.trim_start().len())
    }

    pub fn is_blank(&self, source: &str) -> bool {
        self.content(source).trim().is_empty()
    }

    pub fn is_comment(&self, source: &str) -> bool {
        self.content(source).trim_start().starts_with('#')
    }
}

/// Splits `source[start..]` into physical lines.
pub(crate) fn physical_lines(source: &str, start: usize) -> Vec<PhysicalLine> {
    let mut lines = Vec::new();
    let mut line_start = start;
    let bytes = source.as_bytes();
    while line_start < source.len() {
        let newline = bytes[line_start..].iter().position(|byte| *byte == b'\n');
        let (break_at, next) = match newline {
            Some(offset) => (line_start + offset, line_start + offset + 1),
            None => (source.len(), source.len()),
        };
        let mut end = break_at;
        while end > line_start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        lines.push(PhysicalLine {
            start: line_start,
            end,
            newline: newline.map(|_| break_at),
        });
        line_start = next;
    }
    lines
}

/// An instruction's text with continuations joined.
pub(crate) struct LogicalLine {
    pub text: Text,
    /// Index of the last physical line the instruction uses (before any heredoc body).
    pub last_line: usize,
}

/// Joins the instruction starting at physical line `first` (neither blank nor a comment).
pub(crate) fn join_logical_line(
    source_id: SourceId,
    source: &str,
    lines: &[PhysicalLine],
    first: usize,
    escape: char,
) -> LogicalLine {
    let mut text = Text::new(source_id);
    let first_line = lines[first];
    let start = first_line.first_non_blank(source);
    let segment = &source[start..first_line.end];
    let mut continues = push_segment(&mut text, segment, start, escape);
    let mut last_line = first;

    while continues && last_line + 1 < lines.len() {
        last_line += 1;
        crate::work::count(1);
        let line = lines[last_line];
        if line.is_comment(source) || line.is_blank(source) {
            continue;
        }
        continues = push_segment(&mut text, line.content(source), line.start, escape);
    }
    LogicalLine { text, last_line }
}

/// Appends a segment without its continuation mark; true when the instruction continues.
fn push_segment(text: &mut Text, segment: &str, at: usize, escape: char) -> bool {
    match continuation_cut(segment, escape) {
        Some(kept) => {
            text.push_source(&segment[..kept], at);
            true
        }
        None => {
            text.push_source(segment, at);
            false
        }
    }
}

/// BuildKit's continuation rule `([^E])E[ \t]*$|^E[ \t]*$`: the escape character followed only by
/// blanks continues the line unless the escape itself is escaped. Returns the length kept.
pub(crate) fn continuation_cut(segment: &str, escape: char) -> Option<usize> {
    let trimmed = segment.trim_end_matches([' ', '\t']);
    let before = trimmed.strip_suffix(escape)?;
    if before.ends_with(escape) {
        return None;
    }
    Some(before.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_needs_an_unescaped_escape_at_the_end() {
        assert_eq!(continuation_cut("echo a \\", '\\'), Some(7));
        assert_eq!(continuation_cut("echo a \\ \t", '\\'), Some(7));
        assert_eq!(continuation_cut("\\", '\\'), Some(0));
        assert_eq!(continuation_cut("trailing\\\\", '\\'), None);
        assert_eq!(continuation_cut("C:\\dir\\", '`'), None);
        assert_eq!(continuation_cut("a `", '`'), Some(2));
    }

    #[test]
    fn lines_exclude_carriage_returns() {
        let source = "a\r\nb\n\nc";
        let lines = physical_lines(source, 0);

        let contents: Vec<&str> = lines.iter().map(|line| line.content(source)).collect();

        assert_eq!(contents, vec!["a", "b", "", "c"]);
        assert_eq!(lines[0].newline, Some(2));
        assert_eq!(lines[3].newline, None);
    }
}
