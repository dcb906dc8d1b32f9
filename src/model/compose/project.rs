//! Which files form a Compose project when no `-f` is given: the default Compose file of a
//! folder and the override file beside it, as `docker compose` finds them.

use std::path::{Path, PathBuf};

/// The Compose file names Compose looks for, in its order of preference.
pub const DEFAULT_FILE_NAMES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

/// The override file names Compose merges over the default file, in its order of preference.
pub const OVERRIDE_FILE_NAMES: [&str; 4] = [
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// The files of the project that `path` belongs to, in merge order.
///
/// In a folder, Compose reads the first default file it finds and merges the first override
/// file beside it over it. So the chosen default file comes with its override
/// (`[compose.yaml, compose.override.yaml]`), the chosen override comes with its default file
/// (the same list), and every other file stands alone: `docker-compose.prod.yml`, an override
/// without a default file, or a second default file Compose would not choose. `path` itself
/// counts as present (it may come from standard input). As in Compose, any name that exists
/// counts, a folder too: reading it then fails, as `docker compose` fails, instead of the name
/// being passed over in silence.
pub fn project_files(path: &Path) -> Vec<PathBuf> {
    let alone = vec![path.to_path_buf()];
    let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
        return alone;
    };
    let folder = path.parent().unwrap_or_else(|| Path::new(""));
    let chosen = |names: &[&str]| -> Option<PathBuf> {
        names
            .iter()
            .map(|candidate| folder.join(candidate))
            .find(|candidate| candidate == path || candidate.exists())
    };

    let is_chosen = |names: &[&str]| chosen(names).is_some_and(|chosen| chosen == path);
    if DEFAULT_FILE_NAMES.contains(&name) && is_chosen(&DEFAULT_FILE_NAMES) {
        return match chosen(&OVERRIDE_FILE_NAMES) {
            Some(override_file) => vec![path.to_path_buf(), override_file],
            None => alone,
        };
    }

    if OVERRIDE_FILE_NAMES.contains(&name) && is_chosen(&OVERRIDE_FILE_NAMES) {
        return match chosen(&DEFAULT_FILE_NAMES) {
            Some(default_file) => vec![default_file, path.to_path_buf()],
            None => alone,
        };
    }

    alone
}

#[cfg(test)]
mod tests {
    use tempfile::TempDir;

    use super::*;

    fn folder_with(names: &[&str]) -> TempDir {
        let folder = TempDir::new().expect("temporary folder");
        for name in names {
            std::fs::write(folder.path().join(name), "services: {}\n").expect("write file");
        }
        folder
    }

    fn names(paths: &[PathBuf]) -> Vec<String> {
        paths
            .iter()
            .map(|path| {
                path.file_name()
                    .expect("a file")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    }

    #[test]
    fn default_file_and_override_form_one_project_from_either_side() {
        let folder = folder_with(&["compose.yaml", "compose.override.yaml", "compose.prod.yaml"]);
        let root = folder.path();

        let expected = ["compose.yaml", "compose.override.yaml"];
        assert_eq!(names(&project_files(&root.join("compose.yaml"))), expected);
        assert_eq!(
            names(&project_files(&root.join("compose.override.yaml"))),
            expected
        );
        assert_eq!(
            names(&project_files(&root.join("compose.prod.yaml"))),
            ["compose.prod.yaml"]
        );
    }

    #[test]
    fn the_families_mix_as_compose_prefers_them() {
        let folder = folder_with(&[
            "compose.yaml",
            "docker-compose.yml",
            "docker-compose.override.yml",
        ]);
        let root = folder.path();

        assert_eq!(
            names(&project_files(&root.join("docker-compose.override.yml"))),
            ["compose.yaml", "docker-compose.override.yml"]
        );
        assert_eq!(
            names(&project_files(&root.join("docker-compose.yml"))),
            ["docker-compose.yml"]
        );
    }

    #[test]
    fn an_override_without_a_default_file_stands_alone() {
        let folder = folder_with(&["compose.override.yml"]);

        let files = project_files(&folder.path().join("compose.override.yml"));

        assert_eq!(names(&files), ["compose.override.yml"]);
    }

    #[test]
    fn a_folder_with_an_override_name_is_chosen_as_compose_chooses_it() {
        let folder = folder_with(&["compose.yaml", "compose.override.yaml"]);
        std::fs::create_dir(folder.path().join("compose.override.yml")).expect("a folder");

        let files = project_files(&folder.path().join("compose.yaml"));

        assert_eq!(names(&files), ["compose.yaml", "compose.override.yml"]);
    }

    #[test]
    fn a_file_read_from_standard_input_counts_as_present() {
        let folder = folder_with(&["compose.override.yaml"]);

        let files = project_files(&folder.path().join("compose.yaml"));

        assert_eq!(names(&files), ["compose.yaml", "compose.override.yaml"]);
    }
}
