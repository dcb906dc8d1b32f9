//! Configuration files as users write them: which one applies to which file, overrides,
//! exclusions, severities and every allowlist, checked through the library on temporary
//! repositories. Tests that need Compose services say so in their name (`compose_`).

use std::path::Path;

use escalint::config::{ConfigChoice, Resolver};
use escalint::lint::{LintOptions, LintResult, lint};

/// (file relative to the repository, line, rule, severity)
type Hit = (String, usize, String, String);

const SETUID_AND_USER: &str = "FROM alpine:3.20\nRUN chmod 4755 /usr/bin/newuidmap\nUSER 10001\n";

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

fn lint_with(root: &Path, paths: &[&str], config: ConfigChoice) -> LintResult {
    let options = LintOptions {
        paths: paths.iter().map(|path| root.join(path)).collect(),
        config,
        ..LintOptions::default()
    };
    lint(&options).expect("the run succeeds")
}

/// The error that stops a run over the whole repository at `root`.
fn run_error(root: &Path, why: &str) -> escalint::lint::LintError {
    let options = LintOptions {
        paths: vec![root.to_path_buf()],
        ..LintOptions::default()
    };
    lint(&options).expect_err(why)
}

fn hits(root: &Path, result: &LintResult) -> Vec<Hit> {
    let root = std::fs::canonicalize(root).expect("the root exists");
    result
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let source = result.sources.get(diagnostic.span.source);
            let (line, _) = source.line_column(diagnostic.span.start);
            let file = source
                .path
                .strip_prefix(&root)
                .unwrap_or(&source.path)
                .display()
                .to_string();
            (
                file,
                line,
                diagnostic.rule.to_owned(),
                diagnostic.severity.as_str().to_owned(),
            )
        })
        .collect()
}

fn hit(file: &str, line: usize, rule: &str, severity: &str) -> Hit {
    (file.to_owned(), line, rule.to_owned(), severity.to_owned())
}

#[test]
fn the_nearest_configuration_applies_to_each_file() {
    let repo = repository(&[
        ("escalint.toml", "ignore = [\"setuid-bit\"]\n"),
        (
            "app/.escalint.toml",
            "[severity]\nsetuid-bit = \"warning\"\n",
        ),
        ("app/Dockerfile", SETUID_AND_USER),
        ("app/deep/Dockerfile", SETUID_AND_USER),
        ("other/Dockerfile", SETUID_AND_USER),
    ]);

    let result = lint_with(repo.path(), &["."], ConfigChoice::Discover);

    assert_eq!(
        hits(repo.path(), &result),
        vec![
            hit("app/Dockerfile", 2, "setuid-bit", "warning"),
            hit("app/Dockerfile", 3, "no-new-privileges-missing", "error"),
            hit("app/deep/Dockerfile", 2, "setuid-bit", "warning"),
            hit(
                "app/deep/Dockerfile",
                3,
                "no-new-privileges-missing",
                "error"
            ),
            hit("other/Dockerfile", 3, "no-new-privileges-missing", "error"),
        ]
    );
}

#[test]
fn a_file_named_alone_finds_the_configuration_above_it() {
    let repo = repository(&[
        (
            "escalint.toml",
            "ignore = [\"no-new-privileges-missing\"]\n",
        ),
        ("services/api/Dockerfile", SETUID_AND_USER),
    ]);

    let result = lint_with(
        repo.path(),
        &["services/api/Dockerfile"],
        ConfigChoice::Discover,
    );

    assert_eq!(
        hits(repo.path(), &result),
        vec![hit("services/api/Dockerfile", 2, "setuid-bit", "error")]
    );
}

#[test]
fn configuration_files_above_the_repository_root_are_not_read() {
    let outer = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(
        outer.path().join("escalint.toml"),
        "ignore = [\"setuid-bit\"]\n",
    )
    .expect("written");
    std::fs::create_dir_all(outer.path().join("repo/.git")).expect("created");
    std::fs::write(outer.path().join("repo/Dockerfile"), SETUID_AND_USER).expect("written");

    let result = lint_with(outer.path(), &["repo"], ConfigChoice::Discover);

    assert!(
        hits(outer.path(), &result)
            .iter()
            .any(|(_, _, rule, _)| rule == "setuid-bit")
    );
}

