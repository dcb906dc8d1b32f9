//! One lint run: read the named and discovered files, read their context, assemble the model,
//! run the rules and keep the diagnostics of the files being linted.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::{self, Kind};
use crate::model::compose::{self as compose_loader, LoadOptions};
use crate::model::{self, BuildDockerfile, Model};
use crate::parse;
use crate::rules::{self, PARSE_ERROR};
use crate::source::{Source, SourceId, Sources, Span};

/// What to lint and how to read it.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Files and folders; `-` is standard input.
    pub paths: Vec<PathBuf>,
    /// Read every named file as this kind, whatever its name.
    pub kind: Option<Kind>,
    /// The path standard input stands for: its kind and the path shown in output.
    pub stdin_filename: Option<PathBuf>,
    pub load: LoadOptions,
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct LintResult {
    pub sources: Sources,
    /// Sorted by file, line and column.
    pub diagnostics: Vec<Diagnostic>,
    /// Files that could not be read, with the reason; the run went on without them.
    pub failures: Vec<String>,
    /// How many files were linted.
    pub linted_files: usize,
}

/// A failure that stops the run before linting: a named path that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error("cannot read {path}: {reason}")]
    UnreadablePath { path: String, reason: String },
}

/// Lints the paths of `options`.
pub fn lint(options: &LintOptions) -> Result<LintResult, LintError> {
    for env_file in &options.load.env_files {
        if let Err(reason) = read_text(env_file) {
            let path = env_file.display().to_string();
            return Err(LintError::UnreadablePath { path, reason });
        }
    }

    let mut run = Run::default();

    let paths = if options.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        options.paths.clone()
    };
    for path in &paths {
        run.add_path(path, options)?;
    }

    run.read_context(options);
    run.link_builds();
    Ok(run.finish())
}

/// The state of one run while files are read.
#[derive(Default)]
struct Run {
    sources: Sources,
    model: Model,
    diagnostics: Vec<Diagnostic>,
    failures: Vec<String>,
    /// Sources whose diagnostics are reported: linted files and what linted Compose files pull
    /// in. Context files are read, not reported on.
    reported: HashSet<SourceId>,
    /// Dockerfiles by absolute path, as indexes into `model.dockerfiles`.
    dockerfiles_by_path: HashMap<PathBuf, usize>,
    /// The syntax of each Dockerfile in `model.dockerfiles`, kept to model it again for a
    /// service that builds it with `build.args`.
    dockerfile_syntax: Vec<std::rc::Rc<parse::dockerfile::Dockerfile>>,
    composes_by_path: HashSet<PathBuf>,
    /// Linted Dockerfiles: their folders are searched for the Compose files that build them.
    linted_dockerfile_folders: Vec<PathBuf>,
    /// Inline Dockerfiles are parsed as their own sources; their diagnostics point at the
    /// `dockerfile_inline` value in the Compose file.
    inline_locations: HashMap<SourceId, Span>,
    linted_files: usize,
}

impl Run {
    fn add_path(&mut self, path: &Path, options: &LintOptions) -> Result<(), LintError> {
        if path.as_os_str() == "-" {
            return self.add_stdin(options);
        }

        let metadata = std::fs::metadata(path).map_err(|err| LintError::UnreadablePath {
            path: path.display().to_string(),
            reason: err.to_string(),
        })?;

        if metadata.is_dir() {
            let discovery = discover::walk(path);
            log::debug!(
                "found {} files under {}",
                discovery.files.len(),
                path.display()
            );
            self.failures.extend(discovery.errors);
            for skipped in discovery.skipped {
                log::warn!("{skipped}");
            }
            if discovery.files.is_empty() {
                log::warn!(
                    "no Dockerfiles or Compose files found under {}",
                    path.display()
                );
            }
            // Files found in a folder are read by their names; `--kind` is for named files.
            for found in discovery.files {
                self.add_linted_file(&found.path, found.kind, options);
            }
            return Ok(());
        }

        let kind = options
            .kind
            .unwrap_or_else(|| discover::kind_of_named_file(path));
        let text = read_text(path).map_err(|reason| LintError::UnreadablePath {
            path: path.display().to_string(),
            reason,
        })?;
        self.add_linted_text(path, text, kind, options);
        Ok(())
    }

