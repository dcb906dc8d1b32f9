//! Paths as a run knows them: absolute, canonical and as the user reads them.
//!
//! A run over thousands of files asks the file system the same questions again and again: the
//! working directory, the canonical form of the same few folders, which of them holds `.git`.
//! While [`remembering`] runs, the answers are kept, shared by every thread of the run; outside
//! it (a long-running server between requests) every question goes to the file system.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, RwLock};

/// The working directory, read once: `getcwd` is a system call, and a run asks for it for every
/// path it shows or makes absolute. Only [`set_working_directory`] changes it.
static WORKING_DIRECTORY: RwLock<Option<PathBuf>> = RwLock::new(None);

/// A map keyed by paths, hashed with foldhash: SipHash, the standard hasher, over every component
/// of every path a run looks up was 7% of a run over the corpus.
pub type PathMap<V> = HashMap<PathBuf, V, foldhash::fast::RandomState>;

/// A set of paths, hashed like [`PathMap`].
pub type PathSet = HashSet<PathBuf, foldhash::fast::RandomState>;

/// What the file system said during the runs in progress.
static REMEMBERED: Mutex<Remembered> = Mutex::new(Remembered::new());

struct Remembered {
    /// How many [`remembering`] calls are running; the answers are dropped when the last ends.
    runs: usize,
    /// Empty until first used: a `HashMap` cannot be made in a `static`.
    canonical_paths: Option<PathMap<PathBuf>>,
    /// The repository root of each folder asked about, `None` outside a repository.
    repository_roots: Option<PathMap<Option<PathBuf>>>,
}

impl Remembered {
    const fn new() -> Self {
        Self {
            runs: 0,
            canonical_paths: None,
            repository_roots: None,
        }
    }
}

/// Runs `task` remembering what the file system says about paths: their canonical form and the
/// repository they are in. Calls may nest or overlap (tests run lints on several threads).
pub fn remembering<T>(task: impl FnOnce() -> T) -> T {
    /// Ends the run's share of the remembered answers, even when `task` panics.
    struct Forget;
    impl Drop for Forget {
        fn drop(&mut self) {
            let mut remembered = lock_remembered();
            remembered.runs -= 1;
            if remembered.runs == 0 {
                remembered.canonical_paths = None;
                remembered.repository_roots = None;
            }
        }
    }

    lock_remembered().runs += 1;
    let _forget = Forget;
    task()
}

fn lock_remembered() -> MutexGuard<'static, Remembered> {
    // A panic while the lock is held leaves plain maps behind, still right to read.
    REMEMBERED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The working directory; `None` when it cannot be read (it was deleted).
pub fn working_directory() -> Option<PathBuf> {
    if let Some(known) = WORKING_DIRECTORY
        .read()
        .ok()
        .and_then(|known| known.clone())
    {
        return Some(known);
    }
    let current = std::env::current_dir().ok()?;
    if let Ok(mut known) = WORKING_DIRECTORY.write() {
        *known = Some(current.clone());
    }
    Some(current)
}

/// Changes the working directory of the process.
pub fn set_working_directory(folder: &Path) -> std::io::Result<()> {
    let mut known = WORKING_DIRECTORY
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    std::env::set_current_dir(folder)?;
    *known = None;
    Ok(())
}

/// `path` made absolute against the working directory, as [`std::path::absolute`] does: `.`
/// components dropped, `..` and symbolic links kept.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = match path.is_absolute() {
        true => path.to_path_buf(),
        false => match working_directory() {
            Some(folder) => folder.join(path),
            None => path.to_path_buf(),
        },
    };
    if is_normal_absolute(&joined) {
        return joined;
    }
    std::path::absolute(&joined).unwrap_or(joined)
}

/// Whether [`std::path::absolute`] would give `path` back unchanged: it is absolute and holds
/// no `.` component and no doubled separator. Most paths a run sees are, and the check costs a
/// scan of the bytes where the library splits the path into components.
#[cfg(unix)]
fn is_normal_absolute(path: &Path) -> bool {
    let bytes = path.as_os_str().as_encoded_bytes();
    bytes.first() == Some(&b'/')
        && memchr::memchr_iter(b'/', bytes)
            .all(|at| !matches!(&bytes[at + 1..], [b'/', ..] | [b'.'] | [b'.', b'/', ..]))
}

#[cfg(not(unix))]
fn is_normal_absolute(_: &Path) -> bool {
    false
}

/// `path` made absolute and, when it exists, canonical: the key files are known by.
///
/// While a run is [`remembering`], every path resolved is kept, and an entry that is not a
/// symbolic link is its folder's canonical path joined with its name: a file costs one system
/// call instead of one per component of its path.
pub fn canonical(path: &Path) -> PathBuf {
    let absolute = absolute(path);
    if lock_remembered().runs == 0 {
        return std::fs::canonicalize(&absolute).unwrap_or(absolute);
    }
    canonical_remembered(&absolute)
}

