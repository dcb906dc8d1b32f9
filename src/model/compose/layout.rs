//! Reads how a Compose file is written (indentation, flow or block style, quotes, line ends and
//! where each mapping and list ends) from its YAML nodes and its text, for the layouts in
//! `model::layout` that fixes edit in place.
//!
//! The parser gives a block mapping or list only the position of its first key or `-`, and a
//! block scalar a span that runs on to the next key, so the end of a value is computed here: the
//! last character written inside it, or the bracket that closes a flow collection.

use std::collections::HashMap;
use std::rc::Rc;

use crate::model::ServiceLayout;
use crate::model::layout::{
    ItemSlot, KeySlot, LineEnd, ListLayout, ListStyle, Quote, REMOVABLE_KEYS, Removal,
};
use crate::parse::yaml::{Node, Value};
use crate::source::{SourceId, Span};

use super::Loader;

/// Columns one level of a block mapping adds when the file shows none.
const DEFAULT_INDENT: usize = 2;

/// What a fix needs to know about the entries written in one Compose file, by where their keys
/// start.
#[derive(Debug, Default)]
pub(super) struct DocumentLayout {
    entries: OffsetMap<EntryLayout>,
    /// The layout of each mapping and list written as the value of an entry, by where it
    /// starts: an alias of an anchor (`app: *base`) is edited where the anchor is written.
    collections: OffsetMap<ValueLayout>,
}

/// A map keyed by offsets in one file, hashed with foldhash: a file has an entry per key.
type OffsetMap<V> = HashMap<usize, V, foldhash::fast::RandomState>;

#[derive(Debug)]
struct EntryLayout {
    /// What removing the entry needs to know; what it deletes is worked out when asked, since
    /// fixes remove few keys.
    removal: RemovalFacts,
    value: ValueLayout,
}

/// Where an entry and its neighbours end, for [`DocumentLayout::removal`].
#[derive(Debug, Clone, Copy)]
struct RemovalFacts {
    key: Span,
    /// The end of the entry's value as written; `None` when it cannot be found.
    value_end: Option<usize>,
    /// The end of the entry before it in its mapping: `None` for the first entry, `Some(None)`
    /// when it cannot be found.
    previous_end: Option<Option<usize>>,
    /// Where the key after it starts, for the first entry of a flow mapping.
    next_key: Option<usize>,
    /// The entries written in its mapping, and whether the mapping also merges others in.
    local_entries: usize,
    has_merged_entries: bool,
    in_flow: bool,
}

#[derive(Debug, Clone)]
enum ValueLayout {
    /// A mapping, or no value at all (`app:`): where a new key goes.
    Mapping(Result<KeySlot, String>),
    List(Result<ItemSlot, String>),
    /// An explicit null (`~`, `null`) or a scalar: where it is written, read only for a message.
    Other(Span),
    /// An alias of an anchor that is not written as the value of a key.
    UnwrittenAnchor,
}

impl DocumentLayout {
    /// Where a new key goes in the mapping under the key at `key`; `text` is the file's.
    pub(super) fn new_key(&self, key: Span, text: &str) -> Result<KeySlot, String> {
        match self.entries.get(&key.start).map(|entry| &entry.value) {
            Some(ValueLayout::Mapping(slot)) => slot.clone(),
            Some(ValueLayout::List(_)) => Err("it is written as a list".to_owned()),
            Some(other @ (ValueLayout::Other(_) | ValueLayout::UnwrittenAnchor)) => {
                Err(format!("it is written as `{}`", other.written(text)))
            }
            None => Err("its place in the file is unknown".to_owned()),
        }
    }

