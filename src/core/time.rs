//! Time as plain numbers. Nothing here reads a clock: callers pass the time in.

/// Wall-clock milliseconds since the Unix epoch, as `Date.now()` returns them.
///
/// Used for event timestamps and for deadlines that must survive a page load
/// (they are compared with times read on a later page).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct WallMs(pub u64);

impl WallMs {
    /// This instant plus `ms`, saturating.
    pub fn plus(self, ms: u64) -> WallMs {
        WallMs(self.0.saturating_add(ms))
    }

    /// Milliseconds from `earlier` to this instant, or 0 if `earlier` is later.
    pub fn since(self, earlier: WallMs) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

/// Length of an ISO-8601 timestamp written by [`push_iso8601`].
pub const ISO8601_LEN: usize = 24;

/// Appends `t` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC), the form of JavaScript's
/// `Date.prototype.toISOString` for years 0 to 9999.
///
/// ```
/// use footfall::core::time::{push_iso8601, WallMs};
/// let mut s = String::new();
/// push_iso8601(&mut s, WallMs(1_795_348_800_123));
/// assert_eq!(s, "2026-11-22T12:00:00.123Z");
/// ```
pub fn push_iso8601(out: &mut String, t: WallMs) {
    let ms = t.0 % 1000;
    let secs = t.0 / 1000;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    push_padded(out, year.min(9999), 4);
    out.push('-');
    push_padded(out, month, 2);
    out.push('-');
    push_padded(out, day, 2);
    out.push('T');
    push_padded(out, rem / 3600, 2);
    out.push(':');
    push_padded(out, rem % 3600 / 60, 2);
    out.push(':');
    push_padded(out, rem % 60, 2);
    out.push('.');
    push_padded(out, ms, 3);
    out.push('Z');
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's
/// `civil_from_days`, restricted to dates on or after the epoch.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// Appends `n` in decimal, left-padded with zeros to `width` digits.
pub fn push_padded(out: &mut String, n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    let start = i.min(digits.len().saturating_sub(width));
    for &d in digits.get(start..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(ms: u64) -> String {
        let mut s = String::new();
        push_iso8601(&mut s, WallMs(ms));
        s
    }

    #[test]
    fn formats_like_to_iso_string() {
        let cases = [
            (0, "1970-01-01T00:00:00.000Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (1_709_251_199_999, "2024-02-29T23:59:59.999Z"),
            (1_795_348_800_123, "2026-11-22T12:00:00.123Z"),
            (4_102_444_800_000, "2100-01-01T00:00:00.000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        ];
        for (ms, want) in cases {
            assert_eq!(iso(ms), want, "{ms}");
            assert_eq!(iso(ms).len(), ISO8601_LEN);
        }
    }

    #[test]
    fn pads_and_keeps_long_numbers() {
        let mut s = String::new();
        push_padded(&mut s, 7, 3);
        push_padded(&mut s, 12345, 2);
        push_padded(&mut s, u64::MAX, 1);
        assert_eq!(s, "00712345".to_owned() + &u64::MAX.to_string());
    }

    #[test]
    fn wall_arithmetic_saturates() {
        assert_eq!(WallMs(u64::MAX).plus(5), WallMs(u64::MAX));
        assert_eq!(WallMs(5).since(WallMs(9)), 0);
        assert_eq!(WallMs(9).since(WallMs(5)), 4);
    }
}
