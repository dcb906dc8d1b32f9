//! One lint run: read the named and discovered files, read their context, assemble the model,
//! run the rules and keep the diagnostics of the files being linted.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::baseline::{self, Subject};
use crate::config::{
    ConfigChoice, ConfigError, DEFAULT_MAX_FILE_SIZE, FailOn, Resolver, SourceSettings,
};
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::{self, Kind};
use crate::fix::Fix;
use crate::model::compose::{self as compose_loader, LoadOptions};
use crate::model::{self, BuildDockerfile, Model};
use crate::parallel;
use crate::parse;
use crate::paths::{PathMap, PathSet};
use crate::read::{ReadError, read_limited, read_text};
use crate::rules::{self, PARSE_ERROR};
use crate::source::{
    AddedSources, Source, SourceId, SourceMap, SourceSet, Sources, SourcesView, Span,
};
use crate::suppress::{self, Suppressed};

/// What to lint and how to read it.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Files and folders; `-` is standard input.
    pub paths: Vec<PathBuf>,
    /// Read every named file as this kind, whatever its name.
    pub kind: Option<Kind>,
    /// The path standard input stands for: its kind and the path shown in output.
    pub stdin_filename: Option<PathBuf>,
    /// Compose files linted as one project, merged in this order (`-f a -f b`).
    pub compose_files: Vec<PathBuf>,
    pub load: LoadOptions,
    /// Where the configuration comes from.
    pub config: ConfigChoice,
    /// The date suppression expiry is read against; today (UTC) when `None`.
    pub today: Option<crate::date::Date>,
    /// Texts read instead of the files on disk, by absolute path: an editor's unsaved buffers.
    pub overlay: HashMap<PathBuf, String>,
    /// Files larger than this many bytes are reported and skipped; `None` leaves it to each
    /// file's configuration (`max-file-size`, default [`DEFAULT_MAX_FILE_SIZE`]).
    pub max_file_size: Option<u64>,
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct LintResult {
    pub sources: Sources,
    /// Sorted by file, line and column.
    pub diagnostics: Vec<Diagnostic>,
    /// Files that could not be read, each once, sorted by file; the run went on without them.
    pub failures: Vec<Failure>,
    /// How many files were linted.
    pub linted_files: usize,
    /// Diagnostics that suppression comments set aside, sorted like `diagnostics`: only SARIF
    /// shows them.
    pub suppressed: Vec<Suppressed>,
    /// The settings of every source, for the fail-on threshold of each diagnostic.
    pub settings: SourceSettings,
    /// What each diagnostic is about, for baselines: one per diagnostic, in the same order.
    pub subjects: Vec<Subject>,
    /// The absolute paths of the linted files.
    pub linted_paths: Vec<PathBuf>,
}

impl LintResult {
    /// Whether a diagnostic reaches the fail-on threshold: `fail_on` when given (the command
    /// line), else the one configured for the diagnostic's file.
    pub fn fails(&self, fail_on: Option<FailOn>) -> bool {
        self.diagnostics.iter().any(|diagnostic| {
            let threshold =
                fail_on.unwrap_or_else(|| self.settings.get(diagnostic.span.source).fail_on());
            threshold.is_reached_by(diagnostic.severity)
        })
    }

    /// Keeps the diagnostics (and their subjects) whose entry in `keep` is true.
    pub fn retain_diagnostics(&mut self, keep: &[bool]) {
        let mut index = 0;
        self.diagnostics.retain(|_| {
            index += 1;
            keep.get(index - 1).copied().unwrap_or(true)
        });
        let mut index = 0;
        self.subjects.retain(|_| {
            index += 1;
            keep.get(index - 1).copied().unwrap_or(true)
        });
    }
}

/// A file that could not be read: the run went on without it and exits 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The path as the user reads it: relative to the working directory when inside it.
    pub file: String,
    /// 1-based line and column (in characters) where the file stops being text; `None` when it
    /// could not be read at all.
    pub position: Option<(usize, usize)>,
    /// Why, with the concrete value: `not a text file (NUL byte at line 2, column 7)`.
    pub reason: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "cannot read {}: {}", self.file, self.reason)
    }
}

/// A failure that stops the run before linting: an option's file cannot be used. Files to lint
/// that cannot be read do not stop it; they are [`Failure`]s.
#[derive(Debug, thiserror::Error)]
pub enum LintError {
    /// An `--env-file` that cannot be read: every Compose file would be read with the wrong
    /// variables.
    #[error("cannot read {path}: {reason}")]
    UnreadableEnvFile { path: String, reason: String },
    /// A configuration file that cannot be used: nothing is linted.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// Lints the paths of `options`.
pub fn lint(options: &LintOptions) -> Result<LintResult, LintError> {
    crate::paths::remembering(|| lint_remembering(options))
}

fn lint_remembering(options: &LintOptions) -> Result<LintResult, LintError> {
    for env_file in &options.load.env_files {
        let limit = options.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE);
        if let Err(err) = read_text(env_file, limit) {
            let path = env_file.display().to_string();
            let reason = err.reason;
            return Err(LintError::UnreadableEnvFile { path, reason });
        }
    }

