//! `root-user`: a container runs as root (rules/root-user.md).

use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::model::users::StepDownOrigin;
use crate::model::{Dockerfile, ImageOrigin, Model, Service, Stage, User, UserOrigin};
use crate::rules::Context;

pub(crate) const NAME: &str = "root-user";

pub(crate) fn check(model: &Model, ctx: &mut Context) {
    for compose in &model.composes {
        for service in &compose.services {
            check_service(model, service, ctx);
        }
    }

    for dockerfile in &model.dockerfiles {
        // The services that build it report on the containers it runs.
        if dockerfile.built_by_compose {
            continue;
        }
        let Some(stage) = dockerfile.built_stage(None) else {
            continue;
        };
        check_stage(model, dockerfile, stage, ctx);
    }
}

fn check_service(model: &Model, service: &Service, ctx: &mut Context) {
    if model.is_windows(service) {
        return;
    }

    let name = &service.name;
    let step_down = model.service_step_down(service);
    let diagnostic = match model.service_user(service) {
        UserOrigin::Service(user) => {
            if !User::parse(&user.value).is_root() {
                return;
            }
            let message = format!("service `{name}` runs as root (`user: {}`)", user.value);
            ctx.report(NAME, user.span, message).note_use(user.used_at)
        }
        UserOrigin::Instruction(stage_user) => {
            if !stage_user.user.is_root() {
                return;
            }
            let message = format!(
                "service `{name}` runs as root (`USER {}` in its Dockerfile{})",
                display_user(&stage_user.user),
                uid_zero_remark(&stage_user.user)
            );
            let diagnostic = ctx.report(NAME, service.key_span, message);
            diagnostic.related.push(Related {
                span: stage_user.span,
                message: "the user is set here".to_owned(),
            });
            note_uid_zero(diagnostic, &stage_user.user);
            diagnostic
        }
        UserOrigin::Image(image) => {
            if image
                .known
                .as_ref()
                .is_some_and(|known| known.is_non_root())
            {
                return;
            }
            let reason = implicit_reason(&image, step_down.is_some());
            let message = format!("service `{name}` sets no user {reason}");
            let diagnostic = ctx.report(NAME, service.key_span, message);
            diagnostic.severity = Severity::Note;
            if service.build.is_some() {
                diagnostic.related.push(Related {
                    span: image.span,
                    message: "the base image is named here".to_owned(),
                });
            }
            diagnostic
        }
        UserOrigin::Unknown => return,
    };

    if let Some(step_down) = &step_down {
        note_step_down(diagnostic, step_down);
    }
}

fn check_stage(model: &Model, dockerfile: &Dockerfile, stage: &Stage, ctx: &mut Context) {
    if stage.is_windows {
        return;
    }

    let step_down = model.stage_step_down(dockerfile, stage);
    let diagnostic = match model.stage_user(dockerfile, stage) {
        UserOrigin::Instruction(stage_user) => {
            if !stage_user.user.is_root() {
                return;
            }
            let message = format!(
                "the image runs as root (`USER {}`{})",
                display_user(&stage_user.user),
                uid_zero_remark(&stage_user.user)
            );
            let diagnostic = ctx.report(NAME, stage_user.span, message);
            note_uid_zero(diagnostic, &stage_user.user);
            diagnostic
        }
        UserOrigin::Image(image) => {
            if image
                .known
                .as_ref()
                .is_some_and(|known| known.is_non_root())
            {
                return;
            }
            let reason = implicit_reason(&image, step_down.is_some());
            let message = format!("the final stage sets no `USER` {reason}");
            let diagnostic = ctx.report(NAME, stage.span, message);
            diagnostic.severity = Severity::Note;
            if image.span != stage.span {
                diagnostic.related.push(Related {
                    span: image.span,
                    message: "the base image is named here".to_owned(),
                });
            }
            diagnostic
        }
        UserOrigin::Service(_) | UserOrigin::Unknown => return,
    };

    if let Some(step_down) = &step_down {
        note_step_down(diagnostic, step_down);
    }
}

/// Why a container that sets no user runs as root, as the end of a message; one whose
/// entrypoint steps down only starts as root.
fn implicit_reason(image: &ImageOrigin<'_>, steps_down: bool) -> String {
    let verb = if steps_down { "starts" } else { "runs" };
    if image.reference == "scratch" {
        return format!("and is built from `scratch`, so it {verb} as root");
    }
    match &image.known {
        Some(_) => format!("and `{}` {verb} as root", image.reference),
        None => format!(
            "and `{}` is not known to run as non-root, so it {verb} as root",
            image.reference
        ),
    }
}

/// An entrypoint that steps down makes the finding a note that says so.
fn note_step_down(diagnostic: &mut Diagnostic, step_down: &StepDownOrigin<'_>) {
    diagnostic.severity = Severity::Note;
    match step_down {
        StepDownOrigin::Program(program) => {
            diagnostic.message.push_str(&format!(
                "; its entrypoint steps down with `{}`",
                program.program
            ));
            let message = match &program.script {
                Some(script) => format!("`{script}` runs `{}` here", program.program),
                None => format!("`{}` runs here", program.program),
            };
            diagnostic.related.push(Related {
                span: program.span,
                message,
            });
        }
        StepDownOrigin::Image { reference, to } => {
            let clause = if diagnostic.message.contains(&format!("`{reference}`")) {
                format!("; its entrypoint steps down to `{to}`")
            } else {
                format!("; the entrypoint of `{reference}` steps down to `{to}`")
            };
            diagnostic.message.push_str(&clause);
        }
    }
}

/// Why a user that is not named root is root, as the end of a message.
fn uid_zero_remark(user: &User) -> &'static str {
    if user.uid_zero_at.is_some() {
        ", an account with uid 0"
    } else {
        ""
    }
}

/// Points at the step that gave the user's account uid 0.
fn note_uid_zero(diagnostic: &mut Diagnostic, user: &User) {
    if let Some(span) = user.uid_zero_at {
        diagnostic.related.push(Related {
            span,
            message: format!("`{}` is given uid 0 here", user.name.trim()),
        });
    }
}

fn display_user(user: &User) -> String {
    match &user.group {
        Some(group) => format!("{}:{group}", user.name),
        None => user.name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Allowances;
    use crate::model::allowances::ConfiguredImage;
    use crate::rules::test_support::{compose_model, messages};

    const SERVICES: &str = "services:\n  api:\n    image: registry.example/base/api:2.1\n  \
                            worker:\n    image: registry.example/worker:1.0\n";

    #[test]
    fn image_the_configuration_knows_as_non_root_is_not_reported() {
        let allowances = Allowances {
            images: vec![ConfiguredImage {
                pattern: "registry.example/base/*".to_owned(),
                user: "10001".to_owned(),
            }],
            ..Allowances::default()
        };
        let (model, _sources) = compose_model(SERVICES, allowances);

        assert_eq!(
            messages(check, &model),
            [
                "service `worker` sets no user and `registry.example/worker:1.0` is not known to \
              run as non-root, so it runs as root"
            ]
        );
    }
}
