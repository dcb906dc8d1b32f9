//! YAML to a tree that keeps the span of every key and value, with merge keys applied and
//! aliases resolved; the Compose loader reads this tree.
//!
//! serde-saphyr does the parsing: it applies merge keys, replays aliases within budgets, rejects
//! duplicate keys and reports where each value was used and defined. A small `Deserialize`
//! visitor turns its events into [`Node`]s; scalars keep their written text.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{DuplicateKeyPolicy, Location, NonFiniteFloatPolicy, Options, Tagged};

use crate::source::{SourceId, Span};
use crate::work;

/// A YAML node and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Where the value was written (for an alias: in the anchored node).
    pub span: Span,
    /// Where the value was used, when that differs from `span` (an alias or a merge key).
    pub used_at: Option<Span>,
    /// A local tag such as `!reset` or `!override`, without the `!`.
    pub tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// A scalar of any YAML type, as text: `user: 1000` gives `"1000"`.
    Scalar(Scalar),
    Sequence(Vec<Node>),
    /// Keys in document order, merge keys already applied (local keys first, then each merged
    /// mapping in order, earlier wins).
    Mapping(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub text: String,
    pub kind: ScalarKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarKind {
    String,
    Integer,
    Float,
    Boolean,
}

/// A document that could not be read: syntax error, duplicate key, alias budget exceeded.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub span: Span,
}

impl Node {
    /// The scalar text, when this node is a scalar.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    /// The entries, when this node is a mapping.
    pub fn as_mapping(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value under a scalar key, when this node is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, value)| value)
    }

    /// The key and value under a scalar key, when this node is a mapping that has it.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        let entries = self.as_mapping()?;
        let (found_key, value) = entries
            .iter()
            .find(|(candidate, _)| candidate.as_scalar().is_some_and(|s| s.text == key))?;
        Some((found_key, value))
    }

    /// Where to point at this node from a diagnostic: the place it is used.
    pub fn use_span(&self) -> Span {
        self.used_at.unwrap_or(self.span)
    }
}

/// Nesting deeper than this is refused; Compose files stay far below it.
const MAX_DEPTH: usize = 64;

/// Budgets on the size of one document: far above real Compose files, far below what exhausts
/// memory.
const MAX_NODES: usize = 200_000;
const MAX_EVENTS: usize = 500_000;
const MAX_ALIASES: usize = 10_000;

/// Room for `MAX_DEPTH` levels of the parser's recursion, with a wide margin. Only the pages a
/// parse touches are ever committed.
pub const PARSER_STACK_BYTES: usize = 32 * 1024 * 1024;

thread_local! {
    static HAS_PARSER_STACK: Cell<bool> = const { Cell::new(false) };
}

/// Declares that the calling thread was started with a stack of [`PARSER_STACK_BYTES`], so
/// [`parse`] runs on it in place.
pub fn mark_parser_stack() {
    HAS_PARSER_STACK.with(|flag| flag.set(true));
}

/// Parses one YAML document.
///
/// Multi-document input yields its first document: Compose reads one document per file, and the
/// first is what a reader sees. An empty document is [`Value::Null`].
pub fn parse(source: SourceId, text: &str) -> Result<Node, YamlError> {
    if HAS_PARSER_STACK.with(Cell::get) {
        return parse_on_this_thread(source, text);
    }

    // The serde visitors recurse once per nesting level with large frames (about 50 KiB each in
    // debug builds), so parse on a thread whose stack surely holds `MAX_DEPTH` levels. Its work
    // items are counted on that thread and handed back.
    let spawned = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("yaml-parser".to_owned())
            .stack_size(PARSER_STACK_BYTES)
            .spawn_scoped(scope, || {
                work::counted(|| parse_on_this_thread(source, text))
            })
            .map(|handle| handle.join())
    });
    match spawned {
        Ok(Ok((result, items))) => {
            work::count(items);
            result
        }
        Ok(Err(_)) => Err(YamlError {
            message: "the YAML parser failed unexpectedly".to_owned(),
            span: Span::new(source, 0, 0),
        }),
        Err(error) => Err(YamlError {
            message: format!("cannot start the YAML parser: {error}"),
            span: Span::new(source, 0, 0),
        }),
    }
}

fn parse_on_this_thread(source: SourceId, text: &str) -> Result<Node, YamlError> {
    let options = parser_options();
    let documents: Vec<Option<RawNode>> =
        match serde_saphyr::from_multiple_with_options(text, options) {
            Ok(documents) => documents,
            Err(error) => return Err(convert_error(source, text, &error)),
        };

    let Some(Some(first)) = documents.into_iter().next() else {
        return Ok(Node {
            value: Value::Null,
            span: Span::new(source, 0, 0),
            used_at: None,
            tag: None,
        });
    };

    Ok(to_node(first, source, text))
}

