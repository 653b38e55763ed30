//! A small JSON writer and reader: string literals, numbers, a validator
//! for stored objects, top-level keys, unescaping, hexadecimal digits.
//!
//! serde_json would cost more wasm bytes than everything here; events are
//! written once, as text, when they are accepted. The one-pass sanitizer
//! of property objects is [`sanitize`](crate::core::sanitize).

use std::borrow::Cow;

/// Appends `s` as a JSON string literal, quotes included.
///
/// Escapes `"`, `\` and control characters, so the output never contains a
/// raw newline (the outbox stores one event per line).
pub fn push_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(s.get(start..i).unwrap_or_default());
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 0xf));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

/// Appends `"key":` (the key is trusted: a literal of this crate).
pub fn push_key(out: &mut String, key: &str) {
    out.push('"');
    out.push_str(key);
    out.push_str("\":");
}

/// Appends `n` in decimal.
pub fn push_u64(out: &mut String, n: u64) {
    crate::core::time::push_padded(out, n, 1);
}

/// Appends a finite, non-negative `value` with at most three decimals and no
/// trailing zeros (`1`, `1.5`, `2.625`); appends nothing for NaN, infinities
/// or negatives. Avoids `core::fmt`'s float formatting, which costs kilobytes.
pub fn push_decimal(out: &mut String, value: f64) {
    push_decimals(out, value, 3);
}

/// Appends a finite, non-negative `value` rounded to `places` decimals
/// (3 or 4) with no trailing zeros; nothing for NaN, infinities or
/// negatives.
pub fn push_decimals(out: &mut String, value: f64, places: usize) {
    let unit = if places > 3 { 10_000 } else { 1_000 };
    if !(value.is_finite() && (0.0..1e12).contains(&value)) {
        return;
    }
    let scaled = (value * unit as f64 + 0.5) as u64;
    push_u64(out, scaled / unit);
    let mut frac = scaled % unit;
    if frac > 0 {
        out.push('.');
        let mut width = if places > 3 { 4 } else { 3 };
        while frac % 10 == 0 {
            frac /= 10;
            width -= 1;
        }
        crate::core::time::push_padded(out, frac, width);
    }
}

