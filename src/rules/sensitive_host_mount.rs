//! `sensitive-host-mount`: a service mounts a host folder that controls the host, or is given a
//! host device (rules/sensitive-host-mount.md).

use crate::diagnostic::Severity;
use crate::model::mounts::{is_within, normalise_absolute};
use crate::model::{Model, Mount, Service};
use crate::rules::{Context, docker_socket_mount};

pub(crate) const NAME: &str = "sensitive-host-mount";

/// Host folders that hold the host's configuration, kernel interfaces, devices, root's home,
/// the boot files, the engine's state and its sockets, or kernel modules. A mount of `/var/run`
/// or `/run` itself is `docker-socket-mount`'s; they stay here to explain a parent (`/var`).
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
/// `/run` single files are mounted for good reasons (`/etc/localtime`, `/dev/dri`), except the
/// sockets of the system bus, systemd and libvirt: a root client there is root on the host.
const WHOLE_TREES: &[&str] = &[
    "/proc",
    "/sys",
    "/root",
    "/boot",
    "/var/lib/docker",
    "/lib/modules",
    "/usr/lib/modules",
    "/run/dbus",
    "/var/run/dbus",
    "/run/systemd",
    "/var/run/systemd",
    "/run/libvirt",
    "/var/run/libvirt",
];

/// Devices that give raw access to the host's disks, memory or kernel log; other devices
/// (GPUs, serial adapters, `/dev/net/tun`, `/dev/kvm`) give access to one piece of hardware and
/// are reported as notes.
const RAW_DEVICE_PREFIXES: &[&str] = &[
    "/dev/sd",
    "/dev/hd",
    "/dev/vd",
    "/dev/xvd",
    "/dev/nvme",
    "/dev/mmcblk",
    "/dev/md",
    "/dev/dm-",
    "/dev/loop",
    "/dev/nbd",
    "/dev/rbd",
    "/dev/zd",
    "/dev/mapper/",
    "/dev/disk/",
    "/dev/block/",
    "/dev/zvol/",
];
const RAW_DEVICES: &[&str] = &[
    "/dev",
    "/dev/mem",
    "/dev/kmem",
    "/dev/port",
    "/dev/kmsg",
    "/dev/zfs",
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
                let path = normalise_absolute(&device.value);
                let raw = path.as_deref().is_some_and(is_raw_device);
                let what = if raw {
                    "raw host device"
                } else {
                    "host device"
                };
                let message = format!(
                    "service `{}` is given the {what} `{}`",
                    service.name, device.value
                );
                let diagnostic = ctx
                    .report(NAME, device.span, message)
                    .note_use(device.used_at);
                if !raw {
                    diagnostic.severity = Severity::Note;
                }
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
    ctx.report(NAME, source.span, message)
        .note_use(source.used_at);
}

fn is_raw_device(path: &str) -> bool {
    RAW_DEVICES.contains(&path)
        || RAW_DEVICE_PREFIXES
            .iter()
            .any(|prefix| path.starts_with(prefix))
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
        if path == *tree {
            return Some(String::new());
        }
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
        assert_eq!(why_sensitive("/run/dbus").as_deref(), Some(""));
        assert_eq!(
            why_sensitive("/run/dbus/system_bus_socket").as_deref(),
            Some(" (inside `/run/dbus`)")
        );
        assert_eq!(why_sensitive("/dev/dri"), None);
        assert_eq!(why_sensitive("/srv/data"), None);
        assert_eq!(why_sensitive("/var/lib/dockerd"), None);
    }

    #[test]
    fn raw_devices_are_disks_memory_and_the_kernel_log() {
        assert!(is_raw_device("/dev/sda1"));
        assert!(is_raw_device("/dev/nvme0n1"));
        assert!(is_raw_device("/dev/mem"));
        assert!(is_raw_device("/dev/disk/by-id/ata-x"));
        assert!(!is_raw_device("/dev/dri"));
        assert!(!is_raw_device("/dev/net/tun"));
        assert!(!is_raw_device("/dev/ttyUSB0"));
        assert!(!is_raw_device("/dev/kvm"));
    }
}
