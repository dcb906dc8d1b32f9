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

/// A Dockerfile with one setuid step: `setuid-bit` at 2:11.
const SETUID_DOCKERFILE: &str = "FROM alpine\nRUN chmod 4755 /bin/x\n";

/// A folder holding `good/Dockerfile` ([`SETUID_DOCKERFILE`]).
fn folder_with_a_good_dockerfile() -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir(folder.path().join("good")).expect("created");
    std::fs::write(folder.path().join("good/Dockerfile"), SETUID_DOCKERFILE).expect("written");
    folder
}

/// Runs `check --isolated --format gnu ARGS` in `folder`: the exit code, standard output and
/// the lines of standard error.
fn gnu_check_in(folder: &std::path::Path, args: &[&str]) -> (Option<i32>, String, Vec<String>) {
    let output = escalint()
        .current_dir(folder)
        .args(["check", "--isolated", "--format", "gnu"])
        .args(args)
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr.lines().map(str::to_owned).collect(),
    )
}

#[test]
fn a_missing_named_path_is_reported_and_the_other_named_paths_are_linted() {
    let folder = folder_with_a_good_dockerfile();

    let (code, stdout, stderr) = gnu_check_in(folder.path(), &["nope", "good"]);

    assert_eq!(code, Some(2));
    assert!(
        stdout.contains("good/Dockerfile:2:11: error: `4755` makes `/bin/x` setuid root"),
        "{stdout}"
    );
    assert_eq!(
        stderr[0],
        "escalint: error: cannot read nope: No such file or directory (os error 2)"
    );
    assert_eq!(
        stderr[1],
        "1 file could not be read; found 1 error, 1 note in the 1 other file; 1 fixable with \
         `--fix --unsafe-fixes`"
    );
    assert_eq!(stderr.len(), 2, "{stderr:?}");
}

#[test]
fn a_named_file_that_is_not_text_is_reported_with_its_position_and_the_run_goes_on() {
    let folder = folder_with_a_good_dockerfile();
    std::fs::create_dir(folder.path().join("latin1")).expect("created");
    std::fs::write(
        folder.path().join("latin1/Dockerfile"),
        b"FROM alpine\nRUN echo \xe9t\xe9\n",
    )
    .expect("written");

    let (code, stdout, stderr) =
        gnu_check_in(folder.path(), &["latin1/Dockerfile", "good/Dockerfile"]);

    assert_eq!(code, Some(2));
    assert!(stdout.contains("good/Dockerfile:2:11:"), "{stdout}");
    assert_eq!(
        stderr[0],
        "escalint: error: cannot read latin1/Dockerfile: not a text file (invalid UTF-8 at line \
         2, column 10)"
    );
}

#[cfg(unix)]
#[test]
fn a_named_symbolic_link_loop_is_reported_and_the_run_goes_on() {
    let folder = folder_with_a_good_dockerfile();
    std::os::unix::fs::symlink("Containerfile", folder.path().join("Dockerfile")).expect("linked");
    std::os::unix::fs::symlink("Dockerfile", folder.path().join("Containerfile")).expect("linked");

    let (code, stdout, stderr) = gnu_check_in(folder.path(), &["Dockerfile", "good"]);

    assert_eq!(code, Some(2));
    assert!(stdout.contains("good/Dockerfile:2:11:"), "{stdout}");
    assert!(
        stderr[0].starts_with("escalint: error: cannot read Dockerfile: "),
        "{stderr:?}"
    );
}

#[test]
fn a_folder_in_the_place_of_the_override_file_is_reported_and_the_project_linted() {
    let folder = folder_with_a_good_dockerfile();
    std::fs::write(
        folder.path().join("compose.yaml"),
        "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n",
    )
    .expect("written");
    std::fs::create_dir(folder.path().join("compose.override.yaml")).expect("created");

    let (code, stdout, stderr) = gnu_check_in(folder.path(), &["."]);

    assert_eq!(code, Some(2));
    assert!(stdout.contains("compose.yaml:4:17: error:"), "{stdout}");
    assert!(
        stdout.contains(
            "compose.override.yaml: error: cannot read compose.override.yaml: a folder, not a file"
        ),
        "{stdout}"
    );
    assert!(
        stderr
            .last()
            .is_some_and(|summary| summary.starts_with("1 file could not be read; found ")),
        "{stderr:?}"
    );
}

