//! Checks the merged model of a project against the Compose specification's JSON schema
//! (`schemas/compose-spec.json`, embedded), as Compose does before it runs anything.
//!
//! The model is checked once per project, after interpolation, `include`, `extends` and the
//! merge of its files, because that is the document Compose validates: a key an override file
//! adds is checked in its place, and a file that only makes sense with its override is not
//! judged alone. Each violation is a `compose-schema` warning at the offending key (or list
//! item), in the file that wrote it: the schema's JSON pointer is walked back through the
//! spanned tree.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use jsonschema::{JsonType, ValidationError};
use serde_json::{Map, Number, Value as Json};

use crate::diagnostic::{Diagnostic, Severity};
use crate::parse::yaml::{Node, ScalarKind, Value};

use super::Loader;
use super::merge::key_text;

/// The rule name of schema violations.
use crate::rules::COMPOSE_SCHEMA;

/// The severity `rules/compose-schema.md` gives the rule.
const SEVERITY: Severity = Severity::Warning;

/// The Compose specification's schema, compiled into validation code when escalint is built: a
/// run pays nothing to prepare it.
#[jsonschema::validator(path = "schemas/compose-spec.json", draft = Draft7)]
struct ComposeSchema;

/// One step of a path into the model.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A schema violation: where it is and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Violation {
    path: Vec<Step>,
    message: String,
}

impl Loader<'_> {
    /// Reports every place where the merged model `root` breaks the schema.
    pub(super) fn validate(&mut self, root: &Node) {
        let instance = to_json(root);
        let mut violations: Vec<Violation> = Vec::new();
        for error in ComposeSchema::iter_errors(&instance) {
            for violation in violations_of(&error) {
                if !violations.contains(&violation) {
                    violations.push(violation);
                }
            }
        }

        for violation in violations {
            let (span, used_at) = locate(root, &violation.path);
            let mut diagnostic = Diagnostic::new(COMPOSE_SCHEMA, SEVERITY, span, violation.message);
            diagnostic.note_use(used_at);
            self.diagnostics.push(diagnostic);
        }
    }
}

/// The model as the JSON document the schema describes: scalars by their YAML type, so
/// `user: 1000` is a number and `user: "1000"` a string, as Compose reads them.
///
/// LIMITATION: interpolated values stay strings, where Compose converts some (`replicas: ${N}`)
/// to numbers; the schema accepts strings there, so a value Compose cannot convert passes.
fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Scalar(scalar) => match scalar.kind {
            ScalarKind::String => Json::String(scalar.text.clone()),
            ScalarKind::Boolean => Json::Bool(scalar.text.eq_ignore_ascii_case("true")),
            ScalarKind::Integer => integer(&scalar.text)
                .or_else(|| float(&scalar.text))
                .unwrap_or_else(|| Json::String(scalar.text.clone())),
            ScalarKind::Float => {
                float(&scalar.text).unwrap_or_else(|| Json::String(scalar.text.clone()))
            }
        },
        Value::Sequence(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Mapping(entries) => {
            let mut object = Map::new();
            for (key, value) in entries {
                let Some(name) = key_text(key) else {
                    continue;
                };
                object.insert(name.to_owned(), to_json(value));
            }
            Json::Object(object)
        }
    }
}

/// A YAML 1.2 integer (`12`, `-3`, `0x1F`, `0o17`) as a JSON number.
fn integer(text: &str) -> Option<Json> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (radix, digits) = if let Some(hex) = digits.strip_prefix("0x") {
        (16, hex)
    } else if let Some(octal) = digits.strip_prefix("0o") {
        (8, octal)
    } else {
        (10, digits)
    };
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    let value = if negative { -magnitude } else { magnitude };
    if let Ok(small) = i64::try_from(value) {
        return Some(Json::Number(Number::from(small)));
    }
    u64::try_from(value)
        .ok()
        .map(|large| Json::Number(Number::from(large)))
}

/// A finite YAML float as a JSON number; `.inf` and `.nan` have no JSON form.
fn float(text: &str) -> Option<Json> {
    let value: f64 = text.parse().ok()?;
    Number::from_f64(value).map(Json::Number)
}

