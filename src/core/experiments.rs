//! A/B experiments (the `experiments` capability): which variant a visitor
//! sees, whether that is recorded, and what is kept and sent.
//!
//! - Options are read into [`Experiment`]s ([`Experiment::from_options`],
//!   [`Experiments::from_options`]); bad input gives a [`Warning`] naming
//!   the experiment and a sane default, never a failure.
//! - Assignment is GrowthBook's hash version 2 over the visitor's
//!   anonymous id or user id ([`hash`](mod@hash)): the same variant as
//!   GrowthBook's SDKs for the same seed, id, weights and coverage.
//! - The first assignment is kept ([`Sticky`]) and wins over later weight
//!   or coverage changes; a variant forced by `?ff_variant=key:variant`
//!   ([`force`]) wins over everything for one page view and is not kept.
//! - Without analytics consent the first variant is shown and nothing is
//!   recorded or kept.
//! - `Experiment Viewed` is tracked once per session for each experiment
//!   and variant ([`Exposures`], [`exposure_properties`]).
//!
//! Ids and consent come in as arguments; storage is read and written by
//! the caller as text ([`Sticky::parse`], [`Sticky::serialize`]).

pub mod force;
pub mod hash;
pub mod store;
pub mod warning;

pub use force::{forced_from_query, forced_from_value, Forced, FORCE_PARAM};
pub use hash::{bucket, bucket_ranges, check_weights, choose, fnv1a32, WeightsProblem};
pub use store::{exposure_properties, Exposures, Sticky, KEY_EXPOSED, KEY_STICKY, MAX_STICKY};
pub use warning::{Warning, WarningKind};

use crate::core::url::clip;

/// The event tracked when a visitor is first shown a variant in a session.
pub const EXPOSURE_EVENT: &str = "Experiment Viewed";
/// Most experiments (the rest are ignored).
pub const MAX_EXPERIMENTS: usize = 50;
/// Fewest variants of an experiment (the first is the control).
pub const MIN_VARIANTS: usize = 2;
/// Most variants of an experiment (the rest are left out).
pub const MAX_VARIANTS: usize = 20;
/// Longest key, variant id, name or seed, in characters.
pub const MAX_TEXT_CHARS: usize = 100;

/// Whether `text` can be a key or variant id: not empty, at most
/// [`MAX_TEXT_CHARS`] characters.
fn fits(text: &str) -> bool {
    // Characters counted as the bytes that start one (no UTF-8 decoding).
    let chars = text.bytes().filter(|b| b & 0xC0 != 0x80).count();
    chars > 0 && chars <= MAX_TEXT_CHARS
}

/// Which id a visitor is assigned by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HashAttribute {
    /// The anonymous id (the default).
    #[default]
    AnonymousId,
    /// The user id of `identify`: visitors without one are not in the
    /// experiment.
    UserId,
}

/// One experiment's options as the site gave them (`experiments: { key:
/// { variants, weights, coverage, name, seed, hashAttribute } }`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExperimentOptions {
    /// The experiment's key (`experiment_id`).
    pub key: String,
    /// The variant ids, the control first.
    pub variants: Vec<String>,
    /// One weight per variant (default: equal).
    pub weights: Option<Vec<f64>>,
    /// Share of visitors in the experiment (default 1).
    pub coverage: Option<f64>,
    /// Hash seed (default: the key).
    pub seed: Option<String>,
    /// `anonymousId` (default) or `userId`.
    pub hash_attribute: Option<String>,
    /// Name sent as `experiment_name` (default: the key).
    pub name: Option<String>,
}

/// An experiment ready to assign visitors.
#[derive(Clone, Debug, PartialEq)]
pub struct Experiment {
    key: String,
    name: String,
    seed: String,
    hash_attribute: HashAttribute,
    /// At least [`MIN_VARIANTS`], at most [`MAX_VARIANTS`], distinct.
    variants: Vec<String>,
    /// One bucket range per variant.
    ranges: Vec<(f64, f64)>,
}

/// The visitor's ids.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ids<'a> {
    /// The anonymous id.
    pub anonymous_id: Option<&'a str>,
    /// The user id of `identify`, if any.
    pub user_id: Option<&'a str>,
}

/// Which variant to show, and what to do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The variant to show (0, the control, when not in the experiment).
    pub variant_index: usize,
    /// The visitor is in the experiment with consent: expose it (once per
    /// session, [`Exposures::expose`]).
    pub record: bool,
    /// The variant was forced by `ff_variant`.
    pub forced: bool,
    /// A new assignment was kept: store [`Sticky::serialize`].
    pub stored: bool,
}

