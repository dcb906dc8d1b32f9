//! Fixes: the text edits a rule offers with a diagnostic, and applying them to files without
//! disturbing their formatting (`check --fix`, `--diff`, the editor's code actions).
//!
//! A rule builds its fix from positions in the model (`compose` and `mode` hold the builders);
//! `apply` merges the edits of many fixes into one text, `verify` checks that a fixed file still
//! reads as intended, and `session` runs the fix, re-lint loop of `check --fix`.

pub mod apply;
pub mod compose;
pub mod diff;
pub mod mode;
pub mod session;
pub mod verify;

use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Whether a fix keeps what the container can do: `--fix` applies safe fixes, unsafe ones only
/// with `--unsafe-fixes`, since they change behaviour a service may rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    Safe,
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// One replacement of a byte range of a source; an empty span inserts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

impl Edit {
    pub fn insert(at: Span, text: impl Into<String>) -> Self {
        Self {
            span: Span::new(at.source, at.start, at.start),
            replacement: text.into(),
        }
    }

    pub fn replace(span: Span, text: impl Into<String>) -> Self {
        Self {
            span,
            replacement: text.into(),
        }
    }
}

/// How to fix a diagnostic: what the fix does, in words, and the edits that do it, or why no
/// edit can be made safely (the value comes from interpolation, the file lies outside the
/// linted paths).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, lower-case and imperative: ``add `ALL` to `cap_drop` ``.
    pub description: String,
    pub edits: Result<Vec<Edit>, String>,
}

impl Fix {
    pub fn new(
        applicability: Applicability,
        description: impl Into<String>,
        edits: Result<Vec<Edit>, String>,
    ) -> Self {
        Self {
            applicability,
            description: description.into(),
            edits,
        }
    }

    /// The edits when the fix can be applied at this applicability: safe fixes always, unsafe
    /// ones when `unsafe_fixes` allows them.
    pub fn applicable_edits(&self, unsafe_fixes: bool) -> Option<&[Edit]> {
        if self.applicability == Applicability::Unsafe && !unsafe_fixes {
            return None;
        }
        self.edits.as_deref().ok().filter(|edits| !edits.is_empty())
    }

    /// Why no edit is made, when none can be.
    pub fn refusal(&self) -> Option<&str> {
        self.edits.as_ref().err().map(String::as_str)
    }

    /// Withdraws the edits, keeping the description, with the reason shown to the user.
    pub fn refuse(&mut self, reason: impl Into<String>) {
        self.edits = Err(reason.into());
    }
}

/// The summary's note on fixes: how many diagnostics `--fix` would fix, and how many more
/// `--unsafe-fixes` would; after `--fix` (`fixing`), only what unsafe fixes could still do.
pub fn hint(diagnostics: &[Diagnostic], fixing: bool, unsafe_fixes: bool) -> Option<String> {
    let count = |applicability: Applicability| {
        diagnostics
            .iter()
            .filter_map(|diagnostic| diagnostic.fix.as_ref())
            .filter(|fix| fix.applicability == applicability && fix.edits.is_ok())
            .count()
    };
    let (safe, unsafe_) = (count(Applicability::Safe), count(Applicability::Unsafe));
    let with_fix = if unsafe_fixes { safe + unsafe_ } else { safe };
    let with_unsafe = if unsafe_fixes { 0 } else { unsafe_ };

    match (fixing, with_fix, with_unsafe) {
        (true, _, 0) | (false, 0, 0) => None,
        (true, _, more) => Some(format!("{more} fixable with `--fix --unsafe-fixes`")),
        (false, fixable, 0) => Some(format!("{fixable} fixable with `--fix`")),
        (false, 0, more) => Some(format!("{more} fixable with `--fix --unsafe-fixes`")),
        (false, fixable, more) => Some(format!(
            "{fixable} fixable with `--fix`, {more} more with `--unsafe-fixes`"
        )),
    }
}

/// What a fix run did, for standard error: `fixed 3 diagnostics in 2 files`, or with `--diff`
/// (nothing written) `would fix ...`.
pub fn describe_fixed(outcome: &session::FixOutcome) -> String {
    let diagnostics = match outcome.fixed {
        1 => "1 diagnostic".to_owned(),
        count => format!("{count} diagnostics"),
    };
    let files = match outcome.changes.len() {
        1 => "1 file".to_owned(),
        count => format!("{count} files"),
    };
    if outcome.changes.is_empty() {
        return "nothing to fix".to_owned();
    }
    if outcome.written {
        format!("fixed {diagnostics} in {files}")
    } else {
        format!("would fix {diagnostics} in {files}")
    }
}
