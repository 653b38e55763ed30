//! The one-pass sanitizer of the site's property objects (event
//! properties, page properties, traits): checks that `JSON.stringify`'s
//! output is an object, redacts email addresses in its decoded strings and
//! cuts the long ones, allocating nothing when nothing changes.

use std::borrow::Cow;

use crate::core::json::{push_str, scan_string, unescape};
use crate::core::privacy::redact_emails;

/// Why a property object was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The value is not a JSON object (an array, a number, a string...).
    NotAnObject,
    /// The text is not the well-formed JSON that `JSON.stringify` produces.
    Malformed,
}

/// Limits the sanitizer applies to every string (keys included).
#[derive(Clone, Copy, Debug)]
pub struct StringLimits {
    /// Longest string kept, in characters; longer ones are cut.
    pub max_chars: usize,
    /// Replace email addresses with `[email]` (see [`redact_emails`]) in
    /// the decoded string, before cutting, so a cut never leaves part of an address and
    /// an escape is never split.
    pub redact_emails: bool,
}

/// Result of [`sanitize_object`]: the object text and how many strings were cut.
#[derive(Debug, PartialEq, Eq)]
pub struct Sanitized<'a> {
    /// The object as JSON text, borrowed when nothing had to change.
    pub json: Cow<'a, str>,
    /// Number of strings that were truncated.
    pub truncated: u32,
    /// Number of strings in which email addresses were redacted.
    pub redacted: u32,
}

