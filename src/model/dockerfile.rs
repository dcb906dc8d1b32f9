//! Builds the Dockerfile model from the syntax: stages and their bases, the user each stage runs
//! as after `ARG`/`ENV` expansion, the steps that make files setuid or setgid or give them
//! capabilities, the RUN flags and `sudo` commands of each stage, and the entrypoint with the
//! scripts it may run.

use std::collections::HashMap;

use crate::model::accounts;
use crate::model::entrypoint::{self, Entrypoint, StepDown};
use crate::model::file_capabilities;
use crate::model::images::is_windows_image;
use crate::model::mode::{self, ModeStep};
use crate::model::{
    Base, Dockerfile, FileCapabilityStep, RunOption, SetuidStep, Stage, StageUser, SudoStep, User,
};
use crate::parse::dockerfile::{self as syntax, Arguments, Instruction};
use crate::shell;
use crate::source::Span;
use crate::text::Text;

/// Shells whose scripts are not POSIX: RUN steps after `SHELL ["powershell", ...]` are not
/// analysed.
const NON_POSIX_SHELLS: &[&str] = &["powershell", "pwsh", "cmd"];

/// Shells that run `-c SCRIPT` in exec form.
const POSIX_SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh"];

/// Builds the model of one parsed Dockerfile.
pub fn build(file: &syntax::Dockerfile, source: crate::source::SourceId) -> Dockerfile {
    build_with_args(file, source, &[])
}

/// Builds the model of a Dockerfile as a build with `--build-arg NAME=VALUE` (or Compose's
/// `build.args`) sees it: each given value replaces the default of the `ARG` of that name.
pub fn build_with_args(
    file: &syntax::Dockerfile,
    source: crate::source::SourceId,
    build_args: &[(String, String)],
) -> Dockerfile {
    let mut builder = Builder {
        file,
        build_args: build_args.iter().cloned().collect(),
        global_args: HashMap::new(),
        stages: Vec::new(),
    };

    for instruction in &file.instructions {
        builder.apply(instruction);
    }

    let stages = builder
        .stages
        .into_iter()
        .map(StageState::into_stage)
        .collect();
    Dockerfile {
        source,
        stages,
        built_by_compose: false,
    }
}

struct Builder<'a> {
    file: &'a syntax::Dockerfile,
    /// Values given at build time; they win over the defaults written in `ARG`.
    build_args: HashMap<String, String>,
    /// `ARG`s declared before the first `FROM`, with their defaults.
    global_args: HashMap<String, Option<String>>,
    stages: Vec<StageState>,
}

/// A stage being built, with the variables in scope at the current instruction.
#[derive(Clone)]
struct StageState {
    stage: Stage,
    args: HashMap<String, String>,
    env: HashMap<String, String>,
    /// False after `SHELL` switches to PowerShell or cmd.
    posix_shell: bool,
    /// Files copied in from the build context: their sources and absolute destination.
    copies: Vec<(Vec<String>, String)>,
    /// The `WORKDIR` in effect, absolute.
    workdir: String,
    /// Every folder a `WORKDIR` of this stage or its parents created, absolute.
    workdirs: Vec<String>,
    /// The programs the `ENTRYPOINT` runs that may be scripts from the build context.
    entrypoint_programs: Vec<String>,
    /// Accounts earlier `RUN` steps gave uid 0, with the step's option, this stage's and its
    /// parent stages'.
    uid_zero_accounts: Vec<(String, Span)>,
}

