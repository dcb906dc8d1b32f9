//! Builds the [`Node`] tree from granit-parser's events with an explicit stack of open
//! collections, so nesting costs heap, not call stack.
//!
//! It reads YAML as serde-saphyr 2.2 did when the loader used it, span for span: a node's span is
//! its event's, an alias copies the anchored node and records the `*name` token as the use, merge
//! keys append the merged entries after the local ones (earlier wins), and the budgets count the
//! same things (an alias is charged for every node its anchor holds).

use std::borrow::Cow;

use granit_parser::{ErrorKind, Event, Parser, ScalarStyle, ScanError, Span as EventSpan, Tag};

use super::keys::{self, KeyPrint, KeyPrints, PrintTag, ScalarFacts, print_tag};
use super::scalars::{self, Resolved, Shape, TagClass};
use super::{Documents, Node, Scalar, ScalarKind, Value, YamlError};
use crate::source::{SourceId, Span};
use crate::work;

/// Nesting deeper than this is refused; Compose files stay far below it.
pub(super) const MAX_DEPTH: usize = 64;

/// Budgets on one file: far above real Compose files, far below what exhausts memory. Nodes
/// copied by aliases count, so an alias bomb stops at the node limit. serde-saphyr's limits on
/// events (500,000) and replayed events (400,000) cannot be reached below the node limit, and
/// are not kept.
const MAX_NODES: usize = 200_000;
const MAX_ALIASES: usize = 10_000;
const MAX_DOCUMENTS: usize = 64;
const MAX_ANCHORS: usize = 50_000;
const MAX_MERGE_KEYS: usize = 10_000;
const MAX_SCALAR_BYTES: usize = 64 * 1024 * 1024;
/// Events kept for anchors, counted once per enclosing anchor: bounds the copies that nested
/// anchors keep.
const MAX_ANCHORED_EVENTS: usize = 1_000_000;

const MERGE_ERROR: &str = "a merge key (`<<`) merges this value, but only mappings can be merged";

/// Builds the documents of `text`: the first that is not null, and every later one that is not.
pub(super) fn build(source: SourceId, text: &str) -> Result<Documents, YamlError> {
    let mut builder = Builder {
        source,
        text,
        stack: Vec::new(),
        anchors: Vec::new(),
        counters: Counters::default(),
        aliases: 0,
        anchors_defined: 0,
        anchored_events: 0,
        open_anchors: 0,
        documents: 0,
        first: None,
        later: Vec::new(),
    };
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|error| builder.scan_error(&error))?;
        builder.read(event, span)?;
    }

    let first = builder.first.flatten().unwrap_or(Node {
        value: Value::Null,
        span: Span::new(source, 0, 0),
        used_at: None,
        tag: None,
    });
    Ok(Documents {
        first,
        later: builder.later,
    })
}

struct Builder<'a> {
    source: SourceId,
    text: &'a str,
    /// The collections open around the next event, outermost first.
    stack: Vec<Frame<'a>>,
    /// Anchored nodes of the current document, by the parser's anchor id.
    anchors: Vec<Option<Anchor<'a>>>,
    counters: Counters,
    aliases: usize,
    anchors_defined: usize,
    anchored_events: usize,
    /// Anchored collections on the stack: each event is kept once for every one of them.
    open_anchors: usize,
    documents: usize,
    /// The first document's root once read: `Some(None)` when it was a tagged null.
    first: Option<Option<Node>>,
    /// The roots of the documents after the first, those that are not null.
    later: Vec<Node>,
}

/// Running totals over the events read, and the events aliases replayed.
#[derive(Clone, Copy, Default)]
struct Counters {
    nodes: usize,
    events: usize,
    scalar_bytes: usize,
    /// Scalar bytes as a replay counts them: values, and only the `!!merge` tag.
    replay_bytes: usize,
    merge_keys: usize,
}

/// What an anchored node held, charged again at each alias.
#[derive(Clone, Copy, Default)]
struct Cost {
    nodes: usize,
    events: usize,
    replay_bytes: usize,
    merge_keys: usize,
    /// Collections nested in it, itself included.
    depth: usize,
}

struct Anchor<'a> {
    node: Node,
    facts: Option<ScalarFacts<'a>>,
    print: Option<KeyPrint<'a>>,
    view: MergeView<'a>,
    cost: Cost,
    /// An error held inside the anchored node, reported where an alias uses it.
    error: Option<YamlError>,
}

