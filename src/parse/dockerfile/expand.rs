//! Dockerfile word expansion following BuildKit's shell lexer (`ProcessWord`): quote removal,
//! the escape character, and `$VAR` / `${VAR...}` substitution.

/// Expands one Dockerfile word: single and double quotes are removed, the escape character makes
/// the next character literal, and `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`,
/// `${VAR:+word}`, `${VAR+word}`, `${VAR:?word}`, `${VAR#pattern}` and `${VAR%pattern}` are
/// substituted through `lookup` (nested words allowed). Unknown variables expand to nothing.
pub fn expand_word(word: &str, escape: char, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut lexer = WordLexer {
        chars: word.chars().collect(),
        position: 0,
        escape,
        lookup,
    };
    lexer.process_until(None)
}

struct WordLexer<'a> {
    chars: Vec<char>,
    position: usize,
    escape: char,
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl WordLexer<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.position).copied()
    }

    fn next(&mut self) -> Option<char> {
        let ch = self.peek()?;
        self.position += 1;
        Some(ch)
    }

    /// Processes up to `stop` (consumed) or the end of the word.
    fn process_until(&mut self, stop: Option<char>) -> String {
        let mut result = String::new();
        while let Some(ch) = self.peek() {
            if Some(ch) == stop {
                self.next();
                break;
            }

            match ch {
                '\'' => result.push_str(&self.single_quoted()),
                '"' => result.push_str(&self.double_quoted()),
                '$' => result.push_str(&self.dollar()),
                _ => {
                    self.next();
                    if ch != self.escape {
                        result.push(ch);
                        continue;
                    }
                    // The escape makes the next character literal; at the very end it vanishes.
                    match self.next() {
                        Some(escaped) => result.push(escaped),
                        None => break,
                    }
                }
            }
        }
        result
    }

    fn single_quoted(&mut self) -> String {
        self.next();
        let mut result = String::new();
        while let Some(ch) = self.next() {
            if ch == '\'' {
                break;
            }
            result.push(ch);
        }
        result
    }

    fn double_quoted(&mut self) -> String {
        self.next();
        let mut result = String::new();
        while let Some(ch) = self.peek() {
            if ch == '"' {
                self.next();
                break;
            }
            if ch == '$' {
                result.push_str(&self.dollar());
                continue;
            }

            self.next();
            if ch == self.escape {
                match self.peek() {
                    None => continue,
                    // Only these can be escaped inside double quotes; other escapes stay as-is.
                    Some(next) if next == '"' || next == '$' || next == self.escape => {
                        self.next();
                        result.push(next);
                        continue;
                    }
                    Some(_) => {}
                }
            }
            result.push(ch);
        }
        result
    }

    fn dollar(&mut self) -> String {
        self.next();
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return "$".to_string();
            }
            return (self.lookup)(&name).unwrap_or_default();
        }

        self.next();
        if matches!(self.peek(), None | Some('{' | '}' | ':')) {
            // A bad substitution: BuildKit fails the build; here it expands to nothing.
            self.process_until(Some('}'));
            return String::new();
        }

        let name = self.name();
        let value = (self.lookup)(&name);
        match self.next() {
            Some('}') => value.unwrap_or_default(),
            Some(':') => {
                let modifier = self.next();
                let word = self.process_until(Some('}'));
                let value = value.unwrap_or_default();
                match modifier {
                    Some('-') if value.is_empty() => word,
                    Some('+') if !value.is_empty() => word,
                    Some('+') => String::new(),
                    Some('-' | '?') => value,
                    _ => String::new(),
                }
            }
            Some(modifier @ ('-' | '+' | '?')) => {
                let word = self.process_until(Some('}'));
                match (modifier, value) {
                    ('-', None) => word,
                    ('+', Some(_)) => word,
                    ('+', None) => String::new(),
                    (_, value) => value.unwrap_or_default(),
                }
            }
            Some(modifier @ ('#' | '%')) => {
                let longest = self.peek() == Some(modifier);
                if longest {
                    self.next();
                }
                let pattern = self.process_until(Some('}'));
                let value = value.unwrap_or_default();
                if modifier == '#' {
                    remove_prefix(&value, &pattern, longest)
                } else {
                    remove_suffix(&value, &pattern, longest)
                }
            }
            _ => {
                // LIMITATION: `${VAR/pattern/replacement}` and other forms are not applied;
                // the variable's value is kept unchanged.
                self.process_until(Some('}'));
                value.unwrap_or_default()
            }
        }
    }

    /// A variable name: letters, digits and `_`, a run of digits, or one special parameter.
    fn name(&mut self) -> String {
        let mut name = String::new();
        match self.peek() {
            Some(ch) if ch.is_ascii_digit() => {
                while let Some(digit) = self.peek().filter(char::is_ascii_digit) {
                    self.next();
                    name.push(digit);
                }
                return name;
            }
            Some(ch @ ('@' | '*' | '#' | '?' | '-' | '$' | '!')) => {
                self.next();
                name.push(ch);
                return name;
            }
            _ => {}
        }
        while let Some(ch) = self.peek().filter(|ch| ch.is_alphanumeric() || *ch == '_') {
            self.next();
            name.push(ch);
        }
        name
    }
}

