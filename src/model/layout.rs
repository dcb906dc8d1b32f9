//! How Compose values are written in their files: where a new key or list item goes, with which
//! indentation, quotes and line ends, so that a fix edits the file in place, as a person would,
//! instead of printing the YAML again. The Compose loader fills these in from the spans of the
//! YAML nodes and the text around them (`src/model/compose/layout.rs`).

use crate::source::Span;

/// The line break a file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineEnd {
    #[default]
    Lf,
    CrLf,
}

impl LineEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            LineEnd::Lf => "\n",
            LineEnd::CrLf => "\r\n",
        }
    }
}

/// How a list item is quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quote {
    #[default]
    Plain,
    Single,
    Double,
}

/// How a file writes lists, learned from the lists it already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListStyle {
    /// Most lists are flow lists (`[ALL]`) rather than block lists (`- ALL` lines).
    pub is_flow: bool,
    /// Columns from a key to the `-` of its block list's items: `0` (`- ALL` under the key's
    /// first letter), `2` or `4`.
    pub dash_offset: usize,
    /// How the file's quoted list items are quoted, for a new item that needs quotes.
    pub quote: Quote,
}

/// Where a new `key: value` entry goes in a mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySlot {
    /// A block mapping: whole lines go at `at`, the start of the line after the mapping's last
    /// entry (or the end of a file without a final line break, when `break_first` is set),
    /// indented by `indent` columns.
    Block {
        at: Span,
        indent: usize,
        break_first: bool,
        line_end: LineEnd,
        lists: ListStyle,
    },
    /// A flow mapping (`{image: app}`): `, key: value` goes at `at`, just after the last entry,
    /// or `key: value` just inside the braces when `is_empty`.
    Flow {
        at: Span,
        is_empty: bool,
        quote: Quote,
    },
}

/// Where a new item goes in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemSlot {
    /// A block list: a `- item` line goes at `at`, after the last item (see [`KeySlot::Block`]),
    /// its `-` at column `indent`.
    Block {
        at: Span,
        indent: usize,
        break_first: bool,
        line_end: LineEnd,
        quote: Quote,
    },
    /// A flow list (`[NET_RAW]`): `, item` goes at `at`, just after the last item, or `item`
    /// just inside the brackets when `is_empty`.
    Flow {
        at: Span,
        is_empty: bool,
        quote: Quote,
    },
}

/// The keys a fix removes from a service; only they get a removal in [`ServiceLayout`].
pub const REMOVABLE_KEYS: [&str; 1] = ["privileged"];

/// How a service's mapping is written in the file that defines it first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceLayout {
    /// Where a new key of the service goes, or why none can be added in place.
    pub new_key: Result<KeySlot, String>,
    /// Where the service's mapping is written when it is an alias of an anchor (`app: *base`),
    /// in words: "the anchor `&base`".
    pub written_in: Option<String>,
    /// Each key of the service (after merging) that a fix may remove ([`REMOVABLE_KEYS`]), with
    /// what removing its entry deletes from the file that writes it, or why it cannot be removed
    /// in place (its value is interpolated, it is the only key of its mapping).
    pub removals: Vec<(String, Result<Removal, String>)>,
}

/// What removing an entry deletes, and where that is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// The entry's whole lines in a block mapping; the entry and one comma in a flow mapping.
    pub span: Span,
    /// Where the entry is written when it takes effect elsewhere (see
    /// [`ListLayout::written_in`]).
    pub written_in: Option<String>,
}

impl ServiceLayout {
    /// A layout that allows no edit, for the reason given.
    pub fn unknown(reason: &str) -> Self {
        Self {
            new_key: Err(reason.to_owned()),
            written_in: None,
            removals: Vec::new(),
        }
    }

    /// What removing the entry of `key` deletes, or why it cannot be removed; `None` when the
    /// service has no such key.
    pub fn removal(&self, key: &str) -> Option<&Result<Removal, String>> {
        self.removals
            .iter()
            .find(|(candidate, _)| candidate == key)
            .map(|(_, removal)| removal)
    }
}

/// How a list (`cap_drop`, `security_opt`) is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListLayout {
    /// Where a new item goes, or why none can be added in place (a single string, no value).
    pub new_item: Result<ItemSlot, String>,
    /// For each item, in order: the span of its value as written, character for character
    /// (inside its quotes), or why it is not written so (interpolation, escapes).
    pub verbatim: Vec<Result<Span, String>>,
    /// Where the list is written when it takes effect here from elsewhere, in words: "the
    /// anchor `&hardening`", "`base.yaml`, which `extends` brings in".
    pub written_in: Option<String>,
}

impl ListLayout {
    /// A layout that allows no edit, for the reason given.
    pub fn unknown(reason: &str) -> Self {
        Self {
            new_item: Err(reason.to_owned()),
            verbatim: Vec::new(),
            written_in: None,
        }
    }
}
