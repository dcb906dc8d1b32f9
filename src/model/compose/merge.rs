//! The merge rules of the Compose specification, applied to spanned YAML trees: how a later
//! Compose file (`compose.override.yaml`, a second `-f`), an `extends` base and an included
//! definition combine, and how `!reset` and `!override` paths remove what came before.
//!
//! Mappings merge key by key and sequences append, except where Compose says otherwise: a later
//! `command`, `entrypoint` or `healthcheck.test` replaces the earlier one, `environment`-like keys
//! are merged as `KEY=value` lists, and sequences of unique resources (`ports`, `volumes`,
//! `secrets`, `configs`, capabilities, ...) keep one entry per key, the later one in the earlier
//! one's place. Every node keeps the span where it was written, so the merged tree still points
//! at the line a person has to edit.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::parse::yaml::{Node, Scalar, ScalarKind, Value};
use crate::source::Span;

/// Two values that Compose refuses to merge, such as a list written over a mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Conflict {
    /// The dotted path of the value, as Compose names it: `services.api.environment`.
    pub path: String,
    /// The later value, which cannot be merged into the earlier one.
    pub span: Span,
    /// What the earlier value is: `mapping` or `list`.
    pub earlier: &'static str,
}

/// Merges `over` into `base`; `path` names where the two sit in the Compose tree (the keys from
/// the root), which decides the rules that apply. Values that cannot merge are replaced by
/// `over` and recorded in `conflicts`.
pub(super) fn merge(
    base: &Node,
    over: &Node,
    path: &mut Vec<String>,
    conflicts: &mut Vec<Conflict>,
) -> Node {
    merge_values(base, over, path, conflicts).node
}

/// The result of merging one value, and whether the later value simply replaced the earlier one
/// (then the later key is the one to point at, too).
struct Merged {
    node: Node,
    replaced: bool,
}

impl Merged {
    fn replaced_by(node: &Node) -> Self {
        Self {
            node: node.clone(),
            replaced: true,
        }
    }

    fn combined(node: Node) -> Self {
        Self {
            node,
            replaced: false,
        }
    }
}

/// Service keys whose later value replaces the earlier one (shell commands and ulimits).
const REPLACED: &[&str] = &[
    "services.*.command",
    "services.*.entrypoint",
    "services.*.healthcheck.test",
    "services.*.ulimits.*",
];

/// Keys written as a mapping or a list of `KEY=value` strings; Compose merges them as lists.
const MERGED_AS_LISTS: &[&str] = &[
    "networks.*.labels",
    "volumes.*.labels",
    "services.*.annotations",
    "services.*.build.args",
    "services.*.build.additional_contexts",
    "services.*.build.labels",
    "services.*.deploy.labels",
    "services.*.dns",
    "services.*.dns_opt",
    "services.*.dns_search",
    "services.*.env_file",
    "services.*.label_file",
    "services.*.environment",
    "services.*.labels",
    "services.*.sysctls",
    "services.*.tmpfs",
];

/// Lists of host entries: later entries already present are not added again.
const HOST_LISTS: &[&str] = &["services.*.extra_hosts", "services.*.build.extra_hosts"];

/// Keys written as a list of names or a mapping of names to settings; merged as mappings.
const MERGED_AS_MAPPINGS: &[&str] = &["services.*.networks", "services.*.models"];

// LIMITATION: `networks.*.ipam.config` entries are appended; Compose merges them by subnet. No
// privilege depends on them.