impl Decision {
    /// The control, nothing recorded.
    const CONTROL: Decision = Decision {
        variant_index: 0,
        record: false,
        forced: false,
        stored: false,
    };
}

impl Experiment {
    /// The experiment `opts` describe, with a warning for each problem;
    /// `None` when it is unusable (bad key, fewer than 2 distinct variants).
    pub fn from_options(opts: ExperimentOptions) -> (Option<Experiment>, Vec<Warning>) {
        let mut warnings = Vec::new();
        let key = opts.key;
        let mut warn = |kind| warnings.push(Warning::new(&key, kind));
        if !fits(&key) {
            warn(WarningKind::KeyInvalid);
            return (None, warnings);
        }
        // Valid, distinct ids, each with its place in the given list.
        let given = opts.variants.len();
        let mut kept: Vec<(usize, String)> = Vec::new();
        for (i, id) in opts.variants.into_iter().enumerate() {
            if !fits(&id) {
                warn(WarningKind::VariantInvalid);
            } else if kept.iter().any(|(_, v)| *v == id) {
                warn(WarningKind::DuplicateVariant);
            } else if kept.len() == MAX_VARIANTS {
                warn(WarningKind::TooManyVariants);
                break;
            } else {
                kept.push((i, id));
            }
        }
        match kept.len() {
            0 => warn(WarningKind::NoVariants),
            1 => warn(WarningKind::TooFewVariants),
            _ => {}
        }
        if kept.len() < MIN_VARIANTS {
            return (None, warnings);
        }
        // The weights of the variants kept, one per variant given.
        let weights = opts.weights.and_then(|w| {
            let picked: Vec<f64> = kept
                .iter()
                .filter_map(|(i, _)| w.get(*i).copied())
                .collect();
            let checked = if w.len() == given {
                check_weights(kept.len(), &picked)
            } else {
                Err(WeightsProblem::Count)
            };
            match checked {
                Ok(()) => Some(picked),
                Err(problem) => {
                    warn(match problem {
                        WeightsProblem::Count => WarningKind::WeightsCount,
                        WeightsProblem::Invalid => WarningKind::WeightsInvalid,
                        WeightsProblem::Sum => WarningKind::WeightsSum,
                    });
                    None
                }
            }
        });
        let coverage = match opts.coverage {
            None => 1.0,
            Some(c) if c.is_nan() => {
                warn(WarningKind::CoverageInvalid);
                1.0
            }
            Some(c) => {
                if !(0.0..=1.0).contains(&c) {
                    warn(WarningKind::CoverageClamped);
                }
                c.clamp(0.0, 1.0)
            }
        };
        let hash_attribute = match opts.hash_attribute.as_deref() {
            None | Some("anonymousId") => HashAttribute::AnonymousId,
            Some("userId") => HashAttribute::UserId,
            Some(_) => {
                warn(WarningKind::HashAttributeUnknown);
                HashAttribute::AnonymousId
            }
        };
        let mut text = |value: Option<String>| match value.filter(|t| !t.is_empty()) {
            None => key.clone(),
            Some(t) if fits(&t) => t,
            Some(t) => {
                warn(WarningKind::TextCut);
                clip(&t, MAX_TEXT_CHARS).to_owned()
            }
        };
        let name = text(opts.name);
        let seed = text(opts.seed);
        let variants: Vec<String> = kept.into_iter().map(|(_, id)| id).collect();
        let ranges = bucket_ranges(variants.len(), coverage, weights.as_deref());
        let experiment = Experiment {
            key,
            name,
            seed,
            hash_attribute,
            variants,
            ranges,
        };
        (Some(experiment), warnings)
    }

    /// The key (`experiment_id`).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The name (`experiment_name`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The hash seed.
    pub fn seed(&self) -> &str {
        &self.seed
    }

    /// Which id visitors are assigned by.
    pub fn hash_attribute(&self) -> HashAttribute {
        self.hash_attribute
    }

    /// The variant ids, the control first (at least 2).
    pub fn variants(&self) -> &[String] {
        &self.variants
    }

    /// The bucket range `[start, end)` of each variant.
    pub fn ranges(&self) -> &[(f64, f64)] {
        &self.ranges
    }

    /// The id of variant `index` (the control's when there is none).
    pub fn variant(&self, index: usize) -> &str {
        self.variants
            .get(index)
            .or(self.variants.first())
            .map_or("", String::as_str)
    }

