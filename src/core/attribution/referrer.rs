//! `context.referrer`: where the visit's referrer pointed (direct,
//! internal, search, social, email, other), the known site's name, and a
//! search engine's term when its referrer still carries one.

use crate::core::attribution::sites::{is_within, site_of_host, SiteKind};
use crate::core::campaign::kept;
use crate::core::url::{clip, host, key_is, pairs, query, registrable_domain};

/// `context.referrer.type`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReferrerKind {
    /// No referrer (typed, bookmarked, or the referrer was withheld).
    #[default]
    Direct,
    /// The same site: the page's registrable domain or an
    /// `attribution.internalDomains` entry.
    Internal,
    /// A search engine.
    Search,
    /// A social network or video platform.
    Social,
    /// A webmail.
    Email,
    /// Any other site.
    Other,
}

impl ReferrerKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReferrerKind::Direct => "direct",
            ReferrerKind::Internal => "internal",
            ReferrerKind::Search => "search",
            ReferrerKind::Social => "social",
            ReferrerKind::Email => "email",
            ReferrerKind::Other => "other",
        }
    }
}

/// `context.referrer`: where the visit's referrer pointed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Referrer {
    /// Its type.
    pub kind: ReferrerKind,
    /// The site's short name (`google`, `facebook`, `gmail`), for known sites.
    pub name: &'static str,
    /// The referrer's host (lowercase), empty for direct visits.
    pub host: String,
    /// The search term, when a search engine's referrer still carries it.
    pub term: String,
}

/// Longest host kept (DNS names are at most 253 characters).
pub const MAX_HOST_CHARS: usize = 253;

/// The host of `url`, lowercase, at most [`MAX_HOST_CHARS`].
fn host_of(url: &str) -> String {
    clip(host(url), MAX_HOST_CHARS).to_ascii_lowercase()
}

/// Classifies `referrer_url` for a page at `page_url`.
///
/// ```
/// use footfall::core::attribution::{classify_referrer, ReferrerKind};
/// let r = classify_referrer("https://shop.example/", "https://www.bing.com/search?q=phone+repair", &[]);
/// assert_eq!((r.kind, r.name, r.term.as_str()), (ReferrerKind::Search, "bing", "phone repair"));
/// let r = classify_referrer("https://shop.example/", "https://blog.shop.example/post", &[]);
/// assert_eq!(r.kind, ReferrerKind::Internal);
/// ```
pub fn classify_referrer(page_url: &str, referrer_url: &str, internal: &[String]) -> Referrer {
    let mut r = Referrer {
        host: host_of(referrer_url),
        ..Referrer::default()
    };
    if r.host.is_empty() {
        return r;
    }
    let page_host = host_of(page_url);
    let same_site =
        !page_host.is_empty() && registrable_domain(&r.host) == registrable_domain(&page_host);
    if same_site || internal.iter().any(|d| is_within(&r.host, d)) {
        r.kind = ReferrerKind::Internal;
        return r;
    }
    r.kind = ReferrerKind::Other;
    let Some(site) = site_of_host(&r.host) else {
        return r;
    };
    r.name = site.name;
    r.kind = match site.kind {
        SiteKind::Search => ReferrerKind::Search,
        SiteKind::Social | SiteKind::Video => ReferrerKind::Social,
        SiteKind::Email => ReferrerKind::Email,
        SiteKind::Shopping => ReferrerKind::Other,
    };
    let referrer_query = query(referrer_url);
    for p in site.term_params.split(',') {
        let term = pairs(referrer_query).find(|(k, _)| key_is(k, p));
        if let Some(term) = term.map(|(_, v)| kept(v)).filter(|t| !t.is_empty()) {
            r.term = term;
            break;
        }
    }
    r
}