impl Builder<'_> {
    fn apply(&mut self, instruction: &Instruction) {
        match instruction.keyword.as_str() {
            "FROM" => self.start_stage(instruction),
            "ARG" => self.declare_args(instruction),
            "ENV" => self.set_env(instruction),
            "USER" => self.set_user(instruction),
            "WORKDIR" => self.set_workdir(instruction),
            "ENTRYPOINT" => self.set_entrypoint(instruction),
            "SHELL" => self.set_shell(instruction),
            "RUN" => self.analyse_run(instruction),
            "COPY" | "ADD" => self.analyse_copy(instruction),
            _ => {}
        }
    }

    fn start_stage(&mut self, instruction: &Instruction) {
        let words = instruction.words();
        let global = |name: &str| self.global_args.get(name).cloned().flatten();
        let image = words
            .first()
            .map(|word| syntax::expand_word(&word.value, self.file.escape, &global))
            .unwrap_or_default();
        let name = match words.as_slice() {
            [_, keyword, name, ..] if keyword.value.eq_ignore_ascii_case("as") => {
                Some(name.value.to_ascii_lowercase())
            }
            _ => None,
        };

        let parent = self.stages.iter().position(|state| {
            state.stage.name.as_deref() == Some(image.to_ascii_lowercase().as_str())
        });
        let index = self.stages.len();
        let state = match parent {
            Some(parent) => {
                let mut state = self.stages[parent].clone();
                state.stage.base = Base::Stage(parent);
                state.stage.copies_from.clear();
                state.stage.setuid_steps.clear();
                state.stage.file_capability_steps.clear();
                state.stage.run_options.clear();
                state.stage.sudo_steps.clear();
                state.args.clear();
                state
            }
            None => StageState {
                stage: Stage {
                    index,
                    name: None,
                    span: instruction.span,
                    base: if image.eq_ignore_ascii_case("scratch") {
                        Base::Scratch
                    } else {
                        Base::Image(image.clone())
                    },
                    user: None,
                    copies_from: Vec::new(),
                    setuid_steps: Vec::new(),
                    file_capability_steps: Vec::new(),
                    is_windows: is_windows_image(&image),
                    run_options: Vec::new(),
                    sudo_steps: Vec::new(),
                    entrypoint: None,
                },
                args: HashMap::new(),
                env: HashMap::new(),
                posix_shell: !is_windows_image(&image),
                copies: Vec::new(),
                workdir: "/".to_owned(),
                workdirs: Vec::new(),
                entrypoint_programs: Vec::new(),
                uid_zero_accounts: Vec::new(),
            },
        };

        self.stages.push(state);
        let stage = &mut self.stages[index].stage;
        stage.index = index;
        stage.name = name;
        stage.span = instruction.span;
    }

    fn declare_args(&mut self, instruction: &Instruction) {
        let escape = self.file.escape;
        let Some(state) = self.stages.last_mut() else {
            for pair in instruction.key_values() {
                let lookup = |name: &str| self.global_args.get(name).cloned().flatten();
                let default = pair
                    .value
                    .map(|value| syntax::expand_word(&value.value, escape, &lookup));
                let name = pair.key.value.clone();
                let value = self.build_args.get(&name).cloned().or(default);
                self.global_args.insert(name, value);
            }
            return;
        };

        for pair in instruction.key_values() {
            let name = pair.key.value.clone();
            // A build argument wins; a re-declared global ARG takes the global value unless it
            // gives its own default.
            let value = match (self.build_args.get(&name), pair.value) {
                (Some(given), _) => Some(given.clone()),
                (None, Some(value)) => {
                    Some(syntax::expand_word(&value.value, escape, &state.lookup()))
                }
                (None, None) => self.global_args.get(&name).cloned().flatten(),
            };
            if let Some(value) = value {
                state.args.insert(name, value);
            }
        }
    }

    fn set_env(&mut self, instruction: &Instruction) {
        let escape = self.file.escape;
        let Some(state) = self.stages.last_mut() else {
            return;
        };

        for pair in instruction.key_values() {
            let value = pair.value.map(|value| value.value).unwrap_or_default();
            let value = syntax::expand_word(&value, escape, &state.lookup());
            state.env.insert(pair.key.value.clone(), value);
        }
    }

    fn set_user(&mut self, instruction: &Instruction) {
        let escape = self.file.escape;
        let Some(state) = self.stages.last_mut() else {
            return;
        };
        let Some(word) = instruction.words().into_iter().next() else {
            return;
        };

        let text = syntax::expand_word(&word.value, escape, &state.lookup());
        let mut user = User::parse(&text);
        user.uid_zero_at = state
            .uid_zero_accounts
            .iter()
            .rev()
            .find(|(name, _)| *name == user.name.trim())
            .map(|(_, span)| *span);
        if user.is_windows_account() {
            state.stage.is_windows = true;
        }
        state.stage.user = Some(StageUser {
            user,
            span: instruction.span,
        });
    }

    fn set_shell(&mut self, instruction: &Instruction) {
        let Some(state) = self.stages.last_mut() else {
            return;
        };
        let Arguments::Exec(arguments) = &instruction.arguments else {
            return;
        };
        let Some(program) = arguments.first() else {
            return;
        };

        let name = program_name(&program.value);
        state.posix_shell = !NON_POSIX_SHELLS.contains(&name.as_str());
    }

    fn analyse_run(&mut self, instruction: &Instruction) {
        let escape = self.file.escape;
        let Some(state) = self.stages.last_mut() else {
            return;
        };

        for flag in &instruction.flags {
            if flag.name != "security" && flag.name != "network" {
                continue;
            }
            let value = flag.value.as_ref().map_or(String::new(), |value| {
                syntax::expand_word(&value.value, escape, &state.lookup())
            });
            state.stage.run_options.push(RunOption {
                name: flag.name.clone(),
                value,
                span: flag.span,
            });
        }

        if !state.posix_shell {
            return;
        }

        let owner_is_root = state.runs_as_root();
        for script in run_scripts(instruction) {
            let literals = shell::JoinedLiterals::of(&script.value);
            // Once an account has uid 0, any later account command may give it another uid.
            let may_take_uid_zero_back =
                !state.uid_zero_accounts.is_empty() && accounts::names_account_program(&literals);
            if !literals_may_hold_steps(&literals) && !may_take_uid_zero_back {
                continue;
            }
            let commands = shell::commands(&script.value);
            for step in mode::mode_steps_in(&commands, &state.workdirs) {
                state
                    .stage
                    .setuid_steps
                    .push(setuid_step(&script, step, owner_is_root));
            }
            for step in file_capabilities::setcap_steps(&commands) {
                state.stage.file_capability_steps.push(FileCapabilityStep {
                    span: script.source_span(step.text_range),
                    text: step.text,
                    granted: step.granted,
                    target: step.target,
                    target_written: step
                        .target_range
                        .and_then(|range| script.value.get(range))
                        .map(str::to_owned),
                });
            }
            state
                .stage
                .sudo_steps
                .extend(sudo_steps(&script, &commands));
            for change in accounts::uid_changes(&commands) {
                state
                    .uid_zero_accounts
                    .retain(|(name, _)| *name != change.name);
                if let Some(option) = change.zero {
                    let span = script.source_span(option);
                    state.uid_zero_accounts.push((change.name, span));
                }
            }
        }
    }

    fn set_workdir(&mut self, instruction: &Instruction) {
        let escape = self.file.escape;
        let Some(state) = self.stages.last_mut() else {
            return;
        };
        let Some(word) = instruction.words().into_iter().next() else {
            return;
        };

        let path = syntax::expand_word(&word.value, escape, &state.lookup());
        state.workdir = absolute_in(&state.workdir, &path);
        state.workdirs.push(state.workdir.clone());
    }

    fn set_entrypoint(&mut self, instruction: &Instruction) {
        let Some(state) = self.stages.last_mut() else {
            return;
        };

        let (steps_down, programs) = match &instruction.arguments {
            Arguments::Exec(arguments) => exec_form_entrypoint(arguments),
            Arguments::Shell(line) => shell_form_entrypoint(line),
        };
        state.entrypoint_programs = programs
            .into_iter()
            .map(|program| match program.contains('/') {
                true => absolute_in(&state.workdir, &program),
                false => program,
            })
            .collect();
        state.stage.entrypoint = Some(Entrypoint {
            span: instruction.span,
            steps_down,
            script_candidates: Vec::new(),
        });
    }

    fn analyse_copy(&mut self, instruction: &Instruction) {
        let escape = self.file.escape;
        let stage_names: Vec<Option<String>> = self
            .stages
            .iter()
            .map(|state| state.stage.name.clone())
            .collect();
        let Some(state) = self.stages.last_mut() else {
            return;
        };

        let flag = |name: &str| instruction.flags.iter().find(|flag| flag.name == name);
        if flag("from").is_none() {
            let mut paths: Vec<String> = instruction
                .words()
                .iter()
                .filter(|word| !word.value.starts_with("<<"))
                .map(|word| syntax::expand_word(&word.value, escape, &state.lookup()))
                .collect();
            if let Some(destination) = paths.pop()
                && !paths.is_empty()
            {
                let into_folder = destination.ends_with('/');
                let mut destination = absolute_in(&state.workdir, &destination);
                if into_folder && destination != "/" {
                    destination.push('/');
                }
                state.copies.push((paths, destination));
            }
        }
        if let Some(from) = flag("from").and_then(|flag| flag.value.as_ref()) {
            let from = syntax::expand_word(&from.value, escape, &state.lookup());
            let by_name = stage_names
                .iter()
                .position(|name| name.as_deref() == Some(from.to_ascii_lowercase().as_str()));
            let by_index = from
                .parse::<usize>()
                .ok()
                .filter(|index| *index < state.stage.index);
            if let Some(index) = by_name.or(by_index) {
                state.stage.copies_from.push(index);
            }
        }

        let Some(chmod) = flag("chmod") else {
            return;
        };
        let Some(mode_text) = &chmod.value else {
            return;
        };
        let mode = syntax::expand_word(&mode_text.value, escape, &state.lookup());
        let Some(bits) = mode::special_bits(&mode) else {
            return;
        };
        if !bits.any() {
            return;
        }

        let owner_is_root = match flag("chown").and_then(|flag| flag.value.as_ref()) {
            Some(chown) => User::parse(&chown.value).is_root(),
            None => true,
        };
        let destination = copy_destination(instruction);
        let verbatim_mode = (mode_text.value == mode)
            .then(|| mode_text.verbatim_span(0..mode.len()))
            .flatten();
        state.stage.setuid_steps.push(SetuidStep {
            span: chmod.span,
            mode: format!("--chmod={mode}"),
            bits,
            targets: destination.into_iter().collect(),
            directory: None,
            owner_is_root,
            verbatim_mode,
        });
    }
}

