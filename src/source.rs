//! Sources: the files of one run, their text, and the mapping from byte offsets to lines.

use std::path::{Path, PathBuf};

use crate::paths::PathMap;

/// Index of a source in [`Sources`]; spans carry it so one diagnostic can point into any file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SourceId(pub u32);

/// A byte range in one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub source: SourceId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(source: SourceId, start: usize, end: usize) -> Self {
        Self { source, start, end }
    }

    /// The smallest span covering both; both must lie in the same source.
    pub fn to(self, other: Span) -> Span {
        Span::new(
            self.source,
            self.start.min(other.start),
            self.end.max(other.end),
        )
    }
}

/// A value and the span where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
    /// Where the value takes effect when that is somewhere else: the alias that copies an
    /// anchored value, the `extends` that brings a base service's value. Diagnostics about the
    /// value show it as a related location.
    pub used_at: Option<Span>,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Self {
            value,
            span,
            used_at: None,
        }
    }
}

/// One file's path and text.
#[derive(Debug)]
pub struct Source {
    /// The path as the user should read it: relative to the working directory when possible.
    pub display: String,
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
}

impl Source {
    pub fn new(display: String, path: PathBuf, text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|offset| offset + 1));
        Self {
            display,
            path,
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(index) => index,
            Err(index) => index - 1,
        };
        let line_start = self.line_starts[line_index];
        let prefix = self.text.get(line_start..offset).unwrap_or("");
        (line_index + 1, prefix.chars().count() + 1)
    }

    /// The byte range of a 1-based line, without its line break.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let start = self.line_starts[line - 1];
        let mut end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        let bytes = self.text.as_bytes();
        while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        start..end
    }
}

/// Every source read in one run, linted or read as context.
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<Source>,
    /// The first source added for each path, so finding a file costs the same in a run over
    /// thousands of files as in a run over one.
    by_path: PathMap<SourceId>,
}

impl Sources {
    pub fn add(&mut self, source: Source) -> SourceId {
        let id = SourceId(u32::try_from(self.files.len()).expect("fewer than 4 billion sources"));
        self.by_path.entry(source.path.clone()).or_insert(id);
        self.files.push(source);
        id
    }

    pub fn get(&self, id: SourceId) -> &Source {
        &self.files[id.0 as usize]
    }

    pub fn find(&self, path: &Path) -> Option<SourceId> {
        self.by_path.get(path).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (SourceId, &Source)> {
        self.files
            .iter()
            .enumerate()
            .map(|(index, source)| (SourceId(index as u32), source))
    }
}
