//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::ConfigChoice;
pub use crate::config::FailOn;
use crate::discover::Kind;

#[derive(Debug, Parser)]
#[command(
    name = "escalint",
    version,
    about = "Finds privilege-escalation paths in Dockerfiles and Docker Compose files"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Show decisions (-v) or per-file detail (-vv) on standard error.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Print diagnostics only: no summary line.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint Dockerfiles and Compose files.
    Check(CheckArgs),
    /// List the rules.
    Rules,
    /// Print a rule's document.
    Explain {
        /// The rule's name, as `escalint rules` lists it.
        rule: String,
    },
    /// Show the configuration that applies to a path.
    Config(ConfigCommandArgs),
    /// Run a Language Server Protocol server on standard input and output, for editors.
    Server,
}

/// Where the configuration comes from; shared by `check` and `config`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Use this configuration file for every file, instead of the nearest `escalint.toml` or
    /// `.escalint.toml` above each one.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,

    /// Ignore every configuration file: run with the defaults.
    #[arg(long)]
    pub isolated: bool,
}

impl ConfigArgs {
    pub fn choice(&self) -> ConfigChoice {
        match (&self.config, self.isolated) {
            (Some(path), _) => ConfigChoice::File(path.clone()),
            (None, true) => ConfigChoice::Isolated,
            (None, false) => ConfigChoice::Discover,
        }
    }
}

#[derive(Debug, Args)]
pub struct ConfigCommandArgs {
    /// Print the effective configuration of PATH: the settings its nearest configuration file
    /// (or `--config`) gives it, overrides applied.
    #[arg(long)]
    pub show: bool,

    /// The file or folder whose configuration to show.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files and folders to lint; `-` reads standard input. Without paths or `-f`, the current
    /// folder.
    pub paths: Vec<PathBuf>,

    /// Lint these Compose files as one project, merged in order as `docker compose -f a -f b`
    /// does; repeatable.
    #[arg(short = 'f', long = "compose-file", value_name = "FILE")]
    pub compose_file: Vec<PathBuf>,

    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Write the report to this file instead of standard output (whole or not at all).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Read every named file as this kind, whatever its name.
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,

    /// The path that standard input stands for: it decides the kind and is shown in output.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// Exit 1 when a diagnostic at or above this severity is reported; replaces the
    /// configuration's `fail-on` (default `warning`).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    #[command(flatten)]
    pub config: ConfigArgs,

    /// Report only the diagnostics this baseline file does not record, and list its entries
    /// that no longer match.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,

    /// Record the diagnostics of this run in a baseline file instead of reporting them.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Read suppression expiry against this date (YYYY-MM-DD) instead of today; for tests.
    #[arg(long, value_name = "DATE", hide = true, value_parser = parse_date)]
    pub today: Option<crate::date::Date>,

    /// Read Compose variables from this file too (after the project's `.env`); repeatable.
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,

    /// Read Compose variables from the process environment too.
    #[arg(long)]
    pub use_env: bool,

    /// Apply the safe fixes to the files, each written whole or not at all, then report what
    /// remains.
    #[arg(long, conflicts_with = "write_baseline")]
    pub fix: bool,

    /// With `--fix` or `--diff`, apply the unsafe fixes too: they change what a container or an
    /// image may do (a program that loses its setuid bit).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff on standard output instead of writing them.
    #[arg(long, conflicts_with_all = ["write_baseline", "output", "format"])]
    pub diff: bool,

    /// Report and skip files larger than this (bytes, or a size such as `10MiB`); replaces the
    /// configuration's `max-file-size` (default 10MiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_file_size)]
    pub max_file_size: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics with the source line, for people.
    Human,
    /// Stable JSON, for scripts (docs/output.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: annotations on pull requests.
    Github,
    /// `file:line:column: severity: message [rule]`, for editors and compile buffers.
    Gnu,
    /// Checkstyle XML.
    Checkstyle,
    /// JUnit XML.
    Junit,
    /// GitLab Code Quality JSON.
    Gitlab,
}

fn parse_file_size(text: &str) -> Result<u64, String> {
    match crate::config::parse_size(text) {
        Some(size) if size > 0 => Ok(size),
        _ => Err(format!(
            "`{text}` is not a size: write a number of bytes or a size such as `10MiB` (units: B, \
             KiB, MiB, GiB)"
        )),
    }
}

fn parse_date(text: &str) -> Result<crate::date::Date, String> {
    crate::date::Date::parse(text).ok_or_else(|| format!("`{text}` is not a date (YYYY-MM-DD)"))
}
