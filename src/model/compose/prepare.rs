//! Prepares one parsed Compose file the way Compose reads it before merging: values tagged
//! `!reset` are taken out and `!reset` / `!override` paths recorded, then every value is
//! interpolated.

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

/// Copies a parsed file the way Compose reads it before it merges anything: values tagged
/// `!reset` are left out, the paths of `!reset` and `!override` values recorded, and every
/// scalar value (keys stay as written) interpolated with `lookup`. A value that cannot be
/// interpolated is left out and reported.
///
/// `text` is the source the tree was parsed from; it lets a failure point at the expression
/// inside a value. One copy does it all: the file is read once, and a path is spelled out only
/// for a value that needs it.
pub(super) fn prepare(
    document: &Node,
    lookup: &dyn Fn(&str) -> Option<String>,
    text: &str,
) -> Prepared {
    let mut preparer = Preparer {
        lookup,
        text,
        path: Vec::new(),
        resets: Vec::new(),
        failures: Vec::new(),
    };
    let root = preparer.copy_below(document, true);
    Prepared {
        root,
        resets: preparer.resets,
        failures: preparer.failures,
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

struct Preparer<'a, 'l> {
    lookup: &'l dyn Fn(&str) -> Option<String>,
    text: &'a str,
    path: Vec<Step<'a>>,
    resets: ResetPaths,
    failures: Vec<InterpolationFailure>,
}

impl<'a> Preparer<'a, '_> {
    /// A copy of `node` with its entries or items prepared; `reads_tags` is false inside an
    /// `!override` value, whose content Compose takes as it is.
    fn copy_below(&mut self, node: &'a Node, reads_tags: bool) -> Node {
        let value = match &node.value {
            Value::Mapping(entries) => {
                let mut copied = Vec::with_capacity(entries.len());
                for (key, value) in entries {
                    self.path.push(Step::Key(key_text(key).unwrap_or_default()));
                    if let Some(value) = self.prepare_value(value, reads_tags) {
                        copied.push((key.clone(), value));
                    }
                    self.path.pop();
                }
                Value::Mapping(copied)
            }
            Value::Sequence(items) => {
                let mut copied = Vec::with_capacity(items.len());
                let mut kept = 0;
                for (written, item) in items.iter().enumerate() {
                    self.path.push(Step::Item { written, kept });
                    let is_reset = reads_tags && item.tag.as_deref() == Some("reset");
                    kept += usize::from(!is_reset);
                    if let Some(item) = self.prepare_value(item, reads_tags) {
                        copied.push(item);
                    }
                    self.path.pop();
                }
                Value::Sequence(copied)
            }
            Value::Null | Value::Scalar(_) => node.value.clone(),
        };
        Node {
            value,
            span: node.span,
            used_at: node.used_at,
            tag: node.tag.clone(),
        }
    }

    /// The prepared copy of the value at the end of `path`; `None` when it is left out.
    fn prepare_value(&mut self, node: &'a Node, reads_tags: bool) -> Option<Node> {
        let mut reads_tags = reads_tags;
        match node.tag.as_deref() {
            Some("reset") if reads_tags => {
                self.resets.push(self.written_path());
                return None;
            }
            Some("override") if reads_tags => {
                self.resets.push(self.written_path());
                reads_tags = false;
            }
            _ => {}
        }

        let Value::Scalar(scalar) = &node.value else {
            return Some(self.copy_below(node, reads_tags));
        };
        if !scalar.text.contains('$') {
            return Some(node.clone());
        }
        match interpolate(&scalar.text, self.lookup) {
            Ok(interpolated) => Some(Node {
                value: Value::Scalar(Scalar {
                    text: interpolated,
                    kind: ScalarKind::String,
                }),
                ..node.clone()
            }),
            Err(error) => {
                self.failures.push(InterpolationFailure {
                    span: expression_span(node, &scalar.text, error.range, self.text),
                    what: describe_path(&self.kept_path()),
                    message: error.message,
                });
                None
            }
        }
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
        } = prepare(&document, &|_| None, "");

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

        let Prepared { root, failures, .. } = prepare(&tree(text), &lookup, text);

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
        let Prepared { root, failures, .. } = prepare(&tree(text), &|_| None, text);

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

        let prepared = prepare(&tree(text), &|_| None, text);

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