/// Whether the JSON object text `object` (well-formed, as `JSON.stringify`
/// writes it) has the member `key` at its top level.
///
/// ```
/// use footfall::core::json::has_top_level_key;
/// assert!(has_top_level_key(r#"{"a":{"path":1},"path":"/x"}"#, "path"));
/// assert!(!has_top_level_key(r#"{"a":{"path":1},"b":"path"}"#, "path"));
/// ```
pub fn has_top_level_key(object: &str, key: &str) -> bool {
    let bytes = object.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                let start = i + 1;
                let Some(scan) = scan_string(bytes, start, usize::MAX) else {
                    return false;
                };
                let is_key = depth == 1 && bytes.get(scan.end) == Some(&b':');
                if is_key && bytes.get(start..scan.end - 1) == Some(key.as_bytes()) {
                    return true;
                }
                i = scan.end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// `object` (JSON object text) with `"key":"value"` as its first member;
/// anything else is returned unchanged (the engine refuses it later).
///
/// ```
/// use footfall::core::json::with_member;
/// assert_eq!(with_member(r#"{"a":1}"#, "category", "Docs"), r#"{"category":"Docs","a":1}"#);
/// assert_eq!(with_member("{}", "category", "Docs"), r#"{"category":"Docs"}"#);
/// ```
pub fn with_member(object: &str, key: &str, value: &str) -> String {
    let Some(rest) = object.strip_prefix('{') else {
        return object.to_owned();
    };
    let mut out = String::from("{");
    push_key(&mut out, key);
    push_str(&mut out, value);
    if rest != "}" {
        out.push(',');
    }
    out.push_str(rest);
    out
}

/// `object` with `"key":raw` first, `raw` being JSON text as it is.
///
/// ```
/// use footfall::core::json::with_raw_member;
/// assert_eq!(with_raw_member(r#"{"a":1}"#, "errors", "[1]"), r#"{"errors":[1],"a":1}"#);
/// assert_eq!(with_raw_member("{}", "errors", "[]"), r#"{"errors":[]}"#);
/// ```
pub fn with_raw_member(object: &str, key: &str, raw: &str) -> String {
    let Some(rest) = object.strip_prefix('{') else {
        return object.to_owned();
    };
    let mut out = String::with_capacity(object.len() + key.len() + raw.len() + 4);
    out.push('{');
    push_key(&mut out, key);
    out.push_str(raw);
    if rest != "}" {
        out.push(',');
    }
    out.push_str(rest);
    out
}

/// Whether `text` is exactly one well-formed JSON object (RFC 8259), in one
/// pass, without recursion (any depth), in time linear in its length.
///
/// ```
/// use footfall::core::json::is_object;
/// assert!(is_object(r#"{"a":[1,-2.5e3,true,null,{"b":"\u00e9\n"}]}"#));
/// assert!(!is_object(r#"{"a":1}x"#));
/// assert!(!is_object(r#"{"a":01}"#));
/// assert!(!is_object("[1]"));
/// ```
pub fn is_object(text: &str) -> bool {
    let b = text.as_bytes();
    if b.first() != Some(&b'{') {
        return false;
    }
    // Open containers: true for an object.
    let mut open: Vec<bool> = Vec::new();
    // What may come next: a value, or (in an object) a key or its end.
    #[derive(Clone, Copy, PartialEq)]
    enum Want {
        Value,
        KeyOrEnd,
        Key,
        ValueOrEnd,
        CommaOrEnd,
        Colon,
    }
    let mut want = Want::Value;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
            continue;
        }
        if open.is_empty() && i > 0 {
            return false; // text after the object
        }
        match want {
            Want::Colon => {
                if c != b':' {
                    return false;
                }
                want = Want::Value;
                i += 1;
            }
            Want::CommaOrEnd => {
                let in_object = open.last().copied().unwrap_or(false);
                match c {
                    b',' => want = if in_object { Want::Key } else { Want::Value },
                    b'}' if in_object => {
                        open.pop();
                        want = Want::CommaOrEnd;
                    }
                    b']' if !in_object => {
                        open.pop();
                        want = Want::CommaOrEnd;
                    }
                    _ => return false,
                }
                i += 1;
            }
            Want::KeyOrEnd | Want::Key => {
                if c == b'}' && want == Want::KeyOrEnd {
                    open.pop();
                    want = Want::CommaOrEnd;
                    i += 1;
                } else if c == b'"' {
                    let Some(end) = string_end(b, i + 1) else {
                        return false;
                    };
                    i = end;
                    want = Want::Colon;
                } else {
                    return false;
                }
            }
            Want::Value | Want::ValueOrEnd => {
                match c {
                    b']' if want == Want::ValueOrEnd => {
                        open.pop();
                        want = Want::CommaOrEnd;
                        i += 1;
                        continue;
                    }
                    b'{' => {
                        open.push(true);
                        want = Want::KeyOrEnd;
                        i += 1;
                        continue;
                    }
                    b'[' => {
                        open.push(false);
                        want = Want::ValueOrEnd;
                        i += 1;
                        continue;
                    }
                    b'"' => {
                        let Some(end) = string_end(b, i + 1) else {
                            return false;
                        };
                        i = end;
                    }
                    b't' | b'f' | b'n' => {
                        let word: &[u8] = match c {
                            b't' => b"true",
                            b'f' => b"false",
                            _ => b"null",
                        };
                        if b.get(i..i + word.len()) != Some(word) {
                            return false;
                        }
                        i += word.len();
                    }
                    _ => {
                        let Some(end) = number_end(b, i) else {
                            return false;
                        };
                        i = end;
                    }
                }
                want = Want::CommaOrEnd;
            }
        }
    }
    open.is_empty() && want == Want::CommaOrEnd
}

/// Just past the closing quote of the string body starting at `i`, if it is
/// a valid JSON string (escapes checked, no raw control characters).
fn string_end(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        match *b.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => match *b.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                b'u' => {
                    let hex = b.get(i + 2..i + 6)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    i += 6;
                }
                _ => return None,
            },
            0..=0x1f => return None,
            _ => i += 1,
        }
    }
}

/// Just past the JSON number starting at `i`, if there is one.
fn number_end(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |b: &[u8], mut i: usize| {
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > start).then_some(i)
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    if b.get(i) == Some(&b'0') {
        i += 1;
    } else {
        i = digits(b, i)?;
    }
    if b.get(i) == Some(&b'.') {
        i = digits(b, i + 1)?;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(b, i)?;
    }
    Some(i)
}

/// A lowercase hexadecimal digit for `n & 0xf`.
pub fn hex_digit(n: u8) -> char {
    char::from(
        b"0123456789abcdef"
            .get(usize::from(n & 0xf))
            .copied()
            .unwrap_or(b'0'),
    )
}

