//! `localStorage`, falling back to memory when it is missing or throws
//! (private mode, sandboxed iframes, quota exceeded).

use std::cell::RefCell;

use wasm_bindgen::prelude::wasm_bindgen;

/// Most keys looked at in one storage area: far more than any page keeps
/// (the area holds about 5 MB), and bounded whatever `length` claims.
const MAX_SCANNED_KEYS: u32 = 100_000;
/// Most footfall keys taken from one scan: a page holds a few dozen; 60,000
/// forged ones must not make start-up slow.
pub const MAX_OWN_KEYS: u32 = 2_000;

#[wasm_bindgen(
    inline_js = "export function keys(s, prefix, scan, max) { const out = []; try { for (let i = 0; i < scan && out.length < max; i++) { const k = s.key(i); if (typeof k != 'string') break; if (k.startsWith(prefix)) out.push(k); } } catch (e) {} return out; }"
)]
extern "C" {
    /// Keys of `storage` starting with `prefix`: at most `max`, from the
    /// first `scan` positions, stopping at the first missing key (a page's
    /// fake `length` cannot make it loop), never throwing.
    #[wasm_bindgen(js_name = keys)]
    fn js_keys(storage: &web_sys::Storage, prefix: &str, scan: u32, max: u32) -> js_sys::Array;
}

/// Key-value storage that never throws.
pub struct Storage {
    local: Option<web_sys::Storage>,
    /// Values whose `localStorage` write failed, and everything when
    /// `localStorage` is unavailable.
    memory: RefCell<Vec<(String, String)>>,
}

impl Storage {
    /// The page's `localStorage`, or memory only when it cannot be opened.
    pub fn local(window: &web_sys::Window) -> Storage {
        Storage {
            local: window.local_storage().ok().flatten(),
            memory: RefCell::new(Vec::new()),
        }
    }

    /// The page's `sessionStorage` (cookieless mode), or memory only.
    pub fn session(window: &web_sys::Window) -> Storage {
        Storage {
            local: window.session_storage().ok().flatten(),
            memory: RefCell::new(Vec::new()),
        }
    }

    /// Memory only.
    pub fn memory() -> Storage {
        Storage {
            local: None,
            memory: RefCell::new(Vec::new()),
        }
    }

    /// Whether values reach `localStorage` (false: memory only).
    pub fn is_persistent(&self) -> bool {
        self.local.is_some()
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<String> {
        if let Some(v) = self
            .memory
            .borrow()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
        {
            return Some(v);
        }
        self.local.as_ref()?.get_item(key).ok().flatten()
    }

    /// Stores `value` under `key`: in `localStorage` when it accepts it, in
    /// memory otherwise. Returns whether it reached `localStorage`.
    pub fn set(&self, key: &str, value: &str) -> bool {
        let persisted = self
            .local
            .as_ref()
            .is_some_and(|s| s.set_item(key, value).is_ok());
        let mut memory = self.memory.borrow_mut();
        memory.retain(|(k, _)| k != key);
        if !persisted {
            memory.push((key.to_owned(), value.to_owned()));
        }
        persisted
    }

    /// Removes `key` from both places.
    pub fn remove(&self, key: &str) {
        if let Some(s) = &self.local {
            let _ = s.remove_item(key);
        }
        self.memory.borrow_mut().retain(|(k, _)| k != key);
    }

    /// Keys starting with `prefix`, from both places: at most
    /// [`MAX_OWN_KEYS`] from storage, read in bounded time.
    pub fn keys_with_prefix(&self, prefix: &str) -> Vec<String> {
        let memory = self.memory.borrow();
        let mut keys: Vec<String> = memory
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(k, _)| k.clone())
            .collect();
        if let Some(s) = &self.local {
            let found = js_keys(s, prefix, MAX_SCANNED_KEYS, MAX_OWN_KEYS);
            for k in found.iter().filter_map(|k| k.as_string()) {
                // Memory holds the few values storage refused: a short list.
                if !memory.iter().any(|(m, _)| *m == k) {
                    keys.push(k);
                }
            }
        }
        keys
    }
}
