//! Real Dockerfiles from public repositories: every file parses without a panic, and the
//! well-maintained official images parse without a single parse error.

use std::fs;
use std::path::{Path, PathBuf};

use escalint::model::accounts;
use escalint::model::dockerfile as dockerfile_model;
use escalint::model::file_capabilities;
use escalint::model::mode;
use escalint::parse::dockerfile::parse;
use escalint::shell;
use escalint::source::{Source, SourceId};

/// Folders whose Dockerfiles BuildKit builds every day: any parse error here is our bug.
const CLEAN_FOLDERS: &[&str] = &[
    "nodejs__docker-node",
    "nginxinc__docker-nginx",
    "adoptium__containers",
    "erlang__docker-erlang-otp",
    "Quantisan__docker-clojure",
    "nextcloud__docker",
    "MariaDB__mariadb-docker",
    "rust-lang__docker-rust",
    "caddyserver__caddy-docker",
    "Perl__docker-perl",
];

fn corpus_root() -> Option<PathBuf> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if !shared.is_dir() {
        println!("shared corpus missing at {}: skipping", shared.display());
        return None;
    }
    Some(shared.join("corpus/dockerfiles"))
}

fn files_under(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).expect("corpus folder is readable");
    for entry in entries {
        let path = entry.expect("folder entry is readable").path();
        if path.is_dir() {
            files_under(&path, files);
        } else {
            files.push(path);
        }
    }
}

fn must_be_clean(folder: &str) -> bool {
    folder.starts_with("docker-library__") || CLEAN_FOLDERS.contains(&folder)
}

#[test]
fn every_corpus_file_parses_and_official_images_have_no_errors() {
    let Some(root) = corpus_root() else {
        return;
    };
    let mut files = Vec::new();
    files_under(&root, &mut files);
    files.sort();
    assert!(
        files.len() > 100,
        "expected the Dockerfile corpus in {}",
        root.display()
    );

    let mut offending = Vec::new();
    for path in &files {
        let bytes = fs::read(path).expect("corpus file is readable");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let relative = path
            .strip_prefix(&root)
            .expect("file lies under the corpus root");
        let folder = relative.components().next().expect("file lies in a folder");
        let folder = folder.as_os_str().to_string_lossy().into_owned();

        let dockerfile = parse(SourceId(0), &text);

        if !must_be_clean(&folder) {
            continue;
        }
        let source = Source::new(relative.display().to_string(), path.clone(), text);
        for error in &dockerfile.errors {
            let (line, column) = source.line_column(error.span.start);
            offending.push(format!(
                "{}:{line}:{column}: {}",
                relative.display(),
                error.message
            ));
        }
    }

    assert!(
        offending.is_empty(),
        "{} parse errors:\n{}",
        offending.len(),
        offending.join("\n")
    );
}

/// The labeled cases the whole tool must pass: each Dockerfile parses without errors, and its
/// instructions start on these lines (heredoc bodies and continuations are not instructions).
const LABELED_CASES: &[(&str, &str)] = &[
    ("BR-01", "FROM@2 RUN@3 CMD@8"),
    ("BR-02", "FROM@1 COPY@2 COPY@3 CMD@4"),
    ("BR-03", "FROM@2 COPY@3 ADD@4 CMD@5"),
    ("BR-04", "FROM@1 RUN@2 CMD@6"),
    ("BR-05", "FROM@1 RUN@2 CMD@5"),
    ("BR-06", "FROM@2 COPY@3 CMD@7"),
    ("BR-07", "FROM@2 RUN@3 CMD@7"),
    ("BR-08", "FROM@2 RUN@3 CMD@7"),
    ("BR-09", "FROM@2 RUN@3 RUN@5 USER@6 CMD@7"),
    ("BR-10", "FROM@1 RUN@2 CMD@5"),
    ("BR-11", "FROM@1 RUN@2 FROM@3 COPY@4 CMD@6"),
    ("BR-12", "FROM@2 RUN@3 RUN@8 USER@9 CMD@10"),
    ("BR-13", "FROM@2 RUN@3 FROM@4 USER@5 COPY@6 CMD@9"),
    ("BR-14", "FROM@1 RUN@2 CMD@7"),
    ("BR-15", "FROM@1 RUN@2 CMD@124"),
    ("BR-20", "FROM@1 RUN@2 USER@3 RUN@4 USER@5 CMD@6"),
    ("BR-21", "FROM@1 RUN@2 USER@3 RUN@4 FROM@5 COPY@6 CMD@7"),
    ("BR-22", "FROM@1 ARG@2 ARG@3 RUN@4 USER@5 CMD@6"),
    ("BR-23", "FROM@1 RUN@2 USER@3 FROM@4 CMD@5"),
    ("BR-30", "FROM@2 RUN@3 CMD@7"),
];