    /// Where a new item goes in the list under the key at `key`; `name` is the key, for the
    /// reason when there is no list.
    pub(super) fn new_item(&self, key: Span, name: &str, text: &str) -> Result<ItemSlot, String> {
        match self.entries.get(&key.start).map(|entry| &entry.value) {
            Some(ValueLayout::List(slot)) => slot.clone(),
            Some(ValueLayout::Mapping(Ok(_))) => Err(format!("`{name}` is written as a mapping")),
            Some(ValueLayout::Mapping(Err(_))) => Err(format!("`{name}` has no value")),
            Some(other @ (ValueLayout::Other(_) | ValueLayout::UnwrittenAnchor)) => Err(format!(
                "`{name}` is written as `{}`, not as a list",
                other.written(text)
            )),
            None => Err(format!("the place of `{name}` in the file is unknown")),
        }
    }

    /// What removing the entry whose key starts at `key` deletes: its whole lines in a block
    /// mapping, the entry and one comma in a flow mapping; `text` is the file's.
    pub(super) fn removal(&self, key: Span, text: &str) -> Result<Span, String> {
        let Some(entry) = self.entries.get(&key.start) else {
            return Err("its place in the file is unknown".to_owned());
        };
        let facts = entry.removal;
        let value_end = facts
            .value_end
            .map(|end| end.max(facts.key.end))
            .ok_or_else(|| "the end of its value cannot be found".to_owned())?;
        if facts.local_entries == 1 && !facts.has_merged_entries {
            return Err("it is the only key of its mapping".to_owned());
        }

        let source = facts.key.source;
        if !facts.in_flow {
            if !starts_its_line(text, facts.key.start) {
                return Err("its key does not start a line".to_owned());
            }
            let start = line_start(text, facts.key.start);
            let (after, _) = line_after(text, source, value_end)?;
            return Ok(Span::new(source, start, after.start));
        }

        if facts.has_merged_entries {
            return Err("its flow mapping also merges an anchor".to_owned());
        }
        match (facts.previous_end, facts.next_key) {
            (Some(previous_end), _) => {
                let previous_end = previous_end
                    .ok_or_else(|| "the end of the entry before it cannot be found".to_owned())?;
                Ok(Span::new(source, previous_end, value_end))
            }
            (None, Some(next_key)) => Ok(Span::new(source, facts.key.start, next_key)),
            (None, None) => Err("it is the only key of its mapping".to_owned()),
        }
    }
}

impl ValueLayout {
    /// How a value that is neither a mapping nor a list is written, for a message.
    fn written<'a>(&self, text: &'a str) -> &'a str {
        match self {
            Self::Other(span) => text.get(span.start..span.end).unwrap_or("").trim(),
            _ => "the anchor it names is not written as a value",
        }
    }
}