    let mut run = Run {
        resolver: Resolver::new(options.config.clone())?,
        overlay: options.overlay.clone(),
        max_file_size: options.max_file_size,
        ..Run::default()
    };

    if !options.compose_files.is_empty() {
        run.add_named_project(&options.compose_files, options)?;
    }

    let paths = if options.paths.is_empty() && options.compose_files.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        options.paths.clone()
    };
    for path in &paths {
        run.add_path(path, options)?;
    }
    run.add_pending(options)?;

    run.read_context(options);
    run.link_builds();
    run.finish(options.today.unwrap_or_else(Date::today))
}

/// How many files are read and parsed together before they join the model.
const PARSE_BATCH_FILES: usize = 128;

/// The state of one run while files are read.
#[derive(Default)]
struct Run {
    sources: Sources,
    model: Model,
    diagnostics: Vec<Diagnostic>,
    failures: Vec<Failure>,
    /// The absolute paths of `failures`: a file is reported once, however many projects need it.
    failed_paths: PathSet,
    /// Sources whose diagnostics are reported: linted files and what linted Compose files pull
    /// in. Context files are read, not reported on.
    reported: SourceSet,
    /// Dockerfiles by absolute path, as indexes into `model.dockerfiles`.
    dockerfiles_by_path: PathMap<usize>,
    /// The Compose files of every project loaded so far.
    composes_by_path: PathSet,
    /// The Compose files linted so far, so a file named twice is linted once.
    linted_composes: PathSet,
    /// Linted Dockerfiles: their folders are searched for the Compose files that build them.
    linted_dockerfile_folders: Vec<PathBuf>,
    /// Inline Dockerfiles are parsed as their own sources; their diagnostics point at the
    /// `dockerfile_inline` value in the Compose file.
    inline_locations: SourceMap<Span>,
    linted_files: usize,
    resolver: Resolver,
    /// The kind of each source that can hold suppression comments, and for Dockerfiles the
    /// spans of their instructions.
    commentable: SourceMap<Commentable>,
    linted_paths: Vec<PathBuf>,
    overlay: HashMap<PathBuf, String>,
    /// Files to lint, in the order named or found; read and parsed together, on every core.
    pending: Vec<Pending>,
    /// The Dockerfiles linted so far, so a file named twice is linted once.
    linted_dockerfiles: PathSet,
    /// Compose documents parsed ahead of loading their projects.
    parsed_composes: compose_loader::ParsedDocuments,
    /// The command line's size limit, which replaces the configured ones.
    max_file_size: Option<u64>,
}

/// A file to lint, before it is read.
struct Pending {
    path: PathBuf,
    kind: Kind,
    /// The text when it does not come from disk: standard input, an editor's buffer.
    text: Option<String>,
}

/// What loading one Compose project needs from the run, gathered on the run's thread.
struct ProjectPlan {
    /// The source of the Compose file linted or read.
    id: SourceId,
    /// The project's files in merge order, each with where its text comes from.
    files: Vec<(PathBuf, PlannedFile)>,
    /// The documents of its files parsed ahead, taken by the load.
    parsed: Mutex<compose_loader::ParsedDocuments>,
}

/// Where the text of a project's file comes from.
enum PlannedFile {
    /// It is among the run's sources.
    Known(SourceId),
    /// The editor's unsaved text.
    Text(String),
    /// The file on disk, read up to this many bytes.
    OnDisk(u64),
    /// Why it cannot be read: its configuration is broken.
    Unreadable(String),
}

/// A Compose project loaded, and what it added to the run.
struct ProjectLoad {
    /// The sources of its Compose files, in merge order.
    ids: Vec<SourceId>,
    loaded: compose_loader::Loaded,
    added: AddedSources,
    /// The project's files that could not be read, by absolute path.
    failures: Vec<(PathBuf, ReadError)>,
}

/// Loads a planned project, reading the files it needs through a view of `sources`.
fn load_planned(sources: &Sources, plan: &ProjectPlan, load: &LoadOptions) -> ProjectLoad {
    let mut view = SourcesView::new(sources);
    let mut ids = Vec::new();
    let mut failures = Vec::new();
    for (path, file) in &plan.files {
        let text = match file {
            PlannedFile::Known(id) => {
                ids.push(*id);
                continue;
            }
            PlannedFile::Text(text) => Ok(text.clone()),
            PlannedFile::OnDisk(limit) => read_text(path, *limit),
            PlannedFile::Unreadable(reason) => Err(ReadError::whole_file(reason.clone())),
        };
        match text {
            Ok(text) => ids.push(view.add(Source::new(display(path), path.clone(), text))),
            Err(err) => failures.push((path.clone(), err)),
        }
    }
    if !ids.contains(&plan.id) {
        ids = vec![plan.id];
    }

    let parsed = match plan.parsed.lock() {
        Ok(mut parsed) => std::mem::take(&mut *parsed),
        Err(_) => compose_loader::ParsedDocuments::default(),
    };
    let (loaded, added) = compose_loader::load_in_view(view, &ids, load, parsed);
    ProjectLoad {
        ids,
        loaded,
        added,
        failures,
    }
}

