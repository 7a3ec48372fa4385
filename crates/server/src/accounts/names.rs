//! The rules every name people choose follows (display names, group names, nicknames) and the
//! longer texts they write about a group (description, announcement): any language, but none of
//! the Unicode tricks that make one name look like another or break the page around it.

use crate::error::{AppError, AppResult};
use tern_proto::ErrorCode;

/// Most combining marks in a row: enough for any script's stacked accents (Vietnamese has
/// two), far too few for "Zalgo" text that spills over the lines around it.
const COMBINING_RUN_MAX: usize = 3;

/// Why a name or text is refused, for the error message.
#[derive(Debug, PartialEq, Eq)]
enum Trick {
    Length,
    Control,
    /// Right-to-left overrides and isolates: they reorder what is shown after them.
    Bidi,
    /// Zero-width characters outside an emoji sequence: two names that look the same.
    Invisible,
    Combining,
    /// Latin mixed with Cyrillic or Greek letters ("аdmin" with a Cyrillic а).
    MixedScripts,
}

/// A name of 1 to `max` characters after trimming, or a `code` error that says what is wrong
/// with it (`what`: "display names", "group names", ...).
pub fn check_name(raw: &str, max: usize, code: ErrorCode, what: &str) -> AppResult<String> {
    let name = raw.trim();
    let len = name.chars().count();
    let trick = if !(1..=max).contains(&len) {
        Some(Trick::Length)
    } else {
        find_trick(name, false)
    };
    match trick {
        None => Ok(name.to_owned()),
        Some(trick) => Err(AppError::client(code, explain(what, max, &trick, false))),
    }
}

/// A text of at most `max` characters (empty allowed), lines kept, trimmed; or a `bad_request`.
pub fn check_text(raw: &str, max: usize, what: &str) -> AppResult<String> {
    let text = raw.trim();
    let trick = if text.chars().count() > max {
        Some(Trick::Length)
    } else {
        find_trick(text, true)
    };
    match trick {
        None => Ok(text.to_owned()),
        Some(trick) => Err(AppError::bad_request(explain(what, max, &trick, true))),
    }
}

fn explain(what: &str, max: usize, trick: &Trick, text: bool) -> String {
    match trick {
        Trick::Length if text => format!("{what} are at most {max} characters"),
        Trick::Length => format!("{what} are 1 to {max} characters"),
        Trick::Control => format!("{what} may not contain control characters"),
        Trick::Bidi => format!("{what} may not contain text direction overrides"),
        Trick::Invisible => format!("{what} may not contain invisible characters"),
        Trick::Combining => {
            format!("{what} may not stack more than {COMBINING_RUN_MAX} combining marks")
        }
        Trick::MixedScripts => format!("{what} may not mix Latin with Cyrillic or Greek letters"),
    }
}

fn find_trick(s: &str, text: bool) -> Option<Trick> {
    let chars: Vec<char> = s.chars().collect();
    let mut combining = 0;
    let (mut latin, mut lookalike) = (false, false);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_control() && !(text && (c == '\n' || c == '\t')) {
            return Some(Trick::Control);
        }
        if is_bidi_control(c) {
            return Some(Trick::Bidi);
        }
        if is_invisible(c) {
            // A zero-width joiner belongs between two emoji (👨‍👩‍👧), nowhere else.
            let joined_emoji = c == '\u{200D}'
                && i > 0
                && chars.get(i + 1).is_some_and(|&n| is_emoji_part(n))
                && is_emoji_part(chars[i - 1]);
            if !joined_emoji {
                return Some(Trick::Invisible);
            }
        }
        if is_combining(c) {
            combining += 1;
            if combining > COMBINING_RUN_MAX {
                return Some(Trick::Combining);
            }
        } else {
            combining = 0;
        }
        if c.is_alphabetic() {
            latin |= c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c);
            lookalike |=
                ('\u{0370}'..='\u{03FF}').contains(&c) || ('\u{0400}'..='\u{04FF}').contains(&c);
        }
    }
    // Long texts may quote any language; a name mixing lookalike alphabets is a disguise.
    (!text && latin && lookalike).then_some(Trick::MixedScripts)
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}' | '\u{3164}' | '\u{115F}' | '\u{1160}')
}

/// The generic combining diacritics (what "Zalgo" text stacks), not the vowel signs of
/// Indic or Thai scripts, which are letters' parts.
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// Emoji and the characters that build emoji sequences (variation selector, skin tones).
fn is_emoji_part(c: char) -> bool {
    matches!(c, '\u{2600}'..='\u{27BF}' | '\u{1F000}'..='\u{1FAFF}' | '\u{FE0F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Result<String, String> {
        check_name(s, 64, ErrorCode::InvalidDisplayName, "names").map_err(|e| e.to_string())
    }

    #[test]
    fn names_take_any_language_and_emoji_sequences() {
        for ok in [
            "张伟",
            "Zoë",
            "Tiếng Việt",
            "Алексей",
            "Γιώργος",
            "👨\u{200D}👩\u{200D}👧 family",
            "नमस्ते",
        ] {
            assert_eq!(name(ok).as_deref(), Ok(ok), "{ok}");
        }
        assert_eq!(name("  trimmed  ").as_deref(), Ok("trimmed"));
    }

    #[test]
    fn names_refuse_the_tricks() {
        let zalgo = format!("a{}", "\u{0301}".repeat(10));
        let cases = [
            ("", "1 to 64"),
            ("evil\u{202E}gnp.exe", "direction"),
            ("\u{2066}alice", "direction"),
            ("ali\u{200B}ce", "invisible"),
            ("ali\u{200D}ce", "invisible"),
            ("\u{3164}", "invisible"),
            (zalgo.as_str(), "combining"),
            ("\u{0430}dmin", "mix Latin"),
            ("bob\u{0007}", "control"),
        ];
        for (input, why) in cases {
            let err = name(input).expect_err(input);
            assert!(err.contains(why), "{input:?}: {err}");
        }
    }

    #[test]
    fn texts_keep_lines_and_refuse_the_same_tricks() {
        assert_eq!(
            check_text(" line one\nline two ", 100, "texts").unwrap(),
            "line one\nline two"
        );
        assert_eq!(check_text("", 100, "texts").unwrap(), "");
        assert!(check_text("a\u{202E}b", 100, "texts").is_err());
        assert!(check_text(&"x".repeat(101), 100, "texts").is_err());
    }
}
