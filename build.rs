//! Embeds the Compose schema without its prose: `description` and `$comment` values are most of
//! its bytes and constrain nothing, and parsing them is most of what a run over one small
//! Compose file costs. `schemas/compose-spec.json` stays as upstream wrote it.

use std::path::Path;

use serde_json::Value;

fn main() {
    let source = Path::new("schemas/compose-spec.json");
    println!("cargo::rerun-if-changed={}", source.display());

    let text = std::fs::read_to_string(source).expect("schemas/compose-spec.json is readable");
    let mut schema: Value = serde_json::from_str(&text).expect("the Compose schema is JSON");
    strip_prose(&mut schema);

    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let stripped = serde_json::to_string(&schema).expect("a JSON value serialises");
    std::fs::write(Path::new(&out_dir).join("compose-spec.json"), stripped)
        .expect("OUT_DIR is writable");
}

/// Removes the annotations that do not take part in validation. Only keywords are removed: a
/// property *named* `description` (under `properties`) is part of what the schema checks, and
/// values the schema compares with (`enum`, `const`, `default`) are left as they are.
fn strip_prose(node: &mut Value) {
    match node {
        Value::Object(object) => {
            for (key, value) in object.iter_mut() {
                let holds_names = matches!(
                    key.as_str(),
                    "properties" | "patternProperties" | "definitions" | "$defs"
                );
                let is_data = matches!(key.as_str(), "enum" | "const" | "default" | "examples");
                match (holds_names, value) {
                    _ if is_data => {}
                    (true, Value::Object(named)) => named.values_mut().for_each(strip_prose),
                    (_, value) => strip_prose(value),
                }
            }
            object.retain(|key, value| {
                !matches!(key.as_str(), "description" | "$comment") || !value.is_string()
            });
        }
        Value::Array(items) => items.iter_mut().for_each(strip_prose),
        _ => {}
    }
}