#[test]
fn standard_input_that_is_not_text_is_reported_and_the_named_files_are_linted() {
    let folder = folder_with_a_good_dockerfile();

    let output = escalint()
        .current_dir(folder.path())
        .args(["check", "--isolated", "--format", "gnu", "-", "good"])
        .write_stdin(&b"FROM alpine\0\n"[..])
        .output()
        .expect("the binary runs");

    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("good/Dockerfile:2:11:"), "{stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(
            "escalint: error: cannot read -: not a text file (NUL byte at line 1, column 12)\n"
        ),
        "{stderr}"
    );
}

#[test]
fn standard_input_that_is_not_text_is_named_by_stdin_filename() {
    let output = escalint()
        .args([
            "check",
            "--isolated",
            "--format",
            "gnu",
            "--stdin-filename",
            "app/Dockerfile",
        ])
        .arg("-")
        .write_stdin(&b"FROM x\n\xff\n"[..])
        .output()
        .expect("the binary runs");

    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout,
        "app/Dockerfile:2:1: error: cannot read app/Dockerfile: not a text file (invalid UTF-8 \
         at line 2, column 1)\n"
    );
}

#[test]
fn a_missing_compose_file_given_with_f_leaves_the_other_files_of_the_project_linted() {
    let folder = folder_with_a_good_dockerfile();
    std::fs::write(
        folder.path().join("compose.yaml"),
        "services:\n  a:\n    image: alpine\n    privileged: true\n",
    )
    .expect("written");

    let (code, stdout, stderr) = gnu_check_in(
        folder.path(),
        &["-f", "missing.yaml", "-f", "compose.yaml", "good"],
    );

    assert_eq!(code, Some(2));
    assert!(
        stdout.contains("compose.yaml:4:17: error: service `a` sets `privileged: true`"),
        "{stdout}"
    );
    assert!(stdout.contains("good/Dockerfile:2:11:"), "{stdout}");
    assert_eq!(
        stderr[0],
        "escalint: error: cannot read missing.yaml: No such file or directory (os error 2)"
    );
}

#[test]
fn a_report_written_with_output_holds_the_files_linted_beside_a_missing_one() {
    let folder = folder_with_a_good_dockerfile();

    escalint()
        .current_dir(folder.path())
        .args([
            "check",
            "--isolated",
            "--format",
            "gnu",
            "--output",
            "report.txt",
        ])
        .args(["nope", "good"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty());

    let report = std::fs::read_to_string(folder.path().join("report.txt")).expect("written");
    assert!(report.contains("good/Dockerfile:2:11:"), "{report}");
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
    assert_eq!(json["failures"], serde_json::json!([]));
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
fn explain_of_an_unknown_rule_exits_2_and_names_the_closest() {
    escalint()
        .args(["explain", "file-capabilities"])
        .assert()
        .code(2)
        .stderr(
            "escalint: error: unknown rule `file-capabilities`; did you mean `file-capability`?\n",
        );
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
        .stderr(predicate::str::contains("not a text file"))
        .stderr(predicate::str::ends_with(
            "\n1 file could not be read and no other file was linted\n",
        ));
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
fn symlink_loops_and_dangling_links_are_reported_as_skipped() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let root = folder.path();
    std::fs::create_dir(root.join("app")).expect("created");
    std::fs::write(root.join("app/Dockerfile"), "FROM alpine\nUSER 10001\n").expect("written");
    std::os::unix::fs::symlink(root, root.join("app/loop")).expect("linked");
    std::os::unix::fs::symlink(root.join("gone"), root.join("Containerfile")).expect("linked");
    std::os::unix::fs::symlink("other", root.join("Dockerfile")).expect("linked");
    std::os::unix::fs::symlink("Dockerfile", root.join("other")).expect("linked");

    escalint()
        .arg("check")
        .arg(root)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("no-new-privileges-missing"))
        .stderr(predicate::str::contains("a symbolic link back to"))
        .stderr(predicate::str::contains(
            "Containerfile: a symbolic link to nothing",
        ))
        .stderr(predicate::str::contains(
            "/Dockerfile: a symbolic link loop\n",
        ))
        .stderr(predicate::str::contains("/other: a symbolic link loop\n"));
}

#[test]
fn a_closed_pipe_keeps_the_exit_code_of_the_diagnostics() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let mut text = String::from("FROM alpine\n");
    for index in 0..2_000 {
        text.push_str(&format!("RUN chmod 4755 /usr/local/bin/tool{index}\n"));
    }
    std::fs::write(folder.path().join("Dockerfile"), text).expect("written");

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_escalint"))
        .arg("check")
        .arg(folder.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the binary starts");
    drop(child.stdout.take());

    let status = child.wait().expect("the binary ends");
    assert_eq!(status.code(), Some(1));
}

#[test]
fn stdin_filename_without_standard_input_is_a_usage_error() {
    escalint()
        .args(["check", "--stdin-filename", "app/Dockerfile", "fixtures"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("only when `-` is a path"));
}

#[test]
fn unnamed_standard_input_holding_compose_is_read_as_compose() {
    escalint()
        .args(["check", "--format", "json", "-"])
        .write_stdin("services:\n  web:\n    image: nginx\n")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "\"rule\": \"cap-drop-all-missing\"",
        ))
        .stdout(predicate::str::contains("parse-error").not());
}

