//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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

    /// Read every named file as this kind, whatever its name.
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,

    /// The path that standard input stands for: it decides the kind and is shown in output.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// Exit 1 when a diagnostic at or above this severity is reported.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,

    /// Read Compose variables from this file too (after the project's `.env`); repeatable.
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,

    /// Read Compose variables from the process environment too.
    #[arg(long)]
    pub use_env: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    /// Never fail because of diagnostics.
    Never,
}
