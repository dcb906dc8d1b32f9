//! What a YAML scalar is, under the YAML 1.2 core schema as the Compose loader reads it: null,
//! boolean, integer, float or string, an explicit tag taking precedence over the written form.
//!
//! The rules are those of serde-saphyr 2.2 (the loader's YAML library before the builder), with
//! its options `strict_booleans`, `underscored_numbers_as_strings` and non-finite floats passed
//! through, so files resolve exactly as they did: `yes`, `0X1F`, `1_000` and `-.nan` stay strings.

use std::borrow::Cow;

use granit_parser::{ScalarStyle, Tag};

use super::ScalarKind;

const CORE_NAMESPACE: &str = "tag:yaml.org,2002:";

/// What an explicit tag asks for, whatever its spelling (`!!int`, `!<tag:yaml.org,2002:int>`,
/// the local `!int`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum TagClass {
    /// No tag.
    None,
    Int,
    Float,
    Bool,
    Null,
    Seq,
    Map,
    Timestamp,
    /// The robotics time and angle tags (`!time`, `!degrees`, `!radians`), which the loader has
    /// no conversion for.
    Robotics,
    Binary,
    String,
    /// The YAML 1.1 merge-key tag `!!merge`.
    Merge,
    /// The YAML 1.1 value-key tag `!!value`, read as text.
    Value,
    /// `!` on its own: no resolution, the scalar is a string.
    NonSpecific,
    Include,
    /// Any other tag, such as Compose's `!reset` and `!override`.
    Other,
}

/// The node shape a tag requires; a tag on the wrong shape is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    Scalar,
    Sequence,
    Mapping,
}

impl TagClass {
    pub(super) fn of(tag: Option<&Tag>) -> TagClass {
        let Some(tag) = tag else {
            return TagClass::None;
        };
        if is_include(tag) {
            return TagClass::Include;
        }
        if let Some(class) = tag.core_suffix().and_then(core_class) {
            return class;
        }
        match tag.suffix_in_namespace(CORE_NAMESPACE).as_deref() {
            Some("merge") => return TagClass::Merge,
            Some("value") => return TagClass::Value,
            Some(name) => return named_class(name.strip_prefix('!').unwrap_or(name)),
            None => {}
        }
        let Some(suffix) = tag.suffix_in_namespace("!") else {
            return TagClass::Other;
        };
        match suffix.as_ref() {
            "" | "!" => TagClass::NonSpecific,
            "!timestamp" => TagClass::Timestamp,
            "!binary" => TagClass::Binary,
            name => match name.strip_prefix('!') {
                // `!!name` spelled through a handle keeps only the core names.
                Some(name) => core_class(name).unwrap_or(TagClass::Other),
                None => named_class(name),
            },
        }
    }

    pub(super) fn required_shape(self) -> Option<Shape> {
        match self {
            TagClass::Seq => Some(Shape::Sequence),
            TagClass::Map => Some(Shape::Mapping),
            TagClass::None | TagClass::NonSpecific | TagClass::Other => None,
            _ => Some(Shape::Scalar),
        }
    }

    /// The tags of the core schema itself (`!!int`, `!!str`, ...).
    fn is_core(self) -> bool {
        matches!(
            self,
            TagClass::Int
                | TagClass::Float
                | TagClass::Bool
                | TagClass::Null
                | TagClass::Seq
                | TagClass::Map
                | TagClass::String
        )
    }

    pub(super) fn forces_string(self) -> bool {
        matches!(self, TagClass::String | TagClass::NonSpecific)
    }

    pub(super) fn reads_as_text(self) -> bool {
        matches!(
            self,
            TagClass::None
                | TagClass::String
                | TagClass::Merge
                | TagClass::Value
                | TagClass::Other
                | TagClass::Include
                | TagClass::NonSpecific
        )
    }
}

fn is_include(tag: &Tag) -> bool {
    [
        "!include",
        "tag:yaml.org,2002:include",
        "tag:yaml.org,2002:!include",
    ]
    .iter()
    .any(|prefix| {
        tag.suffix_in_namespace(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('#'))
    })
}

fn core_class(name: &str) -> Option<TagClass> {
    match name {
        "null" => Some(TagClass::Null),
        "bool" => Some(TagClass::Bool),
        "int" => Some(TagClass::Int),
        "float" => Some(TagClass::Float),
        "map" => Some(TagClass::Map),
        "seq" => Some(TagClass::Seq),
        "str" => Some(TagClass::String),
        _ => None,
    }
}

fn named_class(name: &str) -> TagClass {
    match name {
        "timestamp" => TagClass::Timestamp,
        "time" | "degrees" | "radians" => TagClass::Robotics,
        "binary" => TagClass::Binary,
        "include" => TagClass::Include,
        core => core_class(core).unwrap_or(TagClass::Other),
    }
}

/// What a scalar resolved to.
#[derive(Debug, PartialEq)]
pub(super) enum Resolved {
    Null,
    /// A boolean or number; the node keeps its written text.
    Typed(ScalarKind),
    /// A string, with its value after escapes (or decoded, for `!!binary`).
    Text(String),
}

