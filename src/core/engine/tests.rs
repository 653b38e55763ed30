//! The engine's tests: tables of inputs on simulated time, asserting on
//! the effects (request bodies parsed with serde_json). Shared helpers
//! here; each part of the engine has its own file under `tests/`.

mod adoption;
#[cfg(feature = "attribution")]
mod attribution;
mod calls;
#[cfg(not(feature = "attribution"))]
mod campaign;
mod consent;
#[cfg(feature = "datalayer")]
mod datalayer;
mod delivery;
#[cfg(feature = "ecommerce")]
mod ecommerce;
#[cfg(feature = "errors")]
mod errors;
#[cfg(feature = "experiments")]
mod experiments;
#[cfg(feature = "forms")]
mod forms;
#[cfg(feature = "heatmap")]
mod heatmap;
mod options;
mod segment;
#[cfg(feature = "signals")]
mod signals;
mod unload;
#[cfg(feature = "vitals")]
mod vitals;
#[cfg(footfall_partial)]
mod without;

use super::*;
use crate::core::config::Options;
use crate::core::consent::{Choice, Signals, KEY_CONSENT};
#[cfg(feature = "datalayer")]
use crate::core::datalayer::DataLayerEffect;
use crate::core::envelope::{Page, PagePatch, Screen};
use crate::core::keys::{KEY_ANONYMOUS_ID, KEY_USER_ID};
use crate::core::outbox::BatchId;
#[cfg(feature = "signals")]
use crate::core::signals::{page_view::RouteChange, SignalEffect};
use crate::core::tabs::CLOSED;
use serde_json::Value;

fn config(f: impl FnOnce(&mut Options)) -> Config {
    let mut o = Options {
        endpoint: Some("/collect".into()),
        write_key: Some("WK".into()),
        ..Options::default()
    };
    f(&mut o);
    Config::resolve(o).unwrap()
}

fn env() -> Environment {
    Environment {
        page: Page {
            url: "https://shop.example/".into(),
            path: "/".into(),
            title: "Shop".into(),
            ..Page::default()
        },
        user_agent: "UA".into(),
        locale: "de-DE".into(),
        timezone: "Europe/Berlin".into(),
        screen: Screen {
            width: 800,
            height: 600,
            density: 2.0,
        },
    }
}

const AID: &str = "11111111-1111-4111-8111-111111111111";

pub(super) fn engine(f: impl FnOnce(&mut Options)) -> Engine {
    let boot = Boot {
        anonymous_id: Some(AID),
        fresh_id: [9; 16],
        tab: "tab1",
        seed: 5,
        online: true,
        ..Boot::default()
    };
    Engine::new(config(f), env(), boot)
}

pub(super) fn drain(e: &mut Engine) -> Vec<Effect> {
    std::iter::from_fn(|| e.poll_effect()).collect()
}

pub(super) fn track(e: &mut Engine, now: u64, name: &str, props: Option<&str>, n: u8) {
    e.handle(
        WallMs(now),
        Input::Track {
            name,
            properties: props,
            id: [n; 16],
        },
    );
}

pub(super) fn sends(effects: &[Effect]) -> Vec<(BatchId, Value)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send { batch, body } | Effect::Beacon { batch, body } => {
                Some((*batch, serde_json::from_str(body).expect("valid JSON body")))
            }
            _ => None,
        })
        .collect()
}

fn consent_engine(
    mode: &str,
    record: Option<&str>,
    signals: Signals,
    f: impl FnOnce(&mut Options),
) -> Engine {
    let config = config(|o| {
        o.consent_mode = Some(mode.into());
        o.flush_at = Some(1.0);
        f(o);
    });
    let boot = Boot {
        anonymous_id: None,
        fresh_id: [0xaa; 16],
        tab: "tab1",
        seed: 5,
        online: true,
        consent_record: record,
        signals,
        ..Boot::default()
    };
    Engine::new(config, env(), boot)
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

fn with_options(
    e: &mut Engine,
    now: u64,
    call: Input,
    timestamp: Option<u64>,
    page: Option<&PagePatch>,
) {
    e.handle(
        WallMs(now),
        Input::WithOptions {
            call: &call,
            options: CallOptions {
                timestamp: timestamp.map(WallMs),
                page,
            },
        },
    );
}

/// Every event sent (beacons answered as accepted), with a compact
/// batch's shared context merged into each, as collectors do.
fn delivered(e: &mut Engine, now: u64) -> Vec<Value> {
    let mut out = Vec::new();
    loop {
        let effects = drain(e);
        if effects.is_empty() {
            return out;
        }
        for eff in effects {
            let (body, beacon) = match &eff {
                Effect::Send { body, .. } => (body, None),
                Effect::Beacon { batch, body } => (body, Some(*batch)),
                _ => continue,
            };
            let body: Value = serde_json::from_str(body).unwrap();
            for ev in body["batch"].as_array().unwrap() {
                let mut ev = ev.clone();
                if let Some(Value::Object(shared)) = body.get("context") {
                    let mut merged = shared.clone();
                    merged.extend(ev["context"].as_object().cloned().unwrap_or_default());
                    ev["context"] = Value::Object(merged);
                }
                out.push(ev);
            }
            if let Some(batch) = beacon {
                e.handle(
                    WallMs(now),
                    Input::BeaconResult {
                        batch,
                        accepted: true,
                    },
                );
            }
        }
    }
}

/// What the driver does at start: the signals begin (on a visible page,
/// with a fine pointer), then the first page view.
fn start(e: &mut Engine, now: u64) {
    start_with(e, now, [0x5a; 16]);
}

fn start_with(e: &mut Engine, now: u64, id: [u8; 16]) {
    #[cfg(feature = "signals")]
    e.handle(
        WallMs(now),
        Input::SignalsStart {
            touch: false,
            visible: true,
        },
    );
    e.handle(WallMs(now), Input::Start { id });
}
