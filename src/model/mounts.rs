//! Service mounts: `volumes:` entries in short (`SRC:DST:MODE`) and long syntax, read as Compose
//! reads them, and host paths compared the way the kernel resolves them.

use std::ops::Range;

use crate::source::{Span, Spanned};

/// One `volumes:` entry of a service.
#[derive(Debug, Clone)]
pub struct Mount {
    pub kind: MountKind,
    /// The host path, volume name or pipe, interpolated; `None` for an anonymous volume.
    pub source: Option<Spanned<String>>,
    /// The path in the container.
    pub target: Option<String>,
    /// `:ro` in short syntax, `read_only: true` in long syntax.
    pub read_only: bool,
    /// The whole entry: the short-syntax string or the long-syntax mapping.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountKind {
    /// A host path (`/var/run/docker.sock:/var/run/docker.sock`, `type: bind`).
    Bind,
    /// A named or anonymous volume.
    Volume,
    /// A Windows named pipe (`type: npipe`).
    NamedPipe,
    /// `tmpfs`, `image`, `cluster` and types Compose may add.
    Other(String),
}

impl Mount {
    /// The host path a bind mount or named pipe exposes, as written.
    pub fn host_source(&self) -> Option<&Spanned<String>> {
        match self.kind {
            MountKind::Bind | MountKind::NamedPipe => self.source.as_ref(),
            MountKind::Volume | MountKind::Other(_) => None,
        }
    }
}

/// A short-syntax entry split into its parts, with the byte range of the source in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortVolume {
    pub source: Option<(String, Range<usize>)>,
    pub target: String,
    pub mode: Option<String>,
}

/// Splits `[SOURCE:]TARGET[:MODE]` as Compose does: a Windows drive letter (`C:\data`) is part
/// of the path, not a separator.
pub fn parse_short_volume(spec: &str) -> ShortVolume {
    let mut parts: Vec<Range<usize>> = Vec::new();
    let bytes = spec.as_bytes();
    let mut start = 0;
    let mut index = 0;
    while index < bytes.len() {
        let is_drive_letter = index == start + 1
            && bytes[start].is_ascii_alphabetic()
            && matches!(bytes.get(index + 1), Some(b'\\' | b'/'));
        if bytes[index] == b':' && !is_drive_letter {
            parts.push(start..index);
            start = index + 1;
        }
        index += 1;
    }
    parts.push(start..spec.len());

    let text = |range: &Range<usize>| spec[range.clone()].to_owned();
    match parts.as_slice() {
        [target] => ShortVolume {
            source: None,
            target: text(target),
            mode: None,
        },
        [source, target] => ShortVolume {
            source: Some((text(source), source.clone())),
            target: text(target),
            mode: None,
        },
        [source, target, mode, ..] => ShortVolume {
            source: Some((text(source), source.clone())),
            target: text(target),
            mode: Some(text(mode)),
        },
        [] => ShortVolume {
            source: None,
            target: String::new(),
            mode: None,
        },
    }
}

/// Whether a short-syntax source is a host path rather than a volume name: absolute, relative
/// (`.`), home (`~`), a Windows drive or UNC path.
pub fn is_host_path(source: &str) -> bool {
    let bytes = source.as_bytes();
    let is_drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    source.starts_with(['/', '.', '~', '\\']) || is_drive
}

/// Whether a short-syntax mode makes the mount read-only: `ro` among its comma-separated
/// options (`ro`, `ro,z`).
pub fn mode_is_read_only(mode: &str) -> bool {
    mode.split(',').any(|option| option.trim() == "ro")
}

/// An absolute host path with `.`, `..`, repeated and trailing slashes folded, as the kernel
/// resolves it (`/var//run/../run/` is `/var/run`); `None` for relative, home and Windows paths.
/// A leading `//`, which Compose files written for Docker Desktop on Windows use to keep a path
/// from being converted (`//var/run/docker.sock`), is the root too; `//./` and `//?/` start
/// Windows device paths.
pub fn normalise_absolute(path: &str) -> Option<String> {
    if !path.starts_with('/') || path.starts_with("//./") || path.starts_with("//?/") {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// Whether `path` is `ancestor` or lies below it; both normalised.
pub fn is_within(path: &str, ancestor: &str) -> bool {
    if ancestor == "/" {
        return true;
    }
    path == ancestor
        || path
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_syntax_parts() {
        let full = parse_short_volume("/var/run/docker.sock:/var/run/docker.sock:ro");
        assert_eq!(
            full.source,
            Some(("/var/run/docker.sock".to_owned(), 0..20))
        );
        assert_eq!(full.target, "/var/run/docker.sock");
        assert_eq!(full.mode.as_deref(), Some("ro"));

        let anonymous = parse_short_volume("/var/lib/backup/data");
        assert_eq!(anonymous.source, None);
        assert_eq!(anonymous.target, "/var/lib/backup/data");

        let windows = parse_short_volume(r"C:\data:/data");
        assert_eq!(windows.source, Some((r"C:\data".to_owned(), 0..7)));
        assert_eq!(windows.target, "/data");
    }

    #[test]
    fn host_paths_and_volume_names() {
        assert!(is_host_path("/etc"));
        assert!(is_host_path("./data"));
        assert!(is_host_path("~/.ssh"));
        assert!(is_host_path(r"C:\data"));
        assert!(is_host_path(r"\\.\pipe\docker_engine"));
        assert!(!is_host_path("db-data"));
    }

    #[test]
    fn paths_fold_like_the_kernel_resolves_them() {
        assert_eq!(
            normalise_absolute("/var//run/../run/docker.sock/").as_deref(),
            Some("/var/run/docker.sock")
        );
        assert_eq!(normalise_absolute("/").as_deref(), Some("/"));
        assert_eq!(normalise_absolute("/..").as_deref(), Some("/"));
        assert_eq!(normalise_absolute("./data"), None);
        assert_eq!(
            normalise_absolute("//var/run/docker.sock").as_deref(),
            Some("/var/run/docker.sock")
        );
        assert_eq!(normalise_absolute("//./pipe/docker_engine"), None);
        assert!(is_within("/var/lib/docker/volumes", "/var/lib/docker"));
        assert!(!is_within("/var/lib/dockerd", "/var/lib/docker"));
        assert!(is_within("/etc", "/"));
    }

    #[test]
    fn read_only_mode_among_options() {
        assert!(mode_is_read_only("ro"));
        assert!(mode_is_read_only("z,ro"));
        assert!(!mode_is_read_only("rw"));
        assert!(!mode_is_read_only("rprivate"));
    }
}
