//! Accounts a `RUN` step creates or changes with uid 0: `useradd -o -u 0 app`, `adduser -u 0 app`,
//! `usermod -u 0 app`. Such an account is root under another name, so `USER app` runs as root.
// LIMITATION: only these commands with a literal zero uid are read; an account written into
// `/etc/passwd` another way, or named by a Compose `user:`, is not known (rules/root-user.md).

use std::ops::Range;

use crate::shell::{Command, JoinedLiterals};

/// The programs that create or change an account's uid.
const ACCOUNT_PROGRAMS: [&str; 3] = ["useradd", "adduser", "usermod"];

/// An account a command gives uid 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UidZeroAccount {
    pub name: String,
    /// The `-u`/`--uid` option and its value, in the script.
    pub option: Range<usize>,
}

/// Whether a script may give an account uid 0: it names one of the account programs and has a
/// `-u` or `--uid` option whose value is zero. Scripts that cannot are not parsed for it.
pub fn may_give_uid_zero(script: &JoinedLiterals) -> bool {
    let bytes = script.as_bytes();
    ACCOUNT_PROGRAMS
        .iter()
        .any(|program| script.contains(program))
        && memchr::memmem::find_iter(bytes, b"-u").any(|at| {
            let rest = &bytes[at + 2..];
            let rest = rest.strip_prefix(b"id").unwrap_or(rest);
            let value = rest.trim_ascii_start();
            let value = value.strip_prefix(b"=").unwrap_or(value);
            is_zero(
                value
                    .split(|byte| !byte.is_ascii_digit())
                    .next()
                    .unwrap_or(&[]),
            )
        })
}

/// The accounts the commands of a script give uid 0, in order.
pub fn uid_zero_accounts(commands: &[Command]) -> Vec<UidZeroAccount> {
    let mut found = Vec::new();
    for command in commands {
        if !command
            .program()
            .is_some_and(|program| ACCOUNT_PROGRAMS.contains(&program))
        {
            continue;
        }
        let Some(option) = uid_zero_option(command) else {
            continue;
        };
        // The account is the last operand; option values come before it.
        let name = command.arguments.iter().rev().find_map(|word| {
            word.literal
                .as_deref()
                .filter(|text| !text.starts_with('-'))
        });
        if let Some(name) = name {
            found.push(UidZeroAccount {
                name: name.to_owned(),
                option,
            });
        }
    }
    found
}

/// The range of a `-u 0`, `-u0`, `--uid 0` or `--uid=0` option, when the command has one.
fn uid_zero_option(command: &Command) -> Option<Range<usize>> {
    let words = &command.arguments;
    for (index, word) in words.iter().enumerate() {
        let Some(text) = word.literal.as_deref() else {
            continue;
        };
        let (value, end) = match text {
            "-u" | "--uid" => {
                let next = words.get(index + 1)?;
                (next.literal.as_deref()?, next.range.end)
            }
            _ => match text
                .strip_prefix("--uid=")
                .or_else(|| text.strip_prefix("-u"))
            {
                Some(value) => (value, word.range.end),
                None => continue,
            },
        };
        if is_zero(value.as_bytes()) {
            return Some(word.range.start..end);
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
            .map(|account| (account.name, &script[account.option]))
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
    }
}