#[test]
fn a_missing_env_file_exits_2() {
    escalint()
        .args([
            "check",
            "--env-file",
            "does/not/exist.env",
            "fixtures/cap-drop-all-missing",
        ])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("cannot read does/not/exist.env"));
}

#[test]
fn env_options_apply_to_compose_files_found_in_a_folder() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let compose = "services:\n  app:\n    image: a\n    cap_drop: [ALL]\n    user: ${APP_USER}\n";
    std::fs::write(folder.path().join("compose.yaml"), compose).expect("written");
    std::fs::write(folder.path().join("users.env"), "APP_USER=1000\n").expect("written");

    escalint()
        .arg("check")
        .arg("--env-file")
        .arg(folder.path().join("users.env"))
        .arg(folder.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("runs as user `1000`"));
}

/// A temporary repository (a `.git` folder marks its root) holding `files`.
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

#[test]
fn a_configuration_typo_exits_2_names_the_line_and_lints_nothing() {
    let repo = repository(&[
        (
            "escalint.toml",
            "fail-on = \"error\"\nignroe = [\"setuid-bit\"]\n",
        ),
        ("Dockerfile", "FROM alpine:3.20\nRUN chmod 4755 /bin/bash\n"),
    ]);

    escalint()
        .current_dir(repo.path())
        .args(["check", "."])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "escalint.toml:2:1: unknown key `ignroe`; did you mean `ignore`?",
        ));
}

#[test]
fn isolated_skips_a_broken_configuration() {
    let repo = repository(&[
        ("escalint.toml", "selct = []\n"),
        ("Dockerfile", "FROM alpine:3.20\nRUN chmod 4755 /bin/bash\n"),
    ]);

    escalint()
        .current_dir(repo.path())
        .args(["check", "--isolated", "."])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[setuid-bit]"));
}

#[test]
fn fail_on_given_on_the_command_line_replaces_the_configured_one() {
    let repo = repository(&[
        ("escalint.toml", "fail-on = \"error\"\n"),
        ("Dockerfile", "FROM alpine:3.20\nUSER 10001\n"),
    ]);

    escalint()
        .current_dir(repo.path())
        .args(["check", "."])
        .assert()
        .code(0);
    escalint()
        .current_dir(repo.path())
        .args(["check", "--fail-on", "warning", "."])
        .assert()
        .code(1);
}

#[test]
fn config_show_prints_the_effective_settings_of_a_file() {
    let config = r#"
[runtime]
no-new-privileges = "daemon"

[[allow.non-root-images]]
image = "gcr.io/distroless/static:nonroot"
uid = 65532
reason = "distroless nonroot images run as 65532"

[[overrides]]
files = ["legacy/**"]
severity = { setuid-bit = "warning" }
"#;
    let repo = repository(&[
        ("escalint.toml", config),
        ("legacy/Dockerfile", "FROM alpine\n"),
    ]);

    escalint()
        .current_dir(repo.path())
        .args(["config", "--show", "legacy/Dockerfile"])
        .assert()
        .success()
        .stdout(predicate::str::contains("# read from escalint.toml"))
        .stdout(predicate::str::contains(
            "no-new-privileges-missing = \"off\"  # off: the daemon sets no-new-privileges",
        ))
        .stdout(predicate::str::contains(
            "setuid-bit = \"warning\"  # set in the configuration",
        ))
        .stdout(predicate::str::contains("uid = 65532"))
        .stdout(predicate::str::contains("# applied above"));
}

