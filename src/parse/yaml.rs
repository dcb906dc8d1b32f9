//! YAML to a tree that keeps the span of every key and value, with merge keys applied and
//! aliases resolved; the Compose loader reads this tree.
//!
//! granit-parser scans the text into events; [`builder`] turns them into [`Node`]s with an explicit
//! stack, applying merge keys, copying aliases within budgets and rejecting duplicate keys. The
//! rules are serde-saphyr 2.2's, which the loader used before, so files read exactly as they did.

mod builder;
mod keys;
mod scalars;

use crate::source::{SourceId, Span};

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

/// The documents of a YAML stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Documents {
    /// The first document that is not null; [`Value::Null`] when there is none.
    pub first: Node,
    /// The documents after it that are not null, in order. Compose reads each in turn and
    /// merges it over the ones before, as it merges an override file.
    pub later: Vec<Node>,
}

/// Parses every document of `text`. An empty document is [`Value::Null`]. Anchors are local to
/// the document that defines them.
pub fn parse_documents(source: SourceId, text: &str) -> Result<Documents, YamlError> {
    builder::build(source, text)
}

/// Parses the first document of `text` that is not null, still checking the later ones for
/// errors: what a reader of a single-document file sees.
pub fn parse(source: SourceId, text: &str) -> Result<Node, YamlError> {
    parse_documents(source, text).map(|documents| documents.first)
}

/// The reason in a message worded by the YAML library (or in its style), as a diagnostic shows
/// it: control characters escaped, and without the position, which the diagnostic shows itself.
fn library_reason(message: &str) -> String {
    let mut reason = String::with_capacity(message.len());
    for character in message.chars() {
        if character.is_control() || matches!(character, '\u{2028}' | '\u{2029}') {
            reason.extend(character.escape_debug());
        } else {
            reason.push(character);
        }
    }
    if let Some(index) = reason.find(" at line ") {
        reason.truncate(index);
    }
    reason
}

