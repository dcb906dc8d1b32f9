//! The escalint binary: parse arguments, set up logging, run, exit with the right code.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::Parser;

use escalint::baseline::{self, Baseline};
use escalint::cli::{CheckArgs, Cli, Command, ConfigCommandArgs, Format};
use escalint::config::file::suggestion;
use escalint::config::{Resolver, show};
use escalint::fix::{self, session::FixOptions};
use escalint::lint::{self, LintOptions};
use escalint::model::compose::LoadOptions;
use escalint::paths;
use escalint::report;
use escalint::rules::rule_docs;

fn main() -> ExitCode {
    release_freed_memory();
    let cli = Cli::parse();
    escalint::logging::init(cli.verbose);

    match run(&cli) {
        Ok(code) => code,
        Err(err) => report_failure(&err),
    }
}

/// Fixes glibc's threshold for giving freed memory back to the system. By default glibc raises
/// it (up to 32 MiB) each time a large block is freed, and the parse trees each batch of files
/// frees then stay resident: over both corpora the peak was about 54 MB with the default and
/// 49 MB with the threshold fixed at its starting value, at no measured cost in time.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_freed_memory() {
    const TRIM_THRESHOLD_BYTES: libc::c_int = 128 * 1024;
    // SAFETY: `mallopt` only sets an allocator parameter; it is called before any other thread
    // starts, with an option and value glibc documents.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_freed_memory() {}

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
                let known: Vec<&str> = rule_docs().iter().map(|doc| doc.name).collect();
                bail!("unknown rule `{rule}`; {}", suggestion(rule, &known));
            };
            print(&format!(
                "# {}\n\n{} (default severity: {})\n\n{}\n{}",
                doc.name,
                doc.summary,
                doc.severity.as_str(),
                doc.body,
                escalint::docs::how_to_suppress(doc)
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Config(args) => config(args),
        Command::Server => {
            escalint::server::run()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn config(args: &ConfigCommandArgs) -> anyhow::Result<ExitCode> {
    if !args.show {
        bail!("say what to do: `escalint config --show [PATH]` prints the effective configuration");
    }

    let mut resolver = Resolver::new(args.config.choice())?;
    let path = &args.path;
    // A path that is not there has no configuration: a typo would show the defaults as its own.
    std::fs::metadata(path)
        .with_context(|| format!("cannot show the configuration of {}", path.display()))?;
    let settings = if path.is_dir() {
        let folder = escalint::paths::canonical(path);
        let config = resolver.config_for_folder(&folder)?;
        escalint::config::Settings::resolve(config, None)
    } else {
        resolver.settings_for(path)?.as_ref().clone()
    };
    print(&show::render(&path.display().to_string(), &settings))?;
    Ok(ExitCode::SUCCESS)
}

fn check(args: &CheckArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let reads_stdin = args.paths.iter().any(|path| path.as_os_str() == "-");
    if args.stdin_filename.is_some() && !reads_stdin {
        bail!("--stdin-filename names standard input, which is read only when `-` is a path");
    }

    let options = LintOptions {
        paths: args.paths.clone(),
        kind: args.kind,
        stdin_filename: args.stdin_filename.clone(),
        compose_files: args.compose_file.clone(),
        load: LoadOptions {
            env_files: args.env_file.clone(),
            use_process_env: args.use_env,
            ..LoadOptions::default()
        },
        config: args.config.choice(),
        today: args.today,
        max_file_size: args.max_file_size,
        ..LintOptions::default()
    };
    let baseline = match &args.baseline {
        Some(path) => Some(Baseline::read(path)?),
        None => None,
    };
    let mut result = if args.fix || args.diff {
        let fixing = FixOptions {
            unsafe_fixes: args.unsafe_fixes,
            write: !args.diff,
        };
        let outcome = fix::session::run(&options, fixing)?;
        if args.diff {
            return print_diff(&outcome, args, quiet);
        }
        if !quiet && outcome.fixed > 0 {
            eprintln!("{}", fix::describe_fixed(&outcome));
        }
        outcome.result
    } else {
        // One remembering scope: the refusal check asks again for the paths the lint resolved.
        paths::remembering(|| {
            let mut result = lint::lint(&options)?;
            fix::session::refuse_outside_linted_paths(&mut result, &options);
            Ok::<_, lint::LintError>(result)
        })?
    };

    if let Some(path) = &args.write_baseline {
        let count = baseline::write(path, &result)?;
        for failure in &result.failures {
            eprintln!("escalint: error: {failure}");
        }
        if !quiet {
            eprintln!(
                "wrote {count} {} to {}",
                if count == 1 { "entry" } else { "entries" },
                path.display()
            );
        }
        let code = if result.failures.is_empty() { 0 } else { 2 };
        return Ok(ExitCode::from(code));
    }
    let stale = match &baseline {
        Some(baseline) => baseline.apply(&mut result),
        None => Vec::new(),
    };

    // A JSON report, which may be megabytes, is written as it is rendered; the others whole.
    let whole = match args.format {
        Format::Human => {
            let styled = args.output.is_none()
                && anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never;
            Some(report::human::render(
                &result.sources,
                &result.diagnostics,
                styled,
            ))
        }
        Format::Json => None,
        Format::Sarif => Some(report::sarif::render(
            &result.sources,
            &result.diagnostics,
            &result.suppressed,
            &result.failures,
            baseline.is_some(),
        )),
        Format::Github => Some(report::github::render(
            &result.sources,
            &result.diagnostics,
            &result.failures,
        )),
        Format::Gnu => Some(report::gnu::render(
            &result.sources,
            &result.diagnostics,
            &result.failures,
        )),
        Format::Checkstyle => Some(report::checkstyle::render(
            &result.sources,
            &result.diagnostics,
            &result.failures,
        )),
        Format::Junit => Some(report::junit::render(
            &result.sources,
            &result.diagnostics,
            &result.failures,
        )),
        // A Code Quality report holds code issues, each with a line and a fingerprint; a file
        // that could not be read is none, and the job's exit code and log carry it.
        Format::Gitlab => Some(report::gitlab::render(&result.sources, &result.diagnostics)),
    };
    let write_report = |out: &mut dyn Write| match &whole {
        Some(text) => out.write_all(text.as_bytes()),
        None => report::json::write(&result.sources, &result.diagnostics, &result.failures, out),
    };
    let printed = match &args.output {
        Some(path) => {
            report::output::write_whole_with(path, |file| write_report(file))
                .with_context(|| format!("cannot write the report to {}", path.display()))?;
            true
        }
        None if args.format == Format::Human => {
            write_to_stdout(&mut anstream::stdout().lock(), write_report)?
        }
        // A machine-readable report holds no colour to strip: stripping looks at every byte.
        None => write_to_stdout(&mut std::io::stdout().lock(), write_report)?,
    };

    for failure in &result.failures {
        eprintln!("escalint: error: {failure}");
    }
    if printed && !quiet {
        let mut summary = report::human::summary(
            &result.diagnostics,
            result.linted_files,
            result.failures.len(),
        );
        if let Some(hint) = fix::hint(&result.diagnostics, args.fix, args.unsafe_fixes) {
            summary.push_str(&format!("; {hint}"));
        }
        eprintln!("{summary}");
        print_stale_entries(&stale, args.baseline.as_deref());
    }

    let code = if !result.failures.is_empty() {
        ExitCode::from(2)
    } else if result.fails(args.fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // The process ends here: freeing the sources and diagnostics one by one would only delay
    // its exit, which gives all its memory back at once.
    std::mem::forget(result);
    Ok(code)
}

/// `check --diff`: the diff on standard output, what it would fix on standard error. The exit
/// code is 1 when the diff is not empty or diagnostics remain, so CI can ask for both.
fn print_diff(
    outcome: &fix::session::FixOutcome,
    args: &CheckArgs,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let mut diff = String::new();
    for change in &outcome.changes {
        diff.push_str(&fix::diff::unified(
            &change.display,
            &change.original,
            &change.fixed,
        ));
    }
    print(&diff)?;

    let result = &outcome.result;
    for failure in &result.failures {
        eprintln!("escalint: error: {failure}");
    }
    if !quiet {
        let summary = report::human::summary(
            &result.diagnostics,
            result.linted_files,
            result.failures.len(),
        );
        eprintln!("{}; after that, {summary}", fix::describe_fixed(outcome));
    }

    if !result.failures.is_empty() {
        return Ok(ExitCode::from(2));
    }
    let is_clean = outcome.changes.is_empty() && !result.fails(args.fail_on);
    Ok(if is_clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Lists the baseline entries that matched nothing, so the file can shrink.
fn print_stale_entries(stale: &[baseline::Entry], path: Option<&std::path::Path>) {
    let Some(path) = path else {
        return;
    };
    if stale.is_empty() {
        return;
    }
    eprintln!(
        "{} {} in {} no longer {}; `--write-baseline {}` rewrites it without them:",
        stale.len(),
        if stale.len() == 1 { "entry" } else { "entries" },
        path.display(),
        if stale.len() == 1 { "matches" } else { "match" },
        path.display()
    );
    for entry in stale {
        let scope = if entry.scope.is_empty() {
            String::new()
        } else {
            format!(" ({})", entry.scope)
        };
        eprintln!("  {}: {}{scope}: {}", entry.file, entry.rule, entry.message);
    }
}

/// Writes to standard output, without colour when it is not a terminal; `false` when the reader
/// has gone (`escalint check | head`): the run then ends quietly, with the exit code its
/// diagnostics call for.
fn print(text: &str) -> anyhow::Result<bool> {
    write_to_stdout(&mut anstream::stdout().lock(), |out| {
        out.write_all(text.as_bytes())
    })
}

fn write_to_stdout(
    stdout: &mut impl Write,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<bool> {
    match write(stdout).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
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
