//! Hostile and odd input: size limits, alias bombs, deep nesting, files that are not text,
//! symbolic-link loops, unreadable files and closed pipes end in clear messages, not in crashes
//! or hangs; and the work done grows linearly with pathological inputs (counted in work items,
//! not measured in time).

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

use escalint::model::compose::{self, LoadOptions};
use escalint::parse::dockerfile;
use escalint::source::{Source, SourceId, Sources};
use escalint::work;

fn escalint() -> Command {
    let mut command = Command::cargo_bin("escalint").expect("the binary is built");
    command.env("NO_COLOR", "1");
    command
}

fn write(folder: &Path, relative: &str, contents: impl AsRef<[u8]>) {
    let path = folder.join(relative);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("created");
    std::fs::write(path, contents).expect("written");
}

const FLAGGED: &str = "FROM alpine:3.20\nRUN chmod 4755 /bin/busybox\n";

#[test]
fn a_file_over_the_size_limit_is_reported_and_skipped_and_the_run_goes_on() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let mut large = String::from(FLAGGED);
    large.push_str(&"# padding\n".repeat(20));
    write(folder.path(), "big/Dockerfile", &large);
    write(folder.path(), "small/Dockerfile", FLAGGED);

    escalint()
        .args(["check", "--isolated", "--max-file-size", "100"])
        .arg(folder.path())
        .assert()
        .code(2)
        .stdout(predicate::str::contains("small/Dockerfile"))
        .stdout(predicate::str::contains("big/Dockerfile").not())
        .stderr(predicate::str::contains(
            "big/Dockerfile: larger than the size limit",
        ))
        .stderr(predicate::str::contains("(245 bytes > 100 bytes)"));
}

#[test]
fn the_configuration_sets_the_size_limit_and_the_command_line_replaces_it() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    write(folder.path(), "escalint.toml", "max-file-size = \"1KiB\"\n");
    write(
        folder.path(),
        "Dockerfile",
        format!("{FLAGGED}{}", "#\n".repeat(600)),
    );

    escalint()
        .current_dir(folder.path())
        .args(["check", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("larger than the size limit"));
    escalint()
        .current_dir(folder.path())
        .args(["check", "--max-file-size", "2KiB", "."])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("setuid-bit"));
}

#[test]
fn an_invalid_size_limit_is_refused_with_its_place() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    write(
        folder.path(),
        "escalint.toml",
        "max-file-size = \"10 MB\"\n",
    );
    write(folder.path(), "Dockerfile", FLAGGED);

    escalint()
        .current_dir(folder.path())
        .args(["check", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("escalint.toml:1:17"))
        .stderr(predicate::str::contains("`max-file-size` must be"));
    escalint()
        .args(["check", "--max-file-size", "ten"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`ten` is not a size"));
}

#[test]
fn the_default_size_limit_skips_a_file_without_reading_it() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("Dockerfile");
    // A sparse file: 11 MiB long, nothing written, so the test stays small.
    let file = std::fs::File::create(&path).expect("created");
    file.set_len(11 * 1024 * 1024).expect("resized");

    escalint()
        .args(["check", "--isolated"])
        .arg(folder.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "(11534336 bytes > 10485760 bytes)",
        ));
}

#[test]
fn standard_input_over_the_size_limit_is_refused() {
    escalint()
        .args(["check", "--isolated", "--max-file-size", "16", "-"])
        .write_stdin(FLAGGED)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read -: larger than the size limit (more bytes > 16 bytes)",
        ));
}

#[test]
fn files_that_are_not_text_are_reported_and_the_run_goes_on() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    write(
        folder.path(),
        "latin1/Dockerfile",
        b"FROM alpine\nLABEL a=\xe9t\xe9\n",
    );
    write(
        folder.path(),
        "nul/compose.yaml",
        b"services:\n  a: {image: x}\n\0",
    );
    write(folder.path(), "ok/Dockerfile", FLAGGED);

    escalint()
        .args(["check", "--isolated"])
        .arg(folder.path())
        .assert()
        .code(2)
        .stdout(predicate::str::contains("setuid-bit"))
        .stderr(predicate::str::contains(
            "latin1/Dockerfile: not a text file (invalid UTF-8 at line 2, column 9)",
        ))
        .stderr(predicate::str::contains(
            "nul/compose.yaml: not a text file (NUL byte at line 3, column 1)",
        ));
}

