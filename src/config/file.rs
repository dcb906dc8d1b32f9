//! Reads one `escalint.toml`: every key is checked against the known ones, every rule name
//! against the rule documents, and each problem keeps the line and column where it was written.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::config::{
    CapabilityAllowance, ConfigError, ConfigProblem, FailOn, Level, NoNewPrivileges, NonRootImage,
    SetuidAllowance,
};
use crate::model::normalise_capability;
use crate::rules::rule_docs;

const TOP_LEVEL_KEYS: &[&str] = &[
    "allow",
    "exclude",
    "fail-on",
    "ignore",
    "max-file-size",
    "overrides",
    "require-reason",
    "runtime",
    "select",
    "severity",
];
const OVERRIDE_KEYS: &[&str] = &["files", "ignore", "select", "severity"];
const ALLOW_KEYS: &[&str] = &["capabilities", "non-root-images", "setuid"];
const RUNTIME_KEYS: &[&str] = &["no-new-privileges"];
const SETUID_KEYS: &[&str] = &["path", "reason"];
const CAPABILITY_KEYS: &[&str] = &["capabilities", "reason", "service"];
const NON_ROOT_IMAGE_KEYS: &[&str] = &["image", "reason", "uid"];

/// The Linux capabilities the engine knows, without the `CAP_` prefix (capabilities(7)).
pub const CAPABILITIES: &[&str] = &[
    "AUDIT_CONTROL",
    "AUDIT_READ",
    "AUDIT_WRITE",
    "BLOCK_SUSPEND",
    "BPF",
    "CHECKPOINT_RESTORE",
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "IPC_LOCK",
    "IPC_OWNER",
    "KILL",
    "LEASE",
    "LINUX_IMMUTABLE",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "MKNOD",
    "NET_ADMIN",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_RAW",
    "PERFMON",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYSLOG",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_CHROOT",
    "SYS_MODULE",
    "SYS_NICE",
    "SYS_PACCT",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "WAKE_ALARM",
];

/// One configuration file as written, validated.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// Absolute path of the file.
    pub path: PathBuf,
    /// The path as the user should read it.
    pub display: String,
    /// Globs and relative paths in the file are read from this folder.
    pub folder: PathBuf,
    /// Rules to run; `None` runs every rule.
    pub select: Option<Vec<&'static str>>,
    pub ignore: Vec<&'static str>,
    pub severity: BTreeMap<&'static str, Level>,
    pub fail_on: Option<FailOn>,
    /// Files larger than this many bytes are reported and skipped.
    pub max_file_size: Option<u64>,
    pub require_reason: bool,
    pub exclude: Globs,
    pub overrides: Vec<Override>,
    pub setuid: Vec<SetuidAllowance>,
    pub capabilities: Vec<CapabilityAllowance>,
    pub non_root_images: Vec<NonRootImage>,
    pub no_new_privileges: NoNewPrivileges,
}

/// Settings that apply to the files an `[[overrides]]` entry's globs match.
#[derive(Debug, Clone)]
pub struct Override {
    pub files: Globs,
    pub select: Vec<&'static str>,
    pub ignore: Vec<&'static str>,
    pub severity: BTreeMap<&'static str, Level>,
}

/// Globs as written and compiled; a glob without `/` matches a name in any folder, as in
/// `.gitignore`, and a glob that matches a folder matches everything below it.
#[derive(Debug, Clone, Default)]
pub struct Globs {
    pub patterns: Vec<String>,
    set: GlobSet,
}

impl Globs {
    /// Whether `relative` (a path relative to the config's folder) or a folder above it matches.
    pub fn matches(&self, relative: &Path) -> bool {
        if self.patterns.is_empty() {
            return false;
        }
        relative
            .ancestors()
            .filter(|ancestor| !ancestor.as_os_str().is_empty())
            .any(|ancestor| self.set.is_match(ancestor))
    }
}

/// Reads and validates the configuration at `path`.
pub fn read(path: &Path) -> Result<ConfigFile, ConfigError> {
    let display = crate::paths::display(path);
    let text = std::fs::read_to_string(path).map_err(|err| ConfigError {
        problems: vec![ConfigProblem {
            file: display.clone(),
            line: 0,
            column: 0,
            message: format!("cannot read the configuration: {err}"),
        }],
    })?;
    let absolute = crate::paths::canonical(path);
    let folder = absolute
        .parent()
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    parse(&text, absolute, display, folder)
}