impl Loader<'_> {
    /// How a service is written: where a new key goes in the file that defines it first
    /// (`key_span` is its key there), and what removing each key of its merged `definition`
    /// deletes where that key is written.
    pub(super) fn service_layout(&mut self, key_span: Span, definition: &Node) -> ServiceLayout {
        let new_key = match self.document_layout(key_span.source) {
            Some(document) => document.new_key(key_span, &self.sources.get(key_span.source).text),
            None => Err("its file cannot be read".to_owned()),
        };
        // An `extends` marks the whole definition as used there, but new keys still go into the
        // service's own mapping; only an alias puts it elsewhere.
        let written_in = self
            .written_in(definition)
            .filter(|place| place.starts_with("the anchor"));

        let mut removals = Vec::new();
        for (key, value) in definition.as_mapping().unwrap_or_default() {
            let Some(name) = key.as_scalar().map(|name| &name.text) else {
                continue;
            };
            if !REMOVABLE_KEYS.contains(&name.as_str()) {
                continue;
            }
            let name = name.clone();
            let span = match self.document_layout(key.span.source) {
                Some(document) => {
                    document.removal(key.span, &self.sources.get(key.span.source).text)
                }
                None => Err("its file cannot be read".to_owned()),
            };
            // An interpolated value may differ where the project is deployed: it is not removed.
            let interpolated = match &value.value {
                Value::Scalar(scalar) => {
                    let text = &self.sources.get(value.span.source).text;
                    verbatim(value, &scalar.text, text)
                        .err()
                        .filter(|_| is_interpolated(value, text))
                }
                _ => None,
            };
            let removal = match (span, interpolated) {
                (Err(reason), _) | (Ok(_), Some(reason)) => Err(reason),
                (Ok(span), None) => Ok(Removal {
                    span,
                    written_in: self.written_in(key),
                }),
            };
            removals.push((name, removal));
        }
        ServiceLayout {
            new_key,
            written_in,
            removals,
        }
    }

    /// How the list under `key` (named `name`) is written; `value` is the list after merging,
    /// whose scalar items are the items of the model's listing.
    pub(super) fn list_layout(&mut self, key: &Node, value: &Node, name: &str) -> ListLayout {
        let new_item = match self.document_layout(key.span.source) {
            Some(document) => {
                document.new_item(key.span, name, &self.sources.get(key.span.source).text)
            }
            None => Err("its file cannot be read".to_owned()),
        };

        let nodes = match &value.value {
            Value::Sequence(nodes) => nodes.as_slice(),
            _ => std::slice::from_ref(value),
        };
        let mut verbatim_items = Vec::new();
        for node in nodes {
            let Value::Scalar(scalar) = &node.value else {
                continue;
            };
            let text = &self.sources.get(node.span.source).text;
            verbatim_items.push(verbatim(node, &scalar.text, text));
        }

        ListLayout {
            new_item,
            verbatim: verbatim_items,
            written_in: self.written_in(key),
        }
    }

    /// Where a key or value is written when it takes effect elsewhere, in words (see
    /// [`ListLayout::written_in`]).
    fn written_in(&self, node: &Node) -> Option<String> {
        let used_at = node.used_at?;
        let used_text = &self.sources.get(used_at.source).text;
        let place = match used_text.get(used_at.start..used_at.end) {
            Some(alias) if alias.starts_with('*') => format!("the anchor `&{}`", &alias[1..]),
            _ if used_at.source == node.span.source => "the service it extends".to_owned(),
            _ => format!(
                "`{}`, which `extends` brings in",
                self.display(node.span.source)
            ),
        };
        Some(place)
    }

    /// The layout of a file of the project, read when the file is parsed.
    fn document_layout(&mut self, id: SourceId) -> Option<Rc<DocumentLayout>> {
        if !self.layouts.contains_key(&id) {
            self.document(id);
        }
        self.layouts.get(&id).cloned().flatten()
    }
}

/// Reads the layout of a parsed Compose file.
pub(super) fn of_document(root: &Node, text: &str) -> DocumentLayout {
    let style = FileStyle::of(root, text);
    let mut layout = DocumentLayout::default();
    let reader = Reader {
        text,
        style: &style,
        source: root.span.source,
    };
    reader.read(root, &mut layout);
    layout
}

/// The span of a scalar's value as written, inside its quotes, when the text there is the value
/// character for character; otherwise why not.
pub(super) fn verbatim(node: &Node, value: &str, text: &str) -> Result<Span, String> {
    let span = node.span;
    let written = text.get(span.start..span.end).unwrap_or("");
    if written == value {
        return Ok(span);
    }

    let inner = written
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .filter(|inner| !inner.contains('\\'))
        .or_else(|| {
            written
                .strip_prefix('\'')
                .and_then(|rest| rest.strip_suffix('\''))
        });
    if inner == Some(value) {
        return Ok(Span::new(span.source, span.start + 1, span.end - 1));
    }

    if is_interpolated(node, text) {
        return Err(format!(
            "`{value}` comes from interpolating `{written}`; change the variable instead"
        ));
    }
    Err(format!("`{written}` is not written as plain text"))
}

/// Whether a scalar's text holds a `$`, so its value may come from interpolation.
fn is_interpolated(node: &Node, text: &str) -> bool {
    text.get(node.span.start..node.span.end)
        .is_some_and(|written| written.contains('$'))
}

/// How the file writes what a fix adds.
#[derive(Debug)]
struct FileStyle {
    line_end: LineEnd,
    /// Columns a nested block mapping adds to its parent key's.
    indent: usize,
    lists: ListStyle,
}

