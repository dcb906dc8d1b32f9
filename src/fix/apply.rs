//! Applying the edits of many fixes at once: a fix is taken whole or not at all, and only when
//! its edits touch none of the edits already taken, so no fix can damage another's text.
//! Identical edits (two services sharing one anchor) count once. Two insertions at one place
//! conflict too: a list item and a new key both placed after a list's last line must go in that
//! order, so the later fix waits for the next round, which reads the file with the first one
//! applied.

use std::collections::BTreeMap;

use crate::fix::Edit;
use crate::source::SourceId;

/// The edits taken so far, by source.
#[derive(Debug, Default)]
pub struct EditSet {
    by_source: BTreeMap<SourceId, Vec<Edit>>,
}

impl EditSet {
    /// Takes all of `edits` when none conflicts with an edit already taken; returns whether it
    /// did.
    pub fn try_add(&mut self, edits: &[Edit]) -> bool {
        let conflicts = edits.iter().any(|edit| {
            self.by_source
                .get(&edit.span.source)
                .is_some_and(|taken| taken.iter().any(|other| conflict(edit, other)))
        });
        if conflicts || has_inner_conflict(edits) {
            return false;
        }

        for edit in edits {
            let taken = self.by_source.entry(edit.span.source).or_default();
            if !taken.contains(edit) {
                taken.push(edit.clone());
            }
        }
        true
    }

    /// The sources edited, with their edits in the order taken.
    pub fn by_source(&self) -> impl Iterator<Item = (SourceId, &[Edit])> {
        self.by_source
            .iter()
            .map(|(source, edits)| (*source, edits.as_slice()))
    }
}

/// `text` with `edits` (spans into `text`, none conflicting) applied; insertions at the same
/// offset keep their order.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut ordered: Vec<&Edit> = edits.iter().collect();
    ordered.sort_by_key(|edit| (edit.span.start, edit.span.end));

    let mut fixed = String::with_capacity(text.len());
    let mut copied_up_to = 0;
    for edit in ordered {
        let start = edit.span.start.clamp(copied_up_to, text.len());
        fixed.push_str(&text[copied_up_to..start]);
        fixed.push_str(&edit.replacement);
        copied_up_to = edit.span.end.clamp(start, text.len());
    }
    fixed.push_str(&text[copied_up_to..]);
    fixed
}

/// Two different edits of one source that cannot both apply: overlapping replacements,
/// insertions at one offset, or an insertion at or inside a replaced range.
fn conflict(edit: &Edit, other: &Edit) -> bool {
    if edit == other || edit.span.source != other.span.source {
        return false;
    }

    let (a, b) = (edit.span, other.span);
    match (a.start == a.end, b.start == b.end) {
        (true, true) => a.start == b.start,
        (true, false) => b.start <= a.start && a.start <= b.end,
        (false, true) => a.start <= b.start && b.start <= a.end,
        (false, false) => a.start < b.end && b.start < a.end,
    }
}

fn has_inner_conflict(edits: &[Edit]) -> bool {
    edits
        .iter()
        .enumerate()
        .any(|(index, edit)| edits[index + 1..].iter().any(|other| conflict(edit, other)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn edit(start: usize, end: usize, text: &str) -> Edit {
        Edit::replace(Span::new(SourceId(0), start, end), text)
    }

    #[test]
    fn edits_apply_in_offset_order() {
        let text = "abcdef";
        let edits = [edit(4, 4, "1"), edit(0, 1, "A"), edit(6, 6, "2")];

        assert_eq!(apply(text, &edits), "Abcd1ef2");
    }

    #[test]
    fn overlapping_fixes_are_refused_and_identical_edits_count_once() {
        let mut set = EditSet::default();

        assert!(set.try_add(&[edit(2, 4, "x")]));
        assert!(!set.try_add(&[edit(3, 5, "y")]));
        assert!(!set.try_add(&[edit(3, 3, "y")]));
        assert!(set.try_add(&[edit(2, 4, "x")]));
        assert!(!set.try_add(&[edit(4, 4, "z"), edit(0, 1, "w")]));
        assert!(set.try_add(&[edit(5, 5, "z")]));
        assert!(!set.try_add(&[edit(5, 5, "other")]));

        let (_, edits) = set.by_source().next().expect("one source");
        assert_eq!(edits.len(), 2);
    }
}
