//! BuildKit's own parser test files: each positive case dumps to its `result` file, each negative
//! case yields at least one parse error.

use std::fs;
use std::path::{Path, PathBuf};

use escalint::parse::dockerfile::{dump, parse};
use escalint::source::SourceId;

fn corpus_dir(kind: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if !root.is_dir() {
        println!("shared corpus missing at {}: skipping", root.display());
        return None;
    }
    Some(root.join("corpus/parser-conformance/buildkit").join(kind))
}

fn case_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(dir)
        .expect("conformance folder is readable")
        .map(|entry| entry.expect("folder entry is readable").path())
        .filter(|path| path.join("Dockerfile").is_file())
        .collect();
    cases.sort();
    cases
}

#[test]
fn positive_cases_dump_to_their_result() {
    let Some(dir) = corpus_dir("testfiles") else {
        return;
    };

    let cases = case_dirs(&dir);
    assert!(
        cases.len() >= 30,
        "expected BuildKit's cases in {}",
        dir.display()
    );

    let mut failures = Vec::new();
    for case in cases {
        let text = fs::read_to_string(case.join("Dockerfile")).expect("Dockerfile is UTF-8");
        let expected = fs::read_to_string(case.join("result")).expect("result is readable");

        let actual = dump(&parse(SourceId(0), &text));

        if actual.trim_end() != expected.trim_end() {
            failures.push(format!(
                "{}\n--- expected\n{}\n--- actual\n{}",
                case.display(),
                expected.trim_end(),
                actual.trim_end()
            ));
        }
    }

    assert!(
        failures.is_empty(),
        "{} cases differ:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn negative_cases_yield_parse_errors() {
    let Some(dir) = corpus_dir("testfiles-negative") else {
        return;
    };

    let cases = case_dirs(&dir);
    assert!(
        !cases.is_empty(),
        "expected BuildKit's negative cases in {}",
        dir.display()
    );

    let mut accepted = Vec::new();
    for case in cases {
        let text = fs::read_to_string(case.join("Dockerfile")).expect("Dockerfile is UTF-8");

        let dockerfile = parse(SourceId(0), &text);

        if dockerfile.errors.is_empty() {
            accepted.push(case.display().to_string());
        }
    }

    assert!(
        accepted.is_empty(),
        "accepted without a parse error: {accepted:#?}"
    );
}
