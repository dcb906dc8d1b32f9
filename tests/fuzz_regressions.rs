//! Replays the inputs the fuzz targets once crashed on (`fuzz/regressions/<target>/`), through
//! the same entry points the targets call, so a fixed crash stays fixed without the fuzzer.

use std::path::Path;

fn replay(target: &str, run: fn(&str)) -> usize {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return 0;
    };
    let mut replayed = 0;
    for entry in entries {
        let path = entry.expect("a readable folder").path();
        let bytes = std::fs::read(&path).expect("a readable input");
        // The targets skip input that is not UTF-8, as escalint reports it as not text.
        if let Ok(text) = std::str::from_utf8(&bytes) {
            eprintln!("replaying {}", path.display());
            run(text);
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn dockerfile_parser_regressions_pass() {
    replay("dockerfile_parser", escalint::fuzzing::dockerfile);
}

#[test]
fn compose_loader_regressions_pass() {
    replay("compose_loader", escalint::fuzzing::compose);
}

#[test]
fn shell_commands_regressions_pass() {
    replay("shell_commands", escalint::fuzzing::shell);
}
