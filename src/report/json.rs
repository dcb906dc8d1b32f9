//! The JSON reporter: `{"version": 1, "diagnostics": [...], "failures": [...]}`, a stable
//! interface described in docs/output.md.

use std::io::Write;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::lint::Failure;
use crate::parallel;
use crate::report::{Region, help_of};
use crate::source::Sources;

/// The version of the JSON shape; it changes only when a field changes meaning or goes away.
const VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: &'a str,
    related: Vec<JsonRelated<'a>>,
    /// What `--fix` can do about it; `null` when the rule offers nothing.
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: &'static str,
    description: &'a str,
    /// Empty when no edit can be made safely; `not_applied` then says why.
    edits: Vec<JsonEdit<'a>>,
    not_applied: Option<&'a str>,
}

/// A replacement of the text from `line`:`column` up to `end_line`:`end_column` (exclusive);
/// an empty range inserts.
#[derive(Serialize)]
struct JsonEdit<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    replacement: &'a str,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

/// A file that could not be read; `line` and `column` are `null` unless the file is not text.
#[derive(Serialize)]
struct JsonFailure<'a> {
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
}

fn json_failure(failure: &Failure) -> JsonFailure<'_> {
    JsonFailure {
        file: &failure.file,
        line: failure.position.map(|(line, _)| line),
        column: failure.position.map(|(_, column)| column),
        message: failure.to_string(),
    }
}

fn json_fix<'a>(sources: &'a Sources, fix: &'a Fix) -> JsonFix<'a> {
    let edits = fix.edits.as_deref().unwrap_or_default();
    let edits = edits
        .iter()
        .map(|edit| {
            let region = Region::of(sources, edit.span);
            JsonEdit {
                file: &sources.get(edit.span.source).display,
                line: region.line,
                column: region.column,
                end_line: region.end_line,
                end_column: region.end_column,
                replacement: &edit.replacement,
            }
        })
        .collect();
    JsonFix {
        applicability: fix.applicability.as_str(),
        description: &fix.description,
        edits,
        not_applied: fix.refusal(),
    }
}

/// Diagnostics a thread serialises at a time: a report of thousands is written on every core, a
/// report of a few on the calling thread alone.
const DIAGNOSTICS_PER_CHUNK: usize = 256;

/// Writes the report, pretty-printed as `serde_json` prints it. Chunks of diagnostics are
/// serialised on every core, a few at a time, and each is indented into place in one pass over
/// its text (JSON strings hold no raw line breaks, so every line break is serde_json's own)
/// and written as soon as its turn comes: a report of megabytes is never held whole. The frame
/// around them is the other fields of the report; the files that could not be read come last,
/// rendered whole.
pub fn write<W: Write + ?Sized>(
    sources: &Sources,
    diagnostics: &[Diagnostic],
    failures: &[Failure],
    out: &mut W,
) -> std::io::Result<()> {
    write!(out, "{{\n  \"version\": {VERSION},\n  \"diagnostics\": ")?;
    write_diagnostics(sources, diagnostics, out)?;

    out.write_all(b",\n  \"failures\": ")?;
    let failures: Vec<JsonFailure> = failures.iter().map(json_failure).collect();
    let mut list = Vec::new();
    serde_json::to_writer_pretty(&mut list, &failures).expect("a failure serialises");
    // The list stands one level deep: every line but its first moves in by one indent.
    let indented = indent_lines(&list, FIELD_INDENT);
    out.write_all(&indented[FIELD_INDENT.len()..])?;
    out.write_all(b"\n}\n")
}

/// The `diagnostics` list, from its `[` to its `]`.
fn write_diagnostics<W: Write + ?Sized>(
    sources: &Sources,
    diagnostics: &[Diagnostic],
    out: &mut W,
) -> std::io::Result<()> {
    if diagnostics.is_empty() {
        return out.write_all(b"[]");
    }

    out.write_all(b"[\n")?;
    let chunks: Vec<&[Diagnostic]> = diagnostics.chunks(DIAGNOSTICS_PER_CHUNK).collect();
    let chunks_at_a_time = parallel::cores() * 2;
    for (turn, wave) in chunks.chunks(chunks_at_a_time).enumerate() {
        let rendered = parallel::map(wave, |chunk| render_chunk(sources, chunk));
        for (index, chunk) in rendered.iter().enumerate() {
            if turn > 0 || index > 0 {
                out.write_all(b",\n")?;
            }
            out.write_all(chunk)?;
        }
    }
    out.write_all(b"\n  ]")
}

/// A chunk of the `diagnostics` list, indented as an item of it.
fn render_chunk(sources: &Sources, chunk: &[Diagnostic]) -> Vec<u8> {
    let mut items = Vec::new();
    for diagnostic in chunk {
        if !items.is_empty() {
            items.extend_from_slice(b",\n");
        }
        let item = json_diagnostic(sources, diagnostic);
        serde_json::to_writer_pretty(&mut items, &item).expect("a diagnostic serialises");
    }
    indent_lines(&items, ITEM_INDENT)
}

