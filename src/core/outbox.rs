//! The outbox: accepted events waiting for the collector's acknowledgement.
//!
//! It decides when a batch is due (count, bytes, interval, flush), what goes
//! in it (byte limits, the keepalive quota, a 413-learned cap), what happens
//! after an answer (ack, retry with backoff, split, drop), and which storage
//! records must change. It never touches storage or the network itself: the
//! engine turns its decisions into effects.
//!
//! Storage layout: events are persisted in *segments*, each holding up to a
//! batch worth of consecutive events, one JSON object per line. A burst of
//! tracking costs one storage write per segment (not per event), and an
//! acknowledged batch rewrites or deletes only the segments it touched.

use crate::core::config::KEEPALIVE_QUOTA_BYTES;
use crate::core::retry::{backoff_ms, classify, Verdict, MAX_NETWORK_FAILURES, NETWORK_ERROR};
use crate::core::time::WallMs;

/// Identifies a batch in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BatchId(pub u32);

/// The smallest beacon body worth retrying after a refusal: below it, the
/// rest waits in storage for the next page.
pub const MIN_BEACON_BYTES: usize = 2048;

/// Most body bytes that keepalive fetches may have in flight together: a
/// quarter of the quota, so that whatever happens the unload path has the
/// other 48 KiB for its beacons. Fetches carry events in the full form
/// (~800 bytes each with a typical context) and unload beacons in the
/// compact form (~220 bytes): every byte left to the beacons carries almost
/// four times as many events when a tab closes right after a burst. 16 KiB
/// per round trip still moves hundreds of events a second.
pub const FETCH_BUDGET_BYTES: usize = KEEPALIVE_QUOTA_BYTES / 4;

/// Shared contexts remembered for the compact form (one per page view).
const MAX_CONTEXTS: usize = 8;

/// Time after which accepted beacons are assumed complete and no longer
/// counted against the keepalive quota.
pub const BEACON_SETTLE_MS: u64 = 10_000;

/// How a batch travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// A keepalive `fetch`, whose answer comes back later.
    Fetch,
    /// `navigator.sendBeacon`, accepted or refused on the spot, never answered.
    Beacon,
}

/// Where an event's persisted copy lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stored {
    /// Not written yet.
    No,
    /// In this segment.
    In(u32),
    /// Deliberately not kept: it left in a keepalive request as the page
    /// unloaded, which the browser completes on its own.
    Released,
}

/// How to cut an event down to the compact form: its shared context
/// (registered with [`Outbox::register_context`]) goes once per batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Compact {
    /// The shared context's id.
    pub context: u32,
    /// Byte range of the event text to remove.
    pub cut: (usize, usize),
}

#[derive(Debug)]
struct Item {
    json: String,
    seq: u64,
    stored: Stored,
    /// Value of `Outbox::results` when an attempt with this item last ended.
    tried: u64,
    compact: Option<Compact>,
}

impl Item {
    fn compact_len(&self) -> usize {
        self.compact.map_or(self.json.len(), |c| {
            self.json
                .len()
                .saturating_sub(c.cut.1.saturating_sub(c.cut.0))
        })
    }

    /// The event's text in the form of its batch: `(head, tail)` to append.
    fn text(&self, compact: bool) -> (&str, &str) {
        match self.compact.filter(|_| compact) {
            Some(c) => (
                self.json.get(..c.cut.0).unwrap_or_default(),
                self.json.get(c.cut.1..).unwrap_or_default(),
            ),
            None => (&self.json, ""),
        }
    }
}

#[derive(Debug)]
struct InFlight {
    id: BatchId,
    items: Vec<Item>,
    body_bytes: usize,
    via: Via,
    /// The shared context carried once by this batch (compact form).
    context: Option<u32>,
}

#[derive(Clone, Copy, Debug)]
struct Segment {
    id: u32,
    live: u32,
    dirty: bool,
}

/// A storage change the outbox needs, by segment number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreOp {
    /// Write the segment: its events, one per line.
    Write {
        /// Segment number.
        segment: u32,
        /// Events, newline-separated.
        value: String,
    },
    /// The segment holds nothing any more.
    Delete {
        /// Segment number.
        segment: u32,
    },
}

/// Batching limits, from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Queued events that make a batch due.
    pub flush_at: usize,
    /// Longest wait of the oldest queued event, in ms.
    pub flush_interval_ms: u64,
    /// Largest request body, in bytes.
    pub max_batch_bytes: usize,
    /// Most events held (queued and in flight).
    pub max_queue_events: usize,
}

/// Counts produced by one operation, for `stats()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Events the collector acknowledged (or a beacon carried).
    pub sent: u32,
    /// Events given up on.
    pub dropped: u32,
    /// Events scheduled for another attempt.
    pub retried: u32,
}

/// What became of the batch an answer was for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The classification of the status.
    pub verdict: Verdict,
    /// Counts for `stats()`.
    pub tally: Tally,
    /// Delay before the next attempt, when one was scheduled after a failure.
    pub retry_in_ms: Option<u64>,
}

/// Accepted events, batches in flight, and the retry state. See the module docs.
#[derive(Debug)]
pub struct Outbox {
    limits: Limits,
    /// Bytes a body adds around its events (`{"batch":[` ... `]...}`).
    frame_bytes: usize,
    /// Waiting events, oldest first.
    queue: Vec<Item>,
    queued_bytes: usize,
    /// When the queue becomes due by the interval: the oldest event's time
    /// plus `flush_interval_ms`, or earlier for events that were due already
    /// (retried or restored).
    due_at: Option<WallMs>,
    in_flight: Vec<InFlight>,
    /// Events whose request was cut off as the page closed (a keepalive
    /// fetch rejected while closing, a beacon call that never returned):
    /// the collector may or may not have them. They stay stored for the next
    /// page and are not sent again by this one unless it comes back
    /// ([`Outbox::resume`]).
    kept: Vec<Item>,
    /// Body bytes of keepalive fetches in flight.
    keepalive_bytes: usize,
    /// Body bytes of beacons the browser accepted (their completion is never
    /// reported; forgotten when the page is visible again or after
    /// [`BEACON_SETTLE_MS`]).
    beacon_bytes: usize,
    /// When the last beacon was accepted.
    beacon_at: WallMs,
    /// Largest body after a 413 (halved each time).
    body_cap: usize,
    /// Largest beacon after a refusal (halved each time).
    beacon_cap: usize,
    next_seq: u64,
    front_seq: u64,
    next_batch: u32,
    /// Number of attempts that have ended, for flush tickets.
    results: u64,
    /// Sequence number up to which events are sent without waiting for a trigger.
    force_upto: Option<u64>,
    failures: u32,
    /// Value of `results` when an attempt last failed and will be retried.
    failed_at: u64,
    network_failures: u32,
    not_before: WallMs,
    online: bool,
    segments: Vec<Segment>,
    next_segment: u32,
    /// Shared contexts by id, most recent last.
    contexts: Vec<(u32, String)>,
    /// No fetch before this instant: the page is navigating away, and the
    /// whole keepalive quota is kept for the unload beacons.
    hold_until: WallMs,
}

