//! Baselines: `check --write-baseline FILE` records the diagnostics of today by fingerprint, and
//! `check --baseline FILE` then reports only the diagnostics not recorded, so a team can adopt
//! escalint on a large repository in one commit. A fingerprint is made of the rule, the file,
//! the normalised text of the flagged instruction or line, and the stage or service: never a
//! line number, so an unrelated edit that shifts lines leaves it unchanged.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::lint::LintResult;

/// The version of the baseline file's shape.
const VERSION: u32 = 1;

/// What a diagnostic is about, apart from where: computed by the lint run for each diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Subject {
    /// The flagged Dockerfile instruction, or the flagged Compose line and text, with runs of
    /// white space collapsed.
    pub node: String,
    /// `stage build`, `stage 2`, `service web`, or empty when neither applies.
    pub scope: String,
}

/// One recorded diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub rule: String,
    /// Relative to the baseline file's folder, with `/` separators.
    pub file: String,
    pub scope: String,
    pub fingerprint: String,
    /// The message when the entry was written, for people reading the file; not compared.
    pub message: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    entries: Vec<Entry>,
}

/// A baseline file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
#[error("baseline {path}: {reason}")]
pub struct BaselineError {
    pub path: String,
    pub reason: String,
}

/// A baseline read from its file.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// Entry files are relative to this folder.
    folder: PathBuf,
    entries: Vec<Entry>,
}

impl Baseline {
    pub fn read(path: &Path) -> Result<Self, BaselineError> {
        let error = |reason: String| BaselineError {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|err| error(err.to_string()))?;
        let file: BaselineFile =
            serde_json::from_str(&text).map_err(|err| error(format!("not a baseline: {err}")))?;
        if file.version != VERSION {
            return Err(error(format!(
                "version {} is not {VERSION}; write it again with --write-baseline",
                file.version
            )));
        }
        Ok(Self {
            folder: folder_of(path),
            entries: file.entries,
        })
    }

    /// Removes the recorded diagnostics from `result` and returns the entries that matched
    /// nothing in the files this run linted: they can go from the file.
    pub fn apply(&self, result: &mut LintResult) -> Vec<Entry> {
        let mut remaining: HashMap<(&str, &str, &str), usize> = HashMap::new();
        for entry in &self.entries {
            *remaining
                .entry((&entry.rule, &entry.file, &entry.fingerprint))
                .or_default() += 1;
        }

        let entries = entries_of(result, &self.folder);
        let mut keep = Vec::with_capacity(entries.len());
        for entry in &entries {
            let key = (
                entry.rule.as_str(),
                entry.file.as_str(),
                entry.fingerprint.as_str(),
            );
            match remaining.get_mut(&key) {
                Some(count) if *count > 0 => {
                    *count -= 1;
                    keep.push(false);
                }
                _ => keep.push(true),
            }
        }
        result.retain_diagnostics(&keep);

        let linted: Vec<String> = result
            .linted_paths
            .iter()
            .map(|path| relative_file(path, &self.folder))
            .collect();
        let mut stale = Vec::new();
        for entry in &self.entries {
            let key = (
                entry.rule.as_str(),
                entry.file.as_str(),
                entry.fingerprint.as_str(),
            );
            let Some(count) = remaining.get_mut(&key) else {
                continue;
            };
            if *count == 0 || !linted.contains(&entry.file) {
                continue;
            }
            *count -= 1;
            stale.push(entry.clone());
        }
        stale
    }
}

/// Writes the diagnostics of `result` as a baseline at `path`; returns how many were written.
pub fn write(path: &Path, result: &LintResult) -> Result<usize, BaselineError> {
    let mut entries = entries_of(result, &folder_of(path));
    entries.sort_by(|a, b| {
        (&a.file, &a.rule, &a.scope, &a.fingerprint).cmp(&(
            &b.file,
            &b.rule,
            &b.scope,
            &b.fingerprint,
        ))
    });
    let count = entries.len();
    let file = BaselineFile {
        version: VERSION,
        entries,
    };
    let mut text = serde_json::to_string_pretty(&file).expect("the baseline serialises");
    text.push('\n');
    std::fs::write(path, text).map_err(|err| BaselineError {
        path: path.display().to_string(),
        reason: err.to_string(),
    })?;
    Ok(count)
}

/// The entry of each diagnostic of `result`, files relative to `folder`.
fn entries_of(result: &LintResult, folder: &Path) -> Vec<Entry> {
    result
        .diagnostics
        .iter()
        .zip(&result.subjects)
        .map(|(diagnostic, subject)| {
            let source = result.sources.get(diagnostic.span.source);
            let file = relative_file(&source.path, folder);
            let fingerprint = stable_hash(&[diagnostic.rule, &file, &subject.node, &subject.scope]);
            Entry {
                rule: diagnostic.rule.to_owned(),
                file,
                scope: subject.scope.clone(),
                fingerprint: format!("{fingerprint:016x}"),
                message: diagnostic.message.clone(),
            }
        })
        .collect()
}

/// The absolute folder of a file that may not exist yet.
fn folder_of(path: &Path) -> PathBuf {
    let absolute = crate::paths::absolute(path);
    let folder = absolute
        .parent()
        .map_or_else(PathBuf::new, Path::to_path_buf);
    std::fs::canonicalize(&folder).unwrap_or(folder)
}

/// A file's path relative to `folder` when inside it, with `/` separators.
fn relative_file(path: &Path, folder: &Path) -> String {
    let relative = path.strip_prefix(folder).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// FNV-1a over the parts, each followed by a NUL byte: stable across runs and platforms.
fn stable_hash(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Text with every run of white space (line breaks included) made one space, trimmed.
pub fn normalise_text(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
