//! Loads every Compose file of the shared corpus as `escalint check FILE` reads it (a default
//! file with the override beside it, an override with its default file): none may panic, and
//! exactly the files that Compose itself refuses to load yield `parse-error`, each for the
//! reason listed in [`REJECTED`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use escalint::model::compose::{LoadOptions, load_project, project};
use escalint::source::{Source, Sources};

const CORPUS_FOLDERS: [&str; 2] = ["compose", "parser-conformance/compose-go"];

/// Files Compose refuses to load as they stand in the corpus (no `.env` files were copied, and
/// no variables are set), with the reason; paths are relative to `../shared/corpus`.
const REJECTED: &[(&str, &str)] = &[
    (
        "compose/coollabsio__coolify/templates/compose/cap.yaml",
        "required variables (`${CAP_AWS_ACCESS_KEY:?}`, ...) have no value; Coolify sets them",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/celld.yaml",
        "required variables (`${CELLD_BUCKET:?}`, ...) have no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/cloudflare-ddns.yaml",
        "required variables (`${CLOUDFLARE_API_TOKEN:?}`, ...) have no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/convex.yaml",
        "required variables (`${DISABLE_BEACON:?false}`, ...) have no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/dify.yaml",
        "`${[A-Za-z_][A-Za-z_0-9]*}` in a `content` value is not a valid interpolation",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/docmost.yaml",
        "required variable `${MAIL_DRIVER:?}` has no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/electricsql.yaml",
        "required variable `${DATABASE_URL:?}` has no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/ente-photos.yaml",
        "required variables (`${S3_STORAGE_KEY:?}`, ...) have no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/gramps-web.yaml",
        "a merge key (`<<`) merges a list anchor, which YAML cannot merge",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/grist.yaml",
        "required variables (`${OIDC_IDP_ISSUER:?}`, ...) have no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/healthchecks.yaml",
        "required variable `${SECRET_KEY:?}` has no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/langfuse.yaml",
        "a merge key (`<<`) merges a list anchor, which YAML cannot merge",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/matrix-synapse-with-postgresql.yaml",
        "required variable `${SYNAPSE_SERVER_NAME:?}` has no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/matrix-synapse-with-sqlite.yaml",
        "required variable `${SYNAPSE_SERVER_NAME:?}` has no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/newt-pangolin.yaml",
        "required variables (`${NEWT_ID:?}`, ...) have no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/palworld.yaml",
        "required variables (`${TZ:?UTC}`, ...) have no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/pgadmin.yaml",
        "required variables (`${PGADMIN_DEFAULT_EMAIL:?}`, ...) have no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/plunk.yaml",
        "required variables (`${AWS_REGION:?}`, ...) have no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/satisfactory.yaml",
        "required variables (`${MAX_OBJECTS:?2162688}`, ...) have no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/signoz.yaml",
        "`${env:LOW_CARDINAL_EXCEPTION_GROUPING}` in a `content` value is not a valid \
         interpolation",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/supabase.yaml",
        "required variable `${LOGFLARE_PUBLIC_ACCESS_TOKEN:?}` has no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/tailscale-client.yaml",
        "required variable `${TS_AUTHKEY:?}` has no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/typesense.yaml",
        "required variable `${TYPESENSE_API_KEY:?}` has no value",
    ),
    (
        "compose/coollabsio__coolify/templates/compose/usesend.yaml",
        "required variables (`${AWS_ACCESS_KEY:?}`, ...) have no value",
    ),
    (
        "compose/docker__compose/pkg/e2e/testdata/TestSecretFromEnv/compose.yaml",
        "its `include` names the env file `secret.env`, which the corpus does not hold",
    ),
    (
        "compose/docker__compose/pkg/e2e/testdata/TestSecretFromInclude/compose.yaml",
        "its `include` names the env file `secret.env`, which the corpus does not hold",
    ),
    (
        "compose/docker__compose/pkg/e2e/testdata/TestUpImageID/compose.yaml",
        "required variable `${ID:?}` has no value (the test sets it)",
    ),
    (
        "compose/frappe__frappe_docker/overrides/compose.custom-domain.yaml",
        "required variables (`${ROUTER:?}`, ...) have no value; the guide sets them",
    ),
    (
        "compose/frappe__frappe_docker/overrides/compose.https.yaml",
        "required variables (`${SITES_RULE:?}`, ...) have no value",
    ),
    (
        "compose/frappe__frappe_docker/overrides/compose.mariadb-secrets.yaml",
        "required variable `${DB_PASSWORD_SECRETS_FILE:?}` has no value",
    ),
    (
        "compose/frappe__frappe_docker/overrides/compose.multi-bench-ssl.yaml",
        "required variable `${SITES_RULE:?}` has no value",
    ),
    (
        "compose/frappe__frappe_docker/overrides/compose.multi-bench.yaml",
        "required variables (`${ROUTER:?}`, ...) have no value",
    ),
    (
        "compose/frappe__frappe_docker/overrides/compose.nginxproxy-ssl.yaml",
        "required variables (`${NGINX_PROXY_HOSTS:?}`, ...) have no value",
    ),
    (
        "compose/frappe__frappe_docker/overrides/compose.nginxproxy.yaml",
        "required variable `${NGINX_PROXY_HOSTS:?}` has no value",
    ),
    (
        "compose/frappe__frappe_docker/overrides/compose.traefik-ssl.yaml",
        "required variable `${EMAIL:?}` has no value",
    ),
    (
        "compose/frappe__frappe_docker/overrides/compose.traefik.yaml",
        "required variables (`${HASHED_PASSWORD:?}`, ...) have no value",
    ),
    (
        "parser-conformance/compose-go/loader/testdata/compose-include-cycle.yaml",
        "it includes itself",
    ),
    (
        "parser-conformance/compose-go/loader/testdata/empty.yaml",
        "an empty project; Compose says `empty compose file`",
    ),
    (
        "parser-conformance/compose-go/loader/testdata/remote/cycle/compose-cycle.yaml",
        "`extends.file: remote:...` needs compose-go's test-only `remote:` loader; Compose reads \
         it as a local path that does not exist",
    ),
    (
        "parser-conformance/compose-go/loader/testdata/remote/cycle/compose.yaml",
        "`extends.file: remote:...` needs compose-go's test-only `remote:` loader",
    ),
    (
        "parser-conformance/compose-go/loader/testdata/remote/nested/compose.yaml",
        "`extends.file: remote:...` needs compose-go's test-only `remote:` loader",
    ),
];