impl StageState {
    /// The finished stage, with the entrypoint's script candidates resolved against every file
    /// the stage copies in, whichever comes first in the file.
    fn into_stage(mut self) -> Stage {
        if let Some(entrypoint) = &mut self.stage.entrypoint {
            for program in &self.entrypoint_programs {
                for candidate in entrypoint::script_candidates(program, &self.copies) {
                    if !entrypoint.script_candidates.contains(&candidate) {
                        entrypoint.script_candidates.push(candidate);
                    }
                }
            }
        }
        self.stage
    }

    /// Variable lookup for word expansion: `ENV` wins over `ARG`.
    fn lookup(&self) -> impl Fn(&str) -> Option<String> + '_ {
        |name: &str| self.env.get(name).or_else(|| self.args.get(name)).cloned()
    }

    /// RUN steps run as the stage's user; with none set, the base image decides, and most run
    /// as root.
    fn runs_as_root(&self) -> bool {
        self.stage
            .user
            .as_ref()
            .is_none_or(|user| user.user.is_root() || user.user.is_empty())
    }
}

/// The scripts a RUN executes with a POSIX shell, each with its map back to the source.
pub fn run_scripts(instruction: &Instruction) -> Vec<Text> {
    match &instruction.arguments {
        Arguments::Shell(line) => shell_form_scripts(line, &instruction.heredocs),
        Arguments::Exec(arguments) => exec_form_script(arguments).into_iter().collect(),
    }
}