/// A finished node on its way to its parent, with what a mapping key or a merge needs of it.
struct Built<'a> {
    node: Node,
    /// A scalar's event, for key identity and merge-key detection.
    facts: Option<ScalarFacts<'a>>,
    /// A collection's identity, built where it may be needed (keys, anchors).
    print: Option<KeyPrint<'a>>,
    view: MergeView<'a>,
    /// An error found inside a node serde-saphyr read only when it was used (see [`Role`]).
    error: Option<YamlError>,
}

/// The keys a merge of this node would bring, in entry order.
#[derive(Clone)]
enum MergeView<'a> {
    /// A mapping's keys, and the errors held in its entries (empty when none are held).
    Keys(Vec<KeyPrint<'a>>, Vec<Option<YamlError>>),
    Items(Vec<MergeView<'a>>),
    None,
}

/// When an error inside a collection is reported. serde-saphyr, whose behaviour the builder
/// keeps, reads a merge key's mapping in two steps: it first takes the mapping's entries (a
/// duplicate among them is an error once the mapping ends), and reads an entry's key and value
/// only when the merge uses it, so errors inside an entry that a local key overrides never show.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Read as it comes: an error is reported at once.
    Live,
    /// A mapping merged from a live collection: errors in it wait for its end.
    MergedRoot,
    /// A collection merged inside a merged mapping: its errors wait for the root's end.
    Merged,
    /// Inside an entry of a merged mapping: the first error travels with the entry.
    // LIMITATION: a held collection keeps one error, not one per entry, so merging an anchor
    // defined here fails even where local keys override the bad entry; serde-saphyr read on.
    Held,
}

struct Frame<'a> {
    span: Span,
    role: Role,
    /// The first error waiting in this collection (see [`Role`]).
    held: Option<YamlError>,
    tag: Option<String>,
    class: TagClass,
    raw_tag: Option<Cow<'a, str>>,
    anchor: usize,
    /// Whether this collection and its content need their identities: inside a key or an anchor.
    wants_prints: bool,
    at_start: Counters,
    /// Collections nested below this one.
    depth_below: usize,
    body: Body<'a>,
}

#[expect(
    clippy::large_enum_variant,
    reason = "frames sit in one stack, as deep as the nesting; boxing would allocate per mapping"
)]
enum Body<'a> {
    Sequence {
        items: Vec<Node>,
        prints: Vec<KeyPrint<'a>>,
        /// The items' merge views, when this sequence may be merged.
        views: Option<Vec<MergeView<'a>>>,
        /// A merge value (or inside one): every item must be a mapping or null.
        is_merge_source: bool,
    },
    Mapping {
        entries: Vec<(Node, Node)>,
        keys: KeyPrints<'a>,
        pending: Pending<'a>,
        /// Entries brought by merge keys, in order, applied when the mapping ends.
        merged: Vec<MergedEntry<'a>>,
        /// Key and value identities as written, merge keys included.
        pairs: Vec<(KeyPrint<'a>, KeyPrint<'a>)>,
        /// In a merged mapping: the error held in each entry, and in the entry being read.
        entry_errors: Vec<Option<YamlError>>,
        entry_error: Option<YamlError>,
    },
}

struct MergedEntry<'a> {
    key: Node,
    value: Node,
    print: KeyPrint<'a>,
    error: Option<YamlError>,
}

