//! Outboxes of several tabs sharing one `localStorage`: who owns which
//! records, when an owner is gone, and which outboxes may be adopted.
//!
//! Each page (tab, or the same tab after a reload) has a random id and keeps
//! its persisted events under `footfall.q.<tab>.<segment>`. While it holds
//! any, it beats: `footfall.hb.<tab>` = the time, every [`HEARTBEAT_MS`].
//! When it leaves (`pagehide`, `shutdown`) it writes [`CLOSED`] instead. An
//! outbox whose heartbeat is closed, missing, or older than [`STALE_MS`] is
//! an orphan, and the next page that looks adopts it: it re-stores the
//! events under its own id, removes the orphan's records, and sends them.

use crate::core::json::push_u64;
use crate::core::keys::KEY_PREFIX;
use crate::core::time::WallMs;

/// Prefix of outbox segment keys: `footfall.q.<tab>.<segment>`.
pub const SEGMENT_PREFIX: &str = "footfall.q.";
/// Prefix of heartbeat keys: `footfall.hb.<tab>`.
pub const HEARTBEAT_PREFIX: &str = "footfall.hb.";
/// Heartbeat value of a page that has left and handed its outbox over.
pub const CLOSED: &str = "closed";
/// Heartbeat value of a page unloading, followed by the time it started:
/// its events may still leave in its beacons, so other pages wait
/// [`LEAVING_MS`] before they adopt them (a browser that ends the page
/// midway leaves it so, and the outbox is adopted soon after all the same).
pub const LEAVING: &str = "leaving:";
/// How long a `leaving` outbox is left alone: a page's unload work takes a
/// few milliseconds.
pub const LEAVING_MS: u64 = 2000;
/// Interval between heartbeats while a page holds persisted events.
pub const HEARTBEAT_MS: u64 = 10_000;
/// Age after which a heartbeat means its page is gone (a crash, a killed
/// tab). Well above the one-minute timer throttling browsers apply to
/// background tabs, so a live hidden tab is never taken for dead.
pub const STALE_MS: u64 = 5 * 60_000;

/// A page's id, naming its storage records: 8 hex digits from the first
/// four of `random`.
///
/// ```
/// assert_eq!(footfall::core::tabs::tab_id([0xab, 0x01, 0xff, 0x10, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]), "ab01ff10");
/// ```
pub fn tab_id(random: [u8; 16]) -> String {
    let mut id = String::with_capacity(8);
    for b in random.iter().take(4) {
        id.push(crate::core::json::hex_digit(b >> 4));
        id.push(crate::core::json::hex_digit(*b));
    }
    id
}

/// `footfall.q.<tab>.<segment>`.
pub fn segment_key(tab: &str, segment: u32) -> String {
    let mut key = String::with_capacity(SEGMENT_PREFIX.len() + tab.len() + 11);
    key.push_str(SEGMENT_PREFIX);
    key.push_str(tab);
    key.push('.');
    push_u64(&mut key, u64::from(segment));
    key
}

/// `footfall.hb.<tab>`.
pub fn heartbeat_key(tab: &str) -> String {
    let mut key = String::with_capacity(HEARTBEAT_PREFIX.len() + tab.len());
    key.push_str(HEARTBEAT_PREFIX);
    key.push_str(tab);
    key
}

/// The tab and segment number of a segment key, if it is one.
///
/// ```
/// use footfall::core::tabs::parse_segment_key;
/// assert_eq!(parse_segment_key("footfall.q.ab12cd34.7"), Some(("ab12cd34", 7)));
/// assert_eq!(parse_segment_key("footfall.hb.ab12cd34"), None);
/// ```
pub fn parse_segment_key(key: &str) -> Option<(&str, u32)> {
    let rest = key.strip_prefix(SEGMENT_PREFIX)?;
    let (tab, segment) = rest.rsplit_once('.')?;
    if tab.is_empty()
        || segment.is_empty()
        || segment.len() > 9
        || !segment.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Some((
        tab,
        segment
            .bytes()
            .fold(0u32, |n, b| n * 10 + u32::from(b - b'0')),
    ))
}

/// The heartbeat value of a page that started unloading at `now`.
pub fn leaving(now: WallMs) -> String {
    let mut value = String::with_capacity(LEAVING.len() + 13);
    value.push_str(LEAVING);
    push_u64(&mut value, now.0);
    value
}

/// Whether a heartbeat value means its page is gone at `now`.
///
/// ```
/// use footfall::core::{tabs::is_gone, time::WallMs};
/// assert!(is_gone(Some("closed"), WallMs(0)));
/// assert!(!is_gone(Some("leaving:1000"), WallMs(2000)));
/// assert!(is_gone(Some("leaving:1000"), WallMs(3001)));
/// assert!(!is_gone(Some("1000"), WallMs(60_000)));
/// ```
pub fn is_gone(heartbeat: Option<&str>, now: WallMs) -> bool {
    let Some(value) = heartbeat else { return true };
    if value == CLOSED {
        return true;
    }
    if let Some(at) = value.strip_prefix(LEAVING) {
        return parse_ms(at).is_none_or(|at| now.since(WallMs(at)) > LEAVING_MS);
    }
    match parse_ms(value) {
        Some(at) => now.since(WallMs(at)) > STALE_MS,
        None => true,
    }
}

