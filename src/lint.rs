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
            self.failures.extend(discovery.errors);
            for found in discovery.files {
                self.add_linted_file(&found.path, options.kind.unwrap_or(found.kind));
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

        let path = options
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("-"));
        let kind = options
            .kind
            .unwrap_or_else(|| discover::kind_of_named_file(&path));
        self.add_linted_text(&path, text, kind, options);
        Ok(())
    }

    fn add_linted_file(&mut self, path: &Path, kind: Kind) {
        match read_text(path) {
            Ok(text) => self.add_linted_text(path, text, kind, &LintOptions::default()),
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

        let index = self.model.dockerfiles.len();
        self.model
            .dockerfiles
            .push(model::dockerfile::build(&syntax, id));
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

    /// Reads the Compose files in each linted Dockerfile's folder and the folders above it, so a
    /// Dockerfile linted alone learns which services build it.
    fn read_context(&mut self, options: &LintOptions) {
        let mut searched = HashSet::new();
        let folders = std::mem::take(&mut self.linted_dockerfile_folders);
        for folder in folders {
            for ancestor in discover::folders_up_to_root(&folder) {
                if !searched.insert(ancestor.clone()) {
                    continue;
                }
                for path in discover::compose_files_in(&ancestor) {
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
                let compose_source = self.model.composes[compose_index].source;
                let built = match &build.dockerfile {
                    BuildDockerfile::Path(path) => self.dockerfile_at(path),
                    BuildDockerfile::Inline(inline) => {
                        Some(self.inline_dockerfile(compose_source, &inline.value, inline.span))
                    }
                };
                let Some(built) = built else {
                    continue;
                };
                self.model.dockerfiles[built].built_by_compose = true;
                self.model.composes[compose_index].services[service_index].built = Some(built);
            }
        }
    }

    fn dockerfile_at(&mut self, path: &Path) -> Option<usize> {
        let absolute = absolute(path);
        if let Some(index) = self.dockerfiles_by_path.get(&absolute) {
            return Some(*index);
        }

        let text = read_text(&absolute).ok()?;
        log::debug!("reading {} as context", absolute.display());
        let id = self
            .sources
            .add(Source::new(display(&absolute), absolute.clone(), text));
        Some(self.add_dockerfile(id, absolute))
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
        model::entrypoint::read_scripts(&mut self.model, &mut self.sources);
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
