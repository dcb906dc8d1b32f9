//! Builds the Compose model from the YAML tree: services, their users, security options,
//! capabilities and builds, with interpolation and `extends` applied.
//!
//! Only the keys the model holds are interpolated, so a bad expression elsewhere in the file
//! (say in `command:`) is not reported here although Compose would refuse the file.
//!
//! LIMITATION: override files (`compose.override.yaml`, several `-f` files) are not merged.
//! LIMITATION: `include:` is not followed, so services of included files are missing.
//! LIMITATION: the `!reset` and `!override` tags are read but not applied when merging `extends`.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Build, BuildDockerfile, Compose, Listing, Service};
use crate::parse::interpolate::{interpolate, parse_env_file};
use crate::parse::yaml::{self, Node, Value};
use crate::source::{Source, SourceId, Sources, Span, Spanned};

mod fields;

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
}

/// A loaded Compose file and the diagnostics met while loading it (`parse-error` and the like).
#[derive(Debug)]
pub struct Loaded {
    pub compose: Compose,
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads the Compose file `id` (already in `sources`); files it pulls in (`extends` files, the
/// project's `.env`) are read and added to `sources` so diagnostics can point into them.
///
/// Variables come from the `.env` file beside the Compose file, then `options.env_files`, then
/// the process environment when `options.use_process_env` is set; a later source overrides an
/// earlier one, as the shell environment overrides `.env` in Compose. A value that cannot be
/// interpolated (a required variable without a value) is left out of the model and reported.
pub fn load(sources: &mut Sources, id: SourceId, options: &LoadOptions) -> Loaded {
    let variables = read_variables(sources, id, options);
    let mut loader = Loader {
        sources,
        variables,
        diagnostics: Vec::new(),
        documents: HashMap::new(),
    };
    let services = loader.load_services(id);
    Loaded {
        compose: Compose {
            source: id,
            services,
        },
        diagnostics: loader.diagnostics,
    }
}

/// Variables for interpolation; later sources were inserted last and win.
#[derive(Debug, Default)]
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

fn read_variables(sources: &mut Sources, id: SourceId, options: &LoadOptions) -> Variables {
    let mut variables = Variables::default();
    let project_env = folder_of(sources, id).join(".env");
    if project_env.is_file() {
        read_env_file(sources, &project_env, &mut variables);
    }

    for path in &options.env_files {
        read_env_file(sources, path, &mut variables);
    }

    if options.use_process_env {
        variables.extend(std::env::vars());
    }
    variables
}

fn read_env_file(sources: &mut Sources, path: &Path, variables: &mut Variables) {
    let id = match add_file(sources, path) {
        Ok(id) => id,
        Err(error) => {
            log::warn!("cannot read env file {}: {error}", path.display());
            return;
        }
    };

    log::debug!("reading variables from {}", path.display());
    variables.extend(parse_env_file(&sources.get(id).text));
}

/// Adds a file from disk to `sources`, or finds it there when it was read before.
fn add_file(sources: &mut Sources, path: &Path) -> std::io::Result<SourceId> {
    let path = normalize(path);
    if let Some(id) = sources.find(&path) {
        return Ok(id);
    }

    let text = std::fs::read_to_string(&path)?;
    let display = display_path(&path);
    Ok(sources.add(Source::new(display, path, text)))
}

/// The path relative to the working directory when it lies below it.
fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|current| path.strip_prefix(current).ok().map(Path::to_path_buf));
    relative
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

/// The folder that holds a source; relative paths in it are resolved against this.
fn folder_of(sources: &Sources, id: SourceId) -> PathBuf {
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

struct Loader<'a> {
    sources: &'a mut Sources,
    variables: Variables,
    diagnostics: Vec<Diagnostic>,
    /// Parsed Compose files by source; `None` when the file could not be parsed (reported once).
    documents: HashMap<SourceId, Option<Rc<Node>>>,
}

/// One step of an `extends` chain: a service in a file.
type ChainLink = (SourceId, String);

impl Loader<'_> {
    fn load_services(&mut self, id: SourceId) -> Vec<Service> {
        let Some(root) = self.document(id) else {
            return Vec::new();
        };

        let Some((services_key, services)) = root.entry("services") else {
            return Vec::new();
        };

        let entries = match &services.value {
            Value::Mapping(entries) => entries,
            Value::Null => return Vec::new(),
            _ => {
                let message = format!("`services` in {} must be a mapping", self.display(id));
                self.report(services_key.span, message);
                return Vec::new();
            }
        };

        let mut models = Vec::new();
        for (key, definition) in entries {
            let Some(name) = key.as_scalar().map(|scalar| scalar.text.clone()) else {
                self.report(key.span, "a service name must be a string".to_owned());
                continue;
            };
            let mut chain = Vec::new();
            let resolved = self.resolve_extends(id, &name, definition, &mut chain);
            models.push(self.build_service(name, key.span, &resolved));
        }
        models
    }

