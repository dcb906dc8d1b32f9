//! Finds the files to lint: named paths whatever their names, and Dockerfiles and Compose files
//! by name inside directories, honouring `.gitignore` in a git checkout.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use ignore::{WalkBuilder, WalkState};

use crate::{parallel, paths};

/// The two kinds of file escalint reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Dockerfile,
    Compose,
}

/// A file to lint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub kind: Kind,
}

/// What a walk found, and the entries it could not read.
#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<Found>,
    /// Entries that exist but could not be read: the run cannot vouch for them.
    pub errors: Vec<WalkError>,
    /// Entries that are not files to lint at all: symbolic-link loops and dangling links.
    pub skipped: Vec<String>,
}

/// An entry a walk could not read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkError {
    /// The entry, or the walked folder when the error names no entry.
    pub path: PathBuf,
    pub reason: String,
}

/// Suffixes of files named like `Dockerfile.*` that are not Dockerfiles: BuildKit's per-file
/// ignore files, documentation, templates, editor and patch leftovers.
const NOT_DOCKERFILE_SUFFIXES: &[&str] = &[
    ".dockerignore",
    ".md",
    ".txt",
    ".bak",
    ".orig",
    ".rej",
    ".swp",
    ".template",
    "~",
];

/// The kind of a file found inside a directory, by its name.
pub fn classify(file_name: &str) -> Option<Kind> {
    let name = file_name.to_ascii_lowercase();

    if is_compose_name(&name) {
        return Some(Kind::Compose);
    }

    if NOT_DOCKERFILE_SUFFIXES
        .iter()
        .any(|suffix| name.ends_with(suffix))
    {
        return None;
    }

    let is_dockerfile = name == "dockerfile"
        || name == "containerfile"
        || name.starts_with("dockerfile.")
        || name.starts_with("containerfile.")
        || name.starts_with("dockerfile-")
        || name.ends_with(".dockerfile")
        || name.ends_with(".containerfile");
    is_dockerfile.then_some(Kind::Dockerfile)
}

/// `compose.yaml`, `docker-compose.yml`, `compose.override.yaml`, `docker-compose.prod.yml`,
/// `docker-compose-dev.yml`, ...
pub fn is_compose_name(name: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
    else {
        return false;
    };
    let base = stem.split('.').next().unwrap_or(stem);
    base == "compose" || base == "docker-compose" || base.starts_with("docker-compose-")
}

/// The kind of a file named on the command line: YAML is Compose, anything else a Dockerfile.
pub fn kind_of_named_file(path: &Path) -> Kind {
    match path.extension().and_then(|extension| extension.to_str()) {
        Some(extension) if extension.eq_ignore_ascii_case("yml") => Kind::Compose,
        Some(extension) if extension.eq_ignore_ascii_case("yaml") => Kind::Compose,
        _ => Kind::Dockerfile,
    }
}

/// Walks a directory for Dockerfiles and Compose files, hidden folders included (a
/// `.devcontainer/Dockerfile` is real), `.git` excluded, symlinks followed with loop detection.
pub fn walk(root: &Path) -> Discovery {
    walk_excluding(root, |_| false)
}

/// Walks like [`walk`], leaving out the files and folders below `root` that `is_excluded` names
/// (the configuration's `exclude` globs); an excluded folder is not entered.
///
/// The folders are read on every core: a walk is mostly system calls, one or more for each
/// entry. What it finds is sorted, so the result does not depend on which thread found what.
pub fn walk_excluding(
    root: &Path,
    is_excluded: impl Fn(&Path) -> bool + Send + Sync + 'static,
) -> Discovery {
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .follow_links(true)
        .threads(parallel::cores())
        .filter_entry(move |entry| {
            entry.file_name() != ".git" && (entry.depth() == 0 || !is_excluded(entry.path()))
        })
        .build_parallel();

    let found = Mutex::new(Discovery::default());
    walker.run(|| {
        Box::new(|entry| {
            let lock = || found.lock().unwrap_or_else(PoisonError::into_inner);
            match entry {
                Ok(entry) => {
                    if let Some(file) = found_file(&entry) {
                        lock().files.push(file);
                    }
                }
                // The link check asks the file system; it runs before the lock is taken.
                Err(err) => match link_problem(&err) {
                    Some(problem) => lock().skipped.push(problem),
                    None => lock().errors.push(walk_error(root, &err)),
                },
            }
            WalkState::Continue
        })
    });

    let mut discovery = found.into_inner().unwrap_or_else(PoisonError::into_inner);
    discovery.files.sort_by(|a, b| a.path.cmp(&b.path));
    discovery.errors.sort();
    discovery.skipped.sort();
    discovery
}

/// The entry as a file to lint, when it is one: a regular file with a name escalint reads.
fn found_file(entry: &ignore::DirEntry) -> Option<Found> {
    if !entry
        .file_type()
        .is_some_and(|file_type| file_type.is_file())
    {
        return None;
    }
    let kind = entry.file_name().to_str().and_then(classify)?;
    Some(Found {
        path: clean(entry.path()),
        kind,
    })
}

/// A walk error as the entry it names and what went wrong with it.
fn walk_error(root: &Path, err: &ignore::Error) -> WalkError {
    match err {
        ignore::Error::WithPath { path, err } => WalkError {
            path: clean(path),
            reason: err.to_string(),
        },
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error(root, err)
        }
        _ => WalkError {
            path: root.to_path_buf(),
            reason: err.to_string(),
        },
    }
}

