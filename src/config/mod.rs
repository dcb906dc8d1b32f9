//! The user's configuration: `escalint.toml` or `.escalint.toml`, found from each linted file's
//! folder upward to the repository root (the nearest one wins), or named with `--config`. It
//! resolves to the [`Settings`] of each file: which rules run at which severity, the fail-on
//! threshold, and the allowlists rules read through their `Context`.

pub mod file;
pub mod show;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::diagnostic::Severity;
use crate::discover;
use crate::model::allowances::{Allowances, AllowedCapability, ConfiguredImage};
use crate::paths::PathMap;
use crate::rules::{NO_NEW_PRIVILEGES_MISSING, PARSE_ERROR, rule_docs};
use crate::source::{SourceId, SourceMap};

pub use file::{ConfigFile, Globs, Override};

/// The file names a configuration may have, in the order they are looked for in one folder.
pub const CONFIG_FILE_NAMES: &[&str] = &["escalint.toml", ".escalint.toml"];

/// Where the configuration comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ConfigChoice {
    /// The nearest `escalint.toml` or `.escalint.toml` above each file.
    #[default]
    Discover,
    /// This file, for every linted file (`--config`).
    File(PathBuf),
    /// No file: the defaults (`--isolated`).
    Isolated,
}

/// A rule's configured severity, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Severity(Severity),
    Off,
}

impl Level {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "error" => Some(Self::Severity(Severity::Error)),
            "warning" => Some(Self::Severity(Severity::Warning)),
            "note" => Some(Self::Severity(Severity::Note)),
            "off" => Some(Self::Off),
            _ => None,
        }
    }
}

/// The lowest severity that makes a run exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    /// Never fail because of diagnostics.
    Never,
}

impl FailOn {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "error" => Some(Self::Error),
            "warning" => Some(Self::Warning),
            "note" => Some(Self::Note),
            "never" => Some(Self::Never),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Note => "note",
            Self::Never => "never",
        }
    }

    /// Whether a diagnostic of this severity makes the run fail.
    pub fn is_reached_by(self, severity: Severity) -> bool {
        match self {
            Self::Error => severity >= Severity::Error,
            Self::Warning => severity >= Severity::Warning,
            Self::Note => true,
            Self::Never => false,
        }
    }
}

/// Who sets `no-new-privileges` on the containers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoNewPrivileges {
    /// Each container must ask for it: the default.
    Container,
    /// The daemon runs with `"no-new-privileges": true` and sets it for every container.
    Daemon,
}

/// A file allowed to be setuid or setgid, or to carry file capabilities (`[[allow.setuid]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetuidAllowance {
    pub path: String,
    pub reason: String,
}

/// Capabilities a named Compose service may add (`[[allow.capabilities]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapabilityAllowance {
    pub service: String,
    /// Upper case, without `CAP_`.
    pub capabilities: Vec<String>,
    pub reason: String,
}

/// An image known to run as a non-root user (`[[allow.non-root-images]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonRootImage {
    pub image: String,
    pub uid: u32,
    pub reason: String,
}

/// A configuration that cannot be used; the run stops before linting anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub problems: Vec<ConfigProblem>,
}

/// One problem in a configuration file, where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub file: String,
    /// 1-based; 0 when the problem is the file as a whole.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                writeln!(formatter)?;
            }
            if problem.line == 0 {
                write!(formatter, "{}: {}", problem.file, problem.message)?;
            } else {
                write!(
                    formatter,
                    "{}:{}:{}: {}",
                    problem.file, problem.line, problem.column, problem.message
                )?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// The settings that apply to one file: its configuration with the matching overrides applied.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The configuration they come from; `None` for the defaults.
    pub config: Option<Arc<ConfigFile>>,
    /// Every rule's level after `select`, `ignore`, `severity` and overrides.
    levels: BTreeMap<&'static str, Level>,
    /// Rules whose severity the configuration sets: it then applies to all their diagnostics.
    configured_severities: BTreeMap<&'static str, Severity>,
    /// The overrides that matched, as indexes into the configuration's `overrides`.
    pub matched_overrides: Vec<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Self::resolve(None, None)
    }
}

