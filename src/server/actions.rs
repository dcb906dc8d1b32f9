//! Code actions: each diagnostic's fix as a quick fix on it, and "fix all" for a document
//! (`source.fixAll.escalint`), which applies its safe fixes as `check --fix` would, in as many
//! rounds as they need.

use std::collections::HashMap;
use std::path::Path;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Position, Range, TextEdit,
    Uri, WorkspaceEdit,
};
use similar::{DiffOp, TextDiff};

use crate::diagnostic::Diagnostic;
use crate::discover::{self, Kind};
use crate::fix::apply::{self, EditSet};
use crate::fix::session::{self, FixOptions};
use crate::fix::{Applicability, Edit, Fix, verify};
use crate::lint::LintOptions;
use crate::server::convert;
use crate::source::{Source, Sources};

/// The kind of the action that applies every safe fix of a document.
pub const FIX_ALL: &str = "source.fixAll.escalint";

/// The quick fix of a published diagnostic, ready to offer when the editor asks.
#[derive(Debug, Clone)]
pub struct QuickFix {
    pub diagnostic: lsp_types::Diagnostic,
    pub action: CodeAction,
}

/// The quick fix for `diagnostic` (published as `published`): its edits as a workspace edit;
/// `None` when it has no fix or no edit can be made.
// `WorkspaceEdit::changes` is keyed by `Uri`, which caches its parsed parts inside; the keys
// are never changed here.
#[allow(clippy::mutable_key_type)]
pub fn quick_fix(
    sources: &Sources,
    diagnostic: &Diagnostic,
    published: &lsp_types::Diagnostic,
    document: (&Path, Kind),
) -> Option<QuickFix> {
    let fix = diagnostic.fix.as_ref()?;
    let edits = fix.applicable_edits(true)?;
    if let Err(reason) = keeps_files_intact(sources, edits, document) {
        log::debug!("not offering the fix to {}: {reason}", fix.description);
        return None;
    }

    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for edit in edits {
        let uri = convert::uri_of(&sources.get(edit.span.source).path)?;
        let range = convert::range(sources, edit.span);
        changes
            .entry(uri)
            .or_default()
            .push(TextEdit::new(range, edit.replacement.clone()));
    }
    let action = CodeAction {
        title: title(fix),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![published.clone()]),
        edit: Some(WorkspaceEdit::new(changes)),
        is_preferred: Some(fix.applicability == Applicability::Safe),
        ..CodeAction::default()
    };
    Some(QuickFix {
        diagnostic: published.clone(),
        action,
    })
}

/// The actions for a request: the quick fixes of the diagnostics in its range, and "fix all"
/// (computed by `fix_all` only when asked for) when the editor wants source actions.
pub fn answer(
    params: &CodeActionParams,
    quick_fixes: &[QuickFix],
    fix_all: impl FnOnce() -> Option<CodeAction>,
) -> Vec<CodeActionOrCommand> {
    let wants = |kind: &str| match &params.context.only {
        None => true,
        Some(only) => only.iter().any(|wanted| {
            let wanted = wanted.as_str();
            kind == wanted || kind.starts_with(&format!("{wanted}."))
        }),
    };

    let mut actions = Vec::new();
    if wants(CodeActionKind::QUICKFIX.as_str()) {
        for quick_fix in quick_fixes {
            if overlaps(quick_fix.diagnostic.range, params.range) {
                actions.push(CodeActionOrCommand::CodeAction(quick_fix.action.clone()));
            }
        }
    }
    if wants(FIX_ALL) {
        actions.extend(fix_all().map(CodeActionOrCommand::CodeAction));
    }
    actions
}

