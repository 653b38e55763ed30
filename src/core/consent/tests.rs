//! Consent on tables: starting states, every transition, signals, the
//! stored record and a new policy version, what the context and Consent
//! Mode carry.

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