/// The byte offset of a 1-based line and character column, for errors that carry no offset.
fn line_column_offset(text: &str, line: usize, column: usize) -> Option<(usize, usize)> {
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

/// `!reset` gives `reset`; core tags (`!!str`) and global tags are not local tags.
fn local_tag_name(tag: &str) -> Option<String> {
    let name = tag.strip_prefix('!')?;
    if name.is_empty() || name.starts_with('!') || name.starts_with('<') {
        return None;
    }
    Some(name.to_owned())
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

    /// The text and kind of the scalar under `key` of a mapping.
    fn scalar_kind<'a>(root: &'a Node, key: &str) -> (&'a str, ScalarKind) {
        let scalar = root.get(key).and_then(Node::as_scalar).expect("a scalar");
        (scalar.text.as_str(), scalar.kind)
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
    fn the_limit_a_document_exceeds_is_named() {
        let anchors: String = (0..50_001)
            .map(|index| format!("- &a{index} x\n"))
            .collect();
        let merges: String = (0..10_001).map(|_| "- {<<: {}}\n").collect();

        assert_eq!(
            parse_err(&anchors).message,
            "the document exceeds the parser's limit on anchors (50000)"
        );
        assert_eq!(
            parse_err(&merges).message,
            "the document exceeds the parser's limit on merge keys (10000)"
        );
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
            "[".repeat(builder::MAX_DEPTH - 2),
            "]".repeat(builder::MAX_DEPTH - 2)
        );

        assert!(parse(SourceId(0), &text).is_ok());
    }

    #[test]
    fn explicit_tags_and_written_forms_select_the_kind() {
        let text = "a: !!str 12\nb: !!int \"1\"\nc: !!float 1\nd: 0o17\ne: 1_000\nf: 0X1F\n\
                    g: .inf\nh: -.nan\ni: +1\nj: 1e3\nk: 0b1\nl: 0127\nm: !int 5\n";

        let root = parse_ok(text);

        let kind_of = |key: &str| scalar_kind(&root, key);
        assert_eq!(kind_of("a"), ("12", ScalarKind::String));
        assert_eq!(kind_of("b"), ("1", ScalarKind::Integer));
        assert_eq!(kind_of("c"), ("1", ScalarKind::Float));
        assert_eq!(kind_of("d"), ("0o17", ScalarKind::Integer));
        assert_eq!(kind_of("e"), ("1_000", ScalarKind::String));
        assert_eq!(kind_of("f"), ("0X1F", ScalarKind::String));
        assert_eq!(kind_of("g"), (".inf", ScalarKind::Float));
        assert_eq!(kind_of("h"), ("-.nan", ScalarKind::String));
        assert_eq!(kind_of("i"), ("+1", ScalarKind::Integer));
        assert_eq!(kind_of("j"), ("1e3", ScalarKind::Float));
        assert_eq!(kind_of("k"), ("0b1", ScalarKind::Integer));
        assert_eq!(kind_of("l"), ("0127", ScalarKind::Float));
        assert_eq!(kind_of("m"), ("5", ScalarKind::Integer));
    }

    #[test]
    fn words_are_text_even_where_a_float_parser_reads_them() {
        let text = "a: inf\nb: NaN\nc: infinity\nd: e5\ne: True\nf: FALSE\ng: tRue\n\
                    h: nginx:1.27\ni: ' 12'\nj: .Inf\n";

        let root = parse_ok(text);

        let kind_of = |key: &str| scalar_kind(&root, key);
        assert_eq!(kind_of("a"), ("inf", ScalarKind::String));
        assert_eq!(kind_of("b"), ("NaN", ScalarKind::String));
        assert_eq!(kind_of("c"), ("infinity", ScalarKind::String));
        assert_eq!(kind_of("d"), ("e5", ScalarKind::String));
        assert_eq!(kind_of("e"), ("True", ScalarKind::Boolean));
        assert_eq!(kind_of("f"), ("FALSE", ScalarKind::Boolean));
        assert_eq!(kind_of("g"), ("tRue", ScalarKind::String));
        assert_eq!(kind_of("h"), ("nginx:1.27", ScalarKind::String));
        assert_eq!(kind_of("i"), (" 12", ScalarKind::String));
        assert_eq!(kind_of("j"), (".Inf", ScalarKind::Float));
    }

    #[test]
    fn a_typed_scalar_that_does_not_parse_is_an_error_at_it() {
        let text = "a: 1\nb: !!int ten\n";

        let error = parse_err(text);

        assert_eq!(error.message, "invalid u64");
        assert_eq!(slice(text, error.span), "ten");
    }

    #[test]
    fn integer_keys_are_the_same_key_whatever_their_spelling() {
        let text = "1: a\n0x1: b\n";

        let error = parse_err(text);

        assert_eq!(error.message, "duplicate mapping key: 0x1");
        assert_eq!(slice(text, error.span), "0x1");
    }

    #[test]
    fn quoting_keeps_a_number_key_apart_but_not_a_string_key() {
        assert_eq!(keys(&parse_ok("1: a\n\"1\": b\n")).len(), 2);

        let error = parse_err("a: 1\n'a': 2\n");

        assert_eq!(error.message, "duplicate mapping key: a");
    }

    #[test]
    fn inline_merge_records_the_merged_mapping_as_the_use() {
        let text = "svc:\n  <<: {user: root}\n  image: a\n";

        let root = parse_ok(text);

        let (key, user) = root
            .get("svc")
            .and_then(|service| service.entry("user"))
            .expect("user entry");
        assert_eq!(slice(text, user.span), "root");
        assert_eq!(user.used_at.map(|span| slice(text, span)), Some("{"));
        assert_eq!(key.used_at.map(|span| slice(text, span)), Some("{"));
    }

    #[test]
    fn an_alias_records_its_use_on_every_node_it_copies() {
        let text = "a: &a {b: [c]}\nd: *a\n";

        let root = parse_ok(text);

        let copied = root.get("d").and_then(|d| d.get("b")).expect("b");
        let Value::Sequence(items) = &copied.value else {
            panic!("expected a sequence, got {copied:?}");
        };
        assert_eq!(slice(text, items[0].span), "c");
        assert_eq!(items[0].used_at.map(|span| slice(text, span)), Some("*a"));
    }

    #[test]
    fn errors_inside_an_overridden_merged_entry_are_not_reported() {
        let text = "svc:\n  <<: {image: {a: 1, a: 2}, user: !!int x}\n  image: mine\n  user: 1\n";

        let root = parse_ok(text);

        let service = root.get("svc").expect("svc");
        assert_eq!(service.get("image").map(scalar_text), Some("mine"));
    }

    #[test]
    fn errors_inside_a_used_merged_entry_are_reported() {
        let text = "svc:\n  <<: {user: !!int x}\n  image: mine\n";

        let error = parse_err(text);

        assert_eq!(error.message, "invalid u64");
        assert_eq!(slice(text, error.span), "x");
    }

    #[test]
    fn an_error_held_in_an_anchored_merged_mapping_is_reported_where_an_alias_reads_it() {
        let anchored = "svc:\n  <<: &x {user: !!int x}\n  user: 1\n";
        let uses = [
            "other: *x\n",
            "other: [*x]\n",
            "? *x\n: 1\n",
            "other:\n  <<: *x\n",
        ];

        for used in uses {
            let text = format!("{anchored}{used}");

            let error = parse_err(&text);

            assert_eq!(error.message, "invalid u64", "{text}");
            assert_eq!(slice(&text, error.span), "*x", "{text}");
        }
    }

    #[test]
    fn an_error_held_in_an_anchored_merged_mapping_stays_held_where_a_merge_overrides_it() {
        let text = "svc:\n  <<: &x {user: !!int x}\n  user: 1\nother:\n  <<: *x\n  user: 2\n";

        let root = parse_ok(text);

        assert_eq!(
            root.get("other")
                .and_then(|other| other.get("user"))
                .map(scalar_text),
            Some("2")
        );
    }

    #[test]
    fn merging_an_anchor_from_a_held_entry_fails_even_where_local_keys_override_it() {
        // LIMITATION: serde-saphyr read this file (see `Role::Held` in the builder).
        let text = "svc:\n  <<: {base: &x {user: !!int x}}\n  base: 1\n\
                    other:\n  <<: *x\n  user: 2\n";

        let error = parse_err(text);

        assert_eq!(slice(text, error.span), "*x");
    }

    #[test]
    fn merging_a_typed_scalar_is_a_merge_error() {
        let error = parse_err("svc:\n  <<: !!int x\n");

        assert!(
            error.message.contains("only mappings can be merged"),
            "{}",
            error.message
        );
    }

    #[test]
    fn null_documents_are_skipped_unless_tagged() {
        assert_eq!(keys(&parse_ok("~\n---\na: 1\n")), ["a"]);
        assert_eq!(parse_ok("!reset\n---\na: 1\n").value, Value::Null);
    }

    #[test]
    fn an_error_in_a_later_document_is_reported() {
        let text = "a: 1\n---\nb: 1\nb: 2\n";

        let error = parse_err(text);

        assert_eq!(line_column(text, error.span.start), (4, 1));
    }

    #[test]
    fn nesting_at_the_limit_needs_no_large_stack() {
        let flow = format!(
            "{}1{}",
            "[".repeat(builder::MAX_DEPTH),
            "]".repeat(builder::MAX_DEPTH)
        );
        let mut block = String::new();
        for depth in 0..builder::MAX_DEPTH {
            block.push_str(&"  ".repeat(depth));
            block.push_str("k:\n");
        }

        let small_stack = std::thread::Builder::new().stack_size(128 * 1024);
        let parsed = small_stack
            .spawn(move || {
                (
                    parse(SourceId(0), &flow).is_ok(),
                    parse(SourceId(0), &block).is_ok(),
                )
            })
            .expect("thread starts")
            .join()
            .expect("no stack overflow");

        assert_eq!(parsed, (true, true));
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
