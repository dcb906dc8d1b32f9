//! `dangerous-capability`: a service adds a capability that reaches beyond its container
//! (rules/dangerous-capability.md).

use crate::diagnostic::Severity;
use crate::model::Model;
use crate::rules::Context;

pub(crate) const NAME: &str = "dangerous-capability";

/// Capabilities that give a known way out of the container or into the kernel.
pub(crate) const ESCAPES: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "DAC_READ_SEARCH",
    "BPF",
];

/// Capabilities that act on state the host shares with the container (its clock, network,
/// kernel logs, security modules) or that widen what root in the container can create.
pub(crate) const HOST_REACHING: &[&str] = &[
    "NET_ADMIN",
    "NET_RAW",
    "SYS_TIME",
    "PERFMON",
    "MKNOD",
    "SETFCAP",
    "SYS_BOOT",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "SYSLOG",
    "SYS_RESOURCE",
    "LINUX_IMMUTABLE",
    "AUDIT_CONTROL",
    "SYS_PACCT",
    "IPC_OWNER",
    "CHECKPOINT_RESTORE",
];

pub(crate) fn check(model: &Model, ctx: &mut Context) {
    for compose in &model.composes {
        for service in &compose.services {
            if model.is_windows(service) {
                continue;
            }
            let Some(cap_add) = &service.cap_add else {
                continue;
            };

            let added: Vec<_> = cap_add
                .items
                .iter()
                .filter_map(|item| Some((item, added_capability(&item.value)?)))
                .collect();
            // `ALL` grants every capability; the other entries add nothing to it.
            let adds_all = added.iter().any(|(_, capability)| capability == "ALL");

            for (item, capability) in added {
                if adds_all && capability != "ALL" {
                    continue;
                }
                let severity = if ESCAPES.contains(&capability.as_str()) {
                    Severity::Error
                } else if HOST_REACHING.contains(&capability.as_str()) {
                    Severity::Warning
                } else {
                    continue;
                };
                if model
                    .allowances
                    .allows_capability(&service.name, &capability)
                {
                    continue;
                }

                let message = if capability == "ALL" {
                    format!(
                        "service `{}` adds every capability (`{}`)",
                        service.name, item.value
                    )
                } else {
                    format!(
                        "service `{}` adds the `{}` capability",
                        service.name, item.value
                    )
                };
                ctx.report(NAME, item.span, message)
                    .note_use(item.used_at)
                    .severity = severity;
            }
        }
    }
}

/// A `cap_add` entry as the engine reads it: `all` in any case, or a capability name in any
/// case with an optional `CAP_` prefix. `CAP_ALL` is not a capability, and the engine refuses it.
fn added_capability(entry: &str) -> Option<String> {
    let lower = entry.to_ascii_lowercase();
    if lower == "all" {
        return Some("ALL".to_owned());
    }
    let name = lower.strip_prefix("cap_").unwrap_or(&lower);
    if name == "all" {
        return None;
    }
    Some(name.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Allowances;
    use crate::model::allowances::AllowedCapability;
    use crate::rules::test_support::{compose_model, messages};

    const VPN: &str = "services:\n  vpn:\n    image: example/vpn:1\n    cap_drop: [ALL]\n    \
                       cap_add: [NET_ADMIN, SYS_MODULE]\n  web:\n    image: example/web:1\n    \
                       cap_add: [NET_ADMIN]\n";

    #[test]
    fn capability_allowed_for_a_service_is_not_reported_for_it() {
        let allowances = Allowances {
            capabilities: vec![AllowedCapability {
                service: Some("vpn".to_owned()),
                capability: "net_admin".to_owned(),
            }],
            ..Allowances::default()
        };
        let (model, _sources) = compose_model(VPN, allowances);

        assert_eq!(
            messages(check, &model),
            [
                "service `vpn` adds the `SYS_MODULE` capability",
                "service `web` adds the `NET_ADMIN` capability"
            ]
        );
    }
}
