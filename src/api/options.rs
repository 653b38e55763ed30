//! Reading what JavaScript passes in: the `init` options, checked field by
//! field against a table of (name, type) so a wrong type names the option,
//! and Segment's per-call `options`. Values are read with `Reflect`; nothing
//! here decides what they mean (that is `core::config`).

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::browser::environment::prop;
use crate::core::config::{AutocaptureOptions, DataLayerOptions, Options};
use crate::core::consent::{Choice, Reach};
use crate::core::envelope::PagePatch;
use crate::core::time::WallMs;

/// Segment's per-call options: `timestamp` (a `Date`, epoch ms or an
/// ISO-8601 string) and `context.page`. `None` when they give neither (or
/// are not an object: Segment's callback argument, for one).
pub(super) fn read_call_options(options: &JsValue) -> Option<(Option<WallMs>, Option<PagePatch>)> {
    if !Type::Object.matches(options) {
        return None;
    }
    let t = prop(options, "timestamp");
    let ms = if let Some(n) = t.as_f64() {
        n
    } else if let Some(text) = t.as_string() {
        js_sys::Date::parse(&text)
    } else if let Some(date) = t.dyn_ref::<js_sys::Date>() {
        date.get_time()
    } else {
        f64::NAN
    };
    let timestamp = (ms.is_finite() && ms >= 0.0).then_some(WallMs(ms as u64));
    let page = prop(&prop(options, "context"), "page");
    let page = Type::Object.matches(&page).then(|| {
        let [url, path, search, title, referrer] =
            ["url", "path", "search", "title", "referrer"].map(|key| prop(&page, key).as_string());
        PagePatch {
            url,
            path,
            search,
            title,
            referrer,
        }
    });
    (timestamp.is_some() || page.is_some()).then_some((timestamp, page))
}

/// The JavaScript type an option must have.
#[derive(Clone, Copy)]
pub(super) enum Type {
    Str,
    Num,
    Bool,
    Object,
    /// A boolean, or an object of settings.
    Switch,
    /// An array of numbers.
    #[cfg(feature = "signals")]
    Numbers,
    /// An array of strings.
    Strings,
    /// Checked by the caller.
    Any,
}

impl Type {
    pub(super) fn matches(self, v: &JsValue) -> bool {
        match self {
            Type::Str => v.is_string(),
            Type::Num => v.as_f64().is_some_and(|n| !n.is_nan()),
            Type::Bool => v.as_bool().is_some(),
            Type::Object => v.is_object() && !v.is_function(),
            Type::Switch => Type::Bool.matches(v) || Type::Object.matches(v),
            #[cfg(feature = "signals")]
            Type::Numbers => {
                js_sys::Array::is_array(v)
                    && v.unchecked_ref::<js_sys::Array>()
                        .iter()
                        .all(|n| Type::Num.matches(&n))
            }
            Type::Strings => {
                js_sys::Array::is_array(v) && js_sys::Array::from(v).iter().all(|x| x.is_string())
            }
            Type::Any => true,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Type::Str => "a string",
            Type::Num => "a number",
            Type::Bool => "a boolean",
            Type::Object => "an object",
            Type::Switch => "a boolean or an object",
            #[cfg(feature = "signals")]
            Type::Numbers => "an array of numbers",
            Type::Strings => "an array of strings",
            Type::Any => "set",
        }
    }
}

/// Reads `keys` from `obj`: absent (undefined or null) ones are `None`;
/// a present one of the wrong type is an error naming it.
fn read_fields<const N: usize>(
    obj: &JsValue,
    keys: [(&str, Type); N],
) -> Result<[Option<JsValue>; N], JsError> {
    let mut out = [const { None }; N];
    for (slot, (key, ty)) in out.iter_mut().zip(keys) {
        *slot = read_field(obj, key, ty)?;
    }
    Ok(out)
}

/// Reads `keys` from `obj` into `out` (the slice form of [`read_fields`]).
fn read_into(
    obj: &JsValue,
    keys: &[(&str, Type)],
    out: &mut [Option<JsValue>],
) -> Result<(), JsError> {
    for (slot, &(key, ty)) in out.iter_mut().zip(keys) {
        *slot = read_field(obj, key, ty)?;
    }
    Ok(())
}

/// One option: `None` when absent, an error naming it when of the wrong
/// type. Kept out of line: `read_fields` is instantiated per field count.
#[inline(never)]
fn read_field(obj: &JsValue, key: &str, ty: Type) -> Result<Option<JsValue>, JsError> {
    let v = Reflect::get(obj, &JsValue::from_str(key)).map_err(|_| type_error(key, "readable"))?;
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if !ty.matches(&v) {
        return Err(type_error(key, ty.name()));
    }
    Ok(Some(v))
}