enum Pending<'a> {
    Key,
    Value { key: Node, print: KeyPrint<'a> },
    MergeValue { print: Option<KeyPrint<'a>> },
}

impl<'a> Builder<'a> {
    fn read(&mut self, event: Event<'a>, span: EventSpan) -> Result<(), YamlError> {
        let span = self.span(span);
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                self.scalar(value, style, anchor, tag.as_deref(), span)
            }
            Event::SequenceStart(_, anchor, tag) => {
                self.start(Shape::Sequence, anchor, tag.as_deref(), span)
            }
            Event::MappingStart(_, anchor, tag) => {
                self.start(Shape::Mapping, anchor, tag.as_deref(), span)
            }
            Event::SequenceEnd | Event::MappingEnd => self.end(span),
            Event::Alias(anchor) => self.alias(anchor, span),
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > MAX_DOCUMENTS {
                    return Err(self.limit_error("documents in one file", span));
                }
                self.anchors.clear();
                Ok(())
            }
            Event::DocumentEnd => {
                self.anchors.clear();
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn scalar(
        &mut self,
        value: Cow<'a, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<(), YamlError> {
        let class = TagClass::of(tag);
        let is_key = self.is_key_position();
        let is_merge_key = keys::is_merge_key(&value, class, style);
        let scalar_bytes = value.len() + tag_len(tag);
        self.count_node(span)?;
        self.count_scalar_bytes(scalar_bytes, span)?;
        let replay_bytes = replay_len(&value, class);
        self.counters.replay_bytes += replay_bytes;
        self.count_anchor(anchor, span)?;
        if is_key && is_merge_key {
            self.count_merge_keys(1, span)?;
        }
        check_shape(class, tag, Shape::Scalar, span)?;
        let own_copy = usize::from(anchor != 0);
        self.count_anchored_events(self.open_anchors + own_copy, span)?;

        // A merge value is not read as a value: it is null, or it cannot be merged.
        if self.is_merge_position() && !scalars::is_null(class, &value, style) {
            let error = YamlError {
                message: MERGE_ERROR.to_owned(),
                span,
            };
            self.fail(error, false)?;
            return self.deliver(Built::placeholder(span));
        }

        // A key, an anchored scalar, a document root and the content of a key or anchor keep
        // their event for key identity; other scalars hand their text straight to the node.
        let (local_tag, raw_tag) = tag_names(tag);
        let keeps_facts =
            is_key || anchor != 0 || self.stack.last().is_none_or(|frame| frame.wants_prints);
        let (facts, resolved) = if keeps_facts {
            let resolved = scalars::resolve(value.clone(), style, class);
            let facts = ScalarFacts {
                value,
                style,
                class,
                raw_tag,
            };
            (Some(facts), resolved)
        } else {
            (None, scalars::resolve(value, style, class))
        };
        let resolved = match resolved {
            Ok(resolved) => resolved,
            Err(message) => {
                let error = YamlError {
                    message: message.to_owned(),
                    span,
                };
                self.fail(error.clone(), true)?;
                // The scalar keeps its identity: as a key, it still counts against the others.
                let mut placeholder = Built::placeholder(span);
                if facts.is_some() {
                    placeholder.print = None;
                    placeholder.facts = facts;
                }
                if anchor != 0 {
                    let anchored = Anchor {
                        node: placeholder.node.clone(),
                        facts: placeholder.facts.clone(),
                        print: None,
                        view: MergeView::None,
                        cost: Cost::default(),
                        error: Some(error),
                    };
                    self.keep_anchor(anchor, anchored);
                }
                return self.deliver(placeholder);
            }
        };
        let node_value = match resolved {
            Resolved::Null => Value::Null,
            Resolved::Text(text) => Value::Scalar(Scalar {
                text,
                kind: ScalarKind::String,
            }),
            Resolved::Typed(kind) => {
                let written = &self.text[span.start..span.end];
                Value::Scalar(Scalar {
                    text: written.trim().trim_matches(['"', '\'']).to_owned(),
                    kind,
                })
            }
        };
        work::count(1);
        let node = Node {
            value: node_value,
            span,
            used_at: None,
            tag: local_tag,
        };
        if anchor != 0 {
            let cost = Cost {
                nodes: 1,
                events: 1,
                replay_bytes,
                merge_keys: 0,
                depth: 0,
            };
            self.keep_anchor(
                anchor,
                Anchor {
                    node: node.clone(),
                    facts: facts.clone(),
                    print: None,
                    view: MergeView::None,
                    cost,
                    error: None,
                },
            );
        }
        self.deliver(Built {
            node,
            facts,
            print: None,
            view: MergeView::None,
            error: None,
        })
    }

    fn start(
        &mut self,
        shape: Shape,
        anchor: usize,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<(), YamlError> {
        let class = TagClass::of(tag);
        let at_start = self.counters;
        self.count_node(span)?;
        if self.stack.len() + 1 > MAX_DEPTH {
            return Err(self.limit_error(&format!("nesting depth ({MAX_DEPTH})"), span));
        }
        self.count_scalar_bytes(tag_len(tag), span)?;
        self.count_anchor(anchor, span)?;
        check_shape(class, tag, shape, span)?;
        if anchor != 0 {
            self.open_anchors += 1;
        }
        self.count_anchored_events(self.open_anchors, span)?;

        let (local_tag, raw_tag) = tag_names(tag);
        let parent = self.stack.last();
        let is_key = self.is_key_position();
        let is_merge_value = matches!(
            parent.map(|frame| &frame.body),
            Some(Body::Mapping {
                pending: Pending::MergeValue { .. },
                ..
            })
        );
        let (parent_wants_prints, parent_keeps_views, parent_is_merge_source) = match parent {
            Some(Frame {
                wants_prints,
                body:
                    Body::Sequence {
                        views,
                        is_merge_source,
                        ..
                    },
                ..
            }) => (*wants_prints, views.is_some(), *is_merge_source),
            Some(frame) => (frame.wants_prints, false, false),
            None => (false, false, false),
        };
        let role = match parent.map(|frame| (frame.role, &frame.body)) {
            None => Role::Live,
            Some((Role::Held, _)) => Role::Held,
            Some((Role::Live, _)) if is_merge_value || parent_is_merge_source => match shape {
                Shape::Mapping => Role::MergedRoot,
                _ => Role::Live,
            },
            Some((Role::Live, _)) => Role::Live,
            Some((_, Body::Mapping { .. })) if !is_merge_value => Role::Held,
            Some(_) => Role::Merged,
        };
        let body = match shape {
            Shape::Mapping => Body::Mapping {
                entries: Vec::new(),
                keys: KeyPrints::default(),
                pending: Pending::Key,
                merged: Vec::new(),
                pairs: Vec::new(),
                entry_errors: Vec::new(),
                entry_error: None,
            },
            _ => {
                let keeps_views = anchor != 0 || is_merge_value || parent_keeps_views;
                Body::Sequence {
                    items: Vec::new(),
                    prints: Vec::new(),
                    views: keeps_views.then(Vec::new),
                    is_merge_source: is_merge_value || parent_is_merge_source,
                }
            }
        };
        self.stack.push(Frame {
            span,
            role,
            held: None,
            tag: local_tag,
            class,
            raw_tag,
            anchor,
            wants_prints: parent_wants_prints || is_key || anchor != 0,
            at_start,
            depth_below: 0,
            body,
        });
        Ok(())
    }

    fn end(&mut self, span: Span) -> Result<(), YamlError> {
        self.counters.events += 1;
        self.count_anchored_events(self.open_anchors, span)?;
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        if frame.anchor != 0 {
            self.open_anchors -= 1;
        }
        if let Some(parent) = self.stack.last_mut() {
            parent.depth_below = parent.depth_below.max(frame.depth_below + 1);
        }

        work::count(1);
        let is_merged = matches!(frame.role, Role::MergedRoot | Role::Merged);
        let mut merge_error = None;
        let (value, print, view) = match frame.body {
            Body::Sequence {
                items,
                prints,
                views,
                ..
            } => {
                let print = frame.wants_prints.then(|| KeyPrint::Sequence {
                    tag: print_tag(frame.class, frame.raw_tag.as_ref(), TagClass::Seq),
                    elements: prints,
                });
                let view = views.map_or(MergeView::None, MergeView::Items);
                (Value::Sequence(items), print, view)
            }
            Body::Mapping {
                mut entries,
                mut keys,
                merged,
                mut pairs,
                mut entry_errors,
                ..
            } => {
                // Merged entries follow the local ones; a key already there wins.
                for entry in merged {
                    if !keys.insert(entry.print) {
                        continue;
                    }
                    entries.push((entry.key, entry.value));
                    if is_merged {
                        entry_errors.push(entry.error);
                    } else if merge_error.is_none() {
                        merge_error = entry.error;
                    }
                }
                let print = frame.wants_prints.then(|| {
                    pairs.sort();
                    KeyPrint::Mapping {
                        tag: print_tag(frame.class, frame.raw_tag.as_ref(), TagClass::Map),
                        entries: pairs,
                    }
                });
                let view = MergeView::Keys(keys.into_vec(), entry_errors);
                (Value::Mapping(entries), print, view)
            }
        };
        let error = match frame.role {
            Role::Live | Role::MergedRoot => match frame.held.or(merge_error) {
                Some(error) => return Err(error),
                None => None,
            },
            Role::Merged => None,
            Role::Held => frame.held.or(merge_error),
        };
        let node = Node {
            value,
            span: frame.span,
            used_at: None,
            tag: frame.tag,
        };
        if frame.anchor != 0 {
            let cost = Cost {
                nodes: self.counters.nodes - frame.at_start.nodes,
                events: self.counters.events - frame.at_start.events,
                replay_bytes: self.counters.replay_bytes - frame.at_start.replay_bytes,
                merge_keys: self.counters.merge_keys - frame.at_start.merge_keys,
                depth: frame.depth_below + 1,
            };
            self.keep_anchor(
                frame.anchor,
                Anchor {
                    node: node.clone(),
                    facts: None,
                    print: print.clone(),
                    view: view.clone(),
                    cost,
                    error: error.clone(),
                },
            );
        }
        self.deliver(Built {
            node,
            facts: None,
            print,
            view,
            error,
        })
    }

    fn alias(&mut self, id: usize, token: Span) -> Result<(), YamlError> {
        self.aliases += 1;
        if self.aliases > MAX_ALIASES {
            return Err(self.limit_error(&format!("aliases ({MAX_ALIASES})"), token));
        }
        if self.stack.iter().any(|frame| frame.anchor == id) {
            let error = YamlError {
                message: "recursive references require weak recursion types".to_owned(),
                span: token,
            };
            self.fail(error, true)?;
            return self.deliver(Built::placeholder(token));
        }
        let Some(Some(anchor)) = self.anchors.get(id) else {
            return Err(YamlError {
                message: "alias references unknown anchor".to_owned(),
                span: token,
            });
        };

        // The alias replays everything the anchor held, so it is charged for all of it.
        // LIMITATION: the charge is made at once, so when one copy crosses two limits the error
        // names the first checked here (nodes, depth, size), where serde-saphyr named the first
        // crossed in the copy's order.
        let cost = anchor.cost;
        let is_merge_key = anchor
            .facts
            .as_ref()
            .is_some_and(|facts| facts.is_merge_key() && self.is_key_position());
        if self.counters.nodes + cost.nodes > MAX_NODES {
            return Err(self.limit_error(&format!("nodes ({MAX_NODES})"), token));
        }
        if self.stack.len() + cost.depth > MAX_DEPTH {
            return Err(self.limit_error(&format!("nesting depth ({MAX_DEPTH})"), token));
        }
        self.counters.nodes += cost.nodes;
        self.counters.events += cost.events;
        self.counters.replay_bytes += cost.replay_bytes;
        self.count_scalar_bytes(cost.replay_bytes, token)?;
        self.count_merge_keys(cost.merge_keys + usize::from(is_merge_key), token)?;
        self.count_anchored_events(cost.events * self.open_anchors, token)?;

        let Some(Some(anchor)) = self.anchors.get(id) else {
            return Ok(());
        };
        // The alias reads what the anchor's merged entry never had read (see `Role`). Outside a
        // merge it reads every entry too, so errors a merge held in the entries count as well.
        let error = if self.is_merge_position() {
            anchor.error.as_ref()
        } else {
            anchor.error.as_ref().or_else(|| anchor.view.first_error())
        };
        if let Some(error) = error {
            let error = YamlError {
                message: error.message.clone(),
                span: token,
            };
            self.fail(error, true)?;
            return self.deliver(Built::placeholder(token));
        }
        let node = copy_for_alias(&anchor.node, token);
        let wants_print =
            self.is_key_position() || self.stack.last().is_some_and(|frame| frame.wants_prints);
        let wants_view = match self.stack.last().map(|frame| &frame.body) {
            Some(Body::Sequence { views, .. }) => views.is_some(),
            Some(Body::Mapping { pending, .. }) => matches!(pending, Pending::MergeValue { .. }),
            None => false,
        };
        let built = Built {
            node,
            facts: anchor.facts.clone(),
            print: if wants_print {
                anchor.print.clone()
            } else {
                None
            },
            view: if wants_view {
                anchor.view.used_at(token)
            } else {
                MergeView::None
            },
            error: None,
        };
        if let Some(parent) = self.stack.last_mut() {
            parent.depth_below = parent.depth_below.max(cost.depth);
        }
        self.deliver(built)
    }

    /// Hands a finished node to the collection around it, or ends the document.
    fn deliver(&mut self, mut built: Built<'a>) -> Result<(), YamlError> {
        let text = self.text;
        let Some(frame) = self.stack.last_mut() else {
            self.finish_document(built);
            return Ok(());
        };
        let wants_prints = frame.wants_prints;
        let is_merged = matches!(frame.role, Role::MergedRoot | Role::Merged);
        if let Some(error) = built.error.take() {
            match &mut frame.body {
                Body::Mapping { entry_error, .. } if is_merged => {
                    entry_error.get_or_insert(error);
                }
                _ => {
                    frame.held.get_or_insert(error);
                }
            }
        }
        let failure = match &mut frame.body {
            Body::Sequence {
                items,
                prints,
                views,
                is_merge_source,
            } => {
                let failure = match is_merge_source {
                    true => check_merge_item(&built.node).err(),
                    false => None,
                };
                if wants_prints {
                    prints.push(built.print_or_facts());
                }
                if let Some(views) = views {
                    views.push(built.view);
                }
                items.push(built.node);
                failure
            }
            Body::Mapping {
                entries,
                keys,
                pending,
                merged,
                pairs,
                entry_errors,
                entry_error,
            } => match std::mem::replace(pending, Pending::Key) {
                Pending::Key => {
                    if built.facts.as_ref().is_some_and(ScalarFacts::is_merge_key) {
                        let print = wants_prints.then(|| built.print_or_facts());
                        *pending = Pending::MergeValue { print };
                        return Ok(());
                    }
                    let print = built.print_or_facts();
                    let failure = match keys.insert(print.clone()) {
                        true => None,
                        false => Some(duplicate_key_error(&built)),
                    };
                    *pending = Pending::Value {
                        key: built.node,
                        print,
                    };
                    failure
                }
                Pending::Value { key, print } => {
                    if wants_prints {
                        pairs.push((print, built.print_or_facts()));
                    }
                    entries.push((key, built.node));
                    if is_merged {
                        entry_errors.push(entry_error.take());
                    }
                    None
                }
                Pending::MergeValue { print } => {
                    if let Some(key_print) = print {
                        let value_print = built.print_or_facts();
                        pairs.push((key_print, value_print));
                    }
                    collect_merged(text, built.node, built.view, merged).err()
                }
            },
        };
        match failure {
            Some(error) => self.fail(error, false),
            None => Ok(()),
        }
    }

    /// Reports an error, or holds it where serde-saphyr found it only later (see [`Role`]).
    /// `is_inside` says the error is in a node inside the innermost collection, not about the
    /// collection itself (a duplicate key, a value that cannot be merged).
    fn fail(&mut self, error: YamlError, is_inside: bool) -> Result<(), YamlError> {
        let Some(top) = self.stack.len().checked_sub(1) else {
            return Err(error);
        };
        let frame = &mut self.stack[top];
        match (frame.role, &mut frame.body) {
            (Role::Live, _) => Err(error),
            (Role::Held, _) => {
                frame.held.get_or_insert(error);
                Ok(())
            }
            (_, Body::Mapping { entry_error, .. }) if is_inside => {
                entry_error.get_or_insert(error);
                Ok(())
            }
            _ => {
                let root = self.stack[..=top]
                    .iter_mut()
                    .rev()
                    .find(|frame| frame.role == Role::MergedRoot);
                match root {
                    Some(root) => {
                        root.held.get_or_insert(error);
                        Ok(())
                    }
                    None => Err(error),
                }
            }
        }
    }

    fn finish_document(&mut self, built: Built<'a>) {
        if self.first.is_some() {
            if built.node.value != Value::Null {
                self.later.push(built.node);
            }
            return;
        }
        if built.node.value != Value::Null {
            self.first = Some(Some(built.node));
            return;
        }
        // A null root is no document, unless an application tag such as `!reset` marks it.
        let class = built.facts.map_or(TagClass::None, |facts| facts.class);
        if class == TagClass::Other {
            self.first = Some(None);
        }
    }

    fn is_key_position(&self) -> bool {
        matches!(
            self.stack.last().map(|frame| &frame.body),
            Some(Body::Mapping {
                pending: Pending::Key,
                ..
            })
        )
    }

    /// Whether the next node is merged: a merge key's value or an item of a merged sequence.
    fn is_merge_position(&self) -> bool {
        match self.stack.last().map(|frame| &frame.body) {
            Some(Body::Mapping { pending, .. }) => matches!(pending, Pending::MergeValue { .. }),
            Some(Body::Sequence {
                is_merge_source, ..
            }) => *is_merge_source,
            None => false,
        }
    }

    fn keep_anchor(&mut self, id: usize, anchor: Anchor<'a>) {
        if self.anchors.len() <= id {
            self.anchors.resize_with(id + 1, || None);
        }
        self.anchors[id] = Some(anchor);
    }

    fn count_node(&mut self, span: Span) -> Result<(), YamlError> {
        self.counters.nodes += 1;
        self.counters.events += 1;
        if self.counters.nodes > MAX_NODES {
            return Err(self.limit_error(&format!("nodes ({MAX_NODES})"), span));
        }
        Ok(())
    }

    fn count_scalar_bytes(&mut self, bytes: usize, span: Span) -> Result<(), YamlError> {
        self.counters.scalar_bytes = self.counters.scalar_bytes.saturating_add(bytes);
        if self.counters.scalar_bytes > MAX_SCALAR_BYTES {
            let limit = format!("scalar text ({} MiB)", MAX_SCALAR_BYTES / (1024 * 1024));
            return Err(self.limit_error(&limit, span));
        }
        Ok(())
    }

    fn count_anchor(&mut self, anchor: usize, span: Span) -> Result<(), YamlError> {
        if anchor == 0 {
            return Ok(());
        }
        self.anchors_defined += 1;
        if self.anchors_defined > MAX_ANCHORS {
            return Err(self.limit_error(&format!("anchors ({MAX_ANCHORS})"), span));
        }
        Ok(())
    }

    fn count_merge_keys(&mut self, merge_keys: usize, span: Span) -> Result<(), YamlError> {
        self.counters.merge_keys += merge_keys;
        if self.counters.merge_keys > MAX_MERGE_KEYS {
            return Err(self.limit_error(&format!("merge keys ({MAX_MERGE_KEYS})"), span));
        }
        Ok(())
    }

    fn count_anchored_events(&mut self, copies: usize, span: Span) -> Result<(), YamlError> {
        self.anchored_events = self.anchored_events.saturating_add(copies);
        if self.anchored_events > MAX_ANCHORED_EVENTS {
            let limit = format!("events kept for anchors ({MAX_ANCHORED_EVENTS})");
            return Err(self.limit_error(&limit, span));
        }
        Ok(())
    }

    fn limit_error(&self, limit: &str, span: Span) -> YamlError {
        YamlError {
            message: format!("the document exceeds the parser's limit on {limit}"),
            span,
        }
    }

    fn span(&self, span: EventSpan) -> Span {
        let start = span.start.byte_offset().unwrap_or(0);
        let end = span.end.byte_offset().unwrap_or(start);
        Span::new(self.source, start, end)
    }

    /// A syntax error, at the parser's line and column, in its words.
    fn scan_error(&self, error: &ScanError) -> YamlError {
        let message = match error.kind() {
            ErrorKind::UnknownAnchor => "alias references unknown anchor".to_owned(),
            _ => super::library_reason(&error.info()),
        };
        let marker = error.marker();
        let (start, end) =
            super::line_column_offset(self.text, marker.line(), marker.col() + 1).unwrap_or((0, 0));
        YamlError {
            message,
            span: Span::new(self.source, start, end),
        }
    }
}

impl<'a> MergeView<'a> {
    /// The first error held in the entries, in document order.
    fn first_error(&self) -> Option<&YamlError> {
        match self {
            MergeView::Keys(_, errors) => {
                errors.iter().flatten().min_by_key(|error| error.span.start)
            }
            MergeView::Items(views) => views
                .iter()
                .filter_map(MergeView::first_error)
                .min_by_key(|error| error.span.start),
            MergeView::None => None,
        }
    }

    /// The view an alias brings: an error held in it is reported at the alias, where
    /// serde-saphyr read the entry when it replayed the anchor.
    fn used_at(&self, token: Span) -> MergeView<'a> {
        match self {
            MergeView::Keys(prints, errors) => {
                let errors = errors
                    .iter()
                    .map(|error| {
                        error.as_ref().map(|error| YamlError {
                            message: error.message.clone(),
                            span: token,
                        })
                    })
                    .collect();
                MergeView::Keys(prints.clone(), errors)
            }
            MergeView::Items(views) => {
                MergeView::Items(views.iter().map(|view| view.used_at(token)).collect())
            }
            MergeView::None => MergeView::None,
        }
    }
}

impl<'a> Built<'a> {
    /// Stands in for a node whose error is held, so the collection around it reads on.
    fn placeholder(span: Span) -> Built<'a> {
        Built {
            node: Node {
                value: Value::Null,
                span,
                used_at: None,
                tag: None,
            },
            facts: None,
            print: Some(KeyPrint::Unreadable { start: span.start }),
            view: MergeView::None,
            error: None,
        }
    }

    /// The node's identity as a key: a scalar's from its event, a collection's as built.
    fn print_or_facts(&self) -> KeyPrint<'a> {
        if let Some(print) = &self.print {
            return print.clone();
        }
        match &self.facts {
            Some(facts) => facts.print(),
            // Only a collection where no identity is asked of it has none.
            None => KeyPrint::Sequence {
                tag: PrintTag::Class(TagClass::None),
                elements: Vec::new(),
            },
        }
    }
}

