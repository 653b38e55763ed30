//! The Google Tag Manager dataLayer bridge (the `datalayer` capability):
//! which pushes become footfall events and with which properties
//! (`forward`), what footfall pushes for its automatic events (`mirror`),
//! and Google Consent Mode commands.
//!
//! The browser layer (`browser::datalayer`) intercepts `dataLayer.push` and
//! carries out the [`DataLayerEffect`]s; every decision is here (Consent
//! Mode's state is [`Consent::consent_mode`](crate::core::consent::Consent::consent_mode)).

pub use crate::core::config::DataLayerOptions;
use crate::core::envelope::{object_members, push_page_object, Kind};
use crate::core::json::{push_key, push_str};

/// Prefix of the event names footfall pushes (`footfall.scroll_depth`).
/// Pushes with it are never forwarded back.
pub const OWN_PREFIX: &str = "footfall.";

/// The name mirrored page views are pushed under.
pub const PAGE_VIEW: &str = "footfall.page_view";

/// The resolved bridge settings (on the array named by
/// `Config::data_layer_name`). [`DataLayerConfig::default`] is off.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataLayerConfig {
    /// Whether pushes with an `event` key become `trackEvent(event, rest)`.
    pub forward: bool,
    /// Whether automatic events are pushed as `{ event: 'footfall.<name>', ... }`.
    pub mirror: bool,
    /// Forward only these names; empty: every name.
    pub allow: Vec<String>,
    /// Never forward these names.
    pub deny: Vec<String>,
    /// Whether GA4 ecommerce pushes become Segment Ecommerce v2 events
    /// (they are then never forwarded as they are).
    pub ecommerce: bool,
}

/// What becomes of a dataLayer push, by its `event`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// Nothing.
    Ignore,
    /// `trackEvent(event, otherKeys)`.
    Forward,
    /// A GA4 ecommerce event, mapped to its Segment v2 event.
    Ecommerce,
}

impl DataLayerConfig {
    /// Resolves the option: each part is off unless turned on
    /// (`dataLayer: true` turns both on), so `{ consentMode: true }` alone
    /// forwards and mirrors nothing.
    ///
    /// ```
    /// use footfall::core::datalayer::{DataLayerConfig, DataLayerOptions};
    /// let c = DataLayerConfig::resolve(Some(DataLayerOptions::on()));
    /// assert!(c.forward && c.mirror);
    /// assert!(!DataLayerConfig::resolve(Some(DataLayerOptions::default())).is_on());
    /// assert!(!DataLayerConfig::resolve(None).is_on());
    /// ```
    pub fn resolve(options: Option<DataLayerOptions>) -> DataLayerConfig {
        let Some(o) = options else {
            return DataLayerConfig::default();
        };
        let (mut allow, mut deny) = (o.allow, o.deny);
        allow.retain(|s| !s.is_empty());
        deny.retain(|s| !s.is_empty());
        DataLayerConfig {
            forward: o.forward.unwrap_or(false),
            mirror: o.mirror.unwrap_or(false),
            allow,
            deny,
            ecommerce: cfg!(feature = "ecommerce") && o.ecommerce == Some(true),
        }
    }

    /// Whether the bridge does anything.
    pub fn is_on(&self) -> bool {
        self.forward || self.mirror || self.ecommerce
    }

    /// Whether pushes are read at all (forwarded or mapped).
    pub fn reads_pushes(&self) -> bool {
        self.forward || self.ecommerce
    }

    /// What becomes of a push whose `event` is `event`: a GA4 ecommerce
    /// event is mapped when `ecommerce` is on (and not forwarded as it is);
    /// anything else is forwarded when [`forwards`](Self::forwards) says so.
    pub fn route(&self, event: &str) -> Route {
        #[cfg(feature = "ecommerce")]
        if self.ecommerce && crate::core::ecommerce::is_ecommerce_event(event) {
            return Route::Ecommerce;
        }
        if self.forwards(event) {
            Route::Forward
        } else {
            Route::Ignore
        }
    }