#[test]
fn an_included_file_that_is_not_text_is_reported_like_a_linted_one() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    write(
        folder.path(),
        "compose.yaml",
        "include:\n  - inc.yaml\nservices:\n  z: {image: alpine, privileged: true}\n",
    );
    write(
        folder.path(),
        "inc.yaml",
        b"services:\n  a:\n    image: \"\xff\"\n",
    );

    let output = escalint()
        .current_dir(folder.path())
        .args(["check", "--isolated", "--format", "gnu", "compose.yaml"])
        .output()
        .expect("the binary runs");

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let read_error: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains("inc.yaml"))
        .collect();
    assert_eq!(
        read_error,
        [
            "compose.yaml:2:5: error: cannot read inc.yaml: not a text file (invalid UTF-8 at \
             line 3, column 13) [parse-error]"
        ]
    );
    assert!(stdout.contains("[privileged-service]"), "{stdout}");
}

#[test]
fn an_alias_bomb_is_a_parse_error_not_a_hang() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let mut text = String::from("x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..12 {
        let items = [format!("*a{}", level - 1).as_str(); 9].join(", ");
        text.push_str(&format!("x-a{level}: &a{level} [{items}]\n"));
    }
    text.push_str("services:\n  app: {image: alpine}\n");
    write(folder.path(), "compose.yaml", &text);

    escalint()
        .args(["check", "--isolated"])
        .arg(folder.path().join("compose.yaml"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("parse-error"))
        .stdout(predicate::str::contains("exceeds the parser's limit"));
}

#[test]
fn deep_yaml_nesting_is_a_parse_error_not_a_crash() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let depth = 50_000;
    let text = format!(
        "services:\n  app:\n    image: alpine\n    labels: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    write(folder.path(), "compose.yaml", &text);

    escalint()
        .args(["check", "--isolated"])
        .arg(folder.path().join("compose.yaml"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("parse-error"))
        .stdout(predicate::str::contains("recursion limit exceeded"));
}

#[test]
fn deep_shell_nesting_is_analysed_within_the_limit() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let depth = 3_000;
    let script = format!(
        "echo {}chmod u+s /x{}",
        "$(".repeat(depth),
        ")".repeat(depth)
    );
    write(
        folder.path(),
        "Dockerfile",
        format!("FROM alpine\nRUN {script}\n"),
    );

    escalint()
        .args(["check", "--isolated"])
        .arg(folder.path())
        .assert()
        .success();
}

#[cfg(unix)]
#[test]
fn a_directory_symlink_loop_is_reported_once() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let root = folder.path();
    write(root, "app/Dockerfile", FLAGGED);
    std::os::unix::fs::symlink(root.join("app"), root.join("app/again")).expect("linked");

    let output = escalint()
        .args(["check", "--isolated"])
        .arg(root)
        .output()
        .expect("the binary runs");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.matches("a symbolic link back to").count(),
        1,
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_reported_and_the_run_goes_on() {
    use std::os::unix::fs::PermissionsExt;

    let folder = tempfile::tempdir().expect("a temporary folder");
    write(folder.path(), "locked/Dockerfile", FLAGGED);
    write(folder.path(), "open/Dockerfile", FLAGGED);
    let locked = folder.path().join("locked/Dockerfile");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("locked");
    if std::fs::read(&locked).is_ok() {
        // Root reads any file: the permission cannot make it unreadable here.
        eprintln!("skipped: this user reads files whatever their permissions");
        return;
    }

    escalint()
        .args(["check", "--isolated"])
        .arg(folder.path())
        .assert()
        .code(2)
        .stdout(predicate::str::contains("open/Dockerfile"))
        .stderr(predicate::str::contains(
            "locked/Dockerfile: Permission denied",
        ));
}

#[test]
fn a_closed_output_pipe_ends_the_run_quietly() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    for index in 0..200 {
        write(folder.path(), &format!("app{index}/Dockerfile"), FLAGGED);
    }

    for format in ["human", "json", "sarif"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_escalint"))
            .args(["check", "--isolated", "--format", format])
            .arg(folder.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the binary starts");
        drop(child.stdout.take());

        let output = child.wait_with_output().expect("the binary ends");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{format}: {stderr}");
        assert!(!stderr.contains("error"), "{format}: {stderr}");
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
    }
}

