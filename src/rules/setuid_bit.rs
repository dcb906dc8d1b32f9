//! `setuid-bit`: a build step gives a file the setuid or setgid bit (rules/setuid-bit.md).

use crate::diagnostic::Severity;
use crate::model::{DirectoryEvidence, Model, SetuidStep};
use crate::rules::Context;

pub(crate) const NAME: &str = "setuid-bit";

pub(crate) fn check(model: &Model, ctx: &mut Context) {
    for dockerfile in &model.dockerfiles {
        for stage in &dockerfile.stages {
            for step in &stage.setuid_steps {
                if ctx.settings(step.span.source).allows_setuid_step(step) {
                    continue;
                }
                report(step, ctx);
            }
        }
    }
}

fn report(step: &SetuidStep, ctx: &mut Context) {
    match step.directory {
        Some(DirectoryEvidence::TrailingSlash | DirectoryEvidence::MkdirMode) => {}
        Some(DirectoryEvidence::CreatedByMkdir) => {
            let message = format!(
                "`{}` sets the {} bit on {}, a directory created in this step; new files there \
                 inherit its group",
                step.mode,
                bit_names(step),
                targets(step)
            );
            ctx.report(NAME, step.span, message).severity = Severity::Note;
        }
        None => {
            let owner = if step.owner_is_root { " root" } else { "" };
            let message = format!(
                "`{}` makes {} {}{owner}",
                step.mode,
                targets(step),
                made(step)
            );
            ctx.report(NAME, step.span, message);
        }
    }
}

/// `setuid`, `setgid` or `setuid and setgid`.
fn made(step: &SetuidStep) -> &'static str {
    match (step.bits.setuid, step.bits.setgid) {
        (true, true) => "setuid and setgid",
        (true, false) => "setuid",
        _ => "setgid",
    }
}

fn bit_names(step: &SetuidStep) -> &'static str {
    match (step.bits.setuid, step.bits.setgid) {
        (true, true) => "setuid and setgid",
        (true, false) => "setuid",
        _ => "setgid",
    }
}

/// The targets in backticks, or a stand-in when none is a literal path.
fn targets(step: &SetuidStep) -> String {
    if step.targets.is_empty() {
        return "its target".to_owned();
    }
    let quoted: Vec<String> = step
        .targets
        .iter()
        .map(|target| format!("`{target}`"))
        .collect();
    quoted.join(", ")
}
