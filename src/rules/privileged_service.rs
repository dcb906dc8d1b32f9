//! `privileged-service`: a service runs with full host privileges (rules/privileged-service.md).

use crate::fix::{self, Applicability, Fix};
use crate::model::{Model, Service, parse_compose_bool};
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
                .note_use(privileged.used_at)
                .set_fix(fix(service, &privileged.value));
        }
    }
}

/// Removes the `privileged` entry where it is written. Unsafe: a service that needs one device or
/// capability stops working until it is given that one alone.
fn fix(service: &Service, value: &str) -> Fix {
    let edits = fix::compose::remove_key(service, "privileged");
    let place = fix::compose::place(fix::compose::written_in(service, "privileged"));
    let description = format!("remove `privileged: {value}`{place}");
    Fix::new(Applicability::Unsafe, description, edits)
}
