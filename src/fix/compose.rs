//! Fixes for Compose files, built from the layouts the model keeps (`model::layout`): a list
//! item or a whole `key:` entry added, part of an item replaced, an entry removed. New text is
//! written the way the file writes the same things: its indentation, list style, quotes and
//! line ends.

use std::ops::Range;

use crate::fix::Edit;
use crate::model::layout::{ItemSlot, KeySlot, Quote};
use crate::model::{Listing, Service};
use crate::source::Span;

/// Adds `item` to the list `key` of `service`: at the end of `listing` when the service has the
/// list, else in a new `key:` entry at the end of the service.
pub fn add_to_list(
    service: &Service,
    listing: Option<&Listing>,
    key: &str,
    item: &str,
) -> Result<Vec<Edit>, String> {
    let edit = match listing {
        Some(listing) => append_item(listing, item)?,
        None => add_key(service, key, item)?,
    };
    Ok(vec![edit])
}

/// Replaces `range`, a byte range of the value of item `index` of `listing`, with
/// `replacement`; the item must be written as its value, character for character.
pub fn replace_in_item(
    listing: &Listing,
    index: usize,
    range: Range<usize>,
    replacement: &str,
) -> Result<Vec<Edit>, String> {
    let written = match listing.layout.verbatim.get(index) {
        Some(written) => written.clone()?,
        None => return Err("the item's place in the file is unknown".to_owned()),
    };
    if range.end > written.end - written.start {
        return Err("the item is shorter than the part to replace".to_owned());
    }

    let span = Span::new(
        written.source,
        written.start + range.start,
        written.start + range.end,
    );
    Ok(vec![Edit::replace(span, replacement)])
}

/// Removes the entry of `key` from `service` where it is written (an anchor, an `extends`
/// base: `written_in` says which). The loader works out removals only for the keys in
/// [`crate::model::layout::REMOVABLE_KEYS`]; a rule that removes another key adds it there.
pub fn remove_key(service: &Service, key: &str) -> Result<Vec<Edit>, String> {
    let Some(removal) = service.layout.removal(key) else {
        return Err(format!("service `{}` has no `{key}`", service.name));
    };
    let removal = removal
        .as_ref()
        .map_err(|reason| format!("`{key}` cannot be removed in place: {reason}"))?;
    Ok(vec![Edit::replace(removal.span, "")])
}

/// The end of a fix's description that says where it edits, when that is not the service
/// itself: `` in the anchor `&hardening`, where it is written``.
pub fn place(written_in: Option<&str>) -> String {
    match written_in {
        Some(place) => format!(" in {place}, where it is written"),
        None => String::new(),
    }
}

/// Where the entry of `key` is written when it takes effect in `service` from elsewhere.
pub fn written_in<'a>(service: &'a Service, key: &str) -> Option<&'a str> {
    match service.layout.removal(key)? {
        Ok(removal) => removal.written_in.as_deref(),
        Err(_) => None,
    }
}

fn append_item(listing: &Listing, item: &str) -> Result<Edit, String> {
    let slot = listing.layout.new_item.clone()?;
    let edit = match slot {
        ItemSlot::Block {
            at,
            indent,
            break_first,
            line_end,
            quote,
        } => {
            let line_end = line_end.as_str();
            let lead = if break_first { line_end } else { "" };
            let dash = " ".repeat(indent);
            let item = block_item(item, quote);
            Edit::insert(at, format!("{lead}{dash}- {item}{line_end}"))
        }
        ItemSlot::Flow {
            at,
            is_empty,
            quote,
        } => {
            let separator = if is_empty { "" } else { ", " };
            Edit::insert(at, format!("{separator}{}", flow_item(item, quote)))
        }
    };
    Ok(edit)
}

fn add_key(service: &Service, key: &str, item: &str) -> Result<Edit, String> {
    let slot = service.layout.new_key.clone().map_err(|reason| {
        format!(
            "service `{}` cannot take a new key in place: {reason}",
            service.name
        )
    })?;
    let edit = match slot {
        KeySlot::Block {
            at,
            indent,
            break_first,
            line_end,
            lists,
        } => {
            let line_end = line_end.as_str();
            let lead = if break_first { line_end } else { "" };
            let margin = " ".repeat(indent);
            let entry = if lists.is_flow {
                let item = flow_item(item, quote_if_needed(item, lists.quote));
                format!("{margin}{key}: [{item}]{line_end}")
            } else {
                let dash = " ".repeat(indent + lists.dash_offset);
                let item = block_item(item, Quote::Plain);
                format!("{margin}{key}:{line_end}{dash}- {item}{line_end}")
            };
            Edit::insert(at, format!("{lead}{entry}"))
        }
        KeySlot::Flow {
            at,
            is_empty,
            quote,
        } => {
            let separator = if is_empty { "" } else { ", " };
            let item = flow_item(item, quote_if_needed(item, quote));
            let entry = format!("{key}: [{item}]");
            Edit::insert(at, format!("{separator}{entry}"))
        }
    };
    Ok(edit)
}

/// The quotes a new flow item takes when it opens a list: none when it reads the same without,
/// else the file's `preferred` ones.
fn quote_if_needed(item: &str, preferred: Quote) -> Quote {
    if flow_item(item, Quote::Plain) == item {
        Quote::Plain
    } else {
        preferred
    }
}

/// An item of a block list, quoted as the list's items are, or when YAML needs it.
fn block_item(item: &str, quote: Quote) -> String {
    match quote {
        Quote::Plain if is_plain_in_block(item) => item.to_owned(),
        Quote::Single => format!("'{}'", item.replace('\'', "''")),
        Quote::Plain | Quote::Double => double_quoted(item),
    }
}

/// An item of a flow list: plain only when nothing in it could end or split a flow item.
fn flow_item(item: &str, quote: Quote) -> String {
    let is_plain = quote == Quote::Plain
        && is_plain_in_block(item)
        && !item.contains([':', ',', '[', ']', '{', '}', '#']);
    match quote {
        _ if is_plain => item.to_owned(),
        Quote::Single => format!("'{}'", item.replace('\'', "''")),
        Quote::Plain | Quote::Double => double_quoted(item),
    }
}

fn double_quoted(item: &str) -> String {
    format!("\"{}\"", item.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Whether YAML reads `item` as the same string when written without quotes in a block list.
fn is_plain_in_block(item: &str) -> bool {
    let Some(first) = item.chars().next() else {
        return false;
    };
    let starts_an_indicator = "-?:,[]{}#&*!|>'\"%@`".contains(first);
    !starts_an_indicator
        && item.trim() == item
        && !item.contains(": ")
        && !item.contains(" #")
        && !item.ends_with(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_quoted_only_when_needed() {
        assert_eq!(
            block_item("no-new-privileges:true", Quote::Plain),
            "no-new-privileges:true"
        );
        assert_eq!(block_item("ALL", Quote::Single), "'ALL'");
        assert_eq!(flow_item("ALL", Quote::Plain), "ALL");
        assert_eq!(
            flow_item("no-new-privileges:true", Quote::Plain),
            "\"no-new-privileges:true\""
        );
        assert_eq!(
            flow_item("no-new-privileges:true", Quote::Single),
            "'no-new-privileges:true'"
        );
        assert_eq!(block_item("- x", Quote::Plain), "\"- x\"");
    }
}