/// The work items counted while parsing and modelling a Dockerfile. The scripts below set a
/// special mode (`4755`, `u+s`): the model parses only scripts that may hold a setuid step or
/// `sudo`, and these must reach the shell parser to measure it.
fn dockerfile_work(text: &str) -> u64 {
    let (_, items) = work::counted(|| {
        let syntax = dockerfile::parse(SourceId(0), text);
        escalint::model::dockerfile::build(&syntax, SourceId(0))
    });
    items
}

/// The work items counted while loading a Compose file as a project.
fn compose_work(text: &str) -> u64 {
    let mut sources = Sources::default();
    let path = std::env::temp_dir().join("escalint-limits-test/compose.yaml");
    let id = sources.add(Source::new("compose.yaml".into(), path, text.to_owned()));
    let (_, items) = work::counted(|| compose::load(&mut sources, id, &LoadOptions::default()));
    items
}

/// Checks that doubling the input at most roughly doubles the work.
fn assert_linear(what: &str, work_for: impl Fn(usize) -> u64, size: usize) {
    let single = work_for(size);
    let double = work_for(2 * size);

    assert!(single > 0, "{what}: no work counted");
    let ratio = double as f64 / single as f64;
    assert!(
        ratio < 2.3,
        "{what}: {single} work items for {size}, {double} for {} (x{ratio:.2})",
        2 * size
    );
}

#[test]
fn continuation_lines_cost_linear_work() {
    assert_linear(
        "continued RUN",
        |lines| {
            let mut text = String::from("FROM debian\nRUN set -e; \\\n");
            for index in 0..lines {
                text.push_str(&format!("    echo 'a \\\\ b' && chmod 4755 /x{index} \\\n"));
            }
            text.push_str("    true\n");
            dockerfile_work(&text)
        },
        4_000,
    );
}

#[test]
fn nested_command_substitutions_cost_linear_work() {
    assert_linear(
        "nested $(...)",
        |depth| {
            let script = format!(
                "echo {}chmod u+s /x{}",
                "$(".repeat(depth),
                ")".repeat(depth)
            );
            dockerfile_work(&format!("FROM alpine\nRUN {script}\n"))
        },
        2_000,
    );
}

#[test]
fn nested_double_parentheses_cost_linear_work() {
    // Each `((` that opens a command is parsed again as two subshells.
    assert_linear(
        "nested ((...))",
        |depth| {
            let script = format!(
                "{}(chmod u+s /x){}",
                "((true) && ".repeat(depth),
                ")".repeat(depth)
            );
            dockerfile_work(&format!("FROM alpine\nRUN {script}\n"))
        },
        2_000,
    );
    assert_linear(
        "deep ((...))",
        |depth| {
            let script = format!("{}chmod u+s /x{}", "(".repeat(depth), ")".repeat(depth));
            dockerfile_work(&format!("FROM alpine\nRUN {script}\n"))
        },
        2_000,
    );
}

#[test]
fn many_heredocs_cost_linear_work() {
    assert_linear(
        "heredocs",
        |count| {
            let mut text = String::from("FROM alpine\nRUN ");
            for index in 0..count {
                text.push_str(&format!("sh <<S{index} && "));
            }
            text.push_str("true\n");
            for index in 0..count {
                text.push_str(&format!("chmod 4755 /x{index}\nS{index}\n"));
            }
            dockerfile_work(&text)
        },
        1_000,
    );
}

#[test]
fn many_heredoc_instructions_cost_linear_work() {
    assert_linear(
        "heredoc instructions",
        |count| {
            let mut text = String::from("FROM alpine\n");
            for index in 0..count {
                text.push_str(&format!("RUN <<EOF\nchmod 4755 /x{index}\nEOF\n"));
            }
            dockerfile_work(&text)
        },
        2_000,
    );
}

#[test]
fn long_flow_sequences_cost_linear_work() {
    assert_linear(
        "flow sequence",
        |items| {
            let ports: Vec<String> = (0..items).map(|index| format!("\"{index}:80\"")).collect();
            let text = format!(
                "services:\n  app:\n    image: alpine\n    ports: [{}]\n",
                ports.join(", ")
            );
            compose_work(&text)
        },
        5_000,
    );
}

#[test]
fn many_services_cost_linear_work() {
    assert_linear(
        "services",
        |count| {
            let mut text = String::from("services:\n");
            for index in 0..count {
                text.push_str(&format!(
                    "  s{index}:\n    image: alpine\n    user: \"{index}\"\n    cap_drop: [ALL]\n"
                ));
            }
            compose_work(&text)
        },
        1_000,
    );
}