    /// The index of the variant `id`, if the experiment has it.
    pub fn variant_index(&self, id: &str) -> Option<usize> {
        self.variants.iter().position(|v| v == id)
    }

    /// Which variant the visitor with `ids` sees.
    ///
    /// A variant `forced` (an index from [`Experiments::forced`]) wins and
    /// is recorded with consent, never kept. Otherwise, without `consent`
    /// or without the id the experiment hashes, the control, nothing
    /// recorded. Then a variant kept in `sticky` for this id, if the
    /// experiment still has it; else the bucket's variant, kept in
    /// `sticky` (`stored`); a bucket in no range is the control, not
    /// recorded.
    pub fn decide(
        &self,
        ids: Ids,
        consent: bool,
        forced: Option<usize>,
        sticky: &mut Sticky,
    ) -> Decision {
        if let Some(i) = forced.filter(|&i| i < self.variants.len()) {
            return Decision {
                variant_index: i,
                record: consent,
                forced: true,
                stored: false,
            };
        }
        let id = match self.hash_attribute {
            HashAttribute::AnonymousId => ids.anonymous_id,
            HashAttribute::UserId => ids.user_id,
        };
        let Some(id) = id.filter(|id| !id.is_empty()).filter(|_| consent) else {
            return Decision::CONTROL;
        };
        if let Some(i) = sticky
            .get(&self.key, id)
            .and_then(|v| self.variant_index(v))
        {
            return Decision {
                variant_index: i,
                record: true,
                forced: false,
                stored: false,
            };
        }
        let Some(i) = choose(bucket(&self.seed, id), &self.ranges) else {
            return Decision::CONTROL;
        };
        sticky.set(&self.key, self.variant(i), id);
        Decision {
            variant_index: i,
            record: true,
            forced: false,
            stored: true,
        }
    }
}

/// The experiments of one page, in the order given.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Experiments {
    list: Vec<Experiment>,
}

impl Experiments {
    /// The usable experiments among `options`: the first of a key, at most
    /// [`MAX_EXPERIMENTS`]; a warning for each problem.
    pub fn from_options(options: Vec<ExperimentOptions>) -> (Experiments, Vec<Warning>) {
        let mut list: Vec<Experiment> = Vec::new();
        let mut warnings = Vec::new();
        for opts in options {
            if list.iter().any(|e| e.key == opts.key) {
                warnings.push(Warning::new(&opts.key, WarningKind::DuplicateKey));
                continue;
            }
            if list.len() >= MAX_EXPERIMENTS {
                warnings.push(Warning::new(&opts.key, WarningKind::TooManyExperiments));
                continue;
            }
            let (experiment, mut more) = Experiment::from_options(opts);
            warnings.append(&mut more);
            list.extend(experiment);
        }
        (Experiments { list }, warnings)
    }

    /// The experiment `key`.
    pub fn get(&self, key: &str) -> Option<&Experiment> {
        self.list.iter().find(|e| e.key == key)
    }

    /// The experiments, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = &Experiment> {
        self.list.iter()
    }

    /// How many experiments there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The forced `pairs` ([`forced_from_query`]) these experiments have,
    /// as variant indexes; a warning for each unknown key or variant.
    pub fn forced(&self, pairs: &[(String, String)]) -> (Forced, Vec<Warning>) {
        let mut forced = Forced::default();
        let mut warnings = Vec::new();
        for (key, variant) in pairs {
            let Some(experiment) = self.get(key) else {
                warnings.push(Warning::new(key, WarningKind::UnknownExperiment));
                continue;
            };
            match experiment.variant_index(variant) {
                Some(i) => forced.pairs.push((key.clone(), i)),
                None => warnings.push(Warning::new(key, WarningKind::UnknownForcedVariant)),
            }
        }
        (forced, warnings)
    }

    /// `variant(key)`: the decision for experiment `key` (see
    /// [`Experiment::decide`]), or a warning when there is no such
    /// experiment (nothing to show but what the page has by default).
    pub fn decide(
        &self,
        key: &str,
        ids: Ids,
        consent: bool,
        forced: &Forced,
        sticky: &mut Sticky,
    ) -> Result<Decision, Warning> {
        match self.get(key) {
            Some(experiment) => Ok(experiment.decide(ids, consent, forced.get(key), sticky)),
            None => Err(Warning::new(key, WarningKind::UnknownExperiment)),
        }
    }
}

#[cfg(test)]
mod tests;