/// What the parallel part of a run makes of one linted file.
enum Parsed {
    Dockerfile(AnalysedDockerfile),
    Compose(Result<parse::yaml::Documents, parse::yaml::YamlError>),
}

/// A Dockerfile parsed and modelled; all of it depends on the file alone.
struct AnalysedDockerfile {
    model: model::Dockerfile,
    /// The spans of its instructions, sorted, for suppression comments and baselines.
    instructions: Vec<Span>,
    diagnostics: Vec<Diagnostic>,
}

/// A source whose comments can suppress diagnostics.
enum Commentable {
    Dockerfile { instructions: Vec<Span> },
    Compose,
}

impl Run {
    fn add_path(&mut self, path: &Path, options: &LintOptions) -> Result<(), LintError> {
        if path.as_os_str() == "-" {
            return self.add_stdin(options);
        }

        if let Some(text) = self.overlay_text(path) {
            let kind = options
                .kind
                .unwrap_or_else(|| discover::kind_of_named_file(path));
            self.pending.push(Pending {
                path: path.to_path_buf(),
                kind,
                text: Some(text),
            });
            return Ok(());
        }

        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(err) => {
                self.fail(path, err.into());
                return Ok(());
            }
        };

        if metadata.is_dir() {
            let discovery = self.walk(path)?;
            log::debug!(
                "found {} files under {}",
                discovery.files.len(),
                path.display()
            );
            for error in discovery.errors {
                self.fail(&error.path, ReadError::whole_file(error.reason));
            }
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
                self.pending.push(Pending {
                    path: found.path,
                    kind: found.kind,
                    text: None,
                });
            }
            return Ok(());
        }

        let kind = options
            .kind
            .unwrap_or_else(|| discover::kind_of_named_file(path));
        self.pending.push(Pending {
            path: path.to_path_buf(),
            kind,
            text: None,
        });
        Ok(())
    }

    /// Walks a folder, leaving out what the configuration excludes.
    fn walk(&mut self, root: &Path) -> Result<discover::Discovery, LintError> {
        // LIMITATION: folders are walked on several threads, so when several folders hold a broken
        // configuration, which one the error names depends on which thread reached it first.
        let probes = self.resolver.probes();
        let shared = Arc::new(Mutex::new((std::mem::take(&mut self.resolver), None)));
        let in_filter = Arc::clone(&shared);
        let discovery = discover::walk_excluding(root, move |path| {
            if let Some(folder) = path.parent() {
                probes.probe(folder);
            }
            let Ok(mut guard) = in_filter.lock() else {
                return false;
            };
            let (resolver, error) = &mut *guard;
            if error.is_some() {
                return true;
            }
            match resolver.is_excluded(path) {
                Ok(excluded) => {
                    if excluded {
                        log::debug!("excluded by the configuration: {}", path.display());
                    }
                    excluded
                }
                Err(err) => {
                    *error = Some(err);
                    true
                }
            }
        });

        let (resolver, error): (Resolver, Option<ConfigError>) = Arc::into_inner(shared)
            .and_then(|mutex| mutex.into_inner().ok())
            .expect("the walk is over, so its filter is dropped");
        self.resolver = resolver;
        match error {
            Some(err) => Err(err.into()),
            None => Ok(discovery),
        }
    }

    fn add_stdin(&mut self, options: &LintOptions) -> Result<(), LintError> {
        // Named by `--stdin-filename` when given, so an editor can place the failure.
        let name = options.stdin_filename.as_deref().unwrap_or(Path::new("-"));
        let limit = self.size_limit(name)?;
        let text = match read_limited(std::io::stdin().lock(), limit, 0) {
            Ok(text) => text,
            Err(err) => {
                self.fail(name, err);
                return Ok(());
            }
        };

        let kind = match (&options.stdin_filename, options.kind) {
            (_, Some(kind)) => kind,
            (Some(path), None) => discover::kind_of_named_file(path),
            (None, None) => sniff_kind(&text),
        };
        let path = options
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("-"));
        self.pending.push(Pending {
            path,
            kind,
            text: Some(text),
        });
        Ok(())
    }

    /// Lints the pending files: reads them and parses them on every core, then adds them to
    /// the model one by one, in the order they were named or found. They go in batches, so
    /// only one batch of YAML trees is held at a time.
    fn add_pending(&mut self, options: &LintOptions) -> Result<(), LintError> {
        let pending = std::mem::take(&mut self.pending);
        for batch in pending.chunks(PARSE_BATCH_FILES) {
            self.add_batch(batch, options)?;
        }
        Ok(())
    }

    fn add_batch(&mut self, pending: &[Pending], options: &LintOptions) -> Result<(), LintError> {
        let mut limits = Vec::with_capacity(pending.len());
        for file in pending {
            limits.push(self.size_limit(&file.path)?);
        }
        let overlay = &self.overlay;
        let files: Vec<(&Pending, u64)> = pending.iter().zip(limits).collect();
        // The line index of each source is built here too, on every core, and a Compose file's
        // search for the override file beside it.
        let read = parallel::map(&files, |&(file, limit)| {
            let absolute = absolute(&file.path);
            let text = match &file.text {
                Some(text) => Ok(text.clone()),
                None => match overlay.get(&absolute) {
                    Some(text) => Ok(text.clone()),
                    None => read_text(&file.path, limit),
                },
            };
            let project = match file.kind {
                Kind::Compose if text.is_ok() => compose_loader::project::project_files(&absolute),
                _ => Vec::new(),
            };
            text.map(|text| (Source::new(display(&file.path), absolute, text), project))
        });

        let mut added = Vec::new();
        for (file, source) in pending.iter().zip(read) {
            let (source, project) = match source {
                Ok(source) => source,
                Err(err) => {
                    self.fail(&file.path, err);
                    continue;
                }
            };
            if let Some(id) = self.add_linted_source(source, file.kind) {
                added.push((id, file.kind, project));
            }
        }

        let sources = &self.sources;
        let parsed = parallel::map(&added, |&(id, kind, _)| {
            let text = &sources.get(id).text;
            match kind {
                Kind::Dockerfile => Parsed::Dockerfile(analyse_dockerfile(id, text)),
                Kind::Compose => Parsed::Compose(parse::yaml::parse_documents(id, text)),
            }
        });

        let mut dockerfiles = Vec::new();
        let mut composes = Vec::new();
        for ((id, _, project), parsed) in added.into_iter().zip(parsed) {
            match parsed {
                Parsed::Dockerfile(analysed) => dockerfiles.push((id, analysed)),
                Parsed::Compose(document) => {
                    self.parsed_composes.insert(id, document);
                    composes.push((id, project));
                }
            }
        }
        for (id, analysed) in dockerfiles {
            let absolute = self.sources.get(id).path.clone();
            if let Some(folder) = absolute.parent() {
                self.linted_dockerfile_folders.push(folder.to_path_buf());
            }
            self.add_analysed_dockerfile(id, absolute, analysed);
        }
        self.add_composes(composes, &options.load);
        self.parsed_composes.clear();
        Ok(())
    }

    /// Loads the projects of linted Compose files on every core, then adds them in order.
    ///
    /// Each project reads the files it needs beyond the run's sources through a view of its own.
    /// One that read files is added only when no project before it in this call did too (the
    /// ids it gave them are still free); otherwise it is loaded again, now seeing the files the
    /// earlier ones read. Either way the result is the one of loading them one by one. Each
    /// file comes with the files of its project, found as it was read.
    fn add_composes(&mut self, composes: Vec<(SourceId, Vec<PathBuf>)>, load: &LoadOptions) {
        // A file among the files of a project planned before it (an override beside its default
        // file) is most likely linted with that project; it is loaded, in its turn, only when
        // that project did not take it.
        let mut plans = Vec::new();
        let mut planned_files = PathSet::default();
        let mut order = Vec::new();
        for (id, files) in composes {
            let absolute = &self.sources.get(id).path;
            if self.composes_by_path.contains(absolute) {
                continue;
            }
            if planned_files.contains(absolute) {
                order.push(Err(id));
                continue;
            }
            planned_files.extend(files.iter().cloned());
            order.push(Ok(plans.len()));
            plans.push(self.plan_project(&files, id));
        }

        let sources = &self.sources;
        let projects = parallel::map(&plans, |plan| load_planned(sources, plan, load));

        let mut projects = projects.into_iter();
        for step in order {
            let (id, project) = match step {
                Ok(index) => (plans[index].id, projects.next()),
                Err(id) => (id, None),
            };
            // A Compose file merged into a project before it is linted with that project.
            let absolute = self.sources.get(id).path.clone();
            if self.composes_by_path.contains(&absolute) {
                continue;
            }
            if let Some(project) = project
                && self.accept_project(project, true)
            {
                continue;
            }
            let display = &self.sources.get(id).display;
            log::debug!("loading {display} in its turn: a project before it read files too");
            let files = compose_loader::project::project_files(&absolute);
            self.add_compose(&files, id, true, load);
        }
    }

    /// What loading the project of Compose files `files` (absolute paths, in merge order) needs
    /// from the run: `id` is the source of the one being linted or read, already in `sources`.
    fn plan_project(&mut self, files: &[PathBuf], id: SourceId) -> ProjectPlan {
        let mut planned = Vec::new();
        let mut parsed = compose_loader::ParsedDocuments::default();
        for path in files {
            if let Some(found) = self.sources.find(path) {
                if let Some(document) = self.parsed_composes.remove(&found) {
                    parsed.insert(found, document);
                }
                planned.push((path.clone(), PlannedFile::Known(found)));
                continue;
            }
            let file = match self.overlay_text(path) {
                Some(text) => PlannedFile::Text(text),
                None => match self.size_limit(path) {
                    Ok(limit) => PlannedFile::OnDisk(limit),
                    Err(err) => PlannedFile::Unreadable(err.to_string()),
                },
            };
            planned.push((path.clone(), file));
        }
        ProjectPlan {
            id,
            files: planned,
            parsed: Mutex::new(parsed),
        }
    }

    /// Adds a loaded project to the run; `false`, adding nothing, when it read files and other
    /// sources were added since, so the ids it gave them are taken.
    fn accept_project(&mut self, project: ProjectLoad, linted: bool) -> bool {
        let ProjectLoad {
            ids,
            loaded,
            added,
            failures,
        } = project;
        if self.sources.append(added).is_err() {
            return false;
        }

        for (path, err) in failures {
            self.fail(&path, err);
        }
        for &file in ids.iter().chain(&loaded.files) {
            // The files of a project hold suppression comments: Compose, `extends` and `include`
            // files are YAML; `.env` files are not.
            if discover::kind_of_named_file(&self.sources.get(file).path) == Kind::Compose {
                self.commentable.insert(file, Commentable::Compose);
            }
        }
        if linted {
            // Files a linted Compose file pulls in (its override, `extends` and `include` files,
            // `.env`) belong to its project.
            self.reported.extend(loaded.files.iter().copied());
        }

        self.diagnostics.extend(loaded.diagnostics);
        self.model.composes.push(loaded.compose);
        for id in ids {
            self.composes_by_path
                .insert(self.sources.get(id).path.clone());
        }
        true
    }

    /// Adds a linted file's text to the sources; `None` when the file was linted already.
    fn add_linted_source(&mut self, source: Source, kind: Kind) -> Option<SourceId> {
        let absolute = &source.path;
        let is_new = match kind {
            Kind::Dockerfile => self.linted_dockerfiles.insert(absolute.clone()),
            Kind::Compose => self.linted_composes.insert(absolute.clone()),
        };
        if !is_new {
            return None;
        }

        self.linted_files += 1;
        self.linted_paths.push(absolute.clone());
        // A Compose file that a `-f` project already read is linted with that project.
        if kind == Kind::Compose && self.composes_by_path.contains(absolute) {
            return None;
        }

        let id = self.sources.add(source);
        self.reported.insert(id);
        Some(id)
    }

    /// Lints the `-f` files as one project, in their order.
    fn add_named_project(
        &mut self,
        paths: &[PathBuf],
        options: &LintOptions,
    ) -> Result<(), LintError> {
        // A file that cannot be read is reported and left out: the others are merged without it.
        let mut files = Vec::new();
        for path in paths {
            let absolute = absolute(path);
            if self.sources.find(&absolute).is_none() {
                let limit = self.size_limit(path)?;
                match read_text(path, limit) {
                    Ok(text) => {
                        self.sources
                            .add(Source::new(display(path), absolute.clone(), text));
                    }
                    Err(err) => {
                        self.fail(path, err);
                        continue;
                    }
                }
            }
            if self.linted_composes.insert(absolute.clone()) {
                self.linted_files += 1;
            }
            files.push(absolute);
        }

        let Some(first) = files.first().and_then(|first| self.sources.find(first)) else {
            return Ok(());
        };
        self.add_compose(&files, first, true, &options.load);
        Ok(())
    }

    fn add_dockerfile(&mut self, id: SourceId, absolute: PathBuf) -> usize {
        let analysed = analyse_dockerfile(id, &self.sources.get(id).text);
        self.add_analysed_dockerfile(id, absolute, analysed)
    }

    fn add_analysed_dockerfile(
        &mut self,
        id: SourceId,
        absolute: PathBuf,
        analysed: AnalysedDockerfile,
    ) -> usize {
        let instructions = analysed.instructions;
        self.commentable
            .insert(id, Commentable::Dockerfile { instructions });
        self.diagnostics.extend(analysed.diagnostics);

        let index = self.model.dockerfiles.len();
        self.model.dockerfiles.push(analysed.model);
        self.dockerfiles_by_path.insert(absolute, index);
        index
    }

    /// Loads the project of Compose files `files` (absolute paths, in merge order); `id` is the
    /// source of the one being linted or read, already in `sources`. The other files are read
    /// from disk when they are not in `sources` yet.
    fn add_compose(&mut self, files: &[PathBuf], id: SourceId, linted: bool, load: &LoadOptions) {
        let plan = self.plan_project(files, id);
        let project = load_planned(&self.sources, &plan, load);
        if !self.accept_project(project, linted) {
            unreachable!("no source is added between loading a project and adding it");
        }
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
            let Ok(text) = self.read_text(&path) else {
                continue;
            };
            log::debug!("reading {} as context", path.display());
            let id = self
                .sources
                .add(Source::new(display(&path), absolute.clone(), text));
            let files = compose_loader::project::project_files(&absolute);
            let context = LoadOptions {
                skip_schema: true,
                ..options.load.clone()
            };
            self.add_compose(&files, id, false, &context);
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
                    // The file as written is built too, so it gets no diagnostics of its own
                    // that the service's cover.
                    self.model.dockerfiles[built].built_by_compose = true;
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

        let text = self
            .read_text(&absolute)
            .map_err(|reason| format!("{}, which cannot be read: {reason}", display(path)))?;
        log::debug!("reading {} as context", absolute.display());
        let id = self
            .sources
            .add(Source::new(display(&absolute), absolute.clone(), text));
        Ok(self.add_dockerfile(id, absolute))
    }

    /// The same Dockerfile modelled again with build arguments replacing `ARG` defaults.
    fn dockerfile_with_args(&mut self, index: usize, args: &[(String, String)]) -> usize {
        // Parsing again costs less than keeping the syntax of every Dockerfile of a large run;
        // the scripts' analyses are reused.
        let source = self.model.dockerfiles[index].source;
        let syntax = parse::dockerfile::parse(source, &self.sources.get(source).text);
        let variant = model::dockerfile::build_with_args(&syntax, source, args);

        let variant_index = self.model.dockerfiles.len();
        self.model.dockerfiles.push(variant);
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
        if self.reported.contains(&span.source) {
            self.reported.insert(id);
        }

        let index = self.add_dockerfile(id, PathBuf::new());
        self.dockerfiles_by_path.remove(&PathBuf::new());
        index
    }

    /// Records a file that could not be read, unless it was recorded already: an override file
    /// is read with the project of the file beside it, and may have been named or found too.
    fn fail(&mut self, path: &Path, err: ReadError) {
        if !self.failed_paths.insert(absolute(path)) {
            return;
        }
        self.failures.push(Failure {
            file: display(path),
            position: err.position,
            reason: err.reason,
        });
    }

    /// Reads a file from the overlay when it is there, else from disk, within its size limit.
    fn read_text(&mut self, path: &Path) -> Result<String, String> {
        if let Some(text) = self.overlay_text(path) {
            return Ok(text);
        }
        let limit = self.size_limit(path).map_err(|err| err.to_string())?;
        read_text(path, limit).map_err(|err| err.reason)
    }

    /// The size limit of a file: the command line's, else its configuration's, else the default.
    fn size_limit(&mut self, path: &Path) -> Result<u64, LintError> {
        if let Some(limit) = self.max_file_size {
            return Ok(limit);
        }
        // The canonical folder, as the walk and the settings ask for it: one search for its
        // configuration file serves all three.
        let absolute = crate::paths::absolute(path);
        let folder = crate::paths::canonical(absolute.parent().unwrap_or(&absolute));
        let config = self.resolver.config_for_folder(&folder)?;
        Ok(config
            .and_then(|config| config.max_file_size)
            .unwrap_or(DEFAULT_MAX_FILE_SIZE))
    }

    /// The editor's text of a file, when it has one; costs nothing on the command line.
    fn overlay_text(&self, path: &Path) -> Option<String> {
        if self.overlay.is_empty() {
            return None;
        }
        self.overlay.get(&absolute(path)).cloned()
    }

    fn finish(mut self, today: Date) -> Result<LintResult, LintError> {
        model::entrypoint::read_scripts(&mut self.model, &mut self.sources);

        let mut settings = SourceSettings::default();
        for (id, source) in self.sources.iter() {
            settings.insert(id, self.resolver.settings_for(&source.path)?);
        }
        self.model.allowances = settings.allowances();

        self.diagnostics
            .extend(rules::run_all(&self.model, &settings));
        // The model is not needed past this point but for the stages and services that name
        // what a diagnostic is about; freeing it now keeps it out of the run's peak memory,
        // which comes as the diagnostics are filtered, suppressed and sorted.
        let scopes = Scopes::of(&self.model, &self.commentable);
        self.model = Model::default();

        let diagnostics: Vec<Diagnostic> = std::mem::take(&mut self.diagnostics)
            .into_iter()
            .filter(|diagnostic| self.reported.contains(&diagnostic.span.source))
            .map(|mut diagnostic| {
                relocate_inline(&mut diagnostic, &self.inline_locations, &self.sources);
                diagnostic
            })
            .filter_map(|diagnostic| apply_settings(diagnostic, &settings))
            .collect();

        let mut comments = HashMap::new();
        for id in &self.reported {
            // LIMITATION: comments inside a `dockerfile_inline` value are not read; its
            // diagnostics point at the Compose value, where a Compose comment suppresses them.
            if self.inline_locations.contains_key(id) {
                continue;
            }
            let text = &self.sources.get(*id).text;
            let found = match self.commentable.get(id) {
                Some(Commentable::Dockerfile { instructions }) => {
                    suppress::find_in_dockerfile(*id, text, instructions)
                }
                Some(Commentable::Compose) => suppress::find_in_compose(*id, text),
                None => continue,
            };
            if !found.is_empty() {
                comments.insert(*id, found);
            }
        }
        let outcome = suppress::apply(diagnostics, &comments, &settings, today);
        let mut diagnostics: Vec<Diagnostic> = outcome
            .reported
            .into_iter()
            .filter_map(|diagnostic| apply_settings(diagnostic, &settings))
            .collect();
        let mut suppressed = outcome.suppressed;

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
        suppressed.sort_by_cached_key(|suppressed| {
            let diagnostic = &suppressed.diagnostic;
            let source = sources.get(diagnostic.span.source);
            let (line, column) = source.line_column(diagnostic.span.start);
            (source.display.clone(), line, column, diagnostic.rule)
        });

        let subjects = crate::parallel::map(&diagnostics, |diagnostic| {
            self.subject_of(diagnostic, &scopes)
        });

        // Sorted like the diagnostics: some are met as paths are named, others as files are read.
        self.failures
            .sort_by(|first, second| first.file.cmp(&second.file));

        Ok(LintResult {
            subjects,
            linted_paths: self.linted_paths,
            sources: self.sources,
            diagnostics,
            failures: self.failures,
            linted_files: self.linted_files,
            suppressed,
            settings,
        })
    }
}

