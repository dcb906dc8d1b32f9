//! The JSON reporter: `{"version": 1, "diagnostics": [...]}`, a stable interface described in
//! docs/output.md.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Fix;
use crate::report::{Region, help_of};
use crate::source::Sources;

/// The version of the JSON shape; it changes only when a field changes meaning or goes away.
const VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

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

/// Renders the diagnostics as one pretty-printed JSON document.
pub fn render(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    let diagnostics = diagnostics
        .iter()
        .map(|diagnostic| {
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
        })
        .collect();

    let report = Report {
        version: VERSION,
        diagnostics,
    };
    let mut text = serde_json::to_string_pretty(&report).expect("the report serialises");
    text.push('\n');
    text
}
