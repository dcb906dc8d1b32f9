//! The model: a format-independent view of what each container will be at run time. Rules read
//! only these types, never parser types.

pub mod accounts;
pub mod allowances;
pub mod compose;
pub mod dockerfile;
pub mod entrypoint;
pub mod file_capabilities;
pub mod images;
pub mod layout;
pub mod mode;
pub mod mounts;
pub mod users;

use std::path::PathBuf;

use crate::source::{SourceId, Span, Spanned};

pub use allowances::Allowances;
pub use entrypoint::{Entrypoint, StepDown};
pub use file_capabilities::CapabilitySet;
pub use layout::{ListLayout, ServiceLayout};
pub use mode::{DirectoryEvidence, SpecialBits};
pub use mounts::{Mount, MountKind};
pub use users::{ImageOrigin, UserOrigin};

/// Everything one run knows: the Dockerfiles and Compose files linted or read as context.
#[derive(Debug, Default)]
pub struct Model {
    pub dockerfiles: Vec<Dockerfile>,
    pub composes: Vec<Compose>,
    /// What the configuration allows (known images, capabilities); empty without a config.
    pub allowances: Allowances,
}

impl Model {
    /// The Dockerfile a service builds and the stage it targets.
    pub fn built_stage(&self, service: &Service) -> Option<(&Dockerfile, &Stage)> {
        let dockerfile = &self.dockerfiles[service.built?];
        let target = service
            .build
            .as_ref()
            .and_then(|build| build.target.as_deref());
        Some((dockerfile, dockerfile.built_stage(target)?))
    }

    /// Whether a service runs a Windows container: its `platform:` is Windows, it builds a
    /// Windows image, or runs one by `image:`, or its user is one of the Windows accounts.
    pub fn is_windows(&self, service: &Service) -> bool {
        let windows_platform = service.platform.as_ref().is_some_and(|platform| {
            let os = platform.value.split('/').next().unwrap_or_default();
            os.eq_ignore_ascii_case("windows")
        });
        let windows_user = service
            .user
            .as_ref()
            .is_some_and(|user| User::parse(&user.value).is_windows_account());
        if windows_platform || windows_user {
            return true;
        }
        if let Some((_, stage)) = self.built_stage(service) {
            return stage.is_windows;
        }
        service.build.is_none()
            && service
                .image
                .as_ref()
                .is_some_and(|image| images::is_windows_image(&image.value))
    }
}

/// A user as `USER` or `user:` gives it: `name[:group]`, names or ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub group: Option<String>,
    /// The `RUN` step that gave this account uid 0 (`useradd -o -u 0 app`), when one did.
    pub uid_zero_at: Option<Span>,
}

impl User {
    /// Splits `user[:group]`.
    pub fn parse(text: &str) -> Self {
        match text.split_once(':') {
            Some((name, group)) => Self {
                name: name.to_owned(),
                group: Some(group.to_owned()),
                uid_zero_at: None,
            },
            None => Self {
                name: text.to_owned(),
                group: None,
                uid_zero_at: None,
            },
        }
    }

    /// Root by name, uid 0 or an account given uid 0; the group does not matter (`0:1000` is
    /// root).
    pub fn is_root(&self) -> bool {
        let name = self.name.trim();
        name == "root"
            || (!name.is_empty() && name.bytes().all(|b| b == b'0'))
            || self.uid_zero_at.is_some()
    }

    /// The built-in accounts of Windows containers; only Windows images have them.
    pub fn is_windows_account(&self) -> bool {
        let name = self.name.trim();
        name.eq_ignore_ascii_case("ContainerAdministrator")
            || name.eq_ignore_ascii_case("ContainerUser")
    }

    /// Empty after expansion: the engine then keeps running as root.
    pub fn is_empty(&self) -> bool {
        self.name.trim().is_empty()
    }
}

