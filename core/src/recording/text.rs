//! Text from a file, made safe to print on a terminal.
//!
//! A file's header fields, channel labels and annotation texts are bytes its writer
//! chose: an escape sequence in a patient field can rewrite the terminal, a NUL can cut
//! a line short, a bidirectional override can make a label read backwards.
//! [`terminal_safe`] shows every such character as a visible escape; the data itself
//! (JSON output, tables written to files) keeps the exact text.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is: C0 controls (NUL, escape, tab,
/// newline…), DEL, C1 controls, and the Unicode bidirectional embedding, override and
/// isolate characters.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every control character (C0, DEL, C1) and bidirectional formatting
/// character written as a Rust-style escape, `\u{1b}` for escape, `\u{0}` for NUL;
/// borrowed unchanged when there is none. Use it wherever text read from a file is
/// printed for a person (tables, messages, warnings).
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A path as [`terminal_safe`] shows it: file names are bytes someone else chose too.
pub fn terminal_safe_path(path: &std::path::Path) -> String {
    terminal_safe(&path.display().to_string()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(terminal_safe("Fp1 µV 中文"), Cow::Borrowed(_)));
        assert_eq!(
            terminal_safe("a\u{1b}[2Jb\0c\td\r\n\u{7f}\u{9b}"),
            "a\\u{1b}[2Jb\\u{0}c\\u{9}d\\u{d}\\u{a}\\u{7f}\\u{9b}"
        );
        assert_eq!(terminal_safe("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(
            terminal_safe_path(std::path::Path::new("a\u{1b}]0;x\u{7}.edf")),
            "a\\u{1b}]0;x\\u{7}.edf"
        );
        // Escaping twice changes nothing: an escape is printable text.
        let once = terminal_safe("a\u{1b}b").into_owned();
        assert_eq!(terminal_safe(&once), once);
    }

    #[test]
    fn error_messages_quote_file_bytes_escaped() {
        let e = super::super::RecordingError::Malformed {
            path: "a\u{1b}.edf".into(),
            reason: "patient field '\u{1b}[2J\0'".into(),
        };
        assert_eq!(
            e.to_string(),
            "a\\u{1b}.edf: patient field '\\u{1b}[2J\\u{0}'"
        );
    }
}