/// Resolves a scalar event; the error is the message for a typed scalar that does not parse.
pub(super) fn resolve(
    value: Cow<'_, str>,
    style: ScalarStyle,
    class: TagClass,
) -> Result<Resolved, &'static str> {
    match class {
        TagClass::Null => return Ok(Resolved::Null),
        TagClass::Bool => {
            return match parse_bool(&value) {
                Some(_) => Ok(Resolved::Typed(ScalarKind::Boolean)),
                None => Err("invalid boolean (strict mode expects true/false)"),
            };
        }
        TagClass::Int if trim(&value).starts_with('-') => {
            return match parse_signed(&value).filter(|number| i64::try_from(*number).is_ok()) {
                Some(_) => Ok(Resolved::Typed(ScalarKind::Integer)),
                None => Err("invalid i64"),
            };
        }
        TagClass::Int => {
            return match parse_unsigned(&value).filter(|number| u64::try_from(*number).is_ok()) {
                Some(_) => Ok(Resolved::Typed(ScalarKind::Integer)),
                None => Err("invalid u64"),
            };
        }
        // The loader has no robotics conversions, so those tags never make a float.
        TagClass::Robotics => return Err("invalid floating point"),
        TagClass::Float => {
            return match is_float(&value, class) {
                true => Ok(Resolved::Typed(ScalarKind::Float)),
                false => Err("invalid floating point"),
            };
        }
        _ => {}
    }

    let is_plain = style == ScalarStyle::Plain;
    if is_null(class, &value, style) {
        return Ok(Resolved::Null);
    }
    if class == TagClass::Binary {
        return decode_binary(&value).map(Resolved::Text);
    }
    if !class.reads_as_text() {
        return Err("cannot deserialize tagged scalar into string");
    }
    if !is_plain || class.forces_string() {
        return Ok(Resolved::Text(value.into_owned()));
    }

    if parse_bool(&value).is_some() {
        return Ok(Resolved::Typed(ScalarKind::Boolean));
    }
    let trimmed = trim(&value);
    // Most plain scalars are words (`always`, `nginx:1.27`): one that starts with a letter and is
    // no boolean is text, since a number starts with a digit, a sign or a dot (Rust's float
    // parser reads `inf` and `nan`, which YAML keeps as text).
    if trimmed
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphabetic)
    {
        return Ok(Resolved::Text(value.into_owned()));
    }
    let unsigned = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    let is_uppercase_radix = matches!(unsigned.as_bytes(), [b'0', b'X' | b'O' | b'B', ..]);
    if is_uppercase_radix || is_signed_nan(trimmed) || trimmed.contains('_') {
        return Ok(Resolved::Text(value.into_owned()));
    }
    let is_integer = if trimmed.starts_with('-') {
        !has_leading_zero(trimmed)
            && parse_signed(trimmed).is_some_and(|number| i64::try_from(number).is_ok())
    } else {
        parse_unsigned(trimmed).is_some_and(|number| u64::try_from(number).is_ok())
    };
    if is_integer {
        return Ok(Resolved::Typed(ScalarKind::Integer));
    }
    if is_float(&value, class) {
        return Ok(Resolved::Typed(ScalarKind::Float));
    }
    Ok(Resolved::Text(value.into_owned()))
}

/// Whether a scalar is null: the `!!null` tag, or a plain null spelling (`~`, `null`, empty) that
/// no type or string tag overrides.
pub(super) fn is_null(class: TagClass, value: &str, style: ScalarStyle) -> bool {
    class == TagClass::Null
        || (!class.is_core()
            && !class.forces_string()
            && !matches!(
                class,
                TagClass::Binary | TagClass::Timestamp | TagClass::Robotics
            )
            && style == ScalarStyle::Plain
            && matches!(value, "" | "~" | "null" | "Null" | "NULL"))
}

/// Trims the padding scalar conversion accepts; other Unicode whitespace is content.
pub(super) fn trim(text: &str) -> &str {
    text.trim_matches([' ', '\t', '\r', '\n'])
}

