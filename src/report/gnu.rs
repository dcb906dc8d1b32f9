//! The GNU reporter: `file:line:column: severity: message [rule]`, one line per diagnostic, the
//! form that compile buffers and editors' error parsers read.

use std::fmt::Write as _;

use crate::diagnostic::Diagnostic;
use crate::report::Region;
use crate::source::Sources;

/// Renders one line per diagnostic.
pub fn render(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
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
    out
}

/// A message on one line: a line break would start what parsers read as a new diagnostic.
pub(crate) fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}
