//! The GitHub Actions reporter: one workflow command per diagnostic (`::error file=...::message`),
//! which the runner turns into an annotation shown inline on the pull request's diff; and one
//! `::error` per file that could not be read.

use std::fmt::Write as _;

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::Failure;
use crate::report::{Region, help_of};
use crate::source::Sources;

/// Renders one workflow command per diagnostic, then one per file that could not be read.
pub fn render(sources: &Sources, diagnostics: &[Diagnostic], failures: &[Failure]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let region = Region::of(sources, diagnostic.span);
        let file = &sources.get(diagnostic.span.source).display;
        let command = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };

        let mut message = diagnostic.message.clone();
        let help = help_of(diagnostic);
        if !help.is_empty() {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }

        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(file),
            region.line,
            region.column,
            region.end_line,
            region.end_column,
            escape_property(&format!("escalint ({})", diagnostic.rule)),
            escape_data(&message),
        );
    }
    for failure in failures {
        let position = match failure.position {
            Some((line, column)) => format!(",line={line},col={column}"),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "::error file={}{position},title=escalint::{}",
            escape_property(&failure.file),
            escape_data(&failure.to_string()),
        );
    }
    out
}

/// The message of a workflow command: `%`, CR and LF are encoded so it stays on one line.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: like the message, and `:` and `,`, which separate the properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_escape_their_separators() {
        assert_eq!(escape_property("a:b,c%d\ne"), "a%3Ab%2Cc%25d%0Ae");
    }

    #[test]
    fn messages_keep_colons_and_commas() {
        assert_eq!(
            escape_data("user `a:b`, 100%\r\n"),
            "user `a:b`, 100%25%0D%0A"
        );
    }
}