impl Settings {
    /// The settings of `config` for the file at `relative` (relative to the config's folder);
    /// with no file, the configuration's own settings without overrides.
    pub fn resolve(config: Option<Arc<ConfigFile>>, relative: Option<&Path>) -> Self {
        let mut levels: BTreeMap<&'static str, Level> = rule_docs()
            .iter()
            .map(|doc| (doc.name, Level::Severity(doc.severity)))
            .collect();
        let mut configured_severities = BTreeMap::new();
        let mut matched_overrides = Vec::new();

        if let Some(config) = &config {
            if let Some(select) = &config.select {
                for (rule, level) in &mut levels {
                    // `parse-error` runs unless ignored: a file escalint cannot read is a file
                    // whose other rules did not see everything.
                    if !select.contains(rule) && *rule != PARSE_ERROR {
                        *level = Level::Off;
                    }
                }
            }
            apply_ignore_and_severity(
                &mut levels,
                &mut configured_severities,
                &config.ignore,
                &config.severity,
            );

            for (index, rule_override) in config.overrides.iter().enumerate() {
                let Some(relative) = relative else {
                    continue;
                };
                if !rule_override.files.matches(relative) {
                    continue;
                }
                matched_overrides.push(index);
                for rule in &rule_override.select {
                    let default = rule_docs()
                        .iter()
                        .find(|doc| doc.name == *rule)
                        .map_or(Severity::Error, |doc| doc.severity);
                    let severity = configured_severities.get(rule).copied().unwrap_or(default);
                    levels.insert(rule, Level::Severity(severity));
                }
                apply_ignore_and_severity(
                    &mut levels,
                    &mut configured_severities,
                    &rule_override.ignore,
                    &rule_override.severity,
                );
            }
        }

        if config
            .as_ref()
            .is_some_and(|config| config.no_new_privileges == NoNewPrivileges::Daemon)
        {
            levels.insert(NO_NEW_PRIVILEGES_MISSING, Level::Off);
        }

        Self {
            config,
            levels,
            configured_severities,
            matched_overrides,
        }
    }

    /// Whether the rule runs on this file.
    pub fn is_enabled(&self, rule: &str) -> bool {
        !matches!(self.levels.get(rule), Some(Level::Off))
    }

