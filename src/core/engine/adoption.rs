//! Several pages of one site: this page's heartbeat record, the outboxes
//! of pages that are gone (adopted: restored here, their records removed,
//! sent), and a page back from the back/forward cache.

use crate::core::engine::{Effect, Engine, Log};
use crate::core::tabs::{self, heartbeat_key, HEARTBEAT_MS};
use crate::core::time::WallMs;

#[cfg(feature = "signals")]
use super::signals::Moment;

/// The state of this page's heartbeat record (`footfall.hb.<tab>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Beat {
    /// No record: this page stores no events.
    Off,
    /// Beating; the next beat is due at this time.
    Live(WallMs),
    /// `leaving:<time>`: the page is unloading; its beacons may still take
    /// what it stored (other pages wait a moment before adopting it).
    Leaving,
    /// `closed`: the page left, what it stored may be adopted at once.
    Closed,
}

impl Engine {
    /// Looks at the other pages' outboxes among `keys` (every `footfall.`
    /// storage key; `heartbeat` reads a heartbeat record): which may be
    /// adopted now, and when to look again. When some look alive, asks
    /// them to answer (a [`tabs::PING_KEY`] record, with analytics consent).
    pub fn survey<'k>(
        &mut self,
        keys: &[&'k str],
        heartbeat: impl Fn(&str) -> Option<String>,
        now: WallMs,
    ) -> tabs::Survey<'k> {
        let survey = tabs::survey(&self.tab, keys, heartbeat, now, self.pinged_at);
        if survey.ping && self.consent.tracks() {
            let mut value = String::with_capacity(13);
            crate::core::json::push_u64(&mut value, now.0);
            self.store(tabs::PING_KEY, value);
            self.pinged_at = Some(now);
        }
        survey
    }

    /// Outboxes of pages that are gone, read from storage: restored at the
    /// front of the queue, stored under this page, then their records
    /// removed (never a moment without a copy), and sent.
    pub(super) fn adopt(&mut self, now: WallMs, tabs: &[&str], segments: &[(&str, &str)]) {
        if !self.consent.tracks() {
            return;
        }
        let max_bytes = self.outbox.max_event_bytes();
        let (lines, foreign): (Vec<&str>, Vec<&str>) = segments
            .iter()
            .flat_map(|(_, value)| value.split('\n'))
            .filter(|l| !l.is_empty())
            .partition(|l| is_event_line(l, max_bytes));
        if !foreign.is_empty() {
            // Not one of footfall's own events, or too large to
            // ever be sent: never sent, never in the way.
            self.stats.dropped += foreign.len() as u32;
            self.log(Log::ForeignRecord(foreign.len() as u32));
        }
        self.stats.dropped += self.outbox.restore(lines.into_iter(), now);
        // Store them under this page first, then remove the orphans'
        // records: there is never a moment with no copy.
        self.persist(now);
        for (key, _) in segments {
            self.effects.push(Effect::Remove {
                key: (*key).to_owned(),
            });
        }
        for tab in tabs {
            self.effects.push(Effect::Remove {
                key: heartbeat_key(tab),
            });
        }
        self.sync(now);
    }

    /// The page came back from the back/forward cache after handing its
    /// outbox over on `pagehide`.
    pub(super) fn resume(&mut self, now: WallMs, fresh_tab: [u8; 16]) {
        self.unloading = false;
        self.left = false;
        self.handed_over = false;
        // What this page handed over is another page's records now:
        // a new id, and the adoption that follows takes them back.
        self.tab = tabs::tab_id(fresh_tab);
        self.beat = Beat::Off;
        self.outbox.on_visible();
        self.outbox.resume(now);
        // Back from the back/forward cache: the visitor navigated
        // here again, a new page view (its last one ended with the
        // pagehide).
        #[cfg(feature = "signals")]
        self.signals_at(now, Moment::Resume);
        #[cfg(feature = "vitals")]
        self.vitals.begin_restored();
        #[cfg(feature = "heatmap")]
        self.heatmap.begin();
        self.page_view(now);
        self.sync(now);
    }

    /// Another page asks whether this one lives: a heartbeat now.
    pub(super) fn ping(&mut self, now: WallMs) {
        if matches!(self.beat, Beat::Live(_)) && !self.left {
            self.beat(now);
        }
    }

    /// Writes this page's heartbeat.
    pub(super) fn beat(&mut self, now: WallMs) {
        let mut value = String::with_capacity(16);
        crate::core::json::push_u64(&mut value, now.0);
        self.store(&heartbeat_key(&self.tab), value);
        self.beat = Beat::Live(now.plus(HEARTBEAT_MS));
    }
}

/// Whether a stored line is an event this crate wrote: a well-formed JSON
/// object of a type it writes, with a message id, that fits a request.
fn is_event_line(line: &str, max_bytes: usize) -> bool {
    line.len() <= max_bytes
        && [
            "{\"type\":\"track\",",
            "{\"type\":\"page\",",
            "{\"type\":\"identify\",",
        ]
        .iter()
        .any(|p| line.starts_with(p))
        && crate::core::json::has_top_level_key(line, "messageId")
        && crate::core::json::is_object(line)
}
