//! The event envelope of the Segment Spec, written as JSON text once, when an
//! event is accepted.

use crate::core::json::{push_key, push_str};
use crate::core::time::{push_iso8601, WallMs};
use crate::core::uuid::push_uuid_v4;

/// `context.library.name`.
pub const LIBRARY_NAME: &str = "footfall";
/// `context.library.version`: the crate version.
pub const LIBRARY_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The page an event happened on (`context.page`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// `location.href`.
    pub url: String,
    /// `location.pathname`.
    pub path: String,
    /// `location.search`, with its `?`.
    pub search: String,
    /// `document.title`.
    pub title: String,
    /// `document.referrer`.
    pub referrer: String,
}

// Per-call options (issue 7).

/// Page fields given in a call's options (`options.context.page`); `None`
/// keeps the current page's value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PagePatch {
    /// `url`.
    pub url: Option<String>,
    /// `path`.
    pub path: Option<String>,
    /// `search`.
    pub search: Option<String>,
    /// `title`.
    pub title: Option<String>,
    /// `referrer`.
    pub referrer: Option<String>,
}

impl Page {
    /// This page with the fields `patch` gives replaced.
    ///
    /// ```
    /// use footfall::core::envelope::{Page, PagePatch};
    /// let now = Page { url: "https://a.example/b".into(), title: "B".into(), ..Page::default() };
    /// let then = now.patched(&PagePatch { title: Some("A".into()), ..PagePatch::default() });
    /// assert_eq!((then.url.as_str(), then.title.as_str()), ("https://a.example/b", "A"));
    /// ```
    pub fn patched(&self, patch: &PagePatch) -> Page {
        let pick = |given: &Option<String>, current: &String| {
            given.clone().unwrap_or_else(|| current.clone())
        };
        Page {
            url: pick(&patch.url, &self.url),
            path: pick(&patch.path, &self.path),
            search: pick(&patch.search, &self.search),
            title: pick(&patch.title, &self.title),
            referrer: pick(&patch.referrer, &self.referrer),
        }
    }
}

/// The screen (`context.screen`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Screen {
    /// CSS pixels.
    pub width: u32,
    /// CSS pixels.
    pub height: u32,
    /// `devicePixelRatio`.
    pub density: f64,
}

/// What the browser tells about itself, read once at start.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Environment {
    /// The current page.
    pub page: Page,
    /// `navigator.userAgent`.
    pub user_agent: String,
    /// `navigator.language`.
    pub locale: String,
    /// IANA time zone, e.g. `Europe/Berlin`.
    pub timezone: String,
    /// The screen.
    pub screen: Screen,
}

/// The part of `context` shared by every event of a page view, serialized
/// once per page view and copied into each event.
#[derive(Clone, Debug, Default)]
pub struct ContextCache {
    json: String,
}

impl ContextCache {
    /// Serializes the shared context of `env` (without the enclosing braces).
    pub fn new(env: &Environment) -> ContextCache {
        ContextCache::with_members(env, "")
    }

    /// Like [`ContextCache::new`], followed by `members` (serialized context
    /// members such as `"consent":{...}`; empty for none).
    pub fn with_members(env: &Environment, members: &str) -> ContextCache {
        let mut json = String::with_capacity(512);
        json.push_str("\"library\":{\"name\":\"");
        json.push_str(LIBRARY_NAME);
        json.push_str("\",\"version\":\"");
        json.push_str(LIBRARY_VERSION);
        json.push_str("\"},\"page\":");
        push_page_object(&mut json, &env.page, None);
        push_field(&mut json, "userAgent", &env.user_agent);
        push_field(&mut json, "locale", &env.locale);
        push_field(&mut json, "timezone", &env.timezone);
        if env.screen.width > 0 || env.screen.height > 0 {
            json.push_str(",\"screen\":{\"width\":");
            crate::core::json::push_u64(&mut json, u64::from(env.screen.width));
            json.push_str(",\"height\":");
            crate::core::json::push_u64(&mut json, u64::from(env.screen.height));
            if env.screen.density > 0.0 && env.screen.density.is_finite() {
                json.push_str(",\"density\":");
                crate::core::json::push_decimal(&mut json, env.screen.density);
            }
            json.push('}');
        }
        if !members.is_empty() {
            json.push(',');
            json.push_str(members);
        }
        ContextCache { json }
    }

