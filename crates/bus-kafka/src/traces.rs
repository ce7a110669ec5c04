//! Each item's trace context, carried in its record's headers: one
//! `traceparent` header per item, in item order (an item without one has
//! the header with no value), so a record of several sends (an upstream
//! batch, a gateway's downstream record) keeps every send's own trace. A
//! record of one traced item carries exactly the header the W3C
//! convention for Kafka names. While tracing is off no item has a
//! context and a record has no header at all.
//!
//! Headers stand beside the payload, outside the upstream seal: a forged
//! context can only misplace a span, or have a trace kept that
//! `sample_ratio` would drop (its flags say "sampled"), never change what
//! a record says; a process that does not trace passes none on
//! (`ferrochat_trace::carried`).

use ferrochat_ports::bus::{TraceContext, Traces};
use rdkafka::message::{BorrowedHeaders, Header, Headers as _, OwnedHeaders};

const TRACEPARENT: &str = "traceparent";

/// The headers of a record holding items with these contexts; `None`
/// when none has one.
pub(crate) fn headers<'a>(
    contexts: impl ExactSizeIterator<Item = Option<&'a TraceContext>> + Clone,
) -> Option<OwnedHeaders> {
    if contexts.clone().all(|c| c.is_none()) {
        return None;
    }
    let mut headers = OwnedHeaders::new_with_capacity(contexts.len());
    for context in contexts {
        headers = headers.insert(Header {
            key: TRACEPARENT,
            value: context.map(TraceContext::as_str),
        });
    }
    Some(headers)
}

/// The contexts a record's headers carry, in item order; empty without
/// any (a record from a process with tracing off).
pub(crate) fn read(headers: Option<&BorrowedHeaders>) -> Traces {
    let Some(headers) = headers else {
        return Traces::new();
    };
    headers
        .iter()
        .filter(|h| h.key == TRACEPARENT)
        .map(|h| {
            h.value
                .and_then(|v| std::str::from_utf8(v).ok())
                .and_then(TraceContext::new)
        })
        .collect()
}

/// Gives each item the context at its place, if the record carried one
/// per item; a record whose headers do not match its items is left
/// untraced rather than misattributed.
pub(crate) fn attach<T>(items: &mut [T], traces: Traces, set: impl Fn(&mut T, TraceContext)) {
    if traces.len() != items.len() {
        return;
    }
    for (item, trace) in items.iter_mut().zip(traces) {
        if let Some(trace) = trace {
            set(item, trace);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(n: u8) -> TraceContext {
        TraceContext::new(&format!("00-{:032x}-{:016x}-01", n, n)).expect("a traceparent")
    }

    #[test]
    fn untraced_items_make_no_header() {
        let none: [Option<&TraceContext>; 3] = [None, None, None];
        assert!(headers(none.into_iter()).is_none());
        assert!(read(None).is_empty());
    }

    #[test]
    fn each_item_gets_back_its_own_context_in_order() {
        let (a, c) = (context(1), context(3));
        let written = headers([Some(&a), None, Some(&c)].into_iter()).expect("headers");
        let traces = read(Some(written.as_borrowed()));
        assert_eq!(traces, vec![Some(a.clone()), None, Some(c.clone())]);
        let mut items = vec![None, None, None];
        attach(&mut items, traces, |item, t| *item = Some(t));
        assert_eq!(items, vec![Some(a), None, Some(c)]);
    }

    #[test]
    fn headers_that_do_not_match_the_items_are_not_trusted() {
        let a = context(1);
        let written = headers([Some(&a)].into_iter()).expect("headers");
        let mut items: Vec<Option<TraceContext>> = vec![None, None];
        attach(&mut items, read(Some(written.as_borrowed())), |item, t| {
            *item = Some(t)
        });
        assert_eq!(items, vec![None, None]);
    }
}
