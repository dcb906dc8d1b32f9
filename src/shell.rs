//! Shell analysis of RUN scripts with tree-sitter-bash: the simple commands a script runs,
//! nested ones included, with byte ranges into the script text.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::{ControlFlow, Range};
use std::sync::Mutex;

use tree_sitter::{Node, ParseOptions, Parser, Tree};

/// A simple command: `chmod u+s /bin/x`, wherever it stands in the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub name: Word,
    pub arguments: Vec<Word>,
}

impl Command {
    /// The file name of the program run: `chmod` for `/bin/chmod`; `None` when the name is not
    /// literal.
    pub fn program(&self) -> Option<&str> {
        let name = self.name.literal.as_deref()?;
        Some(file_name(name))
    }
}

/// One shell word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The value after quote removal, or `None` when it depends on an expansion (`$MODE`).
    /// Globs, braces and `~` are kept as written.
    pub literal: Option<String>,
    /// Where the word stands in the script, quotes included.
    pub range: Range<usize>,
}

/// How deep command substitutions, `sh -c` strings, shell heredocs, `((` read as subshells and
/// wrapped commands are followed; anything nested deeper is skipped so hostile input cannot
/// exhaust time or memory.
pub const MAX_NESTING: usize = 64;

/// tree-sitter calls the progress callback once every this many parser steps.
const PARSER_STEPS_PER_CHECK: u64 = 100;

/// Parser progress checks allowed per byte of script before the parse is abandoned. Real scripts
/// take a few parser steps per byte, far below one check per byte; the bound stops an input that
/// would make the parser's error recovery grow faster than its length.
const PARSER_CHECKS_PER_BYTE: u64 = 1;

/// Shells whose `-c` string, or heredoc read from stdin, is itself a script.
const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "yash"];

/// A command that runs the command given in its arguments: `sudo -u app chmod u+s /x`.
struct Wrapper {
    program: &'static str,
    /// Options that take the next word as their value (`sudo -u USER`).
    valued_options: &'static [&'static str],
    /// `NAME=value` words before the command set its environment (`env`, `sudo`).
    takes_assignments: bool,
    /// Operands between the options and the command (`gosu USER`, `chroot DIR`).
    operands: usize,
}

/// The wrappers followed; `find -exec` and `sh -c` have their own handling. The wrapper is
/// reported as a command too, so rules can still see `sudo` itself.
// LIMITATION: rarer programs that run another (`setpriv`, `flock`, `strace`, `capsh -- -c`,
// `parallel`) are not followed; each has its own option grammar, and none showed up in the
// corpus in front of a mode or setcap step. The rule documents list them.
const WRAPPERS: &[Wrapper] = &[
    Wrapper {
        program: "sudo",
        valued_options: &[
            "-u",
            "-g",
            "-p",
            "-C",
            "-D",
            "-h",
            "-r",
            "-t",
            "-T",
            "-U",
            "--user",
            "--group",
            "--prompt",
            "--close-from",
            "--chdir",
            "--host",
            "--role",
            "--type",
            "--other-user",
            "--command-timeout",
        ],
        takes_assignments: true,
        operands: 0,
    },
    Wrapper {
        program: "doas",
        valued_options: &["-u", "-C"],
        takes_assignments: false,
        operands: 0,
    },
    Wrapper {
        program: "env",
        // LIMITATION: `env -S "CMD ARGS"` splits its string into a command; that command is
        // not reported.
        valued_options: &["-u", "-C", "-S", "--unset", "--chdir", "--split-string"],
        takes_assignments: true,
        operands: 0,
    },
    Wrapper {
        program: "nohup",
        valued_options: &[],
        takes_assignments: false,
        operands: 0,
    },
    Wrapper {
        program: "exec",
        valued_options: &["-a"],
        takes_assignments: false,
        operands: 0,
    },
    Wrapper {
        program: "command",
        valued_options: &[],
        takes_assignments: false,
        operands: 0,
    },
    Wrapper {
        program: "builtin",
        valued_options: &[],
        takes_assignments: false,
        operands: 0,
    },
    Wrapper {
        program: "time",
        valued_options: &["-f", "-o", "--format", "--output"],
        takes_assignments: false,
        operands: 0,
    },
    Wrapper {
        program: "nice",
        valued_options: &["-n", "--adjustment"],
        takes_assignments: false,
        operands: 0,
    },
    Wrapper {
        program: "ionice",
        valued_options: &["-c", "-n", "--class", "--classdata"],
        takes_assignments: false,
        operands: 0,
    },
    Wrapper {
        program: "timeout",
        valued_options: &["-s", "-k", "--signal", "--kill-after"],
        takes_assignments: false,
        operands: 1,
    },
    Wrapper {
        program: "setsid",
        valued_options: &[],
        takes_assignments: false,
        operands: 0,
    },
    Wrapper {
        program: "busybox",
        valued_options: &[],
        takes_assignments: false,
        operands: 0,
    },
    Wrapper {
        program: "su-exec",
        valued_options: &[],
        takes_assignments: false,
        operands: 1,
    },
    Wrapper {
        program: "gosu",
        valued_options: &[],
        takes_assignments: false,
        operands: 1,
    },
    Wrapper {
        program: "runuser",
        valued_options: &["-u", "-g", "-G", "--user", "--group", "--supp-group"],
        takes_assignments: false,
        operands: 0,
    },
    Wrapper {
        program: "chroot",
        valued_options: &["--userspec", "--groups"],
        takes_assignments: false,
        operands: 1,
    },
    Wrapper {
        program: "xargs",
        valued_options: &[
            "-a",
            "-d",
            "-E",
            "-I",
            "-L",
            "-n",
            "-P",
            "-s",
            "--arg-file",
            "--delimiter",
            "--eof",
            "--max-lines",
            "--max-args",
            "--max-procs",
            "--max-chars",
            "--process-slot-var",
        ],
        takes_assignments: false,
        operands: 0,
    },
];

/// The `find` actions whose words up to `;` (or `{} +`) are a command.
const FIND_ACTIONS: &[&str] = &["-exec", "-execdir", "-ok", "-okdir"];

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Scripts already analysed, shared by the threads of a run.
static ANALYSED: Mutex<AnalysedScripts> = Mutex::new(AnalysedScripts::new());