/// Reads the options object, checking each field's JavaScript type.
pub(super) fn read_options(value: &JsValue) -> Result<Options, JsError> {
    if !Type::Object.matches(value) {
        return Err(JsError::new(
            "footfall: init(options) expects an object, e.g. { endpoint: '/collect' }",
        ));
    }
    let [endpoint, write_key, flush_at, flush_interval_ms, max_batch_bytes, max_queue_events, debug, privacy, consent, data_layer, compression, session_timeout_min, attribution] =
        read_fields(
            value,
            [
                ("endpoint", Type::Str),
                ("writeKey", Type::Str),
                ("flushAt", Type::Num),
                ("flushIntervalMs", Type::Num),
                ("maxBatchBytes", Type::Num),
                ("maxQueueEvents", Type::Num),
                ("debug", Type::Bool),
                ("privacy", Type::Object),
                ("consent", Type::Object),
                ("dataLayer", Type::Switch),
                ("compression", Type::Str),
                ("sessionTimeoutMin", Type::Num),
                ("attribution", Type::Switch),
            ],
        )?;
    let [max_string_length, cookieless, anonymize_ip, redact_emails, strip_query_params] =
        match &privacy {
            Some(p) => read_fields(
                p,
                [
                    ("maxStringLength", Type::Num),
                    ("cookieless", Type::Bool),
                    ("anonymizeIp", Type::Bool),
                    ("redactEmails", Type::Bool),
                    ("stripQueryParams", Type::Strings),
                ],
            )?,
            None => [None, None, None, None, None],
        };
    // `attribution: false` chooses a build without attribution (the loader
    // and the ES module entry read it); here only its settings matter.
    let [internal_domains] = match &attribution {
        Some(a) if a.is_object() => read_fields(a, [("internalDomains", Type::Strings)])?,
        _ => [None],
    };
    let [mode, categories, respect_gpc, respect_dnt, policy_version] = match &consent {
        Some(c) => read_fields(
            c,
            [
                ("mode", Type::Str),
                ("categories", Type::Object),
                ("respectGpc", Type::Any),
                ("respectDnt", Type::Any),
                ("policyVersion", Type::Str),
            ],
        )?,
        None => [None, None, None, None, None],
    };
    let (data_layer_name, consent_mode_bridge, data_layer) = read_data_layer(data_layer)?;
    let [autocapture] = read_fields(value, [("autocapture", Type::Switch)])?;
    let autocapture = read_autocapture(autocapture)?;
    let strings = |v: Option<JsValue>| {
        v.map(|v| {
            let mut out = Vec::new();
            for s in js_sys::Array::from(&v).iter() {
                out.extend(s.as_string());
            }
            out
        })
    };
    let string = |v: Option<JsValue>| v.and_then(|v| v.as_string());
    let number = |v: Option<JsValue>| v.and_then(|v| v.as_f64());
    let boolean = |v: Option<JsValue>| v.and_then(|v| v.as_bool());
    let experiments = prop(value, "experiments");
    Ok(Options {
        experiments_given: !(experiments.is_undefined() || experiments.is_null()),
        #[cfg(feature = "experiments")]
        experiments: read_experiments(&experiments),
        endpoint: string(endpoint),
        write_key: string(write_key),
        flush_at: number(flush_at),
        flush_interval_ms: number(flush_interval_ms),
        max_batch_bytes: number(max_batch_bytes),
        max_queue_events: number(max_queue_events),
        max_string_length: number(max_string_length),
        debug: boolean(debug),
        consent_mode: string(mode),
        consent_defaults: categories.as_ref().map(read_choice).unwrap_or_default(),
        respect_gpc: reach("consent.respectGpc", respect_gpc)?,
        respect_dnt: reach("consent.respectDnt", respect_dnt)?,
        policy_version: string(policy_version),
        cookieless: boolean(cookieless),
        anonymize_ip: boolean(anonymize_ip),
        redact_emails: boolean(redact_emails),
        consent_mode_bridge: boolean(consent_mode_bridge),
        data_layer_name: string(data_layer_name),
        compression: string(compression),
        session_timeout_min: number(session_timeout_min),
        internal_domains: strings(internal_domains),
        strip_query_params: strings(strip_query_params),
        data_layer,
        autocapture,
    })
}

