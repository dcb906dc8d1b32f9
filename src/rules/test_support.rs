//! Helpers for rule unit tests: a model from Compose text, and the diagnostics of one rule.

use crate::config::SourceSettings;
use crate::diagnostic::Diagnostic;
use crate::model::compose::{LoadOptions, load};
use crate::model::{Allowances, Model};
use crate::rules::Context;
use crate::source::{Source, Sources};

/// The model of one Compose file, with the given allowances, and its sources.
pub(crate) fn compose_model(text: &str, allowances: Allowances) -> (Model, Sources) {
    let mut sources = Sources::default();
    let path = std::env::temp_dir().join("escalint-rule-test/compose.yaml");
    let id = sources.add(Source::new(
        "compose.yaml".to_owned(),
        path,
        text.to_owned(),
    ));
    let loaded = load(&mut sources, id, &LoadOptions::default());
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let model = Model {
        composes: vec![loaded.compose],
        allowances,
        ..Model::default()
    };
    (model, sources)
}

/// The messages a check reports on a model.
pub(crate) fn messages(check: fn(&Model, &mut Context), model: &Model) -> Vec<String> {
    let settings = SourceSettings::default();
    let mut context = Context::new(&settings);
    check(model, &mut context);
    context
        .into_diagnostics()
        .into_iter()
        .map(|diagnostic: Diagnostic| diagnostic.message)
        .collect()
}