impl Run {
    /// What a diagnostic is about, apart from its line: the instruction or line it flags and
    /// the stage or service that holds it.
    fn subject_of(&self, diagnostic: &Diagnostic, scopes: &Scopes) -> Subject {
        let span = diagnostic.span;
        let text = &self.sources.get(span.source).text;
        let node = match self.commentable.get(&span.source) {
            Some(Commentable::Dockerfile { instructions }) => {
                let ends = scopes.instruction_ends.get(&span.source);
                instruction_at(instructions, ends.map_or(&[], Vec::as_slice), span.start)
                    .and_then(|instruction| text.get(instruction.start..instruction.end))
                    .map(str::to_owned)
            }
            _ => None,
        };
        let node = node.unwrap_or_else(|| {
            let source = self.sources.get(span.source);
            let (line, _) = source.line_column(span.start);
            let flagged = text.get(span.start..span.end).unwrap_or("");
            format!("{} {flagged}", &text[source.line_range(line)])
        });

        let stage = Scopes::enclosing(&scopes.stages, span);
        let service = Scopes::enclosing(&scopes.services, span);
        Subject {
            node: baseline::normalise_text(&node),
            scope: stage.or(service).unwrap_or_default().to_owned(),
        }
    }
}

/// The first instruction (in the sorted list) that holds `offset`, found by bisection: a
/// Dockerfile with thousands of instructions and diagnostics costs no more than it must.
/// `running_ends` holds the largest end of the instructions up to each one.
fn instruction_at(instructions: &[Span], running_ends: &[usize], offset: usize) -> Option<Span> {
    let starting_before = instructions.partition_point(|instruction| instruction.start <= offset);
    // The first instruction whose running end passes `offset` ends after it itself; it holds
    // `offset` when it also starts at or before it.
    let first_ending_after = running_ends.partition_point(|end| *end <= offset);
    (first_ending_after < starting_before).then(|| instructions[first_ending_after])
}