/// How much script text the cache of analysed scripts holds before it starts over.
const MAX_CACHED_SCRIPT_BYTES: usize = 2 * 1024 * 1024;

/// How many scripts seen once the cache remembers before it starts over: a long-running server
/// sees a new script at every edit of a RUN line.
const MAX_SEEN_SCRIPTS: usize = 100_000;

/// The commands of scripts already analysed, by script text. Variants of one
/// image (`17/bookworm`, `16/bookworm`) repeat whole RUN scripts, and a Dockerfile built with
/// Compose `build.args` is modelled twice; parsing a script is most of the cost of a lint.
/// Only scripts seen before are kept: most scripts appear once, and their commands take several
/// times the memory of their text.
struct AnalysedScripts {
    /// Empty until the first script: a `HashMap` cannot be made in a `static`.
    by_script: Option<HashMap<String, Vec<Command>>>,
    /// Hashes of the scripts seen once.
    seen: Option<HashSet<u64>>,
    bytes: usize,
}

impl AnalysedScripts {
    const fn new() -> Self {
        Self {
            by_script: None,
            seen: None,
            bytes: 0,
        }
    }

    fn get(&self, script: &str) -> Option<Vec<Command>> {
        self.by_script.as_ref()?.get(script).cloned()
    }

    fn insert(&mut self, script: &str, found: &[Command]) {
        if script.len() > MAX_CACHED_SCRIPT_BYTES / 4 {
            return;
        }
        let mut hasher = DefaultHasher::new();
        script.hash(&mut hasher);
        let seen = self.seen.get_or_insert_with(HashSet::new);
        if seen.len() >= MAX_SEEN_SCRIPTS {
            seen.clear();
        }
        if seen.insert(hasher.finish()) {
            return;
        }

        // A long-running server sees ever new scripts: start over rather than grow.
        let by_script = self.by_script.get_or_insert_with(HashMap::new);
        if self.bytes + script.len() > MAX_CACHED_SCRIPT_BYTES {
            by_script.clear();
            seen.clear();
            self.bytes = 0;
        }
        self.bytes += script.len();
        by_script.insert(script.to_owned(), found.to_vec());
    }
}

/// The simple commands of a script in source order (by the start of the command name).
///
/// Commands inside `$(...)`, backticks, `sh -c` strings, heredocs read by a shell, `((...))` and
/// wrapped commands (`sudo CMD`, `find -exec CMD \;`) are reported at their own place in the
/// script.
pub fn commands(script: &str) -> Vec<Command> {
    let cached = ANALYSED.lock().ok().and_then(|cache| cache.get(script));
    if let Some(found) = cached {
        crate::work::count(1);
        return found;
    }

    let found = analyse(script);
    if let Ok(mut cache) = ANALYSED.lock() {
        cache.insert(script, &found);
    }
    found
}

/// A script with the bytes removed that quote removal can drop from inside a word: quotes,
/// backslashes, a newline after a backslash and the `$` of `$'...'`. Every literal word of the
/// script, nested scripts included, stands unbroken in it, so a word it does not contain is in no
/// command: callers use this to skip the parse of scripts that cannot hold what they look for.
pub struct JoinedLiterals(Vec<u8>);

impl JoinedLiterals {
    /// Joins the literal words of `script`. A newline goes with a backslash before it even when
    /// quotes stand between them: `47\'"<newline>"'55` in a `sh -c` string is `4755` to the
    /// shell that runs it. The scan may drop a newline that quote removal keeps; it only ever
    /// joins more.
    pub fn of(script: &str) -> Self {
        let bytes = script.as_bytes();
        let mut joined = Vec::with_capacity(bytes.len());
        let mut after_backslash = false;
        for (at, &byte) in bytes.iter().enumerate() {
            let next = bytes.get(at + 1).copied();
            match byte {
                b'\\' => after_backslash = true,
                b'\'' | b'"' => {}
                b'$' if matches!(next, Some(b'\'' | b'"')) => {}
                b'\n' if after_backslash => after_backslash = false,
                _ => {
                    after_backslash = false;
                    joined.push(byte);
                }
            }
        }
        Self(joined)
    }

    pub fn contains(&self, word: &str) -> bool {
        memchr::memmem::find(&self.0, word.as_bytes()).is_some()
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

fn analyse(script: &str) -> Vec<Command> {
    let mut found = collect(script, 0);

    // A command substitution inside a `sh -c` string or a shell heredoc is seen both by the
    // outer walk and by the nested parse; both map to the same range.
    found.sort_by_key(|command| (command.name.range.start, command.name.range.end));
    found.dedup_by(|later, earlier| later.name.range == earlier.name.range);
    found
}

/// The commands of one script, with ranges into that script.
fn collect(script: &str, nesting: usize) -> Vec<Command> {
    let Some(tree) = parse(script) else {
        return Vec::new();
    };
    let mut found = Vec::new();

    // A pre-order walk with a cursor, not recursion: a chain of thousands of `&&` is a tree
    // thousands of levels deep. `levels` holds the nesting of the children of each node on the
    // path from the root.
    let mut cursor = tree.walk();
    let mut levels = vec![nesting];
    let mut visited = 0;
    loop {
        visited += 1;
        let node = cursor.node();
        let nesting = levels.last().copied().unwrap_or(nesting);
        let enters_children = match node.kind() {
            "command" => {
                record_command(node, script, nesting, &mut found);
                true
            }
            "redirected_statement" => {
                record_heredoc_scripts(node, script, nesting, &mut found);
                true
            }
            "((" if record_double_parenthesis(node, script, nesting, &mut found) => {
                // The nested parse read the rest of the parent. Walking its other children too
                // would parse a `((` nested in them twice, and one nested k deep 2^k times.
                if cursor.goto_parent() {
                    levels.pop();
                }
                false
            }
            "comment" => false,
            _ => true,
        };

        let is_substitution =
            matches!(node.kind(), "command_substitution" | "process_substitution");
        let child_nesting = if is_substitution {
            nesting + 1
        } else {
            nesting
        };
        if enters_children && child_nesting <= MAX_NESTING && cursor.goto_first_child() {
            levels.push(child_nesting);
            continue;
        }

        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                crate::work::count(visited);
                return found;
            }
            levels.pop();
        }
    }
}

