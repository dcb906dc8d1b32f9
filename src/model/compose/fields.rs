//! Service fields beyond users and builds: `privileged`, the namespace keys, `volumes`,
//! `devices` and `entrypoint`, read by the loader of the parent module.

use crate::model::entrypoint::{self, Entrypoint, StepDown};
use crate::model::mounts::{self, Mount, MountKind};
use crate::model::{NamespaceSetting, parse_compose_bool};
use crate::parse::yaml::{Node, Value};
use crate::source::{Span, Spanned};

use super::Loader;

/// Keys that choose a namespace for a service; `host` shares the host's.
const NAMESPACE_KEYS: [&str; 6] = ["pid", "ipc", "network_mode", "userns_mode", "uts", "cgroup"];

impl Loader<'_> {
    pub(super) fn namespaces(&mut self, service: &str, definition: &Node) -> Vec<NamespaceSetting> {
        let mut settings = Vec::new();
        for key in NAMESPACE_KEYS {
            if let Some(value) = self.field_scalar(service, definition, key) {
                settings.push(NamespaceSetting { key, value });
            }
        }
        settings
    }

    /// `volumes:` entries; entries that are neither strings nor mappings are left out.
    // LIMITATION: a named volume is not followed to the top-level `volumes:` entry that defines
    // it, so a local volume that binds a host path (`driver_opts: {o: bind, device: /etc}`)
    // counts as a volume, not as that host path.
    pub(super) fn volumes(&mut self, service: &str, definition: &Node) -> Vec<Mount> {
        let Some(Value::Sequence(entries)) = definition.get("volumes").map(|node| &node.value)
        else {
            return Vec::new();
        };

        let what = format!("volumes` of service `{service}");
        let mut mounts = Vec::new();
        for entry in entries {
            match &entry.value {
                Value::Scalar(_) => {
                    if let Some(spec) = self.scalar(entry, &what) {
                        mounts.push(self.short_mount(entry, &spec));
                    }
                }
                Value::Mapping(_) => mounts.push(self.long_mount(entry, &what)),
                Value::Null | Value::Sequence(_) => {}
            }
        }
        mounts
    }

    /// `SOURCE:TARGET:MODE`: a host path source is a bind mount, a name a volume, no source an
    /// anonymous volume.
    fn short_mount(&self, entry: &Node, spec: &Spanned<String>) -> Mount {
        let parts = mounts::parse_short_volume(&spec.value);
        let source = parts.source.map(|(text, range)| {
            let span = self.written_span(spec, range);
            Spanned::new(text, span)
        });
        let kind = match &source {
            Some(source) if mounts::is_host_path(&source.value) => MountKind::Bind,
            _ => MountKind::Volume,
        };
        Mount {
            kind,
            source,
            target: Some(parts.target),
            read_only: parts.mode.as_deref().is_some_and(mounts::mode_is_read_only),
            span: entry.use_span(),
        }
    }

    /// `{type, source, target, read_only}`; a missing `type` reads as a volume.
    fn long_mount(&mut self, entry: &Node, what: &str) -> Mount {
        let field = |loader: &mut Self, key: &str| {
            let node = entry.get(key)?;
            loader.scalar(node, &format!("{what}.{key}"))
        };
        let kind = match field(self, "type").map(|kind| kind.value) {
            Some(kind) if kind == "bind" => MountKind::Bind,
            Some(kind) if kind == "npipe" => MountKind::NamedPipe,
            Some(kind) if kind == "volume" => MountKind::Volume,
            Some(kind) => MountKind::Other(kind),
            None => MountKind::Volume,
        };
        let source = field(self, "source");
        let target = field(self, "target").map(|target| target.value);
        let read_only = field(self, "read_only")
            .and_then(|value| parse_compose_bool(&value.value))
            .unwrap_or(false);
        Mount {
            kind,
            source,
            target,
            read_only,
            span: entry.use_span(),
        }
    }

    /// The host side of each `devices:` entry: `HOST[:CONTAINER[:PERMISSIONS]]`, a CDI name
    /// (`vendor.com/class=name`) or `{source, target, permissions}`.
    pub(super) fn devices(&mut self, service: &str, definition: &Node) -> Vec<Spanned<String>> {
        let Some(Value::Sequence(entries)) = definition.get("devices").map(|node| &node.value)
        else {
            return Vec::new();
        };

        let what = format!("devices` of service `{service}");
        let mut devices = Vec::new();
        for entry in entries {
            match &entry.value {
                Value::Scalar(_) => {
                    let Some(spec) = self.scalar(entry, &what) else {
                        continue;
                    };
                    // A CDI name (`vendor.com/class=name`) has no `:`; a path is split there.
                    let end = spec.value.find(':').unwrap_or(spec.value.len());
                    if end == 0 {
                        // An unset variable left no host device; Compose refuses the entry.
                        continue;
                    }
                    let span = self.written_span(&spec, 0..end);
                    devices.push(Spanned::new(spec.value[..end].to_owned(), span));
                }
                Value::Mapping(_) => {
                    let Some(source) = entry.get("source") else {
                        continue;
                    };
                    devices.extend(self.scalar(source, &format!("{what}.source")));
                }
                Value::Null | Value::Sequence(_) => {}
            }
        }
        devices
    }

    /// `entrypoint:` as a string (split into words, as Compose does) or a list; an empty one
    /// still replaces the image's entrypoint.
    pub(super) fn entrypoint(&mut self, service: &str, definition: &Node) -> Option<Entrypoint> {
        let value = definition.get("entrypoint")?;
        let what = format!("entrypoint` of service `{service}");
        let steps_down = match &value.value {
            Value::Null => return None,
            Value::Scalar(_) => {
                let text = self.scalar(value, &what)?;
                entrypoint::step_down_in_script(&text.value).map(|(program, range)| StepDown {
                    program,
                    span: self.written_span(&text, range),
                    script: None,
                })
            }
            Value::Sequence(nodes) => {
                let mut items = Vec::new();
                for node in nodes {
                    items.extend(self.scalar(node, &what));
                }
                self.step_down_in_items(&items)
            }
            Value::Mapping(_) => {
                self.report(
                    value.use_span(),
                    format!("`{what}` must be a string or a list"),
                );
                return None;
            }
        };
        Some(Entrypoint {
            span: value.use_span(),
            steps_down,
            script_candidates: Vec::new(),
        })
    }

    /// `command:` as words: a list, or a string split as a shell splits it (Compose splits it
    /// the same way, without running a shell).
    pub(super) fn command(&mut self, service: &str, definition: &Node) -> Option<Vec<String>> {
        let value = definition.get("command")?;
        let what = format!("command` of service `{service}");
        match &value.value {
            Value::Scalar(_) => {
                let text = self.scalar(value, &what)?;
                Some(split_words(&text.value))
            }
            Value::Sequence(nodes) => {
                let mut words = Vec::new();
                for node in nodes {
                    words.extend(self.scalar(node, &what).map(|item| item.value));
                }
                Some(words)
            }
            Value::Null | Value::Mapping(_) => None,
        }
    }

    /// The step-down program of a list-form entrypoint, directly or in its `sh -c` string.
    fn step_down_in_items(&self, items: &[Spanned<String>]) -> Option<StepDown> {
        let words: Vec<Option<&str>> = items.iter().map(|item| Some(item.value.as_str())).collect();
        if let Some(index) = entrypoint::shell_script_index(&words) {
            let script = &items[index];
            let (program, range) = entrypoint::step_down_in_script(&script.value)?;
            let span = self.written_span(script, range);
            return Some(StepDown {
                program,
                span,
                script: None,
            });
        }

        let index = entrypoint::step_down_index(&words)?;
        let item = &items[index];
        let program = item.value.rsplit('/').next().unwrap_or(&item.value);
        Some(StepDown {
            program: program.to_owned(),
            span: item.span,
            script: None,
        })
    }

    /// The span of `range` in an interpolated value when it is written as its text (plain or
    /// simply quoted); otherwise the whole value. The same reading as `expression_span`, for a
    /// value already taken out of its node.
    fn written_span(&self, value: &Spanned<String>, range: std::ops::Range<usize>) -> Span {
        let span = value.span;
        let written = self
            .sources
            .get(span.source)
            .text
            .get(span.start..span.end)
            .unwrap_or("");
        let text = value.value.as_str();
        let start = if written == text {
            span.start
        } else if written.len() == text.len() + 2 && written.get(1..written.len() - 1) == Some(text)
        {
            span.start + 1
        } else {
            return span;
        };
        Span::new(span.source, start + range.start, start + range.end)
    }
}

