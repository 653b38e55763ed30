//! Uncaught errors and unhandled rejections as `error` events (the
//! `errors` capability, `autocapture.errors`): which to send, with what,
//! how often. The same error (message, source and line) is sent once per
//! page view and counted; at most [`MAX_PER_PAGE_VIEW`] are sent; errors of
//! browser extensions and of footfall itself are ignored. What is sent is
//! redacted whatever `privacy.redactEmails` says: footfall reads it from
//! the page, like the page's title.

use crate::core::json::{push_key, push_str, push_u64};
use crate::core::privacy::{redact_emails, redact_url};

/// Most `error` events per page view.
pub const MAX_PER_PAGE_VIEW: usize = 10;
/// Most characters of a stack sent.
pub const MAX_STACK_CHARS: usize = 2000;
/// Most distinct errors counted per page view (the rest are not counted).
const MAX_COUNTED: usize = 50;

/// Where an error came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// An uncaught exception (`error` event).
    Error,
    /// A promise rejected with no handler (`unhandledrejection`).
    Rejection,
}

/// One error as the browser reported it.
#[derive(Clone, Copy, Debug)]
pub struct ErrorReport<'a> {
    /// `error` or `unhandledrejection`.
    pub kind: ErrorKind,
    /// The message (`Error.message`, or the rejection reason as text).
    pub message: &'a str,
    /// The script URL (`ErrorEvent.filename`), or "".
    pub source: &'a str,
    /// Line and column (0: unknown).
    pub line: u32,
    /// Column (0: unknown).
    pub column: u32,
    /// `Error.stack`, or "".
    pub stack: &'a str,
}

/// The errors of the current page view.
#[derive(Debug, Default)]
pub struct PageErrors {
    /// Each distinct error: message, source, line, and how many times it
    /// happened since the last summary.
    seen: Vec<(String, String, u32, u32)>,
    /// `error` events sent in this page view.
    sent: usize,
}

impl PageErrors {
    /// A new page view: nothing seen yet.
    pub fn begin(&mut self) {
        self.seen.clear();
        self.sent = 0;
    }

    /// The properties of the `error` event to send for `report` (a JSON
    /// object), or `None`: an extension's or footfall's own error, one sent
    /// already in this page view (counted), or past the limit.
    pub fn on_error(&mut self, report: &ErrorReport, strip: &[String]) -> Option<String> {
        if is_ignored(report.source, report.stack) {
            return None;
        }
        let message = redact_emails(report.message);
        let source = redact_url(report.source, strip);
        let line = report.line;
        if let Some(entry) = self
            .seen
            .iter_mut()
            .find(|(m, s, l, _)| *l == line && *m == *message && *s == *source)
        {
            entry.3 += 1;
            return None;
        }
        if self.seen.len() < MAX_COUNTED {
            self.seen.push((
                message.clone().into_owned(),
                source.clone().into_owned(),
                line,
                1,
            ));
        }
        if self.sent >= MAX_PER_PAGE_VIEW {
            return None;
        }
        self.sent += 1;
        let mut out = String::with_capacity(message.len() + source.len() + 96);
        out.push('{');
        push_key(&mut out, "message");
        push_str(&mut out, &message);
        out.push(',');
        push_key(&mut out, "kind");
        push_str(
            &mut out,
            match report.kind {
                ErrorKind::Error => "error",
                ErrorKind::Rejection => "unhandledrejection",
            },
        );
        if !source.is_empty() {
            out.push(',');
            push_key(&mut out, "source");
            push_str(&mut out, &source);
        }
        for (name, n) in [("line", report.line), ("column", report.column)] {
            if n > 0 {
                out.push(',');
                push_key(&mut out, name);
                push_u64(&mut out, u64::from(n));
            }
        }
        if !report.stack.is_empty() {
            let stack = redact_emails(cut(report.stack, MAX_STACK_CHARS));
            out.push(',');
            push_key(&mut out, "stack");
            push_str(&mut out, &stack);
        }
        out.push('}');
        Some(out)
    }

    /// The errors counted since the last summary, as `page_leave`'s
    /// `errors` member value (`[{ "message", "source", "line", "count" }]`),
    /// or `None` when there were none; the counts start again.
    pub fn summary(&mut self) -> Option<String> {
        let mut out = String::from("[");
        for (message, source, line, count) in &mut self.seen {
            if *count == 0 {
                continue;
            }
            if out.len() > 1 {
                out.push(',');
            }
            out.push('{');
            push_key(&mut out, "message");
            push_str(&mut out, message);
            if !source.is_empty() {
                out.push(',');
                push_key(&mut out, "source");
                push_str(&mut out, source);
            }
            if *line > 0 {
                out.push(',');
                push_key(&mut out, "line");
                push_u64(&mut out, u64::from(*line));
            }
            out.push(',');
            push_key(&mut out, "count");
            push_u64(&mut out, u64::from(*count));
            out.push('}');
            *count = 0;
        }
        out.push(']');
        (out.len() > 2).then_some(out)
    }
}

/// Whether an error is a browser extension's or footfall's own: its source
/// or stack names an extension URL, or footfall's files (`footfall.js`,
/// `footfall.<build>.mjs` or `.wasm`).
///
/// ```
/// use footfall::core::errors::is_ignored;
/// assert!(is_ignored("chrome-extension://abc/content.js", ""));
/// assert!(is_ignored("", "at x (moz-extension://id/a.js:1:2)"));
/// assert!(is_ignored("https://cdn.example/footfall.signals-attribution.mjs", ""));
/// assert!(!is_ignored("https://shop.example/app.js", "at buy (https://shop.example/app.js:3:9)"));
/// ```
pub fn is_ignored(source: &str, stack: &str) -> bool {
    const EXTENSIONS: [&[u8]; 3] = [
        b"-extension://", // chrome-, moz-, safari-, safari-web-
        b"/footfall.js",
        b"/footfall.",
    ];
    [source, stack].iter().any(|text| {
        let b = text.as_bytes();
        positions(b, EXTENSIONS[0]).next().is_some()
            || positions(b, EXTENSIONS[1]).any(|i| {
                !b.get(i + EXTENSIONS[1].len())
                    .is_some_and(u8::is_ascii_alphanumeric)
            })
            || positions(b, EXTENSIONS[2]).any(|i| names_build(b, i + EXTENSIONS[2].len()))
    })
}

/// Where `needle` starts in `haystack` (byte comparisons: no string
/// searcher in the build).
fn positions<'a>(haystack: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(move |(_, w)| *w == needle)
        .map(|(i, _)| i)
}

/// Whether a build name (`core`, `signals-attribution`, ...) and `.mjs` or
/// `.wasm` start at `i`.
fn names_build(b: &[u8], i: usize) -> bool {
    let mut end = i;
    while b
        .get(end)
        .is_some_and(|c| c.is_ascii_lowercase() || *c == b'-')
    {
        end += 1;
    }
    end > i
        && [&b".mjs"[..], &b".wasm"[..]]
            .iter()
            .any(|ext| b.get(end..end + ext.len()) == Some(*ext))
}

/// `text` cut to at most `max` characters (on a character boundary).
fn cut(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => text.get(..i).unwrap_or(text),
        None => text,
    }
}

#[cfg(test)]
mod tests;