/// `RUN <<EOF` alone runs the body as a script file (a shebang picks the interpreter); otherwise
/// the shell runs the line with the heredoc bodies following it, as BuildKit passes them.
fn shell_form_scripts(line: &Text, heredocs: &[syntax::Heredoc]) -> Vec<Text> {
    let only_heredocs = !heredocs.is_empty()
        && line
            .value
            .split_whitespace()
            .all(|word| word.starts_with("<<"))
        && heredocs.len() == line.value.split_whitespace().count();
    if only_heredocs {
        return heredocs
            .iter()
            .filter(|heredoc| is_shell_script(&heredoc.body.value))
            .map(|heredoc| heredoc.body.clone())
            .collect();
    }

    let mut script = redirections_last(line);
    for heredoc in heredocs {
        script.push_synthetic("\n");
        script.push_text(&heredoc.body);
        script.push_synthetic(&heredoc.delimiter);
        script.push_synthetic("\n");
    }
    vec![script]
}

/// `<<EOF python3` as `python3 <<EOF`: the shell applies a redirection written before the
/// command name to that command, but the shell parser only reads it after the name.
fn redirections_last(line: &Text) -> Text {
    let value = &line.value;
    let leading = value.len() - value.trim_start().len();
    let mut end = leading;
    while value[end..].starts_with("<<") {
        let word_end = value[end..]
            .find(char::is_whitespace)
            .map_or(value.len(), |at| end + at);
        end = word_end + (value[word_end..].len() - value[word_end..].trim_start().len());
    }
    if end == leading || end == value.len() {
        return line.clone();
    }

    let mut reordered = line.slice(end..value.len());
    reordered.push_synthetic(" ");
    reordered.push_text(&line.slice(leading..end));
    reordered
}