/// One Dockerfile, its stages and the steps that change file modes.
#[derive(Debug, Clone)]
pub struct Dockerfile {
    pub source: SourceId,
    pub stages: Vec<Stage>,
    /// A Compose service in the run builds this file, so the service's diagnostics cover the
    /// containers it runs.
    pub built_by_compose: bool,
}

impl Dockerfile {
    /// The stage a build of this file produces: `target` by name, else the last one.
    pub fn built_stage(&self, target: Option<&str>) -> Option<&Stage> {
        match target {
            Some(target) => self.stages.iter().find(|stage| {
                stage
                    .name
                    .as_deref()
                    .is_some_and(|name| name.eq_ignore_ascii_case(target))
            }),
            None => self.stages.last(),
        }
    }

    /// The stages whose files end up in the image of `stage`: itself, the stages it is built
    /// `FROM`, and the stages any of those copy files from (`COPY --from` keeps modes).
    pub fn contributing_stages(&self, stage: &Stage) -> Vec<&Stage> {
        let mut seen = vec![false; self.stages.len()];
        let mut pending = vec![stage.index];
        let mut found = Vec::new();
        while let Some(index) = pending.pop() {
            if seen[index] {
                continue;
            }
            seen[index] = true;
            let current = &self.stages[index];
            found.push(current);
            if let Base::Stage(parent) = current.base {
                pending.push(parent);
            }
            pending.extend(current.copies_from.iter().copied());
        }
        found.sort_by_key(|stage| stage.index);
        found
    }
}

/// One `FROM` section of a Dockerfile.
#[derive(Debug, Clone)]
pub struct Stage {
    pub index: usize,
    pub name: Option<String>,
    /// The `FROM` instruction.
    pub span: Span,
    pub base: Base,
    /// The user the stage's containers run as, following `FROM <stage>` inheritance; `None`
    /// when no `USER` applies, so the base image decides.
    pub user: Option<StageUser>,
    /// Earlier stages this one copies files from with `COPY --from` / `ADD --from`.
    pub copies_from: Vec<usize>,
    pub setuid_steps: Vec<SetuidStep>,
    /// `setcap` commands in this stage's RUN steps that give files capabilities.
    pub file_capability_steps: Vec<FileCapabilityStep>,
    /// Built on a Windows base image (or from a stage that is).
    pub is_windows: bool,
    /// `RUN` flags that widen what a build step may do: `--security`, `--network`.
    pub run_options: Vec<RunOption>,
    /// `sudo` commands in this stage's RUN steps.
    pub sudo_steps: Vec<SudoStep>,
    /// The `ENTRYPOINT` in effect, following `FROM <stage>`; `None` keeps the base image's.
    pub entrypoint: Option<Entrypoint>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// An image from a registry, variables expanded: `ubuntu:18.04`.
    Image(String),
    /// An earlier stage of the same file, by index.
    Stage(usize),
    /// `FROM scratch`.
    Scratch,
}

/// The user that a `USER` instruction sets, variables expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageUser {
    pub user: User,
    /// The `USER` instruction that decides it (maybe in a parent stage).
    pub span: Span,
}

/// A step that gives a file the setuid or setgid bit: a `chmod`, `install -m`, `mkdir -m` in a
/// RUN, or a `COPY`/`ADD --chmod`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetuidStep {
    /// The mode operand: `4755`, `u+s` or the `--chmod=...` flag.
    pub span: Span,
    pub mode: String,
    pub bits: SpecialBits,
    /// The files made setuid, when they are literal paths.
    pub targets: Vec<String>,
    pub directory: Option<DirectoryEvidence>,
    /// The file belongs to root when the bit is set: the step ran as root, or `--chown` names
    /// root or is absent.
    pub owner_is_root: bool,
    /// Where the mode itself is written, character for character (inside quotes), for a fix;
    /// `None` when a line continuation, an escape or a variable stands in it.
    pub verbatim_mode: Option<Span>,
}