#[test]
fn two_configuration_files_in_one_folder_are_an_error() {
    let repo = repository(&[
        ("escalint.toml", ""),
        (".escalint.toml", ""),
        ("Dockerfile", SETUID_AND_USER),
    ]);
    let options = LintOptions {
        paths: vec![repo.path().join("Dockerfile")],
        ..LintOptions::default()
    };

    let err = lint(&options).expect_err("the configuration is ambiguous");

    assert!(err.to_string().contains("keep one"), "{err}");
}

#[test]
fn an_explicit_configuration_applies_everywhere_and_isolated_ignores_all() {
    let repo = repository(&[
        ("escalint.toml", "ignore = [\"setuid-bit\"]\n"),
        ("ci/strict.toml", "select = [\"setuid-bit\"]\n"),
        ("app/Dockerfile", SETUID_AND_USER),
    ]);

    let explicit = lint_with(
        repo.path(),
        &["app"],
        ConfigChoice::File(repo.path().join("ci/strict.toml")),
    );
    let isolated = lint_with(repo.path(), &["app"], ConfigChoice::Isolated);

    assert_eq!(
        hits(repo.path(), &explicit),
        vec![hit("app/Dockerfile", 2, "setuid-bit", "error")]
    );
    assert_eq!(hits(repo.path(), &isolated).len(), 2);
}

#[test]
fn overrides_change_rules_for_the_files_their_globs_match() {
    let config = r#"
[[overrides]]
files = ["legacy/**"]
ignore = ["setuid-bit"]
severity = { no-new-privileges-missing = "note" }

[[overrides]]
files = ["Dockerfile.dev"]
ignore = ["no-new-privileges-missing"]
"#;
    let repo = repository(&[
        ("escalint.toml", config),
        ("legacy/tool/Dockerfile", SETUID_AND_USER),
        ("app/Dockerfile.dev", SETUID_AND_USER),
        ("app/Dockerfile", SETUID_AND_USER),
    ]);

    let result = lint_with(repo.path(), &["."], ConfigChoice::Discover);

    assert_eq!(
        hits(repo.path(), &result),
        vec![
            hit("app/Dockerfile", 2, "setuid-bit", "error"),
            hit("app/Dockerfile", 3, "no-new-privileges-missing", "error"),
            hit("app/Dockerfile.dev", 2, "setuid-bit", "error"),
            hit(
                "legacy/tool/Dockerfile",
                3,
                "no-new-privileges-missing",
                "note"
            ),
        ]
    );
}

#[test]
fn an_override_can_select_a_rule_the_configuration_ignores() {
    let config = "ignore = [\"setuid-bit\"]\n\n[[overrides]]\nfiles = [\"release/*\"]\n\
                  select = [\"setuid-bit\"]\n";
    let repo = repository(&[
        ("escalint.toml", config),
        ("release/Dockerfile", SETUID_AND_USER),
        ("dev/Dockerfile", SETUID_AND_USER),
    ]);

    let result = lint_with(repo.path(), &["."], ConfigChoice::Discover);

    let setuid: Vec<Hit> = hits(repo.path(), &result)
        .into_iter()
        .filter(|(_, _, rule, _)| rule == "setuid-bit")
        .collect();
    assert_eq!(
        setuid,
        vec![hit("release/Dockerfile", 2, "setuid-bit", "error")]
    );
}