    /// Every rule and its level, alphabetical.
    pub fn levels(&self) -> impl Iterator<Item = (&'static str, Level)> + '_ {
        self.levels.iter().map(|(rule, level)| (*rule, *level))
    }

    /// The severity the configuration sets for the rule, which replaces the one the rule chose.
    pub fn configured_severity(&self, rule: &str) -> Option<Severity> {
        self.configured_severities.get(rule).copied()
    }

    /// The `fail-on` of the configuration, `warning` by default.
    pub fn fail_on(&self) -> FailOn {
        self.config
            .as_ref()
            .and_then(|config| config.fail_on)
            .unwrap_or(FailOn::Warning)
    }

    /// Whether a suppression comment without `reason=` is itself reported.
    pub fn requires_reason(&self) -> bool {
        self.config
            .as_ref()
            .is_some_and(|config| config.require_reason)
    }

    /// Whether the daemon is assumed to set `no-new-privileges` for every container.
    pub fn daemon_sets_no_new_privileges(&self) -> bool {
        self.config
            .as_ref()
            .is_some_and(|config| config.no_new_privileges == NoNewPrivileges::Daemon)
    }

    /// The allowlist entry for a file made setuid or setgid, by its path as written.
    // LIMITATION: paths are compared as the step writes them, so a relative target after
    // `WORKDIR` matches only an entry written the same way.
    pub fn allowed_setuid(&self, path: &str) -> Option<&SetuidAllowance> {
        let config = self.config.as_deref()?;
        config.setuid.iter().find(|allowed| allowed.path == path)
    }

    /// Whether every file a step makes setuid or setgid is allowlisted; a step whose targets
    /// are not literal paths never is.
    pub fn allows_setuid_step(&self, step: &crate::model::SetuidStep) -> bool {
        !step.targets.is_empty() && self.setuid_targets_not_allowed(step).next().is_none()
    }

    /// The files a step makes setuid or setgid that no `allow.setuid` entry covers, in order.
    pub fn setuid_targets_not_allowed<'s>(
        &self,
        step: &'s crate::model::SetuidStep,
    ) -> impl Iterator<Item = &'s String> {
        step.targets
            .iter()
            .filter(|target| self.allowed_setuid(target).is_none())
    }

    /// Whether the file a `setcap` step changes is in `allow.setuid`: a program allowed to raise
    /// its privileges may do so by a file capability instead of the bit (`newuidmap` ships either
    /// way). A step whose file is not a literal path never is.
    pub fn allows_file_capability_step(&self, step: &crate::model::FileCapabilityStep) -> bool {
        step.target
            .as_deref()
            .is_some_and(|target| self.allowed_setuid(target).is_some())
    }

    /// The allowlist entry that lets `service` add `capability` (any case, `CAP_` optional).
    pub fn allowed_capability(
        &self,
        service: &str,
        capability: &str,
    ) -> Option<&CapabilityAllowance> {
        let config = self.config.as_deref()?;
        let capability = crate::model::normalise_capability(capability);
        config.capabilities.iter().find(|allowed| {
            allowed.service == service && allowed.capabilities.contains(&capability)
        })
    }

    /// The allowlist entry saying `image` runs as a non-root uid. References are compared with
    /// Docker Hub's implicit `docker.io/library/` and `:latest` filled in; a digest after a tag
    /// does not change which entry matches.
    pub fn non_root_image(&self, image: &str) -> Option<&NonRootImage> {
        let config = self.config.as_deref()?;
        let wanted = normalise_image(image);
        config
            .non_root_images
            .iter()
            .find(|allowed| normalise_image(&allowed.image) == wanted)
    }
}

fn apply_ignore_and_severity(
    levels: &mut BTreeMap<&'static str, Level>,
    configured_severities: &mut BTreeMap<&'static str, Severity>,
    ignore: &[&'static str],
    severity: &BTreeMap<&'static str, Level>,
) {
    for rule in ignore {
        levels.insert(rule, Level::Off);
    }
    for (rule, level) in severity {
        levels.insert(rule, *level);
        if let Level::Severity(severity) = level {
            configured_severities.insert(rule, *severity);
        }
    }
}

/// An image reference in the form the engine pulls: registry and namespace explicit, tag
/// explicit, digest dropped when a tag is given.
pub fn normalise_image(reference: &str) -> String {
    let reference = reference.trim();
    let (name_and_tag, digest) = match reference.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (reference, None),
    };
    let last_slash = name_and_tag.rfind('/').map_or(0, |at| at + 1);
    let (name, tag) = match name_and_tag[last_slash..].split_once(':') {
        Some((_, tag)) => (
            &name_and_tag[..name_and_tag.len() - tag.len() - 1],
            Some(tag),
        ),
        None => (name_and_tag, None),
    };

    let first = name.split('/').next().unwrap_or(name);
    let has_registry =
        name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let full_name = match (has_registry, name.contains('/')) {
        (true, _) => name.to_owned(),
        (false, true) => format!("docker.io/{name}"),
        (false, false) => format!("docker.io/library/{name}"),
    };
    let full_name = full_name.replacen("index.docker.io/", "docker.io/", 1);

    match (tag, digest) {
        (Some(tag), _) => format!("{full_name}:{tag}"),
        (None, Some(digest)) => format!("{full_name}@{digest}"),
        (None, None) => format!("{full_name}:latest"),
    }
}

