//! Entry points for the fuzz targets in `fuzz/` and for the regression test that replays what
//! they found (`tests/fuzz_regressions.rs`): each runs one stage of the pipeline on any text and
//! panics when a span it produced does not lie on character boundaries inside the text, since
//! reporters slice the text with those spans.

use std::path::PathBuf;

use crate::model::compose::{self, LoadOptions};
use crate::parse::dockerfile;
use crate::source::{Source, SourceId, Sources, Span};

/// Parses and models a Dockerfile; the model runs the shell analysis on every RUN script.
pub fn dockerfile(text: &str) {
    let source = SourceId(0);
    let syntax = dockerfile::parse(source, text);
    for instruction in &syntax.instructions {
        check_span(text, instruction.span, "instruction");
        check_span(text, instruction.keyword_span, "keyword");
        for flag in &instruction.flags {
            check_span(text, flag.span, "flag");
        }
        let _ = instruction.words();
        let _ = instruction.key_values();
    }
    for error in &syntax.errors {
        check_span(text, error.span, "parse error");
    }

    let model = crate::model::dockerfile::build(&syntax, source);
    for stage in &model.stages {
        check_span(text, stage.span, "stage");
        for step in &stage.setuid_steps {
            check_span(text, step.span, "setuid step");
        }
        for step in &stage.file_capability_steps {
            check_span(text, step.span, "setcap step");
        }
    }
}

/// Loads a Compose file as a project of its own, in a folder that does not exist, so `extends`,
/// `include` and `.env` files lead nowhere.
pub fn compose(text: &str) {
    let mut sources = Sources::default();
    let path = PathBuf::from("/nonexistent/escalint-fuzz/compose.yaml");
    let id = sources.add(Source::new(
        "compose.yaml".to_owned(),
        path,
        text.to_owned(),
    ));

    let loaded = compose::load(&mut sources, id, &LoadOptions::default());

    for diagnostic in &loaded.diagnostics {
        let source_text = &sources.get(diagnostic.span.source).text;
        check_span(source_text, diagnostic.span, "diagnostic");
    }
    for service in &loaded.compose.services {
        let source_text = &sources.get(service.key_span.source).text;
        check_span(source_text, service.key_span, "service key");
    }
}

/// Lists a script's commands and reads its setuid and setcap steps; a script with a step or
/// `sudo` must not be one the model skips.
pub fn shell(script: &str) {
    let commands = crate::shell::commands(script);
    for command in &commands {
        for word in std::iter::once(&command.name).chain(&command.arguments) {
            let range = word.range.clone();
            assert!(
                script.get(range.clone()).is_some(),
                "word range {range:?} is not a slice of the {}-byte script",
                script.len()
            );
        }
    }
    let steps = crate::model::mode::mode_steps(&commands);
    for step in &steps {
        assert!(script.get(step.mode_range.clone()).is_some());
    }
    let setcap_steps = crate::model::file_capabilities::setcap_steps(&commands);
    for step in &setcap_steps {
        assert!(script.get(step.text_range.clone()).is_some());
    }

    // The model skips the parse of scripts this look rejects: it must see every step, sudo and
    // account given uid 0.
    let runs_sudo = commands
        .iter()
        .any(|command| command.program() == Some("sudo"));
    let gives_uid_zero = !crate::model::accounts::uid_zero_accounts(&commands).is_empty();
    if runs_sudo || gives_uid_zero || !steps.is_empty() || !setcap_steps.is_empty() {
        assert!(
            crate::model::dockerfile::may_hold_steps(script),
            "a script with a setuid or setcap step, sudo or a uid 0 account would be skipped"
        );
    }
}

fn check_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && text.get(span.start..span.end).is_some(),
        "{what} span {}..{} is not a slice of the {}-byte text",
        span.start,
        span.end,
        text.len()
    );
}