/// Whether each file the edits touch still reads as intended once they are made, as `check
/// --fix` checks before it writes: a fix that adds `cap_drop` beside a `cap_drop: !reset []`
/// would leave the key twice. The open `document` is of the kind the editor gave it; other
/// files are of the kind their names say.
fn keeps_files_intact(
    sources: &Sources,
    edits: &[Edit],
    (document, document_kind): (&Path, Kind),
) -> Result<(), String> {
    let mut taken = EditSet::default();
    if !taken.try_add(edits) {
        return Err("its edits overlap".to_owned());
    }
    for (source, edits) in taken.by_source() {
        let source = sources.get(source);
        let kind = if source.path == document {
            document_kind
        } else {
            discover::kind_of_named_file(&source.path)
        };
        let is_compose = kind == Kind::Compose;
        let fixed = apply::apply(&source.text, edits);
        verify::check(is_compose, &source.text, &fixed)?;
    }
    Ok(())
}

/// "Fix all": the safe fixes of the document at `path`, linted with `overlay` (the open
/// documents) in place of the files, as edits of its text.
// LIMITATION: fixes that edit another file (an anchor's list in an `extends` base) are left out;
// the quick fix on each such diagnostic carries them.
#[allow(clippy::mutable_key_type)]
pub fn fix_all(
    path: &Path,
    uri: &Uri,
    kind: Kind,
    text: &str,
    overlay: HashMap<std::path::PathBuf, String>,
) -> Option<CodeAction> {
    let options = LintOptions {
        paths: vec![path.to_path_buf()],
        kind: Some(kind),
        overlay,
        ..LintOptions::default()
    };
    let fixing = FixOptions {
        unsafe_fixes: false,
        write: false,
    };
    let outcome = match session::run(&options, fixing) {
        Ok(outcome) => outcome,
        Err(err) => {
            log::warn!("cannot fix {}: {err}", path.display());
            return None;
        }
    };
    let change = outcome
        .changes
        .iter()
        .find(|change| change.path == path && change.original == text)?;

    let edits = line_edits(&change.original, &change.fixed);
    let changes = HashMap::from([(uri.clone(), edits)]);
    Some(CodeAction {
        title: "Fix all escalint problems that have a safe fix".to_owned(),
        kind: Some(CodeActionKind::new(FIX_ALL)),
        edit: Some(WorkspaceEdit::new(changes)),
        ..CodeAction::default()
    })
}

/// The changed runs of lines between two texts, as edits of the first.
fn line_edits(original: &str, fixed: &str) -> Vec<TextEdit> {
    let source = Source::new(String::new(), Default::default(), original.to_owned());
    let mut line_starts = vec![0];
    line_starts.extend(original.match_indices('\n').map(|(at, _)| at + 1));
    let offset_of_line = |line: usize| line_starts.get(line).copied().unwrap_or(original.len());
    let fixed_lines: Vec<&str> = fixed.split_inclusive('\n').collect();

    let mut edits = Vec::new();
    for operation in TextDiff::from_lines(original, fixed).ops() {
        if matches!(operation, DiffOp::Equal { .. }) {
            continue;
        }
        let (old, new) = (operation.old_range(), operation.new_range());
        let start = convert::position(&source, offset_of_line(old.start));
        let end = convert::position(&source, offset_of_line(old.end));
        let text = fixed_lines[new].concat();
        edits.push(TextEdit::new(Range::new(start, end), text));
    }
    edits
}

/// A fix's description as an action title: capitalised, and marked when unsafe.
fn title(fix: &Fix) -> String {
    let mut title = String::new();
    let mut characters = fix.description.chars();
    if let Some(first) = characters.next() {
        title.extend(first.to_uppercase());
        title.push_str(characters.as_str());
    }
    if fix.applicability == Applicability::Unsafe {
        title.push_str(" (unsafe)");
    }
    title
}

fn overlaps(diagnostic: Range, requested: Range) -> bool {
    let before = |a: Position, b: Position| (a.line, a.character) < (b.line, b.character);
    !before(diagnostic.end, requested.start) && !before(requested.end, diagnostic.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_edits_replace_only_the_changed_lines() {
        let original = "a\nb\nc\n";
        let fixed = "a\nb\nx\ny\nc\n";

        let edits = line_edits(original, fixed);

        assert_eq!(
            edits,
            [TextEdit::new(
                Range::new(Position::new(2, 0), Position::new(2, 0)),
                "x\ny\n".to_owned()
            )]
        );
    }
}
