//! Where a W3C context is written and read: a lone `traceparent`, gRPC
//! metadata, HTTP/2 headers.

use opentelemetry::propagation::{Extractor, Injector};

const TRACEPARENT: &str = "traceparent";

/// One `traceparent` value (tracestate is not carried: ferrochat's spans
/// set none).
#[derive(Default)]
pub(crate) struct One(pub(crate) Option<String>);

impl Injector for One {
    fn set(&mut self, key: &str, value: String) {
        if key == TRACEPARENT {
            self.0 = Some(value);
        }
    }
}

impl Extractor for One {
    fn get(&self, key: &str) -> Option<&str> {
        (key == TRACEPARENT).then_some(self.0.as_deref()).flatten()
    }

    fn keys(&self) -> Vec<&str> {
        vec![TRACEPARENT]
    }
}

/// A gRPC call's metadata, written by the caller.
pub(crate) struct Metadata<'a>(pub(crate) &'a mut tonic::metadata::MetadataMap);

impl Injector for Metadata<'_> {
    fn set(&mut self, key: &str, value: String) {
        let key = tonic::metadata::MetadataKey::from_bytes(key.as_bytes());
        let value = tonic::metadata::MetadataValue::try_from(value.as_str());
        if let (Ok(key), Ok(value)) = (key, value) {
            self.0.insert(key, value);
        }
    }
}

/// A call's HTTP/2 headers, read by the server.
pub(crate) struct Headers<'a>(pub(crate) &'a http::HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}
