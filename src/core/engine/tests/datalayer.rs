//! The dataLayer: mirrored automatic events, Consent Mode commands.

use super::*;

#[test]
fn automatic_events_are_mirrored_to_the_data_layer_when_asked() {
    use crate::core::datalayer::DataLayerOptions;
    let pushes = |effects: Vec<Effect>| -> Vec<String> {
        effects
            .into_iter()
            .filter_map(|eff| match eff {
                Effect::DataLayer(DataLayerEffect::Push(entry)) => Some(entry),
                _ => None,
            })
            .collect()
    };
    #[cfg(feature = "signals")]
    let scroll = |e: &mut Engine, now: u64, scroll_y: u32| {
        e.handle(
            WallMs(now),
            Input::Scroll {
                scroll_y,
                viewport_h: 600,
                doc_h: 2400,
                scrolled: true,
            },
        );
    };
    let mut e = engine(|o| o.data_layer = Some(DataLayerOptions::on()));
    start(&mut e, 1_000);
    assert_eq!(
        pushes(drain(&mut e)),
        vec![r#"{"path":"/","title":"Shop","url":"https://shop.example/","event":"footfall.page_view"}"#.to_owned()],
        "the automatic page view"
    );
    #[cfg(feature = "signals")]
    {
        scroll(&mut e, 2_000, 0);
        drain(&mut e);
        scroll(&mut e, 2_100, 600);
        assert_eq!(
            pushes(drain(&mut e)),
            vec![r#"{"percent":50,"event":"footfall.scroll_depth"}"#.to_owned()]
        );
    }
    // The site's own calls are not mirrored.
    e.handle(
        WallMs(3_000),
        Input::Page {
            name: Some("Manual"),
            properties: None,
            id: [1; 16],
            current: None,
        },
    );
    track(&mut e, 3_000, "custom", None, 2);
    assert!(pushes(drain(&mut e)).is_empty());

    for options in [
        None,
        Some(DataLayerOptions {
            forward: Some(true),
            mirror: Some(false),
            ..DataLayerOptions::default()
        }),
    ] {
        let mut e = engine(|o| o.data_layer = options);
        start(&mut e, 1_000);
        #[cfg(feature = "signals")]
        scroll(&mut e, 2_100, 1800);
        assert!(pushes(drain(&mut e)).is_empty(), "mirror off");
    }
}

#[test]
fn consent_mode_default_then_update() {
    let mut e = consent_engine("opt-in", None, Signals::default(), |o| {
        o.consent_mode_bridge = Some(true)
    });
    let start = drain(&mut e);
    let Some(Effect::DataLayer(DataLayerEffect::ConsentMode { command, state })) = start.first()
    else {
        panic!("{start:?}")
    };
    assert_eq!(*command, "default");
    assert!(state.contains(&("analytics_storage", false)));
    assert!(state.contains(&("security_storage", true)));
    e.handle(
        WallMs(1),
        Input::Consent {
            choice: Choice {
                analytics: Some(true),
                ..Choice::default()
            },
            fresh_id: [3; 16],
        },
    );
    let update = drain(&mut e);
    let updates: Vec<_> = update
        .iter()
        .filter_map(|e| match e {
            Effect::DataLayer(DataLayerEffect::ConsentMode { command, state }) => {
                Some((*command, *state))
            }
            _ => None,
        })
        .collect();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].0, "update");
    assert!(updates[0].1.contains(&("analytics_storage", true)));
    assert!(updates[0].1.contains(&("ad_storage", false)));
}

/// What footfall mirrors to the dataLayer (where GTM tags may send it on)
/// is redacted as what it sends: a declared click's name and properties.
#[cfg(feature = "signals")]
#[test]
fn mirrored_events_are_redacted_like_sent_ones() {
    use crate::core::datalayer::DataLayerOptions;
    let mut e = engine(|o| o.data_layer = Some(DataLayerOptions::on()));
    start(&mut e, 1_000);
    drain(&mut e);
    e.handle(
        WallMs(2_000),
        Input::Declared {
            name: "quote_jo@example.com",
            properties: r#"{"contact":"jo@example.com","plan":"pro"}"#,
        },
    );
    let pushes: Vec<String> = drain(&mut e)
        .into_iter()
        .filter_map(|eff| match eff {
            Effect::DataLayer(DataLayerEffect::Push(entry)) => Some(entry),
            _ => None,
        })
        .collect();
    assert_eq!(pushes.len(), 1, "{pushes:?}");
    assert!(!pushes[0].contains("jo@example.com"), "{}", pushes[0]);
    assert!(
        pushes[0].contains(r#""contact":"[email]""#),
        "{}",
        pushes[0]
    );
    assert!(pushes[0].contains(r#""plan":"pro""#), "{}", pushes[0]);
}
