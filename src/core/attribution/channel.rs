//! The channel of a visit by Google Analytics 4's default channel group
//! rules, evaluated in Google's published order; the source lists are the
//! site tables.

use crate::core::attribution::sites::{kind_of_source, SiteKind};
use crate::core::url::{contains, find};

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
pub(crate) fn is_shopping_campaign(name: &str) -> bool {
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
