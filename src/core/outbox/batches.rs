//! What goes in a batch and when: the triggers (count, bytes, interval,
//! flush), the byte limits (the body cap, the keepalive quota shared by
//! fetches and beacons), the compact form of unload beacons, and the text
//! of a batch's events.

use super::*;

impl Outbox {
    pub(super) fn quota_left(&self) -> usize {
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
        // A burst goes in the compact form, about four times the events per
        // request under the same budget.
        let (count, context) = self.pick(limit);
        if count == 0 && self.keepalive_bytes == 0 {
            // A learned cap or the budget smaller than one event must not
            // block it forever: alone, it may use the whole quota.
            let alone = self.frame_bytes + self.queue.first()?.json.len();
            let fits = alone <= self.quota_left().min(self.limits.max_batch_bytes);
            return self.take(usize::from(fits), Via::Fetch, None);
        }
        // While fetches are in flight, the budget they leave may fit only an
        // event or two: wait for their answers rather than send a sliver
        // (a burst would otherwise alternate full and one-event requests).
        if self.keepalive_bytes > 0 {
            let worth = self.limits.flush_at.min(self.queue.len());
            let free = self
                .limits
                .max_batch_bytes
                .min(self.body_cap)
                .min(FETCH_BUDGET_BYTES);
            if count < worth && count < self.pick(free).0 {
                return None;
            }
        }
        self.take(count, Via::Fetch, context)
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
        let (count, context) = self.pick(limit);
        self.take(count, Via::Beacon, context)
    }

    /// How many events from the front go in a body of `limit` bytes, and in
    /// which form: the normal one when everything queued fits; otherwise
    /// the compact one (the page view's shared context once, as the batch's
    /// `context`) when it carries more events.
    fn pick(&self, limit: usize) -> (usize, Option<u32>) {
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
                        return (compact, Some(ctx));
                    }
                    // The first context's run ends before what fits inline
                    // (a session's first event has a shared context of its
                    // own): send that run alone, so that the next batch
                    // compacts the events after it rather than sending them
                    // whole.
                    let run = self
                        .queue
                        .iter()
                        .take_while(|i| i.compact.map(|c| c.context) == Some(ctx))
                        .count();
                    if run < inline && compact == run {
                        return (run, Some(ctx));
                    }
                }
            }
        }
        (inline, None)
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
}
