//! `file-capability`: a build step gives a file capabilities that lead back to root
//! (rules/file-capability.md).

use crate::diagnostic::Severity;
use crate::model::file_capabilities::CAPABILITY_NAMES;
use crate::model::{CapabilitySet, FileCapabilityStep, Model};
use crate::rules::Context;
use crate::rules::dangerous_capability::{ESCAPES, HOST_REACHING};

pub(crate) const NAME: &str = "file-capability";

/// Capabilities with which a user becomes root inside the container: take uid or gid 0, or
/// rewrite `/etc/passwd` by writing, chowning or chmodding it, or give another file
/// `cap_setuid`. They are in the engine's default set, so a non-root user gains them at once;
/// `dangerous-capability` reports them at most as a warning, since root in the container holds
/// them already.
const ROOT_IN_CONTAINER: &[&str] = &[
    "SETUID",
    "SETGID",
    "DAC_OVERRIDE",
    "CHOWN",
    "FOWNER",
    "SETFCAP",
];

pub(crate) fn check(model: &Model, ctx: &mut Context) {
    for dockerfile in &model.dockerfiles {
        for stage in &dockerfile.stages {
            for step in &stage.file_capability_steps {
                let Some(severity) = severity(step.granted) else {
                    continue;
                };
                if ctx
                    .settings(step.span.source)
                    .allows_file_capability_step(step)
                {
                    continue;
                }

                let message = format!(
                    "`{}` gives {} {}",
                    step.text,
                    target(step),
                    describe(step.granted)
                );
                ctx.report(NAME, step.span, message).severity = severity;
            }
        }
    }
}

/// Whether a step gives a capability that leads back to root or out of the container: the ones
/// `no-new-privileges` has to stop.
pub(crate) fn leads_to_root(granted: CapabilitySet) -> bool {
    severity(granted) == Some(Severity::Error)
}

/// The capabilities of a step that matter, as a phrase such as "the `cap_setuid` file capability".
pub(crate) fn describe(granted: CapabilitySet) -> String {
    if granted.has_every_capability() {
        return "every capability".to_owned();
    }
    // `=ep cap_net_bind_service-ep` reads better by what it leaves out than as 20 names.
    let left_out: Vec<String> = CapabilitySet::of_names(CAPABILITY_NAMES)
        .difference(granted)
        .names()
        .map(|name| format!("`cap_{}`", name.to_ascii_lowercase()))
        .collect();
    if left_out.len() <= 3 {
        return format!("every capability but {}", left_out.join(", "));
    }

    let names: Vec<String> = granted
        .names()
        .filter(|name| tier(name).is_some())
        .map(|name| format!("`cap_{}`", name.to_ascii_lowercase()))
        .collect();
    match names.as_slice() {
        [one] => format!("the {one} file capability"),
        [rest @ .., last] => format!("the {} and {last} file capabilities", rest.join(", ")),
        [] => "file capabilities".to_owned(),
    }
}

/// An error when any capability leads to root or out of the container, a warning when the worst
/// acts on what the host shares; `None` when every one is harmless (`cap_net_bind_service`).
fn severity(granted: CapabilitySet) -> Option<Severity> {
    granted.names().filter_map(tier).max()
}

fn tier(name: &str) -> Option<Severity> {
    if ROOT_IN_CONTAINER.contains(&name) || ESCAPES.contains(&name) {
        Some(Severity::Error)
    } else if HOST_REACHING.contains(&name) {
        Some(Severity::Warning)
    } else {
        None
    }
}

/// The file, for a message: the literal path or the operand as written, in backticks; a
/// stand-in for the files `find -exec` and `xargs` pass.
fn target(step: &FileCapabilityStep) -> String {
    match (step.target.as_deref(), step.target_written.as_deref()) {
        (Some("{}"), _) | (None, None) => "the files it changes".to_owned(),
        (Some(target), _) => format!("`{target}`"),
        (None, Some(written)) => format!("`{written}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SourceSettings;
    use crate::parse::dockerfile::parse;
    use crate::source::SourceId;

    fn reported(dockerfile: &str) -> Vec<(Severity, String)> {
        let syntax = parse(SourceId(0), dockerfile);
        let model = Model {
            dockerfiles: vec![crate::model::dockerfile::build(&syntax, SourceId(0))],
            ..Model::default()
        };
        let settings = SourceSettings::default();
        let mut context = Context::new(&settings);
        check(&model, &mut context);
        context
            .into_diagnostics()
            .into_iter()
            .map(|diagnostic| (diagnostic.severity, diagnostic.message))
            .collect()
    }

    #[test]
    fn capabilities_are_reported_by_their_worst_tier() {
        let dockerfile = "FROM debian:12\n\
                          RUN setcap cap_net_bind_service+ep /usr/local/bin/server\n\
                          RUN setcap cap_net_raw+p /usr/bin/ping\n\
                          RUN setcap cap_net_bind_service,cap_setuid+ep /usr/bin/python3\n\
                          RUN setcap 'cap_net_admin+ep cap_sys_ptrace,cap_kill+ep' /usr/bin/gdb\n\
                          RUN setcap =ep /usr/local/bin/tool\n";

        assert_eq!(
            reported(dockerfile),
            [
                (
                    Severity::Warning,
                    "`cap_net_raw+p` gives `/usr/bin/ping` the `cap_net_raw` file capability"
                        .to_owned()
                ),
                (
                    Severity::Error,
                    "`cap_net_bind_service,cap_setuid+ep` gives `/usr/bin/python3` the \
                     `cap_setuid` file capability"
                        .to_owned()
                ),
                (
                    Severity::Error,
                    "`cap_net_admin+ep cap_sys_ptrace,cap_kill+ep` gives `/usr/bin/gdb` the \
                     `cap_net_admin` and `cap_sys_ptrace` file capabilities"
                        .to_owned()
                ),
                (
                    Severity::Error,
                    "`=ep` gives `/usr/local/bin/tool` every capability".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn nearly_every_capability_is_named_by_what_it_leaves_out() {
        let dockerfile = "FROM debian:12\nRUN setcap '=ep cap_net_bind_service-ep' /x\n";

        assert_eq!(
            reported(dockerfile),
            [(
                Severity::Error,
                "`=ep cap_net_bind_service-ep` gives `/x` every capability but \
                 `cap_net_bind_service`"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn capabilities_that_give_root_to_a_non_root_user_are_errors_here() {
        for name in ROOT_IN_CONTAINER {
            let set = crate::model::file_capabilities::parse_text(&format!("cap_{name}+ep"))
                .expect("a known name")
                .granted();
            assert!(leads_to_root(set), "{name}");
        }
    }
}
