//! Entrypoints that start as root and step down to another user: `gosu`, `su-exec`, `setpriv`,
//! `runuser`, `chroot --userspec`, written in the entrypoint itself or in a script it runs that
//! the build copies from its context.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::model::Model;
use crate::paths;
use crate::shell;
use crate::source::{Source, Sources, Span};

/// A container's entrypoint as far as it decides the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entrypoint {
    /// The `ENTRYPOINT` instruction or the `entrypoint:` value.
    pub span: Span,
    pub steps_down: Option<StepDown>,
    /// Build-context paths that may hold the entrypoint script, from the `COPY`/`ADD` steps
    /// that put a file of its name in the image; read once the build context is known.
    pub script_candidates: Vec<String>,
}

/// A program that runs the container's process as another user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepDown {
    /// `gosu`, `su-exec`, `setpriv`, `runuser` or `chroot`.
    pub program: String,
    /// Where the program is run: in the entrypoint or in its script.
    pub span: Span,
    /// The build-context path of the script that runs it, when it is not the entrypoint itself.
    pub script: Option<String>,
}

/// Init programs that run the command after their options: `tini -- gosu app server`.
const INIT_PROGRAMS: &[&str] = &[
    "tini",
    "tini-static",
    "dumb-init",
    "catatonit",
    "docker-init",
];

/// Shells that run a script file or a `-c` string.
const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh"];

/// Entrypoint scripts larger than this are not read.
const MAX_SCRIPT_BYTES: u64 = 1024 * 1024;

/// The index of the word that steps down in one command's words, after any init program:
/// `gosu`, `su-exec` and `runuser` always change the user; `setpriv` only with `--reuid`,
/// `--ruid` or `--euid`, and `chroot` only with `--userspec`.
pub fn step_down_index(words: &[Option<&str>]) -> Option<usize> {
    let index = skip_init_programs(words);
    let program = file_name(words.get(index).copied().flatten()?);
    let arguments = || words[index + 1..].iter().flatten();
    let steps_down = match program {
        "gosu" | "su-exec" | "runuser" => true,
        "setpriv" => arguments().any(|argument| {
            ["--reuid", "--ruid", "--euid"]
                .iter()
                .any(|option| argument.starts_with(option))
        }),
        "chroot" => arguments().any(|argument| argument.starts_with("--userspec")),
        _ => false,
    };
    steps_down.then_some(index)
}

/// The program an entrypoint starts that may be a script from the build context: the first
/// program after any init, or the file a shell runs (`sh /entrypoint.sh`); `None` for `sh -c`.
pub fn entry_program<'a>(words: &[Option<&'a str>]) -> Option<&'a str> {
    let index = skip_init_programs(words);
    let program = words.get(index).copied().flatten()?;
    if !SHELLS.contains(&file_name(program)) {
        return Some(program);
    }

    let arguments = &words[index + 1..];
    if arguments.iter().flatten().any(|argument| *argument == "-c") {
        return None;
    }
    arguments
        .iter()
        .flatten()
        .find(|argument| !argument.starts_with('-'))
        .copied()
}

/// The `-c` script of a shell entrypoint (`["/bin/sh", "-c", "exec gosu app server"]`), as an
/// index into the words.
pub fn shell_script_index(words: &[Option<&str>]) -> Option<usize> {
    let index = skip_init_programs(words);
    let program = file_name(words.get(index).copied().flatten()?);
    if !SHELLS.contains(&program) {
        return None;
    }
    let dash_c = words[index + 1..]
        .iter()
        .position(|word| *word == Some("-c"))?;
    let script = index + 1 + dash_c + 1;
    (script < words.len()).then_some(script)
}

/// The first command of a script that steps down, with the range of its program word.
pub fn step_down_in_script(script: &str) -> Option<(String, std::ops::Range<usize>)> {
    for command in shell::commands(script) {
        let mut words = vec![command.name.literal.as_deref()];
        words.extend(command.arguments.iter().map(|word| word.literal.as_deref()));
        let Some(index) = step_down_index(&words) else {
            continue;
        };
        let word = if index == 0 {
            &command.name
        } else {
            &command.arguments[index - 1]
        };
        let program = file_name(word.literal.as_deref().unwrap_or_default()).to_owned();
        return Some((program, word.range.clone()));
    }
    None
}

