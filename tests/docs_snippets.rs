//! The snippets in docs/ci.md and docs/editors.md: every `escalint` command in them runs against a
//! sample repository, the files CI jobs upload are the files those commands write, and the editor
//! settings parse. Install commands and editor scripts (Lua, Emacs Lisp, Vim) are not run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// A fenced code block: its language and text.
struct Snippet {
    language: String,
    text: String,
}

fn snippets_of(document: &str) -> Vec<Snippet> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(document);
    let text = std::fs::read_to_string(&path).expect("the document is readable");

    let mut snippets = Vec::new();
    let mut open: Option<Snippet> = None;
    for line in text.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(language)) => {
                open = Some(Snippet {
                    language: language.trim().to_owned(),
                    text: String::new(),
                });
            }
            (Some(_), Some(_)) => snippets.extend(open.take()),
            (Some(snippet), None) => {
                snippet.text.push_str(line);
                snippet.text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "{document} has an unclosed code block");
    snippets
}

fn yaml(snippet: &Snippet) -> Value {
    serde_saphyr::from_str(&snippet.text)
        .unwrap_or_else(|err| panic!("a snippet is not YAML: {err}\n{}", snippet.text))
}

/// The shell commands of a CI file: every `run:` value and every `script:` item.
fn commands_in(value: &Value, commands: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("run", Value::String(script)) => {
                        commands.extend(script.lines().map(str::to_owned));
                    }
                    ("script", Value::Array(items)) => {
                        commands.extend(items.iter().filter_map(Value::as_str).map(str::to_owned));
                    }
                    _ => commands_in(value, commands),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                commands_in(item, commands);
            }
        }
        _ => {}
    }
}

/// A sample repository: a Compose file and the Dockerfile it builds, with diagnostics in both.
fn sample_repository() -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let root = folder.path().to_path_buf();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/no-new-privileges-missing/compose-build-user");
    std::fs::create_dir(root.join(".git")).expect("created");
    std::fs::create_dir(root.join("app")).expect("created");
    for name in ["Dockerfile", "compose.yaml"] {
        std::fs::copy(fixture.join(name), root.join("app").join(name)).expect("copied");
    }
    (folder, root)
}

/// What one `escalint` command did.
struct Ran {
    format: String,
    output: Option<String>,
    stdout: String,
}

