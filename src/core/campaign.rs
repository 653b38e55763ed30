//! What the landing URL says about the visit, in every build: its `utm_*`
//! campaign parameters and ad click ids, read in one pass over the query
//! (the first non-empty value of each, email addresses redacted, cut to
//! [`MAX_VALUE_CHARS`]), and written as the context members `campaign` and
//! `clickIds`.
//!
//! Where the visit came from beyond that (the referrer, the GA4 channel,
//! sessions that carry a campaign across page loads) is the `attribution`
//! capability's (`core::attribution`). Without it, every event of the page
//! carries its landing's [`Landing::push_context`]; with it, the session's
//! attribution, which starts with the same members.

use crate::core::json::{push_key, push_str};
use crate::core::privacy::redact_emails;
use crate::core::url::{clip, decode, key_is, pairs, query, MAX_VALUE_CHARS};

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

/// The campaign parameters and click ids of a landing URL.
///
/// ```
/// use footfall::core::campaign::Landing;
/// let landing = Landing::read("https://shop.example/?utm_source=News&gclid=abc&utm_source=x");
/// let mut context = String::new();
/// landing.push_context(&mut context);
/// assert_eq!(context, r#","campaign":{"source":"News"},"clickIds":{"gclid":"abc"}"#);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Landing {
    /// `utm_*` values.
    pub campaign: Campaign,
    /// Click ids present, first value of each, in the order of [`CLICK_IDS`].
    pub click_ids: Vec<(&'static str, String)>,
}

impl Landing {
    /// Reads `page_url`'s query once. (Inlined into its callers: built
    /// and moved as a whole, the struct cost 45 bytes of wasm.)
    #[inline]
    pub fn read(page_url: &str) -> Landing {
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
        Landing {
            campaign,
            click_ids,
        }
    }

    /// Appends the shared-context members `,"campaign":{...}` and
    /// `,"clickIds":{...}`, each only when not empty.
    pub fn push_context(&self, out: &mut String) {
        push_context(out, &self.campaign, &self.click_ids);
    }
}

/// Appends `,"campaign":{...}` and `,"clickIds":{...}`, each only when not
/// empty.
pub(crate) fn push_context(out: &mut String, campaign: &Campaign, click_ids: &[(&str, String)]) {
    let mut open = ",\"campaign\":{";
    for ((_, key), v) in CAMPAIGN_PARAMS.iter().zip(&campaign.values) {
        push_member(out, &mut open, key, v);
    }
    close(out, open);
    let mut open = ",\"clickIds\":{";
    for (key, v) in click_ids {
        push_member(out, &mut open, key, v);
    }
    close(out, open);
}

/// Decodes a query value for keeping: email addresses redacted in the
/// whole value, then surrounding whitespace trimmed and at most
/// [`MAX_VALUE_CHARS`] characters kept (a cut first could leave part of an
/// address).
pub(crate) fn kept(raw: &str) -> String {
    let decoded = decode(raw);
    let clean = redact_emails(&decoded);
    clip(clean.trim_ascii(), MAX_VALUE_CHARS).to_owned()
}

/// Appends `"key":"value"` unless `value` is empty, preceded by `*open` the
/// first time (then by `,`).
pub(crate) fn push_member(out: &mut String, open: &mut &'static str, key: &str, value: &str) {
    if value.is_empty() {
        return;
    }
    out.push_str(open);
    *open = ",";
    push_key(out, key);
    push_str(out, value);
}

/// Closes an object opened by [`push_member`], if it was.
pub(crate) fn close(out: &mut String, open: &str) {
    if open == "," {
        out.push('}');
    }
}
