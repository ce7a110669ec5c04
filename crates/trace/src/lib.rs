//! Distributed tracing of a send across the roles (docs/ARCHITECTURE.md,
//! "Tracing"): spans of `tracing` under the target [`TARGET`], which the
//! OTLP exporter's layer alone takes (crates/ferrochat, `telemetry`), and
//! the W3C trace context that joins them from hop to hop: gRPC metadata
//! (`inject`, `rpc_span`) and the bus's [`TraceContext`] beside each
//! record.
//!
//! Off unless [`turn_on`] was called (by the process that installed the
//! exporter): then every function here returns at once, with no span, no
//! context and no allocation, so a server without `[telemetry]
//! otlp_endpoint` pays one relaxed atomic load per hop.

mod carrier;

use std::sync::atomic::{AtomicBool, Ordering};

use opentelemetry::propagation::TextMapPropagator as _;
use opentelemetry::trace::TraceContextExt as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

pub use ferrochat_ports::bus::TraceContext;

use carrier::{Headers, Metadata, One};

/// The target of every span made here; the exporter's layer takes these
/// and nothing else (the logs' spans stay in the logs).
pub const TARGET: &str = "ferrochat_trace";

static ON: AtomicBool = AtomicBool::new(false);

/// Says spans are exported from now on; called once the exporter's layer
/// is installed.
pub fn turn_on() {
    ON.store(true, Ordering::Release);
}

/// Whether spans are exported (`[telemetry] otlp_endpoint` set).
#[inline]
pub fn is_on() -> bool {
    ON.load(Ordering::Relaxed)
}

/// The span `name`, a child of the current span (a root when there is
/// none); `Span::none()` while tracing is off.
#[inline]
pub fn span(name: &'static str) -> Span {
    if !is_on() {
        return Span::none();
    }
    make(name)
}

/// The span `name`, a child of the remote span `parent` (a context
/// carried by the bus); `Span::none()` while tracing is off or when
/// there is no parent, so work for untraced records makes no span.
#[inline]
pub fn follow(name: &'static str, parent: Option<&TraceContext>) -> Span {
    match parent {
        Some(parent) if is_on() => {
            let span = make(name);
            let _ = span.set_parent(context_of(parent.as_str()));
            span
        }
        _ => Span::none(),
    }
}

/// The span `name` for work shared by several records (a commit batch, a
/// fan-out group): a span has one parent, so it is the first context's
/// child and links to each other one, so every record's trace leads to
/// it. `Span::none()` while tracing is off or none has a context.
pub fn shared<'a>(
    name: &'static str,
    contexts: impl IntoIterator<Item = &'a TraceContext>,
) -> Span {
    if !is_on() {
        return Span::none();
    }
    let mut contexts = contexts.into_iter();
    let Some(first) = contexts.next() else {
        return Span::none();
    };
    let span = make(name);
    let _ = span.set_parent(context_of(first.as_str()));
    for other in contexts {
        let cx = context_of(other.as_str());
        let linked = cx.span().span_context().clone();
        if linked.is_valid() {
            span.add_link(linked);
        }
    }
    span
}

/// A context read from the bus, kept to pass on only while this process
/// traces: with tracing off a record's context goes no further, so no
/// record of ours carries one and a forged header stops here.
#[inline]
pub fn carried(context: Option<TraceContext>) -> Option<TraceContext> {
    context.filter(|_| is_on())
}

/// The current span's context, to send along with a record; `None` while
/// tracing is off or outside a traced span.
#[inline]
pub fn current() -> Option<TraceContext> {
    if !is_on() {
        return None;
    }
    let cx = Span::current().context();
    if !cx.span().span_context().is_valid() {
        return None;
    }
    let mut one = One::default();
    TraceContextPropagator::new().inject_context(&cx, &mut one);
    one.0.as_deref().and_then(TraceContext::new)
}

/// Puts the current span's context in a gRPC call's metadata
/// (`traceparent`), so the callee's span joins the caller's trace.
#[inline]
pub fn inject(metadata: &mut tonic::metadata::MetadataMap) {
    if !is_on() {
        return;
    }
    let cx = Span::current().context();
    if cx.span().span_context().is_valid() {
        TraceContextPropagator::new().inject_context(&cx, &mut Metadata(metadata));
    }
}

/// The span of one gRPC call a server answers, named by its rpc path
/// (never its fields, which carry secrets): while tracing is on, a child
/// of the caller's span when its metadata carries one; otherwise the
/// debug span the logs always had.
pub fn rpc_span<B>(request: &http::Request<B>) -> Span {
    let path = request.uri().path();
    if !is_on() {
        return tracing::debug_span!("rpc", path = %path);
    }
    let span = tracing::info_span!(
        target: TARGET,
        "rpc",
        otel.name = path,
        otel.kind = "server",
    );
    let cx = TraceContextPropagator::new().extract(&Headers(request.headers()));
    if cx.span().span_context().is_valid() {
        let _ = span.set_parent(cx);
    }
    span
}

fn make(name: &'static str) -> Span {
    tracing::info_span!(target: TARGET, "work", otel.name = name)
}

fn context_of(traceparent: &str) -> opentelemetry::Context {
    TraceContextPropagator::new().extract(&One(Some(traceparent.to_owned())))
}