/// Words split on unquoted blanks, single and double quotes removed.
fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote = None;
    for character in text.chars() {
        match (quote, character) {
            (None, '\'' | '"') => {
                quote = Some(character);
                in_word = true;
            }
            (Some(open), _) if character == open => quote = None,
            (None, blank) if blank.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            _ => {
                word.push(character);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use crate::model::compose::{LoadOptions, load};
    use crate::model::{MountKind, Service};
    use crate::source::{Source, Sources, Span};

    /// Loads one Compose text and returns its services with the sources to read spans from.
    fn services_of(text: &str) -> (Vec<Service>, Sources, Vec<String>) {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = folder.path().join("compose.yaml");
        std::fs::write(&path, text).expect("write compose file");
        let mut sources = Sources::default();
        let id = sources.add(Source::new(
            "compose.yaml".to_owned(),
            path,
            text.to_owned(),
        ));
        let loaded = load(&mut sources, id, &LoadOptions::default());
        let messages = loaded
            .diagnostics
            .iter()
            .map(|diagnostic| diagnostic.message.clone())
            .collect();
        (loaded.compose.services, sources, messages)
    }

    fn text_at(sources: &Sources, span: Span) -> &str {
        &sources.get(span.source).text[span.start..span.end]
    }

    #[test]
    fn privileged_and_namespaces_keep_their_values_and_spans() {
        let (services, sources, messages) = services_of(
            "services:\n  agent:\n    image: example/agent:1\n    \
             privileged: \"${PRIV:-yes}\"\n    \
             pid: host\n    network_mode: \"host\"\n    ipc: shareable\n",
        );

        assert!(messages.is_empty(), "{messages:?}");
        let agent = &services[0];
        let privileged = agent.privileged.as_ref().expect("privileged");
        assert_eq!(privileged.value, "yes");
        assert_eq!(text_at(&sources, privileged.span), "\"${PRIV:-yes}\"");
        let keys: Vec<(&str, &str)> = agent
            .namespaces
            .iter()
            .map(|setting| (setting.key, setting.value.value.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("pid", "host"),
                ("ipc", "shareable"),
                ("network_mode", "host")
            ]
        );
    }

    #[test]
    fn volumes_in_short_and_long_syntax() {
        let (services, sources, messages) = services_of(
            "services:\n  ci:\n    image: example/ci:1\n    volumes:\n      \
             - /var/run/docker.sock:/var/run/docker.sock:ro\n      - data:/data\n      \
             - /cache\n      - type: bind\n        source: /etc\n        \
             target: /host/etc\n        \
             read_only: true\n      - type: tmpfs\n        target: /tmp\n",
        );

        assert!(messages.is_empty(), "{messages:?}");
        let volumes = &services[0].volumes;
        assert_eq!(volumes.len(), 5);
        assert_eq!(volumes[0].kind, MountKind::Bind);
        assert!(volumes[0].read_only);
        let socket = volumes[0].source.as_ref().expect("source");
        assert_eq!(text_at(&sources, socket.span), "/var/run/docker.sock");
        assert_eq!(volumes[1].kind, MountKind::Volume);
        assert_eq!(volumes[2].kind, MountKind::Volume);
        assert!(volumes[2].source.is_none());
        assert_eq!(volumes[3].kind, MountKind::Bind);
        assert!(volumes[3].read_only);
        let etc = volumes[3].source.as_ref().expect("source");
        assert_eq!(text_at(&sources, etc.span), "/etc");
        assert_eq!(volumes[4].kind, MountKind::Other("tmpfs".to_owned()));
    }

    #[test]
    fn devices_give_their_host_side() {
        let (services, sources, messages) = services_of(
            "services:\n  radio:\n    image: example/radio:1\n    devices:\n      \
             - \"/dev/ttyUSB0:/dev/ttyACM0:rwm\"\n      - nvidia.com/gpu=all\n      \
             - \"${ZIGBEE_DEVICE}:/dev/ttyACM1\"\n      \
             - source: /dev/kvm\n        target: /dev/kvm\n",
        );

        assert!(messages.is_empty(), "{messages:?}");
        let devices: Vec<&str> = services[0]
            .devices
            .iter()
            .map(|device| device.value.as_str())
            .collect();
        assert_eq!(devices, ["/dev/ttyUSB0", "nvidia.com/gpu=all", "/dev/kvm"]);
        assert_eq!(
            text_at(&sources, services[0].devices[0].span),
            "/dev/ttyUSB0"
        );
    }

    #[test]
    fn commands_split_into_words() {
        let (services, _, messages) = services_of(
            "services:\n  string:\n    image: example/a:1\n    \
             command: /scripts/dump.sh \"--out dir\" ''\n  \
             list:\n    image: example/b:1\n    command: [\"-c\", \"fsync=off\"]\n",
        );

        assert!(messages.is_empty(), "{messages:?}");
        assert_eq!(
            services[0].command.as_deref(),
            Some(
                [
                    "/scripts/dump.sh".to_owned(),
                    "--out dir".to_owned(),
                    String::new()
                ]
                .as_slice()
            )
        );
        assert_eq!(
            services[1].command.as_deref(),
            Some(["-c".to_owned(), "fsync=off".to_owned()].as_slice())
        );
    }

    #[test]
    fn entrypoints_that_step_down_in_both_forms() {
        let (services, sources, messages) = services_of(
            "services:\n  list:\n    image: example/a:1\n    entrypoint: [\"/sbin/tini\", \"--\", \
             \"gosu\", \"app\", \"server\"]\n  string:\n    image: example/b:1\n    \
             entrypoint: /bin/sh -c \"exec su-exec app server\"\n  \
             plain:\n    image: example/c:1\n    \
             entrypoint: [\"/docker-entrypoint.sh\"]\n  reset:\n    image: example/d:1\n    \
             entrypoint: []\n",
        );

        assert!(messages.is_empty(), "{messages:?}");
        let list = services[0].entrypoint.as_ref().expect("entrypoint");
        let step = list.steps_down.as_ref().expect("steps down");
        assert_eq!(step.program, "gosu");
        assert_eq!(text_at(&sources, step.span), "\"gosu\"");
        let string = services[1].entrypoint.as_ref().expect("entrypoint");
        let step = string.steps_down.as_ref().expect("steps down");
        assert_eq!(step.program, "su-exec");
        assert_eq!(text_at(&sources, step.span), "su-exec");
        let plain = services[2].entrypoint.as_ref().expect("entrypoint");
        assert!(plain.steps_down.is_none());
        assert!(services[3].entrypoint.is_some());
    }
}
