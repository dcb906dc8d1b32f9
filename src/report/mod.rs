//! Reporters: render the diagnostics of a run for people (terminal) or tools (JSON, SARIF, CI
//! annotations, XML and Code Quality reports, compiler-style lines).

pub mod checkstyle;
pub mod github;
pub mod gitlab;
pub mod gnu;
pub mod human;
pub mod json;
pub mod junit;
pub mod output;
pub mod sarif;
mod xml;

use crate::diagnostic::Diagnostic;
use crate::source::Sources;

/// 1-based start and end (exclusive) line and column of a diagnostic's span, in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Region {
    pub fn of(sources: &Sources, span: crate::source::Span) -> Self {
        let source = sources.get(span.source);
        let (line, column) = source.line_column(span.start);
        let (end_line, end_column) = source.line_column(span.end.max(span.start));
        Self {
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// The `help:` line of a diagnostic: its rule's document header.
pub fn help_of(diagnostic: &Diagnostic) -> &'static str {
    crate::rules::rule_docs()
        .iter()
        .find(|doc| doc.name == diagnostic.rule)
        .map_or("", |doc| doc.help)
}
