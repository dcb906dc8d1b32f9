//! `check --fix` and `check --diff`: lint, apply the fixes that do not conflict, lint the fixed
//! texts again (a fix that had to wait for another gets its turn), and stop when nothing is left
//! to fix. Files are written at the end, each whole or not at all; with `--diff` nothing is
//! written.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::discover::{self, Kind};
use crate::fix::apply::{self, EditSet};
use crate::fix::verify;
use crate::lint::{self, LintError, LintOptions, LintResult};
use crate::model::compose::project;
use crate::report::output::write_whole;
use crate::source::{SourceId, absolute_path};

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
    let mut rejected: HashMap<PathBuf, String> = HashMap::new();
    let mut fixed = 0;
    let mut result = lint_with(options, &texts)?;
    for round in 0..MAX_ROUNDS {
        refuse_outside(&mut result, &editable);
        refuse_rejected(&mut result, &rejected);
        let (edits, taken) = take_fixes(&result, &texts, fix.unsafe_fixes);
        if edits.is_empty() {
            break;
        }

        let mut changed_any = false;
        for (source_id, source_edits) in edits.by_source() {
            let source = result.sources.get(source_id);
            let fixed_text = apply::apply(&source.text, source_edits);
            if let Err(reason) = verify::check(is_compose(&source.path), &source.text, &fixed_text)
            {
                log::warn!("not fixing {}: {reason}", source.display);
                rejected.insert(source.path.clone(), reason);
                continue;
            }

            let change = texts
                .entry(source.path.clone())
                .or_insert_with(|| FileChange {
                    path: source.path.clone(),
                    display: source.display.clone(),
                    original: source.text.clone(),
                    fixed: source.text.clone(),
                });
            change.fixed = fixed_text;
            changed_any = true;
        }
        if !changed_any {
            break;
        }

        fixed += taken
            .iter()
            .filter(|sources| {
                sources
                    .iter()
                    .all(|source| !is_rejected(&result, *source, &rejected))
            })
            .count();
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

/// Gives every diagnostic whose fix edits a file outside the linted paths a refusal saying so;
/// `check` without `--fix` calls it too, so it counts only fixes that `--fix` would apply.
pub fn refuse_outside_linted_paths(result: &mut LintResult, options: &LintOptions) {
    refuse_outside(result, &EditableRoots::of(options));
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

/// The applicable fixes of `result` that do not conflict, and for each fix taken the sources it
/// edits. A fix whose source was not read from the current text (a file read from disk while
/// its fixed text is still in memory) waits.
fn take_fixes(
    result: &LintResult,
    texts: &BTreeMap<PathBuf, FileChange>,
    unsafe_fixes: bool,
) -> (EditSet, Vec<Vec<SourceId>>) {
    let mut edits = EditSet::default();
    let mut taken = Vec::new();
    for diagnostic in &result.diagnostics {
        let Some(fix_edits) = diagnostic
            .fix
            .as_ref()
            .and_then(|fix| fix.applicable_edits(unsafe_fixes))
        else {
            continue;
        };

        let is_current = fix_edits.iter().all(|edit| {
            let source = result.sources.get(edit.span.source);
            texts
                .get(&source.path)
                .is_none_or(|change| change.fixed == source.text)
        });
        if is_current && edits.try_add(fix_edits) {
            let mut sources: Vec<SourceId> =
                fix_edits.iter().map(|edit| edit.span.source).collect();
            sources.dedup();
            taken.push(sources);
        }
    }
    (edits, taken)
}

fn is_rejected(result: &LintResult, source: SourceId, rejected: &HashMap<PathBuf, String>) -> bool {
    rejected.contains_key(&result.sources.get(source).path)
}

/// The files `--fix` may change: those under the paths named on the command line, and the
/// files of the Compose projects named there (the override beside a named `compose.yaml`, the
/// `-f` files).
struct EditableRoots {
    roots: Vec<PathBuf>,
}

impl EditableRoots {
    fn of(options: &LintOptions) -> Self {
        let mut roots = Vec::new();
        let named = if options.paths.is_empty() && options.compose_files.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            options.paths.clone()
        };
        for path in named.iter().chain(&options.compose_files) {
            let absolute = absolute_path(path);
            let is_compose = match options.kind {
                Some(kind) => kind == Kind::Compose,
                None => discover::kind_of_named_file(path) == Kind::Compose,
            };
            if absolute.is_file() && is_compose {
                roots.extend(project::project_files(&absolute));
            }
            roots.push(absolute);
        }
        Self { roots }
    }

    fn contains(&self, path: &Path) -> bool {
        self.roots.iter().any(|root| path.starts_with(root))
    }
}

fn refuse_outside(result: &mut LintResult, editable: &EditableRoots) {
    let sources = &result.sources;
    for diagnostic in &mut result.diagnostics {
        let Some(fix) = &mut diagnostic.fix else {
            continue;
        };
        let Ok(edits) = &fix.edits else {
            continue;
        };
        let outside = edits
            .iter()
            .map(|edit| sources.get(edit.span.source))
            .find(|source| !editable.contains(&source.path));
        if let Some(source) = outside {
            let reason = format!("{} lies outside the linted paths", source.display);
            fix.refuse(reason);
        }
    }
}

fn refuse_rejected(result: &mut LintResult, rejected: &HashMap<PathBuf, String>) {
    let sources = &result.sources;
    for diagnostic in &mut result.diagnostics {
        let Some(fix) = &mut diagnostic.fix else {
            continue;
        };
        let Ok(edits) = &fix.edits else {
            continue;
        };
        let reason = edits
            .iter()
            .find_map(|edit| rejected.get(&sources.get(edit.span.source).path));
        if let Some(reason) = reason.cloned() {
            fix.refuse(reason);
        }
    }
}

/// Compose files are YAML files; every other fixed file is a Dockerfile.
fn is_compose(path: &Path) -> bool {
    discover::kind_of_named_file(path) == Kind::Compose
}
