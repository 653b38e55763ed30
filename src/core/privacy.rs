//! Redaction of what should never leave the page: email addresses and
//! listed query parameters in URLs.
//!
//! [`redact_emails`] is the one email redactor, used for every string
//! footfall sends:
//! - the site's own strings, when `privacy.redactEmails` (default true):
//!   property and trait keys and values (`sanitize::sanitize_object`, on the
//!   decoded strings), event and page names ([`clean_name`]), the user id
//!   (as sent and as stored);
//! - what footfall reads itself, always: the page's url, path, search,
//!   title and referrer for automatic, explicit and replayed calls
//!   ([`redact_page`]), campaign values and search terms (attribution),
//!   element text of automatic events (`element::clean_text`).
//!
//! Campaign parameters and click ids are read from the landing URL before
//! it is redacted, so they are kept even when the page URL loses them.

use std::borrow::Cow;

use crate::core::envelope::Page;
use crate::core::url::{clip, key_is, percent_byte};

/// What an email address is replaced with.
pub const EMAIL_REDACTED: &str = "[email]";

/// Replaces every email address in `text` with [`EMAIL_REDACTED`]; borrowed
/// when there is none. The one redactor of footfall: property keys and
/// values, names, user ids, page URLs and titles, campaign values, element
/// text.
///
/// An address is a local part, an `@` and a domain:
/// - the local part is the whole run of letters, digits, `._+-`, non-ASCII
///   characters and `@` before the `@` (where an address starts in
///   `abcjo@example.com` is unknowable, so the run goes; touching addresses
///   go as one);
/// - the domain is a run of letters, digits, `.-_` and non-ASCII characters
///   starting with a letter or digit, up to the end of its last label of two
///   letters or more after a dot (`jo@example.com.` keeps its full stop,
///   `jo@example.com2024` its digits, `jo@example.comThanks` goes whole: a
///   top-level domain can be any letters);
/// - any of these characters may be percent-encoded, once (`%40`) or twice
///   (`%2540`, an address in a return URL).
///
/// Nothing is bounded but the text: an address longer than RFC 5321 allows
/// goes whole, and the time is linear. Redacting again changes nothing.
///
/// ```
/// use footfall::core::privacy::redact_emails;
/// assert_eq!(redact_emails("/u/jo.doe+x@mail.example.com/p"), "/u/[email]/p");
/// assert_eq!(redact_emails("?e=jo%2Bx%40example.org&a=1"), "?e=[email]&a=1");
/// assert_eq!(redact_emails("Hi,\njöe@exämple.de."), "Hi,\n[email].");
/// assert_eq!(redact_emails("@handle and a@b"), "@handle and a@b");
/// ```
pub fn redact_emails(text: &str) -> Cow<'_, str> {
    match emails_redacted(text) {
        Some(s) => Cow::Owned(s),
        None => Cow::Borrowed(text),
    }
}

/// [`redact_emails`] when `on` (`privacy.redactEmails`, for the site's own
/// strings), else `text` as it is.
pub fn redact_if(text: &str, on: bool) -> Cow<'_, str> {
    if on {
        redact_emails(text)
    } else {
        Cow::Borrowed(text)
    }
}

/// `text` with its email addresses replaced, or `None` when it has none.
///
/// Each `@` is judged right to left: one whose domain is valid takes the
/// local run before it (`@`s included) and the scan goes on before that
/// run, so every byte is looked at a bounded number of times.
fn emails_redacted(text: &str) -> Option<String> {
    let b = text.as_bytes();
    // Every form of an `@` (`@`, `%40`, `%2540`) has one of these bytes.
    if !b.iter().any(|&x| x == b'@' || x == b'%') {
        return None;
    }
    let is_at = |i: usize| unit_at(b, i).filter(|&(x, _)| x == b'@');
    if !(0..b.len()).any(|i| is_at(i).is_some()) {
        return None;
    }
    // (start, end) of each address, last first.
    let mut found: Vec<(usize, usize)> = Vec::new();
    let mut i = b.len();
    while i > 0 {
        i -= 1;
        let Some((_, len)) = is_at(i) else { continue };
        let Some(end) = domain_end(b, i + len) else {
            continue;
        };
        let start = local_start(b, i);
        if start < i {
            found.push((start, end));
            i = start;
        }
    }
    found.reverse();
    masked(text, &found, EMAIL_REDACTED)
}

/// `text` with each of the `ranges` (in order, on character boundaries)
/// replaced by `mask`; `None` when there is none.
fn masked(text: &str, ranges: &[(usize, usize)], mask: &str) -> Option<String> {
    if ranges.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for &(start, end) in ranges {
        out.push_str(text.get(copied..start)?);
        out.push_str(mask);
        copied = end;
    }
    out.push_str(text.get(copied..)?);
    Some(out)
}

/// The byte the text at `i` stands for and how many bytes it takes: `%XX`
/// (3) and `%25XX` (5, encoded twice) stand for the byte XX, anything else
/// for itself (1).
fn unit_at(b: &[u8], i: usize) -> Option<(u8, usize)> {
    let raw = *b.get(i)?;
    let Some(once) = percent_byte(b, i) else {
        return Some((raw, 1));
    };
    let twice = match (once, b.get(i + 3), b.get(i + 4)) {
        (b'%', Some(&hi), Some(&lo)) => percent_byte(&[b'%', hi, lo], 0),
        _ => None,
    };
    Some(twice.map_or((once, 3), |x| (x, 5)))
}

