//! The merged model of the projects in `fixtures/compose-project/`: the `user`, `security_opt`
//! and `cap_drop` of each service are the ones `docker compose config` prints for the project,
//! worked out by hand from the Compose specification. Also: a project is linted the same way
//! from any of its files, and `-f` files form one project in their order.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use escalint::lint::{LintOptions, lint};
use escalint::model::Service;
use escalint::model::compose::{LoadOptions, load_project, project};
use escalint::source::{Source, Sources};

const PROJECTS: &str = "fixtures/compose-project";

/// One service as `docker compose config` shows it; `None` where the key is absent.
struct Expected {
    service: &'static str,
    user: Option<&'static str>,
    security_opt: Option<&'static [&'static str]>,
    cap_drop: Option<&'static [&'static str]>,
}

const NNP: &[&str] = &["no-new-privileges:true"];
const ALL: &[&str] = &["ALL"];

#[test]
fn override_adds_cap_drop() {
    assert_model(
        "override-adds-cap-drop",
        &[
            Expected {
                service: "api",
                user: Some("10001:10001"),
                security_opt: Some(NNP),
                cap_drop: Some(ALL),
            },
            Expected {
                service: "worker",
                user: None,
                security_opt: None,
                cap_drop: None,
            },
        ],
    );
}

#[test]
fn override_adds_security_opt_to_a_service_with_a_user() {
    assert_model(
        "override-adds-security-opt",
        &[Expected {
            service: "api",
            user: Some("10001"),
            security_opt: Some(&["apparmor=docker-default", "no-new-privileges:true"]),
            cap_drop: Some(ALL),
        }],
    );
}

#[test]
fn reset_removes_cap_drop() {
    assert_model(
        "reset-removes-cap-drop",
        &[Expected {
            service: "app",
            user: Some("10001"),
            security_opt: Some(NNP),
            cap_drop: None,
        }],
    );
}

#[test]
fn extends_from_another_file() {
    assert_model(
        "extends-other-file",
        &[
            Expected {
                service: "app",
                user: Some("10001"),
                security_opt: Some(NNP),
                cap_drop: Some(ALL),
            },
            Expected {
                service: "batch",
                user: Some("2000"),
                security_opt: None,
                cap_drop: Some(ALL),
            },
        ],
    );
}

#[test]
fn include_with_its_own_env_file() {
    assert_model(
        "include",
        &[
            Expected {
                service: "web",
                user: Some("10001"),
                security_opt: Some(NNP),
                cap_drop: Some(ALL),
            },
            Expected {
                service: "db",
                user: Some("999"),
                security_opt: None,
                cap_drop: Some(ALL),
            },
        ],
    );
}

#[test]
fn user_interpolated_from_the_env_file() {
    assert_model(
        "env-interpolated-user",
        &[Expected {
            service: "app",
            user: Some("10001:0"),
            security_opt: None,
            cap_drop: Some(ALL),
        }],
    );
}

#[test]
fn merge_key_anchor() {
    assert_model(
        "merge-key-anchor",
        &[Expected {
            service: "api",
            user: Some("10001"),
            security_opt: None,
            cap_drop: Some(ALL),
        }],
    );
}

#[test]
fn services_in_a_profile_are_in_the_model() {
    assert_model(
        "profile",
        &[
            Expected {
                service: "app",
                user: Some("10001"),
                security_opt: Some(NNP),
                cap_drop: Some(ALL),
            },
            Expected {
                service: "debug",
                user: Some("1000"),
                security_opt: None,
                cap_drop: None,
            },
        ],
    );
}

#[test]
fn an_override_linted_alone_reports_its_whole_project() {
    for case in ["override-adds-cap-drop", "reset-removes-cap-drop"] {
        let folder = Path::new(PROJECTS).join(case);
        let whole = reported(lint_paths(std::slice::from_ref(&folder), &[]));
        let override_alone = reported(lint_paths(&[folder.join("compose.override.yaml")], &[]));
        let default_alone = reported(lint_paths(&[folder.join("compose.yaml")], &[]));

        assert!(!whole.is_empty(), "{case} has diagnostics");
        assert_eq!(override_alone, whole, "{case}: the override linted alone");
        assert_eq!(
            default_alone, whole,
            "{case}: the default file linted alone"
        );
    }
}

#[test]
fn a_project_counts_each_linted_file_once() {
    let folder = Path::new(PROJECTS).join("override-adds-cap-drop");

    let result = lint(&LintOptions {
        paths: vec![folder.clone(), folder.join("compose.override.yaml")],
        ..LintOptions::default()
    })
    .expect("the fixture is readable");

    assert_eq!(result.linted_files, 2);
}

#[test]
fn compose_files_given_with_f_form_one_project_without_the_automatic_override() {
    let folder = Path::new(PROJECTS).join("override-adds-cap-drop");
    let base = folder.join("compose.yaml");
    let override_file = folder.join("compose.override.yaml");

    let base_only = reported(lint_paths(&[], std::slice::from_ref(&base)));
    let both = reported(lint_paths(&[], &[base.clone(), override_file]));

    let cap_drop_lines = |found: &BTreeSet<(String, usize, String)>| -> Vec<usize> {
        found
            .iter()
            .filter(|(_, _, rule)| rule == "cap-drop-all-missing")
            .map(|(_, line, _)| *line)
            .collect()
    };
    // Without the override, `api` (line 2) drops nothing either.
    assert_eq!(cap_drop_lines(&base_only), [2, 10]);
    assert_eq!(cap_drop_lines(&both), [10]);
    assert_eq!(both, reported(lint_paths(&[folder], &[])));
}

