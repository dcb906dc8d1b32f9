//! `include`: other Compose projects whose resources (services, networks, volumes, secrets,
//! configs, models) are imported into the including file. Each is loaded as a project of its
//! own, with its own project directory and env files; the including project's variables win
//! over those env files. A resource the including file defines too is merged, the including
//! file's definition over the included one.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::parse::yaml::{Node, Value};
use crate::source::SourceId;

use super::merge::{self, key_text};
use super::prepare::ResetPaths;
use super::{
    EnvironmentId, Loader, Variables, add_file, is_remote_resource, normalize, tree_get_mut,
};

/// The top-level keys whose entries an include brings in.
const IMPORTED_KEYS: [&str; 6] = [
    "services", "volumes", "networks", "secrets", "configs", "models",
];

/// What decides an included project's model: its files, directories and the variables around it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct IncludeKey {
    files: Vec<SourceId>,
    project_dir: PathBuf,
    env_files: Option<Vec<PathBuf>>,
    environment: EnvironmentId,
}

/// One entry of `include`, with its paths resolved.
struct Include {
    /// The Compose files of the included project, merged in order.
    paths: Vec<PathBuf>,
    project_dir: PathBuf,
    /// `env_file` when given; otherwise the project directory's `.env` is read if present.
    env_files: Option<Vec<PathBuf>>,
}