    /// The serialized members, e.g. `"library":{...},"page":{...}`.
    pub fn as_str(&self) -> &str {
        &self.json
    }
}

/// Appends `,"key":"value"` unless `value` is empty ("empty fields are omitted").
fn push_field(out: &mut String, key: &str, value: &str) {
    if !value.is_empty() {
        out.push(',');
        push_key(out, key);
        push_str(out, value);
    }
}

/// Appends the page as an object: `path`, `referrer`, `search`, `title`, `url`
/// (empty ones omitted), followed by the members of `extra` (a JSON object).
pub fn push_page_object(out: &mut String, page: &Page, extra: Option<&str>) {
    out.push('{');
    let mut separator = "";
    for (key, value) in [
        ("path", &page.path),
        ("referrer", &page.referrer),
        ("search", &page.search),
        ("title", &page.title),
        ("url", &page.url),
    ] {
        // A field the caller set in the properties is theirs: no duplicate key.
        let overridden = extra.is_some_and(|p| crate::core::json::has_top_level_key(p, key));
        if !value.is_empty() && !overridden {
            out.push_str(separator);
            push_key(out, key);
            push_str(out, value);
            separator = ",";
        }
    }
    let members = extra.map(object_members).unwrap_or_default();
    if !members.is_empty() {
        out.push_str(separator);
        out.push_str(members);
    }
    out.push('}');
}

/// The members of a JSON object text, without braces: `{"a":1}` -> `"a":1`.
pub fn object_members(object: &str) -> &str {
    let t = object.trim();
    t.strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .map(str::trim)
        .unwrap_or_default()
}

/// Which call produced an event.
#[derive(Clone, Copy, Debug)]
pub enum Kind<'a> {
    /// `trackEvent(name, properties)`: `"type":"track","event":name`.
    Track(&'a str),
    /// `page(name?, properties?)`: `"type":"page"`, page fields merged into
    /// the properties.
    Page(Option<&'a str>, &'a Page),
    /// `identify(userId, traits)`: `"type":"identify"`, properties as `traits`.
    Identify,
    /// `group(groupId, traits)`: `"type":"group","groupId":id`, properties
    /// as `traits`.
    Group(&'a str),
    /// `alias(userId, previousId)`: `"type":"alias"`, `userId` this id and
    /// `previousId` the given one, else the current user id, else the
    /// anonymous id (Segment's default). Properties are not sent.
    Alias {
        /// The new user id.
        user_id: &'a str,
        /// The id it replaces, when given.
        previous_id: Option<&'a str>,
    },
}

impl<'a> Kind<'a> {
    /// The event name (`track`) or page name (`page`), if any.
    pub fn name(self) -> Option<&'a str> {
        match self {
            Kind::Track(name) | Kind::Page(Some(name), _) => Some(name),
            Kind::Page(None, _) | Kind::Identify | Kind::Group(_) | Kind::Alias { .. } => None,
        }
    }

    /// The same call with `name` for its name, when it has one.
    pub fn renamed<'b>(self, name: &'b str) -> Kind<'b>
    where
        'a: 'b,
    {
        match self {
            Kind::Track(_) => Kind::Track(name),
            Kind::Page(Some(_), page) => Kind::Page(Some(name), page),
            other => other,
        }
    }
}

/// Everything one event is made of.
#[derive(Clone, Copy, Debug)]
pub struct Fields<'a> {
    /// Track, page or identify.
    pub kind: Kind<'a>,
    /// A JSON object text (sanitized), or `{}`.
    pub properties: &'a str,
    /// Random bytes for `messageId`.
    pub message_id: [u8; 16],
    /// `anonymousId`.
    pub anonymous_id: &'a str,
    /// `userId`, omitted when `None`.
    pub user_id: Option<&'a str>,
    /// When the event happened.
    pub timestamp: WallMs,
    /// Serialized context members shared by the page view.
    pub context: &'a ContextCache,
    /// Context members of this event alone (e.g. `"session":{...}`), or "".
    pub own_context: &'a str,
}