fn assert_model(case: &str, expected: &[Expected]) {
    let services = load_fixture(case);

    let names: Vec<&str> = services
        .iter()
        .map(|service| service.name.as_str())
        .collect();
    let expected_names: Vec<&str> = expected.iter().map(|service| service.service).collect();
    assert_eq!(names, expected_names, "{case}: services");
    for (service, expected) in services.iter().zip(expected) {
        let what = format!("{case}: service `{}`", service.name);
        assert_eq!(
            service.user.as_ref().map(|user| user.value.as_str()),
            expected.user,
            "{what}: user"
        );
        assert_eq!(
            texts(service.security_opt.as_ref()),
            expected.security_opt.map(<[&str]>::to_vec),
            "{what}: security_opt"
        );
        assert_eq!(
            texts(service.cap_drop.as_ref()),
            expected.cap_drop.map(<[&str]>::to_vec),
            "{what}: cap_drop"
        );
    }
}

/// The services of a fixture project, loaded as `docker compose` in its folder would load it.
fn load_fixture(case: &str) -> Vec<Service> {
    let folder = std::path::absolute(Path::new(PROJECTS).join(case)).expect("an absolute path");
    let mut sources = Sources::default();
    let mut ids = Vec::new();
    for path in project::project_files(&folder.join("compose.yaml")) {
        let text = std::fs::read_to_string(&path).expect("fixture files are readable");
        ids.push(sources.add(Source::new(path.display().to_string(), path, text)));
    }

    let loaded = load_project(&mut sources, &ids, &LoadOptions::default());
    let problems: Vec<&str> = loaded
        .diagnostics
        .iter()
        .map(|diagnostic| diagnostic.message.as_str())
        .collect();
    assert!(problems.is_empty(), "{case} loads cleanly: {problems:?}");
    loaded.compose.services
}

fn texts(listing: Option<&escalint::model::Listing>) -> Option<Vec<&str>> {
    listing.map(|listing| {
        listing
            .items
            .iter()
            .map(|item| item.value.as_str())
            .collect()
    })
}

fn lint_paths(paths: &[PathBuf], compose_files: &[PathBuf]) -> escalint::lint::LintResult {
    lint(&LintOptions {
        paths: paths.to_vec(),
        compose_files: compose_files.to_vec(),
        ..LintOptions::default()
    })
    .expect("fixtures are readable")
}

/// (file, line, rule) of every reported diagnostic.
fn reported(result: escalint::lint::LintResult) -> BTreeSet<(String, usize, String)> {
    result
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let source = result.sources.get(diagnostic.span.source);
            let (line, _) = source.line_column(diagnostic.span.start);
            (source.display.clone(), line, diagnostic.rule.to_owned())
        })
        .collect()
}

/// Projects load on several threads, each reading the files it needs beyond the run's through a
/// view of its own; a project that read files is loaded again when one before it did too. Here
/// `extends-other-file` and `include` both read files no other project reads, so one of them is
/// loaded twice. Linting every fixture project in one run must report what each reports alone.
#[test]
fn projects_loaded_together_report_what_each_reports_alone() {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(PROJECTS)
        .expect("the fixture folder is readable")
        .map(|entry| entry.expect("a readable entry").path())
        .collect();
    folders.sort();

    let together = reported(lint_paths(&[PathBuf::from(PROJECTS)], &[]));
    let alone: BTreeSet<(String, usize, String)> = folders
        .iter()
        .flat_map(|folder| reported(lint_paths(std::slice::from_ref(folder), &[])))
        .collect();

    assert!(
        folders.len() > 5,
        "expected the fixture projects in {PROJECTS}"
    );
    assert_eq!(together, alone);
}

/// A project's override file that the editor has open is read from the editor's text, not from
/// the disk, also when the project loads on a worker thread.
#[test]
fn an_override_open_in_the_editor_is_read_from_its_text() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let base = folder.path().join("compose.yaml");
    let override_file = folder.path().join("compose.override.yaml");
    std::fs::write(&base, "services:\n  api:\n    image: example/api:1.4\n").expect("written");
    std::fs::write(&override_file, "services:\n  api:\n    user: \"10001\"\n").expect("written");
    let unsaved = "services:\n  api:\n    user: \"10001\"\n    cap_drop: [ALL]\n";

    let rules_of = |overlay: std::collections::HashMap<PathBuf, String>| -> BTreeSet<String> {
        let result = lint(&LintOptions {
            paths: vec![base.clone()],
            overlay,
            ..LintOptions::default()
        })
        .expect("the project is readable");
        result
            .diagnostics
            .iter()
            .map(|diagnostic| diagnostic.rule.to_owned())
            .collect()
    };
    let on_disk = rules_of(Default::default());
    let in_editor = rules_of([(override_file.clone(), unsaved.to_owned())].into());

    assert!(on_disk.contains("cap-drop-all-missing"), "{on_disk:?}");
    assert!(!in_editor.contains("cap-drop-all-missing"), "{in_editor:?}");
}