/// A scalar's bytes when an alias replays it: its value, and the `!!merge` tag, the only tag
/// a replay keeps.
fn replay_len(value: &str, class: TagClass) -> usize {
    const MERGE_TAG_LEN: usize = "tag:yaml.org,2002:merge".len();
    value.len()
        + if class == TagClass::Merge {
            MERGE_TAG_LEN
        } else {
            0
        }
}

fn tag_len(tag: Option<&Tag>) -> usize {
    tag.map_or(0, |tag| tag.handle().len() + tag.suffix().len())
}

/// The node's local tag (`reset` for `!reset`) and the tag's resolved spelling.
fn tag_names<'a>(tag: Option<&Tag>) -> (Option<String>, Option<Cow<'a, str>>) {
    let Some(tag) = tag else {
        return (None, None);
    };
    let spelled = tag.to_string();
    (super::local_tag_name(&spelled), Some(Cow::Owned(spelled)))
}

/// A tag on a node of the wrong shape (`!!int [1]`, `!!map a`) is refused.
fn check_shape(
    class: TagClass,
    tag: Option<&Tag>,
    shape: Shape,
    span: Span,
) -> Result<(), YamlError> {
    let Some(required) = class.required_shape() else {
        return Ok(());
    };
    if required == shape {
        return Ok(());
    }
    let message = match class {
        TagClass::Include => {
            "!include currently only supports the scalar form: !include <path>".to_owned()
        }
        _ => super::library_reason(&format!(
            "unsupported tag `{}`",
            tag.map_or_else(String::new, Tag::original)
        )),
    };
    Err(YamlError { message, span })
}

