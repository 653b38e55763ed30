//! A deterministic property test over random URLs and referrers.

use super::*;

/// splitmix64: a small deterministic generator for the property test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const PIECES: &[&str] = &[
    "https://",
    "http://",
    "//",
    "android-app://",
    "about:",
    "shop.example",
    "www.google.com",
    "google.co.uk",
    "t.co",
    "mail.google.com",
    "l.facebook.com",
    "pay.example",
    "co.uk",
    "127.0.0.1",
    "[::1]",
    ":8080",
    ".",
    "..",
    "/",
    "\\",
    "?",
    "#",
    "&",
    "=",
    "%",
    "%4",
    "%41",
    "%zz",
    "%FF",
    "%E2%82",
    "%C3%A9",
    "%40",
    "%2B",
    "%26",
    "%3D",
    "@",
    "+",
    " ",
    "\t",
    "\n",
    "\"",
    "\u{0}",
    "é",
    "日本",
    "😀",
    "utm_source",
    "UTM_MEDIUM",
    "utm_campaign",
    "utm_term",
    "utm%5Fsource",
    "gclid",
    "fbclid",
    "ScCid",
    "q",
    "p",
    "wd",
    "text",
    "token",
    "sid",
    "cross-network",
    "shop",
    "email",
    "cpc",
    "paid",
    "organic",
    "push",
    "jo@example.com",
    "jo%40example.com",
    "a.b-c_d+e",
    "x",
    "1",
    "(direct)",
    "(none)",
];

/// A random string: pieces, random characters, and now and then one piece
/// repeated into a long run.
fn random_text(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(24) {
        match rng.below(20) {
            0 => {
                let piece = rng.pick(PIECES);
                for _ in 0..(500 + rng.below(3000)) {
                    s.push_str(piece);
                }
            }
            1..=3 => s.push(char::from_u32(rng.next() as u32 % 0x11_0000).unwrap_or('\u{FFFD}')),
            4 => s.push(char::from(rng.below(128) as u8)),
            _ => s.push_str(rng.pick(PIECES)),
        }
    }
    s
}

fn check_invariants(url: &str, referrer: &str, strip: &[String], internal: &[String]) {
    use crate::core::privacy::{redact_emails, redact_url};
    use crate::core::url::{query, MAX_VALUE_CHARS};
    let t = Touch::classify(url, referrer, internal);
    for v in t
        .campaign
        .values
        .iter()
        .chain(t.click_ids.iter().map(|(_, v)| v))
        .chain([&t.referrer.term])
    {
        assert!(v.chars().count() <= MAX_VALUE_CHARS);
        assert_eq!(redact_emails(v), v.as_str(), "no email kept");
    }
    assert!(t.referrer.host.chars().count() <= MAX_HOST_CHARS);
    let mut json = String::from("{\"x\":1");
    t.push_context(&mut json);
    json.push('}');
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(parsed["channel"], t.channel.as_str());
    check_attribution(&t);

    for text in [url, referrer] {
        let r = redact_url(text, strip);
        assert_eq!(redact_emails(&r), r, "emails left in {r:?}");
        assert_eq!(redact_url(&r, strip), r, "redaction is idempotent");
        for (key, _) in pairs(query(&r)) {
            assert!(!strip.iter().any(|n| key_is(key, n)), "{key} left in {r:?}");
        }
        let h = host(text);
        let d = registrable_domain(h);
        assert!(h.ends_with(d));
    }
    let _ = channel(url, referrer, url);
}

/// Random URLs, referrers and stored state through the parser, the
/// classifier, redaction and the session rules: no panic, and every
/// invariant holds. `FOOTFALL_PROPTEST_ITERS` runs more (the local
/// campaign); `FOOTFALL_PROPTEST_SEED` picks another sequence.
#[test]
fn property_random_urls() {
    let iterations: u64 = std::env::var("FOOTFALL_PROPTEST_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let seed: u64 = std::env::var("FOOTFALL_PROPTEST_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed);
    let mut rng = Rng(seed);
    let strip = vec![
        "token".to_owned(),
        "sid".to_owned(),
        "utm_source".to_owned(),
    ];
    for i in 0..iterations {
        let url = random_text(&mut rng);
        let referrer = random_text(&mut rng);
        let internal = vec![random_text(&mut rng).to_ascii_lowercase()];
        let result =
            std::panic::catch_unwind(|| check_invariants(&url, &referrer, &strip, &internal));
        if result.is_err() {
            let short = |s: &str| -> String { s.chars().take(300).collect() };
            panic!(
                "iteration {i} (seed {seed}) failed: url {:?} referrer {:?} internal {:?} (first 300 characters)",
                short(&url),
                short(&referrer),
                short(&internal[0])
            );
        }
        // Stored state is text too: feed it to a visit.
        let stored = random_text(&mut rng);
        let boot = crate::core::attribution::session::SessionBoot {
            now: crate::core::time::WallMs(rng.next() >> 20),
            session: Some(&stored),
            first_touch: Some(&stored),
            last_touch: Some(&url),
            fresh_id: [7; 16],
        };
        let landing = Touch::classify(&url, &referrer, &[]);
        let mut visit =
            crate::core::attribution::session::Visit::boot(boot.now, &landing, boot, 30 * 60_000);
        let later = crate::core::time::WallMs(rng.next() >> 20);
        visit.on_event(later, [8; 16]);
        assert!(crate::core::uuid::is_uuid(visit.session_id()));
        // What it stores reads back as the same session.
        let writes = visit.take_writes();
        let stored = writes
            .iter()
            .find(|(k, _)| *k == crate::core::attribution::session::KEY_SESSION)
            .map(|(_, v)| v.as_str());
        let last = visit.span().map_or(later, |(_, last)| last);
        let again = crate::core::attribution::session::Visit::boot(
            last,
            &Touch::default(),
            crate::core::attribution::session::SessionBoot {
                now: last,
                session: stored,
                ..boot
            },
            30 * 60_000,
        );
        assert_eq!(again.session_id(), visit.session_id());
        assert_eq!(again.attribution(), visit.attribution());
    }
    if iterations > 1_000 {
        eprintln!("property_random_urls: {iterations} inputs (seed {seed}) ran without a panic");
    }
}
