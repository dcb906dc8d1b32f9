//! The fix for a file mode that sets the setuid or setgid bit: the same mode without them, with
//! the smallest change to the written text.
//!
//! An octal mode keeps its width and every other bit (`4755` to `0755`, `04755` to `00755`,
//! `6755` to `0755`, `5755` to `1755`: the sticky bit stays). A symbolic mode loses the `s`
//! from each clause that adds it (`u+xs` to `u+x`, `u=rwxs` to `u=rwx`); a clause that adds
//! only `s` turns into one that removes it (`u+s` to `u-s`, `ug+s,o-w` to `ug-s,o-w`), so the
//! command stays valid and states its intent.

use crate::model::mode::special_bits;

/// The mode without the setuid and setgid bits, or `None` when the text is not a mode this
/// knows how to rewrite.
pub fn without_special_bits(mode: &str) -> Option<String> {
    let rewritten = if is_octal(mode) {
        clear_octal(mode)?
    } else {
        let clauses: Option<Vec<String>> = mode.split(',').map(clear_clause).collect();
        clauses?.join(",")
    };

    let bits = special_bits(&rewritten)?;
    if bits.any() {
        return None;
    }
    Some(rewritten)
}

fn is_octal(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| matches!(byte, b'0'..=b'7'))
}

/// Clears the setuid and setgid bits of an octal mode: they live in the fourth digit from the
/// right, beside the sticky bit, which stays.
fn clear_octal(digits: &str) -> Option<String> {
    if digits.len() < 4 {
        return Some(digits.to_owned());
    }
    let at = digits.len() - 4;
    let special = digits.as_bytes()[at] - b'0';
    let cleared = char::from(b'0' + (special & 0o1));
    let mut rewritten = digits.to_owned();
    rewritten.replace_range(at..=at, cleared.encode_utf8(&mut [0; 4]));
    Some(rewritten)
}

/// One symbolic clause, `[ugoa]*([-+=]([rwxXst]*|[ugo]|[0-7]+))+`, without the `s` it adds.
fn clear_clause(clause: &str) -> Option<String> {
    let actions_at = clause.find(['-', '+', '='])?;
    let (who, mut actions) = clause.split_at(actions_at);
    let mut rewritten = who.to_owned();
    while let Some(operator) = actions.chars().next() {
        let rest = &actions[1..];
        let length = rest.find(['-', '+', '=']).unwrap_or(rest.len());
        let permissions = &rest[..length];
        actions = &rest[length..];

        let (operator, permissions) = match operator {
            '+' | '=' if is_octal(permissions) => (operator, clear_octal(permissions)?),
            '+' if permissions == "s" => ('-', permissions.to_owned()),
            '+' | '=' => (operator, permissions.replace('s', "")),
            _ => (operator, permissions.to_owned()),
        };
        rewritten.push(operator);
        rewritten.push_str(&permissions);
    }
    Some(rewritten)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octal_modes_keep_their_width_and_other_bits() {
        let cases = [
            ("4755", "0755"),
            ("04755", "00755"),
            ("6755", "0755"),
            ("2711", "0711"),
            ("5755", "1755"),
            ("0004755", "0000755"),
        ];

        for (mode, expected) in cases {
            assert_eq!(
                without_special_bits(mode).as_deref(),
                Some(expected),
                "{mode}"
            );
        }
    }

    #[test]
    fn symbolic_modes_lose_only_the_s() {
        let cases = [
            ("u+s", "u-s"),
            ("+s", "-s"),
            ("g+s", "g-s"),
            ("u+xs", "u+x"),
            ("u=rwxs", "u=rwx"),
            ("ug+s,o-w", "ug-s,o-w"),
            ("a+rs,g+t", "a+r,g+t"),
            ("=4755", "=0755"),
        ];

        for (mode, expected) in cases {
            assert_eq!(
                without_special_bits(mode).as_deref(),
                Some(expected),
                "{mode}"
            );
        }
    }

    #[test]
    fn text_that_is_not_a_mode_is_left_alone() {
        assert_eq!(without_special_bits("u+q"), None);
        assert_eq!(without_special_bits("147555"), None);
    }
}