#[test]
fn excluded_paths_are_not_walked_but_a_named_file_is_linted() {
    let repo = repository(&[
        (
            "escalint.toml",
            "exclude = [\"vendor\", \"examples/*.Dockerfile\"]\n",
        ),
        ("vendor/lib/Dockerfile", SETUID_AND_USER),
        ("examples/demo.Dockerfile", SETUID_AND_USER),
        ("app/Dockerfile", SETUID_AND_USER),
    ]);

    let walked = lint_with(repo.path(), &["."], ConfigChoice::Discover);
    let named = lint_with(
        repo.path(),
        &["vendor/lib/Dockerfile"],
        ConfigChoice::Discover,
    );

    assert_eq!(walked.linted_files, 1);
    assert!(
        hits(repo.path(), &walked)
            .iter()
            .all(|(file, ..)| file == "app/Dockerfile")
    );
    assert_eq!(named.linted_files, 1);
    assert_eq!(hits(repo.path(), &named).len(), 2);
}

#[test]
fn a_configured_severity_applies_to_every_diagnostic_of_the_rule() {
    let repo = repository(&[
        (
            "escalint.toml",
            "[severity]\nno-new-privileges-missing = \"note\"\nsetuid-bit = \"off\"\n",
        ),
        ("Dockerfile", SETUID_AND_USER),
    ]);

    let result = lint_with(repo.path(), &["."], ConfigChoice::Discover);

    assert_eq!(
        hits(repo.path(), &result),
        vec![hit("Dockerfile", 3, "no-new-privileges-missing", "note")]
    );
}

#[test]
fn select_runs_only_the_listed_rules_and_parse_errors() {
    let repo = repository(&[
        (
            "escalint.toml",
            "select = [\"no-new-privileges-missing\"]\n",
        ),
        (
            "Dockerfile",
            "FROM alpine:3.20\nRUNN true\nRUN chmod u+s /bin/ping\nUSER app\n",
        ),
    ]);

    let result = lint_with(repo.path(), &["."], ConfigChoice::Discover);

    assert_eq!(
        hits(repo.path(), &result),
        vec![
            hit("Dockerfile", 2, "parse-error", "error"),
            hit("Dockerfile", 4, "no-new-privileges-missing", "error"),
        ]
    );
}

#[test]
fn an_allowlisted_setuid_file_is_not_reported_and_does_not_escalate() {
    let config = "[[allow.setuid]]\npath = \"/usr/bin/newuidmap\"\n\
                  reason = \"rootless podman needs newuidmap\"\n";
    let repo = repository(&[
        ("escalint.toml", config),
        ("Dockerfile", SETUID_AND_USER),
        (
            "partly/Dockerfile",
            "FROM alpine:3.20\nRUN chmod 4755 /usr/bin/newuidmap /bin/bash\nUSER 10001\n",
        ),
    ]);

    let result = lint_with(repo.path(), &["."], ConfigChoice::Discover);

    assert_eq!(
        hits(repo.path(), &result),
        vec![
            hit("Dockerfile", 3, "no-new-privileges-missing", "warning"),
            hit("partly/Dockerfile", 2, "setuid-bit", "error"),
            hit("partly/Dockerfile", 3, "no-new-privileges-missing", "error"),
        ]
    );
}

#[test]
fn a_final_stage_on_an_allowlisted_non_root_image_runs_as_its_uid() {
    let config = "[[allow.non-root-images]]\nimage = \"gcr.io/distroless/static:nonroot\"\n\
                  uid = 65532\nreason = \"distroless nonroot images run as 65532\"\n";
    let repo = repository(&[
        ("escalint.toml", config),
        (
            "direct/Dockerfile",
            "FROM golang:1.23 AS build\nRUN go build -o /app .\n\
             FROM gcr.io/distroless/static:nonroot\nCOPY --from=build /app /app\n",
        ),
        (
            "via-stage/Dockerfile",
            "FROM gcr.io/distroless/static:nonroot AS base\nFROM base\n",
        ),
        (
            "with-user/Dockerfile",
            "FROM gcr.io/distroless/static:nonroot\nUSER 0\n",
        ),
        (
            "other-tag/Dockerfile",
            "FROM gcr.io/distroless/static:latest\n",
        ),
    ]);

    let result = lint_with(repo.path(), &["."], ConfigChoice::Discover);

    assert_eq!(
        hits(repo.path(), &result),
        vec![
            hit(
                "direct/Dockerfile",
                3,
                "no-new-privileges-missing",
                "warning"
            ),
            hit("other-tag/Dockerfile", 1, "root-user", "note"),
            hit(
                "via-stage/Dockerfile",
                1,
                "no-new-privileges-missing",
                "warning"
            ),
            hit("with-user/Dockerfile", 2, "root-user", "warning"),
        ]
    );
    assert!(
        result.diagnostics[0]
            .message
            .contains("runs as user `65532` (from its base image")
    );
}

