//! File modes: which `chmod`, `install -m`, `mkdir -m` and `--chmod` steps set the setuid or
//! setgid bit.

use std::collections::HashSet;
use std::ops::Range;

use crate::shell::{Command, JoinedLiterals, Word};

/// The special bits a mode sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SpecialBits {
    pub setuid: bool,
    pub setgid: bool,
}

impl SpecialBits {
    pub fn any(self) -> bool {
        self.setuid || self.setgid
    }

    /// `setuid`, `setgid` or `setuid and setgid`, for messages.
    pub fn describe(self) -> &'static str {
        match (self.setuid, self.setgid) {
            (true, true) => "setuid and setgid",
            (true, false) => "setuid",
            (false, true) => "setgid",
            (false, false) => "neither setuid nor setgid",
        }
    }
}

/// A command in a script that gives files the setuid or setgid bit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeStep {
    /// The mode after quote removal: `4755`, `u+s`; for `--mode=6755` or `-m6755`, `6755`.
    pub mode: String,
    /// Where the mode stands in the script: the value part of `--mode=6755` when it is written
    /// without quotes, otherwise the whole word.
    pub mode_range: Range<usize>,
    pub bits: SpecialBits,
    /// The files the command applies to, literal ones only. `find -exec chmod u+s {} \;` keeps
    /// its `{}`; `install -t DIR FILE` gives `DIR/FILE`.
    pub targets: Vec<String>,
    /// Why every target is evidently a directory, if it is.
    pub directory: Option<DirectoryEvidence>,
}

/// Why the targets of a step are directories. Setgid on a directory only makes new files inherit
/// its group, so rules treat such steps apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryEvidence {
    /// Every target ends with `/`: `chmod g+s /srv/shared/`.
    TrailingSlash,
    /// The step creates the directories: `mkdir -m 2775 /srv/x`, `install -d -m 2775 /srv/x`.
    MkdirMode,
    /// Every target was created by `mkdir` or `install -d` earlier in the same script.
    CreatedByMkdir,
    /// Every target is a folder that a `WORKDIR` of the stage created (or one `mkdir` made).
    CreatedByWorkdir,
}

/// The special bits an octal (`4755`) or symbolic (`u+s,g-w`) mode sets; `None` when the text
/// is not a mode. `Some` with no bits set is a valid mode such as `0755`.
pub fn special_bits(mode: &str) -> Option<SpecialBits> {
    if !mode.is_empty() && mode.bytes().all(|byte| matches!(byte, b'0'..=b'7')) {
        let value = octal_value(mode)?;
        return Some(SpecialBits {
            setuid: value & 0o4000 != 0,
            setgid: value & 0o2000 != 0,
        });
    }

    let mut bits = SpecialBits::default();
    for clause in mode.split(',') {
        apply_clause(clause, &mut bits)?;
    }
    Some(bits)
}

/// The steps in a script's commands that set special bits.
pub fn mode_steps(commands: &[Command]) -> Vec<ModeStep> {
    mode_steps_in(commands, &[])
}

/// The steps in a script's commands that set special bits, in a stage whose `WORKDIR`s created
/// the absolute folders `workdirs`.
// LIMITATION: a relative target (`chmod g+s .`) is not matched against the `WORKDIR`s, so a
// setgid folder named that way reads as a file.
pub fn mode_steps_in(commands: &[Command], workdirs: &[String]) -> Vec<ModeStep> {
    let workdirs: HashSet<String> = workdirs
        .iter()
        .map(|path| directory_key(path).to_owned())
        .collect();
    let mut created_directories = HashSet::new();
    let mut steps = Vec::new();
    for command in commands {
        let step = match command.program() {
            Some("chmod") => chmod_step(command, &created_directories, &workdirs),
            Some("install") => install_step(command, &mut created_directories),
            Some("mkdir") => mkdir_step(command, &mut created_directories),
            _ => None,
        };
        steps.extend(step);
    }
    steps
}