fn merge_values(
    base: &Node,
    over: &Node,
    path: &mut Vec<String>,
    conflicts: &mut Vec<Conflict>,
) -> Merged {
    if matches_any(path, REPLACED) {
        return Merged::replaced_by(over);
    }

    if matches_any(path, MERGED_AS_LISTS) {
        let mut items = as_list(base);
        items.extend(as_list(over));
        return Merged::combined(sequence_like(base, items));
    }

    if matches_any(path, HOST_LISTS) {
        let mut items = as_list(base);
        for item in as_list(over) {
            if !items.iter().any(|existing| same_scalar(existing, &item)) {
                items.push(item);
            }
        }
        return Merged::combined(sequence_like(base, items));
    }

    if matches(path, "services.*.build") {
        let (base, over) = (build_mapping(base), build_mapping(over));
        return Merged::combined(merge_mappings(&base, &over, path, conflicts));
    }

    if matches(path, "services.*.depends_on") {
        let (base, over) = (dependency_mapping(base), dependency_mapping(over));
        return Merged::combined(merge_mappings(&base, &over, path, conflicts));
    }

    if matches_any(path, MERGED_AS_MAPPINGS) {
        let (base, over) = (name_mapping(base), name_mapping(over));
        return Merged::combined(merge_mappings(&base, &over, path, conflicts));
    }

    if matches(path, "services.*.logging") && !is_same_logging_driver(base, over) {
        return Merged::replaced_by(over);
    }

    // A later `key:` with no value leaves the earlier value in place.
    if matches!(over.value, Value::Null) {
        return Merged::combined(base.clone());
    }

    match (&base.value, &over.value) {
        (Value::Mapping(_), Value::Mapping(_)) => {
            Merged::combined(merge_mappings(base, over, path, conflicts))
        }
        (Value::Sequence(base_items), Value::Sequence(over_items)) => {
            let items = base_items.iter().chain(over_items).cloned().collect();
            Merged::combined(sequence_like(base, items))
        }
        (Value::Mapping(_) | Value::Sequence(_), _) => {
            let earlier = match base.value {
                Value::Mapping(_) => "mapping",
                _ => "list",
            };
            conflicts.push(Conflict {
                path: path.join("."),
                span: over.use_span(),
                earlier,
            });
            Merged::replaced_by(over)
        }
        _ => Merged::replaced_by(over),
    }
}

/// Merges two mappings key by key; keys new in `over` are added after the others.
fn merge_mappings(
    base: &Node,
    over: &Node,
    path: &mut Vec<String>,
    conflicts: &mut Vec<Conflict>,
) -> Node {
    let (Value::Mapping(base_entries), Value::Mapping(over_entries)) = (&base.value, &over.value)
    else {
        return over.clone();
    };

    let mut entries = base_entries.clone();
    for (key, value) in over_entries {
        let Some(name) = key_text(key) else {
            entries.push((key.clone(), value.clone()));
            continue;
        };
        let existing = entries
            .iter_mut()
            .find(|(candidate, _)| key_text(candidate) == Some(name));
        let Some((existing_key, existing_value)) = existing else {
            entries.push((key.clone(), value.clone()));
            continue;
        };

        path.push(name.to_owned());
        let merged = merge_values(existing_value, value, path, conflicts);
        path.pop();
        if merged.replaced {
            *existing_key = key.clone();
        }
        *existing_value = merged.node;
    }
    Node {
        value: Value::Mapping(entries),
        ..base.clone()
    }
}

/// Whether `path` matches a dotted pattern in which `*` stands for any one key.
pub(super) fn matches(path: &[impl AsRef<str>], pattern: &str) -> bool {
    let mut parts = pattern.split('.');
    for key in path {
        match parts.next() {
            Some(part) if part == "*" || part == key.as_ref() => {}
            _ => return false,
        }
    }
    parts.next().is_none()
}

fn matches_any(path: &[String], patterns: &[&str]) -> bool {
    patterns.iter().any(|pattern| matches(path, pattern))
}

/// The text of a scalar key.
pub(super) fn key_text(key: &Node) -> Option<&str> {
    key.as_scalar().map(|scalar| scalar.text.as_str())
}

fn same_scalar(a: &Node, b: &Node) -> bool {
    matches!((a.as_scalar(), b.as_scalar()), (Some(a), Some(b)) if a.text == b.text)
}

/// A sequence node carrying `items`, spanned like `template`.
fn sequence_like(template: &Node, items: Vec<Node>) -> Node {
    Node {
        value: Value::Sequence(items),
        tag: None,
        ..template.clone()
    }
}

/// A string scalar written at the place of `origin`.
fn text_node(text: String, origin: &Node) -> Node {
    Node {
        value: Value::Scalar(Scalar {
            text,
            kind: ScalarKind::String,
        }),
        tag: None,
        ..origin.clone()
    }
}