fn duplicate_key_error(key: &Built<'_>) -> YamlError {
    let text = key.facts.as_ref().and_then(ScalarFacts::message_text);
    let message = match text {
        Some(text) => format!("duplicate mapping key: {text}"),
        None => "duplicate mapping key".to_owned(),
    };
    YamlError {
        message: super::library_reason(&message),
        span: key.node.span,
    }
}

/// An item of a merged sequence must be a mapping, null, or a sequence of those.
fn check_merge_item(node: &Node) -> Result<(), YamlError> {
    match &node.value {
        Value::Scalar(_) => Err(YamlError {
            message: MERGE_ERROR.to_owned(),
            span: node.span,
        }),
        Value::Sequence(items) => items.iter().try_for_each(check_merge_item),
        Value::Null | Value::Mapping(_) => Ok(()),
    }
}

/// The entries a merge key's value brings, each with where it is used: the alias (`<<: *a`), or
/// else the merged mapping (`<<: {...}`) or the top-level item of a merged sequence.
fn collect_merged<'a>(
    text: &str,
    node: Node,
    view: MergeView<'a>,
    merged: &mut Vec<MergedEntry<'a>>,
) -> Result<(), YamlError> {
    let reference = node.use_span();
    merge_from(text, node, view, reference, true, merged)
}

