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
                let path = normalise_absolute(&source.value).unwrap_or(source.value.clone());
                let what = if let Some(engine) = engine_socket(&source.value) {
                    format!("the {engine} `{path}`")
                } else if let Some(socket) = held_socket(&path) {
                    format!("`{path}`, which holds {socket}")
                } else {
                    continue;
                };

                let read_only = if mount.read_only { ", read-only" } else { "" };
                let message = format!("service `{}` mounts {what}{read_only}", service.name);
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

/// The socket a folder above the socket folders exposes, named by its path in that folder:
/// `/run` holds `docker.sock` beside `containerd/` and `podman/`, and `/run/user` every user's
/// runtime folder with its rootless engine. `path` is normalised.
///
/// `/` is left to `sensitive-host-mount`, which reports it as the whole root filesystem, and so
/// is `/var`: `/var/run` is a link to `/run` on current distributions, which the container that
/// mounts `/var` resolves in its own filesystem, not to the host's `/run`.
fn held_socket(path: &str) -> Option<String> {
    let (prefix, folder) = match path.strip_prefix("/var") {
        Some(rest) if rest.starts_with("/run") => ("/var", rest),
        _ => ("", path),
    };
    match folder {
        "/run" => Some(format!("the Docker socket `{prefix}/run/docker.sock`")),
        "/run/user" => Some(format!(
            "the rootless engines' sockets (`{prefix}/run/user/UID/docker.sock`)"
        )),
        _ => None,
    }
}

/// Whether this rule reports the mount, so other mount rules leave it alone.
pub(crate) fn claims(mount: &Mount) -> bool {
    mount.host_source().is_some_and(|source| {
        engine_socket(&source.value).is_some()
            || normalise_absolute(&source.value).is_some_and(|path| held_socket(&path).is_some())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_above_the_socket_folders_name_the_socket_they_hold() {
        assert_eq!(
            held_socket("/var/run").as_deref(),
            Some("the Docker socket `/var/run/docker.sock`")
        );
        assert_eq!(
            held_socket("/run").as_deref(),
            Some("the Docker socket `/run/docker.sock`")
        );
        assert_eq!(
            held_socket("/run/user").as_deref(),
            Some("the rootless engines' sockets (`/run/user/UID/docker.sock`)")
        );
        for path in [
            "/",
            "/var",
            "/run/udev",
            "/var/run/app",
            "/var/runner",
            "/srv/run",
        ] {
            assert_eq!(held_socket(path), None, "{path}");
        }
    }
}