/// Whether a script may hold a step that [`mode_steps`] finds: some word names `chmod`, or names
/// `install` or `mkdir` beside a `-m` or `--mode` option, and some word can be a mode that sets a
/// special bit. When it cannot, the script need not be parsed for mode steps.
///
/// The checks are loose on purpose (`2017` passes for a mode, `python -m` for a mode option):
/// they only have to reject no script that holds a step, and to reject most that do not.
pub fn may_set_special_bits(script: &JoinedLiterals) -> bool {
    let bytes = script.as_bytes();
    let may_set_a_mode = script.contains("chmod")
        || ((script.contains("install") || script.contains("mkdir")) && has_mode_option(bytes));
    may_set_a_mode && (has_special_octal_mode(bytes) || has_symbolic_s(bytes))
}

/// `--mode`, or a short option cluster with an `m` in it: `-m`, `-pm`, `-Dm4755`, `-mu+s`.
fn has_mode_option(joined: &[u8]) -> bool {
    memchr::memchr_iter(b'-', joined).any(|at| {
        let rest = &joined[at + 1..];
        let letters = rest
            .iter()
            .take_while(|letter| letter.is_ascii_alphabetic())
            .count();
        rest.starts_with(b"-mode") || rest[..letters].contains(&b'm')
    })
}

/// A word, or the end of one, that is a run of digits which past its leading zeros is four octal
/// digits with the setuid or setgid bit: `4755`, `02775`, `-m6755`, `--mode=2775`, `+4000`.
fn has_special_octal_mode(joined: &[u8]) -> bool {
    let mut at = 0;
    while at < joined.len() {
        if !joined[at].is_ascii_digit() {
            at += 1;
            continue;
        }
        let start = at;
        while at < joined.len() && joined[at].is_ascii_digit() {
            at += 1;
        }
        let before = start.checked_sub(1).map(|index| joined[index]);
        let after = joined.get(at).copied();
        let starts_a_mode = before.is_none_or(|byte| byte == b'm' || !is_word_byte(byte));
        let ends_a_mode = after.is_none_or(|byte| !is_word_byte(byte));
        let digits = &joined[start..at];
        let significant = &digits[digits.iter().take_while(|&&digit| digit == b'0').count()..];
        let is_special = significant.len() == 4
            && matches!(significant[0], b'2'..=b'7')
            && significant.iter().all(|digit| matches!(digit, b'0'..=b'7'));
        if starts_a_mode && ends_a_mode && is_special {
            return true;
        }
    }
    false
}

/// A symbolic clause that adds or sets `s`: `u+s`, `g=rxs`, `+xs`, `a+s,o-w`. `-` only clears
/// bits, and the clause must end where its word or the next clause does.
fn has_symbolic_s(joined: &[u8]) -> bool {
    memchr::memchr2_iter(b'+', b'=', joined).any(|at| {
        let permissions = joined[at + 1..]
            .iter()
            .take_while(|letter| b"rwxXst".contains(letter))
            .count();
        let ends_the_clause = joined
            .get(at + 1 + permissions)
            .is_none_or(|&next| !next.is_ascii_alphanumeric());
        ends_the_clause && joined[at + 1..at + 1 + permissions].contains(&b's')
    })
}

/// A byte that continues a word that is not a mode: letters, digits and the dots of versions.
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'.' || byte == b'_'
}

/// The value of an octal mode; `None` past `07777`, which `chmod` rejects.
fn octal_value(digits: &str) -> Option<u32> {
    let significant = digits.trim_start_matches('0');
    if significant.len() > 4 {
        return None;
    }
    u32::from_str_radix(significant, 8).ok().or(Some(0))
}