/// Walks nested sequences of a merge value; recursion is bounded by the depth budget.
fn merge_from<'a>(
    text: &str,
    node: Node,
    view: MergeView<'a>,
    reference: Span,
    is_top: bool,
    merged: &mut Vec<MergedEntry<'a>>,
) -> Result<(), YamlError> {
    match (node.value, view) {
        (Value::Null, _) => Ok(()),
        (Value::Mapping(entries), MergeView::Keys(prints, errors)) => {
            let mut errors = errors.into_iter();
            for ((mut key, mut value), print) in entries.into_iter().zip(prints) {
                mark_merged(text, &mut key, reference);
                mark_merged(text, &mut value, reference);
                let error = errors.next().flatten();
                merged.push(MergedEntry {
                    key,
                    value,
                    print,
                    error,
                });
            }
            Ok(())
        }
        (Value::Sequence(items), MergeView::Items(views)) => {
            for (item, view) in items.into_iter().zip(views) {
                let item_reference = match item.used_at {
                    Some(used_at) if is_alias_use(text, used_at) => used_at,
                    _ if is_top => item.use_span(),
                    _ => reference,
                };
                merge_from(text, item, view, item_reference, false, merged)?;
            }
            Ok(())
        }
        _ => Err(YamlError {
            message: MERGE_ERROR.to_owned(),
            span: node.span,
        }),
    }
}