impl Loader<'_> {
    /// Imports the resources of the projects that `root`'s `include` lists, then removes the
    /// key. `resets` are the `!reset` paths of `file`, which apply to included definitions it
    /// overrides.
    pub(super) fn apply_includes(
        &mut self,
        file: SourceId,
        environment: EnvironmentId,
        root: &mut Node,
        resets: &ResetPaths,
    ) {
        let Some((key, entries)) = take_entry(root, "include") else {
            return;
        };
        let items = match entries.value {
            Value::Sequence(items) => items,
            Value::Null => return,
            _ => {
                self.report(key.span, "`include` must be a list".to_owned());
                return;
            }
        };

        for entry in &items {
            let Some(include) = self.include_entry(file, entry) else {
                continue;
            };
            let Some(included) = self.load_included(file, environment, entry, &include) else {
                continue;
            };
            self.import_resources(root, &included, resets);
        }
    }

    /// Reads an entry: a path, or `{path, project_directory, env_file}`. Relative paths count
    /// from the including file's base folder.
    fn include_entry(&mut self, file: SourceId, entry: &Node) -> Option<Include> {
        let base = self.base_dir(file);
        let (path_node, project_dir, env_file) = match &entry.value {
            Value::Scalar(_) => (entry, None, None),
            Value::Mapping(_) => {
                let Some(path) = entry.get("path") else {
                    let message = "an `include` entry must have a `path`".to_owned();
                    self.report(entry.use_span(), message);
                    return None;
                };
                (path, entry.get("project_directory"), entry.get("env_file"))
            }
            _ => {
                let message = "an `include` entry must be a path or a mapping".to_owned();
                self.report(entry.use_span(), message);
                return None;
            }
        };

        let paths = self.path_list(path_node, "include.path")?;
        if let Some(remote) = paths.iter().find(|path| is_remote_resource(path)) {
            // LIMITATION: remote includes (Git, OCI) are not fetched, so their services are
            // missing from the model.
            log::debug!("not following remote include {remote}");
            return None;
        }
        let paths: Vec<PathBuf> = paths
            .iter()
            .map(|path| normalize(&base.join(path)))
            .collect();

        let project_dir = match project_dir {
            Some(node) => {
                let folder = self.path_list(node, "include.project_directory")?;
                normalize(&base.join(folder.first()?))
            }
            None => paths[0].parent().map(Path::to_path_buf).unwrap_or_default(),
        };
        let env_files = match env_file {
            Some(node) => {
                let files = self.path_list(node, "include.env_file")?;
                let files = files
                    .iter()
                    .filter(|path| *path != "/dev/null")
                    .map(|path| normalize(&base.join(path)))
                    .collect();
                Some(files)
            }
            None => None,
        };
        Some(Include {
            paths,
            project_dir,
            env_files,
        })
    }

    /// A string or a list of strings; other shapes are reported.
    fn path_list(&mut self, node: &Node, what: &str) -> Option<Vec<String>> {
        let items = match &node.value {
            Value::Sequence(items) => items.iter().collect(),
            _ => vec![node],
        };
        let mut paths = Vec::new();
        for item in items {
            let Some(scalar) = item.as_scalar() else {
                let message = format!("`{what}` must be a string or a list of strings");
                self.report(item.use_span(), message);
                return None;
            };
            paths.push(scalar.text.clone());
        }
        if paths.is_empty() {
            self.report(node.use_span(), format!("`{what}` is empty"));
            return None;
        }
        Some(paths)
    }

    /// The merged model of an included project; `None` (reported) when its files cannot be read
    /// or it includes itself.
    fn load_included(
        &mut self,
        file: SourceId,
        environment: EnvironmentId,
        entry: &Node,
        include: &Include,
    ) -> Option<Rc<Node>> {
        let mut ids = Vec::new();
        for path in &include.paths {
            match add_file(&mut self.sources, path) {
                Ok(id) => ids.push(id),
                Err(error) => {
                    let message = format!("cannot read {}: {error}", crate::paths::display(path));
                    self.report(entry.use_span(), message);
                    return None;
                }
            }
        }

        let main = ids[0];
        if main == file || self.include_chain.contains(&main) {
            let mut names: Vec<String> = self
                .include_chain
                .iter()
                .map(|id| self.display(*id))
                .collect();
            names.push(self.display(file));
            names.push(self.display(main));
            let message = format!("`include` forms a cycle: {}", names.join(" -> "));
            self.report(entry.use_span(), message);
            return None;
        }

        // A project included twice with the same settings (a diamond of includes) is loaded
        // once, so nested diamonds cannot multiply the work.
        let key = IncludeKey {
            files: ids.clone(),
            project_dir: include.project_dir.clone(),
            env_files: include.env_files.clone(),
            environment,
        };
        if let Some(cached) = self.included.get(&key) {
            return cached.clone();
        }

        let included = self.load_included_project(file, environment, entry, include, &ids);
        self.included.insert(key, included.clone());
        included
    }

    fn load_included_project(
        &mut self,
        file: SourceId,
        environment: EnvironmentId,
        entry: &Node,
        include: &Include,
        ids: &[SourceId],
    ) -> Option<Rc<Node>> {
        let variables = self.include_variables(environment, entry, include)?;
        let included_environment = self.add_environment(variables);
        for id in ids {
            self.base_dirs
                .entry(*id)
                .or_insert_with(|| include.project_dir.clone());
            self.note_file(*id);
        }

        self.include_chain.push(file);
        let included = self.merged_model(ids, included_environment);
        self.include_chain.pop();
        included
    }

    /// The included project's env files, overridden by the including project's variables.
    fn include_variables(
        &mut self,
        environment: EnvironmentId,
        entry: &Node,
        include: &Include,
    ) -> Option<Variables> {
        let env_files = match &include.env_files {
            Some(files) => files.clone(),
            None => {
                let default = include.project_dir.join(".env");
                if default.is_file() {
                    vec![default]
                } else {
                    Vec::new()
                }
            }
        };

        let mut variables = Variables::default();
        for path in &env_files {
            if !path.is_file() {
                let message = format!("cannot read env file {}", crate::paths::display(path));
                self.report(entry.use_span(), message);
                return None;
            }
            variables.extend(self.read_env_file(path));
        }
        variables.extend(self.environments[environment].values.clone());
        Some(variables)
    }

    /// Adds the included resources to `root`; one `root` defines too is merged over the
    /// included definition, after `resets` are applied to it.
    fn import_resources(&mut self, root: &mut Node, included: &Node, resets: &ResetPaths) {
        for kind in IMPORTED_KEYS {
            let Some((included_key, included_entries)) = included.entry(kind) else {
                continue;
            };
            let Value::Mapping(definitions) = &included_entries.value else {
                continue;
            };
            let Value::Mapping(root_entries) = &mut root.value else {
                return;
            };
            if !root_entries
                .iter()
                .any(|(key, _)| key_text(key) == Some(kind))
            {
                let empty = Node {
                    value: Value::Mapping(Vec::new()),
                    ..included_entries.clone()
                };
                root_entries.push((included_key.clone(), empty));
            }
            let Some(Value::Mapping(local_entries)) =
                tree_get_mut(root, kind).map(|local| &mut local.value)
            else {
                continue;
            };

            for (name_key, definition) in definitions {
                let Some(name) = key_text(name_key) else {
                    continue;
                };
                let existing = local_entries
                    .iter_mut()
                    .find(|(key, _)| key_text(key) == Some(name));
                let Some((existing_key, existing)) = existing else {
                    local_entries.push((name_key.clone(), definition.clone()));
                    continue;
                };

                let prefix = [kind.to_owned(), name.to_owned()];
                let mut base = definition.clone();
                for path in resets.iter().filter(|path| path.starts_with(&prefix)) {
                    merge::remove_path(&mut base, &path[prefix.len()..]);
                }
                *existing = self.merge_trees(&base, existing, prefix.to_vec());
                // The included file defines the resource first.
                *existing_key = name_key.clone();
            }
        }
    }
}

/// Removes a key from a mapping and returns its entry.
fn take_entry(node: &mut Node, key: &str) -> Option<(Node, Node)> {
    let Value::Mapping(entries) = &mut node.value else {
        return None;
    };
    let index = entries
        .iter()
        .position(|(candidate, _)| key_text(candidate) == Some(key))?;
    Some(entries.remove(index))
}
