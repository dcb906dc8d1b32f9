//! File capabilities: which `setcap` commands give files Linux capabilities, with the capability
//! text read the way libcap's `cap_from_text` reads it.

use std::ops::Range;

use crate::shell::{Command, JoinedLiterals};

/// The capabilities the kernel knows, by number, as the engine spells them (upper case, without
/// `CAP_`).
pub const CAPABILITY_NAMES: [&str; 41] = [
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
];

/// The capabilities the engine gives a container that is not privileged, before `cap_add` and
/// `cap_drop`.
pub const ENGINE_DEFAULT: &[&str] = &[
    "CHOWN",
    "DAC_OVERRIDE",
    "FSETID",
    "FOWNER",
    "MKNOD",
    "NET_RAW",
    "SETGID",
    "SETUID",
    "SETFCAP",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
];

/// libcap reads capability numbers below this bound; numbers past the named ones are valid text
/// but name no capability the kernel has.
const MAX_CAPABILITY_NUMBER: u64 = 64;

/// A set of capabilities: bit `n` is capability number `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CapabilitySet(u64);

impl CapabilitySet {
    /// Every capability libcap can name, the unnamed numbers too: what `all` and an empty list
    /// stand for.
    pub const ALL: Self = Self(u64::MAX);

    /// The named capabilities, spelled as in [`CAPABILITY_NAMES`]; other names add nothing.
    pub fn of_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut set = Self::default();
        for name in names {
            if let Some(number) = CAPABILITY_NAMES.iter().position(|known| *known == name) {
                set.0 |= 1 << number;
            }
        }
        set
    }

    pub fn is_empty(self) -> bool {
        self.names().next().is_none()
    }

    /// Whether no bit is set, numbers past the named capabilities included.
    fn is_none(self) -> bool {
        self.0 == 0
    }

    /// Whether the set holds every capability the kernel knows.
    pub fn has_every_capability(self) -> bool {
        self.names().count() == CAPABILITY_NAMES.len()
    }

    /// The names of the capabilities in the set, by number.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        CAPABILITY_NAMES
            .iter()
            .enumerate()
            .filter(move |(number, _)| self.0 & (1 << number) != 0)
            .map(|(_, name)| *name)
    }

    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    pub fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    pub fn difference(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    fn with(&mut self, other: Self) {
        self.0 |= other.0;
    }

    fn without(&mut self, other: Self) {
        self.0 &= !other.0;
    }
}

/// The three capability sets a file carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FileCapabilities {
    pub effective: CapabilitySet,
    pub inheritable: CapabilitySet,
    pub permitted: CapabilitySet,
}

impl FileCapabilities {
    /// What the file hands to a program run from it, whoever runs it: the permitted set. The
    /// effective flag only raises what is permitted, and the inheritable set alone passes on only
    /// what the caller already holds in its own inheritable set, which the engine leaves empty.
    pub fn granted(self) -> CapabilitySet {
        self.permitted
    }

    /// Whether a file may carry these sets. The kernel keeps one effective bit per file, so
    /// libcap refuses an effective set that is neither empty nor covers every permitted and
    /// inheritable capability (`cap_a+ep cap_b+p`), and `setcap` fails.
    fn can_be_set(self) -> bool {
        let raised = self.permitted.union(self.inheritable);
        self.effective.is_none() || raised.difference(self.effective).is_none()
    }
}

/// A `setcap` command in a script that gives a file capabilities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetcapStep {
    /// The capability text after quote removal: `cap_setuid+ep`.
    pub text: String,
    /// Where the capability text stands in the script, quotes included.
    pub text_range: Range<usize>,
    /// The capabilities the file is given in its permitted set.
    pub granted: CapabilitySet,
    /// The file, when it is literal. `find -exec setcap ... {} \;` keeps its `{}`; `None` when
    /// the file is an expansion or, as with `xargs setcap TEXT`, not written at all.
    pub target: Option<String>,
    /// Where the file operand stands in the script, when it is written.
    pub target_range: Option<Range<usize>>,
}

