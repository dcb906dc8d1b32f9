//! The labeled KICS queries in `../shared/corpus/labeled/kics`: for each query that maps to
//! escalint rules, every positive test file is flagged by one of those rules and every negative
//! file by none, except the files listed as deliberate differences, where KICS's label is wrong
//! by the engine's semantics or KICS asks for something escalint deliberately does not.

use std::fs;
use std::path::{Path, PathBuf};

use escalint::discover::Kind;
use escalint::lint::{LintOptions, lint};

/// A KICS query and the escalint rules that cover it, with the reason for the mapping.
struct Mapping {
    query: &'static str,
    rules: &'static [&'static str],
    why: &'static str,
}

const MAPPINGS: &[Mapping] = &[
    Mapping {
        query: "privileged_containers_enabled",
        rules: &["privileged-service"],
        why: "the same check: `privileged: true`",
    },
    Mapping {
        query: "container_capabilities_unrestricted",
        rules: &["dangerous-capability", "cap-drop-all-missing"],
        why: "KICS flags a service that adds capabilities or drops none; escalint splits that into \
              the capabilities added and the missing `cap_drop: [ALL]`",
    },
    Mapping {
        query: "default_seccomp_profile_disabled",
        rules: &["unconfined-profile"],
        why: "`seccomp:unconfined` is one of the entries unconfined-profile reads",
    },
    Mapping {
        query: "docker_socket_mounted_in_container",
        rules: &["docker-socket-mount"],
        why: "the same check: a bind mount of `docker.sock`",
    },
    Mapping {
        query: "host_namespace_is_shared",
        rules: &["host-namespace"],
        why: "`pid: host`",
    },
    Mapping {
        query: "shared_host_ipc_namespace",
        rules: &["host-namespace"],
        why: "`ipc: host`",
    },
    Mapping {
        query: "shared_host_network_namespace",
        rules: &["host-namespace"],
        why: "`network_mode: host`",
    },
    Mapping {
        query: "shared_host_user_namespace",
        rules: &["host-namespace"],
        why: "`userns_mode: host`",
    },
    Mapping {
        query: "volume_has_sensitive_host_directory",
        rules: &["sensitive-host-mount"],
        why: "host folders mounted into a service",
    },
    Mapping {
        query: "no_new_privileges_not_set",
        rules: &["no-new-privileges-missing"],
        why: "a service without `no-new-privileges`; escalint asks for it only when the user is \
              known to be non-root",
    },
    Mapping {
        query: "missing_user_instruction",
        rules: &["root-user"],
        why: "an image that never sets a user runs as root: root-user's implicit case (a note)",
    },
    Mapping {
        query: "last_user_is_root",
        rules: &["root-user"],
        why: "a final `USER root`: root-user's explicit case",
    },
    Mapping {
        query: "run_using_sudo",
        rules: &["sudo-in-run"],
        why: "the same check: `sudo` in a RUN step",
    },
];

/// Queries no escalint rule maps to, with the reason.
const UNMAPPED: &[(&str, &str)] = &[
    (
        "security_opt_not_set",
        "KICS asks for any `security_opt` at all; an empty list or `label=type:x` protects no \
         more than none, so escalint checks the options that matter instead",
    ),
    (
        "chown_flag_exists",
        "`COPY --chown` to the runtime user is not a privilege escalation; files owned by that \
         user can be changed by it, which is a hardening concern, not a way to root",
    ),
];

/// A test file whose KICS label escalint deliberately does not follow.
struct Difference {
    query: &'static str,
    file: &'static str,
    why: &'static str,
}

const DIFFERENCES: &[Difference] = &[
    Difference {
        query: "default_seccomp_profile_disabled",
        file: "positive1.yaml",
        why: "`label:seccomp:unconfined` is an SELinux label option (`label` with the value \
              `seccomp:unconfined`), not a seccomp setting: the engine keeps the default seccomp \
              profile",
    },
    Difference {
        query: "no_new_privileges_not_set",
        file: "positive1.yaml",
        why: "the service builds a Dockerfile that is not there, so its user is unknown; \
              escalint asks for `no-new-privileges` only for known non-root users",
    },
    Difference {
        query: "no_new_privileges_not_set",
        file: "positive2.yaml",
        why: "as positive1.yaml: the user is unknown",
    },
    Difference {
        query: "volume_has_sensitive_host_directory",
        file: "positive1.yaml",
        why: "`- /var/lib/backup/data` has no host part: it is an anonymous volume at that path \
              in the container, not a host folder",
    },
    Difference {
        query: "volume_has_sensitive_host_directory",
        file: "positive2.yaml",
        why: "the named volume binds `/var/lib/backup/data`, which is not a folder that controls \
              the host; escalint does not follow named volumes to the host path they bind either \
              (a limitation its rule document states)",
    },
    Difference {
        query: "volume_has_sensitive_host_directory",
        file: "positive3.yaml",
        why: "no service mounts anything: `/var/data` is a volume driver option of an unused \
              top-level volume",
    },
    Difference {
        query: "volume_has_sensitive_host_directory",
        file: "positive4.yaml",
        why: "`/etc/exercise` is an application's folder below `/etc`; escalint flags `/etc` \
              itself and the files below it that grant root, not every path below it (`/etc/\
              localtime` is mounted everywhere)",
    },
    Difference {
        query: "missing_user_instruction",
        file: "negative.dockerfile",
        why: "the final stage is `FROM scratch` with no `USER`: its process runs as uid 0",
    },
];