/// Where an event's shared context sits in its text, so the outbox can
/// send it in the compact form (shared context once per batch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SharedSpan {
    /// Byte range to remove for the compact form: `,"context":{SHARED}` when
    /// the event has no context of its own, `SHARED,` otherwise.
    pub cut: (usize, usize),
}

/// Writes one event as a JSON object and returns where its shared context is.
///
/// ```
/// use footfall::core::envelope::*;
/// use footfall::core::time::WallMs;
/// let context = ContextCache::new(&Environment::default());
/// let mut out = String::new();
/// write_event(&mut out, &Fields {
///     kind: Kind::Track("quote_requested"), properties: r#"{"price":129}"#,
///     message_id: [0; 16], anonymous_id: "a", user_id: None,
///     timestamp: WallMs(0), context: &context, own_context: "",
/// });
/// assert!(out.starts_with(r#"{"type":"track","event":"quote_requested","properties":{"price":129},"messageId":"00000000-0000-4000-8000-000000000000""#));
/// ```
pub fn write_event(out: &mut String, f: &Fields) -> SharedSpan {
    out.push_str("{\"type\":");
    match f.kind {
        Kind::Track(name) => {
            out.push_str("\"track\",\"event\":");
            push_str(out, name);
            out.push_str(",\"properties\":");
            out.push_str(f.properties);
        }
        Kind::Page(name, page) => {
            out.push_str("\"page\"");
            if let Some(name) = name.filter(|n| !n.is_empty()) {
                out.push_str(",\"name\":");
                push_str(out, name);
            }
            out.push_str(",\"properties\":");
            push_page_object(out, page, Some(f.properties));
        }
        Kind::Identify => {
            out.push_str("\"identify\",\"traits\":");
            out.push_str(f.properties);
        }
        Kind::Group(group_id) => {
            out.push_str("\"group\",\"groupId\":");
            push_str(out, group_id);
            out.push_str(",\"traits\":");
            out.push_str(f.properties);
        }
        Kind::Alias { previous_id, .. } => {
            out.push_str("\"alias\",\"previousId\":");
            push_str(out, previous_id.or(f.user_id).unwrap_or(f.anonymous_id));
        }
    }
    out.push_str(",\"messageId\":\"");
    push_uuid_v4(out, f.message_id);
    out.push_str("\",\"anonymousId\":");
    push_str(out, f.anonymous_id);
    let user_id = match f.kind {
        Kind::Alias { user_id, .. } => Some(user_id),
        _ => f.user_id,
    };
    if let Some(user_id) = user_id {
        out.push_str(",\"userId\":");
        push_str(out, user_id);
    }
    out.push_str(",\"timestamp\":\"");
    push_iso8601(out, f.timestamp);
    out.push('"');
    let context_start = out.len();
    out.push_str(",\"context\":{");
    let shared_start = out.len();
    out.push_str(f.context.as_str());
    let cut = if f.own_context.is_empty() {
        out.push('}');
        (context_start, out.len())
    } else {
        out.push(',');
        let cut = (shared_start, out.len());
        out.push_str(f.own_context);
        out.push('}');
        cut
    };
    out.push('}');
    SharedSpan { cut }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Environment {
        Environment {
            page: Page {
                url: "https://shop.example/services?x=1".into(),
                path: "/services".into(),
                search: "?x=1".into(),
                title: "Repairs \"fast\"".into(),
                referrer: String::new(),
            },
            user_agent: "UA/1.0".into(),
            locale: "en-US".into(),
            timezone: "Europe/Berlin".into(),
            screen: Screen {
                width: 1280,
                height: 720,
                density: 1.5,
            },
        }
    }

    fn event(kind: Kind, props: &str, user: Option<&str>) -> String {
        let ctx = ContextCache::new(&env());
        let mut out = String::new();
        write_event(
            &mut out,
            &Fields {
                kind,
                properties: props,
                message_id: [7; 16],
                anonymous_id: "anon-1",
                user_id: user,
                timestamp: WallMs(1_795_348_800_000),
                context: &ctx,
                own_context: "",
            },
        );
        out
    }

    #[test]
    fn context_has_every_field_and_omits_empty_ones() {
        let ctx = ContextCache::new(&env());
        assert_eq!(
            ctx.as_str(),
            concat!(
                r#""library":{"name":"footfall","version":""#,
                env!("CARGO_PKG_VERSION"),
                r#""},"page":{"path":"/services","search":"?x=1","title":"Repairs \"fast\"","url":"https://shop.example/services?x=1"},"userAgent":"UA/1.0","locale":"en-US","timezone":"Europe/Berlin","screen":{"width":1280,"height":720,"density":1.5}"#
            )
        );
        let bare = ContextCache::new(&Environment::default());
        assert_eq!(
            bare.as_str(),
            concat!(
                r#""library":{"name":"footfall","version":""#,
                env!("CARGO_PKG_VERSION"),
                r#""},"page":{}"#
            )
        );
    }

    #[test]
    fn track_event_is_segment_shaped() {
        let e = event(
            Kind::Track("price_checked"),
            r#"{"service":"battery"}"#,
            Some("u-9"),
        );
        let head = r#"{"type":"track","event":"price_checked","properties":{"service":"battery"},"messageId":"07070707-0707-4707-8707-070707070707","anonymousId":"anon-1","userId":"u-9","timestamp":"2026-11-22T12:00:00.000Z","context":{"library""#;
        assert!(e.starts_with(head), "{e}");
        assert!(e.ends_with("}}"));
        assert!(!event(Kind::Track("x"), "{}", None).contains("userId"));
    }

    #[test]
    fn page_event_merges_page_fields_into_properties() {
        let p = env().page;
        let e = event(Kind::Page(Some("Services"), &p), r#"{"variant":"b"}"#, None);
        assert!(e.starts_with(
            r#"{"type":"page","name":"Services","properties":{"path":"/services","search":"?x=1","title":"Repairs \"fast\"","url":"https://shop.example/services?x=1","variant":"b"},"messageId""#
        ), "{e}");
        let e = event(Kind::Page(None, &Page::default()), "{}", None);
        assert!(
            e.starts_with(r#"{"type":"page","properties":{},"messageId""#),
            "{e}"
        );
        let e = event(Kind::Page(Some(""), &Page::default()), r#"{"a":1}"#, None);
        assert!(
            e.starts_with(r#"{"type":"page","properties":{"a":1},"#),
            "{e}"
        );
    }

    #[test]
    fn identify_event_carries_traits() {
        let e = event(Kind::Identify, r#"{"plan":"pro"}"#, Some("u-1"));
        assert!(
            e.starts_with(r#"{"type":"identify","traits":{"plan":"pro"},"messageId""#),
            "{e}"
        );
        assert!(e.contains(r#""userId":"u-1""#));
    }

    #[test]
    fn the_shared_span_cuts_to_the_compact_form() {
        let ctx = ContextCache::new(&env());
        for (own, compact) in [
            (
                "",
                r#"{"type":"track","event":"e","properties":{},"messageId":"07070707-0707-4707-8707-070707070707","anonymousId":"a","timestamp":"1970-01-01T00:00:00.000Z"}"#,
            ),
            (
                r#""session":{"id":"s"}"#,
                r#"{"type":"track","event":"e","properties":{},"messageId":"07070707-0707-4707-8707-070707070707","anonymousId":"a","timestamp":"1970-01-01T00:00:00.000Z","context":{"session":{"id":"s"}}}"#,
            ),
        ] {
            let mut out = String::new();
            let span = write_event(
                &mut out,
                &Fields {
                    kind: Kind::Track("e"),
                    properties: "{}",
                    message_id: [7; 16],
                    anonymous_id: "a",
                    user_id: None,
                    timestamp: WallMs(0),
                    context: &ctx,
                    own_context: own,
                },
            );
            let cut = out[..span.cut.0].to_owned() + &out[span.cut.1..];
            assert_eq!(cut, compact);
            let full: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(full["context"]["library"]["name"], "footfall");
            if !own.is_empty() {
                assert_eq!(full["context"]["session"]["id"], "s");
            }
        }
    }

    #[test]
    fn density_must_be_a_number() {
        let mut e = env();
        e.screen.density = f64::NAN;
        assert!(!ContextCache::new(&e).as_str().contains("density"));
        e.screen.density = -1.0;
        assert!(!ContextCache::new(&e).as_str().contains("density"));
    }
}