/// A mapping or list of `KEY=value` entries as a list, as Compose merges `environment`: a
/// mapping becomes its `KEY=value` strings sorted (a key without a value stays `KEY`), a scalar a
/// one-item list.
fn as_list(node: &Node) -> Vec<Node> {
    match &node.value {
        Value::Sequence(items) => items.clone(),
        Value::Scalar(_) => vec![node.clone()],
        Value::Null => Vec::new(),
        Value::Mapping(entries) => {
            let mut items = Vec::new();
            for (key, value) in entries {
                let Some(name) = key_text(key) else {
                    continue;
                };
                match &value.value {
                    Value::Null => items.push(text_node(name.to_owned(), key)),
                    Value::Scalar(scalar) => {
                        items.push(text_node(format!("{name}={}", scalar.text), value));
                    }
                    Value::Sequence(values) => {
                        for item in values {
                            if let Some(scalar) = item.as_scalar() {
                                items.push(text_node(format!("{name}={}", scalar.text), item));
                            }
                        }
                    }
                    // LIMITATION: a nested mapping as a value is left out of the merged list;
                    // the schema rejects it anyway.
                    Value::Mapping(_) => {}
                }
            }
            items.sort_by(|a, b| scalar_text(a).cmp(scalar_text(b)));
            items
        }
    }
}

fn scalar_text(node: &Node) -> &str {
    node.as_scalar().map_or("", |scalar| scalar.text.as_str())
}

/// `build: ./dir` is short for `build: {context: ./dir}`.
fn build_mapping(node: &Node) -> Node {
    match &node.value {
        Value::Scalar(_) => {
            let key = text_node("context".to_owned(), node);
            Node {
                value: Value::Mapping(vec![(key, node.clone())]),
                tag: None,
                ..node.clone()
            }
        }
        _ => node.clone(),
    }
}

/// `depends_on: [db]` is short for `depends_on: {db: {condition: service_started, required:
/// true}}`.
fn dependency_mapping(node: &Node) -> Node {
    list_to_mapping(node, |item| {
        let setting = |key: &str, value: &str, kind: ScalarKind| {
            let key = text_node(key.to_owned(), item);
            let value = Node {
                value: Value::Scalar(Scalar {
                    text: value.to_owned(),
                    kind,
                }),
                tag: None,
                ..item.clone()
            };
            (key, value)
        };
        Node {
            value: Value::Mapping(vec![
                setting("condition", "service_started", ScalarKind::String),
                setting("required", "true", ScalarKind::Boolean),
            ]),
            tag: None,
            ..item.clone()
        }
    })
}

/// `networks: [front]` is short for `networks: {front: null}`.
fn name_mapping(node: &Node) -> Node {
    list_to_mapping(node, |item| Node {
        value: Value::Null,
        tag: None,
        ..item.clone()
    })
}

/// A list of names as a mapping from each name to `value_of(name)`; other nodes as they are.
fn list_to_mapping(node: &Node, value_of: impl Fn(&Node) -> Node) -> Node {
    let Value::Sequence(items) = &node.value else {
        return node.clone();
    };
    let entries = items
        .iter()
        .filter(|item| item.as_scalar().is_some())
        .map(|item| (item.clone(), value_of(item)))
        .collect();
    Node {
        value: Value::Mapping(entries),
        tag: None,
        ..node.clone()
    }
}

/// Logging options merge only when both name the same driver, or one names none.
fn is_same_logging_driver(base: &Node, over: &Node) -> bool {
    let driver = |node: &Node| node.get("driver").and_then(Node::as_scalar).cloned();
    match (driver(base), driver(over)) {
        (Some(base), Some(over)) => base.text == over.text,
        _ => true,
    }
}

/// How the entries of a list of unique resources are told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Identity {
    /// `KEY=value` strings by `KEY`; plain strings by themselves.
    KeyValue,
    /// Mounts by their target path.
    VolumeTarget,
    /// Device mappings by their path in the container.
    DeviceTarget,
    /// Secrets and configs by their target, which defaults to a file named after the source.
    Mount(&'static str),
    Port,
    EnvFile,
    Exposed,
}