    fn add_stdin(&mut self, options: &LintOptions) -> Result<(), LintError> {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|err| LintError::UnreadablePath {
                path: "-".to_owned(),
                reason: err.to_string(),
            })?;
        let text = decode(bytes).map_err(|reason| LintError::UnreadablePath {
            path: "-".to_owned(),
            reason,
        })?;

        let kind = match (&options.stdin_filename, options.kind) {
            (_, Some(kind)) => kind,
            (Some(path), None) => discover::kind_of_named_file(path),
            (None, None) => sniff_kind(&text),
        };
        let path = options
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("-"));
        self.add_linted_text(&path, text, kind, options);
        Ok(())
    }

    fn add_linted_file(&mut self, path: &Path, kind: Kind, options: &LintOptions) {
        match read_text(path) {
            Ok(text) => self.add_linted_text(path, text, kind, options),
            Err(reason) => self
                .failures
                .push(format!("cannot read {}: {reason}", path.display())),
        }
    }

    fn add_linted_text(&mut self, path: &Path, text: String, kind: Kind, options: &LintOptions) {
        let absolute = absolute(path);
        let already_read = match kind {
            Kind::Dockerfile => self.dockerfiles_by_path.contains_key(&absolute),
            Kind::Compose => self.composes_by_path.contains(&absolute),
        };
        if already_read {
            return;
        }

        self.linted_files += 1;
        let id = self
            .sources
            .add(Source::new(display(path), absolute.clone(), text));
        self.reported.insert(id);
        match kind {
            Kind::Dockerfile => {
                if let Some(folder) = absolute.parent() {
                    self.linted_dockerfile_folders.push(folder.to_path_buf());
                }
                self.add_dockerfile(id, absolute);
            }
            Kind::Compose => self.add_compose(id, absolute, true, &options.load),
        }
    }

    fn add_dockerfile(&mut self, id: SourceId, absolute: PathBuf) -> usize {
        let syntax = parse::dockerfile::parse(id, &self.sources.get(id).text);
        for error in &syntax.errors {
            let message = error.message.clone();
            self.diagnostics.push(Diagnostic::new(
                PARSE_ERROR,
                Severity::Error,
                error.span,
                message,
            ));
        }

        // BuildKit refuses a file whose first instruction other than ARG is not FROM: there is
        // no stage for it to run in.
        let first = syntax
            .instructions
            .iter()
            .find(|instruction| instruction.keyword != "ARG");
        if let Some(first) = first.filter(|first| first.keyword != "FROM") {
            let message = format!("`{}` comes before the first `FROM`", first.keyword);
            let diagnostic =
                Diagnostic::new(PARSE_ERROR, Severity::Error, first.keyword_span, message);
            self.diagnostics.push(diagnostic);
        }

        let index = self.model.dockerfiles.len();
        self.model
            .dockerfiles
            .push(model::dockerfile::build(&syntax, id));
        self.dockerfile_syntax.push(std::rc::Rc::new(syntax));
        self.dockerfiles_by_path.insert(absolute, index);
        index
    }

    fn add_compose(&mut self, id: SourceId, absolute: PathBuf, linted: bool, load: &LoadOptions) {
        let first_new_source = self.sources.iter().count();
        let loaded = compose_loader::load(&mut self.sources, id, load);

        if linted {
            // Files a linted Compose file pulls in (`extends` files, `.env`) belong to it.
            let added: Vec<SourceId> = self
                .sources
                .iter()
                .skip(first_new_source)
                .map(|(id, _)| id)
                .collect();
            self.reported.extend(added);
        }

        self.diagnostics.extend(loaded.diagnostics);
        self.model.composes.push(loaded.compose);
        self.composes_by_path.insert(absolute);
    }

    /// Reads the Compose files that may build a linted Dockerfile, so a Dockerfile linted alone
    /// gets the diagnostics it gets in a run over its whole repository: every Compose file of
    /// the repository (`.gitignore` honoured), or outside a repository the Compose files in its
    /// folder and the folders above it, up to the working directory.
    fn read_context(&mut self, options: &LintOptions) {
        let mut candidates = Vec::new();
        let mut walked_roots = HashSet::new();
        let mut searched_folders = HashSet::new();
        let folders = std::mem::take(&mut self.linted_dockerfile_folders);
        for folder in folders {
            if let Some(root) = discover::repository_root(&folder) {
                if walked_roots.insert(root.clone()) {
                    let discovery = discover::walk(&root);
                    let composes = discovery
                        .files
                        .into_iter()
                        .filter(|found| found.kind == Kind::Compose);
                    candidates.extend(composes.map(|found| found.path));
                }
                continue;
            }
            for ancestor in discover::folders_up_to_root(&folder) {
                if searched_folders.insert(ancestor.clone()) {
                    candidates.extend(discover::compose_files_in(&ancestor));
                }
            }
        }

        for path in candidates {
            let absolute = absolute(&path);
            if self.composes_by_path.contains(&absolute) {
                continue;
            }
            let Ok(text) = read_text(&path) else {
                continue;
            };
            log::debug!("reading {} as context", path.display());
            let id = self
                .sources
                .add(Source::new(display(&path), absolute.clone(), text));
            self.add_compose(id, absolute, false, &options.load);
        }
    }

    /// Ties every service that builds to the Dockerfile it builds, reading that file as context
    /// when it was not linted.
    fn link_builds(&mut self) {
        for compose_index in 0..self.model.composes.len() {
            for service_index in 0..self.model.composes[compose_index].services.len() {
                let service = &self.model.composes[compose_index].services[service_index];
                let Some(build) = service.build.clone() else {
                    continue;
                };
                let service_name = service.name.clone();
                let compose_source = self.model.composes[compose_index].source;
                let built = match &build.dockerfile {
                    BuildDockerfile::Path(path) => self.dockerfile_at(path),
                    BuildDockerfile::Inline(inline) => {
                        Ok(self.inline_dockerfile(compose_source, &inline.value, inline.span))
                    }
                };
                let mut built = match built {
                    Ok(built) => built,
                    Err(reason) => {
                        let message = format!("service `{service_name}` builds {reason}");
                        let diagnostic =
                            Diagnostic::new(PARSE_ERROR, Severity::Error, build.span, message);
                        self.diagnostics.push(diagnostic);
                        continue;
                    }
                };

                if !build.args.is_empty() {
                    built = self.dockerfile_with_args(built, &build.args);
                }
                if let Some(target) = &build.target
                    && self.model.dockerfiles[built]
                        .built_stage(Some(target))
                        .is_none()
                {
                    let source = self.model.dockerfiles[built].source;
                    let message = format!(
                        "service `{service_name}` builds target `{target}`, which is not a stage \
                         of {}",
                        self.sources.get(source).display
                    );
                    let diagnostic =
                        Diagnostic::new(PARSE_ERROR, Severity::Error, build.span, message);
                    self.diagnostics.push(diagnostic);
                }

                self.model.dockerfiles[built].built_by_compose = true;
                self.model.composes[compose_index].services[service_index].built = Some(built);
            }
        }
    }

    /// The Dockerfile at `path`, read as context when it was not linted; an error says which
    /// file could not be read and why.
    fn dockerfile_at(&mut self, path: &Path) -> Result<usize, String> {
        let absolute = absolute(path);
        if let Some(index) = self.dockerfiles_by_path.get(&absolute) {
            return Ok(*index);
        }

        let text = read_text(&absolute)
            .map_err(|reason| format!("{}, which cannot be read: {reason}", display(path)))?;
        log::debug!("reading {} as context", absolute.display());
        let id = self
            .sources
            .add(Source::new(display(&absolute), absolute.clone(), text));
        Ok(self.add_dockerfile(id, absolute))
    }

    /// The same Dockerfile modelled again with build arguments replacing `ARG` defaults.
    fn dockerfile_with_args(&mut self, index: usize, args: &[(String, String)]) -> usize {
        let source = self.model.dockerfiles[index].source;
        let syntax = std::rc::Rc::clone(&self.dockerfile_syntax[index]);
        let variant = model::dockerfile::build_with_args(&syntax, source, args);

        let variant_index = self.model.dockerfiles.len();
        self.model.dockerfiles.push(variant);
        self.dockerfile_syntax.push(syntax);
        variant_index
    }

    fn inline_dockerfile(&mut self, compose: SourceId, text: &str, span: Span) -> usize {
        let compose_source = self.sources.get(compose);
        let display = compose_source.display.clone();
        let path = compose_source.path.clone();
        let id = self
            .sources
            .add(Source::new(display, path, text.to_owned()));
        self.inline_locations.insert(id, span);
        if self.reported.contains(&compose) {
            self.reported.insert(id);
        }

        let index = self.add_dockerfile(id, PathBuf::new());
        self.dockerfiles_by_path.remove(&PathBuf::new());
        index
    }

    fn finish(mut self) -> LintResult {
        self.diagnostics.extend(rules::run_all(&self.model));

        let mut diagnostics: Vec<Diagnostic> = self
            .diagnostics
            .into_iter()
            .filter(|diagnostic| self.reported.contains(&diagnostic.span.source))
            .map(|mut diagnostic| {
                relocate_inline(&mut diagnostic, &self.inline_locations);
                diagnostic
            })
            .collect();

        let sources = &self.sources;
        diagnostics.sort_by_cached_key(|diagnostic| {
            let source = sources.get(diagnostic.span.source);
            let (line, column) = source.line_column(diagnostic.span.start);
            (
                source.display.clone(),
                line,
                column,
                diagnostic.rule,
                diagnostic.message.clone(),
            )
        });
        diagnostics.dedup();

        LintResult {
            sources: self.sources,
            diagnostics,
            failures: self.failures,
            linted_files: self.linted_files,
        }
    }
}

