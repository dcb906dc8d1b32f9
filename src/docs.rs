//! The rule documents in `rules/*.md`, embedded in the binary: their headers give each rule's
//! name, default severity, summary and help line; their bodies feed `explain` and SARIF help.

use crate::diagnostic::Severity;

/// One rule's document.
#[derive(Debug, Clone)]
pub struct RuleDoc {
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub help: &'static str,
    /// The file kinds the rule reads: `dockerfile`, `compose`.
    pub targets: Vec<&'static str>,
    /// The CVSS-like score code scanning sorts security alerts by (`security-severity`), for
    /// rules that find security problems.
    pub security_severity: Option<&'static str>,
    /// The Markdown after the header.
    pub body: &'static str,
}

/// Every rule document, by name, alphabetical.
pub const DOCUMENTS: &[(&str, &str)] = &[
    (
        "cap-drop-all-missing",
        include_str!("../rules/cap-drop-all-missing.md"),
    ),
    ("compose-schema", include_str!("../rules/compose-schema.md")),
    (
        "dangerous-capability",
        include_str!("../rules/dangerous-capability.md"),
    ),
    (
        "docker-socket-mount",
        include_str!("../rules/docker-socket-mount.md"),
    ),
    (
        "file-capability",
        include_str!("../rules/file-capability.md"),
    ),
    ("host-namespace", include_str!("../rules/host-namespace.md")),
    (
        "insecure-build-step",
        include_str!("../rules/insecure-build-step.md"),
    ),
    (
        "no-new-privileges-missing",
        include_str!("../rules/no-new-privileges-missing.md"),
    ),
    ("parse-error", include_str!("../rules/parse-error.md")),
    (
        "privileged-service",
        include_str!("../rules/privileged-service.md"),
    ),
    ("root-user", include_str!("../rules/root-user.md")),
    (
        "sensitive-host-mount",
        include_str!("../rules/sensitive-host-mount.md"),
    ),
    ("setuid-bit", include_str!("../rules/setuid-bit.md")),
    ("sudo-in-run", include_str!("../rules/sudo-in-run.md")),
    (
        "suppression-without-reason",
        include_str!("../rules/suppression-without-reason.md"),
    ),
    (
        "unconfined-profile",
        include_str!("../rules/unconfined-profile.md"),
    ),
    (
        "unused-suppression",
        include_str!("../rules/unused-suppression.md"),
    ),
];

/// The parsed document of a rule, or `None` for an unknown name.
pub fn rule_doc(name: &str) -> Option<RuleDoc> {
    let (_, text) = DOCUMENTS.iter().find(|(doc_name, _)| *doc_name == name)?;
    Some(parse(text))
}

/// Every rule's document, alphabetical.
pub fn all_rule_docs() -> Vec<RuleDoc> {
    DOCUMENTS.iter().map(|(_, text)| parse(text)).collect()
}

/// Parses a document's `---` header; the documents are part of the binary, so a malformed one is
/// a bug caught by the tests, not a user error.
fn parse(text: &'static str) -> RuleDoc {
    let rest = text
        .strip_prefix("---\n")
        .expect("rule doc starts with a `---` header");
    let (header, body) = rest
        .split_once("\n---\n")
        .expect("rule doc header ends with `---`");

    let optional_field = |key: &str| -> Option<&'static str> {
        header
            .lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
            .map(str::trim)
    };
    let field = |key: &str| -> &'static str {
        optional_field(key).unwrap_or_else(|| panic!("rule doc header has `{key}`"))
    };

    let severity = match field("severity") {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "note" => Severity::Note,
        other => panic!("rule doc severity `{other}` is not error, warning or note"),
    };

    RuleDoc {
        name: field("name"),
        severity,
        summary: field("summary"),
        help: field("help"),
        targets: field("targets")
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split(',')
            .map(str::trim)
            .filter(|target| !target.is_empty())
            .collect(),
        security_severity: optional_field("security-severity"),
        body: body.trim_start_matches('\n'),
    }
}

/// The `## How to suppress` section `explain` and SARIF help append to a rule's document:
/// generated from the rule's name and file kinds, so it cannot go stale.
pub fn how_to_suppress(doc: &RuleDoc) -> String {
    let name = doc.name;
    if crate::suppress::UNSUPPRESSIBLE.contains(&name) {
        return format!(
            "## How to suppress\n\nThis rule reports on suppression comments, so a comment \
             cannot suppress it. Turn it off or change its severity in `escalint.toml`:\n\n\
             ```toml\n[severity]\n{name} = \"off\"\n```\n"
        );
    }

    let mut text = String::from("## How to suppress\n\n");
    if doc.targets.contains(&"dockerfile") {
        text.push_str(&format!(
            "In a Dockerfile, on the line above the instruction; `ignore-file=` in the comments \
             at the top of the file covers the whole file:\n\n```dockerfile\n\
             # escalint ignore={name} reason=\"why it is acceptable here\" until=2027-06-30\n\
             ```\n\n"
        ));
    }
    if doc.targets.contains(&"compose") {
        text.push_str(&format!(
            "In a Compose file, on the line above the service or key it concerns or after the \
             key on its own line; `ignore-file=` at the top covers the whole file:\n\n\
             ```yaml\nservices:\n  \
             # escalint ignore={name} reason=\"why it is acceptable here\"\n  app:\n    \
             image: registry.example/app:1.4\n```\n\n"
        ));
    }
    text.push_str(&format!(
        "Say why in `reason=` (with `require-reason = true` in the configuration, a comment \
         without one is reported); `until=` makes the suppression expire after that day. In \
         `escalint.toml`, for every file or for the files some globs match:\n\n```toml\n\
         ignore = [\"{name}\"]\n\n[[overrides]]\nfiles = [\"legacy/**\"]\n\
         ignore = [\"{name}\"]\n```\n"
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_document_header_names_its_file() {
        for (name, _) in DOCUMENTS {
            let doc = rule_doc(name).expect("listed document parses");

            assert_eq!(doc.name, *name);
            assert!(
                !doc.summary.is_empty() && !doc.help.is_empty(),
                "{name} has a summary"
            );
        }
    }

    #[test]
    fn documents_are_listed_alphabetically() {
        let names: Vec<_> = DOCUMENTS.iter().map(|(name, _)| *name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();

        assert_eq!(names, sorted);
    }
}
