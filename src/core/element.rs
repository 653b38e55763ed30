//! Clicked elements, described: a short CSS selector and text for rage
//! clicks, and the event of a declarative click (`data-ff-event`).
//!
//! The browser layer reads the DOM (tag names, ids, classes, attributes);
//! what to keep and how to write it is decided here.

use crate::core::json::push_str;

/// The attribute naming the event of a declarative click.
pub const EVENT_ATTRIBUTE: &str = "data-ff-event";
/// Selector of elements with a declarative event (for `closest`).
pub const EVENT_SELECTOR: &str = "[data-ff-event]";
/// Attributes with this prefix become the event's properties.
pub const PROP_PREFIX: &str = "data-ff-prop-";
/// The event name when `data-ff-event` is empty.
pub const DEFAULT_EVENT_NAME: &str = "element_clicked";
/// Longest element text kept, in bytes of UTF-8 (whitespace collapsed
/// first, cut at a character boundary).
pub const MAX_TEXT_BYTES: usize = 100;
/// Most elements in a selector (the target and its nearest ancestors).
pub const MAX_SELECTOR_STEPS: usize = 3;
/// Most classes kept per element.
pub const MAX_CLASSES: usize = 2;

/// One element of a selector, as `tag#id` or `tag.class.class`, and whether
/// the walk up the tree stops here (an id is unique enough; `body` and
/// `html` are the top). Ids and classes that are not plain identifiers
/// (generated `a:b`, `w-1/2`, ...) are skipped.
///
/// ```
/// use footfall::core::element::selector_step;
/// assert_eq!(selector_step("BUTTON", "", "btn  btn-primary wide"), ("button.btn.btn-primary".into(), false));
/// assert_eq!(selector_step("DIV", "cart", "x"), ("div#cart".into(), true));
/// assert_eq!(selector_step("A", "", "md:flex w-1/2"), ("a".into(), false));
/// ```
pub fn selector_step(tag: &str, id: &str, class_name: &str) -> (String, bool) {
    let mut out = String::with_capacity(32);
    if is_ident(tag) {
        out.extend(tag.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        out.push('*');
    }
    if is_ident(id) {
        out.push('#');
        out.push_str(id);
        return (out, true);
    }
    for class in class_name
        .split_ascii_whitespace()
        .filter(|c| is_ident(c))
        .take(MAX_CLASSES)
    {
        out.push('.');
        out.push_str(class);
    }
    let top = out == "body" || out == "html" || out.starts_with("body.");
    (out, top)
}

/// Joins steps given innermost first into `outer > inner`.
///
/// ```
/// use footfall::core::element::join_selector;
/// assert_eq!(join_selector(&["button.buy".into(), "div#card".into()]), "div#card > button.buy");
/// ```
pub fn join_selector(steps_inner_first: &[String]) -> String {
    let mut out = String::new();
    for step in steps_inner_first.iter().rev() {
        if !out.is_empty() {
            out.push_str(" > ");
        }
        out.push_str(step);
    }
    out
}

/// A CSS identifier footfall writes as is: ASCII letters, digits, `-` and
/// `_`, not starting with a digit, at most 64 bytes.
fn is_ident(s: &str) -> bool {
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && !bytes.first().is_some_and(u8::is_ascii_digit)
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
}

/// Element text as a visitor reads it: runs of ASCII whitespace collapsed
/// to one space, trimmed, cut to at most `max_bytes` bytes at a character
/// boundary.
///
/// ```
/// use footfall::core::element::clean_text;
/// assert_eq!(clean_text("\n  Check   price\t now ", 100), "Check price now");
/// assert_eq!(clean_text("Add to basket", 7), "Add to");
/// assert_eq!(clean_text("Größe", 3), "Gr"); // never half a character
/// ```
pub fn clean_text(text: &str, max_bytes: usize) -> String {
    let mut out = String::new();
    for word in text.split_ascii_whitespace() {
        if out.len() >= max_bytes {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    let mut cut = out.len().min(max_bytes);
    while !out.is_char_boundary(cut) {
        cut = cut.saturating_sub(1);
    }
    out.truncate(cut);
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The event name of a declarative click: the attribute's value, or
/// [`DEFAULT_EVENT_NAME`] when it is blank.
pub fn declared_name(value: &str) -> &str {
    let name = value.trim();
    if name.is_empty() {
        DEFAULT_EVENT_NAME
    } else {
        name
    }
}

/// The property key of an attribute: `data-ff-prop-price-band` gives
/// `price-band` (as written, lower case in HTML); other attributes none.
pub fn prop_key(attribute: &str) -> Option<&str> {
    attribute
        .strip_prefix(PROP_PREFIX)
        .filter(|key| !key.is_empty())
}

/// The properties of a declarative click, written as a JSON object while
/// the element's attributes are read: each `data-ff-prop-*` attribute with
/// its value as a string; other attributes are ignored.
///
/// ```
/// use footfall::core::element::DeclaredProperties;
/// let mut p = DeclaredProperties::default();
/// for (name, value) in [("class", "btn"), ("data-ff-event", "price_checked"), ("data-ff-prop-service", "battery")] {
///     p.attribute(name, value);
/// }
/// assert_eq!(p.finish(), r#"{"service":"battery"}"#);
/// ```
#[derive(Debug, Default)]
pub struct DeclaredProperties(String);

impl DeclaredProperties {
    /// One attribute of the element.
    pub fn attribute(&mut self, name: &str, value: &str) {
        if let Some(key) = prop_key(name) {
            self.0.push(if self.0.is_empty() { '{' } else { ',' });
            push_str(&mut self.0, key);
            self.0.push(':');
            push_str(&mut self.0, value);
        }
    }

    /// The JSON object.
    pub fn finish(mut self) -> String {
        if self.0.is_empty() {
            self.0.push('{');
        }
        self.0.push('}');
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_steps() {
        for (tag, id, class, want, last) in [
            ("BUTTON", "", "", "button", false),
            ("BUTTON", "buy", "btn", "button#buy", true),
            (
                "DIV",
                "",
                "card  card--wide   extra",
                "div.card.card--wide",
                false,
            ),
            ("SPAN", "1abc", "", "span", false), // an id starting with a digit
            ("SPAN", "a b", "", "span", false),  // not an identifier
            ("MY-WIDGET", "", "", "my-widget", false),
            ("svg:rect", "", "", "*", false),
            ("BODY", "", "home", "body.home", true),
            ("HTML", "", "", "html", true),
            ("BUTTON", "", "sm:px-2 _ok", "button._ok", false),
            ("", "", "", "*", false),
        ] {
            assert_eq!(
                selector_step(tag, id, class),
                (want.to_owned(), last),
                "{tag} {id} {class}"
            );
        }
    }

    #[test]
    fn texts() {
        for (text, max, want) in [
            ("", 100, ""),
            ("   \n\t ", 100, ""),
            ("Buy", 100, "Buy"),
            ("  Buy \n now  ", 100, "Buy now"),
            ("Buy now", 4, "Buy"),
            ("Buy now", 3, "Buy"),
            ("Größe wählen", 7, "Größe"),
            ("Größe wählen", 6, "Größ"),
            ("日本語のテキスト", 9, "日本語"),
            ("日本語のテキスト", 8, "日本"),
            ("a b c", 0, ""),
            ("non\u{a0}breaking", 100, "non\u{a0}breaking"),
        ] {
            assert_eq!(clean_text(text, max), want, "{text:?} {max}");
        }
        let long = "word ".repeat(10_000);
        assert_eq!(
            clean_text(&long, MAX_TEXT_BYTES),
            "word ".repeat(20).trim_end()
        );
    }

    #[test]
    fn declarative_clicks() {
        assert_eq!(declared_name(" price_checked "), "price_checked");
        assert_eq!(declared_name(""), "element_clicked");
        assert_eq!(declared_name("  "), "element_clicked");
        assert_eq!(prop_key("data-ff-prop-"), None);
        assert_eq!(prop_key("data-ff-event"), None);
        assert_eq!(prop_key("data-ff-prop-a-b"), Some("a-b"));
        let mut p = DeclaredProperties::default();
        for (name, value) in [
            ("data-ff-prop-service", "battery"),
            ("id", "x"),
            ("data-ff-prop-quote", "say \"hi\"\n"),
            ("data-ff-prop-", "ignored"),
        ] {
            p.attribute(name, value);
        }
        assert_eq!(
            p.finish(),
            r#"{"service":"battery","quote":"say \"hi\"\n"}"#
        );
        assert_eq!(DeclaredProperties::default().finish(), "{}");
    }
}
