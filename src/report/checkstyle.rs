//! The Checkstyle reporter: the XML that Jenkins' warnings plugin, reviewdog and many CI
//! dashboards read, one `<file>` per file with diagnostics and one `<error>` per diagnostic; a
//! file that could not be read is a `<file>` with one `<error>` saying why.

use std::fmt::Write as _;

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::Failure;
use crate::report::Region;
use crate::report::xml::escape;
use crate::source::Sources;

/// Renders one Checkstyle document.
pub fn render(sources: &Sources, diagnostics: &[Diagnostic], failures: &[Failure]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<checkstyle version=\"4.3\">\n");

    let mut open_file: Option<&str> = None;
    for diagnostic in diagnostics {
        let file = sources.get(diagnostic.span.source).display.as_str();
        if open_file != Some(file) {
            if open_file.is_some() {
                out.push_str("  </file>\n");
            }
            let _ = writeln!(out, "  <file name=\"{}\">", escape(file));
            open_file = Some(file);
        }

        let region = Region::of(sources, diagnostic.span);
        let severity = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "info",
        };
        let _ = writeln!(
            out,
            "    <error line=\"{}\" column=\"{}\" severity=\"{severity}\" message=\"{}\" \
             source=\"escalint.{}\"/>",
            region.line,
            region.column,
            escape(&diagnostic.message),
            diagnostic.rule
        );
    }

    if open_file.is_some() {
        out.push_str("  </file>\n");
    }
    for failure in failures {
        // Without a place in the file there is no line to give: readers take the file as a whole.
        let position = match failure.position {
            Some((line, column)) => format!("line=\"{line}\" column=\"{column}\" "),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "  <file name=\"{}\">\n    <error {position}severity=\"error\" message=\"{}\" \
             source=\"escalint\"/>\n  </file>",
            escape(&failure.file),
            escape(&failure.to_string())
        );
    }
    out.push_str("</checkstyle>\n");
    out
}