/// The stages and services of the model by source, sorted by where they start, so the scope of
/// a diagnostic is found by bisection rather than by a scan of the whole model.
struct Scopes {
    stages: SourceMap<Vec<(usize, String)>>,
    services: SourceMap<Vec<(usize, String)>>,
    /// For each Dockerfile, the running maximum of its sorted instructions' ends.
    instruction_ends: SourceMap<Vec<usize>>,
}

impl Scopes {
    fn of(model: &Model, commentable: &SourceMap<Commentable>) -> Self {
        let mut instruction_ends = SourceMap::default();
        for (source, kind) in commentable {
            let Commentable::Dockerfile { instructions } = kind else {
                continue;
            };
            instruction_ends.insert(*source, running_ends(instructions));
        }

        let mut stages: SourceMap<Vec<(usize, String)>> = SourceMap::default();
        for dockerfile in &model.dockerfiles {
            for stage in &dockerfile.stages {
                let label = match &stage.name {
                    Some(name) => format!("stage {name}"),
                    None => format!("stage {}", stage.index),
                };
                let entry = stages.entry(dockerfile.source).or_default();
                entry.push((stage.span.start, label));
            }
        }
        let mut services: SourceMap<Vec<(usize, String)>> = SourceMap::default();
        for service in model.composes.iter().flat_map(|compose| &compose.services) {
            let entry = services.entry(service.key_span.source).or_default();
            entry.push((service.key_span.start, format!("service {}", service.name)));
        }
        for list in stages.values_mut().chain(services.values_mut()) {
            list.sort_by_key(|(start, _)| *start);
        }
        Self {
            stages,
            services,
            instruction_ends,
        }
    }