/// The violations one schema error stands for, with Compose-like messages. For `oneOf` and
/// `anyOf` the most specific alternative speaks, as in `docker compose config`: the one whose
/// errors lie deepest, or all of them together when each only wants another type.
fn violations_of(error: &ValidationError<'_>) -> Vec<Violation> {
    let path = steps(error);
    let name = display_path(&path);
    let message = match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            return unexpected
                .iter()
                .map(|key| {
                    let mut key_path = path.clone();
                    key_path.push(Step::Key(key.clone()));
                    let message = if path.is_empty() {
                        format!("unknown top-level key `{key}`")
                    } else {
                        format!("unknown key `{key}` in `{name}`")
                    };
                    Violation {
                        path: key_path,
                        message,
                    }
                })
                .collect();
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            return most_specific(error, &path, context);
        }
        ValidationErrorKind::Type { kind } => {
            format!(
                "`{name}` must be {}, not {}",
                describe_types(&types_of(kind)),
                describe_value(error.instance())
            )
        }
        ValidationErrorKind::Required { property } => {
            format!("`{name}` must have `{}`", plain(property))
        }
        ValidationErrorKind::Enum { options } => {
            let allowed: Vec<String> = match options.as_array() {
                Some(options) => options
                    .iter()
                    .map(|option| format!("`{}`", plain(option)))
                    .collect(),
                None => vec![format!("`{}`", plain(options))],
            };
            format!(
                "`{name}` must be one of {}, not {}",
                allowed.join(", "),
                describe_value(error.instance())
            )
        }
        ValidationErrorKind::UniqueItems => format!("`{name}` lists the same item twice"),
        ValidationErrorKind::Pattern { pattern } => format!(
            "`{name}` must match `{pattern}`, not {}",
            describe_value(error.instance())
        ),
        _ => format!("`{name}`: {error}"),
    };
    vec![Violation { path, message }]
}

/// Reports the alternative of a `oneOf`/`anyOf` that explains the failure best.
fn most_specific(
    error: &ValidationError<'_>,
    path: &[Step],
    context: &[Vec<ValidationError<'static>>],
) -> Vec<Violation> {
    let all: Vec<&ValidationError<'static>> = context.iter().flatten().collect();
    let only_types_here = !all.is_empty()
        && all.iter().all(|inner| {
            matches!(inner.kind(), ValidationErrorKind::Type { .. }) && steps(inner) == path
        });
    if only_types_here {
        let mut wanted: Vec<JsonType> = Vec::new();
        for inner in &all {
            if let ValidationErrorKind::Type { kind } = inner.kind() {
                for found in types_of(kind) {
                    if !wanted.contains(&found) {
                        wanted.push(found);
                    }
                }
            }
        }
        let message = format!(
            "`{}` must be {}, not {}",
            display_path(path),
            describe_types(&wanted),
            describe_value(error.instance())
        );
        return vec![Violation {
            path: path.to_vec(),
            message,
        }];
    }

    let depth = |branch: &Vec<ValidationError<'static>>| {
        branch
            .iter()
            .map(|inner| inner.instance_path().iter().count())
            .max()
            .unwrap_or(0)
    };
    let Some(best) = context.iter().max_by_key(|branch| depth(branch)) else {
        let message = format!("`{}`: {error}", display_path(path));
        return vec![Violation {
            path: path.to_vec(),
            message,
        }];
    };
    let deepest = depth(best);
    best.iter()
        .filter(|inner| inner.instance_path().iter().count() == deepest)
        .flat_map(|inner| violations_of(inner))
        .collect()
}

fn steps(error: &ValidationError<'_>) -> Vec<Step> {
    error
        .instance_path()
        .iter()
        .map(|segment| match segment {
            LocationSegment::Property(name) => Step::Key(name.into_owned()),
            LocationSegment::Index(index) => Step::Index(index),
        })
        .collect()
}

/// `services.api.ports.0`, as Compose names places.
fn display_path(path: &[Step]) -> String {
    if path.is_empty() {
        return "the top level".to_owned();
    }
    let parts: Vec<String> = path
        .iter()
        .map(|step| match step {
            Step::Key(key) => key.clone(),
            Step::Index(index) => index.to_string(),
        })
        .collect();
    parts.join(".")
}

fn types_of(kind: &TypeKind) -> Vec<JsonType> {
    match kind {
        TypeKind::Single(single) => vec![*single],
        TypeKind::Multiple(set) => set.into_iter().collect(),
    }
}

