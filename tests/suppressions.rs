//! Suppression comments in both file kinds: what they cover, expiry against an injected date,
//! unused and reason-less suppressions, and how suppressed diagnostics appear in each format.
//! Tests named `compose_` need Compose services to load.

use std::path::Path;

use assert_cmd::Command;
use escalint::date::Date;
use escalint::lint::{LintOptions, LintResult, lint};
use predicates::prelude::*;

/// (line, rule, severity)
type Hit = (usize, String, String);

fn folder_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir(folder.path().join(".git")).expect("created");
    for (path, text) in files {
        std::fs::write(folder.path().join(path), text).expect("written");
    }
    folder
}

fn lint_on(folder: &Path, file: &str, today: &str) -> LintResult {
    let options = LintOptions {
        paths: vec![folder.join(file)],
        today: Some(Date::parse(today).expect("a date")),
        ..LintOptions::default()
    };
    lint(&options).expect("the run succeeds")
}

/// The diagnostics of a run, without `root-user` (see `hits`).
fn relevant(result: &LintResult) -> Vec<&escalint::diagnostic::Diagnostic> {
    result
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.rule != "root-user")
        .collect()
}

/// The diagnostics of a run, without `root-user`: the bare `FROM` lines of these inputs get its
/// note for an implicit root user, which is not what these tests are about.
fn hits(result: &LintResult) -> Vec<Hit> {
    result
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.rule != "root-user")
        .map(|diagnostic| {
            let source = result.sources.get(diagnostic.span.source);
            let (line, _) = source.line_column(diagnostic.span.start);
            (
                line,
                diagnostic.rule.to_owned(),
                diagnostic.severity.as_str().to_owned(),
            )
        })
        .collect()
}

fn hit(line: usize, rule: &str, severity: &str) -> Hit {
    (line, rule.to_owned(), severity.to_owned())
}

fn suppressed_rules(result: &LintResult) -> Vec<(&str, Option<&str>)> {
    result
        .suppressed
        .iter()
        .map(|suppressed| (suppressed.diagnostic.rule, suppressed.reason.as_deref()))
        .collect()
}

const NEXT_INSTRUCTION: &str = "FROM ubuntu:24.04\n\
# escalint ignore=setuid-bit reason=\"rootless podman needs newuidmap\"\n\
RUN chmod 4755 /usr/bin/newuidmap\n\
RUN chmod 4755 /usr/bin/newgidmap\n";

#[test]
fn a_comment_suppresses_its_rule_on_the_next_instruction_only() {
    let folder = folder_with(&[("Dockerfile", NEXT_INSTRUCTION)]);

    let result = lint_on(folder.path(), "Dockerfile", "2026-01-01");

    assert_eq!(hits(&result), vec![hit(4, "setuid-bit", "error")]);
    assert_eq!(
        suppressed_rules(&result),
        vec![("setuid-bit", Some("rootless podman needs newuidmap"))]
    );
}

#[test]
fn comments_and_blank_lines_may_stand_between_a_suppression_and_its_instruction() {
    let folder = folder_with(&[(
        "Dockerfile",
        "FROM ubuntu:24.04\n# escalint ignore=setuid-bit reason=\"newuidmap\"\n\n\
         # newuidmap must be setuid for rootless podman\nRUN chmod 4755 /usr/bin/newuidmap\n",
    )]);

    let result = lint_on(folder.path(), "Dockerfile", "2026-01-01");

    assert!(relevant(&result).is_empty(), "{:?}", hits(&result));
}

#[test]
fn one_comment_suppresses_several_rules() {
    let folder = folder_with(&[(
        "Dockerfile",
        "FROM ubuntu:24.04\nRUN chmod 4755 /usr/bin/newuidmap\n\
         # escalint ignore=no-new-privileges-missing,setuid-bit reason=\"the platform sets it\"\n\
         USER 10001\n",
    )]);

    let result = lint_on(folder.path(), "Dockerfile", "2026-01-01");

    assert_eq!(
        hits(&result),
        vec![
            hit(2, "setuid-bit", "error"),
            hit(3, "unused-suppression", "note"),
        ]
    );
    assert_eq!(
        relevant(&result)[1].message,
        "`setuid-bit` is suppressed here but not reported"
    );
    assert_eq!(
        suppressed_rules(&result),
        vec![("no-new-privileges-missing", Some("the platform sets it"))]
    );
}

