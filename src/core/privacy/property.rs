//! The redaction property, shared by the native property test (seeded,
//! in `privacy`'s tests) and the fuzz target (`fuzz/fuzz_targets/redaction.rs`,
//! which includes this file): generators that turn a stream of numbers into
//! text and into property objects as `JSON.stringify` writes them, with
//! addresses planted among escapes, `@`, `%40`, non-ASCII characters and
//! surrogate escapes, and the assertions:
//! - the redactor's output holds no address (see [`has_address`]), nothing
//!   of a planted one, and redacting it again changes nothing;
//! - `sanitize_object`'s output parses as JSON, and decoded, no key or
//!   string holds an address or part of a planted one, or is longer than
//!   the limit.
//!
//! Only std, serde_json and the crate's public API (as `footfall::`), so the
//! fuzz crate can include it.

use footfall::core::privacy::redact_emails;
use footfall::core::sanitize::{sanitize_object, StringLimits};
use serde_json::Value;

/// Numbers to generate from: a seeded generator, or the fuzzer's bytes.
pub trait Source {
    /// The next number (0 once a byte stream is exhausted).
    fn next(&mut self) -> u32;

    /// A number below `n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() as usize).checked_rem(n).unwrap_or(0)
    }
}

/// SplitMix64, seeded: the native property test's source.
pub struct Rng(pub u64);

impl Source for Rng {
    fn next(&mut self) -> u32 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) as u32
    }
}

/// The fuzzer's bytes, one number per byte.
pub struct Bytes<'a>(pub &'a [u8]);

impl Source for Bytes<'_> {
    fn next(&mut self) -> u32 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                u32::from(b)
            }
            None => 0,
        }
    }
}

/// Every planted address has this in its local part; nothing else the
/// generators write does (random characters skip U+2603), so finding it in
/// an output means part of an address was left.
pub const MARK: &str = "zq\u{2603}";

/// Addresses planted in the text, `MARK` in each local part.
const PLANTED: &[&str] = &[
    "zq\u{2603}@example.com",
    "zq\u{2603}.doe+tag@sub.example.co.uk",
    "ZQ\u{2603}@EXAMPLE.COM",
    "zq\u{2603}x@ex\u{e4}mple.de",
    "j\u{f6}zq\u{2603}@example.\u{440}\u{444}",
    "zq\u{2603}%40example.com",
    "zq\u{2603}%2540example.org",
    "zq\u{2603}%40ex%C3%A4mple.com",
    "zq\u{2603}@a.bc",
    "zq\u{2603}@example.comThanks",
    "zq\u{2603}@example.com2024",
    "zq\u{2603}@a.b.c@d.example",
];

/// Pieces the text is made of, chosen to meet at the redactor's edges.
const PIECES: &[&str] = &[
    "@",
    "@",
    "%40",
    "%2540",
    "%",
    "%25",
    "%4",
    "%C3",
    "%A4",
    "%E2",
    ".",
    "..",
    "-",
    "_",
    "+",
    "com",
    "example",
    "co.uk",
    "a",
    "b1",
    "x",
    "0",
    "9",
    " ",
    "  ",
    "\n",
    "\t",
    "\r",
    "\"",
    "\\",
    "/",
    "(",
    ")",
    "<",
    ">",
    ":",
    ",",
    ";",
    "mailto:",
    "?e=",
    "&",
    "=",
    "[email]",
    "\u{a0}",
    "\u{e4}",
    "\u{f6}",
    "\u{440}",
    "\u{1f600}",
    "\u{fffd}",
    "\u{301}",
    "jo",
    "doe",
    "4111",
    "1111",
    LONE,
    LONE,
];

/// Stands for a lone surrogate: written as one in JSON strings (a Rust
/// string cannot hold one), never made by [`random_char`].
const LONE: &str = "\u{e000}";

/// A character for the text: any scalar value but U+2603 (the mark) and
/// U+E000 ([`LONE`]).
fn random_char(src: &mut impl Source) -> char {
    let c = match src.below(4) {
        0 => src.below(0x80) as u32,
        1 => src.below(0x800) as u32,
        2 => src.below(0x1_0000) as u32,
        _ => src.next() % 0x11_0000,
    };
    char::from_u32(c)
        .filter(|&c| c != '\u{2603}' && c != '\u{e000}')
        .unwrap_or('\u{fffd}')
}

/// Random text: pieces, random characters, planted addresses, and now and
/// then one piece repeated into a long run.
pub fn text(src: &mut impl Source) -> String {
    let mut s = String::new();
    for _ in 0..src.below(24) {
        match src.below(24) {
            0 => {
                let piece = PIECES[src.below(PIECES.len())];
                for _ in 0..(src.below(40) * 50) {
                    s.push_str(piece);
                }
            }
            1..=4 => s.push_str(PLANTED[src.below(PLANTED.len())]),
            5..=8 => s.push(random_char(src)),
            _ => s.push_str(PIECES[src.below(PIECES.len())]),
        }
    }
    s
}

