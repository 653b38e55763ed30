//! Arbitrary bytes as (landing URL, referrer, stored session, internal
//! domain), separated by U+0001: nothing panics, and the invariants of the
//! deterministic property test hold (bounded values, idempotent redaction,
//! stored records that read back as the same session).
#![no_main]

use footfall::core::attribution::session::{SessionBoot, Visit, KEY_SESSION};
use footfall::core::attribution::{Touch, MAX_HOST_CHARS};
use footfall::core::privacy::{redact_emails, redact_url};
use footfall::core::time::WallMs;
use footfall::core::url::{host, key_is, pairs, query, registrable_domain, MAX_VALUE_CHARS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\u{1}');
    let url = parts.next().unwrap_or_default();
    let referrer = parts.next().unwrap_or_default();
    let stored = parts.next().unwrap_or_default();
    let internal = vec![parts.next().unwrap_or_default().to_ascii_lowercase()];
    let strip = ["token".to_owned(), "utm_source".to_owned()];

    let touch = Touch::classify(url, referrer, &internal);
    for v in touch.campaign.values.iter().chain(touch.click_ids.iter().map(|(_, v)| v)) {
        assert!(v.chars().count() <= MAX_VALUE_CHARS);
    }
    assert!(touch.referrer.host.chars().count() <= MAX_HOST_CHARS);
    let attribution = touch.attribution();
    assert!(!attribution.key.contains('\n') && !attribution.context.contains('\n'));

    for t in [url, referrer] {
        let r = redact_url(t, &strip);
        assert_eq!(redact_emails(&r), r);
        assert_eq!(redact_url(&r, &strip), r);
        assert!(!pairs(query(&r)).any(|(k, _)| strip.iter().any(|n| key_is(k, n))));
        let h = host(t);
        assert!(h.ends_with(registrable_domain(h)));
    }

    let now = WallMs(1_795_348_800_000);
    let boot = SessionBoot {
        now,
        session: Some(stored),
        first_touch: Some(stored),
        last_touch: Some(referrer),
        fresh_id: [7; 16],
    };
    let mut visit = Visit::boot(now, &touch, boot, 30 * 60_000);
    visit.on_event(now, [8; 16]);
    let writes = visit.take_writes();
    let session = writes.iter().find(|(k, _)| *k == KEY_SESSION).map(|(_, v)| v.as_str());
    let again = Visit::boot(now, &Touch::default(), SessionBoot { session, ..boot }, 30 * 60_000);
    assert_eq!(again.session_id(), visit.session_id());
    assert_eq!(again.attribution(), visit.attribution());
});