#[test]
fn without_the_allowlist_an_image_without_user_is_not_reported() {
    let repo = repository(&[(
        "Dockerfile",
        "FROM registry.example/static:1\nCMD [\"/app\"]\n",
    )]);

    let result = lint_with(repo.path(), &["."], ConfigChoice::Discover);

    let rules: Vec<&str> = result
        .diagnostics
        .iter()
        .map(|diagnostic| diagnostic.rule)
        .collect();
    assert_eq!(rules, ["root-user"]);
}

#[test]
fn a_daemon_that_sets_no_new_privileges_turns_the_rule_off() {
    let repo = repository(&[
        (
            "escalint.toml",
            "[runtime]\nno-new-privileges = \"daemon\"\n",
        ),
        ("Dockerfile", SETUID_AND_USER),
    ]);

    let result = lint_with(repo.path(), &["."], ConfigChoice::Discover);

    assert_eq!(
        hits(repo.path(), &result),
        vec![hit("Dockerfile", 2, "setuid-bit", "error")]
    );
}

#[test]
fn fail_on_comes_from_the_file_of_each_diagnostic() {
    let repo = repository(&[
        ("lenient/escalint.toml", "fail-on = \"never\"\n"),
        ("lenient/Dockerfile", SETUID_AND_USER),
        (
            "strict/escalint.toml",
            "fail-on = \"note\"\nignore = [\"root-user\"]\n",
        ),
        (
            "strict/Dockerfile",
            "FROM alpine:3.20\nRUN mkdir /shared && chmod g+s /shared\n",
        ),
    ]);

    let lenient = lint_with(repo.path(), &["lenient"], ConfigChoice::Discover);
    let strict = lint_with(repo.path(), &["strict"], ConfigChoice::Discover);

    assert!(!lenient.fails(None));
    assert!(lenient.fails(Some(escalint::config::FailOn::Warning)));
    assert_eq!(
        hits(repo.path(), &strict),
        vec![hit("strict/Dockerfile", 2, "setuid-bit", "note")]
    );
    assert!(strict.fails(None));
}

#[test]
fn the_capability_allowlist_is_read_by_service_and_capability() {
    let config = "[[allow.capabilities]]\nservice = \"vpn\"\ncapabilities = [\"NET_ADMIN\"]\n\
                  reason = \"the VPN client sets up routes\"\n";
    let repo = repository(&[
        ("escalint.toml", config),
        ("compose.yaml", "services: {}\n"),
    ]);
    let mut resolver = Resolver::new(ConfigChoice::Discover).expect("no --config");

    let settings = resolver
        .settings_for(&repo.path().join("compose.yaml"))
        .expect("the configuration is valid");

    let allowed = settings
        .allowed_capability("vpn", "cap_net_admin")
        .expect("NET_ADMIN is allowed for vpn");
    assert_eq!(allowed.reason, "the VPN client sets up routes");
    assert!(settings.allowed_capability("vpn", "SYS_ADMIN").is_none());
    assert!(settings.allowed_capability("web", "NET_ADMIN").is_none());
}

#[test]
fn a_configuration_error_stops_the_run() {
    let repo = repository(&[
        ("escalint.toml", "[severity]\nsetuid = \"off\"\n"),
        ("Dockerfile", SETUID_AND_USER),
    ]);
    let err = run_error(repo.path(), "the configuration has a typo");

    assert!(
        err.to_string()
            .ends_with("escalint.toml:2:1: unknown rule `setuid`; did you mean `setuid-bit`?"),
        "{err}"
    );
}

