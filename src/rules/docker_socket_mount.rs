//! `docker-socket-mount`: a service mounts the socket of a container engine
//! (rules/docker-socket-mount.md).

use crate::model::mounts::normalise_absolute;
use crate::model::{Model, Mount};
use crate::rules::Context;

pub(crate) const NAME: &str = "docker-socket-mount";

pub(crate) fn check(model: &Model, ctx: &mut Context) {
    for compose in &model.composes {
        for service in &compose.services {
            for mount in &service.volumes {
                let Some(source) = mount.host_source() else {
                    continue;
                };
                let Some(engine) = engine_socket(&source.value) else {
                    continue;
                };

                let read_only = if mount.read_only { ", read-only" } else { "" };
                let path = normalise_absolute(&source.value).unwrap_or(source.value.clone());
                let message = format!(
                    "service `{}` mounts the {engine} `{path}`{read_only}",
                    service.name
                );
                ctx.report(NAME, source.span, message)
                    .note_use(source.used_at);
            }
        }
    }
}

/// The engine whose API a host path exposes, as `Docker socket`, `containerd socket folder`...:
/// the sockets by file name wherever they live (a rootless engine keeps its socket under
/// `$XDG_RUNTIME_DIR`), the folders that hold only runtime sockets, and Docker's Windows pipe.
pub(crate) fn engine_socket(source: &str) -> Option<&'static str> {
    let pipe = source.replace('\\', "/").to_ascii_lowercase();
    if pipe == "//./pipe/docker_engine" {
        return Some("Docker engine pipe");
    }

    let path = normalise_absolute(source)?;
    let name = path.rsplit('/').next().unwrap_or_default();
    let socket = match name {
        "docker.sock" => Some("Docker socket"),
        "podman.sock" => Some("Podman socket"),
        "containerd.sock" => Some("containerd socket"),
        _ => None,
    };
    if socket.is_some() {
        return socket;
    }

    let folder = match path.strip_prefix("/var") {
        Some(rest) if rest.starts_with("/run/") => rest,
        _ => path.as_str(),
    };
    match folder {
        "/run/containerd" => Some("containerd socket folder"),
        "/run/podman" => Some("Podman socket folder"),
        _ => {
            // `/run/user/UID` holds the rootless Docker socket, `/run/user/UID/podman` Podman's.
            let rest = folder.strip_prefix("/run/user/")?;
            let (uid, tail) = rest.split_once('/').unwrap_or((rest, ""));
            if uid.is_empty() || !uid.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            match tail {
                "" => Some("rootless engine folder"),
                "podman" => Some("Podman socket folder"),
                _ => None,
            }
        }
    }
}

/// Whether this rule reports the mount, so other mount rules leave it alone.
pub(crate) fn claims(mount: &Mount) -> bool {
    mount
        .host_source()
        .is_some_and(|source| engine_socket(&source.value).is_some())
}
