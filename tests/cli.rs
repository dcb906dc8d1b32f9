//! The binary as users and scripts run it: exit codes, formats, standard input, `rules` and
//! `explain`.

use assert_cmd::Command;
use predicates::prelude::*;

fn escalint() -> Command {
    let mut command = Command::cargo_bin("escalint").expect("the binary is built");
    command.env("NO_COLOR", "1");
    command
}

#[test]
fn seed_example_reports_both_diagnostics_and_exits_1() {
    escalint()
        .args(["check", "fixtures/setuid-bit/seed-setuid-shell/Dockerfile"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "error[setuid-bit]: `4755` makes `/bin/setuidbash` setuid root",
        ))
        .stdout(predicate::str::contains("[no-new-privileges-missing]"));
}

#[test]
fn clean_file_exits_0() {
    escalint()
        .args(["check", "fixtures/unconfined-profile/clean/compose.yaml"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("no problems found in 1 file"));
}

#[test]
fn missing_path_exits_2_and_names_it() {
    escalint()
        .args(["check", "does/not/exist/Dockerfile"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read does/not/exist/Dockerfile",
        ));
}

#[test]
fn unknown_format_is_a_usage_error() {
    escalint()
        .args(["check", "--format", "xml", "fixtures"])
        .assert()
        .code(2);
}

#[test]
fn fail_on_error_ignores_warnings() {
    escalint()
        .args([
            "check",
            "--fail-on",
            "error",
            "fixtures/no-new-privileges-missing/dockerfile-user",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "warning[no-new-privileges-missing]",
        ));
}

#[test]
fn json_output_has_the_documented_fields() {
    let output = escalint()
        .args([
            "check",
            "--format",
            "json",
            "fixtures/setuid-bit/seed-setuid-shell",
        ])
        .output()
        .expect("the binary runs");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");

    assert_eq!(json["version"], 1);
    let first = &json["diagnostics"][0];
    assert_eq!(first["rule"], "setuid-bit");
    assert_eq!(first["severity"], "error");
    assert_eq!(
        first["file"],
        "fixtures/setuid-bit/seed-setuid-shell/Dockerfile"
    );
    assert_eq!(first["line"], 3);
    assert_eq!(first["column"], 43);
    assert_eq!(first["end_line"], 3);
    assert_eq!(first["end_column"], 47);
    assert!(
        first["help"]
            .as_str()
            .is_some_and(|help| help.contains("chmod 0755"))
    );
    let second = &json["diagnostics"][1];
    assert_eq!(second["rule"], "no-new-privileges-missing");
    assert_eq!(second["severity"], "error");
    assert_eq!(second["related"][0]["line"], 3);
}

#[test]
fn standard_input_takes_kind_and_path_from_stdin_filename() {
    escalint()
        .args([
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "web/compose.yaml",
            "-",
        ])
        .write_stdin("services:\n  web:\n    image: nginx\n    user: \"101\"\n")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"file\": \"web/compose.yaml\""))
        .stdout(predicate::str::contains(
            "\"rule\": \"cap-drop-all-missing\"",
        ))
        .stdout(predicate::str::contains(
            "\"rule\": \"no-new-privileges-missing\"",
        ));
}

#[test]
fn rules_lists_every_rule() {
    escalint()
        .arg("rules")
        .assert()
        .success()
        .stdout(predicate::str::contains("setuid-bit"))
        .stdout(predicate::str::contains("no-new-privileges-missing"))
        .stdout(predicate::str::contains("cap-drop-all-missing"))
        .stdout(predicate::str::contains("parse-error"));
}

#[test]
fn explain_prints_the_rule_document() {
    escalint()
        .args(["explain", "setuid-bit"])
        .assert()
        .success()
        .stdout(predicate::str::contains("## Why it matters"));
}

#[test]
fn explain_of_an_unknown_rule_exits_2() {
    escalint()
        .args(["explain", "setuid"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule `setuid`"));
}

#[test]
fn not_text_file_named_on_the_command_line_exits_2() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("Dockerfile");
    std::fs::write(&path, b"FROM alpine\0\n").expect("written");

    escalint()
        .arg("check")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a text file"));
}

#[test]
fn unreadable_file_in_a_walk_is_reported_and_the_run_goes_on() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(folder.path().join("Dockerfile"), b"FROM alpine\0\n").expect("written");
    std::fs::create_dir(folder.path().join("app")).expect("created");
    std::fs::write(
        folder.path().join("app/Dockerfile"),
        "FROM alpine\nUSER 10001\n",
    )
    .expect("written");

    escalint()
        .arg("check")
        .arg(folder.path())
        .assert()
        .code(2)
        .stdout(predicate::str::contains("no-new-privileges-missing"))
        .stderr(predicate::str::contains("not a text file"));
}

#[test]
fn walk_finds_hidden_folders_and_honours_gitignore_in_a_checkout() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let root = folder.path();
    for (path, text) in [
        (".git/HEAD", "ref: refs/heads/main\n"),
        (".gitignore", "build/\n"),
        (".devcontainer/Dockerfile", "FROM alpine\nUSER 10001\n"),
        ("build/Dockerfile", "FROM alpine\nUSER 10002\n"),
        ("api.Dockerfile.dockerignore", "FROM alpine\nUSER 10003\n"),
    ] {
        std::fs::create_dir_all(root.join(path).parent().expect("a parent")).expect("created");
        std::fs::write(root.join(path), text).expect("written");
    }

    escalint()
        .current_dir(root)
        .args(["check", "--format", "json", "."])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "\"file\": \".devcontainer/Dockerfile\"",
        ))
        .stdout(predicate::str::contains("build/Dockerfile").not())
        .stdout(predicate::str::contains("dockerignore").not());
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_reported_and_the_run_goes_on() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let root = folder.path();
    std::fs::create_dir(root.join("app")).expect("created");
    std::fs::write(root.join("app/Dockerfile"), "FROM alpine\nUSER 10001\n").expect("written");
    std::os::unix::fs::symlink(root, root.join("app/loop")).expect("linked");

    escalint()
        .arg("check")
        .arg(root)
        .assert()
        .code(2)
        .stdout(predicate::str::contains("no-new-privileges-missing"))
        .stderr(predicate::str::contains("loop"));
}