/// Validates the text of a configuration file.
pub fn parse(
    text: &str,
    path: PathBuf,
    display: String,
    folder: PathBuf,
) -> Result<ConfigFile, ConfigError> {
    let mut reader = Reader {
        text,
        display: display.clone(),
        problems: Vec::new(),
    };
    let mut config = ConfigFile {
        path,
        display,
        folder,
        select: None,
        ignore: Vec::new(),
        severity: BTreeMap::new(),
        fail_on: None,
        max_file_size: None,
        require_reason: false,
        exclude: Globs::default(),
        overrides: Vec::new(),
        setuid: Vec::new(),
        capabilities: Vec::new(),
        non_root_images: Vec::new(),
        no_new_privileges: NoNewPrivileges::Container,
    };

    match DeTable::parse(text) {
        Ok(table) => reader.read_top_level(table.get_ref(), &mut config),
        Err(err) => {
            let at = err.span().map_or(0, |span| span.start);
            reader.problem(at..at, format!("not valid TOML: {}", err.message()));
        }
    }

    if reader.problems.is_empty() {
        Ok(config)
    } else {
        reader
            .problems
            .sort_by_key(|problem| (problem.line, problem.column));
        Err(ConfigError {
            problems: reader.problems,
        })
    }
}

/// Walks the TOML document and collects every problem rather than stopping at the first.
struct Reader<'a> {
    text: &'a str,
    display: String,
    problems: Vec<ConfigProblem>,
}

type Entry<'a, 'i> = (
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
);