fn canonical_remembered(absolute: &Path) -> PathBuf {
    let known = lock_remembered()
        .canonical_paths
        .as_ref()
        .and_then(|known| known.get(absolute).cloned());
    if let Some(canonical) = known {
        return canonical;
    }

    // Resolved without holding the lock: two threads may resolve the same path, to the same
    // answer.
    let is_plain_entry = std::fs::symlink_metadata(absolute)
        .is_ok_and(|metadata| !metadata.file_type().is_symlink());
    let canonical = match (absolute.parent(), absolute.file_name(), is_plain_entry) {
        (Some(folder), Some(name), true) => canonical_remembered(folder).join(name),
        _ => std::fs::canonicalize(absolute).unwrap_or_else(|_| absolute.to_path_buf()),
    };
    lock_remembered()
        .canonical_paths
        .get_or_insert_with(PathMap::default)
        .insert(absolute.to_path_buf(), canonical.clone());
    canonical
}

/// The repository `folder` (absolute) is in: the nearest folder at or above it that holds
/// `.git`. While a run is [`remembering`], each folder is asked about once.
pub fn repository_root(folder: &Path) -> Option<PathBuf> {
    if lock_remembered().runs == 0 {
        return folder
            .ancestors()
            .find(|ancestor| holds_git(ancestor))
            .map(Path::to_path_buf);
    }

    let known = lock_remembered()
        .repository_roots
        .as_ref()
        .and_then(|known| known.get(folder).cloned());
    if let Some(root) = known {
        return root;
    }
    let root = match holds_git(folder) {
        true => Some(folder.to_path_buf()),
        false => folder.parent().and_then(repository_root),
    };
    lock_remembered()
        .repository_roots
        .get_or_insert_with(PathMap::default)
        .insert(folder.to_path_buf(), root.clone());
    root
}

fn holds_git(folder: &Path) -> bool {
    folder.join(".git").exists()
}

/// The path as the user should read it: relative to the working directory when inside it.
pub fn display(path: &Path) -> String {
    let relative = working_directory()
        .and_then(|folder| path.strip_prefix(&folder).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let text = relative.display().to_string();
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_its_canonical_folder_joined_with_its_name() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let real = folder.path().join("real");
        std::fs::create_dir(&real).expect("folder");
        std::fs::write(real.join("Dockerfile"), "FROM scratch\n").expect("file");
        let expected = std::fs::canonicalize(real.join("Dockerfile")).expect("canonical");

        let through_dots = real.join("..").join("real").join("Dockerfile");
        remembering(|| {
            assert_eq!(canonical(&through_dots), expected);
            assert_eq!(canonical(&real.join("Dockerfile")), expected);
        });
        assert_eq!(canonical(&through_dots), expected);
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_resolved_for_files_and_folders() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let real = folder.path().join("real");
        std::fs::create_dir(&real).expect("folder");
        std::fs::write(real.join("Dockerfile"), "FROM scratch\n").expect("file");
        std::os::unix::fs::symlink(&real, folder.path().join("linked")).expect("folder link");
        std::os::unix::fs::symlink(real.join("Dockerfile"), real.join("Containerfile"))
            .expect("file link");
        let expected = std::fs::canonicalize(real.join("Dockerfile")).expect("canonical");

        remembering(|| {
            let through_folder = folder.path().join("linked").join("Dockerfile");
            assert_eq!(canonical(&through_folder), expected);
            assert_eq!(canonical(&real.join("Containerfile")), expected);
        });
    }

    #[test]
    fn a_missing_file_keeps_its_absolute_path() {
        let missing = Path::new("/no/such/folder/compose.yaml");
        assert_eq!(canonical(missing), missing);
        assert_eq!(remembering(|| canonical(missing)), missing);
    }

    #[cfg(unix)]
    #[test]
    fn the_quick_check_agrees_with_the_library() {
        let paths = [
            "/a/b", "/a/b/", "/a/./b", "/a//b", "//a", "/a/.", "/a/..", "/a/../b", "/.a/b.", "/",
            "/a/.b/", "/a/b/..", "/a/.../b",
        ];

        for path in paths.map(Path::new) {
            let library = std::path::absolute(path).expect("absolute");
            assert_eq!(absolute(path).as_os_str(), library.as_os_str());
            if is_normal_absolute(path) {
                assert_eq!(library.as_os_str(), path.as_os_str());
            }
        }
    }

    #[test]
    fn relative_paths_are_made_absolute_against_the_working_directory() {
        let folder = std::env::current_dir().expect("working directory");
        assert_eq!(absolute(Path::new("./a/b")), folder.join("a/b"));
        assert_eq!(absolute(Path::new("/x/./y")), Path::new("/x/y"));
        assert_eq!(
            display(&folder.join("a").join("Dockerfile")),
            "a/Dockerfile"
        );
    }
}