/// Budgets that stop alias bombs and deep nesting early instead of exhausting memory or stack.
/// The limit a budget error names, in words: the library reports it as `Nodes { nodes: 200001 }`.
fn limit_name(limit: &str) -> String {
    let kind = limit.split([' ', '{', '(']).next().unwrap_or(limit);
    match kind {
        "Nodes" => format!("nodes ({MAX_NODES})"),
        "Events" => format!("events ({MAX_EVENTS})"),
        "Depth" => format!("nesting depth ({MAX_DEPTH})"),
        "Aliases" => format!("aliases ({MAX_ALIASES})"),
        "Documents" => "documents in one file".to_owned(),
        _ => "its size".to_owned(),
    }
}

fn parser_options() -> Options {
    let budget = serde_saphyr::budget! {
        max_depth: MAX_DEPTH,
        max_nodes: MAX_NODES,
        max_events: MAX_EVENTS,
        max_aliases: MAX_ALIASES,
        max_documents: 64,
        // Real files alias a few anchors many times; the replay limits below bound the cost.
        enforce_alias_anchor_ratio: false,
    };
    serde_saphyr::options! {
        budget: budget,
        duplicate_keys: DuplicateKeyPolicy::Error,
        // Compose reads YAML 1.2 booleans only: `yes` and `on` stay strings.
        strict_booleans: true,
        underscored_numbers_as_strings: true,
        non_finite_float_policy: NonFiniteFloatPolicy::PassThrough,
        with_snippet: false,
        crop_radius: 0,
        alias_limits: serde_saphyr::alias_limits! {
            // A shared block of 30 entries merged into 1,000 services replays about 100,000
            // events; an alias bomb passes this long before memory runs short.
            max_total_replayed_events: 400_000,
            max_replay_stack_depth: 32,
        },
    }
}

fn convert_error(source: SourceId, text: &str, error: &serde_saphyr::Error) -> YamlError {
    let location = error.location();
    let range = location.and_then(|location| {
        byte_range(text, location).or_else(|| line_column_offset(text, location))
    });
    let (start, end) = range.unwrap_or((0, 0));
    let rendered = error.without_snippet().to_string();
    // The diagnostic shows the position itself; drop the library's copy of it.
    let mut message = match rendered.split_once(" at line ") {
        Some((reason, _)) if location.is_some() => reason.to_owned(),
        _ => rendered,
    };
    if matches!(
        error.without_snippet(),
        serde_saphyr::Error::MergeValueNotMapOrSeqOfMaps { .. }
    ) {
        message =
            "a merge key (`<<`) merges this value, but only mappings can be merged".to_owned();
    }
    if let Some(limit) = message.strip_prefix("budget breached: ") {
        message = format!(
            "the document exceeds the parser's limit on {}",
            limit_name(limit)
        );
    }
    // The library suggests its own setting; our users cannot change it.
    if let Some((reason, _)) = message.split_once(", set DuplicateKeyPolicy") {
        message = reason.to_owned();
    }
    YamlError {
        message,
        span: Span::new(source, start, end),
    }
}

/// The byte offset of a 1-based line and character column, for errors that carry no offset.
fn line_column_offset(text: &str, location: Location) -> Option<(usize, usize)> {
    let line = usize::try_from(location.line()).ok()?;
    let column = usize::try_from(location.column()).ok()?;
    if line == 0 {
        return None;
    }
    let line_start = if line == 1 {
        0
    } else {
        let (index, _) = text.match_indices('\n').nth(line - 2)?;
        index + 1
    };
    let line_text = &text[line_start..];
    let line_end = line_text.find('\n').unwrap_or(line_text.len());
    let column_offset = line_text[..line_end]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_end, |(offset, _)| offset);
    let start = line_start + column_offset;
    Some((start, start))
}

/// The byte range of a location, clamped to the text and to character boundaries.
fn byte_range(text: &str, location: Location) -> Option<(usize, usize)> {
    let span = location.span();
    let start = usize::try_from(span.byte_offset()?).ok()?;
    let len = usize::try_from(span.byte_len().unwrap_or(0)).ok()?;
    if start > text.len() || !text.is_char_boundary(start) {
        return None;
    }
    let mut end = start.saturating_add(len).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Some((start, end))
}

/// What serde-saphyr hands over: a value, its tag, and where it was used and defined.
type RawNode = serde_saphyr::Spanned<Tagged<RawValue>>;