/// The lists whose entries Compose keeps unique after merging, and how it tells them apart.
const UNIQUE: &[(&str, Identity)] = &[
    ("networks.*.labels", Identity::KeyValue),
    ("networks.*.ipam.options", Identity::KeyValue),
    ("services.*.annotations", Identity::KeyValue),
    ("services.*.build.args", Identity::KeyValue),
    ("services.*.build.additional_contexts", Identity::KeyValue),
    ("services.*.build.tags", Identity::KeyValue),
    ("services.*.build.labels", Identity::KeyValue),
    ("services.*.cap_add", Identity::KeyValue),
    ("services.*.cap_drop", Identity::KeyValue),
    ("services.*.configs", Identity::Mount("")),
    ("services.*.deploy.labels", Identity::KeyValue),
    ("services.*.devices", Identity::DeviceTarget),
    ("services.*.dns", Identity::KeyValue),
    ("services.*.dns_opt", Identity::KeyValue),
    ("services.*.dns_search", Identity::KeyValue),
    ("services.*.environment", Identity::KeyValue),
    ("services.*.env_file", Identity::EnvFile),
    ("services.*.expose", Identity::Exposed),
    ("services.*.labels", Identity::KeyValue),
    ("services.*.links", Identity::KeyValue),
    ("services.*.networks.*.aliases", Identity::KeyValue),
    ("services.*.networks.*.link_local_ips", Identity::KeyValue),
    ("services.*.ports", Identity::Port),
    ("services.*.profiles", Identity::KeyValue),
    ("services.*.secrets", Identity::Mount("/run/secrets")),
    ("services.*.sysctls", Identity::KeyValue),
    ("services.*.tmpfs", Identity::KeyValue),
    ("services.*.volumes", Identity::VolumeTarget),
];

/// A list of [`UNIQUE`] that holds two entries with one key, found by
/// [`lists_with_repeats`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RepeatedList {
    /// The index of the entry to follow in each mapping from the root down to the list.
    entry_indices: Vec<usize>,
    identity: Identity,
}

/// The lists of [`UNIQUE`] in `root` that hold an entry twice, for [`keep_unique`]: Compose keeps
/// one entry per key in them after every merge. Only the keys that some pattern names are
/// followed, so extension blocks and environment values are never walked, and a tree without
/// repeats needs no copy to be checked.
pub(super) fn lists_with_repeats(root: &Node) -> Vec<RepeatedList> {
    let every_pattern = (1 << UNIQUE.len()) - 1;
    let mut found = Vec::new();
    find_repeats(root, every_pattern, &mut Vec::new(), &mut found);
    found
}

/// The patterns of [`UNIQUE`], split into their keys once.
static UNIQUE_KEYS: LazyLock<Vec<Vec<&str>>> = LazyLock::new(|| {
    UNIQUE
        .iter()
        .map(|(pattern, _)| pattern.split('.').collect())
        .collect()
});

/// A set of patterns of [`UNIQUE`], one bit each, by index.
type PatternSet = u32;

const _: () = assert!(UNIQUE.len() < PatternSet::BITS as usize);

/// Looks for repeats under `node`, reached through the mapping entries `entry_indices`;
/// `candidates` are the patterns whose first keys name the path to `node`.
fn find_repeats(
    node: &Node,
    candidates: PatternSet,
    entry_indices: &mut Vec<usize>,
    found: &mut Vec<RepeatedList>,
) {
    let depth = entry_indices.len();
    let patterns = || (0..UNIQUE.len()).filter(move |index| candidates & (1 << index) != 0);
    match &node.value {
        Value::Mapping(entries) => {
            for (index, (key, value)) in entries.iter().enumerate() {
                let Some(name) = key_text(key) else {
                    continue;
                };
                let below = patterns()
                    .filter(|&pattern| {
                        UNIQUE_KEYS[pattern]
                            .get(depth)
                            .is_some_and(|&expected| expected == "*" || expected == name)
                    })
                    .fold(0, |set, pattern| set | (1 << pattern));
                if below == 0 {
                    continue;
                }
                entry_indices.push(index);
                find_repeats(value, below, entry_indices, found);
                entry_indices.pop();
            }
        }
        Value::Sequence(items) => {
            let Some(pattern) = patterns().find(|&pattern| UNIQUE_KEYS[pattern].len() == depth)
            else {
                return;
            };
            let identity = UNIQUE[pattern].1;
            // Indexed by key, so a list of thousands of entries costs thousands of steps.
            let mut keys = HashSet::with_capacity(items.len());
            let mut has_repeat = false;
            for item in items {
                crate::work::count(1);
                if let Some(key) = identity_of(item, identity) {
                    has_repeat |= !keys.insert(key);
                }
            }
            if has_repeat {
                found.push(RepeatedList {
                    entry_indices: entry_indices.clone(),
                    identity,
                });
            }
        }
        Value::Null | Value::Scalar(_) => {}
    }
}

