//! `privileged-service`: a service runs with full host privileges (rules/privileged-service.md).

use crate::model::{Model, parse_compose_bool};
use crate::rules::Context;

pub(crate) const NAME: &str = "privileged-service";

pub(crate) fn check(model: &Model, ctx: &mut Context) {
    for compose in &model.composes {
        for service in &compose.services {
            let Some(privileged) = &service.privileged else {
                continue;
            };

            if parse_compose_bool(&privileged.value) != Some(true) {
                continue;
            }

            let message = format!(
                "service `{}` sets `privileged: {}`",
                service.name, privileged.value
            );
            ctx.report(NAME, privileged.span, message)
                .note_use(privileged.used_at);
        }
    }
}