/// Whether `text` holds an address: an `@` (or `%40`, `%2540`, either
/// case) with a local-part character (letter, digit, `._+-@`, non-ASCII,
/// possibly percent-encoded) right before it and a domain right after it
/// (a letter, digit or non-ASCII first; letters, digits, `.-_` and
/// non-ASCII; a dot, then two letters or more, ending on a character
/// boundary). Written apart from the redactor, as the property to check.
pub fn has_address(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len()).any(|i| match decoded(b, i) {
        Some((b'@', len)) => local_before(b, i) && domain_after(b, i + len),
        _ => false,
    })
}

fn hex(b: Option<&u8>) -> Option<u8> {
    char::from(*b?).to_digit(16).map(|d| d as u8)
}

/// The byte at `i` as read through up to two levels of percent-encoding.
fn decoded(b: &[u8], i: usize) -> Option<(u8, usize)> {
    let first = *b.get(i)?;
    let pct = |j: usize| -> Option<u8> {
        (b.get(j) == Some(&b'%')).then_some(())?;
        Some(hex(b.get(j + 1))? * 16 + hex(b.get(j + 2))?)
    };
    match pct(i) {
        Some(0x25) => match (hex(b.get(i + 3)), hex(b.get(i + 4))) {
            (Some(h), Some(l)) => Some((h * 16 + l, 5)),
            _ => Some((0x25, 3)),
        },
        Some(x) => Some((x, 3)),
        None => Some((first, 1)),
    }
}

fn is_local(x: u8) -> bool {
    x.is_ascii_alphanumeric() || x >= 0x80 || b"._+-@".contains(&x)
}

/// Whether the unit before `at` is a local-part character; the longest
/// reading wins (`%25%40` is `%@`, not `5` and `@`).
fn local_before(b: &[u8], at: usize) -> bool {
    [5, 3, 1]
        .iter()
        .find_map(|&len| {
            let q = at.checked_sub(len)?;
            decoded(b, q).filter(|&(_, l)| l == len)
        })
        .is_some_and(|(x, _)| is_local(x))
}

fn domain_after(b: &[u8], from: usize) -> bool {
    // The domain's bytes, decoded.
    let mut units: Vec<u8> = Vec::new();
    let mut p = from;
    while let Some((x, len)) = decoded(b, p) {
        if !(x.is_ascii_alphanumeric() || x >= 0x80 || b".-_".contains(&x)) {
            break;
        }
        p += len;
        units.push(x);
    }
    let letter = |x: u8| x.is_ascii_alphabetic() || x >= 0x80;
    let starts_well = units
        .first()
        .is_some_and(|&x| x.is_ascii_alphanumeric() || x >= 0x80);
    // Some prefix ends with a dot then two letters or more, on a boundary.
    let mut dotted = false;
    let mut tld: Option<usize> = Some(0);
    let mut found = false;
    for (k, &x) in units.iter().enumerate() {
        if x == b'.' {
            dotted = true;
            tld = Some(0);
            continue;
        }
        tld = tld.filter(|_| letter(x)).map(|n| n + 1);
        let boundary = units
            .get(k + 1)
            .is_none_or(|next| !(0x80..0xc0).contains(next));
        found |= dotted && tld >= Some(2) && boundary;
    }
    starts_well && found
}

/// The redactor on `text`: no address left, idempotent, unchanged when
/// there is no `@` or `%` at all, and when `generated` (by [`text`], so
/// [`MARK`] is only in planted addresses), nothing of a planted one left.
pub fn check_text(text: &str, generated: bool) {
    let once = redact_emails(text);
    assert!(
        !has_address(&once),
        "address left in {once:?} from {text:?}"
    );
    if generated {
        assert!(!once.contains(MARK), "part of an address left in {once:?}");
    }
    assert_eq!(redact_emails(&once), once, "not idempotent on {text:?}");
    if !text.contains('@') && !text.contains('%') {
        assert_eq!(once, text);
    }
}

/// A property object as `JSON.stringify` writes it (or with escapes it
/// could write: `\/`, `\u0040`, surrogate pairs as escapes), and whether it
/// holds a lone surrogate escape (valid for `JSON.parse`, refused by
/// serde_json).
pub fn object(src: &mut impl Source) -> (String, bool) {
    let mut out = String::new();
    let mut lone = false;
    push_object(src, &mut out, &mut lone, 0);
    (out, lone)
}

/// Keys start with a distinct character and a `:`, so no two become equal
/// by redaction or cutting (JSON.stringify never writes duplicate keys).
const KEY_START: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&";

fn push_object(src: &mut impl Source, out: &mut String, lone: &mut bool, depth: usize) {
    out.push('{');
    for (i, &k) in KEY_START.iter().take(src.below(8)).enumerate() {
        if i > 0 {
            out.push(',');
        }
        let key = String::from(char::from(k)) + ":" + &text(src);
        push_string(src, out, &key, lone);
        out.push(':');
        push_value(src, out, lone, depth);
    }
    out.push('}');
}

