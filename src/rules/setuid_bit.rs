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
        // Setuid on a directory does nothing on Linux; setgid makes new files there inherit
        // the directory's group, which is worth a note but is no way to root.
        Some(DirectoryEvidence::CreatedByMkdir) if step.bits.setgid => {
            let message = format!(
                "`{}` sets the setgid bit on {}, a directory created in this step; new files \
                 there inherit its group",
                step.mode,
                targets(step)
            );
            ctx.report(NAME, step.span, message).severity = Severity::Note;
        }
        Some(DirectoryEvidence::CreatedByMkdir) => {}
        None => {
            let owner = if step.owner_is_root { " root" } else { "" };
            let made = step.bits.describe();
            let message = format!("`{}` makes {} {made}{owner}", step.mode, targets(step));
            ctx.report(NAME, step.span, message);
        }
    }
}

/// What the step applies to, for a message: the literal targets in backticks, the files a COPY
/// writes, or a stand-in when no target is a literal path.
fn targets(step: &SetuidStep) -> String {
    let literal: Vec<&String> = step
        .targets
        .iter()
        .filter(|target| *target != "{}")
        .collect();
    if literal.is_empty() {
        return "the files it changes".to_owned();
    }

    let quoted: Vec<String> = literal.iter().map(|target| format!("`{target}`")).collect();
    let quoted = quoted.join(", ");
    if step.mode.starts_with("--chmod") {
        return format!("the files copied to {quoted}");
    }
    quoted
}
