//! Prepares one parsed Compose file the way Compose reads it before merging: values tagged
//! `!reset` are taken out and `!reset` / `!override` paths recorded, then every value is
//! interpolated.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::parse::interpolate::interpolate;
use crate::parse::yaml::{Node, Scalar, ScalarKind, Value};
use crate::source::Span;

use super::merge::key_text;

/// Paths (keys from the root) whose earlier values a file clears: `!reset` paths lose their
/// value, `!override` paths get the file's value instead of a merged one.
pub(super) type ResetPaths = Vec<Vec<String>>;

/// A value that cannot be interpolated, with the span of the offending expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct InterpolationFailure {
    pub span: Span,
    /// Where the value sits, as messages name it: `` `user` of service `api` ``.
    pub what: String,
    pub message: String,
}

/// A Compose file as Compose reads it before merging.
pub(super) struct Prepared {
    pub root: Node,
    pub resets: ResetPaths,
    pub failures: Vec<InterpolationFailure>,
}

/// Prepares a parsed file the way Compose reads it before it merges anything: values tagged
/// `!reset` are left out, the paths of `!reset` and `!override` values recorded, and every
/// scalar value (keys stay as written) interpolated with `lookup`. A value that cannot be
/// interpolated is left out and reported.
///
/// `text` is the source the tree was parsed from; it lets a failure point at the expression
/// inside a value. The tree is changed in place: a first pass reads it and lists the changes
/// (few: most values hold no `$` and no tag), a second makes them, so the file is not copied and
/// a path is spelled out only for a value that needs it.
pub(super) fn prepare(
    mut document: Node,
    lookup: &dyn Fn(&str) -> Option<String>,
    text: &str,
) -> Prepared {
    let mut finder = ChangeFinder {
        lookup,
        text,
        path: Vec::new(),
        positions: Vec::new(),
        changes: Vec::new(),
        resets: Vec::new(),
        failures: Vec::new(),
    };
    finder.read_below(&document, true);
    let ChangeFinder {
        changes,
        resets,
        failures,
        ..
    } = finder;

    // Texts are replaced first, at the positions as read. Values are then taken out per
    // collection, from the end of the document backwards and each collection after those inside
    // it, so no removal shifts a position still to be used; one pass over a collection takes out
    // all its values, however many.
    let mut removals: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new();
    for change in changes {
        let Some((&last, parent)) = change.positions.split_last() else {
            continue;
        };
        match change.replacement {
            Some(text) => {
                if let Some(node) = node_at(&mut document, &change.positions) {
                    set_text(node, text);
                }
            }
            None => removals.entry(parent.to_vec()).or_default().push(last),
        }
    }
    for (parent, positions) in removals.into_iter().rev() {
        if let Some(collection) = node_at(&mut document, &parent) {
            remove_positions(collection, &positions);
        }
    }

    Prepared {
        root: document,
        resets,
        failures,
    }
}

/// One step from the root to a value.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    /// A list item: its index as written, and among the items left after `!reset` ones.
    Item {
        written: usize,
        kept: usize,
    },
}

/// A change to make to the tree, at the value reached by taking the entry or item at each
/// position in turn from the root.
struct Change {
    positions: Vec<usize>,
    /// The interpolated text of a scalar, or `None` to leave the value out.
    replacement: Option<String>,
}

struct ChangeFinder<'a, 'l> {
    lookup: &'l dyn Fn(&str) -> Option<String>,
    text: &'a str,
    path: Vec<Step<'a>>,
    /// The position of each step of `path` among its parent's entries or items.
    positions: Vec<usize>,
    changes: Vec<Change>,
    resets: ResetPaths,
    failures: Vec<InterpolationFailure>,
}

