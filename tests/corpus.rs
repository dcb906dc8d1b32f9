//! The whole pipeline over the real files in `../shared/corpus`: nothing panics, and the
//! Dockerfiles of the official images, which are built every day, get no `parse-error`.

use std::path::{Path, PathBuf};

use escalint::discover::Kind;
use escalint::lint::{LintOptions, lint};

/// Folders of `corpus/dockerfiles` whose files are official images, built every day: a parse
/// error there is escalint's bug.
const OFFICIAL_IMAGE_FOLDERS: &[&str] = &[
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

fn corpus() -> Option<PathBuf> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if corpus.is_dir() {
        return Some(corpus);
    }
    eprintln!("skipped: {} is absent", corpus.display());
    None
}

#[test]
fn official_image_dockerfiles_lint_without_parse_errors() {
    let Some(corpus) = corpus() else {
        return;
    };
    let files = files_below(&corpus.join("dockerfiles"));
    assert!(files.len() > 1000, "the Dockerfile corpus has its files");

    let options = LintOptions {
        paths: files,
        kind: Some(Kind::Dockerfile),
        ..LintOptions::default()
    };
    let result = lint(&options).expect("the configuration is valid");
    assert!(
        result.failures.is_empty(),
        "corpus files are readable: {:?}",
        result.failures
    );

    let offending: Vec<String> = result
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.rule == "parse-error")
        .filter_map(|diagnostic| {
            let source = result.sources.get(diagnostic.span.source);
            let official = source.path.components().any(|part| {
                let part = part.as_os_str().to_string_lossy();
                part.starts_with("docker-library__")
                    || OFFICIAL_IMAGE_FOLDERS.contains(&part.as_ref())
            });
            let (line, column) = source.line_column(diagnostic.span.start);
            official.then(|| format!("{}:{line}:{column}: {}", source.display, diagnostic.message))
        })
        .collect();
    assert!(
        offending.is_empty(),
        "parse errors in official images:\n{}",
        offending.join("\n")
    );
}

#[test]
fn compose_corpus_lints_without_panicking() {
    let Some(corpus) = corpus() else {
        return;
    };
    let mut files = files_below(&corpus.join("compose"));
    files.retain(|path| {
        path.extension()
            .is_some_and(|extension| extension == "yml" || extension == "yaml")
    });
    assert!(files.len() > 1000, "the Compose corpus has its files");

    let options = LintOptions {
        paths: files,
        kind: Some(Kind::Compose),
        ..LintOptions::default()
    };
    let result = lint(&options).expect("the configuration is valid");
    assert!(
        result.failures.is_empty(),
        "corpus files are readable: {:?}",
        result.failures
    );

    assert!(result.linted_files > 1000);
}

fn files_below(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(folder) else {
        return files;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_below(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}
