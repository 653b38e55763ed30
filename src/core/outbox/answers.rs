//! What an answer means for the events it carried: acknowledged, retried
//! after backoff (in their place in sequence), split after a 413, dropped;
//! beacons accepted, refused or cut off; a page leaving or coming back;
//! going offline and online.

use super::*;

impl Outbox {
    /// Records the collector's answer to a fetch. `retry_after_ms` comes from
    /// a `Retry-After` header; `jitter` is a uniform random `u32`. `closing`
    /// says the page is closing: a network error then is no answer at all
    /// ([`Verdict::Unknown`]; Chromium rejects a keepalive fetch's promise
    /// when a window closes itself or navigates away, although the request
    /// goes on and arrives), never a sign that the collector fails. Like a
    /// fetch still in flight at unload, its events are then taken out of
    /// storage while the collector is healthy, and kept for the next page
    /// while it is failing.
    pub fn on_response(
        &mut self,
        id: BatchId,
        status: u16,
        retry_after_ms: Option<u64>,
        now: WallMs,
        jitter: u32,
        closing: bool,
    ) -> Answer {
        let verdict = match classify(status) {
            Verdict::Retry if closing && status == NETWORK_ERROR => Verdict::Unknown,
            v => v,
        };
        let mut answer = Answer {
            verdict,
            tally: Tally::default(),
            retry_in_ms: None,
        };
        let Some(batch) = self.remove_batch(id) else {
            return answer;
        };
        let n = batch.items.len() as u32;
        match verdict {
            // The request goes on in the browser (keepalive): trusted like
            // a fetch still in flight at unload while the collector is
            // healthy, kept for the next page while it is failing.
            Verdict::Unknown if self.is_failing() => self.keep(batch.items),
            Verdict::Unknown => batch.items.iter().for_each(|it| self.forget(it)),
            Verdict::Ack => {
                self.failures = 0;
                self.network_failures = 0;
                batch.items.iter().for_each(|it| self.forget(it));
                answer.tally.sent = n;
            }
            Verdict::Drop => {
                batch.items.iter().for_each(|it| self.forget(it));
                answer.tally.dropped = n;
            }
            Verdict::Split if n <= 1 => {
                batch.items.iter().for_each(|it| self.forget(it));
                answer.tally.dropped = n;
            }
            Verdict::Split => {
                self.body_cap = (batch.body_bytes / 2).max(1);
                self.requeue(batch.items, now);
                answer.tally.retried = n;
            }
            Verdict::Retry => {
                self.failures += 1;
                self.failed_at = self.results;
                self.force_upto = None;
                if status == NETWORK_ERROR {
                    self.network_failures += 1;
                }
                let delay = backoff_ms(self.failures, jitter).max(retry_after_ms.unwrap_or(0));
                self.not_before = now.plus(delay);
                self.requeue(batch.items, now);
                answer.tally.retried = n;
                answer.retry_in_ms = Some(delay);
            }
        }
        answer
    }

    /// Records whether the browser accepted a beacon. Accepted events are
    /// done; a refused beacon goes back to the queue and the next one is half
    /// its size. Returns the number of events sent.
    pub fn on_beacon(&mut self, id: BatchId, accepted: bool, now: WallMs) -> u32 {
        let Some(batch) = self.remove_batch(id) else {
            return 0;
        };
        if accepted {
            // Still in flight inside the browser: keep counting its bytes.
            self.beacon_bytes += batch.body_bytes;
            self.beacon_at = now;
            batch.items.iter().for_each(|it| self.forget(it));
            batch.items.len() as u32
        } else {
            self.beacon_cap = batch.body_bytes / 2;
            self.requeue(batch.items, now);
            0
        }
    }

    /// A beacon call never returned (Firefox ends a `pagehide` listener
    /// inside `sendBeacon` when a tab closes): whether it left is unknown,
    /// so its events go back to the front of the queue (still stored), to
    /// be sent again.
    pub fn on_beacon_unknown(&mut self, id: BatchId, now: WallMs) {
        if let Some(batch) = self.remove_batch(id) {
            self.requeue(batch.items, now);
        }
    }

    /// Takes back a fetch batch that never reached the network (its body was
    /// still being compressed as the page closed): its events return to the
    /// front of the queue, as if never taken, to leave by beacon or stay
    /// stored. A late answer for it is ignored.
    pub fn reclaim(&mut self, id: BatchId) {
        let Some(pos) = self.in_flight.iter().position(|b| b.id == id) else {
            return;
        };
        let batch = self.in_flight.swap_remove(pos);
        self.keepalive_bytes = self.keepalive_bytes.saturating_sub(batch.body_bytes);
        let tried = self.results;
        self.merge_back(batch.items.into_iter().map(|mut it| {
            it.tried = tried;
            it
        }));
    }