/// Keeps one entry per key in each of `lists`, found in `root` by [`lists_with_repeats`]: a
/// later entry takes the place of an earlier one with the same key.
pub(super) fn keep_unique(root: &mut Node, lists: &[RepeatedList]) {
    for list in lists {
        let Some(Value::Sequence(items)) =
            value_at(root, &list.entry_indices).map(|node| &mut node.value)
        else {
            continue;
        };

        let mut unique: Vec<Node> = Vec::with_capacity(items.len());
        let mut index_of_key: HashMap<String, usize> = HashMap::new();
        for item in items.drain(..) {
            let Some(key) = identity_of(&item, list.identity) else {
                unique.push(item);
                continue;
            };
            match index_of_key.get(&key) {
                Some(&index) => unique[index] = item,
                None => {
                    index_of_key.insert(key, unique.len());
                    unique.push(item);
                }
            }
        }
        *items = unique;
    }
}

/// The value reached from `root` through the mapping entries `entry_indices`.
fn value_at<'a>(root: &'a mut Node, entry_indices: &[usize]) -> Option<&'a mut Node> {
    let mut node = root;
    for &index in entry_indices {
        let Value::Mapping(entries) = &mut node.value else {
            return None;
        };
        node = &mut entries.get_mut(index)?.1;
    }
    Some(node)
}

/// The key an entry is kept unique by; `None` for entries Compose cannot read (left alone).
fn identity_of(item: &Node, identity: Identity) -> Option<String> {
    let field = |key: &str| {
        item.get(key)
            .and_then(Node::as_scalar)
            .map(|s| s.text.clone())
    };
    match (&item.value, identity) {
        (Value::Scalar(scalar), Identity::KeyValue) => {
            let key = scalar
                .text
                .split_once('=')
                .map_or(&*scalar.text, |(key, _)| key);
            Some(key.to_owned())
        }
        (Value::Scalar(scalar), Identity::VolumeTarget) => Some(volume_target(&scalar.text)),
        (Value::Scalar(scalar), Identity::DeviceTarget) => {
            let mut parts = scalar.text.split(':');
            let first = parts.next().unwrap_or_default();
            Some(parts.next().unwrap_or(first).to_owned())
        }
        (Value::Scalar(scalar), Identity::Mount(folder)) => {
            Some(format!("{folder}/{}", scalar.text))
        }
        (Value::Scalar(scalar), Identity::Port | Identity::EnvFile | Identity::Exposed) => {
            Some(scalar.text.clone())
        }
        (Value::Mapping(_), Identity::VolumeTarget | Identity::DeviceTarget) => field("target"),
        (Value::Mapping(_), Identity::Mount(folder)) => {
            field("target").or_else(|| field("source").map(|source| format!("{folder}/{source}")))
        }
        (Value::Mapping(_), Identity::Port) => {
            let host = field("host_ip").unwrap_or_else(|| "0.0.0.0".to_owned());
            let published = field("published").unwrap_or_default();
            let target = field("target").unwrap_or_default();
            let protocol = field("protocol").unwrap_or_else(|| "tcp".to_owned());
            Some(format!("{host}:{published}:{target}/{protocol}"))
        }
        (Value::Mapping(_), Identity::EnvFile) => field("path"),
        _ => None,
    }
}

