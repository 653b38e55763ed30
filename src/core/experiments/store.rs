//! What experiments keep in storage, and the JSON they send.
//!
//! - [`Sticky`]: the browser's assignments, kept until reset (under
//!   [`KEY_STICKY`]): `key=variant=idhash` entries joined by `&`, key and
//!   variant percent-encoded ([`push_encoded`]), `idhash` the 8 hex digits
//!   of [`fnv1a32`] of the id the variant was assigned to, so an entry
//!   never follows another visitor (another user id, a new anonymous id).
//!   Oldest first, at most [`MAX_STICKY`].
//! - [`Exposures`]: the experiments exposed in the current session (under
//!   [`KEY_EXPOSED`]): the session id, then `key=variant` entries, joined
//!   by `&`, each percent-encoded.
//!
//! Both read any text without failing: a part that does not parse, or
//! names an empty or too long key or variant, is dropped; a record from
//! another session is empty.

use super::{fits, Experiment, MAX_EXPERIMENTS, MAX_TEXT_CHARS};
use crate::core::experiments::fnv1a32;
use crate::core::json::{hex_digit, hex_value, push_key, push_str};
use crate::core::url::{clip, decode, push_encoded};

/// Storage key (localStorage) of the sticky assignments.
pub const KEY_STICKY: &str = "footfall.exp";
/// Storage key (localStorage: shared by the session's tabs) of the
/// experiments exposed in the current session.
pub const KEY_EXPOSED: &str = "footfall.exp.seen";
/// Most sticky assignments kept (the oldest go first).
pub const MAX_STICKY: usize = 50;
/// Most `&` parts of a stored record looked at (garbage is not scanned on).
const MAX_PARTS: usize = 4 * MAX_STICKY;
/// Longest raw id read: [`MAX_TEXT_CHARS`] characters of up to 4 bytes,
/// each byte percent-encoded.
const MAX_PART_BYTES: usize = MAX_TEXT_CHARS * 12;

/// A stored part decoded, if it is a valid id.
fn read_id(raw: &str) -> Option<String> {
    if raw.len() > MAX_PART_BYTES {
        return None;
    }
    let text = decode(raw);
    fits(&text).then(|| text.into_owned())
}

/// The `&` parts of a stored record worth reading.
fn parts(stored: &str) -> impl Iterator<Item = &str> {
    stored.split('&').take(MAX_PARTS)
}

/// Eight lowercase hex digits of `n`.
fn push_hex32(out: &mut String, n: u32) {
    for shift in (0..8).rev() {
        out.push(hex_digit((n >> (shift * 4)) as u8));
    }
}

/// The number written by [`push_hex32`].
fn read_hex32(text: &str) -> Option<u32> {
    if text.len() != 8 {
        return None;
    }
    text.bytes()
        .try_fold(0u32, |n, b| Some(n << 4 | u32::from(hex_value(b)?)))
}

/// One sticky assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    key: String,
    variant: String,
    /// [`fnv1a32`] of the id the variant was assigned to.
    id_hash: u32,
}

/// The entries of `parts` (`key=variant=idhash` when `hashed`, else
/// `key=variant`), at most `max`; what does not parse is dropped, the
/// first entry of a key wins.
fn read_entries<'a>(parts: impl Iterator<Item = &'a str>, max: usize, hashed: bool) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    for part in parts {
        if entries.len() >= max {
            break;
        }
        let Some((key, rest)) = part.split_once('=') else {
            continue;
        };
        let (variant, id_hash) = match rest.split_once('=') {
            Some((variant, hash)) if hashed => (variant, read_hex32(hash)),
            None if !hashed => (rest, Some(0)),
            _ => continue,
        };
        let (Some(key), Some(variant), Some(id_hash)) = (read_id(key), read_id(variant), id_hash)
        else {
            continue;
        };
        if entries.iter().all(|e| e.key != key) {
            entries.push(Entry {
                key,
                variant,
                id_hash,
            });
        }
    }
    entries
}

/// Puts `entry` last in `entries`, replacing its key's entry; past `max`
/// the oldest goes.
fn put(entries: &mut Vec<Entry>, entry: Entry, max: usize) {
    let drop_oldest = entries.len() >= max && entries.iter().all(|e| e.key != entry.key);
    let mut place = 0;
    entries.retain(|e| {
        place += 1;
        e.key != entry.key && !(drop_oldest && place == 1)
    });
    entries.push(entry);
}

/// The assignments kept in this browser, read from and written to
/// [`KEY_STICKY`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sticky {
    entries: Vec<Entry>,
}

impl Sticky {
    /// The assignments stored as `stored` (any text: what does not parse
    /// is dropped; the first entry of a key wins).
    ///
    /// ```
    /// use footfall::core::experiments::Sticky;
    /// let s = Sticky::parse("hero=urgent=0a1b2c3d&junk&&=x=1&hero=b=0a1b2c3d");
    /// assert_eq!(s.len(), 1);
    /// assert_eq!(Sticky::parse("\u{0}%%&=").len(), 0);
    /// ```
    pub fn parse(stored: &str) -> Sticky {
        Sticky {
            entries: read_entries(parts(stored), MAX_STICKY, true),
        }
    }

