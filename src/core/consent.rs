//! Consent: categories, modes, browser privacy signals, the stored record,
//! and what each change means for tracking and storage.
//!
//! `necessary` is always granted. In `opt-in` mode nothing is tracked or
//! stored (but the consent record itself) until `analytics` is granted; in
//! `opt-out` mode tracking runs until it is denied. Global Privacy Control
//! and Do Not Track, when respected, deny categories whatever the visitor
//! chose, and say so.

use crate::core::json::{push_key, push_str, push_u64};
use crate::core::time::{push_iso8601, WallMs};

/// Storage key of the consent record (a necessary record, kept in
/// `localStorage` even in cookieless mode).
pub const KEY_CONSENT: &str = "footfall.consent";

/// Consent mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Track until the visitor denies analytics (the default).
    #[default]
    OptOut,
    /// Track nothing until the visitor grants analytics.
    OptIn,
}

/// The optional categories (`necessary` is always granted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Categories {
    /// Measurement: footfall's own tracking depends on it.
    pub analytics: bool,
    /// Advertising.
    pub marketing: bool,
    /// Personalization.
    pub personalization: bool,
}

impl Categories {
    /// Every category granted.
    pub const ALL: Categories = Categories {
        analytics: true,
        marketing: true,
        personalization: true,
    };
    /// Every category denied.
    pub const NONE: Categories = Categories {
        analytics: false,
        marketing: false,
        personalization: false,
    };

    /// Each category granted in both.
    pub fn and(self, other: Categories) -> Categories {
        Categories {
            analytics: self.analytics && other.analytics,
            marketing: self.marketing && other.marketing,
            personalization: self.personalization && other.personalization,
        }
    }
}

/// A change to some categories: `None` leaves a category as it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Choice {
    /// `analytics`, if given.
    pub analytics: Option<bool>,
    /// `marketing`, if given.
    pub marketing: Option<bool>,
    /// `personalization`, if given.
    pub personalization: Option<bool>,
}

impl Choice {
    fn apply(self, c: Categories) -> Categories {
        Categories {
            analytics: self.analytics.unwrap_or(c.analytics),
            marketing: self.marketing.unwrap_or(c.marketing),
            personalization: self.personalization.unwrap_or(c.personalization),
        }
    }
}

/// How far a browser privacy signal reaches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reach {
    /// Ignored.
    Ignore,
    /// Denies `marketing` (the default for Global Privacy Control).
    #[default]
    Marketing,
    /// Denies `marketing`, `personalization` and `analytics`.
    All,
}

impl Reach {
    fn mask(self) -> Categories {
        match self {
            Reach::Ignore => Categories::ALL,
            Reach::Marketing => Categories {
                marketing: false,
                ..Categories::ALL
            },
            Reach::All => Categories::NONE,
        }
    }
}

/// Consent settings from `init` (`consent: { mode, categories, respectGpc,
/// respectDnt, policyVersion }`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Opt-in or opt-out.
    pub mode: Mode,
    /// Categories before the visitor decides; by default all granted in
    /// opt-out mode and all denied in opt-in mode.
    pub defaults: Option<Choice>,
    /// What `navigator.globalPrivacyControl === true` denies (default:
    /// marketing).
    pub gpc: Reach,
    /// What Do Not Track denies (default: ignored).
    pub dnt: Reach,
    /// The policy the visitor decides on; a stored decision for another
    /// version no longer counts.
    pub policy_version: Option<String>,
}

impl Default for Settings {
    /// Opt-out, Global Privacy Control denies marketing, Do Not Track ignored.
    fn default() -> Settings {
        Settings {
            mode: Mode::OptOut,
            defaults: None,
            gpc: Reach::Marketing,
            dnt: Reach::Ignore,
            policy_version: None,
        }
    }
}

/// Browser signals read at start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Signals {
    /// `navigator.globalPrivacyControl === true`.
    pub gpc: bool,
    /// `navigator.doNotTrack === "1"`.
    pub dnt: bool,
}

/// The visitor's decision, as stored in the consent record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// What the visitor chose.
    pub categories: Categories,
    /// When.
    pub at: WallMs,
    /// The policy version they decided on.
    pub policy_version: Option<String>,
}

/// Consent as it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consent {
    settings: Settings,
    signals: Signals,
    decision: Option<Decision>,
    /// The categories of a decision stored for another policy version
    /// ([`Categories::ALL`] when there is none): until the visitor decides
    /// again, its denials stand.
    carried: Categories,
}

