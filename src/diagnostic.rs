//! Diagnostics: what the rules report and every reporter renders.

use serde::Serialize;

use crate::fix::Fix;
use crate::source::Span;

/// How serious a diagnostic is; the names are SARIF's level names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A second place that explains a diagnostic (the `USER` line that decides a service's user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// One reported problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    pub related: Vec<Related>,
    /// The edits that fix it, when the rule offers them (`check --fix`, code actions).
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(rule: &'static str, severity: Severity, span: Span, message: String) -> Self {
        Self {
            rule,
            severity,
            message,
            span,
            related: Vec::new(),
            fix: None,
        }
    }

    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    pub fn set_fix(&mut self, fix: Fix) -> &mut Self {
        self.fix = Some(fix);
        self
    }

    /// Shows where a value written elsewhere takes effect (an alias of an anchor, an `extends`),
    /// when `used_at` says so; the diagnostic itself points where the value was written.
    pub fn note_use(&mut self, used_at: Option<Span>) -> &mut Self {
        if let Some(span) = used_at.filter(|span| *span != self.span) {
            self.related.push(Related {
                span,
                message: "used here".to_owned(),
            });
        }
        self
    }
}