/// The build-context paths that may hold the file an entrypoint runs, given the files the stage
/// copies in: `(sources, destination)` of each `COPY`/`ADD` from the context, destinations
/// absolute. `program` is absolute, or a bare name looked up on `PATH`.
pub fn script_candidates(program: &str, copies: &[(Vec<String>, String)]) -> Vec<String> {
    let program_name = file_name(program);
    let is_bare = !program.contains('/');
    let mut candidates = Vec::new();
    for (sources, destination) in copies {
        let into_directory = destination.ends_with('/') || sources.len() > 1;
        let destination = destination.trim_end_matches('/');
        for source in sources {
            let source = source.trim_start_matches("./").trim_end_matches('/');
            let source_name = file_name(source);
            if into_directory {
                // The file keeps its name inside the destination folder; a copied folder puts
                // its contents there.
                let landed = format!("{destination}/{source_name}");
                if source_name == program_name && (is_bare || landed == program) {
                    candidates.push(source.to_owned());
                }
                let parent_matches = Path::new(program)
                    .parent()
                    .is_some_and(|parent| parent == Path::new(destination));
                if is_bare || parent_matches {
                    candidates.push(join(source_directory(source), program_name));
                }
                continue;
            }

            let destination_name = file_name(destination);
            if destination_name == program_name && (is_bare || destination == program) {
                candidates.push(source.to_owned());
            }
            if let Some(rest) = program.strip_prefix(destination)
                && rest.starts_with('/')
            {
                candidates.push(join(source, rest.trim_start_matches('/')));
            }
        }
    }
    let mut unique: Vec<String> = Vec::new();
    for candidate in candidates {
        if !unique.contains(&candidate) {
            unique.push(candidate);
        }
    }
    unique
}

/// Reads the entrypoint scripts the model's Dockerfiles copy from their build contexts and
/// records the ones that step down. A Dockerfile's context is the one a Compose service builds
/// it with, else its own folder; scripts read are added to `sources` for related locations.
pub fn read_scripts(model: &mut Model, sources: &mut Sources) {
    let mut contexts: HashMap<usize, PathBuf> = HashMap::new();
    for compose in &model.composes {
        for service in &compose.services {
            if let (Some(index), Some(build)) = (service.built, &service.build) {
                contexts
                    .entry(index)
                    .or_insert_with(|| build.context.clone());
            }
        }
    }

    for (index, dockerfile) in model.dockerfiles.iter_mut().enumerate() {
        let context = match contexts.get(&index) {
            Some(context) => context.clone(),
            None => {
                let path = &sources.get(dockerfile.source).path;
                path.parent().map(Path::to_path_buf).unwrap_or_default()
            }
        };
        for stage in &mut dockerfile.stages {
            let Some(entrypoint) = &mut stage.entrypoint else {
                continue;
            };
            if entrypoint.steps_down.is_some() {
                continue;
            }
            for candidate in &entrypoint.script_candidates {
                if let Some(step) = step_down_in_file(&context, candidate, sources) {
                    entrypoint.steps_down = Some(step);
                    break;
                }
            }
        }
    }
}

fn step_down_in_file(context: &Path, candidate: &str, sources: &mut Sources) -> Option<StepDown> {
    let path = context.join(candidate);
    let metadata = std::fs::metadata(&path).ok()?;
    if !metadata.is_file() || metadata.len() > MAX_SCRIPT_BYTES {
        return None;
    }

    let id = match sources.find(&path) {
        Some(id) => id,
        None => {
            let text = std::fs::read_to_string(&path).ok()?;
            log::trace!("reading entrypoint script {}", path.display());
            sources.add(Source::new(paths::display(&path), path.clone(), text))
        }
    };
    let text = &sources.get(id).text;
    if !crate::model::dockerfile::is_shell_script(text) {
        return None;
    }

    let (program, range) = step_down_in_script(text)?;
    Some(StepDown {
        program,
        span: Span::new(id, range.start, range.end),
        script: Some(candidate.to_owned()),
    })
}

