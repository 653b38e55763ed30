//! Redaction: email addresses in text (tables, seeded property tests, the
//! fuzz target's inputs), titles, query parameters and URLs.

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
        (
            "x@a.yr9bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@c.de",
            "[email]",
        ),
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