/// Records the merge as the use of every node it brings, except those an alias brought, which
/// keep their alias.
fn mark_merged(text: &str, node: &mut Node, reference: Span) {
    if node
        .used_at
        .is_some_and(|used_at| is_alias_use(text, used_at))
    {
        return;
    }
    node.used_at = (reference != node.span).then_some(reference);
    match &mut node.value {
        Value::Sequence(items) => {
            for item in items {
                mark_merged(text, item, reference);
            }
        }
        Value::Mapping(entries) => {
            for (key, value) in entries {
                mark_merged(text, key, reference);
                mark_merged(text, value, reference);
            }
        }
        Value::Null | Value::Scalar(_) => {}
    }
}

/// Whether a use is an alias token (`*name`) rather than a merged collection's start.
fn is_alias_use(text: &str, used_at: Span) -> bool {
    used_at.end > used_at.start && text.as_bytes().get(used_at.start) == Some(&b'*')
}

/// A copy of an anchored node, every node of it used at the alias token.
fn copy_for_alias(node: &Node, token: Span) -> Node {
    work::count(1);
    let value = match &node.value {
        Value::Null => Value::Null,
        Value::Scalar(scalar) => Value::Scalar(scalar.clone()),
        Value::Sequence(items) => Value::Sequence(
            items
                .iter()
                .map(|item| copy_for_alias(item, token))
                .collect(),
        ),
        Value::Mapping(entries) => Value::Mapping(
            entries
                .iter()
                .map(|(key, value)| (copy_for_alias(key, token), copy_for_alias(value, token)))
                .collect(),
        ),
    };
    Node {
        value,
        span: node.span,
        used_at: Some(token),
        tag: node.tag.clone(),
    }
}