/// The settings of every source of a run, for rules to look up by where a value was written.
#[derive(Debug, Default)]
pub struct SourceSettings {
    by_source: SourceMap<Arc<Settings>>,
    default: Settings,
}

impl SourceSettings {
    pub fn insert(&mut self, source: SourceId, settings: Arc<Settings>) {
        self.by_source.insert(source, settings);
    }

    /// The image and capability allowlists of every configuration in use, for the model.
    // LIMITATION: the model holds one set of allowances per run, so an image or capability
    // allowed by one folder's configuration counts for every file linted in the same run.
    pub fn allowances(&self) -> Allowances {
        let mut allowances = Allowances::default();
        let mut seen = std::collections::HashSet::new();
        for settings in self.by_source.values() {
            let Some(config) = &settings.config else {
                continue;
            };
            if !seen.insert(Arc::as_ptr(config)) {
                continue;
            }
            for image in &config.non_root_images {
                allowances.images.push(ConfiguredImage {
                    pattern: image.image.clone(),
                    user: image.uid.to_string(),
                });
            }
            for allowed in &config.capabilities {
                for capability in &allowed.capabilities {
                    allowances.capabilities.push(AllowedCapability {
                        service: Some(allowed.service.clone()),
                        capability: capability.clone(),
                    });
                }
            }
        }
        allowances
    }

    /// The settings of a source; the defaults for one that has none.
    pub fn get(&self, source: SourceId) -> &Settings {
        self.by_source
            .get(&source)
            .map_or(&self.default, |settings| settings.as_ref())
    }
}

/// Files larger than this are reported and skipped unless `--max-file-size` or the
/// configuration's `max-file-size` says otherwise: far above any real Dockerfile or Compose file,
/// far below what would make a run slow or large.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// Reads a size: a number of bytes, optionally followed by `B`, `KiB`, `MiB` or `GiB`
/// (`10MiB`, `512 KiB`, `1048576`).
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits_end = text
        .find(|ch: char| !ch.is_ascii_digit() && ch != '_')
        .unwrap_or(text.len());
    let number: u64 = text[..digits_end].replace('_', "").parse().ok()?;
    let multiplier: u64 = match text[digits_end..].trim() {
        "" | "B" => 1,
        "KiB" => 1024,
        "MiB" => 1024 * 1024,
        "GiB" => 1024 * 1024 * 1024,
        _ => return None,
    };
    number.checked_mul(multiplier)
}

/// Finds and reads configuration files, once per folder, and resolves each file's settings.
#[derive(Debug, Default)]
pub struct Resolver {
    choice: ConfigChoice,
    /// The `--config` file.
    explicit: Option<Arc<ConfigFile>>,
    /// The nearest configuration of each folder searched so far.
    nearest: PathMap<Option<Arc<ConfigFile>>>,
    /// Settings by absolute file path.
    settings: PathMap<Arc<Settings>>,
    /// The settings every file gets when no configuration applies.
    unconfigured: Option<Arc<Settings>>,
    /// What the walk's threads found out about new folders before asking.
    probes: FolderProbes,
    /// The folders whose entries the walk asked about, as the walk wrote them, with their
    /// canonical path and configuration.
    walked_folders: PathMap<(PathBuf, Option<Arc<ConfigFile>>)>,
}

impl Resolver {
    /// Reads the `--config` file at once, so a broken one stops the run before any work.
    pub fn new(choice: ConfigChoice) -> Result<Self, ConfigError> {
        let explicit = match &choice {
            ConfigChoice::File(path) => {
                let config = file::read(path)?;
                log::debug!("using config {}", config.display);
                Some(Arc::new(config))
            }
            ConfigChoice::Discover | ConfigChoice::Isolated => None,
        };
        // Only a search for configuration files has anything to probe.
        let probes = match choice {
            ConfigChoice::Discover => FolderProbes(Some(Arc::default())),
            ConfigChoice::Isolated | ConfigChoice::File(_) => FolderProbes(None),
        };
        Ok(Self {
            choice,
            explicit,
            probes,
            ..Self::default()
        })
    }

