//! Forcing a variant for QA: `?ff_variant=hero_copy:urgent` shows that
//! variant on this page view only (never stored as sticky); several are
//! separated by commas (`?ff_variant=hero_copy:urgent,price:low`), and the
//! parameter may be repeated.
//!
//! The value is percent-decoded before it is split (`URLSearchParams`
//! writes `hero_copy%3Aurgent`), so a key cannot hold `:` or `,`, and a
//! variant cannot hold `,`; a variant may hold `:` (the first one splits).

use super::{fits, MAX_EXPERIMENTS};
use crate::core::url::{decode, key_is, pairs};

/// The query parameter that forces variants.
pub const FORCE_PARAM: &str = "ff_variant";

/// The `(key, variant)` pairs forced by a query string (`url::query` of
/// the page URL): every `ff_variant` parameter, in order, the first of a
/// key winning; at most [`MAX_EXPERIMENTS`].
///
/// ```
/// use footfall::core::experiments::forced_from_query;
/// let f = forced_from_query("utm_source=x&ff_variant=hero_copy%3Aurgent,price:low&FF_VARIANT=hero_copy:b");
/// assert_eq!(f, [("hero_copy".into(), "urgent".into()), ("price".into(), "low".into())]);
/// ```
pub fn forced_from_query(query: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (_, value) in pairs(query).filter(|(k, _)| key_is(k, FORCE_PARAM)) {
        push_forced(&mut out, value);
    }
    out
}

/// The `(key, variant)` pairs of one `ff_variant` value, raw or decoded
/// (`hero_copy:urgent,price%3Alow`); a part without `:`, or with an empty
/// or too long key or variant, is left out.
///
/// ```
/// use footfall::core::experiments::forced_from_value;
/// assert_eq!(forced_from_value(" a:x , b , :y, c: "), [("a".into(), "x".into())]);
/// ```
pub fn forced_from_value(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    push_forced(&mut out, value);
    out
}

/// Appends the pairs of one raw value to `out`.
fn push_forced(out: &mut Vec<(String, String)>, raw: &str) {
    let value = decode(raw);
    for part in value.split(',') {
        if out.len() >= MAX_EXPERIMENTS {
            return;
        }
        let Some((key, variant)) = part.split_once(':') else {
            continue;
        };
        let (key, variant) = (key.trim(), variant.trim());
        if fits(key) && fits(variant) && out.iter().all(|(k, _)| k != key) {
            out.push((key.to_owned(), variant.to_owned()));
        }
    }
}

/// The variants forced on this page view, checked against the experiments
/// ([`Experiments::forced`](super::Experiments::forced)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Forced {
    /// Experiment key and the index of its forced variant.
    pub(super) pairs: Vec<(String, usize)>,
}

impl Forced {
    /// The index of the variant forced for experiment `key`, if any.
    pub fn get(&self, key: &str) -> Option<usize> {
        self.pairs.iter().find(|(k, _)| k == key).map(|&(_, i)| i)
    }

    /// Whether nothing is forced.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}
