//! The JUnit XML reporter, for CI systems that show test reports (GitLab, Jenkins, Azure
//! Pipelines): one `<testsuite>` per file, one failed `<testcase>` per diagnostic, and one
//! `<testcase>` in error per file that could not be read.

use std::fmt::Write as _;

use crate::diagnostic::Diagnostic;
use crate::lint::Failure;
use crate::report::gnu::{failure_line, one_line};
use crate::report::xml::escape;
use crate::report::{Region, help_of};
use crate::source::Sources;

/// Renders one JUnit document; a run without diagnostics or files that could not be read is one
/// passed test case, so report viewers show that the check ran.
pub fn render(sources: &Sources, diagnostics: &[Diagnostic], failures: &[Failure]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let count = diagnostics.len();
    let errors = failures.len();

    if diagnostics.is_empty() && failures.is_empty() {
        out.push_str("<testsuites name=\"escalint\" tests=\"1\" failures=\"0\" errors=\"0\">\n");
        out.push_str("  <testsuite name=\"escalint\" tests=\"1\" failures=\"0\" errors=\"0\">\n");
        out.push_str("    <testcase name=\"no problems found\" classname=\"escalint\"/>\n");
        out.push_str("  </testsuite>\n</testsuites>\n");
        return out;
    }

    let _ = writeln!(
        out,
        "<testsuites name=\"escalint\" tests=\"{}\" failures=\"{count}\" errors=\"{errors}\">",
        count + errors
    );
    for group in diagnostics.chunk_by(|a, b| a.span.source == b.span.source) {
        let file = &sources.get(group[0].span.source).display;
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{1}\" failures=\"{1}\" errors=\"0\">",
            escape(file),
            group.len()
        );
        for diagnostic in group {
            write_case(&mut out, sources, diagnostic, file);
        }
        out.push_str("  </testsuite>\n");
    }
    for failure in failures {
        write_unread_file(&mut out, failure);
    }
    out.push_str("</testsuites>\n");
    out
}

/// A file that could not be read: a suite of its own with one test case in error, as a test
/// that could not run is.
fn write_unread_file(out: &mut String, failure: &Failure) {
    let file = escape(&failure.file);
    let _ = writeln!(
        out,
        "  <testsuite name=\"{file}\" tests=\"1\" failures=\"0\" errors=\"1\">"
    );
    let line = match failure.position {
        Some((line, _)) => format!(" line=\"{line}\""),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "    <testcase name=\"read {file}\" classname=\"{file}\" file=\"{file}\"{line}>"
    );
    let _ = writeln!(
        out,
        "      <error message=\"{}\" type=\"unreadable\">{}</error>",
        escape(&failure.to_string()),
        escape(&failure_line(failure))
    );
    out.push_str("    </testcase>\n  </testsuite>\n");
}

fn write_case(out: &mut String, sources: &Sources, diagnostic: &Diagnostic, file: &str) {
    let region = Region::of(sources, diagnostic.span);
    let position = format!("{}:{}", region.line, region.column);
    let severity = diagnostic.severity.as_str();
    let escaped_file = escape(file);
    let _ = writeln!(
        out,
        "    <testcase name=\"{} at {escaped_file}:{position}\" classname=\"{escaped_file}\" \
         file=\"{escaped_file}\" line=\"{}\">",
        diagnostic.rule, region.line
    );

    let mut details = format!(
        "{file}:{position}: {severity}: {} [{}]",
        one_line(&diagnostic.message),
        diagnostic.rule
    );
    let help = help_of(diagnostic);
    if !help.is_empty() {
        details.push_str("\nhelp: ");
        details.push_str(help);
    }
    let _ = writeln!(
        out,
        "      <failure message=\"{}\" type=\"{severity}\">{}</failure>",
        escape(&diagnostic.message),
        escape(&details)
    );
    out.push_str("    </testcase>\n");
}