#[test]
fn compose_service_on_an_allowlisted_non_root_image_needs_no_new_privileges() {
    let config = "[[allow.non-root-images]]\nimage = \"gcr.io/distroless/static:nonroot\"\n\
                  uid = 65532\nreason = \"distroless nonroot images run as 65532\"\n";
    let compose = "services:\n  api:\n    image: gcr.io/distroless/static:nonroot\n    \
                   cap_drop: [ALL]\n  safe:\n    image: gcr.io/distroless/static:nonroot\n    \
                   cap_drop: [ALL]\n    security_opt: [no-new-privileges]\n  root:\n    \
                   image: alpine:3.20\n    cap_drop: [ALL]\n";
    let repo = repository(&[("escalint.toml", config), ("compose.yaml", compose)]);

    let result = lint_with(repo.path(), &["compose.yaml"], ConfigChoice::Discover);

    assert_eq!(
        hits(repo.path(), &result),
        vec![
            hit("compose.yaml", 3, "no-new-privileges-missing", "warning"),
            hit("compose.yaml", 9, "root-user", "note"),
        ]
    );
}

#[test]
fn compose_service_building_from_an_allowlisted_base_image_needs_no_new_privileges() {
    let config = "[[allow.non-root-images]]\nimage = \"gcr.io/distroless/static:nonroot\"\n\
                  uid = 65532\nreason = \"distroless nonroot images run as 65532\"\n";
    let compose = "services:\n  api:\n    build: .\n    cap_drop: [ALL]\n";
    let repo = repository(&[
        ("escalint.toml", config),
        ("compose.yaml", compose),
        ("Dockerfile", "FROM gcr.io/distroless/static:nonroot\n"),
    ]);

    let result = lint_with(repo.path(), &["compose.yaml"], ConfigChoice::Discover);

    assert_eq!(
        hits(repo.path(), &result),
        vec![hit(
            "compose.yaml",
            2,
            "no-new-privileges-missing",
            "warning"
        )]
    );
}

/// The walk's threads look for configuration files before they ask the resolver; a nested
/// folder's file, and an exclusion it names, still apply to the files walked below it.
#[test]
fn a_nested_configuration_found_while_walking_excludes_below_it() {
    let repo = repository(&[
        ("services/escalint.toml", "exclude = [\"legacy\"]\n"),
        ("services/legacy/Dockerfile", SETUID_AND_USER),
        ("services/api/Dockerfile", SETUID_AND_USER),
        ("Dockerfile", SETUID_AND_USER),
    ]);

    let walked = lint_with(repo.path(), &["."], ConfigChoice::Discover);

    let mut files: Vec<String> = hits(repo.path(), &walked)
        .into_iter()
        .map(|(file, ..)| file)
        .collect();
    files.dedup();
    assert_eq!(files, ["Dockerfile", "services/api/Dockerfile"]);
}

/// Two configuration files in one folder stop the run, also when the walk finds them.
#[test]
fn two_configuration_files_found_while_walking_stop_the_run() {
    let repo = repository(&[
        ("app/escalint.toml", ""),
        ("app/.escalint.toml", ""),
        ("app/Dockerfile", SETUID_AND_USER),
    ]);

    let error = run_error(repo.path(), "the configuration is ambiguous");

    assert!(error.to_string().contains("holds both"), "{error}");
}

/// A folder named like a configuration file would leave its folder unconfigured without a word.
#[test]
fn a_folder_named_like_a_configuration_file_stops_the_run() {
    let repo = repository(&[
        ("app/escalint.toml/notes.txt", ""),
        ("app/Dockerfile", SETUID_AND_USER),
    ]);

    let error = run_error(repo.path(), "the configuration is a folder");

    let path = std::fs::canonicalize(repo.path().join("app/escalint.toml")).expect("exists");
    assert_eq!(
        error.to_string(),
        format!(
            "{}: `escalint.toml` is a folder, not a configuration file; rename it, or run with \
             `--config FILE` or `--isolated`",
            path.display()
        )
    );
}
