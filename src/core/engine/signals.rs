//! The behaviour signals in the engine: the browser's plain measurements
//! go to [`PageSignals`](crate::core::signals::PageSignals), and what it
//! decides becomes automatic events (through the one path of
//! [`emit_auto`](Engine::emit_auto)), exit-intent callbacks and requests
//! to describe a rage click's target. The page's lifecycle reaches the
//! signals through [`Engine::signals_at`].

use crate::core::engine::{Effect, Engine};
use crate::core::envelope::{Kind, Page};
use crate::core::privacy::redact_if;
use crate::core::signals::element::declared_name;
use crate::core::signals::page_view::RouteChange;
use crate::core::signals::{Auto, SignalEffect};
use crate::core::time::WallMs;

/// A moment of the page's lifecycle that the signals take part in.
#[derive(Clone, Copy, Debug)]
pub(super) enum Moment {
    /// The timer ([`Input::Tick`](crate::core::engine::Input::Tick)): a
    /// rage burst may have ended.
    Tick,
    /// The page became hidden: the rage burst in progress, a touch exit
    /// intent, `page_leave`.
    Hidden,
    /// The page is visible again: the page view goes on.
    Visible,
    /// `pagehide`: the rage burst in progress, `page_leave` (before the
    /// beacons, so they carry them).
    Unload,
    /// `shutdown()`: the rage burst in progress.
    Shutdown,
    /// Back from the back/forward cache: a new page view begins.
    Resume,
}

impl Engine {
    /// A scroll measurement.
    pub(super) fn scroll(
        &mut self,
        now: WallMs,
        scroll_y: u32,
        viewport_h: u32,
        doc_h: u32,
        scrolled: bool,
    ) {
        self.signals
            .on_scroll(now, scroll_y, viewport_h, doc_h, scrolled);
        self.emit_signals(now);
    }

    /// A primary pointer press.
    pub(super) fn pointer_down(&mut self, now: WallMs, x: i32, y: i32) {
        self.signals.on_pointer_down(now, x, y);
        self.emit_signals(now);
    }

    /// `mouseout`.
    pub(super) fn mouse_out(&mut self, now: WallMs, client_y: i32, left_window: bool) {
        self.signals.on_mouse_out(now, client_y, left_window);
        self.emit_signals(now);
    }

    /// The page's lifecycle reaches the signals at `moment`; what they
    /// decide is carried out at once (its events leave with what follows).
    #[inline(always)]
    pub(super) fn signals_at(&mut self, now: WallMs, moment: Moment) {
        match moment {
            Moment::Tick => self.signals.on_tick(now),
            Moment::Hidden => self.signals.on_hidden(now),
            Moment::Visible => return self.signals.on_visible(now),
            Moment::Unload => self.signals.on_unload(now),
            Moment::Shutdown => self.signals.on_shutdown(),
            Moment::Resume => return self.signals.begin(now),
        }
        self.emit_signals(now);
    }

    /// The location changed: a new page view when the route rules say so.
    pub(super) fn route(&mut self, now: WallMs, change: RouteChange, page: &Page) {
        if self.config.autocapture.history && self.signals.on_route(change, &page.url, &page.path) {
            #[cfg(feature = "forms")]
            self.forms_end(now);
            #[cfg(feature = "vitals")]
            {
                self.vitals_end(now);
                self.vitals.begin_route();
            }
            #[cfg(feature = "heatmap")]
            {
                self.heatmap_send(now);
                self.heatmap.begin();
            }
            self.signals.end(now);
            self.emit_signals(now);
            self.set_page(page.clone());
            self.signals.begin(now);
            self.page_view(now);
        }
    }

    /// A click on an element carrying `data-ff-event`.
    pub(super) fn declared(&mut self, now: WallMs, name: &str, properties: &str) {
        if self.config.autocapture.clicks {
            self.signals.on_input(now);
            // Redacted here so the dataLayer mirror gets the same name.
            let name = redact_if(declared_name(name), self.config.redact_emails);
            self.emit_auto(now, Kind::Track(&name), Some(properties));
        }
    }

    /// Carries out what the signals asked for, in order.
    fn emit_signals(&mut self, now: WallMs) {
        while let Some(auto) = self.signals.poll_auto() {
            match auto {
                Auto::Track(name, properties) => {
                    // The page view's errors, counted, end with it.
                    #[cfg(feature = "errors")]
                    let properties = match name {
                        "page_leave" => match self.errors.summary() {
                            Some(errors) => {
                                crate::core::json::with_raw_member(&properties, "errors", &errors)
                            }
                            None => properties,
                        },
                        _ => properties,
                    };
                    self.emit_auto(now, Kind::Track(name), Some(&properties))
                }
                Auto::ExitIntent {
                    dwell_ms,
                    max_scroll_percent,
                } => self.effects.push(Effect::Signal(SignalEffect::ExitIntent {
                    dwell_ms,
                    max_scroll_percent,
                })),
                Auto::DescribeTarget => self
                    .effects
                    .push(Effect::Signal(SignalEffect::DescribeTarget)),
            }
        }
    }
}
