//! Reads files as text: at most a size limit of valid UTF-8 without NUL bytes. A file that is not
//! text is refused with the line and column where it stops being text, so the user can find the
//! stray byte.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// Why a file could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// What went wrong, with the concrete value: `not a text file (invalid UTF-8 at line 2,
    /// column 10)`, `No such file or directory (os error 2)`.
    pub reason: String,
    /// 1-based line and column (in characters) of the first byte that is not text; `None` when
    /// the file could not be read at all.
    pub position: Option<(usize, usize)>,
}

impl ReadError {
    /// A failure with no place in the file: it could not be opened, or it is too large.
    pub fn whole_file(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            position: None,
        }
    }
}

impl From<std::io::Error> for ReadError {
    fn from(err: std::io::Error) -> Self {
        Self::whole_file(err.to_string())
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.reason)
    }
}

/// Reads a file as text: at most `limit` bytes of valid UTF-8 without NUL bytes.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let file = std::fs::File::open(path)?;
    let metadata = file.metadata().ok();
    if metadata.as_ref().is_some_and(std::fs::Metadata::is_dir) {
        return Err(ReadError::whole_file("a folder, not a file"));
    }
    let size = metadata.map_or(0, |metadata| metadata.len());
    if size > limit {
        return Err(too_large(Some(size), limit));
    }
    read_limited(file, limit, size)
}

/// Reads at most `limit` bytes of text; what is not a regular file (a pipe, standard input) may
/// not say its size beforehand. `expected_size` sizes the buffer, so a file is read in one go.
pub fn read_limited(
    reader: impl Read,
    limit: u64,
    expected_size: u64,
) -> Result<String, ReadError> {
    let capacity = expected_size.min(limit).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(None, limit));
    }
    decode(bytes)
}

/// Why a file is skipped; `size` when it is known.
fn too_large(size: Option<u64>, limit: u64) -> ReadError {
    let shown = match size {
        Some(size) => format!("{size} bytes"),
        None => "more bytes".to_owned(),
    };
    ReadError::whole_file(format!(
        "larger than the size limit ({shown} > {limit} bytes); `--max-file-size` or \
         `max-file-size` in escalint.toml raises it"
    ))
}

/// The bytes as text, or where the first byte that is not text stands: invalid UTF-8 or a NUL
/// byte, whichever comes first.
pub fn decode(bytes: Vec<u8>) -> Result<String, ReadError> {
    if let Some(nul) = memchr::memchr(0, &bytes) {
        let before = &bytes[..nul];
        return Err(match std::str::from_utf8(before) {
            Ok(text) => not_text("NUL byte", text),
            Err(err) => not_text("invalid UTF-8", valid_prefix(before, err.valid_up_to())),
        });
    }
    String::from_utf8(bytes).map_err(|err| {
        let valid_up_to = err.utf8_error().valid_up_to();
        not_text("invalid UTF-8", valid_prefix(err.as_bytes(), valid_up_to))
    })
}

/// The valid text before the first invalid byte.
fn valid_prefix(bytes: &[u8], valid_up_to: usize) -> &str {
    std::str::from_utf8(&bytes[..valid_up_to]).expect("the bytes before `valid_up_to` are UTF-8")
}

/// A file that stops being text after `before`: the position is counted as
/// [`crate::source::Source::line_column`] counts it, lines split at `\n`, columns in characters.
fn not_text(what: &str, before: &str) -> ReadError {
    let line = memchr::memchr_iter(b'\n', before.as_bytes()).count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let column = before[line_start..].chars().count() + 1;
    ReadError {
        reason: format!("not a text file ({what} at line {line}, column {column})"),
        position: Some((line, column)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_placed_by_line_and_character_column() {
        let error =
            decode(b"FROM alpine\nRUN echo \xe9t\xc3\xa9 \xff\n".to_vec()).expect_err("not UTF-8");

        assert_eq!(
            error.reason,
            "not a text file (invalid UTF-8 at line 2, column 10)"
        );
        assert_eq!(error.position, Some((2, 10)));
    }

    #[test]
    fn characters_before_the_bad_byte_count_once_each() {
        let bytes = "RUN echo é🎉".bytes().chain([0xff]).collect();

        let error = decode(bytes).expect_err("not UTF-8");

        assert_eq!(error.position, Some((1, 12)));
    }

    #[test]
    fn the_first_nul_byte_is_placed() {
        let error = decode(b"services:\n  a: {image: x}\n\0\0".to_vec()).expect_err("holds NUL");

        assert_eq!(
            error.reason,
            "not a text file (NUL byte at line 3, column 1)"
        );
    }

    #[test]
    fn whichever_comes_first_of_invalid_utf8_and_nul_is_reported() {
        let utf8_first = decode(b"a\xffb\0".to_vec()).expect_err("not text");
        let nul_first = decode(b"a\0b\xff".to_vec()).expect_err("not text");

        assert_eq!(
            utf8_first.reason,
            "not a text file (invalid UTF-8 at line 1, column 2)"
        );
        assert_eq!(
            nul_first.reason,
            "not a text file (NUL byte at line 1, column 2)"
        );
    }

    #[test]
    fn text_is_kept_whole() {
        let text = "FROM alpine\r\nUSER 1000\n";

        assert_eq!(decode(text.as_bytes().to_vec()), Ok(text.to_owned()));
    }
}