/// Parses a script, counting the parser's steps as work; a parse that takes more steps than
/// any real script needs for its length is abandoned.
fn parse(script: &str) -> Option<Tree> {
    PARSER.with(|slot| {
        let mut slot = slot.try_borrow_mut().ok()?;
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&tree_sitter_bash::LANGUAGE.into())
                .ok()?;
            *slot = Some(parser);
        }
        let parser = slot.as_mut()?;

        let budget = PARSER_CHECKS_PER_BYTE.saturating_mul(script.len() as u64) + 100;
        let mut checks = 0_u64;
        let mut count_steps = |_: &tree_sitter::ParseState| {
            checks += 1;
            if checks > budget {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let options = ParseOptions::new().progress_callback(&mut count_steps);
        let bytes = script.as_bytes();
        let mut read = |offset: usize, _: tree_sitter::Point| bytes.get(offset..).unwrap_or(&[]);
        let tree = parser.parse_with_options(&mut read, None, Some(options));
        crate::work::count(checks * PARSER_STEPS_PER_CHECK);
        if tree.is_none() {
            // A cancelled parse leaves state behind that the next parse would resume.
            parser.reset();
            log::debug!("gave up parsing a shell script of {} bytes", script.len());
        }
        tree
    })
}

/// Records a `command` node, the commands it wraps, and the script of its `sh -c` string or of
/// the here-string a shell reads (`bash <<< 'SCRIPT'`).
fn record_command(node: Node<'_>, script: &str, nesting: usize, found: &mut Vec<Command>) {
    let nodes = command_words(node);
    if nodes.is_empty() {
        return;
    }
    let words: Vec<Word> = nodes.iter().map(|&node| word(node, script)).collect();
    let literals: Vec<Option<&str>> = words.iter().map(|word| word.literal.as_deref()).collect();

    for invocation in invocations(&literals) {
        let invocation_words = &words[invocation.clone()];
        let Some((name, arguments)) = invocation_words.split_first() else {
            continue;
        };
        found.push(Command {
            name: name.clone(),
            arguments: arguments.to_vec(),
        });

        if nesting >= MAX_NESTING {
            continue;
        }
        let Some(inline) = inline_script(&literals[invocation.clone()]) else {
            continue;
        };
        let inline_node = nodes[invocation.start + inline.word];
        record_inline_script(inline_node, inline.prefix, script, nesting, found);
    }

    if nesting < MAX_NESTING && reads_script_from_stdin_anywhere(&literals) {
        let mut cursor = node.walk();
        for redirect in node.children_by_field_name("redirect", &mut cursor) {
            if redirect.kind() != "herestring_redirect" {
                continue;
            }
            let mut word_cursor = redirect.walk();
            let Some(text) = redirect.named_children(&mut word_cursor).last() else {
                continue;
            };
            record_inline_script(text, 0, script, nesting, found);
        }
    }
}

/// Records the commands after a `((` that opens a command, and whether it did. `/bin/sh` (dash,
/// busybox ash) reads `((chmod u+s /x))` as two subshells, `( (chmod u+s /x) )`, and so does bash
/// when no `))` closes an arithmetic command (`((chmod u+s /x) && true)`); tree-sitter-bash parses
/// an arithmetic command, or an error, whose text holds no command nodes. The text from `((` to the
/// end of that node is parsed again with the parentheses that open it set apart, all of them at
/// once so `(((((x)))))` costs one more parse. Real arithmetic such as `((i++))` then reads as
/// the command `i++`, as dash runs it.
fn record_double_parenthesis(
    token: Node<'_>,
    script: &str,
    nesting: usize,
    found: &mut Vec<Command>,
) -> bool {
    if nesting >= MAX_NESTING {
        return false;
    }
    let Some(parent) = token.parent() else {
        return false;
    };
    // `for ((...))` is bash's arithmetic loop, and `$((` a token of its own.
    // LIMITATION: `((chmod u+s /x))` reads as subshells under a bash `SHELL` too, where it is a
    // failing arithmetic command: the analysis does not know which shell the Dockerfile picked.
    // LIMITATION: bash runs `$((chmod u+s /x) && true)` as a command substitution when no `))`
    // closes the arithmetic; `$((` is read as arithmetic, as dash reads it, so it is not seen.
    if !matches!(parent.kind(), "compound_statement" | "ERROR") {
        return false;
    }

    let range = token.start_byte()..parent.end_byte();
    let opening = script.as_bytes()[range.clone()]
        .iter()
        .take_while(|&&byte| byte == b'(')
        .count();
    let mut inner_script = String::with_capacity(range.len() + opening);
    let mut offsets = Vec::with_capacity(range.len() + opening);
    for at in range.start..range.start + opening {
        if at > range.start {
            // No word holds the inserted space; it maps to the parenthesis after it.
            inner_script.push(' ');
            offsets.push(at);
        }
        inner_script.push('(');
        offsets.push(at);
    }
    inner_script.push_str(&script[range.start + opening..range.end]);
    offsets.extend(range.start + opening..range.end);
    for inner in collect(&inner_script, nesting + 1) {
        found.push(map_command(inner, &offsets));
    }
    true
}

/// Records the commands of a word that is itself a script (`sh -c 'SCRIPT'`, `sh <<< SCRIPT`),
/// skipping `prefix` bytes of its value (`--command=`).
fn record_inline_script(
    node: Node<'_>,
    prefix: usize,
    script: &str,
    nesting: usize,
    found: &mut Vec<Command>,
) {
    let mut text = shell_text(node, script, 0);
    text.drop_prefix(prefix);
    let inner_script = String::from_utf8_lossy(&text.bytes);
    for inner in collect(&inner_script, nesting + 1) {
        found.push(map_command(inner, &text.offsets));
    }
}

