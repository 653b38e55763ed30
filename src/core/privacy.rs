//! Redaction of what should never leave the page: email addresses and
//! listed query parameters in URLs.
//!
//! The URL functions here are self-contained: they take a URL (or any text)
//! and return it redacted, borrowing when nothing changed. The engine
//! applies [`redact_url`] to `context.page` (url, search, path, referrer)
//! and to the page event's copies of them; attribution applies
//! [`redact_emails`] to campaign values and search terms. Campaign
//! parameters and click ids are read from the landing URL before it is
//! redacted, so they are kept even when the page URL loses them.

use std::borrow::Cow;

use crate::core::url::{key_is, percent_byte};

/// What an email address is replaced with.
pub const EMAIL_REDACTED: &str = "[email]";

/// Longest local part looked at left of an `@` (RFC 5321 allows 64).
const MAX_LOCAL: usize = 64;
/// Longest domain looked at right of an `@` (RFC 1035: 253).
const MAX_DOMAIN: usize = 253;

/// Replaces every email address in `text` with [`EMAIL_REDACTED`], also when
/// its `@` is percent-encoded (`%40`) as in a query string. An address is a
/// local part of letters, digits and `._+-` (percent-encoded or not) before
/// the `@`, and a domain with at least one dot and an alphabetic top-level
/// label of two letters or more after it.
///
/// ```
/// use footfall::core::privacy::redact_emails;
/// assert_eq!(redact_emails("/u/jo.doe+x@mail.example.com/p"), "/u/[email]/p");
/// assert_eq!(redact_emails("?e=jo%2Bx%40example.org&a=1"), "?e=[email]&a=1");
/// assert_eq!(redact_emails("@handle and a@b"), "@handle and a@b");
/// ```
pub fn redact_emails(text: &str) -> Cow<'_, str> {
    match emails_redacted(text) {
        Some(s) => Cow::Owned(s),
        None => Cow::Borrowed(text),
    }
}

/// `text` with its email addresses replaced, or `None` when it has none.
///
/// Candidates are taken right to left, so each `@` is judged with what
/// follows it already redacted: the result is the same as redacting it
/// again (two candidates can overlap, one's domain being the next one's
/// local part; found by fuzzing).
fn emails_redacted(text: &str) -> Option<String> {
    if !text.contains('@') && !crate::core::url::contains(text, "%40") {
        return None;
    }
    let mut buf = text.as_bytes().to_vec();
    let mut changed = false;
    let mut i = buf.len();
    while i > 0 {
        i -= 1;
        let at_len = if buf.get(i) == Some(&b'@') {
            1
        } else if percent_byte(&buf, i) == Some(b'@') {
            3
        } else {
            continue;
        };
        if let (Some(start), Some(end)) = (local_start(&buf, i, 0), domain_end(&buf, i + at_len)) {
            buf.splice(start..end, EMAIL_REDACTED.bytes());
            changed = true;
            i = start;
        }
    }
    // Only ASCII was replaced, on ASCII boundaries: still UTF-8.
    changed.then(|| String::from_utf8_lossy(&buf).into_owned())
}

fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"._+-".contains(&b)
}

/// Where the local part ending at `at` starts (not before `floor`), or
/// `None` when it is empty.
fn local_start(bytes: &[u8], at: usize, floor: usize) -> Option<usize> {
    let mut p = at;
    for _ in 0..MAX_LOCAL {
        let encoded = p
            .checked_sub(3)
            .filter(|&q| q >= floor)
            .and_then(|q| percent_byte(bytes, q));
        match encoded {
            Some(c) if is_local(c) => p -= 3,
            Some(_) => break,
            None if p > floor && bytes.get(p - 1).copied().is_some_and(is_local) => p -= 1,
            None => break,
        }
    }
    (p < at).then_some(p)
}