/// What a change of `key` to `value` (a `storage` event from another tab)
/// means for adoption: an outbox handed over may be adopted now; one whose
/// page is unloading, in [`LEAVING_MS`].
pub fn hand_over_in(key: &str, value: Option<&str>) -> Option<u64> {
    if !key.starts_with(HEARTBEAT_PREFIX) {
        return None;
    }
    match value {
        None => Some(0),
        Some(v) if v == CLOSED => Some(0),
        Some(v) if v.starts_with(LEAVING) => Some(LEAVING_MS + 100),
        Some(_) => None,
    }
}

/// The record a page writes to ask the others whether they live: each live
/// page holding stored events answers by writing its heartbeat at once.
pub const PING_KEY: &str = "footfall.ping";
/// How long pages have to answer a ping: a page whose heartbeat is older
/// than the ping by then is gone (a tab closed without `pagehide`, which
/// Firefox does to background tabs, or a crash).
pub const PING_WAIT_MS: u64 = 500;
/// How often a page asks again while other pages' outboxes look alive.
pub const WATCH_MS: u64 = 10_000;

/// What a look at storage found about other pages' outboxes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Survey<'a> {
    /// The tabs whose outboxes may be adopted now, sorted.
    pub orphans: Vec<&'a str>,
    /// Look again in this many milliseconds (a page is leaving, was asked
    /// whether it lives, or looks alive and is watched).
    pub again_in: Option<u64>,
    /// Ask the pages that look alive to say so (write [`PING_KEY`]).
    pub ping: bool,
}

/// Looks at the other pages' outboxes among `keys`: which may be adopted,
/// when to look again, and whether to ask the live-looking ones to answer.
/// `pinged` is when this page last asked: a page whose heartbeat is a time
/// before it, [`PING_WAIT_MS`] later, did not answer and is gone.
pub fn survey<'a>(
    own: &str,
    keys: &[&'a str],
    heartbeat: impl Fn(&str) -> Option<String>,
    now: WallMs,
    pinged: Option<WallMs>,
) -> Survey<'a> {
    let mut out = Survey::default();
    let again = |ms: u64, out: &mut Survey| {
        out.again_in = Some(out.again_in.map_or(ms, |a| a.min(ms)));
    };
    let answered_by = pinged.filter(|p| now.since(*p) >= PING_WAIT_MS);
    let mut alive = false;
    for tab in candidates(own, keys) {
        let value = heartbeat(&heartbeat_key(tab));
        if is_gone(value.as_deref(), now) {
            out.orphans.push(tab);
            continue;
        }
        let value = value.unwrap_or_default();
        if let Some(at) = value.strip_prefix(LEAVING).and_then(parse_ms) {
            again(
                (at + LEAVING_MS + 100).saturating_sub(now.0).max(1),
                &mut out,
            );
        } else if answered_by.is_some_and(|p| parse_ms(&value).is_some_and(|at| at < p.0)) {
            out.orphans.push(tab);
        } else {
            alive = true;
        }
    }
    if alive {
        match pinged {
            Some(p) if now.since(p) < WATCH_MS => again(p.0 + WATCH_MS - now.0, &mut out),
            _ => {
                out.ping = true;
                again(PING_WAIT_MS + 50, &mut out);
            }
        }
    }
    out
}

/// Other pages with segments among `keys`, sorted, at most [`MAX_TABS`].
fn candidates<'a>(own: &str, keys: &[&'a str]) -> Vec<&'a str> {
    let mut tabs: Vec<&str> = Vec::new();
    for key in keys.iter().filter(|k| k.starts_with(KEY_PREFIX)) {
        if let Some((tab, _)) = parse_segment_key(key) {
            if tab != own && tabs.len() < MAX_TABS && !tabs.contains(&tab) {
                // Keep them sorted by insertion: a handful of tabs at most,
                // and std's sort would add kilobytes of wasm.
                let at = tabs.iter().position(|t| *t > tab).unwrap_or(tabs.len());
                tabs.insert(at, tab);
            }
        }
    }
    tabs
}

/// Most other pages' outboxes looked at in one adoption: a visitor has a
/// few tabs; forged keys must not make start-up slow.
pub const MAX_TABS: usize = 32;

/// The tabs, other than `own`, whose outboxes may be adopted: they have
/// segments among `keys` (every `footfall.` key in storage) and their
/// heartbeat (looked up with `heartbeat`) says they are gone. Sorted; at
/// most [`MAX_TABS`] looked at.
pub fn orphans<'a>(
    own: &str,
    keys: &[&'a str],
    heartbeat: impl Fn(&str) -> Option<String>,
    now: WallMs,
) -> Vec<&'a str> {
    survey(own, keys, heartbeat, now, None).orphans
}

