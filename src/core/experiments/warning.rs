//! Warnings about experiments: what was wrong with an experiment's options
//! or a call about one, naming the experiment, for the debug log.

use super::MAX_TEXT_CHARS;
use crate::core::url::clip;

/// What was wrong with an experiment's options or a call about one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WarningKind {
    /// The key is empty or too long: the experiment is ignored.
    KeyInvalid,
    /// Another experiment has the same key: this one is ignored.
    DuplicateKey,
    /// More than [`MAX_EXPERIMENTS`](super::MAX_EXPERIMENTS) experiments: this one is ignored.
    TooManyExperiments,
    /// No variants: the experiment is ignored.
    NoVariants,
    /// Fewer than [`MIN_VARIANTS`](super::MIN_VARIANTS) distinct variants: ignored.
    TooFewVariants,
    /// More than [`MAX_VARIANTS`](super::MAX_VARIANTS) variants: the first ones are used.
    TooManyVariants,
    /// A variant id is empty or too long: it is left out.
    VariantInvalid,
    /// A variant id appears twice: the second is left out.
    DuplicateVariant,
    /// Not one weight per variant: equal weights are used.
    WeightsCount,
    /// A weight is negative, infinite or NaN: equal weights are used.
    WeightsInvalid,
    /// The weights do not sum to 1 within 0.01: equal weights are used.
    WeightsSum,
    /// The coverage is outside 0..1: it is clamped.
    CoverageClamped,
    /// The coverage is not a number: 1 is used.
    CoverageInvalid,
    /// `hashAttribute` is neither `anonymousId` nor `userId`: `anonymousId`.
    HashAttributeUnknown,
    /// The name or seed is longer than [`MAX_TEXT_CHARS`]: it is cut.
    TextCut,
    /// A variant was asked for, or forced, for a key with no experiment.
    UnknownExperiment,
    /// `ff_variant` forces a variant the experiment does not have: ignored.
    UnknownForcedVariant,
}

impl WarningKind {
    /// A sentence for the debug log (the key goes after it).
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::KeyInvalid => "experiment ignored: key empty or over 100 characters:",
            WarningKind::DuplicateKey => "experiment ignored: key given twice:",
            WarningKind::TooManyExperiments => "experiment ignored: over 50 experiments:",
            WarningKind::NoVariants => "experiment ignored: it has no variants:",
            WarningKind::TooFewVariants => "experiment ignored: under 2 distinct variants:",
            WarningKind::TooManyVariants => "variants after the 20th left out:",
            WarningKind::VariantInvalid => "variant left out: id empty or over 100 characters:",
            WarningKind::DuplicateVariant => "variant left out: it appears twice:",
            WarningKind::WeightsCount => "equal weights used: not one weight per variant:",
            WarningKind::WeightsInvalid => "equal weights used: a weight is not a number >= 0:",
            WarningKind::WeightsSum => "equal weights used: weights do not sum to 1:",
            WarningKind::CoverageClamped => "coverage clamped to 0..1:",
            WarningKind::CoverageInvalid => "coverage 1 used: not a number:",
            WarningKind::HashAttributeUnknown => {
                "hashAttribute 'anonymousId' used: not 'anonymousId' or 'userId':"
            }
            WarningKind::TextCut => "name or seed cut to 100 characters:",
            WarningKind::UnknownExperiment => "no experiment has this key:",
            WarningKind::UnknownForcedVariant => "ff_variant ignored: no such variant:",
        }
    }
}

/// A warning about one experiment, for the debug log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The experiment's key, as given (cut to [`MAX_TEXT_CHARS`]).
    pub key: String,
    /// What was wrong.
    pub kind: WarningKind,
}

impl Warning {
    /// A warning about experiment `key` (cut to [`MAX_TEXT_CHARS`]).
    pub fn new(key: &str, kind: WarningKind) -> Warning {
        Warning {
            key: clip(key, MAX_TEXT_CHARS).to_owned(),
            kind,
        }
    }
}
