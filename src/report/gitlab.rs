//! The GitLab Code Quality reporter: a JSON array of issues that GitLab shows in merge requests
//! when a job uploads it as its `codequality` report. The fields are described in docs/output.md.

use std::collections::HashMap;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::sarif::fingerprint;
use crate::report::{Region, help_of};
use crate::source::Sources;

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: &'static str,
    description: &'a str,
    content: Content<'a>,
    categories: [&'static str; 1],
    severity: &'static str,
    fingerprint: String,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Content<'a> {
    body: &'a str,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

/// Renders the diagnostics as one Code Quality report.
pub fn render(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    let mut occurrences: HashMap<String, usize> = HashMap::new();
    let mut issues = Vec::with_capacity(diagnostics.len());
    for diagnostic in diagnostics {
        let region = Region::of(sources, diagnostic.span);

        // Two diagnostics of one rule on identical lines share the SARIF hash; the count
        // keeps GitLab from merging them into one issue.
        let hash = fingerprint(sources, diagnostic);
        let occurrence = occurrences.entry(hash.clone()).or_insert(0);
        *occurrence += 1;

        issues.push(Issue {
            kind: "issue",
            check_name: diagnostic.rule,
            description: &diagnostic.message,
            content: Content {
                body: help_of(diagnostic),
            },
            categories: ["Security"],
            severity: severity(diagnostic.severity),
            fingerprint: format!("{hash}:{occurrence}"),
            location: Location {
                path: &sources.get(diagnostic.span.source).display,
                lines: Lines {
                    begin: region.line,
                    end: region.end_line,
                },
            },
        });
    }

    let mut text = serde_json::to_string_pretty(&issues).expect("the report serialises");
    text.push('\n');
    text
}

/// GitLab's scale is `info`, `minor`, `major`, `critical`, `blocker`; a privilege escalation
/// path is critical, a missing safeguard major.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Note => "info",
    }
}