/// The segment keys of `tab` among `keys`, in segment order (oldest first).
pub fn segments_of<'a>(tab: &str, keys: &[&'a str]) -> Vec<&'a str> {
    let mut found: Vec<(u32, &str)> = Vec::new();
    for key in keys {
        if let Some((_, segment)) = parse_segment_key(key).filter(|(t, _)| *t == tab) {
            let at = found
                .iter()
                .position(|(s, _)| *s > segment)
                .unwrap_or(found.len());
            found.insert(at, (segment, key));
        }
    }
    found.into_iter().map(|(_, k)| k).collect()
}

fn parse_ms(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 16 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn keys_round_trip() {
        assert_eq!(segment_key("t1", 42), "footfall.q.t1.42");
        assert_eq!(heartbeat_key("t1"), "footfall.hb.t1");
        assert_eq!(parse_segment_key(&segment_key("t1", 42)), Some(("t1", 42)));
        for bad in [
            "footfall.q.",
            "footfall.q.t1",
            "footfall.q.t1.",
            "footfall.q..3",
            "footfall.q.t1.x",
            "other.q.t1.1",
            "footfall.q.t1.9999999999",
        ] {
            assert_eq!(parse_segment_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn gone_or_alive() {
        let now = WallMs(1_000_000_000);
        let table = [
            (None, true),
            (Some(CLOSED), true),
            (Some("0"), true),
            (Some("garbage"), true),
            (Some(""), true),
            (Some("999999999"), false),
            (Some("999700000"), false),
            (Some("999699999"), true),
            (Some("1000005000"), false),
        ];
        for (hb, gone) in table {
            assert_eq!(is_gone(hb, now), gone, "{hb:?}");
        }
        assert_eq!(STALE_MS, 300_000);
    }

    #[test]
    fn hand_over_markers() {
        let keys = [
            "footfall.hb.a",
            "footfall.q.a.1",
            "footfall.q.b.1",
            "footfall.q.own.1",
        ];
        let hb = |k: &str| match k {
            "footfall.hb.a" => Some("leaving:1000".to_owned()),
            "footfall.hb.b" => Some("1200".to_owned()),
            "footfall.hb.own" => Some("leaving:1500".to_owned()),
            _ => None,
        };
        // a leaves (look again when it may be adopted), b looks alive: ask.
        let s = survey("own", &keys, hb, WallMs(1500), None);
        assert_eq!((s.orphans.len(), s.again_in, s.ping), (0, Some(550), true));
        // Asked at 1500: b has not answered by 2000, a is gone by 3200.
        let s = survey("own", &keys, hb, WallMs(2000), Some(WallMs(1500)));
        assert_eq!(s.orphans, ["b"]);
        let s = survey("own", &keys, hb, WallMs(3200), Some(WallMs(1500)));
        assert_eq!(s.orphans, ["a", "b"]);
        // b answered (a heartbeat after the ping): watched, asked again later.
        let answered = |k: &str| (k == "footfall.hb.b").then(|| "1600".to_owned());
        let s = survey("own", &keys, answered, WallMs(2000), Some(WallMs(1500)));
        assert_eq!(s.orphans, ["a"], "a has no heartbeat at all");
        assert_eq!((s.again_in, s.ping), (Some(9500), false));
        assert_eq!(hand_over_in("footfall.hb.t1", Some(CLOSED)), Some(0));
        assert_eq!(hand_over_in("footfall.hb.t1", None), Some(0));
        assert_eq!(
            hand_over_in("footfall.hb.t1", Some("leaving:5")),
            Some(LEAVING_MS + 100)
        );
        assert_eq!(hand_over_in("footfall.hb.t1", Some("123")), None);
        assert_eq!(hand_over_in("footfall.q.t1.1", Some(CLOSED)), None);
        assert_eq!(hand_over_in("other", None), None);
    }

    #[test]
    fn orphans_are_other_tabs_with_segments_and_no_live_heartbeat() {
        let now = WallMs(10_000_000);
        let keys = [
            "footfall.q.me.1",
            "footfall.q.closed.1",
            "footfall.q.closed.2",
            "footfall.q.alive.1",
            "footfall.q.stale.3",
            "footfall.q.nobeat.1",
            "footfall.hb.empty",
            "footfall.aid",
            "app.key",
        ];
        let beats: HashMap<&str, &str> = [
            ("footfall.hb.me", CLOSED),
            ("footfall.hb.closed", CLOSED),
            ("footfall.hb.alive", "9990000"),
            ("footfall.hb.stale", "1000"),
            ("footfall.hb.empty", CLOSED),
        ]
        .into();
        let found = orphans("me", &keys, |k| beats.get(k).map(|v| v.to_string()), now);
        assert_eq!(found, ["closed", "nobeat", "stale"]);
    }

    #[test]
    fn segments_in_order() {
        let keys = [
            "footfall.q.t.10",
            "footfall.q.t.2",
            "footfall.q.u.1",
            "footfall.q.t.1",
            "footfall.hb.t",
        ];
        assert_eq!(
            segments_of("t", &keys),
            ["footfall.q.t.1", "footfall.q.t.2", "footfall.q.t.10"]
        );
    }
}