    /// The label of the last scope starting at or before the span, in its source.
    fn enclosing(scopes: &SourceMap<Vec<(usize, String)>>, span: Span) -> Option<&str> {
        let list = scopes.get(&span.source)?;
        let after = list.partition_point(|(start, _)| *start <= span.start);
        let (_, label) = list.get(after.checked_sub(1)?)?;
        Some(label)
    }
}

/// Parses and models a Dockerfile: a function of its text alone, run on any thread.
fn analyse_dockerfile(id: SourceId, text: &str) -> AnalysedDockerfile {
    let syntax = parse::dockerfile::parse(id, text);
    let mut instructions: Vec<Span> = syntax
        .instructions
        .iter()
        .map(|instruction| instruction.span)
        .chain(syntax.errors.iter().map(|error| error.span))
        .filter(|span| span.end > span.start)
        .collect();
    instructions.sort();

    let mut diagnostics = Vec::new();
    for error in &syntax.errors {
        let message = error.message.clone();
        diagnostics.push(Diagnostic::new(
            PARSE_ERROR,
            Severity::Error,
            error.span,
            message,
        ));
    }

    // BuildKit refuses a file whose first instruction other than ARG is not FROM: there is no
    // stage for it to run in.
    let first = syntax
        .instructions
        .iter()
        .find(|instruction| instruction.keyword != "ARG");
    if let Some(first) = first.filter(|first| first.keyword != "FROM") {
        let message = format!("`{}` comes before the first `FROM`", first.keyword);
        let diagnostic = Diagnostic::new(PARSE_ERROR, Severity::Error, first.keyword_span, message);
        diagnostics.push(diagnostic);
    }

    let model = model::dockerfile::build(&syntax, id);
    AnalysedDockerfile {
        model,
        instructions,
        diagnostics,
    }
}

