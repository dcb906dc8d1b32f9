//! `.pre-commit-hooks.yaml`: the hook's file patterns pick exactly the names that discovery picks,
//! and it runs `escalint check` on the files pre-commit passes. `scripts/test-pre-commit.sh` runs
//! the hook with pre-commit itself.

use std::path::Path;

use escalint::discover::classify;

#[derive(serde::Deserialize)]
struct Hook {
    id: String,
    entry: String,
    language: String,
    files: String,
    exclude: String,
}

fn hook() -> Hook {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let text = std::fs::read_to_string(path).expect("the hooks file is readable");
    let mut hooks: Vec<Hook> = serde_saphyr::from_str(&text).expect("the hooks file parses");
    assert_eq!(hooks.len(), 1);
    hooks.remove(0)
}

/// Whether pre-commit would pass `path` to the hook: `files` matches and `exclude` does not,
/// both searched in the path relative to the repository root, as Python's `re.search` does.
fn hook_takes(hook: &Hook, path: &str) -> bool {
    let files = regex::Regex::new(&hook.files).expect("`files` compiles");
    let exclude = regex::Regex::new(&hook.exclude).expect("`exclude` compiles");
    files.is_match(path) && !exclude.is_match(path)
}

#[test]
fn hook_runs_escalint_check_as_a_rust_hook() {
    let hook = hook();

    assert_eq!(hook.id, "escalint");
    assert_eq!(hook.entry, "escalint check");
    assert_eq!(hook.language, "rust");
}

#[test]
fn hook_takes_the_files_that_discovery_finds() {
    let hook = hook();
    let names = [
        "Dockerfile",
        "dockerfile",
        "Containerfile",
        "Dockerfile.dev",
        "Containerfile.fedora",
        "Dockerfile-alpine",
        "Dockerfile.yaml",
        "api.Dockerfile",
        "web.dockerfile",
        "base.containerfile",
        "compose.yaml",
        "compose.yml",
        "docker-compose.yaml",
        "docker-compose.yml",
        "Docker-Compose.YML",
        "compose.override.yaml",
        "docker-compose.override.yml",
        "compose.prod.yaml",
        "docker-compose.ci.yml",
        "Dockerfile.dockerignore",
        "api.Dockerfile.dockerignore",
        "Dockerfile.md",
        "Dockerfile.txt",
        "Dockerfile.bak",
        "Dockerfile.orig",
        "Dockerfile.rej",
        "Dockerfile.swp",
        "Dockerfile.template",
        "Dockerfile~",
        "Containerfile-alpine",
        "values.yaml",
        "composer.yaml",
        "common.yaml",
        "docker-compose.yml.bak",
        "compose.yaml~",
        "mycompose.yaml",
        "xdockerfile",
        "Dockerfiles",
        "README.md",
        "Cargo.toml",
    ];

    let mut disagreements = Vec::new();
    for name in names {
        for path in [name.to_owned(), format!("deploy/app/{name}")] {
            let found = classify(name).is_some();
            if hook_takes(&hook, &path) != found {
                disagreements.push(format!("{path}: discovery {found}"));
            }
        }
    }

    assert!(
        disagreements.is_empty(),
        "the hook and discovery disagree:\n{}",
        disagreements.join("\n")
    );
}

#[test]
fn hook_matches_the_file_name_not_a_folder_name() {
    let hook = hook();

    assert!(!hook_takes(&hook, "Dockerfile/notes.sh"));
    assert!(!hook_takes(&hook, "compose.yaml.d/readme"));
    assert!(hook_takes(&hook, "docker/Dockerfile"));
}
