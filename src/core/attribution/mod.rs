//! Attribution and sessions (the `attribution` capability): where a visit
//! came from, and the session that carries it across page loads.
//!
//! A page load is classified once ([`Touch::classify`]): the landing URL's
//! campaign parameters and click ids ([`Landing`], read in every build),
//! the referrer ([`referrer`]: search, social, email, internal, other or
//! direct, against the [`sites`] tables), and the channel by Google
//! Analytics 4's default channel group rules ([`channel`](mod@channel)). The touch is
//! reduced to an [`Attribution`]: the context members events carry,
//! serialized once, and a key that tells campaigns apart. Sessions
//! ([`session`]) store and compare only that.

pub mod channel;
pub mod referrer;
pub mod session;
pub mod sites;

pub use channel::{channel, Channel};
pub use referrer::{classify_referrer, Referrer, ReferrerKind, MAX_HOST_CHARS};
pub use sites::{is_within, kind_of_source, site_of_host, Site, SiteKind};

use crate::core::campaign::{self, Campaign, Landing, CLICK_IDS};
use crate::core::json::push_str;

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
        let Landing {
            campaign,
            click_ids,
        } = Landing::read(page_url);
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
        campaign::push_context(out, &self.campaign, &self.click_ids);
        out.push_str(",\"referrer\":{\"type\":\"");
        out.push_str(self.referrer.kind.as_str());
        out.push('"');
        let mut open = ",";
        campaign::push_member(out, &mut open, "name", self.referrer.name);
        campaign::push_member(out, &mut open, "host", &self.referrer.host);
        campaign::push_member(out, &mut open, "term", &self.referrer.term);
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
mod tests;