fn parse_bool(text: &str) -> Option<bool> {
    match trim(text) {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn is_signed_nan(trimmed: &str) -> bool {
    trimmed
        .strip_prefix(['+', '-'])
        .is_some_and(|unsigned| matches!(unsigned, ".nan" | ".NaN" | ".NAN"))
}

/// `0127`, `+0127`, `-0127`: a decimal integer with a redundant leading zero.
fn has_leading_zero(trimmed: &str) -> bool {
    let digits = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// An integer in YAML 1.2 notation (`12`, `+12`, `0x1F`, `0o17`, `0b101`, `1_000`), without the
/// redundant leading zero YAML 1.1 read as octal.
pub(super) fn parse_signed(text: &str) -> Option<i128> {
    let trimmed = trim(text);
    let (is_negative, rest) = match trimmed.strip_prefix('+') {
        Some(rest) => (false, rest),
        None => match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        },
    };
    let (radix, digits) = radix_and_digits(rest);
    if radix == 10 && digits.starts_with('0') && digits != "0" {
        return None;
    }
    let magnitude = parse_digits(digits, radix)?;
    if is_negative {
        0i128.checked_sub_unsigned(magnitude)
    } else {
        i128::try_from(magnitude).ok()
    }
}

/// Like [`parse_signed`], for a number with no minus sign.
pub(super) fn parse_unsigned(text: &str) -> Option<u128> {
    let trimmed = trim(text);
    if trimmed.starts_with('-') {
        return None;
    }
    let rest = trimmed.strip_prefix('+').unwrap_or(trimmed);
    let (radix, digits) = radix_and_digits(rest);
    if radix == 10 && digits.starts_with('0') && digits != "0" {
        return None;
    }
    parse_digits(digits, radix)
}

fn radix_and_digits(rest: &str) -> (u32, &str) {
    for (prefixes, radix) in [(["0x", "0X"], 16), (["0o", "0O"], 8), (["0b", "0B"], 2)] {
        for prefix in prefixes {
            if let Some(digits) = rest.strip_prefix(prefix) {
                return (radix, digits);
            }
        }
    }
    (10, rest)
}

/// Digits of `radix`, with single underscores allowed between them.
fn parse_digits(digits: &str, radix: u32) -> Option<u128> {
    let bytes = digits.as_bytes();
    let mut value: u128 = 0;
    let mut has_digit = false;
    for (index, &byte) in bytes.iter().enumerate() {
        if byte == b'_' {
            let is_between_digits = index > 0
                && bytes[index - 1] != b'_'
                && bytes.get(index + 1).is_some_and(|b| *b != b'_');
            if !is_between_digits {
                return None;
            }
            continue;
        }
        let digit = char::from(byte)
            .to_digit(16)
            .filter(|digit| *digit < radix)?;
        value = value
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(digit))?;
        has_digit = true;
    }
    has_digit.then_some(value)
}

/// A float in YAML 1.2 notation (`1.5`, `1e3`, `.inf`, `-.Inf`, `.nan`), or a decimal literal
/// too large for `f64`, which the loader reads as infinite.
fn is_float(text: &str, class: TagClass) -> bool {
    let trimmed = trim(text);
    if class == TagClass::Float && is_signed_nan(trimmed) {
        return true;
    }
    let unsigned = match trimmed.strip_prefix('-') {
        Some(rest) => rest,
        None => trimmed.strip_prefix('+').unwrap_or(trimmed),
    };
    if matches!(
        unsigned,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF"
    ) {
        return true;
    }
    match trimmed.parse::<f64>() {
        Ok(value) if value.is_finite() => true,
        // Rust also reads `inf` and `nan`, which YAML keeps as strings: only a numeral counts.
        Ok(_) => unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit),
        Err(_) => false,
    }
}

/// Decodes a `!!binary` scalar to text, as a string-valued node reads it.
fn decode_binary(text: &str) -> Result<String, &'static str> {
    const INVALID: &str = "invalid !!binary base64";
    let cleaned: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !cleaned.len().is_multiple_of(4) {
        return Err(INVALID);
    }
    let sextet = |byte: u8| match byte {
        b'A'..=b'Z' => Ok(u32::from(byte - b'A')),
        b'a'..=b'z' => Ok(u32::from(byte - b'a' + 26)),
        b'0'..=b'9' => Ok(u32::from(byte - b'0' + 52)),
        b'+' => Ok(62),
        b'/' => Ok(63),
        _ => Err(INVALID),
    };
    let chunk_count = cleaned.len() / 4;
    let mut bytes = Vec::with_capacity(chunk_count * 3);
    for (index, chunk) in cleaned.chunks_exact(4).enumerate() {
        let padding = chunk.iter().rev().take_while(|byte| **byte == b'=').count();
        if padding > 2 || (padding > 0 && index + 1 != chunk_count) {
            return Err(INVALID);
        }
        let first = sextet(chunk[0])?;
        let second = sextet(chunk[1])?;
        let third = match chunk[2] {
            b'=' if padding == 2 => 0,
            b'=' => return Err(INVALID),
            byte => sextet(byte)?,
        };
        let fourth = match chunk[3] {
            b'=' if padding > 0 => 0,
            b'=' => return Err(INVALID),
            byte => sextet(byte)?,
        };
        if (padding == 2 && second & 0x0F != 0) || (padding == 1 && third & 0x03 != 0) {
            return Err(INVALID);
        }
        let triple = (first << 18) | (second << 12) | (third << 6) | fourth;
        let [_, high, middle, low] = triple.to_be_bytes();
        bytes.push(high);
        if padding < 2 {
            bytes.push(middle);
        }
        if padding == 0 {
            bytes.push(low);
        }
    }
    String::from_utf8(bytes).map_err(|_| {
        "!!binary scalar is not valid UTF-8 so cannot be stored into string. If you just use \
         !!binary for documentation/annotation, set ignore_binary_tag_for_string in Options"
    })
}
