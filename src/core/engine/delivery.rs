//! Delivery: what is sent when, what is persisted, the beacons of a page
//! that is hidden or leaves, and `flush()` tickets. The outbox decides;
//! this turns its decisions into effects.

use crate::core::config::Config;
use crate::core::engine::{Effect, Engine, Log};
use crate::core::json::push_str;
use crate::core::outbox::{BatchId, StoreOp};
use crate::core::retry::{parse_retry_after, Verdict};
use crate::core::tabs::{self, heartbeat_key, segment_key, CLOSED};
use crate::core::time::{push_iso8601, WallMs};

use super::adoption::Beat;
#[cfg(feature = "signals")]
use super::signals::Moment;

/// How long fetches wait after the page announced a navigation away: long
/// enough for `pagehide` to come, short enough that a cancelled navigation
/// (a download, a 204) only delays sending a little.
pub const LEAVING_HOLD_MS: u64 = 1000;

impl Engine {
    /// `flush()`: settled with [`Effect::FlushDone`] once what is queued now
    /// was answered.
    pub(super) fn flush(&mut self, now: WallMs, ticket: u32) {
        if self.outbox.is_empty() {
            self.effects.push(Effect::FlushDone(ticket));
        } else {
            let t = self.outbox.start_flush();
            self.tickets.push((ticket, t));
            self.sync(now);
        }
    }

    /// A fetch ended with `status` (0: a network error).
    pub(super) fn on_response(
        &mut self,
        now: WallMs,
        batch: BatchId,
        status: u16,
        retry_after: Option<&str>,
        closing: bool,
    ) {
        let retry_after_ms = retry_after.and_then(parse_retry_after);
        let answer = self.outbox.on_response(
            batch,
            status,
            retry_after_ms,
            now,
            self.jitter.next_u32(),
            closing || self.left,
        );
        self.stats.sent += answer.tally.sent;
        self.stats.dropped += answer.tally.dropped;
        self.stats.retried += answer.tally.retried;
        match answer.verdict {
            Verdict::Drop => self.log(Log::Rejected(status)),
            Verdict::Retry | Verdict::Split => self.log(Log::Retrying(status)),
            Verdict::Ack | Verdict::Unknown => {}
        }
        if self.left {
            // An answer after the page left: storage is all that
            // counts now, and what it holds is anyone's.
            self.persist(now);
            self.give_up_records();
            self.settle_tickets();
        } else {
            self.sync(now);
        }
    }

    /// `sendBeacon` returned.
    pub(super) fn on_beacon(&mut self, now: WallMs, batch: BatchId, accepted: bool) {
        self.stats.sent += self.outbox.on_beacon(batch, accepted, now);
        if !accepted {
            self.log(Log::BeaconRefused);
        }
        // Storage follows each beacon at once: if the browser ends
        // this listener inside the next one, what left is not
        // stored any more.
        self.persist(now);
        self.next_beacon(now);
    }

    /// A `sendBeacon` call never returned.
    pub(super) fn on_beacon_cut_off(&mut self, now: WallMs, batch: BatchId) {
        // Reported by the next callback (Firefox's `visibilitychange`
        // after `pagehide`): whether the beacon left is unknown, so
        // its events go again now, and the collector deduplicates.
        self.outbox.on_beacon_unknown(batch, now);
        self.log(Log::BeaconCutOff);
        self.next_beacon(now);
    }

    /// The page became hidden: the signals end the page view's part, then
    /// what is queued leaves by beacon.
    pub(super) fn hidden(&mut self, now: WallMs) {
        #[cfg(feature = "signals")]
        self.signals_at(now, Moment::Hidden);
        #[cfg(feature = "vitals")]
        self.vitals_end(now);
        #[cfg(feature = "heatmap")]
        self.heatmap_send(now);
        self.persist(now);
        self.next_beacon(now);
    }

    /// The page became visible again.
    pub(super) fn visible(&mut self, now: WallMs) {
        #[cfg(feature = "signals")]
        self.signals_at(now, Moment::Visible);
        self.outbox.on_visible();
        self.sync(now);
    }

    /// `pagehide`: the heartbeat first, then storage, the network last.
    pub(super) fn unload(&mut self, now: WallMs, unsent: &[BatchId]) {
        #[cfg(feature = "forms")]
        self.forms_end(now);
        #[cfg(feature = "vitals")]
        self.vitals_end(now);
        #[cfg(feature = "heatmap")]
        self.heatmap_send(now);
        #[cfg(feature = "signals")]
        self.signals_at(now, Moment::Unload);
        for &batch in unsent {
            self.outbox.reclaim(batch);
        }
        self.unloading = true;
        self.left = true;
        // The heartbeat first, then storage, network last: a
        // browser may end this listener anywhere (Firefox, closing a
        // tab, a millisecond or two in). `leaving` first, one small
        // write, lets the next page (or another tab) adopt what is
        // left 2 s later whatever happens after it; before any
        // beacon, storage holds exactly what is not known to be
        // delivered (fetches in flight are left to the browser
        // while the collector is healthy).
        if self.outbox.has_segments() && matches!(self.beat, Beat::Live(_) | Beat::Off) {
            self.store(&heartbeat_key(&self.tab), tabs::leaving(now));
            self.beat = Beat::Leaving;
        }
        self.outbox.release_in_flight();
        self.persist(now);
        self.next_beacon(now);
    }

    /// `shutdown()`: the signals finish, everything is handed over to
    /// storage, nothing happens after.
    pub(super) fn shutdown(&mut self, now: WallMs) {
        #[cfg(feature = "signals")]
        self.signals_at(now, Moment::Shutdown);
        self.hand_over(now);
        self.stopped = true;
        self.settle_tickets();
    }