/// The name and argument nodes of a `command` node; assignments and redirects are left out.
fn command_words(node: Node<'_>) -> Vec<Node<'_>> {
    let Some(name) = node.child_by_field_name("name") else {
        return Vec::new();
    };
    let mut nodes = vec![name];
    let mut cursor = node.walk();
    nodes.extend(node.children_by_field_name("argument", &mut cursor));
    nodes
}

/// Parses the heredocs of a statement as scripts when a shell reads them: `sh <<EOF`,
/// `bash -s <<'X'`, `cat <<EOF | sh`. Other heredoc bodies are data.
fn record_heredoc_scripts(node: Node<'_>, script: &str, nesting: usize, found: &mut Vec<Command>) {
    if nesting >= MAX_NESTING {
        return;
    }
    let Some(mut body) = node.child_by_field_name("body") else {
        return;
    };
    // tree-sitter-bash attaches `a && sh <<EOF` to the whole list; bash gives the heredoc to
    // the last command of it.
    while body.kind() == "list" {
        let last_index = u32::try_from(body.named_child_count().saturating_sub(1)).unwrap_or(0);
        let Some(last) = body.named_child(last_index) else {
            return;
        };
        body = last;
    }
    if body.kind() != "command" {
        return;
    }
    let reader = literal_words(body, script);
    let reader_literals: Vec<Option<&str>> = reader.iter().map(Option::as_deref).collect();
    let reader_is_shell = reads_script_from_stdin_anywhere(&reader_literals);
    let reader_is_cat =
        reader_literals == [Some("cat")] || reader_literals == [Some("cat"), Some("-")];

    let mut cursor = node.walk();
    for redirect in node.children_by_field_name("redirect", &mut cursor) {
        if redirect.kind() != "heredoc_redirect" {
            continue;
        }

        let descriptor = redirect.child_by_field_name("descriptor");
        if descriptor.is_some_and(|descriptor| &script[descriptor.byte_range()] != "0") {
            continue;
        }

        let feeds_shell = reader_is_shell || reader_is_cat && pipes_into_shell(redirect, script);
        if !feeds_shell {
            continue;
        }

        // LIMITATION: an unquoted heredoc delimiter lets the outer shell undo `\$` and `\\`
        // in the body first; the body is parsed as written, so such escapes are misread.
        let mut body_cursor = redirect.walk();
        for child in redirect.children(&mut body_cursor) {
            if child.kind() != "heredoc_body" {
                continue;
            }
            let range = child.byte_range();
            let offsets: Vec<usize> = range.clone().collect();
            for inner in collect(&script[range], nesting + 1) {
                found.push(map_command(inner, &offsets));
            }
        }
    }
}

/// Whether the pipeline after a heredoc (`cat <<EOF | sh`) starts with a shell reading stdin.
// LIMITATION: other text piped into a shell (`echo 'chmod u+s /x' | sh`, `curl ... | sh`) is
// not parsed as a script; only a heredoc passed through a bare `cat` is.
fn pipes_into_shell(heredoc: Node<'_>, script: &str) -> bool {
    let mut cursor = heredoc.walk();
    let Some(pipeline) = heredoc
        .children(&mut cursor)
        .find(|child| child.kind() == "pipeline")
    else {
        return false;
    };
    let mut pipeline_cursor = pipeline.walk();
    let Some(consumer) = pipeline
        .named_children(&mut pipeline_cursor)
        .find(|child| child.kind() == "command")
    else {
        return false;
    };
    let consumer = literal_words(consumer, script);
    let literals: Vec<Option<&str>> = consumer.iter().map(Option::as_deref).collect();
    reads_script_from_stdin_anywhere(&literals)
}

/// Whether a command, or a command it wraps (`sudo -u app bash`), is a shell reading stdin.
fn reads_script_from_stdin_anywhere(words: &[Option<&str>]) -> bool {
    invocations(words)
        .into_iter()
        .any(|invocation| reads_script_from_stdin(&words[invocation]))
}

fn literal_words(command: Node<'_>, script: &str) -> Vec<Option<String>> {
    command_words(command)
        .into_iter()
        .map(|node| word(node, script).literal)
        .collect()
}

fn word(node: Node<'_>, script: &str) -> Word {
    Word {
        literal: literal_text(node, script),
        range: node.byte_range(),
    }
}

/// The ranges of a command's words that are commands run: the command itself first, then
/// what its wrappers run, transitively (`sudo env A=1 chmod ...`).
fn invocations(words: &[Option<&str>]) -> Vec<Range<usize>> {
    let mut invocations = Vec::new();
    let mut pending = vec![(0..words.len(), 0)];
    while let Some((range, nesting)) = pending.pop() {
        if nesting < MAX_NESTING {
            for wrapped in wrapped_commands(&words[range.clone()]) {
                let start = range.start + wrapped.start;
                pending.push((start..range.start + wrapped.end, nesting + 1));
            }
        }
        invocations.push(range);
    }
    invocations.sort_by_key(|range| range.start);
    invocations
}

/// The ranges of the commands a wrapper runs (`sudo CMD`, `find -exec CMD \;`); empty when the
/// command wraps nothing.
fn wrapped_commands(words: &[Option<&str>]) -> Vec<Range<usize>> {
    let Some(program) = words.first().copied().flatten().map(file_name) else {
        return Vec::new();
    };
    if program == "find" {
        return find_actions(words);
    }
    let Some(wrapper) = WRAPPERS.iter().find(|wrapper| wrapper.program == program) else {
        return Vec::new();
    };

    let mut index = 1;
    while let Some(Some(word)) = words.get(index) {
        if *word == "--" {
            index += 1;
            break;
        }
        if !word.starts_with('-') {
            break;
        }
        // `command -v NAME` and `command -V NAME` only describe NAME.
        if program == "command" && (word.contains('v') || word.contains('V')) {
            return Vec::new();
        }
        index += if wrapper.valued_options.contains(word) {
            2
        } else {
            1
        };
    }

    if wrapper.takes_assignments {
        while let Some(Some(word)) = words.get(index)
            && is_assignment(word)
        {
            index += 1;
        }
    }

    index += wrapper.operands;
    let mut wrapped = Vec::new();
    if index < words.len() {
        wrapped.push(index..words.len());
    }
    wrapped
}

/// The commands of `find ... -exec CMD ARGS {} \;` (or `{} +`), one per action.
fn find_actions(words: &[Option<&str>]) -> Vec<Range<usize>> {
    let mut actions = Vec::new();
    let mut index = 1;
    while index < words.len() {
        let is_action = words[index].is_some_and(|word| FIND_ACTIONS.contains(&word));
        if !is_action {
            index += 1;
            continue;
        }

        let start = index + 1;
        let mut end = start;
        while end < words.len() {
            let ends_batch = words[end] == Some("+") && end > start && words[end - 1] == Some("{}");
            if words[end] == Some(";") || ends_batch {
                break;
            }
            end += 1;
        }
        if end > start {
            actions.push(start..end);
        }
        index = end + 1;
    }
    actions
}

/// Where a command's inline script stands: `sh -c 'SCRIPT'`, `su -c 'SCRIPT' user`,
/// `su --command=SCRIPT`, `eval 'SCRIPT'`.
struct InlineScript {
    /// The index of the word holding the script.
    word: usize,
    /// Bytes of that word's value before the script (`--command=`).
    prefix: usize,
}

fn inline_script(words: &[Option<&str>]) -> Option<InlineScript> {
    let program = file_name(words.first().copied().flatten()?);
    if SHELLS.contains(&program) {
        let options = shell_options(words);
        let has_script = options.has_command_string && options.end < words.len();
        return has_script.then_some(InlineScript {
            word: options.end,
            prefix: 0,
        });
    }
    // LIMITATION: only `eval` with a single word is parsed; `eval chmod "$m" /x` joins its
    // words with spaces first, which has no exact place in the script.
    if program == "eval" {
        return (words.len() == 2).then_some(InlineScript { word: 1, prefix: 0 });
    }
    if program != "su" && program != "runuser" {
        return None;
    }

    for (index, word) in words.iter().enumerate().skip(1) {
        let Some(word) = word else {
            continue;
        };
        if let Some(script) = word.strip_prefix("--command=") {
            let prefix = word.len() - script.len();
            return Some(InlineScript {
                word: index,
                prefix,
            });
        }
        let is_short_cluster = word.starts_with('-') && !word.starts_with("--");
        if *word == "--command" || is_short_cluster && word.ends_with('c') {
            return (index + 1 < words.len()).then_some(InlineScript {
                word: index + 1,
                prefix: 0,
            });
        }
    }
    None
}

/// Whether a shell command reads its script from stdin: `sh`, `bash -eux`, `bash -s ARG`, but
/// not `sh -c '...'` or `sh script.sh`.
fn reads_script_from_stdin(words: &[Option<&str>]) -> bool {
    let Some(program) = words.first().copied().flatten().map(file_name) else {
        return false;
    };
    if !SHELLS.contains(&program) {
        return false;
    }

    let options = shell_options(words);
    if options.has_command_string {
        return false;
    }
    options.reads_stdin || options.end == words.len()
}

/// What a shell's leading options say.
struct ShellOptions {
    has_command_string: bool,
    /// `-s`: the script comes from stdin and the operands are its arguments.
    reads_stdin: bool,
    /// The index of the first operand.
    end: usize,
}

fn shell_options(words: &[Option<&str>]) -> ShellOptions {
    let mut options = ShellOptions {
        has_command_string: false,
        reads_stdin: false,
        end: 1,
    };
    while let Some(Some(word)) = words.get(options.end) {
        if *word == "--" {
            options.end += 1;
            break;
        }
        let is_option = (word.starts_with('-') || word.starts_with('+')) && word.len() > 1;
        if !is_option {
            break;
        }

        options.end += 1;
        if word.starts_with("--") {
            if matches!(*word, "--rcfile" | "--init-file") {
                options.end += 1;
            }
            continue;
        }
        if word.starts_with('-') && word.contains('c') {
            options.has_command_string = true;
        }
        if word.starts_with('-') && word.contains('s') {
            options.reads_stdin = true;
        }
        // `-o pipefail`, `-euo pipefail`, `-O extglob` take the next word.
        if word.ends_with('o') || word.ends_with('O') {
            options.end += 1;
        }
    }
    options.end = options.end.min(words.len());
    options
}

/// `NAME=value`, as taken by `env` and `sudo` before the command.
fn is_assignment(word: &str) -> bool {
    let Some((name, _)) = word.split_once('=') else {
        return false;
    };
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_');
    starts_well && chars.all(|rest| rest.is_ascii_alphanumeric() || rest == '_')
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Moves a command found in a nested script into the outer script's coordinates.
// LIMITATION: every byte maps back exactly, but a nested word that starts or ends with an escaped
// byte (`sh -c "chmod \"u+s\" /x"`) gets a range without that byte's backslash.
fn map_command(command: Command, offsets: &[usize]) -> Command {
    let map_word = |word: Word| Word {
        range: map_range(&word.range, offsets),
        ..word
    };
    Command {
        name: map_word(command.name),
        arguments: command.arguments.into_iter().map(map_word).collect(),
    }
}

fn map_range(range: &Range<usize>, offsets: &[usize]) -> Range<usize> {
    let past_end = offsets.last().map_or(0, |last| last + 1);
    let start = offsets.get(range.start).copied().unwrap_or(past_end);
    let end = match range.end.checked_sub(1) {
        Some(last) => offsets.get(last).map_or(past_end, |offset| offset + 1),
        None => start,
    };
    start..end.max(start)
}

/// A word after quote removal, with the script offset of every byte. Expansions stay as written
/// so a nested parse of the text still sees them as expansions.
#[derive(Debug, Default)]
struct ShellText {
    bytes: Vec<u8>,
    /// Kept only for text parsed again as a script, whose commands are mapped back.
    offsets: Vec<usize>,
    tracks_offsets: bool,
    is_literal: bool,
}

/// How deep `shell_text` descends into the parts of one word.
const MAX_WORD_NESTING: usize = 16;

fn shell_text(node: Node<'_>, script: &str, nesting: usize) -> ShellText {
    let mut text = ShellText {
        is_literal: true,
        tracks_offsets: true,
        ..ShellText::default()
    };
    text.push_node(node, script, nesting);
    text
}

/// A word's value after quote removal, when it does not depend on an expansion.
fn literal_text(node: Node<'_>, script: &str) -> Option<String> {
    // Most words are plain: no quotes, no escapes, nothing inside.
    let plain = script
        .get(node.byte_range())
        .filter(|text| node.child_count() == 0 && node.kind() == "word" && !text.contains('\\'));
    if let Some(plain) = plain {
        return Some(plain.to_owned());
    }
    let mut text = ShellText {
        is_literal: true,
        ..ShellText::default()
    };
    text.push_node(node, script, 0);
    text.into_literal()
}

impl ShellText {
    fn push_node(&mut self, node: Node<'_>, script: &str, nesting: usize) {
        let range = node.byte_range();
        match node.kind() {
            "raw_string" => {
                let inner = trim_quotes(script, range, "'", "'");
                self.push_raw(script, inner);
            }
            "string" => self.push_double_quoted_string(node, script),
            "ansi_c_string" => {
                let inner = trim_quotes(script, range, "$'", "'");
                // LIMITATION: escapes in `$'...'` are not decoded; such words are not literal.
                if script[inner.clone()].contains('\\') {
                    self.is_literal = false;
                }
                self.push_raw(script, inner);
            }
            "simple_expansion"
            | "expansion"
            | "command_substitution"
            | "process_substitution"
            | "arithmetic_expansion" => {
                self.is_literal = false;
                self.push_raw(script, range);
            }
            _ if node.child_count() == 0 => self.push_unquoted(script, range),
            _ if nesting >= MAX_WORD_NESTING => {
                self.is_literal = false;
                self.push_raw(script, range);
            }
            _ => {
                let mut position = range.start;
                let mut cursor = node.walk();
                for child in node.children(&mut cursor) {
                    self.push_unquoted(script, position..child.start_byte());
                    self.push_node(child, script, nesting + 1);
                    position = child.end_byte();
                }
                self.push_unquoted(script, position..range.end);
            }
        }
    }

    /// A `"..."` string: escapes of `$`, `` ` ``, `"`, `\` and newline are undone; expansions
    /// inside are kept as written.
    fn push_double_quoted_string(&mut self, node: Node<'_>, script: &str) {
        let inner = trim_quotes(script, node.byte_range(), "\"", "\"");
        let mut position = inner.start;
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if child.kind() == "string_content" {
                continue;
            }
            let child_range = child.byte_range();
            if child_range.start < position || child_range.end > inner.end {
                continue;
            }
            self.push_double_quoted(script, position..child_range.start);
            self.is_literal = false;
            self.push_raw(script, child_range.clone());
            position = child_range.end;
        }
        self.push_double_quoted(script, position..inner.end);
    }

    fn push_raw(&mut self, script: &str, range: Range<usize>) {
        for offset in range {
            self.push_byte(script, offset);
        }
    }

    /// Unquoted text: a backslash quotes the next byte, and a backslash-newline disappears.
    fn push_unquoted(&mut self, script: &str, range: Range<usize>) {
        let bytes = script.as_bytes();
        let mut offset = range.start;
        while offset < range.end {
            if bytes[offset] == b'\\' && offset + 1 < range.end {
                if bytes[offset + 1] != b'\n' {
                    self.push_byte(script, offset + 1);
                }
                offset += 2;
                continue;
            }
            self.push_byte(script, offset);
            offset += 1;
        }
    }

    fn push_double_quoted(&mut self, script: &str, range: Range<usize>) {
        let bytes = script.as_bytes();
        let mut offset = range.start;
        while offset < range.end {
            let escaped = bytes
                .get(offset + 1)
                .copied()
                .filter(|_| offset + 1 < range.end);
            if bytes[offset] == b'\\' && matches!(escaped, Some(b'$' | b'`' | b'"' | b'\\' | b'\n'))
            {
                if escaped != Some(b'\n') {
                    self.push_byte(script, offset + 1);
                }
                offset += 2;
                continue;
            }
            self.push_byte(script, offset);
            offset += 1;
        }
    }

    fn push_byte(&mut self, script: &str, offset: usize) {
        self.bytes.push(script.as_bytes()[offset]);
        if self.tracks_offsets {
            self.offsets.push(offset);
        }
    }

    fn drop_prefix(&mut self, prefix: usize) {
        let prefix = prefix.min(self.bytes.len());
        self.bytes.drain(..prefix);
        self.offsets.drain(..prefix);
    }

    fn into_literal(self) -> Option<String> {
        if !self.is_literal {
            return None;
        }
        String::from_utf8(self.bytes).ok()
    }
}

/// The range inside `open` and `close`; an unterminated quote keeps everything after `open`.
fn trim_quotes(script: &str, range: Range<usize>, open: &str, close: &str) -> Range<usize> {
    let text = &script[range.clone()];
    let start = if text.starts_with(open) {
        range.start + open.len()
    } else {
        range.start
    };
    let closes = text.len() >= open.len() + close.len() && text.ends_with(close);
    let end = if closes {
        range.end - close.len()
    } else {
        range.end
    };
    start..end.max(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each command as its words, literal ones as written after quote removal, others as `?`.
    fn command_lines(script: &str) -> Vec<String> {
        commands(script)
            .iter()
            .map(|command| {
                let words = std::iter::once(&command.name).chain(&command.arguments);
                let words: Vec<&str> = words
                    .map(|word| word.literal.as_deref().unwrap_or("?"))
                    .collect();
                words.join(" ")
            })
            .collect()
    }

    /// The script text under each word of the commands named `program`.
    fn slices<'s>(script: &'s str, program: &str) -> Vec<Vec<&'s str>> {
        commands(script)
            .iter()
            .filter(|command| command.program() == Some(program))
            .map(|command| {
                let words = std::iter::once(&command.name).chain(&command.arguments);
                words.map(|word| &script[word.range.clone()]).collect()
            })
            .collect()
    }

    #[test]
    fn the_cache_of_analysed_scripts_stays_bounded_when_every_script_is_new() {
        let mut cache = AnalysedScripts::new();

        for index in 0..MAX_SEEN_SCRIPTS + 10 {
            cache.insert(&format!("echo {index}"), &[]);
        }

        let seen = cache.seen.as_ref().map_or(0, HashSet::len);
        assert!(seen <= MAX_SEEN_SCRIPTS, "{seen} scripts remembered");
        assert!(cache.by_script.is_none_or(|kept| kept.is_empty()));
    }

    #[test]
    fn lists_and_pipelines_are_split_into_commands() {
        let script = "set -eux; apt-get update && chmod 4755 /bin/x || true";

        assert_eq!(
            command_lines(script),
            ["set -eux", "apt-get update", "chmod 4755 /bin/x", "true"]
        );
        assert_eq!(slices(script, "chmod"), [["chmod", "4755", "/bin/x"]]);
        assert_eq!(commands(script)[2].name.range, 28..33);
    }

    #[test]
    fn compound_statements_are_entered() {
        let script = "if true; then chmod 6755 /x; fi; (cd /opt && chmod +s bin/tool)\n\
                      for f in a b; do chmod u+s \"$f\"; done; f() { chmod 1 z; }\n\
                      case $a in x) chmod 4 w;; esac; ! chmod 2 y; { a | b; }\n\
                      while false; do c; done; until true; do d; done";

        assert_eq!(
            command_lines(script),
            [
                "true",
                "chmod 6755 /x",
                "cd /opt",
                "chmod +s bin/tool",
                "chmod u+s ?",
                "chmod 1 z",
                "chmod 4 w",
                "chmod 2 y",
                "a",
                "b",
                "false",
                "c",
                "true",
                "d",
            ]
        );
    }

    #[test]
    fn bash_tests_and_arrays_do_not_hide_commands() {
        let script = "[[ -f /x ]] && chmod u+s /x; files=(a b); for f in \"${files[@]}\"; do \
                      chmod g+s \"$f\"; done";

        assert_eq!(command_lines(script), ["chmod u+s /x", "chmod g+s ?"]);
    }

    #[test]
    fn command_substitutions_are_found_at_their_offsets() {
        let script = "echo $(chmod u+s /y) && chmod \"$(stat -c %a /z)\" /z `id -u`";

        assert_eq!(
            command_lines(script),
            [
                "echo ?",
                "chmod u+s /y",
                "chmod ? /z ?",
                "stat -c %a /z",
                "id -u"
            ]
        );
        assert_eq!(slices(script, "chmod")[0], ["chmod", "u+s", "/y"]);
        assert_eq!(commands(script)[1].name.range, 7..12);
    }

    #[test]
    fn quotes_are_removed_from_literals() {
        let script = "chmod \"4755\" 'u+s' u\"+s\" a\\ b \"a\\$b\\q\" $'x' {a,b} *.c ~/x";

        let words: Vec<Option<String>> = commands(script)[0]
            .arguments
            .iter()
            .map(|word| word.literal.clone())
            .collect();

        let expected = [
            "4755", "u+s", "u+s", "a b", "a$b\\q", "x", "{a,b}", "*.c", "~/x",
        ];
        assert_eq!(words, expected.map(|word| Some(word.to_owned())));
    }

    #[test]
    fn expansions_make_words_dynamic() {
        let script = "chmod $MODE ${MODE:-4755} \"$MODE\" u$x $((1+2)) <(ls)";

        let command = &commands(script)[0];

        assert!(command.arguments.iter().all(|word| word.literal.is_none()));
        assert_eq!(command.arguments.len(), 6);
    }

    #[test]
    fn redirect_targets_and_assignments_are_not_arguments() {
        let script = "A=1 B=$(id) chmod u+s /x > /dev/null 2>&1 < /etc/y";

        assert_eq!(command_lines(script), ["id", "chmod u+s /x"]);
    }

    #[test]
    fn find_exec_runs_its_own_command() {
        let script = "find / -perm /6000 -type f -exec chmod a-s {} \\; || true";

        assert_eq!(
            command_lines(script),
            [
                "find / -perm /6000 -type f -exec chmod a-s {} ;",
                "chmod a-s {}",
                "true"
            ]
        );
        assert_eq!(slices(script, "chmod"), [["chmod", "a-s", "{}"]]);
    }

    #[test]
    fn find_has_one_command_per_action() {
        let script = "find . -execdir chown a {} + -ok rm ';' -exec chmod u+s {} +";

        let lines = command_lines(script);

        assert_eq!(lines[1..], ["chown a {}", "rm", "chmod u+s {}"]);
    }

    #[test]
    fn wrappers_report_themselves_and_the_wrapped_command() {
        let script = "sudo -u root -E chmod 4755 /x; env -i A=1 nice -n 5 chmod u+s /y; \
                      xargs -0 -n1 chmod u+s; gosu app chmod g+s /z; chroot /r chmod +s /w; \
                      timeout 5 nohup exec chmod 6755 /v; command -v chmod";

        let chmods: Vec<String> = command_lines(script)
            .into_iter()
            .filter(|line| line.starts_with("chmod"))
            .collect();

        assert_eq!(
            chmods,
            [
                "chmod 4755 /x",
                "chmod u+s /y",
                "chmod u+s",
                "chmod g+s /z",
                "chmod +s /w",
                "chmod 6755 /v"
            ]
        );
        assert!(command_lines(script).contains(&"sudo -u root -E chmod 4755 /x".to_owned()));
    }

    #[test]
    fn shell_command_strings_are_parsed_at_their_place() {
        let script = "sh -c \"chmod u+s /nested\" && bash -euxc 'chmod g+s /b; ls' x";

        assert_eq!(
            slices(script, "chmod"),
            [["chmod", "u+s", "/nested"], ["chmod", "g+s", "/b"]]
        );
        assert!(command_lines(script).contains(&"ls".to_owned()));
    }

    #[test]
    fn escaped_command_strings_map_what_they_can() {
        let script = r#"sh -c "chmod \"u+s\" /n \$X""#;

        let chmod = &slices(script, "chmod")[0];
        let lines = command_lines(script);

        // The quoted word's range runs from its opening quote to the escaped closing one.
        assert_eq!(chmod[..3], ["chmod", "\"u+s\\\"", "/n"]);
        assert_eq!(lines[1], "chmod u+s /n ?");
    }

    #[test]
    fn su_and_nested_shells_are_followed() {
        let script = "su -c \"chmod u+s /a\" app; su app --command='chmod g+s /b'; \
                      sudo sh -c 'sh -c \"chmod +s /c\"'";

        assert_eq!(
            slices(script, "chmod"),
            [
                ["chmod", "u+s", "/a"],
                ["chmod", "g+s", "/b"],
                ["chmod", "+s", "/c"]
            ]
        );
    }

    #[test]
    fn here_strings_read_by_a_shell_and_eval_strings_are_scripts() {
        let script = "bash -s <<< \"chmod u+s /x\" && eval 'chmod g+s /y' && cat <<< 'chmod +s /z'";

        assert_eq!(
            slices(script, "chmod"),
            [["chmod", "u+s", "/x"], ["chmod", "g+s", "/y"]]
        );
    }

    #[test]
    fn heredoc_bodies_are_data() {
        let script = "cat <<EOF > /etc/x\nchmod 4755 /x\nEOF\nchmod g+s /real";

        assert_eq!(command_lines(script), ["cat", "chmod g+s /real"]);
    }

    #[test]
    fn heredoc_read_by_a_shell_is_a_script() {
        let script = "sh <<SCRIPT\nchmod g+s /var/spool/jobs\nSCRIPT\n\
                      bash -eux <<'EOF' && echo done\nchmod u+s /a\nEOF\n\
                      sudo bash -s arg <<X\nchmod +s /b\nX\n\
                      cat <<Y | sh -e\nchmod 4755 /c\nY\n\
                      sh -c 'echo' <<Z\nchmod 4755 /not\nZ\n";

        assert_eq!(
            slices(script, "chmod"),
            [
                ["chmod", "g+s", "/var/spool/jobs"],
                ["chmod", "u+s", "/a"],
                ["chmod", "+s", "/b"],
                ["chmod", "4755", "/c"],
            ]
        );
    }

    #[test]
    fn substitutions_in_an_unquoted_heredoc_run() {
        let script = "cat <<EOF\n$(chmod u+s /x)\nEOF\nsh <<EOF\n$(id)\nEOF\n";

        // The shell then runs the output of `id` as a command, whose name is unknown.
        assert_eq!(
            command_lines(script),
            ["cat", "chmod u+s /x", "sh", "?", "id"]
        );
    }

    #[test]
    fn double_parentheses_open_two_subshells_as_sh_reads_them() {
        let script = "((chmod 4755 /bin/x)); (((sudo id))) && ((chmod u+s /bin/y) && true)";

        assert_eq!(
            command_lines(script),
            [
                "chmod 4755 /bin/x",
                "sudo id",
                "id",
                "chmod u+s /bin/y",
                "true"
            ]
        );
        assert_eq!(
            slices(script, "chmod"),
            [["chmod", "4755", "/bin/x"], ["chmod", "u+s", "/bin/y"]]
        );
        let names: Vec<Range<usize>> = commands(script)
            .into_iter()
            .map(|command| command.name.range)
            .collect();
        assert_eq!(names, [2..7, 26..30, 31..33, 42..47, 63..67]);
    }

    #[test]
    fn double_parentheses_are_read_wherever_a_command_stands() {
        let script = "a | ((chmod u+s /a) && true); echo \"$( ((chmod g+s /b)) )\"\n\
                      f() ((chmod +s /c)); sh -c '((chmod 4755 /d))'; ((chmod 2755 /e)) > /dev/null";

        assert_eq!(
            slices(script, "chmod"),
            [
                ["chmod", "u+s", "/a"],
                ["chmod", "g+s", "/b"],
                ["chmod", "+s", "/c"],
                ["chmod", "4755", "/d"],
                ["chmod", "2755", "/e"],
            ]
        );
    }

    #[test]
    fn arithmetic_commands_run_their_text_as_dash_does() {
        let script = "i=0; ((i++)); (( n = $(id -u) )); echo $i $((i+1)); \
                      for ((j=0; j<2; j++)); do :; done";

        // dash runs `i++` and `n = ...` as commands; bash's `for ((...))` is left as it is, and so
        // is `$((...))`, arithmetic to dash.
        assert_eq!(
            command_lines(script),
            ["i++", "n = ?", "id -u", "echo ? ?", ":"]
        );
        assert_eq!(commands(script)[2].name.range, 23..25);
    }

    #[test]
    fn deep_double_parentheses_cost_one_parse_per_opening_run() {
        let depth = 3_000;
        let script = format!("{}chmod u+s /x{}", "(".repeat(depth), ")".repeat(depth));

        let found = commands(&script);

        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name.range, depth..depth + 5);
    }

    #[test]
    fn chained_double_parentheses_stop_at_the_limit() {
        let depth = 200;
        let script = format!(
            "{}chmod u+s /x{}",
            "((true) && ".repeat(depth),
            ")".repeat(depth)
        );

        let found = commands(&script);

        assert_eq!(found.len(), MAX_NESTING);
        assert!(
            found
                .iter()
                .all(|command| command.program() == Some("true"))
        );
    }

    #[test]
    fn unterminated_quote_keeps_the_commands_before_it() {
        let script = "echo ok && chmod u+s /x && echo \"unterminated\nchmod g+s /y";

        let lines = command_lines(script);

        assert_eq!(lines[..2], ["echo ok", "chmod u+s /x"]);
    }

    #[test]
    fn garbage_does_not_panic() {
        for script in [
            "",
            ")))",
            "\"",
            "'",
            "$(",
            "`",
            "<<",
            "cat <<",
            "if then fi",
            "\\",
            "\u{0}é",
        ] {
            let _ = commands(script);
        }
    }

    #[test]
    fn deep_substitutions_stop_at_the_limit() {
        let depth = 5_000;
        let script = format!(
            "echo {}chmod u+s /x{}",
            "$(".repeat(depth),
            ")".repeat(depth)
        );

        let found = commands(&script);

        assert_eq!(found.len(), MAX_NESTING + 1);
    }

    #[test]
    fn long_chains_are_all_listed() {
        let script: Vec<String> = (0..5_000)
            .map(|index| format!("chmod 4755 /x{index}"))
            .collect();
        let script = script.join(" && ");

        let found = commands(&script);

        assert_eq!(found.len(), 5_000);
    }

    #[test]
    fn heredoc_after_an_and_list_feeds_the_last_command() {
        let script = "apk add shadow && sh <<SCRIPT\nchmod g+s /var/x\nSCRIPT\n";

        let names: Vec<Option<String>> = commands(script)
            .into_iter()
            .map(|command| command.name.literal)
            .collect();

        assert_eq!(
            names,
            [Some("apk".into()), Some("sh".into()), Some("chmod".into())]
        );
    }
}