fn remove_prefix(value: &str, pattern: &str, longest: bool) -> String {
    let mut ends: Vec<usize> = value.char_indices().map(|(index, _)| index).collect();
    ends.push(value.len());
    if longest {
        ends.reverse();
    }
    for end in ends {
        if glob_matches(pattern, &value[..end]) {
            return value[end..].to_string();
        }
    }
    value.to_string()
}

fn remove_suffix(value: &str, pattern: &str, longest: bool) -> String {
    let mut starts: Vec<usize> = value.char_indices().map(|(index, _)| index).collect();
    starts.push(value.len());
    if !longest {
        starts.reverse();
    }
    for start in starts {
        if glob_matches(pattern, &value[start..]) {
            return value[..start].to_string();
        }
    }
    value.to_string()
}

/// Shell pattern matching with `*` and `?`; other characters match themselves.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut backtrack = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                backtrack = Some((p, t));
                p += 1;
            }
            Some(&ch) if ch == '?' || ch == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    p = star + 1;
                    t = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|ch| *ch == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(word: &str) -> String {
        let lookup = |name: &str| match name {
            "USER" => Some("app".to_string()),
            "EMPTY" => Some(String::new()),
            "PATHS" => Some("/usr/local/bin:/usr/bin".to_string()),
            _ => None,
        };
        expand_word(word, '\\', &lookup)
    }

    #[test]
    fn plain_and_braced_variables() {
        assert_eq!(expand("$USER:${USER}"), "app:app");
        assert_eq!(expand("x${MISSING}y$MISSING"), "xy");
        assert_eq!(expand("cost $ 5"), "cost $ 5");
    }

    #[test]
    fn defaults_and_alternatives() {
        assert_eq!(expand("${MISSING:-root}"), "root");
        assert_eq!(expand("${EMPTY:-root}"), "root");
        assert_eq!(expand("${EMPTY-root}"), "");
        assert_eq!(expand("${MISSING-root}"), "root");
        assert_eq!(expand("${USER:+set}"), "set");
        assert_eq!(expand("${EMPTY:+set}"), "");
        assert_eq!(expand("${EMPTY+set}"), "set");
        assert_eq!(expand("${MISSING+set}"), "");
    }

    #[test]
    fn nested_defaults_expand() {
        assert_eq!(expand("${MISSING:-${OTHER:-${USER}}}"), "app");
        assert_eq!(expand("${MISSING:-a b}c"), "a bc");
    }

    #[test]
    fn quotes_are_removed_and_single_quotes_stop_expansion() {
        assert_eq!(expand("'$USER'"), "$USER");
        assert_eq!(expand("\"$USER x\""), "app x");
        assert_eq!(expand(r#""a\"b\c""#), r#"a"b\c"#);
    }

    #[test]
    fn escape_character_makes_the_next_literal() {
        assert_eq!(expand(r"\$USER"), "$USER");
        assert_eq!(expand(r"a\ b\"), "a b");
        let lookup = |_: &str| Some("v".to_string());

        assert_eq!(expand_word("`$X $X", '`', &lookup), "$X v");
        assert_eq!(expand_word(r"C:\dir", '`', &lookup), r"C:\dir");
    }

    #[test]
    fn prefix_and_suffix_removal() {
        assert_eq!(expand("${PATHS#*:}"), "/usr/bin");
        assert_eq!(expand("${PATHS%:*}"), "/usr/local/bin");
        assert_eq!(expand("${PATHS##*/}"), "bin");
    }
}
