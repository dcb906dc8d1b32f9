//! `check --fix` and `check --diff`: lint, apply the fixes that do not conflict, lint the fixed
//! texts again (a fix that had to wait for another gets its turn), and stop when nothing is left
//! to fix. Files are written at the end, each whole or not at all; with `--diff` nothing is
//! written.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::discover::{self, Kind};
use crate::fix::apply::{self, EditSet};
use crate::fix::{Edit, verify};
use crate::lint::{self, LintError, LintOptions, LintResult};
use crate::model::compose::project;
use crate::paths;
use crate::report::output::write_whole;
use crate::source::SourceId;

/// More rounds are never needed in practice: fixes conflict only when they edit one place.
const MAX_ROUNDS: usize = 4;

/// How to fix.
#[derive(Debug, Clone, Copy, Default)]
pub struct FixOptions {
    /// Apply unsafe fixes too.
    pub unsafe_fixes: bool,
    /// Write the fixed files; without it only compute them (`--diff`).
    pub write: bool,
}

/// One file that fixes changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: PathBuf,
    /// The path as the user reads it.
    pub display: String,
    pub original: String,
    pub fixed: String,
}

/// What a fix run did.
#[derive(Debug)]
pub struct FixOutcome {
    /// The diagnostics that remain: the files read back after writing, or the fixed texts
    /// linted in memory with `--diff`.
    pub result: LintResult,
    /// The files changed, by path.
    pub changes: Vec<FileChange>,
    /// How many diagnostics the applied fixes address.
    pub fixed: usize,
    /// Whether the changes were written.
    pub written: bool,
}

/// A file that cannot be written: nothing after it is written either.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error(transparent)]
    Lint(#[from] LintError),
    #[error("cannot write the fixed file {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("`--fix` and `--diff` edit files, not standard input")]
    StandardInput,
}

/// Lints `options`, fixes what can be fixed, and lints again.
pub fn run(options: &LintOptions, fix: FixOptions) -> Result<FixOutcome, FixError> {
    if options.paths.iter().any(|path| path.as_os_str() == "-") {
        return Err(FixError::StandardInput);
    }

    let editable = EditableRoots::of(options);
    let mut texts: BTreeMap<PathBuf, FileChange> = BTreeMap::new();
    let mut rejected: HashMap<FixKey, String> = HashMap::new();
    let mut fixed = 0;
    let mut result = lint_with(options, &texts)?;
    for round in 0..MAX_ROUNDS {
        refuse_outside(&mut result, &editable);
        refuse_rejected(&mut result, &rejected);
        let taken = take_fixes(&result, &texts, fix.unsafe_fixes);
        if taken.is_empty() {
            break;
        }

        let mut by_source: BTreeMap<SourceId, Vec<TakenFix>> = BTreeMap::new();
        for taken_fix in taken {
            by_source
                .entry(taken_fix.source)
                .or_default()
                .push(taken_fix);
        }
        let mut changed_any = false;
        for (source_id, fixes) in by_source {
            let source = result.sources.get(source_id);
            let (fixed_text, applied) =
                apply_verified(&source.text, is_compose(&source.path), fixes, &mut rejected);
            if applied == 0 {
                continue;
            }

            fixed += applied;
            changed_any = true;
            let change = texts
                .entry(source.path.clone())
                .or_insert_with(|| FileChange {
                    path: source.path.clone(),
                    display: source.display.clone(),
                    original: source.text.clone(),
                    fixed: source.text.clone(),
                });
            change.fixed = fixed_text;
        }
        if !changed_any {
            break;
        }

        log::debug!(
            "fix round {}: {} files changed so far",
            round + 1,
            texts.len()
        );
        result = lint_with(options, &texts)?;
    }

    let changes: Vec<FileChange> = texts
        .into_values()
        .filter(|change| change.fixed != change.original)
        .collect();
    if fix.write && !changes.is_empty() {
        for change in &changes {
            write_whole(&change.path, &change.fixed).map_err(|source| FixError::Write {
                path: change.display.clone(),
                source,
            })?;
        }
        // LIMITATION: a lint reads `extends` and `include` files from disk, not from the fixed
        // texts, so with `--diff` the remaining diagnostics may count some that its fixes
        // address; after writing, the last word is a lint of what was written.
        result = lint::lint(options)?;
    }
    refuse_outside(&mut result, &editable);
    refuse_rejected(&mut result, &rejected);
    Ok(FixOutcome {
        result,
        written: fix.write && !changes.is_empty(),
        changes,
        fixed,
    })
}

