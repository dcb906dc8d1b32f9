//! `no-new-privileges-missing`: a container runs as a non-root user without `no-new-privileges`
//! (rules/no-new-privileges-missing.md).

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Dockerfile, Model, Service, Stage, User};
use crate::rules::Context;

pub(crate) const NAME: &str = "no-new-privileges-missing";

pub(crate) fn check(model: &Model, ctx: &mut Context) {
    for compose in &model.composes {
        for service in &compose.services {
            check_service(model, service, ctx);
        }
    }

    for dockerfile in &model.dockerfiles {
        check_dockerfile(dockerfile, ctx);
    }
}

fn check_service(model: &Model, service: &Service, ctx: &mut Context) {
    if service.has_no_new_privileges() {
        return;
    }

    let built = model.built_stage(service);
    if built.is_some_and(|(_, stage)| stage.is_windows) {
        return;
    }

    let diagnostic = match (&service.user, built) {
        (Some(user), _) => {
            if !is_non_root(&User::parse(&user.value)) {
                return;
            }
            let message = format!(
                "service `{}` runs as user `{}` without `no-new-privileges`",
                service.name, user.value
            );
            ctx.report(NAME, user.span, message).note_use(user.used_at)
        }
        (None, Some((_, stage))) => {
            let Some(stage_user) = &stage.user else {
                return;
            };
            if !is_non_root(&stage_user.user) {
                return;
            }
            let message = format!(
                "service `{}` runs as user `{}` (from its Dockerfile) without `no-new-privileges`",
                service.name,
                display_user(&stage_user.user)
            );
            let diagnostic = ctx.report(NAME, service.key_span, message);
            diagnostic.related.push(crate::diagnostic::Related {
                span: stage_user.span,
                message: "the user is set here".to_owned(),
            });
            diagnostic
        }
        (None, None) => return,
    };

    if let Some((dockerfile, stage)) = built {
        escalate_for_setuid_steps(dockerfile, stage, diagnostic);
    }
}

fn check_dockerfile(dockerfile: &Dockerfile, ctx: &mut Context) {
    if dockerfile.built_by_compose {
        return;
    }
    let Some(stage) = dockerfile.built_stage(None) else {
        return;
    };
    if stage.is_windows {
        return;
    }
    let Some(stage_user) = &stage.user else {
        return;
    };

    if !is_non_root(&stage_user.user) {
        return;
    }

    let message = format!(
        "the image runs as user `{}`; start its containers with `no-new-privileges`",
        display_user(&stage_user.user)
    );
    let diagnostic = ctx.report(NAME, stage_user.span, message);
    escalate_for_setuid_steps(dockerfile, stage, diagnostic);
}

/// A setuid step in the same image is the way back to root that the option would close.
fn escalate_for_setuid_steps(dockerfile: &Dockerfile, stage: &Stage, diagnostic: &mut Diagnostic) {
    for contributing in dockerfile.contributing_stages(stage) {
        for step in &contributing.setuid_steps {
            if step.directory.is_some() {
                continue;
            }
            diagnostic.severity = Severity::Error;
            let target = step.targets.first().map_or("a file", String::as_str);
            diagnostic.related.push(crate::diagnostic::Related {
                span: step.span,
                message: format!("`{target}` is made {} here", step.bits.describe()),
            });
        }
    }
}

fn is_non_root(user: &User) -> bool {
    !user.is_empty() && !user.is_root()
}

fn display_user(user: &User) -> String {
    match &user.group {
        Some(group) => format!("{}:{group}", user.name),
        None => user.name.clone(),
    }
}
