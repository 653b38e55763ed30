//! `localStorage`, falling back to memory when it is missing or throws
//! (private mode, sandboxed iframes, quota exceeded).

use std::cell::RefCell;

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

    /// Every key starting with `prefix`, from both places.
    pub fn keys_with_prefix(&self, prefix: &str) -> Vec<String> {
        let mut keys: Vec<String> = self
            .memory
            .borrow()
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(k, _)| k.clone())
            .collect();
        if let Some(s) = &self.local {
            let n = s.length().unwrap_or(0);
            for i in 0..n {
                if let Ok(Some(k)) = s.key(i) {
                    if k.starts_with(prefix) && !keys.contains(&k) {
                        keys.push(k);
                    }
                }
            }
        }
        keys
    }
}
