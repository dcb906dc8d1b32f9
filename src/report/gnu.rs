//! The GNU reporter: `file:line:column: severity: message [rule]`, one line per diagnostic, the
//! form that compile buffers and editors' error parsers read; then one `file:line:column: error:
//! message` line per file that could not be read.

use std::fmt::Write as _;

use crate::diagnostic::Diagnostic;
use crate::lint::Failure;
use crate::report::Region;
use crate::source::Sources;

/// Renders one line per diagnostic, then one per file that could not be read: `file: error:
/// message` when no line and column are known.
pub fn render(sources: &Sources, diagnostics: &[Diagnostic], failures: &[Failure]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let region = Region::of(sources, diagnostic.span);
        let file = &sources.get(diagnostic.span.source).display;
        let _ = writeln!(
            out,
            "{file}:{}:{}: {}: {} [{}]",
            region.line,
            region.column,
            diagnostic.severity.as_str(),
            one_line(&diagnostic.message),
            diagnostic.rule
        );
    }
    for failure in failures {
        let _ = writeln!(out, "{}", failure_line(failure));
    }
    out
}

/// The line of a file that could not be read: `file:line:column: error: message`, or `file:
/// error: message` when no line and column are known.
pub(crate) fn failure_line(failure: &Failure) -> String {
    let place = match failure.position {
        Some((line, column)) => format!("{}:{line}:{column}", failure.file),
        None => failure.file.clone(),
    };
    format!("{place}: error: {}", one_line(&failure.to_string()))
}

/// A message on one line: a line break would start what parsers read as a new diagnostic.
pub(crate) fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}