    pub(super) fn request_drain(&mut self) {
        if !self.drain_pending {
            self.drain_pending = true;
            self.effects.push(Effect::Defer);
        }
    }

    /// Persists what changed, sends what is due, settles flushes.
    pub(super) fn sync(&mut self, now: WallMs) {
        if !self.consent.tracks() {
            return self.settle_tickets();
        }
        self.persist(now);
        while let Some(batch) = self.outbox.take_fetch(now) {
            let body = self.body(batch, now);
            self.effects.push(Effect::Send { batch, body });
        }
        self.settle_tickets();
    }

    pub(super) fn settle_tickets(&mut self) {
        let outbox = &self.outbox;
        let stopped = self.stopped;
        let effects = &mut self.effects;
        self.tickets.retain(|&(ticket, t)| {
            let settled = stopped || outbox.is_settled(t);
            if settled {
                effects.push(Effect::FlushDone(ticket));
            }
            !settled
        });
    }

    /// Sends the next beacon while hidden or unloading; when none is left,
    /// finishes the unload by handing the rest over to storage.
    pub(super) fn next_beacon(&mut self, now: WallMs) {
        if !self.consent.tracks() {
            self.unloading = false;
            return self.settle_tickets();
        }
        if let Some(batch) = self.outbox.take_beacon() {
            let body = self.body(batch, now);
            self.effects.push(Effect::Beacon { batch, body });
            return;
        }
        self.persist(now);
        if self.unloading {
            self.give_up_records();
            self.unloading = false;
        }
        self.settle_tickets();
    }

    /// After the page left and persisted: what it stored is anyone's now,
    /// and its heartbeat says `closed`; when it never handed any record
    /// over, the heartbeat record goes.
    pub(super) fn give_up_records(&mut self) {
        self.handed_over |= self.outbox.has_segments();
        self.outbox.hand_over();
        if self.handed_over {
            if self.beat != Beat::Closed {
                self.store(&heartbeat_key(&self.tab), CLOSED.to_owned());
                self.beat = Beat::Closed;
            }
        } else if self.beat != Beat::Off {
            self.effects.push(Effect::Remove {
                key: heartbeat_key(&self.tab),
            });
            self.beat = Beat::Off;
        }
    }

    /// The page is shut down: keepalive fetches in flight are left to the
    /// browser, everything else stays in storage, and the heartbeat says
    /// "closed" so the next page adopts it at once.
    fn hand_over(&mut self, now: WallMs) {
        self.left = true;
        self.outbox.release_in_flight();
        self.persist(now);
        self.give_up_records();
    }

    /// Writes what changed to storage, and keeps the heartbeat record in
    /// step: present (and beating) exactly while this page has records.
    pub(super) fn persist(&mut self, now: WallMs) {
        let mut ops = Vec::new();
        self.outbox.persist(self.config.max_batch_bytes, &mut ops);
        for op in ops {
            let effect = match op {
                StoreOp::Write { segment, value } => Effect::Store {
                    key: segment_key(&self.tab, segment),
                    value,
                },
                StoreOp::Delete { segment } => Effect::Remove {
                    key: segment_key(&self.tab, segment),
                },
            };
            self.effects.push(effect);
        }
        let held = self.outbox.has_segments();
        match self.beat {
            Beat::Off | Beat::Live(_) if held && self.unloading => {
                self.store(&heartbeat_key(&self.tab), tabs::leaving(now));
                self.beat = Beat::Leaving;
            }
            Beat::Off | Beat::Live(_) | Beat::Leaving if held && self.left && !self.unloading => {
                self.store(&heartbeat_key(&self.tab), CLOSED.to_owned());
                self.beat = Beat::Closed;
            }
            Beat::Off if held => self.beat(now),
            Beat::Live(_) if !held => {
                self.effects.push(Effect::Remove {
                    key: heartbeat_key(&self.tab),
                });
                self.beat = Beat::Off;
            }
            // Closed stays closed until the page comes back: what it
            // stored is anyone's, even once it holds nothing itself.
            _ => {}
        }
        #[cfg(feature = "attribution")]
        self.persist_session();
    }

    /// Writes the session and the touches when they changed: the one place
    /// attribution state reaches storage, at most once per task.
    #[cfg(feature = "attribution")]
    fn persist_session(&mut self) {
        for (key, value) in self.visit.take_writes() {
            self.store(key, value);
        }
    }

    fn body(&self, batch: BatchId, now: WallMs) -> String {
        let mut body = String::with_capacity(self.outbox.batch_bytes(batch));
        body.push_str("{\"batch\":[");
        self.outbox.write_events(batch, &mut body);
        body.push(']');
        if let Some(context) = self.outbox.batch_context(batch) {
            body.push_str(",\"context\":{");
            body.push_str(context);
            body.push('}');
        }
        push_body_tail(&mut body, &self.config, now);
        body
    }
}

/// A body with no events: its length is the per-request overhead.
pub(super) fn body_frame(config: &Config) -> String {
    let mut frame = String::from("{\"batch\":[]");
    push_body_tail(&mut frame, config, WallMs(0));
    frame
}

fn push_body_tail(body: &mut String, config: &Config, now: WallMs) {
    body.push_str(",\"sentAt\":\"");
    push_iso8601(body, now);
    body.push('"');
    if let Some(key) = &config.write_key {
        body.push_str(",\"writeKey\":");
        push_str(body, key);
    }
    body.push('}');
}
