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
mod tests {
    use super::*;

    fn settings(mode: Mode) -> Settings {
        Settings {
            mode,
            ..Settings::default()
        }
    }

    const GRANT: Choice = Choice {
        analytics: Some(true),
        marketing: Some(true),
        personalization: Some(true),
    };
    const DENY: Choice = Choice {
        analytics: Some(false),
        marketing: Some(false),
        personalization: Some(false),
    };
    const ANALYTICS_ONLY: Choice = Choice {
        analytics: Some(true),
        marketing: Some(false),
        personalization: None,
    };
    const MARKETING_ONLY: Choice = Choice {
        analytics: None,
        marketing: Some(true),
        personalization: None,
    };

    #[test]
    fn starting_states() {
        let out = Consent::new(settings(Mode::OptOut), Signals::default(), None);
        assert!(out.tracks() && !out.is_pending());
        assert_eq!(out.effective(), Categories::ALL);
        let inn = Consent::new(settings(Mode::OptIn), Signals::default(), None);
        assert!(!inn.tracks() && inn.is_pending());
        assert_eq!(inn.effective(), Categories::NONE);
        let defaults = Settings {
            mode: Mode::OptIn,
            defaults: Some(Choice {
                personalization: Some(true),
                ..Choice::default()
            }),
            ..Settings::default()
        };
        let c = Consent::new(defaults, Signals::default(), None);
        assert_eq!(
            c.effective(),
            Categories {
                personalization: true,
                ..Categories::NONE
            }
        );
    }

    /// Every (mode, starting decision, change) and what follows.
    #[test]
    fn transition_table() {
        #[derive(Debug, Clone, Copy)]
        enum Start {
            Undecided,
            Granted,
            Denied,
        }
        let table: &[(Mode, Start, Choice, Action, bool, bool)] = &[
            // mode, start, change -> action, tracks after, pending after
            (
                Mode::OptIn,
                Start::Undecided,
                GRANT,
                Action::Start,
                true,
                false,
            ),
            (
                Mode::OptIn,
                Start::Undecided,
                ANALYTICS_ONLY,
                Action::Start,
                true,
                false,
            ),
            (
                Mode::OptIn,
                Start::Undecided,
                DENY,
                Action::Stop,
                false,
                false,
            ),
            (
                Mode::OptIn,
                Start::Undecided,
                MARKETING_ONLY,
                Action::Stop,
                false,
                false,
            ),
            (
                Mode::OptIn,
                Start::Granted,
                GRANT,
                Action::None,
                true,
                false,
            ),
            (
                Mode::OptIn,
                Start::Granted,
                DENY,
                Action::Stop,
                false,
                false,
            ),
            (
                Mode::OptIn,
                Start::Granted,
                MARKETING_ONLY,
                Action::None,
                true,
                false,
            ),
            (
                Mode::OptIn,
                Start::Denied,
                GRANT,
                Action::Start,
                true,
                false,
            ),
            (Mode::OptIn, Start::Denied, DENY, Action::None, false, false),
            (
                Mode::OptOut,
                Start::Undecided,
                GRANT,
                Action::None,
                true,
                false,
            ),
            (
                Mode::OptOut,
                Start::Undecided,
                DENY,
                Action::Stop,
                false,
                false,
            ),
            (
                Mode::OptOut,
                Start::Undecided,
                MARKETING_ONLY,
                Action::None,
                true,
                false,
            ),
            (
                Mode::OptOut,
                Start::Granted,
                DENY,
                Action::Stop,
                false,
                false,
            ),
            (
                Mode::OptOut,
                Start::Denied,
                GRANT,
                Action::Start,
                true,
                false,
            ),
            (
                Mode::OptOut,
                Start::Denied,
                ANALYTICS_ONLY,
                Action::Start,
                true,
                false,
            ),
            (
                Mode::OptOut,
                Start::Denied,
                DENY,
                Action::None,
                false,
                false,
            ),
        ];
        for &(mode, start, change, action, tracks, pending) in table {
            let mut c = Consent::new(settings(mode), Signals::default(), None);
            match start {
                Start::Undecided => {}
                Start::Granted => {
                    c.decide(GRANT, WallMs(1));
                }
                Start::Denied => {
                    c.decide(DENY, WallMs(1));
                }
            }
            let got = c.decide(change, WallMs(2));
            let case = format!("{mode:?} {start:?} {change:?}");
            assert_eq!(got, action, "{case}");
            assert_eq!(c.tracks(), tracks, "{case}");
            assert_eq!(c.is_pending(), pending, "{case}");
            assert!(c.decision().is_some(), "{case}");
        }
    }

