//! Known base images: a small embedded table of popular images and the user their containers
//! start as, read wherever the model has no `USER` or `user:` to go by (`FROM` and `image:`).
//!
//! The configuration can add entries ([`crate::model::Allowances::images`]); they are checked
//! before the table, so a team can correct or extend it for its own registry.

use std::sync::LazyLock;

use crate::model::User;
use crate::model::allowances::ConfiguredImage;

/// What the table knows about an image's user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUser {
    /// The user the image's containers start as, as `USER` would give it: `65532`, `nonroot`.
    pub user: User,
    /// The non-root user the image's entrypoint steps down to when it starts as root.
    pub steps_down_to: Option<String>,
    /// The commands the entrypoint steps down for: the image's server programs, besides its
    /// default command and options passed to it (`--port=1`); `None` for any command.
    pub steps_down_for: Option<&'static [&'static str]>,
    /// The pattern that matched, for messages: `gcr.io/distroless/*:*nonroot*`.
    pub pattern: String,
}

impl ImageUser {
    /// The image starts as a non-root user.
    pub fn is_non_root(&self) -> bool {
        !self.user.is_empty() && !self.user.is_root()
    }

    /// The user the entrypoint steps down to when the container runs `command` (`None`: the
    /// image's default command).
    pub fn steps_down_with(&self, command: Option<&[String]>) -> Option<&str> {
        let to = self.steps_down_to.as_deref()?;
        let (Some(servers), Some(first)) = (self.steps_down_for, command.and_then(<[_]>::first))
        else {
            return Some(to);
        };
        // The entrypoints prepend the server to a command that starts with an option.
        let program = first.rsplit('/').next().unwrap_or(first);
        (first.starts_with('-') || servers.contains(&program)).then_some(to)
    }
}

/// One row of the embedded table: a pattern over the normalised reference, the user, and the
/// user an entrypoint steps down to. The first matching row wins.
struct Row {
    /// `registry/repository:tag`, where `*` matches any run of characters.
    pattern: &'static str,
    user: &'static str,
    steps_down_to: Option<&'static str>,
    steps_down_for: Option<&'static [&'static str]>,
}

const fn runs_as(pattern: &'static str, user: &'static str) -> Row {
    Row {
        pattern,
        user,
        steps_down_to: None,
        steps_down_for: None,
    }
}

/// An image that starts as root and whose entrypoint steps down to `to` when it runs one of
/// `servers` (or its default command); `None` steps down whatever the command.
const fn steps_down(
    pattern: &'static str,
    to: &'static str,
    servers: Option<&'static [&'static str]>,
) -> Row {
    Row {
        pattern,
        user: "root",
        steps_down_to: Some(to),
        steps_down_for: servers,
    }
}

