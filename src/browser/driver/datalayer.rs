//! The dataLayer in the browser: the bridge that forwards pushes (its
//! callbacks lead back here), mirrored entries pushed, and Google Consent
//! Mode commands pushed in gtag's form.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsValue;

use crate::browser::datalayer::{self, Bridge};
use crate::browser::driver::Driver;
use crate::core::config::Config;
use crate::core::datalayer::{DataLayerConfig, DataLayerEffect};
use crate::core::engine::Input;

/// The driver's dataLayer: its name, the gtag-style pusher, the bridge
/// while forwarding.
pub(super) struct DataLayerGlue {
    name: String,
    /// What the bridge forwards.
    config: DataLayerConfig,
    /// Pushes its `arguments` onto `this` (for gtag-style dataLayer pushes).
    push_arguments: js_sys::Function,
    /// The `dataLayer.push` wrapper, while forwarding.
    bridge: RefCell<Option<Bridge>>,
}

impl DataLayerGlue {
    /// The dataLayer named in `config`; nothing is bridged yet (see
    /// [`Driver::bridge_data_layer`]).
    pub(super) fn new(config: &Config) -> DataLayerGlue {
        DataLayerGlue {
            name: config.data_layer_name.clone(),
            config: config.data_layer.clone(),
            push_arguments: datalayer::arguments_pusher(),
            bridge: RefCell::new(None),
        }
    }
}

impl Driver {
    /// Wraps `dataLayer.push` when `dataLayer.forward` or `.ecommerce`:
    /// the pushes read go to the engine while the client runs.
    pub(super) fn bridge_data_layer(self: &Rc<Self>) {
        let config = &self.data_layer.config;
        if !config.reads_pushes() {
            return;
        }
        let (weak, live) = (Rc::downgrade(self), Rc::downgrade(self));
        let bridge = Bridge::install(
            self.window.as_ref(),
            &self.data_layer.name,
            config,
            move || live.upgrade().is_some_and(|d| !d.is_stopped()),
            move |event, properties| {
                if let Some(d) = weak.upgrade() {
                    let id = d.random_id();
                    d.call(Input::DataLayer {
                        event,
                        properties,
                        id,
                    });
                }
            },
        );
        if let Ok(mut slot) = self.data_layer.bridge.try_borrow_mut() {
            *slot = bridge;
        }
    }

    /// `shutdown()`: restores `push` (see [`Bridge`]).
    pub(super) fn unbridge_data_layer(&self) {
        if let Ok(mut bridge) = self.data_layer.bridge.try_borrow_mut() {
            bridge.take();
        }
    }

    /// Carries out what the engine asks of the dataLayer.
    pub(super) fn data_layer_effect(&self, effect: DataLayerEffect) {
        match effect {
            DataLayerEffect::Push(entry) => self.push_to_data_layer(&entry),
            DataLayerEffect::ConsentMode { command, state } => {
                self.push_consent_mode(command, state)
            }
        }
    }

    /// Pushes a mirrored automatic event (JSON text).
    fn push_to_data_layer(&self, entry: &str) {
        datalayer::push_entry(self.window.as_ref(), &self.data_layer.name, entry);
    }

    /// Pushes `['consent', command, { key: 'granted' | 'denied', ... }]` as
    /// an `arguments` object, as `gtag()` does.
    fn push_consent_mode(&self, command: &str, state: [(&str, bool); 7]) {
        let values = js_sys::Object::new();
        for (key, granted) in state {
            let value = JsValue::from_str(if granted { "granted" } else { "denied" });
            let _ = js_sys::Reflect::set(&values, &JsValue::from_str(key), &value);
        }
        let Some(layer) = self.layer_array() else {
            if self.debug {
                web_sys::console::warn_1(&JsValue::from_str(
                    "footfall: the dataLayer is not an array; it is left alone and Consent Mode commands are not pushed",
                ));
            }
            return;
        };
        let _ = self.data_layer.push_arguments.call3(
            &layer,
            &JsValue::from_str("consent"),
            &JsValue::from_str(command),
            &values,
        );
    }

    /// `window[dataLayerName]`, created as an array when missing; never
    /// replaced: a value that is not an object is left alone (`None`).
    fn layer_array(&self) -> Option<JsValue> {
        let name = JsValue::from_str(&self.data_layer.name);
        let layer = js_sys::Reflect::get(&self.window, &name).unwrap_or(JsValue::UNDEFINED);
        if layer.is_object() {
            return Some(layer);
        }
        if !layer.is_undefined() {
            return None;
        }
        let array: JsValue = js_sys::Array::new().into();
        let _ = js_sys::Reflect::set(&self.window, &name, &array);
        Some(array)
    }
}