/// Bytes the compact form adds to a body: `,"context":{` and `}`.
const CONTEXT_FRAME_BYTES: usize = 13;

/// The first sequence number; restored events are numbered below it so they
/// keep their place at the front.
const SEQ_ORIGIN: u64 = 1 << 40;

impl Outbox {
    /// An empty outbox. `frame_bytes` is the size of a body with no events.
    pub fn new(limits: Limits, frame_bytes: usize) -> Outbox {
        Outbox {
            limits,
            frame_bytes,
            queue: Vec::new(),
            queued_bytes: 0,
            due_at: None,
            in_flight: Vec::new(),
            kept: Vec::new(),
            keepalive_bytes: 0,
            beacon_bytes: 0,
            beacon_at: WallMs(0),
            body_cap: usize::MAX,
            beacon_cap: KEEPALIVE_QUOTA_BYTES,
            next_seq: SEQ_ORIGIN,
            front_seq: SEQ_ORIGIN,
            next_batch: 1,
            results: 0,
            force_upto: None,
            failures: 0,
            failed_at: 0,
            network_failures: 0,
            not_before: WallMs(0),
            online: true,
            segments: Vec::new(),
            next_segment: 1,
            contexts: Vec::new(),
            hold_until: WallMs(0),
        }
    }

    /// Remembers the shared context text of id `id` for the compact form.
    pub fn register_context(&mut self, id: u32, text: &str) {
        if self.contexts.iter().any(|(i, _)| *i == id) {
            return;
        }
        if self.contexts.len() >= MAX_CONTEXTS {
            self.contexts.remove(0);
        }
        self.contexts.push((id, text.to_owned()));
    }

