//! The CI and editor formats (`github`, `gnu`, `checkstyle`, `junit`, `gitlab`) and `--output`:
//! a snapshot of each for a mixed fixture, and a check that each parses as its readers parse it.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

const MIXED_FIXTURE: &str = "fixtures/no-new-privileges-missing/compose-build-user";

/// A Dockerfile whose messages hold XML's markup characters and quotes.
const AWKWARD_DOCKERFILE: &str =
    "FROM alpine:3.20\nRUN chmod 4755 \"/opt/a<b>&c'd\"\nUSER \"x&y\"\n";

fn escalint() -> Command {
    let mut command = Command::cargo_bin("escalint").expect("the binary is built");
    command.env("NO_COLOR", "1");
    command
}

fn report_of(format: &str, path: &Path) -> String {
    let output = escalint()
        .args(["check", "--format", format])
        .arg(path)
        .output()
        .expect("the binary runs");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{format} of {}",
        path.display()
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

fn snapshot(name: &str, format: &str, report: &str) {
    insta::with_settings!({
        snapshot_path => "snapshots/formats",
        prepend_module_to_snapshot => false,
        description => format!("escalint check --format {format} {MIXED_FIXTURE}"),
    }, {
        insta::assert_snapshot!(name, report);
    });
}

fn awkward_folder() -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(folder.path().join("Dockerfile"), AWKWARD_DOCKERFILE).expect("written");
    folder
}

#[test]
fn github_format_is_one_workflow_command_per_diagnostic() {
    let report = report_of("github", Path::new(MIXED_FIXTURE));
    snapshot("github", "github", &report);

    let command = regex::Regex::new(
        r"^::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=escalint \([a-z-]+\)::[^\r\n]+$",
    )
    .expect("the pattern compiles");
    assert_eq!(report.lines().count(), 2);
    for line in report.lines() {
        assert!(command.is_match(line), "not a workflow command: {line}");
    }
}

#[test]
fn github_format_escapes_property_separators() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let app = folder.path().join("a,b:c");
    std::fs::create_dir(&app).expect("created");
    std::fs::write(app.join("Dockerfile"), "FROM alpine\nUSER 10001\n").expect("written");

    let report = report_of("github", &app.join("Dockerfile"));

    assert!(report.contains("a%2Cb%3Ac/Dockerfile,line=2,"), "{report}");
}

#[test]
fn gnu_format_is_one_compiler_style_line_per_diagnostic() {
    let report = report_of("gnu", Path::new(MIXED_FIXTURE));
    snapshot("gnu", "gnu", &report);

    let line_pattern =
        regex::Regex::new(r"^[^:]+:\d+:\d+: (error|warning|note): [^\n]+ \[[a-z-]+\]$")
            .expect("the pattern compiles");
    assert_eq!(report.lines().count(), 2);
    for line in report.lines() {
        assert!(line_pattern.is_match(line), "not a GNU line: {line}");
    }
}

