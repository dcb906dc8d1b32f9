//! Every fixture folder under `fixtures/<rule-name>/<case>/` is linted as a whole; the reported
//! (file, line, rule, severity) set must equal the `# expect: RULE [SEVERITY]` markers, each of
//! which stands on its own line just above the line it expects a diagnostic on. The rendered
//! terminal output of each case is kept as a snapshot.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use escalint::lint::{LintOptions, LintResult, lint};
use escalint::report;
use escalint::rules::default_severity;

/// (file, line, rule, severity)
type Expectation = (String, usize, String, String);

#[test]
fn fixtures_report_exactly_their_markers() {
    let mut mismatches = Vec::new();

    for case in fixture_cases() {
        let options = LintOptions {
            paths: vec![case.clone()],
            ..LintOptions::default()
        };
        let result = lint(&options).expect("fixture folders are readable");

        let actual = expectations_of(&result);
        let expected = markers_in(&case);

        if actual != expected {
            mismatches.push(format!(
                "{}:\n  missing: {:?}\n  unexpected: {:?}",
                case.display(),
                expected.difference(&actual).collect::<Vec<_>>(),
                actual.difference(&expected).collect::<Vec<_>>(),
            ));
        }

        let rendered = report::human::render(&result.sources, &result.diagnostics, false);
        let name = case
            .strip_prefix("fixtures")
            .unwrap_or(&case)
            .display()
            .to_string();
        insta::with_settings!({
            snapshot_path => "snapshots/fixtures",
            prepend_module_to_snapshot => false,
            description => format!("escalint check {}", case.display()),
        }, {
            insta::assert_snapshot!(name.trim_start_matches('/').replace('/', "__"), rendered);
        });
    }

    assert!(
        mismatches.is_empty(),
        "fixtures disagree with their markers:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn linting_one_file_gives_the_same_diagnostics_for_it_as_linting_its_folder() {
    let mut mismatches = Vec::new();

    for case in fixture_cases() {
        let whole = diagnostics_by_file(std::slice::from_ref(&case));
        for file in files_below(&case) {
            let name = file
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or("");
            if escalint::discover::classify(name).is_none() {
                continue;
            }

            // A Compose file linted alone also reports in the files of its project; only the
            // diagnostics located in the file itself are compared.
            let shown = file.display().to_string();
            let in_file = |diagnostics: &BTreeSet<Expectation>| -> BTreeSet<Expectation> {
                diagnostics
                    .iter()
                    .filter(|d| d.0 == shown)
                    .cloned()
                    .collect()
            };
            let alone = in_file(&diagnostics_by_file(std::slice::from_ref(&file)));
            let expected = in_file(&whole);
            if alone != expected {
                mismatches.push(format!(
                    "{shown}:\n  alone: {alone:?}\n  in folder: {expected:?}"
                ));
            }
        }
    }

    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// (file, line, rule, severity) of every diagnostic of a run over `paths`.
fn diagnostics_by_file(paths: &[PathBuf]) -> BTreeSet<Expectation> {
    let options = LintOptions {
        paths: paths.to_vec(),
        ..LintOptions::default()
    };
    expectations_of(&lint(&options).expect("fixtures are readable"))
}

fn expectations_of(result: &LintResult) -> BTreeSet<Expectation> {
    result
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let source = result.sources.get(diagnostic.span.source);
            let (line, _) = source.line_column(diagnostic.span.start);
            let severity = diagnostic.severity.as_str().to_owned();
            (
                source.display.clone(),
                line,
                diagnostic.rule.to_owned(),
                severity,
            )
        })
        .collect()
}

#[test]
fn every_rule_has_flagged_and_clean_fixtures() {
    for doc in escalint::rules::rule_docs() {
        let folder = Path::new("fixtures").join(doc.name);
        let cases: Vec<PathBuf> = sorted_entries(&folder);
        assert!(!cases.is_empty(), "{} has no fixtures", doc.name);

        let flagged = cases.iter().any(|case| {
            markers_in(case)
                .iter()
                .any(|(_, _, rule, _)| rule == doc.name)
        });
        assert!(flagged, "{} has no flagged fixture", doc.name);
    }
}

/// Fixture case folders, sorted. `fixtures/fixes/` pairs files before and after `--fix`, without
/// markers; `tests/fixes.rs` checks them.
fn fixture_cases() -> Vec<PathBuf> {
    let mut cases = Vec::new();
    for rule_folder in sorted_entries(Path::new("fixtures")) {
        if rule_folder.is_dir() && !rule_folder.ends_with("fixes") {
            cases.extend(
                sorted_entries(&rule_folder)
                    .into_iter()
                    .filter(|case| case.is_dir()),
            );
        }
    }
    assert!(
        !cases.is_empty(),
        "no fixtures found; run the tests from the crate root"
    );
    cases
}

/// The markers in every file of a case folder.
fn markers_in(case: &Path) -> BTreeSet<Expectation> {
    let mut expected = BTreeSet::new();
    for path in files_below(case) {
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        let lines: Vec<&str> = text.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            let Some(marker) = line.trim_start().strip_prefix("# expect:") else {
                continue;
            };
            let mut words = marker.split_whitespace();
            let rule = words.next().expect("a marker names a rule").to_owned();
            let severity = words.next().map_or_else(
                || default_severity(&rule).as_str().to_owned(),
                str::to_owned,
            );
            let target = index
                + 1
                + lines[index + 1..]
                    .iter()
                    .take_while(|next| next.trim_start().starts_with("# expect:"))
                    .count();
            expected.insert((path.display().to_string(), target + 1, rule, severity));
        }
    }
    expected
}

fn files_below(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in sorted_entries(folder) {
        if entry.is_dir() {
            files.extend(files_below(&entry));
        } else {
            files.push(entry);
        }
    }
    files
}

fn sorted_entries(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    paths.sort();
    paths
}
