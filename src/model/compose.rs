//! Builds the Compose model of a project the way Docker Compose reads it: the project's files
//! merged in order (`compose.yaml` then `compose.override.yaml`, or each `-f` file), with
//! interpolation, `include`, `extends`, `!reset` and `!override` applied, checked against the
//! Compose schema; then its services, with their users, security options, capabilities and
//! builds.
//!
//! Every value keeps the span where it was written (the override file, the anchor, the extended
//! or included file), so diagnostics point at the line a person has to edit.

mod fields;
mod include;
mod layout;
mod merge;
mod prepare;
pub mod project;
mod schema;

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::layout::ServiceLayout;
use crate::model::{Build, BuildDockerfile, Compose, Listing, Service};
use crate::parse::interpolate::parse_env_file;
use crate::parse::yaml::{self, Node, Value};
use crate::paths;
use crate::read::{self, ReadError};
use crate::source::{
    AddedSources, Source, SourceId, SourceMap, Sources, SourcesView, Span, Spanned,
};

use merge::key_text;
use prepare::ResetPaths;

/// The rule name of diagnostics for files that cannot be read as Compose intends.
const PARSE_ERROR: &str = "parse-error";

/// Longer `extends` chains are cut off; real projects use one or two levels.
const MAX_EXTENDS_DEPTH: usize = 32;

/// Options that decide where interpolated values come from.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Extra `--env-file` files, read after the project's `.env`.
    pub env_files: Vec<std::path::PathBuf>,
    /// Read variables from the process environment too (`--use-env`).
    pub use_process_env: bool,
    /// Leave out the schema check: the project is read only as context for a Dockerfile, and
    /// its `compose-schema` diagnostics would not be reported.
    pub skip_schema: bool,
}

/// A loaded Compose project and the diagnostics met while loading it (`parse-error`,
/// `compose-schema`).
#[derive(Debug)]
pub struct Loaded {
    pub compose: Compose,
    pub diagnostics: Vec<Diagnostic>,
    /// Every file the project read: its Compose files, their `extends` and `include` files and
    /// the env files. Diagnostics located in them belong to the project.
    pub files: Vec<SourceId>,
}

/// Loads the Compose file `id` (already in `sources`) as a project of its own.
pub fn load(sources: &mut Sources, id: SourceId, options: &LoadOptions) -> Loaded {
    load_project(sources, &[id], options)
}

/// Loads a project: the Compose files `files` (already in `sources`, at least one) merged in
/// order, as `docker compose -f a -f b` does. Files they pull in (`extends` and `include` files,
/// env files) are read and added to `sources` so diagnostics can point into them.
///
/// The project directory is the folder of the first file. Variables come from the `.env` file
/// there, then `options.env_files`, then the process environment when
/// `options.use_process_env` is set; a later source overrides an earlier one, as the shell
/// environment overrides `.env` in Compose. A value that cannot be interpolated (a required
/// variable without a value) is left out of the model and reported.
pub fn load_project(sources: &mut Sources, files: &[SourceId], options: &LoadOptions) -> Loaded {
    load_parsed_project(sources, files, options, ParsedDocuments::default())
}

/// YAML documents parsed ahead of loading, by source: a run parses all its Compose files on
/// every core first, then loads their projects one by one.
pub type ParsedDocuments = SourceMap<Result<yaml::Documents, yaml::YamlError>>;

/// Loads a project like [`load_project`], taking the documents in `parsed` instead of parsing
/// those files again; files not in it are parsed as usual.
pub fn load_parsed_project(
    sources: &mut Sources,
    files: &[SourceId],
    options: &LoadOptions,
    parsed: ParsedDocuments,
) -> Loaded {
    let (loaded, added) = load_in_view(SourcesView::new(sources), files, options, parsed);
    if let Err(added) = sources.append(added) {
        unreachable!("nothing else adds sources while a project loads: {added:?}");
    }
    loaded
}

/// Loads a project like [`load_parsed_project`], reading the files it needs beyond `sources`
/// through a view: projects can load on several threads, and the run appends what each read.
pub fn load_in_view(
    sources: SourcesView<'_>,
    files: &[SourceId],
    options: &LoadOptions,
    parsed: ParsedDocuments,
) -> (Loaded, AddedSources) {
    let first = *files
        .first()
        .expect("a project has at least one Compose file");
    let project_dir = folder_of(&sources, first);
    let mut loader = Loader {
        sources,
        diagnostics: Vec::new(),
        documents: SourceMap::default(),
        parsed,
        later_documents: SourceMap::default(),
        environments: Vec::new(),
        prepared: HashMap::new(),
        base_dirs: SourceMap::default(),
        include_chain: Vec::new(),
        included: HashMap::new(),
        files: Vec::new(),
        layouts: SourceMap::default(),
    };
    for file in files {
        loader.add_project_file(*file, &project_dir);
    }
    let environment = loader.project_environment(&project_dir, options);

    // LIMITATION: Compose's consistency checks after loading (`depends_on` cycles, references to
    // undefined services, networks or volumes) are not run; they are not privilege questions.
    let merged = loader.merged_model(files, environment);
    let services = match &merged {
        Some(root) => {
            if !options.skip_schema {
                loader.validate(root);
            }
            loader.build_services(root)
        }
        None => {
            loader.report_empty_project(files);
            Vec::new()
        }
    };

    // A file reached twice (a diamond of includes) reports its problems once.
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for diagnostic in loader.diagnostics {
        if !diagnostics.contains(&diagnostic) {
            diagnostics.push(diagnostic);
        }
    }
    let loaded = Loaded {
        compose: Compose {
            source: first,
            services,
        },
        diagnostics,
        files: loader.files,
    };
    (loaded, loader.sources.into_added())
}

/// Variables for interpolation; later sources were inserted last and win.
#[derive(Debug, Default, Clone)]
struct Variables {
    values: HashMap<String, String>,
}

impl Variables {
    fn extend(&mut self, pairs: impl IntoIterator<Item = (String, String)>) {
        self.values.extend(pairs);
    }

    fn lookup(&self, name: &str) -> Option<String> {
        self.values.get(name).cloned()
    }
}

/// An index into [`Loader::environments`]: the variables a file is interpolated with. The
/// project has one; each `include` gets its own.
type EnvironmentId = usize;

/// Adds a file from disk to `sources`, or finds it there when it was read before. It must be
/// text, as a linted file must.
// LIMITATION: `extends`, `include` and env files are read whole, without the size limit that
// linted files get: the limit is configured per folder, which the loader does not see.
fn add_file(sources: &mut SourcesView<'_>, path: &Path) -> Result<SourceId, ReadError> {
    let path = normalize(path);
    if let Some(id) = sources.find(&path) {
        return Ok(id);
    }

    let text = read::read_text(&path, u64::MAX)?;
    let display = paths::display(&path);
    Ok(sources.add(Source::new(display, path, text)))
}

/// The folder that holds a source.
fn folder_of(sources: &SourcesView<'_>, id: SourceId) -> PathBuf {
    let path = &sources.get(id).path;
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Removes `.` and folds `..` without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let can_pop = matches!(normal.components().next_back(), Some(Component::Normal(_)));
                if can_pop {
                    normal.pop();
                } else {
                    normal.push("..");
                }
            }
            other => normal.push(other),
        }
    }
    normal
}

/// One file prepared for merging: `!reset` values taken out, interpolated, includes imported.
struct PreparedFile {
    /// Shared with the merged model, which copies it only to change it.
    root: Rc<Node>,
    resets: ResetPaths,
}

struct Loader<'a> {
    sources: SourcesView<'a>,
    diagnostics: Vec<Diagnostic>,
    /// Parsed Compose files by source; `None` when the file could not be parsed (reported once)
    /// or is empty.
    documents: SourceMap<Option<Rc<Node>>>,
    /// Documents parsed before loading began, taken on first use.
    parsed: ParsedDocuments,
    /// The documents after the first of a multi-document file, parsed with it and taken when the
    /// file is prepared.
    later_documents: SourceMap<Vec<Node>>,
    environments: Vec<Variables>,
    prepared: HashMap<(SourceId, EnvironmentId), Option<Rc<PreparedFile>>>,
    /// The folder relative paths in a file count from: the project directory for the project's
    /// files, the file's own folder for `extends` files, the include's project directory for
    /// included files.
    base_dirs: SourceMap<PathBuf>,
    /// The files being included, outermost first, to find `include` cycles.
    include_chain: Vec<SourceId>,
    /// Included projects already loaded; `None` when one could not be.
    included: HashMap<include::IncludeKey, Option<Rc<Node>>>,
    /// Every file the project read, in the order first read.
    files: Vec<SourceId>,
    /// How each file is written, read as the file is parsed, for the services' layouts.
    layouts: SourceMap<Option<Rc<layout::DocumentLayout>>>,
}

