//! URL pieces, read tolerantly: query splitting, percent-decoding, hosts and
//! registrable domains.
//!
//! Everything here takes text that a page or another site controls (the
//! landing URL, `document.referrer`), so nothing here trusts it: malformed
//! `%` sequences are kept as they are, invalid UTF-8 after decoding becomes
//! U+FFFD, and every function runs in time linear in its input (a 10 KB
//! query is scanned once per lookup, never re-scanned per match).
//!
//! Choices, stated once:
//! - The query is what follows the first `?` up to the first `#`. A URL with
//!   no query before its fragment but a `?` inside it (hash routers:
//!   `/#/offer?utm_source=x`) uses the fragment's query.
//! - Pairs are split on `&`; empty pairs are skipped; a pair without `=` has
//!   an empty value. Keys compare ASCII case-insensitively after decoding
//!   (`UTM_Source` is `utm_source`), and the first occurrence of a repeated
//!   key wins (what `URLSearchParams.get` returns).
//! - `+` decodes to a space (form encoding, which is what query strings use).

use std::borrow::Cow;

use crate::core::json::hex_value;

/// Longest value kept from a URL (a campaign parameter, a click id, a search
/// term), in characters. Real values are far shorter (a gclid is about 100);
/// longer ones are cut, so a hostile URL cannot bloat every event.
pub const MAX_VALUE_CHARS: usize = 500;

/// Where `needle` first occurs in `haystack`. A plain byte comparison:
/// `str::find` with a string pattern brings in the two-way searcher and its
/// panic messages (kilobytes of wasm) for the few short needles used here.
///
/// ```
/// assert_eq!(footfall::core::url::find("a://b", "://"), Some(1));
/// assert_eq!(footfall::core::url::find("ab", "abc"), None);
/// ```
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    (0..=h.len().checked_sub(n.len())?).find(|&i| h.get(i..i + n.len()) == Some(n))
}

/// Whether `needle` occurs in `haystack` (see [`find`]).
pub fn contains(haystack: &str, needle: &str) -> bool {
    find(haystack, needle).is_some()
}

/// Where the byte `b` last occurs in `s` (a plain loop: the reverse
/// searchers of `str` cost more wasm).
pub fn rfind_byte(s: &str, b: u8) -> Option<usize> {
    s.bytes().rposition(|x| x == b)
}

/// `s` split around the first `separator` (see [`find`]).
pub fn split_once<'a>(s: &'a str, separator: &str) -> Option<(&'a str, &'a str)> {
    let i = find(s, separator)?;
    Some((s.get(..i)?, s.get(i + separator.len()..)?))
}

/// The query of `url`, without `?` and without the fragment ("" if none).
///
/// ```
/// use footfall::core::url::query;
/// assert_eq!(query("https://a.example/p?x=1&y=2#top"), "x=1&y=2");
/// assert_eq!(query("https://a.example/#/offer?utm_source=mail"), "utm_source=mail");
/// assert_eq!(query("https://a.example/p"), "");
/// ```
pub fn query(url: &str) -> &str {
    let (before, fragment) = url.split_once('#').unwrap_or((url, ""));
    match before.split_once('?') {
        Some((_, q)) => q,
        None => fragment.split_once('?').map_or("", |(_, q)| q),
    }
}

/// The raw `(key, value)` pairs of a query, in order, neither decoded.
///
/// ```
/// use footfall::core::url::pairs;
/// let v: Vec<_> = pairs("a=1&&b&c=x=y").collect();
/// assert_eq!(v, [("a", "1"), ("b", ""), ("c", "x=y")]);
/// ```
pub fn pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
}

/// The byte encoded at `bytes[i..i + 3]` if it is a well-formed `%XX`.
pub fn percent_byte(bytes: &[u8], i: usize) -> Option<u8> {
    if bytes.get(i) != Some(&b'%') {
        return None;
    }
    let hi = hex_value(*bytes.get(i + 1)?)?;
    let lo = hex_value(*bytes.get(i + 2)?)?;
    Some(hi << 4 | lo)
}