/// The unit that ends at `p` (see [`unit_at`]).
fn unit_before(b: &[u8], p: usize) -> Option<(u8, usize)> {
    for len in [5, 3] {
        let unit = p.checked_sub(len).and_then(|q| unit_at(b, q));
        if let Some((x, l)) = unit.filter(|&(_, l)| l == len) {
            return Some((x, l));
        }
    }
    Some((*b.get(p.checked_sub(1)?)?, 1))
}

fn is_local(x: u8) -> bool {
    x.is_ascii_alphanumeric() || x >= 0x80 || b"._+-@".contains(&x)
}

fn is_domain(x: u8) -> bool {
    x.is_ascii_alphanumeric() || x >= 0x80 || b".-_".contains(&x)
}

/// Where the local part before the `@` at `at` starts (`at` when empty).
/// Stops only after an ASCII byte or a percent sequence: a character
/// boundary.
fn local_start(b: &[u8], at: usize) -> usize {
    let mut p = at;
    while let Some((_, len)) = unit_before(b, p).filter(|&(x, _)| is_local(x)) {
        p -= len;
    }
    p
}

/// Where the domain starting at `from` ends: just past the last label of
/// two letters or more (ASCII or not) that follows a dot, on a character
/// boundary; `None` when there is none.
fn domain_end(b: &[u8], from: usize) -> Option<usize> {
    let first = unit_at(b, from)?.0;
    if !(first.is_ascii_alphanumeric() || first >= 0x80) {
        return None;
    }
    let mut p = from;
    let mut end = None;
    let mut dotted = false;
    // Letters in the current label, `None` once it has anything else.
    let mut letters = Some(0usize);
    while let Some((x, len)) = unit_at(b, p).filter(|&(x, _)| is_domain(x)) {
        p += len;
        if x == b'.' {
            dotted = true;
            letters = Some(0);
            continue;
        }
        letters = letters
            .filter(|_| x.is_ascii_alphabetic() || x >= 0x80)
            .map(|n| n + 1);
        let boundary = unit_at(b, p).is_none_or(|(next, _)| !(0x80..0xc0).contains(&next));
        if dotted && letters.is_some_and(|n| n >= 2) && boundary {
            end = Some(p);
        }
    }
    end
}

/// What a card-like number is replaced with.
pub const CARD_REDACTED: &str = "[card]";

/// Replaces every run of 13 digits or more, with single spaces, dashes or
/// no-break spaces allowed between them, with [`CARD_REDACTED`]; borrowed
/// when there is none. Payment card numbers have 13 to 19 digits; longer
/// runs go too, since a card number followed by its security code or
/// another number is one run.
///
/// ```
/// use footfall::core::privacy::mask_cards;
/// assert_eq!(mask_cards("Pay 4111 1111 1111 1111 now"), "Pay [card] now");
/// assert_eq!(mask_cards("Order 1234-5678"), "Order 1234-5678");
/// ```
pub fn mask_cards(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(&first) = b.get(i) {
        if !first.is_ascii_digit() {
            i += 1;
            continue;
        }
        // The run: digits, at most two separator bytes (` `, `-`, or a
        // no-break space's C2 A0) between two of them.
        let (start, mut end, mut digits) = (i, i, 0);
        let mut j = i;
        while let Some(&c) = b.get(j) {
            if c.is_ascii_digit() {
                digits += 1;
                end = j + 1;
            } else if !(matches!(c, b' ' | b'-' | 0xc2 | 0xa0) && j - end < 2) {
                break;
            }
            j += 1;
        }
        if digits >= 13 {
            found.push((start, end));
        }
        i = end;
    }
    match masked(text, &found, CARD_REDACTED) {
        Some(s) => Cow::Owned(s),
        None => Cow::Borrowed(text),
    }
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

/// The page as it may be sent (`context.page`, page event properties):
/// email addresses and the `privacy.stripQueryParams` parameters removed
/// from its URLs (see [`redact_url`]), addresses from its title. Always
/// applied: footfall reads these itself, whatever `privacy.redactEmails`
/// says about the site's own strings.
pub fn redact_page(page: Page, strip: &[String]) -> Page {
    // `strip` empty: emails only (a path or title has no query).
    let redact = |s: String, strip: &[String]| match redact_url(&s, strip) {
        Cow::Borrowed(_) => s,
        Cow::Owned(r) => r,
    };
    Page {
        url: redact(page.url, strip),
        path: redact(page.path, &[]),
        search: redact(page.search, strip),
        title: redact(page.title, &[]),
        referrer: redact(page.referrer, strip),
    }
}

/// A name the site gave (an event or page name) as it may be sent: email
/// addresses redacted when `redact` (`privacy.redactEmails`), then cut to
/// `max_chars` characters; `true` when it was cut.
///
/// ```
/// use footfall::core::privacy::clean_name;
/// assert_eq!(clean_name("signup jo@example.com", true, 100), ("signup [email]".into(), false));
/// assert_eq!(clean_name("signup jo@example.com", true, 10), ("signup [em".into(), true));
/// assert!(matches!(clean_name("signup", true, 10).0, std::borrow::Cow::Borrowed(_)));
/// ```
pub fn clean_name(name: &str, redact: bool, max_chars: usize) -> (Cow<'_, str>, bool) {
    // Borrowed when nothing changes: the common case allocates nothing.
    let mut name = redact_if(name, redact);
    let kept = clip(&name, max_chars).len();
    let cut = kept < name.len();
    if cut {
        name.to_mut().truncate(kept);
    }
    (name, cut)
}

#[cfg(test)]
mod property;
#[cfg(test)]
mod wire;

#[cfg(test)]
mod tests;