    /// The parsed file, parsing and caching it on first use; errors are reported once.
    fn document(&mut self, id: SourceId) -> Option<Rc<Node>> {
        if let Some(cached) = self.documents.get(&id) {
            return cached.clone();
        }

        let parsed = self.parse_document(id).map(Rc::new);
        self.documents.insert(id, parsed.clone());
        parsed
    }

    fn parse_document(&mut self, id: SourceId) -> Option<Node> {
        let root = match yaml::parse(id, &self.sources.get(id).text) {
            Ok(root) => root,
            Err(error) => {
                let message = format!("cannot parse {}: {}", self.display(id), error.message);
                self.report(error.span, message);
                return None;
            }
        };

        match &root.value {
            Value::Mapping(_) => Some(root),
            Value::Null => None,
            _ => {
                let message = format!(
                    "cannot parse {}: the top level is not a mapping",
                    self.display(id)
                );
                self.report(root.span, message);
                None
            }
        }
    }

    /// The service definition with its `extends` chain merged in (base first).
    fn resolve_extends(
        &mut self,
        file: SourceId,
        name: &str,
        definition: &Node,
        chain: &mut Vec<ChainLink>,
    ) -> Node {
        let Some((extends_key, extends)) = definition.entry("extends") else {
            return definition.clone();
        };

        let local = without_key(definition, "extends");
        chain.push((file, name.to_owned()));
        let base = self.extended_service(file, extends_key, extends, chain);
        let merged = match base {
            Some(base) => merge_mappings(&base, &local),
            None => local,
        };
        chain.pop();
        merged
    }

    /// The resolved definition that `extends` names, or `None` (reported) when it is unusable.
    fn extended_service(
        &mut self,
        file: SourceId,
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

        let service = self
            .interpolated_scalar(service_node, "extends.service")?
            .value;
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

        let root = self.document(target)?;

        let Some(definition) = root
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
        Some(self.resolve_extends(target, &service, &definition, chain))
    }

    /// Reads the file that `extends.file` names, relative to the folder of the extending file.
    fn extended_file(&mut self, file: SourceId, file_node: &Node) -> Option<SourceId> {
        let relative = self.interpolated_scalar(file_node, "extends.file")?.value;
        // LIMITATION: remote `extends` files (Git, OCI) are not fetched; the service keeps only
        // its own keys.
        if is_remote_resource(&relative) {
            log::debug!("not following remote extends file {relative}");
            return None;
        }

        let path = folder_of(self.sources, file).join(relative);
        match add_file(self.sources, &path) {
            Ok(id) => Some(id),
            Err(error) => {
                let message = format!("cannot read {}: {error}", display_path(&path));
                self.report(file_node.use_span(), message);
                None
            }
        }
    }

    fn chain_name(&self, id: SourceId, service: &str) -> String {
        format!("{}:{service}", self.display(id))
    }

    fn build_service(&mut self, name: String, key_span: Span, definition: &Node) -> Service {
        let mut service = Service {
            name,
            key_span,
            image: None,
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
        };

        match &definition.value {
            Value::Mapping(_) => {}
            Value::Null => return service,
            _ => {
                let message = format!("service `{}` must be a mapping", service.name);
                self.report(definition.use_span(), message);
                return service;
            }
        }

        let name = service.name.clone();
        service.image = self.field_scalar(&name, definition, "image");
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
        service
    }

    /// A scalar field of a service, interpolated; `None` when absent, null or not usable.
    fn field_scalar(
        &mut self,
        service: &str,
        definition: &Node,
        key: &str,
    ) -> Option<Spanned<String>> {
        let value = definition.get(key)?;
        self.interpolated_scalar(value, &format!("{key}` of service `{service}"))
    }

    /// The interpolated text of a scalar node; reports non-scalars and interpolation errors.
    /// `what` names the value in messages, inside backticks.
    fn interpolated_scalar(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        let scalar = match &node.value {
            Value::Scalar(scalar) => scalar,
            Value::Null => return None,
            _ => {
                self.report(node.use_span(), format!("`{what}` must be a string"));
                return None;
            }
        };

        let variables = &self.variables;
        let lookup = |name: &str| variables.lookup(name);
        match interpolate(&scalar.text, &lookup) {
            Ok(text) => Some(Spanned::new(text, node.span)),
            Err(error) => {
                let span = self.expression_span(node, &scalar.text, error.range);
                self.report(
                    span,
                    format!("cannot interpolate `{what}`: {}", error.message),
                );
                None
            }
        }
    }

