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

mod answers;
mod batches;
mod persist;

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
mod tests;