/// Applies one symbolic clause, `[ugoa]*([-+=]([rwxXst]*|[ugo]))+` or `[-+=][0-7]+`, to the
/// bits set so far; `None` when the clause is malformed.
fn apply_clause(clause: &str, bits: &mut SpecialBits) -> Option<()> {
    let actions_at = clause.find(['-', '+', '='])?;
    let (who, mut actions) = clause.split_at(actions_at);
    if !who
        .bytes()
        .all(|byte| matches!(byte, b'u' | b'g' | b'o' | b'a'))
    {
        return None;
    }
    // No class, or `a`, means all classes; `o` alone has no special bit to set.
    let is_all = who.is_empty() || who.contains('a');
    let touches_user = is_all || who.contains('u');
    let touches_group = is_all || who.contains('g');

    while let Some(operator) = actions.chars().next() {
        let rest = &actions[1..];
        let length = rest.find(['-', '+', '=']).unwrap_or(rest.len());
        let permissions = &rest[..length];
        actions = &rest[length..];

        let (sets_user, sets_group) = if !permissions.is_empty()
            && who.is_empty()
            && permissions.bytes().all(|byte| matches!(byte, b'0'..=b'7'))
        {
            let value = octal_value(permissions)?;
            (value & 0o4000 != 0, value & 0o2000 != 0)
        } else if permissions.bytes().all(|byte| b"rwxXst".contains(&byte)) {
            let has_s = permissions.contains('s');
            (has_s && touches_user, has_s && touches_group)
        } else if matches!(permissions, "u" | "g" | "o") {
            // `g=u` copies read, write and execute only; it never sets a special bit.
            (false, false)
        } else {
            return None;
        };

        match operator {
            '+' => {
                bits.setuid |= sets_user;
                bits.setgid |= sets_group;
            }
            '-' => {
                bits.setuid &= !sets_user;
                bits.setgid &= !sets_group;
            }
            _ => {
                // `=` sets exactly what it lists for the classes it names.
                if touches_user {
                    bits.setuid = sets_user;
                }
                if touches_group {
                    bits.setgid = sets_group;
                }
            }
        }
    }
    Some(())
}

/// `chmod [OPTION]... MODE FILE...`; options may follow the operands, as GNU allows.
fn chmod_step(
    command: &Command,
    created_directories: &HashSet<String>,
    workdirs: &HashSet<String>,
) -> Option<ModeStep> {
    let mut is_recursive = false;
    let mut has_reference = false;
    let mut operands = Vec::new();
    let mut options_ended = false;
    for argument in &command.arguments {
        let literal = argument.literal.as_deref();
        if options_ended {
            operands.push(argument);
            continue;
        }
        match literal {
            Some("--") => options_ended = true,
            Some("--recursive") => is_recursive = true,
            Some(flag) if flag.starts_with("--reference") => has_reference = true,
            Some(flag) if flag.starts_with("--") => {}
            // `-R`, `-Rv`; anything else after a dash (`-s`, `-w`) is a mode.
            Some(flag) if flag.len() > 1 && is_chmod_option_cluster(flag) => {
                is_recursive |= flag.contains('R');
            }
            _ => operands.push(argument),
        }
    }

    if has_reference {
        return None;
    }
    let (mode_word, target_words) = operands.split_first()?;
    let mode = mode_word.literal.as_deref()?;
    let bits = special_bits(mode).filter(|bits| bits.any())?;
    let targets = literals(target_words.iter().copied());

    let all_literal = targets.len() == target_words.len() && !targets.is_empty();
    let directory = if is_recursive || !all_literal {
        None
    } else if targets.iter().all(|target| target.ends_with('/')) {
        Some(DirectoryEvidence::TrailingSlash)
    } else if targets
        .iter()
        .all(|target| created_directories.contains(directory_key(target)))
    {
        Some(DirectoryEvidence::CreatedByMkdir)
    } else if targets.iter().all(|target| {
        let key = directory_key(target);
        created_directories.contains(key) || workdirs.contains(key)
    }) {
        Some(DirectoryEvidence::CreatedByWorkdir)
    } else {
        None
    };

    Some(ModeStep {
        mode: mode.to_owned(),
        mode_range: mode_word.range.clone(),
        bits,
        targets,
        directory,
    })
}

fn is_chmod_option_cluster(flag: &str) -> bool {
    let Some(letters) = flag.strip_prefix('-') else {
        return false;
    };
    letters.bytes().all(|letter| b"RcfvHLP".contains(&letter))
}