fn push_value(src: &mut impl Source, out: &mut String, lone: &mut bool, depth: usize) {
    match src.below(if depth < 3 { 8 } else { 5 }) {
        0 => out.push_str(["0", "-12", "3.5e10", "129", "19.99"][src.below(5)]),
        1 => out.push_str(["true", "false", "null"][src.below(3)]),
        2..=4 => {
            let s = text(src);
            push_string(src, out, &s, lone)
        }
        5 => {
            out.push('[');
            for i in 0..src.below(4) {
                if i > 0 {
                    out.push(',');
                }
                push_value(src, out, lone, depth + 1);
            }
            out.push(']');
        }
        _ => push_object(src, out, lone, depth + 1),
    }
}

/// `s` as a JSON string: `JSON.stringify`'s escapes, sometimes the other
/// valid ones, and a lone surrogate escape for each [`LONE`].
fn push_string(src: &mut impl Source, out: &mut String, s: &str, lone: &mut bool) {
    out.push('"');
    for c in s.chars() {
        let escape_anyway = src.below(8) == 0;
        match c {
            '\u{e000}' => {
                *lone = true;
                out.push_str(["\\ud800", "\\udbff", "\\udc00", "\\ud83d"][src.below(4)]);
            }
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '/' if escape_anyway => out.push_str("\\/"),
            c if (c as u32) < 0x20 || escape_anyway => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str("\\u");
                    for shift in [12, 8, 4, 0] {
                        let digit = (*unit >> shift) & 0xf;
                        out.push(char::from_digit(u32::from(digit), 16).unwrap_or('0'));
                    }
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `json` with every lone surrogate escape written as `\ufffd`, what
/// `JSON.parse` then `JSON.stringify` would not do but serde_json needs.
fn without_lone_surrogates(json: &str) -> String {
    let unit = |s: &str, i: usize| -> Option<u32> {
        (s.get(i..i + 2)? == "\\u").then_some(())?;
        u32::from_str_radix(s.get(i + 2..i + 6)?, 16).ok()
    };
    let mut out = String::with_capacity(json.len());
    let mut i = 0;
    let mut after_high = false;
    while i < json.len() {
        if json.as_bytes()[i] == b'\\' {
            if let Some(u) = unit(json, i) {
                let high = (0xd800..0xdc00).contains(&u);
                let low = (0xdc00..0xe000).contains(&u);
                let next_low = unit(json, i + 6).is_some_and(|n| (0xdc00..0xe000).contains(&n));
                let paired = (high && next_low) || (low && after_high);
                let lone_unit = (high || low) && !paired;
                out.push_str(if lone_unit {
                    "\\ufffd"
                } else {
                    &json[i..i + 6]
                });
                after_high = high && next_low;
                i += 6;
                continue;
            }
            // Any other escape: copy it whole.
            out.push_str(&json[i..i + 2]);
            i += 2;
            after_high = false;
            continue;
        }
        let c = json[i..].chars().next().unwrap_or('\u{fffd}');
        out.push(c);
        i += c.len_utf8();
        after_high = false;
    }
    out
}

/// Every key and string in `value`.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                strings(v, out);
            }
        }
        _ => {}
    }
}

/// The sanitizer on `raw` (from [`object`]): valid JSON, no address, no
/// part of a planted one and no string over `max_chars` characters in
/// what it returns; without redaction and cut, the input unchanged.
pub fn check_object(raw: &str, lone: bool, max_chars: usize) {
    let limits = StringLimits {
        max_chars,
        redact_emails: true,
    };
    let s = sanitize_object(raw, limits).unwrap_or_else(|e| panic!("{e:?} for {raw}"));
    let json = if lone {
        without_lone_surrogates(&s.json)
    } else {
        s.json.to_string()
    };
    let value: Value = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {} from {raw}", s.json));
    let mut all = Vec::new();
    strings(&value, &mut all);
    for string in &all {
        assert!(
            !has_address(string),
            "address left in {string:?} of {}",
            s.json
        );
        assert!(
            !string.contains(MARK),
            "part of an address left in {string:?}"
        );
        assert!(
            string.chars().count() <= max_chars,
            "{string:?} longer than {max_chars}"
        );
    }
    let untouched = StringLimits {
        max_chars: usize::MAX,
        redact_emails: false,
    };
    let same = sanitize_object(raw, untouched).unwrap_or_else(|e| panic!("{e:?} for {raw}"));
    assert_eq!(same.json, raw.trim());
}

/// One fuzz input (`fuzz/fuzz_targets/redaction.rs`): the bytes as text
/// through the redactor; as choices for [`text`] and [`object`], through
/// the redactor and the sanitizer; and as text through the sanitizer,
/// which must not panic on anything.
pub fn check_bytes(data: &[u8]) {
    let raw = String::from_utf8_lossy(data);
    check_text(&raw, false);
    for max_chars in [3, 1024] {
        let limits = StringLimits {
            max_chars,
            redact_emails: true,
        };
        let _ = sanitize_object(&raw, limits);
    }
    check_text(&text(&mut Bytes(data)), true);
    let mut src = Bytes(data);
    let max_chars = [1, 3, 8, 20, 64, 1024][src.below(6)];
    let (json, lone) = object(&mut src);
    check_object(&json, lone, max_chars);
}