/// Reads capability text as `cap_from_text(3)` does: clauses separated by white space, each a
/// list of capabilities (`cap_chown,cap_setuid`, `all`, or nothing for all) followed by actions
/// (`+ep`, `=i`, `-p`, `=+e`). `None` when libcap rejects the text, so `setcap` fails.
///
/// Names are read in any case and need their `cap_` prefix, as libcap reads them.
pub fn parse_text(text: &str) -> Option<FileCapabilities> {
    let bytes = text.as_bytes();
    let mut capabilities = FileCapabilities::default();
    let mut at = 0;
    loop {
        while bytes.get(at).is_some_and(|&byte| is_space(byte)) {
            at += 1;
        }
        let Some(&first) = bytes.get(at) else {
            return Some(capabilities);
        };

        let listed = is_name_byte(first);
        let list = if listed {
            let (list, end) = capability_list(bytes, at)?;
            at = end;
            list
        } else if first == b'+' || first == b'-' {
            // `+` and `-` act only on capabilities that the clause names.
            return None;
        } else {
            CapabilitySet::ALL
        };

        let mut operator = *bytes.get(at)?;
        at += 1;
        if operator == b'=' && matches!(bytes.get(at), Some(b'+' | b'-')) {
            if !listed {
                return None;
            }
            // `=+e` clears the listed capabilities, then adds; `=-e` clears them.
            operator = if bytes[at] == b'+' { b'P' } else { b'M' };
            at += 1;
        } else if !matches!(operator, b'+' | b'-' | b'=') {
            return None;
        }

        let mut flags = FileCapabilities::default();
        loop {
            match bytes.get(at) {
                Some(&byte) if !is_space(byte) => {
                    at += 1;
                    match byte {
                        b'e' => flags.effective = list,
                        b'i' => flags.inheritable = list,
                        b'p' => flags.permitted = list,
                        _ => return None,
                    }
                }
                // Only `=` may stand without flags: `cap_chown=` clears it.
                _ if operator != b'=' => return None,
                _ => {}
            }

            apply(&mut capabilities, operator, list, flags);

            if let Some(&next @ (b'+' | b'-')) = bytes.get(at) {
                if !listed {
                    return None;
                }
                flags = FileCapabilities::default();
                operator = next;
                at += 1;
                if !bytes.get(at).is_some_and(u8::is_ascii_alphabetic) {
                    return None;
                }
            }
            if bytes.get(at).is_none_or(|&byte| is_space(byte)) {
                break;
            }
        }
    }
}

/// The steps in a script's commands that give files capabilities.
pub fn setcap_steps(commands: &[Command]) -> Vec<SetcapStep> {
    let mut steps = Vec::new();
    for (index, command) in commands.iter().enumerate() {
        if command.program() != Some("setcap") {
            continue;
        }
        // Wrappers come before the command they run, which they list among their arguments.
        let files_appended = commands[..index].iter().any(|wrapper| {
            wrapper.program() == Some("xargs")
                && wrapper
                    .arguments
                    .iter()
                    .any(|word| word.range == command.name.range)
        });
        read_setcap(command, files_appended, &mut steps);
    }
    steps
}

/// Whether a script may hold a step that [`setcap_steps`] finds: every such step runs a program
/// whose literal name ends in `setcap`.
pub fn may_set_file_capabilities(script: &JoinedLiterals) -> bool {
    script.contains("setcap")
}