/// `install -m MODE SOURCE... DEST`, `install -m MODE -t DIR SOURCE...`,
/// `install -d -m MODE DIR...`.
fn install_step(command: &Command, created_directories: &mut HashSet<String>) -> Option<ModeStep> {
    let mut mode = None;
    let mut target_directory = None;
    let mut makes_directories = false;
    let mut operands = Vec::new();
    let mut arguments = command.arguments.iter();
    while let Some(argument) = arguments.next() {
        let Some(literal) = argument.literal.as_deref() else {
            operands.push(argument);
            continue;
        };
        if literal == "--" {
            operands.extend(arguments.by_ref());
            break;
        }
        if let Some(found) = mode_option(argument, &mut arguments, b"gotS") {
            mode = Some(found);
            continue;
        }
        match literal {
            "-d" | "--directory" => makes_directories = true,
            "-t" | "--target-directory" => {
                target_directory = arguments.next().and_then(|word| word.literal.clone());
            }
            "-g" | "-o" | "-S" | "--group" | "--owner" | "--suffix" => {
                arguments.next();
            }
            _ if literal.starts_with("--target-directory=") => {
                target_directory = literal.split_once('=').map(|(_, value)| value.to_owned());
            }
            _ if literal.starts_with("-t") => target_directory = Some(literal[2..].to_owned()),
            _ if literal.starts_with('-') && literal.len() > 1 => {
                makes_directories |= !literal.starts_with("--") && literal.contains('d');
            }
            _ => operands.push(argument),
        }
    }

    let paths = literals(operands.iter().copied());
    if makes_directories {
        created_directories.extend(paths.iter().map(|path| directory_key(path).to_owned()));
    }
    let (mode, mode_range) = mode?;
    let bits = special_bits(&mode).filter(|bits| bits.any())?;

    let (targets, directory) = if makes_directories {
        (paths, Some(DirectoryEvidence::MkdirMode))
    } else if let Some(directory) = &target_directory {
        let inside = paths
            .iter()
            .map(|source| join(directory, file_name(source)))
            .collect();
        (inside, None)
    } else if paths.len() > 2 {
        let (destination, sources) = paths.split_last()?;
        (
            sources
                .iter()
                .map(|source| join(destination, file_name(source)))
                .collect(),
            None,
        )
    } else {
        (paths.last().cloned().into_iter().collect(), None)
    };

    Some(ModeStep {
        mode,
        mode_range,
        bits,
        targets,
        directory,
    })
}

/// `mkdir [-p] -m MODE DIR...`: records the directories, and is a step when the mode is special.
fn mkdir_step(command: &Command, created_directories: &mut HashSet<String>) -> Option<ModeStep> {
    let mut mode = None;
    let mut operands = Vec::new();
    let mut arguments = command.arguments.iter();
    while let Some(argument) = arguments.next() {
        let Some(literal) = argument.literal.as_deref() else {
            operands.push(argument);
            continue;
        };
        if literal == "--" {
            operands.extend(arguments.by_ref());
            break;
        }
        if let Some(found) = mode_option(argument, &mut arguments, b"") {
            mode = Some(found);
            continue;
        }
        if literal.starts_with('-') && literal.len() > 1 {
            continue;
        }
        operands.push(argument);
    }

    let targets = literals(operands.iter().copied());
    created_directories.extend(targets.iter().map(|path| directory_key(path).to_owned()));
    let (mode, mode_range) = mode?;
    let bits = special_bits(&mode).filter(|bits| bits.any())?;

    let directory = Some(DirectoryEvidence::MkdirMode);
    Some(ModeStep {
        mode,
        mode_range,
        bits,
        targets,
        directory,
    })
}

