//! `check --fix` as users run it. Each `fixtures/fixes/<case>/` holds the files `before/` and
//! the hand-written expectations `after/` (only the files that change; no `after/` when nothing
//! may change), and optionally `args`, the paths and options given after `check --fix`
//! (default `.`). The fixed files must equal the expectations byte for byte, read as the same
//! Compose model apart from the hardening, leave no fix to apply, and stay as they are when
//! fixed again. The same is asked of every Compose file of the shared corpus.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use escalint::discover::{self, Kind};
use escalint::lint::{LintOptions, lint};
use escalint::model::compose::{LoadOptions, load_project, project};
use escalint::model::{Service, parse_compose_bool};
use escalint::source::{Source, Sources};

const CASES: &str = "fixtures/fixes";

#[test]
fn every_fix_fixture_gives_its_expected_files() {
    let mut failures = Vec::new();
    for case in cases() {
        if let Err(failure) = check_case(&case) {
            failures.push(format!("{}: {failure}", case.display()));
        }
    }

    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn fixes_say_where_a_shared_value_is_written() {
    let descriptions = |case: &str| -> Vec<String> {
        let options = LintOptions {
            paths: vec![Path::new(CASES).join(case).join("before")],
            ..LintOptions::default()
        };
        let result = lint(&options).expect("the fixture is readable");
        result
            .diagnostics
            .iter()
            .filter_map(|diagnostic| diagnostic.fix.as_ref())
            .map(|fix| fix.description.clone())
            .collect()
    };

    let anchored = descriptions("anchors-and-merge-keys");
    let extended = descriptions("extends-base");
    let aliased = descriptions("aliases");

    assert!(
        anchored.contains(
            &"add `ALL` to `cap_drop` in the anchor `&hardening`, where it is written".to_owned()
        ),
        "{anchored:?}"
    );
    assert!(
        anchored.contains(
            &"add `security_opt: [\"no-new-privileges:true\"]` to the service".to_owned()
        ),
        "{anchored:?}"
    );
    assert!(
        aliased.contains(
            &"add `cap_drop: [ALL]` to the service in the anchor `&base`, where it is written"
                .to_owned()
        ),
        "{aliased:?}"
    );
    assert!(
        extended.iter().any(|description| description
            .starts_with("add `no-new-privileges:true` to `security_opt` in `")
            && description.ends_with("base.yaml`, which `extends` brings in, where it is written")),
        "{extended:?}"
    );
}

#[test]
fn diff_prints_the_fixes_and_writes_nothing() {
    let case = Path::new(CASES).join("block-four-spaces");
    let folder = copy_of(&case.join("before"));
    let before = read_files(folder.path());

    let output = escalint(folder.path(), &["check", "--diff", "."]);

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.starts_with("--- a/compose.yaml\n+++ b/compose.yaml\n@@ "),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n         - label=disable\n+        - no-new-privileges:true\n+        cap_drop:\n+        - ALL\n"),
        "{stdout}"
    );
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("would fix 4 diagnostics in 1 file"),
        "{output:?}"
    );
    assert_eq!(read_files(folder.path()), before, "--diff writes nothing");
}

#[cfg(unix)]
#[test]
fn a_fixed_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;

    let folder = copy_of(&Path::new(CASES).join("block-two-spaces/before"));
    let compose = folder.path().join("compose.yaml");
    fs::set_permissions(&compose, fs::Permissions::from_mode(0o600)).expect("set");

    escalint(folder.path(), &["check", "--fix", "-q", "."]);

    let after = Path::new(CASES).join("block-two-spaces/after/compose.yaml");
    assert_eq!(fs::read(&compose).ok(), fs::read(after).ok());
    let mode = fs::metadata(&compose)
        .expect("readable")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn fix_and_diff_refuse_standard_input() {
    let output = Command::new(env!("CARGO_BIN_EXE_escalint"))
        .args(["check", "--fix", "--stdin-filename", "compose.yaml", "-"])
        .output()
        .expect("escalint runs");

    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not standard input"),
        "{output:?}"
    );
}

