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