/// A walk error that concerns a symbolic link (a loop, or a link to nothing), described for
/// the user; `None` for real read errors.
fn link_problem(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, err } => {
            let is_link = path.symlink_metadata().is_ok_and(|meta| meta.is_symlink());
            let followed = if is_link {
                std::fs::metadata(path).err()
            } else {
                None
            };
            let Some(followed) = followed else {
                return link_problem(err);
            };
            let what = if followed.kind() == std::io::ErrorKind::NotFound {
                "a symbolic link to nothing".to_owned()
            } else if is_link_loop(path) {
                "a symbolic link loop".to_owned()
            } else {
                format!("a symbolic link that cannot be followed ({followed})")
            };
            Some(format!("skipped {}: {what}", path.display()))
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            link_problem(err)
        }
        ignore::Error::Loop { ancestor, child } => Some(format!(
            "skipped {}: a symbolic link back to {}",
            child.display(),
            ancestor.display()
        )),
        _ => None,
    }
}

/// Linux gives up after this many links in one path (`MAXSYMLINKS`); a longer chain is a loop
/// in all but name.
const MAX_LINKS_FOLLOWED: usize = 40;

/// Whether following the symbolic link at `path` link by link comes back to a link it passed.
/// The file system says only "too many levels of symbolic links", which a long chain says too.
fn is_link_loop(path: &Path) -> bool {
    let mut passed = HashSet::new();
    let mut current = paths::absolute(path);
    while passed.insert(current.clone()) {
        if passed.len() > MAX_LINKS_FOLLOWED {
            return true;
        }
        let Ok(target) = std::fs::read_link(&current) else {
            return false;
        };
        // A relative target counts from the link's folder; an absolute one replaces it.
        let folder = current.parent().map(Path::to_path_buf).unwrap_or_default();
        current = paths::absolute(&folder.join(target));
    }
    true
}

/// The Compose files in `folder` itself (not below it), sorted.
pub fn compose_files_in(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|file_type| file_type.is_file()))
        .filter(|entry| {
            entry
                .file_name()
                .to_str()
                .is_some_and(|name| is_compose_name(&name.to_lowercase()))
        })
        .map(|entry| clean(&entry.path()))
        .collect();
    found.sort();
    found
}

/// The repository root of `path`: the nearest folder at or above it that holds `.git`.
pub fn repository_root(path: &Path) -> Option<PathBuf> {
    paths::repository_root(&paths::absolute(path))
}

/// The folders from `start` up to the repository root (the nearest folder holding `.git`); with
/// no repository, up to the working directory when `start` is inside it, else `start` alone.
pub fn folders_up_to_root(start: &Path) -> Vec<PathBuf> {
    let start = paths::absolute(start);
    let last = last_folder_searched(&start);
    let mut folders = Vec::new();
    for folder in start.ancestors() {
        folders.push(folder.to_path_buf());
        if folder == last {
            break;
        }
    }
    folders
}

/// The last of [`folders_up_to_root`] for an absolute `start`: the repository root, else the
/// working directory when `start` is inside it, else `start`.
pub fn last_folder_searched(start: &Path) -> PathBuf {
    if let Some(root) = paths::repository_root(start) {
        return root;
    }
    match paths::working_directory() {
        Some(folder) if start.starts_with(&folder) => folder,
        _ => start.to_path_buf(),
    }
}

/// `./a/Dockerfile` as `a/Dockerfile`.
fn clean(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names_are_recognised() {
        for name in [
            "Dockerfile",
            "Containerfile",
            "Dockerfile.dev",
            "Containerfile.fedora",
            "api.Dockerfile",
            "web.dockerfile",
            "Dockerfile-alpine",
            "dockerfile",
        ] {
            assert_eq!(classify(name), Some(Kind::Dockerfile), "{name}");
        }
    }

    #[test]
    fn ignore_files_and_documents_are_not_dockerfiles() {
        for name in [
            "Dockerfile.dockerignore",
            "api.Dockerfile.dockerignore",
            "Dockerfile.md",
        ] {
            assert_eq!(classify(name), None, "{name}");
        }
    }

    #[test]
    fn compose_names_are_recognised() {
        for name in [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yaml",
            "docker-compose.yml",
            "compose.override.yaml",
            "docker-compose.override.yml",
            "compose.prod.yaml",
            "docker-compose.ci.yml",
            "docker-compose-dev.yml",
            "docker-compose-local.yaml",
        ] {
            assert_eq!(classify(name), Some(Kind::Compose), "{name}");
        }
    }

    #[test]
    fn other_yaml_is_not_compose() {
        for name in [
            "values.yaml",
            "docker-compose.yml.bak",
            "composer.yaml",
            "common.yaml",
            "docker-compose-.txt",
        ] {
            assert_eq!(classify(name), None, "{name}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn only_links_that_come_back_to_themselves_are_loops() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let root = folder.path();
        std::fs::write(root.join("real"), "FROM alpine\n").expect("written");
        for (link, target) in [("a", "b"), ("b", "c"), ("c", "a"), ("to-real", "real")] {
            std::os::unix::fs::symlink(target, root.join(link)).expect("linked");
        }
        std::os::unix::fs::symlink(root.join("gone"), root.join("dangling")).expect("linked");

        assert!(is_link_loop(&root.join("a")));
        assert!(!is_link_loop(&root.join("to-real")));
        assert!(!is_link_loop(&root.join("dangling")));
    }

    #[test]
    fn named_files_are_read_by_extension() {
        assert_eq!(kind_of_named_file(Path::new("stack.yml")), Kind::Compose);
        assert_eq!(
            kind_of_named_file(Path::new("build/Base")),
            Kind::Dockerfile
        );
    }
}
