//! Where a visit came from: campaign parameters and click ids from the
//! landing URL, the referrer classified as search, social, email, internal,
//! other or direct, and the channel by Google Analytics 4's default channel
//! group rules.
//!
//! A page load is classified once ([`Touch::classify`]) and reduced to an
//! [`Attribution`]: the context members events carry, serialized once, and
//! a key that tells campaigns apart. Sessions store and compare only that.
//!
//! The site tables below are our own, written for this crate from the
//! sites' public domains and query parameters (no third-party referrer
//! database is copied). They are packed into space-separated strings and
//! scanned once per page load: smaller in the wasm than arrays of slices.

use crate::core::json::{push_key, push_str};
use crate::core::privacy::redact_emails;
use crate::core::url::{
    clip, contains, decode, find, host, key_is, pairs, query, registrable_domain, site_label,
    MAX_VALUE_CHARS,
};

/// Campaign query parameters and their names in `context.campaign`.
pub const CAMPAIGN_PARAMS: [(&str, &str); 9] = [
    ("utm_source", "source"),
    ("utm_medium", "medium"),
    ("utm_campaign", "name"),
    ("utm_term", "term"),
    ("utm_content", "content"),
    ("utm_id", "id"),
    ("utm_source_platform", "sourcePlatform"),
    ("utm_creative_format", "creativeFormat"),
    ("utm_marketing_tactic", "marketingTactic"),
];

/// Click ids kept in `context.clickIds`, each with the source and medium it
/// implies when the URL has no `utm_source`/`utm_medium`: `(param, source,
/// medium)`. Google's and Microsoft's ad ids are paid search, the social
/// networks' ad ids paid social; `fbclid` and `igshid` are added to every
/// outgoing link (organic posts too), so they only name the network.
pub const CLICK_IDS: [(&str, &str, &str); 17] = [
    ("gclid", "google", "cpc"),
    ("gbraid", "google", "cpc"),
    ("wbraid", "google", "cpc"),
    ("dclid", "dv360", "display"),
    ("msclkid", "bing", "cpc"),
    ("yclid", "yandex", "cpc"),
    ("fbclid", "facebook", ""),
    ("igshid", "instagram", ""),
    ("ttclid", "tiktok", "cpc"),
    ("twclid", "x", "cpc"),
    ("li_fat_id", "linkedin", "cpc"),
    ("epik", "pinterest", "cpc"),
    ("rdt_cid", "reddit", "cpc"),
    ("sccid", "snapchat", "cpc"),
    ("qclid", "quora", "cpc"),
    ("irclickid", "impact", "affiliate"),
    ("mc_cid", "mailchimp", "email"),
];

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

/// GA4's default channel groups, in the order its rules are evaluated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Channel {
    /// `(direct)` / `(none)`.
    #[default]
    Direct,
    /// The campaign name contains `cross-network`.
    CrossNetwork,
    /// A shopping site or shopping campaign, paid medium.
    PaidShopping,
    /// A search engine, paid medium.
    PaidSearch,
    /// A social network, paid medium.
    PaidSocial,
    /// A video platform, paid medium.
    PaidVideo,
    /// Medium `display`, `banner`, `expandable`, `interstitial` or `cpm`.
    Display,
    /// Any other paid medium.
    PaidOther,
    /// A shopping site or shopping campaign.
    OrganicShopping,
    /// A social network, or a social medium.
    OrganicSocial,
    /// A video platform, or a medium containing `video`.
    OrganicVideo,
    /// A search engine, or medium `organic`.
    OrganicSearch,
    /// Source or medium `email` (or `e-mail`, `e_mail`, `e mail`).
    Email,
    /// Medium `affiliate`.
    Affiliates,
    /// Medium `referral`, `app` or `link`.
    Referral,
    /// Medium `audio`.
    Audio,
    /// Source or medium `sms`.
    Sms,
    /// Medium ending in `push` or containing `mobile` or `notification`, or
    /// source `firebase`.
    MobilePush,
    /// No rule matched.
    Unassigned,
}

impl Channel {
    /// The channel's name as GA4 shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Direct => "Direct",
            Channel::CrossNetwork => "Cross-network",
            Channel::PaidShopping => "Paid Shopping",
            Channel::PaidSearch => "Paid Search",
            Channel::PaidSocial => "Paid Social",
            Channel::PaidVideo => "Paid Video",
            Channel::Display => "Display",
            Channel::PaidOther => "Paid Other",
            Channel::OrganicShopping => "Organic Shopping",
            Channel::OrganicSocial => "Organic Social",
            Channel::OrganicVideo => "Organic Video",
            Channel::OrganicSearch => "Organic Search",
            Channel::Email => "Email",
            Channel::Affiliates => "Affiliates",
            Channel::Referral => "Referral",
            Channel::Audio => "Audio",
            Channel::Sms => "SMS",
            Channel::MobilePush => "Mobile Push Notifications",
            Channel::Unassigned => "Unassigned",
        }
    }
}

/// Whether `word` is one of the comma-separated words of `list`.
fn one_of(list: &str, word: &str) -> bool {
    list.split(',').any(|w| w == word)
}

/// GA4's "shopping campaign" pattern, `^(.*(([^a-df-z]|^)shop|shopping).*)$`:
/// `shopping` anywhere, or `shop` at the start or after a character that is
/// not a letter other than `e` (`eshop`, `spring_shop`, not `workshop`).
fn is_shopping_campaign(name: &str) -> bool {
    let mut from = 0;
    while let Some(i) = name.get(from..).and_then(|rest| find(rest, "shop")) {
        let at = from + i;
        let before_ok = at
            .checked_sub(1)
            .and_then(|j| name.as_bytes().get(j))
            .is_none_or(|&b| !(b.is_ascii_lowercase() && b != b'e'));
        if before_ok || name.get(at..).is_some_and(|r| r.starts_with("shopping")) {
            return true;
        }
        from = at + 1;
    }
    false
}

