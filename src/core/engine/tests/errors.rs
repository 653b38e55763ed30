//! Uncaught errors through the engine: off unless asked, once per page
//! view, counted in the page view's `page_leave`.

use super::*;
use crate::core::errors::{ErrorKind, ErrorReport};

fn error(e: &mut Engine, now: u64, message: &str, line: u32) {
    e.handle(
        WallMs(now),
        Input::PageError(ErrorReport {
            kind: ErrorKind::Error,
            message,
            source: "https://shop.example/app.js",
            line,
            column: 1,
            stack: "",
        }),
    );
}

/// Every event sent, in order (compact batches merged).
fn events(e: &mut Engine, now: u64) -> Vec<Value> {
    e.handle(WallMs(now), Input::Flush { ticket: 1 });
    sends(&drain(e))
        .into_iter()
        .flat_map(|(_, body)| body["batch"].as_array().unwrap().clone())
        .collect()
}

fn named<'a>(events: &'a [Value], name: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["event"] == name).collect()
}

#[test]
fn errors_are_not_recorded_unless_asked() {
    let mut e = engine(|o| o.flush_at = Some(1.0));
    start(&mut e, 0);
    error(&mut e, 1, "boom", 3);
    assert!(named(&events(&mut e, 2), "error").is_empty());
}

#[test]
fn each_error_is_sent_once_per_page_view_and_counted_in_page_leave() {
    let mut e = engine(|o| o.autocapture.errors = Some(true));
    start(&mut e, 0);
    for n in 0..3 {
        error(&mut e, 10 + n, "boom", 3);
    }
    error(&mut e, 20, "other", 9);
    let sent = events(&mut e, 30);
    let errors = named(&sent, "error");
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["properties"]["message"], "boom");
    assert_eq!(errors[0]["properties"]["line"], 3);
    assert_eq!(errors[1]["properties"]["message"], "other");
    #[cfg(feature = "signals")]
    {
        // Other automatic events in between leave the counts alone.
        e.handle(
            WallMs(35),
            Input::Scroll {
                scroll_y: 2000,
                viewport_h: 600,
                doc_h: 2600,
                scrolled: true,
            },
        );
        assert!(!named(&events(&mut e, 36), "scroll_depth").is_empty());
        e.handle(WallMs(40), Input::Hidden);
        let sent = events(&mut e, 41);
        let leave = named(&sent, "page_leave");
        assert_eq!(
            leave[0]["properties"]["errors"],
            serde_json::json!([
                { "message": "boom", "source": "https://shop.example/app.js", "line": 3, "count": 3 },
                { "message": "other", "source": "https://shop.example/app.js", "line": 9, "count": 1 }
            ])
        );
        // The page view goes on: known errors are counted, not sent again.
        e.handle(WallMs(50), Input::Visible);
        error(&mut e, 51, "boom", 3);
        assert!(named(&events(&mut e, 52), "error").is_empty());
        // A new page view (a route change) sends it again.
        let next = Page {
            url: "https://shop.example/next".into(),
            path: "/next".into(),
            title: "Next".into(),
            ..Page::default()
        };
        e.handle(
            WallMs(60),
            Input::Route {
                change: crate::core::signals::page_view::RouteChange::Push,
                page: &next,
            },
        );
        let sent = events(&mut e, 61);
        let leave = named(&sent, "page_leave");
        assert_eq!(
            leave[0]["properties"]["errors"][0]["count"], 1,
            "the count since the last page_leave"
        );
        error(&mut e, 62, "boom", 3);
        assert_eq!(named(&events(&mut e, 63), "error").len(), 1);
    }
}