/// `a string`, `a string or number`, `an integer`, `a mapping`.
fn describe_types(types: &[JsonType]) -> String {
    let names: Vec<&str> = types
        .iter()
        .map(|kind| match kind {
            JsonType::Array => "list",
            JsonType::Object => "mapping",
            JsonType::Boolean => "boolean",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::String => "string",
            JsonType::Null => "null",
        })
        .collect();
    let listed = match names.split_last() {
        None => return "something else".to_owned(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    };
    if listed.starts_with("null") {
        return listed;
    }
    let article = if listed.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {listed}")
}

/// What was found instead: `the number 1000`, `a mapping`, `` the string `x` ``.
fn describe_value(value: &Json) -> String {
    match value {
        Json::Null => "null".to_owned(),
        Json::Bool(value) => format!("`{value}`"),
        Json::Number(number) => format!("the number {number}"),
        Json::String(text) => format!("the string `{text}`"),
        Json::Array(_) => "a list".to_owned(),
        Json::Object(_) => "a mapping".to_owned(),
    }
}

/// A JSON value as plain text: strings without their quotes.
fn plain(value: &Json) -> String {
    match value {
        Json::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The span to point at for a path, and where the value there is used when that differs: the
/// key of a mapping entry, the item of a list, the innermost node the path still finds.
fn locate(root: &Node, path: &[Step]) -> (crate::source::Span, Option<crate::source::Span>) {
    let mut node = root;
    let mut target = (root.span, root.used_at);
    for step in path {
        let next = match (step, &node.value) {
            (Step::Key(name), Value::Mapping(entries)) => entries
                .iter()
                .find(|(key, _)| key_text(key) == Some(name))
                .map(|(key, value)| (value, (key.span, key.used_at))),
            (Step::Index(index), Value::Sequence(items)) => items
                .get(*index)
                .map(|item| (item, (item.span, item.used_at))),
            _ => None,
        };
        let Some((child, place)) = next else {
            break;
        };
        node = child;
        target = place;
    }
    target
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;
    use crate::source::SourceId;

    fn check(text: &str) -> Vec<(String, String)> {
        let root = yaml::parse(SourceId(0), text).expect("test YAML parses");
        let instance = to_json(&root);
        let mut found = Vec::new();
        for error in ComposeSchema::iter_errors(&instance) {
            for violation in violations_of(&error) {
                let (span, _) = locate(&root, &violation.path);
                found.push((text[span.start..span.end].to_owned(), violation.message));
            }
        }
        found.sort();
        found
    }

    #[test]
    fn the_embedded_schema_compiles_and_accepts_a_plain_file() {
        let found = check(
            "name: shop\nservices:\n  api:\n    image: registry.example/api:1.4\n    user: \"10001\"\n    \
             cap_drop: [ALL]\n    ports: [\"8080:80\", 9090]\n    environment:\n      A: 1\n      B:\n    \
             deploy:\n      replicas: 2\n    x-note: free\nx-common: {a: 1}\nvolumes:\n  data: {}\n",
        );

        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn an_unknown_key_is_reported_at_the_key() {
        let found = check("services:\n  api:\n    image: app\n    privilige: true\n");

        assert_eq!(
            found,
            [(
                "privilige".to_owned(),
                "unknown key `privilige` in `services.api`".to_owned()
            )]
        );
    }

    #[test]
    fn a_wrong_type_names_what_was_found() {
        let found =
            check("services:\n  batch:\n    image: app\n    user: 1000\n    cap_drop: ALL\n");

        assert_eq!(
            found,
            [
                (
                    "cap_drop".to_owned(),
                    "`services.batch.cap_drop` must be a list, not the string `ALL`".to_owned()
                ),
                (
                    "user".to_owned(),
                    "`services.batch.user` must be a string, not the number 1000".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn alternatives_report_the_most_specific_problem() {
        let found = check(
            "services:\n  api:\n    build: 5\n    ports:\n      - target: 80\n        publish: 8080\n",
        );

        assert_eq!(
            found,
            [
                (
                    "build".to_owned(),
                    "`services.api.build` must be a string or mapping, not the number 5".to_owned()
                ),
                (
                    "publish".to_owned(),
                    "unknown key `publish` in `services.api.ports.0`".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn an_enumeration_lists_the_allowed_values() {
        let found = check(
            "services:\n  api:\n    image: app\n    depends_on:\n      db:\n        condition: started\n  \
             db:\n    image: db\n",
        );

        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "condition");
        assert!(
            found[0].1.starts_with(
                "`services.api.depends_on.db.condition` must be one of `service_started`"
            ),
            "{found:?}"
        );
    }

    #[test]
    fn a_pattern_names_the_pattern() {
        let found = check("services:\n  api:\n    image: app\n    container_name: \"\"\n");

        assert_eq!(
            found,
            [(
                "container_name".to_owned(),
                "`services.api.container_name` must match `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, not the \
                 string ``"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn numbers_keep_their_yaml_type() {
        let root = yaml::parse(SourceId(0), "a: 0x1F\nb: 1.5\nc: .inf\nd: \"7\"\ne: true\n")
            .expect("test YAML parses");

        let json = to_json(&root);

        assert_eq!(
            json,
            serde_json::json!({"a": 31, "b": 1.5, "c": ".inf", "d": "7", "e": true})
        );
    }
}
