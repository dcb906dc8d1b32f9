//! `no-new-privileges-missing`: a container runs as a non-root user without `no-new-privileges`
//! (rules/no-new-privileges-missing.md).

use crate::config::Settings;
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::fix::{self, Applicability, Fix};
use crate::model::{
    CapabilitySet, Dockerfile, ImageOrigin, Listing, Model, Service, Stage, User, UserOrigin,
};
use crate::rules::{Context, file_capability};

pub(crate) const NAME: &str = "no-new-privileges-missing";

pub(crate) fn check(model: &Model, ctx: &mut Context) {
    for compose in &model.composes {
        for service in &compose.services {
            check_service(model, service, ctx);
        }
    }

    for dockerfile in &model.dockerfiles {
        check_dockerfile(model, dockerfile, ctx);
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

    let origin = model.service_user(service);
    if !origin.is_non_root() {
        return;
    }

    let name = &service.name;
    let diagnostic = match origin {
        UserOrigin::Service(user) => {
            let message = format!(
                "service `{name}` runs as user `{}` without `no-new-privileges`",
                user.value
            );
            ctx.report(NAME, user.span, message).note_use(user.used_at)
        }
        UserOrigin::Instruction(stage_user) => {
            let message = format!(
                "service `{name}` runs as user `{}` (from its Dockerfile) without \
                 `no-new-privileges`",
                display_user(&stage_user.user)
            );
            let diagnostic = ctx.report(NAME, service.key_span, message);
            diagnostic.related.push(Related {
                span: stage_user.span,
                message: "the user is set here".to_owned(),
            });
            diagnostic
        }
        UserOrigin::Image(image) => {
            let user = image_user(&image);
            if built.is_none() {
                let message = format!(
                    "service `{name}` runs `{}`, whose user is `{user}`, without \
                     `no-new-privileges`",
                    image.reference
                );
                ctx.report(NAME, image.span, message)
            } else {
                let message = format!(
                    "service `{name}` runs as user `{user}` (from its base image `{}`) without \
                     `no-new-privileges`",
                    image.reference
                );
                let diagnostic = ctx.report(NAME, service.key_span, message);
                diagnostic.related.push(Related {
                    span: image.span,
                    message: "the base image is named here".to_owned(),
                });
                diagnostic
            }
        }
        UserOrigin::Unknown => return,
    };
    // An entry that turns the option off is where a reader looks first.
    if let Some(security_opt) = &service.security_opt
        && let Some((index, _)) = last_option_value(security_opt)
    {
        let entry = &security_opt.items[index];
        diagnostic.related.push(Related {
            span: entry.span,
            message: format!("`{}` turns it off here", entry.value.trim()),
        });
    }
    diagnostic.set_fix(fix(service));

    if let (Some((dockerfile, stage)), Some(settings)) = (built, dockerfile_settings) {
        let capabilities = service.capabilities();
        escalate_for_ways_back_to_root(dockerfile, stage, settings, capabilities, diagnostic);
    }
}

/// Turns the option on where `security_opt` is written: an entry that turns it off gets
/// `true`; otherwise `no-new-privileges:true` is added to the list, or the list to the service.
fn fix(service: &Service) -> Fix {
    const OPTION: &str = "no-new-privileges:true";

    let Some(security_opt) = &service.security_opt else {
        let edits = fix::compose::add_to_list(service, None, "security_opt", OPTION);
        let place = fix::compose::place(service.layout.written_in.as_deref());
        let description = format!("add `security_opt: [\"{OPTION}\"]` to the service{place}");
        return Fix::new(Applicability::Safe, description, edits);
    };

    let place = fix::compose::place(security_opt.layout.written_in.as_deref());
    match last_option_value(security_opt) {
        Some((index, range)) => {
            let entry = &security_opt.items[index].value;
            let edits = fix::compose::replace_in_item(security_opt, index, range, "true");
            let description = format!("turn `{}` to `true`{place}", entry.trim());
            Fix::new(Applicability::Safe, description, edits)
        }
        None => {
            let edits =
                fix::compose::add_to_list(service, Some(security_opt), "security_opt", OPTION);
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

fn check_dockerfile(model: &Model, dockerfile: &Dockerfile, ctx: &mut Context) {
    if dockerfile.built_by_compose {
        return;
    }
    let Some(stage) = dockerfile.built_stage(None) else {
        return;
    };
    if stage.is_windows {
        return;
    }

    let origin = model.stage_user(dockerfile, stage);
    if !origin.is_non_root() {
        return;
    }

    let settings = ctx.settings(dockerfile.source);
    let diagnostic = match origin {
        UserOrigin::Instruction(stage_user) => {
            let message = format!(
                "the image runs as user `{}`; start its containers with `no-new-privileges`",
                display_user(&stage_user.user)
            );
            ctx.report(NAME, stage_user.span, message)
        }
        UserOrigin::Image(image) => {
            let message = format!(
                "the image runs as user `{}` (from its base image `{}`); start its containers \
                 with `no-new-privileges`",
                image_user(&image),
                image.reference
            );
            ctx.report(NAME, image.span, message)
        }
        UserOrigin::Service(_) | UserOrigin::Unknown => return,
    };
    // How the image's containers start is unknown: any capability may be in their set.
    let capabilities = CapabilitySet::ALL;
    escalate_for_ways_back_to_root(dockerfile, stage, settings, capabilities, diagnostic);
}

/// A setuid step, or a file capability that leads to root, in the same image is the way back to
/// root that the option would close; a step whose files the configuration allows does not count.
/// A file capability is granted only when the container's own capabilities hold it, so one that
/// `cap_drop` removes does not count either.
fn escalate_for_ways_back_to_root(
    dockerfile: &Dockerfile,
    stage: &Stage,
    settings: &Settings,
    capabilities: CapabilitySet,
    diagnostic: &mut Diagnostic,
) {
    // LIMITATION: a stage counts as a whole once the image copies any file from it, so a step
    // on a file that `COPY --from` leaves behind still counts; which files each copy takes is
    // not followed.
    for contributing in dockerfile.contributing_stages(stage) {
        for step in &contributing.setuid_steps {
            if step.directory.is_some() || settings.allows_setuid_step(step) {
                continue;
            }
            diagnostic.severity = Severity::Error;
            // The first file the configuration does not allow: that one is the way back.
            let target = settings
                .setuid_targets_not_allowed(step)
                .next()
                .map_or("a file", String::as_str);
            diagnostic.related.push(Related {
                span: step.span,
                message: format!("`{target}` is made {} here", step.bits.describe()),
            });
        }

        for step in &contributing.file_capability_steps {
            let granted = step.granted.intersection(capabilities);
            if !file_capability::leads_to_root(granted)
                || settings.allows_file_capability_step(step)
            {
                continue;
            }
            diagnostic.severity = Severity::Error;
            let target = match step.target.as_deref() {
                Some(target) if target != "{}" => format!("`{target}`"),
                _ => "a file".to_owned(),
            };
            diagnostic.related.push(Related {
                span: step.span,
                message: format!(
                    "{target} is given {} here",
                    file_capability::describe(granted)
                ),
            });
        }
    }
}

/// The user a known image runs as, for messages.
fn image_user(image: &ImageOrigin<'_>) -> String {
    image
        .known
        .as_ref()
        .map_or_else(String::new, |known| display_user(&known.user))
}

fn display_user(user: &User) -> String {
    match &user.group {
        Some(group) => format!("{}:{group}", user.name),
        None => user.name.clone(),
    }
}