fn skip_init_programs(words: &[Option<&str>]) -> usize {
    let mut index = 0;
    while let Some(Some(word)) = words.get(index)
        && INIT_PROGRAMS.contains(&file_name(word))
    {
        index += 1;
        while let Some(Some(option)) = words.get(index)
            && option.starts_with('-')
        {
            index += 1;
            if *option == "--" {
                break;
            }
        }
    }
    index
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The folder part of a context path (`scripts` for `scripts/*.sh`), empty for the context root.
fn source_directory(source: &str) -> &str {
    if !source.contains(['*', '?', '[']) && !source.contains('.') {
        return source;
    }
    source.rsplit_once('/').map_or("", |(folder, _)| folder)
}

fn join(folder: &str, name: &str) -> String {
    if folder.is_empty() || folder == "." {
        name.to_owned()
    } else {
        format!("{folder}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Option<&str>> {
        text.split_whitespace().map(Some).collect()
    }

    #[test]
    fn step_down_programs_and_their_conditions() {
        assert_eq!(step_down_index(&words("gosu app server")), Some(0));
        assert_eq!(
            step_down_index(&words("/sbin/tini -- su-exec app server")),
            Some(2)
        );
        assert_eq!(step_down_index(&words("dumb-init gosu app x")), Some(1));
        assert_eq!(
            step_down_index(&words("setpriv --reuid=1000 --regid=1000 --init-groups x")),
            Some(0)
        );
        assert_eq!(step_down_index(&words("setpriv --no-new-privs x")), None);
        assert_eq!(
            step_down_index(&words("chroot --userspec=app / x")),
            Some(0)
        );
        assert_eq!(step_down_index(&words("chroot /srv x")), None);
        assert_eq!(step_down_index(&words("/docker-entrypoint.sh")), None);
    }

    #[test]
    fn scripts_step_down_through_exec_and_conditions() {
        let script = "#!/bin/sh\nset -e\nif [ \"$(id -u)\" = 0 ]; then\n  \
                      exec su-exec app \"$0\" \"$@\"\nfi\nexec \"$@\"\n";
        let (program, range) = step_down_in_script(script).expect("steps down");
        assert_eq!(program, "su-exec");
        assert_eq!(&script[range], "su-exec");
        assert_eq!(step_down_in_script("#!/bin/sh\nexec \"$@\"\n"), None);
        assert_eq!(step_down_in_script("command -v gosu\n"), None);
    }

    #[test]
    fn entry_program_behind_inits_and_shells() {
        assert_eq!(
            entry_program(&words("tini -- /entrypoint.sh")),
            Some("/entrypoint.sh")
        );
        assert_eq!(
            entry_program(&words("/bin/sh /entrypoint.sh")),
            Some("/entrypoint.sh")
        );
        assert_eq!(entry_program(&words("sh -c x")), None);
        assert_eq!(shell_script_index(&words("/bin/sh -c x")), Some(2));
    }

    #[test]
    fn candidates_follow_the_copy_destination() {
        let copies = vec![
            (
                vec!["docker-entrypoint.sh".to_owned()],
                "/usr/local/bin/".to_owned(),
            ),
            (
                vec!["scripts/start.sh".to_owned()],
                "/entrypoint.sh".to_owned(),
            ),
            (vec![".".to_owned()], "/app".to_owned()),
        ];

        assert_eq!(
            script_candidates("docker-entrypoint.sh", &copies),
            ["docker-entrypoint.sh"]
        );
        assert_eq!(
            script_candidates("/entrypoint.sh", &copies),
            ["scripts/start.sh"]
        );
        assert_eq!(script_candidates("/app/bin/run", &copies), ["bin/run"]);
        assert!(script_candidates("/usr/bin/python3", &copies).is_empty());
    }
}
