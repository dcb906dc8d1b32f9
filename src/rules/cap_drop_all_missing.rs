//! `cap-drop-all-missing`: a Compose service does not drop all capabilities
//! (rules/cap-drop-all-missing.md).

use crate::model::Model;
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
                        .note_use(cap_drop.used_at);
                }
                None => {
                    let message =
                        format!("service `{}` does not drop any capabilities", service.name);
                    ctx.report(NAME, service.key_span, message);
                }
            }
        }
    }
}