impl<'a> ChangeFinder<'a, '_> {
    /// Reads the entries or items of `node`; `reads_tags` is false inside an `!override` value,
    /// whose content Compose takes as it is.
    fn read_below(&mut self, node: &'a Node, reads_tags: bool) {
        match &node.value {
            Value::Mapping(entries) => {
                for (position, (key, value)) in entries.iter().enumerate() {
                    self.path.push(Step::Key(key_text(key).unwrap_or_default()));
                    self.positions.push(position);
                    self.read_value(value, reads_tags);
                    self.positions.pop();
                    self.path.pop();
                }
            }
            Value::Sequence(items) => {
                let mut kept = 0;
                for (written, item) in items.iter().enumerate() {
                    self.path.push(Step::Item { written, kept });
                    self.positions.push(written);
                    let is_reset = reads_tags && item.tag.as_deref() == Some("reset");
                    kept += usize::from(!is_reset);
                    self.read_value(item, reads_tags);
                    self.positions.pop();
                    self.path.pop();
                }
            }
            Value::Null | Value::Scalar(_) => {}
        }
    }

    /// Reads the value at the end of `path`, noting the change it needs, if any.
    fn read_value(&mut self, node: &'a Node, reads_tags: bool) {
        let mut reads_tags = reads_tags;
        match node.tag.as_deref() {
            Some("reset") if reads_tags => {
                self.resets.push(self.written_path());
                self.note_change(None);
                return;
            }
            Some("override") if reads_tags => {
                self.resets.push(self.written_path());
                reads_tags = false;
            }
            _ => {}
        }

        let Value::Scalar(scalar) = &node.value else {
            self.read_below(node, reads_tags);
            return;
        };
        if !scalar.text.contains('$') {
            return;
        }
        match interpolate(&scalar.text, self.lookup) {
            Ok(interpolated) => self.note_change(Some(interpolated)),
            Err(error) => {
                self.failures.push(InterpolationFailure {
                    span: expression_span(node, &scalar.text, error.range, self.text),
                    what: describe_path(&self.kept_path()),
                    message: error.message,
                });
                self.note_change(None);
            }
        }
    }

    fn note_change(&mut self, replacement: Option<String>) {
        self.changes.push(Change {
            positions: self.positions.clone(),
            replacement,
        });
    }

    /// The path with list items numbered as written, as `!reset` paths name them.
    fn written_path(&self) -> Vec<String> {
        let step = |step: &Step| match *step {
            Step::Key(key) => key.to_owned(),
            Step::Item { written, .. } => written.to_string(),
        };
        self.path.iter().map(step).collect()
    }

    /// The path with list items numbered among those left after `!reset` ones.
    fn kept_path(&self) -> Vec<String> {
        let step = |step: &Step| match *step {
            Step::Key(key) => key.to_owned(),
            Step::Item { kept, .. } => kept.to_string(),
        };
        self.path.iter().map(step).collect()
    }
}

/// The node reached from `root` by taking the entry or item at each position in turn.
fn node_at<'n>(root: &'n mut Node, positions: &[usize]) -> Option<&'n mut Node> {
    let mut node = root;
    for &position in positions {
        node = match &mut node.value {
            Value::Mapping(entries) => &mut entries.get_mut(position)?.1,
            Value::Sequence(items) => items.get_mut(position)?,
            Value::Null | Value::Scalar(_) => return None,
        };
    }
    Some(node)
}

/// Takes the entries or items at `positions` (ascending) out of a collection.
fn remove_positions(collection: &mut Node, positions: &[usize]) {
    let mut position = 0;
    let mut removed = positions.iter().peekable();
    let mut is_kept = || {
        let is_removed = removed.next_if_eq(&&position).is_some();
        position += 1;
        !is_removed
    };
    match &mut collection.value {
        Value::Mapping(entries) => entries.retain(|_| is_kept()),
        Value::Sequence(items) => items.retain(|_| is_kept()),
        Value::Null | Value::Scalar(_) => {}
    }
}

/// An interpolated value is a string, whatever its text was.
fn set_text(node: &mut Node, text: String) {
    node.value = Value::Scalar(Scalar {
        text,
        kind: ScalarKind::String,
    });
}

/// The span of an expression inside a scalar when the scalar is written as its text (plain or
/// simply quoted); otherwise the whole scalar.
fn expression_span(node: &Node, value: &str, range: Range<usize>, text: &str) -> Span {
    let span = node.span;
    let written = text.get(span.start..span.end).unwrap_or("");
    let start = if written == value {
        span.start
    } else if written.len() == value.len() + 2 && written.get(1..written.len() - 1) == Some(value) {
        span.start + 1
    } else {
        return span;
    };
    Span::new(span.source, start + range.start, start + range.end)
}