/// One step of an `extends` chain: a service in a file.
type ChainLink = (SourceId, String);

impl Loader<'_> {
    fn add_project_file(&mut self, id: SourceId, project_dir: &Path) {
        self.base_dirs
            .entry(id)
            .or_insert_with(|| project_dir.to_path_buf());
        self.note_file(id);
    }

    fn note_file(&mut self, id: SourceId) {
        if !self.files.contains(&id) {
            self.files.push(id);
        }
    }

    fn base_dir(&self, id: SourceId) -> PathBuf {
        match self.base_dirs.get(&id) {
            Some(folder) => folder.clone(),
            None => folder_of(&self.sources, id),
        }
    }

    /// The project's variables: `.env` in the project directory, the `--env-file` files, then
    /// the process environment when asked for.
    fn project_environment(&mut self, project_dir: &Path, options: &LoadOptions) -> EnvironmentId {
        let mut variables = Variables::default();
        let project_env = project_dir.join(".env");
        if project_env.is_file() {
            variables.extend(self.read_env_file(&project_env));
        }

        // LIMITATION: `--env-file` adds to `.env` here, where in Compose it replaces it, so a
        // variable set only in `.env` keeps its value.
        for path in &options.env_files {
            variables.extend(self.read_env_file(path));
        }

        if options.use_process_env {
            variables.extend(std::env::vars());
        }
        self.add_environment(variables)
    }

    fn add_environment(&mut self, variables: Variables) -> EnvironmentId {
        self.environments.push(variables);
        self.environments.len() - 1
    }

    /// The variables of an env file; an unreadable file is logged and gives none.
    fn read_env_file(&mut self, path: &Path) -> Vec<(String, String)> {
        let id = match add_file(&mut self.sources, path) {
            Ok(id) => id,
            Err(error) => {
                log::warn!("cannot read env file {}: {error}", path.display());
                return Vec::new();
            }
        };

        log::debug!("reading variables from {}", path.display());
        self.note_file(id);
        parse_env_file(&self.sources.get(id).text)
    }

    /// The files merged in order, each with its `extends` resolved; `None` when none of them
    /// holds anything.
    fn merged_model(&mut self, files: &[SourceId], environment: EnvironmentId) -> Option<Rc<Node>> {
        let mut merged: Option<Rc<Node>> = None;
        for &file in files {
            let Some(prepared) = self.prepared_file(file, environment) else {
                continue;
            };
            let mut tree = Rc::clone(&prepared.root);
            if has_extends(&tree) {
                self.resolve_services(file, environment, Rc::make_mut(&mut tree));
            }

            merged = Some(match merged {
                None => tree,
                Some(mut earlier) => {
                    if !prepared.resets.is_empty() {
                        let earlier = Rc::make_mut(&mut earlier);
                        for path in &prepared.resets {
                            merge::remove_path(earlier, path);
                        }
                    }
                    Rc::new(self.merge_trees(&earlier, &tree, Vec::new()))
                }
            });
        }

        let mut merged = merged?;
        let repeats = merge::lists_with_repeats(&merged);
        if !repeats.is_empty() {
            merge::keep_unique(Rc::make_mut(&mut merged), &repeats);
        }
        Some(merged)
    }

    /// `merge::merge`, reporting the values that cannot be merged.
    fn merge_trees(&mut self, base: &Node, over: &Node, mut path: Vec<String>) -> Node {
        let mut conflicts = Vec::new();
        let merged = merge::merge(base, over, &mut path, &mut conflicts);
        for conflict in conflicts {
            let message = format!(
                "cannot override `{}`: an earlier file has a {} there",
                conflict.path, conflict.earlier
            );
            self.report(conflict.span, message);
        }
        merged
    }

    /// The parsed file, parsing and caching it on first use; errors are reported once. Its
    /// layout is read as it is parsed, so preparing the file may take the tree.
    fn document(&mut self, id: SourceId) -> Option<Rc<Node>> {
        if let Some(cached) = self.documents.get(&id) {
            return cached.clone();
        }

        let parsed = self.parse_document(id).map(Rc::new);
        let layout = parsed.as_ref().map(|root| {
            let text = &self.sources.get(id).text;
            Rc::new(layout::of_document(root, text))
        });
        self.layouts.insert(id, layout);
        self.documents.insert(id, parsed.clone());
        parsed
    }

    /// The parsed file, to prepare in place: taken out of the cache, so the tree is not copied.
    /// A file prepared again (included twice with other variables) is parsed again.
    fn take_document(&mut self, id: SourceId) -> Option<Node> {
        let document = self.document(id)?;
        self.documents.remove(&id);
        Some(Rc::try_unwrap(document).unwrap_or_else(|shared| Node::clone(&shared)))
    }

    fn parse_document(&mut self, id: SourceId) -> Option<Node> {
        let parsed = match self.parsed.remove(&id) {
            Some(parsed) => parsed,
            None => yaml::parse_documents(id, &self.sources.get(id).text),
        };
        let documents = match parsed {
            Ok(documents) => documents,
            Err(error) => {
                let message = format!("cannot parse {}: {}", self.display(id), error.message);
                self.report(error.span, message);
                return None;
            }
        };

        if !documents.later.is_empty() {
            self.later_documents.insert(id, documents.later);
        }
        match &documents.first.value {
            Value::Null => None,
            _ => self.mapping_root(id, documents.first),
        }
    }

    /// A document's root when it is a mapping, as Compose requires; reported otherwise.
    fn mapping_root(&mut self, id: SourceId, root: Node) -> Option<Node> {
        if matches!(root.value, Value::Mapping(_)) {
            return Some(root);
        }
        let message = format!(
            "cannot parse {}: the top level is not a mapping",
            self.display(id)
        );
        self.report(root.span, message);
        None
    }

    /// Compose refuses a project whose files hold nothing at all.
    fn report_empty_project(&mut self, files: &[SourceId]) {
        let is_empty = files
            .iter()
            .all(|id| matches!(self.documents.get(id), Some(None)))
            && files.iter().all(|id| {
                !self
                    .diagnostics
                    .iter()
                    .any(|diagnostic| diagnostic.span.source == *id)
            });
        if !is_empty {
            return;
        }

        let first = files[0];
        let message = format!("{} is empty: it defines no services", self.display(first));
        self.report(Span::new(first, 0, 0), message);
    }

    /// The file with `!reset` values taken out, interpolated with `environment`, includes
    /// imported; cached per environment.
    fn prepared_file(
        &mut self,
        id: SourceId,
        environment: EnvironmentId,
    ) -> Option<Rc<PreparedFile>> {
        if let Some(cached) = self.prepared.get(&(id, environment)) {
            return cached.clone();
        }

        let prepared = self.prepare_file(id, environment).map(Rc::new);
        self.prepared.insert((id, environment), prepared.clone());
        prepared
    }

    fn prepare_file(&mut self, id: SourceId, environment: EnvironmentId) -> Option<PreparedFile> {
        let document = self.take_document(id)?;
        let (mut root, mut resets) = self.prepare_document(id, environment, document);

        // Compose reads the documents of a file in turn, each merged over all that came before
        // as an override file is: a `!reset` in a later document removes what the earlier
        // documents and the earlier files set.
        for later in self.later_documents.remove(&id).unwrap_or_default() {
            let Some(later) = self.mapping_root(id, later) else {
                continue;
            };
            let (later_root, later_resets) = self.prepare_document(id, environment, later);
            for path in &later_resets {
                merge::remove_path(&mut root, path);
            }
            root = self.merge_trees(&root, &later_root, Vec::new());
            resets.extend(later_resets);
        }

        Some(PreparedFile {
            root: Rc::new(root),
            resets,
        })
    }

    /// One document of file `id` interpolated, its `!reset` values taken out and its includes
    /// merged in; with the paths its resets remove from what came before.
    fn prepare_document(
        &mut self,
        id: SourceId,
        environment: EnvironmentId,
        document: Node,
    ) -> (Node, ResetPaths) {
        let variables = &self.environments[environment];
        let lookup = |name: &str| variables.lookup(name);
        let prepared = prepare::prepare(document, &lookup, &self.sources.get(id).text);
        let (mut root, resets) = (prepared.root, prepared.resets);
        for failure in prepared.failures {
            let message = format!("cannot interpolate {}: {}", failure.what, failure.message);
            self.report(failure.span, message);
        }

        self.apply_includes(id, environment, &mut root, &resets);
        (root, resets)
    }

    /// Resolves the `extends` of every service of `tree`, a prepared copy of `file`.
    fn resolve_services(&mut self, file: SourceId, environment: EnvironmentId, tree: &mut Node) {
        let Some(Value::Mapping(services)) = tree_get_mut(tree, "services").map(|s| &mut s.value)
        else {
            return;
        };

        let mut entries = std::mem::take(services);
        for (key, definition) in &mut entries {
            if definition.entry("extends").is_none() {
                continue;
            }
            let Some(name) = key_text(key).map(str::to_owned) else {
                continue;
            };
            let mut chain = Vec::new();
            *definition = self.resolve_extends(file, environment, &name, definition, &mut chain);
        }

        if let Some(services) = tree_get_mut(tree, "services") {
            services.value = Value::Mapping(entries);
        }
    }

    /// The service definition with its `extends` chain merged in (base first).
    fn resolve_extends(
        &mut self,
        file: SourceId,
        environment: EnvironmentId,
        name: &str,
        definition: &Node,
        chain: &mut Vec<ChainLink>,
    ) -> Node {
        let Some((extends_key, extends)) = definition.entry("extends") else {
            return definition.clone();
        };

        let local = without_key(definition, "extends");
        chain.push((file, name.to_owned()));
        let base = self.extended_service(file, environment, extends_key, extends, chain);
        let merged = match base {
            Some(mut base) => {
                // The base's values now serve this service: diagnostics about them show the
                // `extends` as the place they are used.
                mark_used_at(&mut base, extends_key.span);
                // The extending file's `!reset` paths apply to its copy of the base.
                let prefix = ["services".to_owned(), name.to_owned()];
                let resets = self
                    .prepared_file(file, environment)
                    .map(|prepared| prepared.resets.clone())
                    .unwrap_or_default();
                for path in resets.iter().filter(|path| path.starts_with(&prefix)) {
                    merge::remove_path(&mut base, &path[prefix.len()..]);
                }
                self.merge_trees(&base, &local, prefix.to_vec())
            }
            None => local,
        };
        chain.pop();
        merged
    }

    /// The resolved definition that `extends` names, or `None` (reported) when it is unusable.
    fn extended_service(
        &mut self,
        file: SourceId,
        environment: EnvironmentId,
        extends_key: &Node,
        extends: &Node,
        chain: &mut Vec<ChainLink>,
    ) -> Option<Node> {
        let (service_node, file_node) = match &extends.value {
            Value::Scalar(_) => (extends, None),
            Value::Mapping(_) => {
                let Some(service) = extends.get("service") else {
                    self.report(
                        extends_key.span,
                        "`extends` must name a `service`".to_owned(),
                    );
                    return None;
                };
                (service, extends.get("file"))
            }
            _ => {
                let message = "`extends` must be a service name or a mapping".to_owned();
                self.report(extends_key.span, message);
                return None;
            }
        };

        let service = self.scalar(service_node, "extends.service")?.value;
        let target = match file_node {
            Some(file_node) => self.extended_file(file, file_node)?,
            None => file,
        };

        let link = (target, service.clone());
        if chain.contains(&link) || chain.len() >= MAX_EXTENDS_DEPTH {
            let mut names: Vec<String> = chain
                .iter()
                .map(|(id, name)| self.chain_name(*id, name))
                .collect();
            names.push(self.chain_name(target, &service));
            let message = format!("`extends` forms a cycle: {}", names.join(" -> "));
            self.report(extends.use_span(), message);
            return None;
        }

        let prepared = self.prepared_file(target, environment)?;
        let Some(definition) = prepared
            .root
            .get("services")
            .and_then(|services| services.get(&service))
        else {
            let message = format!(
                "`extends` names service `{service}`, which {} does not define",
                self.display(target)
            );
            self.report(service_node.use_span(), message);
            return None;
        };

        let definition = definition.clone();
        Some(self.resolve_extends(target, environment, &service, &definition, chain))
    }

    /// Reads the file that `extends.file` names, relative to the folder of the extending file.
    fn extended_file(&mut self, file: SourceId, file_node: &Node) -> Option<SourceId> {
        let relative = self.scalar(file_node, "extends.file")?.value;
        // LIMITATION: remote `extends` files (Git, OCI) are not fetched; the service keeps only
        // its own keys.
        if is_remote_resource(&relative) {
            log::debug!("not following remote extends file {relative}");
            return None;
        }

        let path = folder_of(&self.sources, file).join(relative);
        match add_file(&mut self.sources, &path) {
            Ok(id) => {
                let folder = folder_of(&self.sources, id);
                self.base_dirs.entry(id).or_insert(folder);
                self.note_file(id);
                Some(id)
            }
            Err(error) => {
                let message = format!("cannot read {}: {error}", paths::display(&path));
                self.report(file_node.use_span(), message);
                None
            }
        }
    }

    fn chain_name(&self, id: SourceId, service: &str) -> String {
        format!("{}:{service}", self.display(id))
    }

    /// The services of the merged model. Shapes the schema rejects (a list of services, a
    /// number as a service) are reported by [`Self::validate`], not here.
    fn build_services(&mut self, root: &Node) -> Vec<Service> {
        let Some(Value::Mapping(entries)) = root.get("services").map(|services| &services.value)
        else {
            return Vec::new();
        };

        // Sized up front: a service is large, and a run holds every project's services.
        let mut models = Vec::with_capacity(entries.len());
        for (key, definition) in entries {
            let Some(name) = key_text(key).map(str::to_owned) else {
                continue;
            };
            models.push(self.build_service(name, key.span, definition));
        }
        models
    }

    fn build_service(&mut self, name: String, key_span: Span, definition: &Node) -> Service {
        let mut service = Service {
            name,
            key_span,
            image: None,
            platform: None,
            user: None,
            security_opt: None,
            cap_drop: None,
            cap_add: None,
            build: None,
            built: None,
            privileged: None,
            namespaces: Vec::new(),
            volumes: Vec::new(),
            devices: Vec::new(),
            entrypoint: None,
            command: None,
            layout: ServiceLayout::unknown("it is not a mapping"),
        };

        match &definition.value {
            Value::Mapping(_) => {}
            // The schema check reports a service that is not a mapping.
            _ => return service,
        }

        let name = service.name.clone();
        service.image = self.field_scalar(&name, definition, "image");
        service.platform = self.field_scalar(&name, definition, "platform");
        service.user = self.field_scalar(&name, definition, "user");
        service.security_opt = self.listing(&name, definition, "security_opt");
        service.cap_drop = self.listing(&name, definition, "cap_drop");
        service.cap_add = self.listing(&name, definition, "cap_add");
        service.build = self.build(&name, definition);
        service.privileged = self.field_scalar(&name, definition, "privileged");
        service.namespaces = self.namespaces(&name, definition);
        service.volumes = self.volumes(&name, definition);
        service.devices = self.devices(&name, definition);
        service.entrypoint = self.entrypoint(&name, definition);
        service.command = self.command(&name, definition);
        service.layout = self.service_layout(key_span, definition);
        service
    }

    /// A scalar field of a service; `None` when absent, null or not a scalar.
    fn field_scalar(
        &mut self,
        service: &str,
        definition: &Node,
        key: &str,
    ) -> Option<Spanned<String>> {
        let value = definition.get(key)?;
        self.scalar(value, &format!("{key}` of service `{service}"))
    }

    /// The text of a scalar node (interpolated when its file was prepared), with where it was
    /// written and where it takes effect. Other shapes give `None`; the schema check reports
    /// them. `what` names the value in the log, inside backticks.
    fn scalar(&self, node: &Node, what: &str) -> Option<Spanned<String>> {
        match &node.value {
            Value::Scalar(scalar) => Some(Spanned {
                value: scalar.text.clone(),
                span: node.span,
                used_at: node.used_at,
            }),
            Value::Null => None,
            _ => {
                log::trace!("`{what}` is not a string; left out of the model");
                None
            }
        }
    }

    /// A list of strings (`cap_drop: [ALL]`); a single scalar counts as a one-item list.
    fn listing(&mut self, service: &str, definition: &Node, key: &str) -> Option<Listing> {
        let (key_node, value) = definition.entry(key)?;
        let what = format!("{key}` of service `{service}");
        let items = match &value.value {
            Value::Null | Value::Mapping(_) => Vec::new(),
            Value::Scalar(_) => self.scalar(value, &what).into_iter().collect(),
            Value::Sequence(nodes) => {
                let mut items = Vec::new();
                for node in nodes {
                    items.extend(self.scalar(node, &what));
                }
                items
            }
        };
        let layout = self.list_layout(key_node, value, key);
        Some(Listing {
            key_span: key_node.span,
            used_at: key_node.used_at,
            items,
            layout,
        })
    }

    /// `build: ./dir` or `build: {context, dockerfile, dockerfile_inline, target, ...}`.
    fn build(&mut self, service: &str, definition: &Node) -> Option<Build> {
        let (key_node, value) = definition.entry("build")?;
        let what = |key: &str| format!("build.{key}` of service `{service}");
        let (context_node, fields) = match &value.value {
            Value::Scalar(_) => (Some(value), None),
            Value::Mapping(_) => (value.get("context"), Some(value)),
            Value::Null => (None, None),
            // The schema check reports a list.
            Value::Sequence(_) => return None,
        };

        // Relative paths count from the base folder of the file that wrote them (an `extends`
        // file may lie elsewhere; an override file counts from the project directory).
        let context_text = match context_node {
            Some(node) => self.scalar(node, &what("context")),
            None => None,
        };
        let context_folder =
            self.base_dir(context_node.map_or(value.span, |node| node.span).source);
        // LIMITATION: a remote context (a Git URL) is kept as written, not fetched.
        let context = match context_text {
            Some(text) if is_remote_context(&text.value) => PathBuf::from(text.value),
            Some(text) => normalize(&context_folder.join(text.value)),
            None => normalize(&context_folder),
        };

        let field = |loader: &mut Self, key: &str| {
            let node = fields.and_then(|fields| fields.get(key))?;
            loader.scalar(node, &what(key))
        };
        let inline = field(self, "dockerfile_inline");
        let dockerfile_path = field(self, "dockerfile");
        let target = field(self, "target").map(|target| target.value);
        let dockerfile = match (inline, dockerfile_path) {
            (Some(inline), _) => BuildDockerfile::Inline(inline),
            (None, Some(path)) => BuildDockerfile::Path(normalize(&context.join(path.value))),
            (None, None) => BuildDockerfile::Path(context.join("Dockerfile")),
        };
        let args = match fields.and_then(|fields| fields.get("args")) {
            Some(args) => self.build_args(service, args),
            None => Vec::new(),
        };
        let privileged = field(self, "privileged");
        let network = field(self, "network");
        let mut entitlements = Vec::new();
        // The schema check reports entitlements that are not a list of strings.
        if let Some(Value::Sequence(items)) = fields
            .and_then(|fields| fields.get("entitlements"))
            .map(|node| &node.value)
        {
            for item in items {
                entitlements.extend(self.scalar(item, &what("entitlements")));
            }
        }
        Some(Build {
            span: key_node.span,
            context,
            dockerfile,
            target,
            args,
            privileged,
            network,
            entitlements,
        })
    }

    /// `build.args` in mapping form (`UID: 1000`) or list form (`- UID=1000`), interpolated.
    fn build_args(&mut self, service: &str, args: &Node) -> Vec<(String, String)> {
        let what = format!("build.args` of service `{service}");
        let mut found = Vec::new();
        match &args.value {
            Value::Mapping(entries) => {
                for (key, value) in entries {
                    let Some(name) = key.as_scalar().map(|name| name.text.clone()) else {
                        continue;
                    };
                    if let Some(value) = self.scalar(value, &what) {
                        found.push((name, value.value));
                    }
                }
            }
            Value::Sequence(items) => {
                for item in items {
                    let Some(entry) = self.scalar(item, &what) else {
                        continue;
                    };
                    if let Some((name, value)) = entry.value.split_once('=') {
                        found.push((name.to_owned(), value.to_owned()));
                    }
                }
            }
            Value::Null | Value::Scalar(_) => {}
        }
        found
    }

    fn display(&self, id: SourceId) -> String {
        self.sources.get(id).display.clone()
    }

    fn report(&mut self, span: Span, message: String) {
        self.diagnostics
            .push(Diagnostic::new(PARSE_ERROR, Severity::Error, span, message));
    }
}

