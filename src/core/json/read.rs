//! Reading well-formed JSON text without building values: the members of
//! an object and the elements of an array, each as its raw text. Meant for
//! text that is known to be valid (sanitized properties); malformed text
//! ends the iteration early, never panics.

/// Just past the JSON value starting at `i` (whitespace before it skipped),
/// for well-formed text.
fn value_end(b: &[u8], mut i: usize) -> Option<usize> {
    i = skip_space(b, i);
    match *b.get(i)? {
        b'"' => string_end(b, i + 1),
        b'{' | b'[' => {
            let mut depth = 0usize;
            while let Some(&c) = b.get(i) {
                match c {
                    b'"' => {
                        i = string_end(b, i + 1)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let start = i;
            while b
                .get(i)
                .is_some_and(|c| !matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
            {
                i += 1;
            }
            (i > start).then_some(i)
        }
    }
}

/// Just past the closing quote of the string body starting at `i`.
fn string_end(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        match *b.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while b
        .get(i)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
    {
        i += 1;
    }
    i
}

/// The members of the object `text` as `(key, value)`: the key's body as
/// written (escapes kept) and the value's raw text.
///
/// ```
/// use footfall::core::json::read::members;
/// let m: Vec<_> = members(r#"{"a":1, "b":{"c":[2,"}"]},"d":"x"}"#).collect();
/// assert_eq!(m, [("a", "1"), ("b", r#"{"c":[2,"}"]}"#), ("d", r#""x""#)]);
/// ```
pub fn members(text: &str) -> impl Iterator<Item = (&str, &str)> {
    let b = text.as_bytes();
    let mut i = skip_space(b, 0);
    let mut ok = b.get(i) == Some(&b'{');
    i += 1;
    std::iter::from_fn(move || {
        if !ok {
            return None;
        }
        i = skip_space(b, i);
        if b.get(i) == Some(&b',') {
            i = skip_space(b, i + 1);
        }
        if b.get(i) != Some(&b'"') {
            ok = false;
            return None;
        }
        let key_end = string_end(b, i + 1)?;
        let key = text.get(i + 1..key_end - 1)?;
        let colon = skip_space(b, key_end);
        if b.get(colon) != Some(&b':') {
            ok = false;
            return None;
        }
        let start = skip_space(b, colon + 1);
        let end = value_end(b, start)?;
        i = end;
        Some((key, text.get(start..end)?))
    })
}

/// The raw text of the member `key` of the object `text`, if present.
pub fn member<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    members(text).find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// The elements of the array `text`, each as its raw text.
///
/// ```
/// use footfall::core::json::read::elements;
/// let e: Vec<_> = elements(r#"[1, {"a":[2]}, "x"]"#).collect();
/// assert_eq!(e, ["1", r#"{"a":[2]}"#, r#""x""#]);
/// assert_eq!(elements("[]").count(), 0);
/// ```
pub fn elements(text: &str) -> impl Iterator<Item = &str> {
    let b = text.as_bytes();
    let mut i = skip_space(b, 0);
    let mut ok = b.get(i) == Some(&b'[');
    i += 1;
    std::iter::from_fn(move || {
        if !ok {
            return None;
        }
        i = skip_space(b, i);
        if b.get(i) == Some(&b',') {
            i = skip_space(b, i + 1);
        }
        if matches!(b.get(i), None | Some(b']')) {
            ok = false;
            return None;
        }
        let start = i;
        let end = value_end(b, start)?;
        i = end;
        text.get(start..end)
    })
}