impl FileStyle {
    fn of(root: &Node, text: &str) -> Self {
        let line_end = match text.find('\n') {
            Some(at) if text[..at].ends_with('\r') => LineEnd::CrLf,
            _ => LineEnd::Lf,
        };

        let mut survey = Survey::default();
        survey.visit(root, None, text);
        let indent = survey.indent.unwrap_or(DEFAULT_INDENT);
        Self {
            line_end,
            indent,
            lists: ListStyle {
                is_flow: survey.flow_lists > survey.block_lists,
                dash_offset: survey.dash_offset.unwrap_or(indent),
                quote: survey.quote.unwrap_or(Quote::Double),
            },
        }
    }
}

/// Counts of how the file writes its lists and nested mappings.
#[derive(Debug, Default)]
struct Survey {
    flow_lists: usize,
    block_lists: usize,
    dash_offset: Option<usize>,
    indent: Option<usize>,
    quote: Option<Quote>,
}

impl Survey {
    /// Looks at the nodes written here (not aliases); `key` is the key `node` is the value of.
    fn visit(&mut self, node: &Node, key: Option<&Node>, text: &str) {
        if node.used_at.is_some() {
            return;
        }

        match &node.value {
            Value::Mapping(entries) => {
                let is_block = !is_flow(node, text);
                if let Some(key) = key.filter(|_| is_block && self.indent.is_none()) {
                    let offset =
                        column(text, node.span.start).checked_sub(column(text, key.span.start));
                    self.indent = offset.filter(|offset| *offset > 0);
                }
                for (entry_key, value) in entries {
                    if entry_key.used_at.is_none() {
                        self.visit(value, Some(entry_key), text);
                    }
                }
            }
            Value::Sequence(items) => {
                if items.is_empty() {
                    return;
                }
                if is_flow(node, text) {
                    self.flow_lists += 1;
                } else {
                    self.block_lists += 1;
                    let dash = first_dash(node, text);
                    if let Some((key, dash)) = key.zip(dash).filter(|_| self.dash_offset.is_none())
                    {
                        let offset = column(text, dash).checked_sub(column(text, key.span.start));
                        self.dash_offset = offset.filter(|_| starts_its_line(text, dash));
                    }
                }
                for item in items {
                    if self.quote.is_none() && matches!(item.value, Value::Scalar(_)) {
                        self.quote = match quote_of(item, text) {
                            Quote::Plain => None,
                            quoted => Some(quoted),
                        };
                    }
                    self.visit(item, None, text);
                }
            }
            Value::Null | Value::Scalar(_) => {}
        }
    }
}

/// Computes the layout of each entry of the file.
struct Reader<'a> {
    text: &'a str,
    style: &'a FileStyle,
    source: SourceId,
}

