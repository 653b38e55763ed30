//! What to do with a batch after the collector answered, and how long to wait
//! before the next attempt.

/// The decision for a batch after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx: the collector has the events.
    Ack,
    /// The attempt may succeed later (network error, 408, 429, 5xx but 501/505).
    Retry,
    /// 413: the body is too large; send the batch in halves.
    Split,
    /// Any other answer: the collector will never take these events.
    Drop,
    /// No answer, because the page was closing: the request may have
    /// arrived. Its events stay stored for the next page (never a failure).
    Unknown,
}

/// Status 0 means the request never got an HTTP answer: offline, DNS, CORS,
/// or an ad blocker cancelling it.
pub const NETWORK_ERROR: u16 = 0;

/// Classifies an HTTP status.
///
/// ```
/// use footfall::core::retry::{classify, Verdict};
/// assert_eq!(classify(204), Verdict::Ack);
/// assert_eq!(classify(503), Verdict::Retry);
/// assert_eq!(classify(501), Verdict::Drop);
/// assert_eq!(classify(413), Verdict::Split);
/// ```
pub fn classify(status: u16) -> Verdict {
    match status {
        200..=299 => Verdict::Ack,
        NETWORK_ERROR | 408 | 429 => Verdict::Retry,
        413 => Verdict::Split,
        501 | 505 => Verdict::Drop,
        500..=599 => Verdict::Retry,
        _ => Verdict::Drop,
    }
}

/// First retry delay: 1 s.
pub const BASE_DELAY_MS: u64 = 1000;
/// Longest backoff delay: 60 s.
pub const MAX_DELAY_MS: u64 = 60_000;
/// Longest `Retry-After` honoured: 5 minutes (a longer one is capped).
pub const MAX_RETRY_AFTER_MS: u64 = 300_000;
/// Consecutive network errors after which this page stops trying and leaves
/// the events in storage for a later page (an ad blocker never relents).
pub const MAX_NETWORK_FAILURES: u32 = 3;

/// Delay before retry number `failures` (1 for the first retry): 1 s x 2^(n-1),
/// capped at 60 s, scaled by a jitter factor in [0.75, 1.25) drawn from
/// `jitter` (a uniform random `u32`, supplied by the caller).
///
/// ```
/// use footfall::core::retry::backoff_ms;
/// assert_eq!(backoff_ms(1, u32::MAX / 2), 999);
/// assert!(backoff_ms(30, 0) <= 60_000);
/// ```
pub fn backoff_ms(failures: u32, jitter: u32) -> u64 {
    let exp = failures.saturating_sub(1).min(16);
    let base = BASE_DELAY_MS.saturating_mul(1 << exp).min(MAX_DELAY_MS);
    // factor = 0.75 + jitter / 2^33, in [0.75, 1.25)
    let spread = base / 2;
    let offset = (spread * u64::from(jitter)) >> 32;
    (base - base / 4 + offset).min(MAX_DELAY_MS)
}

/// Parses a `Retry-After` header: delay-seconds, capped at 5 minutes. An
/// HTTP date or garbage gives `None` (the backoff applies alone).
///
/// ```
/// use footfall::core::retry::parse_retry_after;
/// assert_eq!(parse_retry_after("2"), Some(2000));
/// assert_eq!(parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT"), None);
/// ```
pub fn parse_retry_after(header: &str) -> Option<u64> {
    let t = header.trim();
    if t.is_empty() || t.len() > 12 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs = t.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    Some(secs.saturating_mul(1000).min(MAX_RETRY_AFTER_MS))
}

/// A small deterministic generator for jitter (xorshift64*), seeded by the
/// caller so tests replay exactly.
#[derive(Clone, Debug)]
pub struct Jitter(u64);

impl Jitter {
    /// A generator from `seed` (0 is replaced by a fixed odd constant).
    pub fn new(seed: u64) -> Jitter {
        Jitter(if seed == 0 {
            0x9e37_79b9_7f4a_7c15
        } else {
            seed
        })
    }

    /// The next uniform `u32`.
    pub fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_table() {
        let table: &[(u16, Verdict)] = &[
            (0, Verdict::Retry),
            (200, Verdict::Ack),
            (202, Verdict::Ack),
            (204, Verdict::Ack),
            (299, Verdict::Ack),
            (301, Verdict::Drop),
            (400, Verdict::Drop),
            (401, Verdict::Drop),
            (403, Verdict::Drop),
            (404, Verdict::Drop),
            (408, Verdict::Retry),
            (410, Verdict::Drop),
            (413, Verdict::Split),
            (422, Verdict::Drop),
            (429, Verdict::Retry),
            (500, Verdict::Retry),
            (501, Verdict::Drop),
            (502, Verdict::Retry),
            (503, Verdict::Retry),
            (504, Verdict::Retry),
            (505, Verdict::Drop),
            (599, Verdict::Retry),
            (600, Verdict::Drop),
        ];
        for &(status, want) in table {
            assert_eq!(classify(status), want, "{status}");
        }
    }

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        for failures in 1..40 {
            let nominal = (1000u64 << (failures - 1).min(16)).min(60_000);
            let lo = backoff_ms(failures, 0);
            let hi = backoff_ms(failures, u32::MAX);
            assert_eq!(lo, nominal - nominal / 4, "{failures}");
            assert!(
                hi < nominal + nominal / 4 || hi == MAX_DELAY_MS,
                "{failures}: {hi}"
            );
            assert!(hi <= MAX_DELAY_MS);
        }
        assert_eq!(backoff_ms(0, 0), 750);
    }

    #[test]
    fn jitter_spreads_retries() {
        let mut j = Jitter::new(42);
        let delays: Vec<u64> = (0..200).map(|_| backoff_ms(3, j.next_u32())).collect();
        let min = *delays.iter().min().unwrap();
        let max = *delays.iter().max().unwrap();
        assert!(min >= 3000 && max < 5000, "{min}..{max}");
        assert!(max - min > 1500, "jitter too narrow: {min}..{max}");
        let mut a = Jitter::new(7);
        let mut b = Jitter::new(7);
        assert_eq!(a.next_u32(), b.next_u32());
        assert_ne!(Jitter::new(0).next_u32(), 0);
    }

    #[test]
    fn retry_after_table() {
        let table = [
            ("0", Some(0)),
            ("2", Some(2000)),
            (" 30 ", Some(30_000)),
            ("301", Some(300_000)),
            ("99999999999", Some(300_000)),
            ("999999999999999999999", None),
            ("-1", None),
            ("1.5", None),
            ("", None),
            ("soon", None),
            ("Wed, 21 Oct 2026 07:28:00 GMT", None),
        ];
        for (h, want) in table {
            assert_eq!(parse_retry_after(h), want, "{h}");
        }
    }
}
