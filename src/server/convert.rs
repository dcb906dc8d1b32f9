//! Conversions between escalint's values and the protocol's: file URIs and paths, byte offsets
//! and UTF-16 positions, diagnostics.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, Range, Uri,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{Source, Sources, Span};

/// Where each rule's document is published, for the diagnostic's `codeDescription` link.
const RULE_DOCS_BASE: &str = "https://github.com/escalint/escalint/blob/main/rules/";

/// The local path of a `file:` URI; `None` for other schemes and remote hosts.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let (host, path) = rest.split_at(rest.find('/')?);
    if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
        return None;
    }

    let decoded = String::from_utf8(percent_decode(path)).ok()?;
    // `file:///C:/x` names `C:/x` on Windows.
    if cfg!(windows) && decoded.as_bytes().get(2) == Some(&b':') {
        return Some(PathBuf::from(&decoded[1..]));
    }
    Some(PathBuf::from(decoded))
}

/// The `file:` URI of an absolute path.
pub fn uri_of(path: &Path) -> Option<Uri> {
    let text = path.to_str()?.replace('\\', "/");
    let mut uri = String::from("file://");
    if !text.starts_with('/') {
        uri.push('/');
    }
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => {
                uri.push(char::from(byte));
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    Uri::from_str(&uri).ok()
}

fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = bytes
            .get(index + 1..index + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[index], escaped) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    decoded
}

/// The protocol position of a byte offset: 0-based line, UTF-16 code units into the line.
pub fn position(source: &Source, offset: usize) -> Position {
    let offset = floor_char_boundary(&source.text, offset);
    let (line, _) = source.line_column(offset);
    // Never before the line's start: the first line starts after a byte order mark.
    let line_start = source.line_range(line).start.min(offset);
    let units = source.text[line_start..offset].encode_utf16().count();
    Position::new(to_u32(line - 1), to_u32(units))
}

/// The byte offset of a protocol position in `text`; positions past a line's end or the text's
/// end clamp to it, as the protocol asks.
pub fn offset(text: &str, position: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..position.line {
        match text[line_start..].find('\n') {
            Some(at) => line_start += at + 1,
            None => return text.len(),
        }
    }

    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |at| line_start + at);
    let mut units = 0;
    for (index, character) in text[line_start..line_end].char_indices() {
        if units >= position.character as usize {
            return line_start + index;
        }
        units += character.len_utf16();
    }
    line_end
}

pub fn range(sources: &Sources, span: Span) -> Range {
    let source = sources.get(span.source);
    Range::new(
        position(source, span.start),
        position(source, span.end.max(span.start)),
    )
}

/// A diagnostic as the protocol carries it: the rule as its code, linked to the rule's document,
/// related places as related information.
pub fn diagnostic(sources: &Sources, diagnostic: &Diagnostic) -> lsp_types::Diagnostic {
    let severity = match diagnostic.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Note => DiagnosticSeverity::INFORMATION,
    };

    let mut related_information = Vec::new();
    for related in &diagnostic.related {
        let Some(uri) = uri_of(&sources.get(related.span.source).path) else {
            continue;
        };
        related_information.push(DiagnosticRelatedInformation {
            location: Location::new(uri, range(sources, related.span)),
            message: related.message.clone(),
        });
    }

    lsp_types::Diagnostic {
        range: range(sources, diagnostic.span),
        severity: Some(severity),
        code: Some(NumberOrString::String(diagnostic.rule.to_owned())),
        code_description: Uri::from_str(&format!("{RULE_DOCS_BASE}{}.md", diagnostic.rule))
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("escalint".to_owned()),
        message: diagnostic.message.clone(),
        related_information: (!related_information.is_empty()).then_some(related_information),
        ..lsp_types::Diagnostic::default()
    }
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceId;

    #[test]
    fn positions_count_utf16_code_units() {
        let source = Source::new(
            "Dockerfile".to_owned(),
            PathBuf::from("/x/Dockerfile"),
            "FROM alpine\nRUN echo \"é😀\" && chmod 4755 /bin/x\n".to_owned(),
        );
        let start = source.text.find("4755").expect("present");

        // `é` is one unit and two bytes, `😀` two units and four bytes.
        assert_eq!(position(&source, start), Position::new(1, 24));
        assert_eq!(
            offset(&source.text, Position::new(1, 24)),
            start,
            "the reverse conversion lands on the same byte"
        );
    }

    #[test]
    fn positions_leave_out_a_byte_order_mark() {
        let text = "\u{feff}FROM alpine\n";
        let source = Source::new(
            "Dockerfile".into(),
            PathBuf::from("/x/Dockerfile"),
            text.into(),
        );

        assert_eq!(position(&source, 0), Position::new(0, 0));
        assert_eq!(
            position(&source, text.find("alpine").expect("alpine")),
            Position::new(0, 5)
        );
    }

    #[test]
    fn offsets_past_the_end_clamp() {
        let text = "ab\ncd";

        assert_eq!(offset(text, Position::new(0, 10)), 2);
        assert_eq!(offset(text, Position::new(5, 0)), text.len());
    }

    #[test]
    fn file_uris_round_trip_with_escapes() {
        let path = PathBuf::from("/work/my app/Dockerfile#1");
        let uri = uri_of(&path).expect("a URI");

        assert_eq!(uri.as_str(), "file:///work/my%20app/Dockerfile%231");
        assert_eq!(path_of(&uri), Some(path));
    }

    #[test]
    fn other_schemes_have_no_path() {
        let uri = Uri::from_str("untitled:Untitled-1").expect("a URI");

        assert_eq!(path_of(&uri), None);
    }

    #[test]
    fn range_of_an_empty_span_is_empty() {
        let mut sources = Sources::default();
        let id = sources.add(Source::new(
            "a".to_owned(),
            PathBuf::from("/a"),
            "x\ny\n".to_owned(),
        ));
        assert_eq!(id, SourceId(0));

        let range = range(&sources, Span::new(id, 2, 2));

        assert_eq!(range.start, range.end);
        assert_eq!(range.start, Position::new(1, 0));
    }
}