impl Reader<'_> {
    /// Records the layout of every entry written inside `node`, and returns where `node` ends.
    /// Each node's ends are computed once, from its children's: asking for the end of every
    /// value from the top cost a walk of the whole subtree at each level.
    fn read(&self, node: &Node, layout: &mut DocumentLayout) -> Ends {
        if node.used_at.is_some() {
            return Ends::of_leaf(node, self.text);
        }

        match &node.value {
            Value::Mapping(entries) => {
                let local: Vec<&(Node, Node)> = entries
                    .iter()
                    .filter(|(key, _)| key.used_at.is_none())
                    .collect();
                let has_merged_entries = local.len() < entries.len();
                let in_flow = is_flow(node, self.text);
                let mut value_ends = Vec::with_capacity(local.len());
                for (index, (key, value)) in local.iter().enumerate() {
                    let ends = self.read(value, layout);
                    value_ends.push(ends.written);
                    let is_collection =
                        matches!(value.value, Value::Mapping(_) | Value::Sequence(_));
                    let value_layout = match value.used_at {
                        Some(_) if is_collection => {
                            let anchored = layout.collections.get(&value.span.start).cloned();
                            anchored.unwrap_or(ValueLayout::UnwrittenAnchor)
                        }
                        _ => self.value_layout(key, value, ends),
                    };
                    if is_collection && value.used_at.is_none() {
                        layout
                            .collections
                            .insert(value.span.start, value_layout.clone());
                    }
                    let entry = EntryLayout {
                        removal: RemovalFacts {
                            key: key.span,
                            value_end: ends.written,
                            previous_end: index.checked_sub(1).map(|before| value_ends[before]),
                            next_key: local.get(1).map(|(next, _)| next.span.start),
                            local_entries: local.len(),
                            has_merged_entries,
                            in_flow,
                        },
                        value: value_layout,
                    };
                    layout.entries.insert(key.span.start, entry);
                }

                let mut content = None;
                let mut local_ends = value_ends.into_iter();
                for (key, value) in entries {
                    let value_end = match key.used_at {
                        None => local_ends.next().flatten(),
                        Some(_) => written_end(value, self.text),
                    };
                    content = content.max(written_end(key, self.text)).max(value_end);
                }
                Ends::of_collection(node, content, self.text)
            }
            Value::Sequence(items) => {
                let mut content = None;
                for item in items {
                    content = content.max(self.read(item, layout).written);
                }
                Ends::of_collection(node, content, self.text)
            }
            Value::Null | Value::Scalar(_) => Ends::of_leaf(node, self.text),
        }
    }

    fn value_layout(&self, key: &Node, value: &Node, ends: Ends) -> ValueLayout {
        match &value.value {
            Value::Mapping(_) => ValueLayout::Mapping(self.mapping_slot(value, ends)),
            Value::Sequence(_) => ValueLayout::List(self.list_slot(value, ends)),
            Value::Null if value.span.start == value.span.end => {
                ValueLayout::Mapping(self.slot_under_key(key, value))
            }
            Value::Null | Value::Scalar(_) => ValueLayout::Other(value.span),
        }
    }

    /// Where a new key goes in a mapping.
    fn mapping_slot(&self, mapping: &Node, ends: Ends) -> Result<KeySlot, String> {
        // LIMITATION: a flow mapping written over several lines gets its new key on the line of
        // its last entry, not on a line of its own.
        if is_flow(mapping, self.text) {
            let end = ends.content;
            return Ok(KeySlot::Flow {
                at: self.point(end.unwrap_or(mapping.span.start + 1)),
                is_empty: end.is_none(),
                quote: self.style.lists.quote,
            });
        }

        let first_key = mapping.span.start;
        if !starts_its_line(self.text, first_key) {
            return Err("its first key does not start a line".to_owned());
        }
        let end = ends
            .written
            .ok_or_else(|| "the end of its mapping cannot be found".to_owned())?;
        let (at, break_first) = self.line_after(end)?;
        Ok(KeySlot::Block {
            at,
            indent: column(self.text, first_key),
            break_first,
            line_end: self.style.line_end,
            lists: self.style.lists,
        })
    }

    /// Where the first key goes under a key with no value (`app:`): on the next line, one level
    /// deeper.
    fn slot_under_key(&self, key: &Node, null: &Node) -> Result<KeySlot, String> {
        if !starts_its_line(self.text, key.span.start) {
            return Err("its key does not start a line".to_owned());
        }
        let end = written_end(null, self.text).unwrap_or(key.span.end);
        let (at, break_first) = self.line_after(end.max(key.span.end))?;
        Ok(KeySlot::Block {
            at,
            indent: column(self.text, key.span.start) + self.style.indent,
            break_first,
            line_end: self.style.line_end,
            lists: self.style.lists,
        })
    }

    /// Where a new item goes in a list.
    fn list_slot(&self, list: &Node, ends: Ends) -> Result<ItemSlot, String> {
        let Value::Sequence(items) = &list.value else {
            return Err("it is not a list".to_owned());
        };
        let quote = items
            .last()
            .map_or(self.style.lists.quote, |item| quote_of(item, self.text));
        if is_flow(list, self.text) {
            let end = ends.content;
            return Ok(ItemSlot::Flow {
                at: self.point(end.unwrap_or(list.span.start + 1)),
                is_empty: end.is_none(),
                quote,
            });
        }

        let Some(first_dash) = first_dash(list, self.text) else {
            return Err("its first `-` cannot be found".to_owned());
        };
        if !starts_its_line(self.text, first_dash) {
            return Err("its first item does not start a line".to_owned());
        }
        let end = ends
            .written
            .ok_or_else(|| "the end of the list cannot be found".to_owned())?;
        let (at, break_first) = self.line_after(end)?;
        Ok(ItemSlot::Block {
            at,
            indent: column(self.text, first_dash),
            break_first,
            line_end: self.style.line_end,
            quote,
        })
    }

    fn line_after(&self, end: usize) -> Result<(Span, bool), String> {
        line_after(self.text, self.source, end)
    }

    fn point(&self, offset: usize) -> Span {
        Span::new(self.source, offset, offset)
    }
}

