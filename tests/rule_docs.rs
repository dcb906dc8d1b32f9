//! The examples in each rule document are run: every `Flagged` block raises its rule exactly
//! once, every `Preferred` block raises nothing from it. A ```toml block after a
//! `Configuration:` line is the `escalint.toml` the document's examples run with, for rules that
//! need a setting to fire.

use std::fs;

use escalint::lint::{LintOptions, lint};
use escalint::rules::rule_docs;

#[test]
fn flagged_examples_raise_their_rule_once_and_preferred_ones_never() {
    let mut problems = Vec::new();

    for doc in rule_docs() {
        let (configuration, examples) = examples_in(doc.body);
        assert!(
            examples.iter().any(|example| example.flagged)
                && examples.iter().any(|example| !example.flagged),
            "{} has a Flagged and a Preferred example",
            doc.name
        );

        for example in examples {
            let hits = hits_of(doc.name, &example, configuration.as_deref());
            let expected = usize::from(example.flagged);
            if hits != expected {
                let kind = if example.flagged {
                    "Flagged"
                } else {
                    "Preferred"
                };
                problems.push(format!(
                    "{}: {kind} example raised it {hits} times:\n{}",
                    doc.name, example.code
                ));
            }
        }
    }

    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

struct Example {
    flagged: bool,
    language: String,
    code: String,
}

/// The configuration block, if any, and the fenced blocks that follow a `Flagged:` or
/// `Preferred:` line.
fn examples_in(body: &str) -> (Option<String>, Vec<Example>) {
    let mut configuration = None;
    let mut examples = Vec::new();
    let mut flagged = None;
    let mut is_configuration = false;
    let mut lines = body.lines();
    while let Some(line) = lines.next() {
        match line.trim() {
            "Flagged:" => flagged = Some(true),
            "Preferred:" => flagged = Some(false),
            "Configuration:" => is_configuration = true,
            fence if fence.starts_with("```") && is_configuration => {
                let code: Vec<&str> = lines
                    .by_ref()
                    .take_while(|line| !line.starts_with("```"))
                    .collect();
                configuration = Some(code.join("\n") + "\n");
                is_configuration = false;
            }
            fence if fence.starts_with("```") && flagged.is_some() => {
                let language = fence.trim_start_matches('`').to_owned();
                let code: Vec<&str> = lines
                    .by_ref()
                    .take_while(|line| !line.starts_with("```"))
                    .collect();
                examples.push(Example {
                    flagged: flagged.take().expect("checked above"),
                    language,
                    code: code.join("\n") + "\n",
                });
            }
            _ => {}
        }
    }
    (configuration, examples)
}

fn hits_of(rule: &str, example: &Example, configuration: Option<&str>) -> usize {
    let folder = tempfile::tempdir().expect("a temporary folder");
    if let Some(configuration) = configuration {
        fs::write(folder.path().join("escalint.toml"), configuration)
            .expect("the configuration is written");
    }
    let file_name = if example.language == "yaml" {
        "compose.yaml"
    } else {
        "Dockerfile"
    };
    let path = folder.path().join(file_name);
    fs::write(&path, &example.code).expect("the example is written");

    let options = LintOptions {
        paths: vec![path],
        ..LintOptions::default()
    };
    let result = lint(&options).expect("the example is readable");
    result
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.rule == rule)
        .count()
}