    /// The configuration that applies to files in `folder` (absolute).
    pub fn config_for_folder(
        &mut self,
        folder: &Path,
    ) -> Result<Option<Arc<ConfigFile>>, ConfigError> {
        match self.choice {
            ConfigChoice::Isolated => return Ok(None),
            ConfigChoice::File(_) => return Ok(self.explicit.clone()),
            ConfigChoice::Discover => {}
        }
        if let Some(found) = self.nearest.get(folder) {
            return Ok(found.clone());
        }

        // The folders up to the repository root, walked up only until one is known: the
        // siblings and children of a folder searched before cost one look-up.
        let start = crate::paths::absolute(folder);
        let last = discover::last_folder_searched(&start);
        let mut searched = Vec::new();
        let mut found = None;
        for ancestor in start.ancestors() {
            if let Some(known) = self.nearest.get(ancestor) {
                found = known.clone();
                break;
            }
            searched.push(ancestor.to_path_buf());
            let probed = self.probes.take(ancestor);
            if let Some(path) = probed.map_or_else(|| config_file_in(ancestor), Ok)? {
                let config = file::read(&path)?;
                log::debug!("using config {}", config.display);
                found = Some(Arc::new(config));
                break;
            }
            if ancestor == last {
                break;
            }
        }
        for folder in searched {
            self.nearest.insert(folder, found.clone());
        }
        Ok(found)
    }

    /// The settings of the file at `path`.
    pub fn settings_for(&mut self, path: &Path) -> Result<Arc<Settings>, ConfigError> {
        let absolute = crate::paths::canonical(path);
        if let Some(settings) = self.settings.get(&absolute) {
            return Ok(settings.clone());
        }

        let folder = absolute
            .parent()
            .map_or_else(|| absolute.clone(), Path::to_path_buf);
        let settings = match self.config_for_folder(&folder)? {
            // Every file without a configuration has the same settings.
            None => self
                .unconfigured
                .get_or_insert_with(|| Arc::new(Settings::resolve(None, None)))
                .clone(),
            Some(config) => {
                let relative = relative_to(&absolute, &config.folder);
                Arc::new(Settings::resolve(Some(config), Some(&relative)))
            }
        };
        self.settings.insert(absolute, settings.clone());
        Ok(settings)
    }

    /// A handle for the walk's threads to find out about a folder before asking the resolver
    /// whether its entries are excluded ([`FolderProbes::probe`]).
    pub fn probes(&self) -> FolderProbes {
        self.probes.clone()
    }

    /// Whether a file or folder found while walking is excluded by its configuration.
    pub fn is_excluded(&mut self, path: &Path) -> Result<bool, ConfigError> {
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return Ok(false);
        };
        if !self.walked_folders.contains_key(parent) {
            // An entry is judged where it stands, in its folder's canonical path: a symbolic
            // link inside an excluded folder is excluded with it.
            let folder = crate::paths::canonical(&crate::paths::absolute(parent));
            let config = self.config_for_folder(&folder)?;
            self.walked_folders
                .insert(parent.to_path_buf(), (folder, config));
        }

        let Some((folder, Some(config))) = self.walked_folders.get(parent) else {
            return Ok(false);
        };
        Ok(config
            .exclude
            .matches(&relative_to(&folder.join(name), &config.folder)))
    }
}

/// What the threads of a walk find out about each new folder without holding the resolver: its
/// canonical path and repository root (remembered by [`crate::paths`]) and the configuration
/// file in it. The file-system questions of a walk then run on every core; the resolver, one
/// at a time, only reads the answers.
#[derive(Debug, Default, Clone)]
pub struct FolderProbes(Option<Arc<Mutex<Probes>>>);

