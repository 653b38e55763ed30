//! Sessions on simulated time: the rules, boot from stored records, what is stored.

use super::*;
use std::collections::HashMap;

const MIN: u64 = 60_000;
const T0: u64 = 1_795_348_800_000;

#[test]
fn rules_on_simulated_time() {
    // (minutes since T0, expected activity); 30-minute timeout.
    let steps = [
        (0, Activity::Start(StartReason::First)),
        (10, Activity::Continue),
        (39, Activity::Continue),
        (68, Activity::Continue),
        (98, Activity::Start(StartReason::Idle)), // exactly 30 minutes idle
        (127, Activity::Continue),
        (126, Activity::Continue), // the clock went back: no new session
        (156, Activity::Continue),
    ];
    let mut rules = SessionRules::new(30 * MIN);
    for (minute, expected) in steps {
        assert_eq!(
            rules.on_activity(WallMs(T0 + minute * MIN)),
            expected,
            "at {minute} min"
        );
    }
    assert_eq!(
        rules.span(),
        Some((WallMs(T0 + 98 * MIN), WallMs(T0 + 156 * MIN)))
    );

    // The 24-hour cap, with activity every 20 minutes.
    let mut rules = SessionRules::new(30 * MIN);
    assert_eq!(
        rules.on_activity(WallMs(T0)),
        Activity::Start(StartReason::First)
    );
    let mut starts = Vec::new();
    for i in 1..=(3 * 24 * 3) {
        if let Activity::Start(r) = rules.on_activity(WallMs(T0 + i * 20 * MIN)) {
            starts.push((i * 20 / 60, r));
        }
    }
    assert_eq!(starts, [24, 48, 72].map(|h| (h, StartReason::MaxDuration)));

    // A custom timeout.
    let mut rules = SessionRules::new(5 * MIN);
    rules.restore(WallMs(T0), WallMs(T0));
    assert_eq!(rules.on_activity(WallMs(T0 + 4 * MIN)), Activity::Continue);
    assert_eq!(
        rules.on_activity(WallMs(T0 + 10 * MIN)),
        Activity::Start(StartReason::Idle)
    );
}

/// A browser's storage across page loads.
#[derive(Default)]
struct Browser {
    storage: HashMap<&'static str, String>,
    loads: u8,
}

impl Browser {
    /// A page load at `minute`, then one event right away.
    fn load(&mut self, minute: u64, url: &str, referrer: &str) -> (Visit, String) {
        self.loads += 1;
        let now = WallMs(T0 + minute * MIN);
        let boot = SessionBoot {
            now,
            session: self.storage.get(KEY_SESSION).map(String::as_str),
            first_touch: self.storage.get(KEY_FIRST_TOUCH).map(String::as_str),
            last_touch: self.storage.get(KEY_LAST_TOUCH).map(String::as_str),
            fresh_id: [self.loads; 16],
        };
        let landing = Touch::classify(url, referrer, &[]);
        let mut visit = Visit::boot(now, &landing, boot, 30 * MIN);
        visit.on_event(now, [0xee; 16]);
        let mut own = String::new();
        visit.push_context(&mut own);
        visit.on_event_accepted();
        for (key, value) in visit.take_writes() {
            self.storage.insert(key, value);
        }
        (visit, own)
    }
}

const SHOP: &str = "https://shop.example/";

/// A field of the attribution's context, e.g. `channel` or `referrer.host`.
fn field(v: &Visit, path: &str) -> String {
    let json: serde_json::Value =
        serde_json::from_str(&format!("{{\"x\":0{}}}", v.attribution().context)).unwrap();
    let mut at = &json;
    for key in path.split('.') {
        at = &at[key];
    }
    at.as_str().unwrap_or_default().to_owned()
}
const GOOGLE: &str = "https://www.google.com/";