/// `setcap [-q] [-v] [-n ROOTID] (-r|-|TEXT) FILE [(-r|-|TEXT) FILE]...`. setcap reads its
/// arguments in one pass: an option applies to the pairs after it, and a text libcap rejects
/// ends the command. A text without its file fails too, unless `xargs` appends the files.
fn read_setcap(command: &Command, files_appended: bool, steps: &mut Vec<SetcapStep>) {
    let mut verifies = false;
    let mut foreign_root = false;
    let mut arguments = command.arguments.iter();
    while let Some(argument) = arguments.next() {
        let file = match argument.literal.as_deref() {
            Some("-q") => continue,
            // `-v` compares the text with the file's capabilities and sets nothing.
            Some("-v") => {
                verifies = true;
                continue;
            }
            // `-n ROOTID` writes capabilities that the kernel honours only in a user namespace
            // whose root is that uid on the host: with any uid but 0 the container's programs
            // run without them. An expansion may be 0, so it counts as 0.
            Some("-n") => {
                let root = arguments.next().and_then(|word| word.literal.as_deref());
                foreign_root = root.is_some_and(|root| atoi(root) != 0);
                continue;
            }
            Some("-h" | "--license") => return,
            // `-r` removes the file's capabilities.
            // LIMITATION: `-` reads the text from standard input, which is not seen.
            Some("-r" | "-") => {
                arguments.next();
                continue;
            }
            _ => arguments.next(),
        };

        let Some(text) = argument.literal.as_deref() else {
            continue;
        };
        let Some(capabilities) = parse_text(text).filter(|sets| sets.can_be_set()) else {
            return;
        };
        if file.is_none() && !files_appended {
            return;
        }
        let granted = capabilities.granted();
        if verifies || foreign_root || granted.is_empty() {
            continue;
        }
        steps.push(SetcapStep {
            text: text.to_owned(),
            text_range: argument.range.clone(),
            granted,
            target: file.and_then(|word| word.literal.clone()),
            target_range: file.map(|word| word.range.clone()),
        });
    }
}

/// The capabilities of a list such as `cap_chown,CAP_SETUID,12`, and where the list ends.
fn capability_list(bytes: &[u8], mut at: usize) -> Option<(CapabilitySet, usize)> {
    let mut list = CapabilitySet::default();
    loop {
        let length = bytes[at..]
            .iter()
            .take_while(|&&byte| is_name_byte(byte))
            .count();
        let token = std::str::from_utf8(&bytes[at..at + length]).ok()?;
        list.with(capability(token)?);
        at += length;

        if bytes.get(at) != Some(&b',') {
            return Some((list, at));
        }
        at += 1;
        if !bytes.get(at).is_some_and(|&byte| is_name_byte(byte)) {
            return None;
        }
    }
}

/// One name of a list: `all`, a capability name, or a number as `strtoul` reads it (`0x15`,
/// `025`, `21`).
fn capability(token: &str) -> Option<CapabilitySet> {
    if token.eq_ignore_ascii_case("all") {
        return Some(CapabilitySet::ALL);
    }
    if token.starts_with(|first: char| first.is_ascii_digit()) {
        let number = if let Some(hex) = token
            .strip_prefix("0x")
            .or_else(|| token.strip_prefix("0X"))
        {
            u64::from_str_radix(hex, 16).ok()?
        } else if token.len() > 1 && token.starts_with('0') {
            u64::from_str_radix(&token[1..], 8).ok()?
        } else {
            token.parse().ok()?
        };
        return (number < MAX_CAPABILITY_NUMBER).then(|| CapabilitySet(1 << number));
    }

    let upper = token.to_ascii_uppercase();
    let name = upper.strip_prefix("CAP_")?;
    let number = CAPABILITY_NAMES.iter().position(|known| *known == name)?;
    Some(CapabilitySet(1 << number))
}

/// A number as C's `atoi` reads it, as `setcap -n` does: optional sign and leading digits; 0
/// when there are none.
fn atoi(text: &str) -> i64 {
    let text = text.trim_start_matches(|character: char| character.is_ascii_whitespace());
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let digits = &digits[..digits
        .find(|character: char| !character.is_ascii_digit())
        .unwrap_or(digits.len())];
    sign * digits.parse::<i64>().unwrap_or(0)
}