/// Build contexts Compose fetches instead of reading from disk.
fn is_remote_context(context: &str) -> bool {
    context.contains("://") || context.starts_with("git@")
}

/// Files that Compose's remote loaders fetch: OCI artifacts (`oci://`) and Git repositories (URLs
/// and `git@host:path`). Anything else is a local path, `C:\compose.yaml` included.
fn is_remote_resource(reference: &str) -> bool {
    is_remote_context(reference)
}

/// A mapping without one key.
/// Whether a service of `root` has an `extends` to resolve.
fn has_extends(root: &Node) -> bool {
    let services = root.get("services").and_then(Node::as_mapping);
    services
        .unwrap_or_default()
        .iter()
        .any(|(_, definition)| definition.entry("extends").is_some())
}

fn without_key(mapping: &Node, key: &str) -> Node {
    let mut copy = mapping.clone();
    if let Value::Mapping(entries) = &mut copy.value {
        entries.retain(|(candidate, _)| key_text(candidate) != Some(key));
    }
    copy
}

/// The value under a key of a mapping, for changing it.
fn tree_get_mut<'a>(node: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    let Value::Mapping(entries) = &mut node.value else {
        return None;
    };
    entries
        .iter_mut()
        .find(|(candidate, _)| key_text(candidate) == Some(key))
        .map(|(_, value)| value)
}

