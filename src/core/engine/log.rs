//! What the engine tells a developer who turned `debug` on ([`Log`]), and
//! why it refused a call ([`Invalid`]): each a sentence for the console.

/// Why a call was refused at the door (counted in `stats().invalid`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// The event name is not a string.
    NameNotString,
    /// The event name is empty.
    NameEmpty,
    /// The properties could not be serialized (cyclic, BigInt, throwing getter).
    PropertiesNotSerializable,
    /// The properties are not an object.
    PropertiesNotObject,
    /// The event is larger than one request may carry.
    EventTooLarge,
    /// `identify` without a string user id or a traits object, `group` or
    /// `alias` without a non-empty id.
    IdNotString,
    /// `setConsent` without an object of categories.
    ConsentNotObject,
    /// `onExitIntent` with something other than a function.
    CallbackNotFunction,
}

impl Invalid {
    /// A sentence for the debug log.
    pub fn as_str(self) -> &'static str {
        match self {
            Invalid::NameNotString => "event dropped: the name must be a string",
            Invalid::NameEmpty => "event dropped: the name is empty",
            Invalid::PropertiesNotSerializable => {
                "event dropped: properties cannot be serialized (cyclic object, BigInt or throwing getter)"
            }
            Invalid::PropertiesNotObject => "event dropped: properties must be a plain object",
            Invalid::EventTooLarge => "event dropped: larger than maxBatchBytes once serialized",
            Invalid::IdNotString => {
                "identify, group or alias ignored: the id must be a non-empty string or a whole number"
            }
            Invalid::ConsentNotObject => {
                "setConsent ignored: expected an object such as { analytics: true, marketing: false }"
            }
            Invalid::CallbackNotFunction => "onExitIntent ignored: the callback must be a function",
        }
    }
}

/// Something worth telling a developer who turned `debug` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Log {
    /// A call was refused.
    Refused(Invalid),
    /// Strings longer than `maxStringLength` were cut (how many).
    Truncated(u32),
    /// The queue was full: the oldest events were dropped (how many).
    QueueFull(u32),
    /// The collector refused a batch for good (status); its events are dropped.
    Rejected(u16),
    /// A send failed (status, 0 for a network error); it will be retried.
    Retrying(u16),
    /// A beacon was refused by the browser (quota); retrying smaller.
    BeaconRefused,
    /// The browser ended the listener inside `sendBeacon` (a closing tab):
    /// whether it left is unknown, and its events are sent again.
    BeaconCutOff,
    /// Analytics consent is denied: the event was not recorded.
    NoConsent,
    /// The consent buffer was full: the oldest waiting events were dropped.
    ConsentBufferFull(u32),
    /// Stored lines that are not footfall's own events were ignored (how many).
    ForeignRecord(u32),
    /// An option was out of its range and was clamped (its name).
    Clamped(&'static str),
    /// A GA4 ecommerce push had an invalid field, left out (its GA4 name).
    #[cfg(feature = "ecommerce")]
    EcommerceField(&'static str),
    /// A GA4 `purchase` whose `transaction_id` was already sent from this
    /// browser (a reloaded thank-you page) was not sent again.
    #[cfg(feature = "ecommerce")]
    DuplicateOrder,
    /// An option asks for a capability this build was made without; it is
    /// ignored (its name).
    #[cfg(footfall_partial)]
    Ignored(&'static str),
}

impl Log {
    /// A sentence for the debug log.
    pub fn as_str(self) -> &'static str {
        match self {
            Log::Refused(i) => i.as_str(),
            Log::Truncated(_) => "strings longer than maxStringLength were truncated:",
            Log::QueueFull(_) => "queue full (maxQueueEvents): oldest events dropped:",
            Log::Rejected(_) => "the collector refused a batch; its events are dropped. Status:",
            Log::Retrying(_) => "send failed; retrying with backoff. Status (0 = network error):",
            Log::BeaconRefused => {
                "the browser refused a beacon (keepalive quota); retrying smaller"
            }
            Log::BeaconCutOff => {
                "the browser ended the page's listener inside a beacon; its events are sent again"
            }
            Log::NoConsent => "analytics consent is denied: event not recorded",
            Log::ConsentBufferFull(_) => {
                "events waiting for consent exceed maxQueueEvents: oldest dropped:"
            }
            Log::ForeignRecord(_) => {
                "stored records that are not footfall's own events were ignored:"
            }
            Log::Clamped(_) => "an option out of its range was clamped (see the README's Options):",
            #[cfg(feature = "ecommerce")]
            Log::EcommerceField(_) => {
                "a dataLayer ecommerce push had an invalid field (a string for a number, a negative amount, an item without id or name); it was left out:"
            }
            #[cfg(feature = "ecommerce")]
            Log::DuplicateOrder => {
                "a purchase with a transaction_id already sent from this browser was not sent again"
            }
            #[cfg(footfall_partial)]
            Log::Ignored(_) => {
                "an option was ignored: this build of footfall leaves out what it turns on:"
            }
        }
    }

    /// The option name that goes with the sentence, if any.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Log::Clamped(name) => Some(name),
            #[cfg(feature = "ecommerce")]
            Log::EcommerceField(name) => Some(name),
            #[cfg(footfall_partial)]
            Log::Ignored(name) => Some(name),
            _ => None,
        }
    }

    /// The number that goes with the sentence, if any.
    pub fn detail(self) -> Option<u32> {
        match self {
            Log::Truncated(n)
            | Log::QueueFull(n)
            | Log::ConsentBufferFull(n)
            | Log::ForeignRecord(n) => Some(n),
            Log::Rejected(s) | Log::Retrying(s) => Some(u32::from(s)),
            Log::Refused(_)
            | Log::BeaconRefused
            | Log::BeaconCutOff
            | Log::NoConsent
            | Log::Clamped(_) => None,
            #[cfg(feature = "ecommerce")]
            Log::EcommerceField(_) | Log::DuplicateOrder => None,
            #[cfg(footfall_partial)]
            Log::Ignored(_) => None,
        }
    }
}