/// The start of the line after the one holding `end`, when only blanks or a comment follow
/// `end` there; at the end of a text without a final line break, its end, with
/// `break_first` set.
fn line_after(text: &str, source: SourceId, end: usize) -> Result<(Span, bool), String> {
    let rest = &text[end..];
    let line_length = rest.find('\n').unwrap_or(rest.len());
    let after = rest[..line_length].trim_start();
    if !after.is_empty() && !after.starts_with('#') {
        return Err(format!(
            "`{}` follows it on the same line",
            after.trim_end()
        ));
    }
    match rest.find('\n') {
        Some(at) => Ok((Span::new(source, end + at + 1, end + at + 1), false)),
        None => Ok((Span::new(source, text.len(), text.len()), true)),
    }
}

/// Where a node ends as written ([`written_end`]) and where its content ends ([`content_end`]).
#[derive(Debug, Clone, Copy)]
struct Ends {
    content: Option<usize>,
    written: Option<usize>,
}

impl Ends {
    /// A scalar, a null or an alias: nothing inside to read.
    fn of_leaf(node: &Node, text: &str) -> Self {
        Self {
            content: None,
            written: written_end(node, text),
        }
    }

    /// A collection written here whose content ends at `content`.
    fn of_collection(node: &Node, content: Option<usize>, text: &str) -> Self {
        let written = match is_flow(node, text) {
            true => {
                let close = match node.value {
                    Value::Sequence(_) => ']',
                    _ => '}',
                };
                closing_bracket(text, content.unwrap_or(node.span.start + 1), close)
            }
            false => content,
        };
        Self { content, written }
    }
}

/// Where the last character written inside a node ends: its own text for a scalar, the alias
/// for an alias, the closing bracket of a flow collection, the end of the last entry or item of
/// a block collection. `None` when a flow collection is not closed where expected.
fn written_end(node: &Node, text: &str) -> Option<usize> {
    if let Some(used_at) = node.used_at {
        return Some(used_at.end);
    }

    match &node.value {
        // A key without a value (`SES_REGION:`): the parser places the null at the colon.
        Value::Null if node.span.start == node.span.end => {
            let rest = text.get(node.span.start..)?;
            let after_blanks = rest.trim_start_matches(' ');
            let colon = usize::from(after_blanks.starts_with(':'));
            Some(node.span.start + rest.len() - after_blanks.len() + colon)
        }
        Value::Null | Value::Scalar(_) => Some(trimmed_end(text, node.span)),
        Value::Sequence(_) | Value::Mapping(_) if is_flow(node, text) => {
            let close = if matches!(node.value, Value::Sequence(_)) {
                ']'
            } else {
                '}'
            };
            let from = content_end(node, text).unwrap_or(node.span.start + 1);
            closing_bracket(text, from, close)
        }
        Value::Sequence(_) | Value::Mapping(_) => content_end(node, text),
    }
}