/// Popular images whose user is documented or set by `USER` in their published Dockerfile.
/// Rows for images that run as root are here only to stop a broader row below them.
const TABLE: &[Row] = &[
    // Distroless: the `nonroot` tags (`nonroot`, `debug-nonroot`, `nonroot-amd64`) run as
    // 65532; the other tags run as root (GoogleContainerTools/distroless README).
    runs_as("gcr.io/distroless/*:*nonroot*", "nonroot"),
    // Chainguard images set `accounts.run-as` in their apko configuration: 65532 for these;
    // `go` and `wolfi-base` run as root (chainguard-images/images, `configs/*.apko.yaml`).
    runs_as("cgr.dev/chainguard/static:*", "65532"),
    runs_as("cgr.dev/chainguard/busybox:*", "65532"),
    runs_as("cgr.dev/chainguard/python:*", "65532"),
    runs_as("cgr.dev/chainguard/node:*", "65532"),
    runs_as("cgr.dev/chainguard/nginx:*", "65532"),
    runs_as("cgr.dev/chainguard/go:*", "root"),
    runs_as("cgr.dev/chainguard/wolfi-base:*", "root"),
    // NGINX's unprivileged image runs as uid 101 (nginxinc/docker-nginx-unprivileged README).
    runs_as("docker.io/nginxinc/nginx-unprivileged:*", "101"),
    // Bitnami's images are non-root containers running as 1001 (Bitnami documentation, "Work
    // with non-root containers"); minideb is their base image and runs as root.
    runs_as("docker.io/bitnami/minideb:*", "root"),
    runs_as("docker.io/bitnami/*:*", "1001"),
    // Official images whose Dockerfiles end with `USER`.
    runs_as("docker.io/library/memcached:*", "memcache"),
    runs_as("docker.io/library/kong:*", "kong"),
    runs_as("docker.io/library/wordpress:cli*", "www-data"),
    runs_as("docker.io/library/mariadb:*ubi*", "mysql"),
    // Official images whose `docker-entrypoint.sh` starts as root and, when it runs the server,
    // steps down with `gosu` or `su-exec` after fixing ownership of the data directory; any
    // other command runs as root.
    steps_down(
        "docker.io/library/postgres:*",
        "postgres",
        Some(&["postgres"]),
    ),
    steps_down("docker.io/library/mysql:*", "mysql", Some(&["mysqld"])),
    steps_down(
        "docker.io/library/mariadb:*",
        "mysql",
        Some(&["mariadbd", "mysqld"]),
    ),
    steps_down(
        "docker.io/library/mongo:*",
        "mongodb",
        Some(&["mongod", "mongos"]),
    ),
    steps_down(
        "docker.io/library/redis:*",
        "redis",
        Some(&["redis-server"]),
    ),
    steps_down("docker.io/library/ghost:*", "node", Some(&["node"])),
    // LinuxServer.io images start as root and run their services as `abc` (PUID/PGID) through
    // s6-overlay (docs.linuxserver.io, "Understanding PUID and PGID").
    steps_down("lscr.io/linuxserver/*:*", "abc", None),
    steps_down("ghcr.io/linuxserver/*:*", "abc", None),
    steps_down("docker.io/linuxserver/*:*", "abc", None),
    // Grafana runs as 472 (Grafana documentation, "Run Grafana Docker image").
    runs_as("docker.io/grafana/grafana:*", "472"),
    runs_as("docker.io/grafana/grafana-oss:*", "472"),
    runs_as("docker.io/grafana/grafana-enterprise:*", "472"),
    // Prometheus and its exporters end their Dockerfiles with `USER nobody`.
    runs_as("docker.io/prom/prometheus:*", "nobody"),
    runs_as("docker.io/prom/alertmanager:*", "nobody"),
    runs_as("docker.io/prom/node-exporter:*", "nobody"),
    runs_as("quay.io/prometheus/prometheus:*", "nobody"),
    runs_as("quay.io/prometheus/alertmanager:*", "nobody"),
    runs_as("quay.io/prometheus/node-exporter:*", "nobody"),
    // Elastic's images run as uid 1000 (Elastic documentation, "Install Elasticsearch with
    // Docker"); the Docker Hub official images are the same builds.
    runs_as("docker.elastic.co/elasticsearch/*:*", "1000"),
    runs_as("docker.elastic.co/kibana/*:*", "1000"),
    runs_as("docker.elastic.co/logstash/*:*", "1000"),
    runs_as("docker.io/library/elasticsearch:*", "1000"),
    runs_as("docker.io/library/kibana:*", "1000"),
    runs_as("docker.io/library/logstash:*", "1000"),
    runs_as("docker.io/jenkins/jenkins:*", "jenkins"),
    runs_as("quay.io/keycloak/keycloak:*", "1000"),
    runs_as("docker.io/gitea/gitea:*rootless*", "git"),
    // SQL Server runs as `mssql` (10001) from 2019 on; the 2017 images run as root
    // (Microsoft Learn, "Configure SQL Server Linux containers to run as non-root").
    runs_as("mcr.microsoft.com/mssql/server:2017*", "root"),
    runs_as("mcr.microsoft.com/mssql/server:*", "mssql"),
    // .NET chiseled images run as the non-root `app` user (1654) (Microsoft Learn, ".NET
    // container images, chiseled").
    runs_as("mcr.microsoft.com/dotnet/*:*chiseled*", "app"),
];

/// The text before the first `*` of each pattern of [`TABLE`]: a subject that does not start
/// with it is ruled out by one comparison, and most rows are ruled out so.
static TABLE_PREFIXES: LazyLock<Vec<&str>> = LazyLock::new(|| {
    TABLE
        .iter()
        .map(|row| row.pattern.split('*').next().unwrap_or(row.pattern))
        .collect()
});

/// The user an image starts as, from the configuration's entries first, then the table; `None`
/// when neither knows the image.
pub fn known_user(reference: &str, configured: &[ConfiguredImage]) -> Option<ImageUser> {
    let reference = ImageReference::parse(reference);
    let subject = reference.pattern_subject();

    for entry in configured {
        if matches(&normalise_pattern(&entry.pattern), &subject) {
            return Some(ImageUser {
                user: User::parse(&entry.user),
                steps_down_to: None,
                steps_down_for: None,
                pattern: entry.pattern.clone(),
            });
        }
    }

    let row = TABLE
        .iter()
        .zip(TABLE_PREFIXES.iter())
        .find(|(row, prefix)| subject.starts_with(*prefix) && matches(row.pattern, &subject))
        .map(|(row, _)| row)?;
    Some(ImageUser {
        user: User::parse(row.user),
        steps_down_to: row.steps_down_to.map(str::to_owned),
        steps_down_for: row.steps_down_for,
        pattern: row.pattern.to_owned(),
    })
}

