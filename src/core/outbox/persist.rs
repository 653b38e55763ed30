//! Persistence: which storage records (segments of consecutive events,
//! one JSON object per line) must be written or deleted since the last
//! look. The engine turns them into effects.

use super::*;

impl Outbox {
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
                // Sized once: a burst's segments fill up to the limit.
                (next_segment - 1, String::with_capacity(segment_bytes), 0)
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
}