#[test]
fn checkstyle_format_parses_as_xml_with_one_error_per_diagnostic() {
    let report = report_of("checkstyle", Path::new(MIXED_FIXTURE));
    snapshot("checkstyle", "checkstyle", &report);

    let document = roxmltree::Document::parse(&report).expect("well-formed XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "checkstyle");
    let files: Vec<_> = root.children().filter(|node| node.is_element()).collect();
    assert_eq!(files.len(), 2);
    let error = files[0]
        .children()
        .find(|node| node.has_tag_name("error"))
        .expect("an error");
    assert_eq!(error.attribute("line"), Some("4"));
    assert_eq!(error.attribute("column"), Some("11"));
    assert_eq!(error.attribute("severity"), Some("error"));
    assert_eq!(error.attribute("source"), Some("escalint.setuid-bit"));
}

#[test]
fn junit_format_parses_as_xml_with_one_failure_per_diagnostic() {
    let report = report_of("junit", Path::new(MIXED_FIXTURE));
    snapshot("junit", "junit", &report);

    let document = roxmltree::Document::parse(&report).expect("well-formed XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("2"));
    assert_eq!(root.attribute("failures"), Some("2"));
    let failures: Vec<_> = root
        .descendants()
        .filter(|node| node.has_tag_name("failure"))
        .collect();
    assert_eq!(failures.len(), 2);
    assert_eq!(
        failures[0].attribute("message"),
        Some("`u+s` makes `/bin/busybox` setuid root")
    );
    assert!(
        failures[0]
            .text()
            .is_some_and(|text| text.contains("\nhelp: Remove the setuid"))
    );
}

#[test]
fn junit_of_a_clean_run_is_one_passed_case() {
    let output = escalint()
        .args([
            "check",
            "--format",
            "junit",
            "fixtures/no-new-privileges-missing/compose-options-set",
        ])
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(0));

    let report = String::from_utf8(output.stdout).expect("UTF-8 output");
    let document = roxmltree::Document::parse(&report).expect("well-formed XML");
    let cases = document
        .descendants()
        .filter(|node| node.has_tag_name("testcase"))
        .count();
    let failures = document
        .descendants()
        .filter(|node| node.has_tag_name("failure"))
        .count();
    assert_eq!((cases, failures), (1, 0));
}

#[test]
fn xml_formats_keep_markup_characters_in_messages_intact() {
    let folder = awkward_folder();
    let path = folder.path().join("Dockerfile");

    for format in ["checkstyle", "junit"] {
        let report = report_of(format, &path);
        let document = roxmltree::Document::parse(&report)
            .unwrap_or_else(|err| panic!("{format} is not well-formed XML: {err}\n{report}"));

        let messages: Vec<&str> = document
            .descendants()
            .filter_map(|node| node.attribute("message"))
            .collect();
        assert!(
            messages.contains(&"`4755` makes `/opt/a<b>&c'd` setuid root"),
            "{format}: {messages:?}"
        );
        assert!(
            messages.iter().any(|message| message.contains("`x&y`")),
            "{format}: {messages:?}"
        );
    }
}

#[test]
fn gitlab_format_has_the_documented_fields() {
    let report = report_of("gitlab", Path::new(MIXED_FIXTURE));
    snapshot("gitlab", "gitlab", &report);

    let issues: serde_json::Value = serde_json::from_str(&report).expect("valid JSON");
    let issues = issues.as_array().expect("an array of issues");
    assert_eq!(issues.len(), 2);
    for issue in issues {
        let mut keys: Vec<&str> = issue
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "categories",
                "check_name",
                "content",
                "description",
                "fingerprint",
                "location",
                "severity",
                "type"
            ]
        );
        assert_eq!(issue["type"], "issue");
        assert!(issue["location"]["path"].is_string());
        assert!(issue["location"]["lines"]["begin"].is_u64());
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&issue["severity"].as_str().expect("a severity"))
        );
    }
    assert_eq!(issues[0]["check_name"], "setuid-bit");
    assert_eq!(issues[0]["location"]["lines"]["begin"], 4);
}

#[test]
fn gitlab_fingerprints_differ_for_identical_lines() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("Dockerfile");
    std::fs::write(
        &path,
        "FROM alpine\nRUN chmod u+s /bin/a\nRUN chmod u+s /bin/a\n",
    )
    .expect("written");

    let issues: serde_json::Value =
        serde_json::from_str(&report_of("gitlab", &path)).expect("valid JSON");
    let fingerprints: Vec<&str> = issues
        .as_array()
        .expect("an array")
        .iter()
        .filter(|issue| issue["check_name"] == "setuid-bit")
        .map(|issue| issue["fingerprint"].as_str().expect("a fingerprint"))
        .collect();

    assert_eq!(fingerprints.len(), 2);
    assert_ne!(fingerprints[0], fingerprints[1]);
}

#[test]
fn output_writes_the_report_to_the_file_and_the_summary_to_standard_error() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let report = folder.path().join("escalint.sarif");

    escalint()
        .args(["check", "--format", "sarif", "--output"])
        .arg(&report)
        .arg(MIXED_FIXTURE)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("found 2 errors in 2 files"));

    let text = std::fs::read_to_string(&report).expect("the report is written");
    let sarif: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(2)
    );
    let entries = std::fs::read_dir(folder.path()).expect("listable").count();
    assert_eq!(entries, 1, "no temporary file is left beside the report");
}