/// The mode of `-m MODE`, `-mMODE`, `-pm MODE`, `--mode=MODE` or `--mode MODE`, taking the
/// next argument when the value stands apart. `None` when the argument is not a mode option or
/// the mode is not literal. `valued_letters` are the other short options that take a value, so
/// the `m` in `-tm` (a directory named `m`) is not read as the mode option.
fn mode_option<'w>(
    argument: &'w Word,
    arguments: &mut impl Iterator<Item = &'w Word>,
    valued_letters: &[u8],
) -> Option<(String, Range<usize>)> {
    let literal = argument.literal.as_deref()?;
    if literal == "--mode" {
        let value = arguments.next()?;
        return Some((value.literal.clone()?, value.range.clone()));
    }
    if let Some(value) = literal.strip_prefix("--mode=") {
        return Some((value.to_owned(), value_range(argument, value)));
    }

    let letters = literal
        .strip_prefix('-')
        .filter(|letters| !letters.starts_with('-'))?;
    let at = letters
        .bytes()
        .position(|letter| letter == b'm' || valued_letters.contains(&letter))?;
    // Options are letters; `install -?m 4755` fails on the `?` before it sets any mode.
    let options_before = &letters.as_bytes()[..at];
    if letters.as_bytes()[at] != b'm' || !options_before.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let value = &letters[at + 1..];
    if value.is_empty() {
        let value = arguments.next()?;
        return Some((value.literal.clone()?, value.range.clone()));
    }
    Some((value.to_owned(), value_range(argument, value)))
}

/// The range of the value at the end of a flag word such as `--mode=6755`; the whole word when
/// quotes or escapes make the written form longer than its literal.
fn value_range(word: &Word, value: &str) -> Range<usize> {
    let written_length = word.range.end - word.range.start;
    let literal_length = word.literal.as_deref().map_or(0, str::len);
    if written_length != literal_length {
        return word.range.clone();
    }
    word.range.end - value.len()..word.range.end
}

fn literals<'w>(words: impl Iterator<Item = &'w Word>) -> Vec<String> {
    words.filter_map(|word| word.literal.clone()).collect()
}

/// A path as a key for comparing directories: without its trailing `/` (except `/` itself).
fn directory_key(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        &path[..path.len().min(1)]
    } else {
        trimmed
    }
}

fn file_name(path: &str) -> &str {
    let path = directory_key(path);
    path.rsplit('/').next().unwrap_or(path)
}

