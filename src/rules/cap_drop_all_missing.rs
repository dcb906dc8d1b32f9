//! `cap-drop-all-missing`: a Compose service does not drop all capabilities
//! (rules/cap-drop-all-missing.md).

use crate::fix::{self, Applicability, Fix};
use crate::model::{Model, Service};
use crate::rules::Context;

pub(crate) const NAME: &str = "cap-drop-all-missing";

pub(crate) fn check(model: &Model, ctx: &mut Context) {
    for compose in &model.composes {
        for service in &compose.services {
            if service.drops_all_capabilities() {
                continue;
            }

            if model.is_windows(service) {
                continue;
            }

            match &service.cap_drop {
                Some(cap_drop) => {
                    let dropped: Vec<String> = cap_drop
                        .items
                        .iter()
                        .map(|item| format!("`{}`", item.value))
                        .collect();
                    let message = if dropped.is_empty() {
                        format!("service `{}` has an empty `cap_drop`", service.name)
                    } else {
                        format!(
                            "service `{}` drops {} but not `ALL`",
                            service.name,
                            dropped.join(", ")
                        )
                    };
                    ctx.report(NAME, cap_drop.key_span, message)
                        .note_use(cap_drop.used_at)
                        .set_fix(fix(model, service));
                }
                None => {
                    let message =
                        format!("service `{}` does not drop any capabilities", service.name);
                    ctx.report(NAME, service.key_span, message)
                        .set_fix(fix(model, service));
                }
            }
        }
    }
}

/// Adds `ALL` to `cap_drop` where it is written, or the key to the service. Safe only for a
/// container known to run as a non-root user: a process that starts as root may need a default
/// capability to start at all (an entrypoint that chowns its data folder and steps down with
/// `gosu` needs `CHOWN`, `SETUID` and `SETGID`; a server on port 80 `NET_BIND_SERVICE`).
fn fix(model: &Model, service: &Service) -> Fix {
    let applicability = if model.service_user(service).is_non_root() {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    let cap_drop = service.cap_drop.as_ref();
    let edits = fix::compose::add_to_list(service, cap_drop, "cap_drop", "ALL");
    let description = match cap_drop {
        None => format!(
            "add `cap_drop: [ALL]` to the service{}",
            fix::compose::place(service.layout.written_in.as_deref())
        ),
        Some(cap_drop) => format!(
            "add `ALL` to `cap_drop`{}",
            fix::compose::place(cap_drop.layout.written_in.as_deref())
        ),
    };
    Fix::new(applicability, description, edits)
}