/// The container path of a short volume (`SOURCE:TARGET[:MODE]` or `TARGET`); a Windows drive
/// (`C:\data`) does not count as a separator.
fn volume_target(spec: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let mut rest = spec;
    while !rest.is_empty() {
        let bytes = rest.as_bytes();
        let starts_with_drive = bytes.len() > 2
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && matches!(bytes[2], b'\\' | b'/');
        let search_from = if starts_with_drive { 2 } else { 0 };
        match rest[search_from..].find(':') {
            Some(at) => {
                parts.push(&rest[..search_from + at]);
                rest = &rest[search_from + at + 1..];
            }
            None => {
                parts.push(rest);
                rest = "";
            }
        }
    }
    let target = parts.get(1).or(parts.first()).copied().unwrap_or_default();
    target.to_owned()
}

/// Removes the value at `path` (mapping keys from the root); paths through sequences are left
/// alone, as Compose cannot remove single list entries this way.
pub(super) fn remove_path(root: &mut Node, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = root;
    for key in parents {
        let Value::Mapping(entries) = &mut node.value else {
            return;
        };
        let Some((_, value)) = entries
            .iter_mut()
            .find(|(candidate, _)| key_text(candidate) == Some(key))
        else {
            return;
        };
        node = value;
    }
    if let Value::Mapping(entries) = &mut node.value {
        entries.retain(|(candidate, _)| key_text(candidate) != Some(last));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;
    use crate::source::SourceId;

    fn tree(source: u32, text: &str) -> Node {
        yaml::parse(SourceId(source), text).expect("test YAML parses")
    }

    fn enforce_unique(root: &mut Node) {
        let lists = lists_with_repeats(root);
        keep_unique(root, &lists);
    }

    fn merged(base: &str, over: &str) -> (Node, Vec<Conflict>) {
        let mut conflicts = Vec::new();
        let node = merge(
            &tree(0, base),
            &tree(1, over),
            &mut Vec::new(),
            &mut conflicts,
        );
        (node, conflicts)
    }

    fn service<'a>(root: &'a Node, name: &str) -> &'a Node {
        root.get("services")
            .and_then(|services| services.get(name))
            .expect("service present")
    }

    fn texts(node: Option<&Node>) -> Vec<String> {
        let Some(Value::Sequence(items)) = node.map(|node| &node.value) else {
            panic!("expected a sequence, got {node:?}");
        };
        items
            .iter()
            .map(|item| item.as_scalar().expect("a scalar").text.clone())
            .collect()
    }

    fn text(node: Option<&Node>) -> Option<&str> {
        node.and_then(Node::as_scalar)
            .map(|scalar| scalar.text.as_str())
    }

    #[test]
    fn mappings_merge_and_scalars_are_replaced() {
        let (root, conflicts) = merged(
            "services:\n  app:\n    image: app:1\n    user: root\n",
            "services:\n  app:\n    user: \"10001\"\n    read_only: true\n",
        );

        assert!(conflicts.is_empty());
        let app = service(&root, "app");
        assert_eq!(text(app.get("image")), Some("app:1"));
        assert_eq!(text(app.get("user")), Some("10001"));
        assert_eq!(
            app.get("user").map(|user| user.span.source),
            Some(SourceId(1))
        );
        assert_eq!(text(app.get("read_only")), Some("true"));
    }

    #[test]
    fn sequences_append_and_capabilities_stay_unique() {
        let (mut root, _) = merged(
            "services:\n  app:\n    cap_drop: [NET_RAW]\n    security_opt: [label=a]\n",
            "services:\n  app:\n    cap_drop: [ALL, NET_RAW]\n    security_opt: [label=a]\n",
        );
        enforce_unique(&mut root);

        let app = service(&root, "app");
        assert_eq!(texts(app.get("cap_drop")), ["NET_RAW", "ALL"]);
        let net_raw = match &app.get("cap_drop").expect("cap_drop").value {
            Value::Sequence(items) => items[0].span.source,
            _ => unreachable!(),
        };
        assert_eq!(
            net_raw,
            SourceId(1),
            "the later duplicate takes the earlier place"
        );
        assert_eq!(texts(app.get("security_opt")), ["label=a", "label=a"]);
    }

    #[test]
    fn shell_commands_are_replaced_not_appended() {
        let (root, _) = merged(
            "services:\n  app:\n    command: [echo, foo]\n    healthcheck:\n      test: [CMD, a]\n      retries: 3\n",
            "services:\n  app:\n    command: [echo, bar]\n    healthcheck:\n      test: [CMD, b]\n",
        );

        let app = service(&root, "app");
        assert_eq!(texts(app.get("command")), ["echo", "bar"]);
        let healthcheck = app.get("healthcheck");
        assert_eq!(texts(healthcheck.and_then(|h| h.get("test"))), ["CMD", "b"]);
        assert_eq!(text(healthcheck.and_then(|h| h.get("retries"))), Some("3"));
    }

    #[test]
    fn environment_mappings_and_lists_merge_as_lists() {
        let (mut root, _) = merged(
            "services:\n  app:\n    environment:\n      B: 2\n      A: 1\n      FLAG:\n",
            "services:\n  app:\n    environment:\n      - A=3\n      - C=4\n",
        );
        enforce_unique(&mut root);

        assert_eq!(
            texts(service(&root, "app").get("environment")),
            ["A=3", "B=2", "FLAG", "C=4"]
        );
    }

    #[test]
    fn unique_resources_merge_by_their_key() {
        let (mut root, _) = merged(
            "services:\n  app:\n    volumes:\n      - foo:/work\n      - /data\n    ports:\n      - \"8080:80\"\n    \
             secrets: [token]\n",
            "services:\n  app:\n    volumes:\n      - bar:/work\n      - type: bind\n        source: C:\\logs\n        \
             target: /data\n    ports:\n      - \"8080:80\"\n      - \"8443:443\"\n    secrets:\n      - source: token\n",
        );
        enforce_unique(&mut root);

        let app = service(&root, "app");
        let volumes = app.get("volumes").expect("volumes");
        let Value::Sequence(items) = &volumes.value else {
            panic!("volumes is a list");
        };
        assert_eq!(items.len(), 2);
        assert_eq!(text(Some(&items[0])), Some("bar:/work"));
        assert_eq!(text(items[1].get("target")), Some("/data"));
        assert_eq!(texts(app.get("ports")), ["8080:80", "8443:443"]);
        let Some(Value::Sequence(secrets)) = app.get("secrets").map(|s| &s.value) else {
            panic!("secrets is a list");
        };
        assert_eq!(secrets.len(), 1);
    }

    #[test]
    fn short_build_merges_with_the_long_form() {
        let (root, _) = merged(
            "services:\n  app:\n    build: ./web\n",
            "services:\n  app:\n    build:\n      target: runtime\n",
        );

        let build = service(&root, "app").get("build");
        assert_eq!(text(build.and_then(|b| b.get("context"))), Some("./web"));
        assert_eq!(text(build.and_then(|b| b.get("target"))), Some("runtime"));
    }

    #[test]
    fn dependency_lists_merge_with_mappings() {
        let (root, _) = merged(
            "services:\n  app:\n    depends_on: [db]\n    networks: [front]\n",
            "services:\n  app:\n    depends_on:\n      cache:\n        condition: service_healthy\n    \
             networks:\n      back:\n        aliases: [api]\n",
        );

        let app = service(&root, "app");
        let depends_on = app.get("depends_on").expect("depends_on");
        assert_eq!(
            text(depends_on.get("db").and_then(|db| db.get("condition"))),
            Some("service_started")
        );
        assert_eq!(
            text(depends_on.get("cache").and_then(|c| c.get("condition"))),
            Some("service_healthy")
        );
        let networks = app.get("networks").expect("networks");
        assert_eq!(networks.get("front").map(|n| &n.value), Some(&Value::Null));
        assert!(networks.get("back").is_some());
    }

    #[test]
    fn logging_with_another_driver_is_replaced() {
        let (root, _) = merged(
            "services:\n  app:\n    logging:\n      driver: syslog\n      options: {a: 1}\n",
            "services:\n  app:\n    logging:\n      driver: json-file\n",
        );

        let logging = service(&root, "app").get("logging").expect("logging");
        assert_eq!(text(logging.get("driver")), Some("json-file"));
        assert!(logging.get("options").is_none());
    }

    #[test]
    fn null_leaves_the_earlier_value() {
        let (root, _) = merged(
            "services:\n  app:\n    user: \"1000\"\n",
            "services:\n  app:\n    user:\n",
        );

        assert_eq!(text(service(&root, "app").get("user")), Some("1000"));
    }

    #[test]
    fn a_list_over_a_mapping_is_a_conflict() {
        let (root, conflicts) = merged(
            "services:\n  app:\n    deploy:\n      replicas: 2\n",
            "services:\n  app:\n    deploy: [x]\n",
        );

        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].path, "services.app.deploy");
        assert_eq!(conflicts[0].span.source, SourceId(1));
        assert_eq!(texts(service(&root, "app").get("deploy")), ["x"]);
    }

    #[test]
    fn the_first_service_key_stays_and_replaced_values_bring_their_key() {
        let (root, _) = merged(
            "services:\n  app:\n    user: root\n    cap_drop: [A]\n",
            "services:\n  app:\n    user: \"1\"\n    cap_drop: [B]\n",
        );

        let services = root.get("services").expect("services");
        let (app_key, app) = &services.as_mapping().expect("mapping")[0];
        assert_eq!(app_key.span.source, SourceId(0));
        let (user_key, _) = app.entry("user").expect("user");
        assert_eq!(user_key.span.source, SourceId(1));
        let (cap_drop_key, _) = app.entry("cap_drop").expect("cap_drop");
        assert_eq!(cap_drop_key.span.source, SourceId(0));
    }

    #[test]
    fn remove_path_takes_out_mapping_keys_only() {
        let mut root = tree(
            0,
            "services:\n  app:\n    cap_drop: [ALL]\n    ports: [\"80\"]\n",
        );

        remove_path(
            &mut root,
            &["services".into(), "app".into(), "cap_drop".into()],
        );
        remove_path(
            &mut root,
            &["services".into(), "app".into(), "ports".into(), "0".into()],
        );
        remove_path(
            &mut root,
            &["services".into(), "missing".into(), "x".into()],
        );

        let app = service(&root, "app");
        assert!(app.get("cap_drop").is_none());
        assert_eq!(texts(app.get("ports")), ["80"]);
    }

    #[test]
    fn volume_targets_follow_the_short_syntax() {
        assert_eq!(volume_target("/data"), "/data");
        assert_eq!(volume_target("db:/var/lib/db:ro"), "/var/lib/db");
        assert_eq!(volume_target("C:\\logs:/logs"), "/logs");
        assert_eq!(volume_target("./src:/app"), "/app");
        assert_eq!(volume_target(""), "");
        assert_eq!(volume_target("::"), "");
    }

    #[test]
    fn only_lists_of_unique_resources_with_a_repeat_are_found() {
        let text = "services:\n  app:\n    security_opt: [label=a, label=a]\n    cap_drop: [ALL]\n    \
                    networks:\n      front:\n        aliases: [web, api, web]\n\
                    x-lists:\n  cap_drop: [ALL, ALL]\n";
        let mut root = tree(0, text);

        let lists = lists_with_repeats(&root);
        keep_unique(&mut root, &lists);

        assert_eq!(
            lists,
            [RepeatedList {
                entry_indices: vec![0, 0, 2, 0, 0],
                identity: Identity::KeyValue,
            }]
        );
        let aliases = service(&root, "app")
            .get("networks")
            .and_then(|networks| networks.get("front"))
            .and_then(|front| front.get("aliases"));
        assert_eq!(texts(aliases), ["web", "api"]);
        assert_eq!(
            texts(service(&root, "app").get("security_opt")),
            ["label=a", "label=a"]
        );
        assert_eq!(
            texts(root.get("x-lists").and_then(|x| x.get("cap_drop"))),
            ["ALL", "ALL"]
        );
    }

    #[test]
    fn patterns_match_whole_paths() {
        let path: Vec<String> = ["services", "api", "command"].map(String::from).to_vec();

        assert!(matches(&path, "services.*.command"));
        assert!(!matches(&path, "services.*"));
        assert!(!matches(&path, "services.*.command.x"));
    }
}