/// Checks that `raw` (the output of `JSON.stringify`) is an object,
/// redacts email addresses in its strings (keys too) when
/// `limits.redact_emails`, and cuts every string longer than
/// `limits.max_chars` characters, in one pass.
///
/// A string that may hold an address (an `@`, a `%` or a `\u` escape) is
/// decoded, redacted and written again as a JSON string before it is cut,
/// so the result is valid JSON whatever surrounds the address. Nothing is
/// allocated when no string is redacted or cut.
///
/// ```
/// use footfall::core::sanitize::{sanitize_object, StringLimits};
/// let limits = StringLimits { max_chars: 4, redact_emails: true };
/// let s = sanitize_object(r#"{"plan":"enterprise"}"#, limits).unwrap();
/// assert_eq!(s.json, r#"{"plan":"ente"}"#);
/// assert_eq!(s.truncated, 1);
/// let limits = StringLimits { max_chars: 100, redact_emails: true };
/// let s = sanitize_object(r#"{"d":"Hi,\njo@example.com"}"#, limits).unwrap();
/// assert_eq!(s.json, r#"{"d":"Hi,\n[email]"}"#);
/// ```
pub fn sanitize_object(raw: &str, limits: StringLimits) -> Result<Sanitized<'_>, Refusal> {
    let trimmed = raw.trim();
    let bytes = trimmed.as_bytes();
    if bytes.first() != Some(&b'{') {
        return Err(Refusal::NotAnObject);
    }
    if bytes.last() != Some(&b'}') {
        return Err(Refusal::Malformed);
    }
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut truncated = 0;
    let mut redacted = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != b'"' {
            i += 1;
            continue;
        }
        let scan = scan_string(bytes, i + 1, limits.max_chars).ok_or(Refusal::Malformed)?;
        if limits.redact_emails && scan.suspect {
            let body = trimmed.get(i + 1..scan.end - 1).ok_or(Refusal::Malformed)?;
            let text = unescape(body).ok_or(Refusal::Malformed)?;
            if let Cow::Owned(clean) = redact_emails(&text) {
                // Written again as a JSON string, then cut like any other.
                let mut quoted = String::with_capacity(clean.len() + 8);
                push_str(&mut quoted, &clean);
                let rescan = scan_string(quoted.as_bytes(), 1, limits.max_chars)
                    .ok_or(Refusal::Malformed)?;
                let kept = rescan.cut_at.unwrap_or(quoted.len() - 1);
                let buf = out.get_or_insert_with(|| String::with_capacity(trimmed.len()));
                buf.push_str(trimmed.get(copied..i).ok_or(Refusal::Malformed)?);
                buf.push_str(quoted.get(..kept).ok_or(Refusal::Malformed)?);
                buf.push('"');
                copied = scan.end;
                redacted += 1;
                truncated += u32::from(rescan.cut_at.is_some());
                i = scan.end;
                continue;
            }
        }
        if let Some(cut) = scan.cut_at {
            let buf = out.get_or_insert_with(|| String::with_capacity(trimmed.len()));
            buf.push_str(trimmed.get(copied..cut).ok_or(Refusal::Malformed)?);
            buf.push('"');
            copied = scan.end;
            truncated += 1;
        }
        i = scan.end;
    }
    let json = match out {
        None => Cow::Borrowed(trimmed),
        Some(mut buf) => {
            buf.push_str(trimmed.get(copied..).ok_or(Refusal::Malformed)?);
            Cow::Owned(buf)
        }
    };
    Ok(Sanitized {
        json,
        truncated,
        redacted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    const LIMIT: StringLimits = StringLimits {
        max_chars: 3,
        redact_emails: true,
    };

    #[test]
    fn sanitizer_table() {
        type Case<'a> = (&'a str, Result<(&'a str, u32), Refusal>);
        let cases: &[Case] = &[
            ("{}", Ok(("{}", 0))),
            (r#"{"a":1}"#, Ok((r#"{"a":1}"#, 0))),
            (r#"{"abc":"xyz"}"#, Ok((r#"{"abc":"xyz"}"#, 0))),
            (r#"{"abcd":"wxyz"}"#, Ok((r#"{"abc":"wxy"}"#, 2))),
            (r#"{"a":["long","ok"]}"#, Ok((r#"{"a":["lon","ok"]}"#, 1))),
            (r#"{"a":"\n\n\n\n"}"#, Ok((r#"{"a":"\n\n\n"}"#, 1))),
            (
                r#"{"a":"\u00e9\u00e9\u00e9\u00e9"}"#,
                Ok((r#"{"a":"\u00e9\u00e9\u00e9"}"#, 1)),
            ),
            ("{\"a\":\"ééééé\"}", Ok(("{\"a\":\"ééé\"}", 1))),
            ("{\"a\":\"😀😀😀😀\"}", Ok(("{\"a\":\"😀😀😀\"}", 1))),
            (r#"{"a":"\"\"\"\""}"#, Ok((r#"{"a":"\"\"\""}"#, 1))),
            (r#"{"a":"xx\ud83d\ude00"}"#, Ok((r#"{"a":"xx"}"#, 1))),
            (
                r#"{"a":"x\ud83d\ude00y"}"#,
                Ok((r#"{"a":"x\ud83d\ude00"}"#, 1)),
            ),
            (r#"{"a":{"b":"cccc"}}"#, Ok((r#"{"a":{"b":"ccc"}}"#, 1))),
            ("  {}  ", Ok(("{}", 0))),
            ("[1,2]", Err(Refusal::NotAnObject)),
            ("\"str\"", Err(Refusal::NotAnObject)),
            ("42", Err(Refusal::NotAnObject)),
            ("", Err(Refusal::NotAnObject)),
            (r#"{"a":"unterminated}"#, Err(Refusal::Malformed)),
            (r#"{"a":"\"#, Err(Refusal::Malformed)),
            ("{", Err(Refusal::Malformed)),
        ];
        for (raw, want) in cases {
            let got = sanitize_object(raw, LIMIT).map(|s| (s.json.into_owned(), s.truncated));
            let want = want.map(|(j, n)| (j.to_owned(), n));
            assert_eq!(got, want, "{raw}");
        }
    }

    #[test]
    fn emails_are_redacted_before_cutting() {
        let limits = |max_chars, redact_emails| StringLimits {
            max_chars,
            redact_emails,
        };
        let cases: &[(&str, usize, bool, &str, u32, u32)] = &[
            // raw, max, redact -> json, truncated, redacted
            (
                r#"{"to":"jo@shop.example"}"#,
                100,
                true,
                r#"{"to":"[email]"}"#,
                0,
                1,
            ),
            (
                r#"{"to":"jo@shop.example"}"#,
                100,
                false,
                r#"{"to":"jo@shop.example"}"#,
                0,
                0,
            ),
            (
                r#"{"note":"write a.b+c@x.co.uk or d@e.io!"}"#,
                100,
                true,
                r#"{"note":"write [email] or [email]!"}"#,
                0,
                1,
            ),
            (
                r#"{"handle":"@footfall","at":"a@b"}"#,
                100,
                true,
                r#"{"handle":"@footfall","at":"a@b"}"#,
                0,
                0,
            ),
            (
                r#"{"long":"jonathan.doe@example.com"}"#,
                6,
                true,
                r#"{"long":"[email"}"#,
                1,
                1,
            ),
            (
                r#"{"jo@shop.example":1}"#,
                100,
                true,
                r#"{"[email]":1}"#,
                0,
                1,
            ),
            (r#"{"e":"x@y.z1"}"#, 100, true, r#"{"e":"x@y.z1"}"#, 0, 0),
            (
                r#"{"e":"\"q@r.st\""}"#,
                100,
                true,
                r#"{"e":"\"[email]\""}"#,
                0,
                1,
            ),
        ];
        for &(raw, max, redact, want, t, r) in cases {
            let s = sanitize_object(raw, limits(max, redact)).unwrap();
            assert_eq!(
                (s.json.as_ref(), s.truncated, s.redacted),
                (want, t, r),
                "{raw}"
            );
        }
    }

    /// An address next to an escape (`\n`, `\t`, `\u0001`, `\"`, `\\`) is
    /// redacted in the decoded string, so the escape stays whole and the
    /// object stays valid JSON (the local part used to eat the `n` of `\n`).
    #[test]
    fn redaction_never_breaks_an_escape() {
        let limits = |max_chars| StringLimits {
            max_chars,
            redact_emails: true,
        };
        let cases: &[(&str, usize, &str, u32, u32)] = &[
            // raw, max -> json, truncated, redacted
            (
                r#"{"d":"Hi,\njo@example.com"}"#,
                100,
                r#"{"d":"Hi,\n[email]"}"#,
                0,
                1,
            ),
            (
                r#"{"d":"a\tjo@example.com\r"}"#,
                100,
                r#"{"d":"a\t[email]\r"}"#,
                0,
                1,
            ),
            (
                r#"{"d":"\u0001jo@example.com"}"#,
                100,
                r#"{"d":"\u0001[email]"}"#,
                0,
                1,
            ),
            (
                r#"{"d":"\\jo@example.com\/"}"#,
                100,
                r#"{"d":"\\[email]/"}"#,
                0,
                1,
            ),
            (
                r#"{"d":"\"jo@example.com\""}"#,
                100,
                r#"{"d":"\"[email]\""}"#,
                0,
                1,
            ),
            (
                r#"{"d":"jo\u0040example.com"}"#,
                100,
                r#"{"d":"[email]"}"#,
                0,
                1,
            ),
            (
                r#"{"d":"jo%40example.com"}"#,
                100,
                r#"{"d":"[email]"}"#,
                0,
                1,
            ),
            (r#"{"jo@example.com\n":1}"#, 100, r#"{"[email]\n":1}"#, 0, 1),
            (
                r#"{"d":"\ud800 jo@example.com"}"#,
                100,
                "{\"d\":\"\u{fffd} [email]\"}",
                0,
                1,
            ),
            (
                r#"{"d":"x\ud83d\ude00 jo@example.com"}"#,
                100,
                "{\"d\":\"x\u{1f600} [email]\"}",
                0,
                1,
            ),
            // Cut after redaction, counting characters, never inside an escape.
            (
                r#"{"d":"Hi,\njo@example.com and more"}"#,
                12,
                r#"{"d":"Hi,\n[email] "}"#,
                1,
                1,
            ),
            (
                r#"{"d":"jo@example.com\n\n"}"#,
                8,
                r#"{"d":"[email]\n"}"#,
                1,
                1,
            ),
            (
                r#"{"d":"\n\n\njo@example.com"}"#,
                4,
                r#"{"d":"\n\n\n["}"#,
                1,
                1,
            ),
            (
                r#"{"d":"50%\nnothing"}"#,
                100,
                r#"{"d":"50%\nnothing"}"#,
                0,
                0,
            ),
        ];
        for &(raw, max, want, t, r) in cases {
            let s = sanitize_object(raw, limits(max)).unwrap();
            assert_eq!(
                (s.json.as_ref(), s.truncated, s.redacted),
                (want, t, r),
                "{raw}"
            );
            serde_json::from_str::<serde_json::Value>(&s.json).expect("valid JSON");
        }
    }

    #[test]
    fn unchanged_objects_are_borrowed() {
        for raw in [r#"{"k":"v"}"#, r#"{"k":"50% off\n"}"#, r#"{"k":"@\n"}"#] {
            let limits = StringLimits {
                max_chars: 100,
                redact_emails: true,
            };
            let s = sanitize_object(raw, limits).unwrap();
            assert!(matches!(s.json, Cow::Borrowed(_)), "{raw}");
        }
        let raw = r#"{"k":"v"}"#;
        let s = sanitize_object(raw, LIMIT).unwrap();
        assert!(matches!(s.json, Cow::Borrowed(_)));
    }

    #[test]
    fn a_megabyte_string_is_cut_to_the_limit() {
        let raw = "{\"s\":\"".to_owned() + &"x".repeat(1 << 20) + "\"}";
        let s = sanitize_object(
            &raw,
            StringLimits {
                max_chars: 1024,
                redact_emails: true,
            },
        )
        .unwrap();
        assert_eq!(s.json.len(), 1024 + 8);
        assert_eq!(s.truncated, 1);
    }

    #[test]
    fn never_panics_on_arbitrary_text() {
        let samples = [
            "{\"",
            "{\"\\",
            "{\"\\u",
            "{\"\u{e9}",
            "{\"\\u12\"}",
            "{\"\\\"}",
        ];
        for raw in samples {
            let _ = sanitize_object(raw, LIMIT);
            let _ = sanitize_object(
                raw,
                StringLimits {
                    max_chars: 0,
                    redact_emails: true,
                },
            );
        }
    }
}
