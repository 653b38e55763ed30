//! Random bytes for ids and jitter, from `crypto.getRandomValues` (getrandom),
//! drawn 2 KiB at a time (128 ids) so tracking calls rarely cross into
//! JavaScript: each draw costs about as much as ten tracking calls.

const POOL_BYTES: usize = 2048;

/// A buffer of random bytes, refilled when empty.
pub struct RandomPool {
    bytes: [u8; POOL_BYTES],
    used: usize,
}

impl Default for RandomPool {
    fn default() -> Self {
        Self::new()
    }
}

impl RandomPool {
    /// An empty pool (filled on first use).
    pub fn new() -> RandomPool {
        RandomPool {
            bytes: [0; POOL_BYTES],
            used: POOL_BYTES,
        }
    }

    /// Sixteen random bytes.
    pub fn take16(&mut self) -> [u8; 16] {
        if self.used + 16 > POOL_BYTES {
            self.refill();
        }
        let mut out = [0u8; 16];
        if let Some(src) = self.bytes.get(self.used..self.used + 16) {
            out.copy_from_slice(src);
        }
        self.used += 16;
        out
    }

    /// A random `u64`.
    pub fn take_u64(&mut self) -> u64 {
        let b = self.take16();
        b.iter().take(8).fold(0u64, |n, &x| (n << 8) | u64::from(x))
    }

    fn refill(&mut self) {
        if getrandom::fill(&mut self.bytes).is_err() {
            // No Web Crypto (very old or unusual environment): Math.random,
            // still unique enough for message ids.
            for b in self.bytes.iter_mut() {
                *b = (js_sys::Math::random() * 256.0) as u8;
            }
        }
        self.used = 0;
    }
}
