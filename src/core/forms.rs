//! Form analytics (the `forms` capability, `autocapture.forms`): a form
//! starts at its first input, is submitted, or is abandoned when the page
//! view ends after a start without a submit, naming the last field
//! touched. No field value is ever read: the browser layer reports the
//! form's name, its number of fields and the field's name only.
//!
//! A form is a `<form>` element, or any element marked `data-ff-form` (a
//! framework's form without one); its name is `data-ff-form`, else its id,
//! else its `name`, else `form[i]` (its place among the page's forms).

use crate::core::json::{push_key, push_str, push_u64};
use crate::core::privacy::redact_emails;
use crate::core::time::WallMs;

/// Most forms followed per page view.
const MAX_FORMS: usize = 20;

/// One form of the page view.
#[derive(Debug)]
struct Form {
    name: String,
    fields: u32,
    started: Option<WallMs>,
    last_field: String,
    /// Submitted at least once in this page view (no input since when
    /// `started` is empty).
    submitted: bool,
}

/// The forms of the current page view.
#[derive(Debug, Default)]
pub struct PageForms {
    forms: Vec<Form>,
}

impl PageForms {
    /// An input in field `field` of form `form` (which has `fields`
    /// fields): `form_started`'s properties on the form's first input.
    pub fn on_input(
        &mut self,
        now: WallMs,
        form: &str,
        fields: u32,
        field: &str,
    ) -> Option<String> {
        let form = self.form(form, fields)?;
        form.fields = fields;
        form.last_field = redact_emails(field).into_owned();
        if form.started.is_some() {
            return None;
        }
        form.started = Some(now);
        Some(properties(form, None, false))
    }

    /// Form `form` was submitted: `form_submitted`'s properties; `None`
    /// for a repeat with no input since the last submit (a double click on
    /// the button, a submit the page refused and the visitor sent again
    /// unchanged): one submission, counted once.
    pub fn on_submit(&mut self, now: WallMs, form: &str, fields: u32) -> Option<String> {
        let form = self.form(form, fields)?;
        if form.submitted && form.started.is_none() {
            return None;
        }
        form.submitted = true;
        form.fields = fields;
        let started = form.started.take().unwrap_or(now);
        form.last_field.clear();
        Some(properties(
            form,
            Some(now.0.saturating_sub(started.0)),
            false,
        ))
    }

    /// The page view ends: `form_abandoned`'s properties for each form
    /// started and not submitted; the next page view starts with none.
    pub fn end(&mut self, now: WallMs) -> Vec<String> {
        let mut abandoned = Vec::new();
        for form in &self.forms {
            if let Some(started) = form.started {
                abandoned.push(properties(
                    form,
                    Some(now.0.saturating_sub(started.0)),
                    true,
                ));
            }
        }
        self.forms.clear();
        abandoned
    }

    /// The form named `name`, followed from now on (`None` past
    /// [`MAX_FORMS`]).
    fn form(&mut self, name: &str, fields: u32) -> Option<&mut Form> {
        let name = redact_emails(name);
        match self.forms.iter().position(|f| f.name == *name) {
            Some(i) => self.forms.get_mut(i),
            None if self.forms.len() < MAX_FORMS => {
                self.forms.push(Form {
                    name: name.into_owned(),
                    fields,
                    started: None,
                    last_field: String::new(),
                    submitted: false,
                });
                self.forms.last_mut()
            }
            None => None,
        }
    }
}

/// `{ form, fields, duration_ms?, last_field? }`.
fn properties(form: &Form, duration_ms: Option<u64>, with_last_field: bool) -> String {
    let mut out = String::with_capacity(form.name.len() + form.last_field.len() + 64);
    out.push('{');
    push_key(&mut out, "form");
    push_str(&mut out, &form.name);
    out.push(',');
    push_key(&mut out, "fields");
    push_u64(&mut out, u64::from(form.fields));
    if let Some(ms) = duration_ms {
        out.push(',');
        push_key(&mut out, "duration_ms");
        push_u64(&mut out, ms);
    }
    if with_last_field && !form.last_field.is_empty() {
        out.push(',');
        push_key(&mut out, "last_field");
        push_str(&mut out, &form.last_field);
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn started_at_the_first_input_then_submitted() {
        let mut f = PageForms::default();
        let started = f.on_input(WallMs(1_000), "quote", 4, "model").unwrap();
        assert_eq!(parse(&started), json!({ "form": "quote", "fields": 4 }));
        assert!(f
            .on_input(WallMs(1_500), "quote", 4, "description")
            .is_none());
        let submitted = f.on_submit(WallMs(9_000), "quote", 4).unwrap();
        assert_eq!(
            parse(&submitted),
            json!({ "form": "quote", "fields": 4, "duration_ms": 8000 })
        );
        assert!(f.end(WallMs(10_000)).is_empty(), "submitted: not abandoned");
        // A form used again after its submit starts again.
        assert!(f.on_input(WallMs(11_000), "quote", 4, "model").is_some());
    }

    #[test]
    fn abandoned_when_the_page_view_ends_with_the_last_field() {
        let mut f = PageForms::default();
        f.on_input(WallMs(1_000), "quote", 4, "model");
        f.on_input(WallMs(2_000), "quote", 4, "email");
        f.on_input(WallMs(2_500), "newsletter", 1, "address");
        let abandoned: Vec<Value> = f.end(WallMs(5_000)).iter().map(|p| parse(p)).collect();
        assert_eq!(
            abandoned,
            [
                json!({ "form": "quote", "fields": 4, "duration_ms": 4000, "last_field": "email" }),
                json!({ "form": "newsletter", "fields": 1, "duration_ms": 2500, "last_field": "address" })
            ]
        );
        assert!(f.end(WallMs(6_000)).is_empty(), "a new page view has none");
    }

    #[test]
    fn a_submit_without_input_is_still_a_submit() {
        let mut f = PageForms::default();
        let submitted = f.on_submit(WallMs(3_000), "search", 1).unwrap();
        assert_eq!(parse(&submitted)["duration_ms"], 0);
    }

    #[test]
    fn a_repeated_submit_without_input_is_not_counted_again() {
        let mut f = PageForms::default();
        f.on_input(WallMs(1_000), "quote", 4, "model");
        assert!(f.on_submit(WallMs(2_000), "quote", 4).is_some());
        assert!(
            f.on_submit(WallMs(2_100), "quote", 4).is_none(),
            "a double submit"
        );
        f.on_input(WallMs(3_000), "quote", 4, "model");
        assert!(
            f.on_submit(WallMs(4_000), "quote", 4).is_some(),
            "changed, sent again"
        );
        // A form never started is counted at its first submit only.
        assert!(f.on_submit(WallMs(5_000), "search", 1).is_some());
        assert!(f.on_submit(WallMs(5_500), "search", 1).is_none());
    }

    #[test]
    fn names_are_redacted_and_forms_bounded() {
        let mut f = PageForms::default();
        f.on_input(WallMs(0), "signup jo@example.com", 2, "jo@example.com");
        let abandoned = f.end(WallMs(1));
        assert!(!abandoned[0].contains("jo@"), "{}", abandoned[0]);
        for n in 0..30 {
            f.on_input(WallMs(0), &format!("f{n}"), 1, "x");
        }
        assert_eq!(f.end(WallMs(1)).len(), MAX_FORMS);
    }
}