#[test]
fn page_loads_follow_ga4() {
    // (minute, url, referrer, new session expected, channel)
    let steps: &[(u64, &str, &str, bool, &str)] = &[
        (0, SHOP, GOOGLE, true, "Organic Search"),
        (2, "https://shop.example/p2", SHOP, false, "Organic Search"), // internal
        (3, SHOP, GOOGLE, false, "Organic Search"),                    // reload of the landing
        (5, SHOP, "", false, "Organic Search"),                        // direct inside the session
        (
            6,
            "https://shop.example/?utm_source=news&utm_medium=email&utm_campaign=a",
            "",
            true,
            "Email",
        ),
        (
            7,
            "https://shop.example/?utm_source=news&utm_medium=email&utm_campaign=A&utm_term=t",
            "",
            false,
            "Email",
        ),
        (8, "https://shop.example/p3", SHOP, false, "Email"),
        (9, SHOP, "https://www.bing.com/", true, "Organic Search"), // another source
        (
            10,
            "https://shop.example/?gclid=A",
            GOOGLE,
            true,
            "Paid Search",
        ),
        (
            11,
            "https://shop.example/?gclid=A",
            GOOGLE,
            false,
            "Paid Search",
        ),
        (
            12,
            "https://shop.example/?gclid=B",
            GOOGLE,
            true,
            "Paid Search",
        ), // a new click
        (50, "https://shop.example/p4", SHOP, true, "Paid Search"), // idle: the last non-direct touch
        (51, SHOP, "", false, "Paid Search"),
        (200, SHOP, "", true, "Paid Search"), // direct, later: still the last non-direct touch
    ];
    let mut browser = Browser::default();
    let mut id = String::new();
    for &(minute, url, referrer, new_session, channel) in steps {
        let (visit, own) = browser.load(minute, url, referrer);
        assert_eq!(
            field(&visit, "channel"),
            channel,
            "at {minute}: {url} from {referrer:?}"
        );
        assert_eq!(
            visit.session_id() != id,
            new_session,
            "at {minute}: new session?"
        );
        assert_eq!(
            own.contains("\"start\":true"),
            new_session,
            "at {minute}: {own}"
        );
        assert!(is_uuid(visit.session_id()));
        id = visit.session_id().to_owned();
    }
    // The first touch was stored once, at the first load.
    let first = read_touch(&browser.storage[KEY_FIRST_TOUCH]).unwrap();
    assert!(first.0.context.contains(r#""name":"google""#), "{first:?}");
    assert_eq!(first.1, WallMs(T0));
    let last = read_touch(&browser.storage[KEY_LAST_TOUCH]).unwrap();
    assert!(
        last.0.context.contains(r#""clickIds":{"gclid":"B"}"#),
        "{last:?}"
    );
    assert_eq!(last.1, WallMs(T0 + 12 * MIN));
}

#[test]
fn direct_sessions_without_a_recent_touch_are_direct() {
    let mut browser = Browser::default();
    let (v, _) = browser.load(0, SHOP, "");
    assert_eq!(field(&v, "channel"), "Direct");
    assert!(
        !browser.storage.contains_key(KEY_LAST_TOUCH),
        "no non-direct touch yet"
    );
    assert!(read_touch(&browser.storage[KEY_FIRST_TOUCH])
        .unwrap()
        .0
        .is_direct());
    let (v, _) = browser.load(5, SHOP, "https://news.example/article");
    assert_eq!(field(&v, "channel"), "Referral");
    // 91 days later, a direct visit is Direct again.
    let (v, own) = browser.load(91 * 24 * 60, SHOP, "");
    assert_eq!(field(&v, "channel"), "Direct");
    assert!(own.contains("\"start\":true"));
    // ...and at 89 days, the referral is still carried.
    let mut browser = Browser::default();
    browser.load(0, SHOP, "https://news.example/article");
    let (v, _) = browser.load(89 * 24 * 60, SHOP, "");
    assert_eq!(field(&v, "referrer.host"), "news.example");
}

#[test]
fn corrupt_storage_starts_afresh() {
    for garbage in [
        "",
        "garbage",
        "id=x&start=1&last=2",
        "id=&start=&last=",
        "start=99999999999999999999999",
    ] {
        let mut browser = Browser::default();
        browser.storage.insert(KEY_SESSION, garbage.to_owned());
        browser.storage.insert(KEY_LAST_TOUCH, garbage.to_owned());
        let (v, own) = browser.load(0, SHOP, GOOGLE);
        assert!(own.contains("\"start\":true"), "{garbage}");
        assert_eq!(field(&v, "channel"), "Organic Search");
    }
}

#[test]
fn events_after_idle_start_a_session_with_the_same_attribution() {
    let mut browser = Browser::default();
    let (mut v, _) = browser.load(
        0,
        "https://shop.example/?utm_source=news&utm_medium=email",
        "",
    );
    let first_id = v.session_id().to_owned();
    assert!(!v.on_event(WallMs(T0 + 10 * MIN), [1; 16]));
    assert_eq!(v.session_id(), first_id);
    // 45 minutes idle: a new session, the same campaign.
    assert!(
        v.on_event(WallMs(T0 + 55 * MIN), [1; 16]),
        "a new session: the context is rebuilt"
    );
    assert_ne!(v.session_id(), first_id);
    let mut message_id = String::new();
    push_uuid_v4(&mut message_id, [1; 16]);
    assert_ne!(
        v.session_id(),
        message_id,
        "the session id is not the message id"
    );
    let mut own = String::new();
    v.push_context(&mut own);
    assert!(own.contains("\"start\":true"));
    v.on_event_accepted();
    own.clear();
    v.push_context(&mut own);
    assert_eq!(
        own,
        format!(",\"session\":{{\"id\":\"{}\"}}", v.session_id())
    );
    assert_eq!(field(&v, "channel"), "Email");
    // Only the session is written, once, however many events.
    assert!(!v.on_event(WallMs(T0 + 56 * MIN), [2; 16]));
    let writes = v.take_writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].0, KEY_SESSION);
    assert!(writes[0].1.contains("\n1795352160000\n"), "{}", writes[0].1);
    assert!(v.take_writes().is_empty());
}

#[test]
fn a_direct_landing_after_idle_without_any_touch_changes_nothing_visible() {
    let mut browser = Browser::default();
    let (mut v, _) = browser.load(0, SHOP, "");
    assert!(v.on_event(WallMs(T0 + 100 * MIN), [3; 16]), "a new session");
    assert_eq!(v.attribution(), &Attribution::default());
}

#[test]
fn a_referral_landing_mid_visit_changes_attribution_after_idle() {
    // A page landed from a referral, then the visitor idles past the
    // timeout: the new session keeps that referral (last non-direct).
    let mut browser = Browser::default();
    let (mut v, _) = browser.load(0, SHOP, "https://news.example/");
    let before = v.attribution().clone();
    assert!(v.on_event(WallMs(T0 + 31 * MIN), [4; 16]), "a new session");
    assert_eq!(v.attribution(), &before);
}
