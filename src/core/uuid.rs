//! UUID version 4 text from 16 random bytes supplied by the caller.

use crate::core::json::hex_digit;

/// Length of a UUID in its hyphenated text form.
pub const UUID_LEN: usize = 36;

/// Appends the RFC 9562 version 4 UUID made from `random` (version and
/// variant bits are set here), lowercase and hyphenated.
///
/// ```
/// let mut s = String::new();
/// footfall::core::uuid::push_uuid_v4(&mut s, [0xff; 16]);
/// assert_eq!(s, "ffffffff-ffff-4fff-bfff-ffffffffffff");
/// ```
pub fn push_uuid_v4(out: &mut String, random: [u8; 16]) {
    let mut bytes = random;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(hex_digit(b >> 4));
        out.push(hex_digit(*b));
    }
}

/// Whether `s` looks like a UUID this crate wrote (36 chars, hex and hyphens).
pub fn is_uuid(s: &str) -> bool {
    s.len() == UUID_LEN
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_version_and_variant() {
        let mut s = String::new();
        push_uuid_v4(&mut s, [0; 16]);
        assert_eq!(s, "00000000-0000-4000-8000-000000000000");
        assert!(is_uuid(&s));
        let mut t = String::new();
        push_uuid_v4(
            &mut t,
            *b"\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef",
        );
        assert_eq!(t, "01234567-89ab-4def-8123-456789abcdef");
    }

    #[test]
    fn recognises_only_uuids() {
        assert!(is_uuid("01234567-89ab-4def-8123-456789abcdef"));
        for bad in [
            "",
            "x",
            "01234567-89ab-4def-8123-456789abcdeg",
            "0123456789ab-4def-8123-456789abcdef-",
        ] {
            assert!(!is_uuid(bad), "{bad}");
        }
    }
}
