//! The last check before a fixed file is kept: it must still parse, and read as it did apart
//! from what fixes change. A fix whose edits would do more (a key that lands inside a block
//! scalar, say) is dropped rather than trusted.

use crate::parse::yaml::{self, Node, Value};
use crate::parse::{self as parse_syntax};
use crate::source::SourceId;

/// The keys that Compose fixes add, change or remove, wherever they stand.
const FIXED_KEYS: &[&str] = &["cap_drop", "privileged", "security_opt"];

/// Whether `fixed` reads as `original` apart from the keys fixes change; for a Dockerfile,
/// whether it has the same instructions and no new syntax error.
pub fn check(is_compose: bool, original: &str, fixed: &str) -> Result<(), String> {
    if is_compose {
        check_compose(original, fixed)
    } else {
        check_dockerfile(original, fixed)
    }
}

fn check_compose(original: &str, fixed: &str) -> Result<(), String> {
    let before = yaml::parse(SourceId(0), original)
        .map_err(|error| format!("the file does not parse: {}", error.message))?;
    let after = yaml::parse(SourceId(0), fixed)
        .map_err(|error| format!("the fixed file would not parse: {}", error.message))?;

    // Extension keys (`x-defaults`) hold the anchors fixes may edit; Compose reads them only
    // through aliases, which land under the keys compared here.
    if same_apart_from_fixed_keys(&before, &after, true) {
        Ok(())
    } else {
        Err("the fixed file would change more than the fixed keys".to_owned())
    }
}

/// Compares values, not positions, leaving out entries under [`FIXED_KEYS`] and, at the top
/// level, extension keys.
fn same_apart_from_fixed_keys(before: &Node, after: &Node, is_top_level: bool) -> bool {
    match (&before.value, &after.value) {
        (Value::Mapping(before), Value::Mapping(after)) => {
            let kept = |entries: &'_ [(Node, Node)]| -> Vec<(Node, Node)> {
                entries
                    .iter()
                    .filter(|(key, _)| {
                        let name = key.as_scalar().map_or("", |scalar| scalar.text.as_str());
                        let is_extension = is_top_level && name.starts_with("x-");
                        !FIXED_KEYS.contains(&name) && !is_extension
                    })
                    .cloned()
                    .collect()
            };
            let (before, after) = (kept(before), kept(after));
            before.len() == after.len()
                && before
                    .iter()
                    .zip(&after)
                    .all(|((key, value), (other_key, other))| {
                        key.value == other_key.value
                            && key.tag == other_key.tag
                            && (same_apart_from_fixed_keys(value, other, false)
                                || is_same_inline_dockerfile(key, value, other))
                    })
        }
        (Value::Sequence(before), Value::Sequence(after)) => {
            before.len() == after.len()
                && before
                    .iter()
                    .zip(after)
                    .all(|(item, other)| same_apart_from_fixed_keys(item, other, false))
        }
        (before_value, after_value) => before_value == after_value && before.tag == after.tag,
    }
}

/// A `dockerfile_inline` value changed only as a fixed Dockerfile may change.
fn is_same_inline_dockerfile(key: &Node, before: &Node, after: &Node) -> bool {
    let is_inline = key
        .as_scalar()
        .is_some_and(|name| name.text == "dockerfile_inline");
    match (before.as_scalar(), after.as_scalar()) {
        (Some(before), Some(after)) if is_inline => {
            check_dockerfile(&before.text, &after.text).is_ok()
        }
        _ => false,
    }
}

fn check_dockerfile(original: &str, fixed: &str) -> Result<(), String> {
    let before = parse_syntax::dockerfile::parse(SourceId(0), original);
    let after = parse_syntax::dockerfile::parse(SourceId(0), fixed);

    let keywords = |file: &parse_syntax::dockerfile::Dockerfile| -> Vec<String> {
        file.instructions
            .iter()
            .map(|instruction| instruction.keyword.clone())
            .collect()
    };
    if keywords(&before) != keywords(&after) {
        return Err("the fixed file would have other instructions".to_owned());
    }
    if after.errors.len() > before.errors.len() {
        return Err("the fixed file would have a syntax error".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_to_fixed_keys_and_anchors_pass() {
        let original =
            "x-a: &a\n  cap_drop: [NET_RAW]\nservices:\n  app:\n    <<: *a\n    image: app\n";
        let fixed = "x-a: &a\n  cap_drop: [NET_RAW, ALL]\nservices:\n  app:\n    <<: *a\n    image: app\n    security_opt:\n      - no-new-privileges:true\n";

        assert_eq!(check(true, original, fixed), Ok(()));
    }

    #[test]
    fn a_key_swallowed_by_a_block_scalar_fails() {
        let original = "services:\n  app:\n    command: |\n      run\n";
        let fixed = "services:\n  app:\n    command: |\n      run\n      cap_drop: [ALL]\n";

        assert!(check(true, original, fixed).is_err());
        assert!(check(true, original, "services: [\n").is_err());
    }

    #[test]
    fn dockerfiles_must_keep_their_instructions() {
        let original = "FROM alpine\nRUN chmod 4755 /x\n";

        assert_eq!(
            check(false, original, "FROM alpine\nRUN chmod 0755 /x\n"),
            Ok(())
        );
        assert!(check(false, original, "FROM alpine\n").is_err());
    }
}