fn join(directory: &str, name: &str) -> String {
    format!("{}/{}", directory.trim_end_matches('/'), name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::commands;

    fn steps(script: &str) -> Vec<ModeStep> {
        mode_steps(&commands(script))
    }

    /// Each step as the script text under its mode range, its targets and its evidence.
    fn written_steps(script: &str) -> Vec<(&str, Vec<String>, Option<DirectoryEvidence>)> {
        steps(script)
            .into_iter()
            .map(|step| (&script[step.mode_range], step.targets, step.directory))
            .collect()
    }

    fn bits(setuid: bool, setgid: bool) -> Option<SpecialBits> {
        Some(SpecialBits { setuid, setgid })
    }

    #[test]
    fn octal_modes_are_read_by_value() {
        assert_eq!(special_bits("4755"), bits(true, false));
        assert_eq!(special_bits("04755"), bits(true, false));
        assert_eq!(special_bits("0004755"), bits(true, false));
        assert_eq!(special_bits("6755"), bits(true, true));
        assert_eq!(special_bits("2711"), bits(false, true));
        assert_eq!(special_bits("755"), bits(false, false));
        assert_eq!(special_bits("0755"), bits(false, false));
        assert_eq!(special_bits("1777"), bits(false, false));
        assert_eq!(special_bits("0"), bits(false, false));
        assert_eq!(special_bits("47555"), None);
        assert_eq!(special_bits("4758"), None);
    }

    #[test]
    fn symbolic_modes_set_bits_for_their_classes() {
        assert_eq!(special_bits("u+s"), bits(true, false));
        assert_eq!(special_bits("g+s"), bits(false, true));
        assert_eq!(special_bits("+s"), bits(true, true));
        assert_eq!(special_bits("a+s"), bits(true, true));
        assert_eq!(special_bits("ug+s"), bits(true, true));
        assert_eq!(special_bits("u=rwxs"), bits(true, false));
        assert_eq!(special_bits("ug+s,o-w"), bits(true, true));
        assert_eq!(special_bits("u+s,g+s"), bits(true, true));
        assert_eq!(special_bits("u+x+s"), bits(true, false));
        assert_eq!(special_bits("+4000"), bits(true, false));
    }

    #[test]
    fn symbolic_modes_without_special_bits_are_modes() {
        for mode in [
            "u-s", "a-s,g-s", "-s", "+t", "o+s", "g=u", "u+s,u-s", "a=rx", "u+X", "go-w",
        ] {
            assert_eq!(special_bits(mode), bits(false, false), "{mode}");
        }
    }

    #[test]
    fn text_that_is_not_a_mode_is_none() {
        for mode in [
            "",
            "/bin/x",
            "u",
            "s",
            "u+q",
            "x+s",
            "u+s,",
            "--mode=4755",
            "$MODE",
        ] {
            assert_eq!(special_bits(mode), None, "{mode}");
        }
    }

    #[test]
    fn chmod_in_a_list_is_a_step() {
        let script = "set -eux; apt-get update && chmod 4755 /bin/x || true";

        let found = steps(script);

        assert_eq!(found.len(), 1);
        assert_eq!(found[0].mode, "4755");
        assert_eq!(found[0].mode_range, 34..38);
        assert_eq!(
            found[0].bits,
            SpecialBits {
                setuid: true,
                setgid: false
            }
        );
        assert_eq!(found[0].targets, ["/bin/x"]);
        assert_eq!(found[0].directory, None);
    }

    #[test]
    fn recursive_chmod_is_a_step_without_directory_evidence() {
        let script = "mkdir /opt/bin/ && chmod -R u+s,g+s /opt/bin/";

        let found = steps(script);

        assert_eq!(
            written_steps(script),
            [("u+s,g+s", vec!["/opt/bin/".to_owned()], None)]
        );
        assert!(found[0].bits.setuid && found[0].bits.setgid);
    }

    #[test]
    fn find_exec_removing_bits_is_no_step() {
        let script = "find / -perm /6000 -type f -exec chmod a-s {} \\; || true";

        assert_eq!(steps(script), []);
    }

    #[test]
    fn chmod_of_a_directory_made_earlier_has_evidence() {
        let script = "find / -xdev -type f -perm /6000 -exec chmod a-s {} \\; ; \
                      mkdir -p /srv/shared ; chmod g+s /srv/shared";

        assert_eq!(
            written_steps(script),
            [(
                "g+s",
                vec!["/srv/shared".to_owned()],
                Some(DirectoryEvidence::CreatedByMkdir)
            )]
        );
    }

    #[test]
    fn directory_evidence_needs_every_target() {
        let script = "mkdir /a/ && chmod g+s /a /b && chmod 2775 /srv/ && chmod g+s /a/ /b";

        let evidence: Vec<_> = steps(script)
            .into_iter()
            .map(|step| step.directory)
            .collect();

        assert_eq!(
            evidence,
            [None, Some(DirectoryEvidence::TrailingSlash), None]
        );
    }

    #[test]
    fn install_with_a_mode_is_a_step() {
        let script = "install -m 4755 a /usr/bin/a && install --mode=6755 b c /bin/ && \
                      install -Dm2755 -t /opt d && install -o root -m 0755 e /f";

        assert_eq!(
            written_steps(script),
            [
                ("4755", vec!["/usr/bin/a".to_owned()], None),
                ("6755", vec!["/bin/b".to_owned(), "/bin/c".to_owned()], None),
                ("2755", vec!["/opt/d".to_owned()], None),
            ]
        );
    }

    #[test]
    fn a_mode_after_an_option_that_is_no_letter_is_no_step() {
        // Found by the shell fuzz target: the word scan skipped the script, the step finder
        // took `-?m` for a cluster; install rejects `-?` before it sets a mode.
        let script = "install -?m 3664 helper /usr/local/bin/helper; mkdir -1m 2775 /srv";

        assert_eq!(written_steps(script), []);
        assert!(!may_set_special_bits(&JoinedLiterals::of(script)));
    }

    #[test]
    fn install_of_directories_and_mkdir_with_a_mode_are_directory_steps() {
        let script = "mkdir -m 2775 /srv/x; mkdir -pm 2770 /srv/y; install -d -m 2775 /srv/z; \
                      mkdir -m 0755 /srv/w; chmod g+s /srv/z";

        let evidence = Some(DirectoryEvidence::MkdirMode);
        assert_eq!(
            written_steps(script),
            [
                ("2775", vec!["/srv/x".to_owned()], evidence),
                ("2770", vec!["/srv/y".to_owned()], evidence),
                ("2775", vec!["/srv/z".to_owned()], evidence),
                (
                    "g+s",
                    vec!["/srv/z".to_owned()],
                    Some(DirectoryEvidence::CreatedByMkdir)
                ),
            ]
        );
    }

    #[test]
    fn mode_flag_ranges_point_at_the_value() {
        let script = "install --mode=6755 a /b; install \"--mode=4755\" a /c";

        let ranges: Vec<&str> = steps(script)
            .iter()
            .map(|step| &script[step.mode_range.clone()])
            .collect();

        assert_eq!(ranges, ["6755", "\"--mode=4755\""]);
    }

    #[test]
    fn substituted_commands_are_steps_at_their_offset() {
        let script = "echo $(chmod u+s /y) && chmod \"$(stat -c %a /z)\" /z";

        assert_eq!(
            written_steps(script),
            [("u+s", vec!["/y".to_owned()], None)]
        );
        assert_eq!(steps(script)[0].mode_range, 13..16);
    }

    #[test]
    fn heredoc_data_is_no_step() {
        let script = "cat <<EOF > /etc/x\nchmod 4755 /x\nEOF\nchmod g+s /real";

        assert_eq!(
            written_steps(script),
            [("g+s", vec!["/real".to_owned()], None)]
        );
    }

    #[test]
    fn heredoc_read_by_a_shell_is_a_step() {
        let script = "sh <<SCRIPT\nchmod g+s /var/spool/jobs\nSCRIPT\n";

        assert_eq!(
            written_steps(script),
            [("g+s", vec!["/var/spool/jobs".to_owned()], None)]
        );
    }

    #[test]
    fn compound_statements_hold_steps() {
        let script = "if true; then chmod 6755 /x; fi; (cd /opt && chmod +s bin/tool)";

        let modes: Vec<String> = steps(script).into_iter().map(|step| step.mode).collect();

        assert_eq!(modes, ["6755", "+s"]);
    }

    #[test]
    fn shell_strings_hold_steps_at_their_place() {
        let script = "sh -c \"chmod u+s /nested\"";

        assert_eq!(
            written_steps(script),
            [("u+s", vec!["/nested".to_owned()], None)]
        );
        assert_eq!(steps(script)[0].mode_range, 13..16);
    }

    #[test]
    fn bash_syntax_holds_steps() {
        let script = "if [[ -d /x ]]; then a=(1 2); for f in /x/*; do chmod u+s \"$f\"; done; fi; \
                      chmod 04755 /y; chmod u=rwxs /z";

        assert_eq!(
            written_steps(script),
            [
                ("u+s", vec![], None),
                ("04755", vec!["/y".to_owned()], None),
                ("u=rwxs", vec!["/z".to_owned()], None),
            ]
        );
    }

    #[test]
    fn unterminated_quote_keeps_earlier_steps() {
        let script = "chmod u+s /x && echo \"oops\nchmod g+s /y";

        assert_eq!(
            written_steps(script),
            [("u+s", vec!["/x".to_owned()], None)]
        );
    }

    #[test]
    fn wrapped_chmod_is_one_step() {
        let script = "xargs chmod u+s; sudo chmod 4755 /x; /bin/chmod g+s /y";

        assert_eq!(
            written_steps(script),
            [
                ("u+s", vec![], None),
                ("4755", vec!["/x".to_owned()], None),
                ("g+s", vec!["/y".to_owned()], None),
            ]
        );
    }

    #[test]
    fn modes_without_special_bits_are_no_steps() {
        let script = "chmod 0755 /a; chmod u-s /b; chmod 755 /c; chmod a-s,g-s /d; chmod 1777 /tmp; \
                      chmod +t /e; chmod o+s /f; chmod -s /g; chmod --reference=/h /i; chmod $M /j";

        assert_eq!(steps(script), []);
    }

    #[test]
    fn chmod_options_may_follow_operands() {
        let script = "chmod -v -- u+s /a; chmod 4755 /b -R; chmod -Rf g+s /c";

        let evidence: Vec<(String, Vec<String>)> = steps(script)
            .into_iter()
            .map(|step| (step.mode, step.targets))
            .collect();

        assert_eq!(
            evidence,
            [
                ("u+s".to_owned(), vec!["/a".to_owned()]),
                ("4755".to_owned(), vec!["/b".to_owned()]),
                ("g+s".to_owned(), vec!["/c".to_owned()]),
            ]
        );
    }

    #[test]
    fn many_chained_steps_are_all_found() {
        let script: Vec<String> = (0..5_000)
            .map(|index| format!("chmod 4755 /x{index}"))
            .collect();
        let script = script.join(" && ");

        let found = steps(&script);

        assert_eq!(found.len(), 5_000);
    }

    fn may_set(script: &str) -> bool {
        may_set_special_bits(&JoinedLiterals::of(script))
    }

    #[test]
    fn scripts_with_a_step_are_never_skipped() {
        let scripts = [
            "chmod 4755 /bin/x",
            "chmod u+s /bin/x",
            "chmod g=rxs /srv/x/",
            "chmod a+rx,u+s /bin/x",
            "chmod +4000 /bin/x",
            "chmod 02755 /bin/x",
            "/bin/chmod -R 6755 /opt/x",
            "install -m 4755 a /usr/bin/a",
            "install -Dm4755 a /usr/bin/a",
            "install --mode=u+s a /usr/bin/a",
            "mkdir -pm 2775 /srv/x",
            "mkdir --mode 2775 /srv/x",
            "install -mu+s ./su-exec /usr/local/bin/su-exec",
            "mkdir -pmg+s /srv/shared",
            // Quote removal joins what the text splits.
            "ch'mod' 4\"755\" /bin/x",
            "chmod 4$'755' /bin/x",
            "chmod u+\\s /bin/x",
            "sh -c \"chmod \\\"4755\\\" /bin/x\"",
            "bash <<EOF\nchmod 4755 /bin/x\nEOF",
            "find / -name x -exec chmod u+s {} \\;",
            // `/bin/sh` reads `((` as two subshells, not arithmetic.
            "((chmod 4755 /bin/x))",
            "((chmod u+s /bin/y) && true)",
            "(((install -m4755 a /usr/bin/a)))",
        ];
        for script in scripts {
            assert!(!steps(script).is_empty(), "{script} holds no step");
            assert!(may_set(script), "{script} was skipped");
        }

        // The inner shell joins `47\<newline>55`, which the quotes split for the outer one.
        assert!(may_set("sh -c 'chmod 47\\'\"\n\"'55 /bin/x'"));
    }

    #[test]
    fn common_scripts_without_a_special_mode_are_skipped() {
        let scripts = [
            "apt-get update && apt-get install -y --no-install-recommends curl",
            "mkdir -p /app && chmod 755 /app && ln -s /app /srv/app",
            "chmod +x /entrypoint.sh && curl -fsSL https://example.com/x-2.17.tar.gz | tar -xz",
            "chmod 0644 /etc/x && echo ENV=staging >> /etc/environment",
            "install -m 0755 x /usr/local/bin/x && python -m pip install x==4.7.5",
        ];
        for script in scripts {
            assert!(steps(script).is_empty(), "{script} holds a step");
            assert!(!may_set(script), "{script} was not skipped");
        }
    }
}