/// Applies one action to the capabilities read so far. `P` and `M` are `=+` and `=-`.
fn apply(
    capabilities: &mut FileCapabilities,
    operator: u8,
    list: CapabilitySet,
    flags: FileCapabilities,
) {
    let sets = [
        (&mut capabilities.effective, flags.effective),
        (&mut capabilities.inheritable, flags.inheritable),
        (&mut capabilities.permitted, flags.permitted),
    ];
    for (set, flagged) in sets {
        match operator {
            b'+' => set.with(flagged),
            b'-' => set.without(flagged),
            b'=' | b'P' => {
                set.without(list);
                set.with(flagged);
            }
            _ => set.without(list),
        }
    }
}

/// White space as C's `isspace` sees it.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// A byte that starts or continues a capability name or number.
fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::commands;

    /// The names in a set, lower case with the `cap_` prefix, as messages print them.
    fn names(set: CapabilitySet) -> Vec<String> {
        set.names()
            .map(|name| format!("cap_{}", name.to_ascii_lowercase()))
            .collect()
    }

    fn granted(text: &str) -> Vec<String> {
        let capabilities = parse_text(text).unwrap_or_else(|| panic!("`{text}` is rejected"));
        names(capabilities.granted())
    }

    /// Each step as the script text under its range, what it grants and its file.
    fn written_steps(script: &str) -> Vec<(&str, Vec<String>, Option<String>)> {
        setcap_steps(&commands(script))
            .into_iter()
            .map(|step| (&script[step.text_range], names(step.granted), step.target))
            .collect()
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| (*item).to_owned()).collect()
    }

    #[test]
    fn the_numbered_names_are_the_capabilities_the_configuration_accepts() {
        let mut numbered = CAPABILITY_NAMES.to_vec();
        numbered.sort_unstable();

        assert_eq!(numbered, crate::config::file::CAPABILITIES);
    }

    #[test]
    fn lists_and_flags_are_read_as_libcap_reads_them() {
        assert_eq!(granted("cap_setuid+ep"), ["cap_setuid"]);
        assert_eq!(granted("cap_setuid=ep"), ["cap_setuid"]);
        assert_eq!(
            granted("cap_net_bind_service=+ep"),
            ["cap_net_bind_service"]
        );
        assert_eq!(granted("cap_setuid+p"), ["cap_setuid"]);
        assert_eq!(
            granted("cap_chown,cap_setgid+eip"),
            ["cap_chown", "cap_setgid"]
        );
        assert_eq!(granted("cap_setuid+e+p"), ["cap_setuid"]);
        assert_eq!(granted("cap_setuid=e-e"), Vec::<String>::new());
    }

    #[test]
    fn names_are_read_in_any_case_with_their_prefix_or_as_numbers() {
        assert_eq!(granted("CAP_SETUID+ep"), ["cap_setuid"]);
        assert_eq!(granted("Cap_Sys_Admin+ep"), ["cap_sys_admin"]);
        assert_eq!(granted("7+ep"), ["cap_setuid"]);
        assert_eq!(granted("0x15+ep"), ["cap_sys_admin"]);
        assert_eq!(granted("025+ep"), ["cap_sys_admin"]);
        assert_eq!(granted("63+ep"), Vec::<String>::new());
    }

    #[test]
    fn all_and_an_empty_list_mean_every_capability() {
        for text in ["=ep", "all=ep", "ALL+ep", "=p", "all=eip"] {
            let capabilities = parse_text(text).expect("valid text");
            assert!(capabilities.granted().has_every_capability(), "{text}");
        }

        let all_but_one = parse_text("all=ep cap_setuid-ep").expect("valid text");
        assert!(!all_but_one.granted().has_every_capability());
        assert_eq!(all_but_one.granted().names().count(), 40);
    }

    #[test]
    fn clauses_apply_in_order() {
        assert_eq!(
            granted("cap_net_raw+p cap_setuid+ep"),
            ["cap_setuid", "cap_net_raw"]
        );
        assert_eq!(
            granted("cap_setuid,cap_net_raw+ep cap_setuid-ep"),
            ["cap_net_raw"]
        );
        assert_eq!(granted("cap_setuid+ep ="), Vec::<String>::new());
        assert_eq!(
            granted("= cap_net_bind_service+ep\tcap_setuid=i"),
            ["cap_net_bind_service"]
        );
        assert_eq!(granted("cap_setuid+ep cap_setuid=-p"), Vec::<String>::new());
    }

    #[test]
    fn inheritable_capabilities_alone_grant_nothing() {
        let capabilities = parse_text("cap_setuid+i").expect("valid text");

        assert_eq!(names(capabilities.inheritable), ["cap_setuid"]);
        assert!(capabilities.granted().is_empty());
    }

    #[test]
    fn only_the_permitted_set_grants_and_a_partial_effective_set_fails() {
        for text in [
            "cap_setuid+e",
            "all=e",
            "cap_setuid+ep-ep+e",
            "cap_setuid=ie",
        ] {
            let capabilities = parse_text(text).expect("valid text");
            assert!(capabilities.granted().is_empty(), "{text}");
        }

        let script = "setcap 'cap_net_bind_service+ep cap_setuid+p' /x; \
                      setcap 'cap_setuid+p cap_net_raw+ep' /y cap_chown+ep /z; \
                      setcap 'cap_setuid+p cap_net_raw+p' /w";

        assert_eq!(
            written_steps(script),
            [(
                "'cap_setuid+p cap_net_raw+p'",
                strings(&["cap_setuid", "cap_net_raw"]),
                Some("/w".to_owned())
            )]
        );
    }

    #[test]
    fn text_libcap_rejects_is_none() {
        for text in [
            "",
            "cap_setuid",
            "cap_setuid+",
            "cap_setuid+x",
            "+ep",
            "-ep",
            "=+ep",
            "cap_all+ep",
            "cap_setuid2+ep",
            "cap_setuid,+ep",
            "cap_setuid+e+",
            "64+ep",
            "08+ep",
            "cap_setuid=e+1",
            "-r",
            "setuid+ep",
            "sys_ptrace+ep",
        ] {
            if text.is_empty() {
                assert_eq!(parse_text(text), Some(FileCapabilities::default()));
                continue;
            }
            assert_eq!(parse_text(text), None, "{text}");
        }
    }

    #[test]
    fn setcap_in_chains_and_nested_scripts_is_a_step() {
        let script = "apt-get install -y libcap2-bin && setcap cap_setuid+ep /usr/bin/python3; \
                      sh -c 'setcap \"cap_dac_override=ep\" /bin/vi' && echo $(setcap =ep /x)";

        assert_eq!(
            written_steps(script),
            [
                (
                    "cap_setuid+ep",
                    strings(&["cap_setuid"]),
                    Some("/usr/bin/python3".to_owned())
                ),
                (
                    "\"cap_dac_override=ep\"",
                    strings(&["cap_dac_override"]),
                    Some("/bin/vi".to_owned())
                ),
                ("=ep", names(CapabilitySet::ALL), Some("/x".to_owned())),
            ]
        );
    }

    #[test]
    fn each_pair_of_one_setcap_is_a_step() {
        let script = "setcap cap_setuid+ep /usr/bin/newuidmap cap_setgid+ep /usr/bin/newgidmap";

        assert_eq!(
            written_steps(script),
            [
                (
                    "cap_setuid+ep",
                    strings(&["cap_setuid"]),
                    Some("/usr/bin/newuidmap".to_owned())
                ),
                (
                    "cap_setgid+ep",
                    strings(&["cap_setgid"]),
                    Some("/usr/bin/newgidmap".to_owned())
                ),
            ]
        );
    }

    #[test]
    fn options_apply_to_the_pairs_after_them() {
        let script = "setcap -q -n 0 cap_setuid+ep /a -r /b -v cap_chown+ep /c; \
                      setcap cap_fowner+ep /d -h cap_chown+ep /e; \
                      setcap cap_setgid+ep /f -n 100000 cap_setuid+ep /g";

        assert_eq!(
            written_steps(script),
            [
                (
                    "cap_setuid+ep",
                    strings(&["cap_setuid"]),
                    Some("/a".to_owned())
                ),
                (
                    "cap_fowner+ep",
                    strings(&["cap_fowner"]),
                    Some("/d".to_owned())
                ),
                (
                    "cap_setgid+ep",
                    strings(&["cap_setgid"]),
                    Some("/f".to_owned())
                ),
            ]
        );
    }

    #[test]
    fn removal_verification_and_rejected_text_are_no_steps() {
        let script = "setcap -r /usr/bin/ping; setcap -v cap_net_raw+ep /usr/bin/ping; \
                      setcap cap_setuid-ep /x; setcap cap_setuid+i /y; setcap bogus+ep /z \
                      cap_setuid+ep /w; setcap - /v; setcap \"$CAPS\" /u";

        assert_eq!(written_steps(script), []);
    }

    #[test]
    fn text_without_a_file_is_a_step_only_when_xargs_appends_the_files() {
        let script = "setcap cap_setuid+ep; echo /a | xargs setcap cap_chown+ep; \
                      find / -exec setcap cap_fowner+ep \\;";

        assert_eq!(
            written_steps(script),
            [("cap_chown+ep", strings(&["cap_chown"]), None)]
        );
    }

    #[test]
    fn wrapped_setcap_keeps_its_file_or_has_none() {
        let script = "find /opt/bin -type f -exec setcap cap_sys_ptrace+ep {} \\; ; \
                      ls /opt/tools/* | xargs sudo setcap cap_net_raw+p; \
                      setcap cap_chown+ep \"$BIN\"";

        assert_eq!(
            written_steps(script),
            [
                (
                    "cap_sys_ptrace+ep",
                    strings(&["cap_sys_ptrace"]),
                    Some("{}".to_owned())
                ),
                ("cap_net_raw+p", strings(&["cap_net_raw"]), None),
                ("cap_chown+ep", strings(&["cap_chown"]), None),
            ]
        );
    }

    fn may_set(script: &str) -> bool {
        may_set_file_capabilities(&JoinedLiterals::of(script))
    }

    #[test]
    fn scripts_with_a_step_are_never_skipped() {
        let scripts = [
            "setcap cap_setuid+ep /usr/bin/python3",
            "/usr/sbin/setcap 'cap_net_raw+ep cap_setuid+ep' /bin/x",
            "set'cap' cap_setuid+ep /bin/x",
            "se\\tcap cap_setuid+ep /bin/x",
            "sh -c \"setcap cap_setuid+ep /bin/x\"",
            "bash <<EOF\nsetcap =ep /bin/x\nEOF",
            "find / -name x -exec setcap cap_chown+ep {} \\;",
            "sudo setcap cap_fowner+ep /bin/x",
            "((setcap cap_setuid+ep /bin/x))",
            "echo $(setcap cap_setuid+ep /bin/x)",
        ];
        for script in scripts {
            assert!(
                !setcap_steps(&commands(script)).is_empty(),
                "{script} holds no step"
            );
            assert!(may_set(script), "{script} was skipped");
        }
    }

    #[test]
    fn scripts_without_setcap_are_skipped() {
        let scripts = [
            "apt-get update && apt-get install -y --no-install-recommends libcap2-bin",
            "getcap -r / 2>/dev/null || true",
            "capsh --print",
        ];
        for script in scripts {
            assert!(!may_set(script), "{script} was not skipped");
        }
    }
}