impl Reader<'_> {
    fn read_top_level(&mut self, table: &DeTable<'_>, config: &mut ConfigFile) {
        for (key, value) in self.known_entries(table, TOP_LEVEL_KEYS, "key") {
            match key.get_ref().as_ref() {
                "select" => config.select = Some(self.rule_names(value)),
                "ignore" => config.ignore = self.rule_names(value),
                "severity" => config.severity = self.severities(value),
                "fail-on" => config.fail_on = self.fail_on(value),
                "max-file-size" => config.max_file_size = self.file_size(value),
                "require-reason" => config.require_reason = self.boolean(value).unwrap_or(false),
                "exclude" => config.exclude = self.globs(value),
                "overrides" => config.overrides = self.overrides(value),
                "allow" => self.read_allow(value, config),
                "runtime" => self.read_runtime(value, config),
                _ => unreachable!("known_entries returns only listed keys"),
            }
        }
    }

    fn read_allow(&mut self, value: &Spanned<DeValue<'_>>, config: &mut ConfigFile) {
        let Some(table) = self.table(value) else {
            return;
        };
        for (key, value) in self.known_entries(table, ALLOW_KEYS, "allowlist") {
            let entries = self.tables(value);
            for entry in entries {
                match key.get_ref().as_ref() {
                    "setuid" => {
                        if let Some(allowance) = self.setuid_allowance(entry) {
                            config.setuid.push(allowance);
                        }
                    }
                    "capabilities" => {
                        if let Some(allowance) = self.capability_allowance(entry) {
                            config.capabilities.push(allowance);
                        }
                    }
                    "non-root-images" => {
                        if let Some(image) = self.non_root_image(entry) {
                            config.non_root_images.push(image);
                        }
                    }
                    _ => unreachable!("known_entries returns only listed keys"),
                }
            }
        }
    }

    fn read_runtime(&mut self, value: &Spanned<DeValue<'_>>, config: &mut ConfigFile) {
        let Some(table) = self.table(value) else {
            return;
        };
        for (_, value) in self.known_entries(table, RUNTIME_KEYS, "key") {
            let Some(text) = self.string(value) else {
                continue;
            };
            match text.as_str() {
                "daemon" => config.no_new_privileges = NoNewPrivileges::Daemon,
                "container" => config.no_new_privileges = NoNewPrivileges::Container,
                other => self.problem(
                    value.span(),
                    format!(
                        "`no-new-privileges` is `{other}`; expected `container` (each container \
                         must set it) or `daemon` (the daemon sets it for every container)"
                    ),
                ),
            }
        }
    }

    fn overrides(&mut self, value: &Spanned<DeValue<'_>>) -> Vec<Override> {
        let mut overrides = Vec::new();
        for entry in self.tables(value) {
            let Some(table) = entry.get_ref().as_table() else {
                continue;
            };
            let mut files = None;
            let mut result = Override {
                files: Globs::default(),
                select: Vec::new(),
                ignore: Vec::new(),
                severity: BTreeMap::new(),
            };
            for (key, value) in self.known_entries(table, OVERRIDE_KEYS, "key") {
                match key.get_ref().as_ref() {
                    "files" => files = Some(self.globs(value)),
                    "select" => result.select = self.rule_names(value),
                    "ignore" => result.ignore = self.rule_names(value),
                    "severity" => result.severity = self.severities(value),
                    _ => unreachable!("known_entries returns only listed keys"),
                }
            }
            match files {
                Some(files) => {
                    result.files = files;
                    overrides.push(result);
                }
                None => self.problem(
                    entry.span(),
                    "an `[[overrides]]` entry needs `files`, the globs it applies to".to_owned(),
                ),
            }
        }
        overrides
    }

    fn setuid_allowance(&mut self, entry: &Spanned<DeValue<'_>>) -> Option<SetuidAllowance> {
        let table = entry.get_ref().as_table()?;
        let mut path = None;
        let mut reason = None;
        for (key, value) in self.known_entries(table, SETUID_KEYS, "key") {
            match key.get_ref().as_ref() {
                "path" => path = self.string(value),
                "reason" => reason = self.reason(value),
                _ => unreachable!("known_entries returns only listed keys"),
            }
        }
        let path = self.required(entry, path, "path", "allow.setuid")?;
        let reason = self.required(entry, reason, "reason", "allow.setuid")?;
        Some(SetuidAllowance { path, reason })
    }

    fn capability_allowance(
        &mut self,
        entry: &Spanned<DeValue<'_>>,
    ) -> Option<CapabilityAllowance> {
        let table = entry.get_ref().as_table()?;
        let mut service = None;
        let mut capabilities = None;
        let mut reason = None;
        for (key, value) in self.known_entries(table, CAPABILITY_KEYS, "key") {
            match key.get_ref().as_ref() {
                "service" => service = self.string(value),
                "capabilities" => capabilities = Some(self.capability_names(value)),
                "reason" => reason = self.reason(value),
                _ => unreachable!("known_entries returns only listed keys"),
            }
        }
        let service = self.required(entry, service, "service", "allow.capabilities")?;
        let capabilities =
            self.required(entry, capabilities, "capabilities", "allow.capabilities")?;
        let reason = self.required(entry, reason, "reason", "allow.capabilities")?;
        Some(CapabilityAllowance {
            service,
            capabilities,
            reason,
        })
    }

    fn non_root_image(&mut self, entry: &Spanned<DeValue<'_>>) -> Option<NonRootImage> {
        let table = entry.get_ref().as_table()?;
        let mut image = None;
        let mut uid = None;
        let mut reason = None;
        for (key, value) in self.known_entries(table, NON_ROOT_IMAGE_KEYS, "key") {
            match key.get_ref().as_ref() {
                "image" => image = self.string(value),
                "uid" => uid = self.uid(value),
                "reason" => reason = self.reason(value),
                _ => unreachable!("known_entries returns only listed keys"),
            }
        }
        let image = self.required(entry, image, "image", "allow.non-root-images")?;
        let uid = self.required(entry, uid, "uid", "allow.non-root-images")?;
        let reason = self.required(entry, reason, "reason", "allow.non-root-images")?;
        Some(NonRootImage { image, uid, reason })
    }

    /// The entries of a table whose keys are known, in the order they were written; an unknown
    /// key is a problem naming the closest known one.
    fn known_entries<'a, 'i>(
        &mut self,
        table: &'a DeTable<'i>,
        known: &[&str],
        what: &str,
    ) -> Vec<Entry<'a, 'i>> {
        let mut entries: Vec<Entry<'a, 'i>> = table.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        entries.retain(|(key, _)| {
            let name = key.get_ref().as_ref();
            if known.contains(&name) {
                return true;
            }
            let message = format!("unknown {what} `{name}`; {}", suggestion(name, known));
            self.problem(key.span(), message);
            false
        });
        entries
    }

    fn rule_names(&mut self, value: &Spanned<DeValue<'_>>) -> Vec<&'static str> {
        let mut names = Vec::new();
        for item in self.strings(value) {
            if let Some(name) = self.rule_name(item.get_ref(), item.span()) {
                names.push(name);
            }
        }
        names
    }

    fn rule_name(&mut self, name: &str, span: Range<usize>) -> Option<&'static str> {
        let known: Vec<&'static str> = rule_docs().iter().map(|doc| doc.name).collect();
        if let Some(found) = known.iter().find(|known| **known == name) {
            return Some(found);
        }
        self.problem(
            span,
            format!("unknown rule `{name}`; {}", suggestion(name, &known)),
        );
        None
    }

    fn severities(&mut self, value: &Spanned<DeValue<'_>>) -> BTreeMap<&'static str, Level> {
        let mut severities = BTreeMap::new();
        let Some(table) = self.table(value) else {
            return severities;
        };
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        for (key, value) in entries {
            let rule = self.rule_name(key.get_ref(), key.span());
            let level = self
                .string(value)
                .and_then(|text| match Level::parse(&text) {
                    Some(level) => Some(level),
                    None => {
                        let message = format!(
                            "severity `{text}`; {}",
                            suggestion(&text, &["error", "warning", "note", "off"])
                        );
                        self.problem(value.span(), message);
                        None
                    }
                });
            if let (Some(rule), Some(level)) = (rule, level) {
                severities.insert(rule, level);
            }
        }
        severities
    }

    fn fail_on(&mut self, value: &Spanned<DeValue<'_>>) -> Option<FailOn> {
        let text = self.string(value)?;
        let fail_on = FailOn::parse(&text);
        if fail_on.is_none() {
            let message = format!(
                "`fail-on` is `{text}`; {}",
                suggestion(&text, &["error", "warning", "note", "never"])
            );
            self.problem(value.span(), message);
        }
        fail_on
    }

    /// A size in bytes: a whole number, or a string with a unit such as `"10MiB"`.
    fn file_size(&mut self, value: &Spanned<DeValue<'_>>) -> Option<u64> {
        let size = match value.get_ref() {
            DeValue::Integer(integer) => {
                u64::from_str_radix(&integer.as_str().replace('_', ""), integer.radix()).ok()
            }
            DeValue::String(text) => crate::config::parse_size(text),
            _ => None,
        };
        if size.is_none_or(|size| size == 0) {
            let message = "`max-file-size` must be a positive number of bytes or a size such as \
                           \"10MiB\" (units: B, KiB, MiB, GiB)"
                .to_owned();
            self.problem(value.span(), message);
            return None;
        }
        size
    }

    fn globs(&mut self, value: &Spanned<DeValue<'_>>) -> Globs {
        let mut patterns = Vec::new();
        let mut builder = GlobSetBuilder::new();
        for item in self.strings(value) {
            let pattern = item.get_ref().clone();
            let anchored = pattern.trim_end_matches('/');
            let written = match anchored.strip_prefix('/') {
                Some(rooted) => rooted.to_owned(),
                None if !anchored.contains('/') => format!("**/{anchored}"),
                None => anchored.to_owned(),
            };
            match GlobBuilder::new(&written).literal_separator(true).build() {
                Ok(glob) => {
                    builder.add(glob);
                    patterns.push(pattern);
                }
                Err(err) => self.problem(
                    item.span(),
                    format!("`{pattern}` is not a valid glob: {}", err.kind()),
                ),
            }
        }
        let set = builder.build().unwrap_or_default();
        Globs { patterns, set }
    }

    fn capability_names(&mut self, value: &Spanned<DeValue<'_>>) -> Vec<String> {
        let mut names = Vec::new();
        for item in self.strings(value) {
            let name = normalise_capability(item.get_ref());
            if CAPABILITIES.contains(&name.as_str()) {
                names.push(name);
                continue;
            }
            let message = format!(
                "unknown capability `{}`; {}",
                item.get_ref(),
                suggestion(&name, CAPABILITIES)
            );
            self.problem(item.span(), message);
        }
        names
    }

    fn uid(&mut self, value: &Spanned<DeValue<'_>>) -> Option<u32> {
        let uid = match value.get_ref().as_integer() {
            Some(integer) => {
                u32::from_str_radix(&integer.as_str().replace('_', ""), integer.radix()).ok()
            }
            None => None,
        };
        match uid {
            Some(0) => {
                self.problem(
                    value.span(),
                    "uid 0 is root; list only images that run as a non-root user".to_owned(),
                );
                None
            }
            Some(uid) => Some(uid),
            None => {
                self.problem(value.span(), "expected a uid, a whole number".to_owned());
                None
            }
        }
    }

    fn reason(&mut self, value: &Spanned<DeValue<'_>>) -> Option<String> {
        let reason = self.string(value)?;
        if reason.trim().is_empty() {
            self.problem(value.span(), "the reason is empty; say why".to_owned());
            return None;
        }
        Some(reason)
    }

    fn required<T>(
        &mut self,
        entry: &Spanned<DeValue<'_>>,
        value: Option<T>,
        key: &str,
        list: &str,
    ) -> Option<T> {
        if value.is_none() {
            let has_key = entry
                .get_ref()
                .as_table()
                .is_some_and(|table| table.iter().any(|(name, _)| name.get_ref() == key));
            if !has_key {
                self.problem(entry.span(), format!("this `{list}` entry needs `{key}`"));
            }
        }
        value
    }

    fn table<'a, 'i>(&mut self, value: &'a Spanned<DeValue<'i>>) -> Option<&'a DeTable<'i>> {
        let table = value.get_ref().as_table();
        if table.is_none() {
            let found = value.get_ref().type_str();
            self.problem(value.span(), format!("expected a table, found {found}"));
        }
        table
    }

    /// The tables of an array of tables (`[[allow.setuid]]` or `setuid = [{ ... }]`).
    fn tables<'a, 'i>(&mut self, value: &'a Spanned<DeValue<'i>>) -> Vec<&'a Spanned<DeValue<'i>>> {
        let Some(array) = value.get_ref().as_array() else {
            let found = value.get_ref().type_str();
            self.problem(
                value.span(),
                format!("expected an array of tables, found {found}"),
            );
            return Vec::new();
        };
        let mut tables = Vec::new();
        for item in array.iter() {
            if item.get_ref().is_table() {
                tables.push(item);
            } else {
                let found = item.get_ref().type_str();
                self.problem(item.span(), format!("expected a table, found {found}"));
            }
        }
        tables
    }

    fn strings(&mut self, value: &Spanned<DeValue<'_>>) -> Vec<Spanned<String>> {
        let Some(array) = value.get_ref().as_array() else {
            let found = value.get_ref().type_str();
            self.problem(
                value.span(),
                format!("expected an array of strings, found {found}"),
            );
            return Vec::new();
        };
        let mut strings = Vec::new();
        for item in array.iter() {
            if let Some(text) = self.string(item) {
                strings.push(Spanned::new(item.span(), text));
            }
        }
        strings
    }

    fn string(&mut self, value: &Spanned<DeValue<'_>>) -> Option<String> {
        let text = value.get_ref().as_str().map(str::to_owned);
        if text.is_none() {
            let found = value.get_ref().type_str();
            self.problem(value.span(), format!("expected a string, found {found}"));
        }
        text
    }

    fn boolean(&mut self, value: &Spanned<DeValue<'_>>) -> Option<bool> {
        let boolean = value.get_ref().as_bool();
        if boolean.is_none() {
            let found = value.get_ref().type_str();
            self.problem(
                value.span(),
                format!("expected `true` or `false`, found {found}"),
            );
        }
        boolean
    }

    fn problem(&mut self, span: Range<usize>, message: String) {
        let (line, column) = line_column(self.text, span.start);
        self.problems.push(ConfigProblem {
            file: self.display.clone(),
            line,
            column,
            message,
        });
    }
}

