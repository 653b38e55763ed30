//! Attribution on a table of landings and hostile inputs; the deterministic
//! property test over random URLs is `tests/property.rs`.

use super::*;
use crate::core::attribution::channel::is_shopping_campaign;
use crate::core::campaign::CAMPAIGN_PARAMS;
use crate::core::url::{host, key_is, pairs, registrable_domain};

mod property;

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