/// Points diagnostics inside an inline Dockerfile at the `dockerfile_inline` value that holds it.
fn relocate_inline(diagnostic: &mut Diagnostic, inline_locations: &HashMap<SourceId, Span>) {
    if let Some(span) = inline_locations.get(&diagnostic.span.source) {
        diagnostic.span = *span;
    }
    for related in &mut diagnostic.related {
        if let Some(span) = inline_locations.get(&related.span.source) {
            related.span = *span;
        }
    }
}

/// The kind of text read from standard input with no name: Compose when a line starts a
/// top-level `services:` key, else a Dockerfile.
fn sniff_kind(text: &str) -> Kind {
    let is_compose = text.lines().any(|line| line.trim_end() == "services:");
    if is_compose {
        Kind::Compose
    } else {
        Kind::Dockerfile
    }
}

/// Reads a file as text: valid UTF-8 without NUL bytes.
pub fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|err| err.to_string())?;
    decode(bytes)
}

fn decode(bytes: Vec<u8>) -> Result<String, String> {
    if bytes.contains(&0) {
        return Err("not a text file (it holds NUL bytes)".to_owned());
    }
    String::from_utf8(bytes).map_err(|err| {
        format!(
            "not a text file (invalid UTF-8 at byte {})",
            err.utf8_error().valid_up_to()
        )
    })
}

fn absolute(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    std::fs::canonicalize(&absolute).unwrap_or(absolute)
}

/// The path as the user should read it: relative to the working directory when inside it.
fn display(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let text = relative.display().to_string();
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}