enum RawValue {
    Null,
    Boolean,
    Integer,
    Float,
    String(String),
    Sequence(Vec<RawNode>),
    Mapping(Vec<(RawNode, RawNode)>),
}

/// Converts serde-saphyr's output; recursion is bounded by the parser's depth budget.
fn to_node(raw_node: RawNode, source: SourceId, text: &str) -> Node {
    work::count(1);
    let defined = byte_range(text, raw_node.defined);
    let referenced = byte_range(text, raw_node.referenced);
    let (start, end) = defined.or(referenced).unwrap_or((0, 0));
    let span = Span::new(source, start, end);
    let used_at = referenced
        .filter(|range| Some(*range) != defined)
        .map(|(start, end)| Span::new(source, start, end));
    let Tagged(raw, raw_tag) = raw_node.value;
    let tag = raw_tag.as_deref().and_then(local_tag_name);
    let written = &text[start..end];
    let value = match raw {
        RawValue::Null => Value::Null,
        RawValue::Boolean => scalar(written, ScalarKind::Boolean),
        RawValue::Integer => scalar(written, ScalarKind::Integer),
        RawValue::Float => scalar(written, ScalarKind::Float),
        RawValue::String(string) => Value::Scalar(Scalar {
            text: string,
            kind: ScalarKind::String,
        }),
        RawValue::Sequence(items) => Value::Sequence(
            items
                .into_iter()
                .map(|item| to_node(item, source, text))
                .collect(),
        ),
        RawValue::Mapping(entries) => Value::Mapping(
            entries
                .into_iter()
                .map(|(key, value)| (to_node(key, source, text), to_node(value, source, text)))
                .collect(),
        ),
    };
    Node {
        value,
        span,
        used_at,
        tag,
    }
}

/// A typed scalar keeps its written text (`1000`, `0x1F`), not a re-printed number; quotes go
/// (`!!int "1000"`).
fn scalar(written: &str, kind: ScalarKind) -> Value {
    Value::Scalar(Scalar {
        text: written.trim().trim_matches(['"', '\'']).to_owned(),
        kind,
    })
}

/// `!reset` gives `reset`; core tags (`!!str`) and global tags are not local tags.
fn local_tag_name(tag: &str) -> Option<String> {
    let name = tag.strip_prefix('!')?;
    if name.is_empty() || name.starts_with('!') || name.starts_with('<') {
        return None;
    }
    Some(name.to_owned())
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawValueVisitor)
    }
}

struct RawValueVisitor;