/// What a change means for tracking and storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Nothing changes for tracking.
    None,
    /// Analytics became granted: release what waited, create identifiers.
    Start,
    /// Analytics became denied: stop, drop what waits, purge every record
    /// but the consent record, forget the identifiers.
    Stop,
}

impl Consent {
    /// Consent at start, from the settings, the signals and the stored
    /// record (ignored when unreadable). A record for another policy
    /// version is no decision (the visitor is asked again), but its denials
    /// stand until they decide: a new policy never resumes tracking a
    /// visitor who denied it; its grants are asked again.
    pub fn new(settings: Settings, signals: Signals, record: Option<&str>) -> Consent {
        let (decision, carried) = match record.and_then(parse_record) {
            Some(d) if d.policy_version == settings.policy_version => (Some(d), Categories::ALL),
            Some(old) => (None, old.categories),
            None => (None, Categories::ALL),
        };
        Consent {
            settings,
            signals,
            decision,
            carried,
        }
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.settings.mode
    }

    /// The signals read at start.
    pub fn signals(&self) -> Signals {
        self.signals
    }

    /// Whether the visitor has decided (for this policy version).
    pub fn decision(&self) -> Option<&Decision> {
        self.decision.as_ref()
    }

    /// What the visitor chose, or the defaults less the denials of a
    /// decision on another policy version.
    pub fn chosen(&self) -> Categories {
        match &self.decision {
            Some(d) => d.categories,
            None => {
                let base = match self.settings.mode {
                    Mode::OptOut => Categories::ALL,
                    Mode::OptIn => Categories::NONE,
                };
                let defaults = self.settings.defaults.map_or(base, |d| d.apply(base));
                defaults.and(self.carried)
            }
        }
    }

    /// What the signals deny.
    pub fn signal_mask(&self) -> Categories {
        let gpc = if self.signals.gpc {
            self.settings.gpc.mask()
        } else {
            Categories::ALL
        };
        let dnt = if self.signals.dnt {
            self.settings.dnt.mask()
        } else {
            Categories::ALL
        };
        gpc.and(dnt)
    }

    /// The categories in force: the choice, less what signals deny.
    pub fn effective(&self) -> Categories {
        self.chosen().and(self.signal_mask())
    }

    /// Whether events may be tracked, sent and stored now.
    pub fn tracks(&self) -> bool {
        self.effective().analytics
    }

    /// Whether events wait for a decision (opt-in, undecided, not denied by
    /// a signal or by an earlier policy's decision): they are buffered in
    /// memory instead of dropped.
    pub fn is_pending(&self) -> bool {
        self.decision.is_none()
            && !self.tracks()
            && self.signal_mask().analytics
            && self.carried.analytics
    }

    /// Records the visitor's choice at `now` and says what it means.
    pub fn decide(&mut self, choice: Choice, now: WallMs) -> Action {
        let categories = choice.apply(self.chosen());
        self.take(Decision {
            categories,
            at: now,
            policy_version: self.settings.policy_version.clone(),
        })
    }

    /// Another tab of the site stored a decision (`record`, the new value of
    /// the consent record): this page takes it as its own, so a denial in
    /// one tab stops every tab. A record that is gone, unreadable, for
    /// another policy version or the decision already in force changes
    /// nothing.
    ///
    /// ```
    /// use footfall::core::consent::{Action, Consent, Settings, Signals};
    /// let mut c = Consent::new(Settings::default(), Signals::default(), None);
    /// assert_eq!(c.on_record(Some("000;1795348800000;")), Action::Stop);
    /// assert!(!c.tracks());
    /// assert_eq!(c.on_record(Some("000;1795348800000;")), Action::None);
    /// assert_eq!(c.on_record(Some("garbage")), Action::None);
    /// ```
    pub fn on_record(&mut self, record: Option<&str>) -> Action {
        let decision = record
            .and_then(parse_record)
            .filter(|d| d.policy_version == self.settings.policy_version);
        match decision {
            Some(d) if self.decision.as_ref() != Some(&d) => self.take(d),
            _ => Action::None,
        }
    }

    /// Makes `decision` the one in force and says what it means.
    fn take(&mut self, decision: Decision) -> Action {
        let before = self.tracks();
        let pending = self.is_pending();
        self.decision = Some(decision);
        match (before, self.tracks()) {
            (false, true) => Action::Start,
            (true, false) => Action::Stop,
            // Undecided, then denied: what waited goes.
            (false, false) if pending => Action::Stop,
            _ => Action::None,
        }
    }