#[test]
fn labeled_cases_parse_with_their_instruction_lines() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cases");
    if !cases.is_dir() {
        println!("labeled cases missing at {}: skipping", cases.display());
        return;
    }

    let mut mismatches = Vec::new();
    for (case, expected) in LABELED_CASES {
        let path = cases.join(case).join("Dockerfile");
        let text = fs::read_to_string(&path).expect("labeled Dockerfile is UTF-8");
        let dockerfile = parse(SourceId(0), &text);
        let source = Source::new(case.to_string(), path, text);

        let lines: Vec<String> = dockerfile
            .instructions
            .iter()
            .map(|instruction| {
                let (line, _) = source.line_column(instruction.keyword_span.start);
                format!("{}@{line}", instruction.keyword)
            })
            .collect();

        let errors: Vec<&str> = dockerfile
            .errors
            .iter()
            .map(|error| error.message.as_str())
            .collect();
        if lines.join(" ") != *expected || !errors.is_empty() {
            mismatches.push(format!(
                "{case}: got `{}`, errors {errors:?}",
                lines.join(" ")
            ));
        }
    }

    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// The model skips the shell parse of a RUN script that names neither `sudo`, `setcap` nor a
/// mode with a special bit. Over the fixtures and the corpus, no script skipped that way holds a
/// setuid step, a setcap step or a `sudo` command, and, in the corpus, most scripts are skipped
/// (the fixtures are written to hold steps, so without the corpus the share is not checked).
#[test]
fn skipped_run_scripts_hold_no_step_and_no_sudo() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files = Vec::new();
    files_under(&fixtures, &mut files);
    let corpus = corpus_root();
    if let Some(corpus) = &corpus {
        files_under(corpus, &mut files);
    }

    let mut scripts = 0;
    let mut skipped = 0;
    let mut hidden = Vec::new();
    for path in &files {
        let Ok(text) = fs::read_to_string(path) else {
            continue;
        };
        let dockerfile = parse(SourceId(0), &text);
        let runs = dockerfile
            .instructions
            .iter()
            .filter(|instruction| instruction.keyword == "RUN");
        for script in runs.flat_map(dockerfile_model::run_scripts) {
            scripts += 1;
            if dockerfile_model::may_hold_steps(&script.value) {
                continue;
            }
            skipped += 1;
            let commands = shell::commands(&script.value);
            let holds_sudo = commands
                .iter()
                .any(|command| command.program() == Some("sudo"));
            let gives_uid_zero = !accounts::uid_zero_accounts(&commands).is_empty();
            let holds_step = !mode::mode_steps(&commands).is_empty()
                || !file_capabilities::setcap_steps(&commands).is_empty();
            if holds_sudo || gives_uid_zero || holds_step {
                hidden.push(format!("{}: {}", path.display(), script.value));
            }
        }
    }

    assert!(
        hidden.is_empty(),
        "skipped scripts with steps:\n{}",
        hidden.join("\n")
    );
    if corpus.is_some() {
        assert!(
            skipped * 2 > scripts,
            "only {skipped} of {scripts} RUN scripts were skipped"
        );
    }
}
