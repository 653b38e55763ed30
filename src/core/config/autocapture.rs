//! `autocapture` resolved: the behaviour signals' settings (feature
//! `signals`).

use super::{clamp, AutocaptureOptions};
use crate::core::signals::exit_intent::ExitIntentSettings;
use crate::core::signals::rage_click::{RageClickSettings, MAX_CLICKS};
use crate::core::signals::scroll_depth::{Milestones, ScrollSettings};

/// The behaviour signals' automatic events, resolved (`autocapture` less
/// `pageViews`, which is [`Config::page_views`](super::Config::page_views)).
/// Everything is on by default except `hash_change`; `autocapture: false`
/// turns everything off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Autocapture {
    /// Route changes of single-page apps start page views. Default true.
    pub history: bool,
    /// Fragment changes count as route changes. Default false.
    pub hash_change: bool,
    /// `scroll_depth` events; `None` when off.
    pub scroll_depth: Option<ScrollSettings>,
    /// `rage_click` events; `None` when off.
    pub rage_click: Option<RageClickSettings>,
    /// `exit_intent` events and `onExitIntent` callbacks; `None` when off.
    pub exit_intent: Option<ExitIntentSettings>,
    /// `page_leave` events. Default true.
    pub page_leave: bool,
    /// Declarative clicks (`data-ff-event`). Default true.
    pub clicks: bool,
}

impl Default for Autocapture {
    fn default() -> Self {
        Autocapture::resolve(&AutocaptureOptions::default())
    }
}

impl Autocapture {
    /// Everything off (`autocapture: false`).
    pub fn off() -> Autocapture {
        Autocapture::resolve(&AutocaptureOptions {
            all: Some(false),
            ..AutocaptureOptions::default()
        })
    }

    /// Resolves the options: defaults, then clamps (an explicit 0 stays 0).
    ///
    /// ```
    /// use footfall::core::config::{Autocapture, AutocaptureOptions};
    /// let a = Autocapture::resolve(&AutocaptureOptions { rage_radius_px: Some(0.0), ..Default::default() });
    /// assert_eq!(a.rage_click.unwrap().radius_px, 0);
    /// assert!(a.history && !a.hash_change);
    /// ```
    pub fn resolve(o: &AutocaptureOptions) -> Autocapture {
        let all = o.all.unwrap_or(true);
        let on = |v: Option<bool>| all && v.unwrap_or(true);
        let rage = RageClickSettings::default();
        let exit = ExitIntentSettings::default();
        Autocapture {
            history: on(o.history),
            hash_change: on(o.history) && o.hash_change.unwrap_or(false),
            scroll_depth: on(o.scroll_depth).then(|| ScrollSettings {
                milestones: match &o.milestones {
                    Some(m) => Milestones::from_numbers(m),
                    None => ScrollSettings::default().milestones,
                },
                short_pages: o.short_pages.unwrap_or(false),
            }),
            rage_click: on(o.rage_click).then(|| RageClickSettings {
                clicks: clamp(
                    o.rage_clicks,
                    u64::from(rage.clicks),
                    0,
                    u64::from(MAX_CLICKS),
                ) as u32,
                window_ms: clamp(o.rage_window_ms, rage.window_ms, 0, 10_000),
                radius_px: clamp(o.rage_radius_px, u64::from(rage.radius_px), 0, 10_000) as u32,
            }),
            exit_intent: on(o.exit_intent).then(|| ExitIntentSettings {
                min_dwell_ms: clamp(o.min_dwell_ms, exit.min_dwell_ms, 0, 3_600_000),
                cooldown_ms: clamp(o.cooldown_ms, exit.cooldown_ms, 0, 86_400_000),
                touch: o.touch.unwrap_or(exit.touch),
            }),
            page_leave: on(o.page_leave),
            clicks: on(o.clicks),
        }
    }
}