/// A `setcap` command in a RUN step that gives a file capabilities in its permitted set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCapabilityStep {
    /// The capability text operand: `cap_setuid+ep`.
    pub span: Span,
    /// The capability text after quote removal.
    pub text: String,
    pub granted: CapabilitySet,
    /// The file, when it is a literal path (`{}` for `find -exec`).
    pub target: Option<String>,
    /// The file operand as the script writes it (`"$(which python3)"`), when it is written.
    pub target_written: Option<String>,
}

/// One Compose file (with what it pulls in), as Compose would run it.
#[derive(Debug, Clone)]
pub struct Compose {
    pub source: SourceId,
    pub services: Vec<Service>,
}

/// A Compose service with the values that decide its privileges, interpolated.
#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    /// The service's key in the file that defines it first.
    pub key_span: Span,
    pub image: Option<Spanned<String>>,
    /// `platform:`, such as `linux/arm64` or `windows/amd64`.
    pub platform: Option<Spanned<String>>,
    pub user: Option<Spanned<String>>,
    pub security_opt: Option<Listing>,
    pub cap_drop: Option<Listing>,
    pub cap_add: Option<Listing>,
    pub build: Option<Build>,
    /// The Dockerfile this service builds, as an index into [`Model::dockerfiles`]; set when the
    /// model of the run is assembled.
    pub built: Option<usize>,
    /// `privileged:` as written (interpolated); see [`parse_compose_bool`].
    pub privileged: Option<Spanned<String>>,
    /// `pid:`, `ipc:`, `network_mode:`, `userns_mode:`, `uts:` and `cgroup:`, when set.
    pub namespaces: Vec<NamespaceSetting>,
    /// `volumes:` entries in short or long syntax.
    pub volumes: Vec<Mount>,
    /// The host side of each `devices:` entry: `/dev/ttyUSB0`, or a CDI name.
    pub devices: Vec<Spanned<String>>,
    /// `entrypoint:`, which replaces the image's entrypoint.
    pub entrypoint: Option<Entrypoint>,
    /// `command:` as words, which replaces the image's default command.
    pub command: Option<Vec<String>>,
    /// How the service is written, for fixes that edit it in place.
    pub layout: ServiceLayout,
}

impl Service {
    /// Whether `security_opt` turns `no-new-privileges` on, read as the engine reads it: a bare
    /// `no-new-privileges`, or `:VALUE` / `=VALUE` with a boolean Go's `ParseBool` accepts. The
    /// last entry wins.
    pub fn has_no_new_privileges(&self) -> bool {
        let Some(security_opt) = &self.security_opt else {
            return false;
        };
        let mut enabled = false;
        for item in &security_opt.items {
            let option = item.value.trim();
            let (key, value) = match option.find([':', '=']) {
                Some(at) => (&option[..at], Some(&option[at + 1..])),
                None => (option, None),
            };
            if key != "no-new-privileges" {
                continue;
            }
            enabled = match value {
                None => true,
                Some(value) => parse_go_bool(value).unwrap_or(false),
            };
        }
        enabled
    }

    /// The capabilities the engine gives the container, read as the engine combines them: every
    /// one when it is privileged; otherwise the default set less `cap_drop` plus `cap_add`,
    /// where `ALL` in `cap_add` gives every capability but the dropped ones and `ALL` in
    /// `cap_drop` leaves only the added ones. They also bound what a file capability can grant
    /// in the container.
    pub fn capabilities(&self) -> CapabilitySet {
        let is_privileged = self
            .privileged
            .as_ref()
            .is_some_and(|privileged| parse_compose_bool(&privileged.value) == Some(true));
        if is_privileged {
            return CapabilitySet::ALL;
        }

        let names = |listing: &Option<Listing>| -> Vec<String> {
            listing
                .iter()
                .flat_map(|listing| &listing.items)
                .map(|item| normalise_capability(&item.value))
                .collect()
        };
        let added = names(&self.cap_add);
        let dropped = names(&self.cap_drop);
        let added_set = CapabilitySet::of_names(added.iter().map(String::as_str));
        let dropped_set = CapabilitySet::of_names(dropped.iter().map(String::as_str));
        if added.iter().any(|name| name == "ALL") {
            return CapabilitySet::ALL.difference(dropped_set);
        }
        if dropped.iter().any(|name| name == "ALL") {
            return added_set;
        }
        let default = CapabilitySet::of_names(file_capabilities::ENGINE_DEFAULT.iter().copied());
        default.difference(dropped_set).union(added_set)
    }