#[test]
fn a_file_comment_at_the_top_suppresses_in_the_whole_file() {
    let folder = folder_with(&[(
        "Dockerfile",
        "# syntax=docker/dockerfile:1\n\
         # escalint ignore-file=setuid-bit reason=\"a base image for rootless podman\"\n\
         FROM ubuntu:24.04\nRUN chmod 4755 /usr/bin/newuidmap\nRUN chmod 4755 /usr/bin/newgidmap\n",
    )]);

    let result = lint_on(folder.path(), "Dockerfile", "2026-01-01");

    assert!(relevant(&result).is_empty(), "{:?}", hits(&result));
    assert_eq!(result.suppressed.len(), 2);
}

#[test]
fn a_suppression_works_through_its_last_day_and_expires_after_it() {
    let folder = folder_with(&[(
        "Dockerfile",
        "FROM ubuntu:24.04\n\
         # escalint ignore=setuid-bit reason=\"until the tool is rebuilt\" until=2027-06-30\n\
         RUN chmod 4755 /usr/local/bin/tool\n",
    )]);

    let last_day = lint_on(folder.path(), "Dockerfile", "2027-06-30");
    let day_after = lint_on(folder.path(), "Dockerfile", "2027-07-01");

    assert!(relevant(&last_day).is_empty());
    assert_eq!(hits(&day_after), vec![hit(3, "setuid-bit", "error")]);
    let note = &relevant(&day_after)[0].related[0];
    assert_eq!(note.message, "the suppression here expired on 2027-06-30");
    let source = day_after.sources.get(note.span.source);
    assert_eq!(source.line_column(note.span.start), (2, 1));
    assert!(day_after.suppressed.is_empty());
}

#[test]
fn a_suppression_without_a_reason_is_reported_only_when_reasons_are_required() {
    let dockerfile = "FROM ubuntu:24.04\n# escalint ignore=setuid-bit\n\
                      RUN chmod 4755 /usr/bin/newuidmap\n";
    let lenient = folder_with(&[("Dockerfile", dockerfile)]);
    let strict = folder_with(&[
        ("Dockerfile", dockerfile),
        ("escalint.toml", "require-reason = true\n"),
    ]);

    let lenient_result = lint_on(lenient.path(), "Dockerfile", "2026-01-01");
    let strict_result = lint_on(strict.path(), "Dockerfile", "2026-01-01");

    assert!(relevant(&lenient_result).is_empty());
    assert_eq!(
        hits(&strict_result),
        vec![hit(2, "suppression-without-reason", "warning")]
    );
    assert_eq!(
        relevant(&strict_result)[0].message,
        "the suppression of `setuid-bit` gives no reason; add `reason=\"...\"`"
    );
    assert_eq!(strict_result.suppressed.len(), 1);
}

#[test]
fn a_suppression_of_a_rule_turned_off_is_unused_and_says_why() {
    let folder = folder_with(&[
        ("Dockerfile", NEXT_INSTRUCTION),
        ("escalint.toml", "ignore = [\"setuid-bit\"]\n"),
    ]);

    let result = lint_on(folder.path(), "Dockerfile", "2026-01-01");

    assert_eq!(hits(&result), vec![hit(2, "unused-suppression", "note")]);
    assert_eq!(
        relevant(&result)[0].message,
        "`setuid-bit` is suppressed here but is off in the configuration"
    );
}

#[test]
fn unused_suppressions_follow_the_configured_severity() {
    let folder = folder_with(&[
        (
            "Dockerfile",
            "FROM ubuntu:24.04\n# escalint ignore=setuid-bit reason=\"old\"\nRUN true\n",
        ),
        (
            "escalint.toml",
            "[severity]\nunused-suppression = \"error\"\n",
        ),
    ]);

    let result = lint_on(folder.path(), "Dockerfile", "2026-01-01");

    assert_eq!(hits(&result), vec![hit(2, "unused-suppression", "error")]);
}

fn escalint() -> Command {
    let mut command = Command::cargo_bin("escalint").expect("the binary is built");
    command.env("NO_COLOR", "1");
    command
}

#[test]
fn suppressed_diagnostics_are_absent_from_human_and_json_output() {
    let folder = folder_with(&[("Dockerfile", NEXT_INSTRUCTION)]);

    escalint()
        .current_dir(folder.path())
        .args(["check", "Dockerfile"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("newgidmap"))
        .stdout(predicate::str::contains("newuidmap").not());
    let output = escalint()
        .current_dir(folder.path())
        .args(["check", "--format", "json", "Dockerfile"])
        .output()
        .expect("the binary runs");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");

    let setuid: Vec<&serde_json::Value> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|diagnostic| diagnostic["rule"] == "setuid-bit")
        .collect();
    assert_eq!(setuid.len(), 1);
    assert_eq!(setuid[0]["line"], 4);
}

