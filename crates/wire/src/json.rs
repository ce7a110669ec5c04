//! Decoding what a client sends as JSON, once for every edge: an HTTP
//! request body ([`body`]) and a WebSocket frame's `data` ([`data`]).
//! What is wrong is named by the field's path and serde's reason, without
//! serde's line/column noise. The gateway answers these with 1001; the
//! fuzz targets (`fuzz/`) drive the same functions.

use serde::de::DeserializeOwned;

/// JSON that does not decode into the request it should be. Its message
/// is what the client is told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MalformedJson(String);

impl MalformedJson {
    fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// An HTTP request body. An empty body (or only whitespace) reads as `{}`,
/// so endpoints whose fields are all optional accept a bare POST.
pub fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, MalformedJson> {
    let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    object(text)
}

/// Decodes a JSON object, reporting the failing field's path and serde's
/// reason.
fn object<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, MalformedJson> {
    // JSON is UTF-8 (RFC 8259); serde checks only the strings it keeps,
    // so a field the endpoint ignores could carry anything.
    if std::str::from_utf8(bytes).is_err() {
        return Err(MalformedJson::new("request body is not valid UTF-8"));
    }
    // serde accepts a struct written as an array; the contract does not.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        let valid = serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok();
        return Err(MalformedJson::new(if valid {
            "request body must be a JSON object"
        } else {
            "request body is not valid JSON"
        }));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let inner = e.inner();
        if inner.is_syntax() || inner.is_eof() {
            MalformedJson::new("request body is not valid JSON")
        } else {
            MalformedJson::new(describe(&e))
        }
    })?;
    // Anything after the object (`{..}}`) makes the body invalid JSON.
    de.end()
        .map_err(|_| MalformedJson::new("request body is not valid JSON"))?;
    Ok(value)
}

/// A WebSocket frame's `data`, already parsed with the frame. `null` or
/// absent reads as `{}`.
pub fn data<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, MalformedJson> {
    let value = if value.is_null() {
        serde_json::Value::Object(serde_json::Map::new())
    } else {
        value
    };
    if !value.is_object() {
        return Err(MalformedJson::new("data must be a JSON object"));
    }
    serde_path_to_error::deserialize(value).map_err(|e| MalformedJson::new(describe(&e)))
}

/// "field: reason" for a value that did not fit its type, without serde's
/// line/column noise.
fn describe(e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = e.path().to_string();
    let inner = e.inner();
    let reason = inner.to_string();
    // serde_json ends its message with " at line L column C" when it knows
    // where (a body, not a frame's data, which was parsed before). Only
    // that goes: the reason may quote the client's own text (an unknown
    // field's name, a string of the wrong type), which is kept whole even
    // when it says " at line ".
    let position = format!(" at line {} column {}", inner.line(), inner.column());
    let reason = match inner.line() {
        0 => reason.as_str(),
        _ => reason.strip_suffix(&position).unwrap_or(&reason),
    };
    if path == "." {
        reason.to_owned()
    } else {
        format!("{path}: {reason}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Named {
        #[allow(dead_code)]
        name: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Counted {
        #[allow(dead_code)]
        n: Option<u64>,
    }

    fn body_error(bytes: &[u8]) -> String {
        body::<Named>(bytes).unwrap_err().to_string()
    }

    #[test]
    fn a_body_names_what_is_wrong_without_line_and_column() {
        assert!(body::<Named>(b"").is_ok());
        assert!(body::<Named>(b" \n").is_ok());
        assert_eq!(body_error(b"[]"), "request body must be a JSON object");
        assert_eq!(body_error(b"{"), "request body is not valid JSON");
        assert_eq!(body_error(b"{}}"), "request body is not valid JSON");
        assert_eq!(
            body_error(b"{\"x\":\"\xff\"}"),
            "request body is not valid UTF-8"
        );
        assert_eq!(
            body_error(br#"{"name": 5}"#),
            "name: invalid type: integer `5`, expected a string"
        );
    }

    /// Found by fuzzing (`fuzz/`, target `ws_frame`): the position was cut
    /// at the last " at line " of the message, which a frame's data (no
    /// position) could put there itself, and the client was told half a
    /// reason.
    #[test]
    fn the_clients_own_text_is_kept_whole_in_a_refusal() {
        let field = "x at line 3 column 9";
        let e = data::<Counted>(serde_json::json!({ field: 1 })).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x at line 3 column 9: unknown field `x at line 3 column 9`, expected `n`"
        );
        let e = data::<Counted>(serde_json::json!({"n": "5 at line 1"})).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"n: invalid type: string "5 at line 1", expected u64"#
        );
        let e = body::<Counted>(br#"{"n": "at line 1 column 2"}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"n: invalid type: string "at line 1 column 2", expected u64"#
        );
    }

    #[test]
    fn data_reads_null_as_an_empty_object_and_refuses_other_values() {
        assert!(data::<Named>(serde_json::Value::Null).is_ok());
        assert_eq!(
            data::<Named>(serde_json::json!([1]))
                .unwrap_err()
                .to_string(),
            "data must be a JSON object"
        );
        assert_eq!(
            data::<Named>(serde_json::json!({"name": []}))
                .unwrap_err()
                .to_string(),
            "name: invalid type: sequence, expected a string"
        );
    }
}
