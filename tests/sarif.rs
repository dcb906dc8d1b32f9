//! SARIF output: a snapshot of a mixed fixture, and validation against the SARIF 2.1.0 schema.

use std::path::Path;

use assert_cmd::Command;

fn sarif_of(path: &str) -> serde_json::Value {
    sarif_in(Path::new(env!("CARGO_MANIFEST_DIR")), &[path]).1
}

/// Runs `check --format sarif ARGS` in `folder`: the exit code and the SARIF document.
fn sarif_in(folder: &Path, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let output = Command::cargo_bin("escalint")
        .expect("the binary is built")
        .current_dir(folder)
        .args(["check", "--format", "sarif"])
        .args(args)
        .output()
        .expect("the binary runs");
    let sarif = serde_json::from_slice(&output.stdout).expect("valid JSON");
    (output.status.code(), sarif)
}

/// What the schema finds wrong with a document, each with where.
fn schema_errors(validator: &jsonschema::Validator, sarif: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(sarif)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect()
}

#[test]
fn sarif_of_a_service_building_a_setuid_image() {
    let mut sarif = sarif_of("fixtures/no-new-privileges-missing/compose-build-user");
    sarif["runs"][0]["tool"]["driver"]["version"] = "[version]".into();
    sarif["runs"][0]["tool"]["driver"]["semanticVersion"] = "[version]".into();
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .expect("rules")
    {
        rule["help"]["markdown"] = "[rule document]".into();
    }

    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_json_snapshot!("sarif_compose_build_user", sarif);
    });
}

/// The SARIF 2.1.0 schema validator, or `None` when the shared schema is absent.
fn sarif_validator() -> Option<jsonschema::Validator> {
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/sarif-schema-2.1.0.json");
    let Ok(schema_text) = std::fs::read_to_string(&schema_path) else {
        eprintln!("skipped: {} is absent", schema_path.display());
        return None;
    };
    // The published schema's `run.language` pattern has a stray `]` that `jsonschema` rejects as
    // an invalid regular expression; the pattern is not what this test checks.
    let schema_text = schema_text.replace("[a-zA-Z]{2}]?$", "[a-zA-Z]{2}?$");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("the schema is JSON");
    Some(jsonschema::validator_for(&schema).expect("the schema compiles"))
}

#[test]
fn sarif_with_suppressions_and_a_baseline_validates_against_the_schema() {
    let Some(validator) = sarif_validator() else {
        return;
    };
    let folder = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(
        folder.path().join("Dockerfile"),
        "FROM alpine:3.20\n# escalint ignore=setuid-bit reason=\"rootless podman\"\n\
         RUN chmod 4755 /usr/bin/newuidmap\n# escalint ignore=setuid-bit\n\
         RUN chmod 4755 /usr/bin/newgidmap\nUSER 10001\n",
    )
    .expect("written");
    std::fs::write(
        folder.path().join("baseline.json"),
        "{\"version\": 1, \"entries\": []}\n",
    )
    .expect("written");

    let (_, sarif) = sarif_in(folder.path(), &["--baseline", "baseline.json", "."]);

    let errors = schema_errors(&validator, &sarif);
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["baselineState"], "new");
    assert_eq!(results[1]["suppressions"][0]["kind"], "inSource");
    assert!(results[2]["suppressions"][0].get("justification").is_none());
}

#[test]
fn sarif_validates_against_the_schema() {
    let Some(validator) = sarif_validator() else {
        return;
    };

    for path in ["fixtures", "fixtures/parse-error"] {
        let sarif = sarif_of(path);
        let errors = schema_errors(&validator, &sarif);
        assert!(
            errors.is_empty(),
            "SARIF of {path} is invalid:\n{}",
            errors.join("\n")
        );
        assert!(
            !sarif["runs"][0]["results"]
                .as_array()
                .expect("results")
                .is_empty()
        );
        let invocation = &sarif["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], true, "{path}");
        assert!(invocation.get("toolExecutionNotifications").is_none());
    }
}

#[test]
fn files_that_could_not_be_read_are_error_notifications_of_a_failed_invocation() {
    let Some(validator) = sarif_validator() else {
        return;
    };
    let folder = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir(folder.path().join("bad")).expect("created");
    std::fs::write(
        folder.path().join("bad/Dockerfile"),
        b"FROM alpine\nRUN echo \xff\n",
    )
    .expect("written");
    std::fs::write(
        folder.path().join("Dockerfile"),
        "FROM alpine\nRUN chmod 4755 /bin/x\n",
    )
    .expect("written");

    let (code, sarif) = sarif_in(folder.path(), &["--isolated", "missing", "."]);

    assert_eq!(code, Some(2));
    let errors = schema_errors(&validator, &sarif);
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
    let run = &sarif["runs"][0];
    assert!(
        run["results"]
            .as_array()
            .is_some_and(|results| results.len() == 2)
    );
    assert_eq!(
        run["invocations"],
        serde_json::json!([{
            "executionSuccessful": false,
            "toolExecutionNotifications": [
                {
                    "level": "error",
                    "message": {
                        "text": "cannot read bad/Dockerfile: not a text file (invalid UTF-8 at \
                                 line 2, column 10)"
                    },
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": { "uri": "bad/Dockerfile" },
                            "region": { "startLine": 2, "startColumn": 10 }
                        }
                    }]
                },
                {
                    "level": "error",
                    "message": {
                        "text": "cannot read missing: No such file or directory (os error 2)"
                    },
                    "locations": [{
                        "physicalLocation": { "artifactLocation": { "uri": "missing" } }
                    }]
                }
            ]
        }])
    );
}

#[test]
fn fingerprints_survive_an_unrelated_line_shift() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("Dockerfile");
    let body = "RUN chmod 4755 /usr/local/bin/tool\nUSER 10001\n";

    std::fs::write(&path, format!("FROM alpine:3.20\n{body}")).expect("written");
    let before = sarif_of(path.to_str().expect("UTF-8 path"));
    std::fs::write(
        &path,
        format!("FROM alpine:3.20\nRUN apk add curl\n\n{body}"),
    )
    .expect("written");
    let after = sarif_of(path.to_str().expect("UTF-8 path"));

    let fingerprints = |sarif: &serde_json::Value| -> Vec<String> {
        sarif["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|result| result["partialFingerprints"]["escalint/v1"].to_string())
            .collect()
    };
    let lines = |sarif: &serde_json::Value| -> Vec<u64> {
        sarif["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|result| {
                result["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .expect("a line")
            })
            .collect()
    };
    assert_eq!(fingerprints(&before).len(), 2);
    assert_eq!(fingerprints(&before), fingerprints(&after));
    assert_ne!(lines(&before), lines(&after));
}
