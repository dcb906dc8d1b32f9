//! `check --diff`: the changes fixes would make, as a unified diff per file.

use similar::TextDiff;

/// The unified diff from `original` to `fixed`, with `a/` and `b/` headers naming `display`;
/// empty when nothing changes.
pub fn unified(display: &str, original: &str, fixed: &str) -> String {
    if original == fixed {
        return String::new();
    }

    let diff = TextDiff::from_lines(original, fixed);
    let mut text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{display}"), &format!("b/{display}"))
        .to_string();
    // A last line without a line break would run into the next file's header.
    if !text.ends_with('\n') {
        text.push_str("\n\\ No newline at end of file\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_names_the_file_and_shows_the_added_lines() {
        let diff = unified(
            "compose.yaml",
            "services:\n  app:\n    image: app\n",
            "services:\n  app:\n    image: app\n    cap_drop: [ALL]\n",
        );

        assert_eq!(
            diff,
            "--- a/compose.yaml\n+++ b/compose.yaml\n@@ -1,3 +1,4 @@\n services:\n   app:\n     \
             image: app\n+    cap_drop: [ALL]\n"
        );
        assert_eq!(unified("x", "same\n", "same\n"), "");
    }
}
