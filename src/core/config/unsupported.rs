//! Options that ask for a capability this build was made without: named
//! in a `debug` warning ([`Log::Ignored`](crate::core::engine::Log)), then
//! ignored.

use super::Options;

/// The options given for capabilities this build was made without (see
/// the crate's Cargo features), by name: each is accepted and ignored, and
/// named in a `debug` warning. An option counts as given when it turns
/// something on (`autocapture.rageClick: false` asks for nothing); the
/// `dataLayer` option, given at all but `false`, is one name (a build
/// without the bridge does not read inside it).
///
/// ```
/// # #[cfg(not(feature = "attribution"))] {
/// use footfall::core::config::{unsupported, Options};
/// let o = Options { session_timeout_min: Some(45.0), ..Options::default() };
/// assert!(unsupported(&o).contains(&"sessionTimeoutMin"));
/// # }
/// ```
pub fn unsupported(o: &Options) -> Vec<&'static str> {
    let mut names = Vec::new();
    #[cfg(not(feature = "signals"))]
    {
        let a = &o.autocapture;
        for (name, given) in [
            ("autocapture.history", a.history),
            ("autocapture.scrollDepth", a.scroll_depth),
            ("autocapture.rageClick", a.rage_click),
            ("autocapture.exitIntent", a.exit_intent),
            ("autocapture.pageLeave", a.page_leave),
            ("autocapture.clicks", a.clicks),
        ] {
            if given == Some(true) {
                names.push(name);
            }
        }
    }
    #[cfg(not(feature = "attribution"))]
    {
        if o.session_timeout_min.is_some() {
            names.push("sessionTimeoutMin");
        }
        if o.internal_domains.is_some() {
            names.push("attribution.internalDomains");
        }
    }
    #[cfg(not(feature = "datalayer"))]
    if o.data_layer.is_some() || o.consent_mode_bridge == Some(true) {
        names.push("dataLayer");
    }
    #[cfg(all(feature = "datalayer", not(feature = "ecommerce")))]
    if o.data_layer
        .as_ref()
        .is_some_and(|d| d.ecommerce == Some(true))
    {
        names.push("dataLayer.ecommerce");
    }
    #[cfg(not(feature = "errors"))]
    if o.autocapture.errors == Some(true) {
        names.push("autocapture.errors");
    }
    #[cfg(not(feature = "forms"))]
    if o.autocapture.forms == Some(true) {
        names.push("autocapture.forms");
    }
    #[cfg(not(feature = "vitals"))]
    if o.autocapture.web_vitals == Some(true) {
        names.push("autocapture.webVitals");
    }
    #[cfg(not(feature = "heatmap"))]
    if o.autocapture.heatmap == Some(true) {
        names.push("autocapture.heatmap");
    }
    #[cfg(not(feature = "experiments"))]
    if o.experiments_given {
        names.push("experiments");
    }
    names
}