/// `` `user` of service `api` `` for a service key, `` `x-common.image` `` otherwise.
pub(super) fn describe_path(path: &[String]) -> String {
    match path {
        [services, name, rest @ ..] if services == "services" && !rest.is_empty() => {
            format!("`{}` of service `{name}`", rest.join("."))
        }
        _ => format!("`{}`", path.join(".")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;
    use crate::source::SourceId;

    fn tree(text: &str) -> Node {
        yaml::parse(SourceId(0), text).expect("test YAML parses")
    }

    fn joined(paths: &ResetPaths) -> Vec<String> {
        paths.iter().map(|path| path.join(".")).collect()
    }

    #[test]
    fn reset_values_are_taken_out_and_override_values_kept() {
        let document = tree(
            "services:\n  app:\n    cap_drop: !reset []\n    command: !reset\n    ports: !override [\"80\"]\n    \
             dns: [a, !reset b, c]\n",
        );

        let Prepared {
            root,
            resets: paths,
            ..
        } = prepare(document, &|_| None, "");

        assert_eq!(
            joined(&paths),
            [
                "services.app.cap_drop",
                "services.app.command",
                "services.app.ports",
                "services.app.dns.1"
            ]
        );
        let app = root
            .get("services")
            .and_then(|s| s.get("app"))
            .expect("app");
        assert!(app.get("cap_drop").is_none() && app.get("command").is_none());
        assert!(app.get("ports").is_some());
        let Some(Value::Sequence(dns)) = app.get("dns").map(|dns| &dns.value) else {
            panic!("dns is a list");
        };
        assert_eq!(dns.len(), 2);
    }

    #[test]
    fn every_value_is_interpolated_and_keys_are_not() {
        let text = "services:\n  app:\n    image: \"app:${TAG}\"\n    environment:\n      $KEY: \"$$HOME\"\n    \
                    command: [echo, \"${WORD:-hi}\"]\n";
        let lookup = |name: &str| (name == "TAG").then(|| "1.0".to_owned());

        let Prepared { root, failures, .. } = prepare(tree(text), &lookup, text);

        assert!(failures.is_empty());
        let app = root
            .get("services")
            .and_then(|s| s.get("app"))
            .expect("app");
        assert_eq!(
            app.get("image")
                .and_then(Node::as_scalar)
                .map(|s| s.text.as_str()),
            Some("app:1.0")
        );
        let environment = app.get("environment").expect("environment");
        assert_eq!(
            environment
                .get("$KEY")
                .and_then(Node::as_scalar)
                .map(|s| s.text.as_str()),
            Some("$HOME")
        );
        let Some(Value::Sequence(command)) = app.get("command").map(|c| &c.value) else {
            panic!("command is a list");
        };
        assert_eq!(command[1].as_scalar().map(|s| s.text.as_str()), Some("hi"));
    }

    #[test]
    fn a_failing_value_is_removed_and_reported_at_its_expression() {
        let text = "services:\n  app:\n    user: \"id-${UID:?set UID}\"\n    image: app\n";
        let Prepared { root, failures, .. } = prepare(tree(text), &|_| None, text);

        assert_eq!(failures.len(), 1);
        let failure = &failures[0];
        assert_eq!(failure.what, "`user` of service `app`");
        assert!(failure.message.contains("set UID"), "{}", failure.message);
        assert_eq!(
            &text[failure.span.start..failure.span.end],
            "${UID:?set UID}"
        );
        let app = root
            .get("services")
            .and_then(|s| s.get("app"))
            .expect("app");
        assert!(app.get("user").is_none());
        assert!(app.get("image").is_some());
    }

    #[test]
    fn failures_count_items_after_resets_and_override_values_are_taken_as_written() {
        let text = "x-list:\n  - !reset a\n  - \"${NOPE:?needed}\"\nservices:\n  app:\n    \
                    volumes: !override\n      - !reset /x\n";

        let prepared = prepare(tree(text), &|_| None, text);

        assert_eq!(
            joined(&prepared.resets),
            ["x-list.0", "services.app.volumes"]
        );
        let whats: Vec<&str> = prepared.failures.iter().map(|f| f.what.as_str()).collect();
        assert_eq!(whats, ["`x-list.0`"]);
        let volumes = prepared
            .root
            .get("services")
            .and_then(|s| s.get("app"))
            .and_then(|app| app.get("volumes"));
        let Some(Value::Sequence(volumes)) = volumes.map(|v| &v.value) else {
            panic!("volumes is a list");
        };
        assert_eq!(volumes.len(), 1);
    }

    #[test]
    fn many_values_leave_one_collection_and_its_parent_together() {
        let text = "services:\n  app:\n    dns: [a, !reset b, \"${X:?x}\", d, !reset e]\n    \
                    environment:\n      A: !reset\n      B: \"${Y:?y}\"\n      C: c\n  \
                    gone: !reset\n  web:\n    image: \"w:${TAG}\"\n";
        let lookup = |name: &str| (name == "TAG").then(|| "1".to_owned());

        let Prepared { root, failures, .. } = prepare(tree(text), &lookup, text);

        let services = root.get("services").expect("services");
        let names: Vec<&str> = services
            .as_mapping()
            .expect("a mapping")
            .iter()
            .filter_map(|(key, _)| key_text(key))
            .collect();
        assert_eq!(names, ["app", "web"]);
        let app = services.get("app").expect("app");
        let Some(Value::Sequence(dns)) = app.get("dns").map(|dns| &dns.value) else {
            panic!("dns is a list");
        };
        let dns: Vec<&str> = dns
            .iter()
            .filter_map(|item| item.as_scalar().map(|scalar| scalar.text.as_str()))
            .collect();
        assert_eq!(dns, ["a", "d"]);
        let environment = app.get("environment").expect("environment");
        assert_eq!(environment.as_mapping().map(<[_]>::len), Some(1));
        assert!(environment.get("C").is_some());
        let image = services.get("web").and_then(|web| web.get("image"));
        assert_eq!(
            image.and_then(Node::as_scalar).map(|s| s.text.as_str()),
            Some("w:1")
        );
        let whats: Vec<&str> = failures.iter().map(|f| f.what.as_str()).collect();
        assert_eq!(
            whats,
            [
                "`dns.1` of service `app`",
                "`environment.B` of service `app`"
            ]
        );
    }

    #[test]
    fn paths_outside_services_are_named_in_full() {
        assert_eq!(
            describe_path(&["x-common".to_owned(), "image".to_owned()]),
            "`x-common.image`"
        );
        assert_eq!(
            describe_path(&["services".to_owned(), "api".to_owned()]),
            "`services.api`"
        );
    }
}