/// Windows base images: Microsoft's `mcr.microsoft.com/windows/...` and `microsoft/windows...`,
/// Server Core, Nano Server, and the Windows variants of official images
/// (`python:3.12-windowsservercore-ltsc2022`). Other images named after Windows are Linux
/// containers (`dockurr/windows` runs a Windows virtual machine under QEMU).
pub fn is_windows_image(reference: &str) -> bool {
    let image = ImageReference::parse(reference);
    let is_microsoft_windows = match image.registry.as_str() {
        "mcr.microsoft.com" => image.repository.starts_with("windows"),
        "docker.io" => image.repository.starts_with("microsoft/windows"),
        _ => false,
    };
    let names_windows_build =
        |text: &str| text.contains("servercore") || text.contains("nanoserver");
    is_microsoft_windows
        || names_windows_build(&image.repository)
        || image.tag.as_deref().is_some_and(names_windows_build)
}

/// An image reference split as the engine reads it: `[registry/]repository[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageReference {
    /// `docker.io` for Docker Hub, whatever alias was written.
    pub registry: String,
    /// With `library/` for Docker Hub's official images: `library/postgres`.
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageReference {
    pub fn parse(text: &str) -> Self {
        let text = text.trim().to_ascii_lowercase();
        let (name, digest) = match text.split_once('@') {
            Some((name, digest)) => (name.to_owned(), Some(digest.to_owned())),
            None => (text.clone(), None),
        };
        let last_slash = name.rfind('/').map_or(0, |at| at + 1);
        let (name, tag) = match name[last_slash..].rfind(':') {
            Some(colon) => {
                let at = last_slash + colon;
                (name[..at].to_owned(), Some(name[at + 1..].to_owned()))
            }
            None => (name, None),
        };

        // The first component names a registry when it looks like a host: a dot, a port or
        // `localhost`; otherwise the image is on Docker Hub.
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
                (first.to_owned(), rest.to_owned())
            }
            _ => ("docker.io".to_owned(), name),
        };
        let registry = match registry.as_str() {
            "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
                "docker.io".to_owned()
            }
            _ => registry,
        };
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };

        Self {
            registry,
            repository,
            tag,
            digest,
        }
    }

    /// `registry/repository:tag`, the text the table's patterns match. A reference without a
    /// tag means `latest`, unless it is pinned by digest alone: then the tag is unknown (empty).
    fn pattern_subject(&self) -> String {
        let tag = match (&self.tag, &self.digest) {
            (Some(tag), _) => tag.as_str(),
            (None, Some(_)) => "",
            (None, None) => "latest",
        };
        format!("{}/{}:{tag}", self.registry, self.repository)
    }
}

/// A configured pattern in the table's form: the name normalised like a reference, `*` as the
/// tag when none is given.
fn normalise_pattern(pattern: &str) -> String {
    let reference = ImageReference::parse(pattern);
    let tag = reference.tag.as_deref().unwrap_or("*");
    format!("{}/{}:{tag}", reference.registry, reference.repository)
}