impl<'de> Visitor<'de> for RawValueVisitor {
    type Value = RawValue;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<RawValue, E> {
        Ok(RawValue::Boolean)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<RawValue, E> {
        Ok(RawValue::Integer)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<RawValue, E> {
        Ok(RawValue::Integer)
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<RawValue, E> {
        Ok(RawValue::Integer)
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<RawValue, E> {
        Ok(RawValue::Integer)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<RawValue, E> {
        Ok(RawValue::Float)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<RawValue, E> {
        Ok(RawValue::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<RawValue, E> {
        Ok(RawValue::String(value))
    }

    fn visit_bytes<E: de::Error>(self, value: &[u8]) -> Result<RawValue, E> {
        Ok(RawValue::String(
            String::from_utf8_lossy(value).into_owned(),
        ))
    }

    fn visit_unit<E: de::Error>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<RawValue, D::Error> {
        RawValue::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<RawValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = access.next_element::<RawNode>()? {
            items.push(item);
        }
        Ok(RawValue::Sequence(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<RawValue, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = access.next_entry::<RawNode, RawNode>()? {
            entries.push(entry);
        }
        Ok(RawValue::Mapping(entries))
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn parse_ok(text: &str) -> Node {
        match parse(SourceId(0), text) {
            Ok(node) => node,
            Err(error) => panic!("unexpected error {error:?}"),
        }
    }

    fn parse_err(text: &str) -> YamlError {
        match parse(SourceId(0), text) {
            Ok(node) => panic!("expected an error, got {node:?}"),
            Err(error) => error,
        }
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    fn scalar_text(node: &Node) -> &str {
        &node.as_scalar().expect("a scalar").text
    }

    fn keys(node: &Node) -> Vec<&str> {
        let entries = node.as_mapping().expect("a mapping");
        entries.iter().map(|(key, _)| scalar_text(key)).collect()
    }

    fn texts(node: &Node) -> Vec<&str> {
        let Value::Sequence(items) = &node.value else {
            panic!("expected a sequence, got {node:?}");
        };
        items.iter().map(scalar_text).collect()
    }

    fn line_column(text: &str, offset: usize) -> (usize, usize) {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        (line, column)
    }

    #[test]
    fn scalar_values_and_keys_carry_their_spans() {
        let text = "services:\n  api:\n    image: example/api:1.4\n    user: \"10001:10001\"\n";

        let root = parse_ok(text);

        let (key, user) = root
            .get("services")
            .and_then(|s| s.get("api"))
            .and_then(|api| api.entry("user"))
            .expect("user entry");
        assert_eq!(slice(text, key.span), "user");
        assert_eq!(slice(text, user.span), "\"10001:10001\"");
        assert_eq!(line_column(text, user.span.start), (4, 11));
        assert_eq!(scalar_text(user), "10001:10001");
        assert_eq!(user.used_at, None);
    }

    #[test]
    fn typed_scalars_keep_their_written_text_and_kind() {
        let text = "a: 1000\nb: 1.50\nc: true\nd: yes\ne: 0x1F\nf: '1000'\ng: ~\nh:\n";

        let root = parse_ok(text);

        let kind_of = |key: &str| {
            let node = root.get(key).expect("key present");
            node.as_scalar()
                .map(|scalar| (scalar.text.as_str(), scalar.kind))
        };
        assert_eq!(kind_of("a"), Some(("1000", ScalarKind::Integer)));
        assert_eq!(kind_of("b"), Some(("1.50", ScalarKind::Float)));
        assert_eq!(kind_of("c"), Some(("true", ScalarKind::Boolean)));
        assert_eq!(kind_of("d"), Some(("yes", ScalarKind::String)));
        assert_eq!(kind_of("e"), Some(("0x1F", ScalarKind::Integer)));
        assert_eq!(kind_of("f"), Some(("1000", ScalarKind::String)));
        assert_eq!(root.get("g").map(|node| &node.value), Some(&Value::Null));
        assert_eq!(root.get("h").map(|node| &node.value), Some(&Value::Null));
    }

    #[test]
    fn alias_points_at_the_anchor_and_records_the_use() {
        let text = "base: &base root\nuser: *base\n";

        let root = parse_ok(text);

        let user = root.get("user").expect("user");
        assert_eq!(scalar_text(user), "root");
        assert_eq!(slice(text, user.span), "root");
        assert_eq!(user.used_at.map(|span| slice(text, span)), Some("*base"));
    }

    #[test]
    fn merge_key_sequence_merges_every_anchor() {
        let text = "x-a: &a\n  cap_drop: [ALL]\nx-b: &b\n  user: \"10001\"\n\
                    svc:\n  <<: [*a, *b]\n  image: app\n";

        let root = parse_ok(text);

        let service = root.get("svc").expect("svc");
        assert_eq!(keys(service), ["image", "cap_drop", "user"]);
        let user = service.get("user").expect("user");
        assert_eq!(slice(text, user.span), "\"10001\"");
        assert_eq!(user.used_at.map(|span| slice(text, span)), Some("*b"));
    }

    #[test]
    fn merge_is_shallow_with_local_keys_first_then_earlier_aliases() {
        let text = "x-a: &a\n  security_opt: [apparmor=docker-default]\n  user: a\n\
                    x-b: &b\n  security_opt: [no-new-privileges:true]\n  user: b\n  image: b\n\
                    svc:\n  <<: [*a, *b]\n  image: local\n";

        let root = parse_ok(text);

        let service = root.get("svc").expect("svc");
        let security_opt = service.get("security_opt").expect("security_opt");
        assert_eq!(texts(security_opt), ["apparmor=docker-default"]);
        assert_eq!(service.get("user").map(scalar_text), Some("a"));
        assert_eq!(service.get("image").map(scalar_text), Some("local"));
    }

    #[test]
    fn merge_key_after_other_keys_still_applies() {
        let text = "x: &d\n  cap_drop: [ALL]\n  image: base\nsvc:\n  image: mine\n  <<: *d\n";

        let root = parse_ok(text);

        let service = root.get("svc").expect("svc");
        assert_eq!(service.get("image").map(scalar_text), Some("mine"));
        assert_eq!(service.get("cap_drop").map(texts), Some(vec!["ALL"]));
    }

    #[test]
    fn local_tags_are_recorded_without_the_bang() {
        let text = "a: !reset []\nb: !override\n  - x\nc: !!str 12\n";

        let root = parse_ok(text);

        assert_eq!(
            root.get("a").and_then(|node| node.tag.as_deref()),
            Some("reset")
        );
        assert_eq!(
            root.get("b").and_then(|node| node.tag.as_deref()),
            Some("override")
        );
        assert_eq!(root.get("c").and_then(|node| node.tag.clone()), None);
        assert_eq!(root.get("c").map(scalar_text), Some("12"));
    }

    #[test]
    fn extension_keys_are_ordinary_keys() {
        let root = parse_ok("x-common: {a: 1}\nservices: {}\n");

        assert_eq!(keys(&root), ["x-common", "services"]);
    }

    #[test]
    fn empty_and_comment_only_documents_are_null() {
        assert_eq!(parse_ok("").value, Value::Null);
        assert_eq!(parse_ok("# nothing here\n").value, Value::Null);
        assert_eq!(parse_ok("---\n").value, Value::Null);
    }

    #[test]
    fn multi_document_input_yields_the_first_document() {
        let root = parse_ok("---\na: 1\n---\nb: 2\n");

        assert_eq!(keys(&root), ["a"]);
    }

    #[test]
    fn duplicate_key_is_an_error_at_the_duplicate() {
        let text = "svc:\n  user: a\n  image: x\n  user: b\n";

        let error = parse_err(text);

        assert_eq!(slice(text, error.span), "user");
        assert_eq!(line_column(text, error.span.start), (4, 3));
        assert!(error.message.contains("duplicate"), "{}", error.message);
        assert!(
            !error.message.contains("DuplicateKeyPolicy"),
            "{}",
            error.message
        );
    }

    #[test]
    fn syntax_error_reports_the_library_position() {
        let text = "a:\n  b: 1\n c: 2\n";

        let error = parse_err(text);

        assert_eq!(line_column(text, error.span.start), (3, 2));
        assert!(
            error.message.contains("did not find expected key"),
            "{}",
            error.message
        );
        assert!(!error.message.contains("line 3"), "{}", error.message);
    }

    #[test]
    fn unclosed_quote_is_an_error() {
        let error = parse_err("a: \"été\nb: 1\n");

        assert!(
            error.message.contains("unclosed quote"),
            "{}",
            error.message
        );
    }

    #[test]
    fn merging_a_sequence_is_an_error_not_a_crash() {
        let text = "x: &list [a, b]\nsvc:\n  <<: *list\n";

        let error = parse_err(text);

        assert!(error.message.contains("merge"), "{}", error.message);
    }

    #[test]
    fn self_referencing_alias_is_an_error() {
        let error = parse_err("a: &a [*a]\n");

        assert!(!error.message.is_empty());
    }

    #[test]
    fn one_anchor_merged_into_many_services_is_read() {
        let mut text = String::from("x-defaults: &defaults\n  environment:\n");
        for index in 0..30 {
            text.push_str(&format!("    VARIABLE_{index}: value-{index}\n"));
        }
        text.push_str("services:\n");
        for index in 0..1_000 {
            text.push_str(&format!(
                "  service-{index}:\n    <<: *defaults\n    image: a\n"
            ));
        }

        let node = parse(SourceId(0), &text).expect("the file is read");

        let services = node
            .get("services")
            .and_then(Node::as_mapping)
            .expect("services");
        assert_eq!(services.len(), 1_000);
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..10 {
            let previous = format!("*a{}", level - 1);
            let items = [previous.as_str(); 9].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }

        let error = parse_err(&text);

        assert_eq!(
            error.message,
            "the document exceeds the parser's limit on nodes (200000)"
        );
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let flow = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let mut block = String::new();
        for depth in 0..500 {
            block.push_str(&"  ".repeat(depth));
            block.push_str("k:\n");
        }

        assert!(parse(SourceId(0), &flow).is_err());
        assert!(parse(SourceId(0), &block).is_err());
    }

    #[test]
    fn nesting_within_the_limit_is_accepted() {
        let text = format!(
            "{}1{}",
            "[".repeat(MAX_DEPTH - 2),
            "]".repeat(MAX_DEPTH - 2)
        );

        assert!(parse(SourceId(0), &text).is_ok());
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let inputs = [
            "\u{feff}a: 1",
            "? [x]\n: y\n",
            "*unknown\n",
            "a: !!binary aGVsbG8=\n",
            "- - - -\n",
            "a: |\n  text\n",
            "\t\n",
            "a: b: c\n",
            "%YAML 1.2\n---\na: 1\n",
            "&a\n",
            "!x\n",
            "{a: 1, a: 2}",
            "a: .nan\n",
            "[",
            "]",
            "}",
            "'",
            "é: ü\n",
        ];

        for input in inputs {
            let _ = parse(SourceId(0), input);
        }
    }
}