/// Records `span` as the place every key and value of `node` takes effect.
fn mark_used_at(node: &mut Node, span: Span) {
    node.used_at = Some(span);
    match &mut node.value {
        Value::Mapping(entries) => {
            for (key, value) in entries {
                key.used_at = Some(span);
                mark_used_at(value, span);
            }
        }
        Value::Sequence(items) => {
            for item in items {
                mark_used_at(item, span);
            }
        }
        Value::Null | Value::Scalar(_) => {}
    }
}

#[cfg(test)]
mod tests {

    use tempfile::TempDir;

    use super::*;

    /// A project written to a temporary folder, with its Compose file loaded.
    struct Project {
        _folder: TempDir,
        root: PathBuf,
        sources: Sources,
        loaded: Loaded,
    }

    impl Project {
        fn service(&self, name: &str) -> &Service {
            let found = self
                .loaded
                .compose
                .services
                .iter()
                .find(|service| service.name == name);
            found.unwrap_or_else(|| panic!("no service {name} in {:?}", self.names()))
        }

        fn names(&self) -> Vec<&str> {
            self.loaded
                .compose
                .services
                .iter()
                .map(|service| service.name.as_str())
                .collect()
        }

        fn text(&self, span: Span) -> &str {
            &self.sources.get(span.source).text[span.start..span.end]
        }

        fn line(&self, span: Span) -> usize {
            self.sources.get(span.source).line_column(span.start).0
        }

        fn file_of(&self, span: Span) -> &str {
            &self.sources.get(span.source).display
        }

        fn messages(&self) -> Vec<&str> {
            self.loaded
                .diagnostics
                .iter()
                .map(|diagnostic| diagnostic.message.as_str())
                .collect()
        }

        fn assert_clean(&self) {
            assert!(self.loaded.diagnostics.is_empty(), "{:?}", self.messages());
        }

        fn parse_errors(&self) -> Vec<&str> {
            self.loaded
                .diagnostics
                .iter()
                .filter(|diagnostic| diagnostic.rule == "parse-error")
                .map(|diagnostic| diagnostic.message.as_str())
                .collect()
        }
    }

    fn load_project(files: &[(&str, &str)]) -> Project {
        load_project_with(files, &LoadOptions::default())
    }

    fn load_project_with(files: &[(&str, &str)], options: &LoadOptions) -> Project {
        load_merged_with(files, 1, options)
    }

    /// Writes `files` to a temporary folder and loads the first `merged` of them as one
    /// project, in order.
    fn load_merged(files: &[(&str, &str)], merged: usize) -> Project {
        load_merged_with(files, merged, &LoadOptions::default())
    }