#[derive(Debug, Default)]
struct Probes {
    /// Folders as the walk wrote them, probed already.
    walked: crate::paths::PathSet,
    /// The configuration file in each canonical folder probed and not yet asked about.
    config_files: PathMap<Option<PathBuf>>,
}

impl FolderProbes {
    /// Finds out about the folder of an entry the walk found, once per folder.
    pub fn probe(&self, walked_folder: &Path) {
        let Some(shared) = &self.0 else {
            return;
        };
        if lock(shared).walked.contains(walked_folder) {
            return;
        }
        let folder = crate::paths::canonical(&crate::paths::absolute(walked_folder));
        crate::paths::repository_root(&folder);
        // Two configuration files in one folder are an error, reported when the resolver asks.
        let config_file = config_file_in(&folder).ok();

        let mut probes = lock(shared);
        probes.walked.insert(walked_folder.to_path_buf());
        if let Some(config_file) = config_file {
            probes.config_files.insert(folder, config_file);
        }
    }

    fn take(&self, folder: &Path) -> Option<Option<PathBuf>> {
        lock(self.0.as_ref()?).config_files.remove(folder)
    }
}

fn lock(probes: &Mutex<Probes>) -> MutexGuard<'_, Probes> {
    probes.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The configuration file in `folder` itself, if any; two is an error, since which one was meant
/// cannot be told, and so is a folder with a configuration file's name, which would otherwise
/// leave the folder silently unconfigured.
fn config_file_in(folder: &Path) -> Result<Option<PathBuf>, ConfigError> {
    let mut present = Vec::new();
    for name in CONFIG_FILE_NAMES {
        let path = folder.join(name);
        let Ok(metadata) = std::fs::metadata(&path) else {
            continue;
        };
        if metadata.is_dir() {
            return Err(ConfigError {
                problems: vec![ConfigProblem {
                    file: crate::paths::display(&path),
                    line: 0,
                    column: 0,
                    message: format!(
                        "`{name}` is a folder, not a configuration file; rename it, or run with \
                         `--config FILE` or `--isolated`"
                    ),
                }],
            });
        }
        if metadata.is_file() {
            present.push(path);
        }
    }
    match present.as_slice() {
        [] => Ok(None),
        [only] => Ok(Some(only.clone())),
        [first, ..] => Err(ConfigError {
            problems: vec![ConfigProblem {
                file: crate::paths::display(first),
                line: 0,
                column: 0,
                message: format!(
                    "`{}` holds both `escalint.toml` and `.escalint.toml`; keep one",
                    crate::paths::display(folder)
                ),
            }],
        }),
    }
}

/// `path` relative to `folder` when inside it, else as it is.
pub fn relative_to(path: &Path, folder: &Path) -> PathBuf {
    path.strip_prefix(folder)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references_compare_with_docker_hub_defaults() {
        assert_eq!(normalise_image("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(
            normalise_image("library/nginx:1.27"),
            "docker.io/library/nginx:1.27"
        );
        assert_eq!(
            normalise_image("gcr.io/distroless/static:nonroot@sha256:abc"),
            "gcr.io/distroless/static:nonroot"
        );
        assert_eq!(
            normalise_image("localhost:5000/app"),
            "localhost:5000/app:latest"
        );
        assert_eq!(
            normalise_image("registry.example:5000/team/app:2@sha256:abc"),
            "registry.example:5000/team/app:2"
        );
        assert_eq!(
            normalise_image("app@sha256:abc"),
            "docker.io/library/app@sha256:abc"
        );
    }

    #[test]
    fn fail_on_thresholds() {
        assert!(FailOn::Warning.is_reached_by(Severity::Error));
        assert!(!FailOn::Warning.is_reached_by(Severity::Note));
        assert!(FailOn::Note.is_reached_by(Severity::Note));
        assert!(!FailOn::Never.is_reached_by(Severity::Error));
    }
}
