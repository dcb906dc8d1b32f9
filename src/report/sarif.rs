//! The SARIF 2.1.0 reporter, shaped for GitHub code scanning: rules from the embedded documents,
//! results with regions, related locations and fingerprints that survive unrelated line shifts;
//! files that could not be read as notifications of the run's invocation.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::diagnostic::{Diagnostic, Severity};
use crate::docs::{RuleDoc, how_to_suppress};
use crate::lint::Failure;
use crate::report::Region;
use crate::rules::rule_docs;
use crate::source::{Sources, Span};
use crate::suppress::Suppressed;

const INFORMATION_URI: &str = "https://github.com/escalint/escalint";

/// Renders the diagnostics as one SARIF log. Suppressed diagnostics are results too, with a
/// `suppressions` entry carrying the comment's reason, as code scanning expects; with
/// `baseline_given`, every reported result is marked `"baselineState": "new"`. The invocation
/// says whether every file could be read, and names those that could not.
pub fn render(
    sources: &Sources,
    diagnostics: &[Diagnostic],
    suppressed: &[Suppressed],
    failures: &[Failure],
    baseline_given: bool,
) -> String {
    let docs = rule_docs();
    let rules: Vec<Value> = docs.iter().map(rule_descriptor).collect();

    let mut occurrences: HashMap<String, usize> = HashMap::new();
    let mut result_of = |diagnostic: &Diagnostic| {
        let rule_index = docs.iter().position(|doc| doc.name == diagnostic.rule);
        let fingerprint = fingerprint(sources, diagnostic);
        let occurrence = occurrences.entry(fingerprint.clone()).or_insert(0);
        *occurrence += 1;
        result(
            sources,
            diagnostic,
            rule_index,
            format!("{fingerprint}:{occurrence}"),
        )
    };
    let mut results: Vec<Value> = Vec::new();
    for diagnostic in diagnostics {
        let mut result = result_of(diagnostic);
        if baseline_given {
            result["baselineState"] = json!("new");
        }
        results.push(result);
    }
    for suppressed in suppressed {
        let mut result = result_of(&suppressed.diagnostic);
        let mut suppression = json!({ "kind": "inSource" });
        if let Some(reason) = &suppressed.reason {
            suppression["justification"] = json!(reason);
        }
        result["suppressions"] = json!([suppression]);
        results.push(result);
    }

    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "escalint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "invocations": [invocation(failures)],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).expect("the SARIF log serialises");
    text.push('\n');
    text
}

/// The run's invocation: it did not succeed when a file could not be read, and each such file is
/// an error notification located in it, at the first byte that is not text when that is why.
fn invocation(failures: &[Failure]) -> Value {
    let mut invocation = json!({ "executionSuccessful": failures.is_empty() });
    if failures.is_empty() {
        return invocation;
    }

    let notifications: Vec<Value> = failures
        .iter()
        .map(|failure| {
            let mut location = json!({ "artifactLocation": { "uri": uri(&failure.file) } });
            if let Some((line, column)) = failure.position {
                location["region"] = json!({ "startLine": line, "startColumn": column });
            }
            json!({
                "level": "error",
                "message": { "text": failure.to_string() },
                "locations": [{ "physicalLocation": location }],
            })
        })
        .collect();
    invocation["toolExecutionNotifications"] = json!(notifications);
    invocation
}

fn rule_descriptor(doc: &RuleDoc) -> Value {
    let mut properties = json!({
        "tags": [tag_of(doc)],
        "precision": "high",
    });
    if let Some(score) = doc.security_severity {
        properties["security-severity"] = json!(score);
    }

    json!({
        "id": doc.name,
        "name": doc.name,
        "shortDescription": { "text": doc.summary },
        "fullDescription": { "text": first_section(doc.body) },
        "help": { "text": doc.help, "markdown": format!("{}\n{}", doc.body, how_to_suppress(doc)) },
        "defaultConfiguration": { "level": doc.severity.as_str() },
        "properties": properties,
    })
}

/// `security` for rules that find privilege problems, `suppression` for the rules about
/// suppression comments, `parse` for unreadable input.
fn tag_of(doc: &RuleDoc) -> &'static str {
    if doc.security_severity.is_some() {
        "security"
    } else if crate::suppress::UNSUPPRESSIBLE.contains(&doc.name) {
        "suppression"
    } else {
        "parse"
    }
}

fn result(
    sources: &Sources,
    diagnostic: &Diagnostic,
    rule_index: Option<usize>,
    fingerprint: String,
) -> Value {
    let related: Vec<Value> = diagnostic
        .related
        .iter()
        .enumerate()
        .map(|(index, related)| {
            let mut location = location(sources, related.span);
            location["id"] = json!(index + 1);
            location["message"] = json!({ "text": related.message });
            location
        })
        .collect();

    let mut result = json!({
        "ruleId": diagnostic.rule,
        "level": level(diagnostic.severity),
        "message": { "text": diagnostic.message },
        "locations": [location(sources, diagnostic.span)],
        "partialFingerprints": { "escalint/v1": fingerprint },
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    if !related.is_empty() {
        result["relatedLocations"] = json!(related);
    }
    result
}

fn location(sources: &Sources, span: Span) -> Value {
    let region = Region::of(sources, span);
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&sources.get(span.source).display) },
            "region": {
                "startLine": region.line,
                "startColumn": region.column,
                "endLine": region.end_line,
                "endColumn": region.end_column.max(region.column + usize::from(region.end_line == region.line)),
            }
        }
    })
}

fn level(severity: Severity) -> &'static str {
    severity.as_str()
}

/// A relative path as a URI reference: forward slashes, reserved characters percent-encoded.
fn uri(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.replace('\\', "/").bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(byte as char);
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

/// A hash of what the diagnostic is about, not where: the rule, the file, the text of the
/// flagged line and the flagged text. An edit elsewhere in the file leaves it unchanged.
pub(crate) fn fingerprint(sources: &Sources, diagnostic: &Diagnostic) -> String {
    let source = sources.get(diagnostic.span.source);
    let (line, _) = source.line_column(diagnostic.span.start);
    let line_text = source.text[source.line_range(line)].trim();
    let flagged = source
        .text
        .get(diagnostic.span.start..diagnostic.span.end)
        .unwrap_or("");

    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [diagnostic.rule, source.display.as_str(), line_text, flagged] {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// The first section of a document's body ("What it flags"), as one line of text.
fn first_section(body: &str) -> String {
    let section: Vec<&str> = body
        .lines()
        .skip_while(|line| line.trim().is_empty() || line.starts_with('#'))
        .take_while(|line| !line.starts_with("## "))
        .filter(|line| !line.starts_with("```"))
        .collect();
    section
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