    /// The consent record to store.
    pub fn record(&self) -> Option<String> {
        let d = self.decision.as_ref()?;
        let mut out = String::with_capacity(48);
        for granted in [
            d.categories.analytics,
            d.categories.marketing,
            d.categories.personalization,
        ] {
            out.push(if granted { '1' } else { '0' });
        }
        out.push(';');
        push_u64(&mut out, d.at.0);
        out.push(';');
        if let Some(v) = &d.policy_version {
            out.push_str(v);
        }
        Some(out)
    }

    /// Appends `"consent":{"categoryPreferences":{...}}` (Segment's consent
    /// convention) for the context.
    pub fn push_context(&self, out: &mut String) {
        out.push_str("\"consent\":{\"categoryPreferences\":");
        self.push_categories(out);
        out.push('}');
    }

    /// Appends the categories in force as a JSON object:
    /// `{"necessary":true,"analytics":...,"marketing":...,"personalization":...}`.
    fn push_categories(&self, out: &mut String) {
        let c = self.effective();
        out.push_str("{\"necessary\":true");
        for (key, granted) in [
            ("analytics", c.analytics),
            ("marketing", c.marketing),
            ("personalization", c.personalization),
        ] {
            out.push(',');
            push_key(out, key);
            out.push_str(if granted { "true" } else { "false" });
        }
        out.push('}');
    }

    /// Properties of the `consent_updated` event: the categories in force.
    pub fn properties(&self) -> String {
        let mut out = String::new();
        self.push_categories(&mut out);
        out
    }

    /// Google Consent Mode v2 state for the categories in force:
    /// `(key, granted)` pairs in gtag's vocabulary (the `datalayer`
    /// capability pushes them).
    #[cfg(feature = "datalayer")]
    pub fn consent_mode(&self) -> [(&'static str, bool); 7] {
        let c = self.effective();
        [
            ("ad_storage", c.marketing),
            ("ad_user_data", c.marketing),
            ("ad_personalization", c.marketing),
            ("analytics_storage", c.analytics),
            ("personalization_storage", c.personalization),
            ("functionality_storage", true),
            ("security_storage", true),
        ]
    }

    /// `getConsent()` as a JSON object: categories in force, whether and when
    /// the visitor decided, the policy version, the mode and the signals.
    pub fn describe(&self) -> String {
        let mut out = String::from("{\"categories\":");
        self.push_categories(&mut out);
        out.push_str(",\"decided\":");
        out.push_str(if self.decision.is_some() {
            "true"
        } else {
            "false"
        });
        if let Some(d) = &self.decision {
            out.push_str(",\"decidedAt\":\"");
            push_iso8601(&mut out, d.at);
            out.push('"');
        }
        if let Some(v) = &self.settings.policy_version {
            out.push_str(",\"policyVersion\":");
            push_str(&mut out, v);
        }
        out.push_str(",\"mode\":");
        out.push_str(match self.settings.mode {
            Mode::OptIn => "\"opt-in\"",
            Mode::OptOut => "\"opt-out\"",
        });
        out.push_str(",\"signals\":{\"gpc\":");
        out.push_str(if self.signals.gpc { "true" } else { "false" });
        out.push_str(",\"dnt\":");
        out.push_str(if self.signals.dnt { "true" } else { "false" });
        out.push_str("},\"deniedBySignal\":[");
        let mask = self.signal_mask();
        let mut first = true;
        for (key, allowed) in [
            ("analytics", mask.analytics),
            ("marketing", mask.marketing),
            ("personalization", mask.personalization),
        ] {
            if !allowed {
                if !first {
                    out.push(',');
                }
                push_str(&mut out, key);
                first = false;
            }
        }
        out.push_str("]}");
        out
    }
}

/// Parses a record written by [`Consent::record`]: `110;<ms>;<version>`.
fn parse_record(text: &str) -> Option<Decision> {
    let mut parts = text.splitn(3, ';');
    let flags = parts.next()?.as_bytes();
    let at = parts.next()?;
    let version = parts.next()?;
    let [a, m, p] = flags else { return None };
    let flag = |b: &u8| match b {
        b'1' => Some(true),
        b'0' => Some(false),
        _ => None,
    };
    if at.is_empty() || at.len() > 16 || !at.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Decision {
        categories: Categories {
            analytics: flag(a)?,
            marketing: flag(m)?,
            personalization: flag(p)?,
        },
        at: WallMs(at.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'))),
        policy_version: (!version.is_empty()).then(|| version.to_owned()),
    })
}

#[cfg(test)]
mod tests;