/// A heredoc script without a shebang runs with the default shell; one with a shebang runs with
/// the program it names.
pub(crate) fn is_shell_script(body: &str) -> bool {
    let Some(shebang) = body.strip_prefix("#!") else {
        return true;
    };
    let interpreter = shebang.lines().next().unwrap_or("");
    let mut words = interpreter.split_whitespace();
    let program = words.next().map(program_name).unwrap_or_default();
    let program = if program == "env" {
        words
            .find(|word| !word.starts_with('-'))
            .map(program_name)
            .unwrap_or_default()
    } else {
        program
    };
    POSIX_SHELLS.contains(&program.as_str())
}

/// Exec form runs a program directly: a shell with `-c SCRIPT` runs the script; any other
/// program is analysed as the one command it is.
fn exec_form_script(arguments: &[Text]) -> Option<Text> {
    let program = program_name(&arguments.first()?.value);
    let dash_c = arguments.iter().position(|argument| argument.value == "-c");
    if let Some(dash_c) = dash_c.filter(|_| POSIX_SHELLS.contains(&program.as_str())) {
        return arguments.get(dash_c + 1).cloned();
    }

    // An argument the shell would change (spaces, quotes, `$`) is single-quoted so the shell
    // analysis sees exactly the word the program gets.
    // LIMITATION: an argument holding a single quote is passed unquoted, so it may be split.
    let mut script = Text::new(arguments[0].source);
    for (index, argument) in arguments.iter().enumerate() {
        if index > 0 {
            script.push_synthetic(" ");
        }
        let is_plain = argument
            .value
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"+-=_./:,@%^".contains(&byte));
        let quoted = !is_plain && !argument.value.contains('\'');
        if quoted {
            script.push_synthetic("'");
        }
        script.push_text(argument);
        if quoted {
            script.push_synthetic("'");
        }
    }
    Some(script)
}

fn setuid_step(script: &Text, step: ModeStep, owner_is_root: bool) -> SetuidStep {
    let range = step.mode_range.clone();
    let word = script.value.get(range.clone()).unwrap_or("");
    let is_quoted = word.len() == step.mode.len() + 2
        && (word.starts_with('"') && word.ends_with('"')
            || word.starts_with('\'') && word.ends_with('\''));
    let mode_range = if word == step.mode {
        Some(range)
    } else if is_quoted && word[1..word.len() - 1] == step.mode {
        Some(range.start + 1..range.end - 1)
    } else {
        None
    };
    SetuidStep {
        verbatim_mode: mode_range.and_then(|range| script.verbatim_span(range)),
        span: script.source_span(step.mode_range.clone()),
        mode: step.mode,
        bits: step.bits,
        targets: step.targets,
        directory: step.directory,
        owner_is_root,
    }
}

/// The last argument of a COPY or ADD: where the files land.
fn copy_destination(instruction: &Instruction) -> Option<String> {
    match &instruction.arguments {
        Arguments::Exec(arguments) => arguments.last().map(|argument| argument.value.clone()),
        Arguments::Shell(_) => instruction.words().last().map(|word| word.value.clone()),
    }
}

/// `/usr/bin/bash` and `bash.exe` are both `bash`.
fn program_name(path: &str) -> String {
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    name.strip_suffix(".exe").map(str::to_owned).unwrap_or(name)
}

/// Whether a RUN script may hold a setuid step, a `setcap` step, a `sudo` command or an account
/// given uid 0. Most scripts hold none, and this look at their words costs a small part of a
/// parse that would find nothing.
pub fn may_hold_steps(script: &str) -> bool {
    literals_may_hold_steps(&shell::JoinedLiterals::of(script))
}