    #[test]
    fn signals_deny_whatever_the_choice() {
        let gpc = Signals {
            gpc: true,
            dnt: false,
        };
        let mut c = Consent::new(settings(Mode::OptOut), gpc, None);
        assert!(c.tracks());
        assert!(!c.effective().marketing);
        assert_eq!(c.decide(GRANT, WallMs(1)), Action::None);
        assert!(
            !c.effective().marketing,
            "an explicit grant does not override GPC"
        );
        assert!(
            c.describe().contains(r#""deniedBySignal":["marketing"]"#),
            "{}",
            c.describe()
        );

        let all = Settings {
            gpc: Reach::All,
            ..settings(Mode::OptIn)
        };
        let c = Consent::new(all, gpc, None);
        assert!(!c.tracks());
        assert!(!c.is_pending(), "denied by a signal: nothing waits");

        let dnt = Signals {
            gpc: false,
            dnt: true,
        };
        assert_eq!(
            Consent::new(settings(Mode::OptOut), dnt, None).effective(),
            Categories::ALL,
            "DNT ignored by default"
        );
        let respect = Settings {
            dnt: Reach::All,
            ..settings(Mode::OptOut)
        };
        assert!(!Consent::new(respect, dnt, None).tracks());
        let ignore = Settings {
            gpc: Reach::Ignore,
            ..settings(Mode::OptOut)
        };
        assert_eq!(Consent::new(ignore, gpc, None).effective(), Categories::ALL);
    }

    #[test]
    fn the_record_round_trips_and_expires_with_the_policy() {
        let versioned = Settings {
            policy_version: Some("2026-11".into()),
            ..settings(Mode::OptIn)
        };
        let mut c = Consent::new(versioned.clone(), Signals::default(), None);
        c.decide(ANALYTICS_ONLY, WallMs(1_795_348_800_000));
        let record = c.record().unwrap();
        assert_eq!(record, "100;1795348800000;2026-11");
        let again = Consent::new(versioned, Signals::default(), Some(&record));
        assert_eq!(again.decision(), c.decision());
        assert!(again.tracks());
        let newer = Settings {
            policy_version: Some("2027-01".into()),
            ..settings(Mode::OptIn)
        };
        assert!(
            Consent::new(newer, Signals::default(), Some(&record))
                .decision()
                .is_none(),
            "a new policy asks again"
        );
        for bad in ["", "1;1;", "11;5;", "abc;5;", "110;x;", "110", "110;;"] {
            assert!(
                Consent::new(settings(Mode::OptIn), Signals::default(), Some(bad))
                    .decision()
                    .is_none(),
                "{bad}"
            );
        }
    }

    /// A new `policyVersion` asks again, but never undoes a denial: a
    /// visitor who denied analytics in opt-out mode is not tracked again
    /// until they grant it under the new policy. Grants are asked again as
    /// before.
    #[test]
    fn a_denial_survives_a_new_policy_version() {
        let version = |mode, v: &str| Settings {
            policy_version: Some(v.into()),
            ..settings(mode)
        };
        let record = |mode, choice| {
            let mut c = Consent::new(version(mode, "2026-11"), Signals::default(), None);
            c.decide(choice, WallMs(1));
            c.record().unwrap()
        };
        let analytics_denied = Choice {
            analytics: Some(false),
            ..Choice::default()
        };
        // (mode, old decision) -> tracks, pending, analytics/marketing in force
        let table: &[(Mode, Choice, bool, bool, bool)] = &[
            (Mode::OptOut, DENY, false, false, false),
            (Mode::OptOut, analytics_denied, false, false, true),
            (Mode::OptOut, ANALYTICS_ONLY, true, false, false),
            (Mode::OptOut, GRANT, true, false, true),
            (Mode::OptIn, DENY, false, false, false),
            (Mode::OptIn, GRANT, false, true, false),
        ];
        for &(mode, old, tracks, pending, marketing) in table {
            let stored = record(mode, old);
            let c = Consent::new(version(mode, "2027-01"), Signals::default(), Some(&stored));
            let case = format!("{mode:?} {old:?}");
            assert!(c.decision().is_none(), "asked again: {case}");
            assert_eq!(c.tracks(), tracks, "{case}");
            assert_eq!(c.is_pending(), pending, "{case}");
            assert_eq!(c.effective().marketing, marketing, "{case}");
        }
        // Deciding under the new policy counts, and a grant starts tracking.
        let stored = record(Mode::OptOut, DENY);
        let mut c = Consent::new(
            version(Mode::OptOut, "2027-01"),
            Signals::default(),
            Some(&stored),
        );
        assert_eq!(c.decide(ANALYTICS_ONLY, WallMs(2)), Action::Start);
        assert!(c.tracks() && !c.effective().personalization);
        assert_eq!(c.record().unwrap(), "100;2;2027-01");
    }

    /// The engine with such a record sends and keeps nothing.
    #[test]
    fn an_engine_after_a_denial_and_a_new_policy_tracks_nothing() {
        use crate::core::config::{Config, Options};
        use crate::core::engine::{Boot, Effect, Engine, Input};
        let config = Config::resolve(Options {
            endpoint: Some("/collect".into()),
            flush_at: Some(1.0),
            policy_version: Some("2027-01".into()),
            ..Options::default()
        })
        .unwrap();
        let boot = Boot {
            anonymous_id: None,
            fresh_id: [1; 16],
            tab: "t",
            seed: 1,
            online: true,
            consent_record: Some("000;1;2026-11"),
            ..Boot::default()
        };
        let mut e = Engine::new(config, Default::default(), boot);
        e.handle(
            WallMs(5),
            Input::Track {
                name: "a",
                properties: None,
                id: [2; 16],
            },
        );
        e.handle(WallMs(5), Input::Drain);
        let effects: Vec<Effect> = std::iter::from_fn(|| e.poll_effect()).collect();
        assert!(effects.contains(&Effect::Purge), "{effects:?}");
        assert!(
            !effects
                .iter()
                .any(|e| matches!(e, Effect::Send { .. } | Effect::Store { .. })),
            "{effects:?}"
        );
        assert_eq!(e.anonymous_id(), "");
    }

    #[test]
    fn context_properties_and_consent_mode() {
        let mut c = Consent::new(settings(Mode::OptIn), Signals::default(), None);
        c.decide(ANALYTICS_ONLY, WallMs(0));
        let mut ctx = String::new();
        c.push_context(&mut ctx);
        assert_eq!(
            ctx,
            r#""consent":{"categoryPreferences":{"necessary":true,"analytics":true,"marketing":false,"personalization":false}}"#
        );
        assert_eq!(
            c.properties(),
            r#"{"necessary":true,"analytics":true,"marketing":false,"personalization":false}"#
        );
        #[cfg(feature = "datalayer")]
        {
            let mode = c.consent_mode();
            assert!(mode.contains(&("analytics_storage", true)));
            assert!(mode.contains(&("ad_storage", false)));
            assert!(mode.contains(&("ad_user_data", false)));
            assert!(mode.contains(&("ad_personalization", false)));
            assert!(mode.contains(&("security_storage", true)));
        }
        let described: serde_json::Value = serde_json::from_str(&c.describe()).unwrap();
        assert_eq!(described["decided"], true);
        assert_eq!(described["decidedAt"], "1970-01-01T00:00:00.000Z");
        assert_eq!(described["mode"], "opt-in");
        assert_eq!(described["categories"]["analytics"], true);
        assert_eq!(described["deniedBySignal"], serde_json::json!([]));
    }
}