    /// Whether `cap_drop` holds `ALL`, in any case, with or without the `CAP_` prefix.
    pub fn drops_all_capabilities(&self) -> bool {
        self.cap_drop.as_ref().is_some_and(|cap_drop| {
            cap_drop
                .items
                .iter()
                .any(|item| normalise_capability(&item.value) == "ALL")
        })
    }
}

/// A capability name as the engine compares it: upper case, without `CAP_`.
pub fn normalise_capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    upper
        .strip_prefix("CAP_")
        .map(str::to_owned)
        .unwrap_or(upper)
}

/// Go's `strconv.ParseBool`, which the engine uses for option values.
pub fn parse_go_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// A key whose value is a list of strings (`cap_drop: [ALL]`), with where each was written.
#[derive(Debug, Clone)]
pub struct Listing {
    pub key_span: Span,
    /// Where the key takes effect when it is written elsewhere (see [`Spanned::used_at`]).
    pub used_at: Option<Span>,
    pub items: Vec<Spanned<String>>,
    /// How the list is written, for fixes that edit it in place.
    pub layout: ListLayout,
}

/// What a service builds: the Dockerfile (a path or inline text) and the stage.
#[derive(Debug, Clone)]
pub struct Build {
    /// `build:` itself, for pointing at.
    pub span: Span,
    /// The build context, resolved against the Compose file's folder.
    pub context: PathBuf,
    pub dockerfile: BuildDockerfile,
    pub target: Option<String>,
    /// `build.args`: values that replace the defaults of the Dockerfile's `ARG`s. An argument
    /// listed without a value takes it from the environment of `docker compose`, so it is left
    /// out here.
    pub args: Vec<(String, String)>,
    /// `build.privileged:` as written (interpolated); see [`parse_compose_bool`].
    pub privileged: Option<Spanned<String>>,
    /// `build.network:`, the network the build's RUN steps use: `host`, `none`, a name.
    pub network: Option<Spanned<String>>,
    /// `build.entitlements:` items, the entitlements granted to the build: `security.insecure`,
    /// `network.host`.
    pub entitlements: Vec<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub enum BuildDockerfile {
    /// A file, resolved against the context: `Dockerfile` by default.
    Path(PathBuf),
    /// `dockerfile_inline:` text, with the span of the YAML value that holds it.
    Inline(Spanned<String>),
}

/// A namespace key of a service and its value: `pid: host`.
#[derive(Debug, Clone)]
pub struct NamespaceSetting {
    /// The key as Compose spells it: `pid`, `network_mode`, ...
    pub key: &'static str,
    pub value: Spanned<String>,
}

/// A boolean as Compose reads one after interpolation: `true`/`false`, and the YAML 1.1 forms
/// `yes`, `y`, `on` / `no`, `n`, `off` it still accepts (with a warning), in any case.
pub fn parse_compose_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "on" => Some(true),
        "false" | "no" | "n" | "off" => Some(false),
        _ => None,
    }
}

/// A `RUN` flag that widens what a build step may do: `--security=insecure`, `--network=host`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOption {
    /// Without `--`: `security` or `network`.
    pub name: String,
    /// Variables expanded: `insecure`, `host`.
    pub value: String,
    /// The whole flag.
    pub span: Span,
}

/// A `sudo` command in a RUN step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SudoStep {
    /// The word `sudo`.
    pub span: Span,
    /// The program sudo runs, when it is literal: `apt-get`.
    pub runs: Option<String>,
}