    fn load_merged_with(files: &[(&str, &str)], merged: usize, options: &LoadOptions) -> Project {
        let folder = TempDir::new().expect("temporary folder");
        let root = folder.path().to_path_buf();
        for (name, text) in files {
            let path = root.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("create folder");
            }
            std::fs::write(&path, text).expect("write file");
        }
        let mut sources = Sources::default();
        let mut ids = Vec::new();
        for (name, text) in &files[..merged] {
            let path = root.join(name);
            ids.push(sources.add(Source::new((*name).to_owned(), path, (*text).to_owned())));
        }
        let loaded = super::load_project(&mut sources, &ids, options);
        Project {
            _folder: folder,
            root,
            sources,
            loaded,
        }
    }

    fn item_texts(listing: Option<&Listing>) -> Vec<&str> {
        let listing = listing.expect("listing present");
        listing
            .items
            .iter()
            .map(|item| item.value.as_str())
            .collect()
    }

    #[test]
    fn service_fields_and_spans_are_read() {
        let project = load_project(&[(
            "compose.yaml",
            "services:\n  api:\n    image: registry.example/api:1.4\n    user: \"10001:10001\"\n    \
             cap_drop:\n      - ALL\n    cap_add: NET_BIND_SERVICE\n    security_opt:\n      \
             - no-new-privileges=true\n",
        )]);

        assert_eq!(
            project.messages(),
            ["`services.api.cap_add` must be a list, not the string `NET_BIND_SERVICE`"]
        );
        let api = project.service("api");
        assert_eq!(project.text(api.key_span), "api");
        let user = api.user.as_ref().expect("user");
        assert_eq!(user.value, "10001:10001");
        assert_eq!(project.text(user.span), "\"10001:10001\"");
        assert_eq!(project.line(user.span), 4);
        assert_eq!(
            api.image.as_ref().map(|image| image.value.as_str()),
            Some("registry.example/api:1.4")
        );
        let cap_drop = api.cap_drop.as_ref().expect("cap_drop");
        assert_eq!(project.text(cap_drop.key_span), "cap_drop");
        assert_eq!(project.text(cap_drop.items[0].span), "ALL");
        assert_eq!(item_texts(api.cap_add.as_ref()), ["NET_BIND_SERVICE"]);
        assert_eq!(
            item_texts(api.security_opt.as_ref()),
            ["no-new-privileges=true"]
        );
        assert!(api.build.is_none());
    }

    #[test]
    fn security_opt_forms_and_root_users_are_read_as_written() {
        let project = load_project(&[(
            "compose.yaml",
            "services:\n  web:\n    user: \"10001\"\n    cap_drop: [ALL]\n    security_opt:\n      \
             - \"apparmor=docker-default\"\n      - no-new-privileges\n  gateway:\n    user: root\n  \
             jobs:\n    user: \"0:1000\"\n    security_opt: [no-new-privileges:true]\n",
        )]);

        project.assert_clean();
        let web = project.service("web");
        assert_eq!(
            item_texts(web.security_opt.as_ref()),
            ["apparmor=docker-default", "no-new-privileges"]
        );
        assert_eq!(item_texts(web.cap_drop.as_ref()), ["ALL"]);
        let user_of = |name: &str| {
            project
                .service(name)
                .user
                .as_ref()
                .map(|user| user.value.clone())
        };
        assert_eq!(user_of("gateway").as_deref(), Some("root"));
        assert_eq!(user_of("jobs").as_deref(), Some("0:1000"));
        let jobs = project.service("jobs");
        assert_eq!(
            item_texts(jobs.security_opt.as_ref()),
            ["no-new-privileges:true"]
        );
    }

    #[test]
    fn merge_key_sequence_merges_every_anchor() {
        let project = load_project(&[(
            "compose.yaml",
            "x-hardening: &hardening\n  cap_drop: [ALL]\n  security_opt: [\"no-new-privileges:true\"]\n\
             x-runtime: &runtime\n  user: \"10001:10001\"\n  read_only: true\n\
             services:\n  api:\n    <<: [*hardening, *runtime]\n    image: registry.example/api:5.0\n",
        )]);

        project.assert_clean();
        let api = project.service("api");
        assert_eq!(item_texts(api.cap_drop.as_ref()), ["ALL"]);
        assert_eq!(
            item_texts(api.security_opt.as_ref()),
            ["no-new-privileges:true"]
        );
        let user = api.user.as_ref().expect("user");
        assert_eq!(user.value, "10001:10001");
        assert_eq!(project.line(user.span), 5);
    }

    #[test]
    fn merge_is_shallow_and_the_first_anchor_wins() {
        let project = load_project(&[(
            "compose.yaml",
            "x-base: &base\n  cap_drop: [ALL]\n  security_opt: [\"apparmor=docker-default\"]\n\
             x-locked: &locked\n  security_opt: [\"no-new-privileges:true\"]\n\
             services:\n  worker:\n    <<: [*base, *locked]\n    image: registry.example/worker:2.2\n    \
             user: \"10002\"\n",
        )]);

        project.assert_clean();
        let worker = project.service("worker");
        assert_eq!(
            item_texts(worker.security_opt.as_ref()),
            ["apparmor=docker-default"]
        );
        assert_eq!(item_texts(worker.cap_drop.as_ref()), ["ALL"]);
        assert_eq!(
            worker.user.as_ref().map(|user| project.line(user.span)),
            Some(10)
        );
    }

    #[test]
    fn merge_key_before_or_after_other_keys_applies() {
        let project = load_project(&[(
            "compose.yaml",
            "x-defaults: &defaults\n  cap_drop:\n    - ALL\n  security_opt:\n    - no-new-privileges:true\n\
             services:\n  app:\n    <<: *defaults\n    image: registry.example/app:1.0\n    user: \"10001\"\n  \
             sidecar:\n    image: registry.example/sidecar:1.0\n    <<: *defaults\n",
        )]);

        project.assert_clean();
        assert_eq!(project.names(), ["app", "sidecar"]);
        for name in ["app", "sidecar"] {
            let service = project.service(name);
            assert_eq!(item_texts(service.cap_drop.as_ref()), ["ALL"]);
            assert_eq!(
                item_texts(service.security_opt.as_ref()),
                ["no-new-privileges:true"]
            );
        }
    }

    #[test]
    fn extends_from_another_file_brings_lists_as_strings() {
        let project = load_project(&[
            (
                "compose.yaml",
                "services:\n  app:\n    extends:\n      file: common.yaml\n      service: hardened\n    \
                 image: registry.example/app:1.0\n    user: \"10001\"\n    cap_drop: [NET_RAW]\n",
            ),
            (
                "common.yaml",
                "services:\n  hardened:\n    cap_drop: [ALL]\n    user: root\n    security_opt:\n      \
                 - no-new-privileges:true\n",
            ),
        ]);

        project.assert_clean();
        let app = project.service("app");
        assert_eq!(item_texts(app.cap_drop.as_ref()), ["ALL", "NET_RAW"]);
        assert_eq!(
            item_texts(app.security_opt.as_ref()),
            ["no-new-privileges:true"]
        );
        let option = &app.security_opt.as_ref().expect("security_opt").items[0];
        assert!(project.file_of(option.span).ends_with("common.yaml"));
        assert_eq!(project.line(option.span), 6);
        assert_eq!(
            app.user.as_ref().map(|user| user.value.as_str()),
            Some("10001")
        );
        assert_eq!(project.file_of(app.key_span), "compose.yaml");
    }

    #[test]
    fn extends_in_the_same_file_and_recursively() {
        let project = load_project(&[
            (
                "compose.yaml",
                "services:\n  base:\n    extends: {file: lib/root.yaml, service: root}\n    \
                 security_opt: [label=a]\n  app:\n    extends: base\n    image: app\n",
            ),
            (
                "lib/root.yaml",
                "services:\n  root:\n    user: \"1000\"\n    build: ./img\n",
            ),
        ]);

        project.assert_clean();
        let app = project.service("app");
        assert_eq!(
            app.user.as_ref().map(|user| user.value.as_str()),
            Some("1000")
        );
        assert_eq!(item_texts(app.security_opt.as_ref()), ["label=a"]);
        let build = app.build.as_ref().expect("build");
        assert_eq!(build.context, project.root.join("lib/img"));
    }

    #[test]
    fn extends_cycle_is_reported_with_the_chain() {
        let project = load_project(&[(
            "compose.yaml",
            "services:\n  a:\n    extends: b\n    user: \"1\"\n  b:\n    extends: a\n",
        )]);

        assert_eq!(project.names(), ["a", "b"]);
        let messages = project.messages();
        assert!(!messages.is_empty());
        assert!(messages[0].contains("cycle"), "{messages:?}");
        assert!(
            messages[0].contains("compose.yaml:a -> compose.yaml:b -> compose.yaml:a"),
            "{messages:?}"
        );
        assert_eq!(
            project
                .service("a")
                .user
                .as_ref()
                .map(|user| user.value.as_str()),
            Some("1")
        );
    }

    #[test]
    fn extends_of_a_missing_file_or_service_is_reported() {
        let project = load_project(&[
            (
                "compose.yaml",
                "services:\n  a:\n    extends: {file: nowhere.yaml, service: x}\n  \
                 b:\n    extends: {file: other.yaml, service: absent}\n",
            ),
            ("other.yaml", "services: {}\n"),
        ]);

        let messages = project.messages();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].contains("cannot read"), "{messages:?}");
        assert!(messages[1].contains("`absent`"), "{messages:?}");
        assert_eq!(project.names(), ["a", "b"]);
    }

    #[test]
    fn remote_extends_files_are_not_followed() {
        let project = load_project(&[(
            "compose.yaml",
            "services:\n  app:\n    extends:\n      file: oci://registry.example/base:1\n      \
             service: base\n    user: \"1000\"\n",
        )]);

        project.assert_clean();
        assert_eq!(
            project
                .service("app")
                .user
                .as_ref()
                .map(|user| user.value.as_str()),
            Some("1000")
        );
    }

    #[test]
    fn nested_defaults_and_text_after_the_first_expression() {
        let project = load_project(&[(
            "compose.yaml",
            "services:\n  api:\n    image: registry.example/api:${API_TAG:-1.0}\n    \
             user: \"${API_UID:-10001}:${API_GID:-10001}\"\n    cap_drop: [\"${DROP_CAPS:-ALL}\"]\n    \
             security_opt:\n      - \"no-new-privileges:${NNP:-${NNP_DEFAULT:-true}}\"\n",
        )]);

        project.assert_clean();
        let api = project.service("api");
        assert_eq!(
            api.image.as_ref().map(|image| image.value.as_str()),
            Some("registry.example/api:1.0")
        );
        assert_eq!(
            api.user.as_ref().map(|user| user.value.as_str()),
            Some("10001:10001")
        );
        assert_eq!(item_texts(api.cap_drop.as_ref()), ["ALL"]);
        assert_eq!(
            item_texts(api.security_opt.as_ref()),
            ["no-new-privileges:true"]
        );
    }

    #[test]
    fn integer_user_is_read_as_text_and_warned_about() {
        let project = load_project(&[(
            "compose.yaml",
            "services:\n  batch:\n    image: registry.example/batch:1.0\n    user: 1000\n    cap_drop: [ALL]\n",
        )]);

        // The schema wants a string, and Compose refuses the number; the model reads it anyway.
        let diagnostic = &project.loaded.diagnostics[0];
        assert_eq!(project.loaded.diagnostics.len(), 1);
        assert_eq!(
            (diagnostic.rule, diagnostic.severity),
            ("compose-schema", Severity::Warning)
        );
        assert_eq!(project.text(diagnostic.span), "user");
        let user = project.service("batch").user.as_ref().expect("user");
        assert_eq!(user.value, "1000");
        assert_eq!(project.line(user.span), 4);
    }

    #[test]
    fn duplicate_key_is_a_parse_error_at_the_duplicate() {
        let project = load_project(&[(
            "compose.yaml",
            "services:\n  api:\n    user: \"1000\"\n    image: x\n    user: root\n",
        )]);

        assert!(project.names().is_empty());
        let diagnostic = &project.loaded.diagnostics[0];
        assert_eq!(diagnostic.rule, "parse-error");
        assert_eq!(diagnostic.severity, Severity::Error);
        assert!(
            diagnostic
                .message
                .starts_with("cannot parse compose.yaml: duplicate"),
            "{}",
            diagnostic.message
        );
        assert_eq!(project.text(diagnostic.span), "user");
        assert_eq!(project.line(diagnostic.span), 5);
    }

    #[test]
    fn alias_bomb_is_a_parse_error_within_a_second() {
        let mut text = String::from("x0: &x0 [a, a, a, a, a, a, a, a, a, a]\n");
        for level in 1..10 {
            let previous = format!("*x{}", level - 1);
            text.push_str(&format!(
                "x{level}: &x{level} [{}]\n",
                [previous.as_str(); 10].join(", ")
            ));
        }
        text.push_str("services:\n  bomb:\n    image: *x9\n");

        let project = load_project(&[("compose.yaml", &text)]);

        assert_eq!(project.loaded.diagnostics.len(), 1);
        assert!(project.messages()[0].starts_with("cannot parse compose.yaml"));
    }

    #[test]
    fn project_env_file_supplies_the_user() {
        let project = load_project(&[
            (
                "compose.yaml",
                "services:\n  app:\n    user: \"${APP_UID}:${APP_GID:-0}\"\n",
            ),
            (".env", "# ids\nAPP_UID=10001\nAPP_GID=10001\n"),
        ]);

        project.assert_clean();
        let user = project.service("app").user.as_ref().expect("user");
        assert_eq!(user.value, "10001:10001");
        assert!(
            project
                .sources
                .iter()
                .any(|(_, source)| source.path.ends_with(".env"))
        );
    }

    #[test]
    fn env_files_from_options_override_the_project_env() {
        let folder = TempDir::new().expect("temporary folder");
        let extra = folder.path().join("ci.env");
        std::fs::write(&extra, "APP_UID=2000\n").expect("write env file");
        let options = LoadOptions {
            env_files: vec![extra],
            ..LoadOptions::default()
        };

        let project = load_project_with(
            &[
                ("compose.yaml", "services:\n  app:\n    user: ${APP_UID}\n"),
                (".env", "APP_UID=1000\n"),
            ],
            &options,
        );

        project.assert_clean();
        assert_eq!(
            project
                .service("app")
                .user
                .as_ref()
                .map(|user| user.value.as_str()),
            Some("2000")
        );
    }

    #[test]
    fn missing_required_variable_is_reported_and_the_service_kept() {
        let text = "services:\n  app:\n    image: app\n    user: ${APP_UID:?set APP_UID in .env}\n";

        let project = load_project(&[("compose.yaml", text)]);

        let app = project.service("app");
        assert!(app.user.is_none());
        assert_eq!(
            app.image.as_ref().map(|image| image.value.as_str()),
            Some("app")
        );
        let diagnostic = &project.loaded.diagnostics[0];
        assert_eq!(diagnostic.rule, "parse-error");
        assert!(
            diagnostic.message.contains("APP_UID"),
            "{}",
            diagnostic.message
        );
        assert!(
            diagnostic.message.contains("set APP_UID in .env"),
            "{}",
            diagnostic.message
        );
        assert_eq!(
            project.text(diagnostic.span),
            "${APP_UID:?set APP_UID in .env}"
        );
    }

    #[test]
    fn build_short_and_long_forms() {
        let project = load_project(&[(
            "deploy/compose.yaml",
            "services:\n  short:\n    build: ./web\n  long:\n    build:\n      context: ../api\n      \
             dockerfile: docker/Prod.Dockerfile\n      target: runtime\n  inline:\n    build:\n      \
             dockerfile_inline: |\n        FROM alpine\n        USER 10001\n  plain:\n    build: {}\n",
        )]);

        project.assert_clean();
        let deploy = project.root.join("deploy");
        let short = project.service("short").build.as_ref().expect("build");
        assert_eq!(short.context, deploy.join("web"));
        assert!(
            matches!(&short.dockerfile, BuildDockerfile::Path(path) if *path == deploy.join("web/Dockerfile"))
        );
        assert_eq!(project.text(short.span), "build");
        let long = project.service("long").build.as_ref().expect("build");
        assert_eq!(long.context, project.root.join("api"));
        assert!(
            matches!(&long.dockerfile, BuildDockerfile::Path(path) if *path == project.root.join("api/docker/Prod.Dockerfile"))
        );
        assert_eq!(long.target.as_deref(), Some("runtime"));
        let inline = project.service("inline").build.as_ref().expect("build");
        let BuildDockerfile::Inline(text) = &inline.dockerfile else {
            panic!("expected an inline Dockerfile");
        };
        assert_eq!(text.value, "FROM alpine\nUSER 10001\n");
        let plain = project.service("plain").build.as_ref().expect("build");
        assert_eq!(plain.context, deploy);
    }

    #[test]
    fn build_settings_that_lift_the_sandbox_are_read_interpolated_and_merged() {
        let project = load_merged(
            &[
                (
                    "compose.yaml",
                    "services:\n  app:\n    build:\n      context: ./app\n      \
                     privileged: ${BUILD_PRIVILEGED:-true}\n      network: host\n      \
                     entitlements: [security.insecure]\n  plain:\n    build: ./plain\n",
                ),
                (
                    "compose.override.yaml",
                    "services:\n  app:\n    build:\n      entitlements:\n        - network.host\n",
                ),
            ],
            2,
        );

        project.assert_clean();
        let build = project.service("app").build.as_ref().expect("build");
        let privileged = build.privileged.as_ref().expect("privileged");
        assert_eq!(privileged.value, "true");
        assert_eq!(project.text(privileged.span), "${BUILD_PRIVILEGED:-true}");
        let network = build.network.as_ref().expect("network");
        assert_eq!(
            (network.value.as_str(), project.line(network.span)),
            ("host", 6)
        );
        let entitlements: Vec<(&str, &str, &str)> = build
            .entitlements
            .iter()
            .map(|item| {
                let written = project.text(item.span);
                (item.value.as_str(), written, project.file_of(item.span))
            })
            .collect();
        assert_eq!(
            entitlements,
            [
                ("security.insecure", "security.insecure", "compose.yaml"),
                ("network.host", "network.host", "compose.override.yaml"),
            ]
        );
        let plain = project.service("plain").build.as_ref().expect("build");
        assert!(plain.privileged.is_none() && plain.network.is_none());
        assert!(plain.entitlements.is_empty());
    }

    #[test]
    fn null_service_and_missing_services_are_no_parse_errors() {
        let with_null = load_project(&[("compose.yaml", "services:\n  svc:\n")]);
        let without_services = load_project(&[("compose.yaml", "version: \"3.8\"\nx-note: hi\n")]);

        assert!(with_null.parse_errors().is_empty());
        let svc = with_null.service("svc");
        assert!(svc.user.is_none() && svc.image.is_none() && svc.cap_drop.is_none());
        without_services.assert_clean();
        assert!(without_services.names().is_empty());
    }

    #[test]
    fn an_empty_project_is_refused_as_compose_does() {
        let empty = load_project(&[("compose.yaml", "# nothing yet\n")]);

        assert_eq!(
            empty.messages(),
            ["compose.yaml is empty: it defines no services"]
        );
        assert_eq!(empty.loaded.diagnostics[0].rule, "parse-error");
    }

    #[test]
    fn override_file_adds_to_the_default_file() {
        let project = load_merged(
            &[
                (
                    "compose.yaml",
                    "services:\n  app:\n    image: registry.example/app:1.0\n    user: \"10001\"\n    \
                     cap_drop: [NET_RAW]\n",
                ),
                (
                    "compose.override.yaml",
                    "services:\n  app:\n    cap_drop: [ALL, NET_RAW]\n    security_opt:\n      \
                     - no-new-privileges:true\n",
                ),
            ],
            2,
        );

        project.assert_clean();
        let app = project.service("app");
        assert_eq!(project.file_of(app.key_span), "compose.yaml");
        assert_eq!(item_texts(app.cap_drop.as_ref()), ["NET_RAW", "ALL"]);
        let cap_drop = app.cap_drop.as_ref().expect("cap_drop");
        assert_eq!(
            project.file_of(cap_drop.items[1].span),
            "compose.override.yaml"
        );
        assert_eq!(
            item_texts(app.security_opt.as_ref()),
            ["no-new-privileges:true"]
        );
        let user = app.user.as_ref().expect("user");
        assert_eq!((user.value.as_str(), project.line(user.span)), ("10001", 4));
        assert_eq!(project.loaded.files.len(), 2);
    }

    #[test]
    fn reset_removes_and_override_replaces_earlier_values() {
        let project = load_merged(
            &[
                (
                    "compose.yaml",
                    "services:\n  app:\n    user: \"1000\"\n    cap_drop: [ALL]\n    security_opt: [label=a]\n",
                ),
                (
                    "compose.override.yaml",
                    "services:\n  app:\n    user: !reset null\n    cap_drop: !reset []\n    \
                     security_opt: !override [no-new-privileges:true]\n",
                ),
            ],
            2,
        );

        project.assert_clean();
        let app = project.service("app");
        assert!(app.user.is_none());
        assert!(app.cap_drop.is_none());
        assert_eq!(
            item_texts(app.security_opt.as_ref()),
            ["no-new-privileges:true"]
        );
    }

    #[test]
    fn reset_applies_to_the_extended_base() {
        let project = load_project(&[(
            "compose.yaml",
            "services:\n  init:\n    image: alpine\n    cap_drop: [ALL]\n  app:\n    extends: init\n    \
             cap_drop: !reset []\n",
        )]);

        project.assert_clean();
        assert!(project.service("app").cap_drop.is_none());
        assert_eq!(
            item_texts(project.service("init").cap_drop.as_ref()),
            ["ALL"]
        );
    }

    #[test]
    fn later_documents_of_a_file_merge_over_the_earlier_ones() {
        let text = "services:\n  app:\n    image: alpine\n    cap_drop: [ALL]\n---\nservices:\n  \
                    app:\n    privileged: true\n  worker:\n    image: alpine\n";
        let project = load_project(&[("compose.yaml", text)]);

        project.assert_clean();
        assert_eq!(project.names(), ["app", "worker"]);
        let app = project.service("app");
        assert_eq!(item_texts(app.cap_drop.as_ref()), ["ALL"]);
        let privileged = app
            .privileged
            .as_ref()
            .expect("privileged from the second document");
        assert_eq!(project.line(privileged.span), 8);
        assert_eq!(project.text(privileged.span), "true");
    }

    #[test]
    fn a_reset_in_a_later_document_removes_earlier_documents_and_files() {
        let project = load_merged(
            &[
                (
                    "compose.yaml",
                    "services:\n  app:\n    image: alpine\n    cap_add: [SYS_ADMIN]\n",
                ),
                (
                    "compose.override.yaml",
                    "services:\n  app:\n    cap_add: [NET_ADMIN]\n    user: \"1000\"\n---\n\
                     services:\n  app:\n    cap_add: !reset []\n",
                ),
            ],
            2,
        );

        project.assert_clean();
        let app = project.service("app");
        assert!(
            app.cap_add.is_none(),
            "{:?}",
            item_texts(app.cap_add.as_ref())
        );
        assert_eq!(
            app.user.as_ref().map(|user| project.text(user.span)),
            Some("\"1000\"")
        );
    }

    #[test]
    fn a_later_document_that_is_not_a_mapping_is_reported() {
        let project = load_project(&[(
            "compose.yaml",
            "services:\n  app:\n    image: alpine\n---\n- privileged\n",
        )]);

        assert_eq!(project.names(), ["app"]);
        let errors = project.parse_errors();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].ends_with("the top level is not a mapping"),
            "{errors:?}"
        );
    }

    #[test]
    fn anchored_values_point_at_the_anchor_and_note_the_alias() {
        let text = "x-runtime: &runtime\n  user: \"10001\"\n  cap_drop: [ALL]\nservices:\n  api:\n    \
                    <<: *runtime\n    image: app\n";
        let project = load_project(&[("compose.yaml", text)]);

        project.assert_clean();
        let api = project.service("api");
        let user = api.user.as_ref().expect("user");
        assert_eq!(project.line(user.span), 2);
        assert_eq!(
            user.used_at.map(|span| project.text(span)),
            Some("*runtime")
        );
        let cap_drop = api.cap_drop.as_ref().expect("cap_drop");
        assert_eq!(project.line(cap_drop.key_span), 3);
        assert_eq!(cap_drop.used_at.map(|span| project.line(span)), Some(6));
    }

    #[test]
    fn extended_values_point_at_the_base_and_note_the_extends() {
        let project = load_project(&[
            (
                "compose.yaml",
                "services:\n  app:\n    extends:\n      file: base.yaml\n      service: base\n    image: app\n",
            ),
            ("base.yaml", "services:\n  base:\n    user: \"1000\"\n"),
        ]);

        project.assert_clean();
        let user = project.service("app").user.as_ref().expect("user");
        assert!(project.file_of(user.span).ends_with("base.yaml"));
        let used_at = user.used_at.expect("used through extends");
        assert_eq!(project.file_of(used_at), "compose.yaml");
        assert_eq!(project.text(used_at), "extends");
        assert_eq!(project.loaded.files.len(), 2);
    }

    #[test]
    fn include_short_and_long_forms_with_their_own_variables() {
        let project = load_project(&[
            (
                "compose.yaml",
                "include:\n  - sub/compose.yaml\n  - path: other/base.yaml\n    env_file: other/vars.env\n\
                 services:\n  web:\n    image: web\n",
            ),
            (".env", "SHARED=from-parent\n"),
            (
                "sub/compose.yaml",
                "services:\n  worker:\n    image: worker\n    user: \"${SUB_UID}:${SHARED}\"\n",
            ),
            ("sub/.env", "SUB_UID=2000\nSHARED=from-sub\n"),
            (
                "other/base.yaml",
                "services:\n  db:\n    image: db\n    user: ${DB_UID:?set DB_UID}\n    build: ./db\n",
            ),
            ("other/vars.env", "DB_UID=3000\n"),
        ]);

        project.assert_clean();
        assert_eq!(project.names(), ["web", "worker", "db"]);
        let worker = project.service("worker");
        assert_eq!(
            worker.user.as_ref().map(|user| user.value.as_str()),
            Some("2000:from-parent")
        );
        assert!(project.file_of(worker.key_span).ends_with("compose.yaml"));
        let db = project.service("db");
        assert_eq!(
            db.user.as_ref().map(|user| user.value.as_str()),
            Some("3000")
        );
        let build = db.build.as_ref().expect("build");
        assert_eq!(build.context, project.root.join("other/db"));
        assert_eq!(project.loaded.files.len(), 6);
    }

    #[test]
    fn the_including_file_overrides_an_included_service() {
        let project = load_project(&[
            (
                "compose.yaml",
                "include: [lib.yaml]\nservices:\n  app:\n    cap_drop: [ALL]\n    user: !reset null\n",
            ),
            (
                "lib.yaml",
                "services:\n  app:\n    image: app\n    user: \"1000\"\n    cap_drop: [NET_RAW]\n",
            ),
        ]);

        project.assert_clean();
        let app = project.service("app");
        assert!(project.file_of(app.key_span).ends_with("lib.yaml"));
        assert!(app.user.is_none());
        assert_eq!(item_texts(app.cap_drop.as_ref()), ["NET_RAW", "ALL"]);
    }

    #[test]
    fn include_cycles_and_missing_files_are_reported() {
        let project = load_project(&[
            (
                "compose.yaml",
                "include:\n  - other.yaml\n  - missing.yaml\nservices:\n  app:\n    image: app\n",
            ),
            (
                "other.yaml",
                "include: [compose.yaml]\nservices:\n  db:\n    image: db\n",
            ),
        ]);

        let messages = project.messages();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].starts_with("`include` forms a cycle: compose.yaml -> "),
            "{messages:?}"
        );
        assert!(
            messages[0].ends_with("other.yaml -> compose.yaml"),
            "{messages:?}"
        );
        assert!(messages[1].starts_with("cannot read"), "{messages:?}");
        assert_eq!(project.names(), ["app", "db"]);
    }

    #[test]
    fn a_project_file_in_another_folder_resolves_paths_from_the_project_directory() {
        let project = load_merged(
            &[
                ("compose.yaml", "services:\n  app:\n    image: app\n"),
                ("deploy/ci.yaml", "services:\n  app:\n    build: ./app\n"),
            ],
            2,
        );

        project.assert_clean();
        let build = project.service("app").build.as_ref().expect("build");
        assert_eq!(build.context, project.root.join("app"));
    }

    #[test]
    fn values_outside_the_model_are_interpolated_too() {
        let project = load_project(&[(
            "compose.yaml",
            "services:\n  app:\n    image: app\n    command: [\"${CMD:?CMD is required}\"]\n",
        )]);

        let messages = project.messages();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].starts_with("cannot interpolate `command.0` of service `app`"),
            "{messages:?}"
        );
    }

    #[test]
    fn values_that_cannot_merge_are_reported() {
        let project = load_merged(
            &[
                (
                    "compose.yaml",
                    "services:\n  app:\n    deploy:\n      replicas: 2\n",
                ),
                (
                    "compose.override.yaml",
                    "services:\n  app:\n    deploy: [x]\n",
                ),
            ],
            2,
        );

        assert_eq!(
            project.parse_errors(),
            ["cannot override `services.app.deploy`: an earlier file has a mapping there"]
        );
        assert_eq!(
            project.file_of(project.loaded.diagnostics[0].span),
            "compose.override.yaml"
        );
    }

    #[test]
    fn profiles_do_not_hide_services() {
        let project = load_project(&[(
            "compose.yaml",
            "services:\n  app:\n    image: app\n  debug:\n    image: debug\n    profiles: [debug]\n",
        )]);

        project.assert_clean();
        assert_eq!(project.names(), ["app", "debug"]);
    }

    #[test]
    fn odd_shapes_load_without_panicking() {
        let bases = [
            "services:\n  a:\n    volumes: [\"\", \":\", \"::\", {}, [x]]\n    ports: [{}, [1], 80]\n",
            "services:\n  a:\n    environment: [{A: 1}, [B]]\n    depends_on: [[x], {}]\n",
            "include: [[a], {}, {path: []}, {path: [{}]}, 5]\nservices: {}\n",
            "include: {a: b}\nservices:\n  a:\n    extends: [x]\n  b:\n    extends: {file: [x]}\n",
            "services: !reset {}\n",
            "services:\n  a: !override\n  b:\n    build: [x]\n    networks: [[x]]\n",
            "!reset\n",
            "x-a: &a {cap_drop: !reset [ALL]}\nservices:\n  s:\n    <<: *a\n",
            "services:\n  a:\n    extends: {service: a, file: compose.override.yaml}\n",
        ];
        let overrides = [
            "services:\n  a:\n    volumes: !reset\n    ports: [\"80\"]\n",
            "services:\n  a: [1]\n",
            "services: [a]\n",
            "services:\n  a:\n    environment: x\n    depends_on: y\n    logging: z\n",
            "",
        ];

        for base in bases {
            for over in overrides {
                let _ = load_merged(
                    &[("compose.yaml", base), ("compose.override.yaml", over)],
                    2,
                );
            }
        }
    }

    #[test]
    fn nested_diamonds_of_includes_load_each_project_once() {
        let mut files = vec![(
            "compose.yaml".to_owned(),
            "include: [l0.yaml, l0.yaml]\n".to_owned(),
        )];
        for level in 0..24 {
            let next = format!("l{}.yaml", level + 1);
            let text =
                format!("include: [{next}, {next}]\nservices:\n  s{level}:\n    image: app\n");
            files.push((format!("l{level}.yaml"), text));
        }
        files.push((
            "l24.yaml".to_owned(),
            "services:\n  last:\n    image: app\n".to_owned(),
        ));
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();

        let project = load_project(&files);

        // Each of the 26 files is read once, not once per path to it (2^24 paths).
        assert_eq!(project.sources.iter().count(), 26);
        assert_eq!(project.names().len(), 25);
        assert!(
            project.parse_errors().is_empty(),
            "{:?}",
            project.messages()
        );
    }

    #[test]
    fn top_level_that_is_not_a_mapping_is_a_parse_error() {
        let project = load_project(&[("compose.yaml", "- services\n- api\n")]);

        assert!(project.names().is_empty());
        assert!(
            project.messages()[0].contains("not a mapping"),
            "{:?}",
            project.messages()
        );
    }

    #[test]
    fn syntax_error_names_the_reason() {
        let project = load_project(&[("compose.yaml", "services:\n  api:\n    user: \"1000\n")]);

        assert_eq!(
            project.messages(),
            ["cannot parse compose.yaml: unclosed quote"]
        );
    }

    #[test]
    fn merging_a_sequence_anchor_is_a_clear_error() {
        let project = load_project(&[(
            "compose.yaml",
            "x-env: &env\n  - A=1\nservices:\n  web:\n    environment:\n      <<: *env\n",
        )]);

        let messages = project.messages();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].contains("merge"), "{messages:?}");
    }

    #[test]
    fn a_service_has_the_capabilities_the_engine_gives_it() {
        let project = load_project(&[(
            "compose.yaml",
            "services:\n  default:\n    image: a\n  dropped:\n    image: a\n    \
             cap_drop: [all]\n    cap_add: [cap_net_bind_service]\n  narrowed:\n    image: a\n    \
             cap_drop: [SETUID, NET_RAW]\n    cap_add: [SYS_PTRACE]\n  everything:\n    \
             image: a\n    cap_add: [ALL]\n    cap_drop: [SYS_ADMIN]\n  privileged:\n    \
             image: a\n    privileged: true\n    cap_drop: [ALL]\n",
        )]);
        project.assert_clean();

        let names =
            |name: &str| -> Vec<&str> { project.service(name).capabilities().names().collect() };
        assert_eq!(names("default").len(), 14);
        assert_eq!(names("dropped"), ["NET_BIND_SERVICE"]);
        let narrowed = names("narrowed");
        assert_eq!(narrowed.len(), 13);
        assert!(narrowed.contains(&"SYS_PTRACE"));
        assert!(!narrowed.contains(&"SETUID") && !narrowed.contains(&"NET_RAW"));
        let everything = names("everything");
        assert_eq!(everything.len(), 40);
        assert!(!everything.contains(&"SYS_ADMIN"));
        assert!(
            project
                .service("privileged")
                .capabilities()
                .has_every_capability()
        );
    }
}
