//! Accounts a `RUN` step creates or changes with uid 0: `useradd -o -u 0 app`, `adduser -u 0 app`,
//! `usermod -u 0 app`. Such an account is root under another name, so `USER app` runs as root.
// LIMITATION: only these commands with a literal zero uid are read; an account written into
// `/etc/passwd` another way, or named by a Compose `user:`, is not known (rules/root-user.md).

use std::ops::Range;

use crate::shell::{Command, JoinedLiterals};

/// The programs that create or change an account's uid.
const ACCOUNT_PROGRAMS: [&str; 3] = ["useradd", "adduser", "usermod"];

/// Short options of the account programs that take a value: in a cluster such as `-mg100`,
/// the rest of the word after one of them is its value.
const VALUE_OPTIONS: &str = "bcdefgGhkKlpPRsuZ";

/// A uid a command gives an account: zero, or another that takes an earlier zero back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UidChange {
    pub name: String,
    /// The uid option and its value, in the script, when the uid is 0.
    pub zero: Option<Range<usize>>,
}

/// Whether a script names one of the programs that create or change an account's uid.
pub fn names_account_program(script: &JoinedLiterals) -> bool {
    ACCOUNT_PROGRAMS
        .iter()
        .any(|program| script.contains(program))
}

/// Whether a script may give an account uid 0: it names one of the account programs and has a
/// word or option value of zeros (`-u 0`, `-u0`, `-ou0`, `--uid=0`). Scripts that cannot are
/// not parsed for it.
pub fn may_give_uid_zero(script: &JoinedLiterals) -> bool {
    let bytes = script.as_bytes();
    names_account_program(script)
        && memchr::memchr_iter(b'0', bytes).any(|at| {
            let before = at.checked_sub(1).map(|before| bytes[before]);
            let zeros = bytes[at..].iter().take_while(|&&byte| byte == b'0').count();
            let after = bytes.get(at + zeros);
            matches!(before, Some(b' ' | b'\t' | b'=' | b'u'))
                && !after.is_some_and(|byte| byte.is_ascii_digit())
        })
}

/// The uids the commands of a script give accounts, in order.
pub fn uid_changes(commands: &[Command]) -> Vec<UidChange> {
    let mut found = Vec::new();
    for command in commands {
        if !command
            .program()
            .is_some_and(|program| ACCOUNT_PROGRAMS.contains(&program))
        {
            continue;
        }
        let Some((uid, option)) = uid_option(command) else {
            continue;
        };
        // The account is the last operand; option values come before it.
        let name = command.arguments.iter().rev().find_map(|word| {
            word.literal
                .as_deref()
                .filter(|text| !text.starts_with('-'))
        });
        if let Some(name) = name {
            found.push(UidChange {
                name: name.to_owned(),
                zero: is_zero(uid.as_bytes()).then_some(option),
            });
        }
    }
    found
}

/// The accounts the commands of a script give uid 0.
pub fn uid_zero_accounts(commands: &[Command]) -> Vec<UidChange> {
    let mut changes = uid_changes(commands);
    changes.retain(|change| change.zero.is_some());
    changes
}

/// The value of a command's uid option (`-u 0`, `-u0`, `-ou 0`, `--uid 0`, `--uid=0`) and the
/// option's range with its value; `None` when it has none or the value is not literal.
fn uid_option(command: &Command) -> Option<(&str, Range<usize>)> {
    let words = &command.arguments;
    for (index, word) in words.iter().enumerate() {
        let Some(text) = word.literal.as_deref() else {
            continue;
        };
        let attached = if text == "--uid" {
            Some("")
        } else if let Some(value) = text.strip_prefix("--uid=") {
            Some(value)
        } else if text.starts_with("--") {
            None
        } else {
            text.strip_prefix('-').and_then(cluster_uid)
        };
        let value = match attached {
            Some("") => {
                let next = words.get(index + 1)?;
                return Some((next.literal.as_deref()?, word.range.start..next.range.end));
            }
            Some(value) => value,
            None => continue,
        };
        return Some((value, word.range.clone()));
    }
    None
}

/// The value of `u` in a cluster of short options (`ou0` gives `0`, `mou` gives `""`, the value
/// in the next word); `None` when another option takes the rest of the word first.
fn cluster_uid(cluster: &str) -> Option<&str> {
    for (at, letter) in cluster.char_indices() {
        if letter == 'u' {
            return Some(&cluster[at + 1..]);
        }
        if VALUE_OPTIONS.contains(letter) || !letter.is_ascii_alphabetic() {
            return None;
        }
    }
    None
}

/// One or more zero digits and nothing else.
fn is_zero(digits: &[u8]) -> bool {
    !digits.is_empty() && digits.iter().all(|&digit| digit == b'0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell;

    fn accounts(script: &str) -> Vec<(String, &str)> {
        let commands = shell::commands(script);
        uid_zero_accounts(&commands)
            .into_iter()
            .map(|account| (account.name, &script[account.zero.expect("a zero uid")]))
            .collect()
    }

    #[test]
    fn uid_zero_options_in_each_spelling_name_the_account() {
        let script = "groupadd -g 0 -o wheel2 && useradd -o -u 0 -g 0 app && \
                      adduser -D -u0 ops; usermod --uid=00 svc; adduser --uid 0 --gecos '' dbg";

        assert_eq!(
            accounts(script),
            [
                ("app".to_owned(), "-u 0"),
                ("ops".to_owned(), "-u0"),
                ("svc".to_owned(), "--uid=00"),
                ("dbg".to_owned(), "--uid 0"),
            ]
        );
        assert!(may_give_uid_zero(&JoinedLiterals::of(script)));
    }

    #[test]
    fn clustered_short_options_are_read_as_the_program_reads_them() {
        let script = "useradd -ou0 a; useradd -mou 0 b; usermod -ou 0 c; useradd -g0u d; \
                      useradd -Mu 00 e";

        assert_eq!(
            accounts(script),
            [
                ("a".to_owned(), "-ou0"),
                ("b".to_owned(), "-mou 0"),
                ("c".to_owned(), "-ou 0"),
                ("e".to_owned(), "-Mu 00"),
            ]
        );
        assert!(may_give_uid_zero(&JoinedLiterals::of("useradd -ou0 a")));
    }

    #[test]
    fn a_later_uid_is_a_change_too() {
        let commands = shell::commands("useradd -o -u 0 app && usermod -u 1000 app");

        let changes = uid_changes(&commands);

        assert_eq!(changes.len(), 2);
        assert!(changes[0].zero.is_some());
        assert_eq!((changes[1].name.as_str(), &changes[1].zero), ("app", &None));
    }

    #[test]
    fn other_uids_and_other_programs_give_nothing() {
        for script in [
            "useradd -u 1000 app",
            "useradd -u 10 app",
            "useradd -r -g 0 app",
            "usermod -aG root app",
            "echo useradd -u 0 app > notes",
            "useradd -u \"$UID\" app",
        ] {
            assert_eq!(accounts(script), [], "{script}");
        }
        assert!(!may_give_uid_zero(&JoinedLiterals::of(
            "useradd -u 1000 app"
        )));
        assert!(!may_give_uid_zero(&JoinedLiterals::of("id -u 0")));
        assert!(!may_give_uid_zero(&JoinedLiterals::of("useradd -u 10 app")));
    }
}