#[test]
fn output_into_a_missing_folder_exits_2_and_writes_nothing() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let report = folder.path().join("absent/report.json");

    escalint()
        .args(["check", "--format", "json", "--output"])
        .arg(&report)
        .arg(MIXED_FIXTURE)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot write the report to"));

    assert!(!report.exists());
}

#[test]
fn human_output_to_a_file_has_no_colour() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let report = folder.path().join("report.txt");

    Command::cargo_bin("escalint")
        .expect("the binary is built")
        .env("CLICOLOR_FORCE", "1")
        .args(["check", "--output"])
        .arg(&report)
        .arg(MIXED_FIXTURE)
        .assert()
        .code(1);

    let text = std::fs::read_to_string(&report).expect("the report is written");
    assert!(text.contains("error[setuid-bit]"));
    assert!(!text.contains('\u{1b}'), "escape codes in {text}");
}

#[test]
fn gitlab_fields_are_the_ones_docs_output_md_lists() {
    let report = report_of("gitlab", Path::new(MIXED_FIXTURE));
    let issues: serde_json::Value = serde_json::from_str(&report).expect("valid JSON");
    let mut emitted = Vec::new();
    flatten_keys(&issues[0], "", &mut emitted);
    emitted.sort();

    let document =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/output.md"))
            .expect("docs/output.md is readable");
    let section = document
        .split("\n## ")
        .find(|section| section.starts_with("`gitlab`"))
        .expect("docs/output.md has a `gitlab` section");
    let mut documented: Vec<String> = section
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .flat_map(|row| {
            let names = row.split(" |").next().unwrap_or("");
            names
                .split(", ")
                .map(|name| name.trim_matches('`').to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    documented.sort();

    assert_eq!(emitted, documented);
}

/// Dotted paths of an object's leaves: `location.lines.begin`; arrays count as leaves.
fn flatten_keys(value: &serde_json::Value, prefix: &str, keys: &mut Vec<String>) {
    let Some(object) = value.as_object() else {
        keys.push(prefix.to_owned());
        return;
    };
    for (key, value) in object {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        flatten_keys(value, &path, keys);
    }
}

/// A folder holding `good/Dockerfile` (one diagnostic, `root-user` at 1:1) and `bad/Dockerfile`
/// (invalid UTF-8 at 2:10); reports of it are run in the folder with `missing` named too, so
/// paths are relative.
fn folder_with_an_unreadable_file() -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("a temporary folder");
    for (path, text) in [
        ("good/Dockerfile", &b"FROM alpine\n"[..]),
        ("bad/Dockerfile", &b"FROM alpine\nRUN echo \xff\n"[..]),
    ] {
        let path = folder.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("created");
        std::fs::write(path, text).expect("written");
    }
    folder
}

/// The report of `good`, `bad` and `missing` in `folder`, which exits 2.
fn report_with_failures_of(format: &str, folder: &Path) -> String {
    let output = escalint()
        .current_dir(folder)
        .args([
            "check",
            "--isolated",
            "--format",
            format,
            "good",
            "bad",
            "missing",
        ])
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2), "{format}");
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

const BAD_MESSAGE: &str =
    "cannot read bad/Dockerfile: not a text file (invalid UTF-8 at line 2, column 10)";
const MISSING_MESSAGE: &str = "cannot read missing: No such file or directory (os error 2)";

#[test]
fn gnu_and_github_formats_end_with_a_line_per_file_that_could_not_be_read() {
    let folder = folder_with_an_unreadable_file();

    let gnu = report_with_failures_of("gnu", folder.path());
    let github = report_with_failures_of("github", folder.path());

    let gnu: Vec<&str> = gnu.lines().collect();
    assert_eq!(
        gnu[1..],
        [
            format!("bad/Dockerfile:2:10: error: {BAD_MESSAGE}"),
            format!("missing: error: {MISSING_MESSAGE}"),
        ]
    );
    assert!(gnu[0].starts_with("good/Dockerfile:1:1: note: "), "{gnu:?}");
    let github: Vec<&str> = github.lines().collect();
    assert_eq!(
        github[1..],
        [
            format!("::error file=bad/Dockerfile,line=2,col=10,title=escalint::{BAD_MESSAGE}"),
            format!("::error file=missing,title=escalint::{MISSING_MESSAGE}"),
        ]
    );
}

#[test]
fn checkstyle_gives_a_file_that_could_not_be_read_an_error_of_its_own() {
    let folder = folder_with_an_unreadable_file();

    let report = report_with_failures_of("checkstyle", folder.path());

    let document = roxmltree::Document::parse(&report).expect("well-formed XML");
    // Each error as `file: name=value ...`, its attributes in the order written.
    let errors: Vec<String> = document
        .descendants()
        .filter(|node| node.has_tag_name("error"))
        .map(|error| {
            let file = error
                .parent_element()
                .and_then(|file| file.attribute("name"));
            let attributes: Vec<String> = error
                .attributes()
                .map(|attribute| format!("{}={}", attribute.name(), attribute.value()))
                .collect();
            format!("{}: {}", file.unwrap_or("?"), attributes.join(" "))
        })
        .collect();
    assert_eq!(errors.len(), 3, "{report}");
    assert!(errors[0].starts_with("good/Dockerfile: "), "{errors:?}");
    assert_eq!(
        errors[1..],
        [
            format!(
                "bad/Dockerfile: line=2 column=10 severity=error message={BAD_MESSAGE} \
                 source=escalint"
            ),
            format!("missing: severity=error message={MISSING_MESSAGE} source=escalint"),
        ]
    );
}

#[test]
fn junit_counts_a_file_that_could_not_be_read_as_a_test_in_error() {
    let folder = folder_with_an_unreadable_file();

    let report = report_with_failures_of("junit", folder.path());

    let document = roxmltree::Document::parse(&report).expect("well-formed XML");
    let root = document.root_element();
    let counts = ["tests", "failures", "errors"].map(|name| root.attribute(name));
    assert_eq!(counts, [Some("3"), Some("1"), Some("2")]);
    let errors: Vec<(Option<&str>, Option<&str>)> = document
        .descendants()
        .filter(|node| node.has_tag_name("error"))
        .map(|error| {
            let case = error
                .parent_element()
                .and_then(|case| case.attribute("name"));
            (case, error.attribute("message"))
        })
        .collect();
    assert_eq!(
        errors,
        [
            (Some("read bad/Dockerfile"), Some(BAD_MESSAGE)),
            (Some("read missing"), Some(MISSING_MESSAGE)),
        ]
    );
    assert!(!report.contains("no problems found"), "{report}");
}

#[test]
fn gitlab_leaves_files_that_could_not_be_read_to_the_exit_code() {
    let folder = folder_with_an_unreadable_file();

    let report = report_with_failures_of("gitlab", folder.path());

    let issues: serde_json::Value = serde_json::from_str(&report).expect("valid JSON");
    let paths: Vec<&str> = issues
        .as_array()
        .expect("an array of issues")
        .iter()
        .map(|issue| issue["location"]["path"].as_str().expect("a path"))
        .collect();
    assert_eq!(paths, ["good/Dockerfile"]);
}

#[test]
fn json_lists_the_files_that_could_not_be_read() {
    let folder = folder_with_an_unreadable_file();

    let report = report_with_failures_of("json", folder.path());

    let json: serde_json::Value = serde_json::from_str(&report).expect("valid JSON");
    assert_eq!(json["diagnostics"][0]["file"], "good/Dockerfile");
    assert_eq!(
        json["failures"],
        serde_json::json!([
            { "file": "bad/Dockerfile", "line": 2, "column": 10, "message": BAD_MESSAGE },
            { "file": "missing", "line": null, "column": null, "message": MISSING_MESSAGE },
        ])
    );
}