    /// The span of an expression inside a scalar when the scalar is written as its text (plain
    /// or simply quoted); otherwise the whole scalar.
    fn expression_span(&self, node: &Node, text: &str, range: std::ops::Range<usize>) -> Span {
        let span = node.span;
        let written = self
            .sources
            .get(span.source)
            .text
            .get(span.start..span.end)
            .unwrap_or("");
        let start = if written == text {
            span.start
        } else if written.len() == text.len() + 2 && written.get(1..written.len() - 1) == Some(text)
        {
            span.start + 1
        } else {
            return span;
        };
        Span::new(span.source, start + range.start, start + range.end)
    }

    /// A list of strings (`cap_drop: [ALL]`); a single scalar counts as a one-item list.
    fn listing(&mut self, service: &str, definition: &Node, key: &str) -> Option<Listing> {
        let (key_node, value) = definition.entry(key)?;
        let what = format!("{key}` of service `{service}");
        let items = match &value.value {
            Value::Null => Vec::new(),
            Value::Scalar(_) => self.interpolated_scalar(value, &what).into_iter().collect(),
            Value::Sequence(nodes) => {
                let mut items = Vec::new();
                for node in nodes {
                    items.extend(self.interpolated_scalar(node, &what));
                }
                items
            }
            Value::Mapping(_) => {
                self.report(value.use_span(), format!("`{what}` must be a list"));
                Vec::new()
            }
        };
        Some(Listing {
            key_span: key_node.span,
            items,
        })
    }