#[test]
fn kics_labels_agree_with_the_mapped_rules() {
    let queries =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/labeled/kics/assets/queries");
    if !queries.is_dir() {
        eprintln!("skipped: {} is absent", queries.display());
        return;
    }

    let mut problems = Vec::new();
    let mut used_mappings = Vec::new();
    let mut used_differences = Vec::new();
    for (kind, platform) in [
        (Kind::Compose, "dockerCompose"),
        (Kind::Dockerfile, "dockerfile"),
    ] {
        for query_folder in sorted_entries(&queries.join(platform)) {
            let query = file_name(&query_folder);
            let name = query_name(&query_folder);
            if UNMAPPED.iter().any(|(unmapped, _)| *unmapped == query) {
                continue;
            }
            let Some(mapping) = MAPPINGS.iter().find(|mapping| mapping.query == query) else {
                problems.push(format!(
                    "{query} ({name}) is neither mapped nor listed as unmapped"
                ));
                continue;
            };
            used_mappings.push(query.clone());

            for file in sorted_entries(&query_folder.join("test")) {
                let file_name = file_name(&file);
                let positive = file_name.starts_with("positive");
                if file_name.ends_with(".json") || !(positive || file_name.starts_with("negative"))
                {
                    continue;
                }

                let flagged = flagging_rules(&file, kind, mapping.rules);
                let reported = !flagged.is_empty();
                let agrees = positive == reported;
                let difference = DIFFERENCES.iter().position(|difference| {
                    difference.query == query && difference.file == file_name
                });
                match (agrees, difference) {
                    (true, None) => {}
                    (false, Some(index)) => used_differences.push(index),
                    (true, Some(_)) => problems.push(format!(
                        "{query}/{file_name} agrees with KICS but is listed as a difference"
                    )),
                    (false, None) => problems.push(format!(
                        "{query}/{file_name} ({name}): KICS labels it {}, escalint's {:?} {}",
                        if positive { "positive" } else { "negative" },
                        mapping.rules,
                        if !reported {
                            "report nothing".to_owned()
                        } else {
                            format!("report {flagged:?}")
                        }
                    )),
                }
            }
        }
    }

    for mapping in MAPPINGS {
        assert!(!mapping.why.is_empty());
        if !used_mappings.iter().any(|query| query == mapping.query) {
            problems.push(format!("mapped query {} has no test folder", mapping.query));
        }
    }
    for (index, difference) in DIFFERENCES.iter().enumerate() {
        assert!(!difference.why.is_empty());
        if !used_differences.contains(&index) {
            problems.push(format!(
                "difference {}/{} matches no disagreement",
                difference.query, difference.file
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The diagnostics of `rules` in one file, as `rule:line`.
fn flagging_rules(file: &Path, kind: Kind, rules: &[&str]) -> Vec<String> {
    let options = LintOptions {
        paths: vec![file.to_path_buf()],
        kind: Some(kind),
        ..LintOptions::default()
    };
    let result = lint(&options).expect("the configuration is valid");
    assert!(
        result.failures.is_empty(),
        "KICS test files are readable: {:?}",
        result.failures
    );
    result
        .diagnostics
        .iter()
        .filter(|diagnostic| rules.contains(&diagnostic.rule))
        .map(|diagnostic| {
            let source = result.sources.get(diagnostic.span.source);
            let (line, _) = source.line_column(diagnostic.span.start);
            format!("{}:{line}", diagnostic.rule)
        })
        .collect()
}

/// The query's name from its `metadata.json`, for messages.
fn query_name(folder: &Path) -> String {
    let text = fs::read_to_string(folder.join("metadata.json")).unwrap_or_default();
    let metadata: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    metadata["queryName"].as_str().unwrap_or("?").to_owned()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn sorted_entries(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    paths.sort();
    paths
}
