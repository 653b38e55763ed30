//! Clicked elements, described: a short CSS selector and text for rage
//! clicks, and the event of a declarative click (`data-ff-event`).
//!
//! The browser layer reads the DOM (tag names, ids, classes, attributes);
//! what to keep and how to write it is decided here.

use crate::core::json::push_str;
use crate::core::privacy::{mask_cards, redact_emails};
use crate::core::url::rfind_byte;

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
/// Most UTF-16 code units of element text the browser reads (`innerText`
/// can be a whole page): a text this long may end inside an address or a
/// card number, so [`clean_text`] drops its last word.
pub const MAX_TEXT_READ: usize = 1000;
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
/// use footfall::core::signals::element::selector_step;
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
/// use footfall::core::signals::element::join_selector;
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

/// Element text as it may be sent: runs of ASCII whitespace collapsed to
/// one space and trimmed; when it may be as long as the browser reads
/// ([`MAX_TEXT_READ`] bytes or more), its last word and the digits before it dropped
/// (they may be the start of an address or a card number); email addresses
/// and card-like numbers masked ([`redact_emails`], [`mask_cards`]); then
/// cut to at most `max_bytes` bytes at a character boundary. Masking
/// comes before the cut, so a cut never leaves part of either.
///
/// ```
/// use footfall::core::signals::element::clean_text;
/// assert_eq!(clean_text("\n  Check   price\t now ", 100), "Check price now");
/// assert_eq!(clean_text("Add to basket", 7), "Add to");
/// assert_eq!(clean_text("Größe", 3), "Gr"); // never half a character
/// assert_eq!(clean_text("Card 4111 1111 1111 1111 of jo@example.com", 100), "Card [card] of [email]");
/// ```
pub fn clean_text(text: &str, max_bytes: usize) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_TEXT_READ * 3));
    for word in text.split_ascii_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    // A UTF-16 unit takes a byte or more: shorter texts were read whole.
    if text.len() >= MAX_TEXT_READ {
        let last = rfind_byte(&out, b' ').unwrap_or(0);
        let kept = out.as_bytes().get(..last).unwrap_or_default();
        let digits_before = |b: &u8| b.is_ascii_digit() || *b == b' ' || *b == b'-';
        out.truncate(
            kept.iter()
                .rposition(|b| !digits_before(b))
                .map_or(0, |p| p + 1),
        );
    }
    let redacted = redact_emails(&out);
    let masked = mask_cards(&redacted);
    let mut cut = masked.len().min(max_bytes);
    while !masked.is_char_boundary(cut) {
        cut = cut.saturating_sub(1);
    }
    // A cut just after a space leaves it last.
    if masked.as_bytes().get(cut.wrapping_sub(1)) == Some(&b' ') {
        cut -= 1;
    }
    masked.get(..cut).unwrap_or_default().to_owned()
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
/// use footfall::core::signals::element::DeclaredProperties;
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

    /// Card numbers and addresses are masked before the cut, so a cut never
    /// leaves part of one.
    #[test]
    fn texts_hide_cards_and_addresses() {
        let words = "word ".repeat(18);
        let long_address = words.clone() + "jonathan.doe@example.com";
        let long_card = words.clone() + "4111 1111 1111 1111";
        for (text, want) in [
            ("Pay 4111 1111 1111 1111 now", "Pay [card] now"),
            ("4111-1111-1111-1111", "[card]"),
            ("4111111111111111", "[card]"),
            ("Amex 3782 822463 10005", "Amex [card]"),
            ("4111\u{a0}1111\u{a0}1111\u{a0}1111", "[card]"),
            // Card and security code in one run: 19 digits and more go too.
            ("4111 1111 1111 1111 123", "[card]"),
            ("1234567890123456789012", "[card]"),
            (
                "Order 1234 5678, call 030 1234567",
                "Order 1234 5678, call 030 1234567",
            ),
            ("2026-11-22 12:00", "2026-11-22 12:00"),
            ("Logged in as jo@example.com", "Logged in as [email]"),
            ("jo4111111111111111@example.com", "[email]"),
            (long_address.as_str(), &(words.clone() + "[email]")),
            (long_card.as_str(), &(words.clone() + "[card]")),
        ] {
            assert_eq!(clean_text(text, MAX_TEXT_BYTES), want, "{text:?}");
        }
    }

    /// Text as long as the browser reads may end inside an address or a
    /// card number: that end is dropped.
    #[test]
    fn a_text_cut_by_the_browser_loses_its_last_word() {
        let pad = "\n".repeat(MAX_TEXT_READ - 13);
        for (tail, want) in [
            ("Hi jonathan@e", "Hi"),
            ("Pay 4111 1111", "Pay"),
            ("Buy it now ok", "Buy it now"),
        ] {
            assert_eq!(
                clean_text(&(pad.clone() + tail), MAX_TEXT_BYTES),
                want,
                "{tail}"
            );
        }
        assert_eq!(clean_text("Hi jonathan@e", MAX_TEXT_BYTES), "Hi jonathan@e");
    }

    /// Selectors hold identifiers only: an id or class with an address in
    /// it is never written.
    #[test]
    fn selectors_never_hold_an_address() {
        assert_eq!(
            selector_step("A", "jo@example.com", "jo%40example.com x"),
            ("a.x".to_owned(), false)
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