/// The end of the last key, value or item written inside a collection; `None` when it holds
/// nothing.
fn content_end(node: &Node, text: &str) -> Option<usize> {
    let mut end = None;
    match &node.value {
        Value::Mapping(entries) => {
            for (key, value) in entries {
                end = end
                    .max(written_end(key, text))
                    .max(written_end(value, text));
            }
        }
        Value::Sequence(items) => {
            for item in items {
                end = end.max(written_end(item, text));
            }
        }
        Value::Null | Value::Scalar(_) => {}
    }
    end
}

/// The end of a span without the blanks and line breaks it may run on with (a block scalar's
/// span reaches the next key).
fn trimmed_end(text: &str, span: Span) -> usize {
    let written = text.get(span.start..span.end).unwrap_or("");
    span.start + written.trim_end().len()
}

/// The offset just past the bracket that closes a flow collection, looking from `from` over
/// blanks, line breaks, commas and comments.
fn closing_bracket(text: &str, from: usize, close: char) -> Option<usize> {
    let mut rest = text.get(from..)?;
    loop {
        let trimmed = rest.trim_start_matches([' ', '\t', '\r', '\n', ',']);
        if let Some(comment) = trimmed.strip_prefix('#') {
            rest = &comment[comment.find('\n')?..];
            continue;
        }
        if trimmed.starts_with(close) {
            return Some(text.len() - trimmed.len() + close.len_utf8());
        }
        return None;
    }
}

/// The `-` of a block list's first item: where the list's span starts, or just before it (the
/// parser starts a list under a key's first letter at its first item).
fn first_dash(list: &Node, text: &str) -> Option<usize> {
    let before = text.get(..list.span.start)?;
    if text[list.span.start..].starts_with('-') {
        return Some(list.span.start);
    }
    let trimmed = before.trim_end_matches(' ');
    trimmed.ends_with('-').then(|| trimmed.len() - 1)
}

fn is_flow(node: &Node, text: &str) -> bool {
    text.get(node.span.start..)
        .is_some_and(|rest| rest.starts_with(['[', '{']))
}

fn quote_of(node: &Node, text: &str) -> Quote {
    match text.as_bytes().get(node.span.start) {
        Some(b'"') => Quote::Double,
        Some(b'\'') => Quote::Single,
        _ => Quote::Plain,
    }
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |at| at + 1)
}

/// The column of an offset, in bytes from the start of its line; indentation is spaces, so
/// this counts columns where it matters.
fn column(text: &str, offset: usize) -> usize {
    offset - line_start(text, offset)
}

