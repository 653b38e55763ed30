//! Arbitrary bytes through email redaction and the property sanitizer: the
//! assertions of the native property tests (`property_random_text`,
//! `property_random_objects`), from the same file. The bytes are redacted
//! as text, drive the generators of text and of property objects as
//! `JSON.stringify` writes them, and go through the sanitizer as they are:
//! no panic, no address left, valid JSON.
#![no_main]

#[allow(dead_code)]
#[path = "../../src/core/privacy/property.rs"]
mod property;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| property::check_bytes(data));
