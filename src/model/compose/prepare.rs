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

/// Takes the `!reset` values out of `root` and returns the paths of `!reset` and `!override`
/// values, so the values before them can be removed.
pub(super) fn take_resets(root: &mut Node) -> ResetPaths {
    let mut paths = Vec::new();
    let mut path = Vec::new();
    take_resets_below(root, &mut path, &mut paths);
    paths
}

fn take_resets_below(node: &mut Node, path: &mut Vec<String>, paths: &mut ResetPaths) {
    match &mut node.value {
        Value::Mapping(entries) => {
            entries.retain_mut(|(key, value)| {
                let name = key_text(key).unwrap_or_default().to_owned();
                path.push(name);
                let keep = visit(value, path, paths);
                path.pop();
                keep
            });
        }
        Value::Sequence(items) => {
            let mut index = 0;
            items.retain_mut(|item| {
                path.push(index.to_string());
                index += 1;
                let keep = visit(item, path, paths);
                path.pop();
                keep
            });
        }
        Value::Null | Value::Scalar(_) => {}
    }
}

/// Records a tagged value's path; whether the value stays in the tree.
fn visit(node: &mut Node, path: &mut Vec<String>, paths: &mut ResetPaths) -> bool {
    match node.tag.as_deref() {
        Some("reset") => {
            paths.push(path.clone());
            false
        }
        Some("override") => {
            paths.push(path.clone());
            true
        }
        _ => {
            take_resets_below(node, path, paths);
            true
        }
    }
}

/// A value that cannot be interpolated, with the span of the offending expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct InterpolationFailure {
    pub span: Span,
    /// Where the value sits, as messages name it: `` `user` of service `api` ``.
    pub what: String,
    pub message: String,
}

/// Interpolates every scalar value of `root` (keys stay as written), as Compose does before it
/// merges anything. A value that cannot be interpolated is taken out of the tree and reported.
///
/// `text` is the source the tree was parsed from; it lets a failure point at the expression
/// inside a value.
pub(super) fn interpolate_tree(
    root: &mut Node,
    lookup: &dyn Fn(&str) -> Option<String>,
    text: &str,
) -> Vec<InterpolationFailure> {
    let mut failures = Vec::new();
    let mut path = Vec::new();
    interpolate_below(root, &mut path, lookup, text, &mut failures);
    failures
}

fn interpolate_below(
    node: &mut Node,
    path: &mut Vec<String>,
    lookup: &dyn Fn(&str) -> Option<String>,
    text: &str,
    failures: &mut Vec<InterpolationFailure>,
) {
    match &mut node.value {
        Value::Mapping(entries) => {
            entries.retain_mut(|(key, value)| {
                path.push(key_text(key).unwrap_or_default().to_owned());
                let keep = interpolate_value(value, path, lookup, text, failures);
                path.pop();
                keep
            });
        }
        Value::Sequence(items) => {
            let mut index = 0;
            items.retain_mut(|item| {
                path.push(index.to_string());
                index += 1;
                let keep = interpolate_value(item, path, lookup, text, failures);
                path.pop();
                keep
            });
        }
        Value::Null | Value::Scalar(_) => {}
    }
}

/// Interpolates one value in place; whether it could be.
fn interpolate_value(
    node: &mut Node,
    path: &mut Vec<String>,
    lookup: &dyn Fn(&str) -> Option<String>,
    text: &str,
    failures: &mut Vec<InterpolationFailure>,
) -> bool {
    let Value::Scalar(scalar) = &node.value else {
        interpolate_below(node, path, lookup, text, failures);
        return true;
    };

    if !scalar.text.contains('$') {
        return true;
    }

    match interpolate(&scalar.text, lookup) {
        Ok(interpolated) => {
            node.value = Value::Scalar(Scalar {
                text: interpolated,
                kind: ScalarKind::String,
            });
            true
        }
        Err(error) => {
            failures.push(InterpolationFailure {
                span: expression_span(node, &scalar.text, error.range, text),
                what: describe_path(path),
                message: error.message,
            });
            false
        }
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
        let mut root = tree(
            "services:\n  app:\n    cap_drop: !reset []\n    command: !reset\n    ports: !override [\"80\"]\n    \
             dns: [a, !reset b, c]\n",
        );

        let paths = take_resets(&mut root);

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
        let mut root = tree(text);
        let lookup = |name: &str| (name == "TAG").then(|| "1.0".to_owned());

        let failures = interpolate_tree(&mut root, &lookup, text);

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
        let mut root = tree(text);

        let failures = interpolate_tree(&mut root, &|_| None, text);

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