    /// `build: ./dir` or `build: {context, dockerfile, dockerfile_inline, target}`.
    fn build(&mut self, service: &str, definition: &Node) -> Option<Build> {
        let (key_node, value) = definition.entry("build")?;
        let what = |key: &str| format!("build.{key}` of service `{service}");
        let (context_node, fields) = match &value.value {
            Value::Scalar(_) => (Some(value), None),
            Value::Mapping(_) => (value.get("context"), Some(value)),
            Value::Null => (None, None),
            Value::Sequence(_) => {
                let message = format!("`build` of service `{service}` must be a path or a mapping");
                self.report(value.use_span(), message);
                return None;
            }
        };

        // Relative paths count from the folder of the file that wrote them (an `extends` file
        // may lie elsewhere).
        let context_text = match context_node {
            Some(node) => self.interpolated_scalar(node, &what("context")),
            None => None,
        };
        let context_folder = folder_of(
            self.sources,
            context_node.map_or(value.span, |node| node.span).source,
        );
        // LIMITATION: a remote context (a Git URL) is kept as written, not fetched.
        let context = match context_text {
            Some(text) if is_remote_context(&text.value) => PathBuf::from(text.value),
            Some(text) => normalize(&context_folder.join(text.value)),
            None => normalize(&context_folder),
        };

        let field = |loader: &mut Self, key: &str| {
            let node = fields.and_then(|fields| fields.get(key))?;
            loader.interpolated_scalar(node, &what(key))
        };
        let inline = field(self, "dockerfile_inline");
        let dockerfile_path = field(self, "dockerfile");
        let target = field(self, "target").map(|target| target.value);
        let dockerfile = match (inline, dockerfile_path) {
            (Some(inline), _) => BuildDockerfile::Inline(inline),
            (None, Some(path)) => BuildDockerfile::Path(normalize(&context.join(path.value))),
            (None, None) => BuildDockerfile::Path(context.join("Dockerfile")),
        };
        Some(Build {
            span: key_node.span,
            context,
            dockerfile,
            target,
        })
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

/// Files that Compose's remote loaders fetch: URLs and `scheme:` references (`oci:`, `git:`),
/// but not Windows drive letters (`C:`).
fn is_remote_resource(reference: &str) -> bool {
    let has_scheme = reference.split_once(':').is_some_and(|(scheme, _)| {
        scheme.len() > 1 && scheme.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    is_remote_context(reference) || has_scheme
}

/// A mapping without one key.
fn without_key(mapping: &Node, key: &str) -> Node {
    let mut copy = mapping.clone();
    if let Value::Mapping(entries) = &mut copy.value {
        entries.retain(|(candidate, _)| {
            candidate
                .as_scalar()
                .is_none_or(|scalar| scalar.text != key)
        });
    }
    copy
}

/// Sequences that `extends` appends to (base items first) instead of replacing.
const APPENDED_KEYS: [&str; 3] = ["security_opt", "cap_add", "cap_drop"];

/// Merges a service over the one it extends, as the Compose specification says: the extending
/// service's keys override key by key, mappings merge, the sequences in [`APPENDED_KEYS`] append,
/// and scalars replace.
fn merge_mappings(base: &Node, local: &Node) -> Node {
    let (Value::Mapping(base_entries), Value::Mapping(local_entries)) = (&base.value, &local.value)
    else {
        return local.clone();
    };

    let mut merged = base_entries.clone();
    for (key, value) in local_entries {
        let key_text = key.as_scalar().map(|scalar| scalar.text.as_str());
        let existing = merged.iter_mut().find(|(candidate, _)| {
            key_text.is_some()
                && candidate.as_scalar().map(|scalar| scalar.text.as_str()) == key_text
        });
        let Some((existing_key, existing_value)) = existing else {
            merged.push((key.clone(), value.clone()));
            continue;
        };

        let name = key_text.unwrap_or_default();
        *existing_value = merge_values(name, existing_value, value);
        *existing_key = key.clone();
    }
    Node {
        value: Value::Mapping(merged),
        ..local.clone()
    }
}

fn merge_values(key: &str, base: &Node, local: &Node) -> Node {
    match (&base.value, &local.value) {
        (Value::Sequence(base_items), Value::Sequence(local_items))
            if APPENDED_KEYS.contains(&key) =>
        {
            let items = base_items.iter().chain(local_items).cloned().collect();
            Node {
                value: Value::Sequence(items),
                ..local.clone()
            }
        }
        (Value::Mapping(_), Value::Mapping(_)) => merge_mappings(base, local),
        // `build: ./dir` is short for `build: {context: ./dir}`.
        (Value::Mapping(_), Value::Scalar(_)) if key == "build" => {
            merge_mappings(base, &context_mapping(local))
        }
        (Value::Scalar(_), Value::Mapping(_)) if key == "build" => {
            merge_mappings(&context_mapping(base), local)
        }
        _ => local.clone(),
    }
}

/// `{context: <path>}` for a short-form `build: <path>`, spanned at the path.
fn context_mapping(path: &Node) -> Node {
    let key = Node {
        value: Value::Scalar(yaml::Scalar {
            text: "context".to_owned(),
            kind: yaml::ScalarKind::String,
        }),
        ..path.clone()
    };
    Node {
        value: Value::Mapping(vec![(key, path.clone())]),
        ..path.clone()
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

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
    }

    fn load_project(files: &[(&str, &str)]) -> Project {
        load_project_with(files, &LoadOptions::default())
    }

    fn load_project_with(files: &[(&str, &str)], options: &LoadOptions) -> Project {
        let folder = TempDir::new().expect("temporary folder");
        let root = folder.path().to_path_buf();
        for (name, text) in files {
            let path = root.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("create folder");
            }
            std::fs::write(&path, text).expect("write file");
        }
        let (main_name, main_text) = files[0];
        let mut sources = Sources::default();
        let main_path = root.join(main_name);
        let id = sources.add(Source::new(
            main_name.to_owned(),
            main_path,
            main_text.to_owned(),
        ));
        let loaded = load(&mut sources, id, options);
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

        project.assert_clean();
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
    fn integer_user_is_read_as_text() {
        let project = load_project(&[(
            "compose.yaml",
            "services:\n  batch:\n    image: registry.example/batch:1.0\n    user: 1000\n    cap_drop: [ALL]\n",
        )]);

        project.assert_clean();
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
        let started = Instant::now();

        let project = load_project(&[("compose.yaml", &text)]);

        assert!(
            started.elapsed() < Duration::from_secs(1),
            "took {:?}",
            started.elapsed()
        );
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
            use_process_env: false,
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
    fn null_service_and_missing_services_are_not_errors() {
        let with_null = load_project(&[("compose.yaml", "services:\n  svc:\n")]);
        let without_services = load_project(&[("compose.yaml", "version: \"3.8\"\nx-note: hi\n")]);
        let empty = load_project(&[("compose.yaml", "")]);

        with_null.assert_clean();
        let svc = with_null.service("svc");
        assert!(svc.user.is_none() && svc.image.is_none() && svc.cap_drop.is_none());
        without_services.assert_clean();
        assert!(without_services.names().is_empty());
        empty.assert_clean();
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
}