#[test]
fn fixing_the_compose_corpus_changes_only_the_hardened_keys_once() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/compose");
    let Ok(corpus) = corpus.canonicalize() else {
        eprintln!("skipped: {} is absent", corpus.display());
        return;
    };
    let folder = copy_of(&corpus);

    let first = escalint(
        folder.path(),
        &["check", "--fix", "--unsafe-fixes", "-q", "."],
    );
    let fixed = read_files(folder.path());
    let second = escalint(
        folder.path(),
        &["check", "--fix", "--unsafe-fixes", "-q", "."],
    );

    assert_ne!(first.status.code(), Some(2), "{first:?}");
    assert_eq!(
        read_files(folder.path()),
        fixed,
        "a second run changes nothing"
    );
    assert_eq!(second.status.code(), first.status.code());
    let original = read_files(&corpus);
    let changed: Vec<&PathBuf> = fixed
        .iter()
        .filter(|(path, text)| original.get(*path) != Some(*text))
        .map(|(path, _)| path)
        .collect();
    assert!(changed.len() > 100, "only {} files changed", changed.len());

    let mut failures = Vec::new();
    for relative in original.keys() {
        let is_compose = relative
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| discover::classify(name) == Some(Kind::Compose));
        if !is_compose {
            continue;
        }
        if let Err(failure) = compare_models((&corpus, folder.path()), relative) {
            failures.push(format!("{}: {failure}", relative.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Runs the case in a copy of `before/` and compares.
fn check_case(case: &Path) -> Result<(), String> {
    let args = match fs::read_to_string(case.join("args")) {
        Ok(args) => args.split_whitespace().map(str::to_owned).collect(),
        Err(_) => vec![".".to_owned()],
    };
    let unsafe_fixes = args.iter().any(|arg| arg == "--unsafe-fixes");
    let before = case.join("before");
    let folder = copy_of(&before);

    let mut command = vec!["check".to_owned(), "--fix".to_owned()];
    command.extend(args.iter().cloned());
    let command: Vec<&str> = command.iter().map(String::as_str).collect();
    let first = escalint(folder.path(), &command);
    if first.status.code() == Some(2) {
        return Err(format!("escalint failed: {first:?}"));
    }

    let mut expected = read_files(&before);
    expected.extend(read_files(&case.join("after")));
    let fixed = read_files(folder.path());
    if fixed != expected {
        return Err(describe_difference(&expected, &fixed));
    }

    let second = escalint(folder.path(), &command);
    if read_files(folder.path()) != fixed {
        return Err("a second `--fix` changed the files again".to_owned());
    }
    if String::from_utf8_lossy(&second.stderr).contains("fixed ") {
        return Err(format!("a second `--fix` fixed something: {second:?}"));
    }

    for relative in fixed.keys() {
        let name = relative
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("");
        if discover::classify(name) == Some(Kind::Compose) {
            compare_models((&before, folder.path()), relative)?;
        }
    }
    no_fix_left(folder.path(), &args, unsafe_fixes)
}

/// The fixed files lint without a diagnostic that `--fix` could still fix.
fn no_fix_left(folder: &Path, args: &[String], unsafe_fixes: bool) -> Result<(), String> {
    let paths = args
        .iter()
        .filter(|arg| !arg.starts_with("--"))
        .map(|arg| folder.join(arg))
        .collect();
    let options = LintOptions {
        paths,
        ..LintOptions::default()
    };
    let mut result = lint(&options).map_err(|err| err.to_string())?;
    escalint::fix::session::refuse_outside_linted_paths(&mut result, &options);
    let left: Vec<&str> = result
        .diagnostics
        .iter()
        .filter(|diagnostic| {
            diagnostic
                .fix
                .as_ref()
                .is_some_and(|fix| fix.applicable_edits(unsafe_fixes).is_some())
        })
        .map(|diagnostic| diagnostic.message.as_str())
        .collect();
    if left.is_empty() {
        Ok(())
    } else {
        Err(format!("fixable diagnostics remain: {left:?}"))
    }
}

/// The Compose project of `relative` below the original root and below the fixed copy's root
/// (`roots`) have the same services with the same values, apart from `cap_drop` and
/// `security_opt` gaining what fixes add.
fn compare_models(roots: (&Path, &Path), relative: &Path) -> Result<(), String> {
    let (before_services, before_errors) = load(&roots.0.join(relative));
    let (after_services, after_errors) = load(&roots.1.join(relative));
    let (before_root, after_root) = (roots.0.display().to_string(), roots.1.display().to_string());
    let after_errors: Vec<(String, String)> = after_errors
        .into_iter()
        .map(|(rule, message)| (rule, message.replace(&after_root, &before_root)))
        .collect();
    if after_errors != before_errors {
        return Err(format!(
            "problems loading the project changed from {before_errors:?} to {after_errors:?}"
        ));
    }

    let names = |services: &[Service]| -> Vec<String> {
        services
            .iter()
            .map(|service| service.name.clone())
            .collect()
    };
    if names(&before_services) != names(&after_services) {
        return Err("the services changed".to_owned());
    }
    for (old, new) in before_services.iter().zip(&after_services) {
        only_hardened(old, new, roots)
            .map_err(|reason| format!("service `{}`: {reason}", old.name))?;
    }
    Ok(())
}

/// Loads the project a Compose file belongs to; returns its services and its loading problems
/// (`parse-error`, `compose-schema`) as rule and message.
fn load(path: &Path) -> (Vec<Service>, Vec<(String, String)>) {
    let mut sources = Sources::default();
    let mut ids = Vec::new();
    for file in project::project_files(path) {
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        ids.push(sources.add(Source::new(file.display().to_string(), file, text)));
    }
    let loaded = load_project(&mut sources, &ids, &LoadOptions::default());
    let problems = loaded
        .diagnostics
        .iter()
        .map(|diagnostic| (diagnostic.rule.to_owned(), diagnostic.message.clone()))
        .collect();
    (loaded.compose.services, problems)
}

/// `roots` hold the two projects, whose build contexts are compared relative to them.
fn only_hardened(old: &Service, new: &Service, roots: (&Path, &Path)) -> Result<(), String> {
    let value = |spanned: &Option<escalint::source::Spanned<String>>| {
        spanned.as_ref().map(|spanned| spanned.value.clone())
    };
    if value(&old.image) != value(&new.image) || value(&old.user) != value(&new.user) {
        return Err("`image` or `user` changed".to_owned());
    }
    let is_removed = new.privileged.is_none()
        && old
            .privileged
            .as_ref()
            .is_some_and(|privileged| parse_compose_bool(&privileged.value) == Some(true));
    if value(&old.privileged) != value(&new.privileged) && !is_removed {
        return Err("`privileged` changed".to_owned());
    }
    let devices = |service: &Service| -> Vec<String> {
        service
            .devices
            .iter()
            .map(|device| device.value.clone())
            .collect()
    };
    if devices(old) != devices(new) || old.volumes.len() != new.volumes.len() {
        return Err("`devices` or `volumes` changed".to_owned());
    }
    if items(old.cap_add.as_ref()) != items(new.cap_add.as_ref()) {
        return Err("`cap_add` changed".to_owned());
    }
    let build = |service: &Service, folder: &Path| {
        service.build.as_ref().map(|build| {
            let context = build.context.strip_prefix(folder).unwrap_or(&build.context);
            (context.to_path_buf(), build.target.clone())
        })
    };
    if build(old, roots.0) != build(new, roots.1) {
        return Err("`build` changed".to_owned());
    }

    let (old_drop, new_drop) = (items(old.cap_drop.as_ref()), items(new.cap_drop.as_ref()));
    let is_appended = |old: &[String], new: &[String], item: &str| {
        new.len() == old.len() + 1
            && new.starts_with(old)
            && new.last().is_some_and(|last| last == item)
    };
    if old_drop != new_drop && !is_appended(&old_drop, &new_drop, "ALL") {
        return Err(format!("`cap_drop` went from {old_drop:?} to {new_drop:?}"));
    }

    let (old_options, new_options) = (
        items(old.security_opt.as_ref()),
        items(new.security_opt.as_ref()),
    );
    let is_turned_on = old_options.len() == new_options.len()
        && old_options
            .iter()
            .zip(&new_options)
            .filter(|(old, new)| old != new)
            .all(|(old, new)| old.starts_with("no-new-privileges") && new.ends_with("true"));
    if !is_turned_on && !is_appended(&old_options, &new_options, "no-new-privileges:true") {
        return Err(format!(
            "`security_opt` went from {old_options:?} to {new_options:?}"
        ));
    }
    if old_options != new_options && !new.has_no_new_privileges() {
        return Err("`security_opt` changed but does not turn the option on".to_owned());
    }
    Ok(())
}

fn items(listing: Option<&escalint::model::Listing>) -> Vec<String> {
    listing.map_or_else(Vec::new, |listing| {
        listing
            .items
            .iter()
            .map(|item| item.value.clone())
            .collect()
    })
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(CASES)
        .expect("run the tests from the crate root")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "too few fix fixtures: {cases:?}");
    cases
}

fn escalint(folder: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_escalint"))
        .args(args)
        .current_dir(folder)
        .output()
        .expect("escalint runs")
}

/// Every file below `folder` by relative path, as bytes.
fn read_files(folder: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(folder)
                    .expect("below the folder")
                    .to_path_buf();
                files.insert(relative, fs::read(&path).expect("readable"));
            }
        }
    }
    files
}

fn copy_of(folder: &Path) -> tempfile::TempDir {
    let copy = tempfile::tempdir().expect("a temporary folder");
    for (relative, bytes) in read_files(folder) {
        let target = copy.path().join(relative);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).expect("created");
        }
        fs::write(target, bytes).expect("written");
    }
    copy
}

fn describe_difference(
    expected: &BTreeMap<PathBuf, Vec<u8>>,
    actual: &BTreeMap<PathBuf, Vec<u8>>,
) -> String {
    let mut lines = Vec::new();
    for (path, bytes) in actual {
        match expected.get(path) {
            Some(want) if want == bytes => {}
            Some(want) => lines.push(format!(
                "{} differs:\n--- expected\n{}\n--- got\n{}",
                path.display(),
                String::from_utf8_lossy(want),
                String::from_utf8_lossy(bytes)
            )),
            None => lines.push(format!("{} is new", path.display())),
        }
    }
    for path in expected.keys().filter(|path| !actual.contains_key(*path)) {
        lines.push(format!("{} is gone", path.display()));
    }
    lines.join("\n")
}
