//! What a refusal must be: the client's fault, said in the contract's
//! words.

use ferrochat_domain::InvalidField;
use ferrochat_wire::json::MalformedJson;

/// A field a decoder refuses is 1001 (1008 when it is over a size limit),
/// naming the field and why: never an error that blames the server.
pub fn field(e: &InvalidField) {
    let (code, status) = ferrochat_wire::code(e.kind());
    assert!(
        matches!((code, status), (1001, 400) | (1008, 413)),
        "{e} is answered {code} ({status})"
    );
    assert!(
        !e.field.is_empty() && !e.reason.is_empty(),
        "{e:?} says nothing"
    );
}

/// JSON that does not decode is named without serde's line and column
/// (" at line L column C" at the end), and whole: the client's own text
/// that serde quotes in it may say anything, " at line " included.
pub fn malformed(e: &MalformedJson) {
    let message = e.to_string();
    assert!(!message.is_empty(), "a malformed body with no message");
    assert!(
        !ends_with_position(&message),
        "{message:?} tells the client serde's position"
    );
}

fn ends_with_position(message: &str) -> bool {
    without_number(message)
        .and_then(|m| m.strip_suffix(" column "))
        .and_then(without_number)
        .is_some_and(|m| m.ends_with(" at line "))
}

/// `s` without the number it ends with, if it ends with one.
fn without_number(s: &str) -> Option<&str> {
    let rest = s.trim_end_matches(|c: char| c.is_ascii_digit());
    (rest.len() < s.len()).then_some(rest)
}
