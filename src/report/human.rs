//! The terminal reporter: rustc-style diagnostics with the source line, a caret under the span,
//! the rule name, a `help:` line and related locations.

use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::help_of;
use crate::source::{Source, Sources, Span};

/// Renders every diagnostic; `styled` adds colour (the caller decides from the terminal).
pub fn render(sources: &Sources, diagnostics: &[Diagnostic], styled: bool) -> String {
    let renderer = if styled {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for diagnostic in diagnostics {
        let _ = writeln!(out, "{}\n", renderer.render(&report(sources, diagnostic)));
    }
    out
}

/// The one-line summary after the diagnostics; `unread_files` could not be read. A run with
/// such files says so first, so it never reads as a clean run.
pub fn summary(diagnostics: &[Diagnostic], linted_files: usize, unread_files: usize) -> String {
    let found = match unread_files {
        0 => found(diagnostics, &plural(linted_files, "file", "files")),
        _ => {
            let others = plural(linted_files, "other file", "other files");
            found(diagnostics, &format!("the {others}"))
        }
    };
    let unread = plural(unread_files, "file", "files");
    match (unread_files, linted_files) {
        (0, _) => found,
        (_, 0) => format!("{unread} could not be read and no other file was linted"),
        _ => format!("{unread} could not be read; {found}"),
    }
}

/// `found 2 errors in 3 files`, or `no problems found in 3 files`.
fn found(diagnostics: &[Diagnostic], files: &str) -> String {
    let count = |severity| {
        diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    };
    if diagnostics.is_empty() {
        return format!("no problems found in {files}");
    }
    let parts: Vec<String> = [
        (count(Severity::Error), "error", "errors"),
        (count(Severity::Warning), "warning", "warnings"),
        (count(Severity::Note), "note", "notes"),
    ]
    .into_iter()
    .filter(|(count, _, _)| *count > 0)
    .map(|(count, one, many)| plural(count, one, many))
    .collect();
    format!("found {} in {files}", parts.join(", "))
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

fn report<'a>(sources: &'a Sources, diagnostic: &'a Diagnostic) -> Vec<Group<'a>> {
    let level = match diagnostic.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    };

    let (same_file, other_files): (Vec<_>, Vec<_>) = diagnostic
        .related
        .iter()
        .partition(|related| related.span.source == diagnostic.span.source);

    let mut spans = vec![diagnostic.span];
    spans.extend(same_file.iter().map(|related| related.span));
    let primary = Excerpt::covering(sources, &spans);
    let mut snippet = primary
        .snippet()
        .annotation(AnnotationKind::Primary.span(primary.local(diagnostic.span)));
    for related in same_file {
        let label = related.message.as_str();
        snippet = snippet.annotation(
            AnnotationKind::Context
                .span(primary.local(related.span))
                .label(label),
        );
    }

    let mut title = level
        .primary_title(diagnostic.message.as_str())
        .id(diagnostic.rule)
        .element(snippet);
    for related in other_files {
        let excerpt = Excerpt::covering(sources, &[related.span]);
        let label = related.message.as_str();
        let annotation = AnnotationKind::Context
            .span(excerpt.local(related.span))
            .label(label);
        title = title.element(excerpt.snippet().annotation(annotation));
    }

    let mut groups = vec![title];
    let help = help_of(diagnostic);
    if !help.is_empty() {
        groups.push(Group::with_title(Level::HELP.secondary_title(help)));
    }
    if let Some(reason) = diagnostic.fix.as_ref().and_then(|fix| fix.refusal()) {
        let note = format!("not fixed automatically: {reason}");
        groups.push(Group::with_title(Level::NOTE.secondary_title(note)));
    }
    groups
}

/// The whole lines of one source that some spans cover: rendering a slice instead of the whole
/// file keeps the cost of a diagnostic independent of the file's size.
struct Excerpt<'a> {
    source: &'a Source,
    start: usize,
    end: usize,
    first_line: usize,
}

impl<'a> Excerpt<'a> {
    fn covering(sources: &'a Sources, spans: &[Span]) -> Self {
        let source = sources.get(spans[0].source);
        let first = spans.iter().map(|span| span.start).min().unwrap_or(0);
        let last = spans
            .iter()
            .map(|span| span.end.max(span.start))
            .max()
            .unwrap_or(0);
        let (first_line, _) = source.line_column(first);
        let (last_line, _) = source.line_column(last);
        let start = source.line_range(first_line).start;
        let end = source.line_range(last_line).end;
        Self {
            source,
            start,
            end,
            first_line,
        }
    }

    fn snippet(&self) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
        Snippet::source(&self.source.text[self.start..self.end])
            .line_start(self.first_line)
            .path(self.source.display.as_str())
            .fold(true)
    }

    /// A span as a range of the excerpt, widened to one character when empty so the caret shows.
    fn local(&self, span: Span) -> std::ops::Range<usize> {
        let length = self.end - self.start;
        let start = span.start.saturating_sub(self.start).min(length);
        let end = span.end.saturating_sub(self.start).clamp(start, length);
        if end > start {
            return start..end;
        }
        let rest = &self.source.text[self.start + start..self.end];
        start..start + rest.chars().next().map_or(0, char::len_utf8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceId, Span};

    fn error() -> Diagnostic {
        let span = Span::new(SourceId(0), 0, 1);
        Diagnostic::new("setuid-bit", Severity::Error, span, "message".to_owned())
    }

    #[test]
    fn a_clean_run_says_how_many_files_it_read() {
        assert_eq!(summary(&[], 1, 0), "no problems found in 1 file");
        assert_eq!(summary(&[error()], 2, 0), "found 1 error in 2 files");
    }

    #[test]
    fn a_run_with_unread_files_begins_with_them() {
        assert_eq!(
            summary(&[], 0, 1),
            "1 file could not be read and no other file was linted"
        );
        assert_eq!(
            summary(&[error(), error()], 1, 2),
            "2 files could not be read; found 2 errors in the 1 other file"
        );
    }
}
