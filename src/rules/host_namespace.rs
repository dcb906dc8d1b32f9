//! `host-namespace`: a service shares a namespace with the host (rules/host-namespace.md).

use crate::model::Model;
use crate::rules::Context;

pub(crate) const NAME: &str = "host-namespace";

pub(crate) fn check(model: &Model, ctx: &mut Context) {
    for compose in &model.composes {
        for service in &compose.services {
            for setting in &service.namespaces {
                // The engine compares the mode with `host` exactly, as it is written.
                if setting.value.value != "host" {
                    continue;
                }

                let message = format!(
                    "service `{}` shares the host's {} namespace (`{}: host`)",
                    service.name,
                    namespace_name(setting.key),
                    setting.key
                );
                ctx.report(NAME, setting.value.span, message)
                    .note_use(setting.value.used_at);
            }
        }
    }
}

fn namespace_name(key: &str) -> &str {
    match key {
        "pid" => "process",
        "ipc" => "IPC",
        "network_mode" => "network",
        "userns_mode" => "user",
        "uts" => "UTS",
        "cgroup" => "cgroup",
        other => other,
    }
}
