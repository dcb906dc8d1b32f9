//! Sources: the files of one run, their text, and the mapping from byte offsets to lines.

use std::path::{Path, PathBuf};

use crate::paths::PathMap;

/// Index of a source in [`Sources`]; spans carry it so one diagnostic can point into any file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SourceId(pub u32);

/// A map keyed by sources, hashed with foldhash: a run looks sources up for every diagnostic,
/// and SipHash, the standard hasher, buys nothing for a small integer.
pub type SourceMap<V> = std::collections::HashMap<SourceId, V, foldhash::fast::RandomState>;

/// A set of sources, hashed like [`SourceMap`].
pub type SourceSet = std::collections::HashSet<SourceId, foldhash::fast::RandomState>;

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
        // Counted first, so a run holding every file's index keeps no room to grow in it.
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1;
        let mut line_starts = Vec::with_capacity(lines);
        // A byte order mark is no character an editor shows: the first line starts after it.
        line_starts.push(if text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        });
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
        let offset = offset.min(self.text.len()).max(self.line_starts[0]);
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

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Adds the sources a [`SourcesView`] added, under the ids it gave them; `Err` gives them
    /// back when other sources were added since the view was made, so those ids are taken.
    pub fn append(&mut self, added: AddedSources) -> Result<(), AddedSources> {
        if added.sources.is_empty() {
            return Ok(());
        }
        if added.first != self.files.len() {
            return Err(added);
        }
        for source in added.sources {
            self.add(source);
        }
        Ok(())
    }
}

/// A run's sources as a task that may read more files sees them: the run's own, read-only, and
/// the ones the task added, numbered after them. Tasks on several threads each read through a
/// view of their own; the run then appends what one of them added ([`Sources::append`]).
pub struct SourcesView<'a> {
    run: &'a Sources,
    added: Sources,
}

/// The sources a [`SourcesView`] added, with the id of the first.
#[derive(Debug)]
pub struct AddedSources {
    first: usize,
    sources: Vec<Source>,
}

impl AddedSources {
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }
}

impl<'a> SourcesView<'a> {
    pub fn new(run: &'a Sources) -> Self {
        Self {
            run,
            added: Sources::default(),
        }
    }

    pub fn add(&mut self, source: Source) -> SourceId {
        let index = self.run.len() + self.added.len();
        self.added.add(source);
        SourceId(u32::try_from(index).expect("fewer than 4 billion sources"))
    }

    pub fn get(&self, id: SourceId) -> &Source {
        match (id.0 as usize).checked_sub(self.run.len()) {
            Some(added) => &self.added.files[added],
            None => self.run.get(id),
        }
    }

    pub fn find(&self, path: &Path) -> Option<SourceId> {
        if let Some(id) = self.run.find(path) {
            return Some(id);
        }
        let added = self.added.find(path)?;
        let index = self.run.len() + added.0 as usize;
        Some(SourceId(index as u32))
    }

    pub fn into_added(self) -> AddedSources {
        AddedSources {
            first: self.run.len(),
            sources: self.added.files,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &str) -> Source {
        Source::new(path.to_owned(), PathBuf::from(path), String::new())
    }

    #[test]
    fn columns_and_the_first_line_leave_out_a_byte_order_mark() {
        let text = "\u{feff}FROM alpine\nUSER 0\n";
        let source = Source::new(
            "Dockerfile".to_owned(),
            PathBuf::from("Dockerfile"),
            text.into(),
        );

        assert_eq!(source.line_column(0), (1, 1));
        assert_eq!(source.line_column(text.find("FROM").expect("FROM")), (1, 1));
        assert_eq!(
            source.line_column(text.find("alpine").expect("alpine")),
            (1, 6)
        );
        assert_eq!(source.line_column(text.find("USER").expect("USER")), (2, 1));
        assert_eq!(&text[source.line_range(1)], "FROM alpine");
    }

    #[test]
    fn a_view_numbers_its_files_after_the_runs() {
        let mut sources = Sources::default();
        let first = sources.add(source("/a"));
        let mut view = SourcesView::new(&sources);

        let added = view.add(source("/b"));

        assert_eq!((first, added), (SourceId(0), SourceId(1)));
        assert_eq!(view.find(Path::new("/a")), Some(first));
        assert_eq!(view.find(Path::new("/b")), Some(added));
        assert_eq!(view.get(added).display, "/b");
        let added_sources = view.into_added();
        assert!(sources.append(added_sources).is_ok());
        assert_eq!(sources.find(Path::new("/b")), Some(SourceId(1)));
    }

    #[test]
    fn a_views_files_are_refused_once_their_ids_are_taken() {
        let mut sources = Sources::default();
        sources.add(source("/a"));
        let mut first_view = SourcesView::new(&sources);
        first_view.add(source("/b"));
        let first = first_view.into_added();
        let mut second_view = SourcesView::new(&sources);
        second_view.add(source("/c"));
        let second = second_view.into_added();

        assert!(sources.append(first).is_ok());
        let refused = sources.append(second).expect_err("id 1 is taken by `/b`");

        assert!(!refused.is_empty());
        assert_eq!(sources.len(), 2);
    }
}
