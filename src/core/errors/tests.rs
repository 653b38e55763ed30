use super::*;
use serde_json::{json, Value};

fn report<'a>(message: &'a str, source: &'a str, line: u32) -> ErrorReport<'a> {
    ErrorReport {
        kind: ErrorKind::Error,
        message,
        source,
        line,
        column: 7,
        stack: "",
    }
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("valid JSON")
}

#[test]
fn an_error_is_sent_with_its_fields() {
    let mut e = PageErrors::default();
    let sent = e
        .on_error(
            &ErrorReport {
                kind: ErrorKind::Error,
                message: "TypeError: cart is undefined",
                source: "https://shop.example/app.js?session=s3",
                line: 12,
                column: 9,
                stack: "TypeError: cart is undefined\n    at checkout (https://shop.example/app.js:12:9)",
            },
            &["session".to_owned()],
        )
        .unwrap();
    assert_eq!(
        parse(&sent),
        json!({
            "message": "TypeError: cart is undefined", "kind": "error",
            "source": "https://shop.example/app.js", "line": 12, "column": 9,
            "stack": "TypeError: cart is undefined\n    at checkout (https://shop.example/app.js:12:9)"
        })
    );
    let rejection = e
        .on_error(
            &ErrorReport {
                kind: ErrorKind::Rejection,
                message: "quota exceeded",
                source: "",
                line: 0,
                column: 0,
                stack: "",
            },
            &[],
        )
        .unwrap();
    assert_eq!(
        parse(&rejection),
        json!({ "message": "quota exceeded", "kind": "unhandledrejection" })
    );
}

#[test]
fn the_same_error_is_sent_once_per_page_view_and_counted() {
    let mut e = PageErrors::default();
    assert!(e
        .on_error(&report("boom", "https://a/app.js", 3), &[])
        .is_some());
    for _ in 0..4 {
        assert!(e
            .on_error(&report("boom", "https://a/app.js", 3), &[])
            .is_none());
    }
    // Another line is another error.
    assert!(e
        .on_error(&report("boom", "https://a/app.js", 4), &[])
        .is_some());
    assert_eq!(
        parse(&e.summary().unwrap()),
        json!([
            { "message": "boom", "source": "https://a/app.js", "line": 3, "count": 5 },
            { "message": "boom", "source": "https://a/app.js", "line": 4, "count": 1 }
        ])
    );
    // Counts start again after a summary; the errors stay known.
    assert!(e.summary().is_none());
    assert!(e
        .on_error(&report("boom", "https://a/app.js", 3), &[])
        .is_none());
    assert_eq!(parse(&e.summary().unwrap())[0]["count"], 1);
    // A new page view sends it again.
    e.begin();
    assert!(e
        .on_error(&report("boom", "https://a/app.js", 3), &[])
        .is_some());
}

#[test]
fn at_most_ten_errors_are_sent_per_page_view() {
    let mut e = PageErrors::default();
    let sent = (0..15)
        .filter(|n| e.on_error(&report(&format!("e{n}"), "", 1), &[]).is_some())
        .count();
    assert_eq!(sent, MAX_PER_PAGE_VIEW);
    assert_eq!(
        parse(&e.summary().unwrap()).as_array().unwrap().len(),
        15,
        "all counted"
    );
}

#[test]
fn extension_and_footfall_errors_are_ignored() {
    let mut e = PageErrors::default();
    for (source, stack) in [
        ("chrome-extension://abc/content.js", ""),
        ("", "Error\n    at f (moz-extension://x/y.js:1:1)"),
        ("safari-web-extension://x/y.js", ""),
        (
            "https://cdn.example/npm/footfall-analytics@0.1.0/dist/footfall.js",
            "",
        ),
        (
            "https://shop.example/assets/footfall.signals-attribution.mjs",
            "",
        ),
        ("", "at x (https://shop.example/footfall.core.wasm:1:2)"),
    ] {
        let r = ErrorReport {
            stack,
            ..report("x", source, 1)
        };
        assert!(e.on_error(&r, &[]).is_none(), "{source} {stack}");
    }
    assert!(e.summary().is_none(), "not counted either");
    // A site's own file that merely contains the word is not ignored.
    assert!(e
        .on_error(
            &report("x", "https://shop.example/footfall.jsx.bundle.js", 1),
            &[]
        )
        .is_some());
    assert!(!is_ignored("https://shop.example/footfall-tracker.js", ""));
}

#[test]
fn what_is_sent_is_redacted_and_the_stack_bounded() {
    let mut e = PageErrors::default();
    let stack = format!(
        "Error: jo@example.com\n{}",
        "    at f (https://a/app.js:1:1)\n".repeat(200)
    );
    let sent = e
        .on_error(
            &ErrorReport {
                kind: ErrorKind::Error,
                message: "no account for jo@example.com",
                source: "https://a/u/jo@example.com/app.js",
                line: 1,
                column: 1,
                stack: &stack,
            },
            &[],
        )
        .unwrap();
    let v = parse(&sent);
    assert_eq!(v["message"], "no account for [email]");
    assert_eq!(v["source"], "https://a/u/[email]/app.js");
    let sent_stack = v["stack"].as_str().unwrap();
    assert!(sent_stack.starts_with("Error: [email]\n"));
    assert!(sent_stack.chars().count() <= MAX_STACK_CHARS);
    assert!(!sent.contains("jo@"));
    // Multi-byte characters are cut on a boundary.
    let wide = "é".repeat(3000);
    let mut e = PageErrors::default();
    let sent = e
        .on_error(
            &ErrorReport {
                stack: &wide,
                ..report("w", "", 1)
            },
            &[],
        )
        .unwrap();
    assert_eq!(
        parse(&sent)["stack"].as_str().unwrap().chars().count(),
        MAX_STACK_CHARS
    );
}
