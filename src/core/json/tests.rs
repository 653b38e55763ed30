//! JSON writing and checking: decimals, escapes as `JSON.stringify` writes
//! them, object validation, top-level keys.

use super::*;

fn quoted(s: &str) -> String {
    let mut out = String::new();
    push_str(&mut out, s);
    out
}

#[test]
fn decimals() {
    for (v, want) in [
        (1.0, "1"),
        (1.5, "1.5"),
        (2.625, "2.625"),
        (1.25, "1.25"),
        (0.0, "0"),
        (1.0005, "1.001"),
        (0.05, "0.05"),
        (3.999_9, "4"),
    ] {
        let mut s = String::new();
        push_decimal(&mut s, v);
        assert_eq!(s, want, "{v}");
    }
    for v in [f64::NAN, f64::INFINITY, -1.0, 1e20] {
        let mut s = String::new();
        push_decimal(&mut s, v);
        assert_eq!(s, "", "{v}");
    }
}

#[test]
fn escapes_like_json_stringify() {
    assert_eq!(quoted("plain"), r#""plain""#);
    assert_eq!(quoted("a\"b\\c"), r#""a\"b\\c""#);
    assert_eq!(quoted("line\nbreak\r\ttab"), r#""line\nbreak\r\ttab""#);
    assert_eq!(quoted("\u{1}\u{1f}"), r#""\u0001\u001f""#);
    assert_eq!(quoted("é✓😀"), "\"é✓😀\"");
    assert!(!quoted("x\ny").contains('\n'));
}

#[test]
fn validates_objects_like_a_json_parser() {
    let deep = "{\"a\":".to_owned() + &"[".repeat(20_000) + &"]".repeat(20_000) + "}";
    let cases: &[(&str, bool)] = &[
        ("{}", true),
        (" {} ", false),
        ("{} ", true),
        (r#"{"a":"b"}"#, true),
        (r#"{"a":[],"b":{},"c":[{}]}"#, true),
        (r#"{"n":[0,-0,1.5,-2e10,3E+2,4e-1]}"#, true),
        (r#"{"s":"\"\\\/\b\f\n\r\t\u00e9"}"#, true),
        (r#"{"a":1,}"#, false),
        (r#"{"a":[1,]}"#, false),
        (r#"{,"a":1}"#, false),
        (r#"{"a" 1}"#, false),
        (r#"{"a":1 "b":2}"#, false),
        (r#"{"a":01}"#, false),
        (r#"{"a":1.}"#, false),
        (r#"{"a":.5}"#, false),
        (r#"{"a":+1}"#, false),
        (r#"{"a":tru}"#, false),
        (r#"{"a":"\x"}"#, false),
        (r#"{"a":"\u12g4"}"#, false),
        ("{\"a\":\"\n\"}", false),
        (r#"{"a":1}}"#, false),
        (r#"{"a":1}{"#, false),
        (r#"{"a":[1}"#, false),
        (r#"{"a":{"b":1]}"#, false),
        (r#"{"a""#, false),
        ("{", false),
        ("", false),
        ("[]", false),
        ("null", false),
        (r#"{"a":nul}"#, false),
        (r#"{1:2}"#, false),
    ];
    for (text, want) in cases {
        assert_eq!(is_object(text), *want, "{text}");
        if *want {
            assert!(
                serde_json::from_str::<serde_json::Value>(text).is_ok(),
                "{text}"
            );
        }
    }
    assert!(is_object(&deep));
}

#[test]
fn top_level_keys() {
    let cases = [
        (r#"{"path":"/x"}"#, "path", true),
        (r#"{"a":1,"path":null}"#, "path", true),
        (r#"{"a":{"path":1}}"#, "path", false),
        (r#"{"a":["path"],"b":"path"}"#, "path", false),
        (r#"{"pa\"th":1}"#, "path", false),
        (r#"{"title":"a:b","url":"x"}"#, "url", true),
        ("{}", "path", false),
        (r#"{"unterminated"#, "path", false),
    ];
    for (object, key, want) in cases {
        assert_eq!(has_top_level_key(object, key), want, "{object} {key}");
    }
}