/// `experiments`: `{ key: { variants, weights, coverage, seed,
/// hashAttribute, name } }`, read leniently: a value of the wrong type
/// becomes one the core warns about (a variant that is not a string is
/// empty, a weight or coverage that is not a number is NaN), never an
/// error, as the contract says of bad experiment input.
#[cfg(feature = "experiments")]
fn read_experiments(value: &JsValue) -> Vec<crate::core::experiments::ExperimentOptions> {
    use crate::core::experiments::{ExperimentOptions, MAX_EXPERIMENTS, MAX_VARIANTS};
    let mut out = Vec::new();
    let Some(object) = value.dyn_ref::<js_sys::Object>() else {
        return out;
    };
    let text = |v: JsValue| v.as_string();
    let number = |v: JsValue| v.as_f64().unwrap_or(f64::NAN);
    for entry in js_sys::Object::entries(object)
        .iter()
        .take(MAX_EXPERIMENTS + 1)
    {
        let entry: js_sys::Array = entry.unchecked_into();
        let (key, options) = (entry.get(0), entry.get(1));
        let list = |name: &str| {
            let v = prop(&options, name);
            js_sys::Array::is_array(&v).then(|| {
                let array: &js_sys::Array = v.unchecked_ref();
                array
                    .iter()
                    .take(MAX_VARIANTS + 1)
                    .collect::<Vec<JsValue>>()
            })
        };
        let coverage = prop(&options, "coverage");
        out.push(ExperimentOptions {
            key: text(key).unwrap_or_default(),
            variants: list("variants")
                .unwrap_or_default()
                .into_iter()
                .map(|v| text(v).unwrap_or_default())
                .collect(),
            weights: list("weights").map(|w| w.into_iter().map(number).collect()),
            coverage: (!coverage.is_undefined()).then(|| number(coverage)),
            seed: text(prop(&options, "seed")),
            hash_attribute: text(prop(&options, "hashAttribute")),
            name: text(prop(&options, "name")),
        });
    }
    out
}

/// The members of `autocapture`: a boolean each, or (`Switch`) a settings
/// object, which turns the member on.
const AUTOCAPTURE: [(&str, Type); 11] = [
    ("pageViews", Type::Bool),
    ("history", Type::Switch),
    ("scrollDepth", Type::Switch),
    ("rageClick", Type::Switch),
    ("exitIntent", Type::Switch),
    ("pageLeave", Type::Bool),
    ("clicks", Type::Bool),
    ("errors", Type::Bool),
    ("forms", Type::Bool),
    ("webVitals", Type::Bool),
    ("heatmap", Type::Bool),
];

/// The settings of `autocapture` members: (index in [`AUTOCAPTURE`], key, type).
#[cfg(feature = "signals")]
const SETTINGS: [(usize, &str, Type); 9] = [
    (1, "hashChange", Type::Bool),
    (2, "milestones", Type::Numbers),
    (2, "shortPages", Type::Bool),
    (3, "clicks", Type::Num),
    (3, "windowMs", Type::Num),
    (3, "radiusPx", Type::Num),
    (4, "minDwellMs", Type::Num),
    (4, "cooldownMs", Type::Num),
    (4, "touch", Type::Bool),
];

/// Reads `autocapture`: a boolean, or an object of members (table-driven:
/// one loop for every member and setting keeps the wasm small).
fn read_autocapture(value: Option<JsValue>) -> Result<AutocaptureOptions, JsError> {
    let Some(value) = value else {
        return Ok(AutocaptureOptions::default());
    };
    if let Some(all) = value.as_bool() {
        return Ok(AutocaptureOptions {
            all: Some(all),
            ..AutocaptureOptions::default()
        });
    }
    let mut members = [const { None }; 11];
    read_into(&value, &AUTOCAPTURE, &mut members)?;
    // A build without the behaviour signals reads the members (page views
    // are the core's; the others are named in a `debug` warning), not
    // their settings: 1.6 KB of gzip less, together with the dataLayer's.
    #[cfg_attr(not(feature = "signals"), allow(unused_mut))]
    let mut settings = [const { None }; 9];
    #[cfg(feature = "signals")]
    for ((member, key, ty), slot) in SETTINGS.iter().zip(settings.iter_mut()) {
        if let Some(object) = members.get(*member).and_then(|m| m.as_ref()) {
            if object.is_object() {
                read_into(object, &[(key, *ty)], std::slice::from_mut(slot))?;
            }
        }
    }
    let [page_views, history, scroll_depth, rage_click, exit_intent, page_leave, clicks, errors, forms, web_vitals, heatmap] =
        members.map(|m| m.map(|v| v.as_bool().unwrap_or(true)));
    let [hash_change, milestones, short_pages, rage_clicks, rage_window_ms, rage_radius_px, min_dwell_ms, cooldown_ms, touch] =
        settings;
    let number = |v: Option<JsValue>| v.and_then(|v| v.as_f64());
    let boolean = |v: Option<JsValue>| v.and_then(|v| v.as_bool());
    Ok(AutocaptureOptions {
        all: None,
        errors,
        forms,
        web_vitals,
        heatmap,
        page_views,
        history,
        hash_change: boolean(hash_change),
        scroll_depth,
        milestones: milestones.map(|m| {
            let mut numbers = Vec::new();
            for n in m.unchecked_ref::<js_sys::Array>().iter() {
                numbers.extend(n.as_f64());
            }
            numbers
        }),
        short_pages: boolean(short_pages),
        rage_click,
        rage_clicks: number(rage_clicks),
        rage_window_ms: number(rage_window_ms),
        rage_radius_px: number(rage_radius_px),
        exit_intent,
        min_dwell_ms: number(min_dwell_ms),
        cooldown_ms: number(cooldown_ms),
        touch: boolean(touch),
        page_leave,
        clicks,
    })
}

