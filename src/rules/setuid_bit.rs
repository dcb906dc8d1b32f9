//! `setuid-bit`: a build step gives a file the setuid or setgid bit (rules/setuid-bit.md).

use crate::diagnostic::Severity;
use crate::fix::{Applicability, Edit, Fix, mode};
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
    // Files the configuration allows are left out of the message: they are not the finding.
    let settings = ctx.settings(step.span.source);
    let shown: Vec<&String> = settings.setuid_targets_not_allowed(step).collect();
    match step.directory {
        Some(DirectoryEvidence::TrailingSlash | DirectoryEvidence::MkdirMode) => {}
        // Setuid on a directory does nothing on Linux; setgid makes new files there inherit
        // the directory's group, which is worth a note but is no way to root.
        Some(
            evidence @ (DirectoryEvidence::CreatedByMkdir | DirectoryEvidence::CreatedByWorkdir),
        ) if step.bits.setgid => {
            let created = match evidence {
                DirectoryEvidence::CreatedByWorkdir => "a directory `WORKDIR` created",
                _ => "a directory created in this step",
            };
            let message = format!(
                "`{}` sets the setgid bit on {}, {created}; new files there inherit its group",
                step.mode,
                targets(step, &shown)
            );
            ctx.report(NAME, step.span, message).severity = Severity::Note;
        }
        Some(DirectoryEvidence::CreatedByMkdir | DirectoryEvidence::CreatedByWorkdir) => {}
        None => {
            let owner = if step.owner_is_root { " root" } else { "" };
            let made = step.bits.describe();
            let message = format!(
                "`{}` makes {} {made}{owner}",
                step.mode,
                targets(step, &shown)
            );
            ctx.report(NAME, step.span, message).set_fix(fix(step));
        }
    }
}

/// The same mode without the setuid and setgid bits. Unsafe: the program may need the
/// privilege (`ping`, `newuidmap`), which then has to be granted another way.
fn fix(step: &SetuidStep) -> Fix {
    let mode = step.mode.strip_prefix("--chmod=").unwrap_or(&step.mode);
    let Some(cleared) = mode::without_special_bits(mode) else {
        let description = format!("remove the setuid and setgid bits from `{mode}`");
        let reason = format!("`{mode}` cannot be rewritten without them");
        return Fix::new(Applicability::Unsafe, description, Err(reason));
    };

    let description = format!("change the mode `{mode}` to `{cleared}`");
    let edits = match step.verbatim_mode {
        Some(span) => Ok(vec![Edit::replace(span, cleared)]),
        None => Err(format!(
            "`{mode}` is not written as it is read (a variable, an escape or a line break stands in it)"
        )),
    };
    Fix::new(Applicability::Unsafe, description, edits)
}

/// What the step applies to, for a message: the `shown` literal targets in backticks, the files
/// a COPY writes, or a stand-in when no target is a literal path.
fn targets(step: &SetuidStep, shown: &[&String]) -> String {
    let literal: Vec<&&String> = shown.iter().filter(|target| **target != "{}").collect();
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