/// A fix taken in a round: the one source it edits, its edits, and what identifies it in
/// later rounds, whose lints make its diagnostic anew.
struct TakenFix {
    source: SourceId,
    edits: Vec<Edit>,
    key: FixKey,
}

/// A fix across rounds: its rule, the message of its diagnostic and its description.
type FixKey = (&'static str, String, String);

/// `text` with the fixes applied whose result still reads as intended, and how many those are.
/// Together they usually do; when not, each is tried in turn on top of those kept, and a fix
/// that breaks the file is recorded in `rejected` with the reason.
fn apply_verified(
    text: &str,
    is_compose: bool,
    fixes: Vec<TakenFix>,
    rejected: &mut HashMap<FixKey, String>,
) -> (String, usize) {
    let all: Vec<&TakenFix> = fixes.iter().collect();
    let fixed = apply::apply(text, &merged_edits(&all));
    if verify::check(is_compose, text, &fixed).is_ok() {
        return (fixed, fixes.len());
    }

    let mut kept: Vec<&TakenFix> = Vec::new();
    for candidate in &fixes {
        let mut trial = kept.clone();
        trial.push(candidate);
        let fixed = apply::apply(text, &merged_edits(&trial));
        match verify::check(is_compose, text, &fixed) {
            Ok(()) => kept = trial,
            Err(reason) => {
                log::warn!("not applying the fix to {}: {reason}", candidate.key.2);
                rejected.insert(candidate.key.clone(), reason);
            }
        }
    }
    (apply::apply(text, &merged_edits(&kept)), kept.len())
}

/// The edits of several fixes, an edit that two of them share counted once.
fn merged_edits(fixes: &[&TakenFix]) -> Vec<Edit> {
    let mut edits: Vec<Edit> = Vec::new();
    for fix in fixes {
        for edit in &fix.edits {
            if !edits.contains(edit) {
                edits.push(edit.clone());
            }
        }
    }
    edits
}

/// Gives every diagnostic whose fix edits a file outside the linted paths a refusal saying so;
/// `check` without `--fix` calls it too, so it counts only fixes that `--fix` would apply.
pub fn refuse_outside_linted_paths(result: &mut LintResult, options: &LintOptions) {
    paths::remembering(|| {
        let editable = EditableRoots::of(options);
        refuse_outside(result, &editable);
    });
}

fn lint_with(
    options: &LintOptions,
    texts: &BTreeMap<PathBuf, FileChange>,
) -> Result<LintResult, LintError> {
    let mut options = options.clone();
    for (path, change) in texts {
        options.overlay.insert(path.clone(), change.fixed.clone());
    }
    lint::lint(&options)
}

/// The applicable fixes of `result` whose edits do not conflict. A fix whose source was not read
/// from the current text (a file read from disk while its fixed text is still in memory) waits,
/// and so does one that edits several files, which no rule offers.
fn take_fixes(
    result: &LintResult,
    texts: &BTreeMap<PathBuf, FileChange>,
    unsafe_fixes: bool,
) -> Vec<TakenFix> {
    let mut edit_set = EditSet::default();
    let mut taken = Vec::new();
    for diagnostic in &result.diagnostics {
        let Some(fix) = &diagnostic.fix else {
            continue;
        };
        let Some(edits) = fix.applicable_edits(unsafe_fixes) else {
            continue;
        };

        let source_id = edits[0].span.source;
        if edits.iter().any(|edit| edit.span.source != source_id) {
            continue;
        }
        let source = result.sources.get(source_id);
        let is_current = texts
            .get(&source.path)
            .is_none_or(|change| change.fixed == source.text);
        if is_current && edit_set.try_add(edits) {
            taken.push(TakenFix {
                source: source_id,
                edits: edits.to_vec(),
                key: key_of(diagnostic),
            });
        }
    }
    taken
}

fn key_of(diagnostic: &Diagnostic) -> FixKey {
    let description = diagnostic
        .fix
        .as_ref()
        .map_or_else(String::new, |fix| fix.description.clone());
    (diagnostic.rule, diagnostic.message.clone(), description)
}

/// The files `--fix` may change: those under the paths named on the command line, and the
/// files of the Compose projects named there (the override beside a named `compose.yaml`, the
/// `-f` files).
struct EditableRoots {
    /// The named paths, canonical; a set, since a run names thousands of files and each edit is
    /// checked against them.
    named: paths::PathSet,
    /// The named files that are Compose files, whose projects' files are editable too.
    named_compose_files: Vec<PathBuf>,
    /// The files of those projects, found on disk the first time an edited file lies below no
    /// named path: most runs never need them.
    project_files: OnceCell<paths::PathSet>,
}

impl EditableRoots {
    fn of(options: &LintOptions) -> Self {
        let named = if options.paths.is_empty() && options.compose_files.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            options.paths.clone()
        };
        let mut roots = Self {
            named: paths::PathSet::default(),
            named_compose_files: Vec::new(),
            project_files: OnceCell::new(),
        };
        for path in named.iter().chain(&options.compose_files) {
            let absolute = paths::canonical(path);
            let is_compose = match options.kind {
                Some(kind) => kind == Kind::Compose,
                None => discover::kind_of_named_file(path) == Kind::Compose,
            };
            if is_compose {
                roots.named_compose_files.push(absolute.clone());
            }
            roots.named.insert(absolute);
        }
        roots
    }

    /// Whether `path` is a named path, lies below one, or is a file of a named project.
    fn contains(&self, path: &Path) -> bool {
        if path
            .ancestors()
            .any(|ancestor| self.named.contains(ancestor))
        {
            return true;
        }

        let project_files = self.project_files.get_or_init(|| {
            let named_files = self
                .named_compose_files
                .iter()
                .filter(|path| path.is_file());
            named_files
                .flat_map(|path| project::project_files(path))
                .collect()
        });
        project_files.contains(path)
    }
}