/// `did you mean `x`?` for a close name, else the list of valid names.
pub fn suggestion(name: &str, known: &[&str]) -> String {
    let closest = known
        .iter()
        .map(|candidate| (strsim::jaro_winkler(name, candidate), *candidate))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match closest {
        Some((score, candidate)) if score >= 0.7 => format!("did you mean `{candidate}`?"),
        _ => {
            let listed: Vec<String> = known.iter().map(|name| format!("`{name}`")).collect();
            format!("expected one of {}", listed.join(", "))
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<ConfigFile, ConfigError> {
        parse(
            text,
            PathBuf::from("/repo/escalint.toml"),
            "escalint.toml".to_owned(),
            PathBuf::from("/repo"),
        )
    }

    fn problems(text: &str) -> Vec<String> {
        let err = parse_text(text).expect_err("the configuration is invalid");
        err.to_string().lines().map(str::to_owned).collect()
    }

    #[test]
    fn a_full_configuration_reads() {
        let config = parse_text(
            r#"
select = ["setuid-bit", "no-new-privileges-missing"]
ignore = ["cap-drop-all-missing"]
fail-on = "error"
require-reason = true
exclude = ["vendor", "/build/**"]

[severity]
setuid-bit = "warning"
parse-error = "off"

[runtime]
no-new-privileges = "daemon"

[[allow.setuid]]
path = "/usr/bin/newuidmap"
reason = "rootless podman needs newuidmap"

[[allow.capabilities]]
service = "vpn"
capabilities = ["net_admin", "CAP_NET_RAW"]
reason = "the VPN client sets up routes"

[[allow.non-root-images]]
image = "gcr.io/distroless/static:nonroot"
uid = 65_532
reason = "distroless nonroot images run as 65532"

[[overrides]]
files = ["legacy/**"]
severity = { setuid-bit = "note" }
"#,
        )
        .expect("the configuration is valid");

        assert_eq!(
            config.select,
            Some(vec!["setuid-bit", "no-new-privileges-missing"])
        );
        assert_eq!(config.ignore, vec!["cap-drop-all-missing"]);
        assert_eq!(config.fail_on, Some(FailOn::Error));
        assert!(config.require_reason);
        assert_eq!(config.exclude.patterns, vec!["vendor", "/build/**"]);
        assert_eq!(config.no_new_privileges, NoNewPrivileges::Daemon);
        assert_eq!(config.setuid[0].path, "/usr/bin/newuidmap");
        assert_eq!(
            config.capabilities[0].capabilities,
            vec!["NET_ADMIN", "NET_RAW"]
        );
        assert_eq!(config.non_root_images[0].uid, 65_532);
        assert_eq!(config.overrides.len(), 1);
        assert!(
            config.overrides[0]
                .files
                .matches(Path::new("legacy/app/Dockerfile"))
        );
        assert!(
            !config.overrides[0]
                .files
                .matches(Path::new("app/Dockerfile"))
        );
    }

    #[test]
    fn an_unknown_key_names_its_line_and_the_closest_key() {
        assert_eq!(
            problems("fail-on = \"error\"\nselct = [\"setuid-bit\"]\n"),
            vec!["escalint.toml:2:1: unknown key `selct`; did you mean `select`?"]
        );
    }

    #[test]
    fn an_unknown_rule_names_the_closest_rule() {
        assert_eq!(
            problems("ignore = [\"setuid\"]\n\n[severity]\ncap-drop-all = \"note\"\n"),
            vec![
                "escalint.toml:1:11: unknown rule `setuid`; did you mean `setuid-bit`?",
                "escalint.toml:4:1: unknown rule `cap-drop-all`; did you mean \
                 `cap-drop-all-missing`?",
            ]
        );
    }

    #[test]
    fn wrong_values_are_problems() {
        let found = problems(
            r#"fail-on = "warn"
require-reason = "yes"
[severity]
setuid-bit = "fatal"
[runtime]
no-new-privileges = "host"
[[allow.non-root-images]]
image = "example/root"
uid = 0
reason = "wrong"
[[allow.capabilities]]
service = "vpn"
capabilities = ["NET_ADMN"]
reason = "vpn"
[[allow.setuid]]
path = "/usr/bin/newuidmap"
"#,
        );

        assert_eq!(found.len(), 7, "{found:#?}");
        assert!(found[0].contains("`fail-on` is `warn`; did you mean `warning`?"));
        assert!(found[1].contains("expected `true` or `false`, found string"));
        assert!(found[2].contains("severity `fatal`"));
        assert!(found[3].contains("`no-new-privileges` is `host`"));
        assert!(found[4].contains("uid 0 is root"));
        assert!(found[5].contains("unknown capability `NET_ADMN`; did you mean `NET_ADMIN`?"));
        assert!(found[6].contains("this `allow.setuid` entry needs `reason`"));
    }

    #[test]
    fn an_allowlist_entry_needs_a_reason_that_says_something() {
        let found = problems("[[allow.setuid]]\npath = \"/usr/bin/ping\"\nreason = \" \"\n");

        assert_eq!(
            found,
            vec!["escalint.toml:3:10: the reason is empty; say why"]
        );
    }

    #[test]
    fn broken_toml_is_a_problem_with_a_position() {
        let found = problems("select = [\"setuid-bit\"\n");

        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with("escalint.toml:"), "{found:?}");
        assert!(found[0].contains("not valid TOML"), "{found:?}");
    }

    #[test]
    fn globs_without_a_slash_match_names_in_any_folder() {
        let config =
            parse_text("exclude = [\"vendor\", \"*.dev\", \"/ci/Dockerfile\"]\n").expect("valid");

        assert!(config.exclude.matches(Path::new("vendor")));
        assert!(config.exclude.matches(Path::new("a/vendor/x/Dockerfile")));
        assert!(config.exclude.matches(Path::new("app/Dockerfile.dev")));
        assert!(config.exclude.matches(Path::new("ci/Dockerfile")));
        assert!(!config.exclude.matches(Path::new("app/ci/Dockerfile")));
        assert!(!config.exclude.matches(Path::new("app/Dockerfile")));
    }
}
