//! The site tables: known search engines, social networks, video
//! platforms, shopping sites and webmails, by host or by the first label of
//! their registrable domain, with the query parameters that carry a search
//! term.
//!
//! The tables are our own, written for this crate from the sites' public
//! domains and query parameters (no third-party referrer database is
//! copied). They are packed into space-separated strings and scanned once
//! per page load: smaller in the wasm than arrays of slices.

use crate::core::url::site_label;

/// What a known site is, for the referrer type and the channel rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteKind {
    /// A search engine: referrer type `search`, channel Organic/Paid Search.
    Search,
    /// A social network: `social`, Organic/Paid Social.
    Social,
    /// A video platform: `social`, Organic/Paid Video.
    Video,
    /// A shopping site: `other`, Organic/Paid Shopping.
    Shopping,
    /// A webmail: `email`; channel Referral, as in GA4 (tag the links with
    /// `utm_medium=email` for the Email channel).
    Email,
}

// Site tables. Entries are `pattern[>name][?term,params]`. A pattern with a
// dot matches that host and its subdomains (`t.co`, `mail.google.com`, an
// Android app's package as sent in `android-app://` referrers); one without
// matches the first label of the registrable domain on any country domain
// (`google` matches www.google.com, google.co.uk, google.com.br). The name
// defaults to the pattern. Tables are searched in the order of `SITES`, so
// `mail.google.com` is a webmail before `google` is a search engine.

const EMAIL_SITES: &str =
    "mail.google.com>gmail inbox.google.com>gmail com.google.android.gm>gmail \
    outlook.live.com>outlook outlook.office.com>outlook outlook.office365.com>outlook \
    com.microsoft.office.outlook>outlook mail.yahoo.com>yahoomail mail.yahoo.co.jp>yahoomail \
    mail.aol.com>aolmail mail.proton.me>protonmail mail.protonmail.com>protonmail \
    mail.yandex.ru>yandexmail mail.yandex.com>yandexmail e.mail.ru>mailru mail.zoho.com>zohomail \
    fastmail gmx icloud.com>icloud";

const SHOPPING_SITES: &str =
    "shopping.google.com>google_shopping shopping.yahoo.com>yahoo_shopping \
    amazon ebay etsy walmart aliexpress alibaba temu shein bestbuy rakuten mercadolibre \
    mercadolivre allegro flipkart idealo zalando shop.app>shop";

const VIDEO_SITES: &str = "youtube youtu.be>youtube com.google.android.youtube>youtube vimeo \
    twitch dailymotion";

const SOCIAL_SITES: &str = "facebook fb>facebook fb.me>facebook com.facebook.katana>facebook \
    messenger instagram ig>instagram com.instagram.android>instagram x.com>x twitter>x t.co>x \
    linkedin lnkd.in>linkedin com.linkedin.android>linkedin reddit redd.it>reddit pinterest \
    pin.it>pinterest tiktok snapchat tumblr quora vk.com>vk weibo threads.net>threads \
    threads.com>threads bsky.app>bluesky mastodon.social>mastodon discord whatsapp \
    wa.me>whatsapp telegram t.me>telegram line.me>line xing ok.ru>odnoklassniki";

const SEARCH_SITES: &str = "google?q com.google.android.googlequicksearchbox>google bing?q \
    duckduckgo?q search.yahoo.com>yahoo?p yahoo?p baidu?wd,word yandex?text ya.ru>yandex?text \
    ecosia?q naver?query seznam?q search.brave.com>brave?q brave?q startpage?query qwant?q \
    ask?q aol?q,query sogou?query so.com>360?q daum?q kagi?q mojeek?q coccoc?query";

const SITES: [(SiteKind, &str); 5] = [
    (SiteKind::Email, EMAIL_SITES),
    (SiteKind::Shopping, SHOPPING_SITES),
    (SiteKind::Video, VIDEO_SITES),
    (SiteKind::Social, SOCIAL_SITES),
    (SiteKind::Search, SEARCH_SITES),
];

/// A known site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Site {
    /// What it is.
    pub kind: SiteKind,
    /// Its short name: `google`, `facebook`, `gmail`...
    pub name: &'static str,
    /// Comma-separated query parameters carrying the search term.
    pub term_params: &'static str,
}

/// The first site of the tables for which `hit(pattern, name)` holds.
fn find_site(hit: &dyn Fn(&str, &str) -> bool) -> Option<Site> {
    for (kind, table) in SITES {
        for entry in table.split(' ') {
            let (rest, term_params) = entry.split_once('?').unwrap_or((entry, ""));
            let (pattern, name) = rest.split_once('>').unwrap_or((rest, rest));
            if !entry.is_empty() && hit(pattern, name) {
                return Some(Site {
                    kind,
                    name,
                    term_params,
                });
            }
        }
    }
    None
}

/// Whether `host` is `domain` or one of its subdomains.
pub fn is_within(host: &str, domain: &str) -> bool {
    !domain.is_empty()
        && host.ends_with(domain)
        && host
            .len()
            .checked_sub(domain.len() + 1)
            .is_none_or(|i| host.as_bytes().get(i) == Some(&b'.'))
}

/// The known site a (lowercase) host belongs to.
///
/// ```
/// use footfall::core::attribution::{site_of_host, SiteKind};
/// assert_eq!(site_of_host("www.google.co.uk").map(|s| s.name), Some("google"));
/// assert_eq!(site_of_host("mail.google.com").map(|s| s.kind), Some(SiteKind::Email));
/// assert_eq!(site_of_host("t.co").map(|s| s.name), Some("x"));
/// assert_eq!(site_of_host("example.org"), None);
/// ```
pub fn site_of_host(host: &str) -> Option<Site> {
    let label = site_label(host);
    find_site(&|pattern, _| {
        if pattern.contains('.') {
            is_within(host, pattern)
        } else {
            label == pattern
        }
    })
}

/// The kind of a (lowercase) campaign source as written in `utm_source`
/// (`google`, `fb`, `m.facebook.com`, `instagram`...): a site's name or
/// pattern, or a host of one of the tables.
pub fn kind_of_source(source: &str) -> Option<SiteKind> {
    if source.contains('.') {
        return site_of_host(source).map(|s| s.kind);
    }
    find_site(&|pattern, name| name == source || pattern == source).map(|s| s.kind)
}