    /// Whether a push whose `event` is `event` becomes a footfall event:
    /// never GTM's own (`gtm.*`) nor footfall's (`footfall.*`), then the
    /// allow-list (when not empty) and the deny-list decide.
    ///
    /// ```
    /// use footfall::core::datalayer::{DataLayerConfig, DataLayerOptions};
    /// let c = DataLayerConfig::resolve(Some(DataLayerOptions {
    ///     forward: Some(true), deny: vec!["debug_*".into()], ..DataLayerOptions::default()
    /// }));
    /// assert!(c.forwards("purchase"));
    /// assert!(!c.forwards("gtm.dom") && !c.forwards("footfall.scroll_depth") && !c.forwards("debug_tick"));
    /// ```
    pub fn forwards(&self, event: &str) -> bool {
        self.forward
            && !event.trim().is_empty()
            && !event.starts_with("gtm.")
            && !event.starts_with(OWN_PREFIX)
            && (self.allow.is_empty() || self.allow.iter().any(|p| matches(p, event)))
            && !self.deny.iter().any(|p| matches(p, event))
    }
}

/// What the engine asks of the dataLayer (in
/// [`Effect::DataLayer`](crate::core::engine::Effect::DataLayer)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataLayerEffect {
    /// `dataLayer.push(JSON.parse(entry))` on the configured dataLayer
    /// (created when missing): a mirrored automatic event.
    Push(String),
    /// Push a Google Consent Mode command to the dataLayer, in gtag's form:
    /// `['consent', command, { key: 'granted' | 'denied', ... }]`.
    ConsentMode {
        /// `default` (at start) or `update`.
        command: &'static str,
        /// The state, in gtag's vocabulary.
        state: [(&'static str, bool); 7],
    },
}

/// `pattern` equals `name`, or ends with `*` and prefixes it.
fn matches(pattern: &str, name: &str) -> bool {
    let p = pattern.as_bytes();
    match p.split_last() {
        Some((b'*', prefix)) => name.as_bytes().starts_with(prefix),
        _ => p == name.as_bytes(),
    }
}

/// Whether a key of a forwarded push becomes a property: not `event`, and
/// not one of GTM's control keys (`gtm.*` such as `gtm.uniqueEventId`, which
/// GTM adds to every object it processes, `eventCallback`, `eventTimeout`).
pub fn keeps_key(key: &str) -> bool {
    !(key.is_empty()
        || key == "event"
        || key == "eventCallback"
        || key == "eventTimeout"
        || key.starts_with("gtm."))
}

/// The object pushed for a mirrored event, as JSON text:
/// `{...properties, "event":"footfall.<name>"}` for a track event, the page
/// fields, name and properties under `footfall.page_view` for a page view,
/// `None` for what is never mirrored (identify). `event` comes last so a
/// property of the same name cannot replace it.
///
/// ```
/// use footfall::core::datalayer::mirror_entry;
/// use footfall::core::envelope::Kind;
/// assert_eq!(
///     mirror_entry(Kind::Track("scroll_depth"), Some(r#"{"percent":50}"#)).unwrap(),
///     r#"{"percent":50,"event":"footfall.scroll_depth"}"#
/// );
/// ```
pub fn mirror_entry(kind: Kind, properties: Option<&str>) -> Option<String> {
    let mut out = String::with_capacity(64 + properties.map_or(0, str::len));
    out.push('{');
    let event = match kind {
        Kind::Track(name) => {
            let members = properties.map(object_members).unwrap_or_default();
            out.push_str(members);
            let mut event = String::from(OWN_PREFIX);
            event.push_str(name);
            event
        }
        Kind::Page(name, page) => {
            if let Some(name) = name.filter(|n| !n.is_empty()) {
                push_key(&mut out, "name");
                push_str(&mut out, name);
                out.push(',');
            }
            let mut fields = String::new();
            push_page_object(&mut fields, page, properties);
            out.push_str(object_members(&fields));
            PAGE_VIEW.to_owned()
        }
        Kind::Identify | Kind::Group(_) | Kind::Alias { .. } => return None,
    };
    if out.len() > 1 && !out.ends_with(',') {
        out.push(',');
    }
    push_key(&mut out, "event");
    push_str(&mut out, &event);
    out.push('}');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::envelope::Page;

    fn config(allow: &[&str], deny: &[&str]) -> DataLayerConfig {
        DataLayerConfig::resolve(Some(DataLayerOptions {
            forward: Some(true),
            allow: allow.iter().map(|s| s.to_string()).collect(),
            deny: deny.iter().map(|s| s.to_string()).collect(),
            ..DataLayerOptions::default()
        }))
    }

    #[test]
    fn resolve_defaults_and_off() {
        let off = DataLayerConfig::resolve(None);
        assert!(!off.is_on() && !off.forwards("purchase"));
        assert!(!DataLayerConfig::resolve(Some(DataLayerOptions::default())).is_on());
        let on = DataLayerConfig::resolve(Some(DataLayerOptions::on()));
        assert_eq!(
            on,
            DataLayerConfig {
                forward: true,
                mirror: true,
                allow: vec![],
                deny: vec![],
                ecommerce: false,
            }
        );
        let c = DataLayerConfig::resolve(Some(DataLayerOptions {
            forward: Some(false),
            mirror: Some(true),
            allow: vec!["a".into(), "".into()],
            deny: vec![],
            ecommerce: None,
        }));
        assert_eq!(c.allow, vec!["a".to_owned()]);
        assert!(c.is_on() && !c.forwards("a"));
    }

    #[test]
    fn which_events_are_forwarded() {
        for (allow, deny, event, forwarded) in [
            (&[][..], &[][..], "purchase", true),
            (&[], &[], "", false),
            (&[], &[], "  ", false),
            (&[], &[], "gtm.js", false),
            (&[], &[], "gtm.dom", false),
            (&[], &[], "gtm.linkClick", false),
            (&[], &[], "footfall.scroll_depth", false),
            (&[], &[], "footfall.page_view", false),
            (&[], &[], "gtmish", true),
            (&["purchase", "sign_up"], &[], "purchase", true),
            (&["purchase", "sign_up"], &[], "add_to_cart", false),
            (&["checkout_*"], &[], "checkout_step", true),
            (&["checkout_*"], &[], "checkout", false),
            (&["*"], &[], "anything", true),
            (&["*"], &[], "gtm.load", false),
            (&[], &["debug"], "debug", false),
            (&[], &["debug"], "debugger", true),
            (&[], &["debug*"], "debugger", false),
            (&["purchase"], &["purchase"], "purchase", false),
        ] {
            assert_eq!(
                config(allow, deny).forwards(event),
                forwarded,
                "{allow:?} {deny:?} {event}"
            );
        }
    }

    #[test]
    fn which_keys_become_properties() {
        for (key, kept) in [
            ("value", true),
            ("ecommerce", true),
            ("event", false),
            ("gtm.uniqueEventId", false),
            ("gtm.element", false),
            ("eventCallback", false),
            ("eventTimeout", false),
            ("", false),
            ("events", true),
        ] {
            assert_eq!(keeps_key(key), kept, "{key}");
        }
    }

    #[test]
    fn mirrored_entries() {
        let page = Page {
            url: "https://shop.example/p?x=1".into(),
            path: "/p".into(),
            search: "?x=1".into(),
            title: "P".into(),
            referrer: String::new(),
        };
        for (kind, props, expected) in [
            (
                Kind::Track("rage_click"),
                Some(r#"{"clicks":4,"x":10}"#),
                Some(r#"{"clicks":4,"x":10,"event":"footfall.rage_click"}"#),
            ),
            (
                Kind::Track("exit_intent"),
                None,
                Some(r#"{"event":"footfall.exit_intent"}"#),
            ),
            (
                Kind::Track("x"),
                Some("{}"),
                Some(r#"{"event":"footfall.x"}"#),
            ),
            (
                Kind::Track("x"),
                Some(r#"{"event":"spoof"}"#),
                Some(r#"{"event":"spoof","event":"footfall.x"}"#),
            ),
            (
                Kind::Page(None, &page),
                None,
                Some(
                    r#"{"path":"/p","search":"?x=1","title":"P","url":"https://shop.example/p?x=1","event":"footfall.page_view"}"#,
                ),
            ),
            (
                Kind::Page(Some("Home"), &page),
                Some(r#"{"variant":"b"}"#),
                Some(
                    r#"{"name":"Home","path":"/p","search":"?x=1","title":"P","url":"https://shop.example/p?x=1","variant":"b","event":"footfall.page_view"}"#,
                ),
            ),
            (
                Kind::Page(Some("Home"), &Page::default()),
                None,
                Some(r#"{"name":"Home","event":"footfall.page_view"}"#),
            ),
            (Kind::Identify, Some("{}"), None),
        ] {
            let entry = mirror_entry(kind, props);
            assert_eq!(entry.as_deref(), expected);
            if let Some(entry) = entry {
                let parsed: serde_json::Value = serde_json::from_str(&entry).unwrap();
                assert!(parsed["event"].as_str().unwrap().starts_with("footfall."));
            }
        }
    }
}