/// Drops a diagnostic whose rule is off for its file, and gives it the configured severity.
fn apply_settings(mut diagnostic: Diagnostic, settings: &SourceSettings) -> Option<Diagnostic> {
    let settings = settings.get(diagnostic.span.source);
    if !settings.is_enabled(diagnostic.rule) {
        return None;
    }
    if let Some(severity) = settings.configured_severity(diagnostic.rule) {
        diagnostic.severity = severity;
    }
    Some(diagnostic)
}

/// Points diagnostics inside an inline Dockerfile at the `dockerfile_inline` value that holds it.
fn relocate_inline(
    diagnostic: &mut Diagnostic,
    inline_locations: &SourceMap<Span>,
    sources: &Sources,
) {
    let relocate = |span: Span| -> Option<Span> {
        let value = *inline_locations.get(&span.source)?;
        Some(place_in_block_scalar(sources, span, value).unwrap_or(value))
    };
    if let Some(span) = relocate(diagnostic.span) {
        diagnostic.span = span;
    }
    for related in &mut diagnostic.related {
        if let Some(span) = relocate(related.span) {
            related.span = span;
        }
    }
    if let Some(fix) = &mut diagnostic.fix {
        relocate_inline_fix(fix, inline_locations, sources);
    }
}

/// Moves the edits of a fix inside an inline Dockerfile to where that text stands in the
/// Compose file, or withdraws them when it does not stand there as written.
fn relocate_inline_fix(fix: &mut Fix, inline_locations: &SourceMap<Span>, sources: &Sources) {
    let Ok(edits) = &fix.edits else {
        return;
    };
    let text_at = |span: Span| sources.get(span.source).text.get(span.start..span.end);
    let mut placed = Vec::new();
    for edit in edits {
        let Some(value) = inline_locations.get(&edit.span.source) else {
            placed.push(Some(edit.span));
            continue;
        };
        let span = place_in_block_scalar(sources, edit.span, *value)
            .filter(|span| text_at(*span) == text_at(edit.span));
        placed.push(span);
    }

    let spans: Option<Vec<Span>> = placed.into_iter().collect();
    match (spans, &mut fix.edits) {
        (Some(spans), Ok(edits)) => {
            for (edit, span) in edits.iter_mut().zip(spans) {
                edit.span = span;
            }
        }
        _ => fix.refuse("the inline Dockerfile is not written as a block of lines"),
    }
}