/// Where a domain starting at `from` ends, or `None` when what follows is
/// not a domain with an alphabetic top-level label.
fn domain_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut end = from;
    while end - from < MAX_DOMAIN {
        match bytes.get(end) {
            Some(&b) if b.is_ascii_alphanumeric() || b == b'-' || b == b'.' => end += 1,
            _ => break,
        }
    }
    let domain = bytes.get(from..end)?;
    let trimmed = domain.len()
        - domain
            .iter()
            .rev()
            .take_while(|&&b| b == b'.' || b == b'-')
            .count();
    let domain = domain.get(..trimmed)?;
    let dot = domain.iter().rposition(|&b| b == b'.')?;
    let tld = domain.get(dot + 1..)?;
    let ok = dot > 0
        && domain.first().is_some_and(|b| b.is_ascii_alphanumeric())
        && tld.len() >= 2
        && tld.iter().all(u8::is_ascii_alphabetic);
    ok.then_some(from + trimmed)
}

/// Removes the query parameters named in `names` (compared ASCII
/// case-insensitively, after decoding) from the query of `url` and from a
/// query inside its fragment (hash routers). A query left empty loses its
/// `?`. Borrows when nothing was removed.
///
/// ```
/// use footfall::core::privacy::strip_query_params;
/// let names = ["token".to_owned()];
/// assert_eq!(strip_query_params("/p?a=1&TOKEN=s3cr3t&b=2#x", &names), "/p?a=1&b=2#x");
/// assert_eq!(strip_query_params("/p?token=1", &names), "/p");
/// assert_eq!(strip_query_params("/#/r?token=1&c=2", &names), "/#/r?c=2");
/// ```
pub fn strip_query_params<'a>(url: &'a str, names: &[String]) -> Cow<'a, str> {
    match params_stripped(url, names) {
        Some(s) => Cow::Owned(s),
        None => Cow::Borrowed(url),
    }
}