/// Consent categories from an object; anything but a boolean is ignored.
pub(super) fn read_choice(obj: &JsValue) -> Choice {
    let get = |key: &str| {
        Reflect::get(obj, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_bool())
    };
    Choice {
        analytics: get("analytics"),
        marketing: get("marketing"),
        personalization: get("personalization"),
    }
}

/// A signal setting: `true` (marketing), `false`, `'marketing'` or `'all'`.
fn reach(key: &str, value: Option<JsValue>) -> Result<Option<Reach>, JsError> {
    let Some(v) = value else { return Ok(None) };
    match (v.as_bool(), v.as_string().as_deref()) {
        (Some(true), _) | (_, Some("marketing")) => Ok(Some(Reach::Marketing)),
        (Some(false), _) => Ok(Some(Reach::Ignore)),
        (_, Some("all")) => Ok(Some(Reach::All)),
        _ => Err(type_error(key, "true, false, 'marketing' or 'all'")),
    }
}

/// `dataLayer` read: its `name`, its `consentMode`, and the bridge's
/// forwarding and mirroring (`None`: off).
type DataLayerFields = (Option<JsValue>, Option<JsValue>, Option<DataLayerOptions>);

/// Reads `dataLayer` in a build without the bridge: no further than
/// whether it is given (not `false`), to be named in a `debug` warning.
#[cfg(not(feature = "datalayer"))]
fn read_data_layer(value: Option<JsValue>) -> Result<DataLayerFields, JsError> {
    let given = value.is_some_and(|v| v.as_bool() != Some(false));
    Ok((None, None, given.then(DataLayerOptions::default)))
}

/// Reads `dataLayer`: `true`, `false` or `{ name, consentMode, forward,
/// mirror, ecommerce }` with `forward` a boolean or `{ allow, deny }`.
#[cfg(feature = "datalayer")]
fn read_data_layer(value: Option<JsValue>) -> Result<DataLayerFields, JsError> {
    let Some(value) = value else {
        return Ok((None, None, None));
    };
    if let Some(on) = value.as_bool() {
        return Ok((None, None, on.then(DataLayerOptions::on)));
    }
    let mut options = DataLayerOptions::default();
    let [name, consent_mode, forward, mirror, ecommerce] = read_fields(
        &value,
        [
            ("name", Type::Str),
            ("consentMode", Type::Bool),
            ("forward", Type::Switch),
            ("mirror", Type::Bool),
            ("ecommerce", Type::Bool),
        ],
    )?;
    options.mirror = mirror.and_then(|v| v.as_bool());
    options.ecommerce = ecommerce.and_then(|v| v.as_bool());
    if let Some(forward) = forward {
        options.forward = Some(forward.as_bool().unwrap_or(true));
        if forward.as_bool().is_none() {
            let lists = read_fields(
                &forward,
                [("allow", Type::Strings), ("deny", Type::Strings)],
            )?;
            [options.allow, options.deny] = lists.map(|list| {
                list.map(|l| l.unchecked_into::<js_sys::Array>())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|s| s.as_string())
                    .collect()
            });
        }
    }
    Ok((name, consent_mode, Some(options)))
}

/// "footfall: option `key` must be <expected>".
fn type_error(key: &str, expected: &str) -> JsError {
    let mut msg = String::from("footfall: option `");
    msg.push_str(key);
    msg.push_str("` must be ");
    msg.push_str(expected);
    JsError::new(&msg)
}