/// Where a span of an inline Dockerfile stands in the Compose file, when the Dockerfile is a
/// block scalar (`dockerfile_inline: |`) whose lines appear there as written, indented.
fn place_in_block_scalar(sources: &Sources, span: Span, value: Span) -> Option<Span> {
    let inline = sources.get(span.source);
    let compose = sources.get(value.source);
    let (line, column) = inline.line_column(span.start);
    let inline_line = &inline.text[inline.line_range(line)];

    // The value's span starts at the block's first content line, or at the `|` indicator on the
    // line before it.
    let (value_line, _) = compose.line_column(value.start);
    let at_indicator = compose.text[value.start..].starts_with(['|', '>']);
    let first_content_line = value_line + usize::from(at_indicator);
    let compose_line = compose.line_range(first_content_line + line - 1);
    let written = compose.text.get(compose_line.clone())?;
    let indent = written.len() - written.trim_start().len();
    if written.get(indent..)? != inline_line {
        return None;
    }

    let column_bytes: usize = inline_line
        .chars()
        .take(column - 1)
        .map(char::len_utf8)
        .sum();
    let start = compose_line.start + indent + column_bytes;
    let length = span
        .end
        .saturating_sub(span.start)
        .min(compose_line.end - start);
    Some(Span::new(value.source, start, start + length))
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

fn absolute(path: &Path) -> PathBuf {
    crate::paths::canonical(path)
}

fn display(path: &Path) -> String {
    crate::paths::display(path)
}

/// For instructions sorted by start, the furthest end reached so far at each one: lets a
/// binary search find the instruction that holds an offset.
fn running_ends(instructions: &[Span]) -> Vec<usize> {
    let mut running_end = 0;
    instructions
        .iter()
        .map(|instruction| {
            running_end = running_end.max(instruction.end);
            running_end
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instruction_at_finds_what_a_scan_finds() {
        let source = SourceId(0);
        let mut instructions: Vec<Span> = [(0, 10), (2, 4), (5, 30), (12, 14), (31, 31), (40, 50)]
            .into_iter()
            .map(|(start, end)| Span::new(source, start, end))
            .collect();
        instructions.sort();
        let ends = running_ends(&instructions);

        for offset in 0..60 {
            let scanned = instructions
                .iter()
                .find(|instruction| instruction.start <= offset && offset < instruction.end)
                .copied();
            assert_eq!(
                instruction_at(&instructions, &ends, offset),
                scanned,
                "{offset}"
            );
        }
    }
}
