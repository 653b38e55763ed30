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
/// assert_eq!(clean_name("signup jo@example.com", true, 100), ("signup [email]".to_owned(), false));
/// assert_eq!(clean_name("signup jo@example.com", true, 10), ("signup [em".to_owned(), true));
/// ```
pub fn clean_name(name: &str, redact: bool, max_chars: usize) -> (String, bool) {
    let mut name = redact_if(name, redact).into_owned();
    let kept = clip(&name, max_chars).len();
    let cut = kept < name.len();
    name.truncate(kept);
    (name, cut)
}

#[cfg(test)]
mod property;
#[cfg(test)]
mod wire;

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
            ("%40%40a%40example.com", "[email]"),
            // Overlapping candidates (found by fuzzing): one address.
            ("a@b.cd@e.fg", "[email]"),
            ("x@a.yr9bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@c.de", "[email]"),
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

    /// Addresses run into other text: each case, why, and redacting again
    /// changes nothing.
    #[test]
    fn addresses_in_running_text() {
        let long_local = "a".repeat(100) + "@example.com";
        let long_domain = "jo@".to_owned() + &"b".repeat(300) + ".example.com";
        for (text, redacted) in [
            ("Contact:jo@example.com", "Contact:[email]"),
            ("(jo@example.com)", "([email])"),
            ("<jo@example.com>", "<[email]>"),
            ("\"jo@example.com\"", "\"[email]\""),
            ("mailto:jo@example.com", "mailto:[email]"),
            ("jo@example.com.", "[email]."),
            ("jo@example.com, thanks", "[email], thanks"),
            // The local part is the whole run: where the address starts is unknowable.
            ("abcjo@example.com", "[email]"),
            // A top-level domain can be any letters (.community, .photography):
            // the run is masked whole rather than guessing where it ends.
            ("jo@example.comThanks", "[email]"),
            // A digit ends the top-level domain, not the address.
            ("jo@example.com2024", "[email]2024"),
            ("jo@sub.example.co.uk", "[email]"),
            ("JO.DOE@EXAMPLE.COM", "[email]"),
            ("first_last+tag@example.com", "[email]"),
            // Non-ASCII local parts and domains (RFC 6531, IDNs).
            ("jo@exämple.com", "[email]"),
            ("jöe@example.com", "[email]"),
            ("Grüße, jöe@exämple.de!", "Grüße, [email]!"),
            ("jo@example.рф", "[email]"),
            // Percent-encoded, once or twice (a return URL inside a URL).
            ("jo%40example.com", "[email]"),
            ("j%C3%B6e%40ex%C3%A4mple.com", "[email]"),
            (
                "?next=%2Fu%3Femail%3Djo%2540example.com",
                "?next=%2Fu%3Femail%3D[email]",
            ),
            // Longer than RFC 5321's limits: masked whole, nothing left over.
            (long_local.as_str(), "[email]"),
            (long_domain.as_str(), "[email]"),
            // Touching addresses, and `@` inside a local part.
            ("jo@example.comann@example.org", "[email]"),
            ("jo@example.com,ann@example.org", "[email],[email]"),
            ("a@b.c@d.example", "[email]"),
            ("@jo@mastodon.social", "[email]"),
        ] {
            let once = redact_emails(text);
            assert_eq!(once, redacted, "{text}");
            assert_eq!(redact_emails(&once), once, "idempotent: {text}");
        }
    }

    /// Iterations and seed of the property tests: `FOOTFALL_PROPTEST_ITERS`
    /// runs more (a local campaign), `FOOTFALL_PROPTEST_SEED` picks another
    /// sequence.
    fn campaign(default_iterations: u64) -> (u64, u64) {
        let var = |name| std::env::var(name).ok().and_then(|v| v.parse().ok());
        (
            var("FOOTFALL_PROPTEST_ITERS").unwrap_or(default_iterations),
            var("FOOTFALL_PROPTEST_SEED").unwrap_or(0x5eed),
        )
    }

    /// Random text through the redactor: no address left, nothing of a
    /// planted one, idempotent (the fuzz target `redaction` checks the same).
    #[test]
    fn property_random_text() {
        let (iterations, seed) = campaign(2_000);
        let mut rng = property::Rng(seed);
        for i in 0..iterations {
            let text = property::text(&mut rng);
            let result = std::panic::catch_unwind(|| property::check_text(&text, true));
            assert!(result.is_ok(), "iteration {i} (seed {seed}): {text:?}");
        }
    }

    /// Random property objects through the sanitizer: valid JSON, and
    /// decoded, no address, nothing of a planted one, nothing too long.
    #[test]
    fn property_random_objects() {
        let (iterations, seed) = campaign(400);
        let mut rng = property::Rng(seed ^ 0x0b1e);
        for i in 0..iterations {
            let (raw, lone) = property::object(&mut rng);
            let max_chars = [1, 3, 8, 20, 64, 1024][property::Source::below(&mut rng, 6)];
            let result = std::panic::catch_unwind(|| property::check_object(&raw, lone, max_chars));
            assert!(
                result.is_ok(),
                "iteration {i} (seed {seed}, max {max_chars}): {raw}"
            );
        }
    }

    /// What the fuzz target runs, on a few inputs (and on what fuzzing
    /// found, once it finds something).
    #[test]
    fn fuzz_inputs() {
        for data in [
            &b""[..],
            b"\x00\xff\x10\x80",
            b"jo@example.com",
            "Hi,\njo@ex\u{e4}mple.com %40 %2540".as_bytes(),
            &[7, 200, 13, 1, 9, 99, 250, 3, 17, 5, 80, 11, 4, 2, 1, 0, 255],
        ] {
            property::check_bytes(data);
        }
    }

    #[test]
    fn long_runs_stay_bounded() {
        let text = "a".repeat(10_000) + "@example.com";
        assert_eq!(redact_emails(&text), EMAIL_REDACTED);
        let ats = "@".repeat(10_000);
        assert_eq!(redact_emails(&ats), ats);
        let many = "a@b.cd ".repeat(2_000);
        assert_eq!(redact_emails(&many), "[email] ".repeat(2_000));
    }

    /// A title is text: only its addresses go, never what looks like a
    /// query parameter in it.
    #[test]
    fn a_title_is_text_not_a_url() {
        let strip = ["token".to_owned()];
        let page = Page {
            title: "FAQ?token=1&jo@example.com".into(),
            ..Page::default()
        };
        assert_eq!(redact_page(page, &strip).title, "FAQ?token=1&[email]");
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
