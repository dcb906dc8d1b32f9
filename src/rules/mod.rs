//! The rule registry and the context every rule reports through.

mod cap_drop_all_missing;
mod dangerous_capability;
mod docker_socket_mount;
mod file_capability;
mod host_namespace;
mod insecure_build_step;
mod no_new_privileges_missing;
mod privileged_service;
mod root_user;
mod sensitive_host_mount;
mod setuid_bit;
mod sudo_in_run;
#[cfg(test)]
mod test_support;
mod unconfined_profile;

use std::sync::OnceLock;

use crate::config::{Settings, SourceSettings};
use crate::diagnostic::{Diagnostic, Severity};
use crate::docs::{self, RuleDoc};
use crate::model::Model;
use crate::source::{SourceId, Span};

pub(crate) use no_new_privileges_missing::NAME as NO_NEW_PRIVILEGES_MISSING;

/// The reserved rule for input that cannot be read; it has a document but no check.
pub const PARSE_ERROR: &str = "parse-error";

/// Reserved for a suppression comment without a reason when the configuration requires one;
/// reported by the suppression pass (`src/suppress.rs`).
pub const SUPPRESSION_WITHOUT_REASON: &str = "suppression-without-reason";

/// Reserved for a suppression comment that suppresses nothing; reported by the suppression pass.
pub const UNUSED_SUPPRESSION: &str = "unused-suppression";

/// Rules with a document but no check: their diagnostics come from the loaders and the
/// suppression pass.
pub const RESERVED_RULES: &[&str] = &[
    COMPOSE_SCHEMA,
    PARSE_ERROR,
    SUPPRESSION_WITHOUT_REASON,
    UNUSED_SUPPRESSION,
];

/// Reserved for a Compose file that breaks the Compose specification's schema; reported by the
/// Compose loader.
pub const COMPOSE_SCHEMA: &str = "compose-schema";

/// A rule: its name and its check.
pub struct Rule {
    pub name: &'static str,
    pub check: fn(&Model, &mut Context<'_>),
}

/// Every rule with a check, alphabetical.
pub const RULES: &[Rule] = &[
    Rule {
        name: cap_drop_all_missing::NAME,
        check: cap_drop_all_missing::check,
    },
    Rule {
        name: dangerous_capability::NAME,
        check: dangerous_capability::check,
    },
    Rule {
        name: docker_socket_mount::NAME,
        check: docker_socket_mount::check,
    },
    Rule {
        name: file_capability::NAME,
        check: file_capability::check,
    },
    Rule {
        name: host_namespace::NAME,
        check: host_namespace::check,
    },
    Rule {
        name: insecure_build_step::NAME,
        check: insecure_build_step::check,
    },
    Rule {
        name: no_new_privileges_missing::NAME,
        check: no_new_privileges_missing::check,
    },
    Rule {
        name: privileged_service::NAME,
        check: privileged_service::check,
    },
    Rule {
        name: root_user::NAME,
        check: root_user::check,
    },
    Rule {
        name: sensitive_host_mount::NAME,
        check: sensitive_host_mount::check,
    },
    Rule {
        name: setuid_bit::NAME,
        check: setuid_bit::check,
    },
    Rule {
        name: sudo_in_run::NAME,
        check: sudo_in_run::check,
    },
    Rule {
        name: unconfined_profile::NAME,
        check: unconfined_profile::check,
    },
];

/// What a rule reads its settings from and reports into.
pub struct Context<'a> {
    settings: &'a SourceSettings,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Context<'a> {
    pub fn new(settings: &'a SourceSettings) -> Self {
        Self {
            settings,
            diagnostics: Vec::new(),
        }
    }

    /// The settings of the file a value was written in: its allowlists and runtime assumptions.
    pub fn settings(&self, source: SourceId) -> &'a Settings {
        self.settings.get(source)
    }

    /// Reports a diagnostic at the rule's default severity; the returned value can be refined
    /// (severity, related locations).
    pub fn report(&mut self, rule: &'static str, span: Span, message: String) -> &mut Diagnostic {
        let severity = default_severity(rule);
        self.diagnostics
            .push(Diagnostic::new(rule, severity, span, message));
        self.diagnostics
            .last_mut()
            .expect("a diagnostic was just pushed")
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
}

/// Runs every rule over the model, the rules on every core; the diagnostics come in the order
/// of [`RULES`], as if the rules ran one after the other.
pub fn run_all(model: &Model, settings: &SourceSettings) -> Vec<Diagnostic> {
    let by_rule = crate::parallel::map(RULES, |rule| {
        log::trace!("running rule {}", rule.name);
        let mut context = Context::new(settings);
        (rule.check)(model, &mut context);
        context.into_diagnostics()
    });
    by_rule.into_iter().flatten().collect()
}

/// A rule's severity as its document's header gives it.
pub fn default_severity(rule: &str) -> Severity {
    rule_docs()
        .iter()
        .find(|doc| doc.name == rule)
        .map_or(Severity::Error, |doc| doc.severity)
}

/// The rule documents, parsed once, on first use.
pub fn rule_docs() -> &'static [RuleDoc] {
    static DOCS: OnceLock<Vec<RuleDoc>> = OnceLock::new();
    DOCS.get_or_init(docs::all_rule_docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_a_document_and_every_document_a_rule() {
        let mut rule_names: Vec<&str> = RULES.iter().map(|rule| rule.name).collect();
        rule_names.extend(RESERVED_RULES);
        rule_names.sort_unstable();

        let doc_names: Vec<&str> = rule_docs().iter().map(|doc| doc.name).collect();

        assert_eq!(rule_names, doc_names);
    }

    #[test]
    fn rules_are_listed_alphabetically() {
        let names: Vec<&str> = RULES.iter().map(|rule| rule.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();

        assert_eq!(names, sorted);
    }
}
