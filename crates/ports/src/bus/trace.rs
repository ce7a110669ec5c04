//! A record's place in a distributed trace, carried from role to role.

use std::sync::Arc;

/// The longest `traceparent` kept: the W3C form is 55 characters; a
/// later version may append fields, never beyond this.
pub const MAX_TRACEPARENT: usize = 128;

/// The W3C `traceparent` of the span that handed a record on (the
/// gateway's span of a send, say), so the next role's spans join that
/// trace. Present only while tracing is on (`[telemetry]`); the bus
/// carries it beside the record (Kafka: a record header), never inside
/// the record's own encoding. Opaque here: `ferrochat-trace` makes and
/// reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext(Arc<str>);

impl TraceContext {
    /// `None` for what cannot be a `traceparent` (too long, or not
    /// printable ASCII): a bad header is ignored, not trusted.
    pub fn new(traceparent: &str) -> Option<Self> {
        let printable = traceparent.bytes().all(|b| b.is_ascii_graphic());
        (printable && !traceparent.is_empty() && traceparent.len() <= MAX_TRACEPARENT)
            .then(|| Self(Arc::from(traceparent)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The contexts of a record's items, in item order, as the bus carries
/// them (`None`: an item without one). Empty when tracing is off.
pub type Traces = Vec<Option<TraceContext>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_bounded_printable_string_is_a_context() {
        let w3c = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        assert_eq!(TraceContext::new(w3c).map(|t| t.as_str().len()), Some(55));
        assert!(TraceContext::new("").is_none());
        assert!(TraceContext::new("00 -x").is_none());
        assert!(TraceContext::new(&"a".repeat(MAX_TRACEPARENT + 1)).is_none());
    }
}