/// [`may_hold_steps`] on a script's words with quotes removed.
fn literals_may_hold_steps(literals: &shell::JoinedLiterals) -> bool {
    literals.contains("sudo")
        || mode::may_set_special_bits(literals)
        || file_capabilities::may_set_file_capabilities(literals)
        || accounts::may_give_uid_zero(literals)
}

/// The `sudo` commands of a script, each with the program it runs when that is literal.
fn sudo_steps(script: &Text, commands: &[shell::Command]) -> Vec<SudoStep> {
    let mut steps = Vec::new();
    for (index, command) in commands.iter().enumerate() {
        if command.program() != Some("sudo") {
            continue;
        }
        // The command sudo runs is listed right after it, starting inside its arguments.
        let arguments_end = command
            .arguments
            .last()
            .map_or(command.name.range.end, |word| word.range.end);
        let runs = commands[index + 1..]
            .iter()
            .find(|next| {
                next.name.range.start > command.name.range.start
                    && next.name.range.end <= arguments_end
            })
            .and_then(|next| next.program().map(str::to_owned));
        steps.push(SudoStep {
            span: script.source_span(command.name.range.clone()),
            runs,
        });
    }
    steps
}

/// An exec-form `ENTRYPOINT`: the step-down program it runs, directly or in its `sh -c` string,
/// and the programs that may be scripts from the build context.
fn exec_form_entrypoint(arguments: &[Text]) -> (Option<StepDown>, Vec<String>) {
    let words: Vec<Option<&str>> = arguments
        .iter()
        .map(|argument| Some(argument.value.as_str()))
        .collect();
    if let Some(index) = entrypoint::shell_script_index(&words) {
        return shell_form_entrypoint(&arguments[index]);
    }

    let steps_down = entrypoint::step_down_index(&words).map(|index| StepDown {
        program: program_name(&arguments[index].value),
        span: arguments[index].span(),
        script: None,
    });
    let programs = entrypoint::entry_program(&words)
        .map(str::to_owned)
        .into_iter()
        .collect();
    (steps_down, programs)
}

/// A shell-form `ENTRYPOINT` (or an `sh -c` string): the first command that steps down, and the
/// program of each command.
fn shell_form_entrypoint(script: &Text) -> (Option<StepDown>, Vec<String>) {
    let steps_down =
        entrypoint::step_down_in_script(&script.value).map(|(program, range)| StepDown {
            program,
            span: script.source_span(range),
            script: None,
        });
    let mut programs = Vec::new();
    for command in shell::commands(&script.value) {
        let mut words = vec![command.name.literal.as_deref()];
        words.extend(command.arguments.iter().map(|word| word.literal.as_deref()));
        if let Some(program) = entrypoint::entry_program(&words) {
            programs.push(program.to_owned());
        }
    }
    (steps_down, programs)
}

