//! The escalint binary: parse arguments, set up logging, run, exit with the right code.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::Parser;

use escalint::cli::{CheckArgs, Cli, Command, FailOn, Format};
use escalint::diagnostic::Severity;
use escalint::lint::{self, LintOptions};
use escalint::model::compose::LoadOptions;
use escalint::report;
use escalint::rules::rule_docs;

fn main() -> ExitCode {
    let cli = Cli::parse();
    escalint::logging::init(cli.verbose);

    match run(&cli) {
        Ok(code) => code,
        Err(err) => report_failure(&err),
    }
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Check(args) => check(args, cli.quiet),
        Command::Rules => {
            let mut listing = String::new();
            for doc in rule_docs() {
                listing.push_str(&format!(
                    "{:<28}{:<9}{}\n",
                    doc.name,
                    doc.severity.as_str(),
                    doc.summary
                ));
            }
            print(&listing)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { rule } => {
            let Some(doc) = rule_docs().iter().find(|doc| doc.name == rule) else {
                bail!("unknown rule `{rule}`; `escalint rules` lists them");
            };
            print(&format!(
                "# {}\n\n{} (default severity: {})\n\n{}",
                doc.name,
                doc.summary,
                doc.severity.as_str(),
                doc.body
            ))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check(args: &CheckArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let options = LintOptions {
        paths: args.paths.clone(),
        kind: args.kind,
        stdin_filename: args.stdin_filename.clone(),
        compose_files: args.compose_file.clone(),
        load: LoadOptions {
            env_files: args.env_file.clone(),
            use_process_env: args.use_env,
        },
    };
    let result = lint::lint(&options)?;

    let output = match args.format {
        Format::Human => {
            let styled =
                anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never;
            report::human::render(&result.sources, &result.diagnostics, styled)
        }
        Format::Json => report::json::render(&result.sources, &result.diagnostics),
        Format::Sarif => report::sarif::render(&result.sources, &result.diagnostics),
    };
    print(&output)?;

    for failure in &result.failures {
        eprintln!("escalint: error: {failure}");
    }
    if !quiet {
        eprintln!(
            "{}",
            report::human::summary(&result.diagnostics, result.linted_files)
        );
    }

    if !result.failures.is_empty() {
        return Ok(ExitCode::from(2));
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Note => Some(Severity::Note),
        FailOn::Never => None,
    };
    let fails = threshold.is_some_and(|threshold| {
        result
            .diagnostics
            .iter()
            .any(|diagnostic| diagnostic.severity >= threshold)
    });
    Ok(if fails {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes to standard output; a closed pipe (`escalint check | head`) ends the run quietly.
fn print(text: &str) -> anyhow::Result<()> {
    let mut stdout = anstream::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(err) => Err(err).context("cannot write to standard output"),
    }
}

fn report_failure(err: &anyhow::Error) -> ExitCode {
    eprintln!("escalint: error: {err}");
    for cause in err.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    ExitCode::from(2)
}