fn refuse_outside(result: &mut LintResult, editable: &EditableRoots) {
    let sources = &result.sources;
    // Thousands of diagnostics edit a few hundred files: each file is looked up once.
    let mut is_editable: HashMap<SourceId, bool> = HashMap::new();
    for diagnostic in &mut result.diagnostics {
        let Some(fix) = &mut diagnostic.fix else {
            continue;
        };
        let Ok(edits) = &fix.edits else {
            continue;
        };
        let outside = edits.iter().map(|edit| edit.span.source).find(|&id| {
            !*is_editable
                .entry(id)
                .or_insert_with(|| editable.contains(&sources.get(id).path))
        });
        if let Some(id) = outside {
            let reason = format!("{} lies outside the linted paths", sources.get(id).display);
            fix.refuse(reason);
        }
    }
}

fn refuse_rejected(result: &mut LintResult, rejected: &HashMap<FixKey, String>) {
    for diagnostic in &mut result.diagnostics {
        if diagnostic.fix.is_none() {
            continue;
        }
        if let Some(reason) = rejected.get(&key_of(diagnostic)).cloned()
            && let Some(fix) = &mut diagnostic.fix
        {
            fix.refuse(reason);
        }
    }
}

/// Compose files are YAML files; every other fixed file is a Dockerfile.
fn is_compose(path: &Path) -> bool {
    discover::kind_of_named_file(path) == Kind::Compose
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn editable_roots_hold_what_lies_below_a_named_path() {
        let roots = EditableRoots {
            named: [
                PathBuf::from("/repo/app"),
                PathBuf::from("/repo/compose.yaml"),
            ]
            .into_iter()
            .collect(),
            named_compose_files: Vec::new(),
            project_files: OnceCell::new(),
        };

        assert!(roots.contains(Path::new("/repo/app")));
        assert!(roots.contains(Path::new("/repo/app/deploy/Dockerfile")));
        assert!(roots.contains(Path::new("/repo/compose.yaml")));
        assert!(!roots.contains(Path::new("/repo/application/Dockerfile")));
        assert!(!roots.contains(Path::new("/repo/compose.override.yaml")));
        assert!(!roots.contains(Path::new("/repo")));
    }

    fn taken(text: &str, after: &str, insert: &str, name: &str) -> TakenFix {
        let at = text.find(after).expect("present") + after.len();
        TakenFix {
            source: SourceId(0),
            edits: vec![Edit::insert(Span::new(SourceId(0), at, at), insert)],
            key: ("cap-drop-all-missing", name.to_owned(), String::new()),
        }
    }

    #[test]
    fn a_fix_that_breaks_the_file_is_dropped_and_the_others_kept() {
        let text = "services:\n  app:\n    command: |\n      run\n  db:\n    image: db\n";
        let good = taken(text, "image: db\n", "    cap_drop: [ALL]\n", "db");
        let bad = taken(text, "      run\n", "      cap_drop: [ALL]\n", "app");
        let mut rejected = HashMap::new();

        let (fixed, applied) = apply_verified(text, true, vec![bad, good], &mut rejected);

        assert_eq!(applied, 1);
        assert_eq!(
            fixed,
            "services:\n  app:\n    command: |\n      run\n  db:\n    image: db\n    \
             cap_drop: [ALL]\n"
        );
        let key = ("cap-drop-all-missing", "app".to_owned(), String::new());
        assert!(rejected.contains_key(&key), "{rejected:?}");
    }
}