/// Runs an `escalint` command line from a snippet in `root`; `< FILE` feeds standard input.
fn run(command: &str, root: &Path) -> Ran {
    let mut words: Vec<&str> = command.split_whitespace().collect();
    assert!(
        !command.contains(['"', '\'', '|', '>', '$', '`']),
        "keep snippet commands plain so this test runs them as written: {command}"
    );
    let stdin = match words.iter().position(|word| *word == "<") {
        Some(at) => {
            let file = words.get(at + 1).expect("a file after `<`");
            let text = std::fs::read(root.join(file)).expect("the redirected file exists");
            words.truncate(at);
            Some(text)
        }
        None => None,
    };
    let value_of = |flag: &str| {
        words
            .iter()
            .position(|word| *word == flag)
            .and_then(|at| words.get(at + 1))
            .map(|value| (*value).to_owned())
    };

    let mut child = Command::new(env!("CARGO_BIN_EXE_escalint"))
        .args(&words[1..])
        .current_dir(root)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("escalint starts");
    let input = child.stdin.take().expect("a piped standard input");
    std::thread::spawn(move || {
        use std::io::Write as _;
        let mut input = input;
        let _ = input.write_all(&stdin.unwrap_or_default());
    });
    let output = child.wait_with_output().expect("escalint runs");

    let code = output.status.code();
    let expected = if value_of("--fail-on").as_deref() == Some("never") {
        vec![Some(0)]
    } else {
        vec![Some(0), Some(1)]
    };
    assert!(
        expected.contains(&code),
        "`{command}` exited {code:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("found "),
        "`{command}` printed no summary"
    );

    Ran {
        format: value_of("--format").unwrap_or_else(|| "human".to_owned()),
        output: value_of("--output"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 output"),
    }
}

/// Checks a report as the system it is written for would read it.
fn check_report(format: &str, text: &str) {
    match format {
        "sarif" => {
            let sarif: Value = serde_json::from_str(text).expect("SARIF is JSON");
            assert_eq!(sarif["version"], "2.1.0");
            assert!(
                !sarif["runs"][0]["results"]
                    .as_array()
                    .expect("results")
                    .is_empty()
            );
        }
        "gitlab" => {
            let issues: Value = serde_json::from_str(text).expect("Code Quality is JSON");
            assert!(issues[0]["fingerprint"].is_string());
            assert!(
                issues[0]["location"]["path"]
                    .as_str()
                    .is_some_and(|path| path.starts_with("app/"))
            );
        }
        "junit" | "checkstyle" => {
            roxmltree::Document::parse(text).expect("well-formed XML");
        }
        "github" => assert!(text.starts_with("::error file=app/"), "{text}"),
        "gnu" => assert!(text.starts_with("app/Dockerfile:4:11: error: "), "{text}"),
        _ => assert!(!text.is_empty()),
    }
}

/// Runs every command of a CI snippet and returns the files its `escalint` commands wrote, by
/// format.
fn run_ci_commands(commands: &[String], root: &Path) -> HashMap<String, String> {
    let mut written = HashMap::new();
    for command in commands {
        let command = command.trim();
        if command.is_empty() {
            continue;
        }
        if command.starts_with("cargo install --locked ") {
            continue;
        }
        assert!(
            command.starts_with("escalint "),
            "an unexpected command: {command}"
        );

        let ran = run(command, root);
        let text = match &ran.output {
            Some(file) => {
                assert!(ran.stdout.is_empty(), "`{command}` also printed a report");
                std::fs::read_to_string(root.join(file)).expect("the report is written")
            }
            None => ran.stdout.clone(),
        };
        check_report(&ran.format, &text);
        if let Some(file) = ran.output {
            written.insert(ran.format, file);
        }
    }
    written
}

#[test]
fn ci_snippets_run_and_upload_what_they_write() {
    let mut uploads_checked = 0;
    let mut commands_run = 0;

    for snippet in snippets_of("docs/ci.md") {
        let (_folder, root) = sample_repository();
        match snippet.language.as_str() {
            "yaml" => {
                let document = yaml(&snippet);
                if document.get("repos").is_some() {
                    continue;
                }
                let mut commands = Vec::new();
                commands_in(&document, &mut commands);
                commands_run += commands.len();
                let written = run_ci_commands(&commands, &root);
                uploads_checked += check_uploads(&document, &written);
            }
            "sh" => {
                let commands: Vec<String> = snippet.text.lines().map(str::to_owned).collect();
                commands_run += commands.len();
                run_ci_commands(&commands, &root);
            }
            other => panic!("docs/ci.md has a `{other}` block this test does not know"),
        }
    }

    assert!(commands_run >= 8, "only {commands_run} commands found");
    assert_eq!(
        uploads_checked, 3,
        "the SARIF, Code Quality and JUnit uploads"
    );
}

/// The files a CI file uploads are the ones its commands wrote; returns how many it checked.
fn check_uploads(document: &Value, written: &HashMap<String, String>) -> usize {
    let mut checked = 0;
    let mut uploads = Vec::new();
    collect_uploads(document, &mut uploads);
    for (format, file) in uploads {
        assert_eq!(
            written.get(format).map(String::as_str),
            Some(file),
            "the job uploads {file} as {format}, but no command writes it"
        );
        checked += 1;
    }
    checked
}

fn collect_uploads<'a>(value: &'a Value, uploads: &mut Vec<(&'static str, &'a str)>) {
    match value {
        Value::Object(map) => {
            let is_sarif_upload = map
                .get("uses")
                .and_then(Value::as_str)
                .is_some_and(|action| action.starts_with("github/codeql-action/upload-sarif@"));
            if is_sarif_upload {
                let file = map["with"]["sarif_file"].as_str().expect("a sarif_file");
                uploads.push(("sarif", file));
            }
            if let Some(reports) = map.get("reports") {
                for (key, format) in [("codequality", "gitlab"), ("junit", "junit")] {
                    if let Some(file) = reports.get(key).and_then(Value::as_str) {
                        uploads.push((format, file));
                    }
                }
            }
            for value in map.values() {
                collect_uploads(value, uploads);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_uploads(item, uploads);
            }
        }
        _ => {}
    }
}

#[test]
fn pre_commit_snippet_names_the_hook_this_repository_defines() {
    let hooks_text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .expect("the hooks file is readable");
    let hooks: Value = serde_saphyr::from_str(&hooks_text).expect("the hooks file parses");

    let config = snippets_of("docs/ci.md")
        .iter()
        .filter(|snippet| snippet.language == "yaml")
        .map(yaml)
        .find(|document| document.get("repos").is_some())
        .expect("docs/ci.md shows a pre-commit configuration");
    let id = &config["repos"][0]["hooks"][0]["id"];

    assert_eq!(id, &hooks[0]["id"]);
}

#[test]
fn editor_settings_parse_and_the_on_save_command_runs() {
    let mut checked = Vec::new();

    for snippet in snippets_of("docs/editors.md") {
        match snippet.language.as_str() {
            "json" => {
                let settings: Value =
                    serde_json::from_str(&snippet.text).expect("VS Code settings are JSON");
                assert_eq!(settings["glspc.server.command"], "escalint");
                assert_eq!(settings["glspc.server.commandArguments"][0], "server");
                checked.push("json");
            }
            "toml" => {
                let languages: toml::Table =
                    toml::from_str(&snippet.text).expect("Helix settings are TOML");
                let server = &languages["language-server"]["escalint"];
                assert_eq!(server["command"].as_str(), Some("escalint"));
                assert_eq!(server["args"][0].as_str(), Some("server"));
                checked.push("toml");
            }
            "sh" => {
                let (_folder, root) = sample_repository();
                for command in snippet.text.lines().filter(|line| !line.trim().is_empty()) {
                    let ran = run(command, &root);
                    check_report(&ran.format, &ran.stdout);
                }
                checked.push("sh");
            }
            "lua" | "elisp" | "vim" => {
                assert!(
                    snippet.text.contains("\"escalint\"")
                        || snippet.text.contains("escalint\\ check")
                );
                checked.push("editor script");
            }
            other => panic!("docs/editors.md has a `{other}` block this test does not know"),
        }
    }

    assert_eq!(checked.iter().filter(|kind| **kind == "sh").count(), 1);
    assert!(checked.contains(&"json") && checked.contains(&"toml"));
}