/// Whether only spaces stand before `offset` on its line.
fn starts_its_line(text: &str, offset: usize) -> bool {
    text[line_start(text, offset)..offset]
        .bytes()
        .all(|byte| byte == b' ')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;

    fn layout_of(text: &str) -> (Node, DocumentLayout) {
        let root = yaml::parse(SourceId(0), text).expect("valid YAML");
        let layout = of_document(&root, text);
        (root, layout)
    }

    fn key_at(text: &str, needle: &str) -> Span {
        let start = text.find(needle).expect("the key is in the text");
        Span::new(SourceId(0), start, start + needle.len())
    }

    #[test]
    fn block_service_takes_new_keys_after_its_last_line() {
        let text = "services:\n  app:\n    image: app # pinned\n    command: |\n      run\n\n  db:\n    image: db\n";
        let (_, layout) = layout_of(text);

        let slot = layout.new_key(key_at(text, "app:"), text).expect("a slot");

        let KeySlot::Block {
            at,
            indent,
            break_first,
            ..
        } = slot
        else {
            panic!("a block slot: {slot:?}");
        };
        assert_eq!(&text[at.start..], "\n  db:\n    image: db\n");
        assert_eq!((indent, break_first), (4, false));
    }

    #[test]
    fn flow_service_takes_new_keys_after_its_last_entry() {
        let text = "services:\n  app: {image: app, user: \"1000\" }\n  empty: {}\n";
        let (_, layout) = layout_of(text);

        let app = layout.new_key(key_at(text, "app:"), text).expect("a slot");
        let empty = layout
            .new_key(key_at(text, "empty:"), text)
            .expect("a slot");

        let KeySlot::Flow { at, is_empty, .. } = app else {
            panic!("a flow slot: {app:?}");
        };
        assert_eq!((&text[at.start..at.start + 3], is_empty), (" }\n", false));
        let KeySlot::Flow { at, is_empty, .. } = empty else {
            panic!("a flow slot: {empty:?}");
        };
        assert_eq!((&text[at.start..at.start + 2], is_empty), ("}\n", true));
    }

    #[test]
    fn lists_take_new_items_in_their_own_style() {
        let text = "services:\n  app:\n    cap_drop:\n    - 'NET_RAW' # raw sockets\n    security_opt: [\n      label=x,\n    ]\n";
        let (_, layout) = layout_of(text);

        let block = layout.new_item(key_at(text, "cap_drop"), "cap_drop", text);
        let flow = layout.new_item(key_at(text, "security_opt"), "security_opt", text);

        let Ok(ItemSlot::Block {
            at, indent, quote, ..
        }) = block
        else {
            panic!("a block slot: {block:?}");
        };
        assert_eq!(&text[at.start..at.start + 16], "    security_opt");
        assert_eq!((indent, quote), (4, Quote::Single));
        let Ok(ItemSlot::Flow {
            at,
            is_empty,
            quote,
        }) = flow
        else {
            panic!("a flow slot: {flow:?}");
        };
        assert_eq!(&text[at.start..], ",\n    ]\n");
        assert_eq!((is_empty, quote), (false, Quote::Plain));
    }

    #[test]
    fn style_follows_the_file() {
        let text = "services:\r\n    app:\r\n        ports:\r\n            - \"80:80\"\r\n";
        let root = yaml::parse(SourceId(0), text).expect("valid YAML");

        let style = FileStyle::of(&root, text);

        assert_eq!(style.line_end, LineEnd::CrLf);
        assert_eq!(style.indent, 4);
        assert_eq!(style.lists.dash_offset, 4);
        assert_eq!(style.lists.quote, Quote::Double);
        assert!(!style.lists.is_flow);
    }

    #[test]
    fn removals_take_whole_lines_or_one_comma() {
        let text = "services:\n  app:\n    image: app\n    privileged: true # for now\n  web: {privileged: true, image: web}\n  db: {image: db, privileged: true}\n  solo:\n    privileged: true\n";
        let (root, layout) = layout_of(text);
        let services = root
            .get("services")
            .and_then(Node::as_mapping)
            .expect("services");
        let removal_in = |service: usize| {
            let (_, definition) = &services[service];
            let (key, _) = definition.entry("privileged").expect("privileged");
            layout
                .removal(key.span, text)
                .map(|span| &text[span.start..span.end])
        };

        assert_eq!(removal_in(0), Ok("    privileged: true # for now\n"));
        assert_eq!(removal_in(1), Ok("privileged: true, "));
        assert_eq!(removal_in(2), Ok(", privileged: true"));
        assert!(removal_in(3).is_err());
    }

    #[test]
    fn verbatim_spans_exclude_quotes_and_refuse_interpolation() {
        let text = "a: \"no-new-privileges:false\"\nb: no-new-privileges:${NNP}\n";
        let (root, _) = layout_of(text);
        let node = |key: &str| root.get(key).expect("present").clone();

        let quoted = verbatim(&node("a"), "no-new-privileges:false", text).expect("verbatim");
        let interpolated = verbatim(&node("b"), "no-new-privileges:false", text);

        assert_eq!(&text[quoted.start..quoted.end], "no-new-privileges:false");
        assert!(
            interpolated
                .as_ref()
                .is_err_and(|reason| reason.contains("interpolating")),
            "{interpolated:?}"
        );
    }
}
