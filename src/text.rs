//! Text assembled from pieces of a source (joined continuation lines, heredoc bodies), keeping a
//! map from every byte of the assembled text back to the byte it came from.

use crate::source::{SourceId, Span};

/// A run of bytes copied from the source: `value[at..at + len]` is `source[from..from + len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub at: usize,
    pub from: usize,
    pub len: usize,
}

/// A string built from source pieces and synthetic text, with the way back to the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub value: String,
    pub source: SourceId,
    pub pieces: Vec<Piece>,
}

impl Text {
    pub fn new(source: SourceId) -> Self {
        Self {
            value: String::new(),
            source,
            pieces: Vec::new(),
        }
    }

    /// A text that is one contiguous run of the source starting at `from`.
    pub fn from_source(source: SourceId, value: &str, from: usize) -> Self {
        let mut text = Self::new(source);
        text.push_source(value, from);
        text
    }

    /// Appends `value`, which stands in the source at byte `from`.
    pub fn push_source(&mut self, value: &str, from: usize) {
        if value.is_empty() {
            return;
        }
        let at = self.value.len();
        if let Some(last) = self.pieces.last_mut()
            && last.at + last.len == at
            && last.from + last.len == from
        {
            last.len += value.len();
        } else {
            self.pieces.push(Piece {
                at,
                from,
                len: value.len(),
            });
        }
        self.value.push_str(value);
    }

    /// Appends text that has no place in the source (a joining newline, a decoded escape).
    pub fn push_synthetic(&mut self, value: &str) {
        self.value.push_str(value);
    }

    /// Appends another text of the same source, keeping its map.
    pub fn push_text(&mut self, other: &Text) {
        let base = self.value.len();
        for piece in &other.pieces {
            self.pieces.push(Piece {
                at: base + piece.at,
                ..*piece
            });
        }
        self.value.push_str(&other.value);
    }

    /// The source offset of a byte of this text; synthetic bytes map to the nearest source byte
    /// before them (or after, at the very start).
    pub fn source_offset(&self, at: usize) -> usize {
        let index = self.pieces.partition_point(|piece| piece.at <= at);
        if index == 0 {
            return self.pieces.first().map_or(0, |piece| piece.from);
        }
        let piece = self.pieces[index - 1];
        piece.from + (at - piece.at).min(piece.len)
    }

    /// The source span of a byte range of this text. Synthetic bytes at either end (a quote the
    /// analysis added) are left out when the range holds source bytes.
    pub fn source_span(&self, range: std::ops::Range<usize>) -> Span {
        let overlapping = self
            .pieces
            .iter()
            .filter(|piece| piece.at < range.end && range.start < piece.at + piece.len);
        let mut first_and_last = None;
        for piece in overlapping {
            let start = piece.from + range.start.saturating_sub(piece.at);
            let end = piece.from + (range.end - piece.at).min(piece.len);
            first_and_last = match first_and_last {
                None => Some((start, end)),
                Some((first, _)) => Some((first, end)),
            };
        }
        if let Some((start, end)) = first_and_last {
            return Span::new(self.source, start, end.max(start));
        }

        let start = self.source_offset(range.start);
        Span::new(self.source, start, start)
    }

    /// The source span of a byte range of this text when the range was copied from the source
    /// in one piece, so the source holds exactly these bytes there; `None` when a joined line,
    /// an escape or other synthetic text lies in it.
    pub fn verbatim_span(&self, range: std::ops::Range<usize>) -> Option<Span> {
        let piece = self
            .pieces
            .iter()
            .find(|piece| piece.at <= range.start && range.end <= piece.at + piece.len)?;
        let start = piece.from + (range.start - piece.at);
        Some(Span::new(self.source, start, start + range.len()))
    }

    /// The part of this text in a byte range, with its map.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Text {
        let mut slice = Text::new(self.source);
        let mut at = range.start;
        for piece in &self.pieces {
            let start = piece.at.max(range.start);
            let end = (piece.at + piece.len).min(range.end);
            if start >= end {
                continue;
            }
            slice.push_synthetic(&self.value[at..start]);
            slice.push_source(&self.value[start..end], piece.from + (start - piece.at));
            at = end;
        }
        slice.push_synthetic(&self.value[at.min(range.end)..range.end]);
        slice
    }

    /// The span of the whole text in the source.
    pub fn span(&self) -> Span {
        self.source_span(0..self.value.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_across_joined_pieces() {
        // "chmod \\\n 4755 x" joined as "chmod  4755 x": the mode maps to the second line.
        let mut text = Text::new(SourceId(0));
        text.push_source("chmod ", 0);
        text.push_source(" 4755 x", 8);

        let mode_start = text.value.find("4755").expect("mode present");

        assert_eq!(
            text.source_span(mode_start..mode_start + 4),
            Span::new(SourceId(0), 9, 13)
        );
    }

    #[test]
    fn verbatim_spans_lie_in_one_piece() {
        let mut text = Text::new(SourceId(0));
        text.push_source("chmod ", 0);
        text.push_source(" 4755 x", 8);

        let mode_start = text.value.find("4755").expect("mode present");

        assert_eq!(
            text.verbatim_span(mode_start..mode_start + 4),
            Some(Span::new(SourceId(0), 9, 13))
        );
        assert_eq!(
            text.verbatim_span(4..8),
            None,
            "the range spans the joined lines"
        );
    }

    #[test]
    fn slices_keep_their_map() {
        let mut text = Text::new(SourceId(0));
        text.push_source("ab", 10);
        text.push_synthetic("\n");
        text.push_source("cd", 20);

        let slice = text.slice(1..4);

        assert_eq!(slice.value, "b\nc");
        assert_eq!(slice.source_span(2..3), Span::new(SourceId(0), 20, 21));
        assert_eq!(slice.source_span(0..1), Span::new(SourceId(0), 11, 12));
    }

    #[test]
    fn synthetic_bytes_map_to_previous_source_byte() {
        let mut text = Text::new(SourceId(0));
        text.push_source("ab", 10);
        text.push_synthetic("\n");
        text.push_source("cd", 20);

        assert_eq!(text.source_offset(2), 12);
        assert_eq!(text.source_offset(3), 20);
    }
}