/// The GA4 default channel group of a source, medium and campaign name, all
/// lowercase, following Google's published rules in their order; the source
/// lists are this module's site tables.
///
/// ```
/// use footfall::core::attribution::{channel, Channel};
/// assert_eq!(channel("google", "cpc", ""), Channel::PaidSearch);
/// assert_eq!(channel("newsletter", "email", "spring"), Channel::Email);
/// assert_eq!(channel("(direct)", "(none)", ""), Channel::Direct);
/// assert_eq!(channel("partner", "banner", ""), Channel::Display);
/// ```
pub fn channel(source: &str, medium: &str, campaign: &str) -> Channel {
    if source == "(direct)" && (medium == "(none)" || medium == "(not set)") {
        return Channel::Direct;
    }
    if contains(campaign, "cross-network") {
        return Channel::CrossNetwork;
    }
    let kind = kind_of_source(source);
    let shopping = kind == Some(SiteKind::Shopping) || is_shopping_campaign(campaign);
    // GA4's paid-medium pattern `^(.*cp.*|ppc|retargeting|paid.*)$`.
    let paid =
        contains(medium, "cp") || one_of("ppc,retargeting", medium) || medium.starts_with("paid");
    let is = |k| kind == Some(k);
    const EMAIL: &str = "email,e-mail,e_mail,e mail";
    if paid {
        if shopping {
            return Channel::PaidShopping;
        }
        for (k, c) in [
            (SiteKind::Search, Channel::PaidSearch),
            (SiteKind::Social, Channel::PaidSocial),
            (SiteKind::Video, Channel::PaidVideo),
        ] {
            if is(k) {
                return c;
            }
        }
    }
    if one_of("display,banner,expandable,interstitial,cpm", medium) {
        Channel::Display
    } else if paid {
        Channel::PaidOther
    } else if shopping {
        Channel::OrganicShopping
    } else if is(SiteKind::Social)
        || one_of(
            "social,social-network,social-media,sm,social network,social media",
            medium,
        )
    {
        Channel::OrganicSocial
    } else if is(SiteKind::Video) || contains(medium, "video") {
        Channel::OrganicVideo
    } else if is(SiteKind::Search) || medium == "organic" {
        Channel::OrganicSearch
    } else if one_of(EMAIL, source) || one_of(EMAIL, medium) {
        Channel::Email
    } else if medium == "affiliate" {
        Channel::Affiliates
    } else if one_of("referral,app,link", medium) {
        Channel::Referral
    } else if medium == "audio" {
        Channel::Audio
    } else if source == "sms" || medium == "sms" {
        Channel::Sms
    } else if medium.ends_with("push")
        || contains(medium, "mobile")
        || contains(medium, "notification")
        || source == "firebase"
    {
        Channel::MobilePush
    } else {
        Channel::Unassigned
    }
}

/// `context.campaign`: the landing URL's `utm_*` values, in the order of
/// [`CAMPAIGN_PARAMS`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Campaign {
    /// Decoded values, "" when absent.
    pub values: [String; 9],
}

impl Campaign {
    fn get(&self, i: usize) -> &str {
        self.values.get(i).map_or("", String::as_str)
    }

    /// `utm_source`.
    pub fn source(&self) -> &str {
        self.get(0)
    }

    /// `utm_medium`.
    pub fn medium(&self) -> &str {
        self.get(1)
    }

    /// `utm_campaign`.
    pub fn name(&self) -> &str {
        self.get(2)
    }

    /// Whether every value is empty.
    pub fn is_empty(&self) -> bool {
        self.values.iter().all(String::is_empty)
    }
}

/// Where a visit came from, as classified from one page load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Touch {
    /// `utm_*` values.
    pub campaign: Campaign,
    /// Click ids present, first value of each, in the order of [`CLICK_IDS`].
    pub click_ids: Vec<(&'static str, String)>,
    /// The referrer.
    pub referrer: Referrer,
    /// The effective source (lowercase): `utm_source`, else the one a click
    /// id implies, else the referrer's name (or host), else `(direct)`.
    pub source: String,
    /// The effective medium (lowercase): `utm_medium`, else the one a click
    /// id implies, else `organic` (search), `referral` or `(none)`.
    pub medium: String,
    /// The GA4 default channel group.
    pub channel: Channel,
}

impl Default for Touch {
    /// A direct visit.
    fn default() -> Touch {
        Touch::classify("", "", &[])
    }
}

/// Decodes a query value for keeping: email addresses redacted in the
/// whole value, then surrounding whitespace trimmed and at most
/// [`MAX_VALUE_CHARS`] characters kept (a cut first could leave part of an
/// address).
fn kept(raw: &str) -> String {
    let decoded = decode(raw);
    let clean = redact_emails(&decoded);
    clip(clean.trim_ascii(), MAX_VALUE_CHARS).to_owned()
}

impl Touch {
    /// Classifies a landing: the page URL's campaign parameters and click
    /// ids (the first non-empty value of each), and the referrer. `internal`
    /// lists `attribution.internalDomains` (lowercase hosts).
    ///
    /// ```
    /// use footfall::core::attribution::{Channel, Touch};
    /// let t = Touch::classify("https://shop.example/?gclid=abc", "", &[]);
    /// assert_eq!(t.click_ids, [("gclid", "abc".to_owned())]);
    /// assert_eq!(t.channel, Channel::PaidSearch);
    /// ```
    pub fn classify(page_url: &str, referrer_url: &str, internal: &[String]) -> Touch {
        let mut campaign = Campaign::default();
        let mut found: [Option<String>; CLICK_IDS.len()] = Default::default();
        for (key, raw) in pairs(query(page_url)) {
            if raw.is_empty() {
                continue;
            }
            if let Some(slot) = CAMPAIGN_PARAMS
                .iter()
                .zip(campaign.values.iter_mut())
                .find_map(|((p, _), slot)| key_is(key, p).then_some(slot))
            {
                if slot.is_empty() {
                    *slot = kept(raw);
                }
            } else if let Some(slot) = CLICK_IDS
                .iter()
                .zip(found.iter_mut())
                .find_map(|((p, _, _), slot)| key_is(key, p).then_some(slot))
            {
                if slot.as_deref().is_none_or(str::is_empty) {
                    *slot = Some(kept(raw));
                }
            }
        }
        let mut click_ids = Vec::new();
        for ((p, _, _), v) in CLICK_IDS.iter().zip(found) {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                click_ids.push((*p, v));
            }
        }
        let referrer = classify_referrer(page_url, referrer_url, internal);
        Touch::from_parts(campaign, click_ids, referrer)
    }

    /// Derives the effective source, medium and channel.
    fn from_parts(
        campaign: Campaign,
        click_ids: Vec<(&'static str, String)>,
        referrer: Referrer,
    ) -> Touch {
        let implied = click_ids
            .first()
            .and_then(|(p, _)| CLICK_IDS.iter().find(|(q, _, _)| q == p));
        let (source, medium) = if !campaign.source().is_empty() || !campaign.medium().is_empty() {
            let or_not_set = |v: &str| {
                if v.is_empty() {
                    "(not set)".to_owned()
                } else {
                    v.to_ascii_lowercase()
                }
            };
            (or_not_set(campaign.source()), or_not_set(campaign.medium()))
        } else if let Some((_, source, medium)) = implied {
            ((*source).to_owned(), (*medium).to_owned())
        } else {
            let named = if referrer.name.is_empty() {
                referrer.host.clone()
            } else {
                referrer.name.to_owned()
            };
            match referrer.kind {
                ReferrerKind::Direct | ReferrerKind::Internal => {
                    ("(direct)".to_owned(), "(none)".to_owned())
                }
                ReferrerKind::Search => (named, "organic".to_owned()),
                _ => (named, "referral".to_owned()),
            }
        };
        let channel = channel(&source, &medium, &campaign.name().to_ascii_lowercase());
        Touch {
            campaign,
            click_ids,
            referrer,
            source,
            medium,
            channel,
        }
    }

    /// Whether nothing but the absence of a source brought this visit (no
    /// campaign, no click id, no external referrer).
    pub fn is_direct(&self) -> bool {
        self.source == "(direct)"
    }

    /// Appends the shared-context members: `,"campaign":{...}` and
    /// `,"clickIds":{...}` (each only when not empty), `,"referrer":{...}`
    /// and `,"channel":"..."`.
    pub fn push_context(&self, out: &mut String) {
        let mut open = ",\"campaign\":{";
        for ((_, key), v) in CAMPAIGN_PARAMS.iter().zip(&self.campaign.values) {
            push_member(out, &mut open, key, v);
        }
        close(out, open);
        let mut open = ",\"clickIds\":{";
        for (key, v) in &self.click_ids {
            push_member(out, &mut open, key, v);
        }
        close(out, open);
        out.push_str(",\"referrer\":{\"type\":\"");
        out.push_str(self.referrer.kind.as_str());
        out.push('"');
        let mut open = ",";
        push_member(out, &mut open, "name", self.referrer.name);
        push_member(out, &mut open, "host", &self.referrer.host);
        push_member(out, &mut open, "term", &self.referrer.term);
        out.push_str("},\"channel\":\"");
        out.push_str(self.channel.as_str());
        out.push('"');
    }

    /// This touch as sessions carry it.
    pub fn attribution(&self) -> Attribution {
        let mut key = String::new();
        for v in [
            &self.source,
            &self.medium,
            &self.campaign.name().to_ascii_lowercase(),
        ] {
            push_str(&mut key, v);
        }
        for (k, v) in &self.click_ids {
            push_str(&mut key, k);
            push_str(&mut key, v);
        }
        let mut context = String::new();
        self.push_context(&mut context);
        Attribution { key, context }
    }
}