    fn context_text(&self, id: u32) -> Option<&str> {
        self.contexts
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, t)| t.as_str())
    }

    /// Holds fetches until `until`: the page announced a navigation away, and
    /// its unload beacons will want the whole keepalive quota. If the
    /// navigation is cancelled, sending resumes by itself.
    pub fn hold(&mut self, until: WallMs) {
        self.hold_until = self.hold_until.max(until);
    }

    /// Largest event that can ever be sent: one event alone in a body.
    pub fn max_event_bytes(&self) -> usize {
        self.limits.max_batch_bytes.saturating_sub(self.frame_bytes)
    }

    /// Events held: queued, in flight, and kept after a cut-off request.
    pub fn len(&self) -> usize {
        self.queue.len()
            + self.kept.len()
            + self.in_flight.iter().map(|b| b.items.len()).sum::<usize>()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether any event held is persisted in a segment of this page.
    pub fn has_segments(&self) -> bool {
        !self.segments.is_empty()
    }

    /// Events waiting (not in flight).
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Whether the last attempts failed and the outbox is waiting to retry (or
    /// gave up for this page after repeated network errors).
    pub fn is_failing(&self) -> bool {
        self.failures > 0
    }

    /// Whether repeated network errors made this page stop trying.
    pub fn is_parked(&self) -> bool {
        self.network_failures >= MAX_NETWORK_FAILURES
    }

    /// Whether sending is possible at all now (online and not parked).
    pub fn can_send(&self) -> bool {
        self.online && !self.is_parked()
    }

    /// Accepts a serialized event. When the outbox is full, the oldest queued
    /// event is dropped to make room; returns how many were dropped (the new
    /// event itself is dropped only when everything held is in flight).
    pub fn push(&mut self, json: String, compact: Option<Compact>, now: WallMs) -> u32 {
        let mut dropped = 0;
        while self.len() >= self.limits.max_queue_events.max(1) {
            if self.queue.is_empty() {
                return dropped + 1;
            }
            let old = self.queue.remove(0);
            self.queued_bytes -= old.json.len();
            self.forget(&old);
            dropped += 1;
        }
        self.queued_bytes += json.len();
        if self.queue.is_empty() {
            self.due_at = Some(now.plus(self.limits.flush_interval_ms));
        }
        self.queue.push(Item {
            json,
            seq: self.next_seq,
            stored: Stored::No,
            tried: 0,
            compact,
        });
        self.next_seq += 1;
        dropped
    }

    /// Puts events read back from storage (oldest first) at the front of the
    /// queue, before anything accepted on this page. Returns how many had to
    /// be dropped to stay within `max_queue_events`.
    pub fn restore<'a>(
        &mut self,
        events: impl DoubleEndedIterator<Item = &'a str>,
        now: WallMs,
    ) -> u32 {
        let mut dropped = 0;
        let mut restored = Vec::new();
        for json in events.rev() {
            if self.len() + restored.len() >= self.limits.max_queue_events.max(1) {
                dropped += 1;
                continue;
            }
            self.front_seq -= 1;
            self.queued_bytes += json.len();
            restored.push(Item {
                json: json.to_owned(),
                seq: self.front_seq,
                stored: Stored::No,
                tried: 0,
                compact: None,
            });
        }
        restored.reverse();
        restored.append(&mut self.queue);
        self.queue = restored;
        if !self.queue.is_empty() {
            self.due_at = Some(now);
        }
        dropped
    }

    /// Starts a flush of everything held now. Returns the ticket to pass to
    /// [`Outbox::is_settled`].
    pub fn start_flush(&mut self) -> (u64, u64) {
        let upto = self.next_seq.saturating_sub(1);
        if !self.queue.is_empty() {
            self.force_upto = Some(upto);
            self.not_before = WallMs(0);
        }
        (upto, self.results + 1)
    }

    /// Whether every event covered by the flush ticket `(upto, generation)`
    /// was acknowledged, dropped, or had an attempt end since the ticket; an
    /// attempt that failed since the ticket settles it too (the rest would
    /// only wait for the same backoff), as does being unable to send at all.
    pub fn is_settled(&self, ticket: (u64, u64)) -> bool {
        let (upto, generation) = ticket;
        !self.can_send()
            || self.failed_at >= generation
            || self
                .queue
                .iter()
                .chain(self.in_flight.iter().flat_map(|b| b.items.iter()))
                .all(|it| it.seq > upto || it.tried >= generation)
    }

    fn quota_left(&self) -> usize {
        KEEPALIVE_QUOTA_BYTES.saturating_sub(self.keepalive_bytes + self.beacon_bytes)
    }

    /// Whether a fetch batch should leave now.
    fn is_due(&self, now: WallMs) -> bool {
        let Some(front) = self.queue.first() else {
            return false;
        };
        if !self.can_send() {
            return false;
        }
        if now < self.hold_until {
            return false;
        }
        let forced = self.force_upto.is_some_and(|upto| front.seq <= upto);
        if forced {
            return true;
        }
        if now < self.not_before {
            return false;
        }
        self.queue.len() >= self.limits.flush_at
            || self.frame_bytes + self.queued_bytes + self.queue.len()
                >= self.limits.max_batch_bytes
            || self.due_at.is_some_and(|t| now >= t)
    }

    /// Takes the next batch to send by keepalive fetch, if one is due and the
    /// fetch budget (half the keepalive quota) has room for it.
    pub fn take_fetch(&mut self, now: WallMs) -> Option<BatchId> {
        if !self.is_due(now) {
            return None;
        }
        if self.beacon_bytes > 0 && now.since(self.beacon_at) >= BEACON_SETTLE_MS {
            self.beacon_bytes = 0;
        }
        let budget = FETCH_BUDGET_BYTES.saturating_sub(self.keepalive_bytes + self.beacon_bytes);
        let limit = self.limits.max_batch_bytes.min(self.body_cap).min(budget);
        let count = self.fitting(limit, false, None);
        let count = if count == 0 && self.keepalive_bytes == 0 {
            // A learned cap or the budget smaller than one event must not
            // block it forever: alone, it may use the whole quota.
            let alone = self.frame_bytes + self.queue.first()?.json.len();
            usize::from(alone <= self.quota_left().min(self.limits.max_batch_bytes))
        } else {
            count
        };
        self.take(count, Via::Fetch, None)
    }

    /// Takes the next batch to send by beacon while the page is hidden or
    /// unloading. Nothing is beaconed while the collector is failing (a beacon
    /// is never answered, so a failing collector would lose it): the events
    /// stay in storage for the next page instead.
    ///
    /// A beacon uses the normal form when everything queued fits the quota
    /// left; otherwise the compact form (the page view's shared context once,
    /// as the batch's `context`) when it carries more events.
    pub fn take_beacon(&mut self) -> Option<BatchId> {
        if self.queue.is_empty() || !self.can_send() || self.is_failing() {
            return None;
        }
        let cap = self
            .limits
            .max_batch_bytes
            .min(self.body_cap)
            .min(self.beacon_cap);
        if cap < MIN_BEACON_BYTES.min(self.limits.max_batch_bytes) {
            return None;
        }
        let limit = cap.min(self.quota_left());
        let inline = self.fitting(limit, false, None);
        if inline < self.queue.len() {
            if let Some(ctx) = self
                .queue
                .first()
                .and_then(|f| f.compact)
                .map(|c| c.context)
            {
                if let Some(text_len) = self.context_text(ctx).map(str::len) {
                    let extra = CONTEXT_FRAME_BYTES + text_len;
                    let compact = self.fitting(limit.saturating_sub(extra), true, Some(ctx));
                    if compact > inline {
                        return self.take(compact, Via::Beacon, Some(ctx));
                    }
                    // The first context's run ends before what fits inline
                    // (a session's first event has a shared context of its
                    // own): send that run alone, so that the next beacon
                    // compacts the events after it rather than sending them
                    // whole.
                    let run = self
                        .queue
                        .iter()
                        .take_while(|i| i.compact.map(|c| c.context) == Some(ctx))
                        .count();
                    if run < inline && compact == run {
                        return self.take(run, Via::Beacon, Some(ctx));
                    }
                }
            }
        }
        self.take(inline, Via::Beacon, None)
    }

    /// How many events from the front fit a body of `limit` bytes, in the
    /// normal form or (all of context `ctx`) in the compact form.
    fn fitting(&self, limit: usize, compact: bool, ctx: Option<u32>) -> usize {
        let mut body = self.frame_bytes;
        let mut count = 0;
        for item in &self.queue {
            if compact && item.compact.map(|c| c.context) != ctx {
                break;
            }
            let len = if compact {
                item.compact_len()
            } else {
                item.json.len()
            };
            let add = len + usize::from(count > 0);
            if body + add > limit {
                break;
            }
            body += add;
            count += 1;
        }
        count
    }

    fn take(&mut self, count: usize, via: Via, context: Option<u32>) -> Option<BatchId> {
        if count == 0 {
            return None;
        }
        let rest = self.queue.split_off(count.min(self.queue.len()));
        let items = std::mem::replace(&mut self.queue, rest);
        let compact = context.is_some();
        let events: usize = items
            .iter()
            .map(|it| {
                if compact {
                    it.compact_len()
                } else {
                    it.json.len()
                }
            })
            .sum();
        let context_bytes = context
            .and_then(|c| self.context_text(c))
            .map_or(0, |t| CONTEXT_FRAME_BYTES + t.len());
        let body = self.frame_bytes + context_bytes + events + items.len() - 1;
        self.queued_bytes = self.queue.iter().map(|it| it.json.len()).sum();
        if self.queue.is_empty() {
            self.due_at = None;
        }
        if self
            .force_upto
            .is_some_and(|upto| self.queue.first().is_none_or(|f| f.seq > upto))
        {
            self.force_upto = None;
        }
        match via {
            Via::Fetch => self.keepalive_bytes += body,
            Via::Beacon => self.beacon_bytes += body,
        }
        let id = BatchId(self.next_batch);
        self.next_batch = self.next_batch.wrapping_add(1);
        self.in_flight.push(InFlight {
            id,
            items,
            body_bytes: body,
            via,
            context,
        });
        Some(id)
    }

    /// Appends the events of a batch in flight, comma-separated, in the form
    /// the batch was taken in.
    pub fn write_events(&self, id: BatchId, out: &mut String) {
        let Some(batch) = self.in_flight.iter().find(|b| b.id == id) else {
            return;
        };
        for (i, item) in batch.items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let (head, tail) = item.text(batch.context.is_some());
            out.push_str(head);
            out.push_str(tail);
        }
    }

    /// The shared context a compact batch carries once, if it is compact.
    pub fn batch_context(&self, id: BatchId) -> Option<&str> {
        let ctx = self.in_flight.iter().find(|b| b.id == id)?.context?;
        self.context_text(ctx)
    }

    /// The events of a batch in flight, in order (their stored text).
    #[cfg(test)]
    pub fn batch_events(&self, id: BatchId) -> impl Iterator<Item = &str> {
        self.in_flight
            .iter()
            .filter(move |b| b.id == id)
            .flat_map(|b| b.items.iter().map(|it| it.json.as_str()))
    }

    /// Body size of a batch in flight (0 if unknown).
    pub fn batch_bytes(&self, id: BatchId) -> usize {
        self.in_flight
            .iter()
            .find(|b| b.id == id)
            .map_or(0, |b| b.body_bytes)
    }

    /// Records the collector's answer to a fetch. `retry_after_ms` comes from
    /// a `Retry-After` header; `jitter` is a uniform random `u32`. `closing`
    /// says the page is closing: a network error then is no answer at all
    /// ([`Verdict::Unknown`]; Chromium rejects a keepalive fetch's promise
    /// when a window closes itself, although the request goes on and
    /// arrives), never a sign that the collector fails. Like a fetch still
    /// in flight at unload, its events are then taken out of storage while
    /// the collector is healthy, and kept for the next page while it is
    /// failing.
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
    fn forget(&mut self, item: &Item) {
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

    /// Computes the storage writes that bring the persisted segments in line
    /// with what is held: rewrites or deletes segments that lost events, and
    /// writes new events into new segments of at most `segment_bytes`.
    pub fn persist(&mut self, segment_bytes: usize, ops: &mut Vec<StoreOp>) {
        let dirty: Vec<Segment> = self.segments.iter().filter(|s| s.dirty).copied().collect();
        for seg in dirty {
            if seg.live == 0 {
                ops.push(StoreOp::Delete { segment: seg.id });
            } else {
                let mut value = String::new();
                for it in self.held().filter(|it| it.stored == Stored::In(seg.id)) {
                    if !value.is_empty() {
                        value.push('\n');
                    }
                    value.push_str(&it.json);
                }
                ops.push(StoreOp::Write {
                    segment: seg.id,
                    value,
                });
            }
        }
        self.segments.retain(|s| s.live > 0);
        self.segments.iter_mut().for_each(|s| s.dirty = false);

        let mut current: Option<(u32, String, u32)> = None;
        let mut next_segment = self.next_segment;
        let mut finished: Vec<(u32, String, u32)> = Vec::new();
        let held = self
            .queue
            .iter_mut()
            .chain(self.kept.iter_mut())
            .chain(self.in_flight.iter_mut().flat_map(|b| b.items.iter_mut()));
        for it in held.filter(|it| it.stored == Stored::No) {
            if let Some((_, value, _)) = &current {
                if value.len() + 1 + it.json.len() > segment_bytes {
                    finished.extend(current.take());
                }
            }
            let (id, value, live) = current.get_or_insert_with(|| {
                next_segment += 1;
                (next_segment - 1, String::new(), 0)
            });
            if !value.is_empty() {
                value.push('\n');
            }
            value.push_str(&it.json);
            *live += 1;
            it.stored = Stored::In(*id);
        }
        finished.extend(current);
        self.next_segment = next_segment;
        for (id, value, live) in finished {
            self.segments.push(Segment {
                id,
                live,
                dirty: false,
            });
            ops.push(StoreOp::Write { segment: id, value });
        }
    }

    fn held(&self) -> impl Iterator<Item = &Item> {
        self.queue
            .iter()
            .chain(self.kept.iter())
            .chain(self.in_flight.iter().flat_map(|b| b.items.iter()))
    }

    /// The next instant at which a batch may become due, if any.
    pub fn poll_timeout(&self) -> Option<WallMs> {
        let front = self.queue.first()?;
        if !self.can_send() {
            return None;
        }
        if self.force_upto.is_some_and(|upto| front.seq <= upto) {
            return Some(self.hold_until);
        }
        let deadline = if self.queue.len() >= self.limits.flush_at {
            Some(WallMs(0))
        } else {
            self.due_at
        };
        deadline.map(|d| d.max(self.not_before).max(self.hold_until))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: usize = 60;

    fn limits(flush_at: usize, max_batch_bytes: usize) -> Limits {
        Limits {
            flush_at,
            flush_interval_ms: 3000,
            max_batch_bytes,
            max_queue_events: 1000,
        }
    }

    /// An event of exactly `size` bytes, tagged with `n`.
    fn ev(n: usize, size: usize) -> String {
        let head = format!("{{\"n\":{n},\"pad\":\"");
        let pad = size - head.len() - 2;
        format!("{head}{}\"}}", "x".repeat(pad))
    }

    fn tag(json: &str) -> usize {
        json[5..json.find(',').unwrap()].parse().unwrap()
    }

    fn events(o: &Outbox, id: BatchId) -> Vec<usize> {
        o.batch_events(id).map(tag).collect()
    }

    fn body_len(o: &Outbox, id: BatchId) -> usize {
        let joined: Vec<&str> = o.batch_events(id).collect();
        FRAME + joined.join(",").len()
    }

    #[test]
    fn count_trigger() {
        let mut o = Outbox::new(limits(3, 48_000), FRAME);
        o.push(ev(1, 100), None, WallMs(0));
        o.push(ev(2, 100), None, WallMs(0));
        assert_eq!(o.take_fetch(WallMs(10)), None);
        assert_eq!(o.poll_timeout(), Some(WallMs(3000)));
        o.push(ev(3, 100), None, WallMs(10));
        assert_eq!(o.poll_timeout(), Some(WallMs(0)));
        let b = o.take_fetch(WallMs(10)).unwrap();
        assert_eq!(events(&o, b), [1, 2, 3]);
        assert_eq!(o.take_fetch(WallMs(10)), None);
        assert_eq!(o.poll_timeout(), None);
    }

    #[test]
    fn interval_trigger_counts_from_the_oldest_event() {
        let mut o = Outbox::new(limits(20, 48_000), FRAME);
        o.push(ev(1, 100), None, WallMs(1000));
        o.push(ev(2, 100), None, WallMs(2500));
        assert_eq!(o.poll_timeout(), Some(WallMs(4000)));
        assert_eq!(o.take_fetch(WallMs(3999)), None);
        let b = o.take_fetch(WallMs(4000)).unwrap();
        assert_eq!(events(&o, b), [1, 2]);
    }

    #[test]
    fn byte_limit_is_respected_exactly() {
        // 10 events of 1000 bytes: a body holds n events in FRAME + 1000n + (n-1) bytes.
        for max in [1060, 2060, 2061, 5064, 5065, 10_069] {
            let mut o = Outbox::new(limits(1000, max), FRAME);
            for n in 0..10 {
                o.push(ev(n, 1000), None, WallMs(0));
            }
            let mut seen = Vec::new();
            while let Some(b) = o.take_fetch(WallMs(3000)) {
                assert_eq!(
                    o.batch_bytes(b),
                    body_len(&o, b),
                    "accounting matches the body"
                );
                assert!(o.batch_bytes(b) <= max, "{max}: {}", o.batch_bytes(b));
                let n = events(&o, b).len();
                let one_more = FRAME + 1000 * (n + 1) + n;
                assert!(
                    one_more > max || seen.len() + n == 10,
                    "{max}: batch of {n} could hold one more"
                );
                seen.extend(events(&o, b));
                o.on_response(b, 200, None, WallMs(3000), 0, false);
            }
            assert_eq!(seen, (0..10).collect::<Vec<_>>(), "{max}");
        }
    }

    #[test]
    fn bytes_make_a_batch_due_before_the_count() {
        let mut o = Outbox::new(limits(1000, 2100), FRAME);
        o.push(ev(1, 1000), None, WallMs(0));
        assert_eq!(o.take_fetch(WallMs(1)), None);
        o.push(ev(2, 1000), None, WallMs(0));
        o.push(ev(3, 1000), None, WallMs(0));
        let b = o.take_fetch(WallMs(1)).unwrap();
        assert_eq!(events(&o, b), [1, 2]);
    }

    #[test]
    fn fetches_in_flight_stay_within_a_quarter_of_the_keepalive_quota() {
        let mut o = Outbox::new(limits(1, 48_000), FRAME);
        for n in 0..10 {
            o.push(ev(n, 10_000), None, WallMs(0));
        }
        let mut in_flight = Vec::new();
        while let Some(b) = o.take_fetch(WallMs(0)) {
            in_flight.push(b);
        }
        let total: usize = in_flight.iter().map(|&b| o.batch_bytes(b)).sum();
        assert!(total <= FETCH_BUDGET_BYTES, "{total}");
        assert_eq!(
            in_flight
                .iter()
                .map(|&b| events(&o, b).len())
                .sum::<usize>(),
            1,
            "one 10 KB event fits 16 KiB, two do not"
        );
        assert!(
            o.quota_left() >= 3 * KEEPALIVE_QUOTA_BYTES / 4,
            "three quarters stay for unload beacons"
        );
        o.on_response(in_flight[0], 200, None, WallMs(5), 0, false);
        assert!(
            o.take_fetch(WallMs(5)).is_some(),
            "room again after an answer"
        );
    }

    #[test]
    fn an_event_larger_than_the_budget_still_leaves_alone() {
        let mut o = Outbox::new(limits(1, 48_000), FRAME);
        o.push(ev(1, 40_000), None, WallMs(0));
        o.push(ev(2, 40_000), None, WallMs(0));
        let b = o.take_fetch(WallMs(0)).unwrap();
        assert_eq!(events(&o, b), [1]);
        assert_eq!(o.take_fetch(WallMs(0)), None, "one at a time");
        o.on_response(b, 200, None, WallMs(1), 0, false);
        assert!(o.take_fetch(WallMs(1)).is_some());
    }

    #[test]
    fn a_navigation_holds_fetches_but_not_beacons() {
        let mut o = Outbox::new(limits(1, 48_000), FRAME);
        o.push(ev(1, 100), None, WallMs(0));
        o.hold(WallMs(1000));
        assert_eq!(o.take_fetch(WallMs(10)), None);
        assert_eq!(o.poll_timeout(), Some(WallMs(1000)));
        let t = o.start_flush();
        assert_eq!(
            o.take_fetch(WallMs(10)),
            None,
            "even a flush waits for pagehide"
        );
        assert!(!o.is_settled(t));
        assert!(o.take_beacon().is_some(), "pagehide beacons at once");
        let mut o = Outbox::new(limits(1, 48_000), FRAME);
        o.push(ev(1, 100), None, WallMs(0));
        o.hold(WallMs(1000));
        assert!(
            o.take_fetch(WallMs(1000)).is_some(),
            "a cancelled navigation only delays sending"
        );
    }

    /// An event of `size` bytes whose last member is a shared context of
    /// `shared` bytes, with its compact cut.
    fn cev(n: usize, size: usize, shared: &str) -> (String, Compact) {
        let head = format!("{{\"n\":{n},\"pad\":\"");
        let tail = format!("\",\"context\":{{{shared}}}}}");
        let pad = size - head.len() - tail.len();
        let json = format!("{head}{}{tail}", "x".repeat(pad));
        let (start, end) = (json.len() - tail.len() + 1, json.len() - 1);
        (
            json,
            Compact {
                context: 1,
                cut: (start, end),
            },
        )
    }

    fn body(o: &Outbox, b: BatchId) -> serde_json::Value {
        let mut out = String::from("{\"batch\":[");
        o.write_events(b, &mut out);
        out.push(']');
        if let Some(c) = o.batch_context(b) {
            out.push_str(",\"context\":{");
            out.push_str(c);
            out.push('}');
        }
        out.push('}');
        serde_json::from_str(&out).unwrap()
    }

    #[test]
    fn unload_beacons_switch_to_the_compact_form_only_when_needed() {
        let shared = format!(
            "\"page\":{{\"url\":\"https://x.example/{}\"}}",
            "p".repeat(380)
        );
        let frame = FRAME;
        // Few events: normal form, every event keeps its context.
        let mut o = Outbox::new(limits(1000, 48_000), frame);
        o.register_context(1, &shared);
        for n in 0..10 {
            let (json, c) = cev(n, 600, &shared);
            o.push(json, Some(c), WallMs(0));
        }
        let b = o.take_beacon().unwrap();
        let v = body(&o, b);
        assert_eq!(v["batch"].as_array().unwrap().len(), 10);
        assert!(v.get("context").is_none());
        assert!(v["batch"][0]["context"]["page"]["url"].is_string());

        // 200 events of 600 bytes (120 KB) cannot fit 64 KiB; compact, they do.
        let mut o = Outbox::new(limits(1000, 60_000), frame);
        o.register_context(1, &shared);
        for n in 0..200 {
            let (json, c) = cev(n, 600, &shared);
            o.push(json, Some(c), WallMs(0));
        }
        let mut delivered = Vec::new();
        let mut bytes = 0;
        while let Some(b) = o.take_beacon() {
            bytes += o.batch_bytes(b);
            let v = body(&o, b);
            assert!(
                v["batch"][0].get("context").is_none(),
                "compact events carry no context"
            );
            assert!(
                v["context"]["page"]["url"].is_string(),
                "the batch carries it once"
            );
            delivered.extend(
                v["batch"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["n"].as_u64().unwrap()),
            );
            assert_eq!(
                o.on_beacon(b, true, WallMs(0)) as usize,
                v["batch"].as_array().unwrap().len()
            );
        }
        assert_eq!(delivered, (0..200).collect::<Vec<_>>());
        assert!(bytes <= KEEPALIVE_QUOTA_BYTES, "{bytes}");
    }

    #[test]
    fn a_short_first_context_run_goes_alone_so_the_rest_is_compacted() {
        // A session's first event has a shared context of its own (with
        // `start`); the 199 after it share another. Sending the first run
        // alone lets the rest go compact and fit the quota.
        let shared = format!(
            "\"page\":{{\"url\":\"https://x.example/{}\"}}",
            "p".repeat(380)
        );
        let start = shared.replace("x.example", "y.example");
        let mut o = Outbox::new(limits(1000, 60_000), FRAME);
        o.register_context(2, &start);
        o.register_context(1, &shared);
        for n in 0..200 {
            let (json, mut c) = cev(n, 600, if n == 0 { &start } else { &shared });
            if n == 0 {
                c.context = 2;
            }
            o.push(json, Some(c), WallMs(0));
        }
        let mut delivered = Vec::new();
        let mut bytes = 0;
        let mut sizes = Vec::new();
        while let Some(b) = o.take_beacon() {
            bytes += o.batch_bytes(b);
            let v = body(&o, b);
            let events = v["batch"].as_array().unwrap();
            sizes.push(events.len());
            delivered.extend(events.iter().map(|e| e["n"].as_u64().unwrap()));
            o.on_beacon(b, true, WallMs(0));
        }
        assert_eq!(sizes[0], 1, "{sizes:?}");
        assert_eq!(delivered, (0..200).collect::<Vec<_>>(), "{sizes:?}");
        assert!(bytes <= KEEPALIVE_QUOTA_BYTES, "{bytes}");
    }

    #[test]
    fn compact_batch_bytes_are_exact() {
        let shared = "\"k\":\"shared\"";
        let mut o = Outbox::new(limits(1000, 2000), 20);
        o.register_context(1, shared);
        for n in 0..10 {
            let (json, c) = cev(n, 300, shared);
            o.push(json, Some(c), WallMs(0));
        }
        while let Some(b) = o.take_beacon() {
            let mut out = String::from("{\"batch\":[");
            o.write_events(b, &mut out);
            out.push(']');
            if let Some(c) = o.batch_context(b) {
                out.push_str(",\"context\":{");
                out.push_str(c);
                out.push('}');
            }
            // A 20-byte frame: 10 for `{"batch":[`, the `]`, and 9 of tail.
            assert_eq!(o.batch_bytes(b), out.len() + 9);
            assert!(o.batch_bytes(b) <= 2000);
            o.on_beacon(b, true, WallMs(0));
        }
        assert!(o.is_empty());
    }

    #[test]
    fn retry_keeps_order_and_waits_for_backoff() {
        let mut o = Outbox::new(limits(2, 48_000), FRAME);
        for n in 0..4 {
            o.push(ev(n, 100), None, WallMs(0));
        }
        let b1 = o.take_fetch(WallMs(0)).unwrap();
        let answer = o.on_response(b1, 503, None, WallMs(0), 0, false);
        assert_eq!(answer.verdict, Verdict::Retry);
        assert_eq!(answer.tally.retried, 4);
        assert_eq!(answer.retry_in_ms, Some(750));
        assert_eq!(o.take_fetch(WallMs(749)), None);
        assert_eq!(o.poll_timeout(), Some(WallMs(750)));
        let b2 = o.take_fetch(WallMs(750)).unwrap();
        assert_eq!(events(&o, b2), [0, 1, 2, 3]);
        let again = o.on_response(b2, 500, None, WallMs(750), 0, false);
        assert_eq!(again.retry_in_ms, Some(1500), "doubles");
        let b3 = o.take_fetch(WallMs(2250)).unwrap();
        assert_eq!(
            o.on_response(b3, 200, None, WallMs(2300), 0, false)
                .tally
                .sent,
            4
        );
        assert!(o.is_empty());
        assert!(!o.is_failing());
    }

    #[test]
    fn retry_after_is_honoured() {
        let mut o = Outbox::new(limits(1, 48_000), FRAME);
        o.push(ev(1, 100), None, WallMs(0));
        let b = o.take_fetch(WallMs(0)).unwrap();
        o.on_response(b, 429, Some(2000), WallMs(100), 0, false);
        assert_eq!(o.poll_timeout(), Some(WallMs(2100)));
        assert_eq!(o.take_fetch(WallMs(2099)), None);
        assert!(o.take_fetch(WallMs(2100)).is_some());
    }

    #[test]
    fn answers_in_any_order_keep_sequence() {
        let mut o = Outbox::new(limits(1, 1200), FRAME);
        for n in 0..3 {
            o.push(ev(n, 1000), None, WallMs(0));
        }
        let a = o.take_fetch(WallMs(0)).unwrap();
        let b = o.take_fetch(WallMs(0)).unwrap();
        let c = o.take_fetch(WallMs(0)).unwrap();
        o.on_response(c, 503, None, WallMs(0), 0, false);
        o.on_response(a, 503, None, WallMs(0), 0, false);
        o.on_response(b, 0, None, WallMs(0), 0, false);
        let order: Vec<usize> = o.queue.iter().map(|it| tag(&it.json)).collect();
        assert_eq!(order, [0, 1, 2]);
    }

    #[test]
    fn split_on_413_until_delivered_and_drop_a_single_oversized_event() {
        // The collector takes at most 3 events per request.
        let mut o = Outbox::new(limits(1, 48_000), FRAME);
        for n in 0..10 {
            o.push(ev(n, 500), None, WallMs(0));
        }
        let mut delivered = Vec::new();
        let mut requests = 0;
        while !o.is_empty() {
            let b = o.take_fetch(WallMs(0)).unwrap();
            requests += 1;
            let ids = events(&o, b);
            let status = if ids.len() > 3 { 413 } else { 200 };
            if status == 200 {
                delivered.extend(ids);
            }
            o.on_response(b, status, None, WallMs(0), 0, false);
            assert!(requests < 30);
        }
        assert_eq!(delivered, (0..10).collect::<Vec<_>>());

        let mut o = Outbox::new(limits(1, 48_000), FRAME);
        o.push(ev(1, 500), None, WallMs(0));
        let b = o.take_fetch(WallMs(0)).unwrap();
        let answer = o.on_response(b, 413, None, WallMs(0), 0, false);
        assert_eq!(answer.tally.dropped, 1);
        assert!(o.is_empty());
    }

    #[test]
    fn a_learned_cap_never_blocks_an_event() {
        let mut o = Outbox::new(limits(1, 48_000), FRAME);
        o.push(ev(1, 300), None, WallMs(0));
        o.push(ev(2, 300), None, WallMs(0));
        let b = o.take_fetch(WallMs(0)).unwrap();
        o.on_response(b, 413, None, WallMs(0), 0, false);
        o.push(ev(3, 5000), None, WallMs(0));
        let mut sent = Vec::new();
        while let Some(b) = o.take_fetch(WallMs(0)) {
            sent.extend(events(&o, b));
            o.on_response(b, 200, None, WallMs(0), 0, false);
        }
        assert_eq!(sent, [1, 2, 3]);
    }

    #[test]
    fn other_4xx_drop_the_batch() {
        let mut o = Outbox::new(limits(1, 48_000), FRAME);
        o.push(ev(1, 100), None, WallMs(0));
        let b = o.take_fetch(WallMs(0)).unwrap();
        let answer = o.on_response(b, 400, None, WallMs(0), 0, false);
        assert_eq!(answer.verdict, Verdict::Drop);
        assert_eq!(answer.tally.dropped, 1);
        assert!(o.is_empty());
        assert!(!o.is_failing());
    }

    #[test]
    fn network_errors_park_the_outbox_until_online() {
        let mut o = Outbox::new(limits(1, 48_000), FRAME);
        o.push(ev(1, 100), None, WallMs(0));
        let mut now = WallMs(0);
        for attempt in 1..=MAX_NETWORK_FAILURES {
            let b = o
                .take_fetch(now)
                .unwrap_or_else(|| panic!("attempt {attempt}"));
            o.on_response(b, 0, None, now, 0, false);
            now = now.plus(120_000);
        }
        assert!(o.is_parked());
        assert_eq!(o.take_fetch(now), None);
        assert_eq!(o.poll_timeout(), None, "no timer while parked");
        assert_eq!(o.len(), 1, "the event is kept");
        o.set_online(false, now);
        o.set_online(true, now);
        assert!(o.take_fetch(now).is_some());
    }

    #[test]
    fn offline_sends_nothing() {
        let mut o = Outbox::new(limits(1, 48_000), FRAME);
        o.set_online(false, WallMs(0));
        o.push(ev(1, 100), None, WallMs(0));
        assert_eq!(o.take_fetch(WallMs(10_000)), None);
        assert_eq!(o.poll_timeout(), None);
        o.set_online(true, WallMs(10_000));
        assert!(o.take_fetch(WallMs(10_000)).is_some());
    }

    #[test]
    fn full_queue_drops_the_oldest() {
        let mut o = Outbox::new(
            Limits {
                max_queue_events: 5,
                ..limits(100, 48_000)
            },
            FRAME,
        );
        let dropped: u32 = (0..7).map(|n| o.push(ev(n, 100), None, WallMs(0))).sum();
        assert_eq!(dropped, 2);
        let tags: Vec<usize> = o.queue.iter().map(|it| tag(&it.json)).collect();
        assert_eq!(tags, [2, 3, 4, 5, 6]);
    }

    #[test]
    fn memory_is_bounded_through_a_long_outage() {
        // Ten minutes of 503s while tracking every second, max 100 events held.
        let mut o = Outbox::new(
            Limits {
                max_queue_events: 100,
                ..limits(20, 48_000)
            },
            FRAME,
        );
        let mut j = crate::core::retry::Jitter::new(3);
        let mut dropped = 0;
        for s in 0..600u64 {
            let now = WallMs(s * 1000);
            dropped += o.push(ev(s as usize, 400), None, now);
            while let Some(b) = o.take_fetch(now) {
                o.on_response(b, 503, None, now, j.next_u32(), false);
            }
            assert!(o.len() <= 100);
            assert!(o.queued_bytes <= 100 * 400);
        }
        assert_eq!(dropped, 500);
    }

    fn persist(o: &mut Outbox, segment_bytes: usize) -> Vec<StoreOp> {
        let mut ops = Vec::new();
        o.persist(segment_bytes, &mut ops);
        ops
    }

    fn lines(op: &StoreOp) -> Vec<usize> {
        match op {
            StoreOp::Write { value, .. } => value.split('\n').map(tag).collect(),
            StoreOp::Delete { .. } => Vec::new(),
        }
    }

    #[test]
    fn persistence_writes_segments_and_removes_acknowledged_events() {
        let mut o = Outbox::new(limits(100, 48_000), FRAME);
        for n in 0..5 {
            o.push(ev(n, 100), None, WallMs(0));
        }
        let ops = persist(&mut o, 250);
        assert_eq!(
            ops.len(),
            3,
            "100-byte events, 250-byte segments: 2 + 2 + 1"
        );
        assert_eq!(lines(&ops[0]), [0, 1]);
        assert_eq!(lines(&ops[1]), [2, 3]);
        assert_eq!(lines(&ops[2]), [4]);
        assert!(persist(&mut o, 250).is_empty(), "nothing changed");

        // A batch of three: segment 1 gone, segment 2 rewritten with event 3.
        o.body_cap = FRAME + 3 * 100 + 2;
        let b = o.take_fetch(WallMs(3000)).unwrap();
        assert_eq!(events(&o, b), [0, 1, 2]);
        assert!(persist(&mut o, 250).is_empty(), "in flight is still stored");
        o.on_response(b, 200, None, WallMs(3000), 0, false);
        let ops = persist(&mut o, 250);
        assert_eq!(
            ops,
            vec![
                StoreOp::Delete { segment: 1 },
                StoreOp::Write {
                    segment: 2,
                    value: ev(3, 100)
                }
            ]
        );
    }

    #[test]
    fn a_failed_batch_stays_stored() {
        let mut o = Outbox::new(limits(1, 48_000), FRAME);
        o.push(ev(1, 100), None, WallMs(0));
        persist(&mut o, 48_000);
        let b = o.take_fetch(WallMs(0)).unwrap();
        o.on_response(b, 503, None, WallMs(0), 0, false);
        assert!(persist(&mut o, 48_000).is_empty());
    }

    #[test]
    fn unload_releases_in_flight_events_only_while_healthy() {
        let mut o = Outbox::new(limits(1, 48_000), FRAME);
        o.push(ev(1, 100), None, WallMs(0));
        persist(&mut o, 48_000);
        let _b = o.take_fetch(WallMs(0)).unwrap();
        o.release_in_flight();
        assert_eq!(
            persist(&mut o, 48_000),
            vec![StoreOp::Delete { segment: 1 }]
        );

        let mut o = Outbox::new(limits(1, 48_000), FRAME);
        o.push(ev(1, 100), None, WallMs(0));
        o.push(ev(2, 100), None, WallMs(0));
        persist(&mut o, 48_000);
        let b = o.take_fetch(WallMs(0)).unwrap();
        o.on_response(b, 503, None, WallMs(0), 0, false);
        let _b = o.take_fetch(WallMs(60_000)).unwrap();
        o.release_in_flight();
        assert!(persist(&mut o, 48_000).is_empty(), "failing: keep the copy");
    }

    #[test]
    fn a_released_batch_that_fails_is_stored_again() {
        let mut o = Outbox::new(limits(1, 48_000), FRAME);
        o.push(ev(1, 100), None, WallMs(0));
        persist(&mut o, 48_000);
        let b = o.take_fetch(WallMs(0)).unwrap();
        o.release_in_flight();
        persist(&mut o, 48_000);
        o.on_response(b, 503, None, WallMs(0), 0, false);
        let ops = persist(&mut o, 48_000);
        assert_eq!(ops.len(), 1);
        assert_eq!(lines(&ops[0]), [1]);
    }

    #[test]
    fn beacons_fill_the_quota_and_halve_on_refusal() {
        let mut o = Outbox::new(limits(100, 48_000), FRAME);
        for n in 0..40 {
            o.push(ev(n, 2000), None, WallMs(0));
        }
        let b1 = o.take_beacon().unwrap();
        assert!(o.batch_bytes(b1) <= 48_000);
        assert_eq!(o.on_beacon(b1, true, WallMs(0)), 23);
        let b2 = o.take_beacon().unwrap();
        assert!(o.batch_bytes(b1) + o.batch_bytes(b2) <= KEEPALIVE_QUOTA_BYTES);
        let size = o.batch_bytes(b2);
        assert_eq!(o.on_beacon(b2, false, WallMs(0)), 0);
        let b3 = o.take_beacon().unwrap();
        assert!(o.batch_bytes(b3) <= size / 2);
        assert_eq!(o.on_beacon(b3, false, WallMs(0)), 0);
        let mut tries = 0;
        while let Some(b) = o.take_beacon() {
            o.on_beacon(b, false, WallMs(0));
            tries += 1;
        }
        assert!(tries < 5, "halving stops at a small size");
        assert_eq!(o.len(), 17, "what did not fit is still held");
        o.on_visible();
        assert!(o.take_beacon().is_some(), "full size again once visible");
    }

    #[test]
    fn no_beacon_while_the_collector_fails() {
        let mut o = Outbox::new(limits(1, 48_000), FRAME);
        o.push(ev(1, 100), None, WallMs(0));
        let b = o.take_fetch(WallMs(0)).unwrap();
        o.on_response(b, 503, None, WallMs(0), 0, false);
        assert_eq!(o.take_beacon(), None);
    }

    #[test]
    fn hand_over_empties_the_queue_but_not_storage() {
        let mut o = Outbox::new(limits(100, 48_000), FRAME);
        o.push(ev(1, 100), None, WallMs(0));
        persist(&mut o, 48_000);
        o.hand_over();
        assert!(o.is_empty());
        assert!(
            persist(&mut o, 48_000).is_empty(),
            "the stored copy stays for the next page"
        );
    }

    #[test]
    fn restored_events_go_first() {
        let mut o = Outbox::new(
            Limits {
                max_queue_events: 4,
                ..limits(100, 48_000)
            },
            FRAME,
        );
        o.push(ev(9, 100), None, WallMs(0));
        let old = [ev(1, 100), ev(2, 100), ev(3, 100), ev(4, 100)];
        let dropped = o.restore(old.iter().map(String::as_str), WallMs(0));
        assert_eq!(dropped, 1);
        let tags: Vec<usize> = o.queue.iter().map(|it| tag(&it.json)).collect();
        assert_eq!(tags, [2, 3, 4, 9]);
    }

    #[test]
    fn flush_ticket_settles_after_every_event_had_an_answer() {
        let mut o = Outbox::new(limits(100, 1100), FRAME);
        for n in 0..3 {
            o.push(ev(n, 1000), None, WallMs(0));
        }
        let t = o.start_flush();
        assert!(!o.is_settled(t));
        let a = o.take_fetch(WallMs(0)).unwrap();
        let b = o.take_fetch(WallMs(0)).unwrap();
        o.push(ev(7, 1000), None, WallMs(0));
        o.on_response(a, 200, None, WallMs(1), 0, false);
        assert!(!o.is_settled(t));
        o.on_response(b, 200, None, WallMs(1), 0, false);
        let c = o.take_fetch(WallMs(1)).unwrap();
        assert_eq!(events(&o, c), [2], "forced despite no trigger");
        assert!(!o.is_settled(t));
        o.on_response(c, 200, None, WallMs(2), 0, false);
        assert!(o.is_settled(t), "event 7 came after the flush");
        assert_eq!(
            o.take_fetch(WallMs(2)),
            None,
            "event 7 waits for its trigger"
        );
    }

    #[test]
    fn a_failed_attempt_settles_a_flush() {
        let mut o = Outbox::new(limits(100, 48_000), FRAME);
        o.push(ev(1, 100), None, WallMs(0));
        let t = o.start_flush();
        let a = o.take_fetch(WallMs(0)).unwrap();
        o.on_response(a, 503, None, WallMs(0), 0, false);
        assert!(o.is_settled(t));
        assert_eq!(
            o.take_fetch(WallMs(1)),
            None,
            "no retry storm after a failed flush"
        );
    }
}
