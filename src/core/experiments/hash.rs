//! Assignment exactly as GrowthBook's SDKs compute it (hash version 2), so
//! a visitor gets the same variant from footfall as from GrowthBook given
//! the same seed, id, weights and coverage.
//!
//! JavaScript strings are UTF-16: the hash runs over code units
//! (`charCodeAt`), a character outside the Basic Multilingual Plane being
//! two of them; and the ranges are float sums made in the same order as
//! JavaScript's, so the boundaries are bit for bit the same.

/// FNV-1a offset basis (32 bits).
const OFFSET: u32 = 0x811c_9dc5;
/// FNV-1a prime (32 bits).
const PRIME: u32 = 0x0100_0193;
/// Buckets per unit: a bucket is a multiple of 1/10000.
const BUCKETS: u32 = 10_000;

/// One FNV-1a step over a UTF-16 code unit.
fn step(hash: u32, unit: u16) -> u32 {
    (hash ^ u32::from(unit)).wrapping_mul(PRIME)
}

/// 32-bit FNV-1a over the UTF-16 code units of `text` (what GrowthBook's
/// `hashFnv32a` computes in JavaScript).
///
/// ```
/// use footfall::core::experiments::fnv1a32;
/// assert_eq!(fnv1a32(""), 0x811c_9dc5);
/// assert_eq!(fnv1a32("seeda"), 717_764_279);
/// ```
pub fn fnv1a32(text: &str) -> u32 {
    text.encode_utf16().fold(OFFSET, step)
}

/// FNV-1a over the decimal text of `n` (`String(n)` in JavaScript).
fn fnv1a32_decimal(n: u32) -> u32 {
    let mut hash = OFFSET;
    let mut divisor = 1_000_000_000u32;
    let mut started = false;
    while divisor > 0 {
        let digit = n / divisor % 10;
        if digit != 0 || started || divisor == 1 {
            started = true;
            // A digit is one ASCII byte, one code unit.
            hash = step(hash, u16::from(b'0') + digit as u16);
        }
        divisor /= 10;
    }
    hash
}

/// The bucket of `id` under `seed`, in `[0, 1)` by steps of 1/10000:
/// `(fnv1a32(String(fnv1a32(seed + id))) % 10000) / 10000`.
///
/// ```
/// use footfall::core::experiments::bucket;
/// assert_eq!(bucket("seed", "a"), 0.0505);
/// assert_eq!(bucket("foo", "def"), 0.2019);
/// ```
pub fn bucket(seed: &str, id: &str) -> f64 {
    let first = seed
        .encode_utf16()
        .chain(id.encode_utf16())
        .fold(OFFSET, step);
    f64::from(fnv1a32_decimal(first) % BUCKETS) / f64::from(BUCKETS)
}

/// Why weights cannot be used as they are (equal weights are used instead).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightsProblem {
    /// Not one weight per variant.
    Count,
    /// A weight is negative, infinite or NaN.
    Invalid,
    /// The weights do not sum to 1 within 0.01.
    Sum,
}

/// Whether `weights` can be used for `n` variants: one each, each finite
/// and not negative, summing (in order, as JavaScript adds) to 1 within 0.01.
pub fn check_weights(n: usize, weights: &[f64]) -> Result<(), WeightsProblem> {
    if weights.len() != n {
        return Err(WeightsProblem::Count);
    }
    if !weights.iter().all(|w| w.is_finite() && *w >= 0.0) {
        return Err(WeightsProblem::Invalid);
    }
    let total = weights.iter().fold(0.0, |sum, w| sum + w);
    if !(0.99..=1.01).contains(&total) {
        return Err(WeightsProblem::Sum);
    }
    Ok(())
}

/// The bucket range `[start, end)` of each of `n` variants (GrowthBook's
/// `getBucketRanges`): `coverage` clamped to 0..1 (NaN: 1), `weights`
/// replaced by equal ones (`1 / n`) when [`check_weights`] refuses them;
/// variant i starts where the full weights before it end and covers
/// `coverage * weight_i`.
///
/// ```
/// use footfall::core::experiments::bucket_ranges;
/// assert_eq!(bucket_ranges(2, 0.5, None), [(0.0, 0.25), (0.5, 0.75)]);
/// assert_eq!(bucket_ranges(2, 1.0, Some(&[0.4, 0.1])), [(0.0, 0.5), (0.5, 1.0)]);
/// ```
pub fn bucket_ranges(n: usize, coverage: f64, weights: Option<&[f64]>) -> Vec<(f64, f64)> {
    let coverage = if coverage.is_nan() {
        1.0
    } else {
        coverage.clamp(0.0, 1.0)
    };
    let equal = 1.0 / n as f64;
    let weights = weights.filter(|w| check_weights(n, w).is_ok());
    let mut cumulative = 0.0;
    (0..n)
        .map(|i| {
            let weight = weights.and_then(|w| w.get(i).copied()).unwrap_or(equal);
            let start = cumulative;
            cumulative += weight;
            (start, start + coverage * weight)
        })
        .collect()
}

/// The variant whose range holds `bucket` (`start <= bucket < end`), or
/// `None`: the visitor is not in the experiment.
pub fn choose(bucket: f64, ranges: &[(f64, f64)]) -> Option<usize> {
    ranges
        .iter()
        .position(|&(start, end)| bucket >= start && bucket < end)
}
