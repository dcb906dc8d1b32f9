//! Baselines end to end: write one, edit the files, and read it back. Fingerprints ignore line
//! numbers, so an unrelated edit above a recorded diagnostic leaves it recorded.

use assert_cmd::Command;
use predicates::prelude::*;

fn escalint() -> Command {
    let mut command = Command::cargo_bin("escalint").expect("the binary is built");
    command.env("NO_COLOR", "1");
    command
}

fn repository(files: &[(&str, &str)]) -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir(folder.path().join(".git")).expect("created");
    for (path, text) in files {
        let path = folder.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("created");
        std::fs::write(path, text).expect("written");
    }
    folder
}

const API: &str = "FROM alpine:3.20 AS build\nRUN chmod 4755 /usr/local/bin/tool\n\
                   FROM alpine:3.20\nCOPY --from=build /usr/local/bin/tool /usr/local/bin/\n\
                   USER 10001\n";

fn json_rules(output: &std::process::Output) -> Vec<(String, u64)> {
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|diagnostic| {
            (
                diagnostic["rule"].as_str().expect("a rule").to_owned(),
                diagnostic["line"].as_u64().expect("a line"),
            )
        })
        .collect()
}

#[test]
fn a_written_baseline_hides_todays_diagnostics_after_lines_shift() {
    let repo = repository(&[("services/api/Dockerfile", API)]);

    escalint()
        .current_dir(repo.path())
        .args(["check", "--write-baseline", "escalint-baseline.json", "."])
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains(
            "wrote 2 entries to escalint-baseline.json",
        ));
    let written = std::fs::read_to_string(repo.path().join("escalint-baseline.json"))
        .expect("the baseline is written");
    assert!(
        written.contains("\"file\": \"services/api/Dockerfile\""),
        "{written}"
    );
    assert!(written.contains("\"scope\": \"stage build\""), "{written}");
    assert!(!written.contains("\"line\""), "{written}");

    let shifted = format!("# syntax=docker/dockerfile:1\n\n# The API image.\n{API}");
    std::fs::write(repo.path().join("services/api/Dockerfile"), shifted).expect("written");

    escalint()
        .current_dir(repo.path())
        .args(["check", "--baseline", "escalint-baseline.json", "."])
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains("no problems found in 1 file"));
}

#[test]
fn a_baseline_reports_new_diagnostics_and_lists_entries_that_no_longer_match() {
    let repo = repository(&[("api/Dockerfile", API)]);
    escalint()
        .current_dir(repo.path())
        .args(["check", "--write-baseline", "baseline.json", "."])
        .assert()
        .code(0);

    let edited = "FROM alpine:3.20 AS build\nRUN chmod 0755 /usr/local/bin/tool\n\
                  FROM alpine:3.20\nCOPY --from=build /usr/local/bin/tool /usr/local/bin/\n\
                  RUN chmod u+s /usr/bin/newuidmap\nUSER 10001\n";
    std::fs::write(repo.path().join("api/Dockerfile"), edited).expect("written");
    let output = escalint()
        .current_dir(repo.path())
        .args([
            "check",
            "--format",
            "json",
            "--baseline",
            "baseline.json",
            ".",
        ])
        .output()
        .expect("the binary runs");

    assert_eq!(output.status.code(), Some(1));
    // The `USER` instruction is the same one in the same stage: still recorded.
    assert_eq!(json_rules(&output), vec![("setuid-bit".to_owned(), 5)]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("1 entry in baseline.json no longer matches"),
        "{stderr}"
    );
    assert!(
        stderr.contains("api/Dockerfile: setuid-bit (stage build): `4755` makes"),
        "{stderr}"
    );
}

#[test]
fn a_baseline_entry_counts_once_for_identical_diagnostics() {
    let two = "FROM alpine:3.20\nRUN chmod 4755 /usr/bin/a\nRUN chmod 4755 /usr/bin/a\n";
    let three = "FROM alpine:3.20\nRUN chmod 4755 /usr/bin/a\nRUN chmod 4755 /usr/bin/a\n\
                 RUN chmod 4755 /usr/bin/a\n";
    let repo = repository(&[("Dockerfile", two)]);
    escalint()
        .current_dir(repo.path())
        .args(["check", "--write-baseline", "baseline.json", "Dockerfile"])
        .assert()
        .code(0);

    std::fs::write(repo.path().join("Dockerfile"), three).expect("written");
    let output = escalint()
        .current_dir(repo.path())
        .args([
            "check",
            "--format",
            "json",
            "--baseline",
            "baseline.json",
            "Dockerfile",
        ])
        .output()
        .expect("the binary runs");

    assert_eq!(json_rules(&output).len(), 1);
}

#[test]
fn a_baseline_is_read_relative_to_its_own_folder() {
    let repo = repository(&[("app/Dockerfile", API)]);
    std::fs::create_dir(repo.path().join("ci")).expect("created");
    escalint()
        .current_dir(repo.path())
        .args(["check", "--write-baseline", "ci/baseline.json", "app"])
        .assert()
        .code(0);

    escalint()
        .current_dir(repo.path().join("app"))
        .args(["check", "--baseline", "../ci/baseline.json", "Dockerfile"])
        .assert()
        .code(0);
}

#[test]
fn sarif_with_a_baseline_marks_reported_results_new() {
    let repo = repository(&[("Dockerfile", "FROM alpine:3.20\nUSER 10001\n")]);
    std::fs::write(
        repo.path().join("baseline.json"),
        "{\"version\": 1, \"entries\": []}\n",
    )
    .expect("written");

    let output = escalint()
        .current_dir(repo.path())
        .args([
            "check",
            "--format",
            "sarif",
            "--baseline",
            "baseline.json",
            ".",
        ])
        .output()
        .expect("the binary runs");
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");

    assert_eq!(sarif["runs"][0]["results"][0]["baselineState"], "new");
}

#[test]
fn an_unreadable_baseline_exits_2() {
    let repo = repository(&[
        ("Dockerfile", "FROM alpine:3.20\n"),
        ("baseline.json", "[]"),
    ]);

    escalint()
        .current_dir(repo.path())
        .args(["check", "--baseline", "baseline.json", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "baseline baseline.json: not a baseline",
        ));
}