/// How deep `serde_json` indents a field of the report.
const FIELD_INDENT: &[u8] = b"  ";

/// How deep `serde_json` indents an item of the report's `diagnostics` list.
const ITEM_INDENT: &[u8] = b"    ";

/// `text` with `indent` before each of its lines.
fn indent_lines(text: &[u8], indent: &[u8]) -> Vec<u8> {
    let line_breaks: Vec<usize> = memchr::memchr_iter(b'\n', text).collect();
    let mut indented = Vec::with_capacity(text.len() + (line_breaks.len() + 1) * indent.len());
    let mut line_start = 0;
    for line_break in line_breaks {
        indented.extend_from_slice(indent);
        indented.extend_from_slice(&text[line_start..=line_break]);
        line_start = line_break + 1;
    }
    indented.extend_from_slice(indent);
    indented.extend_from_slice(&text[line_start..]);
    indented
}

fn json_diagnostic<'a>(sources: &'a Sources, diagnostic: &'a Diagnostic) -> JsonDiagnostic<'a> {
    let region = Region::of(sources, diagnostic.span);
    let related = diagnostic
        .related
        .iter()
        .map(|related| {
            let at = Region::of(sources, related.span);
            JsonRelated {
                file: &sources.get(related.span.source).display,
                line: at.line,
                column: at.column,
                message: &related.message,
            }
        })
        .collect();
    JsonDiagnostic {
        rule: diagnostic.rule,
        severity: diagnostic.severity,
        message: &diagnostic.message,
        file: &sources.get(diagnostic.span.source).display,
        line: region.line,
        column: region.column,
        end_line: region.end_line,
        end_column: region.end_column,
        help: help_of(diagnostic),
        related,
        fix: diagnostic.fix.as_ref().map(|fix| json_fix(sources, fix)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Source, Span};

    /// The report as one value, as `serde_json` would print it from one thread.
    #[derive(Serialize)]
    struct Report<'a> {
        version: u32,
        diagnostics: Vec<JsonDiagnostic<'a>>,
        failures: Vec<JsonFailure<'a>>,
    }

    fn reports_of(count: usize, failures: &[Failure]) -> (String, String) {
        let mut sources = Sources::default();
        let text = "FROM alpine\nRUN chmod 4755 /bin/\"tool\"\n".to_owned();
        let id = sources.add(Source::new("Dockerfile".into(), "/Dockerfile".into(), text));
        let diagnostics: Vec<Diagnostic> = (0..count)
            .map(|index| {
                let message = format!("finding {index} with a \"quote\" and a tab\t");
                Diagnostic::new(
                    "setuid-bit",
                    Severity::Error,
                    Span::new(id, 12, 40),
                    message,
                )
            })
            .collect();
        let report = Report {
            version: VERSION,
            diagnostics: diagnostics
                .iter()
                .map(|diagnostic| json_diagnostic(&sources, diagnostic))
                .collect(),
            failures: failures.iter().map(json_failure).collect(),
        };
        let expected = serde_json::to_string_pretty(&report).expect("serialises") + "\n";
        let mut written = Vec::new();
        write(&sources, &diagnostics, failures, &mut written)
            .expect("writing to memory does not fail");
        let written = String::from_utf8(written).expect("serde_json writes UTF-8");
        (written, expected)
    }

    #[test]
    fn the_report_is_what_serde_json_prints_for_it() {
        for count in [
            0,
            1,
            2,
            DIAGNOSTICS_PER_CHUNK,
            DIAGNOSTICS_PER_CHUNK * 2 + 3,
            // More chunks than one turn of the cores writes.
            DIAGNOSTICS_PER_CHUNK * (parallel::cores() * 2 + 1) + 5,
        ] {
            let (rendered, expected) = reports_of(count, &[]);

            assert_eq!(rendered, expected, "{count} diagnostics");
        }
    }

    #[test]
    fn failures_are_written_as_serde_json_prints_them() {
        let failures = [
            Failure {
                file: "missing/Dockerfile".to_owned(),
                position: None,
                reason: "No such file or directory (os error 2)".to_owned(),
            },
            Failure {
                file: "app/\"quoted\".yaml".to_owned(),
                position: Some((2, 10)),
                reason: "not a text file (invalid UTF-8 at line 2, column 10)".to_owned(),
            },
        ];

        for count in [0, 2] {
            let (rendered, expected) = reports_of(count, &failures);

            assert_eq!(rendered, expected, "{count} diagnostics");
        }
        let (rendered, _) = reports_of(0, &failures);
        let report: serde_json::Value = serde_json::from_str(&rendered).expect("valid JSON");
        assert_eq!(report["failures"][0]["line"], serde_json::Value::Null);
        assert_eq!(report["failures"][1]["column"], 10);
        assert_eq!(
            report["failures"][1]["message"],
            "cannot read app/\"quoted\".yaml: not a text file (invalid UTF-8 at line 2, column 10)"
        );
    }
}
