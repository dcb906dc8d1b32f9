//! When two mapping keys are the same key: the identity a key is compared by, as serde-saphyr
//! 2.2 compared them, so the same files have duplicate keys.
//!
//! Integers compare by value (`1`, `+1` and `0x1` are one key), other scalars by their text and
//! tag (`"a"` and `a` are one key, `"1"` and `1` are not), collections by their content.

use std::borrow::Cow;

use foldhash::HashSet;
use granit_parser::ScalarStyle;

use super::scalars::{self, TagClass};

/// The tag part of a key's identity.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum PrintTag<'a> {
    Class(TagClass),
    /// A tag the loader has no meaning for, by its resolved spelling.
    Custom(Cow<'a, str>),
}

/// The identity of a key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum KeyPrint<'a> {
    Integer {
        is_negative: bool,
        magnitude: u128,
    },
    Scalar {
        value: Cow<'a, str>,
        tag: PrintTag<'a>,
    },
    Sequence {
        tag: PrintTag<'a>,
        elements: Vec<KeyPrint<'a>>,
    },
    /// Entries sorted, since `{a: 1, b: 2}` and `{b: 2, a: 1}` are the same key.
    Mapping {
        tag: PrintTag<'a>,
        entries: Vec<(KeyPrint<'a>, KeyPrint<'a>)>,
    },
    /// A key that could not be read, whose error is held (where it starts): no other key.
    Unreadable {
        start: usize,
    },
}

/// What a scalar key is made of, kept from its event.
#[derive(Clone, Debug)]
pub(super) struct ScalarFacts<'a> {
    pub(super) value: Cow<'a, str>,
    pub(super) style: ScalarStyle,
    pub(super) class: TagClass,
    /// The tag as the parser resolved it, for tags without a class.
    pub(super) raw_tag: Option<Cow<'a, str>>,
}

impl<'a> ScalarFacts<'a> {
    /// `<<`, plain and untagged or tagged `!!merge`.
    pub(super) fn is_merge_key(&self) -> bool {
        is_merge_key(&self.value, self.class, self.style)
    }

    /// The key's text for a duplicate-key message, when it reads as text.
    pub(super) fn message_text(&self) -> Option<&str> {
        self.class.reads_as_text().then_some(self.value.as_ref())
    }

    pub(super) fn print(&self) -> KeyPrint<'a> {
        let is_plain_untagged = self.class == TagClass::None && self.style == ScalarStyle::Plain;
        if self.class == TagClass::Int || is_plain_untagged {
            let trimmed = scalars::trim(&self.value);
            let number = if trimmed.starts_with('-') {
                scalars::parse_signed(trimmed).map(|number| (number < 0, number.unsigned_abs()))
            } else {
                scalars::parse_unsigned(trimmed).map(|number| (false, number))
            };
            if let Some((is_negative, magnitude)) = number {
                return KeyPrint::Integer {
                    is_negative,
                    magnitude,
                };
            }
        }
        let class = if self.class == TagClass::None
            && scalars::is_null(self.class, &self.value, self.style)
        {
            TagClass::Null
        } else {
            self.class
        };
        KeyPrint::Scalar {
            value: self.value.clone(),
            tag: print_tag(class, self.raw_tag.as_ref(), TagClass::String),
        }
    }
}

/// Whether a scalar is the merge key `<<`: written plain and untagged, or tagged `!!merge`.
pub(super) fn is_merge_key(value: &str, class: TagClass, style: ScalarStyle) -> bool {
    value == "<<"
        && (class == TagClass::Merge || (class == TagClass::None && style == ScalarStyle::Plain))
}

/// The tag of a node's identity: an untagged node has the tag its shape implies, and every tag
/// that reads as text is the string tag on a scalar.
pub(super) fn print_tag<'a>(
    class: TagClass,
    raw_tag: Option<&Cow<'a, str>>,
    implicit: TagClass,
) -> PrintTag<'a> {
    let is_local_map = implicit == TagClass::Map
        && class == TagClass::Map
        && raw_tag.is_some_and(|tag| tag == "!map");
    if (class == TagClass::Other || is_local_map)
        && let Some(raw_tag) = raw_tag
    {
        return PrintTag::Custom(raw_tag.clone());
    }
    let class = if matches!(class, TagClass::None | TagClass::NonSpecific) {
        implicit
    } else if implicit == TagClass::String && class.reads_as_text() {
        TagClass::String
    } else {
        class
    };
    PrintTag::Class(class)
}

/// The keys of one mapping, in order, answering "seen before?" quickly for large mappings.
#[derive(Default)]
pub(super) struct KeyPrints<'a> {
    in_order: Vec<KeyPrint<'a>>,
    index: Option<HashSet<KeyPrint<'a>>>,
}

/// Below this many keys a scan is cheaper than hashing.
const SCAN_LIMIT: usize = 16;

impl<'a> KeyPrints<'a> {
    /// Adds a key; false when the mapping already has it.
    pub(super) fn insert(&mut self, print: KeyPrint<'a>) -> bool {
        if let Some(index) = &mut self.index {
            if !index.insert(print.clone()) {
                return false;
            }
        } else if self.in_order.contains(&print) {
            return false;
        } else if self.in_order.len() == SCAN_LIMIT {
            let mut index: HashSet<KeyPrint<'a>> = self.in_order.iter().cloned().collect();
            index.insert(print.clone());
            self.index = Some(index);
        }
        self.in_order.push(print);
        true
    }

    pub(super) fn into_vec(self) -> Vec<KeyPrint<'a>> {
        self.in_order
    }
}