    /// The page came back (from the back/forward cache): what was kept after
    /// a cut-off request is sent again (the collector deduplicates).
    pub fn resume(&mut self, now: WallMs) {
        let kept = std::mem::take(&mut self.kept);
        if !kept.is_empty() {
            self.requeue(kept, now);
        }
    }

    /// Moves events whose request's fate is unknown to `kept`: still
    /// stored, never sent again by this page.
    fn keep(&mut self, items: Vec<Item>) {
        let results = self.results;
        for mut it in items {
            it.tried = results;
            if it.stored == Stored::Released {
                it.stored = Stored::No;
            }
            self.kept.push(it);
        }
    }

    fn remove_batch(&mut self, id: BatchId) -> Option<InFlight> {
        let pos = self.in_flight.iter().position(|b| b.id == id)?;
        let batch = self.in_flight.swap_remove(pos);
        match batch.via {
            Via::Fetch => {
                self.keepalive_bytes = self.keepalive_bytes.saturating_sub(batch.body_bytes)
            }
            Via::Beacon => self.beacon_bytes = self.beacon_bytes.saturating_sub(batch.body_bytes),
        }
        self.results += 1;
        Some(batch)
    }

    /// Puts the events of a failed batch back in sequence order.
    fn requeue(&mut self, items: Vec<Item>, now: WallMs) {
        let results = self.results;
        self.merge_back(items.into_iter().map(|mut it| {
            it.tried = results;
            if it.stored == Stored::Released {
                it.stored = Stored::No;
            }
            it
        }));
        // These events were due already: they leave as soon as the backoff ends.
        self.due_at = Some(now);
    }

    /// Merges `items` (in sequence order) back into the queue, keeping the
    /// queue in sequence order.
    fn merge_back(&mut self, items: impl Iterator<Item = Item>) {
        let mut back = items.peekable();
        let mut merged = Vec::with_capacity(self.queue.len() + back.size_hint().0);
        for q in self.queue.drain(..) {
            while back.peek().is_some_and(|b| b.seq < q.seq) {
                merged.extend(back.next());
            }
            merged.push(q);
        }
        merged.extend(back);
        self.queue = merged;
        self.queued_bytes = self.queue.iter().map(|it| it.json.len()).sum();
    }

    /// Drops an event's claim on its storage segment.
    pub(super) fn forget(&mut self, item: &Item) {
        if let Stored::In(id) = item.stored {
            if let Some(seg) = self.segments.iter_mut().find(|s| s.id == id) {
                seg.live = seg.live.saturating_sub(1);
                seg.dirty = true;
            }
        }
    }

    /// The page is unloading while the collector is healthy: keepalive
    /// fetches in flight will complete without the page, so their events
    /// are taken out of storage (keeping them would resend them on the next
    /// page: a duplicate). While failing, they stay stored: a duplicate is
    /// then preferred to a loss.
    pub fn release_in_flight(&mut self) {
        if self.is_failing() {
            return;
        }
        let mut released = Vec::new();
        for batch in self.in_flight.iter_mut().filter(|b| b.via == Via::Fetch) {
            for it in batch.items.iter_mut() {
                if let Stored::In(id) = it.stored {
                    released.push(id);
                }
                it.stored = Stored::Released;
            }
        }
        for id in released {
            if let Some(seg) = self.segments.iter_mut().find(|s| s.id == id) {
                seg.live = seg.live.saturating_sub(1);
                seg.dirty = true;
            }
        }
    }

    /// Hands everything queued over to storage: the page is going away (or
    /// into the back/forward cache), and whichever page loads next, in this
    /// tab or another, sends it. Call after [`Outbox::persist`]. Events still
    /// in flight stay in memory, but their answer no longer changes the
    /// records they are in (those belong to whoever adopts them now): an
    /// event that comes back from a failed request is stored again only if
    /// no record holds it.
    pub fn hand_over(&mut self) {
        self.queue.clear();
        self.kept.clear();
        self.queued_bytes = 0;
        self.due_at = None;
        self.force_upto = None;
        self.segments.clear();
    }

    /// Forgets everything held (analytics consent was withdrawn; the
    /// storage records are purged separately). Answers to batches still in
    /// flight are ignored.
    pub fn clear(&mut self) {
        self.queue.clear();
        self.kept.clear();
        self.in_flight.clear();
        self.queued_bytes = 0;
        self.keepalive_bytes = 0;
        self.due_at = None;
        self.force_upto = None;
        self.segments.clear();
    }

    /// The page is visible again: beacons sent while hidden have long
    /// completed, and a refused one may be retried at full size.
    pub fn on_visible(&mut self) {
        self.beacon_bytes = 0;
        self.beacon_cap = KEEPALIVE_QUOTA_BYTES;
    }

    /// Records connectivity (`navigator.onLine`). Coming back online ends the
    /// backoff and lets a parked outbox try again.
    pub fn set_online(&mut self, online: bool, now: WallMs) {
        if online && !self.online {
            self.failures = 0;
            self.network_failures = 0;
            self.not_before = now;
        }
        self.online = online;
    }
}