/// Glob matching where `*` stands for any run of characters, `/` and `:` included.
fn matches(pattern: &str, text: &str) -> bool {
    let Some((first, after_first)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let (middle, last) = after_first.rsplit_once('*').unwrap_or(("", after_first));
    for part in middle.split('*').filter(|part| !part.is_empty()) {
        let Some(at) = rest.find(part) else {
            return false;
        };
        rest = &rest[at + part.len()..];
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user_of(reference: &str) -> Option<String> {
        known_user(reference, &[]).map(|known| known.user.name)
    }

    #[test]
    fn only_microsoft_windows_builds_are_windows_images() {
        for windows in [
            "mcr.microsoft.com/windows/servercore:ltsc2019",
            "mcr.microsoft.com/windows:1809",
            "mcr.microsoft.com/windows/nanoserver:ltsc2022",
            "microsoft/windowsservercore",
            "microsoft/nanoserver:sac2016",
            "python:3.12-windowsservercore-ltsc2022",
            "mcr.microsoft.com/dotnet/framework/sdk:4.8-windowsservercore-ltsc2019",
        ] {
            assert!(is_windows_image(windows), "{windows}");
        }
        for linux in [
            "dockurr/windows:6.04",
            "dockurr/windows",
            "registry.example.com/windows/tools:1",
            "debian:bookworm",
        ] {
            assert!(!is_windows_image(linux), "{linux}");
        }
    }

    #[test]
    fn the_prefix_check_finds_the_row_a_full_scan_finds() {
        for row in TABLE {
            let reference = row.pattern.replace('*', "x");
            let subject = ImageReference::parse(&reference).pattern_subject();
            let scanned = TABLE.iter().find(|row| matches(row.pattern, &subject));

            let found = known_user(&reference, &[]).map(|known| known.pattern);

            assert_eq!(
                found.as_deref(),
                scanned.map(|row| row.pattern),
                "{reference}"
            );
            assert!(found.is_some(), "{reference}");
        }
    }

    #[test]
    fn stars_match_any_run_of_characters() {
        assert!(matches(
            "docker.io/library/postgres:*",
            "docker.io/library/postgres:16"
        ));
        assert!(matches("*/bitnami/*:*", "docker.io/bitnami/redis:7.2"));
        assert!(matches("a**b", "ab"));
        assert!(matches("a*", "a"));
        assert!(matches("exact", "exact"));
        assert!(!matches("exact", "exactly"));
        assert!(!matches("a*b*c", "acb"));
        assert!(!matches(
            "*:*chiseled*",
            "mcr.microsoft.com/dotnet/runtime:8.0"
        ));
        assert!(!matches("ab*ba", "aba"));
    }

    #[test]
    fn references_are_normalised_like_the_engine() {
        let postgres = ImageReference::parse("postgres:16-alpine");
        assert_eq!(postgres.registry, "docker.io");
        assert_eq!(postgres.repository, "library/postgres");
        assert_eq!(postgres.tag.as_deref(), Some("16-alpine"));

        let hub = ImageReference::parse("index.docker.io/bitnami/redis@sha256:abc");
        assert_eq!(hub.registry, "docker.io");
        assert_eq!(hub.repository, "bitnami/redis");
        assert_eq!(hub.tag, None);
        assert_eq!(hub.digest.as_deref(), Some("sha256:abc"));

        let local = ImageReference::parse("localhost:5000/team/app:1.2");
        assert_eq!(local.registry, "localhost:5000");
        assert_eq!(local.repository, "team/app");
        assert_eq!(local.tag.as_deref(), Some("1.2"));
    }

    #[test]
    fn distroless_nonroot_tags_only() {
        assert_eq!(
            user_of("gcr.io/distroless/static:nonroot").as_deref(),
            Some("nonroot")
        );
        assert_eq!(
            user_of("gcr.io/distroless/static-debian12:debug-nonroot").as_deref(),
            Some("nonroot")
        );
        assert_eq!(user_of("gcr.io/distroless/static-debian12:latest"), None);
        assert_eq!(user_of("gcr.io/distroless/base@sha256:0123"), None);
    }

    #[test]
    fn broader_rows_do_not_hide_earlier_root_rows() {
        let minideb = known_user("bitnami/minideb:bookworm", &[]).expect("known");
        assert!(!minideb.is_non_root());
        let redis = known_user("docker.io/bitnami/redis:7.2", &[]).expect("known");
        assert!(redis.is_non_root());
        assert_eq!(redis.user.name, "1001");
    }

    #[test]
    fn official_images_that_step_down_are_root_with_a_target() {
        let postgres = known_user("postgres", &[]).expect("known");
        assert!(!postgres.is_non_root());
        assert_eq!(postgres.steps_down_with(None), Some("postgres"));
        let words = |text: &str| -> Vec<String> { text.split(' ').map(str::to_owned).collect() };
        let server = words("postgres -c fsync=off");
        assert_eq!(postgres.steps_down_with(Some(&server)), Some("postgres"));
        let options = words("-c fsync=off");
        assert_eq!(postgres.steps_down_with(Some(&options)), Some("postgres"));
        let dump = words("/scripts/dump.sh");
        assert_eq!(postgres.steps_down_with(Some(&dump)), None);
        let linuxserver = known_user("lscr.io/linuxserver/sonarr", &[]).expect("known");
        assert_eq!(linuxserver.steps_down_with(Some(&dump)), Some("abc"));
        assert_eq!(user_of("mariadb:11.4-ubi").as_deref(), Some("mysql"));
        assert_eq!(user_of("ubuntu:24.04"), None);
    }

    #[test]
    fn configured_entries_come_first() {
        let configured = [ConfiguredImage {
            pattern: "registry.example/base/*".to_owned(),
            user: "10001".to_owned(),
        }];
        let known = known_user("registry.example/base/python:3.12", &configured).expect("known");
        assert_eq!(known.user.name, "10001");
        assert_eq!(known.pattern, "registry.example/base/*");
        let pinned = [ConfiguredImage {
            pattern: "postgres:16-hardened".to_owned(),
            user: "postgres".to_owned(),
        }];
        assert!(
            known_user("postgres:16-hardened", &pinned)
                .expect("known")
                .is_non_root()
        );
        assert!(
            !known_user("postgres:16", &pinned)
                .expect("known")
                .is_non_root()
        );
    }

    #[test]
    fn glob_matches_runs_of_any_characters() {
        assert!(matches("a*c", "abbc"));
        assert!(matches("a*", "a"));
        assert!(!matches("a*c", "ab"));
        assert!(matches("*x*", "axb"));
        assert!(!matches("ab*ba", "aba"));
    }
}