#[test]
fn suppressed_diagnostics_are_in_sarif_with_their_justification() {
    let folder = folder_with(&[("Dockerfile", NEXT_INSTRUCTION)]);

    let output = escalint()
        .current_dir(folder.path())
        .args(["check", "--format", "sarif", "Dockerfile"])
        .output()
        .expect("the binary runs");
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");

    let results: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|result| result["ruleId"] == "setuid-bit")
        .collect();
    assert_eq!(results.len(), 2);
    let suppressed: Vec<&serde_json::Value> = results
        .iter()
        .copied()
        .filter(|result| result.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(
        suppressed[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert_eq!(
        suppressed[0]["suppressions"],
        serde_json::json!([{
            "kind": "inSource",
            "justification": "rootless podman needs newuidmap",
        }])
    );
}

#[test]
fn the_today_option_decides_expiry_on_the_command_line() {
    let folder = folder_with(&[(
        "Dockerfile",
        "FROM ubuntu:24.04\n# escalint ignore=setuid-bit reason=\"temporary\" until=2027-06-30\n\
         RUN chmod 4755 /usr/local/bin/tool\n",
    )]);

    escalint()
        .current_dir(folder.path())
        .args(["check", "--today", "2027-06-01", "Dockerfile"])
        .assert()
        .code(0);
    escalint()
        .current_dir(folder.path())
        .args(["check", "--today", "2027-07-01", "Dockerfile"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "the suppression here expired on 2027-06-30",
        ));
}

const COMPOSE: &str = "services:
  # escalint ignore=cap-drop-all-missing,no-new-privileges-missing reason=\"vendor image\"
  vendor:
    image: registry.example/vendor:3
    user: \"1000\"
  api:
    image: registry.example/api:1.4
    # escalint ignore=no-new-privileges-missing reason=\"the platform sets it\" until=2027-06-30
    user: \"10001\"
    cap_drop: [ALL]
  web:
    image: registry.example/web:2.0
    user: \"101\"
    cap_drop: [ALL]
";

#[test]
fn compose_comments_suppress_inside_the_key_below_them() {
    let folder = folder_with(&[("compose.yaml", COMPOSE)]);

    let result = lint_on(folder.path(), "compose.yaml", "2026-01-01");

    assert_eq!(
        hits(&result),
        vec![hit(13, "no-new-privileges-missing", "warning")]
    );
    assert_eq!(
        suppressed_rules(&result),
        vec![
            ("cap-drop-all-missing", Some("vendor image")),
            ("no-new-privileges-missing", Some("vendor image")),
            ("no-new-privileges-missing", Some("the platform sets it")),
        ]
    );
}

#[test]
fn compose_suppression_expires() {
    let folder = folder_with(&[("compose.yaml", COMPOSE)]);

    let result = lint_on(folder.path(), "compose.yaml", "2027-07-01");

    assert_eq!(
        hits(&result),
        vec![
            hit(9, "no-new-privileges-missing", "warning"),
            hit(13, "no-new-privileges-missing", "warning"),
        ]
    );
    assert_eq!(
        relevant(&result)[0].related[0].message,
        "the suppression here expired on 2027-06-30"
    );
}

#[test]
fn compose_file_comment_suppresses_in_the_whole_file() {
    let text = format!(
        "# escalint ignore-file=cap-drop-all-missing reason=\"the platform drops them\"\n{}",
        "services:\n  web:\n    image: nginx:1.27\n  db:\n    image: postgres:17\n"
    );
    let folder = folder_with(&[("compose.yaml", &text)]);

    let result = lint_on(folder.path(), "compose.yaml", "2026-01-01");

    assert!(relevant(&result).is_empty(), "{:?}", hits(&result));
    assert_eq!(result.suppressed.len(), 2);
}

#[test]
fn compose_suppression_without_reason_is_reported_when_required() {
    let folder = folder_with(&[
        (
            "compose.yaml",
            "services:\n  # escalint ignore=cap-drop-all-missing\n  web:\n    image: nginx:1.27\n",
        ),
        ("escalint.toml", "require-reason = true\n"),
    ]);

    let result = lint_on(folder.path(), "compose.yaml", "2026-01-01");

    assert_eq!(
        hits(&result),
        vec![hit(2, "suppression-without-reason", "warning")]
    );
}
