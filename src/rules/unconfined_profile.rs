//! `unconfined-profile`: a service turns off seccomp, AppArmor, SELinux labels or the masked
//! system paths (rules/unconfined-profile.md).

use crate::model::{Model, Service};
use crate::rules::Context;
use crate::source::Spanned;

pub(crate) const NAME: &str = "unconfined-profile";

pub(crate) fn check(model: &Model, ctx: &mut Context) {
    for compose in &model.composes {
        for service in &compose.services {
            for (option, what) in unconfined_options(service) {
                let message = format!(
                    "service `{}` turns off {what} with `{}`",
                    service.name, option.value
                );
                ctx.report(NAME, option.span, message)
                    .note_use(option.used_at);
            }
        }
    }
}

/// The `security_opt` entries that turn a confinement off, read as the engine reads them: a key
/// and value split at the first `=`, else at the first `:`; the last `seccomp` and `apparmor`
/// entries win, and `label=disable` wins wherever it stands.
fn unconfined_options(service: &Service) -> Vec<(&Spanned<String>, &'static str)> {
    let Some(security_opt) = &service.security_opt else {
        return Vec::new();
    };

    let mut found = Vec::new();
    let mut seccomp = None;
    let mut apparmor = None;
    for item in &security_opt.items {
        let option = item.value.as_str();
        // Compose passes this one option to the engine as a flag of its own.
        if option == "systempaths=unconfined" {
            found.push((item, "the masking of `/proc` and `/sys` paths"));
            continue;
        }

        let Some((key, value)) = option.split_once('=').or_else(|| option.split_once(':')) else {
            continue;
        };
        match key {
            "seccomp" => seccomp = Some((item, value == "unconfined")),
            "apparmor" => apparmor = Some((item, value == "unconfined")),
            "label" if value == "disable" => found.push((item, "SELinux labelling")),
            _ => {}
        }
    }

    if let Some((item, true)) = seccomp {
        found.push((item, "the seccomp filter"));
    }
    if let Some((item, true)) = apparmor {
        found.push((item, "AppArmor"));
    }
    found
}
