//! `escalint config --show PATH`: the settings that apply to a path, printed as a configuration
//! file with comments saying where each part comes from.

use std::fmt::Write as _;

use crate::config::{Level, NoNewPrivileges, Settings};
use crate::rules::NO_NEW_PRIVILEGES_MISSING;

/// Renders the effective configuration of `shown` (the path as the user gave it).
pub fn render(shown: &str, settings: &Settings) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# the effective configuration for {shown}");
    match &settings.config {
        Some(config) => {
            let _ = writeln!(out, "# read from {}", config.display);
        }
        None => out.push_str("# no configuration file: the defaults\n"),
    }

    let config = settings.config.as_deref();
    let daemon = settings.daemon_sets_no_new_privileges();
    let _ = writeln!(out, "\nfail-on = \"{}\"", settings.fail_on().as_str());
    let _ = writeln!(out, "require-reason = {}", settings.requires_reason());
    let exclude = config.map_or(&[][..], |config| &config.exclude.patterns[..]);
    let _ = writeln!(out, "exclude = {}", string_array(exclude));

    out.push_str("\n[severity]\n");
    for (rule, level) in settings.levels() {
        let level = match level {
            Level::Severity(severity) => severity.as_str(),
            Level::Off => "off",
        };
        let _ = write!(out, "{rule} = \"{level}\"");
        if rule == NO_NEW_PRIVILEGES_MISSING && daemon {
            out.push_str("  # off: the daemon sets no-new-privileges (runtime.no-new-privileges)");
        } else if settings.configured_severity(rule).is_some() {
            out.push_str("  # set in the configuration");
        }
        out.push('\n');
    }

    let assumption = match config.map(|config| config.no_new_privileges) {
        Some(NoNewPrivileges::Daemon) => "daemon",
        _ => "container",
    };
    let _ = writeln!(out, "\n[runtime]\nno-new-privileges = \"{assumption}\"");

    let Some(config) = config else {
        return out;
    };
    for allowed in &config.setuid {
        let _ = writeln!(
            out,
            "\n[[allow.setuid]]\npath = {}\nreason = {}",
            quoted(&allowed.path),
            quoted(&allowed.reason)
        );
    }
    for allowed in &config.capabilities {
        let _ = writeln!(
            out,
            "\n[[allow.capabilities]]\nservice = {}\ncapabilities = {}\nreason = {}",
            quoted(&allowed.service),
            string_array(&allowed.capabilities),
            quoted(&allowed.reason)
        );
    }
    for allowed in &config.non_root_images {
        let _ = writeln!(
            out,
            "\n[[allow.non-root-images]]\nimage = {}\nuid = {}\nreason = {}",
            quoted(&allowed.image),
            allowed.uid,
            quoted(&allowed.reason)
        );
    }
    for (index, rule_override) in config.overrides.iter().enumerate() {
        let applied = if settings.matched_overrides.contains(&index) {
            "applied above"
        } else {
            "not applied to this path"
        };
        let _ = writeln!(
            out,
            "\n# {applied}\n[[overrides]]\nfiles = {}",
            string_array(&rule_override.files.patterns)
        );
        if !rule_override.select.is_empty() {
            let _ = writeln!(out, "select = {}", string_array(&rule_override.select));
        }
        if !rule_override.ignore.is_empty() {
            let _ = writeln!(out, "ignore = {}", string_array(&rule_override.ignore));
        }
        for (rule, level) in &rule_override.severity {
            let level = match level {
                Level::Severity(severity) => severity.as_str(),
                Level::Off => "off",
            };
            let _ = writeln!(out, "severity.{rule} = \"{level}\"");
        }
    }
    out
}

/// A TOML basic string; JSON's escapes are all valid in TOML.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

fn string_array<T: AsRef<str>>(items: &[T]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| quoted(item.as_ref())).collect();
    format!("[{}]", quoted.join(", "))
}