/// The text of a JSON string body (what lies between its quotes): escapes
/// decoded, a lone surrogate escape as U+FFFD; borrowed when it has no
/// escape, `None` when an escape is malformed.
///
/// ```
/// use footfall::core::json::unescape;
/// assert_eq!(unescape(r#"Hi,\njo \"x\" \u00e9\ud83d\ude00"#).unwrap(), "Hi,\njo \"x\" é😀");
/// assert_eq!(unescape(r"\ud800!").unwrap(), "\u{fffd}!");
/// assert_eq!(unescape(r"\x"), None);
/// ```
pub fn unescape(body: &str) -> Option<Cow<'_, str>> {
    let bytes = body.as_bytes();
    if !bytes.contains(&b'\\') {
        return Some(Cow::Borrowed(body));
    }
    let mut out = String::with_capacity(body.len());
    let mut i = 0;
    while let Some(at) = bytes.get(i..)?.iter().position(|&b| b == b'\\') {
        let at = i + at;
        out.push_str(body.get(i..at)?);
        let (c, len) = match *bytes.get(at + 1)? {
            b'u' => {
                let unit = hex4(bytes, at + 2)?;
                // A high surrogate and a low one are one character; a lone
                // half becomes U+FFFD (char::from_u32 refuses it).
                let low = match (bytes.get(at + 6..at + 8), hex4(bytes, at + 8)) {
                    (Some(b"\\u"), Some(low)) if (0xdc00..0xe000).contains(&low) => Some(low),
                    _ => None,
                };
                match low.filter(|_| (0xd800..0xdc00).contains(&unit)) {
                    Some(low) => (0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00), 12),
                    None => (unit, 6),
                }
            }
            b'b' => (8, 2),
            b'f' => (12, 2),
            b'n' => (10, 2),
            b'r' => (13, 2),
            b't' => (9, 2),
            c @ (b'"' | b'\\' | b'/') => (u32::from(c), 2),
            _ => return None,
        };
        out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
        i = at + len;
    }
    out.push_str(body.get(i..)?);
    Some(Cow::Owned(out))
}

/// The value of hexadecimal digit `b`.
pub fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The four hexadecimal digits at `i` as a number.
fn hex4(bytes: &[u8], i: usize) -> Option<u32> {
    let mut n = 0;
    for &b in bytes.get(i..i + 4)? {
        n = n << 4 | u32::from(hex_value(b)?);
    }
    Some(n)
}

/// A JSON string scanned: where it ends, where a cut would go, and
/// whether it may hold an email address.
pub(crate) struct StringScan {
    /// Byte index just past the closing quote.
    pub(crate) end: usize,
    /// Byte index where the string must be cut, if it is too long.
    pub(crate) cut_at: Option<usize>,
    /// Whether the string may hold an email address: it has an `@`, a `%`
    /// that may start `%40` or `%2540`, or a `\u` escape (`\u0040`).
    pub(crate) suspect: bool,
}

/// Scans a JSON string body starting at `start` (just past the opening
/// quote), counting characters: an escape sequence or a UTF-8 sequence is one.
pub(crate) fn scan_string(bytes: &[u8], start: usize, max_chars: usize) -> Option<StringScan> {
    let mut i = start;
    let mut chars = 0usize;
    let mut cut_at = None;
    // Start of the previous character when it was a `\uD800`-`\uDBFF` escape:
    // a cut right after it would leave half a surrogate pair.
    let mut high_surrogate_at = None;
    let mut suspect = false;
    loop {
        let b = *bytes.get(i)?;
        if b == b'"' {
            return Some(StringScan {
                end: i + 1,
                cut_at,
                suspect,
            });
        }
        // `%` only before what could make `%40` or `%2540` (`50% off` is
        // no suspect: it keeps the fast path).
        let percent = b == b'%' && matches!(bytes.get(i + 1), Some(b'2' | b'4' | b'\\'));
        suspect |= b == b'@' || percent;
        if chars == max_chars && cut_at.is_none() {
            cut_at = Some(high_surrogate_at.unwrap_or(i));
        }
        chars += 1;
        let (len, high) = match b {
            b'\\' => match bytes.get(i + 1)? {
                b'u' => {
                    suspect = true;
                    (6, is_high_surrogate_escape(bytes.get(i + 2..i + 4)?))
                }
                _ => (2, false),
            },
            0x00..=0x7f => (1, false),
            0xc0..=0xdf => (2, false),
            0xe0..=0xef => (3, false),
            _ => (4, false),
        };
        high_surrogate_at = if high { Some(i) } else { None };
        i += len;
    }
}

/// Whether the first two hex digits of a `\\uXXXX` escape put it in D800-DBFF.
fn is_high_surrogate_escape(first_two: &[u8]) -> bool {
    matches!(
        first_two,
        [b'd' | b'D', b'8' | b'9' | b'a' | b'b' | b'A' | b'B']
    )
}

pub mod read;
#[cfg(test)]
mod tests;