fn params_stripped(url: &str, names: &[String]) -> Option<String> {
    if names.is_empty() || !url.contains('?') {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    let mut changed = false;
    let (before, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    changed |= strip_part(&mut out, before, names);
    if let Some(fragment) = fragment {
        out.push('#');
        changed |= strip_part(&mut out, fragment, names);
    }
    changed.then_some(out)
}

/// Appends `part` without the listed parameters of its `?` query; returns
/// whether one was removed.
fn strip_part(out: &mut String, part: &str, names: &[String]) -> bool {
    let Some((head, query)) = part.split_once('?') else {
        out.push_str(part);
        return false;
    };
    out.push_str(head);
    let mut removed = false;
    let mut separator = '?';
    for pair in query.split('&') {
        let key = pair.split_once('=').map_or(pair, |(k, _)| k);
        if !pair.is_empty() && names.iter().any(|n| key_is(key, n)) {
            removed = true;
            continue;
        }
        out.push(separator);
        out.push_str(pair);
        separator = '&';
    }
    removed
}

/// Redacts a URL for sending: removes the query parameters listed in
/// `strip` (`privacy.stripQueryParams`), and replaces email addresses
/// anywhere in it (path, query, fragment; user info such as
/// `user:secret@host.example` reads as one). Borrows when nothing changed.
///
/// ```
/// use footfall::core::privacy::redact_url;
/// let strip = ["session".to_owned()];
/// assert_eq!(
///     redact_url("https://shop.example/u/a@b.example?session=x&utm_source=news", &strip),
///     "https://shop.example/u/[email]?utm_source=news"
/// );
/// ```
pub fn redact_url<'a>(url: &'a str, strip: &[String]) -> Cow<'a, str> {
    let mut out = Cow::Borrowed(url);
    if let Some(s) = params_stripped(&out, strip) {
        out = Cow::Owned(s);
    }
    if let Some(s) = emails_redacted(&out) {
        out = Cow::Owned(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_anywhere() {
        for (text, redacted) in [
            ("jo@example.com", "[email]"),
            ("mailto:jo@example.com", "mailto:[email]"),
            (
                "/users/jo.doe@example.co.uk/orders",
                "/users/[email]/orders",
            ),
            ("?email=jo%40example.com", "?email=[email]"),
            ("?email=jo%2Bnews%40example.com&x=1", "?email=[email]&x=1"),
            ("?q=hi%20jo@example.com", "?q=hi%20[email]"),
            ("?q=hi+jo@example.com", "?q=[email]"),
            ("a@b.example,c@d.example", "[email],[email]"),
            ("x@example.com.", "[email]."),
            ("first.last-9_x@sub-d.example.travel", "[email]"),
            ("JO@EXAMPLE.COM", "[email]"),
            ("%40%40a%40example.com", "%40%40[email]"),
            // Overlapping candidates (found by fuzzing): the same as twice.
            ("a@b.cd@e.fg", "a@[email]"),
            ("x@a.yr9bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@c.de", "x@a.yr9bbbbbb[email]"),
        ] {
            assert_eq!(redact_emails(text), redacted, "{text}");
            assert_eq!(redact_emails(redacted), redacted, "idempotent: {text}");
        }
        // The fuzzer's input: redacting again changes nothing.
        let crash = "@AyCCCCCCCCACCCCCCCCAyCCCCCCCCACCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCSCCCCCCCCCCCCr@a.yrCCCCCCCCCCVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVCCCCCCC9CCCCCCCCCCCCCCCCCSCCCCCCCCCCCCr@a.yru";
        let once = redact_emails(crash);
        assert_eq!(redact_emails(&once), once);
        for kept in [
            "",
            "@",
            "@@@",
            "a@",
            "@example.com",
            "a@localhost",
            "a@1.2.3.4",
            "a@example.c",
            "a@.example.com",
            "a@-",
            "%40",
            "%4",
            "100%",
            "https://shop.example/@brand",
            "https://example.com/@user/post",
        ] {
            assert_eq!(redact_emails(kept), kept, "{kept}");
            assert!(matches!(redact_emails(kept), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn long_runs_stay_bounded() {
        let text = "a".repeat(10_000) + "@example.com";
        let r = redact_emails(&text);
        assert_eq!(r.len(), 10_000 - MAX_LOCAL + EMAIL_REDACTED.len());
        let ats = "@".repeat(10_000);
        assert_eq!(redact_emails(&ats), ats);
        let many = "a@b.cd ".repeat(2_000);
        assert_eq!(redact_emails(&many), "[email] ".repeat(2_000));
    }

    #[test]
    fn stripping_params() {
        let names = ["token".to_owned(), "sid".to_owned()];
        for (url, stripped) in [
            ("https://a.example/p?token=1", "https://a.example/p"),
            (
                "https://a.example/p?a=1&token=1&b=2",
                "https://a.example/p?a=1&b=2",
            ),
            ("https://a.example/p?Token=1&SID&a", "https://a.example/p?a"),
            (
                "https://a.example/p?t%6Fken=1&a=1",
                "https://a.example/p?a=1",
            ),
            ("https://a.example/p?a=token", "https://a.example/p?a=token"),
            ("https://a.example/p?a=1#h", "https://a.example/p?a=1#h"),
            (
                "https://a.example/p?sid=1#/r?token=2&k=3",
                "https://a.example/p#/r?k=3",
            ),
            ("?token=1&token=2", ""),
            (
                "https://a.example/p?tokens=1",
                "https://a.example/p?tokens=1",
            ),
        ] {
            assert_eq!(strip_query_params(url, &names), stripped, "{url}");
        }
        assert!(matches!(
            strip_query_params("/p?a=1", &names),
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            strip_query_params("/p?token=1", &[]),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn urls() {
        let strip = ["secret".to_owned()];
        for (url, redacted) in [
            ("https://u:p@a.example/", "https://u:[email]/"),
            (
                "https://a.example/?secret=1&gclid=g&utm_source=s",
                "https://a.example/?gclid=g&utm_source=s",
            ),
            (
                "https://a.example/?to=jo%40example.com&secret=2",
                "https://a.example/?to=[email]",
            ),
            (
                "https://a.example/#jo@example.com",
                "https://a.example/#[email]",
            ),
            ("https://a.example/", "https://a.example/"),
        ] {
            assert_eq!(redact_url(url, &strip), redacted, "{url}");
        }
    }
}