    /// The text to store under [`KEY_STICKY`] ("" when empty).
    pub fn serialize(&self) -> String {
        let mut out = String::new();
        for e in &self.entries {
            if !out.is_empty() {
                out.push('&');
            }
            push_encoded(&mut out, &e.key);
            out.push('=');
            push_encoded(&mut out, &e.variant);
            out.push('=');
            push_hex32(&mut out, e.id_hash);
        }
        out
    }

    /// The variant stored for experiment `key`, if it was assigned to `id`.
    pub fn get(&self, key: &str, id: &str) -> Option<&str> {
        let hash = fnv1a32(id);
        self.entries
            .iter()
            .find(|e| e.key == key && e.id_hash == hash)
            .map(|e| e.variant.as_str())
    }

    /// Keeps `variant` as `id`'s assignment in experiment `key`, replacing
    /// the key's previous one; past [`MAX_STICKY`] the oldest goes. An
    /// empty or too long key or variant is not kept.
    pub fn set(&mut self, key: &str, variant: &str, id: &str) {
        if !(fits(key) && fits(variant)) {
            return;
        }
        let entry = Entry {
            key: key.to_owned(),
            variant: variant.to_owned(),
            id_hash: fnv1a32(id),
        };
        put(&mut self.entries, entry, MAX_STICKY);
    }

    /// How many assignments are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The experiments exposed in one session, read from and written to
/// [`KEY_EXPOSED`]: `Experiment Viewed` is tracked once per session for
/// each experiment and variant, whichever page or tab asks first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exposures {
    /// The session's id (at most [`MAX_TEXT_CHARS`] characters).
    session: String,
    /// Experiment key and variant exposed, oldest first (`id_hash` 0).
    seen: Vec<Entry>,
}

impl Exposures {
    /// The record stored as `stored` (any text: a session id that does
    /// not parse makes it empty, an entry that does not parse is dropped).
    ///
    /// ```
    /// use footfall::core::experiments::Exposures;
    /// let e = Exposures::parse("s1&hero=urgent&bad&=x");
    /// assert_eq!(e.context("s1").as_deref(), Some(r#"{"hero":"urgent"}"#));
    /// assert_eq!(e.context("s2"), None);
    /// ```
    pub fn parse(stored: &str) -> Exposures {
        let mut parts = parts(stored);
        let Some(session) = parts.next().filter(|s| !s.contains('=')).and_then(read_id) else {
            return Exposures::default();
        };
        let seen = read_entries(parts, MAX_EXPERIMENTS, false);
        Exposures { session, seen }
    }

    /// The text to store under [`KEY_EXPOSED`] ("" when nothing was
    /// exposed).
    pub fn serialize(&self) -> String {
        let mut out = String::new();
        if self.session.is_empty() {
            return out;
        }
        push_encoded(&mut out, &self.session);
        for e in &self.seen {
            out.push('&');
            push_encoded(&mut out, &e.key);
            out.push('=');
            push_encoded(&mut out, &e.variant);
        }
        out
    }

    /// `variant` of experiment `key` is shown in session `session_id` (not
    /// empty: a record without a session is not stored):
    /// whether to track `Experiment Viewed` (not yet exposed with this
    /// variant in this session). A different session starts the record
    /// again; the record changes only when this returns true.
    pub fn expose(&mut self, session_id: &str, key: &str, variant: &str) -> bool {
        let session = clip(session_id, MAX_TEXT_CHARS);
        if self.session != session {
            self.session = session.to_owned();
            self.seen.clear();
        }
        if self
            .seen
            .iter()
            .any(|e| e.key == key && e.variant == variant)
        {
            return false;
        }
        let entry = Entry {
            key: key.to_owned(),
            variant: variant.to_owned(),
            id_hash: 0,
        };
        put(&mut self.seen, entry, MAX_EXPERIMENTS);
        true
    }

    /// `context.experiments` for session `session_id`: each exposed
    /// experiment's variant (`{"hero_copy":"urgent"}`), or `None` when none
    /// was exposed in that session.
    pub fn context(&self, session_id: &str) -> Option<String> {
        if self.seen.is_empty() || self.session != clip(session_id, MAX_TEXT_CHARS) {
            return None;
        }
        let mut out = String::from("{");
        for e in &self.seen {
            if out.len() > 1 {
                out.push(',');
            }
            push_str(&mut out, &e.key);
            out.push(':');
            push_str(&mut out, &e.variant);
        }
        out.push('}');
        Some(out)
    }
}

/// The properties of `Experiment Viewed` for variant `index` of
/// `experiment`: `experiment_id`, `experiment_name`, `variation_id`,
/// `variation_name` and, when forced, `"forced":true`.
pub fn exposure_properties(experiment: &Experiment, index: usize, forced: bool) -> String {
    let variant = experiment.variant(index);
    let mut out = String::with_capacity(
        experiment.key().len() + experiment.name().len() + 2 * variant.len() + 96,
    );
    out.push('{');
    push_key(&mut out, "experiment_id");
    push_str(&mut out, experiment.key());
    out.push(',');
    push_key(&mut out, "experiment_name");
    push_str(&mut out, experiment.name());
    for name in ["variation_id", "variation_name"] {
        out.push(',');
        push_key(&mut out, name);
        push_str(&mut out, variant);
    }
    if forced {
        out.push(',');
        push_key(&mut out, "forced");
        out.push_str("true");
    }
    out.push('}');
    out
}