#[test]
fn config_show_without_a_configuration_prints_the_defaults() {
    let repo = repository(&[("Dockerfile", "FROM alpine\n")]);

    escalint()
        .current_dir(repo.path())
        .args(["config", "--show"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "# no configuration file: the defaults",
        ))
        .stdout(predicate::str::contains("setuid-bit = \"error\""))
        .stdout(predicate::str::contains("fail-on = \"warning\""));
}

#[test]
fn config_show_of_a_path_that_does_not_exist_exits_2() {
    let repo = repository(&[("Dockerfile", "FROM alpine\n")]);

    escalint()
        .current_dir(repo.path())
        .args(["config", "--show", "nope"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::starts_with(
            "escalint: error: cannot show the configuration of nope\n  caused by: ",
        ));
}

#[test]
fn config_show_reports_a_folder_named_like_a_configuration_file() {
    let repo = repository(&[
        ("escalint.toml/notes.txt", ""),
        ("Dockerfile", "FROM alpine\n"),
    ]);

    escalint()
        .current_dir(repo.path())
        .args(["config", "--show", "Dockerfile"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "escalint.toml: `escalint.toml` is a folder, not a configuration file",
        ));
}

#[test]
fn explain_ends_with_how_to_suppress_each_rule() {
    for doc in escalint::rules::rule_docs() {
        let output = escalint()
            .args(["explain", doc.name])
            .output()
            .expect("the binary runs");
        let text = String::from_utf8_lossy(&output.stdout);

        let section = text
            .split("## How to suppress")
            .nth(1)
            .unwrap_or_else(|| panic!("{} explains how to suppress it", doc.name));
        if doc.name == "unused-suppression" || doc.name == "suppression-without-reason" {
            assert!(
                section.contains("a comment cannot suppress it"),
                "{section}"
            );
            assert!(
                section.contains(&format!("{} = \"off\"", doc.name)),
                "{section}"
            );
            continue;
        }
        assert!(
            section.contains(&format!("# escalint ignore={} reason=", doc.name)),
            "{section}"
        );
        assert!(
            section.contains(&format!("ignore = [\"{}\"]", doc.name)),
            "{section}"
        );
        assert_eq!(
            section.contains("```yaml"),
            doc.targets.contains(&"compose"),
            "{}",
            doc.name
        );
    }
}

#[test]
fn compose_files_given_with_f_are_merged_in_order() {
    let folder = "fixtures/compose-project/override-adds-cap-drop";

    escalint()
        .args([
            "check",
            "-f",
            &format!("{folder}/compose.yaml"),
            "--compose-file",
            &format!("{folder}/compose.override.yaml"),
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("service `worker` does not drop"))
        .stdout(predicate::str::contains("service `api`").not())
        .stderr(predicate::str::contains(
            "found 1 warning, 1 note in 2 files",
        ));
}

#[test]
fn missing_compose_file_given_with_f_exits_2() {
    escalint()
        .args(["check", "-f", "does/not/exist/compose.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read does/not/exist/compose.yaml",
        ));
}

#[test]
fn an_unreadable_override_file_is_reported_once_with_its_relative_path() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir(folder.path().join("app")).expect("created");
    std::fs::write(
        folder.path().join("app/compose.yaml"),
        "services:\n  a:\n    image: alpine\n    privileged: true\n",
    )
    .expect("written");
    std::fs::write(
        folder.path().join("app/compose.override.yaml"),
        b"services:\n  a:\n    user: \"\xff\"\n",
    )
    .expect("written");

    // Found by the walk and read again with the project of `compose.yaml`; or only the latter.
    for path in ["app", "app/compose.yaml"] {
        let output = escalint()
            .current_dir(folder.path())
            .args(["check", "--isolated", "--format", "gnu", path])
            .output()
            .expect("the binary runs");

        let stderr = String::from_utf8_lossy(&output.stderr);
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|line| line.starts_with("escalint: error:"))
            .collect();
        assert_eq!(
            errors,
            [
                "escalint: error: cannot read app/compose.override.yaml: not a text file \
                 (invalid UTF-8 at line 3, column 12)"
            ],
            "{path}"
        );
        let summary =
            "\n1 file could not be read; found 1 error, 1 warning, 1 note in the 1 other file;";
        assert!(stderr.contains(summary), "{path}: {stderr}");
        assert_eq!(output.status.code(), Some(2), "{path}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("[privileged-service]"), "{path}: {stdout}");
    }
}