/// `path` made absolute against `workdir`, with `.` and `..` folded.
fn absolute_in(workdir: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("{}/{path}", workdir.trim_end_matches('/'))
    };
    crate::model::mounts::normalise_absolute(&joined).unwrap_or(joined)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceId;

    fn model_of(text: &str) -> Dockerfile {
        let syntax = syntax::parse(SourceId(0), text);
        assert!(syntax.errors.is_empty(), "{:?}", syntax.errors);
        build(&syntax, SourceId(0))
    }

    fn steps_of(text: &str) -> Vec<String> {
        let model = model_of(text);
        let mut steps = Vec::new();
        for stage in &model.stages {
            for step in &stage.setuid_steps {
                steps.push(text[step.span.start..step.span.end].to_owned());
            }
        }
        steps
    }

    #[test]
    fn run_flags_that_widen_a_step_are_kept_per_stage() {
        let text = "FROM alpine AS build\nARG NET=host\n\
                    RUN --network=$NET --mount=type=cache,target=/c make\n\
                    FROM build\nRUN --security=insecure true\n";

        let model = model_of(text);

        let options = |index: usize| -> Vec<(String, String, &str)> {
            model.stages[index]
                .run_options
                .iter()
                .map(|option| {
                    let written = &text[option.span.start..option.span.end];
                    (option.name.clone(), option.value.clone(), written)
                })
                .collect()
        };
        assert_eq!(
            options(0),
            [("network".to_owned(), "host".to_owned(), "--network=$NET")]
        );
        assert_eq!(
            options(1),
            [(
                "security".to_owned(),
                "insecure".to_owned(),
                "--security=insecure"
            )]
        );
    }

    #[test]
    fn a_later_step_that_gives_the_account_another_uid_ends_its_root_alias() {
        let text = "FROM debian AS base\nRUN useradd -o -u 0 app && useradd -o -u 0 ops\n\
                    RUN usermod -u 1000 app\nUSER app\nFROM base\nUSER ops\n";

        let model = model_of(text);

        let aliases: Vec<bool> = model
            .stages
            .iter()
            .map(|stage| {
                stage
                    .user
                    .as_ref()
                    .is_some_and(|stage_user| stage_user.user.uid_zero_at.is_some())
            })
            .collect();
        assert_eq!(aliases, [false, true]);
    }

    #[test]
    fn a_quoted_account_program_still_ends_a_root_alias() {
        let text = "FROM debian\nRUN useradd -o -u 0 app\nRUN user''mod -u 1000 app\nUSER app\n";

        let model = model_of(text);

        let user = model.stages[0].user.as_ref().expect("a user");
        assert_eq!(user.user.uid_zero_at, None);
    }

    #[test]
    fn sudo_is_found_in_chains_and_heredocs_with_what_it_runs() {
        let text = "FROM ubuntu\nRUN apt-get update && sudo -E apt-get install -y curl\n\
                    RUN <<EOF\nsudo chown app /srv\nEOF\n\
                    RUN apt-get install -y sudo && command -v sudo\n";

        let model = model_of(text);

        let steps: Vec<(&str, Option<&str>)> = model.stages[0]
            .sudo_steps
            .iter()
            .map(|step| (&text[step.span.start..step.span.end], step.runs.as_deref()))
            .collect();
        assert_eq!(steps, [("sudo", Some("apt-get")), ("sudo", Some("chown"))]);
    }

    #[test]
    fn double_parentheses_in_a_run_pass_the_look_that_skips_scripts() {
        let text = "FROM debian:12\nRUN ((chmod 4755 /bin/x))\nRUN (((sudo id)))\n\
                    RUN ((chmod u+s /bin/y) && true)\nRUN i=0; ((i++)); echo $i\n";

        let model = model_of(text);

        let sudo: Vec<(&str, Option<&str>)> = model.stages[0]
            .sudo_steps
            .iter()
            .map(|step| (&text[step.span.start..step.span.end], step.runs.as_deref()))
            .collect();
        assert_eq!(steps_of(text), ["4755", "u+s"]);
        assert_eq!(sudo, [("sudo", Some("id"))]);
    }

    #[test]
    fn entrypoints_step_down_or_name_scripts_from_the_context() {
        let text = "FROM alpine AS base\nWORKDIR /app\nCOPY docker/entrypoint.sh ./bin/start\n\
                    ENTRYPOINT [\"/sbin/tini\", \"--\", \"./bin/start\"]\n\
                    FROM base AS direct\nENTRYPOINT exec gosu app server\n\
                    FROM base AS inherited\nCMD [\"server\"]\n";

        let model = model_of(text);

        let base = model.stages[0].entrypoint.as_ref().expect("entrypoint");
        assert!(base.steps_down.is_none());
        assert_eq!(base.script_candidates, ["docker/entrypoint.sh"]);
        let direct = model.stages[1].entrypoint.as_ref().expect("entrypoint");
        let step = direct.steps_down.as_ref().expect("steps down");
        assert_eq!(step.program, "gosu");
        assert_eq!(&text[step.span.start..step.span.end], "gosu");
        let inherited = model.stages[2].entrypoint.as_ref().expect("entrypoint");
        assert_eq!(inherited.script_candidates, ["docker/entrypoint.sh"]);
    }

    #[test]
    fn heredoc_read_by_a_shell_on_a_continuation_line_is_a_script() {
        let text =
            "FROM alpine\nRUN apk add shadow && \\\n    sh <<SCRIPT\nchmod g+s /var/x\nSCRIPT\n";

        assert_eq!(steps_of(text), ["g+s"]);
    }
}