/// Percent-decodes a query component: `+` is a space, `%XX` a byte; a
/// malformed `%` (`%`, `%4`, `%zz`) stays as it is; bytes that are not UTF-8
/// after decoding become U+FFFD. Borrows when there is nothing to decode.
///
/// ```
/// use footfall::core::url::decode;
/// assert_eq!(decode("spring+sale%21"), "spring sale!");
/// assert_eq!(decode("100%"), "100%");
/// assert_eq!(decode("%zz%4"), "%zz%4");
/// assert_eq!(decode("caf%C3%A9"), "café");
/// assert_eq!(decode("%FF"), "\u{FFFD}");
/// ```
pub fn decode(s: &str) -> Cow<'_, str> {
    if !s.bytes().any(|b| b == b'%' || b == b'+') {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let (byte, len) = match percent_byte(bytes, i) {
            Some(decoded) => (decoded, 3),
            None => (if b == b'+' { b' ' } else { b }, 1),
        };
        out.push(byte);
        i += len;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// The first `max_chars` characters of `s`.
pub fn clip(s: &str, max_chars: usize) -> &str {
    // A character takes at least one byte: short strings need no count.
    if s.len() <= max_chars {
        return s;
    }
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

/// Decodes a raw query value for keeping: at most [`MAX_VALUE_CHARS`]
/// characters, surrounding whitespace trimmed. Only a bounded prefix of a
/// long raw value is decoded.
///
/// ```
/// use footfall::core::url::value;
/// assert_eq!(value("+spring%20sale+"), "spring sale");
/// assert_eq!(value(&"x".repeat(10_000)).len(), footfall::core::url::MAX_VALUE_CHARS);
/// ```
pub fn value(raw: &str) -> String {
    // A character takes at most 4 bytes, percent-encoded at most 3 per byte.
    let raw = clip_bytes(raw, MAX_VALUE_CHARS * 12);
    let decoded = decode(raw);
    clip(decoded.trim_ascii(), MAX_VALUE_CHARS).to_owned()
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character
/// boundary.
fn clip_bytes(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or(s)
}

/// Whether the raw (possibly encoded) `key` names `name` (ASCII lowercase).
pub fn key_is(key: &str, name: &str) -> bool {
    if key.contains(['%', '+']) {
        decode(key).eq_ignore_ascii_case(name)
    } else {
        key.eq_ignore_ascii_case(name)
    }
}

/// The decoded value of the first `name` parameter of `query`, if present
/// (see [`value`]).
///
/// ```
/// use footfall::core::url::param;
/// assert_eq!(param("Q=shoes+red&q=ignored", "q").as_deref(), Some("shoes red"));
/// assert_eq!(param("x=1", "q"), None);
/// ```
pub fn param(query: &str, name: &str) -> Option<String> {
    pairs(query)
        .find(|(k, _)| key_is(k, name))
        .map(|(_, v)| value(v))
}

/// The host of an absolute (`scheme://`) or scheme-relative (`//`) URL, as
/// written: without user info, port or trailing dot, and ending at the first
/// ASCII space or control character; "" when there is none.
/// IPv6 literals keep their brackets.
///
/// ```
/// use footfall::core::url::host;
/// assert_eq!(host("https://user:pw@www.Google.com:443/search?q=x"), "www.Google.com");
/// assert_eq!(host("http://[::1]:8080/"), "[::1]");
/// assert_eq!(host("android-app://com.google.android.gm/"), "com.google.android.gm");
/// assert_eq!(host("about:blank"), "");
/// ```
pub fn host(url: &str) -> &str {
    let url = url.trim_ascii();
    let b = url.as_bytes();
    // After `//`, at the start or after a `scheme:`.
    let Some(slashes) = find(url, "//") else {
        return "";
    };
    let scheme_ok = slashes == 0
        || (b.get(slashes - 1) == Some(&b':')
            && slashes > 1
            && b.get(..slashes - 1).is_some_and(|s| {
                s.iter()
                    .all(|&c| c.is_ascii_alphanumeric() || b"+-.".contains(&c))
            }));
    if !scheme_ok {
        return "";
    }
    let mut start = slashes + 2;
    let mut end = start;
    while let Some(&c) = b.get(end) {
        if matches!(c, b'/' | b'?' | b'#' | b'\\') || c <= b' ' || c == 0x7f {
            break;
        }
        if c == b'@' {
            start = end + 1;
        }
        end += 1;
    }
    // Without the port: up to the last `:` unless inside an IPv6 literal.
    let authority = b.get(start..end).unwrap_or_default();
    if let Some(colon) = authority.iter().rposition(|&c| c == b':') {
        if authority.first() != Some(&b'[') || authority.get(colon - 1) == Some(&b']') {
            end = start + colon;
        }
    }
    while end > start && b.get(end - 1) == Some(&b'.') {
        end -= 1;
    }
    url.get(start..end).unwrap_or_default()
}

/// Second-level labels under which, in a two-letter country domain, names
/// are registered (`co.uk`, `com.au`, `co.jp`, `ne.jp`, `com.br`, `go.kr`...).
const COUNTRY_SECOND_LEVEL: &str = " ac co com edu go gob gov ltd mil ne net nic or org plc sch ";

/// Other multi-label suffixes under which each name is a separate site.
const SHARED_SUFFIXES: &str = " github.io gitlab.io netlify.app vercel.app pages.dev workers.dev web.app firebaseapp.com herokuapp.com appspot.com blogspot.com wordpress.com myshopify.com azurewebsites.net cloudfront.net ";

/// Whether `word` is one of the words of a space-separated list.
fn listed(list: &str, word: &str) -> bool {
    !word.is_empty() && list.split(' ').any(|w| w == word)
}

/// The registrable domain of a (lowercase) host: the public suffix plus
/// one label, from a small built-in table rather than the whole Public
/// Suffix List: two-letter country domains with a listed second level
/// (`co.uk`, `com.au`, `co.jp`, ...) and a few shared hosting suffixes
/// (`github.io`, `herokuapp.com`, ...). IP addresses and single labels are
/// returned whole.
///
/// ```
/// use footfall::core::url::registrable_domain;
/// assert_eq!(registrable_domain("www.shop.example.com"), "example.com");
/// assert_eq!(registrable_domain("www.google.co.uk"), "google.co.uk");
/// assert_eq!(registrable_domain("news.yahoo.co.jp"), "yahoo.co.jp");
/// assert_eq!(registrable_domain("me.github.io"), "me.github.io");
/// assert_eq!(registrable_domain("127.0.0.1"), "127.0.0.1");
/// ```
pub fn registrable_domain(host: &str) -> &str {
    if host.starts_with('[') || host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return host;
    }
    // Start of the last `n` labels.
    let from_label = |n: usize| -> usize {
        let mut dots = 0;
        host.bytes()
            .rposition(|b| {
                dots += usize::from(b == b'.');
                dots == n
            })
            .map_or(0, |i| i + 1)
    };
    let last_two = host.get(from_label(2)..).unwrap_or(host);
    let (second, tld) = last_two.split_once('.').unwrap_or(("", last_two));
    let suffix_labels = if (tld.len() == 2 && listed(COUNTRY_SECOND_LEVEL, second))
        || listed(SHARED_SUFFIXES, last_two)
    {
        2
    } else {
        1
    };
    host.get(from_label(suffix_labels + 1)..).unwrap_or(host)
}

/// The first label of the registrable domain: `google` for
/// `www.google.co.uk`, the name a site goes by across its country domains.
pub fn site_label(host: &str) -> &str {
    let domain = registrable_domain(host);
    domain.split('.').next().unwrap_or(domain)
}

/// Appends `s` percent-encoded so that [`pairs`] and [`decode`] read it back
/// unchanged: `%`, `&`, `=`, `+`, `#`, `?` and control characters are
/// escaped; everything else (non-ASCII included) is kept.
///
/// ```
/// use footfall::core::url::{decode, push_encoded};
/// let mut out = String::new();
/// push_encoded(&mut out, "a&b=c+d%");
/// assert_eq!(out, "a%26b%3Dc%2Bd%25");
/// assert_eq!(decode(&out), "a&b=c+d%");
/// ```
pub fn push_encoded(out: &mut String, s: &str) {
    for c in s.chars() {
        if c.is_ascii_control() || matches!(c, '%' | '&' | '=' | '+' | '#' | '?') {
            let b = c as u8;
            out.push('%');
            out.push(crate::core::json::hex_digit(b >> 4).to_ascii_uppercase());
            out.push(crate::core::json::hex_digit(b).to_ascii_uppercase());
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_and_fragments() {
        for (url, q) in [
            ("https://a.example/?a=1", "a=1"),
            ("https://a.example/p?a=1#frag?b=2", "a=1"),
            ("https://a.example/p#frag?b=2", "b=2"),
            ("https://a.example/p#frag", ""),
            ("?only", "only"),
            ("", ""),
            ("??a=1", "?a=1"),
            ("https://a.example/p?#x", ""),
        ] {
            assert_eq!(query(url), q, "{url}");
        }
    }

    #[test]
    fn decoding_is_tolerant() {
        for (raw, decoded) in [
            ("plain", "plain"),
            ("a+b", "a b"),
            ("a%2Bb", "a+b"),
            ("%", "%"),
            ("%%", "%%"),
            ("abc%", "abc%"),
            ("abc%4", "abc%4"),
            ("%4g", "%4g"),
            ("%41%42", "AB"),
            ("%e2%82%ac", "€"),
            ("%E2%82", "\u{FFFD}"),
            ("%C0%AF", "\u{FFFD}\u{FFFD}"),
            ("%00", "\0"),
            ("日本", "日本"),
            ("%E6%97%A5%E6%9C%AC", "日本"),
        ] {
            assert_eq!(decode(raw), decoded, "{raw}");
        }
        assert!(matches!(decode("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn params_first_wins_case_insensitive_and_encoded_keys() {
        let q = "UTM_SOURCE=A&utm_source=b&utm%5Fmedium=email&flag&x=%";
        assert_eq!(param(q, "utm_source").as_deref(), Some("A"));
        assert_eq!(param(q, "utm_medium").as_deref(), Some("email"));
        assert_eq!(param(q, "flag").as_deref(), Some(""));
        assert_eq!(param(q, "x").as_deref(), Some("%"));
        assert_eq!(param(q, "missing"), None);
        assert!(!key_is("utm_sourc", "utm_source"));
        assert!(key_is("utm+source", "utm source"));
    }

    #[test]
    fn values_are_bounded() {
        let long = "%41".repeat(5000);
        assert_eq!(value(&long), "A".repeat(MAX_VALUE_CHARS));
        let wide = "é".repeat(2000);
        assert_eq!(value(&wide).chars().count(), MAX_VALUE_CHARS);
        assert_eq!(clip("héllo", 2), "hé");
        assert_eq!(clip_bytes("héllo", 2), "h");
    }

    #[test]
    fn hosts() {
        for (url, h) in [
            ("https://www.google.com/", "www.google.com"),
            ("https://www.google.com", "www.google.com"),
            ("http://example.org:8080/x", "example.org"),
            ("https://a.b.example.co.uk./", "a.b.example.co.uk"),
            ("//cdn.example.com/x.js", "cdn.example.com"),
            ("https://u@h.example/p@q", "h.example"),
            ("https://h.example?x=//y", "h.example"),
            ("https://h.example#x", "h.example"),
            ("https://h.example\\evil.com", "h.example"),
            ("https://h.example\n\t/x", "h.example"),
            ("https://h.example x", "h.example"),
            ("http://[2001:db8::1]:80/", "[2001:db8::1]"),
            ("http://[broken/", "[broken"),
            ("javascript:x('://a')", ""),
            ("mailto:me@example.com", ""),
            ("not a url", ""),
            ("https://", ""),
            ("://x", ""),
        ] {
            assert_eq!(host(url), h, "{url}");
        }
    }

    #[test]
    fn registrable_domains() {
        for (h, d) in [
            ("example.com", "example.com"),
            ("www.example.com", "example.com"),
            ("a.b.c.example.com", "example.com"),
            ("www.google.co.uk", "google.co.uk"),
            ("google.co.uk", "google.co.uk"),
            ("co.uk", "co.uk"),
            ("www.google.com.au", "google.com.au"),
            ("search.yahoo.co.jp", "yahoo.co.jp"),
            ("www.naver.com", "naver.com"),
            ("shop.example.de", "example.de"),
            ("user.github.io", "user.github.io"),
            ("github.io", "github.io"),
            ("localhost", "localhost"),
            ("127.0.0.1", "127.0.0.1"),
            ("[::1]", "[::1]"),
            ("", ""),
            (".", "."),
            ("..", ".."),
            ("a..b", ".b"),
        ] {
            assert_eq!(registrable_domain(h), d, "{h}");
        }
        assert_eq!(site_label("www.google.com.br"), "google");
        assert_eq!(site_label("lnkd.in"), "lnkd");
    }

    #[test]
    fn encoding_round_trips() {
        for s in ["", "a b", "a&b=c", "100%", "x+y#z?w", "日本\n\t", "%41"] {
            let mut out = String::new();
            push_encoded(&mut out, s);
            assert!(!out.contains(['&', '=', '#', '\n']), "{out}");
            assert_eq!(decode(&out), s);
        }
    }
}
