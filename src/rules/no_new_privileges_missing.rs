//! `no-new-privileges-missing`: a container runs as a non-root user without `no-new-privileges`
//! (rules/no-new-privileges-missing.md).

use crate::config::{NonRootImage, Settings};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::fix::{self, Applicability, Fix};
use crate::model::{Base, Dockerfile, Listing, Model, Service, Stage, User};
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

    if model.is_windows(service) {
        return;
    }

    let built = model.built_stage(service);
    let dockerfile_settings = built.map(|(dockerfile, _)| ctx.settings(dockerfile.source));
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
        (None, Some((dockerfile, stage))) => match &stage.user {
            Some(stage_user) => {
                if !is_non_root(&stage_user.user) {
                    return;
                }
                let message = format!(
                    "service `{}` runs as user `{}` (from its Dockerfile) without \
                     `no-new-privileges`",
                    service.name,
                    display_user(&stage_user.user)
                );
                let diagnostic = ctx.report(NAME, service.key_span, message);
                diagnostic.related.push(Related {
                    span: stage_user.span,
                    message: "the user is set here".to_owned(),
                });
                diagnostic
            }
            None => {
                let settings = ctx.settings(dockerfile.source);
                let Some((from, allowed)) = non_root_base(dockerfile, stage, settings) else {
                    return;
                };
                let message = format!(
                    "service `{}` runs as uid `{}`, the user of its base image `{}`, without \
                     `no-new-privileges`",
                    service.name, allowed.uid, allowed.image
                );
                let diagnostic = ctx.report(NAME, service.key_span, message);
                diagnostic.related.push(Related {
                    span: from.span,
                    message: "the configuration lists this base image as non-root".to_owned(),
                });
                diagnostic
            }
        },
        (None, None) => {
            let Some(image) = &service.image else {
                return;
            };
            let Some(allowed) = ctx.settings(image.span.source).non_root_image(&image.value) else {
                return;
            };
            let message = format!(
                "service `{}` runs as uid `{}`, the user of its image `{}`, without \
                 `no-new-privileges`",
                service.name, allowed.uid, image.value
            );
            ctx.report(NAME, image.span, message)
        }
    };
    diagnostic.set_fix(fix(service));

    if let (Some((dockerfile, stage)), Some(settings)) = (built, dockerfile_settings) {
        escalate_for_setuid_steps(dockerfile, stage, settings, diagnostic);
    }
}

/// Turns the option on where `security_opt` is written: an entry that turns it off gets
/// `true`; otherwise `no-new-privileges:true` is added to the list, or the list to the service.
fn fix(service: &Service) -> Fix {
    const OPTION: &str = "no-new-privileges:true";

    let Some(security_opt) = &service.security_opt else {
        let edits = fix::compose::add_to_list(service, None, "security_opt", OPTION);
        let description = format!("add `security_opt: [\"{OPTION}\"]` to the service");
        return Fix::new(Applicability::Safe, description, edits);
    };

    let place = match &security_opt.layout.written_in {
        Some(place) => format!(" in {place}, where it is written"),
        None => String::new(),
    };
    match last_option_value(security_opt) {
        Some((index, range)) => {
            let entry = &security_opt.items[index].value;
            let edits = fix::compose::replace_in_item(security_opt, index, range, "true");
            let description = format!("turn `{}` to `true`{place}", entry.trim());
            Fix::new(Applicability::Safe, description, edits)
        }
        None => {
            let edits = fix::compose::add_to_list(service, Some(security_opt), "", OPTION);
            let description = format!("add `{OPTION}` to `security_opt`{place}");
            Fix::new(Applicability::Safe, description, edits)
        }
    }
}

/// The last `no-new-privileges` entry with a value (the one the engine obeys) and the byte
/// range of that value in the entry.
fn last_option_value(security_opt: &Listing) -> Option<(usize, std::ops::Range<usize>)> {
    let mut found = None;
    for (index, item) in security_opt.items.iter().enumerate() {
        let option = item.value.trim_start();
        let lead = item.value.len() - option.len();
        let option = option.trim_end();
        let Some(at) = option.find([':', '=']) else {
            continue;
        };
        if &option[..at] == "no-new-privileges" {
            found = Some((index, lead + at + 1..lead + option.len()));
        }
    }
    found
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

    let settings = ctx.settings(dockerfile.source);
    let diagnostic = match &stage.user {
        Some(stage_user) => {
            if !is_non_root(&stage_user.user) {
                return;
            }
            let message = format!(
                "the image runs as user `{}`; start its containers with `no-new-privileges`",
                display_user(&stage_user.user)
            );
            ctx.report(NAME, stage_user.span, message)
        }
        None => {
            let Some((from, allowed)) = non_root_base(dockerfile, stage, settings) else {
                return;
            };
            let message = format!(
                "the image runs as uid `{}`, the user of its base image `{}`; start its \
                 containers with `no-new-privileges`",
                allowed.uid, allowed.image
            );
            ctx.report(NAME, from.span, message)
        }
    };
    escalate_for_setuid_steps(dockerfile, stage, settings, diagnostic);
}

/// The stage that names the base image of `stage` (following `FROM <stage>`), when the
/// configuration lists that image as running as a non-root user. Only a stage without `USER`
/// asks: a `USER` anywhere in the chain decides instead.
fn non_root_base<'a>(
    dockerfile: &'a Dockerfile,
    stage: &'a Stage,
    settings: &'a Settings,
) -> Option<(&'a Stage, &'a NonRootImage)> {
    let mut current = stage;
    let mut steps = 0;
    while let Base::Stage(parent) = current.base {
        current = dockerfile.stages.get(parent)?;
        steps += 1;
        if steps > dockerfile.stages.len() {
            return None;
        }
    }
    let Base::Image(image) = &current.base else {
        return None;
    };
    Some((current, settings.non_root_image(image)?))
}

/// A setuid step in the same image is the way back to root that the option would close; a step
/// whose files the configuration allows does not count.
fn escalate_for_setuid_steps(
    dockerfile: &Dockerfile,
    stage: &Stage,
    settings: &Settings,
    diagnostic: &mut Diagnostic,
) {
    for contributing in dockerfile.contributing_stages(stage) {
        for step in &contributing.setuid_steps {
            if step.directory.is_some() || settings.allows_setuid_step(step) {
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
