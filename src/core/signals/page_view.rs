//! Page views of single-page apps: which route changes make a new one.
//!
//! - `pushState`, `popstate` (back/forward) and, when configured,
//!   `hashchange` make a page view when the location differs from the last
//!   one seen: path and query, and the fragment only with `hashChange`.
//!   So two identical route changes in a row make one page view, and a
//!   popstate followed by the hashchange of the same navigation make one.
//! - `replaceState` makes a page view only when the **path** changes:
//!   routers rewrite the query of the current entry (filters, tracking
//!   parameters) without the visitor going anywhere.
//!
//! Every change updates the location remembered, page view or not.

/// How the location changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteChange {
    /// `history.pushState`.
    Push,
    /// `history.replaceState`.
    Replace,
    /// `popstate` (back, forward, or a fragment navigation).
    Pop,
    /// `hashchange`.
    Hash,
}

/// See the module documentation.
///
/// ```
/// use footfall::core::signals::page_view::{RouteChange::*, RouteRules};
/// let mut r = RouteRules::new(false, "https://s.example/", "/");
/// assert!(r.on_route(Push, "https://s.example/shop", "/shop"));
/// assert!(!r.on_route(Push, "https://s.example/shop", "/shop")); // the same again
/// assert!(!r.on_route(Replace, "https://s.example/shop?sort=price", "/shop"));
/// assert!(r.on_route(Replace, "https://s.example/cart", "/cart"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouteRules {
    hash_change: bool,
    /// The last location seen, as compared (fragment cut unless `hash_change`).
    key: String,
    /// Its path.
    path: String,
}

impl RouteRules {
    /// Rules starting at the page's `url` (`location.href`) and `path`
    /// (`location.pathname`); `hash_change`: fragments make page views.
    pub fn new(hash_change: bool, url: &str, path: &str) -> RouteRules {
        RouteRules {
            hash_change,
            key: key(url, hash_change).to_owned(),
            path: path.to_owned(),
        }
    }

    /// The location changed to `url` / `path` by `change`: whether this is a
    /// new page view.
    pub fn on_route(&mut self, change: RouteChange, url: &str, path: &str) -> bool {
        let key = key(url, self.hash_change);
        let moved = key != self.key;
        let new_view = match change {
            RouteChange::Hash if !self.hash_change => false,
            RouteChange::Replace => path != self.path,
            RouteChange::Push | RouteChange::Pop | RouteChange::Hash => moved,
        };
        if moved {
            self.key.clear();
            self.key.push_str(key);
        }
        if path != self.path {
            self.path.clear();
            self.path.push_str(path);
        }
        new_view
    }
}

/// `url` without its fragment, unless fragments count.
fn key(url: &str, hash_change: bool) -> &str {
    if hash_change {
        return url;
    }
    match url.find('#') {
        Some(i) => url.get(..i).unwrap_or(url),
        None => url,
    }
}

#[cfg(test)]
mod tests {
    use super::RouteChange::*;
    use super::*;

    const O: &str = "https://shop.example";

    /// Runs `(change, path-with-query-and-fragment)` from "/" and returns
    /// which made a page view.
    fn run(hash_change: bool, steps: &[(RouteChange, &str)]) -> Vec<bool> {
        let mut r = RouteRules::new(hash_change, &(O.to_owned() + "/"), "/");
        steps
            .iter()
            .map(|(change, rel)| {
                let path = rel.split(['?', '#']).next().unwrap();
                r.on_route(*change, &(O.to_owned() + rel), path)
            })
            .collect()
    }

    #[test]
    fn route_table() {
        #[allow(clippy::type_complexity)]
        let table: Vec<(&str, bool, Vec<(RouteChange, &str)>, Vec<bool>)> = vec![
            ("push to a new path", false, vec![(Push, "/a")], vec![true]),
            (
                "push to the same location: none",
                false,
                vec![(Push, "/")],
                vec![false],
            ),
            (
                "two identical pushes in a row: one",
                false,
                vec![(Push, "/a"), (Push, "/a")],
                vec![true, false],
            ),
            (
                "push with a new query is a new page view",
                false,
                vec![(Push, "/search?q=a"), (Push, "/search?q=b")],
                vec![true, true],
            ),
            (
                "replace keeping the path: none",
                false,
                vec![(Replace, "/?utm_source=x"), (Replace, "/?page=2")],
                vec![false, false],
            ),
            (
                "replace to another path",
                false,
                vec![(Replace, "/b")],
                vec![true],
            ),
            (
                "push after a replace to the same location: none",
                false,
                vec![(Replace, "/?x=1"), (Push, "/?x=1")],
                vec![false, false],
            ),
            (
                "back and forward",
                false,
                vec![(Push, "/a"), (Push, "/b"), (Pop, "/a"), (Pop, "/b")],
                vec![true, true, true, true],
            ),
            (
                "pop to where we are (a duplicate entry): none",
                false,
                vec![(Push, "/c"), (Push, "/c"), (Pop, "/c")],
                vec![true, false, false],
            ),
            (
                "fragments are ignored by default",
                false,
                vec![
                    (Push, "/#top"),
                    (Pop, "/#faq"),
                    (Hash, "/#faq"),
                    (Push, "/a#x"),
                    (Push, "/a#y"),
                ],
                vec![false, false, false, true, false],
            ),
            (
                "with hashChange, a fragment navigation is one page view",
                true,
                vec![(Pop, "/#faq"), (Hash, "/#faq")],
                vec![true, false],
            ),
            (
                "with hashChange, hashchange alone",
                true,
                vec![(Hash, "/#a"), (Hash, "/#b")],
                vec![true, true],
            ),
            (
                "with hashChange, replace still needs a new path",
                true,
                vec![(Replace, "/#x"), (Replace, "/b#x")],
                vec![false, true],
            ),
        ];
        for (what, hash_change, steps, want) in table {
            assert_eq!(run(hash_change, &steps), want, "{what}");
        }
    }
}
