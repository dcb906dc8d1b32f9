//! `insecure-build-step`: a RUN step or a Compose build asks for host privileges or the host's
//! network (rules/insecure-build-step.md).

use crate::diagnostic::Severity;
use crate::model::{Model, Service, parse_compose_bool};
use crate::rules::Context;

pub(crate) const NAME: &str = "insecure-build-step";

pub(crate) fn check(model: &Model, ctx: &mut Context) {
    for dockerfile in &model.dockerfiles {
        for stage in &dockerfile.stages {
            for option in &stage.run_options {
                let severity = match (option.name.as_str(), option.value.as_str()) {
                    ("security", "insecure") => Severity::Error,
                    ("network", "host") => Severity::Warning,
                    _ => continue,
                };

                let message = format!("RUN step sets `--{}={}`", option.name, option.value);
                ctx.report(NAME, option.span, message).severity = severity;
            }
        }
    }

    for compose in &model.composes {
        for service in &compose.services {
            check_compose_build(service, ctx);
        }
    }
}

/// `build.privileged: true` grants the build the `security.insecure` entitlement, as
/// `build.entitlements` can; `build.network: host` runs every RUN step in the host's network.
fn check_compose_build(service: &Service, ctx: &mut Context) {
    let Some(build) = &service.build else {
        return;
    };

    if let Some(privileged) = &build.privileged
        && parse_compose_bool(&privileged.value) == Some(true)
    {
        let message = format!(
            "service `{}` sets `build.privileged: {}`",
            service.name, privileged.value
        );
        ctx.report(NAME, privileged.span, message)
            .note_use(privileged.used_at);
    }

    for entitlement in &build.entitlements {
        let severity = match entitlement.value.as_str() {
            "security.insecure" => Severity::Error,
            "network.host" => Severity::Warning,
            _ => continue,
        };

        let message = format!(
            "service `{}` lists `{}` in `build.entitlements`",
            service.name, entitlement.value
        );
        let diagnostic = ctx.report(NAME, entitlement.span, message);
        diagnostic.severity = severity;
        diagnostic.note_use(entitlement.used_at);
    }

    if let Some(network) = &build.network
        && network.value == "host"
    {
        let message = format!(
            "service `{}` sets `build.network: {}`",
            service.name, network.value
        );
        let diagnostic = ctx.report(NAME, network.span, message);
        diagnostic.severity = Severity::Warning;
        diagnostic.note_use(network.used_at);
    }
}