/// Appends `"key":"value"` unless `value` is empty, preceded by `*open` the
/// first time (then by `,`).
fn push_member(out: &mut String, open: &mut &'static str, key: &str, value: &str) {
    if value.is_empty() {
        return;
    }
    out.push_str(open);
    *open = ",";
    push_key(out, key);
    push_str(out, value);
}

/// Closes an object opened by [`push_member`], if it was.
fn close(out: &mut String, open: &str) {
    if open == "," {
        out.push('}');
    }
}

/// The attribution a session carries: what its events say about where the
/// visit came from, serialized once, and a key that tells campaigns apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribution {
    /// Source, medium, campaign name (lowercase) and click ids, as
    /// consecutive JSON strings: two touches with the same key are the same
    /// campaign. Never contains a line break.
    pub key: String,
    /// The shared-context members (see [`Touch::push_context`]). Never
    /// contains a line break.
    pub context: String,
}

impl Default for Attribution {
    /// A direct visit's.
    fn default() -> Attribution {
        Touch::default().attribution()
    }
}

impl Attribution {
    /// Whether this is a direct visit's attribution.
    pub fn is_direct(&self) -> bool {
        self.key.starts_with("\"(direct)\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "https://shop.example/";

    fn internal() -> Vec<String> {
        vec!["pay.example".to_owned()]
    }

    /// `type:name:host:term`, empty trailing parts dropped.
    fn describe_referrer(r: &Referrer) -> String {
        let mut parts = vec![r.kind.as_str(), r.name, &r.host, &r.term];
        while parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
        parts.join(":")
    }

    fn describe_campaign(c: &Campaign) -> String {
        CAMPAIGN_PARAMS
            .iter()
            .zip(&c.values)
            .filter(|(_, v)| !v.is_empty())
            .map(|((_, k), v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(";")
    }

    fn describe_clicks(c: &[(&str, String)]) -> String {
        c.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Classifies and checks every invariant of a touch: the expected
    /// fields, valid JSON in the context, and a lossless storage round trip.
    fn check(url: &str, referrer: &str, campaign: &str, clicks: &str, r: &str, ch: &str) {
        let t = Touch::classify(url, referrer, &internal());
        let what = format!("url {url:?}, referrer {referrer:?}");
        assert_eq!(
            describe_campaign(&t.campaign),
            campaign,
            "campaign of {what}"
        );
        assert_eq!(describe_clicks(&t.click_ids), clicks, "clickIds of {what}");
        assert_eq!(describe_referrer(&t.referrer), r, "referrer of {what}");
        assert_eq!(
            t.channel.as_str(),
            ch,
            "channel of {what} ({}/{})",
            t.source,
            t.medium
        );

        let mut json = String::from("{\"x\":1");
        t.push_context(&mut json);
        json.push('}');
        let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(v["channel"], ch);
        assert_eq!(v["referrer"]["type"], t.referrer.kind.as_str());
        assert_eq!(v.get("campaign").is_some(), !campaign.is_empty(), "{json}");
        assert_eq!(v.get("clickIds").is_some(), !clicks.is_empty(), "{json}");
        if !t.campaign.source().is_empty() {
            assert_eq!(v["campaign"]["source"], t.campaign.source());
        }

        check_attribution(&t);
    }

    /// What sessions keep of a touch: its context (valid JSON members, no
    /// line break) and a key.
    fn check_attribution(t: &Touch) {
        let a = t.attribution();
        assert!(!a.key.contains('\n') && !a.context.contains('\n'), "{a:?}");
        assert!(a.context.starts_with(",\""));
        let v: serde_json::Value =
            serde_json::from_str(&format!("{{\"x\":0{}}}", a.context)).expect("valid JSON");
        assert_eq!(v["channel"], t.channel.as_str());
        assert_eq!(a.is_direct(), t.is_direct());
    }

    /// (landing URL, referrer) -> (campaign, clickIds, referrer, channel).
    const CASES: &[(&str, &str, &str, &str, &str, &str)] = &[
        // Direct and internal.
        (PAGE, "", "", "", "direct", "Direct"),
        ("https://shop.example/p?x=1", "https://shop.example/", "", "", "internal::shop.example", "Direct"),
        ("https://www.shop.example/", "https://blog.shop.example/post", "", "", "internal::blog.shop.example", "Direct"),
        (PAGE, "https://checkout.pay.example/done", "", "", "internal::checkout.pay.example", "Direct"),
        ("https://a.shop.co.uk/", "https://www.shop.co.uk/", "", "", "internal::www.shop.co.uk", "Direct"),
        ("https://a.shop.co.uk/", "https://b.other.co.uk/", "", "", "other::b.other.co.uk", "Referral"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/a", "", "", "internal::127.0.0.1", "Direct"),
        (PAGE, "about:blank", "", "", "direct", "Direct"),
        (PAGE, "javascript:alert('//x')", "", "", "direct", "Direct"),
        ("https://shop.example/?", "", "", "", "direct", "Direct"),
        ("https://shop.example/?gclid", "", "", "", "direct", "Direct"),
        ("https://shop.example/?gclid=", "", "", "", "direct", "Direct"),
        // Search engines.
        (PAGE, "https://www.google.com/", "", "", "search:google:www.google.com", "Organic Search"),
        (PAGE, "https://www.google.co.uk/", "", "", "search:google:www.google.co.uk", "Organic Search"),
        (PAGE, "https://www.google.com.br/", "", "", "search:google:www.google.com.br", "Organic Search"),
        (PAGE, "https://www.google.de/search?q=handy+reparatur", "", "", "search:google:www.google.de:handy reparatur", "Organic Search"),
        (PAGE, "android-app://com.google.android.googlequicksearchbox/", "", "", "search:google:com.google.android.googlequicksearchbox", "Organic Search"),
        (PAGE, "https://www.bing.com/search?q=phone+repair", "", "", "search:bing:www.bing.com:phone repair", "Organic Search"),
        (PAGE, "https://duckduckgo.com/", "", "", "search:duckduckgo:duckduckgo.com", "Organic Search"),
        (PAGE, "https://search.yahoo.com/search?p=screen", "", "", "search:yahoo:search.yahoo.com:screen", "Organic Search"),
        (PAGE, "https://search.yahoo.co.jp/search?p=%E4%BF%AE%E7%90%86", "", "", "search:yahoo:search.yahoo.co.jp:修理", "Organic Search"),
        (PAGE, "https://www.baidu.com/s?wd=%E6%89%8B%E6%9C%BA", "", "", "search:baidu:www.baidu.com:手机", "Organic Search"),
        (PAGE, "https://m.baidu.com/s?word=phone", "", "", "search:baidu:m.baidu.com:phone", "Organic Search"),
        (PAGE, "https://yandex.ru/search/?text=%D1%80%D0%B5%D0%BC%D0%BE%D0%BD%D1%82", "", "", "search:yandex:yandex.ru:ремонт", "Organic Search"),
        (PAGE, "https://ya.ru/", "", "", "search:yandex:ya.ru", "Organic Search"),
        (PAGE, "https://www.ecosia.org/search?q=repair", "", "", "search:ecosia:www.ecosia.org:repair", "Organic Search"),
        (PAGE, "https://search.naver.com/search.naver?query=%EC%88%98%EB%A6%AC", "", "", "search:naver:search.naver.com:수리", "Organic Search"),
        (PAGE, "https://search.seznam.cz/?q=oprava", "", "", "search:seznam:search.seznam.cz:oprava", "Organic Search"),
        (PAGE, "https://search.brave.com/search?q=fix", "", "", "search:brave:search.brave.com:fix", "Organic Search"),
        (PAGE, "https://www.startpage.com/", "", "", "search:startpage:www.startpage.com", "Organic Search"),
        (PAGE, "https://www.qwant.com/?q=r%C3%A9paration", "", "", "search:qwant:www.qwant.com:réparation", "Organic Search"),
        (PAGE, "https://www.so.com/s?q=x", "", "", "search:360:www.so.com:x", "Organic Search"),
        (PAGE, "https://search.daum.net/search?q=y", "", "", "search:daum:search.daum.net:y", "Organic Search"),
        (PAGE, "https://www.sogou.com/web?query=z", "", "", "search:sogou:www.sogou.com:z", "Organic Search"),
        // Social networks and video.
        (PAGE, "https://www.facebook.com/", "", "", "social:facebook:www.facebook.com", "Organic Social"),
        (PAGE, "https://l.facebook.com/l.php?u=x", "", "", "social:facebook:l.facebook.com", "Organic Social"),
        (PAGE, "https://m.facebook.com/", "", "", "social:facebook:m.facebook.com", "Organic Social"),
        (PAGE, "https://l.instagram.com/", "", "", "social:instagram:l.instagram.com", "Organic Social"),
        (PAGE, "https://t.co/abc", "", "", "social:x:t.co", "Organic Social"),
        (PAGE, "https://x.com/someone", "", "", "social:x:x.com", "Organic Social"),
        (PAGE, "https://twitter.com/", "", "", "social:x:twitter.com", "Organic Social"),
        (PAGE, "https://www.linkedin.com/feed/", "", "", "social:linkedin:www.linkedin.com", "Organic Social"),
        (PAGE, "https://lnkd.in/xyz", "", "", "social:linkedin:lnkd.in", "Organic Social"),
        (PAGE, "https://out.reddit.com/", "", "", "social:reddit:out.reddit.com", "Organic Social"),
        (PAGE, "https://www.pinterest.de/", "", "", "social:pinterest:www.pinterest.de", "Organic Social"),
        (PAGE, "https://www.tiktok.com/", "", "", "social:tiktok:www.tiktok.com", "Organic Social"),
        (PAGE, "https://www.threads.net/", "", "", "social:threads:www.threads.net", "Organic Social"),
        (PAGE, "https://bsky.app/profile/x", "", "", "social:bluesky:bsky.app", "Organic Social"),
        (PAGE, "https://www.youtube.com/watch?v=1", "", "", "social:youtube:www.youtube.com", "Organic Video"),
        (PAGE, "https://youtu.be/1", "", "", "social:youtube:youtu.be", "Organic Video"),
        (PAGE, "https://vimeo.com/1", "", "", "social:vimeo:vimeo.com", "Organic Video"),
        // Webmail (GA4: Referral), shopping, other sites.
        (PAGE, "https://mail.google.com/", "", "", "email:gmail:mail.google.com", "Referral"),
        (PAGE, "android-app://com.google.android.gm/", "", "", "email:gmail:com.google.android.gm", "Referral"),
        (PAGE, "https://outlook.live.com/", "", "", "email:outlook:outlook.live.com", "Referral"),
        (PAGE, "https://outlook.office.com/mail/", "", "", "email:outlook:outlook.office.com", "Referral"),
        (PAGE, "https://mail.yahoo.com/", "", "", "email:yahoomail:mail.yahoo.com", "Referral"),
        (PAGE, "https://www.amazon.com/dp/1", "", "", "other:amazon:www.amazon.com", "Organic Shopping"),
        (PAGE, "https://www.ebay.de/", "", "", "other:ebay:www.ebay.de", "Organic Shopping"),
        (PAGE, "https://shopping.google.com/", "", "", "other:google_shopping:shopping.google.com", "Organic Shopping"),
        (PAGE, "https://blog.example.org/post", "", "", "other::blog.example.org", "Referral"),
        (PAGE, "https://chatgpt.com/", "", "", "other::chatgpt.com", "Referral"),
        (PAGE, "https://user:pw@evil.example/", "", "", "other::evil.example", "Referral"),
        // Campaign parameters, every channel group.
        ("https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=spring", "", "source=google;medium=cpc;name=spring", "", "direct", "Paid Search"),
        ("https://shop.example/?utm_source=Google&utm_medium=CPC", "", "source=Google;medium=CPC", "", "direct", "Paid Search"),
        ("https://shop.example/?utm_source=bing&utm_medium=ppc", "https://www.bing.com/", "source=bing;medium=ppc", "", "search:bing:www.bing.com", "Paid Search"),
        ("https://shop.example/?utm_source=facebook&utm_medium=paid_social", "", "source=facebook;medium=paid_social", "", "direct", "Paid Social"),
        ("https://shop.example/?utm_source=fb&utm_medium=cpm", "", "source=fb;medium=cpm", "", "direct", "Paid Social"),
        ("https://shop.example/?utm_source=youtube&utm_medium=cpv", "", "source=youtube;medium=cpv", "", "direct", "Paid Video"),
        ("https://shop.example/?utm_source=amazon&utm_medium=cpc", "", "source=amazon;medium=cpc", "", "direct", "Paid Shopping"),
        ("https://shop.example/?utm_source=partner&utm_medium=cpc&utm_campaign=eshop_spring", "", "source=partner;medium=cpc;name=eshop_spring", "", "direct", "Paid Shopping"),
        ("https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=Cross-network+PMax", "", "source=google;medium=cpc;name=Cross-network PMax", "", "direct", "Cross-network"),
        ("https://shop.example/?utm_source=news-site&utm_medium=display", "", "source=news-site;medium=display", "", "direct", "Display"),
        ("https://shop.example/?utm_source=news-site&utm_medium=banner", "", "source=news-site;medium=banner", "", "direct", "Display"),
        ("https://shop.example/?utm_source=news-site&utm_medium=cpm", "", "source=news-site;medium=cpm", "", "direct", "Display"),
        ("https://shop.example/?utm_source=partner&utm_medium=retargeting", "", "source=partner;medium=retargeting", "", "direct", "Paid Other"),
        ("https://shop.example/?utm_source=amazon&utm_medium=listing", "", "source=amazon;medium=listing", "", "direct", "Organic Shopping"),
        ("https://shop.example/?utm_source=partner&utm_medium=post&utm_campaign=shopping_week", "", "source=partner;medium=post;name=shopping_week", "", "direct", "Organic Shopping"),
        ("https://shop.example/?utm_source=partner&utm_medium=post&utm_campaign=workshop", "", "source=partner;medium=post;name=workshop", "", "direct", "Unassigned"),
        ("https://shop.example/?utm_source=twitter&utm_medium=post", "", "source=twitter;medium=post", "", "direct", "Organic Social"),
        ("https://shop.example/?utm_source=club&utm_medium=social-network", "", "source=club;medium=social-network", "", "direct", "Organic Social"),
        ("https://shop.example/?utm_source=vimeo&utm_medium=post", "", "source=vimeo;medium=post", "", "direct", "Organic Video"),
        ("https://shop.example/?utm_source=club&utm_medium=video_post", "", "source=club;medium=video_post", "", "direct", "Organic Video"),
        ("https://shop.example/?utm_source=duckduckgo&utm_medium=listing", "", "source=duckduckgo;medium=listing", "", "direct", "Organic Search"),
        ("https://shop.example/?utm_source=club&utm_medium=organic", "", "source=club;medium=organic", "", "direct", "Organic Search"),
        ("https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=nov", "https://mail.google.com/", "source=newsletter;medium=email;name=nov", "", "email:gmail:mail.google.com", "Email"),
        ("https://shop.example/?utm_source=email&utm_medium=blast", "", "source=email;medium=blast", "", "direct", "Email"),
        ("https://shop.example/?utm_medium=e-mail", "", "medium=e-mail", "", "direct", "Email"),
        ("https://shop.example/?utm_source=partner&utm_medium=affiliate", "", "source=partner;medium=affiliate", "", "direct", "Affiliates"),
        ("https://shop.example/?utm_source=blog&utm_medium=referral", "", "source=blog;medium=referral", "", "direct", "Referral"),
        ("https://shop.example/?utm_source=partner-app&utm_medium=app", "", "source=partner-app;medium=app", "", "direct", "Referral"),
        ("https://shop.example/?utm_source=spotify&utm_medium=audio", "", "source=spotify;medium=audio", "", "direct", "Audio"),
        ("https://shop.example/?utm_source=sms&utm_medium=text", "", "source=sms;medium=text", "", "direct", "SMS"),
        ("https://shop.example/?utm_source=twilio&utm_medium=sms", "", "source=twilio;medium=sms", "", "direct", "SMS"),
        ("https://shop.example/?utm_source=app&utm_medium=web_push", "", "source=app;medium=web_push", "", "direct", "Mobile Push Notifications"),
        ("https://shop.example/?utm_source=firebase&utm_medium=x", "", "source=firebase;medium=x", "", "direct", "Mobile Push Notifications"),
        ("https://shop.example/?utm_source=app&utm_medium=notification", "", "source=app;medium=notification", "", "direct", "Mobile Push Notifications"),
        ("https://shop.example/?utm_source=club&utm_medium=flyer", "", "source=club;medium=flyer", "", "direct", "Unassigned"),
        ("https://shop.example/?utm_source=newsletter", "", "source=newsletter", "", "direct", "Unassigned"),
        ("https://shop.example/?utm_campaign=spring", "https://www.google.com/", "name=spring", "", "search:google:www.google.com", "Organic Search"),
        (
            "https://shop.example/?utm_source=s&utm_medium=email&utm_campaign=c&utm_term=t&utm_content=k&utm_id=7&utm_source_platform=sa360&utm_creative_format=video&utm_marketing_tactic=prospecting",
            "",
            "source=s;medium=email;name=c;term=t;content=k;id=7;sourcePlatform=sa360;creativeFormat=video;marketingTactic=prospecting",
            "",
            "direct",
            "Email",
        ),
        // Click ids.
        ("https://shop.example/?gclid=Cj0KCQ", "", "", "gclid=Cj0KCQ", "direct", "Paid Search"),
        ("https://shop.example/?gbraid=0AAA", "", "", "gbraid=0AAA", "direct", "Paid Search"),
        ("https://shop.example/?wbraid=1BBB", "", "", "wbraid=1BBB", "direct", "Paid Search"),
        ("https://shop.example/?dclid=CMx", "", "", "dclid=CMx", "direct", "Display"),
        ("https://shop.example/?msclkid=abc123", "https://www.bing.com/", "", "msclkid=abc123", "search:bing:www.bing.com", "Paid Search"),
        ("https://shop.example/?yclid=42", "", "", "yclid=42", "direct", "Paid Search"),
        ("https://shop.example/?fbclid=IwAR", "", "", "fbclid=IwAR", "direct", "Organic Social"),
        ("https://shop.example/?fbclid=IwAR", "https://l.facebook.com/", "", "fbclid=IwAR", "social:facebook:l.facebook.com", "Organic Social"),
        ("https://shop.example/?igshid=MzRl", "", "", "igshid=MzRl", "direct", "Organic Social"),
        ("https://shop.example/?ttclid=E.C.P", "", "", "ttclid=E.C.P", "direct", "Paid Social"),
        ("https://shop.example/?twclid=2x", "", "", "twclid=2x", "direct", "Paid Social"),
        ("https://shop.example/?li_fat_id=uuid", "", "", "li_fat_id=uuid", "direct", "Paid Social"),
        ("https://shop.example/?epik=dj0y", "", "", "epik=dj0y", "direct", "Paid Social"),
        ("https://shop.example/?rdt_cid=123", "", "", "rdt_cid=123", "direct", "Paid Social"),
        ("https://shop.example/?ScCid=sc1", "", "", "sccid=sc1", "direct", "Paid Social"),
        ("https://shop.example/?qclid=q1", "", "", "qclid=q1", "direct", "Paid Social"),
        ("https://shop.example/?irclickid=ir1", "", "", "irclickid=ir1", "direct", "Affiliates"),
        ("https://shop.example/?mc_cid=m1", "", "", "mc_cid=m1", "direct", "Email"),
        ("https://shop.example/?gclid=g1", "https://www.google.com/", "", "gclid=g1", "search:google:www.google.com", "Paid Search"),
        ("https://shop.example/?fbclid=f&gclid=g&GCLID=ignored", "", "", "gclid=g;fbclid=f", "direct", "Paid Search"),
        ("https://shop.example/?gclid=g&utm_source=newsletter&utm_medium=email", "", "source=newsletter;medium=email", "gclid=g", "direct", "Email"),
        ("https://shop.example/?gclid=g&utm_campaign=Spring+Shopping", "", "name=Spring Shopping", "gclid=g", "direct", "Paid Shopping"),
        // Malformed encodings and odd URLs.
        ("https://shop.example/?utm_source=%zz&utm_medium=cpc%", "", "source=%zz;medium=cpc%", "", "direct", "Paid Other"),
        ("https://shop.example/?utm_source=news%", "", "source=news%", "", "direct", "Unassigned"),
        ("https://shop.example/?utm_source=%", "", "source=%", "", "direct", "Unassigned"),
        ("https://shop.example/?utm_source=a+b%20c&utm_medium=%45mail", "", "source=a b c;medium=Email", "", "direct", "Email"),
        ("https://shop.example/?utm_source=%FF%FE&utm_medium=email", "", "source=\u{FFFD}\u{FFFD};medium=email", "", "direct", "Email"),
        ("https://shop.example/?utm_source=%E2%82&utm_medium=email", "", "source=\u{FFFD};medium=email", "", "direct", "Email"),
        ("https://shop.example/?utm_source=y#utm_medium=email", "", "source=y", "", "direct", "Unassigned"),
        ("https://shop.example/#/landing?utm_source=newsletter&utm_medium=email", "", "source=newsletter;medium=email", "", "direct", "Email"),
        ("https://shop.example/?utm_source=first&utm_source=second&utm_medium=email", "", "source=first;medium=email", "", "direct", "Email"),
        ("https://shop.example/?utm_source=&utm_source=second&utm_medium=email", "", "source=second;medium=email", "", "direct", "Email"),
        ("https://shop.example/?UTM_SOURCE=up&Utm_Medium=EMAIL", "", "source=up;medium=EMAIL", "", "direct", "Email"),
        ("https://shop.example/?utm%5Fsource=enc&utm_medium=email", "", "source=enc;medium=email", "", "direct", "Email"),
        ("https://shop.example/?&&&=&=x&utm_source=ok&utm_medium=email", "", "source=ok;medium=email", "", "direct", "Email"),
        ("https://shop.example/?utm_source=+padded+&utm_medium=email", "", "source=padded;medium=email", "", "direct", "Email"),
        ("https://shop.example/?utm_source=n&utm_medium=email&utm_term=jo%40example.com", "", "source=n;medium=email;term=[email]", "", "direct", "Email"),
        ("https://shop.example/?utm_source=a%22b%5C&utm_medium=email", "", "source=a\"b\\;medium=email", "", "direct", "Email"),
        ("https://shop.example/?utm_source=line%0Abreak&utm_medium=email", "", "source=line\nbreak;medium=email", "", "direct", "Email"),
        (PAGE, "https://www.bing.com/search?q=%C3%28", "", "", "search:bing:www.bing.com:\u{FFFD}(", "Organic Search"),
        (PAGE, "https://www.google.com/search?q=mail+jo%40example.com", "", "", "search:google:www.google.com:mail [email]", "Organic Search"),
        (PAGE, "https://WWW.GOOGLE.COM./", "", "", "search:google:www.google.com", "Organic Search"),
        (PAGE, "https://www.google.com:443/", "", "", "search:google:www.google.com", "Organic Search"),
        (PAGE, "not a url", "", "", "direct", "Direct"),
        ("not a url?utm_source=y&utm_medium=email", "", "source=y;medium=email", "", "direct", "Email"),
        ("", "", "", "", "direct", "Direct"),
    ];

    #[test]
    fn landing_table() {
        assert!(CASES.len() >= 80, "{} cases", CASES.len());
        for (url, referrer, campaign, clicks, r, ch) in CASES {
            check(url, referrer, campaign, clicks, r, ch);
        }
    }

    #[test]
    fn every_channel_group_is_covered() {
        let seen: Vec<&str> = CASES.iter().map(|c| c.5).collect();
        for ch in [
            Channel::Direct,
            Channel::CrossNetwork,
            Channel::PaidShopping,
            Channel::PaidSearch,
            Channel::PaidSocial,
            Channel::PaidVideo,
            Channel::Display,
            Channel::PaidOther,
            Channel::OrganicShopping,
            Channel::OrganicSocial,
            Channel::OrganicVideo,
            Channel::OrganicSearch,
            Channel::Email,
            Channel::Affiliates,
            Channel::Referral,
            Channel::Audio,
            Channel::Sms,
            Channel::MobilePush,
            Channel::Unassigned,
        ] {
            assert!(seen.contains(&ch.as_str()), "{ch:?}");
        }
        // Every click id of the table is in a case.
        for (p, _, _) in CLICK_IDS {
            assert!(
                CASES.iter().any(|c| c.3.to_ascii_lowercase().contains(p)),
                "{p}"
            );
        }
    }

    #[test]
    fn hostile_inputs() {
        let x10k = "x".repeat(10_000);
        let clipped = "x".repeat(crate::core::url::MAX_VALUE_CHARS);
        // A 10 KB value is cut.
        check(
            &format!("{PAGE}?utm_source={x10k}&utm_medium=email"),
            "",
            &format!("source={clipped};medium=email"),
            "",
            "direct",
            "Email",
        );
        // A 10 KB query of junk pairs before the real ones.
        let junk = "a=1&".repeat(2_500);
        check(
            &format!("{PAGE}?{junk}utm_source=late&utm_medium=email"),
            "",
            "source=late;medium=email",
            "",
            "direct",
            "Email",
        );
        // 10 KB of percent signs, and `%` at the very end.
        let percents = "%".repeat(10_000);
        let t = Touch::classify(&format!("{PAGE}?utm_source={percents}"), "", &[]);
        assert_eq!(
            t.campaign.source(),
            "%".repeat(crate::core::url::MAX_VALUE_CHARS)
        );
        // A 10 KB search term.
        check(
            PAGE,
            &format!("https://www.google.com/search?q={x10k}"),
            "",
            "",
            &format!("search:google:www.google.com:{clipped}"),
            "Organic Search",
        );
        // A 10 KB host.
        let long_host = format!("https://{}.example/", "a".repeat(10_000));
        let t = Touch::classify(PAGE, &long_host, &[]);
        assert_eq!(t.referrer.kind, ReferrerKind::Other);
        assert_eq!(t.referrer.host.len(), 253);
        // Invalid UTF-8 in every position, and multi-byte characters cut.
        let invalid = "%C3%28%A0%A1%E2%28%A1%F0%28%8C%BC".repeat(1_000);
        let t = Touch::classify(
            &format!("{PAGE}?utm_source={invalid}&gclid={invalid}"),
            "",
            &[],
        );
        assert!(t.campaign.source().chars().count() <= crate::core::url::MAX_VALUE_CHARS);
        assert!(t.campaign.source().contains('\u{FFFD}'));
        assert_eq!(t.click_ids.len(), 1);
        // Thousands of keys that look almost like ours.
        let near = "utm_sourc=1&gclid_=2&".repeat(500);
        let t = Touch::classify(&format!("{PAGE}?{near}"), "", &[]);
        assert!(t.is_direct() && t.campaign.is_empty() && t.click_ids.is_empty());
    }

    /// An address is redacted before a long value is cut to
    /// `MAX_VALUE_CHARS`: a cut through it would leave its local part.
    #[test]
    fn campaign_values_and_terms_are_redacted_before_the_cut() {
        use crate::core::url::MAX_VALUE_CHARS;
        let pad = "x".repeat(MAX_VALUE_CHARS - 20);
        let url = format!("{PAGE}?utm_content={pad}+jonathan.doe%40example.com");
        let t = Touch::classify(&url, "", &[]);
        let content = t.campaign.values.iter().find(|v| !v.is_empty()).unwrap();
        assert_eq!(content, &format!("{pad} [email]"));
        let referrer = format!("https://www.google.com/search?q={pad}+jonathan.doe%40example.com");
        let t = Touch::classify(PAGE, &referrer, &[]);
        assert_eq!(t.referrer.term, format!("{pad} [email]"));
    }

    #[test]
    fn source_kinds() {
        for (source, kind) in [
            ("google", Some(SiteKind::Search)),
            ("www.google.de", Some(SiteKind::Search)),
            ("fb", Some(SiteKind::Social)),
            ("ig", Some(SiteKind::Social)),
            ("m.facebook.com", Some(SiteKind::Social)),
            ("x", Some(SiteKind::Social)),
            ("t.co", Some(SiteKind::Social)),
            ("youtube", Some(SiteKind::Video)),
            ("amazon", Some(SiteKind::Shopping)),
            ("gmail", Some(SiteKind::Email)),
            ("newsletter", None),
            ("", None),
            ("(direct)", None),
        ] {
            assert_eq!(kind_of_source(source), kind, "{source}");
        }
    }

    #[test]
    fn shopping_campaign_pattern() {
        for (name, hit) in [
            ("shop", true),
            ("eshop", true),
            ("e-shop", true),
            ("spring_shop", true),
            ("2shop", true),
            ("shopping", true),
            ("workshop", false),
            ("bishop", false),
            ("sho", false),
            ("", false),
        ] {
            assert_eq!(is_shopping_campaign(name), hit, "{name}");
        }
    }

    #[test]
    fn new_campaign_detection() {
        let key = |url: &str, referrer: &str| Touch::classify(url, referrer, &[]).attribution().key;
        let google = key(PAGE, "https://www.google.com/");
        assert_eq!(
            google,
            key(
                "https://shop.example/other",
                "https://www.google.de/search?q=x"
            )
        );
        assert_ne!(google, key(PAGE, "https://www.bing.com/"));
        let ad = key("https://shop.example/?gclid=A", "");
        assert_eq!(
            ad,
            key(
                "https://shop.example/?gclid=A&x=1",
                "https://www.google.com/"
            )
        );
        assert_ne!(ad, key("https://shop.example/?gclid=B", ""));
        let mail = key(
            "https://shop.example/?utm_source=n&utm_medium=email&utm_campaign=a",
            "",
        );
        assert_eq!(
            mail,
            key(
                "https://shop.example/?utm_source=N&utm_medium=email&utm_campaign=A&utm_term=x",
                ""
            ),
            "source, medium and campaign compare case-insensitively; terms do not count"
        );
        assert_ne!(
            mail,
            key(
                "https://shop.example/?utm_source=n&utm_medium=email&utm_campaign=b",
                ""
            )
        );
        assert_eq!(
            key(PAGE, ""),
            key(PAGE, "https://shop.example/x"),
            "internal is direct"
        );
        assert!(Touch::default().is_direct() && Attribution::default().is_direct());
    }

    /// splitmix64: a small deterministic generator for the property test.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    const PIECES: &[&str] = &[
        "https://",
        "http://",
        "//",
        "android-app://",
        "about:",
        "shop.example",
        "www.google.com",
        "google.co.uk",
        "t.co",
        "mail.google.com",
        "l.facebook.com",
        "pay.example",
        "co.uk",
        "127.0.0.1",
        "[::1]",
        ":8080",
        ".",
        "..",
        "/",
        "\\",
        "?",
        "#",
        "&",
        "=",
        "%",
        "%4",
        "%41",
        "%zz",
        "%FF",
        "%E2%82",
        "%C3%A9",
        "%40",
        "%2B",
        "%26",
        "%3D",
        "@",
        "+",
        " ",
        "\t",
        "\n",
        "\"",
        "\u{0}",
        "é",
        "日本",
        "😀",
        "utm_source",
        "UTM_MEDIUM",
        "utm_campaign",
        "utm_term",
        "utm%5Fsource",
        "gclid",
        "fbclid",
        "ScCid",
        "q",
        "p",
        "wd",
        "text",
        "token",
        "sid",
        "cross-network",
        "shop",
        "email",
        "cpc",
        "paid",
        "organic",
        "push",
        "jo@example.com",
        "jo%40example.com",
        "a.b-c_d+e",
        "x",
        "1",
        "(direct)",
        "(none)",
    ];

    /// A random string: pieces, random characters, and now and then one piece
    /// repeated into a long run.
    fn random_text(rng: &mut Rng) -> String {
        let mut s = String::new();
        for _ in 0..rng.below(24) {
            match rng.below(20) {
                0 => {
                    let piece = rng.pick(PIECES);
                    for _ in 0..(500 + rng.below(3000)) {
                        s.push_str(piece);
                    }
                }
                1..=3 => {
                    s.push(char::from_u32(rng.next() as u32 % 0x11_0000).unwrap_or('\u{FFFD}'))
                }
                4 => s.push(char::from(rng.below(128) as u8)),
                _ => s.push_str(rng.pick(PIECES)),
            }
        }
        s
    }

    fn check_invariants(url: &str, referrer: &str, strip: &[String], internal: &[String]) {
        use crate::core::privacy::{redact_emails, redact_url};
        use crate::core::url::{query, MAX_VALUE_CHARS};
        let t = Touch::classify(url, referrer, internal);
        for v in t
            .campaign
            .values
            .iter()
            .chain(t.click_ids.iter().map(|(_, v)| v))
            .chain([&t.referrer.term])
        {
            assert!(v.chars().count() <= MAX_VALUE_CHARS);
            assert_eq!(redact_emails(v), v.as_str(), "no email kept");
        }
        assert!(t.referrer.host.chars().count() <= MAX_HOST_CHARS);
        let mut json = String::from("{\"x\":1");
        t.push_context(&mut json);
        json.push('}');
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(parsed["channel"], t.channel.as_str());
        check_attribution(&t);

        for text in [url, referrer] {
            let r = redact_url(text, strip);
            assert_eq!(redact_emails(&r), r, "emails left in {r:?}");
            assert_eq!(redact_url(&r, strip), r, "redaction is idempotent");
            for (key, _) in pairs(query(&r)) {
                assert!(!strip.iter().any(|n| key_is(key, n)), "{key} left in {r:?}");
            }
            let h = host(text);
            let d = registrable_domain(h);
            assert!(h.ends_with(d));
        }
        let _ = channel(url, referrer, url);
    }

    /// Random URLs, referrers and stored state through the parser, the
    /// classifier, redaction and the session rules: no panic, and every
    /// invariant holds. `FOOTFALL_PROPTEST_ITERS` runs more (the local
    /// campaign); `FOOTFALL_PROPTEST_SEED` picks another sequence.
    #[test]
    fn property_random_urls() {
        let iterations: u64 = std::env::var("FOOTFALL_PROPTEST_ITERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000);
        let seed: u64 = std::env::var("FOOTFALL_PROPTEST_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0x5eed);
        let mut rng = Rng(seed);
        let strip = vec![
            "token".to_owned(),
            "sid".to_owned(),
            "utm_source".to_owned(),
        ];
        for i in 0..iterations {
            let url = random_text(&mut rng);
            let referrer = random_text(&mut rng);
            let internal = vec![random_text(&mut rng).to_ascii_lowercase()];
            let result =
                std::panic::catch_unwind(|| check_invariants(&url, &referrer, &strip, &internal));
            if result.is_err() {
                let short = |s: &str| -> String { s.chars().take(300).collect() };
                panic!(
                    "iteration {i} (seed {seed}) failed: url {:?} referrer {:?} internal {:?} (first 300 characters)",
                    short(&url),
                    short(&referrer),
                    short(&internal[0])
                );
            }
            // Stored state is text too: feed it to a visit.
            let stored = random_text(&mut rng);
            let boot = crate::core::session::SessionBoot {
                now: crate::core::time::WallMs(rng.next() >> 20),
                session: Some(&stored),
                first_touch: Some(&stored),
                last_touch: Some(&url),
                fresh_id: [7; 16],
            };
            let landing = Touch::classify(&url, &referrer, &[]);
            let mut visit =
                crate::core::session::Visit::boot(boot.now, &landing, boot, 30 * 60_000);
            let later = crate::core::time::WallMs(rng.next() >> 20);
            visit.on_event(later, [8; 16]);
            assert!(crate::core::uuid::is_uuid(visit.session_id()));
            // What it stores reads back as the same session.
            let writes = visit.take_writes();
            let stored = writes
                .iter()
                .find(|(k, _)| *k == crate::core::session::KEY_SESSION)
                .map(|(_, v)| v.as_str());
            let last = visit.span().map_or(later, |(_, last)| last);
            let again = crate::core::session::Visit::boot(
                last,
                &Touch::default(),
                crate::core::session::SessionBoot {
                    now: last,
                    session: stored,
                    ..boot
                },
                30 * 60_000,
            );
            assert_eq!(again.session_id(), visit.session_id());
            assert_eq!(again.attribution(), visit.attribution());
        }
        if iterations > 1_000 {
            eprintln!(
                "property_random_urls: {iterations} inputs (seed {seed}) ran without a panic"
            );
        }
    }
}
