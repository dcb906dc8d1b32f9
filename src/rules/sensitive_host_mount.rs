//! `sensitive-host-mount`: a service mounts a host folder that controls the host, or is given a
//! host device (rules/sensitive-host-mount.md).

use crate::model::mounts::{is_within, normalise_absolute};
use crate::model::{Model, Mount, Service};
use crate::rules::{Context, docker_socket_mount};

pub(crate) const NAME: &str = "sensitive-host-mount";

/// Host folders that hold the host's configuration, kernel interfaces, devices, root's home,
/// the boot files, the engine's state and its sockets, or kernel modules.
const SENSITIVE: &[&str] = &[
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/root",
    "/boot",
    "/var/lib/docker",
    "/var/run",
    "/run",
    "/lib/modules",
    "/usr/lib/modules",
];

/// Folders where any path below is as sensitive as the folder itself. Below `/etc`, `/dev` and
/// `/run` single files are mounted for good reasons (`/etc/localtime`, `/dev/dri`, `/run/dbus`).
const WHOLE_TREES: &[&str] = &[
    "/proc",
    "/sys",
    "/root",
    "/boot",
    "/var/lib/docker",
    "/lib/modules",
    "/usr/lib/modules",
];

/// Files below `/etc` that hold password hashes or grant root.
const SENSITIVE_FILES: &[&str] = &[
    "/etc/shadow",
    "/etc/gshadow",
    "/etc/sudoers",
    "/etc/sudoers.d",
];

pub(crate) fn check(model: &Model, ctx: &mut Context) {
    for compose in &model.composes {
        for service in &compose.services {
            for mount in &service.volumes {
                check_mount(service, mount, ctx);
            }

            for device in &service.devices {
                let message = format!(
                    "service `{}` is given the host device `{}`",
                    service.name, device.value
                );
                ctx.report(NAME, device.span, message);
            }
        }
    }
}

fn check_mount(service: &Service, mount: &Mount, ctx: &mut Context) {
    let Some(source) = mount.host_source() else {
        return;
    };
    if docker_socket_mount::claims(mount) {
        return;
    }
    let Some(path) = normalise_absolute(&source.value) else {
        return;
    };
    let Some(why) = why_sensitive(&path) else {
        return;
    };

    let read_only = if mount.read_only { ", read-only" } else { "" };
    let message = format!(
        "service `{}` mounts the host's `{path}`{why}{read_only}",
        service.name
    );
    ctx.report(NAME, source.span, message);
}

/// Why a normalised host path is sensitive, as the end of the message; `None` when it is not.
fn why_sensitive(path: &str) -> Option<String> {
    if path == "/" {
        return Some(" (the whole root filesystem)".to_owned());
    }
    if SENSITIVE.contains(&path) {
        return Some(String::new());
    }

    let below: Vec<String> = SENSITIVE
        .iter()
        .filter(|sensitive| is_within(sensitive, path))
        .map(|sensitive| format!("`{sensitive}`"))
        .collect();
    if !below.is_empty() {
        return Some(format!(" (which holds {})", below.join(" and ")));
    }

    if let Some(tree) = WHOLE_TREES.iter().find(|tree| is_within(path, tree)) {
        return Some(format!(" (inside `{tree}`)"));
    }
    if SENSITIVE_FILES.iter().any(|file| is_within(path, file)) {
        return Some(String::new());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_their_parents_and_whole_trees() {
        assert_eq!(why_sensitive("/etc").as_deref(), Some(""));
        assert_eq!(
            why_sensitive("/var").as_deref(),
            Some(" (which holds `/var/lib/docker` and `/var/run`)")
        );
        assert_eq!(
            why_sensitive("/sys/fs/cgroup").as_deref(),
            Some(" (inside `/sys`)")
        );
        assert_eq!(why_sensitive("/etc/sudoers.d/app").as_deref(), Some(""));
        assert_eq!(why_sensitive("/etc/localtime"), None);
        assert_eq!(why_sensitive("/dev/dri"), None);
        assert_eq!(why_sensitive("/srv/data"), None);
        assert_eq!(why_sensitive("/var/lib/dockerd"), None);
    }
}