/// Files Compose refuses for a reason escalint does not check, so they load without
/// `parse-error` here; the test keeps the list honest.
const REJECTED_UNCHECKED: &[(&str, &str)] = &[
    (
        "parser-conformance/compose-go/loader/testdata/compose-depends-on-cycle.yaml",
        "its services depend on each other in a cycle; escalint does not check `depends_on`",
    ),
    (
        "parser-conformance/compose-go/loader/testdata/compose-depends-on-profile-no-cycle.yaml",
        "the same cycle (compose-go's test enables only some profiles; escalint reads all)",
    ),
    (
        "parser-conformance/compose-go/loader/testdata/compose-depends-on-self.yaml",
        "a service depends on itself; escalint does not check `depends_on`",
    ),
];

#[test]
fn corpus_compose_files_load_and_only_refused_ones_yield_parse_error() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !corpus.is_dir() {
        println!("skipped: {} is absent", corpus.display());
        return;
    }

    let mut files = Vec::new();
    for folder in CORPUS_FOLDERS {
        collect_yaml_files(&corpus.join(folder), &mut files);
    }
    files.sort();
    assert!(files.len() > 1250, "the corpus has its Compose files");

    let mut refused: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut schema_warned = 0;
    for path in &files {
        let (messages, has_schema_warnings) = problems_of(path);
        schema_warned += usize::from(has_schema_warnings);
        if !messages.is_empty() {
            let relative = path.strip_prefix(&corpus).unwrap_or(path);
            refused.insert(relative.display().to_string(), messages);
        }
    }
    // Real files break the schema now and then (Coolify's own keys, unset variables); a jump
    // here means escalint misreads valid files.
    assert!(
        schema_warned * 10 < files.len(),
        "{schema_warned} of {} files get compose-schema warnings",
        files.len()
    );

    let listed: Vec<&str> = REJECTED.iter().map(|(path, _)| *path).collect();
    let unexpected: Vec<String> = refused
        .iter()
        .filter(|(path, _)| !listed.contains(&path.as_str()))
        .map(|(path, messages)| format!("{path}:\n    {}", messages.join("\n    ")))
        .collect();
    let missing: Vec<&str> = listed
        .iter()
        .filter(|path| !refused.contains_key(**path))
        .copied()
        .collect();
    assert!(
        unexpected.is_empty() && missing.is_empty(),
        "parse-error where Compose loads the file:\n{}\nno parse-error where Compose refuses \
         it:\n{}",
        unexpected.join("\n"),
        missing.join("\n")
    );

    for (path, reason) in REJECTED_UNCHECKED {
        assert!(
            corpus.join(path).is_file(),
            "{path} ({reason}) is in the corpus"
        );
        assert!(
            !refused.contains_key(*path),
            "{path} is now refused; move it to REJECTED"
        );
    }
}

/// The `parse-error` messages of the project `path` belongs to, located anywhere in it, and
/// whether it gets `compose-schema` warnings.
fn problems_of(path: &Path) -> (Vec<String>, bool) {
    let mut sources = Sources::default();
    let mut ids = Vec::new();
    for file in project::project_files(path) {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let display = file.display().to_string();
        ids.push(sources.add(Source::new(display, file, text)));
    }
    if ids.is_empty() {
        return (vec!["not readable as UTF-8 text".to_owned()], false);
    }

    let loaded = load_project(&mut sources, &ids, &LoadOptions::default());
    let has_schema_warnings = loaded
        .diagnostics
        .iter()
        .any(|diagnostic| diagnostic.rule == "compose-schema");
    let parse_errors = loaded
        .diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.rule == "parse-error")
        .map(|diagnostic| {
            let source = sources.get(diagnostic.span.source);
            let (line, column) = source.line_column(diagnostic.span.start);
            format!("{}:{line}:{column}: {}", source.display, diagnostic.message)
        })
        .collect();
    (parse_errors, has_schema_warnings)
}

fn collect_yaml_files(folder: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_yaml_files(&path, files);
        } else if path
            .extension()
            .is_some_and(|extension| extension == "yml" || extension == "yaml")
        {
            files.push(path);
        }
    }
}
